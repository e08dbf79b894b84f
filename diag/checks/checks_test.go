package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// cluster builds a snapshot of three healthy brokers; options break it.
func cluster(opts ...func(*snapshot.Snapshot)) *snapshot.Snapshot {
	s := &snapshot.Snapshot{SchemaVersion: 1, ControllerID: 1}
	for id := int32(1); id <= 3; id++ {
		s.Brokers = append(s.Brokers, snapshot.Broker{
			ID: id, Host: "127.0.0.1", Port: 9090 + id, Registered: true, FencedKnown: true,
			Probe: snapshot.Probe{Status: snapshot.StatusOK},
		})
	}
	s.Topics = []snapshot.Topic{
		topic("orders", 3, "2", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}),
	}
	for _, o := range opts {
		o(s)
	}
	s.Normalize()
	return s
}

func topic(name string, rf int, minISR string, assignment [][]int32) snapshot.Topic {
	t := snapshot.Topic{Name: name, ReplicationFactor: rf, Configs: map[string]snapshot.ConfigValue{
		"min.insync.replicas": {Value: minISR}, "unclean.leader.election.enable": {Value: "false"},
	}}
	for i, replicas := range assignment {
		t.Partitions = append(t.Partitions, snapshot.Partition{
			Topic: name, ID: int32(i), Leader: replicas[0], LeaderEpoch: 5,
			Replicas: replicas, ISR: slices.Clone(replicas), EarliestOffset: 0, LatestOffset: 100,
		})
	}
	return t
}

// killBroker makes the snapshot look like KRaft after broker id was fenced:
// it leaves every ISR it was not the last member of, and leaders move.
func killBroker(id int32) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		for i := range s.Brokers {
			if s.Brokers[i].ID == id {
				s.Brokers[i].Fenced = true
				s.Brokers[i].Probe = snapshot.Probe{Status: snapshot.StatusRefused, Error: "connection refused"}
			}
		}
		for ti := range s.Topics {
			for pi := range s.Topics[ti].Partitions {
				p := &s.Topics[ti].Partitions[pi]
				if !slices.Contains(p.Replicas, id) {
					continue
				}
				p.OfflineReplicas = []int32{id}
				if len(p.ISR) == 1 && p.ISR[0] == id {
					p.Leader = -1
					continue
				}
				p.ISR = slices.DeleteFunc(p.ISR, func(r int32) bool { return r == id })
				if p.Leader == id {
					p.Leader, p.LeaderEpoch = p.ISR[0], p.LeaderEpoch+1
				}
			}
		}
	}
}

