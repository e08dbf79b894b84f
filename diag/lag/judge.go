package lag

import (
	"cmp"
	"slices"
	"sync"

	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// sample is one snapshot in which a group appears.
type sample struct {
	snap *indexed
	g    *snapshot.Group
}

// indexed is a snapshot with its topics by name and their retention read
// once: every group offset looks its partition up, 100,000s of times on a
// large cluster.
type indexed struct {
	*snapshot.Snapshot
	topics map[string]*indexedTopic
}

type indexedTopic struct {
	*snapshot.Topic
	limits limits
}

func index(s *snapshot.Snapshot) *indexed {
	ix := &indexed{Snapshot: s, topics: make(map[string]*indexedTopic, len(s.Topics))}
	for i := range s.Topics {
		ix.topics[s.Topics[i].Name] = &indexedTopic{Topic: &s.Topics[i], limits: limitsOf(&s.Topics[i])}
	}
	return ix
}

// Evaluate judges every group of the newest sample over all of them:
// NewJudge(samples).Groups().
func Evaluate(samples []*snapshot.Snapshot) []Group { return NewJudge(samples).Groups() }

// Judge judges the groups of the newest of some samples, each once and
// only when asked: a check about a few groups (those without members, or
// reading an offline partition) need not judge 5,000. Nothing is computed
// before the first question. It is safe for concurrent use.
type Judge struct {
	raw     []*snapshot.Snapshot
	once    sync.Once
	samples []*indexed
	rules   *health.Cluster
	broken  any // what preparing the samples panicked with
	mu      sync.Mutex
	// judged is keyed by the group in the current sample, not its id: odd
	// snapshots may list an id twice.
	judged map[*snapshot.Group]Group
}

// NewJudge prepares the judgement over samples: the window and the current
// snapshot of one cluster, in any order (they are ordered by TakenAt, the
// last is the current one); nil samples are ignored.
func NewJudge(samples []*snapshot.Snapshot) *Judge {
	return &Judge{raw: slices.Clone(samples), judged: map[*snapshot.Group]Group{}}
}

// current returns the indexed samples, oldest first, and the newest (nil
// when there is none).
func (j *Judge) current() ([]*indexed, *indexed) {
	j.once.Do(func() {
		// A panic here must panic again at every question, not leave
		// an empty judgement that reads as no group at all.
		defer func() { j.broken = recover() }()
		ss := slices.DeleteFunc(j.raw, func(s *snapshot.Snapshot) bool { return s == nil })
		slices.SortStableFunc(ss, func(a, b *snapshot.Snapshot) int { return a.TakenAt.Compare(b.TakenAt) })
		for _, s := range ss {
			j.samples = append(j.samples, index(s))
		}
		if len(ss) > 0 {
			j.rules = health.Of(ss[len(ss)-1])
		}
	})
	if j.broken != nil {
		panic(j.broken)
	}
	if len(j.samples) == 0 {
		return nil, nil
	}
	return j.samples, j.samples[len(j.samples)-1]
}

// Group judges the group with the given id of the current sample; false
// when that sample has no such group.
func (j *Judge) Group(id string) (Group, bool) {
	_, cur := j.current()
	if cur == nil {
		return Group{}, false
	}
	g, ok := groupOf(cur.Snapshot, id)
	if !ok {
		return Group{}, false
	}
	return j.judge(g), true
}

// Groups judges every group of the current sample, sorted by id.
func (j *Judge) Groups() []Group {
	_, cur := j.current()
	if cur == nil {
		return []Group{}
	}
	out := make([]Group, 0, len(cur.Groups))
	for i := range cur.Groups {
		out = append(out, j.judge(&cur.Groups[i]))
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// judge judges one group of the current sample, once.
func (j *Judge) judge(g *snapshot.Group) Group {
	j.mu.Lock()
	defer j.mu.Unlock()
	if done, ok := j.judged[g]; ok {
		return done
	}
	samples, _ := j.current()
	done := evaluateGroup(g, samples, j.rules)
	j.judged[g] = done
	return done
}

func evaluateGroup(g *snapshot.Group, ss []*indexed, rules *health.Cluster) Group {
	var hist []sample
	for _, s := range ss[:len(ss)-1] {
		if old, ok := groupOf(s.Snapshot, g.ID); ok {
			hist = append(hist, sample{snap: s, g: old})
		}
	}
	hist = append(hist, sample{snap: ss[len(ss)-1], g: g})
	out := Group{ID: g.ID, Type: g.Type, State: g.State, Error: g.Error, Members: Active(*g), Samples: len(hist),
		WindowMillis: millis(hist[len(hist)-1].snap.TakenAt.Sub(hist[0].snap.TakenAt)),
		Rebalances:   countRebalances(hist), Partitions: make([]Partition, 0, len(g.Offsets))}
	for _, h := range hist[:len(hist)-1] {
		out.HadMembers = out.HadMembers || Active(*h.g)
	}
	out.Status = NotEnoughData
	if len(g.Offsets) == 0 && g.Error != "" {
		out.Status = Error
	}
	buf := make([]point, 0, len(hist))
	for _, o := range g.Offsets {
		p, moved := evaluatePartition(o, hist, rules, out.Members, &buf)
		out.OffsetsMoved = out.OffsetsMoved || moved
		out.Status = max(out.Status, p.Status)
		out.Partitions = append(out.Partitions, p)
	}
	return out
}
