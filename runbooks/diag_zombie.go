package runbooks

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// zombieViews shows each broker's own metadata view side by side.
func zombieViews(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartBrokerViews, "metadata-divergence")
	if err != nil {
		return Outcome{}, err
	}
	truth := map[snapshot.PartitionRef]int32{}
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			truth[snapshot.PartitionRef{Topic: t.Name, Partition: p.ID}] = p.LeaderEpoch
		}
	}
	for _, v := range snap.BrokerViews {
		for _, lv := range v.Differences {
			k := snapshot.PartitionRef{Topic: lv.Topic, Partition: lv.Partition}
			truth[k] = max(truth[k], lv.LeaderEpoch)
		}
	}
	// Only on ZooKeeper does Metadata name the controller; in KRaft its
	// controller id is a random live broker, not worth comparing.
	zk := snap.MetadataMode == snapshot.MetadataZooKeeper
	cols := []string{"Broker", "Answered", "Live brokers it sees", "Partitions it says it leads", "Partitions behind"}
	if zk {
		cols = slices.Insert(cols, 3, "Controller it sees")
	}
	tbl := Table{Title: "Each broker's own metadata", Columns: cols, Empty: "no broker answered"}
	for i := range snap.BrokerViews {
		v := &snap.BrokerViews[i]
		if !v.Probe.Answered() {
			row := []string{itoa(v.Broker), v.Probe.Status, "-", "-", "-"}
			if zk {
				row = append(row, "-")
			}
			tbl.Add(row...)
			continue
		}
		leads, behind := 0, 0
		for lv := range snap.ViewLeaders(v) {
			if lv.Leader == v.Broker {
				leads++
			}
			if lv.LeaderEpoch < truth[snapshot.PartitionRef{Topic: lv.Topic, Partition: lv.Partition}] {
				behind++
			}
		}
		row := []string{itoa(v.Broker), "yes", words.JoinIDs(v.Brokers, ","), itoa(leads), itoa(behind)}
		if zk {
			row = slices.Insert(row, 3, itoa(v.ControllerID))
		}
		tbl.Add(row...)
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated, Tables: []Table{tbl}}
	if len(res.Findings) == 0 && len(res.Unevaluated) > 0 {
		out.Verdict = "Cannot compare: no broker's own metadata view was collected."
	} else if len(res.Findings) == 0 {
		out.Verdict = "Every answering broker agrees on leaders and epochs."
	} else {
		out.Verdict = fmt.Sprintf("%s of divergence; the next step checks that it persists.", words.Plural(len(res.Findings), "sign", "signs"))
	}
	return out, nil
}

// zombiePersist takes two polls apart and keeps only the divergence seen
// in both: metadata normally converges within milliseconds, so a one-off
// difference is propagation, not a zombie.
func zombiePersist(ctx context.Context, env *Env) (Outcome, error) {
	_, res1, err := snapshotAndChecks(ctx, env, source.PartBrokerViews, "metadata-divergence")
	if err != nil {
		return Outcome{}, err
	}
	if err := env.sleep(ctx, env.PollInterval); err != nil {
		return Outcome{}, err
	}
	second, res2, err := snapshotAndChecks(ctx, env, source.PartBrokerViews, "metadata-divergence")
	if err != nil {
		return Outcome{}, err
	}
	before := map[string]bool{}
	for _, f := range res1.Findings {
		before[f.Code+"|"+f.Subject()] = true
	}
	out := Outcome{Snapshot: second, Unevaluated: res2.Unevaluated}
	if len(out.Unevaluated) == 0 {
		out.Unevaluated = res1.Unevaluated // the first poll had nothing to compare
	}
	tbl := Table{Title: "Divergence seen in both polls", Columns: []string{"Code", "Broker", "Partition", "Summary"}, Empty: "nothing persisted across both polls"}
	transient := 0
	for _, f := range res2.Findings {
		if !before[f.Code+"|"+f.Subject()] {
			transient++
			continue
		}
		out.Findings = append(out.Findings, f)
		part := "-"
		if f.Partition != nil {
			part = fmt.Sprintf("%s/%d", f.Topic, *f.Partition)
		}
		tbl.Add(f.Code, itoa(*f.Broker), part, f.Summary)
	}
	out.Tables = []Table{tbl}
	switch {
	case len(out.Findings) == 0 && transient == 0 && len(out.Unevaluated) > 0:
		out.Verdict = "Cannot compare: no broker's own metadata view was collected in both polls."
	case len(out.Findings) == 0 && transient == 0:
		out.Verdict = "No zombie leader and no stale metadata in two polls."
	case len(out.Findings) == 0:
		out.Verdict = fmt.Sprintf("%s seen only once: metadata propagation, not a zombie.", words.Plural(transient, "difference", "differences"))
	default:
		out.Verdict = fmt.Sprintf("%s persisted across two polls %s apart.", words.Plural(len(out.Findings), "divergence", "divergences"), env.PollInterval)
	}
	return out, nil
}

