package sim

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// describeQuorumVersions are the DescribeQuorum versions the simulator
// answers, as Kafka 4.x brokers offer them: v1 adds the replicas' times,
// v2 the voters' endpoints (KIP-853).
const describeQuorumMin, describeQuorumMax = 0, 2

// softwareRe is what a broker accepts as ClientSoftwareName and
// ClientSoftwareVersion in ApiVersions v3+.
var softwareRe = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?$`)

// apiVersions is kfake's own ApiVersions answer, read once at Start, with
// DescribeQuorum added: kfake does not implement it, so without it every
// simulated cluster looked like ZooKeeper to a client that judges the
// metadata mode from ApiVersions (diag/collect does).
type apiVersions struct {
	base *kmsg.ApiVersionsResponse
	keys []kmsg.ApiVersionsResponseApiKey
}

// readAPIVersions asks kfake for its answer, before any control is
// installed.
func readAPIVersions(ctx context.Context, cl *kgo.Client) (*apiVersions, error) {
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "kafka-runbook-sim", "1"
	resp, err := req.RequestWith(ctx, cl)
	if err == nil && resp.ErrorCode != 0 {
		err = fmt.Errorf("error code %d", resp.ErrorCode)
	}
	if err != nil {
		return nil, fmt.Errorf("reading kfake's ApiVersions: %w", err)
	}
	keys := slices.DeleteFunc(slices.Clone(resp.ApiKeys), func(k kmsg.ApiVersionsResponseApiKey) bool {
		return k.ApiKey == int16(kmsg.DescribeQuorum)
	})
	dq := kmsg.NewApiVersionsResponseApiKey()
	dq.ApiKey, dq.MinVersion, dq.MaxVersion = int16(kmsg.DescribeQuorum), describeQuorumMin, describeQuorumMax
	keys = append(keys, dq)
	slices.SortFunc(keys, func(a, b kmsg.ApiVersionsResponseApiKey) int { return cmp.Compare(a.ApiKey, b.ApiKey) })
	return &apiVersions{base: resp, keys: keys}, nil
}

// handle answers ApiVersions with DescribeQuorum listed. Requests kfake
// answers with an error (a version above its own, invalid software names,
// KIP-1242's mismatched cluster or node) are left to it: returning nil lets
// kfake answer.
func (a *apiVersions) handle(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.ApiVersionsRequest)
	if a.maxVersion() < req.Version {
		return nil
	}
	if req.Version >= 3 && (!softwareRe.MatchString(req.ClientSoftwareName) || !softwareRe.MatchString(req.ClientSoftwareVersion)) {
		return nil
	}
	if req.Version >= 5 && (req.ClusterID != nil || req.NodeID != -1) &&
		(req.ClusterID == nil || *req.ClusterID != w.clusterID || req.NodeID != node) {
		return nil
	}
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	resp.ApiKeys = slices.Clone(a.keys)
	resp.SupportedFeatures, resp.FinalizedFeatures = slices.Clone(a.base.SupportedFeatures), slices.Clone(a.base.FinalizedFeatures)
	resp.FinalizedFeaturesEpoch = a.base.FinalizedFeaturesEpoch
	return resp
}

// maxVersion is the highest ApiVersions version kfake answers.
func (a *apiVersions) maxVersion() int16 {
	for _, k := range a.keys {
		if k.ApiKey == int16(kmsg.ApiVersions) {
			return k.MaxVersion
		}
	}
	return 0
}
