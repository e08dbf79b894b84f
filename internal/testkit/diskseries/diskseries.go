// Package diskseries builds a window of snapshots with a log dir filling,
// for the tests of several packages (without testkit's -update flag, which
// the evidence tests define themselves).
package diskseries

import (
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

const gib = int64(1) << 30

// Filling is base sampled four times, every interval, ending at its
// TakenAt, with log dirs that list their replicas: broker 1's /data fills
// at 50 MiB/s, all of it orders/0 (5 GiB usable at the end: full in about
// 100 seconds), beside a roomy /data2; brokers 2 and 3 each have one
// roomy /data that does not change. Each sample is a fresh copy.
func Filling(base func() *snapshot.Snapshot, interval time.Duration) []*snapshot.Snapshot {
	const samples = 4
	const perSample = 50 << 20 // bytes per second
	var out []*snapshot.Snapshot
	for i := range samples {
		s := base()
		back := time.Duration(samples-1-i) * interval
		s.TakenAt = s.TakenAt.Add(-back)
		grown := int64(float64(perSample) * (time.Duration(i) * interval).Seconds())
		start := int64(float64(perSample) * (time.Duration(samples-1) * interval).Seconds())
		s.LogDirs = []snapshot.LogDir{
			dir(1, "/data", 5*gib+start-grown, []snapshot.LogDirTopic{
				{Topic: "clickstream", Partitions: []int32{1}, SizeBytes: []int64{30 * gib}},
				{Topic: "orders", Partitions: []int32{0, 1}, SizeBytes: []int64{40*gib + grown, 20 * gib}},
			}),
			dir(1, "/data2", 90*gib, []snapshot.LogDirTopic{
				{Topic: "orders", Partitions: []int32{2}, SizeBytes: []int64{5 * gib}},
				{Topic: "payments", Partitions: []int32{0, 1}, SizeBytes: []int64{2 * gib, 3 * gib}},
			}),
			dir(2, "/data", 60*gib, []snapshot.LogDirTopic{
				{Topic: "orders", Partitions: []int32{0, 1, 2}, SizeBytes: []int64{40 * gib, 20 * gib, 5 * gib}},
			}),
			dir(3, "/data", 70*gib, []snapshot.LogDirTopic{
				{Topic: "orders", Partitions: []int32{0, 1, 2}, SizeBytes: []int64{40 * gib, 20 * gib, 5 * gib}},
			}),
		}
		s.Errors = without(s.Errors, snapshot.SourceLogDirs)
		s.Normalize()
		out = append(out, s)
	}
	return out
}

func dir(broker int32, path string, usable int64, replicas []snapshot.LogDirTopic) snapshot.LogDir {
	d := snapshot.LogDir{Broker: broker, Path: path, TotalBytes: 100 * gib, UsableBytes: usable, Replicas: replicas}
	for _, t := range replicas {
		for _, size := range t.SizeBytes {
			d.SizeBytes += size
			d.Partitions++
		}
	}
	return d
}

func without(errs []snapshot.CollectError, source string) []snapshot.CollectError {
	var out []snapshot.CollectError
	for _, e := range errs {
		if e.Source != source {
			out = append(out, e)
		}
	}
	return out
}
