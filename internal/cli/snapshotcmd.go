package cli

import (
	"bytes"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
)

func newSnapshotCmd(app *App, conn *ConnOptions) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Save one full snapshot of the cluster as a JSON document",
		Long: `Collect everything kafka-runbook reads (brokers, partitions with offsets,
each broker's own metadata, configs, log dirs, groups with lag) and write it as
one versioned JSON document (schema_version 1).

Take one before risky work and at the start of an incident: later,
'run data-recovery --since FILE' measures exactly which offsets went backwards.
The file is written atomically: it is either complete or not there.`,
		Example: `  kafka-runbook snapshot -b kafka1:9092 --out before-upgrade.json
  kafka-runbook snapshot | jq '.brokers[] | {id, probe}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			output := explicitOutput(cmd)
			if file != "" && (output == "table" || output == "markdown") {
				// --output is every command's format for what it prints; with
				// --out the file is the document and nothing else is printed,
				// so scripts that pass one -o to every command keep working.
				output = ""
			}
			if _, err := snapshotKind().format(output, file); err != nil {
				return err
			}
			return runSnapshot(cmd.Context(), app, conn, file)
		},
	}
	bindOut(cmd, &file, "write to this file (.json, atomically) instead of standard output")
	// -f/--file is the older spelling; scripts keep working.
	cmd.Flags().StringVarP(&file, "file", "f", "", "same as --out")
	_ = cmd.Flags().MarkHidden("file")
	return cmd
}

// snapshotKind: a snapshot is a JSON document and nothing else.
func snapshotKind() outKind {
	return outKind{command: "snapshot", def: "json", names: map[string]string{"json": "json"}, exts: map[string]string{".json": "json"}}
}

func runSnapshot(ctx context.Context, app *App, conn *ConnOptions, file string) error {
	snap, err := conn.collectOnce(ctx, app, source.PartAll, nil)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := snapshot.Encode(&buf, snap); err != nil {
		return err
	}
	if file == "" {
		_, err := app.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := atomicfile.Write(file, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(app.IO.Err, "Wrote %s (%d brokers, %d topics, %d collection errors)\n", file, len(snap.Brokers), len(snap.Topics), len(snap.Errors))
	return nil
}
