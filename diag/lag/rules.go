package lag

import "time"

// point is one partition of one group in one sample, where its offsets
// were readable: a committed offset and a high watermark.
type point struct {
	at        time.Time
	committed int64
	latest    int64
	lag       int64
	// logStart is the partition's log start offset, -1 when not read.
	logStart int64
	// lastStable is the partition's last stable offset, -1 when not read.
	lastStable int64
}

// judge applies the rules in order to the readable points of one
// partition, oldest first, and returns the status and the number of the
// rule that decided it (0 when no rule did). seen counts the samples the
// partition appeared in, readable or not; members is whether the group has
// members now; leaderless whether the partition has no live leader now.
func judge(ps []point, seen int, members, leaderless bool) (Status, int) {
	switch {
	case leaderless:
		// Rule 6 first: its log end cannot be read, and whatever the
		// other rules would say, the consumer is not the cause.
		return Blocked, 6
	case len(ps) == 0 && seen > 0:
		return Error, 0
	case len(ps) < 2:
		return NotEnoughData, 0
	case rewound(ps):
		// Before Rule 1: a reset of a group that had read everything
		// starts at lag zero, and is exactly the rewind to report.
		return Rewind, 2
	case stopped(sinceCaughtUp(ps), members):
		// Before Rule 1 too: a group with no members cannot be catching up
		// between commits, so lag building since its last zero is real.
		return Stopped, 4
	case lagZeroOnce(ps):
		return OK, 1
	case stalled(ps, members):
		return Stalled, 3
	case stopped(ps, members):
		return Stopped, 4
	case fallingBehind(ps):
		return Warning, 5
	}
	// The consumer commits and its lag did not grow at every sample: it
	// keeps pace, or catches up.
	return OK, 0
}

// Rule 1: the lag was zero in some sample: the consumer caught up within
// the window, so nothing else it did in the window is a fault.
func lagZeroOnce(ps []point) bool {
	for _, p := range ps {
		if p.lag == 0 {
			return true
		}
	}
	return false
}

// Rule 2: the committed offset went down between two samples: the
// group's offsets were reset (or it committed an older position), so it
// re-reads records it already processed.
func rewound(ps []point) bool {
	for i := 1; i < len(ps); i++ {
		if ps[i].committed < ps[i-1].committed {
			return true
		}
	}
	return false
}

// Rule 3: the committed offset did not move over the window, records wait
// to be read, and the group has members now: its consumers run but make no
// progress (a record they cannot process, a blocked poll loop, commits
// that fail).
func stalled(ps []point, members bool) bool {
	return members && stuckWithLag(ps)
}

// Rule 4: the committed offset did not move over the window, records wait
// to be read, and the group has no members: nobody consumes.
func stopped(ps []point, members bool) bool {
	return !members && stuckWithLag(ps)
}

// sinceCaughtUp is the samples from the last one with no lag on: what
// happened after the consumer last caught up. All of them when it never did.
func sinceCaughtUp(ps []point) []point {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].lag == 0 {
			return ps[i:]
		}
	}
	return ps
}

// Rule 5: the committed offset moved, but the lag grew between every two
// samples: the consumer is slower than its producers.
func fallingBehind(ps []point) bool {
	if ps[len(ps)-1].committed == ps[0].committed {
		return false
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].lag <= ps[i-1].lag {
			return false
		}
	}
	return true
}

// stuckWithLag is the half Rules 3 and 4 share: no commit moved over the
// window and the consumer has records it may read. At the last stable
// offset a read_committed consumer has nothing it may read, whatever the
// high watermark says: an open transaction holds it (HANGING_TRANSACTION),
// not the consumer.
func stuckWithLag(ps []point) bool {
	if len(ps) < 2 {
		return false
	}
	last := ps[len(ps)-1]
	for _, p := range ps[1:] {
		if p.committed != ps[0].committed {
			return false
		}
	}
	if last.lastStable >= 0 && last.committed >= last.lastStable {
		return false
	}
	return last.lag > 0
}
