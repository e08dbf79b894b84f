package runbooks

import (
	"cmp"
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

// troubled returns the brokers that are not up, by id.
func troubled(s *snapshot.Snapshot) map[int32]checks.State {
	out := map[int32]checks.State{}
	for _, b := range s.Brokers {
		if st := checks.BrokerState(b); st != checks.StateUp {
			out[b.ID] = st
		}
	}
	return out
}

// brokerClassify classifies every broker id: down or fenced, ghost id
// (only in replica lists), refusing, hung.
func brokerClassify(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, 0, "broker-health")
	if err != nil {
		return Outcome{}, err
	}
	replicas, leaders := map[int32]int{}, map[int32]int{}
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			for _, r := range p.Replicas {
				replicas[r]++
			}
			if p.Leader >= 0 {
				leaders[p.Leader]++
			}
		}
	}
	tbl := Table{Title: "Brokers", Columns: []string{"Broker", "State", "Registered", "Fenced", "Answered", "Address", "Rack", "Replicas", "Leaders", "Error"}}
	for _, b := range snap.Brokers {
		state := checks.BrokerState(b).String()
		if !b.Registered {
			state = "down (ghost id: only in replica lists)"
		}
		fenced := "?"
		if b.FencedKnown {
			fenced = words.YesNo(b.Fenced)
		}
		tbl.Add(itoa(b.ID), state, words.YesNo(b.Registered), fenced, b.Probe.Status, words.OrDash(b.Address()), words.OrDash(b.Rack),
			itoa(replicas[b.ID]), itoa(leaders[b.ID]), words.OrDash(b.Probe.Error))
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated, Tables: []Table{tbl}}
	out.Actions = append(out.Actions,
		Action{Title: "See the controller quorum's view of the cluster", Risk: Safe,
			Command:     env.Commands.Kafka("kafka-metadata-quorum.sh", "describe", "--status"),
			Consequence: "Read-only."},
		Action{Title: "Check which brokers answer API requests", Risk: Safe,
			Command:     env.Commands.Kafka("kafka-broker-api-versions.sh"),
			Consequence: "Read-only."},
	)
	bad := troubled(snap)
	for _, id := range slices.Sorted(maps.Keys(bad)) {
		b, _ := snap.Broker(id)
		host := b.Host
		if host == "" {
			host = fmt.Sprintf("the host that ran broker %d (no address is registered)", id)
		}
		switch bad[id] {
		case checks.StateFenced:
			out.Actions = append(out.Actions, Action{
				Title: fmt.Sprintf("On %s: look for broker %d's failed heartbeats to the controller", host, id), Risk: Safe,
				Command:     "grep -iE 'heartbeat|fenced|controller' /var/log/kafka/server.log | tail -50",
				Consequence: "Read-only. A fenced broker that answers is cut off from the controller, not dead: do not move its replicas away.",
			})
		case checks.StateUnresponsive:
			out.Actions = append(out.Actions, Action{
				Title: fmt.Sprintf("On %s: find out why broker %d does not answer (GC, disk, stopped process)", host, id), Risk: Safe,
				Command:     "jstack $(pgrep -f kafka.Kafka) | head -50; tail -50 /var/log/kafka/kafkaServer-gc.log; iostat -x 1 3",
				Consequence: "Read-only; jstack pauses the JVM briefly.",
			})
		default:
			out.Actions = append(out.Actions, Action{
				Title: fmt.Sprintf("On %s: check broker %d's process and its last log lines", host, id), Risk: Safe,
				Command:     "systemctl status kafka; journalctl -u kafka --since '-30 min' | tail -100",
				Consequence: "Read-only.",
			})
		}
	}
	if len(bad) == 0 {
		out.Verdict = fmt.Sprintf("All %d brokers are registered, unfenced and answering.", len(snap.Brokers))
		if hasUnderReplicated(snap) {
			out.Next = "isr-shrinkage"
			out.Verdict += " Partitions are under-replicated without a broker down: see isr-shrinkage."
		}
		return out, nil
	}
	var parts []string
	var fenced []int32
	for _, id := range slices.Sorted(maps.Keys(bad)) {
		state := bad[id].String()
		if bad[id] == checks.StateFenced {
			state = "fenced but answering"
			fenced = append(fenced, id)
		}
		parts = append(parts, fmt.Sprintf("broker %d %s", id, state))
	}
	out.Verdict = words.Capitalize(strings.Join(parts, ", ")) + "."
	if len(fenced) > 0 {
		// Its process runs: the cure is its path to the controller, and a
		// zombie leader may be accepting writes meanwhile.
		out.Verdict += " A fenced broker that answers is cut off from the controller, not dead: do not move its replicas; see zombie-leader."
		out.Next = "zombie-leader"
	}
	return out, nil
}

