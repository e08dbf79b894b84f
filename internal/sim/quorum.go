package sim

import (
	"fmt"
	"slices"
	"time"
)

// Quorum is the KRaft controller quorum: the voters that elect the active
// controller, whose metadata log every broker fetches. A scenario without
// one has a single healthy voter leading (see defaultQuorum), so the
// simulated cluster is always KRaft.
type Quorum struct {
	// Leader is the active controller: a voter id, or -1 when the quorum
	// has no leader (brokers then have no controller to forward
	// DescribeQuorum to, and answer REQUEST_TIMED_OUT). Nil means what an
	// election would give: the lowest up voter while a majority of voters
	// is up or lagging, else -1.
	Leader *int32 `yaml:"leader,omitempty"`
	// LeaderEpoch is the leader's epoch; 0 means 1. An inject that changes
	// the leader bumps it.
	LeaderEpoch int32 `yaml:"leader_epoch,omitempty"`
	// HighWatermark is the metadata log's committed offset at the start; 0
	// means defaultHighWatermark. While the quorum has a leader it grows
	// as the leader appends its no-op records.
	HighWatermark int64 `yaml:"high_watermark,omitempty"`
	// Voters are the controllers, in any order.
	Voters []Voter `yaml:"voters"`
}

// VoterState is how a controller follows the quorum leader.
type VoterState string

// Voter states.
const (
	// VoterUp fetches from the leader and is caught up (or is the leader).
	VoterUp VoterState = "up"
	// VoterDown has stopped fetching: the process died, or the network
	// cut it off from the leader.
	VoterDown VoterState = "down"
	// VoterLagging fetches but is behind the high watermark (a slow disk,
	// a restarted controller replaying the log).
	VoterLagging VoterState = "lagging"
)

// Voter is one controller of the quorum. In an inject, a voter names the
// controller to change: an empty state keeps its state, and a new state
// drops the lag and times of the old one unless the change gives them.
type Voter struct {
	// ID is the controller's node.id; it differs from every broker id
	// (dedicated controllers).
	ID int32 `yaml:"id"`
	// Endpoint is the host:port of its CONTROLLER listener, served in
	// DescribeQuorum v2; empty means controller-<id>:9093. Nothing listens
	// there: the simulator serves brokers only.
	Endpoint string `yaml:"endpoint,omitempty"`
	// State is required in a scenario.
	State VoterState `yaml:"state,omitempty"`
	// Lag is how many records the voter's log end offset trails the high
	// watermark: required when lagging; when down, how far behind it is
	// when the state begins (default: the no-op records appended since its
	// last fetch), growing while a leader appends more.
	Lag *int64 `yaml:"lag,omitempty"`
	// LastFetch is how long ago it last fetched from the leader: when down
	// default defaultSilence, when lagging default followerFetchAgo.
	LastFetch *Duration `yaml:"last_fetch,omitempty"`
	// LastCaughtUp is how long ago a lagging voter last reached the high
	// watermark; default defaultBehindFor.
	LastCaughtUp *Duration `yaml:"last_caught_up,omitempty"`
}

// QuorumChange changes the controller quorum in an inject.
type QuorumChange struct {
	// Leader is the new leader, -1 for none. Nil keeps the leader while it
	// is up with a majority behind it, else an election decides as for
	// Quorum.Leader.
	Leader *int32 `yaml:"leader,omitempty"`
	// Voters change the named voters; see Voter.
	Voters []Voter `yaml:"voters,omitempty"`
}

// Timing of the simulated quorum. Kafka's own settings where one applies.
const (
	// defaultHighWatermark is the metadata log's size at the start: a
	// cluster that has been running for a while.
	defaultHighWatermark = 48_000
	// noOpEvery is metadata.max.idle.interval.ms: an idle leader appends a
	// no-op record this often, so the high watermark keeps growing and a
	// replica that stopped fetching falls behind by the minute.
	noOpEvery = 500 * time.Millisecond
	// followerFetchAgo is how long ago a healthy follower last fetched:
	// followers fetch continuously, each request waiting a fraction of a
	// second for new records.
	followerFetchAgo = 200 * time.Millisecond
	// fetchTimeout is controller.quorum.fetch.timeout.ms: a voter that has
	// not fetched for this long starts an election, so a lagging voter
	// (one that does fetch) last fetched more recently.
	fetchTimeout = 2 * time.Second
	// defaultSilence is how long ago a replica that stopped fetching last
	// fetched, unless the scenario says: long enough for the leader and
	// the tools to have noticed.
	defaultSilence = time.Minute
	// defaultBehindFor is how long ago a lagging voter was last caught up.
	defaultBehindFor = 30 * time.Second
	// defaultVoterID is the id of the single voter of a scenario without a
	// quorum section, when no broker has it.
	defaultVoterID = 100
)