// maxSuspects bounds how many suspect partitions the confirm and truncation
// steps ask about: enough to prove a zombie and size its damage.
const maxSuspects = 20

// parallel runs fn(0) to fn(n-1) at once and waits for all of them.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}

// suspect is one partition a broker claims at an old epoch.
type suspect struct {
	broker      int32
	topic       string
	partition   int32
	claimed     int32
	truth       int32
	truthLeader int32
}

func zombieSuspects(s *snapshot.Snapshot) ([]suspect, []checks.Unevaluated) {
	res := checks.Run(checks.Input{Snap: s}, checks.Named("metadata-divergence"))
	var out []suspect
	for _, f := range res.Findings {
		if f.Code != findings.ZombieLeader {
			continue
		}
		out = append(out, suspect{
			broker: *f.Broker, topic: f.Topic, partition: *f.Partition,
			claimed: evidenceInt32(f, "claimed_epoch"), truth: evidenceInt32(f, "current_epoch"),
			truthLeader: evidenceInt32(f, "current_leader"),
		})
	}
	return out, res.Unevaluated
}

// noSuspects ends a step that found no suspect: it could not look when no
// broker's own view was collected (unev), else there is nothing to do.
func noSuspects(out Outcome, unev []checks.Unevaluated, nothingToDo string) Outcome {
	out.Verdict = nothingToDo
	if len(unev) > 0 {
		out.Unevaluated = unev
		out.Verdict = "Cannot look for zombies: no broker's own metadata view was collected."
	}
	return out
}

// zombieConfirm asks each suspect directly with the current epoch: a
// broker behind answers UNKNOWN_LEADER_EPOCH (75).
func zombieConfirm(ctx context.Context, env *Env) (Outcome, error) {
	snap, err := env.Source.Snapshot(ctx, source.PartBrokerViews)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	suspects, unev := zombieSuspects(snap)
	tbl := Table{Title: "Confirmation: ListOffsets with the current leader epoch", Columns: []string{"Broker", "Partition", "Epoch it claims", "Current epoch", "Its answer", "Meaning"}, Empty: "no broker claims leadership at an old epoch"}
	out.Tables = []Table{tbl}
	if len(suspects) == 0 {
		return noSuspects(out, unev, "No broker claims leadership at an old epoch: nothing to confirm."), nil
	}
	if env.Epochs == nil {
		out.Unevaluated = []checks.Unevaluated{{Check: "zombie-confirm", Reason: "needs a live cluster"}}
		out.Verdict = "Cannot confirm without a live cluster."
		return out, nil
	}
	confirmed := 0
	asked := suspects[:min(len(suspects), maxSuspects)]
	answers := make([]source.EpochCheck, len(asked))
	errs := make([]error, len(asked))
	// All at once: a hung suspect costs the step one deadline, not one each.
	parallel(len(asked), func(i int) {
		s := asked[i]
		answers[i], errs[i] = env.Epochs.CheckLeaderEpoch(ctx, s.broker, s.topic, s.partition, s.truth)
	})
	for i, s := range asked {
		ans, err := answers[i], errs[i]
		answer, meaning := "", ""
		switch {
		case err != nil:
			answer, meaning = "no answer", err.Error()
		case ans.ErrorCode == 75:
			answer, meaning = ans.Error, "behind the current epoch: a zombie"
			confirmed++
			out.Findings = append(out.Findings, findings.Finding{
				Code: findings.ZombieLeader, Severity: findings.Critical,
				Broker: findings.Int32(s.broker), Topic: s.topic, Partition: findings.Int32(s.partition),
				Summary:  fmt.Sprintf("broker %d confirmed behind: epoch %d unknown to it (it claims %d)", s.broker, s.truth, s.claimed),
				Evidence: map[string]any{"claimed_epoch": s.claimed, "current_epoch": s.truth, "error_code": ans.ErrorCode, "confirmed": true},
			})
		case ans.ErrorCode == 6:
			answer, meaning = ans.Error, "it knows it is no longer leader: caught up since"
		case ans.ErrorCode == 0:
			answer, meaning = "ok", "it is the real leader at that epoch"
		default:
			answer, meaning = ans.Error, "unexpected"
		}
		tbl.Add(itoa(s.broker), fmt.Sprintf("%s/%d", s.topic, s.partition), itoa(s.claimed), itoa(s.truth), answer, meaning)
	}
	out.Tables = []Table{tbl}
	out.Verdict = fmt.Sprintf("%d of %d suspects confirmed as zombies.", confirmed, len(asked))
	return out, nil
}

