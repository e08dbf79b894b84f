// Package bigsnap generates large synthetic snapshots, deterministically and
// in process, for benchmarks and for tests of how output scales. Nothing it
// makes is committed: a 100,000-partition snapshot is hundreds of megabytes of
// JSON, and regenerating it takes a second.
//
// The cluster it describes is in the middle of an incident, so that every
// check and view has work to do: one broker is fenced (its replicas leave
// every ISR, RF 1 partitions on it go offline, leaders move with a bumped
// epoch), one follower lags out of part of its ISRs, one broker serves a
// stale metadata view in which it still leads a few partitions (a zombie),
// some consumer groups lag and a few committed below the log start.
package bigsnap

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Options sizes the cluster. The zero value of a field means its Large value.
type Options struct {
	// Brokers is the number of brokers, ids 1..Brokers.
	Brokers int
	// Partitions is the number of partitions, internal topics included
	// (the generator stops at the first topic that reaches it).
	Partitions int
	// Groups is the number of consumer groups; each consumes one topic.
	Groups int
	// BrokerViews is how many brokers' own metadata views to include
	// (every live broker when 0, none when negative). A real triage
	// collects one per live broker.
	BrokerViews int
}

// Large is the size the benchmarks use: 100,000 partitions on 50 brokers
// with 5,000 consumer groups.
func Large() Options { return Options{Brokers: 50, Partitions: 100_000, Groups: 5_000} }

// Medium is a cluster big enough for every table to summarise and truncate
// but small enough for golden files.
func Medium() Options { return Options{Brokers: 12, Partitions: 1_200, Groups: 120} }

// Broker roles in the incident, as ids. They are fixed fractions of the
// broker count, so every size has them.
func (o Options) down() int32   { return int32(max(2, o.Brokers*7/50)) }  // fenced, holds replicas
func (o Options) laggy() int32  { return int32(max(1, o.Brokers*23/50)) } // out of some ISRs
func (o Options) zombie() int32 { return int32(max(1, o.Brokers*41/50)) } // stale own view

// Epoch is the time every generated snapshot is taken at.
var Epoch = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Generate builds the snapshot. The same options always give the same
// snapshot, sorted as snapshot.Normalize sorts it.
func Generate(o Options) *snapshot.Snapshot {
	def := Large()
	if o.Brokers <= 0 {
		o.Brokers = def.Brokers
	}
	if o.Partitions <= 0 {
		o.Partitions = def.Partitions
	}
	if o.Groups <= 0 {
		o.Groups = def.Groups
	}
	g := &gen{o: o, rnd: 0x9E3779B97F4A7C15, s: &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion, TakenAt: Epoch, DurationMillis: 2400,
		ClusterID: "bigsnap-" + strconv.Itoa(o.Partitions), ControllerID: 1,
	}}
	g.brokers()
	g.topics()
	g.brokerViews()
	g.groups()
	g.logDirsAndConfigs()
	g.s.Normalize()
	return g.s
}

// gen holds the state of one generation.
type gen struct {
	o   Options
	rnd uint64
	s   *snapshot.Snapshot
}

// next is a xorshift64* step: deterministic on every platform and version,
// which math/rand does not promise across Go releases.
func (g *gen) next() uint64 {
	g.rnd ^= g.rnd >> 12
	g.rnd ^= g.rnd << 25
	g.rnd ^= g.rnd >> 27
	return g.rnd * 2685821657736338717
}

// intn returns a number in [0, n).
func (g *gen) intn(n int) int { return int(g.next() % uint64(n)) }