func hasUnderReplicated(s *snapshot.Snapshot) bool { return health.Count(s).UnderReplicated > 0 }

// brokerBlastRadius shows, per troubled broker, what it takes down with it,
// internal topics first because consumer groups and transactions stop
// when they do.
func brokerBlastRadius(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartConfigs, "replication", "partition-availability")
	if err != nil {
		return Outcome{}, err
	}
	bad := troubled(snap)
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated}
	if len(bad) == 0 {
		out.Verdict = "No broker is down: nothing to size."
		out.Tables = []Table{{Title: "Blast radius", Columns: []string{"Topic"}, Empty: "no broker is down"}}
		return out, nil
	}
	type row struct {
		topic                            string
		internal                         bool
		affected, urp, underMin, offline int
		// minUnknown: the topic's min.insync.replicas could not be read.
		minUnknown bool
	}
	var rows []row
	totals := row{}
	rules := health.Of(snap)
	for _, t := range snap.Topics {
		r := row{topic: t.Name, internal: t.Internal, minUnknown: health.MinISR(t) < 0}
		for _, p := range t.Partitions {
			if !slices.ContainsFunc(p.Replicas, func(id int32) bool { _, ok := bad[id]; return ok }) {
				continue
			}
			h := rules.Partition(t, p)
			r.affected++
			r.urp += boolInt(h.UnderReplicated)
			r.underMin += boolInt(health.IsTrue(h.UnderMinISR))
			r.offline += boolInt(h.Unavailable)
		}
		if r.affected > 0 {
			rows = append(rows, r)
			totals.affected += r.affected
			totals.urp += r.urp
			totals.underMin += r.underMin
			totals.offline += r.offline
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(boolInt(!a.internal), boolInt(!b.internal)), cmp.Compare(a.topic, b.topic))
	})
	tbl := Table{Title: fmt.Sprintf("Partitions with a replica on broker(s) %s", words.JoinIDs(slices.Sorted(maps.Keys(bad)), ", ")),
		Columns: []string{"Topic", "Internal", "Affected", "Under-replicated", "Under min ISR", "Offline"}}
	var unknownMin []string
	for _, r := range rows {
		underMin := itoa(r.underMin)
		if r.minUnknown {
			underMin = "?"
			unknownMin = append(unknownMin, r.topic)
		}
		tbl.Add(r.topic, words.YesNo(r.internal), itoa(r.affected), itoa(r.urp), underMin, itoa(r.offline))
	}
	tbl.Notes = append(tbl.Notes, fmt.Sprintf("total: %d partitions affected, %d under-replicated, %d under min ISR, %d offline",
		totals.affected, totals.urp, totals.underMin, totals.offline))
	if len(unknownMin) > 0 {
		tbl.Warnings = append(tbl.Warnings, fmt.Sprintf("min.insync.replicas unknown (configs not read) for %s: their under-min-ISR count is not known", strings.Join(unknownMin, ", ")))
	}
	out.Tables = []Table{tbl}
	out.Verdict = fmt.Sprintf("%s affected: %d under-replicated, %d under min ISR (acks=all producers fail), %d offline.",
		words.Plural(totals.affected, "partition", "partitions"), totals.urp, totals.underMin, totals.offline)
	out.Actions = []Action{
		{Title: "Cross-check with Kafka's own tool: partitions without a live leader", Risk: Safe,
			Command: env.Commands.Kafka("kafka-topics.sh", "--describe", "--unavailable-partitions"), Consequence: "Read-only."},
		{Title: "Cross-check: partitions under min ISR", Risk: Safe,
			Command: env.Commands.Kafka("kafka-topics.sh", "--describe", "--under-min-isr-partitions"), Consequence: "Read-only."},
	}
	return out, nil
}

