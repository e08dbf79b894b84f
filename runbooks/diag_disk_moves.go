package runbooks

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// movesPerDir bounds the replicas a plan moves off one directory: a few
// of the fastest-growing and biggest make room; moving many at once
// competes with producers for the same disks.
const movesPerDir = 3

// throttleBytes is the throttle the suggested reassignments use, 50 MB/s.
const throttleBytes = "50000000"

// lowDirs lists the directories low on space, sorted.
func lowDirs(st diskState) []disk.Dir {
	var out []disk.Dir
	for _, d := range st.dirs {
		if st.low[dirRef{d.Broker, d.Path}] {
			out = append(out, d)
		}
	}
	return out
}

// movable are the replicas of one directory worth moving first: the
// fastest-growing, then the biggest.
func movable(st diskState, d disk.Dir) []disk.Replica {
	var out []disk.Replica
	for _, r := range st.replicas {
		if r.Broker == d.Broker && r.Path == d.Path {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b disk.Replica) int {
		return cmp.Or(cmp.Compare(rateOrZero(b), rateOrZero(a)), cmp.Compare(b.SizeBytes, a.SizeBytes))
	})
	return out
}

func rateOrZero(r disk.Replica) float64 {
	if !r.RateKnown {
		return 0
	}
	return r.Rate
}

func partitionOf(s *snapshot.Snapshot, topic string, id int32) (snapshot.Partition, bool) {
	i, ok := slices.BinarySearchFunc(s.Topics, topic, func(a snapshot.Topic, name string) int { return cmp.Compare(a.Name, name) })
	if !ok {
		return snapshot.Partition{}, false
	}
	for _, p := range s.Topics[i].Partitions {
		if p.ID == id {
			return p, true
		}
	}
	return snapshot.Partition{}, false
}

// moveWithinBroker plans moving replicas of each low directory to the
// roomiest other directory of the same broker (log_dirs in the plan): no
// network copy, only the broker's own disks. It returns the moves planned.
func moveWithinBroker(env *Env, st diskState, out *Outcome) int {
	plan := ReassignmentPlan{Version: 1, Partitions: []ReassignmentPartition{}}
	tbl := Table{Title: "Plan: move replicas to another log dir of the same broker", Columns: []string{"Partition", "Broker", "From", "To", "Size"},
		Empty: "nothing to move between log dirs"}
	for _, d := range lowDirs(st) {
		target, ok := roomiestDir(st, d.Broker, d.Path)
		if !ok {
			tbl.Warnings = append(tbl.Warnings, fmt.Sprintf("broker %d has no other log dir with room: give it one, or move replicas to other brokers", d.Broker))
			continue
		}
		budget := target.UsableBytes / 2 // leave the target room of its own
		n := 0
		for _, r := range movable(st, d) {
			p, ok := partitionOf(st.snap, r.Topic, r.Partition)
			if !ok || n == movesPerDir || r.SizeBytes > budget {
				continue
			}
			dirs := make([]string, len(p.Replicas))
			for i, id := range p.Replicas {
				dirs[i] = "any"
				if id == d.Broker {
					dirs[i] = target.Path
				}
			}
			plan.Partitions = append(plan.Partitions, ReassignmentPartition{Topic: r.Topic, Partition: r.Partition, Replicas: slices.Clone(p.Replicas), LogDirs: dirs})
			tbl.Add(fmt.Sprintf("%s/%d", r.Topic, r.Partition), itoa(d.Broker), d.Path, target.Path, disk.Bytes(r.SizeBytes))
			budget -= r.SizeBytes
			n++
		}
	}
	out.Tables = append(out.Tables, tbl)
	if len(plan.Partitions) == 0 {
		return 0
	}
	path := writePlan(env, out, "move-log-dirs", plan)
	out.Actions = append(out.Actions,
		Action{Title: "Move the planned replicas to the other log dir, throttled to 50 MB/s", Risk: Caution,
			Command:     env.Commands.Kafka("kafka-reassign-partitions.sh", "--reassignment-json-file", path, "--execute", "--replica-alter-log-dirs-throttle", throttleBytes),
			Consequence: "The broker copies each replica between its own disks, then deletes the old copy: both disks are busier meanwhile, and the source frees space only when each copy is done."},
		Action{Title: "Watch the move; --verify removes the throttle when it is done", Risk: Safe,
			Command:     env.Commands.Kafka("kafka-reassign-partitions.sh", "--reassignment-json-file", path, "--verify"),
			Consequence: "Read-only until the moves complete, then it removes the throttle."})
	return len(plan.Partitions)
}

