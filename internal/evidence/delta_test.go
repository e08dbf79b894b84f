package evidence

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// deltaLines renders every change of a delta as one short line, so that a
// test states the whole delta it expects.
func deltaLines(d Delta) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, b := range d.Brokers {
		for _, f := range []struct {
			set  bool
			name string
		}{{b.Registration, "registration"}, {b.Fencing, "fencing"}, {b.Reachability, "reachability"}, {b.Address, "address"}} {
			if f.set {
				add("broker %d %s", b.ID, f.name)
			}
		}
	}
	for _, t := range d.Topics {
		add("topic %s %s %d->%d", t.Topic, t.Change, t.PartitionsBefore, t.PartitionsAfter)
	}
	for _, p := range d.Partitions {
		at := fmt.Sprintf("%s/%d", p.Topic, p.Partition)
		if l := p.Leader; l != nil {
			add("%s leader %d@%d->%d@%d", at, l.From, l.FromEpoch, l.To, l.ToEpoch)
		}
		if i := p.ISR; i != nil {
			add("%s isr -%v +%v", at, i.Removed, i.Added)
		}
		if m := p.Offsets; m.Moved() {
			add("%s offsets start %d->%d end %d->%d", at, m.StartBefore, m.StartAfter, m.EndBefore, m.EndAfter)
		}
	}
	for _, c := range d.Configs {
		add("%s %s %s->%s", c.Resource(), c.Change.Name, c.Change.From, c.Change.To)
	}
	for _, g := range d.Groups {
		switch {
		case g.Before == nil:
			add("group %s created", g.Group)
		case g.After == nil:
			add("group %s deleted", g.Group)
		default:
			add("group %s state=%t members=%t lag=%t", g.Group, g.State, g.Members, g.Lag)
		}
	}
	for _, l := range d.LogDirs {
		add("log dir %d %s %q->%q", l.Broker, l.Path, l.ErrorBefore, l.ErrorAfter)
	}
	for _, e := range d.ErrorsNew {
		add("error new %s", errWhere(e))
	}
	for _, e := range d.ErrorsCleared {
		add("error cleared %s", errWhere(e))
	}
	return out
}