func (g *gen) brokers() {
	for id := int32(1); id <= int32(g.o.Brokers); id++ {
		b := snapshot.Broker{
			ID: id, Host: fmt.Sprintf("kafka-%02d.prod.internal", id), Port: 9092,
			Rack: fmt.Sprintf("eu-west-1%c", 'a'+rune(id%3)), Registered: true, FencedKnown: true,
			IsController: id == 1, LearnedFrom: []string{"describe_cluster", "metadata", "replicas"},
			Probe: snapshot.Probe{Status: snapshot.StatusOK, LatencyMS: int64(1 + id%4)},
		}
		if id == g.o.down() {
			b.Fenced = true
			b.LearnedFrom = []string{"describe_cluster", "replicas"}
			b.Probe = snapshot.Probe{Status: snapshot.StatusRefused, Error: "dial tcp 10.0.0." + strconv.Itoa(int(id)) + ":9092: connect: connection refused"}
			for _, src := range []string{snapshot.SourceBrokerView, snapshot.SourceBrokerConfigs, snapshot.SourceLogDirs} {
				g.s.Errors = append(g.s.Errors, snapshot.CollectError{
					Source: src, Broker: id, Kind: snapshot.KindRefused,
					Message: fmt.Sprintf("broker %d is fenced and refuses connections", id),
				})
			}
		}
		g.s.Brokers = append(g.s.Brokers, b)
	}
	g.s.Bootstrap = []snapshot.Endpoint{
		{Address: "kafka-01.prod.internal:9092", Probe: snapshot.Probe{Status: snapshot.StatusOK, LatencyMS: 2}},
		{Address: "kafka-02.prod.internal:9092", Probe: snapshot.Probe{Status: snapshot.StatusOK, LatencyMS: 3}},
	}
}

// Topic names read like a real estate of services.
var (
	domains  = []string{"payments", "orders", "billing", "search", "clickstream", "inventory", "shipping", "fraud", "ledger", "notifications"}
	entities = []string{"events", "commands", "changelog", "dlq", "retry", "snapshots", "audit"}
	// sizes cycles the partition counts of successive topics: many small
	// topics, some large ones, as clusters grow.
	sizes = []int{1, 3, 6, 6, 12, 12, 12, 24, 24, 30, 48, 50, 60, 100, 120, 200, 256, 500}
)

func (g *gen) topics() {
	total := 0
	g.addTopic("__consumer_offsets", 50, 3, true, &total)
	for i := 0; total < g.o.Partitions; i++ {
		n := min(sizes[i%len(sizes)], g.o.Partitions-total)
		rf := 3
		switch {
		case i%17 == 0:
			rf = 1 // the odd RF 1 topic: offline when its broker dies
		case i%5 == 0:
			rf = 2
		}
		name := fmt.Sprintf("%s.%s.%04d", domains[i%len(domains)], entities[(i/len(domains))%len(entities)], i)
		g.addTopic(name, n, min(rf, g.o.Brokers), false, &total)
	}
}

func (g *gen) addTopic(name string, n, rf int, internal bool, total *int) {
	t := snapshot.Topic{Name: name, Internal: internal, ReplicationFactor: rf, ID: topicID(len(g.s.Topics))}
	minISR := "2"
	if rf == 1 || len(g.s.Topics)%11 == 3 {
		minISR = "1"
	}
	t.Configs = map[string]snapshot.ConfigValue{
		"min.insync.replicas":            {Value: minISR, Source: "DYNAMIC_TOPIC_CONFIG"},
		"unclean.leader.election.enable": {Value: "false", Source: "DEFAULT_CONFIG"},
		"retention.ms":                   {Value: strconv.Itoa(86_400_000 * (1 + len(g.s.Topics)%14)), Source: "DYNAMIC_TOPIC_CONFIG"},
		"retention.bytes":                {Value: "-1", Source: "DEFAULT_CONFIG"},
		"cleanup.policy":                 {Value: "delete", Source: "DEFAULT_CONFIG"},
		"max.message.bytes":              {Value: "1048588", Source: "DEFAULT_CONFIG"},
	}
	if len(g.s.Topics)%97 == 5 {
		// A topic whose configs this principal may not read.
		t.Configs = nil
		g.s.Errors = append(g.s.Errors, snapshot.CollectError{
			Source: snapshot.SourceTopicConfigs, Broker: 1, Subject: name, Kind: snapshot.KindAuthorization,
			Message: "TOPIC_AUTHORIZATION_FAILED",
		})
	}
	for p := range n {
		t.Partitions = append(t.Partitions, g.partition(name, int32(p), *total+p, rf))
	}
	*total += n
	g.s.Topics = append(g.s.Topics, t)
}

