package runbooks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// flapPolls is how many snapshots isr-flapping compares.
const flapPolls = 3

// isrHistory is one partition's ISR at each poll where it was seen.
type isrHistory struct {
	tp   source.TopicPartition
	isrs [][]int32
}

// changes are the transitions between consecutive polls that differ.
func (h isrHistory) changes() [][2][]int32 {
	var out [][2][]int32
	for i := 1; i < len(h.isrs); i++ {
		if !sameMembers(h.isrs[i-1], h.isrs[i]) {
			out = append(out, [2][]int32{h.isrs[i-1], h.isrs[i]})
		}
	}
	return out
}

// flapping is the rule: the ISR changed more than once in the window (a
// replica left and came back, or came back and left again). One change is
// a shrink or a recovery, which the other steps judge; calling a single
// recovery flapping would send people after an overloaded broker that is
// in fact healing.
func (h isrHistory) flapping() bool { return len(h.changes()) > 1 }

// isrFlapping polls the ISR a few times: members leaving and rejoining
// within seconds point at a follower on the edge of replica.lag.time.max.ms.
func isrFlapping(ctx context.Context, env *Env) (Outcome, error) {
	var snaps []*snapshot.Snapshot
	for i := 0; i < flapPolls; i++ {
		if i > 0 {
			if err := env.sleep(ctx, env.PollInterval); err != nil {
				return Outcome{}, err
			}
		}
		s, err := env.Source.Snapshot(ctx, 0)
		if err != nil {
			return Outcome{}, err
		}
		snaps = append(snaps, s)
	}
	out := Outcome{Snapshot: snaps[len(snaps)-1]}
	tbl := Table{Title: fmt.Sprintf("ISR changes over %d polls", flapPolls), Columns: []string{"Partition", "Changes", "Judged"},
		Empty: "the ISR did not change while polling"}
	shrank, grew, flapped := 0, 0, 0
	for _, h := range isrHistories(snaps) {
		changes := h.changes()
		if len(changes) == 0 {
			continue
		}
		steps := make([]string, len(changes))
		for i, c := range changes {
			steps[i] = "[" + words.JoinIDs(c[0], ",") + "] -> [" + words.JoinIDs(c[1], ",") + "]"
		}
		judged := "one change: shrank"
		switch {
		case h.flapping():
			judged = "flapping"
			flapped++
			out.Findings = append(out.Findings, findings.Finding{
				Code: findings.ISRFlapping, Severity: findings.Warning, Topic: h.tp.Topic, Partition: findings.Int32(h.tp.Partition),
				Summary: fmt.Sprintf("%s/%d: the ISR changed %d times in %d polls %s apart (%s)", h.tp.Topic, h.tp.Partition,
					len(changes), flapPolls, env.PollInterval, strings.Join(steps, "; ")),
				Evidence: map[string]any{"changes": len(changes), "polls": flapPolls, "interval_ms": env.PollInterval.Milliseconds()},
			})
		case len(changes[0][1]) > len(changes[0][0]):
			judged = "one change: grew back (recovering)"
			grew++
		default: // fewer members, or one replaced by another: someone left
			shrank++
		}
		tbl.Add(fmt.Sprintf("%s/%d", h.tp.Topic, h.tp.Partition), strings.Join(steps, "; "), judged)
	}
	out.Tables = []Table{tbl}
	out.Verdict = flapVerdict(flapped, shrank, grew)
	return out, nil
}

// flapVerdict words what the polls showed: flapping first, then the single
// changes, which are not flapping.
func flapVerdict(flapped, shrank, grew int) string {
	var once []string
	if shrank > 0 {
		once = append(once, fmt.Sprintf("shrank on %s", words.Plural(shrank, "partition", "partitions")))
	}
	if grew > 0 {
		once = append(once, fmt.Sprintf("grew back on %s", words.Plural(grew, "partition", "partitions")))
	}
	single := ""
	if len(once) > 0 {
		single = "the ISR changed once (" + strings.Join(once, ", ") + "), which is not flapping"
	}
	switch {
	case flapped > 0 && single != "":
		return fmt.Sprintf("The ISR flapped on %s while polling: followers are on the edge of replica.lag.time.max.ms; elsewhere %s.",
			words.Plural(flapped, "partition", "partitions"), single)
	case flapped > 0:
		return fmt.Sprintf("The ISR flapped on %s while polling: followers are on the edge of replica.lag.time.max.ms.",
			words.Plural(flapped, "partition", "partitions"))
	case single != "":
		return words.Capitalize(single) + "."
	}
	return "The ISR was stable while polling."
}

// isrHistories lines up every partition's ISR across the polls, in topic
// and partition order.
func isrHistories(snaps []*snapshot.Snapshot) []isrHistory {
	byTP := map[source.TopicPartition]*isrHistory{}
	for _, s := range snaps {
		for _, t := range s.Topics {
			for _, p := range t.Partitions {
				tp := source.TopicPartition{Topic: t.Name, Partition: p.ID}
				h := byTP[tp]
				if h == nil {
					h = &isrHistory{tp: tp}
					byTP[tp] = h
				}
				h.isrs = append(h.isrs, p.ISR)
			}
		}
	}
	out := make([]isrHistory, 0, len(byTP))
	for _, h := range byTP {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b isrHistory) int {
		return cmp.Or(cmp.Compare(a.tp.Topic, b.tp.Topic), cmp.Compare(a.tp.Partition, b.tp.Partition))
	})
	return out
}

// sameMembers says whether two ISRs hold the same brokers: Kafka may list
// the same ISR in another order, which is no change.
func sameMembers(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
