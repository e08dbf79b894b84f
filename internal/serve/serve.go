// Package serve is `kafka-runbook serve`: it polls the cluster on an
// interval, one bounded triage collection at a time, and serves what the
// last poll found as Prometheus metrics (/metrics, internal/exporter),
// as the triage JSON (/triage) and as a health check (/healthz). It also
// takes Alertmanager's webhook (/alertmanager): a firing alert captures an
// evidence bundle (incidents.go), listed at /incidents.
//
// It never collects by itself: the command layer hands it functions that
// do (Options.Collect, IncidentOptions.Capture), so it stays off the
// network layer like every package but the command layer.
package serve

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/exporter"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/wait"
)

// windowPolls is how many earlier polls the trend checks (consumer lag,
// rebalances) judge, and the one kept as Previous for the checks that
// compare two snapshots (offsets going backwards): bounded, so memory stays
// flat however long serve runs.
const windowPolls = 4

// Options configure a Server.
type Options struct {
	// Collect takes one snapshot; it must return by ctx's deadline.
	Collect func(ctx context.Context) (*snapshot.Snapshot, error)
	// Interval is the time between the starts of two polls; a poll that
	// takes longer delays the next one, never overlaps it.
	Interval time.Duration
	// Timeout bounds each poll.
	Timeout time.Duration
	// MaxPerCode bounds the kafka_runbook_finding series per code.
	MaxPerCode int
	Incidents  IncidentOptions
	// Log receives one line per event worth a person's attention.
	Log io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server polls and serves.
type Server struct {
	opts     Options
	registry *prometheus.Registry
	inc      *incidents

	mu     sync.Mutex
	state  exporter.State
	window []*snapshot.Snapshot // the last good polls, oldest first
	// polling guards the one-poll-at-a-time rule for callers of Poll.
	polling sync.Mutex
}

// New builds a server; nothing runs until Run.
func New(opts Options) (*Server, error) {
	if opts.Collect == nil {
		return nil, fmt.Errorf("serve: no collector")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s := &Server{opts: opts, registry: prometheus.NewRegistry()}
	s.state.Errors = map[string]int{}
	inc, err := newIncidents(opts.Incidents, opts.Log, opts.Now, s.clusterID)
	if err != nil {
		return nil, err
	}
	s.inc = inc
	s.registry.MustRegister(
		exporter.New(s.State, opts.MaxPerCode),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return s, nil
}

// State returns a copy of what the exporter shows.
func (s *Server) State() exporter.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state
	st.Errors = make(map[string]int, len(s.state.Errors))
	for k, v := range s.state.Errors {
		st.Errors[k] = v
	}
	return st
}

func (s *Server) clusterID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.Report == nil {
		return ""
	}
	return s.state.Report.Cluster.ID
}

// Run polls every Interval until ctx ends, and runs the capture worker.
// Polls run one after another in this goroutine, so they never overlap.
func (s *Server) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() { defer close(done); s.inc.work(ctx) }()
	defer func() { <-done }()
	for {
		started := s.opts.Now()
		s.Poll(ctx)
		if err := wait.For(ctx, s.opts.Interval-s.opts.Now().Sub(started)); err != nil {
			return nil // ctx ended: a clean stop
		}
	}
}

// Poll takes one snapshot within Timeout, triages it and publishes the
// result. A poll that reaches no broker keeps the last good report and
// counts as a failure. Concurrent calls wait for each other.
func (s *Server) Poll(ctx context.Context) {
	s.polling.Lock()
	defer s.polling.Unlock()
	pctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	started := s.opts.Now()
	snap, err := s.opts.Collect(pctx)
	took := s.opts.Now().Sub(started)
	if ctx.Err() != nil {
		return // shutting down: a cut-short poll is not a failure of the cluster
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.Polls++
	s.state.LastDuration = took
	for k := range s.state.Errors {
		s.state.Errors[k] = 0
	}
	if err != nil {
		if s.state.LastOK || s.state.Polls == 1 {
			fmt.Fprintf(s.opts.Log, "%s poll failed, keeping the last good result: %v\n", stamp(started), err)
		}
		s.state.Failures++
		s.state.LastOK = false
		s.state.Errors[snapshot.SourceBootstrap]++
		return
	}
	if !s.state.LastOK && s.state.Polls > 1 {
		fmt.Fprintf(s.opts.Log, "%s poll reached the cluster again\n", stamp(started))
	}
	for _, e := range snap.Errors {
		s.state.Errors[e.Source]++
	}
	var prev *snapshot.Snapshot
	if n := len(s.window); n > 0 {
		prev = s.window[n-1]
	}
	report := triage.BuildFrom(checks.Input{Snap: snap, Previous: prev, Window: s.window})
	s.state.Report = &report
	s.state.LastOK = true
	s.state.LastSuccess = s.opts.Now()
	s.window = append(s.window, snap)
	if len(s.window) > windowPolls {
		s.window = append(s.window[:0:0], s.window[len(s.window)-windowPolls:]...)
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
