package runbooks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// quorumStep takes the snapshot every quorum step starts from and keeps
// the quorum's findings, for which codes says (broker health is only
// context here). done is true when there is no KRaft quorum to look at:
// out then says why and the step has nothing more to do.
func quorumStep(ctx context.Context, env *Env, codes ...string) (out Outcome, done bool, err error) {
	snap, res, err := snapshotAndChecks(ctx, env, source.PartQuorum, "controller-quorum", "broker-health")
	if err != nil {
		return Outcome{}, true, err
	}
	out = Outcome{Snapshot: snap, Unevaluated: res.Unevaluated}
	for _, f := range res.Findings {
		if slices.Contains(codes, f.Code) {
			out.Findings = append(out.Findings, f)
		}
	}
	for _, s := range res.Skipped {
		if s.Check == "controller-quorum" {
			out.Skipped = append(out.Skipped, s)
			out.Verdict = "No KRaft quorum to look at: " + s.Reason + "."
			return out, true, nil
		}
	}
	return out, false, nil
}

// quorumCodes are the quorum's own findings.
var quorumCodes = []string{findings.ControllerQuorumUnavailable, findings.ControllerVoterDown,
	findings.ControllerVoterLagging, findings.BrokerMetadataLagging}

// quorumStatus shows the leader and each voter, and whether a majority
// follows the leader.
func quorumStatus(ctx context.Context, env *Env) (Outcome, error) {
	out, done, err := quorumStep(ctx, env, quorumCodes...)
	if done {
		return out, err
	}
	snap := out.Snapshot
	out.Actions = quorumToolActions(env, snap)
	tbl := Table{Title: "Controller voters", Columns: []string{"Voter", "Role", "Endpoint", "Last fetch", "Lag (records)", "State"},
		Empty: "the quorum could not be described"}
	q := snap.Quorum
	if q == nil {
		out.Tables = []Table{tbl}
		out.Verdict = "The controller quorum did not answer."
		if len(out.Findings) > 0 {
			out.Verdict = "The controller quorum did not answer: " + out.Findings[0].Summary + "."
		}
		return out, nil
	}
	down := voterStates(out.Findings)
	now := q.Now()
	endpoints := quorumEndpoints(q)
	for _, v := range q.Voters {
		role := "follower"
		if v.ID == q.LeaderID {
			role = "leader"
		}
		state := words.OrDash(down[v.ID])
		if state == "-" {
			state = "fetching"
		}
		tbl.Add(itoa(v.ID), role, words.OrDash(endpoints[v.ID]), words.Ago(v.LastFetchMillis, now, "unknown"), lagOf(v, q), state)
	}
	out.Tables = []Table{tbl}
	majority := len(q.Voters)/2 + 1
	alive := len(q.Voters) - countState(down, "down")
	switch {
	case q.LeaderID < 0:
		out.Verdict = fmt.Sprintf("The quorum has no leader (epoch %d): no metadata can change. Bring back voters until %d of %d are up.", q.LeaderEpoch, majority, len(q.Voters))
	case alive < majority:
		out.Verdict = fmt.Sprintf("Controller %d leads, but only %d of %d voters follow it (a majority needs %d): nothing new can be committed.", q.LeaderID, alive, len(q.Voters), majority)
	case alive < len(q.Voters):
		out.Verdict = fmt.Sprintf("Controller %d leads; %d of %d voters follow it: the majority holds with %s to spare.", q.LeaderID, alive, len(q.Voters),
			words.Plural(alive-majority, "voter", "voters"))
	default:
		out.Verdict = fmt.Sprintf("Controller %d leads at epoch %d and all %d voters follow it.", q.LeaderID, q.LeaderEpoch, len(q.Voters))
	}
	return out, nil
}

