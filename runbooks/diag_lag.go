package runbooks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Sampling of the consumer-lag steps: lagSamples samples before the final
// snapshot, PollInterval apart, reused by the next steps for trendReuse.
const (
	lagSamples = 3
	trendReuse = time.Minute
)

// trendParts is what a sample reads: group offsets against both ends of
// the log, the last stable offset, and who is in each group.
const trendParts = source.PartGroupOffsets | source.PartGroupMembers | source.PartGroupTypes | source.PartOffsets |
	source.PartLastStableOffsets

// finalParts adds what only the current state needs: how old the oldest
// unread record is, open transactions, and the topics' retention.
const finalParts = trendParts | source.PartTimeLag | source.PartTransactions | source.PartConfigs

// trendSamples is a window a step sampled, kept for the next steps.
type trendSamples struct {
	window []*snapshot.Snapshot
	snap   *snapshot.Snapshot
	at     time.Time
}

// lagWindow returns the samples and the current snapshot the lag steps
// judge: a recording's window when replaying, else samples PollInterval
// apart, or those a previous step of the walk took less than a minute ago.
func lagWindow(ctx context.Context, env *Env) ([]*snapshot.Snapshot, *snapshot.Snapshot, error) {
	if env.Window != nil {
		snap, err := env.Source.Snapshot(ctx, finalParts)
		return env.Window, snap, err
	}
	if tr := env.trend; tr != nil && env.now().Sub(tr.at) < trendReuse {
		return tr.window, tr.snap, nil
	}
	var window []*snapshot.Snapshot
	for i := range lagSamples {
		if i > 0 {
			if err := env.sleep(ctx, env.PollInterval); err != nil {
				return nil, nil, err
			}
		}
		s, err := env.Source.Snapshot(ctx, trendParts)
		if err != nil {
			return nil, nil, err
		}
		window = append(window, s)
	}
	if err := env.sleep(ctx, env.PollInterval); err != nil {
		return nil, nil, err
	}
	snap, err := env.Source.Snapshot(ctx, finalParts)
	if err != nil {
		return nil, nil, err
	}
	env.trend = &trendSamples{window: window, snap: snap, at: env.now()}
	return window, snap, nil
}

// lagStep samples (or reuses the samples), runs the named checks over the
// window and judges every group.
func lagStep(ctx context.Context, env *Env, names ...string) (Outcome, []lag.Group, error) {
	window, snap, err := lagWindow(ctx, env)
	if err != nil {
		return Outcome{}, nil, err
	}
	res := checks.Run(checks.Input{Snap: snap, Window: window}, checks.Named(names...))
	out := Outcome{Snapshot: snap, Findings: res.Findings, Unevaluated: res.Unevaluated, Skipped: res.Skipped}
	groups := lag.Evaluate(append(slices.Clone(window), snap))
	slices.SortFunc(groups, func(a, b lag.Group) int { return worseGroup(a, b) })
	return out, groups, nil
}

// worseGroup orders groups worst status first, then by lag.
func worseGroup(a, b lag.Group) int {
	if a.Status != b.Status {
		return int(b.Status) - int(a.Status)
	}
	return int(totalLag(b) - totalLag(a))
}

func totalLag(g lag.Group) int64 {
	var n int64
	for _, p := range g.Partitions {
		n += max(p.Lag, 0)
	}
	return n
}

// behind are the groups that are not keeping up: their status is worse
// than OK.
func behind(groups []lag.Group) []lag.Group {
	var out []lag.Group
	for _, g := range groups {
		if g.Status > lag.OK {
			out = append(out, g)
		}
	}
	return out
}

