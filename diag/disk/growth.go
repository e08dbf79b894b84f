package disk

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Dir is one log directory as the last sample saw it, with its growth
// over the window.
type Dir struct {
	Broker int32  `json:"broker"`
	Path   string `json:"path"`
	// Error is the directory's error in the last sample ("" when healthy).
	Error string `json:"error,omitempty"`
	// TotalBytes and UsableBytes are the last sample's, -1 when not
	// reported.
	TotalBytes  int64 `json:"total_bytes"`
	UsableBytes int64 `json:"usable_bytes"`
	// SizeBytes is the size of its replicas, -1 when they were not listed.
	SizeBytes int64 `json:"size_bytes"`
	// FillRate is how fast the usable space shrinks, in bytes per second
	// (negative when it grows), fitted over every sample that reported it;
	// FillRateKnown is false with fewer than two such samples.
	FillRate      float64 `json:"fill_bytes_per_second"`
	FillRateKnown bool    `json:"fill_rate_known"`
	// SizeRate is how fast its replicas grow in bytes per second, from the
	// first and last samples that listed them; SizeRateKnown false when
	// fewer than two did.
	SizeRate      float64 `json:"size_bytes_per_second"`
	SizeRateKnown bool    `json:"size_rate_known"`
	// Samples is how many samples reported its space, over Span.
	Samples int           `json:"samples"`
	Span    time.Duration `json:"span"`
}

// Known reports whether the directory reported its space.
func (d Dir) Known() bool { return d.TotalBytes > 0 && d.UsableBytes >= 0 }

// UsablePercent is the usable share of the filesystem, 0-100. Only
// meaningful when Known.
func (d Dir) UsablePercent() float64 {
	if d.TotalBytes <= 0 {
		return 0
	}
	return 100 * float64(d.UsableBytes) / float64(d.TotalBytes)
}

// ProjectionLimit is how far ahead a window's fill rate is trusted, in
// multiples of the window: a few seconds of a busy host's writes say nothing
// about the next twelve hours (a 6 s sample judges at most 6 minutes ahead,
// a 30-minute watch 30 hours).
const ProjectionLimit = 60

// TimeToFull is when the usable space runs out at the current fill rate,
// and false when it is not filling, the rate is unknown, or the time lies
// beyond ProjectionLimit times the window the rate was measured over: a
// disk that does not fill, or not measurably within the window, has no
// time to full.
func (d Dir) TimeToFull() (time.Duration, bool) {
	if !d.FillRateKnown || d.FillRate <= 0 || d.UsableBytes < 0 || d.Span <= 0 {
		return 0, false
	}
	secs := float64(d.UsableBytes) / d.FillRate
	if secs > ProjectionLimit*d.Span.Seconds() || secs > float64(math.MaxInt64/int64(time.Second)) {
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}

type dirKey struct {
	broker int32
	path   string
}

// point is one sample of a directory's usable space or replica size.
type point struct {
	at    time.Time
	bytes int64
}

// Dirs judges every log directory of the last sample over the samples
// before it. samples are oldest first; nil entries are skipped.
func Dirs(samples []*snapshot.Snapshot) []Dir {
	samples = slices.DeleteFunc(slices.Clone(samples), func(s *snapshot.Snapshot) bool { return s == nil })
	if len(samples) == 0 {
		return []Dir{}
	}
	points := map[dirKey][]point{}
	sizes := map[dirKey][]point{}
	for _, s := range samples {
		for _, d := range s.LogDirs {
			k := dirKey{d.Broker, d.Path}
			if d.Error == "" && d.TotalBytes > 0 && d.UsableBytes >= 0 {
				points[k] = append(points[k], point{s.TakenAt, d.UsableBytes})
			}
			if d.Error == "" && d.ReplicasListed() {
				sizes[k] = append(sizes[k], point{s.TakenAt, d.SizeBytes})
			}
		}
	}
	last := samples[len(samples)-1]
	out := make([]Dir, 0, len(last.LogDirs))
	for _, d := range last.LogDirs {
		k := dirKey{d.Broker, d.Path}
		dir := Dir{Broker: d.Broker, Path: d.Path, Error: d.Error, TotalBytes: d.TotalBytes, UsableBytes: d.UsableBytes, SizeBytes: d.SizeBytes}
		if ps := points[k]; len(ps) > 0 {
			dir.Samples, dir.Span = len(ps), ps[len(ps)-1].at.Sub(ps[0].at)
			if slope, ok := fit(ps); ok {
				dir.FillRate, dir.FillRateKnown = -slope, true
			}
		}
		if ps := sizes[k]; len(ps) >= 2 {
			if dt := ps[len(ps)-1].at.Sub(ps[0].at).Seconds(); dt > 0 {
				dir.SizeRate, dir.SizeRateKnown = float64(ps[len(ps)-1].bytes-ps[0].bytes)/dt, true
			}
		}
		out = append(out, dir)
	}
	slices.SortFunc(out, func(a, b Dir) int { return cmp.Or(cmp.Compare(a.Broker, b.Broker), cmp.Compare(a.Path, b.Path)) })
	return out
}

// fit is the least-squares slope of usable bytes over time, in bytes per
// second: every sample counts, so one sample taken as a segment rolled
// moves the rate less than it would between two points. False with fewer
// than two distinct times.
func fit(ps []point) (float64, bool) {
	if len(ps) < 2 {
		return 0, false
	}
	t0 := ps[0].at
	var sx, sy float64
	for _, p := range ps {
		sx += p.at.Sub(t0).Seconds()
		sy += float64(p.bytes)
	}
	n := float64(len(ps))
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for _, p := range ps {
		dx := p.at.Sub(t0).Seconds() - mx
		sxx += dx * dx
		sxy += dx * (float64(p.bytes) - my)
	}
	if sxx == 0 {
		return 0, false
	}
	return sxy / sxx, true
}
