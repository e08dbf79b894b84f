package runbooks

import (
	"slices"
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
		"quorum-status":               quorumStatus,
		"quorum-brokers":              quorumBrokers,
		"quorum-recover":              quorumRecover,
		"quorum-verify":               quorumVerify,
		"lag-groups":                  lagGroups,
		"lag-cause":                   lagCause,
		"lag-retention":               lagRetention,
		"lag-actions":                 lagActions,
		"disk-space":                  diskSpace,
		"disk-growth":                 diskGrowth,
		"disk-actions":                diskActions,
	}
}