// lagGroups shows every group's trend over the window.
func lagGroups(ctx context.Context, env *Env) (Outcome, error) {
	out, groups, err := lagStep(ctx, env, "consumer-lag", "rebalance-storm", "empty-group-lag")
	if err != nil {
		return Outcome{}, err
	}
	tbl := Table{Title: "Consumer groups over the window",
		Columns: []string{"Group", "Type", "State", "Members", "Status", "Lag", "Oldest unread", "Consumed/s", "Produced/s"},
		Empty:   "no consumer group has committed offsets"}
	for _, g := range groups[:min(len(groups), 50)] {
		tbl.Add(g.ID, words.OrDash(g.Type), g.State, words.YesNo(g.Members), g.Status.String(), itoa(totalLag(g)),
			oldestUnread(g), rate(g, func(p lag.Partition) float64 { return p.ConsumeRate }), rate(g, func(p lag.Partition) float64 { return p.ProduceRate }))
	}
	if len(groups) > 50 {
		tbl.Warnings = append(tbl.Warnings, fmt.Sprintf("%d more groups not listed; --output json has them all", len(groups)-50))
	}
	out.Tables = []Table{tbl}
	bad := behind(groups)
	switch {
	case len(groups) == 0:
		out.Verdict = "No consumer group has committed offsets."
	case len(bad) == 0:
		out.Verdict = fmt.Sprintf("All %s keep up over the window.", words.Plural(len(groups), "group", "groups"))
	default:
		var parts []string
		for _, s := range []lag.Status{lag.Rewind, lag.Stalled, lag.Stopped, lag.Blocked, lag.Warning, lag.Error} {
			if n := countStatus(bad, s); n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(s.String())))
			}
		}
		out.Verdict = fmt.Sprintf("%s of %d not keeping up: %s.", words.Plural(len(bad), "group", "groups"), len(groups), strings.Join(parts, ", "))
	}
	return out, nil
}

func countStatus(groups []lag.Group, s lag.Status) int {
	n := 0
	for _, g := range groups {
		if g.Status == s {
			n++
		}
	}
	return n
}

// oldestUnread is the group's largest time lag, "-" when unknown.
func oldestUnread(g lag.Group) string {
	worst := int64(-1)
	for _, p := range g.Partitions {
		if p.Lag == 0 {
			worst = max(worst, 0) // nothing unread: no age to wait for
			continue
		}
		worst = max(worst, p.TimeLagMillis)
	}
	if worst < 0 {
		return "-"
	}
	return (time.Duration(worst) * time.Millisecond).Round(time.Second).String()
}

// rate sums a per-partition rate over the group, "-" when none is known.
func rate(g lag.Group, of func(lag.Partition) float64) string {
	sum, known := 0.0, false
	for _, p := range g.Partitions {
		if r := of(p); r >= 0 {
			sum, known = sum+r, true
		}
	}
	if !known {
		return "-"
	}
	return fmt.Sprintf("%.1f", sum)
}

// lagCause tells, for each group behind, whether the cluster or the
// consumer holds it back.
func lagCause(ctx context.Context, env *Env) (Outcome, error) {
	out, groups, err := lagStep(ctx, env, "group-partition-availability", "hanging-transactions", "rebalance-storm")
	if err != nil {
		return Outcome{}, err
	}
	tbl := Table{Title: "Why each group is behind", Columns: []string{"Group", "Status", "Cause", "Look at"}, Empty: "no group is behind"}
	held := heldByTransaction(out.Findings, groups)
	var cluster []string
	for _, g := range behind(groups) {
		cause, look := causeOf(g, held[g.ID])
		if g.Status == lag.Blocked || held[g.ID] {
			cluster = append(cluster, g.ID)
		}
		tbl.Add(g.ID, g.Status.String(), cause, look)
	}
	out.Tables = []Table{tbl}
	switch {
	case tbl.Rows == nil:
		out.Verdict = "No group is behind: nothing to explain."
	case len(cluster) > 0:
		out.Verdict = fmt.Sprintf("The cluster holds back %s (a partition without a leader, or an open transaction); the rest is the consumers'.",
			words.Sample(cluster, 5))
	default:
		out.Verdict = "Every group behind is held back by its own consumers, not by the cluster."
	}
	for _, f := range out.Findings {
		if f.Code == findings.GroupPartitionUnavailable {
			out.Next = "broker-failure"
		}
	}
	return out, nil
}

