package runbooks

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
)

// ReassignmentPlan is the JSON file kafka-reassign-partitions.sh reads.
type ReassignmentPlan struct {
	Version    int                     `json:"version"`
	Partitions []ReassignmentPartition `json:"partitions"`
}

// ReassignmentPartition is one partition's target replica list.
type ReassignmentPartition struct {
	Topic     string  `json:"topic"`
	Partition int32   `json:"partition"`
	Replicas  []int32 `json:"replicas"`
	// LogDirs names, for each replica in Replicas, the log directory it
	// moves to ("any" to leave it to the broker); omitted for plans that
	// only move replicas between brokers.
	LogDirs []string `json:"log_dirs,omitempty"`
	// previous is kept for the table, not the file.
	previous []int32
}

// PlanResult is a plan and what could not be planned.
type PlanResult struct {
	Plan ReassignmentPlan
	// Unplaceable lists partitions for which too few live brokers remain.
	Unplaceable []string
	// NoSource lists partitions with no live in-sync replica: a
	// reassignment has nothing to copy from, so moving them would create
	// empty replicas. They need their broker back, or data-recovery.
	NoSource []string
}

// PlanMoveOff moves every replica on the dead brokers to a live broker.
// Only the dead replicas move (minimal movement), each to the live broker
// that keeps the partition's racks distinct, then to the least loaded one,
// so the plan neither piles onto one broker nor puts two copies in a rack.
// A replacement keeps the dead replica's position, so preferred leadership
// moves only where the dead broker was the preferred leader.
func PlanMoveOff(s *snapshot.Snapshot, dead map[int32]bool, live []snapshot.Broker) PlanResult {
	res := PlanResult{Plan: ReassignmentPlan{Version: 1, Partitions: []ReassignmentPartition{}}}
	rack := map[int32]string{}
	load := map[int32]int{}
	for _, b := range live {
		rack[b.ID] = b.Rack
		load[b.ID] = 0
	}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			for _, r := range p.Replicas {
				if _, ok := load[r]; ok {
					load[r]++
				}
			}
		}
	}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if !slices.ContainsFunc(p.Replicas, func(r int32) bool { return dead[r] }) {
				continue
			}
			if !slices.ContainsFunc(p.ISR, func(r int32) bool { _, ok := load[r]; return ok && !dead[r] }) {
				res.NoSource = append(res.NoSource, fmt.Sprintf("%s/%d", t.Name, p.ID))
				continue
			}
			target := slices.Clone(p.Replicas)
			ok := true
			for i, r := range target {
				if !dead[r] {
					continue
				}
				pick, found := pickReplacement(target, rack, load, dead)
				if !found {
					ok = false
					break
				}
				target[i] = pick
				load[pick]++
			}
			if !ok {
				res.Unplaceable = append(res.Unplaceable, fmt.Sprintf("%s/%d", t.Name, p.ID))
				continue
			}
			res.Plan.Partitions = append(res.Plan.Partitions, ReassignmentPartition{Topic: t.Name, Partition: p.ID, Replicas: target, previous: p.Replicas})
		}
	}
	return res
}

// pickReplacement chooses the live broker for one dead replica.
func pickReplacement(current []int32, rack map[int32]string, load map[int32]int, dead map[int32]bool) (int32, bool) {
	usedRacks := map[string]bool{}
	for _, r := range current {
		if !dead[r] && rack[r] != "" {
			usedRacks[rack[r]] = true
		}
	}
	var candidates []int32
	for id := range load {
		if !slices.Contains(current, id) {
			candidates = append(candidates, id)
		}
	}
	if len(candidates) == 0 {
		return 0, false
	}
	slices.SortFunc(candidates, func(a, b int32) int {
		return cmp.Or(
			cmp.Compare(boolInt(usedRacks[rack[a]] && rack[a] != ""), boolInt(usedRacks[rack[b]] && rack[b] != "")),
			cmp.Compare(load[a], load[b]),
			cmp.Compare(a, b),
		)
	})
	return candidates[0], true
}

// JSON encodes the plan as kafka-reassign-partitions.sh expects it.
func (p ReassignmentPlan) JSON() ([]byte, error) {
	return json.MarshalIndent(p, "", "  ")
}

// savePlan writes a plan file named name into env.PlanDir and adds it to
// out.Files. It returns the path the suggested commands name and the words
// that say where the plan is. With no PlanDir nothing is written (never the
// current directory by default): the step's table lists the moves. A write
// that fails is a gap of the step.
func savePlan(env *Env, out *Outcome, name string, data []byte) (path, where string) {
	const placeholder = "PLAN.json"
	if env.PlanDir == "" {
		return placeholder, "not written: no plan directory; the table lists its moves"
	}
	path = filepath.Join(env.PlanDir, name)
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		out.Unevaluated = append(out.Unevaluated, checks.Unevaluated{Check: "broker-replace-plan", Reason: err.Error()})
		return placeholder, placeholder
	}
	out.Files = []string{path}
	return path, path
}
