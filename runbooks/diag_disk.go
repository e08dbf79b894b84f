package runbooks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Sampling of the disk-pressure steps: diskSamples samples of every log
// dir with its replicas, PollInterval apart, before the final snapshot,
// which also reads the topics' configs (retention) for the actions.
const (
	diskSamples     = 3
	diskSampleParts = source.PartLogDirs
	diskFinalParts  = source.PartLogDirs | source.PartConfigs
	// topN bounds the rows of the growth tables; JSON has the same rows.
	topN = 10
)

// diskWindow returns the samples and the current snapshot the disk steps
// judge: a recording's window when replaying, else samples PollInterval
// apart, or those a previous step of the walk took less than a minute ago.
func diskWindow(ctx context.Context, env *Env) ([]*snapshot.Snapshot, *snapshot.Snapshot, error) {
	if env.Window != nil {
		snap, err := env.Source.Snapshot(ctx, diskFinalParts)
		return env.Window, snap, err
	}
	if tr := env.diskTrend; tr != nil && env.now().Sub(tr.at) < trendReuse {
		return tr.window, tr.snap, nil
	}
	var window []*snapshot.Snapshot
	for i := range diskSamples {
		if i > 0 {
			if err := env.sleep(ctx, env.PollInterval); err != nil {
				return nil, nil, err
			}
		}
		s, err := env.Source.Snapshot(ctx, diskSampleParts)
		if err != nil {
			return nil, nil, err
		}
		window = append(window, s)
	}
	if err := env.sleep(ctx, env.PollInterval); err != nil {
		return nil, nil, err
	}
	snap, err := env.Source.Snapshot(ctx, diskFinalParts)
	if err != nil {
		return nil, nil, err
	}
	env.diskTrend = &trendSamples{window: window, snap: snap, at: env.now()}
	return window, snap, nil
}

// diskState is what every disk step reads: the window, the directories
// judged over it, the replicas with their growth, and which directories
// are low on space.
type diskState struct {
	window []*snapshot.Snapshot
	snap   *snapshot.Snapshot
	res    checks.Result
	dirs   []disk.Dir
	// replicas are every listed replica, largest first; focus those on the
	// directories low on space, or every one when none is.
	replicas, focus []disk.Replica
	low             map[dirRef]bool
}

type dirRef struct {
	broker int32
	path   string
}

func readDisks(ctx context.Context, env *Env) (diskState, error) {
	window, snap, err := diskWindow(ctx, env)
	if err != nil {
		return diskState{}, err
	}
	samples := append(slices.Clone(window), snap)
	st := diskState{window: window, snap: snap, dirs: disk.Dirs(samples), replicas: disk.Replicas(samples), low: map[dirRef]bool{}}
	st.res = checks.Run(checks.Input{Snap: snap, Window: window, Disk: env.Disk}, checks.Named("log-dirs", "log-dir-space"))
	for _, f := range st.res.Findings {
		if f.Broker != nil && f.LogDir != "" {
			st.low[dirRef{*f.Broker, f.LogDir}] = true
		}
	}
	st.focus = st.replicas
	if len(st.low) > 0 {
		st.focus = slices.DeleteFunc(slices.Clone(st.replicas), func(r disk.Replica) bool { return !st.low[dirRef{r.Broker, r.Path}] })
	}
	return st, nil
}

func (st diskState) outcome() Outcome {
	return Outcome{Snapshot: st.snap, Findings: st.res.Findings, Unevaluated: st.res.Unevaluated, Skipped: st.res.Skipped}
}

// noRateNote says why no growth is shown, "" when the window gives one.
func (st diskState) noRateNote() string {
	if len(st.window) > 0 {
		return ""
	}
	return "One recorded moment: no growth rate. Replay a bundle of 'evidence watch' (it records log dirs), or run this live."
}

