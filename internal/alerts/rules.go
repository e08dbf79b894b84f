// Package alerts writes Prometheus alerting rules for the situations
// kafka-runbook diagnoses. Each rule names the finding code it stands for,
// so the alert says which runbook to open (annotation runbook) and where
// the code is explained (annotation explain), whichever exporter feeds it.
//
// Three sets of metric names are known (Metrics): kafka_exporter's
// (github.com/danielqsj/kafka_exporter), Kafka's JMX metrics as the
// Prometheus JMX exporter's example configuration for Kafka names them
// (example_configs/kafka-2_0_0.yml: lowercaseOutputName and the generic
// rule kafka.<domain><type=T, name=N><>Value -> kafka_<domain>_<t>_<n>),
// and kafka-runbook's own (`kafka-runbook serve`, internal/exporter).
package alerts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

// Metrics names a set of metric names the rules are written against.
type Metrics string

// The metric sets.
const (
	KafkaExporter Metrics = "kafka-exporter"
	JMX           Metrics = "jmx"
	KafkaRunbook  Metrics = "kafka-runbook"
)

// AllMetrics lists the metric sets in the order --help gives them.
var AllMetrics = []Metrics{KafkaExporter, JMX, KafkaRunbook}

// ParseMetrics reads a --metrics value.
func ParseMetrics(s string) (Metrics, error) {
	for _, m := range AllMetrics {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown metrics %q: use kafka-exporter, jmx or kafka-runbook", s)
}

// Rule is one Prometheus alerting rule, its fields in the order and with
// the names of Prometheus's rule file format.
type Rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// Group is a rule group.
type Group struct {
	Name  string `yaml:"name"`
	Rules []Rule `yaml:"rules"`
}

// Options shape the rules.
type Options struct {
	Metrics Metrics
	// For, when set, replaces every rule's own hold time (its "for"):
	// 0 fires on the first evaluation that matches. Nil keeps each rule's.
	For *time.Duration
}

// spec is one rule before it is worded: the finding code it stands for,
// the PromQL that detects it and how long it must hold.
type spec struct {
	code string
	expr string
	hold time.Duration
	// what says, with Prometheus's template variables, what fired.
	what string
}

// Groups returns the rule groups for opts.Metrics: one group, its rules
// sorted by alert name.
func Groups(opts Options) ([]Group, error) {
	var specs []spec
	switch opts.Metrics {
	case KafkaExporter:
		specs = kafkaExporterSpecs()
	case JMX:
		specs = jmxSpecs()
	case KafkaRunbook:
		specs = kafkaRunbookSpecs()
	default:
		return nil, fmt.Errorf("unknown metrics %q: use kafka-exporter, jmx or kafka-runbook", opts.Metrics)
	}
	rules := make([]Rule, 0, len(specs)+1)
	for _, s := range specs {
		r, err := s.rule(opts.For)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	if opts.Metrics == KafkaRunbook {
		rules = append(rules, collectionFailingRule(opts.For))
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.Alert, b.Alert) })
	return []Group{{Name: "kafka-runbook-" + string(opts.Metrics), Rules: rules}}, nil
}

// rule words a spec from the catalogue entry of its code.
func (s spec) rule(hold *time.Duration) (Rule, error) {
	e, ok := findings.Lookup(s.code)
	if !ok {
		return Rule{}, fmt.Errorf("alert rule for unknown code %s", s.code) // a bug in the tables
	}
	h := s.hold
	if hold != nil {
		h = *hold
	}
	return Rule{
		Alert:  AlertName(s.code),
		Expr:   s.expr,
		For:    Duration(h),
		Labels: map[string]string{"severity": e.Severity.String(), "code": e.Code},
		Annotations: map[string]string{
			"summary":     e.Code + ": " + s.what,
			"description": e.Meaning,
			"runbook":     RunbookCommand(e),
			"explain":     "kafka-runbook explain " + e.Code,
		},
	}, nil
}

// RunbookCommand is the command an alert for e points to: the runbook the
// catalogue names, or triage for codes without one.
func RunbookCommand(e findings.Entry) string {
	if e.Runbook == "" {
		return "kafka-runbook triage"
	}
	return "kafka-runbook run " + e.Runbook
}

// AlertName is the alert's name for a code: BROKER_DOWN -> KafkaBrokerDown.
func AlertName(code string) string {
	var b strings.Builder
	b.WriteString("Kafka")
	for w := range strings.SplitSeq(strings.ToLower(code), "_") {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// Duration writes d as Prometheus writes durations ("90s", "5m", "1h").
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}
