package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/drill"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// stopPoll is how often the serving process looks for `drill stop`'s stop
// file (SIGTERM ends it sooner where signals work).
const stopPoll = 200 * time.Millisecond

// DrillStartOptions are the flags of `drill start`.
type DrillStartOptions struct {
	*DrillOptions
	// Speed divides every inject's time: 10 plays a 5-minute scenario in
	// 30 seconds (a facilitator's rehearsal).
	Speed float64
}

func newDrillStartCmd(app *App, common *DrillOptions) *cobra.Command {
	opts := &DrillStartOptions{DrillOptions: common}
	cmd := &cobra.Command{
		Use:   "start SCENARIO",
		Short: "Serve a drill scenario on 127.0.0.1 until 'drill stop' (or Ctrl-C)",
		Long: `Serve the scenario over the Kafka protocol on 127.0.0.1, print its bootstrap
address and the facilitator's briefing, and fire its timed injects. Runs in the
foreground until 'kafka-runbook drill stop' (from any terminal, same
--state-dir) or Ctrl-C; either way the drill report is written.

SCENARIO is a name from 'drill list' or a path to a scenario .yaml file.`,
		Example: `  kafka-runbook drill start isr-slow-follower
  kafka-runbook drill start ./our-outage.yaml --speed 10   # rehearse it fast`,
		Args:              oneOf("scenario", func() []string { return scenarioNames(common) }),
		ValidArgsFunction: completeScenario(common),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDrillStart(cmd.Context(), app, opts, args[0])
		},
	}
	cmd.Flags().Float64Var(&opts.Speed, "speed", 1, "play the injects this many times faster than written")
	return cmd
}

// scenarioNames are the scenarios drill start takes by name, with
// --scenario-dir's (none of them when that directory cannot be read).
func scenarioNames(opts *DrillOptions) []string {
	refs, err := opts.available()
	if err != nil {
		return playbooks.List()
	}
	names := make([]string, 0, len(refs))
	for _, r := range refs {
		names = append(names, r.name)
	}
	return names
}

// completeScenario completes SCENARIO: the names of 'drill list', or
// .yaml files once what is typed looks like a path.
func completeScenario(opts *DrillOptions) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		switch {
		case len(args) > 0:
			return nil, cobra.ShellCompDirectiveNoFileComp
		case strings.ContainsAny(toComplete, "./"+string(os.PathSeparator)):
			return []string{"yaml"}, cobra.ShellCompDirectiveFilterFileExt
		}
		var names []string
		for _, n := range scenarioNames(opts) {
			if strings.HasPrefix(n, toComplete) {
				names = append(names, n)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

func runDrillStart(ctx context.Context, app *App, opts *DrillStartOptions, arg string) error {
	if opts.Speed <= 0 {
		return exitcode.Usagef("use e.g. --speed 1 (real time) or --speed 10", "--speed must be positive, got %g", opts.Speed)
	}
	ref, err := opts.resolve(arg)
	if err != nil {
		return err
	}
	sc, err := ref.load()
	if err != nil {
		return err
	}
	state, err := opts.stateDir(app)
	if err != nil {
		return err
	}
	cluster, err := sim.Start(ctx, sc)
	if err != nil {
		return fmt.Errorf("starting the simulated cluster: %w", err)
	}
	defer cluster.Close()
	sess, err := drill.Create(state, sessionMeta(sc, ref, cluster, opts.Speed))
	if err != nil {
		return exitcode.Usage(err, "one drill at a time per --state-dir")
	}
	journal, err := sess.OpenJournal()
	if err != nil {
		return err
	}
	journal.Add(drill.Event{At: sess.Meta.StartedAt, Kind: drill.KindStarted})
	cluster.Observe(func(r sim.Request) {
		r.At = r.At.UTC()
		journal.Add(drill.Event{At: r.At, Kind: drill.KindRequest, Request: &r})
	})
	out := &lockedWriter{w: app.IO.Out}
	writeBriefing(out, sc, sess, opts.DrillOptions)
	reason := serveDrill(ctx, out, cluster, sess, journal, opts.selfCommand("stop"))
	cluster.Observe(nil)
	journal.Add(drill.Event{At: time.Now().UTC(), Kind: drill.KindStopped, Message: reason})
	jerr := journal.Close()
	if _, err := drill.WriteReport(sess); err != nil {
		return fmt.Errorf("writing the drill report: %w", err)
	}
	if err := sess.Deactivate(state); err != nil {
		return err
	}
	fmt.Fprintf(app.IO.Err, "Drill %s ended (%s). Report: %s\n", sess.Meta.ID, reason, sess.Path(drill.ReportFile))
	if jerr != nil {
		return fmt.Errorf("the drill journal is incomplete: %w", jerr)
	}
	return nil
}

// serveDrill fires the injects and serves until stopped; it returns why it
// ended.
func serveDrill(ctx context.Context, out io.Writer, cluster *sim.Cluster, sess *drill.Session, journal *drill.Journal, stopCmd string) string {
	injCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	total := len(sess.Meta.Injects)
	go func() {
		// A panic here would take the drill down with Go's exit 2 (Main
		// recovers only its own goroutine): the injects stop, the drill
		// keeps serving and says why.
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("internal error (a bug; please report it): %s", oneLine(fmt.Sprint(p)))
			}
		}()
		done <- cluster.RunInjects(injCtx, sess.Meta.StartedAt, sess.Meta.Speed, func(f sim.Fired) {
			at := f.At.UTC()
			journal.Add(drill.Event{At: at, Kind: drill.KindInject, Inject: &drill.FiredInject{Index: f.Index, Due: f.Due.UTC(), Say: f.Inject.Say}})
			fmt.Fprintf(out, "%s UTC  +%s  inject %d/%d: %s\n", at.Format("15:04:05"), at.Sub(sess.Meta.StartedAt).Round(time.Second), f.Index+1, total, f.Inject.Say)
		})
	}()
	tick := time.NewTicker(stopPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if sess.StopRequested() {
				return "drill stop" // it also sent SIGTERM
			}
			return "interrupted"
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				fmt.Fprintf(out, "Injects stopped: %v\n", err)
			} else {
				fmt.Fprintf(out, "All injects fired; still serving until '%s'.\n", stopCmd)
			}
			done = nil
		case <-tick.C:
			if sess.StopRequested() {
				return "drill stop"
			}
		}
	}
}

