package serve

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
)

// IncidentOptions say how a firing alert becomes an evidence bundle.
type IncidentOptions struct {
	// Dir holds the bundles serve writes (alert-<UTC time>-<alert>-<fingerprint>).
	Dir string
	// Capture takes the full snapshot a bundle holds; it must return by
	// ctx's deadline. Nil turns the webhook off.
	Capture func(ctx context.Context) (*snapshot.Snapshot, error)
	// Timeout bounds each capture.
	Timeout time.Duration
	// MaxPerHour caps the bundles written in any hour: an alert storm
	// (every partition of a lost broker, one alert each) costs this many
	// captures, not one per alert.
	MaxPerHour int
	// Budget caps the bytes of all bundles in Dir; Retention is how long a
	// bundle is kept. After each capture, older bundles are deleted, then
	// the oldest until the rest fit (never the one just written).
	Budget    int64
	Retention time.Duration
	Meta      evidence.Meta
}

// The reasons an incident has no bundle.
const (
	skipRateLimited  = "rate-limited: %d bundles already written in the last hour (--captures-per-hour)"
	skipQueueFull    = "captures queue full"
	skipOtherCluster = "alert is for cluster %s, serve polls cluster %s"
)

// maxIncidents bounds the incidents kept in memory (and shown at
// /incidents); the bundles themselves stay on disk within the budget.
const maxIncidents = 200

// Incident is one firing alert (by fingerprint) and its bundle.
type Incident struct {
	Fingerprint string            `json:"fingerprint"`
	Alert       string            `json:"alertname"`
	Status      string            `json:"status"` // firing, resolved
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	FiredAt     time.Time         `json:"fired_at"`
	ResolvedAt  *time.Time        `json:"resolved_at,omitempty"`
	// Notifications counts the firing notifications; all but the first
	// were deduplicated.
	Notifications int `json:"notifications"`
	// Bundle is the evidence bundle's path, once written at CapturedAt.
	Bundle     string     `json:"bundle,omitempty"`
	CapturedAt *time.Time `json:"captured_at,omitempty"`
	// Triage is the captured triage's status and blast radius.
	Triage  string   `json:"triage,omitempty"`
	Summary []string `json:"summary,omitempty"`
	// Skipped says why no bundle was or will be written.
	Skipped string `json:"skipped,omitempty"`
	// Pending is true while its capture waits or runs.
	Pending bool `json:"pending"`
}

type incidents struct {
	opts    IncidentOptions
	log     io.Writer
	now     func() time.Time
	cluster func() string

	mu       sync.Mutex
	list     []*Incident // oldest first
	captures []time.Time // when each bundle of the last hour was written
	queue    chan *Incident
}

func newIncidents(opts IncidentOptions, log io.Writer, now func() time.Time, cluster func() string) (*incidents, error) {
	if opts.MaxPerHour <= 0 {
		opts.MaxPerHour = 1
	}
	return &incidents{opts: opts, log: log, now: now, cluster: cluster, queue: make(chan *Incident, 16)}, nil
}

// open returns the incident for fp that has not resolved, or nil.
func (in *incidents) open(fp string) *Incident {
	for _, i := range slices.Backward(in.list) {
		if i.Fingerprint == fp && i.Status == "firing" {
			return i
		}
	}
	return nil
}

// firing handles one firing alert: a new incident captures (unless rate
// limited or for another cluster), a known one only counts.
func (in *incidents) firing(a webhookAlert) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if i := in.open(a.Fingerprint); i != nil {
		i.Notifications++
		return
	}
	i := &Incident{Fingerprint: a.Fingerprint, Alert: a.Labels["alertname"], Status: "firing", Labels: a.Labels,
		Annotations: a.Annotations, FiredAt: a.StartsAt.UTC(), Notifications: 1}
	in.list = append(in.list, i)
	if len(in.list) > maxIncidents {
		in.list = slices.Delete(in.list, 0, len(in.list)-maxIncidents)
	}
	cluster := in.cluster()
	recent := in.recentCaptures()
	switch {
	case a.Labels["cluster_id"] != "" && cluster != "" && a.Labels["cluster_id"] != cluster:
		i.Skipped = fmt.Sprintf(skipOtherCluster, a.Labels["cluster_id"], cluster)
	case recent >= in.opts.MaxPerHour:
		i.Skipped = fmt.Sprintf(skipRateLimited, recent)
	default:
		select {
		case in.queue <- i:
			i.Pending = true
			in.captures = append(in.captures, in.now())
			return
		default:
			i.Skipped = skipQueueFull
		}
	}
	fmt.Fprintf(in.log, "%s alert %s (%s) fired: no bundle: %s\n", stamp(in.now()), i.Alert, i.Fingerprint, i.Skipped)
}

