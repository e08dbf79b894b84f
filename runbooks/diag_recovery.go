package runbooks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// recoveryUncleanCandidates lists offline partitions that need an unclean
// election, each live replica's log end offset, and the loss each
// candidate would cause.
func recoveryUncleanCandidates(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, 0, "partition-availability")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	states := checks.States(snap)
	var targets []snapshot.Partition
	for _, f := range res.Findings {
		if f.Code != findings.UncleanElectionRequired {
			continue
		}
		out.Findings = append(out.Findings, f)
		t, _ := snap.Topic(f.Topic)
		for _, p := range t.Partitions {
			if p.ID == *f.Partition {
				targets = append(targets, p)
			}
		}
	}
	tbl := Table{Title: "Unclean election candidates", Columns: []string{"Partition", "Last ISR", "Candidate", "Its log end", "High watermark before", "Records lost"}, Empty: "no partition needs an unclean election"}
	if len(targets) == 0 {
		out.Tables = []Table{tbl}
		out.Verdict = "No partition needs an unclean election."
		return out, nil
	}
	ask := map[int32][]source.TopicPartition{}
	for _, p := range targets {
		for _, r := range p.Replicas {
			if states[r] == checks.StateUp {
				ask[r] = append(ask[r], source.TopicPartition{Topic: p.Topic, Partition: p.ID})
			}
		}
	}
	ends := map[int32]map[source.TopicPartition]int64{}
	if env.Probe == nil {
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "unclean-candidates", Reason: "replica log end offsets need a live cluster"})
	} else if len(ask) > 0 {
		var perr error
		ends, perr = env.Probe.ReplicaLogEnds(ctx, ask)
		if perr != nil {
			out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "unclean-candidates", Reason: perr.Error()})
		}
	}
	prevHW := previousLatest(env.Previous)
	for _, p := range targets {
		tp := source.TopicPartition{Topic: p.Topic, Partition: p.ID}
		name := fmt.Sprintf("%s/%d", p.Topic, p.ID)
		hw, hwKnown := prevHW[tp]
		hwText := "unknown (no --since snapshot)"
		if hwKnown {
			hwText = itoa(hw)
		}
		candidates := 0
		for _, r := range p.Replicas {
			if states[r] != checks.StateUp {
				continue
			}
			candidates++
			leo, ok := ends[r][tp]
			switch {
			case !ok:
				tbl.Add(name, words.JoinIDs(p.ISR, ","), itoa(r), "?", hwText, "?")
			case hwKnown:
				tbl.Add(name, words.JoinIDs(p.ISR, ","), itoa(r), itoa(leo), hwText, itoa(max(hw-leo, 0)))
			default:
				tbl.Add(name, words.JoinIDs(p.ISR, ","), itoa(r), itoa(leo), hwText, "at least what it lacks of the last ISR")
			}
		}
		if candidates == 0 {
			tbl.Add(name, words.JoinIDs(p.ISR, ","), "none live", "-", hwText, "all, if no replica returns")
			continue
		}
		out.Actions = append(out.Actions, Action{
			Title: fmt.Sprintf("Last resort for %s: elect an out-of-sync replica (the first live one in assignment order wins)", name), Risk: Dangerous,
			Command:     env.Commands.Kafka("kafka-leader-election.sh", "--election-type", "unclean", "--topic", p.Topic, "--partition", itoa(p.ID)),
			Consequence: "Records the old ISR had and the new leader lacks are gone for good, acknowledged ones included. When the old leader returns it truncates: copy its partition directory first to salvage them with kafka-dump-log.sh.",
		})
	}
	out.Tables = []Table{tbl}
	out.Verdict = fmt.Sprintf("%s can only come back through an unclean election unless a broker from the last ISR returns with its disk.", words.Plural(len(targets), "partition", "partitions"))
	return out, nil
}