// diskSpace shows every log directory: how full, how fast it fills, and
// when it will be full at that rate.
func diskSpace(ctx context.Context, env *Env) (Outcome, error) {
	st, err := readDisks(ctx, env)
	if err != nil {
		return Outcome{}, err
	}
	out := st.outcome()
	tbl := Table{Title: "Log directories", Columns: []string{"Broker", "Log dir", "Usable", "Total", "Usable %", "Filling at", "Full in", "Replicas"},
		Empty: "no log directory was reported"}
	soonest, soonestTTF := -1, time.Duration(0)
	for i, d := range st.dirs {
		usable, total, pct, rate, full, size := "?", "?", "?", "-", "-", "-"
		switch {
		case d.Error != "":
			usable, total, pct = d.Error, "-", "-"
		case d.Known():
			usable, total, pct = disk.Bytes(d.UsableBytes), disk.Bytes(d.TotalBytes), fmt.Sprintf("%.1f", d.UsablePercent())
		}
		if d.FillRateKnown {
			rate = disk.Rate(d.FillRate)
		}
		if ttf, ok := d.TimeToFull(); ok {
			full = disk.Duration(ttf)
			if soonest < 0 || ttf < soonestTTF {
				soonest, soonestTTF = i, ttf
			}
		}
		if d.SizeBytes >= 0 {
			size = disk.Bytes(d.SizeBytes)
		}
		tbl.Add(itoa(d.Broker), d.Path, usable, total, pct, rate, full, size)
	}
	if n := st.noRateNote(); n != "" {
		tbl.Notes = append(tbl.Notes, n)
	} else {
		tbl.Notes = append(tbl.Notes, fmt.Sprintf("Rates fitted over %d samples in %s; a directory that is not filling has no time to full.",
			len(st.window)+1, st.snap.TakenAt.Sub(st.window[0].TakenAt).Round(100*time.Millisecond)))
	}
	out.Tables = []Table{tbl}
	switch {
	case len(st.low) == 0 && len(st.res.Unevaluated) == 0:
		out.Verdict = fmt.Sprintf("Every log directory has room (%s).", lowestUsable(st.dirs))
	case len(st.low) == 0:
		out.Verdict = "No log directory reported low on space, but not every one could be judged."
	default:
		out.Verdict = fmt.Sprintf("%s low on space.", words.Plural(len(st.low), "log directory", "log directories"))
	}
	if n := offlineDirs(st.dirs); n > 0 {
		out.Verdict += fmt.Sprintf(" %s offline (see broker-failure).", words.Plural(n, "log directory is", "log directories are"))
	}
	if soonest >= 0 {
		d := st.dirs[soonest]
		out.Verdict += fmt.Sprintf(" Broker %d %s fills first: full in %s at %s.", d.Broker, d.Path, disk.Duration(soonestTTF), disk.Rate(d.FillRate))
	}
	return out, nil
}

func offlineDirs(dirs []disk.Dir) int {
	n := 0
	for _, d := range dirs {
		if d.Error != "" {
			n++
		}
	}
	return n
}

// lowestUsable names the directory with the smallest usable share.
func lowestUsable(dirs []disk.Dir) string {
	best := -1
	for i, d := range dirs {
		if d.Error == "" && d.Known() && (best < 0 || d.UsablePercent() < dirs[best].UsablePercent()) {
			best = i
		}
	}
	if best < 0 {
		return "none reported its space"
	}
	d := dirs[best]
	return fmt.Sprintf("the fullest, broker %d %s, has %.1f%% usable", d.Broker, d.Path, d.UsablePercent())
}

