package lag

import (
	"math"
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// How a deletion estimate was made (Deletion.Rule).
const (
	// ByRetentionMs: retention.ms minus the age of the next unconsumed
	// record. Kafka deletes a segment once its newest record is older than
	// retention.ms, and never the active segment, so the record goes at
	// this time at the earliest (plus up to log.retention.check.interval.ms),
	// later if its segment holds newer records.
	ByRetentionMs = "retention.ms"
	// ByLogStartRate: the records between the log start and the committed
	// offset, over the rate at which the log start advanced in the window.
	// It covers every cause of deletion (retention.bytes, retention.ms,
	// DeleteRecords), and is rough: the log start moves a segment at a time.
	ByLogStartRate = "log-start-rate"
)

// Values of Deletion.RetentionMillis and RetentionBytes besides a limit.
const (
	// RetentionUnlimited is Kafka's own -1: this kind of retention is off.
	RetentionUnlimited = -1
	// RetentionUnknown: the topic's configs were not read.
	RetentionUnknown = -2
)

// Deletion says when retention may delete a partition's next unconsumed
// record, from the current sample.
type Deletion struct {
	// ETAMillis is the sooner of the known estimates below, 0 when the
	// record may be deleted already, -1 when neither is known (or nothing
	// is unread).
	ETAMillis int64 `json:"eta_ms"`
	// Rule names the estimate ETAMillis comes from (ByRetentionMs,
	// ByLogStartRate), "" when unknown.
	Rule string `json:"rule,omitempty"`
	// ByTimeMillis is the ByRetentionMs estimate, ByRateMillis the
	// ByLogStartRate one; -1 when unknown.
	ByTimeMillis int64 `json:"by_time_ms"`
	ByRateMillis int64 `json:"by_rate_ms"`
	// RetentionMillis and RetentionBytes are the topic's retention.ms and
	// retention.bytes: RetentionUnlimited, RetentionUnknown or the limit.
	RetentionMillis int64 `json:"retention_ms"`
	RetentionBytes  int64 `json:"retention_bytes"`
	// LogStartRate is how many records per second the log start advanced
	// over the window: 0 when it did not move, -1 when unknown.
	LogStartRate float64 `json:"log_start_rate"`
}

// limits are a topic's retention.ms and retention.bytes, as Deletion
// reports them.
type limits struct{ millis, bytes int64 }

// limitsOf reads a topic's retention configs; nil is a topic not in the
// metadata.
func limitsOf(t *snapshot.Topic) limits {
	if t == nil {
		return limits{RetentionUnknown, RetentionUnknown}
	}
	return limits{retention(*t, "retention.ms"), retention(*t, "retention.bytes")}
}

// deletionOf estimates when the record at the group's committed offset o
// may be deleted. logStart is the partition's log start now (-1 unknown),
// ps its readable samples, ageMillis the age of that record (-1 unknown),
// l its topic's retention.
func deletionOf(o snapshot.GroupOffset, logStart int64, ps []point, ageMillis int64, l limits) Deletion {
	d := Deletion{ETAMillis: -1, ByTimeMillis: -1, ByRateMillis: -1, RetentionMillis: l.millis,
		RetentionBytes: l.bytes, LogStartRate: logStartRate(ps)}
	if o.Lag == 0 || o.Committed < 0 || (logStart >= 0 && o.Committed < logStart) {
		// Nothing unread, nothing committed to measure from, or deleted
		// already (LOG_START_ADVANCED's case): nothing to foresee.
		return d
	}
	if ageMillis >= 0 && d.RetentionMillis >= 0 {
		d.ByTimeMillis = max(0, d.RetentionMillis-ageMillis)
	}
	if d.LogStartRate > 0 && logStart >= 0 {
		// The record at the committed offset goes when the log start
		// passes it: committed-start+1 more records.
		d.ByRateMillis = int64(math.Ceil(float64(o.Committed-logStart+1) / d.LogStartRate * 1000))
	}
	switch {
	case d.ByTimeMillis >= 0 && (d.ByRateMillis < 0 || d.ByTimeMillis <= d.ByRateMillis):
		d.ETAMillis, d.Rule = d.ByTimeMillis, ByRetentionMs
	case d.ByRateMillis >= 0:
		d.ETAMillis, d.Rule = d.ByRateMillis, ByLogStartRate
	}
	return d
}

// logStartRate is the records per second the log start advanced between
// the first and last samples that read it: 0 when it did not move, -1
// when fewer than two samples read it.
func logStartRate(ps []point) float64 {
	first, last := -1, -1
	for i, p := range ps {
		if p.logStart >= 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || ps[last].at.Sub(ps[first].at) <= 0 {
		return -1
	}
	// A log start that went down (a recreated topic) deletes nothing.
	return max(0, rate(ps[first].logStart, ps[last].logStart, ps[first].at, ps[last].at))
}

// retention reads a topic's retention config: RetentionUnknown when the
// configs were not read or the value is not a number.
func retention(t snapshot.Topic, name string) int64 {
	v, ok := t.Config(name)
	if !ok {
		return RetentionUnknown
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil || n < RetentionUnlimited {
		return RetentionUnknown
	}
	return n
}
