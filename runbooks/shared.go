package runbooks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Helpers every diagnostic uses. The registry (diagnostics.go) names the
// diagnostics; each diag_*.go file holds one runbook's and calls only what
// is here, the Table (table.go), the plan (plan.go) and its Env, never
// another runbook's file.

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

// itoa renders a count or an id.
func itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// boolInt orders false before true in comparisons.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