func TestChanges(t *testing.T) {
	refused := snapshot.Probe{Status: snapshot.StatusRefused, Error: "connection refused"}
	timeout := snapshot.Probe{Status: snapshot.StatusTimeout}
	metadataFailed := func(c *cluster) {
		c.s.Topics = nil
		c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceMetadata, Broker: -1, Kind: snapshot.KindTimeout, Message: "timeout"}}
	}
	tests := []struct {
		name      string
		before    func(c *cluster) // nil: unchanged fixture
		after     func(c *cluster)
		afterPoll int // 0: the same offsets and lags as before
		want      []string
		// why states the rule the case pins down.
		why string
	}{
		{name: "no change", after: func(c *cluster) {}},

		// Brokers: up, down, fenced, gone, back, address.
		{name: "broker stops answering", after: func(c *cluster) { c.broker(2).Probe = refused },
			want: []string{"broker 2 reachability"}},
		{name: "broker answers again", before: func(c *cluster) { c.broker(2).Probe = refused }, after: func(c *cluster) {},
			want: []string{"broker 2 reachability"}},
		{name: "refused then timeout is one state", before: func(c *cluster) { c.broker(2).Probe = refused },
			after: func(c *cluster) { c.broker(2).Probe = timeout },
			why:   "how a silent broker fails flips while its host goes down: not a change"},
		{name: "not probed says nothing", after: func(c *cluster) { c.broker(1).Probe = snapshot.Probe{Status: snapshot.StatusNotProbed} }},
		{name: "broker fenced", after: func(c *cluster) { c.broker(2).Fenced = true }, want: []string{"broker 2 fencing"}},
		{name: "broker unfenced", before: func(c *cluster) { c.broker(2).Fenced = true }, after: func(c *cluster) {},
			want: []string{"broker 2 fencing"}},
		{name: "fencing unknown is no change", before: func(c *cluster) { c.broker(2).FencedKnown = false },
			after: func(c *cluster) { c.broker(2).Fenced = true }, why: "without DescribeCluster v2 on both sides, Fenced says nothing"},
		{name: "broker gone", after: func(c *cluster) { c.s.Brokers = c.s.Brokers[:2] }, want: []string{"broker 3 registration"}},
		{name: "broker unregistered", after: func(c *cluster) { c.broker(3).Registered = false }, want: []string{"broker 3 registration"}},
		{name: "broker joined", before: func(c *cluster) { c.s.Brokers = c.s.Brokers[:2] }, after: func(c *cluster) {},
			want: []string{"broker 3 registration"}},
		{name: "broker address changed", after: func(c *cluster) { c.broker(2).Host = "kafka9" },
			want: []string{"broker 2 address"}},
		{name: "broker address unknown is no change", after: func(c *cluster) { c.broker(2).Host = "" }},

		// Topics.
		{name: "topic created and deleted", after: func(c *cluster) { c.topic("audit-log").Name = "audit-log-v2" },
			want: []string{"topic audit-log deleted 1->0", "topic audit-log-v2 created 0->1"}},
		{name: "topic recreated: partitions not compared, configs are",
			after: func(c *cluster) {
				c.topic("orders").ID = "new"
				c.p("orders", 1).LatestOffset = 0
				delete(c.topic("orders").Configs, "retention.ms")
			},
			want: []string{"topic orders recreated 3->3", "topic orders retention.ms 604800000->(absent)"},
			why:  "offsets of a new topic restart (not truncation); a recreated topic that lost its settings is a change"},
		{name: "topic resized", after: func(c *cluster) {
			t := c.topic("audit-log")
			t.Partitions = append(t.Partitions, part(1, 1, 0, []int32{1}, 0, 0))
		}, want: []string{"topic audit-log partitions changed 1->2"}},
		{name: "metadata unreadable is not deletion", after: metadataFailed,
			want: []string{"error new metadata"}, why: "a gap in the data is never a change"},

		// Partitions: leader, epoch, ISR, offsets.
		{name: "leader moved", after: func(c *cluster) { c.lead("orders", 2, 1, 5, 3, 1, 2) },
			want: []string{"orders/2 leader 3@4->1@5"}},
		{name: "leader re-elected at a new epoch", after: func(c *cluster) { c.lead("orders", 0, 1, 5, 1, 2, 3) },
			want: []string{"orders/0 leader 1@4->1@5"}},
		{name: "unknown epoch is no change", before: func(c *cluster) { c.p("orders", 0).LeaderEpoch = -1 }, after: func(c *cluster) {},
			why: "an epoch of -1 was not read (old metadata version)"},
		{name: "epoch bump without a leader is no change", before: func(c *cluster) { c.lead("audit-log", 0, -1, 1, 3) },
			after: func(c *cluster) { c.lead("audit-log", 0, -1, 2, 3) }, why: "there is no leader to change"},
		{name: "partition offline", after: func(c *cluster) { c.lead("audit-log", 0, -1, 1, 3) },
			want: []string{"audit-log/0 leader 3@1->-1@1"}},
		{name: "isr shrink", after: func(c *cluster) { c.lead("orders", 0, 1, 4, 1, 2) }, want: []string{"orders/0 isr -[3] +[]"}},
		{name: "isr expand", before: func(c *cluster) { c.lead("orders", 0, 1, 4, 1, 2) }, after: func(c *cluster) {},
			want: []string{"orders/0 isr -[] +[3]"}},
		{name: "isr reordered is no change", after: func(c *cluster) { c.lead("orders", 0, 1, 4, 3, 2, 1) }},
		{name: "offsets forward", after: func(c *cluster) {}, afterPoll: 1,
			want: []string{"orders/0 offsets start 1000->1000 end 50000->50500", "orders/1 offsets start 1000->1000 end 52000->52500",
				"orders/2 offsets start 1000->1000 end 51000->51500", "payments/0 offsets start 0->0 end 18000->18500",
				"payments/1 offsets start 0->0 end 18500->19000"},
			why: "the delta has every move; the watch words only offsets going backwards"},
		{name: "log end backwards", after: func(c *cluster) { c.p("orders", 1).LatestOffset = 100 },
			want: []string{"orders/1 offsets start 1000->1000 end 52000->100"}},
		{name: "log start forward and backwards", after: func(c *cluster) {
			c.p("orders", 0).EarliestOffset = 2000
			c.p("orders", 1).EarliestOffset = 10
		}, want: []string{"orders/0 offsets start 1000->2000 end 50000->50000", "orders/1 offsets start 1000->10 end 52000->52000"}},
		{name: "unknown offsets are no change", after: func(c *cluster) { c.p("orders", 1).LatestOffset, c.p("orders", 1).EarliestOffset = -1, -1 }},

		// Configs: added, changed, removed, not read.
		{name: "topic config changed", after: func(c *cluster) {
			c.topic("payments").Configs["min.insync.replicas"] = snapshot.ConfigValue{Value: "1"}
		}, want: []string{"topic payments min.insync.replicas 2->1"}},
		{name: "topic config added", after: func(c *cluster) {
			c.topic("payments").Configs["cleanup.policy"] = snapshot.ConfigValue{Value: "compact"}
		}, want: []string{"topic payments cleanup.policy (absent)->compact"}, why: "an added config is a change"},
		{name: "broker config removed", after: func(c *cluster) {
			delete(c.s.BrokerConfigs[1].Configs, "default.replication.factor")
		}, want: []string{"broker 2 default.replication.factor 3->(absent)"}, why: "a removed config is a change"},
		{name: "sensitive values compare equal", before: func(c *cluster) {
			c.s.BrokerConfigs[0].Configs["ssl.key.password"] = snapshot.ConfigValue{Value: "", Sensitive: true}
		}, after: func(c *cluster) {
			c.s.BrokerConfigs[0].Configs["ssl.key.password"] = snapshot.ConfigValue{Value: "", Sensitive: true}
		}},
		{name: "configs not read is no change", after: func(c *cluster) { c.topic("payments").Configs = nil; c.s.BrokerConfigs[0].Configs = nil }},

		// Groups and lag.
		{name: "group state", after: func(c *cluster) { c.s.Groups[0].State = "PreparingRebalance" },
			want: []string{"group billing state=true members=false lag=false"}},
		{name: "group members", after: func(c *cluster) {
			c.s.Groups[0].Members = append(c.s.Groups[0].Members, snapshot.GroupMember{ID: "billing-2"})
		}, want: []string{"group billing state=false members=true lag=false"}},
		{name: "group lag", after: func(c *cluster) { c.s.Groups[0].Offsets[0].Lag = 20000 },
			want: []string{"group billing state=false members=false lag=true"}},
		{name: "unknown state is no change", after: func(c *cluster) { c.s.Groups[0].State = "" }},
		{name: "group unreadable is no change", after: func(c *cluster) {
			c.s.Groups[0].State, c.s.Groups[0].Error = "Dead", "COORDINATOR_NOT_AVAILABLE"
		}},
		{name: "group created", after: func(c *cluster) {
			c.s.Groups = append(c.s.Groups, snapshot.Group{ID: "reports", State: "Empty", Coordinator: 2})
		}, want: []string{"group reports created"}},
		{name: "group deleted", after: func(c *cluster) { c.s.Groups = nil }, want: []string{"group billing deleted"}},
		{name: "group of a silent coordinator is not deleted", after: func(c *cluster) {
			c.s.Groups = nil
			c.broker(1).Probe = refused
		}, want: []string{"broker 1 reachability"}, why: "groups are listed only of brokers that answer"},
		{name: "group listing failed is no deletion", after: func(c *cluster) {
			c.s.Groups = nil
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceGroups, Broker: 1, Kind: snapshot.KindTimeout, Message: "timeout"}}
		}, want: []string{"error new groups from broker 1"}},

		// Log dirs and collection errors.
		{name: "log dir failed", after: func(c *cluster) { c.s.LogDirs[1].Error = "KAFKA_STORAGE_ERROR" },
			want: []string{`log dir 2 /var/lib/kafka ""->"KAFKA_STORAGE_ERROR"`}},
		{name: "log dir not read is no change", after: func(c *cluster) { c.s.LogDirs = nil }},
		{name: "errors appear and clear, by source not message", before: func(c *cluster) {
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceOffsets, Broker: 1, Kind: snapshot.KindTimeout, Message: "after 3.1s"},
				{Source: snapshot.SourceLogDirs, Broker: 3, Kind: snapshot.KindRefused, Message: "refused"}}
		}, after: func(c *cluster) {
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceOffsets, Broker: 1, Kind: snapshot.KindTimeout, Message: "after 3.2s"},
				{Source: snapshot.SourceACLs, Broker: -1, Kind: snapshot.KindTimeout, Message: "timeout"}}
		}, want: []string{"error new acls", "error cleared log_dirs from broker 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, after := newCluster(t0, 0), newCluster(t0.Add(5*time.Second), tt.afterPoll)
			if tt.before != nil {
				tt.before(before)
			}
			tt.after(after)
			before.s.Normalize()
			after.s.Normalize()
			got := deltaLines(Changes(before.s, after.s))
			if !slices.Equal(got, tt.want) {
				t.Errorf("changes:\n  %q\nwant\n  %q\n(%s)", got, tt.want, tt.why)
			}
		})
	}
}

func TestChangesNilIsEmpty(t *testing.T) {
	s := newCluster(t0, 0).s
	for _, d := range []Delta{Changes(nil, s), Changes(s, nil)} {
		if got := deltaLines(d); len(got) != 0 {
			t.Errorf("delta with a nil side = %q", got)
		}
	}
}
