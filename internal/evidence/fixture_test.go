package evidence

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// t0 is when the fixture incident's first poll runs.
var t0 = time.Date(2026, 3, 14, 3, 10, 0, 0, time.UTC)

// fakeClock is a clock that only moves when Sleep is called.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// cluster builds a fixture snapshot: three brokers, orders (RF 3),
// payments (RF 2, min ISR 2) and audit-log (RF 1), one group.
type cluster struct {
	s *snapshot.Snapshot
}

func newCluster(at time.Time, poll int) *cluster {
	s := &snapshot.Snapshot{SchemaVersion: 1, TakenAt: at, DurationMillis: 40, ClusterID: "fixture-cluster-1", ControllerID: 1}
	s.Bootstrap = []snapshot.Endpoint{{Address: "kafka1:9092", Probe: snapshot.Probe{Status: snapshot.StatusOK, LatencyMS: 2}}}
	for id := int32(1); id <= 3; id++ {
		s.Brokers = append(s.Brokers, snapshot.Broker{ID: id, Host: fmt.Sprintf("kafka%d", id), Port: 9092, Rack: fmt.Sprintf("r%d", id),
			Registered: true, FencedKnown: true, LearnedFrom: []string{"describe_cluster", "metadata"},
			Probe: snapshot.Probe{Status: snapshot.StatusOK, LatencyMS: 2}})
		s.BrokerConfigs = append(s.BrokerConfigs, snapshot.BrokerConfig{Broker: id, Configs: map[string]snapshot.ConfigValue{
			"min.insync.replicas": {Value: "2", Source: "STATIC_BROKER_CONFIG"}, "default.replication.factor": {Value: "3", Source: "STATIC_BROKER_CONFIG"}}})
		s.LogDirs = append(s.LogDirs, snapshot.LogDir{Broker: id, Path: "/var/lib/kafka", TotalBytes: 100 << 30, UsableBytes: 60 << 30, SizeBytes: 1 << 30, Partitions: 5})
	}
	grow := int64(poll) * 500
	s.Topics = []snapshot.Topic{
		topic("orders", 3, "2", part(0, 1, 4, []int32{1, 2, 3}, 1000, 50000+grow), part(1, 2, 3, []int32{2, 3, 1}, 1000, 52000+grow), part(2, 3, 4, []int32{3, 1, 2}, 1000, 51000+grow)),
		topic("payments", 2, "2", part(0, 1, 1, []int32{1, 2}, 0, 18000+grow), part(1, 3, 2, []int32{3, 1}, 0, 18500+grow)),
		topic("audit-log", 1, "1", part(0, 3, 1, []int32{3}, 0, 9000)),
	}
	s.Groups = []snapshot.Group{{ID: "billing", State: "Stable", ProtocolType: "consumer", Coordinator: 1,
		Members: []snapshot.GroupMember{{ID: "billing-1", ClientID: "billing", Host: "/10.0.0.5"}}}}
	c := &cluster{s: s}
	c.commit(0, 49000+grow)
	c.commit(1, 51500+grow)
	c.commit(2, 50500+grow)
	return c
}

func topic(name string, rf int, minISR string, parts ...snapshot.Partition) snapshot.Topic {
	for i := range parts {
		parts[i].Topic = name
	}
	return snapshot.Topic{Name: name, ID: "id-" + name, ReplicationFactor: rf, Partitions: parts,
		Configs: map[string]snapshot.ConfigValue{"min.insync.replicas": {Value: minISR, Source: "DYNAMIC_TOPIC_CONFIG"}, "retention.ms": {Value: "604800000", Source: "DEFAULT_CONFIG"}}}
}

func part(id, leader, epoch int32, replicas []int32, start, end int64) snapshot.Partition {
	return snapshot.Partition{ID: id, Leader: leader, LeaderEpoch: epoch, Replicas: replicas, ISR: replicas,
		OfflineReplicas: []int32{}, EarliestOffset: start, LatestOffset: end}
}

func (c *cluster) topic(name string) *snapshot.Topic {
	for i := range c.s.Topics {
		if c.s.Topics[i].Name == name {
			return &c.s.Topics[i]
		}
	}
	panic("no topic " + name)
}

func (c *cluster) p(topic string, id int32) *snapshot.Partition {
	return &c.topic(topic).Partitions[id]
}

// commit sets billing's committed offset on orders/p and its lag.
func (c *cluster) commit(p int32, committed int64) {
	g := &c.s.Groups[0]
	latest := c.p("orders", p).LatestOffset
	g.Offsets = append(g.Offsets, snapshot.GroupOffset{Topic: "orders", Partition: p, Committed: committed, Latest: latest, Lag: latest - committed})
}

// relag recomputes lag from the partitions' log ends, as collect does.
func (c *cluster) relag() {
	for i := range c.s.Groups[0].Offsets {
		o := &c.s.Groups[0].Offsets[i]
		o.Latest = c.p(o.Topic, o.Partition).LatestOffset
		o.Lag = max(o.Latest-o.Committed, 0)
	}
}

func (c *cluster) lead(topic string, id, leader, epoch int32, isr ...int32) {
	p := c.p(topic, id)
	p.Leader, p.LeaderEpoch, p.ISR = leader, epoch, isr
}

func (c *cluster) broker(id int32) *snapshot.Broker { return &c.s.Brokers[id-1] }

