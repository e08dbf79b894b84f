package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

func newTriageCmd(app *App, conn *ConnOptions) *cobra.Command {
	var since string
	var replay ReplayOptions
	cmd := &cobra.Command{
		Use:   "triage",
		Short: "Run every check once: what is broken, how bad, and which runbook to open",
		Long: `Take one live snapshot, run every check on it, and print the blast radius in
plain words, the findings worst first, and the runbook to open next.

This is the first command to type in an incident. Findings carry stable codes
(see 'kafka-runbook codes' and 'kafka-runbook explain CODE').

Exit code: the worst severity found (0 OK or info only, 1 warning,
2 critical), 3 when the cluster could not be evaluated at all.`,
		Example: `  kafka-runbook triage -b kafka1:9092
  kafka-runbook triage -o json | jq -r '.findings[] | select(.severity=="critical") | .code'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if replay.From != "" {
				return evidenceReplayTriage(app, conn, &replay, since)
			}
			return runTriage(cmd.Context(), app, conn, since)
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "earlier snapshot file: also report offsets that went backwards since (DATA_LOSS)")
	_ = cmd.MarkFlagFilename("since", "json")
	replay.bindReplay(cmd)
	return cmd
}

func runTriage(ctx context.Context, app *App, conn *ConnOptions, since string) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	prev, err := loadSince(since)
	if err != nil {
		return err
	}
	snap, err := conn.collectOnce(ctx, app, triageParts(prev != nil), nil)
	if err != nil {
		return err
	}
	return writeTriage(app, ropts, snap, prev)
}

// triageParts is what triage collects: what its checks read, and nothing
// else, since on a large cluster every request and every decoded byte is
// time spent before the first finding.
//   - No check reads reassignments (isr-shrinkage asks for them itself),
//     so the controller is spared that request.
//   - No check reads group members or protocols: the state comes with
//     ListGroups, so DescribeGroups is not sent. Committed offsets are read
//     (log-start-past-committed).
//   - The log start of every partition is read (log-start-past-committed);
//     the log end only with --since, where offsets-backwards compares it
//     with the earlier snapshot. Without it lag stays unknown (-1): the
//     triage report shows none.
//   - Log dirs are read for their health (LOG_DIR_OFFLINE); the replicas in
//     them, the costliest request of a triage for the brokers, only when an
//     authorizer may hide topics from Metadata.
func triageParts(since bool) collect.Parts {
	parts := collect.PartAll&^(collect.PartReassignments|collect.PartGroupMembers|collect.PartLogEndOffsets|collect.PartLogDirContents) |
		collect.PartHiddenTopics
	if since {
		parts |= collect.PartLogEndOffsets
	}
	return parts
}

// writeTriage renders the triage of a snapshot and ends with its verdict.
func writeTriage(app *App, ropts render.Options, snap, prev *snapshot.Snapshot) error {
	report := triage.Build(snap, prev)
	if err := render.View(app.IO.Out, ropts, report); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if code := report.ExitCode(); code != exitcode.OK {
		return &verdictError{code: code}
	}
	return nil
}