func codes(res Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s %s", f.Code, f.Subject()))
	}
	slices.Sort(out)
	return out
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name     string
		snap     *snapshot.Snapshot
		previous *snapshot.Snapshot
		want     []string
	}{
		{
			name: "healthy cluster has no findings",
			snap: cluster(),
			want: nil,
		},
		{
			name: "killed broker: down, under-replicated, at min ISR, offline RF1 (no other replica: no unclean election)",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Topics = append(s.Topics, topic("audit", 1, "1", [][]int32{{3}}), topic("payments", 2, "2", [][]int32{{1, 3}}))
				killBroker(3)(s)
			}),
			want: []string{
				"AT_MIN_ISR orders/0", "AT_MIN_ISR orders/1", "AT_MIN_ISR orders/2",
				"BROKER_DOWN broker 3",
				"LOW_REPLICATION_FACTOR audit", "LOW_REPLICATION_FACTOR payments",
				"MIN_ISR_TOO_LOW payments",
				"OFFLINE_PARTITION audit/0", "OFFLINE_REPLICA broker 3",
				// No leader takes no write (kafka-topics.sh counts it under
				// min ISR); its one-replica ISR is complete, so it is not
				// under-replicated.
				"UNDER_MIN_ISR audit/0", "UNDER_MIN_ISR payments/0",
				"UNDER_REPLICATED orders/0", "UNDER_REPLICATED orders/1",
				"UNDER_REPLICATED orders/2", "UNDER_REPLICATED payments/0",
			},
		},
		{
			name: "hung broker is unresponsive, not down",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Brokers[1].Probe = snapshot.Probe{Status: snapshot.StatusTimeout}
			}),
			want: []string{"BROKER_UNRESPONSIVE broker 2"},
		},
		{
			name: "refusing registered broker is unreachable",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Brokers[2].Probe = snapshot.Probe{Status: snapshot.StatusRefused}
			}),
			want: []string{"BROKER_UNREACHABLE broker 3"},
		},
		{
			name: "unregistered id in replica lists is down",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Brokers = s.Brokers[:2]
				s.Brokers = append(s.Brokers, snapshot.Broker{ID: 3, Probe: snapshot.Probe{Status: snapshot.StatusNotProbed}})
			}),
			// orders/2's leader is that unregistered id: unavailable, as
			// kafka-topics.sh --unavailable-partitions lists it.
			want: []string{"BROKER_DOWN broker 3", "OFFLINE_PARTITION orders/2"},
		},
		{
			// Before Kafka 4.0 (and on ZooKeeper) no DescribeCluster lists it as fenced: the
			// collector found it at its bootstrap address.
			name: "unregistered broker still answering is fenced, not down",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Brokers[2].Registered = false
				s.Brokers[2].LearnedFrom = []string{"replicas", "bootstrap"}
			}),
			// orders/2 is still led by it in this fixture: a leader the cluster does not
			// list serves nobody the cluster sends.
			want: []string{"BROKER_FENCED broker 3", "OFFLINE_PARTITION orders/2"},
		},
		{
			name: "fenced broker without replicas is not a finding",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Brokers = append(s.Brokers, snapshot.Broker{ID: 4, Registered: true, Fenced: true, FencedKnown: true})
			}),
			want: nil,
		},
		{
			name: "zombie claims leadership at an old epoch; another broker is stale",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.BrokerViews = []snapshot.BrokerView{
					{Broker: 1, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}, Differences: []snapshot.LeaderView{{Topic: "orders", Partition: 0, Leader: 1, LeaderEpoch: 4}}},
					{Broker: 2, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}, Differences: []snapshot.LeaderView{{Topic: "orders", Partition: 0, Leader: 2, LeaderEpoch: 6}}},
					{Broker: 3, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 3}, Differences: []snapshot.LeaderView{{Topic: "orders", Partition: 0, Leader: 1, LeaderEpoch: 4}}},
				}
			}),
			want: []string{"STALE_METADATA broker 3", "ZOMBIE_LEADER broker 1 orders/0"},
		},
		{
			// The cluster metadata came from the zombie itself: its view has no
			// differences, the others' newer epoch is the truth.
			name: "zombie whose answer is the cluster metadata",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.BrokerViews = []snapshot.BrokerView{
					{Broker: 1, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}},
					{Broker: 2, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}, Differences: []snapshot.LeaderView{{Topic: "orders", Partition: 0, Leader: 2, LeaderEpoch: 6}}},
					{Broker: 3, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}, Differences: []snapshot.LeaderView{{Topic: "orders", Partition: 0, Leader: 2, LeaderEpoch: 6}}},
				}
			}),
			want: []string{"ZOMBIE_LEADER broker 1 orders/0"},
		},
		{
			name: "a partition a broker did not list is not stale there",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.BrokerViews = []snapshot.BrokerView{
					{Broker: 2, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}, Differences: []snapshot.LeaderView{{Topic: "orders", Partition: 0, Leader: 2, LeaderEpoch: 6}}},
					{Broker: 3, Probe: snapshot.Probe{Status: "ok"}, Brokers: []int32{1, 2, 3}, Missing: []snapshot.PartitionRef{{Topic: "orders", Partition: 0}}},
				}
			}),
			want: nil,
		},
		{
			name:     "log end went backwards since the previous snapshot",
			previous: cluster(),
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Topics[0].Partitions[1].LatestOffset = 60
			}),
			want: []string{"DATA_LOSS orders/1"},
		},
		{
			name: "retention deleted records a group had not read",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Topics[0].Partitions[0].EarliestOffset = 80
				s.Groups = []snapshot.Group{{ID: "billing", Offsets: []snapshot.GroupOffset{
					{Topic: "orders", Partition: 0, Committed: 50}, {Topic: "orders", Partition: 1, Committed: 90},
				}}}
			}),
			want: []string{"LOG_START_ADVANCED orders/0 group billing"},
		},
		{
			name: "config hygiene",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.Topics[0].Configs["unclean.leader.election.enable"] = snapshot.ConfigValue{Value: "true", Source: "DYNAMIC_TOPIC_CONFIG"}
				s.Topics[0].Configs["min.insync.replicas"] = snapshot.ConfigValue{Value: "1"}
			}),
			want: []string{"MIN_ISR_TOO_LOW orders", "UNCLEAN_ELECTION_ENABLED orders"},
		},
		{
			name: "failed log dir",
			snap: cluster(func(s *snapshot.Snapshot) {
				s.LogDirs = []snapshot.LogDir{{Broker: 2, Path: "/data/a", Error: "KAFKA_STORAGE_ERROR"}, {Broker: 2, Path: "/data/b"}}
			}),
			want: []string{"LOG_DIR_OFFLINE broker 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes(Run(Input{Snap: tt.snap, Previous: tt.previous}, nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got  %s\n want %s", strings.Join(got, ", "), strings.Join(tt.want, ", "))
			}
		})
	}
}

