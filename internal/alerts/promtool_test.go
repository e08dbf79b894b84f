package alerts

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
	"gopkg.in/yaml.v3"
)

// requirePrometheusEnv makes the promtool tests mandatory (CI sets it):
// without it they skip where promtool is not installed.
const requirePrometheusEnv = "KAFKA_RUNBOOK_REQUIRE_PROMETHEUS"

func promtool(t *testing.T) string {
	return testkit.RequirePeer(t, requirePrometheusEnv, "prometheus", "promtool")
}

// outputs are every combination the alerts command can write.
func outputs() []struct {
	name string
	opts Options
	f    Format
} {
	zero := time.Duration(0)
	var out []struct {
		name string
		opts Options
		f    Format
	}
	for _, m := range AllMetrics {
		for _, f := range []Format{FormatRules, FormatPrometheusRule} {
			for _, hold := range []*time.Duration{nil, &zero} {
				name := fmt.Sprintf("%s-%s", m, f)
				if hold != nil {
					name += "-for0"
				}
				out = append(out, struct {
					name string
					opts Options
					f    Format
				}{name, Options{Metrics: m, For: hold}, f})
			}
		}
	}
	return out
}

// ruleFileOf writes what Write wrote as a plain rule file promtool reads:
// a PrometheusRule's spec is exactly a rule file.
func ruleFileOf(t *testing.T, dir string, data []byte, f Format) string {
	t.Helper()
	if f == FormatPrometheusRule {
		var doc struct {
			APIVersion string    `yaml:"apiVersion"`
			Kind       string    `yaml:"kind"`
			Spec       yaml.Node `yaml:"spec"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.APIVersion != "monitoring.coreos.com/v1" || doc.Kind != "PrometheusRule" {
			t.Fatalf("not a PrometheusRule: %s/%s", doc.APIVersion, doc.Kind)
		}
		var err error
		if data, err = yaml.Marshal(&doc.Spec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPromtoolCheckRules(t *testing.T) {
	tool := promtool(t)
	for _, o := range outputs() {
		t.Run(o.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, o.opts, o.f); err != nil {
				t.Fatal(err)
			}
			path := ruleFileOf(t, t.TempDir(), buf.Bytes(), o.f)
			out, err := exec.Command(tool, "check", "rules", path).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool check rules: %v\n%s\n%s", err, out, buf.String())
			}
			groups, _ := Groups(o.opts)
			if want := fmt.Sprintf("SUCCESS: %d rules found", len(groups[0].Rules)); !strings.Contains(string(out), want) {
				t.Fatalf("promtool said %q, want %q", out, want)
			}
		})
	}
}

// series is one input series of a promtool unit test.
type series struct{ name, values string }

// ruleCase proves one rule: the series that fire it (with the labels and
// $value of the alert at evalAt) and healthy series that must not.
type ruleCase struct {
	fire    []series
	labels  map[string]string // the alert's labels besides alertname, code and severity
	value   string
	healthy []series
}

const evalAt = 30 * time.Minute

var handWritten = map[Metrics]map[string]ruleCase{
	KafkaExporter: {
		"KafkaBrokerDown": {
			fire:   []series{{`kafka_brokers{instance="ke:9308",job="kafka"}`, `3x10 2x30`}},
			labels: map[string]string{"instance": "ke:9308", "job": "kafka"}, value: "2",
			healthy: []series{{`kafka_brokers{instance="ke:9308",job="kafka"}`, `3x40`}}},
		"KafkaUnderReplicated": {
			fire: []series{{`kafka_topic_partition_under_replicated_partition{topic="orders",partition="0"}`, `0x2 1x40`},
				{`kafka_topic_partition_under_replicated_partition{topic="orders",partition="1"}`, `0x40`}},
			labels: map[string]string{"topic": "orders"}, value: "1",
			healthy: []series{{`kafka_topic_partition_under_replicated_partition{topic="orders",partition="0"}`, `0x40`}}},
		"KafkaConsumerLagGrowing": {
			fire:   []series{{`kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="0"}`, `0+100x40`}},
			labels: map[string]string{"consumergroup": "billing"}, value: "3000",
			healthy: []series{{`kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="0"}`, `100x40`}}},
		"KafkaConsumerStalled": {
			fire: []series{{`kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="0"}`, `500x40`},
				{`kafka_consumergroup_current_offset{consumergroup="billing",topic="orders",partition="0"}`, `1000x40`}},
			labels: map[string]string{"consumergroup": "billing"}, value: "500",
			healthy: []series{{`kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="0"}`, `500x40`},
				{`kafka_consumergroup_current_offset{consumergroup="billing",topic="orders",partition="0"}`, `1000+10x40`}}},
	},
	JMX: {
		"KafkaBrokerDown": {
			fire:   []series{{`kafka_controller_kafkacontroller_fencedbrokercount{instance="c1:7071"}`, `0x2 1x40`}},
			labels: map[string]string{}, value: "1",
			healthy: []series{{`kafka_controller_kafkacontroller_fencedbrokercount{instance="c1:7071"}`, `0x40`}}},
		"KafkaOfflinePartition": {
			fire:   []series{{`kafka_controller_kafkacontroller_offlinepartitionscount{instance="c1:7071"}`, `0 3x40`}},
			labels: map[string]string{}, value: "3",
			healthy: []series{{`kafka_controller_kafkacontroller_offlinepartitionscount{instance="c1:7071"}`, `0x40`}}},
		"KafkaControllerQuorumUnavailable": {
			fire: []series{{`kafka_controller_kafkacontroller_activecontrollercount{instance="c1:7071"}`, `1x2 0x40`},
				{`kafka_controller_kafkacontroller_activecontrollercount{instance="c2:7071"}`, `0x40`}},
			labels: map[string]string{}, value: "0",
			healthy: []series{{`kafka_controller_kafkacontroller_activecontrollercount{instance="c1:7071"}`, `1x40`},
				{`kafka_controller_kafkacontroller_activecontrollercount{instance="c2:7071"}`, `0x40`}}},
		"KafkaUnderMinIsr":     brokerGauge("kafka_server_replicamanager_underminisrpartitioncount"),
		"KafkaAtMinIsr":        brokerGauge("kafka_server_replicamanager_atminisrpartitioncount"),
		"KafkaUnderReplicated": brokerGauge("kafka_server_replicamanager_underreplicatedpartitions"),
		"KafkaLogDirOffline":   brokerGauge("kafka_log_logmanager_offlinelogdirectorycount"),
	},
}

// brokerGauge is the case of a per-broker JMX gauge that is 0 when healthy.
func brokerGauge(name string) ruleCase {
	s := name + `{instance="b1:7071",job="kafka"}`
	return ruleCase{fire: []series{{s, `0x2 2x40`}}, labels: map[string]string{"instance": "b1:7071", "job": "kafka"}, value: "2",
		healthy: []series{{s, `0x40`}}}
}

// casesFor returns a case for every rule of m: the hand-written ones, and
// for kafka-runbook one per code from the finding series serve exports.
func casesFor(t *testing.T, m Metrics, rules []Rule) map[string]ruleCase {
	if m != KafkaRunbook {
		return handWritten[m]
	}
	out := map[string]ruleCase{}
	for _, r := range rules {
		if r.Alert == "KafkaRunbookCollectionFailing" {
			s := `kafka_runbook_last_poll_success{instance="serve:9308",job="kafka-runbook"}`
			out[r.Alert] = ruleCase{fire: []series{{s, `1x2 0x40`}}, labels: map[string]string{"instance": "serve:9308", "job": "kafka-runbook"},
				value: "0", healthy: []series{{s, `1x40`}}}
			continue
		}
		s := fmt.Sprintf(`kafka_runbook_findings{cluster_id="c-1",code=%q,severity=%q,instance="serve:9308",job="kafka-runbook"}`,
			r.Labels["code"], r.Labels["severity"])
		out[r.Alert] = ruleCase{fire: []series{{s, `0x2 2x40`}},
			labels: map[string]string{"cluster_id": "c-1", "instance": "serve:9308", "job": "kafka-runbook"}, value: "2",
			healthy: []series{{s, `0x40`}}}
	}
	return out
}

// expand does what Prometheus's template does for the two variables the
// rules use.
func expand(s string, labels map[string]string, value string) string {
	s = strings.ReplaceAll(s, "{{ $value }}", value)
	for k, v := range labels {
		s = strings.ReplaceAll(s, "{{ $labels."+k+" }}", v)
	}
	return s
}

func TestPromtoolTestRules(t *testing.T) {
	tool := promtool(t)
	for _, m := range AllMetrics {
		t.Run(string(m), func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			if err := Write(&buf, Options{Metrics: m}, FormatRules); err != nil {
				t.Fatal(err)
			}
			ruleFileOf(t, dir, buf.Bytes(), FormatRules)
			groups, _ := Groups(Options{Metrics: m})
			cases := casesFor(t, m, groups[0].Rules)
			var tests []map[string]any
			for _, r := range groups[0].Rules {
				c, ok := cases[r.Alert]
				if !ok {
					t.Fatalf("rule %s has no promtool test case: add one", r.Alert)
				}
				labels := maps.Clone(c.labels)
				maps.Copy(labels, r.Labels)
				annotations := map[string]string{}
				for k, v := range r.Annotations {
					annotations[k] = expand(v, labels, c.value)
				}
				tests = append(tests,
					unitTest(c.fire, r.Alert, []map[string]any{{"exp_labels": labels, "exp_annotations": annotations}}),
					unitTest(c.healthy, r.Alert, []map[string]any{}))
			}
			if len(cases) != len(groups[0].Rules) {
				t.Fatalf("%d cases for %d rules: a case names a rule that no longer exists", len(cases), len(groups[0].Rules))
			}
			doc, err := yaml.Marshal(map[string]any{"rule_files": []string{"rules.yml"}, "evaluation_interval": "1m", "tests": tests})
			if err != nil {
				t.Fatal(err)
			}
			testFile := filepath.Join(dir, "tests.yml")
			if err := os.WriteFile(testFile, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(tool, "test", "rules", "tests.yml")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("promtool test rules: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "SUCCESS") {
				t.Fatalf("promtool test rules did not succeed:\n%s", out)
			}
			t.Logf("%d rules proven firing and silent", len(cases))
		})
	}
}

func unitTest(in []series, alert string, exp []map[string]any) map[string]any {
	var input []map[string]string
	for _, s := range slices.Clone(in) {
		input = append(input, map[string]string{"series": s.name, "values": s.values})
	}
	return map[string]any{
		"interval":        "1m",
		"input_series":    input,
		"alert_rule_test": []map[string]any{{"eval_time": Duration(evalAt), "alertname": alert, "exp_alerts": exp}},
	}
}
