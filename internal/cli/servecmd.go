package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/exporter"
	kserve "github.com/kafka-runbook/kafka-runbook/internal/serve"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// ServeOptions are the flags of `serve`.
type ServeOptions struct {
	Listen            string
	Interval          time.Duration
	MaxSeriesPerCode  int
	IncidentDir       string
	CapturesPerHour   int
	IncidentBudgetMB  int64
	IncidentRetention time.Duration
}

// shutdownGrace is how long serve lets in-flight HTTP requests finish after
// Ctrl-C or SIGTERM.
const shutdownGrace = 5 * time.Second

func newServeCmd(app *App, conn *ConnOptions) *cobra.Command {
	opts := &ServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Poll the cluster and serve its findings as Prometheus metrics; capture evidence when an alert fires",
		Long: `Poll the cluster every --interval (each poll one triage collection bounded by
--timeout; a poll never overlaps the next, a slow one delays it) and serve:

  /metrics       findings as gauges, the verdict, poll duration and collection
                 errors per source, and the tool's own Go and process metrics
  /triage        the JSON of the last triage (as 'triage -o json' prints it)
  /healthz       200 while serve runs, with how the last poll went
  /alertmanager  Alertmanager's webhook (POST): a firing alert captures an
                 evidence bundle at once
  /incidents     the alerts received and their bundles (JSON)

When a poll does not reach the cluster, the last good result stays on
/metrics and /triage, and kafka_runbook_last_poll_success drops to 0.

Metrics: kafka_runbook_findings{cluster_id,code,severity} is the number of
findings of each catalogue code (0 when none); kafka_runbook_finding adds the
subject labels broker, topic, partition and group, with at most
--max-series-per-code series per code: the first by severity and subject get
one each, the rest are summed into one series whose subject labels are all
"_other". 'kafka-runbook alerts --metrics kafka-runbook' writes rules for them.

Evidence from alerts: a firing alert captures one full snapshot and its triage
into a bundle under --incident-dir, named alert-<UTC time>-<alert>-<fingerprint>.
Deduplicated by fingerprint: Alertmanager repeats a firing alert every
repeat_interval, and each repeat is only counted until it resolves; a resolved
alert stamps the end of its bundle's timeline (alert.json), and the same alert
firing again later is a new incident. Rate-limited: at most
--captures-per-hour bundles in any hour (the rest are listed with the reason).
Alerts labelled with another cluster_id than the polled cluster are not
captured. Disk: after each capture, bundles older than --incident-retention
are deleted, then the oldest until all fit in --incident-budget-mb; the bundle
just written is always kept. Only alert-* directories are ever deleted. Each
capture is logged with its path and triage summary.

It listens on loopback by default; put it behind your own proxy to expose it.
Ctrl-C or SIGTERM stops it: requests in flight get 5 seconds, exit 0.`,
		Example: `  kafka-runbook serve -b kafka1:9092 --interval 30s
  kafka-runbook serve -b kafka1:9092 --listen 0.0.0.0:9308 --incident-dir /var/lib/kafka-runbook/incidents
  kafka-runbook alerts --metrics kafka-runbook > rules.yml    # rules for these metrics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), app, conn, opts, recordedCommandLine(cmd, args))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:9308", "host:port to serve HTTP on (loopback by default)")
	f.DurationVar(&opts.Interval, "interval", 30*time.Second, "time between the starts of two polls")
	f.IntVar(&opts.MaxSeriesPerCode, "max-series-per-code", exporter.DefaultMaxPerCode, "at most this many kafka_runbook_finding series per code; the rest are summed into subject \"_other\"")
	f.StringVar(&opts.IncidentDir, "incident-dir", "", "directory for the bundles alerts capture (default $XDG_STATE_HOME/kafka-runbook/incidents or ~/.local/state/kafka-runbook/incidents)")
	f.IntVar(&opts.CapturesPerHour, "captures-per-hour", 12, "at most this many bundles captured in any hour")
	f.Int64Var(&opts.IncidentBudgetMB, "incident-budget-mb", 1024, "disk budget of the captured bundles in MiB (0: none)")
	f.DurationVar(&opts.IncidentRetention, "incident-retention", 30*24*time.Hour, "delete captured bundles older than this (0: keep)")
	_ = cmd.MarkFlagDirname("incident-dir")
	return cmd
}

func (o *ServeOptions) validate() error {
	switch {
	case o.Interval < 100*time.Millisecond:
		return exitcode.Usagef("use e.g. --interval 30s", "--interval must be at least 100ms, got %s", o.Interval)
	case o.MaxSeriesPerCode < 1:
		return exitcode.Usagef("use e.g. --max-series-per-code 20", "--max-series-per-code must be at least 1, got %d", o.MaxSeriesPerCode)
	case o.CapturesPerHour < 1:
		return exitcode.Usagef("use e.g. --captures-per-hour 12", "--captures-per-hour must be at least 1, got %d", o.CapturesPerHour)
	case o.IncidentBudgetMB < 0:
		return exitcode.Usagef("use e.g. --incident-budget-mb 1024, or 0 for no budget", "--incident-budget-mb must not be negative, got %d", o.IncidentBudgetMB)
	case o.IncidentRetention < 0:
		return exitcode.Usagef("use e.g. --incident-retention 720h, or 0 to keep", "--incident-retention must not be negative, got %s", o.IncidentRetention)
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return exitcode.Usagef("use e.g. --listen 127.0.0.1:9308", "--listen: %v", err)
	}
	return nil
}

// incidentDir is --incident-dir, or <state home>/incidents, created 0700
// (bundles describe the cluster).
func (o *ServeOptions) incidentDir(app *App) (string, error) {
	dir := o.IncidentDir
	if dir == "" {
		home, err := stateHome(app)
		if err != nil {
			return "", exitcode.Usagef("pass --incident-dir DIR", "no directory for incident bundles: neither $XDG_STATE_HOME nor $HOME is set")
		}
		dir = filepath.Join(home, "incidents")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", exitcode.Usagef("pass another --incident-dir", "incident directory: %v", unwrapPathErr(err))
	}
	return dir, nil
}

func runServe(ctx context.Context, app *App, conn *ConnOptions, opts *ServeOptions, args []string) error {
	if err := opts.validate(); err != nil {
		return err
	}
	c, err := conn.connect(app)
	if err != nil {
		return err
	}
	dir, err := opts.incidentDir(app)
	if err != nil {
		return err
	}
	// The poller, the captures and this goroutine all log.
	log := &lockedWriter{w: app.IO.Err}
	srv, err := kserve.New(kserve.Options{
		Collect: func(ctx context.Context) (*snapshot.Snapshot, error) {
			return c.live.Collect(ctx, triage.SampledParts(), nil)
		},
		Interval: opts.Interval, Timeout: conn.Timeout, MaxPerCode: opts.MaxSeriesPerCode, Log: log,
		Incidents: kserve.IncidentOptions{
			Dir: dir, Timeout: conn.Timeout, MaxPerHour: opts.CapturesPerHour,
			Budget: opts.IncidentBudgetMB << 20, Retention: opts.IncidentRetention,
			Capture: func(ctx context.Context) (*snapshot.Snapshot, error) {
				return c.live.Collect(ctx, source.PartAll, nil)
			},
			Meta: evidence.Meta{ToolVersion: app.Version, Args: args},
		},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return exitcode.Usagef("choose another --listen address, or stop what uses it", "cannot listen on %s: %v", opts.Listen, err)
	}
	fmt.Fprintf(log, "Serving http://%s (/metrics /triage /healthz /incidents, POST /alertmanager), polling %s every %s, bundles to %s. Ctrl-C to stop.\n",
		ln.Addr(), strings.Join(c.live.Bootstrap(), ","), opts.Interval, dir)
	return serveUntilDone(ctx, srv, ln, log)
}

// serveUntilDone runs the poller and the HTTP server until ctx ends, then
// shuts both down: the listener closes at once, requests in flight get
// shutdownGrace.
func serveUntilDone(ctx context.Context, srv *kserve.Server, ln net.Listener, log *lockedWriter) error {
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	polled := make(chan struct{})
	go func() { defer close(polled); _ = srv.Run(ctx) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		<-polled
		return fmt.Errorf("serving HTTP: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-polled
	fmt.Fprintln(log, "Stopped.")
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping the HTTP server: %w", err)
	}
	return nil
}