// brokerOfflineWait lists offline partitions and the brokers they wait for.
func brokerOfflineWait(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartELR, "partition-availability")
	if err != nil {
		return Outcome{}, err
	}
	states := checks.States(snap)
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated}
	tbl := Table{Title: "Offline partitions", Columns: []string{"Partition", "Replicas", "Last ISR", "Eligible (ELR)", "Waiting for", "Live replicas"}, Empty: "no partition is offline"}
	waitingFor := map[int32]int{}
	unclean := 0
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			if p.Online() {
				continue
			}
			var wait, live []int32
			// With ELR (KIP-966) an emptied ISR's committed copies are its
			// eligible leader replicas: those are the brokers to wait for.
			holders := p.ISR
			elr := "?"
			if t.ELRKnown {
				holders = append(slices.Clone(p.ISR), p.ELR...)
				elr = words.OrDash(words.JoinIDs(p.ELR, ","))
			}
			for _, id := range holders {
				if states[id] != checks.StateUp {
					wait = append(wait, id)
					waitingFor[id]++
				}
			}
			for _, id := range p.Replicas {
				if states[id] == checks.StateUp {
					live = append(live, id)
				}
			}
			tbl.Add(fmt.Sprintf("%s/%d", t.Name, p.ID), words.JoinIDs(p.Replicas, ","), words.OrDash(words.JoinIDs(p.ISR, ",")), elr,
				words.OrDash(words.JoinIDs(wait, ", ")), words.OrDash(words.JoinIDs(live, ", ")))
		}
	}
	for _, f := range res.Findings {
		if f.Code == findings.UncleanElectionRequired {
			unclean++
		}
	}
	out.Tables = []Table{tbl}
	if len(tbl.Rows) == 0 {
		out.Verdict = "No partition is offline."
		return out, nil
	}
	var waits []string
	for _, id := range slices.Sorted(maps.Keys(waitingFor)) {
		waits = append(waits, fmt.Sprintf("broker %d: %s", id, words.Plural(waitingFor[id], "partition waits", "partitions wait")))
	}
	out.Verdict = fmt.Sprintf("%s offline: %s.", words.Plural(len(tbl.Rows), "partition", "partitions"), strings.Join(waits, "; "))
	if unclean > 0 {
		out.Next = "data-recovery"
		out.Verdict += fmt.Sprintf(" %s back only with a broker from the last ISR, or through an unclean election that loses data.", words.Plural(unclean, "comes", "come"))
	}
	return out, nil
}

// brokerReplacePlan lays out the decision between waiting for the broker and
// replacing it, and writes the reassignment plan for replacing it.
func brokerReplacePlan(ctx context.Context, env *Env) (Outcome, error) {
	snap, err := env.Source.Snapshot(ctx, 0)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap}
	dead := map[int32]bool{}
	var live []snapshot.Broker
	var fenced []int32
	for _, b := range snap.Brokers {
		switch checks.BrokerState(b) {
		case checks.StateDown:
			dead[b.ID] = true
		case checks.StateFenced:
			fenced = append(fenced, b.ID)
		case checks.StateUp:
			live = append(live, b)
		}
	}
	if len(fenced) > 0 {
		// Never plan to move replicas off a broker whose process runs: it
		// rejoins with its data once it reaches the controller again.
		out.Tables = append(out.Tables, Table{Title: "Not planned: fenced but answering", Columns: []string{"Broker", "Why not"},
			Rows: [][]string{{words.JoinIDs(fenced, ", "), "the controller fenced it but it answers clients: it cannot reach the controller. " +
				"Fix that path (network, certificates, controller.quorum.bootstrap.servers) and it rejoins with its data; see zombie-leader"}}})
		out.Next = "zombie-leader"
	}
	if len(dead) == 0 {
		out.Verdict = "No broker is down: nothing to replace."
		if len(fenced) > 0 {
			out.Verdict = fmt.Sprintf("No broker is down: %s fenced but answering, which moving replicas would not cure; see zombie-leader.", brokersAre(fenced))
		}
		return out, nil
	}
	plan := PlanMoveOff(snap, dead, live)
	deadIDs := slices.Sorted(maps.Keys(dead))
	tbl := Table{Title: "Reassignment plan: replicas moved off " + words.JoinIDs(deadIDs, ", "), Columns: []string{"Partition", "Replicas now", "Replicas after"}, Empty: "nothing to move"}
	for _, p := range plan.Plan.Partitions {
		tbl.Add(fmt.Sprintf("%s/%d", p.Topic, p.Partition), words.JoinIDs(p.previous, ","), words.JoinIDs(p.Replicas, ","))
	}
	if n := len(plan.Unplaceable); n > 0 {
		tbl.Warnings = append(tbl.Warnings, fmt.Sprintf("%s cannot be placed: fewer live brokers than replicas (%s)", words.Plural(n, "partition", "partitions"), words.Sample(plan.Unplaceable, 5)))
	}
	if n := len(plan.NoSource); n > 0 {
		tbl.Warnings = append(tbl.Warnings, fmt.Sprintf("%s left out: no live in-sync replica to copy from, moving them would create empty replicas; bring the broker back or see data-recovery (%s)", words.Plural(n, "partition", "partitions"), words.Sample(plan.NoSource, 5)))
	}
	out.Tables = append([]Table{tbl, decisionTable()}, out.Tables...)
	if len(plan.Plan.Partitions) == 0 {
		out.Verdict = fmt.Sprintf("Broker(s) %s hold no replicas that can be moved.", words.JoinIDs(deadIDs, ", "))
		return out, nil
	}
	data, err := plan.Plan.JSON()
	if err != nil {
		return Outcome{}, err
	}
	name := fmt.Sprintf("reassign-off-broker-%s-%s.json", words.JoinIDs(deadIDs, "-"), env.now().UTC().Format("20060102T150405Z"))
	path, where := savePlan(env, &out, name, data)
	out.Verdict = fmt.Sprintf("If broker(s) %s will not come back, the plan moves %s off them (%s).",
		words.JoinIDs(deadIDs, ", "), words.Plural(len(plan.Plan.Partitions), "partition", "partitions"), where)
	out.Actions = []Action{
		{Title: "Preferred: bring the broker back with its disk, then go to the next step", Risk: Safe,
			Command:     "systemctl start kafka   # on the broker's host",
			Consequence: "Starting the original broker re-joins its replicas with no data movement."},
		{Title: "Replace: move the replicas off the dead broker(s), throttled to 50 MB/s", Risk: Caution,
			Command:     env.Commands.Kafka("kafka-reassign-partitions.sh", "--reassignment-json-file", path, "--execute", "--throttle", "50000000"),
			Consequence: "Copies every moved replica over the network; unthrottled it can saturate brokers that are already carrying the failed broker's load. Do not run it while the broker may still return."},
		{Title: "Watch the reassignment; --verify also removes the throttle when it is done", Risk: Safe,
			Command:     env.Commands.Kafka("kafka-reassign-partitions.sh", "--reassignment-json-file", path, "--verify"),
			Consequence: "Read-only until the reassignment completes, then it removes throttles."},
	}
	return out, nil
}

