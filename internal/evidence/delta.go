package evidence

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Delta is everything that changed from one snapshot of a cluster to a
// later one, as data: the one definition of "a change" that both the watch
// events (Diff) and the `evidence diff` tables (Compare) render. Every list
// is sorted by its subject.
//
// A source that could not be read in either snapshot yields no change for
// what it covers (an offset of -1, nil configs, a group with an error, a
// broker not probed, topic metadata that failed): a gap in the data is
// never a change.
type Delta struct {
	Brokers    []BrokerDelta
	Topics     []TopicDelta
	Partitions []PartitionDelta
	Configs    []ConfigDelta
	Groups     []GroupDelta
	LogDirs    []LogDirDelta
	// ErrorsNew are the collection errors of after that before lacks, and
	// ErrorsCleared those of before that after lacks; errors are matched by
	// errKey, not by their message.
	ErrorsNew, ErrorsCleared []snapshot.CollectError
}

// BrokerDelta is a broker whose membership, fencing, reachability or
// address changed. Before and After are nil where a side does not know the
// id; the flags say which of the four changed.
type BrokerDelta struct {
	ID            int32
	Before, After *snapshot.Broker
	// Registration: listed by the cluster on one side only (an unknown id
	// counts as not registered).
	Registration bool
	// Fencing: registered on both sides, fencing known on both (DescribeCluster
	// v2 answered), and different.
	Fencing bool
	// Reachability: probed on both sides and answering on one only. How a
	// silent broker fails (refused, timeout) is detail of one state, not a
	// change: it flips between polls while a host goes down.
	Reachability bool
	// Address: host or port differ, both known.
	Address bool
}

// TopicChangeKind says what happened to a topic as a whole.
type TopicChangeKind string

// The topic changes, in the words of the `evidence diff` table.
const (
	TopicWasCreated   TopicChangeKind = "created"
	TopicWasDeleted   TopicChangeKind = "deleted"
	TopicWasRecreated TopicChangeKind = "recreated" // same name, new topic id
	TopicWasResized   TopicChangeKind = "partitions changed"
)

// TopicDelta is a topic created, deleted, recreated or resized.
type TopicDelta struct {
	Topic                             string
	Change                            TopicChangeKind
	IDBefore, IDAfter                 string
	PartitionsBefore, PartitionsAfter int
}

// PartitionDelta is what changed in one partition of a topic present, and
// the same topic, on both sides. Leader and ISR are nil when unchanged.
type PartitionDelta struct {
	Topic     string
	Partition int32
	// LeaderAfter, Replicas and ISRAfter are the partition's leader (-1
	// for none), replicas and ISR after.
	LeaderAfter int32
	Replicas    []int32
	ISRAfter    []int32
	// Leader is set when the leader changed, or a live leader was elected
	// again at a new epoch (both epochs known). An epoch bump with no
	// leader on either side is no change of leadership: there is no leader.
	Leader *LeaderChange
	// ISR is set when the set of in-sync replicas changed; order is not a change.
	ISR *ISRChange
	// Offsets are the log start and end on both sides, -1 where unknown;
	// they count as a change only where both sides are known (Moved).
	Offsets OffsetMove
}

// online reports whether the partition has a leader after.
func (p PartitionDelta) online() bool { return p.LeaderAfter >= 0 }

// OffsetMove is a partition's log start and log end before and after, -1
// where unknown.
type OffsetMove struct {
	StartBefore, StartAfter int64
	EndBefore, EndAfter     int64
}

// known reports whether both offsets of a pair are known.
func known(a, b int64) bool { return a >= 0 && b >= 0 }

// Moved reports whether a log start or end known on both sides differs.
func (m OffsetMove) Moved() bool {
	return (known(m.StartBefore, m.StartAfter) && m.StartBefore != m.StartAfter) ||
		(known(m.EndBefore, m.EndAfter) && m.EndBefore != m.EndAfter)
}

// EndBackwards reports whether the log end went back: acknowledged records
// were truncated.
func (m OffsetMove) EndBackwards() bool {
	return known(m.EndBefore, m.EndAfter) && m.EndAfter < m.EndBefore
}

// StartBackwards reports whether the log start went back.
func (m OffsetMove) StartBackwards() bool {
	return known(m.StartBefore, m.StartAfter) && m.StartAfter < m.StartBefore
}

