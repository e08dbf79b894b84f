package snapshot

import "iter"

// ViewReducer turns brokers' own metadata answers into BrokerViews that keep
// only their differences from the cluster metadata. It indexes the topics it
// is built from once; it never changes afterwards, so concurrent
// collections of several brokers' views may share one.
type ViewReducer struct {
	topics []reducerTopic
	byName map[string]int
}

type reducerTopic struct {
	name string
	// position maps a partition id to its index in leaders; nil when the ids
	// are 0..n-1, as Kafka assigns them, and the id is the index.
	position map[int32]int
	ids      []int32
	leaders  []leaderAt
}

type leaderAt struct{ leader, epoch int32 }

// NewViewReducer indexes the leaders and epochs of the cluster metadata.
func NewViewReducer(topics []Topic) *ViewReducer {
	r := &ViewReducer{topics: make([]reducerTopic, 0, len(topics)), byName: make(map[string]int, len(topics))}
	for _, t := range topics {
		if _, dup := r.byName[t.Name]; dup {
			continue // odd documents only; the first wins, as everywhere
		}
		rt := reducerTopic{name: t.Name, ids: make([]int32, len(t.Partitions)), leaders: make([]leaderAt, len(t.Partitions))}
		dense := true
		for i, p := range t.Partitions {
			rt.ids[i], rt.leaders[i] = p.ID, leaderAt{p.Leader, p.LeaderEpoch}
			dense = dense && p.ID == int32(i)
		}
		if !dense {
			rt.position = make(map[int32]int, len(t.Partitions))
			for i, id := range rt.ids {
				if _, dup := rt.position[id]; !dup {
					rt.position[id] = i
				}
			}
		}
		r.byName[t.Name] = len(r.topics)
		r.topics = append(r.topics, rt)
	}
	return r
}

func (t *reducerTopic) index(partition int32) (int, bool) {
	if t.position == nil {
		return int(partition), partition >= 0 && int(partition) < len(t.leaders)
	}
	i, ok := t.position[partition]
	return i, ok
}

// ViewBuilder accumulates one broker's answer, one partition at a time, so
// that the whole answer is never held as snapshot structures.
type ViewBuilder struct {
	r          *ViewReducer
	seen       [][]bool // per topic of r, per partition index; nil until touched
	last       int      // topic index of the previous Add, -1 for none
	lastName   string
	partitions int
	diffs      []LeaderView
}

// Start begins the view of one broker.
func (r *ViewReducer) Start() *ViewBuilder {
	return &ViewBuilder{r: r, seen: make([][]bool, len(r.topics)), last: -1}
}

// Add records one partition of the broker's answer.
func (b *ViewBuilder) Add(topic string, partition, leader, epoch int32) {
	b.partitions++
	ti := b.last
	if ti < 0 || b.lastName != topic {
		i, ok := b.r.byName[topic]
		if !ok {
			i = -1
		}
		ti, b.last, b.lastName = i, i, topic
	}
	if ti >= 0 {
		t := &b.r.topics[ti]
		if pi, ok := t.index(partition); ok {
			if b.seen[ti] == nil {
				b.seen[ti] = make([]bool, len(t.leaders))
			}
			b.seen[ti][pi] = true
			if t.leaders[pi] == (leaderAt{leader, epoch}) {
				return
			}
		}
	}
	b.diffs = append(b.diffs, LeaderView{Topic: topic, Partition: partition, Leader: leader, LeaderEpoch: epoch})
}

// Finish stores what was added in v: its partition count, its differences
// and the cluster-metadata partitions it did not list.
func (b *ViewBuilder) Finish(v *BrokerView) {
	v.Partitions, v.Differences, v.Missing = b.partitions, b.diffs, nil
	for ti := range b.r.topics {
		t := &b.r.topics[ti]
		for pi, id := range t.ids {
			if b.seen[ti] == nil || !b.seen[ti][pi] {
				v.Missing = append(v.Missing, PartitionRef{Topic: t.name, Partition: id})
			}
		}
	}
}

// Reduce rewrites a view that lists every partition (as version 1 documents
// do) as its differences from this reducer's cluster metadata.
func (r *ViewReducer) Reduce(v *BrokerView, full []LeaderView) {
	b := r.Start()
	for _, lv := range full {
		b.Add(lv.Topic, lv.Partition, lv.Leader, lv.LeaderEpoch)
	}
	b.Finish(v)
}

// ViewLeaders yields the leader and epoch of every partition broker view v
// listed: its differences where it has them, the cluster metadata's
// elsewhere, nothing for its missing partitions. The partitions the cluster
// metadata has come first, in its order, then those only the broker knew.
func (s *Snapshot) ViewLeaders(v *BrokerView) iter.Seq[LeaderView] {
	return func(yield func(LeaderView) bool) {
		diffs := map[string]map[int32]int{}
		for i, d := range v.Differences {
			if diffs[d.Topic] == nil {
				diffs[d.Topic] = map[int32]int{}
			}
			if _, dup := diffs[d.Topic][d.Partition]; !dup {
				diffs[d.Topic][d.Partition] = i
			}
		}
		missing := map[PartitionRef]bool{}
		for _, m := range v.Missing {
			missing[m] = true
		}
		used := make([]bool, len(v.Differences))
		for _, t := range s.Topics {
			topicDiffs := diffs[t.Name]
			for _, p := range t.Partitions {
				lv := LeaderView{Topic: t.Name, Partition: p.ID, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch}
				if i, ok := topicDiffs[p.ID]; ok {
					if used[i] {
						continue // a topic or partition listed twice in an odd document
					}
					lv, used[i] = v.Differences[i], true
				} else if len(missing) > 0 && missing[PartitionRef{t.Name, p.ID}] {
					continue
				}
				if !yield(lv) {
					return
				}
			}
		}
		for i, d := range v.Differences {
			if !used[i] && !yield(d) {
				return
			}
		}
	}
}