// quorumBrokers shows each broker's place in the metadata log.
func quorumBrokers(ctx context.Context, env *Env) (Outcome, error) {
	out, done, err := quorumStep(ctx, env, findings.BrokerMetadataLagging)
	if done {
		return out, err
	}
	snap := out.Snapshot
	tbl := Table{Title: "Brokers in the metadata log", Columns: []string{"Broker", "Broker state", "Log end", "Lag (records)", "Last fetch"},
		Empty: "no broker follows the metadata log"}
	q := snap.Quorum
	if q == nil {
		out.Tables = []Table{tbl}
		out.Verdict = "The controller quorum did not answer: where brokers stand in the metadata log is unknown."
		// A gap, never a quiet "ok": nothing about the brokers was judged.
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "quorum-brokers",
			Reason: "the controller quorum did not answer, so the brokers' places in the metadata log are unknown"})
		return out, nil
	}
	now := q.Now()
	states := checks.States(snap)
	observed := map[int32]bool{}
	for _, o := range q.Observers {
		observed[o.ID] = true
		tbl.Add(itoa(o.ID), states[o.ID].String(), itoa(o.LogEndOffset), lagOf(o, q), words.Ago(o.LastFetchMillis, now, "unknown"))
	}
	var absent []int32
	for _, b := range snap.Brokers {
		if b.Registered && !observed[b.ID] {
			absent = append(absent, b.ID)
			tbl.Add(itoa(b.ID), checks.BrokerState(b).String(), "-", "-", "not following")
		}
	}
	out.Tables = []Table{tbl}
	lagging := []int32{}
	for _, f := range out.Findings {
		lagging = append(lagging, *f.Broker)
	}
	stopped := stoppedObservers(snap)
	switch {
	case len(lagging) > 0:
		out.Verdict = fmt.Sprintf("%s not following the metadata log: they serve stale metadata; check their path to the controllers.", words.Capitalize(brokersAre(lagging)))
		out.Next = "zombie-leader"
		for _, id := range lagging {
			out.Actions = append(out.Actions, Action{
				Title: fmt.Sprintf("On broker %d's host: look for failed fetches from the controllers", id), Risk: Safe,
				Command:     "grep -iE 'raft|controller|fetch' /var/log/kafka/server.log | tail -50",
				Consequence: "Read-only.",
			})
		}
	case len(stopped) > 0:
		out.Verdict = fmt.Sprintf("%s down and stopped following the metadata log (broker-failure covers it); the others follow it.", words.Capitalize(brokersAre(stopped)))
	case len(absent) > 0:
		out.Verdict = fmt.Sprintf("Every broker the quorum knows follows the metadata log; %s registered but not among its observers.", brokersAre(absent))
	default:
		out.Verdict = fmt.Sprintf("All %s follow the metadata log.", words.Plural(len(q.Observers), "broker", "brokers"))
	}
	return out, nil
}

