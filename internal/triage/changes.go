package triage

import (
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

// ChangeKind is how one finding differs between two triages.
type ChangeKind string

// The kinds of change. They are a contract of `triage --watch -o json`:
// never renamed or re-used.
const (
	Appeared ChangeKind = "appeared" // a finding the earlier triage did not have
	Cleared  ChangeKind = "cleared"  // a finding the later triage no longer has
	Severity ChangeKind = "severity" // the same code and subject at another severity
)

// FindingChange is one finding that appeared, cleared or changed severity.
type FindingChange struct {
	Kind ChangeKind `json:"change"`
	// Finding is the finding as the later triage has it (as the earlier one
	// had it, for Cleared).
	Finding findings.Finding `json:"finding"`
	// Was is the earlier severity, for Severity only.
	Was *findings.Severity `json:"was,omitempty"`
	key string             // the finding's state key (stateKeys)
}

// FindingChanges is what changed in the findings from prev to cur: the
// state of a finding is its code and subject (its summary and evidence may
// change from poll to poll without it changing state) and its severity.
// Cleared come first, then appeared and severity changes, each in the order
// triage lists findings (worst first).
func FindingChanges(prev, cur []findings.Finding) []FindingChange {
	prevKeys, curKeys := stateKeys(prev), stateKeys(cur)
	before := make(map[string]findings.Finding, len(prev))
	for i, f := range prev {
		before[prevKeys[i]] = f
	}
	after := make(map[string]bool, len(cur))
	for _, k := range curKeys {
		after[k] = true
	}
	var out []FindingChange
	for i, f := range prev {
		if !after[prevKeys[i]] {
			out = append(out, FindingChange{Kind: Cleared, Finding: f, key: prevKeys[i]})
		}
	}
	for i, f := range cur {
		was, ok := before[curKeys[i]]
		switch {
		case !ok:
			out = append(out, FindingChange{Kind: Appeared, Finding: f, key: curKeys[i]})
		case was.Severity != f.Severity:
			sev := was.Severity
			out = append(out, FindingChange{Kind: Severity, Finding: f, Was: &sev, key: curKeys[i]})
		}
	}
	return out
}

// stateKeys names each finding's state: its code and subject. Two findings
// of one code and subject (rare, but nothing forbids it) are told apart by
// their order in the list.
func stateKeys(fs []findings.Finding) []string {
	seen := make(map[string]int, len(fs))
	keys := make([]string, len(fs))
	for i, f := range fs {
		base := f.Code + "\x00" + f.Subject()
		n := seen[base]
		seen[base]++
		keys[i] = base
		if n > 0 {
			keys[i] += "\x00" + strconv.Itoa(n)
		}
	}
	return keys
}