// heldByTransaction names the groups a hanging transaction holds back:
// those with lag on a partition HANGING_TRANSACTION names.
func heldByTransaction(fs []findings.Finding, groups []lag.Group) map[string]bool {
	stuck := map[snapshot.PartitionRef]bool{}
	for _, f := range fs {
		if f.Code == findings.HangingTransaction && f.Partition != nil {
			stuck[snapshot.PartitionRef{Topic: f.Topic, Partition: *f.Partition}] = true
		}
	}
	out := map[string]bool{}
	for _, g := range groups {
		for _, p := range g.Partitions {
			if p.Lag > 0 && stuck[snapshot.PartitionRef{Topic: p.Topic, Partition: p.Partition}] {
				out[g.ID] = true
			}
		}
	}
	return out
}

// causeOf names what holds a group back and where to look, from its
// status and its window.
func causeOf(g lag.Group, heldByTxn bool) (cause, look string) {
	switch {
	case heldByTxn:
		return "an open transaction holds read_committed consumers at the last stable offset", "kafka-transactions.sh find-hanging"
	case g.Status == lag.Blocked:
		return "a partition it reads has no live leader", "broker-failure runbook"
	case g.Storm():
		return fmt.Sprintf("rebalancing: %d rebalances in the window", g.Rebalances.Count), "max.poll.interval.ms, session.timeout.ms, members that come and go"
	case g.Status == lag.Stalled:
		return "members present but the committed offset does not move: a stuck consumer", "the members' hosts: thread dumps, errors in the application log"
	case g.Status == lag.Stopped:
		return "no members and no commits: the consumers are gone", "the application's deployment: is it running?"
	case g.Status == lag.Rewind:
		return "its committed offsets went backwards: reset, or a consumer committing old offsets", "who ran kafka-consumer-groups.sh --reset-offsets"
	case g.Status == lag.Warning:
		return "slower than its producers: lag grows while it commits", "consumer throughput: scale out, processing time per record"
	}
	return "offsets could not be judged", "the gaps below"
}

// lagRetention shows how long until retention deletes unread records.
func lagRetention(ctx context.Context, env *Env) (Outcome, error) {
	out, groups, err := lagStep(ctx, env, "lag-retention")
	if err != nil {
		return Outcome{}, err
	}
	tbl := Table{Title: "Unread records against retention", Columns: []string{"Group", "Partition", "Lag", "Oldest unread", "Retention", "Deleted in", "Estimate"},
		Empty: "no lagging partition with a known deletion time"}
	topics := map[string]bool{}
	for _, g := range groups {
		for _, p := range g.Partitions {
			d := p.Deletion
			if p.Lag <= 0 || d.ETAMillis < 0 {
				continue
			}
			topics[p.Topic] = true
			tbl.Add(g.ID, fmt.Sprintf("%s/%d", p.Topic, p.Partition), itoa(p.Lag), durationOrDash(p.TimeLagMillis),
				retentionText(d.RetentionMillis), durationOrDash(d.ETAMillis), d.Rule)
		}
	}
	out.Tables = []Table{tbl}
	threatened := map[string]bool{}
	for _, f := range out.Findings {
		if f.Code == findings.LagExceedsRetention || f.Code == findings.LagNearRetention {
			threatened[f.Topic] = true
		}
	}
	for _, t := range slicesSorted(threatened) {
		snapTopic, _ := out.Snapshot.Topic(t)
		cur, ok := snapTopic.Config("retention.ms")
		if !ok {
			continue
		}
		out.Actions = append(out.Actions, Action{
			Title: fmt.Sprintf("Buy time for %s: double retention.ms while the consumers catch up", t), Risk: Caution,
			Command:     env.Commands.Kafka("kafka-configs.sh", "--entity-type", "topics", "--entity-name", t, "--alter", "--add-config", "retention.ms="+doubled(cur.Value)),
			Consequence: fmt.Sprintf("The topic keeps more data on disk (check free space first). Undo once caught up: %s", undoRetention(env, t, cur)),
		})
	}
	switch {
	case len(threatened) > 0:
		out.Verdict = fmt.Sprintf("Unread records on %s will be deleted soon: see the table.", words.Sample(slicesSorted(threatened), 5))
	case len(tbl.Rows) > 0:
		out.Verdict = "No unread record will be deleted within 6 hours."
	default:
		out.Verdict = "No lagging partition has a known deletion time."
	}
	return out, nil
}