// partition lays out partition p (the k-th of the cluster) round-robin and
// applies the incident: the down broker leaves every ISR, the laggy one a
// tenth of its ISRs.
func (g *gen) partition(topic string, p int32, k, rf int) snapshot.Partition {
	n := g.o.Brokers
	part := snapshot.Partition{Topic: topic, ID: p, LeaderEpoch: int32(1 + k%5)}
	stride := 7 // spreads each broker's followers over several others
	if n%stride == 0 {
		stride = 1
	}
	for i := range rf {
		part.Replicas = append(part.Replicas, int32((k+i*stride)%n)+1)
	}
	down, laggy := g.o.down(), g.o.laggy()
	for _, id := range part.Replicas {
		switch {
		case id == down:
			part.OfflineReplicas = append(part.OfflineReplicas, id)
		case id == laggy && k%10 == 0 && id != part.Replicas[0]:
		default:
			part.ISR = append(part.ISR, id)
		}
	}
	part.EarliestOffset = int64(g.intn(50_000))
	part.LatestOffset = part.EarliestOffset + int64(g.intn(5_000_000))
	switch {
	case len(part.ISR) == 0:
		// Its only in-sync replica is on the fenced broker: offline, the
		// ISR still naming the broker that must come back.
		part.ISR = []int32{down}
		part.Leader = -1
		part.Error = "LEADER_NOT_AVAILABLE"
		part.EarliestOffset, part.LatestOffset = -1, -1
	case part.ISR[0] != part.Replicas[0]:
		part.Leader = part.ISR[0]
		part.LeaderEpoch++
	default:
		part.Leader = part.Replicas[0]
	}
	return part
}

// topicID is a stable base64 topic id.
func topicID(i int) string { return fmt.Sprintf("AAAAAAAAAAAAAAAAAA%04x", i) }

// brokerViews gives each live broker the cluster's view, except the zombie,
// which still leads some partitions at an older epoch.
func (g *gen) brokerViews() {
	if g.o.BrokerViews < 0 {
		return
	}
	live := []int32{}
	for _, b := range g.s.Brokers {
		if !b.Fenced {
			live = append(live, b.ID)
		}
	}
	want := len(live)
	if g.o.BrokerViews > 0 {
		want = min(want, g.o.BrokerViews)
	}
	zombie := g.o.zombie()
	reducer := snapshot.NewViewReducer(g.s.Topics)
	for _, id := range live[:want] {
		v := snapshot.BrokerView{Broker: id, Probe: snapshot.Probe{Status: snapshot.StatusOK, LatencyMS: 4}, Brokers: live, ControllerID: 1}
		b := reducer.Start()
		stale := 0
		for _, t := range g.s.Topics {
			for _, p := range t.Partitions {
				leader, epoch := p.Leader, p.LeaderEpoch
				if id == zombie && stale < 40 && p.Leader != id && p.Leader >= 0 && p.ID%3 == 1 {
					leader, epoch = id, p.LeaderEpoch-1
					stale++
				}
				b.Add(t.Name, p.ID, leader, epoch)
			}
		}
		b.Finish(&v)
		g.s.BrokerViews = append(g.s.BrokerViews, v)
	}
}

var states = []string{"Stable", "Stable", "Stable", "Empty", "PreparingRebalance", "Stable", "CompletingRebalance", "Stable"}

