package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// demoScenario is the incident `demo` serves.
const demoScenario = "demo-broker-down"

// DemoOptions are the flags of `demo`.
type DemoOptions struct {
	Scenario string
	Serve    bool
}

func newDemoCmd(app *App, conn *ConnOptions) *cobra.Command {
	opts := &DemoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See kafka-runbook on a simulated incident, no cluster needed",
		Long: `Start a simulated Kafka cluster in this process, serving a realistic incident
over the real Kafka protocol on 127.0.0.1 (one broker down, under-replicated,
under-min-ISR and offline partitions, a lagging consumer group), and run the
normal live diagnosis against it: triage, then the broker, partition and
group tables.

With --serve it keeps the cluster running and prints its bootstrap address, so
you can point kafka-runbook, kcat or Kafka's own tools at it. Stop with Ctrl-C.`,
		Example: `  kafka-runbook demo
  kafka-runbook demo --serve     # then, in another terminal:
  kafka-runbook run broker-failure -b 127.0.0.1:PORT`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), app, conn, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Scenario, "scenario", demoScenario, "scenario to serve: "+strings.Join(playbooks.List(), ", "))
	cmd.Flags().BoolVar(&opts.Serve, "serve", false, "keep serving the simulated cluster until Ctrl-C")
	return cmd
}

func runDemo(ctx context.Context, app *App, conn *ConnOptions, opts *DemoOptions) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	sc, err := sim.Load(playbooks.FS(), opts.Scenario+".yaml")
	if err != nil {
		return exitcode.Usage(err, "choose one of: "+strings.Join(playbooks.List(), ", "))
	}
	cluster, err := sim.Start(ctx, sc)
	if err != nil {
		return fmt.Errorf("starting the simulated cluster: %w", err)
	}
	defer cluster.Close()
	// The demo is a real client of the simulated cluster: same flags, same
	// collection, same rendering as against production.
	local := *conn
	local.Bootstrap = strings.Join(cluster.Bootstrap(), ",")
	local.CommandConfig, local.Overrides = "", nil
	local.loaded, local.loadErr = nil, nil // the copy connects to the simulated cluster, not --bootstrap-server
	local.simulated = true                 // nor with a context's or KAFKA_RUNBOOK_COMMAND_CONFIG's settings
	bootstrap := local.Bootstrap
	if ropts.Format != "json" {
		fmt.Fprintf(app.IO.Out, "Simulated incident %q: %s\nServing on %s (127.0.0.1 only).\n\n", sc.Name, sc.Title, bootstrap)
	}
	snap, err := local.collectOnce(ctx, app, source.PartAll, nil)
	if err != nil {
		return err
	}
	report := triage.Build(snap, nil)
	if opts.Serve { // the cluster stays: its next command runs as printed
		report = withNextCommand(report, []string{"-b", bootstrap})
	}
	if err := writeReport(app, ropts, report); err != nil {
		var verdict *verdictError
		if !errors.As(err, &verdict) {
			return err
		}
	}
	if ropts.Format != "json" {
		if err := writeDemoTour(app, ropts, snap, demoNext(sc.Name, report.Summary.NextRunbook, opts.Serve, bootstrap)); err != nil {
			return err
		}
	}
	if !opts.Serve {
		return nil
	}
	fmt.Fprintf(app.IO.Err, "\nServing %q on %s until Ctrl-C.\n", sc.Name, bootstrap)
	<-ctx.Done()
	return nil
}

// writeDemoTour shows the views an on-call engineer looks at after triage,
// then next: how to walk the runbook triage names.
func writeDemoTour(app *App, ropts render.Options, snap *snapshot.Snapshot, next string) error {
	for _, v := range []struct {
		name   string
		filter views.Filter
	}{
		{"brokers", views.Filter{}},
		{"partitions --unavailable --under-min-isr", views.Filter{Unavailable: true, UnderMinISR: true}},
		{"groups", views.Filter{}},
	} {
		fmt.Fprintf(app.IO.Out, "\n$ kafka-runbook describe %s\n", v.name)
		if err := writeView(app, ropts, strings.Fields(v.name)[0], snap, v.filter); err != nil {
			return err
		}
	}
	_, err := io.WriteString(app.IO.Out, next)
	return err
}

// demoNext says how to walk the runbook triage names: as printed while
// the cluster is served, else by serving it first.
func demoNext(scenario, runbook string, serving bool, bootstrap string) string {
	runbook = cmp.Or(runbook, "broker-failure")
	if serving {
		return fmt.Sprintf("\nNext, walk the runbook triage names against this cluster, from another terminal:\n  %s\n",
			runbooks.ShellLine("kafka-runbook", "run", runbook, "-b", bootstrap))
	}
	return fmt.Sprintf("\nNext, walk the runbook triage names against this cluster:\n  kafka-runbook demo --scenario %s --serve   # keeps it running\n  kafka-runbook run %s -b <address it prints>\n",
		scenario, runbook)
}