func durationOrDash(ms int64) string {
	if ms < 0 {
		return "-"
	}
	return (time.Duration(ms) * time.Millisecond).Round(time.Second).String()
}

func retentionText(ms int64) string {
	switch {
	case ms == lag.RetentionUnlimited:
		return "unlimited"
	case ms < 0:
		return "?"
	}
	return (time.Duration(ms) * time.Millisecond).String()
}

// doubled is a retention.ms value twice as long.
func doubled(v string) string {
	var ms int64
	if _, err := fmt.Sscan(v, &ms); err != nil || ms <= 0 {
		return v
	}
	return itoa(2 * ms)
}

// undoRetention is the command that puts retention.ms back as it was:
// delete the override when it came from the broker's default, or restore
// the topic's own value.
func undoRetention(env *Env, topic string, cur snapshot.ConfigValue) string {
	if cur.Source != "DYNAMIC_TOPIC_CONFIG" {
		return env.Commands.Kafka("kafka-configs.sh", "--entity-type", "topics", "--entity-name", topic, "--alter", "--delete-config", "retention.ms")
	}
	return env.Commands.Kafka("kafka-configs.sh", "--entity-type", "topics", "--entity-name", topic, "--alter", "--add-config", "retention.ms="+cur.Value)
}

func slicesSorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// actionGroups bounds how many groups the actions step writes commands
// for: the worst ones; the table above names the rest.
const actionGroups = 5

// lagActions writes each group's next commands by its cause, with the way
// back for every change.
func lagActions(ctx context.Context, env *Env) (Outcome, error) {
	out, groups, err := lagStep(ctx, env, "hanging-transactions")
	if err != nil {
		return Outcome{}, err
	}
	bad := behind(groups)
	held := heldByTransaction(out.Findings, groups)
	for _, g := range bad[:min(len(bad), actionGroups)] {
		out.Actions = append(out.Actions, groupActions(env, out.Snapshot, g, held[g.ID])...)
	}
	for _, f := range out.Findings {
		if f.Code == findings.HangingTransaction && f.Partition != nil {
			out.Actions = append(out.Actions, transactionActions(env, out.Snapshot, f)...)
		}
	}
	switch {
	case len(bad) == 0:
		out.Verdict = "No group is behind: nothing to do."
	case len(bad) > actionGroups:
		out.Verdict = fmt.Sprintf("Commands for the %d groups furthest behind; %d more are behind (step 1 lists them).", actionGroups, len(bad)-actionGroups)
	default:
		out.Verdict = fmt.Sprintf("Commands for %s, each with its risk and the way back.", words.Plural(len(bad), "group", "groups"))
	}
	return out, nil
}

