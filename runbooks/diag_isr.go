package runbooks

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// lowUsablePercent is the free-space share below which a log dir is
// called out: a full single-dir broker halts.
const lowUsablePercent = 10

// missingReplicas returns the replicas of p that are not in its ISR,
// leaving out those a reassignment is still adding (not expected yet).
func missingReplicas(p snapshot.Partition, adding []int32) []int32 {
	var out []int32
	for _, r := range p.Replicas {
		if !slices.Contains(p.ISR, r) && !slices.Contains(adding, r) {
			out = append(out, r)
		}
	}
	return out
}

// isrByBroker groups under-replicated partitions by the broker missing
// from their ISR: one broker behind many partitions is a broker problem.
func isrByBroker(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartConfigs, "replication")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated}
	states := checks.States(snap)
	byBroker := map[int32][]string{}
	underMin := map[int32]int{}
	rules := health.Of(snap)
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			if !p.Online() {
				continue // an offline partition's ISR is its last ISR; broker-failure covers it
			}
			h := rules.Partition(t, p)
			for _, r := range missingReplicas(p, rules.Adding(t.Name, p.ID)) {
				byBroker[r] = append(byBroker[r], fmt.Sprintf("%s/%d", t.Name, p.ID))
				if health.IsTrue(h.UnderMinISR) {
					underMin[r]++
				}
			}
		}
	}
	tbl := Table{Title: "Under-replicated partitions by missing broker", Columns: []string{"Missing broker", "State", "Partitions", "Under min ISR", "Examples"}, Empty: "no partition is under-replicated"}
	var down []int32
	for _, id := range slices.Sorted(maps.Keys(byBroker)) {
		parts := byBroker[id]
		slices.Sort(parts)
		st := states[id]
		if st == checks.StateDown || st == checks.StateUnresponsive || st == checks.StateUnreachable {
			down = append(down, id)
		}
		tbl.Add(itoa(id), st.String(), itoa(len(parts)), itoa(underMin[id]), strings.Join(parts[:min(3, len(parts))], " "))
	}
	out.Tables = []Table{tbl}
	switch {
	case len(byBroker) == 0:
		out.Verdict = "No partition is under-replicated."
	case len(down) > 0:
		out.Verdict = fmt.Sprintf("The ISR shrank because %s not up: this is a broker failure.", brokersAre(down))
		out.Next = "broker-failure"
	default:
		out.Verdict = fmt.Sprintf("Followers on %s registered and up but out of the ISR: they are slow, not dead.", brokersAre(slices.Sorted(maps.Keys(byBroker))))
	}
	out.Actions = []Action{{Title: "Cross-check with Kafka's own tool", Risk: Safe,
		Command: env.Commands.Kafka("kafka-topics.sh", "--describe", "--under-replicated-partitions"), Consequence: "Read-only."}}
	return out, nil
}

// isrReassignments rules out reassignments: replicas being added are out
// of the ISR until they catch up, which is expected.
func isrReassignments(ctx context.Context, env *Env) (Outcome, error) {
	snap, err := env.Source.Snapshot(ctx, source.PartReassignments)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	for _, e := range snap.ErrorsFor(snapshot.SourceReassignments) {
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "isr-reassignments", Reason: e.Message})
	}
	tbl := Table{Title: "Reassignments in progress", Columns: []string{"Partition", "Replicas", "Adding", "Removing"}, Empty: "no reassignment in progress"}
	adding := map[string][]int32{}
	for _, r := range snap.Reassignments {
		key := fmt.Sprintf("%s/%d", r.Topic, r.Partition)
		adding[key] = r.AddingReplicas
		tbl.Add(key, words.JoinIDs(r.Replicas, ","), words.OrDash(words.JoinIDs(r.AddingReplicas, ",")), words.OrDash(words.JoinIDs(r.RemovingReplicas, ",")))
	}
	explained, unexplained := 0, 0
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			missing := missingReplicas(p, nil)
			if len(missing) == 0 {
				continue
			}
			add := adding[fmt.Sprintf("%s/%d", t.Name, p.ID)]
			if len(add) > 0 && !slices.ContainsFunc(missing, func(r int32) bool { return !slices.Contains(add, r) }) {
				explained++
			} else {
				unexplained++
			}
		}
	}
	out.Tables = []Table{tbl}
	switch {
	case len(out.Unevaluated) > 0:
		out.Verdict = "Reassignments could not be listed: cannot rule them out."
	case explained == 0:
		out.Verdict = "No under-replication is explained by a reassignment."
		if unexplained > 0 {
			out.Verdict = fmt.Sprintf("No under-replication is explained by a reassignment (%s not explained).", words.Plural(unexplained, "partition", "partitions"))
		}
	default:
		out.Verdict = fmt.Sprintf("%s under-replicated only because a reassignment is adding replicas; %d are not explained by one.",
			words.Plural(explained, "partition is", "partitions are"), unexplained)
		out.Actions = []Action{{Title: "Check the reassignment's progress", Risk: Safe,
			Command: env.Commands.Kafka("kafka-reassign-partitions.sh", "--list"), Consequence: "Read-only."}}
	}
	return out, nil
}

