// Package exporter maps what `kafka-runbook serve` knows (the last triage
// report and how its polls went) to Prometheus metrics. It is a
// prometheus.Collector that builds its metrics on every scrape from a
// State, so a scrape never sees half of a poll and holds no history.
//
// Cardinality is bounded by rule: kafka_runbook_findings has one series
// per catalogue code; kafka_runbook_finding has at most MaxPerCode series
// per code (one per distinct subject, in the report's order: worst
// first, then by subject), and whatever is left over is summed into one
// series per code whose subject labels are all "_other". So a cluster
// with 100,000 under-replicated partitions exports MaxPerCode+1 series
// for that code, never 100,000.
package exporter

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// The metric names, a public contract like finding codes: alert rules
// (internal/alerts) and dashboards use them.
const (
	FindingsMetric           = "kafka_runbook_findings"
	FindingMetric            = "kafka_runbook_finding"
	StatusMetric             = "kafka_runbook_status"
	UnevaluatedMetric        = "kafka_runbook_unevaluated_checks"
	PollSuccessMetric        = "kafka_runbook_last_poll_success"
	PollsMetric              = "kafka_runbook_polls_total"
	PollFailuresMetric       = "kafka_runbook_poll_failures_total"
	CollectionDurationMetric = "kafka_runbook_collection_duration_seconds"
	CollectionErrorsMetric   = "kafka_runbook_collection_errors"
	LastSuccessMetric        = "kafka_runbook_last_success_timestamp_seconds"
)

// OtherSubject is the value of every subject label of the series that sums
// the findings of a code beyond MaxPerCode.
const OtherSubject = "_other"

// DefaultMaxPerCode is the default bound of kafka_runbook_finding series
// per code.
const DefaultMaxPerCode = 20

// State is what the exporter shows: the last good triage and the polls.
type State struct {
	// Report is the triage of the last poll that reached the cluster; nil
	// before the first one, when no finding metric is exported at all.
	Report *triage.Report
	// Polls and Failures count polls since start; LastOK says whether the
	// last one reached the cluster.
	Polls, Failures uint64
	LastOK          bool
	// LastDuration is how long the last poll took; LastSuccess when the
	// last good one ended.
	LastDuration time.Duration
	LastSuccess  time.Time
	// Errors counts the collection errors of the last poll by source
	// (snapshot.Source*); a source once seen stays, at 0 when it recovers.
	Errors map[string]int
}

// Collector is the prometheus.Collector of a State.
type Collector struct {
	state      func() State
	maxPerCode int
	findings   *prometheus.Desc
	finding    *prometheus.Desc
	status     *prometheus.Desc
	uneval     *prometheus.Desc
	success    *prometheus.Desc
	polls      *prometheus.Desc
	failures   *prometheus.Desc
	duration   *prometheus.Desc
	errors     *prometheus.Desc
	lastOK     *prometheus.Desc
}

// New returns a collector that reads state on every scrape; maxPerCode
// bounds kafka_runbook_finding (DefaultMaxPerCode when not positive).
func New(state func() State, maxPerCode int) *Collector {
	if maxPerCode <= 0 {
		maxPerCode = DefaultMaxPerCode
	}
	d := prometheus.NewDesc
	return &Collector{
		state: state, maxPerCode: maxPerCode,
		findings: d(FindingsMetric, "Findings of the last triage by code (every catalogue code, 0 when absent).", []string{"cluster_id", "code", "severity"}, nil),
		finding: d(FindingMetric, "Findings of the last triage by subject: at most the per-code bound of series per code, the rest summed into subject \"_other\".",
			[]string{"cluster_id", "code", "severity", "broker", "topic", "partition", "group"}, nil),
		status:   d(StatusMetric, "Verdict of the last triage: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the exit codes of triage).", []string{"cluster_id"}, nil),
		uneval:   d(UnevaluatedMetric, "Checks the last triage could not evaluate.", []string{"cluster_id"}, nil),
		success:  d(PollSuccessMetric, "1 when the last poll reached the cluster, 0 when it did not (the metrics then show the last good poll).", nil, nil),
		polls:    d(PollsMetric, "Polls since start.", nil, nil),
		failures: d(PollFailuresMetric, "Polls that did not reach the cluster since start.", nil, nil),
		duration: d(CollectionDurationMetric, "How long the last poll took, bounded by --timeout.", nil, nil),
		errors:   d(CollectionErrorsMetric, "Collection errors of the last poll by source (a broker that did not answer, a request that failed).", []string{"source"}, nil),
		lastOK:   d(LastSuccessMetric, "When the last poll that reached the cluster ended, Unix seconds.", nil, nil),
	}
}