// groupActions are one group's next commands, by what holds it back.
func groupActions(env *Env, s *snapshot.Snapshot, g lag.Group, heldByTxn bool) []Action {
	backup := g.ID + "-offsets-before.csv"
	export := Action{Title: fmt.Sprintf("Keep group %s's current offsets: the way back from any reset", g.ID), Risk: Safe,
		Command: env.Commands.Kafka("kafka-consumer-groups.sh", "--group", g.ID, "--reset-offsets", "--all-topics", "--to-current",
			"--dry-run", "--export") + " > " + shellQuote(backup),
		Consequence: "Read-only: --dry-run changes nothing; the file restores them with --from-file."}
	switch {
	case heldByTxn || g.Status == lag.Blocked:
		return nil // the cluster's: the transaction and broker-failure actions cover it
	case g.Status == lag.Stalled:
		return []Action{export, {Title: fmt.Sprintf("Find why group %s's consumers do not progress, on %s", g.ID, memberHosts(s, g.ID)), Risk: Safe,
			Command:     "jstack $(pgrep -f <your consumer application>) | head -80   # a thread stuck in poll() or in processing?",
			Consequence: "Read-only; jstack pauses the JVM briefly."},
			{Title: fmt.Sprintf("Restart group %s's stuck consumer instances", g.ID), Risk: Caution,
				Command:     "# restart the application instances behind " + g.ID + " one at a time",
				Consequence: "Each restart is a rebalance: consumption of the whole group pauses while it lasts."}}
	case g.Status == lag.Warning:
		return []Action{export, {Title: fmt.Sprintf("Scale group %s out: more instances, up to one per partition (%d partitions)", g.ID, len(g.Partitions)), Risk: Caution,
			Command:     "# add instances of the application behind " + g.ID,
			Consequence: "A rebalance per change; instances beyond the partition count sit idle."}}
	case g.Status == lag.Stopped:
		return []Action{export, {Title: fmt.Sprintf("Start group %s's consumers again, or delete the group if nobody will", g.ID), Risk: Caution,
			Command:     env.Commands.Kafka("kafka-consumer-groups.sh", "--delete", "--group", g.ID) + "   # only for a group nobody will restart",
			Consequence: "Deleting drops its committed offsets: a consumer started later begins at auto.offset.reset."},
			skipBacklog(env, g.ID, backup)}
	}
	return []Action{export}
}

// skipBacklog resets an inactive group to the log end, dry run first, with
// the rollback from the exported file.
func skipBacklog(env *Env, group, backup string) Action {
	return Action{Title: fmt.Sprintf("Last resort for group %s: skip its backlog (dry run first, then --execute)", group), Risk: Dangerous,
		Command: env.Commands.Kafka("kafka-consumer-groups.sh", "--group", group, "--reset-offsets", "--all-topics", "--to-latest", "--dry-run"),
		Consequence: "With --execute the skipped records are never processed; the group must have no members. Roll back with " +
			env.Commands.Kafka("kafka-consumer-groups.sh", "--group", group, "--reset-offsets", "--from-file", backup, "--execute")}
}

// transactionActions find and, as a last resort, abort a hanging
// transaction on one partition.
func transactionActions(env *Env, s *snapshot.Snapshot, f findings.Finding) []Action {
	leader := int32(-1)
	if t, ok := s.Topic(f.Topic); ok {
		for _, p := range t.Partitions {
			if p.ID == *f.Partition {
				leader = p.Leader
			}
		}
	}
	lso := fmt.Sprint(f.Evidence["lso"])
	return []Action{
		{Title: fmt.Sprintf("Find the transactions hanging on broker %d", leader), Risk: Safe,
			Command:     env.Commands.Kafka("kafka-transactions.sh", "find-hanging", "--broker-id", itoa(leader)),
			Consequence: "Read-only."},
		{Title: fmt.Sprintf("Abort the hanging transaction on %s/%d, once its producer is known to be gone", f.Topic, *f.Partition), Risk: Dangerous,
			Command: env.Commands.Kafka("kafka-transactions.sh", "abort", "--topic", f.Topic, "--partition", itoa(*f.Partition),
				"--start-offset", lso),
			Consequence: "Its records are dropped for read_committed consumers; a producer that is still alive fails its transaction."},
	}
}

// memberHosts names the hosts of a group's members, for the commands.
func memberHosts(s *snapshot.Snapshot, group string) string {
	var hosts []string
	for _, g := range s.Groups {
		if g.ID != group {
			continue
		}
		for _, m := range g.Members {
			if !slices.Contains(hosts, m.Host) {
				hosts = append(hosts, m.Host)
			}
		}
	}
	if len(hosts) == 0 {
		return "its hosts"
	}
	return words.Sample(hosts, 3)
}
