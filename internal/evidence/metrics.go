package evidence

import (
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Metrics is the compact health of the cluster at one poll, one line of
// metrics.jsonl: what the report charts over the incident window. The
// counts follow the checks' definitions, so a chart and triage agree.
type Metrics struct {
	Time time.Time `json:"time"`
	// Error is set when the poll could not collect at all; the counts are
	// then zero and mean nothing.
	Error string `json:"error,omitempty"`
	// BrokersKnown counts every broker id learned of; BrokersAlive those
	// registered, unfenced and answering.
	BrokersKnown int `json:"brokers_known"`
	BrokersAlive int `json:"brokers_alive"`
	Partitions   int `json:"partitions"`
	// UnderReplicated counts partitions with fewer in-sync replicas than
	// replicas, offline ones included (as the UNDER_REPLICATED check does).
	UnderReplicated int `json:"under_replicated"`
	// UnderMinISR counts online partitions whose ISR is below the topic's
	// effective min.insync.replicas.
	UnderMinISR int `json:"under_min_isr"`
	Offline     int `json:"offline"`
	// TotalLag is the sum of every group's known lag, -1 when no lag was
	// known (groups not read).
	TotalLag      int64 `json:"total_lag"`
	CollectErrors int   `json:"collect_errors"`
	DurationMS    int64 `json:"duration_ms"`
}

// Failed reports whether the poll collected nothing.
func (m Metrics) Failed() bool { return m.Error != "" }

// Measure computes the metrics of one snapshot.
func Measure(s *snapshot.Snapshot) Metrics {
	m := Metrics{
		Time: s.TakenAt.UTC(), BrokersKnown: len(s.Brokers), TotalLag: -1,
		CollectErrors: len(s.Errors), DurationMS: s.DurationMillis,
	}
	for _, b := range s.Brokers {
		if checks.BrokerState(b) == checks.StateUp {
			m.BrokersAlive++
		}
	}
	n := health.Count(s)
	m.Partitions, m.Offline, m.UnderReplicated, m.UnderMinISR = n.Partitions, n.Offline, n.UnderReplicated, n.UnderMinISR
	for _, g := range s.Groups {
		if lag, ok := groupLag(g); ok {
			m.TotalLag = max(m.TotalLag, 0) + lag
		}
	}
	return m
}

// groupLag sums a group's known partition lags; false when none is known.
func groupLag(g snapshot.Group) (int64, bool) {
	var sum int64
	known := false
	for _, o := range g.Offsets {
		if o.Lag >= 0 {
			sum += o.Lag
			known = true
		}
	}
	return sum, known
}