// Appended is how far the log end moved forward (0 when it did not).
func (m OffsetMove) Appended() int64 {
	if known(m.EndBefore, m.EndAfter) {
		return max(m.EndAfter-m.EndBefore, 0)
	}
	return 0
}

// Removed is how far the log start moved forward (0 when it did not).
func (m OffsetMove) Removed() int64 {
	if known(m.StartBefore, m.StartAfter) {
		return max(m.StartAfter-m.StartBefore, 0)
	}
	return 0
}

// Absent is the value of a config that one side does not have.
const Absent = "(absent)"

// ConfigDelta is one topic or broker config that was added, changed or
// removed: Change.From or Change.To is Absent for an added or removed name.
// Sensitive values are never shown, so they compare equal.
type ConfigDelta struct {
	// Topic names a topic config; Broker (when Topic is "") a broker's.
	Topic  string
	Broker int32
	Change ConfigValueChange
}

// Resource names what the config belongs to: "topic NAME" or "broker ID".
func (c ConfigDelta) Resource() string {
	if c.Topic != "" {
		return "topic " + c.Topic
	}
	return fmt.Sprintf("broker %d", c.Broker)
}

// Changes computes the delta from before to after. It is pure; a nil side
// gives an empty delta.
func Changes(before, after *snapshot.Snapshot) Delta {
	var d Delta
	if before == nil || after == nil {
		return d
	}
	d.Brokers = brokerDeltas(before, after)
	d.Topics, d.Partitions = topicDeltas(before, after)
	d.Configs = configDeltas(before, after)
	d.Groups = groupDeltas(before, after)
	d.LogDirs = logDirDeltas(before, after)
	d.ErrorsNew, d.ErrorsCleared = errorDeltas(before.Errors, after.Errors)
	return d
}

// brokerDeltas compares every broker id either side knows.
func brokerDeltas(a, b *snapshot.Snapshot) []BrokerDelta {
	var out []BrokerDelta
	for _, id := range union(a.Brokers, b.Brokers, func(br snapshot.Broker) int32 { return br.ID }) {
		d := BrokerDelta{ID: id, Before: brokerOf(a, id), After: brokerOf(b, id)}
		p, c := condOf(d.Before), condOf(d.After)
		d.Registration = p.Registered != c.Registered
		d.Fencing = p.Registered && c.Registered && p.FencedKnown && c.FencedKnown && p.Fenced != c.Fenced
		pOK, pMeant := answers(p.Probe.Status)
		cOK, cMeant := answers(c.Probe.Status)
		d.Reachability = pMeant && cMeant && pOK != cOK
		d.Address = p.Address() != "" && c.Address() != "" && p.Address() != c.Address()
		if d.Registration || d.Fencing || d.Reachability || d.Address {
			out = append(out, d)
		}
	}
	return out
}

// union lists the keys of the items of both sides once, sorted.
func union[T any, K cmp.Ordered](a, b []T, key func(T) K) []K {
	out := make([]K, 0, len(a)+len(b))
	for _, side := range [][]T{a, b} {
		for _, v := range side {
			out = append(out, key(v))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func brokerOf(s *snapshot.Snapshot, id int32) *snapshot.Broker {
	if b, ok := s.Broker(id); ok {
		return &b
	}
	return nil
}

// condOf is a broker's state, the zero value (not registered, not probed)
// for an id the side does not know.
func condOf(b *snapshot.Broker) snapshot.Broker {
	if b == nil {
		return snapshot.Broker{}
	}
	return *b
}

// answers reports whether a probe status says the broker answered, and
// whether the status says anything at all (not probed says nothing).
func answers(status string) (ok, meaningful bool) {
	switch status {
	case "", snapshot.StatusNotProbed:
		return false, false
	case snapshot.StatusOK:
		return true, true
	}
	return false, true
}

// errorDeltas lists the errors only after has, and those only before has,
// each sorted by errKey.
func errorDeltas(before, after []snapshot.CollectError) (added, cleared []snapshot.CollectError) {
	b, a := errIndex(before), errIndex(after)
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if _, ok := b[k]; !ok {
			added = append(added, a[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			cleared = append(cleared, b[k])
		}
	}
	return added, cleared
}
