package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

func newTriageCmd(app *App, conn *ConnOptions) *cobra.Command {
	var replay ReplayOptions
	cmd := &cobra.Command{
		Use:   "triage",
		Short: "Run every check once: what is broken, how bad, and which runbook to open",
		Long: `Take one live snapshot, run every check on it, and print the blast radius in
plain words, the findings worst first, and the runbook to open next.

This is the first command to type in an incident. Findings carry stable codes
(see 'kafka-runbook codes' and 'kafka-runbook explain CODE').

Status and exit code: the worst finding decides (0 OK or info only,
1 WARNING, 2 CRITICAL). A check that could not run (a broker that did not
answer a request, data that could not be read) is never a pass: when some
checks could not run and nothing at warning or above was found, the status
is UNKNOWN (exit 3), and the report names each check and why. Exit 3 also
means the cluster could not be reached at all. Checks that need input you
did not give (offsets going backwards needs --since) are listed as not
asked for and do not change the status.`,
		Example: `  kafka-runbook triage -b kafka1:9092
  kafka-runbook triage -o json | jq -r '.findings[] | select(.severity=="critical") | .code'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if replay.From != "" {
				return evidenceReplayTriage(app, conn, &replay)
			}
			return runTriage(cmd.Context(), app, conn, &replay)
		},
	}
	replay.bindSince(cmd)
	replay.bindReplay(cmd)
	return cmd
}

func runTriage(ctx context.Context, app *App, conn *ConnOptions, replay *ReplayOptions) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	prev, err := replay.since()
	if err != nil {
		return err
	}
	snap, err := conn.collectOnce(ctx, app, triage.Parts(prev != nil), nil)
	if err != nil {
		return err
	}
	if err := sameCluster(prev, snap, replay.Since); err != nil {
		return err
	}
	return writeTriage(app, ropts, snap, prev)
}

// writeTriage renders the triage of a snapshot and ends with its verdict.
func writeTriage(app *App, ropts render.Options, snap, prev *snapshot.Snapshot) error {
	report := triage.Build(snap, prev)
	if err := render.View(app.IO.Out, ropts, report); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if code := exitcode.For(report.Status); code != exitcode.OK {
		return &verdictError{code: code}
	}
	return nil
}