func TestNothingKnownCannotBeEvaluated(t *testing.T) {
	res := Run(Input{Snap: &snapshot.Snapshot{}}, nil)
	if len(res.Findings) != 0 {
		t.Fatalf("findings on an empty snapshot: %v", res.Findings)
	}
	checks := map[string]bool{}
	for _, u := range res.Unevaluated {
		checks[u.Check] = true
	}
	for _, name := range []string{"broker-health", "partition-availability", "metadata-divergence"} {
		if !checks[name] {
			t.Errorf("check %s did not say it could not evaluate; got %+v", name, res.Unevaluated)
		}
	}
	// Without --since, offsets going backwards was not asked for: skipped,
	// which is not a gap.
	skipped := map[string]bool{}
	for _, s := range res.Skipped {
		skipped[s.Check] = true
	}
	if !skipped["offsets-backwards"] || checks["offsets-backwards"] {
		t.Errorf("skipped %+v; want offsets-backwards, and not as a gap", res.Skipped)
	}
}

// TestAFailedSourceIsAGapOfEveryCheckThatReadsIt: a broker that answers
// Metadata but none of the other requests leaves no check silently passed.
func TestAFailedSourceIsAGapOfEveryCheckThatReadsIt(t *testing.T) {
	snap := cluster(func(s *snapshot.Snapshot) {
		s.Groups = nil
		s.Errors = append(s.Errors,
			snapshot.CollectError{Source: snapshot.SourceGroups, Broker: 2, Kind: snapshot.KindTimeout, Message: "no answer within 3s"},
			snapshot.CollectError{Source: snapshot.SourceBrokerView, Broker: 2, Kind: snapshot.KindTimeout, Message: "no answer within 3s"},
			snapshot.CollectError{Source: snapshot.SourceTopicConfigs, Broker: 2, Kind: snapshot.KindTimeout, Message: "no answer within 3s"})
	})
	res := Run(Input{Snap: snap}, nil)
	gaps := map[string]string{}
	for _, u := range res.Unevaluated {
		gaps[u.Check] = u.Reason
	}
	if _, ok := gaps["metadata-divergence"]; !ok {
		t.Error("metadata-divergence has no gap though broker 2's view failed")
	}
	for _, name := range []string{"log-start-past-committed", "topic-config", "replication"} {
		if !strings.Contains(gaps[name], "broker 2") {
			t.Errorf("check %s has no gap naming broker 2: %q", name, gaps[name])
		}
	}
	if _, ok := gaps["broker-health"]; ok {
		t.Errorf("broker-health reads none of the failed sources, yet has a gap: %q", gaps["broker-health"])
	}
}

// TestAPanickingCheckIsAGapNotALoss: one broken rule neither stops the
// others nor passes as OK.
func TestAPanickingCheckIsAGapNotALoss(t *testing.T) {
	boom := Check{Name: "boom", Run: func(Input, *Reporter) { panic("index out of range") }}
	res := Run(Input{Snap: cluster(killBroker(3))}, append([]Check{boom}, All()...))
	if len(res.Findings) == 0 {
		t.Error("the other checks' findings were lost")
	}
	if len(res.Unevaluated) == 0 || res.Unevaluated[0].Check != "boom" || !strings.Contains(res.Unevaluated[0].Reason, "internal error") {
		t.Errorf("unevaluated %+v; want an internal error of check boom", res.Unevaluated)
	}
}

