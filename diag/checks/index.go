package checks

// tpMap maps (topic, partition) to V like a map[tp]V, without hashing the
// topic name on every access: each topic holds its partitions in a slice
// indexed by id, and the topic of the last access is remembered. Snapshot
// lists (partitions, broker views, group offsets) are sorted by topic, so
// on 100,000 partitions seen by 50 brokers that is 5 million cheap lookups
// instead of 5 million string hashes. Ids outside the slice (negative,
// sparse, unknown topics in odd snapshots) go to a per-topic map.
type tpMap[V any] struct {
	topics   map[string]*topicSlots[V]
	last     *topicSlots[V]
	lastName string
}

type topicSlots[V any] struct {
	dense  []V
	set    []bool
	sparse map[int32]V
}

func newTPMap[V any]() *tpMap[V] {
	return &tpMap[V]{topics: map[string]*topicSlots[V]{}}
}

// reserve sizes topic's slice for ids 0..n-1, before any put.
func (m *tpMap[V]) reserve(topic string, n int) {
	ts := m.topic(topic, true)
	if len(ts.dense) < n {
		ts.dense = append(ts.dense, make([]V, n-len(ts.dense))...)
		ts.set = append(ts.set, make([]bool, n-len(ts.set))...)
	}
}

// topic returns topic's slots, creating them when asked.
func (m *tpMap[V]) topic(name string, create bool) *topicSlots[V] {
	if m.last != nil && m.lastName == name {
		return m.last
	}
	ts := m.topics[name]
	if ts == nil {
		if !create {
			return nil
		}
		ts = &topicSlots[V]{}
		m.topics[name] = ts
	}
	m.last, m.lastName = ts, name
	return ts
}

// get returns the value of (topic, p) and whether one was put.
func (m *tpMap[V]) get(topic string, p int32) (V, bool) {
	var zero V
	ts := m.topic(topic, false)
	switch {
	case ts == nil:
		return zero, false
	case p >= 0 && int(p) < len(ts.dense):
		return ts.dense[p], ts.set[p]
	}
	v, ok := ts.sparse[p]
	return v, ok
}

// put sets the value of (topic, p).
func (m *tpMap[V]) put(topic string, p int32, v V) {
	ts := m.topic(topic, true)
	if p >= 0 && int(p) < len(ts.dense) {
		ts.dense[p], ts.set[p] = v, true
		return
	}
	if ts.sparse == nil {
		ts.sparse = map[int32]V{}
	}
	ts.sparse[p] = v
}
