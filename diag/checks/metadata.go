package checks

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// staleSampleSize bounds how many lagging partitions a STALE_METADATA
// finding lists as evidence.
const staleSampleSize = 10

// metadataDivergence compares each broker's own metadata view. Leader
// epochs only increase, so the truth for a partition is the highest epoch
// any broker reports; a broker that claims leadership below it is a zombie.
func metadataDivergence() Check {
	return Check{
		Name:  "metadata-divergence",
		Reads: []string{snapshot.SourceBrokerView},
		Codes: []string{findings.ZombieLeader, findings.StaleMetadata},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			answered := 0
			for _, v := range s.BrokerViews {
				if v.Probe.Answered() {
					answered++
				}
			}
			if answered == 0 {
				r.CannotEvaluate("no broker's own metadata view was collected")
				return
			}
			truth := truthEpochs(s)
			behind := clusterBehind(s, truth)
			majority := majorityBrokerList(s.BrokerViews)
			for i := range s.BrokerViews {
				if v := &s.BrokerViews[i]; v.Probe.Answered() {
					compareView(r, v, viewEntries(v, behind), truth, majority)
				}
			}
		},
	}
}

// truthEpochs is the highest leader epoch known per partition, with the
// leader that holds it.
func truthEpochs(s *snapshot.Snapshot) *tpMap[snapshot.LeaderView] {
	truth := newTPMap[snapshot.LeaderView]()
	for _, t := range s.Topics {
		truth.reserve(t.Name, len(t.Partitions))
	}
	consider := func(lv snapshot.LeaderView) {
		if cur, ok := truth.get(lv.Topic, lv.Partition); !ok || lv.LeaderEpoch > cur.LeaderEpoch {
			truth.put(lv.Topic, lv.Partition, lv)
		}
	}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			consider(snapshot.LeaderView{Topic: t.Name, Partition: p.ID, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch})
		}
	}
	// A view's other partitions agree with the cluster metadata, already
	// considered.
	for _, v := range s.BrokerViews {
		for _, lv := range v.Differences {
			consider(lv)
		}
	}
	return truth
}

// clusterBehind lists the cluster-metadata entries older than the truth:
// none in a healthy cluster, and the zombie's claims when the cluster
// metadata came from the zombie itself.
func clusterBehind(s *snapshot.Snapshot, truth *tpMap[snapshot.LeaderView]) []snapshot.LeaderView {
	var out []snapshot.LeaderView
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if best, _ := truth.get(t.Name, p.ID); p.LeaderEpoch < best.LeaderEpoch {
				out = append(out, snapshot.LeaderView{Topic: t.Name, Partition: p.ID, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch})
			}
		}
	}
	return out
}

// viewEntries is what one view says that can be behind the truth: its
// differences, and the entries of behind it listed without differing from
// them, so agreed with. Partitions it agrees on elsewhere are at the truth.
func viewEntries(v *snapshot.BrokerView, behind []snapshot.LeaderView) []snapshot.LeaderView {
	if len(behind) == 0 {
		return v.Differences
	}
	listed := map[snapshot.PartitionRef]bool{}
	for _, d := range v.Differences {
		listed[snapshot.PartitionRef{Topic: d.Topic, Partition: d.Partition}] = true
	}
	for _, m := range v.Missing {
		listed[m] = true
	}
	out := slices.Clone(v.Differences)
	for _, b := range behind {
		if !listed[snapshot.PartitionRef{Topic: b.Topic, Partition: b.Partition}] {
			out = append(out, b)
		}
	}
	return out
}

func compareView(r *Reporter, v *snapshot.BrokerView, entries []snapshot.LeaderView, truth *tpMap[snapshot.LeaderView], majority []int32) {
	var stale []snapshot.LeaderView
	for _, lv := range entries {
		t, _ := truth.get(lv.Topic, lv.Partition)
		if lv.LeaderEpoch >= t.LeaderEpoch {
			continue
		}
		if lv.Leader == v.Broker {
			r.Add(findings.Finding{
				Code: findings.ZombieLeader, Broker: findings.Int32(v.Broker), Topic: lv.Topic, Partition: findings.Int32(lv.Partition),
				Summary: fmt.Sprintf("broker %d still claims leadership of %s/%d at epoch %d; broker %d leads at epoch %d",
					v.Broker, lv.Topic, lv.Partition, lv.LeaderEpoch, t.Leader, t.LeaderEpoch),
				Evidence: map[string]any{"claimed_epoch": lv.LeaderEpoch, "current_epoch": t.LeaderEpoch, "current_leader": t.Leader},
			})
			continue
		}
		stale = append(stale, lv)
	}
	listDiffers := majority != nil && !slices.Equal(v.Brokers, majority)
	if len(stale) == 0 && !listDiffers {
		return
	}
	slices.SortFunc(stale, func(a, b snapshot.LeaderView) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	sample := []string{}
	for _, lv := range stale[:min(len(stale), staleSampleSize)] {
		sample = append(sample, fmt.Sprintf("%s/%d@%d", lv.Topic, lv.Partition, lv.LeaderEpoch))
	}
	summary := fmt.Sprintf("broker %d serves old leader epochs for %d partitions", v.Broker, len(stale))
	if listDiffers {
		summary = fmt.Sprintf("broker %d sees live brokers %v, the others see %v; stale on %d partitions", v.Broker, v.Brokers, majority, len(stale))
	}
	r.Add(findings.Finding{
		Code: findings.StaleMetadata, Broker: findings.Int32(v.Broker), Summary: summary,
		Evidence: map[string]any{"stale_partitions": len(stale), "sample": sample, "brokers_seen": v.Brokers, "brokers_majority": majority},
	})
}

// majorityBrokerList is the live-broker list most answering brokers agree
// on, nil when there is no strict majority.
func majorityBrokerList(views []snapshot.BrokerView) []int32 {
	counts := map[string]int{}
	lists := map[string][]int32{}
	total := 0
	for _, v := range views {
		if !v.Probe.Answered() {
			continue
		}
		k := fmt.Sprint(v.Brokers)
		counts[k]++
		lists[k] = v.Brokers
		total++
	}
	for k, n := range counts {
		if 2*n > total {
			return lists[k]
		}
	}
	return nil
}
