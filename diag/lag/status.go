// Package lag judges consumer groups over a short window of snapshots, with
// Burrow's rules adapted to what OffsetFetch shows: committed offsets and
// the high watermark at each sample, but no commit timestamps. It is pure:
// the samples carry the time (Snapshot.TakenAt), nothing reads a clock or
// the network, so the same judgement runs on live samples, a watch
// history, a recorded bundle and test fixtures.
//
// Each partition a group committed on gets a Status from the numbered
// rules (rules.go); a group's status is its worst partition's. Beside the
// status, a group carries its rebalances over the window (rebalance.go)
// and each lagging partition when its unread records may be deleted
// (retention.go).
package lag

import (
	"fmt"
	"strings"
)

// Status is the judgement of one partition of a group, or of a group (its
// worst partition's). Statuses are ordered by how much they ask of the
// group's owner, as Burrow orders them, so that max gives the worst.
type Status int

// The statuses, in increasing order of concern.
const (
	// NotEnoughData: the partition's lag was read in fewer than two
	// samples. Unknown, never a silent OK; lowest, so that one new
	// partition does not hide what its group's others show.
	NotEnoughData Status = iota
	// OK: the consumer caught up in the window (Rule 1), or keeps pace.
	OK
	// Warning: the consumer commits but its lag grew at every sample: it
	// is slower than the producers (Rule 5).
	Warning
	// Error: the offsets could not be read in any sample (the group's
	// OffsetFetch failed, or the log end was never known).
	Error
	// Blocked: the partition has no live leader: nobody can read it, and
	// that is not the consumer's fault (Rule 6).
	Blocked
	// Stopped: no members, no commit over the window, records unread
	// (Rule 4).
	Stopped
	// Stalled: members present, no commit over the window, records unread
	// (Rule 3): the consumers run but make no progress.
	Stalled
	// Rewind: the committed offset went down between two samples (Rule 2):
	// the group's offsets were reset, or it re-reads.
	Rewind
)

var statusNames = [...]string{"NOT_ENOUGH_DATA", "OK", "WARNING", "ERROR", "BLOCKED", "STOPPED", "STALLED", "REWIND"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// MarshalText writes the status as its name, so JSON reads "STALLED".
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status from its name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if strings.EqualFold(n, string(b)) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown lag status %q", b)
}
