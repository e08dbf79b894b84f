package collect

import (
	"slices"
	"strings"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// API keys the collector looks for in ApiVersions answers.
const (
	apiDescribeQuorum          = 55
	apiDescribeTopicPartitions = 75
)

// unknownFeatureEpoch is Kafka's epoch for finalized features it has not
// got (ApiVersions FinalizedFeaturesEpoch).
const unknownFeatureEpoch = -1

// finalized is the cluster's finalized feature levels as one node reported
// them in ApiVersions (v3+), with the epoch that orders reports.
type finalized struct {
	epoch  int64
	levels map[string]int16
}

// finalizedOf reads the finalized features of an ApiVersions answer. Kafka
// lists a feature only once it is finalized above level 0, and the levels
// are valid only with an epoch of 0 or more.
func finalizedOf(resp *sarama.ApiVersionsResponse) finalized {
	f := finalized{epoch: unknownFeatureEpoch}
	if resp == nil || resp.Version < 3 || resp.FinalizedFeaturesEpoch < 0 {
		return f
	}
	f.epoch = resp.FinalizedFeaturesEpoch
	f.levels = make(map[string]int16, len(resp.FinalizedFeatures))
	for _, k := range resp.FinalizedFeatures {
		f.levels[k.Name] = k.MaxVersionLevel
	}
	return f
}

// offers reports whether a node's ApiVersions answer lists the API.
func offers(versions []snapshot.APIVersion, key int16) bool {
	return slices.ContainsFunc(versions, func(v snapshot.APIVersion) bool { return v.Key == key })
}

// metadataMode judges how the cluster keeps its metadata from what its
// nodes offer, never from a version string: KRaft nodes (brokers and
// controllers) list DescribeQuorum, ZooKeeper brokers do not. A node that
// listed no API at all said nothing. Nodes that disagree (a migration from
// ZooKeeper in progress) or silence give "": the mode is not guessed.
func metadataMode(answers [][]snapshot.APIVersion) string {
	kraft, zk := 0, 0
	for _, versions := range answers {
		switch {
		case len(versions) == 0:
		case offers(versions, apiDescribeQuorum):
			kraft++
		default:
			zk++
		}
	}
	switch {
	case kraft > 0 && zk == 0:
		return snapshot.MetadataKRaft
	case zk > 0 && kraft == 0:
		return snapshot.MetadataZooKeeper
	}
	return ""
}

// newestFeatures picks the finalized features with the highest epoch: a
// node that has not replayed the latest feature change reports a lower
// one. Ties go to the first report, so callers pass them in a stable order.
// Nil when no node reported any.
func newestFeatures(reports []finalized) map[string]int16 {
	best := finalized{epoch: unknownFeatureEpoch}
	for _, f := range reports {
		if f.epoch > best.epoch {
			best = f
		}
	}
	if best.epoch < 0 || len(best.levels) == 0 {
		return nil
	}
	return best.levels
}

// applyMode fills the metadata mode and the features from every node that
// answered (bootstrap addresses, brokers and controllers), and marks the
// controller on ZooKeeper clusters only: in KRaft, Metadata's controller id
// is a random live broker that forwards to the quorum, and labelling it the
// controller would send on-call to the wrong node.
func (c *collector) applyMode() {
	conns := c.pool.answered()
	var versions [][]snapshot.APIVersion
	var reports []finalized
	for _, cn := range conns {
		versions = append(versions, cn.versions)
		reports = append(reports, cn.features)
	}
	c.snap.MetadataMode = metadataMode(versions)
	c.snap.Features = newestFeatures(reports)
	for i := range c.snap.Brokers {
		b := &c.snap.Brokers[i]
		b.IsController = c.snap.MetadataMode == snapshot.MetadataZooKeeper && b.ID == c.snap.ControllerID
	}
}

// answered returns the connections whose probe answered, sorted by address
// so that what is derived from them does not depend on map order.
func (p *pool) answered() []*conn {
	p.mu.Lock()
	all := make([]*conn, 0, len(p.conns))
	for _, cn := range p.conns {
		all = append(all, cn)
	}
	p.mu.Unlock()
	var out []*conn
	for _, cn := range all {
		select {
		case <-cn.ready:
			if cn.probe.Answered() {
				out = append(out, cn)
			}
		default: // still probing: it has not answered
		}
	}
	slices.SortFunc(out, func(a, b *conn) int { return strings.Compare(a.addr, b.addr) })
	return out
}
