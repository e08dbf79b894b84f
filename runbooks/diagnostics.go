package runbooks

import (
	"context"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// lookupDiagnostic finds the Go diagnostic a runbook step names.
func lookupDiagnostic(name string) (Diagnostic, bool) {
	d, ok := diagnosticTable()[name]
	return d, ok
}

// DiagnosticNames lists the diagnostics runbook files may use.
func DiagnosticNames() []string {
	var out []string
	for n := range diagnosticTable() {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func diagnosticTable() map[string]Diagnostic {
	return map[string]Diagnostic{
		"broker-classify":             brokerClassify,
		"broker-blast-radius":         brokerBlastRadius,
		"broker-offline-wait":         brokerOfflineWait,
		"broker-replace-plan":         brokerReplacePlan,
		"broker-after-return":         brokerAfterReturn,
		"isr-by-broker":               isrByBroker,
		"isr-reassignments":           isrReassignments,
		"isr-follower-progress":       isrFollowerProgress,
		"isr-flapping":                isrFlapping,
		"isr-blocked-producers":       isrBlockedProducers,
		"isr-disks":                   isrDisks,
		"zombie-views":                zombieViews,
		"zombie-persist":              zombiePersist,
		"zombie-confirm":              zombieConfirm,
		"zombie-truncation":           zombieTruncation,
		"recovery-unclean-candidates": recoveryUncleanCandidates,
		"recovery-since":              recoverySince,
		"recovery-log-start":          recoveryLogStart,
		"recovery-rewind":             recoveryRewind,
	}
}

// snapshotAndChecks takes a fresh snapshot and runs the named checks on it.
func snapshotAndChecks(ctx context.Context, env *Env, parts source.Parts, names ...string) (*snapshot.Snapshot, checks.Result, error) {
	snap, err := env.Source.Snapshot(ctx, parts)
	if err != nil {
		return nil, checks.Result{}, err
	}
	res := checks.Run(checks.Input{Snap: snap, Previous: env.Previous}, checks.Named(names...))
	return snap, res, nil
}

// brokersAre is "broker 3 is" or "brokers 1, 2 are".
func brokersAre(ids []int32) string {
	if len(ids) == 1 {
		return fmt.Sprintf("broker %d is", ids[0])
	}
	return "brokers " + words.JoinIDs(ids, ", ") + " are"
}
