package evidence

import (
	"encoding/json"
	"io"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// notSnapshot says what a decoded document that is no snapshot is, and
// which document to give instead; "" when s is a snapshot. Every snapshot
// the tool writes has the time it was taken, while the other documents it
// writes with a schema_version (a triage report, a bundle's manifest, a
// runbook transcript) decode as an empty snapshot: left alone they would be
// replayed as a cluster with nothing in it, "taken 0001-01-01".
func notSnapshot(s *snapshot.Snapshot, doc io.Reader) string {
	if !s.TakenAt.IsZero() {
		return ""
	}
	var probe struct {
		Status   json.RawMessage `json:"status"`
		Findings json.RawMessage `json:"findings"`
		Files    json.RawMessage `json:"files"`
		Tool     json.RawMessage `json:"tool"`
		Runbook  json.RawMessage `json:"runbook"`
		Steps    json.RawMessage `json:"steps"`
	}
	const instead = ": give a snapshot file ('kafka-runbook snapshot --out FILE') or an evidence bundle directory"
	if doc == nil || json.NewDecoder(io.LimitReader(doc, snapshot.MaxDocumentBytes)).Decode(&probe) != nil {
		return "is not a snapshot (it has no taken_at)" + instead
	}
	switch {
	case probe.Status != nil && probe.Findings != nil:
		return "is a triage report ('triage -o json'), not a snapshot" + instead
	case probe.Files != nil && probe.Tool != nil:
		return "is a bundle's manifest, not a snapshot: give the bundle's directory instead"
	case probe.Runbook != nil && probe.Steps != nil:
		return "is a runbook transcript, not a snapshot" + instead
	}
	return "is not a snapshot (it has no taken_at)" + instead
}