// recentCaptures counts the captures started in the last hour, forgetting
// older ones.
func (in *incidents) recentCaptures() int {
	hourAgo := in.now().Add(-time.Hour)
	in.captures = slices.DeleteFunc(in.captures, func(t time.Time) bool { return t.Before(hourAgo) })
	return len(in.captures)
}

// resolved closes the incident of a resolved alert, and its bundle's
// timeline when the bundle is written.
func (in *incidents) resolved(a webhookAlert) {
	in.mu.Lock()
	i := in.open(a.Fingerprint)
	if i == nil {
		in.mu.Unlock()
		return
	}
	at := a.EndsAt.UTC()
	i.Status, i.ResolvedAt = "resolved", &at
	record, bundle := in.alertRecord(i), i.Bundle
	in.mu.Unlock()
	fmt.Fprintf(in.log, "%s alert %s (%s) resolved\n", stamp(in.now()), i.Alert, i.Fingerprint)
	if bundle != "" {
		if err := evidence.RecordAlert(bundle, record); err != nil {
			fmt.Fprintf(in.log, "%s closing %s: %v\n", stamp(in.now()), bundle, err)
		}
	}
}

// alertRecord is alert.json for i; in.mu held.
func (in *incidents) alertRecord(i *Incident) evidence.Alert {
	a := evidence.Alert{Name: i.Alert, Fingerprint: i.Fingerprint, Status: i.Status, Labels: i.Labels, Annotations: i.Annotations,
		FiredAt: i.FiredAt, ResolvedAt: i.ResolvedAt, Notifications: i.Notifications}
	if i.CapturedAt != nil {
		a.CapturedAt = *i.CapturedAt
	}
	return a
}

// List returns the incidents, newest first.
func (in *incidents) List() []Incident {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Incident, 0, len(in.list))
	for _, i := range slices.Backward(in.list) {
		out = append(out, *i)
	}
	return out
}

// work runs the captures one at a time until ctx ends.
func (in *incidents) work(ctx context.Context) {
	if err := prune(in.opts.Dir, in.opts.Budget, in.opts.Retention, in.now(), ""); err != nil {
		fmt.Fprintf(in.log, "%s pruning %s: %v\n", stamp(in.now()), in.opts.Dir, err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case i := <-in.queue:
			in.capture(ctx, i)
		}
	}
}

// capture writes the bundle of one incident.
func (in *incidents) capture(ctx context.Context, i *Incident) {
	started := in.now().UTC()
	cctx, cancel := context.WithTimeout(ctx, in.opts.Timeout)
	snap, err := in.opts.Capture(cctx)
	cancel()
	dir := filepath.Join(in.opts.Dir, bundleName(started, i))
	var summary []string
	status := ""
	if err == nil {
		r, cerr := evidence.Capture(evidence.CaptureOptions{Out: dir, Snapshot: snap, Started: started, Meta: in.opts.Meta, Now: in.now})
		err = cerr
		status, summary = strings.ToLower(r.Status.String()), r.Summary.Lines // the JSON casing of a status
	}
	in.mu.Lock()
	i.Pending = false
	if err != nil {
		i.Skipped = "capture failed: " + err.Error()
		in.mu.Unlock()
		fmt.Fprintf(in.log, "%s alert %s (%s): capture failed: %v\n", stamp(in.now()), i.Alert, i.Fingerprint, err)
		return
	}
	captured := in.now().UTC()
	i.Bundle, i.CapturedAt, i.Triage, i.Summary = dir, &captured, status, summary
	record := in.alertRecord(i)
	in.mu.Unlock()
	if err := evidence.RecordAlert(dir, record); err != nil {
		fmt.Fprintf(in.log, "%s recording the alert in %s: %v\n", stamp(in.now()), dir, err)
	}
	fmt.Fprintf(in.log, "%s alert %s (%s) fired: captured %s: %s: %s\n", stamp(in.now()), i.Alert, i.Fingerprint, dir, strings.ToUpper(status),
		strings.Join(summary, "; "))
	if err := prune(in.opts.Dir, in.opts.Budget, in.opts.Retention, in.now(), dir); err != nil {
		fmt.Fprintf(in.log, "%s pruning %s: %v\n", stamp(in.now()), in.opts.Dir, err)
	}
}

// bundleName is alert-<UTC time>-<alertname>-<fingerprint>: sorted by
// time, and recognisable as serve's own so pruning touches nothing else.
func bundleName(t time.Time, i *Incident) string {
	return bundlePrefix + t.UTC().Format("20060102T150405.000Z") + "-" + safe(i.Alert) + "-" + safe(i.Fingerprint)
}

const bundlePrefix = "alert-"

func safe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	if s == "" {
		return "alert"
	}
	return s
}