// brokerThreeDown is broker 3 fenced, its leaderships moved, its ISRs gone.
func (c *cluster) brokerThreeDown() {
	b := c.broker(3)
	b.Fenced, b.Probe = true, snapshot.Probe{Status: snapshot.StatusRefused, Error: "connection refused"}
	c.lead("orders", 0, 1, 4, 1, 2)
	c.lead("orders", 1, 2, 3, 2, 1)
	c.lead("orders", 2, 1, 5, 1, 2)
	c.lead("payments", 1, 1, 3, 1)
	c.lead("audit-log", 0, -1, 1, 3)
	c.p("audit-log", 0).EarliestOffset, c.p("audit-log", 0).LatestOffset = -1, -1
	c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceLogDirs, Broker: 3, Kind: snapshot.KindRefused, Message: "connection refused"}}
	c.s.LogDirs = c.s.LogDirs[:2]
}

// fixtureSeries is the incident the fixture bundle records, one entry per
// 5 s poll; nil is a poll where no bootstrap server answered.
func fixtureSeries() []*snapshot.Snapshot {
	var out []*snapshot.Snapshot
	for i := range 8 {
		c := newCluster(t0.Add(time.Duration(i)*5*time.Second), i)
		switch i {
		case 1: // broker 3 stops answering, not yet fenced
			c.broker(3).Probe = snapshot.Probe{Status: snapshot.StatusRefused, Error: "connection refused"}
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceLogDirs, Broker: 3, Kind: snapshot.KindRefused, Message: "connection refused"}}
			c.s.LogDirs = c.s.LogDirs[:2]
		case 2: // fenced; orders/2 lost 12 unreplicated records when its leader moved
			c.brokerThreeDown()
			c.p("orders", 2).LatestOffset = 51000 + 500 - 12
		case 3:
			c = nil
		case 4: // payments min ISR lowered in an emergency; lag piles up
			c.brokerThreeDown()
			c.topic("payments").Configs["min.insync.replicas"] = snapshot.ConfigValue{Value: "1", Source: "DYNAMIC_TOPIC_CONFIG"}
			c.s.Groups[0].Offsets = nil
			c.commit(0, 42000)
			c.commit(1, 44000)
			c.commit(2, 43000)
		case 5: // broker 3 back; audit-log online; orders/0 caught up
			c.lead("orders", 1, 2, 3, 2, 1)
			c.lead("orders", 2, 1, 5, 1, 2)
			c.lead("payments", 1, 1, 3, 1)
			c.lead("audit-log", 0, 3, 2, 3)
			c.topic("payments").Configs["min.insync.replicas"] = snapshot.ConfigValue{Value: "1", Source: "DYNAMIC_TOPIC_CONFIG"}
		case 6, 7: // preferred leaders elected again
			c.lead("orders", 2, 3, 6, 3, 1, 2)
			c.lead("payments", 1, 3, 4, 3, 1)
			c.lead("audit-log", 0, 3, 2, 3)
		}
		if c == nil {
			out = append(out, nil)
			continue
		}
		c.relag()
		c.s.Normalize()
		out = append(out, c.s)
	}
	return out
}

// seriesCollector replays fixtureSeries poll by poll.
func seriesCollector(series []*snapshot.Snapshot) func(context.Context) (*snapshot.Snapshot, error) {
	n := 0
	return func(ctx context.Context) (*snapshot.Snapshot, error) {
		s := series[min(n, len(series)-1)]
		n++
		if s == nil {
			return nil, errors.New("no bootstrap server answered: kafka1:9092 refused (connection refused)")
		}
		return s, nil
	}
}

// fixtureTranscript is a recorded runbook walk, written by hand so the
// fixture does not change when a runbook's wording does.
func fixtureTranscript() runbooks.Transcript {
	f := findings.Finding{Code: findings.BrokerDown, Severity: findings.Critical, Broker: findings.Int32(3), Summary: "broker 3 is down (fenced by the controller) and holds 6 replicas"}
	return runbooks.Transcript{
		SchemaVersion: runbooks.TranscriptSchemaVersion,
		Runbook:       runbooks.Summary{Name: "broker-failure", Title: "Broker failure", Summary: "A broker is down.", Steps: 2, Escalation: []string{}, Links: []string{}, Source: "built-in"},
		Cluster:       runbooks.Cluster{ID: "fixture-cluster-1", Bootstrap: []string{"kafka1:9092"}, TakenAt: t0.Add(10 * time.Second)},
		Status:        verdict.Critical, Findings: []findings.Finding{f}, Errors: []snapshot.CollectError{},
		Steps: []runbooks.StepResult{
			{Number: 1, ID: "classify", Title: "Classify the broker", Verdict: "Broker 3 is fenced: it stopped heartbeating.", Severity: "critical",
				Findings: []findings.Finding{f}, Tables: []runbooks.Table{}, Dont: []string{}, Notes: []string{}, Unevaluated: []checks.Unevaluated{}, Skipped: []checks.Unevaluated{}, Errors: []snapshot.CollectError{},
				Actions:   []runbooks.Action{{Title: "Check the host of broker 3", Command: "ssh kafka3 systemctl status kafka", Risk: runbooks.Safe, Consequence: "none"}},
				StartedAt: t0.Add(12 * time.Second)},
			{Number: 2, ID: "blast", Title: "Blast radius", Verdict: "1 partition offline, 1 under min ISR.", Severity: "critical",
				Findings: []findings.Finding{}, Tables: []runbooks.Table{}, Dont: []string{"restart broker 1 or 2"}, Notes: []string{}, Errors: []snapshot.CollectError{},
				Actions: []runbooks.Action{{Title: "Lower min ISR on payments (temporary)", Command: "kafka-configs.sh --bootstrap-server kafka1:9092 --entity-type topics --entity-name payments --alter --add-config min.insync.replicas=1",
					Risk: runbooks.Dangerous, Consequence: "acks=all writes are acknowledged by one replica"}},
				StartedAt: t0.Add(13 * time.Second)},
		},
	}
}