// quorumRecover says which voters to bring back, in what order.
func quorumRecover(ctx context.Context, env *Env) (Outcome, error) {
	out, done, err := quorumStep(ctx, env, quorumCodes...)
	if done {
		return out, err
	}
	snap := out.Snapshot
	q := snap.Quorum
	down := voterStates(out.Findings)
	var missing []int32
	for id, st := range down {
		if st == "down" {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	endpoints := map[int32]string{}
	if q != nil {
		endpoints = quorumEndpoints(q)
	}
	for _, id := range missing {
		host := "the host of controller " + itoa(id)
		if ep := endpoints[id]; ep != "" {
			host = ep
		}
		out.Actions = append(out.Actions, Action{
			Title: fmt.Sprintf("On %s: start controller %d with its metadata log as it is", host, id), Risk: Caution,
			Command:     "systemctl start kafka   # the controller's own unit; check its log for the metadata log it loads",
			Consequence: "A voter that returns with its log rejoins and catches up. Starting it on an empty or formatted log instead makes it a voter without the committed history.",
		})
	}
	out.Actions = append(out.Actions, quorumToolActions(env, snap)...)
	switch {
	case q == nil && len(out.Findings) > 0:
		out.Verdict = "The quorum does not answer: bring back the controllers that stopped (their hosts, processes, disks and the network between them), with their metadata logs."
	case q == nil:
		out.Verdict = "The quorum could not be described: see the gaps."
	case len(missing) > 0:
		out.Verdict = fmt.Sprintf("Bring back controller(s) %s with their metadata logs; the quorum needs %d of %d voters.",
			words.JoinIDs(missing, ", "), len(q.Voters)/2+1, len(q.Voters))
	case q.LeaderID < 0:
		out.Verdict = "The quorum has no leader though no voter is known to be down: check the controllers' logs for elections that do not complete (network between controllers, clocks, disk latency)."
	default:
		out.Verdict = "No controller needs to be brought back."
	}
	return out, nil
}

// quorumVerify checks that the quorum is whole: a leader, every voter
// caught up, every broker following.
func quorumVerify(ctx context.Context, env *Env) (Outcome, error) {
	out, done, err := quorumStep(ctx, env, quorumCodes...)
	if done {
		return out, err
	}
	snap := out.Snapshot
	switch {
	case len(out.Findings) > 0:
		out.Verdict = fmt.Sprintf("Not yet: %s.", strings.TrimSuffix(out.Findings[0].Summary, "."))
	case snap.Quorum == nil:
		out.Verdict = "Cannot verify: the quorum could not be described."
	case len(stoppedObservers(snap)) > 0:
		out.Verdict = fmt.Sprintf("The quorum is whole (controller %d leads, all %d voters follow); %s down and not following it: see broker-failure.",
			snap.Quorum.LeaderID, len(snap.Quorum.Voters), brokersAre(stoppedObservers(snap)))
		out.Next = "broker-failure"
	default:
		q := snap.Quorum
		out.Verdict = fmt.Sprintf("Recovered: controller %d leads, all %d voters and %s follow the metadata log.",
			q.LeaderID, len(q.Voters), words.Plural(len(q.Observers), "broker", "brokers"))
	}
	return out, nil
}

// stoppedObservers are the brokers that no longer follow the metadata log
// because they are down: not a quorum finding (BROKER_DOWN says it), but
// not "following" either.
func stoppedObservers(s *snapshot.Snapshot) []int32 {
	q := s.Quorum
	if q == nil {
		return nil
	}
	now := q.Now()
	states := checks.States(s)
	var out []int32
	for _, o := range q.Observers {
		st := states[o.ID]
		if st != checks.StateUp && st != checks.StateFenced && (o.LastFetchMillis < 0 || now-o.LastFetchMillis > quorumFollowMS) {
			out = append(out, o.ID)
		}
	}
	return out
}

// quorumFollowMS is how recent an observer's last fetch must be for it to
// count as following (the quorum check's threshold).
const quorumFollowMS = 5000

// quorumToolActions are the read-only views of Kafka's own quorum tool,
// through the brokers and, when known, straight to the controllers.
func quorumToolActions(env *Env, s *snapshot.Snapshot) []Action {
	out := []Action{{Title: "See the quorum as Kafka's own tool does", Risk: Safe,
		Command:     env.Commands.Kafka("kafka-metadata-quorum.sh", "describe", "--status"),
		Consequence: "Read-only; needs a broker that answers."}}
	if bc := env.Commands.BootstrapController; bc != "" || (s.Quorum != nil && len(s.Quorum.Nodes) > 0) {
		if bc == "" {
			var eps []string
			for _, n := range s.Quorum.Nodes {
				eps = append(eps, fmt.Sprintf("%s:%d", n.Host, n.Port))
			}
			bc = strings.Join(eps, ",")
		}
		out = append(out, Action{Title: "Ask the controllers directly, for when no broker answers", Risk: Safe,
			Command:     env.Commands.KafkaControllers("kafka-metadata-quorum.sh", bc, "describe", "--replication"),
			Consequence: "Read-only."})
	}
	return out
}

// voterStates reads which voters the check found down or lagging.
func voterStates(fs []findings.Finding) map[int32]string {
	out := map[int32]string{}
	for _, f := range fs {
		switch f.Code {
		case findings.ControllerVoterDown:
			out[*f.Broker] = "down"
		case findings.ControllerVoterLagging:
			out[*f.Broker] = "lagging"
		}
	}
	return out
}

func countState(m map[int32]string, state string) int {
	n := 0
	for _, s := range m {
		if s == state {
			n++
		}
	}
	return n
}

func quorumEndpoints(q *snapshot.Quorum) map[int32]string {
	out := map[int32]string{}
	for _, n := range q.Nodes {
		out[n.ID] = fmt.Sprintf("%s:%d", n.Host, n.Port)
	}
	return out
}

func lagOf(r snapshot.QuorumReplica, q *snapshot.Quorum) string {
	if lag := q.Lag(r); lag >= 0 {
		return itoa(lag)
	}
	return "?"
}
