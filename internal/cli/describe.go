package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
)

// DescribeOptions are the flags of `describe`.
type DescribeOptions struct {
	View   string
	Filter views.Filter
	// All lifts the row limit of long lists (--all); Filter.Limit is --limit.
	All bool
	// Sample, for the groups view, samples the groups over this long first
	// and judges each one's lag status over the window.
	Sample time.Duration
}

// describeParts is what each view needs collected, so that e.g. `describe
// brokers` never reads every group's offsets. Topics and partitions look for
// hidden topics too: when a broker runs an authorizer, the replicas on disk
// are how topics that ACLs hide from Metadata are noticed instead of
// silently left out. Brokers read the quorum for its leader, the active
// controller of a KRaft cluster; groups read the group types, so that a
// consumer-protocol group (KIP-848) is described by the API that knows it.
var describeParts = map[string]source.Parts{
	"brokers":    source.PartQuorum,
	"topics":     source.PartConfigs | source.PartReassignments | source.PartHiddenTopics,
	"partitions": source.PartConfigs | source.PartOffsets | source.PartReassignments | source.PartHiddenTopics,
	"groups":     source.PartGroups | source.PartGroupTypes | source.PartTimeLag,
	"logdirs":    source.PartLogDirs,
	"configs":    source.PartConfigs,
	"security":   source.PartConfigs | source.PartACLs,
	"quorum":     source.PartQuorum,
}

func newDescribeCmd(app *App, conn *ConnOptions) *cobra.Command {
	opts := &DescribeOptions{}
	cmd := &cobra.Command{
		Use:   "describe VIEW",
		Short: "Show how the cluster looks now: brokers, topics, partitions, groups, logdirs, configs, security or quorum",
		Long: `Take one live snapshot and show one view of it.

Views:
  brokers     every broker id known (registered, fenced, or only named in replica
              lists), whether it answered, refused or hung, and what it leads
  topics      partitions, replication factor, min ISR, retention, problem counts
  partitions  leader, epoch, replicas, ISR, offline replicas, offsets, status
  groups      consumer groups with state, members and lag per partition
  logdirs     log directories per broker: size, total and usable bytes, errors
  configs     the configs that decide risk, per topic and per broker
  security    each broker's listeners and their protocols, the authorizer and the
              ACLs, with entries that let anybody write marked, and the TLS
              certificate chain each broker served (subject, names, issuer, expiry)
  quorum      the KRaft controller quorum: leader, epoch, high watermark, and each
              voter's and observer's log end, lag and last fetch (as
              kafka-metadata-quorum.sh describe --status and --replication)

The partition filters are those of kafka-topics.sh --describe; given together
they show partitions matching any of them.

Long lists (partitions, topics, groups, committed offsets, topic configs) are
summarised first (counts per broker and per topic), then listed worst first up
to --limit rows; --all lists every row. --output json always has every row.

describe exits 0 whenever it could collect, even partially (what could not be
collected is named under the tables), and 3 when no broker answered or when
every --topic (or --group) given matches nothing the cluster has: the error
names them and the choices. A name that matches nothing beside others that
do is a warning.`,
		Example: `  kafka-runbook describe brokers -b kafka1:9092
  kafka-runbook describe partitions --under-replicated --topic orders
  kafka-runbook describe partitions --under-min-isr -o json | jq '.partitions | length'
  kafka-runbook describe groups --limit 200
  kafka-runbook describe groups --group billing -o markdown`,
		Args:      oneOf("view", views.Names),
		ValidArgs: views.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.View = args[0]
			return runDescribe(cmd.Context(), app, conn, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Filter.Topics, "topic", nil, "only this topic (repeatable)")
	f.StringArrayVar(&opts.Filter.Groups, "group", nil, "only this consumer group (repeatable)")
	f.BoolVar(&opts.Filter.UnderReplicated, "under-replicated", false, "only partitions whose ISR is smaller than their replicas")
	f.BoolVar(&opts.Filter.Unavailable, "unavailable", false, "only partitions without a live leader")
	f.BoolVar(&opts.Filter.UnderMinISR, "under-min-isr", false, "only partitions whose ISR is below min.insync.replicas (acks=all fails)")
	f.BoolVar(&opts.Filter.AtMinISR, "at-min-isr", false, "only partitions whose ISR equals min.insync.replicas (one failure from unavailable)")
	f.BoolVar(&opts.Filter.ExcludeInternal, "exclude-internal", false, "hide internal topics such as __consumer_offsets")
	f.IntVar(&opts.Filter.Limit, "limit", views.DefaultLimit, "list at most this many rows of a long list, worst first (tables only; JSON has every row)")
	f.BoolVar(&opts.All, "all", false, "list every row of long lists")
	f.DurationVar(&opts.Sample, "sample", 0, "groups: sample over this long first (e.g. 20s) and judge each group's lag status (Burrow's rules)")
	cmd.MarkFlagsMutuallyExclusive("limit", "all")
	return cmd
}

func runDescribe(ctx context.Context, app *App, conn *ConnOptions, opts *DescribeOptions) error {
	parts, ok := describeParts[opts.View]
	if !ok {
		return exitcode.Usagef("run 'kafka-runbook describe --help'", "unknown view %q: choose one of %s", opts.View, strings.Join(views.Names(), ", "))
	}
	switch {
	case opts.All:
		opts.Filter.Limit = -1
	case opts.Filter.Limit <= 0:
		return exitcode.Usagef("use --all to list every row", "--limit must be positive, got %d", opts.Filter.Limit)
	}
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	if opts.Sample != 0 {
		return describeSampled(ctx, app, conn, ropts, opts)
	}
	snap, err := conn.collectOnce(ctx, app, parts, opts.Filter.Groups)
	if err != nil {
		return err
	}
	if err := checkNames(app, opts.View, snap, opts.Filter); err != nil {
		return err
	}
	return writeView(app, ropts, opts.View, snap, opts.Filter)
}

// describeSampled is describe groups --sample: the window first, then the
// view of the last snapshot with every group's status over the window.
func describeSampled(ctx context.Context, app *App, conn *ConnOptions, ropts render.Options, opts *DescribeOptions) error {
	switch {
	case opts.View != "groups":
		return exitcode.Usagef("use --sample with 'describe groups', or 'triage --sample' for every check",
			"--sample judges consumer groups over time; the %s view is one moment", opts.View)
	case opts.Sample < minSample || opts.Sample > maxSample:
		return exitcode.Usagef("use e.g. --sample 20s", "--sample must be between %s and %s, got %s", minSample, maxSample, opts.Sample)
	}
	window, err := sampleWindow(ctx, app, conn, opts.Sample)
	if err != nil {
		return err
	}
	snap, err := conn.collectOnce(ctx, app, describeParts["groups"]|triage.SampleParts, opts.Filter.Groups)
	if err != nil {
		return err
	}
	if err := checkNames(app, opts.View, snap, opts.Filter); err != nil {
		return err
	}
	v := views.Groups(snap, opts.Filter)
	v.Judge(append(window, snap))
	if err := render.View(app.IO.Out, ropts, v); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

// writeView renders one view of a snapshot.
func writeView(app *App, ropts render.Options, name string, snap *snapshot.Snapshot, filter views.Filter) error {
	v, err := views.Build(name, snap, filter)
	if err != nil {
		return exitcode.Usage(err, "run 'kafka-runbook describe --help'")
	}
	if err := render.View(app.IO.Out, ropts, v); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}