func TestSeveritiesComeFromTheCatalogue(t *testing.T) {
	res := Run(Input{Snap: cluster(killBroker(3))}, nil)
	for _, f := range res.Findings {
		e, ok := findings.Lookup(f.Code)
		if !ok {
			t.Fatalf("code %s not in catalogue", f.Code)
		}
		if f.Severity != e.Severity {
			t.Errorf("%s severity %s, catalogue says %s", f.Code, f.Severity, e.Severity)
		}
	}
	if w, _ := findings.Worst(res.Findings); w != findings.Critical {
		t.Errorf("worst = %s, want critical", w)
	}
}

func TestEveryCheckCodeIsCatalogued(t *testing.T) {
	for _, c := range All() {
		for _, code := range c.Codes {
			if _, ok := findings.Lookup(code); !ok {
				t.Errorf("check %s emits uncatalogued code %s", c.Name, code)
			}
		}
	}
}

// TestLogStartAdvancedIsCriticalOnlyForActiveGroups: retention passing the
// commit of a group with members loses data a live consumer wanted; for a
// group without members it is a warning saying it looks abandoned.
func TestLogStartAdvancedIsCriticalOnlyForActiveGroups(t *testing.T) {
	for _, tc := range []struct {
		state   string
		members int
		want    findings.Severity
	}{
		{"Stable", 1, findings.Critical},
		{"PreparingRebalance", 0, findings.Critical},
		{"Empty", 0, findings.Warning},
		{"Dead", 0, findings.Warning},
		{"", 2, findings.Critical},
	} {
		snap := cluster(func(s *snapshot.Snapshot) {
			for i := range s.Topics {
				for j := range s.Topics[i].Partitions {
					s.Topics[i].Partitions[j].EarliestOffset = 100
				}
			}
			g := snapshot.Group{ID: "billing", State: tc.state, Offsets: []snapshot.GroupOffset{{Topic: "orders", Partition: 0, Committed: 40, Latest: 200, Lag: 160}}}
			for range tc.members {
				g.Members = append(g.Members, snapshot.GroupMember{ID: "m"})
			}
			s.Groups = []snapshot.Group{g}
		})
		res := Run(Input{Snap: snap}, Named("log-start-past-committed"))
		if len(res.Findings) != 1 || res.Findings[0].Severity != tc.want || res.Findings[0].Group != "billing" {
			t.Errorf("state %q, %d members: findings %+v, want one %s for group billing", tc.state, tc.members, res.Findings, tc.want)
			continue
		}
		if abandoned := strings.Contains(res.Findings[0].Summary, "looks abandoned"); abandoned != (tc.want == findings.Warning) {
			t.Errorf("state %q: summary %q", tc.state, res.Findings[0].Summary)
		}
	}
}

