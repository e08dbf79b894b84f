package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Risk labels of the changes a drill records, as runbooks label actions.
const (
	riskCaution   = "caution"
	riskDangerous = "dangerous"
)

// changeKeys are the requests that change a cluster's state, data or
// configuration. Produce and group members' own offset commits are normal
// traffic, not actions someone took on the cluster.
var changeKeys = map[int16]bool{
	int16(kmsg.OffsetCommit): true, int16(kmsg.CreateTopics): true, int16(kmsg.DeleteTopics): true,
	int16(kmsg.DeleteRecords): true, int16(kmsg.CreateACLs): true, int16(kmsg.DeleteACLs): true,
	int16(kmsg.AlterConfigs): true, int16(kmsg.AlterReplicaLogDirs): true, int16(kmsg.CreatePartitions): true,
	int16(kmsg.DeleteGroups): true, int16(kmsg.ElectLeaders): true, int16(kmsg.IncrementalAlterConfigs): true,
	int16(kmsg.AlterPartitionAssignments): true, int16(kmsg.OffsetDelete): true, int16(kmsg.UpdateFeatures): true,
	int16(kmsg.UnregisterBroker): true,
}

// change says what a request changes, nil when it changes nothing.
func change(req kmsg.Request) *Change {
	if !changeKeys[req.Key()] {
		return nil
	}
	switch r := req.(type) {
	case *kmsg.OffsetCommitRequest:
		// A consumer in the group commits with its generation; a commit
		// from outside is an offset reset (kafka-consumer-groups.sh
		// --reset-offsets --execute).
		if r.Generation >= 0 || r.MemberID != "" {
			return nil
		}
		var parts []string
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				parts = append(parts, fmt.Sprintf("%s/%d=%d", t.Topic, p.Partition, p.Offset))
			}
		}
		return &Change{riskDangerous, fmt.Sprintf("offset reset of group %s: %s", r.Group, clip(parts))}
	case *kmsg.DeleteRecordsRequest:
		var parts []string
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				parts = append(parts, fmt.Sprintf("%s/%d before %d", t.Topic, p.Partition, p.Offset))
			}
		}
		return &Change{riskDangerous, "delete records of " + clip(parts)}
	case *kmsg.ElectLeadersRequest:
		kind, risk := "preferred", riskCaution
		if r.ElectionType == 1 {
			kind, risk = "unclean", riskDangerous
		}
		var parts []string
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				parts = append(parts, fmt.Sprintf("%s/%d", t.Topic, p))
			}
		}
		if r.Topics == nil {
			parts = []string{"all partitions"}
		}
		return &Change{risk, kind + " leader election of " + clip(parts)}
	case *kmsg.IncrementalAlterConfigsRequest:
		var sets []string
		for _, res := range r.Resources {
			for _, c := range res.Configs {
				sets = append(sets, configChange(res.ResourceType, res.ResourceName, c.Name, c.Value, c.Op))
			}
		}
		return &Change{configRisk(sets), "alter configs: " + clip(sets)}
	case *kmsg.AlterConfigsRequest:
		var sets []string
		for _, res := range r.Resources {
			for _, c := range res.Configs {
				sets = append(sets, configChange(res.ResourceType, res.ResourceName, c.Name, c.Value, kmsg.IncrementalAlterConfigOpSet))
			}
		}
		return &Change{configRisk(sets), "replace configs: " + clip(sets)}
	case *kmsg.AlterPartitionAssignmentsRequest:
		var parts []string
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				parts = append(parts, fmt.Sprintf("%s/%d->%v", t.Topic, p.Partition, p.Replicas))
			}
		}
		return &Change{riskCaution, "reassign " + clip(parts)}
	case *kmsg.DeleteTopicsRequest:
		var names []string
		for _, t := range r.Topics {
			if t.Topic != nil {
				names = append(names, *t.Topic)
			}
		}
		names = append(names, r.TopicNames...)
		return &Change{riskDangerous, "delete topics " + clip(names)}
	case *kmsg.DeleteGroupsRequest:
		return &Change{riskDangerous, "delete groups " + clip(r.Groups)}
	case *kmsg.OffsetDeleteRequest:
		return &Change{riskDangerous, "delete committed offsets of group " + r.Group}
	case *kmsg.UnregisterBrokerRequest:
		return &Change{riskDangerous, fmt.Sprintf("unregister broker %d", r.BrokerID)}
	}
	return &Change{riskCaution, kmsg.NameForKey(req.Key())}
}

// configChange renders one config operation as kafka-configs.sh would
// show it.
func configChange(typ kmsg.ConfigResourceType, name, key string, value *string, op kmsg.IncrementalAlterConfigOp) string {
	what := "topic " + name
	if typ == kmsg.ConfigResourceTypeBroker {
		what = "broker " + name
		if name == "" {
			what = "all brokers"
		}
	}
	if op == kmsg.IncrementalAlterConfigOpDelete || value == nil {
		return fmt.Sprintf("%s: delete %s", what, key)
	}
	return fmt.Sprintf("%s: %s=%s", what, key, *value)
}

// configRisk is dangerous for settings that trade acknowledged data for
// availability, and caution for everything else.
func configRisk(sets []string) string {
	if slices.ContainsFunc(sets, func(s string) bool {
		return strings.Contains(s, "unclean.leader.election.enable=true") || strings.Contains(s, "retention.")
	}) {
		return riskDangerous
	}
	return riskCaution
}

// clip lists at most five items, so one request with a thousand partitions
// stays one readable line.
func clip(items []string) string {
	if len(items) <= 5 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:5], ", "), len(items)-5)
}
