package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// hygieneCodes are the codes `kafka-runbook audit` reports.
var hygieneCodes = []string{
	"PREFERRED_LEADER_IMBALANCE", "LEADER_SKEW", "REPLICA_SKEW", "RACK_SPREAD", "BROKER_WITHOUT_RACK",
	"TLS_CERT_EXPIRING", "TLS_CERT_EXPIRED", "TLS_CERT_HOSTNAME_MISMATCH", "BROKER_CONFIG_DRIFT",
	"MIXED_BROKER_VERSIONS", "REPLICATION_THROTTLE_LEFT", "AUTO_CREATE_TOPICS_ENABLED",
}

// hygieneCluster is one cluster carrying every hygiene fault that does not
// interfere with the others: brokers 1 and 2 in rack r1 and 3 in r2; broker
// 2 started with log.retention.hours=24; broker 3's TLS certificate
// expiring in three days (the others valid for a year); a TLS listener
// kafka-runbook connects through, so every probe records a chain.
type hygieneCluster struct {
	*kafkatest.Cluster
	props   string
	started time.Time
}

const hygieneListener = "TLS"

func startHygiene(t *testing.T) *hygieneCluster {
	t.Helper()
	started := time.Now()
	c := kafkatest.Start(t, kafkatest.Options{
		NodeProperties: map[int32]map[string]string{
			1: {"broker.rack": "r1"},
			2: {"broker.rack": "r1", "log.retention.hours": "24"},
			3: {"broker.rack": "r2"},
		},
		Security: &kafkatest.Security{
			Listeners:    []kafkatest.Listener{{Name: hygieneListener, Protocol: kafkatest.ProtocolSSL}},
			CertValidity: map[int32]time.Duration{3: 72 * time.Hour},
		},
	})
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, c.CA().CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	props := filepath.Join(dir, "client.properties")
	if err := os.WriteFile(props, []byte("security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location="+ca+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// same-rack's replicas are brokers 1 and 2, both in r1; spread's
	// partitions each prefer another broker; moved is reassigned later.
	c.CreateTopic(t, "same-rack", [][]int32{{1, 2}, {2, 1}}, nil)
	c.CreateTopic(t, "spread", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.CreateTopic(t, "moved", [][]int32{{1, 3}}, nil)
	c.Produce(t, "moved", 0, 50)
	return &hygieneCluster{Cluster: c, props: props, started: started}
}

// run runs a command through the TLS listener.
func (hc *hygieneCluster) run(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, append(args, "-b", strings.Join(hc.ListenerBootstrap(hygieneListener), ","), "--command-config", hc.props)...)
}

// audit runs `audit -o json` and decodes it.
func (hc *hygieneCluster) audit(t *testing.T) (report, result) {
	t.Helper()
	r := hc.run(t, "audit", "-o", "json")
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("audit output is not JSON (exit %d): %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	t.Logf("audit took %s, exit %d: %v", r.elapsed.Round(time.Millisecond), r.code, keys(rep, hygieneCodes...))
	return rep, r
}

// TestHygiene proves the hygiene checks on one real cluster, fault by
// fault, in an order where each leaves the next one's evidence intact.
func TestHygiene(t *testing.T) {
	began := time.Now()
	hc := startHygiene(t)
	for _, st := range []struct {
		name string
		run  func(*testing.T, *hygieneCluster)
	}{
		{"racks, an expiring certificate and a drifted config", testHygieneAtStart},
		{"a throttle left after a completed reassignment", testThrottleLeft},
		{"leader imbalance after a restart, and a broker restarted without its rack", testImbalanceAfterRestart},
		{"topic configs that weaken durability", testWeakTopicConfigs},
	} {
		if !t.Run(st.name, func(t *testing.T) { st.run(t, hc) }) {
			break // each step builds on the one before
		}
	}
	t.Logf("TestHygiene took %s in all", time.Since(began).Round(time.Second))
}

func testHygieneAtStart(t *testing.T, hc *hygieneCluster) {
	rep, r := hc.audit(t)
	if r.code != 2 {
		t.Errorf("audit exit %d, want 2 (a certificate expires within 7 days)", r.code)
	}
	want := []string{
		"BROKER_CONFIG_DRIFT broker 2", "RACK_SPREAD same-rack/0", "RACK_SPREAD same-rack/1", "TLS_CERT_EXPIRING broker 3",
	}
	if got := keys(rep, hygieneCodes...); !slices.Equal(got, want) {
		t.Errorf("hygiene findings = %q, want %q", got, want)
	}
	if len(rep.Unevaluated) > 0 {
		t.Errorf("gaps: %+v", rep.Unevaluated)
	}
	for _, f := range rep.Findings {
		switch f.Code {
		case "TLS_CERT_EXPIRING":
			notAfter, err := time.Parse(time.RFC3339, f.Evidence["not_after"].(string))
			expected := hc.started.Add(72 * time.Hour)
			if err != nil || notAfter.Before(expected.Add(-2*time.Minute)) || notAfter.After(time.Now().Add(72*time.Hour)) {
				t.Errorf("not_after %v (%v), want about %s", f.Evidence["not_after"], err, expected.UTC().Format(time.RFC3339))
			}
			if f.Severity != "critical" || f.Evidence["listener"] != hygieneListener || !strings.Contains(f.Summary, notAfter.Format(time.RFC3339)) {
				t.Errorf("expiring certificate: %+v", f)
			}
		case "BROKER_CONFIG_DRIFT":
			if f.Evidence["config"] != "log.retention.hours" || f.Evidence["value"] != "24" || f.Evidence["common_value"] != "168" {
				t.Errorf("drift: %+v", f)
			}
		}
	}
	// Triage shows the urgent one only: the certificate, not racks or drift.
	tr := hc.run(t, "triage", "-o", "json")
	var trep report
	if err := json.Unmarshal([]byte(tr.stdout), &trep); err != nil {
		t.Fatalf("triage: %v\n%s", err, tr.stderr)
	}
	if got := keys(trep, hygieneCodes...); !slices.Equal(got, []string{"TLS_CERT_EXPIRING broker 3"}) || tr.code != 2 {
		t.Errorf("triage (exit %d) hygiene findings = %q, want only the expiring certificate", tr.code, got)
	}
	// describe security shows every broker's chain.
	ds := hc.run(t, "describe", "security", "-o", "json")
	var view struct {
		Certificates []struct {
			Broker   int32  `json:"broker"`
			NotAfter string `json:"not_after"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(ds.stdout), &view); err != nil || len(view.Certificates) < kafkatest.NumBrokers {
		t.Errorf("describe security certificates (%v): %s", err, ds.stdout)
	}
}

func testThrottleLeft(t *testing.T, hc *hygieneCluster) {
	hc.Reassign(t, "moved", 0, []int32{2, 3}, 10_000_000)
	var rep report
	eventually(t, 60*time.Second, "the reassignment completes, leaving its throttle", func() bool {
		rep, _ = hc.audit(t)
		return slices.Contains(keys(rep, "REPLICATION_THROTTLE_LEFT"), "REPLICATION_THROTTLE_LEFT moved")
	})
	got := keys(rep, "REPLICATION_THROTTLE_LEFT")
	for _, want := range []string{"REPLICATION_THROTTLE_LEFT moved", "REPLICATION_THROTTLE_LEFT broker 2"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s missing: %q", want, got)
		}
	}
}

func testImbalanceAfterRestart(t *testing.T, hc *hygieneCluster) {
	hc.SetNodeProperty(t, 3, "broker.rack", "")
	hc.Restart(t, 3)
	var rep report
	eventually(t, 60*time.Second, "broker 3 back in the ISR of spread/2, led elsewhere", func() bool {
		rep, _ = hc.audit(t)
		return slices.Contains(keys(rep, "PREFERRED_LEADER_IMBALANCE"), "PREFERRED_LEADER_IMBALANCE broker 3") &&
			!strings.Contains(hygieneFinding(rep, "PREFERRED_LEADER_IMBALANCE").Summary, "would move 0 now")
	})
	f := hygieneFinding(rep, "PREFERRED_LEADER_IMBALANCE")
	if f.Severity != "warning" || !strings.Contains(f.Summary, "auto.leader.rebalance.enable=false") {
		t.Errorf("imbalance: %+v", f)
	}
	// Only r1 is left: no spread to judge, and broker 3 has no rack.
	if got := keys(rep, "RACK_SPREAD", "BROKER_WITHOUT_RACK"); !slices.Equal(got, []string{"BROKER_WITHOUT_RACK broker 3"}) {
		t.Errorf("rack findings = %q, want broker 3 without a rack", got)
	}
	t.Logf("kafka-leader-election.sh: %s", hc.ElectPreferredLeaders(t))
	eventually(t, 30*time.Second, "the preferred election moves the leaders back", func() bool {
		rep, _ = hc.audit(t)
		return len(keys(rep, "PREFERRED_LEADER_IMBALANCE")) == 0
	})
}

// testWeakTopicConfigs: topics created with one replica, with min.insync.replicas equal to
// their two replicas, and with unclean leader election allowed are named by triage's topic
// config check, each on its own topic.
func testWeakTopicConfigs(t *testing.T, hc *hygieneCluster) {
	hc.CreateTopic(t, "lax-rf1", [][]int32{{1}}, nil)
	hc.CreateTopic(t, "lax-minisr", [][]int32{{1, 2}}, map[string]string{"min.insync.replicas": "2"})
	hc.CreateTopic(t, "lax-unclean", [][]int32{{1, 2, 3}}, map[string]string{"unclean.leader.election.enable": "true"})
	defer deleteTopics(t, hc.Cluster, "lax-rf1", "lax-minisr", "lax-unclean")
	var rep report
	eventually(t, 30*time.Second, "triage to name the three topics", func() bool {
		r := hc.run(t, "triage", "-o", "json")
		rep = report{}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("triage output is not JSON (exit %d): %v\n%s", r.code, err, r.stderr)
		}
		return len(keys(rep, "UNCLEAN_ELECTION_ENABLED")) > 0
	})
	// The earlier steps' two-replica topics (moved, same-rack) are named too: only these are asserted.
	got := slices.DeleteFunc(keys(rep, "LOW_REPLICATION_FACTOR", "MIN_ISR_TOO_LOW", "UNCLEAN_ELECTION_ENABLED"),
		func(k string) bool { return !strings.Contains(k, " lax-") })
	want := []string{"LOW_REPLICATION_FACTOR lax-minisr", "LOW_REPLICATION_FACTOR lax-rf1", "MIN_ISR_TOO_LOW lax-minisr", "UNCLEAN_ELECTION_ENABLED lax-unclean"}
	if !slices.Equal(got, want) {
		t.Errorf("topic config findings:\n got  %q\n want %q", got, want)
	}
}

// hygieneFinding returns the first finding of code.
func hygieneFinding(rep report, code string) finding {
	for _, f := range rep.Findings {
		if f.Code == code {
			return f
		}
	}
	return finding{}
}