// previousLatest indexes a previous snapshot's log end offsets.
func previousLatest(prev *snapshot.Snapshot) map[source.TopicPartition]int64 {
	out := map[source.TopicPartition]int64{}
	if prev == nil {
		return out
	}
	for _, t := range prev.Topics {
		for _, p := range t.Partitions {
			if p.LatestOffset >= 0 {
				out[source.TopicPartition{Topic: t.Name, Partition: p.ID}] = p.LatestOffset
			}
		}
	}
	return out
}

// recoverySince compares log offsets with the snapshot given with --since.
func recoverySince(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartOffsets, "offsets-backwards")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated, Skipped: res.Skipped}
	tbl := Table{Title: "Offsets that went backwards", Columns: []string{"Partition", "Log end before", "Log end now", "Records lost", "Leader epoch before", "Leader epoch now"}, Empty: "no log end went backwards"}
	total := int64(0)
	for _, f := range res.Findings {
		lost, _ := f.Evidence["records_lost"].(int64)
		total += lost
		tbl.Add(fmt.Sprintf("%s/%d", f.Topic, *f.Partition), fmt.Sprint(f.Evidence["previous_latest_offset"]), fmt.Sprint(f.Evidence["latest_offset"]),
			itoa(lost), fmt.Sprint(f.Evidence["previous_leader_epoch"]), fmt.Sprint(f.Evidence["leader_epoch"]))
	}
	out.Tables = []Table{tbl}
	switch {
	case env.Previous == nil:
		out.Verdict = "No previous snapshot given (--since FILE): losses cannot be measured."
	case len(res.Findings) == 0:
		out.Verdict = fmt.Sprintf("No partition lost records since %s.", env.Previous.TakenAt.UTC().Format(time.RFC3339))
	default:
		out.Verdict = fmt.Sprintf("%d records lost on %s since %s.", total, words.Plural(len(res.Findings), "partition", "partitions"), env.Previous.TakenAt.UTC().Format(time.RFC3339))
	}
	return out, nil
}

// recoveryLogStart finds groups whose unread records retention deleted,
// and the retention overrides that may have done it.
func recoveryLogStart(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartGroups|source.PartConfigs, "log-start-past-committed")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated}
	tbl := Table{Title: "Records deleted before groups read them", Columns: []string{"Group", "Partition", "Committed", "Log start now", "Records skipped"}, Empty: "no group's committed offset is below the log start"}
	topics := map[string]bool{}
	for _, f := range res.Findings {
		topics[f.Topic] = true
		tbl.Add(f.Group, fmt.Sprintf("%s/%d", f.Topic, *f.Partition), fmt.Sprint(f.Evidence["committed"]), fmt.Sprint(f.Evidence["earliest_offset"]), fmt.Sprint(f.Evidence["records_skipped"]))
	}
	overrides := Table{Title: "Retention overrides on affected topics", Columns: []string{"Topic", "Config", "Value", "Source"}, Empty: "no retention override"}
	var names []string
	for t := range topics {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, name := range names {
		t, _ := snap.Topic(name)
		for _, key := range []string{"retention.ms", "retention.bytes"} {
			if v, ok := t.Config(key); ok && v.Source == "DYNAMIC_TOPIC_CONFIG" {
				overrides.Add(name, key, v.Value, v.Source)
				out.Actions = append(out.Actions, Action{
					Title: fmt.Sprintf("Stop the deletion: remove the %s override on %s", key, name), Risk: Caution,
					Command:     env.Commands.Kafka("kafka-configs.sh", "--entity-type", "topics", "--entity-name", name, "--alter", "--delete-config", key),
					Consequence: "The topic falls back to the broker default retention; make sure that is what you want and that the disk can hold it.",
				})
			}
		}
	}
	out.Tables = []Table{tbl, overrides}
	if len(res.Findings) == 0 {
		out.Verdict = "No group lost unread records to retention or DeleteRecords."
	} else {
		out.Verdict = fmt.Sprintf("Retention or DeleteRecords removed unread records on %s of %s.", words.Plural(len(res.Findings), "group partition", "group partitions"), strings.Join(names, ", "))
	}
	return out, nil
}