// diskGrowth names the biggest and the fastest-growing topics and
// partitions on the directories low on space (every directory when none
// is).
func diskGrowth(ctx context.Context, env *Env) (Outcome, error) {
	st, err := readDisks(ctx, env)
	if err != nil {
		return Outcome{}, err
	}
	out := st.outcome()
	scope := "every log directory"
	if len(st.low) > 0 {
		scope = "the log directories low on space"
	}
	if len(st.replicas) == 0 {
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "disk-growth",
			Reason: "no broker listed the replicas in its log dirs (DescribeLogDirs), so no topic or partition size is known"})
		out.Verdict = "The replicas in the log directories are not known: no topic can be named."
		return out, nil
	}
	fastTopics := disk.FastestTopics(disk.Topics(st.focus))
	fastTopics = slices.DeleteFunc(fastTopics, func(t disk.Topic) bool { return t.Rate <= 0 })
	fastReplicas := slices.DeleteFunc(disk.Fastest(st.focus), func(r disk.Replica) bool { return r.Rate <= 0 })
	ft := Table{Title: "Fastest-growing topics on " + scope, Columns: []string{"Topic", "Growth/s", "Size", "Replicas"},
		Empty: "no topic grew over the window"}
	for _, t := range fastTopics[:min(len(fastTopics), topN)] {
		ft.Add(t.Topic, disk.Rate(t.Rate), disk.Bytes(t.SizeBytes), itoa(t.Replicas))
	}
	fp := Table{Title: "Fastest-growing partitions on " + scope, Columns: []string{"Partition", "Broker", "Log dir", "Growth/s", "Size"},
		Empty: "no partition grew over the window"}
	for _, r := range fastReplicas[:min(len(fastReplicas), topN)] {
		fp.Add(fmt.Sprintf("%s/%d", r.Topic, r.Partition), itoa(r.Broker), r.Path, disk.Rate(r.Rate), disk.Bytes(r.SizeBytes))
	}
	if n := st.noRateNote(); n != "" {
		ft.Notes, fp.Notes = []string{n}, []string{n}
	}
	bigTopics := disk.Topics(st.focus)
	bt := Table{Title: "Biggest topics on " + scope, Columns: []string{"Topic", "Size", "Replicas"}, Empty: "no replica listed"}
	for _, t := range bigTopics[:min(len(bigTopics), topN)] {
		bt.Add(t.Topic, disk.Bytes(t.SizeBytes), itoa(t.Replicas))
	}
	bp := Table{Title: "Biggest partitions on " + scope, Columns: []string{"Partition", "Broker", "Log dir", "Size"}, Empty: "no replica listed"}
	for _, r := range st.focus[:min(len(st.focus), topN)] {
		bp.Add(fmt.Sprintf("%s/%d", r.Topic, r.Partition), itoa(r.Broker), r.Path, disk.Bytes(r.SizeBytes))
	}
	out.Tables = []Table{ft, fp, bt, bp}
	switch {
	case len(fastTopics) > 0:
		t := fastTopics[0]
		out.Verdict = fmt.Sprintf("Fastest-growing on %s: topic %s at %s", scope, t.Topic, disk.Rate(t.Rate))
		if len(fastReplicas) > 0 {
			r := fastReplicas[0]
			out.Verdict += fmt.Sprintf(" (partition %s/%d on broker %d at %s)", r.Topic, r.Partition, r.Broker, disk.Rate(r.Rate))
		}
		out.Verdict += "."
	case len(bigTopics) > 0:
		out.Verdict = fmt.Sprintf("Nothing grew over the window; the biggest topic on %s is %s (%s).", scope, bigTopics[0].Topic, disk.Bytes(bigTopics[0].SizeBytes))
	default:
		out.Verdict = fmt.Sprintf("No replica on %s.", scope)
	}
	return out, nil
}

// diskActions gives the commands that make room, each with its risk and
// the way back, filled in with the topic and directories this cluster's
// state points to.
func diskActions(ctx context.Context, env *Env) (Outcome, error) {
	st, err := readDisks(ctx, env)
	if err != nil {
		return Outcome{}, err
	}
	out := st.outcome()
	out.Actions = []Action{{Title: "On the broker: see what fills the disk", Risk: Safe,
		Command:     "df -h " + dirPaths(st) + "; du -sh " + firstDir(st) + "/* | sort -h | tail -20",
		Consequence: "Read-only. Look for files that are not Kafka's (heap dumps, logs) on the same filesystem."}}
	if t, ok := retentionTarget(st); ok {
		out.Actions = append(out.Actions, retentionActions(env, t)...)
	}
	if len(st.low) == 0 {
		out.Verdict = "No log directory is low on space: nothing needs to move. The commands below are for when one is."
	}
	moved := moveWithinBroker(env, st, &out)
	moved += moveToOtherBroker(env, st, &out)
	out.Actions = append(out.Actions, Action{
		Title: "Give " + lowBrokers(st) + " another disk: mount it, add it to log.dirs in server.properties, format the new directory, restart the broker",
		Risk:  Caution,
		Command: "kafka-storage.sh format --config server.properties --cluster-id " + shellQuote(words.OrDash(st.snap.ClusterID)) +
			" --ignore-formatted   # on the broker, before its restart",
		Consequence: "The restart moves the broker's leaderships away and back: restart one broker at a time, only when nothing is under-replicated. " +
			"New replicas then spread over both directories; existing ones move only by a reassignment with log_dirs."})
	if len(st.low) > 0 {
		out.Verdict = fmt.Sprintf("%s low on space: make room with a temporary retention override, then move replicas (%s planned).",
			words.Plural(len(st.low), "log directory", "log directories"), words.Plural(moved, "move", "moves"))
	}
	return out, nil
}