func sessionMeta(sc *sim.Scenario, ref scenarioRef, cluster *sim.Cluster, speed float64) drill.Meta {
	m := drill.Meta{
		Scenario: sc.Name, Title: sc.Title, Source: ref.source(), ExpectedFindings: append([]string{}, sc.ExpectedFindings...),
		ExpectedRunbook: expectedRunbook(sc), StartedAt: time.Now().UTC(), Speed: speed, Bootstrap: cluster.Bootstrap(),
		PID: os.Getpid(), Injects: []drill.Planned{},
	}
	for _, in := range sc.Injects {
		m.Injects = append(m.Injects, drill.Planned{At: in.At.D().String(), Offset: drill.Duration(in.At.D()), Say: in.Say, Expect: append([]string{}, in.Expect...)})
	}
	return m
}

// writeBriefing prints what the facilitator needs: where the cluster is,
// what to tell the team, the notes, the timeline and the commands, each
// runnable as printed.
func writeBriefing(w io.Writer, sc *sim.Scenario, sess *drill.Session, opts *DrillOptions) {
	boot := strings.Join(sess.Meta.Bootstrap, ",")
	fmt.Fprintf(w, "Drill %s: %s\n", sess.Meta.ID, sc.Title)
	fmt.Fprintf(w, "Serving on %s (127.0.0.1 only).\n\n", boot)
	fmt.Fprintf(w, "== Tell the team ==\n%s\n", strings.TrimSpace(sc.Description))
	fmt.Fprintf(w, "  Bootstrap: %s\n\n", boot)
	fmt.Fprintf(w, "== Facilitator notes (do not show) ==\n%s\n\n", strings.TrimSpace(sc.FacilitatorNotes))
	fmt.Fprintf(w, "Expected findings: %s; expected runbook: %s\n", strings.Join(sc.ExpectedFindings, ", "), sess.Meta.ExpectedRunbook)
	t := render.Table{Title: "Injects", Empty: "none",
		Columns: []render.Column{{Name: "At"}, {Name: "What", Wrap: true}, {Name: "Expect", Wrap: true}}}
	for _, p := range sess.Meta.Injects {
		at := "+" + p.At
		if sess.Meta.Speed != 1 {
			at += fmt.Sprintf(" (+%s at %gx)", time.Duration(float64(p.Offset)/sess.Meta.Speed).Round(time.Millisecond), sess.Meta.Speed)
		}
		t.Rows = append(t.Rows, []string{at, p.Say, strings.Join(p.Expect, ", ")})
	}
	_ = render.Render(w, render.Options{}, t)
	fmt.Fprintf(w, `
The team runs, for example:
  %s
  %s    # recorded runbook walks count in the report
  kcat -L -b %s
Record decisions:  %s "..."
End the drill:     %s      (or Ctrl-C here)

`, runbooks.ShellLine("kafka-runbook", "triage", "-b", boot),
		runbooks.ShellLine("kafka-runbook", "run", sess.Meta.ExpectedRunbook, "-b", boot, "--record", sess.Path(drill.EvidenceDir)),
		sess.Meta.Bootstrap[0], opts.selfCommand("note"), opts.selfCommand("stop"))
}

// lockedWriter serialises the inject ticker and the main goroutine.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
