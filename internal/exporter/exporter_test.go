package exporter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

func partition(code, topic string, p int32) findings.Finding {
	return findings.Finding{Code: code, Severity: findings.Warning, Topic: topic, Partition: findings.Int32(p)}
}

func TestSubjectSeriesBoundsEachCode(t *testing.T) {
	var many []findings.Finding
	for p := range int32(100) {
		many = append(many, partition(findings.UnderReplicated, "orders", p))
	}
	broker := findings.Finding{Code: findings.BrokerDown, Severity: findings.Critical, Broker: findings.Int32(0)}
	tests := []struct {
		name string
		in   []findings.Finding
		max  int
		want []string // code broker topic partition group = count
	}{
		{"nothing", nil, 3, nil},
		{"broker 0 is a subject, not absent", []findings.Finding{broker}, 3, []string{"BROKER_DOWN 0 - - - =1"}},
		{"under the bound: one series each", many[:2], 3, []string{"UNDER_REPLICATED - orders 0 - =1", "UNDER_REPLICATED - orders 1 - =1"}},
		{"over the bound: the rest summed into _other", many, 2, []string{
			"UNDER_REPLICATED - orders 0 - =1", "UNDER_REPLICATED - orders 1 - =1", "UNDER_REPLICATED _other _other _other _other =98"}},
		{"the bound is per code", append([]findings.Finding{broker}, many[:3]...), 1, []string{
			"BROKER_DOWN 0 - - - =1", "UNDER_REPLICATED - orders 0 - =1", "UNDER_REPLICATED _other _other _other _other =2"}},
		{"the same subject twice counts twice", []findings.Finding{many[0], many[0]}, 3, []string{"UNDER_REPLICATED - orders 0 - =2"}},
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range SubjectSeries(tt.in, tt.max) {
				got = append(got, fmt.Sprintf("%s %s %s %s %s =%d", s.Code, dash(s.Broker), dash(s.Topic), dash(s.Partition), dash(s.Group), s.Count))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCodeCountsCoverTheCatalogue(t *testing.T) {
	counts := CodeCounts([]findings.Finding{partition(findings.UnderReplicated, "a", 0), partition(findings.UnderReplicated, "a", 1)})
	if len(counts) != len(findings.Catalogue()) {
		t.Fatalf("%d counts for %d codes: every code must have its series", len(counts), len(findings.Catalogue()))
	}
	for _, c := range counts {
		want := 0
		if c.Code == findings.UnderReplicated {
			want = 2
		}
		if c.Count != want {
			t.Fatalf("%s: %d, want %d", c.Code, c.Count, want)
		}
	}
}

// TestCollectorIsValid registers the collector and lints what it exports.
func TestCollectorIsValid(t *testing.T) {
	report := triage.Report{Cluster: triage.Cluster{ID: "c-1"}, Findings: []findings.Finding{partition(findings.UnderReplicated, "a", 0)}}
	c := New(func() State {
		return State{Report: &report, Polls: 3, Failures: 1, LastOK: true, Errors: map[string]int{"offsets": 1}}
	}, 0)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	want := `# HELP kafka_runbook_finding Findings of the last triage by subject: at most the per-code bound of series per code, the rest summed into subject "_other".
# TYPE kafka_runbook_finding gauge
kafka_runbook_finding{broker="",cluster_id="c-1",code="UNDER_REPLICATED",group="",partition="0",severity="warning",topic="a"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), FindingMetric); err != nil {
		t.Fatal(err)
	}
}