// retentionTarget is the topic whose retention is worth lowering for a
// while: the fastest-growing (else the biggest) one on the directories
// in focus that retention can shrink (not internal, cleanup.policy with
// delete).
func retentionTarget(st diskState) (snapshot.Topic, bool) {
	topics := slices.DeleteFunc(disk.FastestTopics(disk.Topics(st.focus)), func(t disk.Topic) bool { return t.Rate <= 0 })
	topics = append(topics, disk.Topics(st.focus)...)
	for _, t := range topics {
		if i, ok := slices.BinarySearchFunc(st.snap.Topics, t.Topic, func(a snapshot.Topic, name string) int { return cmp.Compare(a.Name, name) }); ok {
			top := st.snap.Topics[i]
			policy, _ := top.Config("cleanup.policy")
			if !top.Internal && !strings.HasPrefix(t.Topic, "__") && (policy.Value == "" || strings.Contains(policy.Value, "delete")) {
				return top, true
			}
		}
	}
	return snapshot.Topic{}, false
}

// minTempRetention is the shortest temporary retention suggested: below
// it, consumers that pause for a deployment lose records.
const minTempRetention = 10 * 60 * 1000

// retentionActions lower one topic's retention.ms for a while, after
// recording what it is, and give the exact command that restores it.
// None when its retention is already that short.
func retentionActions(env *Env, t snapshot.Topic) []Action {
	configs := func(args ...string) string {
		return env.Commands.Kafka("kafka-configs.sh", append([]string{"--entity-type", "topics", "--entity-name", t.Name}, args...)...)
	}
	current, known := t.Config("retention.ms")
	ms, err := strconv.ParseInt(current.Value, 10, 64)
	temp := int64(24 * 3600 * 1000) // unknown or unlimited: a day
	if err == nil && ms > 0 {
		temp = max(ms/2, minTempRetention)
		if temp >= ms {
			return nil
		}
	}
	undo, was := configs("--alter", "--delete-config", "retention.ms"), "the broker default"
	switch {
	case !known:
		was = "what --describe showed: its retention.ms could not be read; if it has its own, use --add-config retention.ms=THAT instead"
	case current.Source == "DYNAMIC_TOPIC_CONFIG":
		undo, was = configs("--alter", "--add-config", "retention.ms="+current.Value), "its own retention.ms="+current.Value
	default:
		was += ", retention.ms=" + current.Value
	}
	return []Action{
		{Title: "Record topic " + t.Name + "'s configs before changing them", Risk: Safe,
			Command:     configs("--describe"),
			Consequence: "Read-only. Keep the output: it is what the undo restores."},
		{Title: fmt.Sprintf("Temporarily lower retention of %s to %s", t.Name, humanMillis(temp)), Risk: Caution,
			Command: configs("--alter", "--add-config", "retention.ms="+strconv.FormatInt(temp, 10)),
			Consequence: "Deletes every closed segment older than " + humanMillis(temp) + " at the next retention check (log.retention.check.interval.ms, 5 minutes by default), " +
				"on every replica: consumers lagging more than that lose those records for good. Run 'consumer-lag' first if any group reads this topic."},
		{Title: "Undo the override once there is room again (back to " + was + ")", Risk: Caution,
			Command:     undo,
			Consequence: "Restores the retention the topic had; records already deleted stay deleted."},
	}
}

func humanMillis(ms int64) string {
	if ms%(3600*1000) == 0 {
		return words.Plural(int(ms/3600/1000), "hour", "hours")
	}
	return words.Plural(int(ms/60/1000), "minute", "minutes")
}

func dirPaths(st diskState) string {
	var paths []string
	for _, d := range st.dirs {
		if len(st.low) == 0 || st.low[dirRef{d.Broker, d.Path}] {
			paths = append(paths, d.Path)
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	if len(paths) == 0 {
		return "LOG_DIR"
	}
	return ShellLine(paths...)
}

func firstDir(st diskState) string {
	for _, d := range st.dirs {
		if len(st.low) == 0 || st.low[dirRef{d.Broker, d.Path}] {
			return shellQuote(d.Path)
		}
	}
	return "LOG_DIR"
}

// lowBrokers names the brokers with a directory low on space, "the
// broker" when none is.
func lowBrokers(st diskState) string {
	var ids []int32
	for r := range st.low {
		ids = append(ids, r.broker)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	switch len(ids) {
	case 0:
		return "the broker"
	case 1:
		return "broker " + itoa(ids[0])
	}
	return "brokers " + words.JoinIDs(ids, ", ")
}