// groups makes consumer groups, each committed on every partition of one
// topic: most near the end of the log, some far behind, a few below the
// log start (retention overtook them).
func (g *gen) groups() {
	topics := g.s.Topics[1:] // not __consumer_offsets
	live := []int32{}
	for _, b := range g.s.Brokers {
		if !b.Fenced {
			live = append(live, b.ID)
		}
	}
	for i := range g.o.Groups {
		t := topics[(i*7)%len(topics)]
		grp := snapshot.Group{
			ID:    fmt.Sprintf("%s-consumer-%04d", domains[i%len(domains)], i),
			State: states[i%len(states)], ProtocolType: "consumer", Coordinator: live[i%len(live)],
		}
		if grp.State != "Empty" {
			grp.Protocol = "cooperative-sticky"
			for m := range 1 + i%6 {
				grp.Members = append(grp.Members, snapshot.GroupMember{
					ID:       fmt.Sprintf("consumer-%d-%08x", m, g.next()&0xffffffff),
					ClientID: fmt.Sprintf("%s-%d", grp.ID, m), Host: fmt.Sprintf("/10.1.%d.%d", i%250, m),
				})
			}
		}
		for _, p := range t.Partitions {
			o := snapshot.GroupOffset{Topic: t.Name, Partition: p.ID, Latest: -1, Lag: -1}
			switch {
			case p.LatestOffset < 0:
				o.Committed = int64(1000 + g.intn(1000))
			case i%211 == 7 && p.EarliestOffset > 0:
				o.Committed = p.EarliestOffset / 2 // below the log start
			case i%13 == 0:
				o.Committed = max(p.LatestOffset-int64(g.intn(2_000_000)), p.EarliestOffset)
			default:
				o.Committed = max(p.LatestOffset-int64(g.intn(100)), p.EarliestOffset)
			}
			if p.LatestOffset >= 0 {
				o.Latest, o.Lag = p.LatestOffset, max(p.LatestOffset-o.Committed, 0)
			}
			grp.Offsets = append(grp.Offsets, o)
		}
		g.s.Groups = append(g.s.Groups, grp)
	}
}

// logDirsAndConfigs gives every live broker two log dirs and its configs,
// and adds a reassignment in progress.
func (g *gen) logDirsAndConfigs() {
	counts := map[int32]int{}
	for _, t := range g.s.Topics {
		for _, p := range t.Partitions {
			for _, r := range p.Replicas {
				counts[r]++
			}
		}
	}
	for _, b := range g.s.Brokers {
		if b.Fenced {
			continue
		}
		for d := range 2 {
			total := int64(4) << 40
			usable := total / int64(3+int(b.ID)%5)
			errName := ""
			if b.ID == g.o.laggy() && d == 1 {
				usable = total / 50 // nearly full: why it lags
			}
			g.s.LogDirs = append(g.s.LogDirs, snapshot.LogDir{
				Broker: b.ID, Path: fmt.Sprintf("/data/kafka-%d", d), Error: errName,
				TotalBytes: total, UsableBytes: usable, SizeBytes: total - usable - int64(b.ID)<<30, Partitions: counts[b.ID] / 2,
			})
		}
		cfg := map[string]snapshot.ConfigValue{}
		for name, v := range map[string]string{
			"min.insync.replicas": "2", "unclean.leader.election.enable": "false", "default.replication.factor": "3",
			"auto.create.topics.enable": "false", "log.retention.ms": "", "log.retention.minutes": "",
			"log.retention.hours": "168", "log.retention.bytes": "-1", "offsets.topic.replication.factor": "3",
			"transaction.state.log.replication.factor": "3", "transaction.state.log.min.isr": "2",
			"replica.lag.time.max.ms": "30000", "message.max.bytes": "1048588", "num.partitions": "6",
			"log.dirs": "/data/kafka-0,/data/kafka-1", "advertised.listeners": "PLAINTEXT://" + b.Address(),
			"listener.security.protocol.map": "PLAINTEXT:PLAINTEXT", "authorizer.class.name": "",
		} {
			cfg[name] = snapshot.ConfigValue{Value: v, Source: "STATIC_BROKER_CONFIG"}
		}
		g.s.BrokerConfigs = append(g.s.BrokerConfigs, snapshot.BrokerConfig{Broker: b.ID, Configs: cfg})
	}
	// A reassignment adding the last broker to a few partitions: it is in
	// their replica lists already, not yet in their ISRs.
	t := &g.s.Topics[len(g.s.Topics)/2]
	target := int32(g.o.Brokers)
	for j := range t.Partitions[:min(len(t.Partitions), 20)] {
		p := &t.Partitions[j]
		if slices.Contains(p.Replicas, target) {
			continue
		}
		p.Replicas = append(p.Replicas, target)
		g.s.Reassignments = append(g.s.Reassignments, snapshot.Reassignment{
			Topic: t.Name, Partition: p.ID, Replicas: slices.Clone(p.Replicas),
			AddingReplicas: []int32{target}, RemovingReplicas: []int32{},
		})
	}
}
