package sim

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// quorum checks the controller quorum against what KRaft allows: a leader
// is an up voter, and a quorum whose majority is alive does not stay
// without one.
func (c *checker) quorum() {
	q := c.sc.Quorum
	if q == nil {
		return
	}
	if len(q.Voters) == 0 {
		c.add("quorum.voters", "at least one voter is required")
		return
	}
	seen := map[int32]bool{}
	endpoints := map[string]bool{}
	for i := range q.Voters {
		v := &q.Voters[i]
		f := fmt.Sprintf("quorum.voters[%d]", i)
		if seen[v.ID] {
			c.add(f+".id", "duplicate voter id %d", v.ID)
		}
		seen[v.ID] = true
		if endpoints[v.endpoint()] {
			c.add(f+".endpoint", "%s is another voter's endpoint", v.endpoint())
		}
		endpoints[v.endpoint()] = true
		c.voter(f, v, true)
	}
	if q.LeaderEpoch < 0 {
		c.add("quorum.leader_epoch", "%d is negative", q.LeaderEpoch)
	}
	if q.HighWatermark < 0 {
		c.add("quorum.high_watermark", "%d is negative", q.HighWatermark)
	}
	if q.Leader == nil {
		return
	}
	switch l, v := *q.Leader, q.voter(*q.Leader); {
	case l == -1 && q.majority():
		c.add("quorum.leader", "-1 but a majority of the %d voters is up or lagging: they would elect a leader within seconds", len(q.Voters))
	case l == -1:
	case v == nil:
		c.add("quorum.leader", "%d is not a voter id (or -1 for none)", l)
	case v.State != VoterUp:
		c.add("quorum.leader", "voter %d is %s; only an up voter leads", l, v.State)
	}
}

// voter checks one voter, of a scenario (stateRequired) or of an inject's
// change, where an empty state keeps the voter's own.
func (c *checker) voter(f string, v *Voter, stateRequired bool) {
	if v.ID < 0 {
		c.add(f+".id", "%d is negative", v.ID)
	}
	if _, broker := c.brokers[v.ID]; broker {
		c.add(f+".id", "%d is also a broker id; the simulator's controllers are dedicated nodes", v.ID)
	}
	if v.Endpoint != "" {
		host, port, err := net.SplitHostPort(v.Endpoint)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" || n < 1 || n > 65535 {
			c.add(f+".endpoint", "%q is not host:port", v.Endpoint)
		}
	}
	switch v.State {
	case VoterUp, VoterDown, VoterLagging:
	case "":
		if stateRequired {
			c.add(f+".state", "required: up, down or lagging")
		}
	default:
		c.add(f+".state", "%q is not one of up, down, lagging", v.State)
	}
	if v.Lag != nil && *v.Lag < 0 {
		c.add(f+".lag", "%d is negative", *v.Lag)
	}
	if d := v.LastFetch; d != nil && *d < 0 {
		c.add(f+".last_fetch", "%s is negative", d.D())
	}
	if d := v.LastCaughtUp; d != nil && *d < 0 {
		c.add(f+".last_caught_up", "%s is negative", d.D())
	}
	c.voterTimes(f, v)
}

// voterTimes checks that a voter's lag and times fit its state.
func (c *checker) voterTimes(f string, v *Voter) {
	switch v.State {
	case VoterUp:
		if v.Lag != nil || v.LastFetch != nil || v.LastCaughtUp != nil {
			c.add(f, "an up voter is caught up: lag, last_fetch and last_caught_up are for down or lagging voters")
		}
	case VoterDown:
		if v.LastCaughtUp != nil {
			c.add(f+".last_caught_up", "only for lagging voters; a down voter was caught up when it last fetched")
		}
	case VoterLagging:
		if v.Lag == nil || *v.Lag < 1 {
			c.add(f+".lag", "required: a lagging voter is at least 1 record behind")
		}
		fetch, caughtUp := durationOr(v.LastFetch, followerFetchAgo), durationOr(v.LastCaughtUp, defaultBehindFor)
		if fetch >= fetchTimeout {
			c.add(f+".last_fetch", "%s: a voter that has not fetched for controller.quorum.fetch.timeout.ms (%s) starts an election; it is down, not lagging", fetch, fetchTimeout)
		}
		if caughtUp < fetch {
			c.add(f+".last_caught_up", "%s is more recent than its last fetch (%s)", caughtUp, fetch)
		}
	}
}

// durationOr is *d, or def when d is nil.
func durationOr(d *Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return d.D()
}