// defaultQuorum is one healthy controller leading, with an id no broker
// has (100, or the next free one): the quorum of a scenario that says
// nothing about it.
func defaultQuorum(brokers []Broker) *Quorum {
	id := int32(defaultVoterID)
	for slices.ContainsFunc(brokers, func(b Broker) bool { return b.ID == id }) {
		id++
	}
	return &Quorum{Voters: []Voter{{ID: id, State: VoterUp}}}
}

// alive reports whether the voter takes part in the quorum: it fetches,
// caught up or not.
func (v *Voter) alive() bool { return v.State == VoterUp || v.State == VoterLagging }

// voter returns the voter with id, nil when there is none.
func (q *Quorum) voter(id int32) *Voter {
	for i := range q.Voters {
		if q.Voters[i].ID == id {
			return &q.Voters[i]
		}
	}
	return nil
}

// majority reports whether more than half the voters are alive: only then
// can the quorum elect a leader and commit anything.
func (q *Quorum) majority() bool {
	alive := 0
	for i := range q.Voters {
		if q.Voters[i].alive() {
			alive++
		}
	}
	return alive > len(q.Voters)/2
}

// elected is the leader an election gives: the lowest up voter while a
// majority is alive, else -1. Any up voter could win; the lowest makes the
// served cluster the same on every run.
func (q *Quorum) elected() int32 {
	if !q.majority() {
		return -1
	}
	best := int32(-1)
	for _, v := range q.Voters {
		if v.State == VoterUp && (best < 0 || v.ID < best) {
			best = v.ID
		}
	}
	return best
}

// leader is the active controller, -1 for none.
func (q *Quorum) leader() int32 {
	if q.Leader != nil {
		return *q.Leader
	}
	return q.elected()
}

// epoch is the leader epoch, at least 1.
func (q *Quorum) epoch() int32 { return max(q.LeaderEpoch, 1) }

// endpoint is the voter's CONTROLLER listener.
func (v *Voter) endpoint() string {
	if v.Endpoint != "" {
		return v.Endpoint
	}
	return fmt.Sprintf("controller-%d:9093", v.ID)
}

// changeQuorum applies an inject's quorum change. The leader is settled
// last: kept while it still can lead, else re-elected, unless the change
// names one; a new leader bumps the epoch.
func (s *Scenario) changeQuorum(qc *QuorumChange) []Problem {
	q := s.Quorum
	var ps []Problem
	was := q.leader()
	for j, vc := range qc.Voters {
		v := q.voter(vc.ID)
		if v == nil {
			ps = append(ps, Problem{Field: fmt.Sprintf("quorum.voters[%d].id", j), Msg: fmt.Sprintf("unknown voter id %d", vc.ID)})
			continue
		}
		if vc.State != "" && vc.State != v.State {
			v.State, v.Lag, v.LastFetch, v.LastCaughtUp = vc.State, nil, nil, nil
		}
		if vc.Endpoint != "" {
			v.Endpoint = vc.Endpoint
		}
		v.Lag, v.LastFetch, v.LastCaughtUp = cmpOrPtr(vc.Lag, v.Lag), cmpOrPtr(vc.LastFetch, v.LastFetch), cmpOrPtr(vc.LastCaughtUp, v.LastCaughtUp)
	}
	now := was
	switch {
	case qc.Leader != nil:
		now = *qc.Leader
	case was >= 0 && q.voter(was) != nil && q.voter(was).State == VoterUp && q.majority():
	default:
		now = q.elected()
	}
	q.Leader = &now
	if now >= 0 && now != was {
		q.LeaderEpoch = q.epoch() + 1
	}
	return ps
}

// cmpOrPtr returns a copy of the first non-nil pointer's value.
func cmpOrPtr[T any](a, b *T) *T {
	if a != nil {
		return clonePtr(a)
	}
	return clonePtr(b)
}

// settleQuorum makes the starting state's quorum explicit: the default
// quorum when the scenario has none, the leader an election gives, the
// default epoch and high watermark; injects then change a known state.
func (s *Scenario) settleQuorum() {
	if s.Quorum == nil {
		s.Quorum = defaultQuorum(s.Brokers)
	}
	q := s.Quorum
	l := q.leader()
	q.Leader, q.LeaderEpoch = &l, q.epoch()
	if q.HighWatermark == 0 {
		q.HighWatermark = defaultHighWatermark
	}
}

// forgetSilence drops the lag and last fetch given to down voters: they
// describe the state that gave them, and a later state carries the
// silence on (see quorumInfo.carry) unless its inject gives new ones.
func (q *Quorum) forgetSilence() {
	for i := range q.Voters {
		if v := &q.Voters[i]; v.State == VoterDown {
			v.Lag, v.LastFetch = nil, nil
		}
	}
}
