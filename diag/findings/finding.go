// Package findings defines what a check reports: a finding with a stable
// code, an ordered severity and structured subjects, and the catalogue that
// explains every code.
//
// Codes are a public contract: scripts match on them. Once shipped, a code
// is never renamed, re-used or removed.
package findings

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Severity orders findings. The zero value is Info.
type Severity int

// The severities, in increasing order.
const (
	Info Severity = iota
	Warning
	Critical
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "critical".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "critical", "crit":
		return Critical, nil
	}
	return Info, fmt.Errorf("unknown severity %q: use info, warning or critical", s)
}

// MarshalJSON writes the severity as its name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the severity from its name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	v, err := ParseSeverity(name)
	*s = v
	return err
}

// Finding is one thing a check found wrong (or worth knowing).
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Subjects: which of these apply depends on the code. Broker and
	// Partition are pointers because 0 is a valid id.
	Broker    *int32 `json:"broker,omitempty"`
	Topic     string `json:"topic,omitempty"`
	Partition *int32 `json:"partition,omitempty"`
	Group     string `json:"group,omitempty"`
	// LogDir is a broker's log directory (its path), with Broker.
	LogDir string `json:"log_dir,omitempty"`
	// Summary is one line for a human.
	Summary string `json:"summary"`
	// Evidence is the structured data behind the finding.
	Evidence map[string]any `json:"evidence,omitempty"`
}

// Subject renders the subjects as one short string, e.g. "orders/3" or
// "broker 2".
func (f Finding) Subject() string {
	var parts []string
	if f.Broker != nil {
		parts = append(parts, fmt.Sprintf("broker %d", *f.Broker))
	}
	if f.LogDir != "" {
		parts = append(parts, f.LogDir)
	}
	if f.Topic != "" {
		t := f.Topic
		if f.Partition != nil {
			t = fmt.Sprintf("%s/%d", f.Topic, *f.Partition)
		}
		parts = append(parts, t)
	}
	if f.Group != "" {
		parts = append(parts, "group "+f.Group)
	}
	return strings.Join(parts, " ")
}

// Int32 returns a pointer to v, for the optional subject fields.
func Int32(v int32) *int32 { return &v }

// CompareOptional orders optional ids (the subject fields): absent first,
// then by value.
func CompareOptional(a, b *int32) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// Sort orders findings by severity (worst first), then code, then subject,
// so output is stable and the worst problem is read first.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Code, b.Code),
			CompareOptional(a.Broker, b.Broker),
			cmp.Compare(a.LogDir, b.LogDir),
			cmp.Compare(a.Topic, b.Topic),
			CompareOptional(a.Partition, b.Partition),
			cmp.Compare(a.Group, b.Group),
		)
	})
}

// Worst returns the highest severity among fs, and false when fs is empty.
func Worst(fs []Finding) (Severity, bool) {
	if len(fs) == 0 {
		return Info, false
	}
	worst := Info
	for _, f := range fs {
		worst = max(worst, f.Severity)
	}
	return worst, true
}