// isrFollowerProgress measures whether out-of-sync followers, and replicas
// a reassignment is adding, are catching up, with two samples of each one's
// own log end offset.
func isrFollowerProgress(ctx context.Context, env *Env) (Outcome, error) {
	snap, err := env.Source.Snapshot(ctx, source.PartReassignments)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	states := checks.States(snap)
	rules := health.Of(snap)
	ask := map[int32][]source.TopicPartition{}
	type lagging struct {
		tp       source.TopicPartition
		leader   int32
		follower int32
		adding   bool // a reassignment is adding it
	}
	var rows []lagging
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			if !p.Online() || states[p.Leader] != checks.StateUp {
				continue
			}
			adding := rules.Adding(t.Name, p.ID)
			for _, f := range missingReplicas(p, nil) {
				if states[f] != checks.StateUp {
					continue // a dead follower makes no progress; broker-failure covers it
				}
				tp := source.TopicPartition{Topic: t.Name, Partition: p.ID}
				rows = append(rows, lagging{tp, p.Leader, f, slices.Contains(adding, f)})
				ask[f] = append(ask[f], tp)
				ask[p.Leader] = append(ask[p.Leader], tp)
			}
		}
	}
	tbl := Table{Title: "Out-of-sync followers on live brokers", Columns: []string{"Partition", "Follower", "Leader end", "Follower end (1st)", "Follower end (2nd)", "Behind", "Progress"}, Empty: "no live follower is out of sync"}
	out.Tables = []Table{tbl}
	if len(rows) == 0 {
		out.Verdict = "No live follower is out of the ISR."
		return out, nil
	}
	if env.Probe == nil {
		for _, r := range rows {
			tbl.Add(fmt.Sprintf("%s/%d", r.tp.Topic, r.tp.Partition), itoa(r.follower), "?", "?", "?", "?", "not measured")
		}
		out.Tables = []Table{tbl}
		out.Unevaluated = []checks.Unevaluated{{Check: "isr-follower-progress", Reason: "replica log end offsets need a live cluster"}}
		out.Verdict = "Cannot measure follower progress without a live cluster."
		return out, nil
	}
	first, err1 := env.Probe.ReplicaLogEnds(ctx, ask)
	if err := env.sleep(ctx, env.PollInterval); err != nil {
		return Outcome{}, err
	}
	second, err2 := env.Probe.ReplicaLogEnds(ctx, ask)
	for _, e := range []error{err1, err2} {
		if e != nil {
			out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "isr-follower-progress", Reason: e.Error()})
		}
	}
	stalled := 0
	for _, r := range rows {
		lead, ok0 := second[r.leader][r.tp]
		a, ok1 := first[r.follower][r.tp]
		b, ok2 := second[r.follower][r.tp]
		if !ok0 || !ok1 || !ok2 {
			tbl.Add(fmt.Sprintf("%s/%d", r.tp.Topic, r.tp.Partition), itoa(r.follower), "?", "?", "?", "?", "unknown")
			continue
		}
		progress := "catching up"
		switch {
		case b >= lead:
			progress = "caught up (rejoins the ISR shortly)"
		case b <= a && r.adding:
			progress = "stalled (reassignment adding it)"
			stalled++
			out.Findings = append(out.Findings, findings.Finding{
				Code: findings.ReassignmentStalled, Severity: findings.Warning, Broker: findings.Int32(r.follower),
				Topic: r.tp.Topic, Partition: findings.Int32(r.tp.Partition),
				Summary: fmt.Sprintf("%s/%d: the reassignment adding broker %d made no progress in %s (its log end stayed at %d, %d behind the leader)",
					r.tp.Topic, r.tp.Partition, r.follower, env.PollInterval, b, lead-b),
				Evidence: map[string]any{"first_log_end": a, "second_log_end": b, "leader_log_end": lead, "interval_ms": env.PollInterval.Milliseconds()},
			})
		case b <= a:
			progress = "stalled"
			stalled++
			out.Findings = append(out.Findings, findings.Finding{
				Code: findings.FollowerStalled, Severity: findings.Warning, Broker: findings.Int32(r.follower),
				Topic: r.tp.Topic, Partition: findings.Int32(r.tp.Partition),
				Summary: fmt.Sprintf("%s/%d: the follower on broker %d made no progress in %s (its log end stayed at %d, %d behind the leader)",
					r.tp.Topic, r.tp.Partition, r.follower, env.PollInterval, b, lead-b),
				Evidence: map[string]any{"first_log_end": a, "second_log_end": b, "leader_log_end": lead, "interval_ms": env.PollInterval.Milliseconds()},
			})
		case r.adding:
			progress = "catching up (reassignment adding it)"
		}
		tbl.Add(fmt.Sprintf("%s/%d", r.tp.Topic, r.tp.Partition), itoa(r.follower), itoa(lead), itoa(a), itoa(b), itoa(max(lead-b, 0)), progress)
	}
	out.Tables = []Table{tbl}
	out.Verdict = fmt.Sprintf("%s out of the ISR on live brokers, %d stalled.", words.Plural(len(rows), "follower", "followers"), stalled)
	if stalled > 0 {
		out.Actions = []Action{{Title: "On the stalled follower's host: look for disk or network trouble and replica fetcher errors", Risk: Safe,
			Command:     "grep -i 'ReplicaFetcher' /var/log/kafka/server.log | tail -50; iostat -x 1 3",
			Consequence: "Read-only."}}
	}
	return out, nil
}

