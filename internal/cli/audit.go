package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/audit"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

func newAuditCmd(app *App, conn *ConnOptions) *cobra.Command {
	var replay ReplayOptions
	var diskFlags *DiskFlags
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Run the hygiene checks: balance, racks, certificates, config drift, throttles, disks",
		Long: `Take one live snapshot and run every hygiene check on it: what to fix before
the next incident rather than during one. Read-only and bounded by --timeout,
like triage.

It checks:
  leader balance   PREFERRED_LEADER_IMBALANCE (against leader.imbalance.per.broker.percentage
                   and auto.leader.rebalance.enable), LEADER_SKEW, REPLICA_SKEW (a broker
                   more than 25 % away from the mean of leaders, replicas or bytes)
  racks            RACK_SPREAD, BROKER_WITHOUT_RACK
  certificates     TLS_CERT_EXPIRED, TLS_CERT_EXPIRING (warning under 30 days, critical
                   under 7), TLS_CERT_HOSTNAME_MISMATCH, from the TLS handshakes it makes
  configuration    BROKER_CONFIG_DRIFT, MIXED_BROKER_VERSIONS, REPLICATION_THROTTLE_LEFT,
                   AUTO_CREATE_TOPICS_ENABLED
  disks            LOG_DIR_LOW_SPACE (thresholds as triage's, changed by the --disk-* flags;
                   how fast a dir fills needs a window: triage --sample, run disk-pressure)

Each code found comes with the commands that fix it and their risk; 'kafka-runbook
explain CODE' says more. Triage reports only the urgent ones: a certificate expired
or expiring within 7 days, a throttle holding a follower out of the ISR.

Status and exit code as for triage: the worst finding decides (0 OK or info only,
1 WARNING, 2 CRITICAL); a check that could not run makes it UNKNOWN (3) unless
something worse was found.

With --from, the checks run on a recorded bundle or snapshot file, offline.`,
		Example: `  kafka-runbook audit -b kafka1:9092
  kafka-runbook audit -o markdown > audit.md
  kafka-runbook audit -o json | jq -r '.findings[] | "\(.code) \(.summary)"'
  kafka-runbook audit --from incident-42      # on the last snapshot a bundle recorded`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			th, err := diskFlags.thresholds()
			if err != nil {
				return err
			}
			return runAudit(cmd.Context(), app, conn, &replay, th)
		},
	}
	replay.bindReplay(cmd)
	diskFlags = bindDiskFlags(cmd)
	return cmd
}

func runAudit(ctx context.Context, app *App, conn *ConnOptions, replay *ReplayOptions, th *disk.Thresholds) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	var snap *snapshot.Snapshot
	if replay.From != "" {
		rec, err := replay.load(app)
		if err != nil {
			return err
		}
		snap = rec.Snap
	} else if snap, err = conn.collectOnce(ctx, app, audit.Parts, nil); err != nil {
		return err
	}
	report := audit.Build(snap, th)
	if err := render.View(app.IO.Out, ropts, report); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if code := exitcode.For(report.Status); code != exitcode.OK {
		return &verdictError{code: code}
	}
	return nil
}