// TestOfflinePartitionSaysWhatBringsItBack: with ELR (KIP-966) read, an
// emptied ISR is not a reason for an unclean election while an eligible
// leader replica exists; a single replica has no other copy to elect.
func TestOfflinePartitionSaysWhatBringsItBack(t *testing.T) {
	offline := func(isr, elr, lastKnown []int32, elrKnown bool, kill ...int32) *snapshot.Snapshot {
		return cluster(func(s *snapshot.Snapshot) {
			for _, id := range kill {
				killBroker(id)(s)
			}
			tp := &s.Topics[0]
			tp.ELRKnown = elrKnown
			p := &tp.Partitions[0]
			p.Leader, p.ISR, p.ELR, p.LastKnownELR = -1, isr, elr, lastKnown
		})
	}
	cases := []struct {
		name    string
		snap    *snapshot.Snapshot
		unclean bool
		summary string
		gap     bool
	}{
		{"1 ELR member down: bring it back, no loss", offline([]int32{}, []int32{3}, nil, true, 2, 3), false, "bring back broker 3: an eligible leader replica", false},
		{"2 ELR member up: the controller can elect it", offline([]int32{}, []int32{1}, nil, true, 2, 3), false, "broker 1 is an eligible leader replica (KIP-966) and up", false},
		{"3 ISR and ELR empty: only last known ELR or others, with loss", offline([]int32{}, []int32{}, []int32{3}, true, 3), true, "no eligible leader replica", false},
		{"4 ELR not read and ISR empty: cannot tell", offline([]int32{}, nil, nil, false, 3), false, "has no leader and an empty ISR", true},
		{"5 last ISR member down without ELR: unclean election only way without it", offline([]int32{3}, nil, nil, false, 3), true, "waiting for broker 3 of its last ISR", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Run(Input{Snap: tc.snap}, Named("partition-availability"))
			var offlineSummary string
			unclean := false
			for _, f := range res.Findings {
				switch {
				case f.Code == findings.OfflinePartition && f.Topic == "orders" && *f.Partition == 0:
					offlineSummary = f.Summary
				case f.Code == findings.UncleanElectionRequired && f.Topic == "orders" && *f.Partition == 0:
					unclean = true
				}
			}
			if !strings.Contains(offlineSummary, tc.summary) {
				t.Errorf("OFFLINE_PARTITION summary %q lacks %q", offlineSummary, tc.summary)
			}
			if unclean != tc.unclean {
				t.Errorf("UNCLEAN_ELECTION_REQUIRED %v, want %v", unclean, tc.unclean)
			}
			if gap := len(res.Unevaluated) > 0; gap != tc.gap {
				t.Errorf("gaps %+v, want gap %v", res.Unevaluated, tc.gap)
			}
		})
	}
}

// TestConfigHygieneDuringAReassignment: the replica a reassignment adds is
// not the topic's replication factor yet, so an RF 2 topic still has its
// configuration findings while a third replica is being added.
func TestConfigHygieneDuringAReassignment(t *testing.T) {
	snap := cluster(func(s *snapshot.Snapshot) {
		tp := topic("moving", 2, "2", [][]int32{{1, 2}})
		tp.Partitions[0].Replicas = []int32{1, 2, 3}
		tp.ReplicationFactor = 3 // as Metadata's replica lists make it
		s.Topics = append(s.Topics, tp)
		s.Reassignments = []snapshot.Reassignment{{Topic: "moving", Partition: 0, Replicas: []int32{1, 2, 3}, AddingReplicas: []int32{3}}}
	})
	got := codes(Run(Input{Snap: snap}, Named("topic-config", "replication")))
	want := []string{"LOW_REPLICATION_FACTOR moving", "MIN_ISR_TOO_LOW moving", "REASSIGNMENT_IN_PROGRESS moving/0"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// TestTimeLagDeniedIsSkippedNotAGap: without READ on the topics (optional
// in docs/SECURITY.md) the age of unread records cannot be read; that is
// what the principal was granted, not a gap. A timeout still is one.
func TestTimeLagDeniedIsSkippedNotAGap(t *testing.T) {
	for _, tc := range []struct {
		kind string
		gap  bool
	}{{snapshot.KindAuthorization, false}, {snapshot.KindTimeout, true}} {
		snap := cluster(func(s *snapshot.Snapshot) {
			s.Groups = []snapshot.Group{{ID: "billing", State: "Stable", Members: []snapshot.GroupMember{{ID: "m"}},
				Offsets: []snapshot.GroupOffset{{Topic: "orders", Partition: 0, Committed: 40, Latest: 100, Lag: 60}}}}
			s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceTimeLag, Broker: 1, Kind: tc.kind, Message: "TOPIC_AUTHORIZATION_FAILED"})
		})
		res := Run(Input{Snap: snap}, Named("lag-retention"))
		if gap := len(res.Unevaluated) > 0; gap != tc.gap {
			t.Errorf("time lag %s: gaps %+v, want a gap %v", tc.kind, res.Unevaluated, tc.gap)
		}
		if !tc.gap && (len(res.Skipped) == 0 || !strings.Contains(res.Skipped[0].Reason, "no READ on the topics")) {
			t.Errorf("time lag denied: skipped %+v, want the reason named", res.Skipped)
		}
	}
}