func decisionTable() Table {
	t := Table{Title: "Wait for it or replace it?", Columns: []string{"Wait for the broker when", "Replace it when"}}
	t.Add("the host is up or rebooting, the disk is intact", "the host or its disk is gone for good")
	t.Add("it will be back well within your retention and SLO", "it will be out longer than you can run without redundancy")
	t.Add("partitions are offline waiting for it (its disk holds their only in-sync copy)", "every partition still has an in-sync copy elsewhere")
	return t
}

// brokerAfterReturn verifies recovery and suggests the preferred leader
// election that moves leadership back.
func brokerAfterReturn(ctx context.Context, env *Env) (Outcome, error) {
	snap, res, err := snapshotAndChecks(ctx, env, 0, "broker-health", "replication", "partition-availability")
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated}
	if bad := troubled(snap); len(bad) > 0 {
		out.Verdict = fmt.Sprintf("Broker(s) %s are still not up: come back to this step once they are.", words.JoinIDs(slices.Sorted(maps.Keys(bad)), ", "))
		return out, nil
	}
	notPreferred := 0
	urp := health.Count(snap).UnderReplicated
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			if len(p.Replicas) > 0 && p.Leader != p.Replicas[0] {
				notPreferred++
			}
		}
	}
	switch {
	case urp > 0:
		out.Verdict = fmt.Sprintf("All brokers are up; %s still catching up. Wait for the ISR to fill before moving leadership.", words.Plural(urp, "partition is", "partitions are"))
	case notPreferred > 0:
		out.Verdict = fmt.Sprintf("All brokers are up and in sync; %s not led by their preferred replica.", words.Plural(notPreferred, "partition is", "partitions are"))
		out.Actions = []Action{{Title: "Move leadership back to the preferred replicas", Risk: Caution,
			Command:     env.Commands.Kafka("kafka-leader-election.sh", "--election-type", "preferred", "--all-topic-partitions"),
			Consequence: "Moves leaders; clients reconnect to the new leaders. Run only once every ISR is full."}}
	default:
		out.Verdict = "Recovered: all brokers are up, every partition is fully in sync and led by its preferred replica."
	}
	return out, nil
}