// recoveryRewind plans a rewind of consumer groups to --to-datetime, with
// the dry-run commands to check it.
func recoveryRewind(ctx context.Context, env *Env) (Outcome, error) {
	snap, err := env.Source.Snapshot(ctx, source.PartGroups)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	if env.ToDatetime.IsZero() {
		out.Verdict = "No rewind target given: pass --to-datetime, e.g. 2026-11-26T03:00:00Z, to plan one."
		out.Tables = []Table{{Title: "Rewind plan", Columns: []string{"Group"}, Empty: "no --to-datetime"}}
		return out, nil
	}
	target := env.ToDatetime.UTC()
	// Kafka reads the zone suffix; without it older versions use the
	// local time zone of wherever the command runs.
	stamp := target.Format("2006-01-02T15:04:05.000Z")
	leaders := map[int32][]source.TopicPartition{}
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			if p.Online() {
				leaders[p.Leader] = append(leaders[p.Leader], source.TopicPartition{Topic: t.Name, Partition: p.ID})
			}
		}
	}
	offsets := map[source.TopicPartition]int64{}
	if env.Probe != nil {
		got, perr := env.Probe.OffsetsForTime(ctx, leaders, target.UnixMilli())
		if perr != nil {
			out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "rewind", Reason: perr.Error()})
		}
		for _, m := range got {
			for tp, o := range m {
				offsets[tp] = o
			}
		}
	} else {
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "rewind", Reason: "target offsets need a live cluster"})
	}
	tbl := Table{Title: "Rewind plan to " + target.Format(time.RFC3339), Columns: []string{"Group", "State", "Partition", "Committed", "Target", "Records re-read"}, Empty: "no consumer group has committed offsets"}
	for _, g := range snap.Groups {
		topics := map[string]bool{}
		for _, o := range g.Offsets {
			topics[o.Topic] = true
			tp := source.TopicPartition{Topic: o.Topic, Partition: o.Partition}
			tgt, ok := offsets[tp]
			switch {
			case !ok:
				tbl.Add(g.ID, g.State, fmt.Sprintf("%s/%d", o.Topic, o.Partition), itoa(o.Committed), "?", "?")
			case tgt < 0:
				tbl.Add(g.ID, g.State, fmt.Sprintf("%s/%d", o.Topic, o.Partition), itoa(o.Committed), "log end (nothing newer)", "0")
			default:
				tbl.Add(g.ID, g.State, fmt.Sprintf("%s/%d", o.Topic, o.Partition), itoa(o.Committed), itoa(tgt), itoa(max(o.Committed-tgt, 0)))
			}
		}
		var names []string
		for t := range topics {
			names = append(names, t)
		}
		slices.Sort(names)
		for _, t := range names {
			args := []string{"--group", g.ID, "--topic", t, "--reset-offsets", "--to-datetime", stamp}
			out.Actions = append(out.Actions,
				Action{Title: fmt.Sprintf("Preview the rewind of %s on %s", g.ID, t), Risk: Safe,
					Command: env.Commands.Kafka("kafka-consumer-groups.sh", append(args, "--dry-run")...), Consequence: "Read-only: prints the new offsets."},
				Action{Title: fmt.Sprintf("Rewind %s on %s (the group must be stopped)", g.ID, t), Risk: Dangerous,
					Command:     env.Commands.Kafka("kafka-consumer-groups.sh", append(args, "--execute")...),
					Consequence: "Consumers re-read everything since the target: duplicates downstream unless processing is idempotent. Fails while members are active."},
			)
		}
	}
	out.Tables = []Table{tbl}
	out.Verdict = fmt.Sprintf("Rewind plan for %s to %s: preview each with --dry-run, stop the group, then --execute.", words.Plural(len(snap.Groups), "group", "groups"), target.Format(time.RFC3339))
	return out, nil
}