// zombieTruncation estimates what a zombie will lose when it rejoins:
// everything it appended after the point where its epoch ended on the new
// leader.
func zombieTruncation(ctx context.Context, env *Env) (Outcome, error) {
	snap, err := env.Source.Snapshot(ctx, source.PartBrokerViews)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	suspects, unev := zombieSuspects(snap)
	tbl := Table{Title: "What a returning zombie truncates", Columns: []string{"Broker", "Partition", "Its log end", "Its epoch ends on the new leader at", "Records to be truncated"}, Empty: "no zombie"}
	brokers := map[int32]bool{}
	for _, s := range suspects {
		brokers[s.broker] = true
	}
	if len(suspects) > 0 && (env.Epochs == nil || env.Probe == nil) {
		out.Unevaluated = []checks.Unevaluated{{Check: "zombie-truncation", Reason: "needs a live cluster"}}
	}
	total, measured := int64(0), 0
	if len(out.Unevaluated) == 0 {
		ask := map[int32][]source.TopicPartition{}
		for _, s := range suspects {
			ask[s.broker] = append(ask[s.broker], source.TopicPartition{Topic: s.topic, Partition: s.partition})
		}
		ends, perr := map[int32]map[source.TopicPartition]int64{}, error(nil)
		if len(ask) > 0 {
			ends, perr = env.Probe.ReplicaLogEnds(ctx, ask)
		}
		if perr != nil {
			out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "zombie-truncation", Reason: perr.Error()})
		}
		asked := suspects[:min(len(suspects), maxSuspects)]
		divs := make([]int64, len(asked))
		errs := make([]error, len(asked))
		parallel(len(asked), func(i int) {
			s := asked[i]
			divs[i], errs[i] = env.Epochs.EpochEnd(ctx, s.truthLeader, s.topic, s.partition, s.claimed)
		})
		for i, s := range asked {
			leo, ok := ends[s.broker][source.TopicPartition{Topic: s.topic, Partition: s.partition}]
			switch {
			case !ok || errs[i] != nil:
				tbl.Add(itoa(s.broker), fmt.Sprintf("%s/%d", s.topic, s.partition), "?", "?", "?")
				why := cmp.Or(errs[i], perr, fmt.Errorf("broker %d did not report its log end", s.broker))
				out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "zombie-truncation",
					Reason: fmt.Sprintf("%s/%d on broker %d not measured: %v", s.topic, s.partition, s.broker, why)})
			default:
				lost := max(leo-divs[i], 0)
				total += lost
				measured++
				tbl.Add(itoa(s.broker), fmt.Sprintf("%s/%d", s.topic, s.partition), itoa(leo), itoa(divs[i]), itoa(lost))
				if lost > 0 {
					out.Findings = append(out.Findings, truncationFinding(s, lost))
				}
			}
		}
	}
	out.Tables = []Table{tbl}
	if len(suspects) == 0 {
		return noSuspects(out, unev, "No zombie: nothing will be truncated."), nil
	}
	switch {
	case measured == 0:
		out.Verdict = fmt.Sprintf("Records written to zombie(s) %s will be truncated when they rejoin, but how many could not be measured.", words.JoinIDs(slices.Sorted(maps.Keys(brokers)), ", "))
	case measured < min(len(suspects), maxSuspects):
		out.Verdict = fmt.Sprintf("At least %d records written to zombie(s) %s will be truncated when they rejoin (%d partitions not measured); producers with acks=0/1 were told they succeeded.", total, words.JoinIDs(slices.Sorted(maps.Keys(brokers)), ", "), min(len(suspects), maxSuspects)-measured)
	default:
		out.Verdict = fmt.Sprintf("About %d records written to zombie(s) %s will be truncated when they rejoin; producers with acks=0/1 were told they succeeded.", total, words.JoinIDs(slices.Sorted(maps.Keys(brokers)), ", "))
	}
	for _, id := range slices.Sorted(maps.Keys(brokers)) {
		out.Actions = append(out.Actions, Action{
			Title: fmt.Sprintf("If broker %d stays a zombie after its path to the controller is back: stop it cleanly and restart it", id), Risk: Caution,
			Command:     "systemctl restart kafka   # on broker " + itoa(id) + "'s host",
			Consequence: "It truncates to the new leaders' logs on restart: the records above are gone. Copy its partition directories first if you need to salvage them (kafka-dump-log.sh).",
		})
	}
	return out, nil
}

// truncationFinding is what step 4 found on one zombie partition: records
// it accepted that it will truncate when it rejoins. Acknowledged writes
// about to vanish are critical, so the step's label says so too.
func truncationFinding(s suspect, lost int64) findings.Finding {
	return findings.Finding{
		Code: findings.ZombieLeader, Severity: findings.Critical,
		Broker: findings.Int32(s.broker), Topic: s.topic, Partition: findings.Int32(s.partition),
		Summary: fmt.Sprintf("broker %d will truncate %s of %s/%d when it rejoins", s.broker,
			words.Plural(int(lost), "record", "records"), s.topic, s.partition),
		Evidence: map[string]any{"claimed_epoch": s.claimed, "current_epoch": s.truth, "records_to_truncate": lost},
	}
}

// evidenceInt32 reads a numeric evidence field, -1 when absent.
func evidenceInt32(f findings.Finding, key string) int32 {
	switch v := f.Evidence[key].(type) {
	case int32:
		return v
	case int:
		return int32(v)
	case int64:
		return int32(v)
	case float64:
		return int32(v)
	}
	return -1
}
