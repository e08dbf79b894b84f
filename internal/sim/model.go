package sim

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// world is the resolved scenario that every rewritten response is built
// from. It is immutable once Start returns; a later drill changes the
// cluster by building a new world and swapping the pointer, so a response is
// always built from one consistent picture.
type world struct {
	clusterID  string
	controller int32
	brokers    []*brokerInfo // sorted by id
	byID       map[int32]*brokerInfo
	topics     []*topicInfo // sorted by name
	byName     map[string]*topicInfo
	byTopicID  map[[16]byte]*topicInfo
	groups     []*groupInfo // sorted by id
	groupByID  map[string]*groupInfo
	// views are the brokers whose own metadata differs from the cluster's.
	views map[int32]*viewInfo
	// quorum is the KRaft controller quorum DescribeQuorum describes.
	quorum *quorumInfo
	// recordBase is the timestamp the newest record of every partition
	// precedes by recordInterval; see recordTimestamp.
	recordBase int64
}

type brokerInfo struct {
	id    int32
	rack  *string
	state BrokerState
	host  string
	port  int32
	// configs are the broker's effective static configs: the scenario's
	// broker_configs with its own configs on top.
	configs map[string]string
	logDirs []LogDir
}

type topicInfo struct {
	name     string
	id       [16]byte
	internal bool
	configs  map[string]string
	parts    []*partInfo // index == partition id
}

type partInfo struct {
	topic            string
	id               int32
	leader, epoch    int32
	replicas, isr    []int32
	offline          []int32 // replicas on down or fenced brokers
	adding, removing []int32
	earliest, latest int64
	replicaLag       map[int32]int64
	elr, lastKnown   []int32 // eligible leader replicas (KIP-966)
	// size is the partition's bytes as kfake stored them.
	size int64
}

type groupInfo struct {
	id          string
	state       string
	protocol    string
	members     int
	coordinator int32
	commits     map[string]map[int32]int64
}

// recordInterval is the spacing of seeded record timestamps. Timestamps are
// a pure function of the offset so ListOffsets by time can be answered from
// the scenario alone.
const recordInterval = 100 * time.Millisecond

// recordTimestamp is the timestamp in milliseconds of the record at offset
// in a partition whose high watermark is latest.
func (w *world) recordTimestamp(latest, offset int64) int64 {
	return w.recordBase - (latest-offset)*recordInterval.Milliseconds()
}

// defaultLogDir is what a broker without log_dirs reports: a healthy disk
// about a third full.
var defaultLogDir = LogDir{Path: "/var/lib/kafka/data", TotalBytes: 1 << 40, UsableBytes: 700 << 30}

// internalTopics are the topics Kafka itself creates and flags IsInternal.
var internalTopics = map[string]bool{
	"__consumer_offsets": true, "__transaction_state": true, "__share_group_state": true,
}

// newWorld resolves a validated scenario. Addresses, topic ids, sizes and
// group coordinators are filled in by Start once kfake has them.
func newWorld(sc *Scenario, now time.Time) *world {
	w := &world{
		clusterID:  sc.ClusterID,
		byID:       map[int32]*brokerInfo{},
		byName:     map[string]*topicInfo{},
		byTopicID:  map[[16]byte]*topicInfo{},
		groupByID:  map[string]*groupInfo{},
		recordBase: now.UnixMilli(),
	}
	if w.clusterID == "" {
		w.clusterID = "sim-" + sc.Name
	}
	for _, b := range sc.Brokers {
		bi := &brokerInfo{id: b.ID, state: b.State, logDirs: slices.Clone(b.LogDirs)}
		if b.Rack != "" {
			rack := b.Rack
			bi.rack = &rack
		}
		bi.configs = maps.Clone(sc.BrokerConfigs)
		if bi.configs == nil {
			bi.configs = map[string]string{}
		}
		maps.Copy(bi.configs, b.Configs)
		if len(bi.logDirs) == 0 {
			bi.logDirs = []LogDir{defaultLogDir}
		}
		w.brokers = append(w.brokers, bi)
		w.byID[b.ID] = bi
	}
	slices.SortFunc(w.brokers, func(a, b *brokerInfo) int { return cmp.Compare(a.id, b.id) })
	w.controller = -1
	if sc.ControllerID != nil {
		w.controller = *sc.ControllerID
	} else {
		for _, b := range w.brokers {
			if b.state == StateUp {
				w.controller = b.id
				break
			}
		}
	}
	for i := range sc.Topics {
		t := w.topic(&sc.Topics[i], sc.Brokers)
		w.topics = append(w.topics, t)
		w.byName[t.name] = t
	}
	slices.SortFunc(w.topics, func(a, b *topicInfo) int { return cmp.Compare(a.name, b.name) })
	for _, g := range sc.Groups {
		w.addGroup(g)
	}
	w.addViews(sc)
	w.quorum = newQuorum(sc, now)
	return w
}