// Describe sends every descriptor.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.findings, c.finding, c.status, c.uneval, c.success, c.polls, c.failures, c.duration, c.errors, c.lastOK} {
		ch <- d
	}
}

// Collect sends the metrics of the current state.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.state()
	m := prometheus.MustNewConstMetric
	ch <- m(c.success, prometheus.GaugeValue, boolValue(s.LastOK))
	ch <- m(c.polls, prometheus.CounterValue, float64(s.Polls))
	ch <- m(c.failures, prometheus.CounterValue, float64(s.Failures))
	ch <- m(c.duration, prometheus.GaugeValue, s.LastDuration.Seconds())
	for source, n := range s.Errors {
		ch <- m(c.errors, prometheus.GaugeValue, float64(n), source)
	}
	if s.Report == nil {
		return
	}
	ch <- m(c.lastOK, prometheus.GaugeValue, float64(s.LastSuccess.UnixMilli())/1000)
	r := s.Report
	id := r.Cluster.ID
	ch <- m(c.status, prometheus.GaugeValue, float64(r.Status), id)
	ch <- m(c.uneval, prometheus.GaugeValue, float64(len(r.Unevaluated)), id)
	for _, cc := range CodeCounts(r.Findings) {
		ch <- m(c.findings, prometheus.GaugeValue, float64(cc.Count), id, cc.Code, cc.Severity)
	}
	for _, fs := range SubjectSeries(r.Findings, c.maxPerCode) {
		ch <- m(c.finding, prometheus.GaugeValue, float64(fs.Count), id, fs.Code, fs.Severity, fs.Broker, fs.Topic, fs.Partition, fs.Group)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// CodeCount is the number of findings of one code.
type CodeCount struct {
	Code, Severity string
	Count          int
}

// CodeCounts counts fs by code, for every code of the catalogue (0 when
// absent, so an alert clears as the series drops to 0 instead of
// vanishing) and for any code fs has that the catalogue lacks. The
// severity is the catalogue's, so a code's series never changes labels.
func CodeCounts(fs []findings.Finding) []CodeCount {
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Code]++
	}
	var out []CodeCount
	for _, e := range findings.Catalogue() {
		out = append(out, CodeCount{Code: e.Code, Severity: e.Severity.String(), Count: counts[e.Code]})
		delete(counts, e.Code)
	}
	for _, f := range fs {
		if n, ok := counts[f.Code]; ok {
			out = append(out, CodeCount{Code: f.Code, Severity: f.Severity.String(), Count: n})
			delete(counts, f.Code)
		}
	}
	return out
}

// Subject is one kafka_runbook_finding series: a code and a subject (its
// labels, "" where the code has no such subject) and how many findings it
// stands for.
type Subject struct {
	Code, Severity                  string
	Broker, Topic, Partition, Group string
	Count                           int
}

// SubjectSeries applies the cardinality rule to fs (in the report's
// order): per code, the first maxPerCode distinct subjects get a series
// each, and the rest are summed into one series with every subject label
// OtherSubject.
func SubjectSeries(fs []findings.Finding, maxPerCode int) []Subject {
	var out []Subject
	index := map[Subject]int{} // subject with Count 0 -> position in out
	perCode := map[string]int{}
	other := map[string]int{} // code -> position of its _other series
	for _, f := range fs {
		s := Subject{Code: f.Code, Severity: f.Severity.String(), Broker: optional(f.Broker), Topic: f.Topic, Partition: optional(f.Partition), Group: f.Group}
		if i, ok := index[s]; ok {
			out[i].Count++
			continue
		}
		if perCode[f.Code] < maxPerCode {
			perCode[f.Code]++
			index[s] = len(out)
			s.Count = 1
			out = append(out, s)
			continue
		}
		if i, ok := other[f.Code]; ok {
			out[i].Count++
			continue
		}
		other[f.Code] = len(out)
		out = append(out, Subject{Code: f.Code, Severity: f.Severity.String(), Broker: OtherSubject, Topic: OtherSubject,
			Partition: OtherSubject, Group: OtherSubject, Count: 1})
	}
	return out
}

func optional(v *int32) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(int(*v))
}