// roomiestDir is broker id's healthy directory with the most usable
// space, other than path.
func roomiestDir(st diskState, id int32, path string) (disk.Dir, bool) {
	var best disk.Dir
	found := false
	for _, d := range st.dirs {
		if d.Broker != id || d.Path == path || d.Error != "" || !d.Known() || st.low[dirRef{d.Broker, d.Path}] {
			continue
		}
		if !found || d.UsableBytes > best.UsableBytes {
			best, found = d, true
		}
	}
	return best, found
}

// moveToOtherBroker plans moving the biggest replicas of each low
// directory to the live broker with the most usable space that does not
// already hold them, throttled.
func moveToOtherBroker(env *Env, st diskState, out *Outcome) int {
	plan := ReassignmentPlan{Version: 1, Partitions: []ReassignmentPartition{}}
	tbl := Table{Title: "Plan: move replicas to another broker", Columns: []string{"Partition", "Replicas now", "Replicas after", "Size"},
		Empty: "nothing to move between brokers"}
	free := usableByBroker(st)
	for _, d := range lowDirs(st) {
		n := 0
		for _, r := range movable(st, d) {
			p, ok := partitionOf(st.snap, r.Topic, r.Partition)
			if !ok || n == movesPerDir {
				continue
			}
			target, ok := roomiestBroker(free, p.Replicas, r.SizeBytes)
			if !ok {
				continue
			}
			after := slices.Clone(p.Replicas)
			after[slices.Index(after, d.Broker)] = target
			free[target] -= r.SizeBytes
			plan.Partitions = append(plan.Partitions, ReassignmentPartition{Topic: r.Topic, Partition: r.Partition, Replicas: after})
			tbl.Add(fmt.Sprintf("%s/%d", r.Topic, r.Partition), words.JoinIDs(p.Replicas, ","), words.JoinIDs(after, ","), disk.Bytes(r.SizeBytes))
			n++
		}
	}
	if len(plan.Partitions) > 0 {
		tbl.Notes = append(tbl.Notes, "Racks are not considered: check broker.rack before running it.")
	}
	out.Tables = append(out.Tables, tbl)
	if len(plan.Partitions) == 0 {
		return 0
	}
	path := writePlan(env, out, "move-off-full-disks", plan)
	out.Actions = append(out.Actions,
		Action{Title: "Move the planned replicas to other brokers, throttled to 50 MB/s", Risk: Caution,
			Command:     env.Commands.Kafka("kafka-reassign-partitions.sh", "--reassignment-json-file", path, "--execute", "--throttle", throttleBytes),
			Consequence: "Copies each replica over the network to a broker that must have room for it; the full disk frees space only when each move completes. Unthrottled, it can starve followers and producers."},
		Action{Title: "Watch the reassignment; --verify removes the throttle when it is done", Risk: Safe,
			Command:     env.Commands.Kafka("kafka-reassign-partitions.sh", "--reassignment-json-file", path, "--verify"),
			Consequence: "Read-only until the reassignment completes, then it removes the throttle; a throttle left behind holds back every later follower."})
	return len(plan.Partitions)
}

// usableByBroker is the usable space of each answering broker's healthy
// directories that are not low themselves.
func usableByBroker(st diskState) map[int32]int64 {
	up := map[int32]bool{}
	for _, b := range st.snap.Brokers {
		if checks.BrokerState(b) == checks.StateUp {
			up[b.ID] = true
		}
	}
	free := map[int32]int64{}
	for _, d := range st.dirs {
		if up[d.Broker] && d.Error == "" && d.Known() && !st.low[dirRef{d.Broker, d.Path}] {
			free[d.Broker] += d.UsableBytes
		}
	}
	return free
}

// roomiestBroker is the broker with the most free space, not among
// replicas, with room for size twice over.
func roomiestBroker(free map[int32]int64, replicas []int32, size int64) (int32, bool) {
	best, found := int32(-1), false
	for id, f := range free {
		if slices.Contains(replicas, id) || f < 2*size {
			continue
		}
		if !found || f > free[best] || f == free[best] && id < best {
			best, found = id, true
		}
	}
	return best, found
}

// writePlan saves a plan named after what it does and when.
func writePlan(env *Env, out *Outcome, what string, plan ReassignmentPlan) string {
	data, err := plan.JSON()
	if err != nil {
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "disk-actions", Reason: err.Error()})
		return "PLAN.json"
	}
	name := fmt.Sprintf("%s-%s.json", what, env.now().UTC().Format("20060102T150405Z"))
	files := out.Files
	path, _ := savePlan(env, out, name, data)
	out.Files = append(files, out.Files...)
	out.Files = slices.Compact(out.Files)
	return path
}