// isrBlockedProducers names the topics whose acks=all producers are failing.
// A partition with no leader counts as under min ISR (as kafka-topics.sh
// counts it) but is listed apart: lowering min.insync.replicas would not
// bring back its writes, a leader would.
func isrBlockedProducers(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartConfigs, "replication")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap, Unevaluated: res.Unevaluated}
	blocked, leaderless := map[string][]string{}, map[string][]string{}
	atMin := map[string]int{}
	for _, f := range res.Findings {
		switch f.Code {
		case findings.UnderMinISR:
			if leader, _ := f.Evidence["leader"].(int32); leader < 0 {
				leaderless[f.Topic] = append(leaderless[f.Topic], itoa(*f.Partition))
			} else {
				blocked[f.Topic] = append(blocked[f.Topic], itoa(*f.Partition))
			}
			out.Findings = append(out.Findings, f)
		case findings.AtMinISR:
			atMin[f.Topic]++
			out.Findings = append(out.Findings, f)
		}
	}
	tbl := Table{Title: "Producers blocked by min ISR", Columns: []string{"Topic", "Partitions under min ISR", "Partitions at min ISR", "No leader"},
		Empty: "no partition is under or at min ISR"}
	names := sortedUnion(slices.Collect(maps.Keys(blocked)), slices.Collect(maps.Keys(leaderless)), slices.Collect(maps.Keys(atMin)))
	for _, t := range names {
		tbl.Add(t, words.OrDash(strings.Join(blocked[t], ",")), itoa(atMin[t]), words.OrDash(strings.Join(leaderless[t], ",")))
	}
	out.Tables = []Table{tbl}
	if len(leaderless) > 0 {
		out.Next = "broker-failure"
	}
	if len(blocked) == 0 && len(leaderless) == 0 {
		out.Verdict = "No acks=all producer is blocked."
		return out, nil
	}
	var bt []string
	for _, t := range names {
		if len(blocked[t]) > 0 {
			bt = append(bt, t)
		}
	}
	var verdicts []string
	if len(bt) > 0 {
		verdicts = append(verdicts, fmt.Sprintf("acks=all producers to %s get NOT_ENOUGH_REPLICAS (19).", strings.Join(bt, ", ")))
	}
	if len(leaderless) > 0 {
		verdicts = append(verdicts, fmt.Sprintf("%s no leader: no producer can write there, whatever min.insync.replicas says; see broker-failure.",
			words.Plural(countAll(leaderless), "partition has", "partitions have")))
	}
	out.Verdict = strings.Join(verdicts, " ")
	for _, t := range bt {
		out.Actions = append(out.Actions, Action{
			Title: fmt.Sprintf("Last resort: let %s accept writes with fewer replicas", t), Risk: Dangerous,
			Command:     env.Commands.Kafka("kafka-configs.sh", "--entity-type", "topics", "--entity-name", t, "--alter", "--add-config", "min.insync.replicas=1"),
			Consequence: "Writes acknowledged by a single broker are lost if it fails before the others catch up. Record the decision and revert it (--delete-config min.insync.replicas) once the ISR is full.",
		})
	}
	return out, nil
}

// sortedUnion lists the names, sorted, once each.
func sortedUnion(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func countAll(m map[string][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// isrDisks looks for log directory errors and brokers running out of space,
// the usual reason a follower falls behind for good.
func isrDisks(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartLogDirs, "log-dirs")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated}
	tbl := Table{Title: "Log directories", Columns: []string{"Broker", "Path", "Error", "Usable %", "Partitions"}, Empty: "no log directory was reported"}
	low := 0
	for _, d := range snap.LogDirs {
		usable := "?"
		if d.TotalBytes > 0 && d.UsableBytes >= 0 {
			pct := d.UsableBytes * 100 / d.TotalBytes
			usable = itoa(pct)
			if pct < lowUsablePercent {
				low++
			}
		}
		tbl.Add(itoa(d.Broker), d.Path, words.OrDash(d.Error), usable, itoa(d.Partitions))
	}
	out.Tables = []Table{tbl}
	bad := len(res.Findings)
	switch {
	case bad == 0 && low == 0:
		out.Verdict = "Every log directory is healthy with room to spare."
	default:
		out.Verdict = fmt.Sprintf("%s failed, %d below %d%% usable space.", words.Plural(bad, "log directory", "log directories"), low, lowUsablePercent)
		out.Actions = []Action{{Title: "On the broker: check the disk", Risk: Safe,
			Command: "df -h; dmesg | tail -50", Consequence: "Read-only. Never delete segment files by hand."}}
	}
	if low > 0 {
		// How fast it fills and what to move or expire is disk-pressure's.
		out.Next = "disk-pressure"
	}
	return out, nil
}