func (w *world) topic(t *Topic, brokers []Broker) *topicInfo {
	ti := &topicInfo{name: t.Name, internal: internalTopics[t.Name], configs: maps.Clone(t.Configs)}
	parts := t.Partitions
	if len(parts) == 0 {
		gen := *t
		materialize(&gen, brokers)
		parts = gen.Partitions
	}
	ti.parts = make([]*partInfo, len(parts))
	for _, p := range parts {
		// Cloned so that editing the Scenario after Start cannot change
		// what is served behind the world's back.
		pi := &partInfo{
			topic: t.Name, id: p.Partition, leader: *p.Leader, epoch: p.LeaderEpoch,
			replicas: slices.Clone(p.Replicas), isr: slices.Clone(p.ISR),
			adding: slices.Clone(p.AddingReplicas), removing: slices.Clone(p.RemovingReplicas),
			replicaLag: maps.Clone(p.ReplicaLag),
			elr:        slices.Clone(p.ELR), lastKnown: slices.Clone(p.LastKnownELR),
		}
		pi.earliest, pi.latest = p.bounds()
		pi.offline = w.offline(p.Replicas, p.OfflineReplicas)
		ti.parts[p.Partition] = pi
	}
	return ti
}

// offline lists the replicas on brokers that are down or fenced, and those
// whose log directory failed, in assignment order.
func (w *world) offline(replicas, failedDirs []int32) []int32 {
	out := []int32{}
	for _, id := range replicas {
		if !live(w.byID[id].state) || slices.Contains(failedDirs, id) {
			out = append(out, id)
		}
	}
	return out
}

func (w *world) addGroup(g Group) {
	gi := &groupInfo{id: g.ID, state: g.State, protocol: g.Protocol, members: g.Members, coordinator: -1,
		commits: map[string]map[int32]int64{}}
	if gi.protocol == "" && gi.members > 0 {
		gi.protocol = "range"
	}
	put := func(t string, p int32, off int64) {
		if gi.commits[t] == nil {
			gi.commits[t] = map[int32]int64{}
		}
		gi.commits[t][p] = off
	}
	for t, ps := range g.Committed {
		for p, off := range ps {
			put(t, p, off)
		}
	}
	for t, ps := range g.Lag {
		for p, lag := range ps {
			put(t, p, w.byName[t].parts[p].latest-lag)
		}
	}
	w.groups = append(w.groups, gi)
	slices.SortFunc(w.groups, func(a, b *groupInfo) int { return cmp.Compare(a.id, b.id) })
	w.groupByID[g.ID] = gi
}

// partition returns the partition or nil.
func (w *world) partition(topic string, p int32) *partInfo {
	t := w.byName[topic]
	if t == nil || p < 0 || int(p) >= len(t.parts) {
		return nil
	}
	return t.parts[p]
}

// lastHolder is where an offline partition waits: its last ISR member,
// else its first eligible leader replica, last known one or replica. kfake
// serves Fetch from it, and its listener refuses.
func (p *partInfo) lastHolder() int32 {
	for _, ids := range [][]int32{p.isr, p.elr, p.lastKnown, p.replicas} {
		if len(ids) > 0 {
			return ids[0]
		}
	}
	return -1
}

// hosts reports whether broker id holds a replica of the partition.
func (p *partInfo) hosts(id int32) bool { return slices.Contains(p.replicas, id) }
