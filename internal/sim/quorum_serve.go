package sim

import (
	"cmp"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The KRaft metadata log, the one partition DescribeQuorum describes.
const (
	metadataTopic     = "__cluster_metadata"
	metadataPartition = 0
)

// quorumInfo is the controller quorum as the world serves it. Times are
// kept as instants, not ages, so a replica that stopped fetching falls
// further behind while a drill runs, and a later state that leaves it
// silent carries its silence over (see carry).
type quorumInfo struct {
	leader, epoch int32
	// since is when this state started being served, hwBase the metadata
	// log's high watermark then.
	since  time.Time
	hwBase int64
	// voters and observers (the brokers) are sorted by id.
	voters, observers []*quorumMember
}

// quorumMember is one voter or observer of the metadata log.
type quorumMember struct {
	id   int32
	host string // voters only, from the endpoint
	port int32
	// A fetching member follows the leader lag records behind, having
	// last fetched fetchAgo and caught up caughtUpAgo before each answer.
	fetching              bool
	lag                   int64
	fetchAgo, caughtUpAgo time.Duration
	// A silent member last fetched at silentSince, then lagBase records
	// behind hwBase. given says the state itself said when (last_fetch),
	// so a later state does not carry an earlier silence over it.
	silentSince time.Time
	lagBase     int64
	given       bool
}

// newQuorum resolves the scenario's quorum (the default one when it has
// none) as served from now on.
func newQuorum(sc *Scenario, now time.Time) *quorumInfo {
	q := sc.Quorum
	if q == nil {
		q = defaultQuorum(sc.Brokers)
	}
	qi := &quorumInfo{leader: q.leader(), epoch: q.epoch(), since: now, hwBase: cmp.Or(q.HighWatermark, defaultHighWatermark)}
	for _, v := range q.Voters {
		m := &quorumMember{id: v.ID}
		host, port, _ := net.SplitHostPort(v.endpoint()) // validated
		p, _ := strconv.Atoi(port)
		m.host, m.port = host, int32(p)
		switch {
		case v.ID == qi.leader:
			m.fetching = true
		case v.State == VoterUp:
			m.fetching, m.fetchAgo, m.caughtUpAgo = true, followerFetchAgo, followerFetchAgo
		case v.State == VoterLagging:
			m.fetching, m.lag = true, *v.Lag
			m.fetchAgo, m.caughtUpAgo = durationOr(v.LastFetch, followerFetchAgo), durationOr(v.LastCaughtUp, defaultBehindFor)
		default:
			m.silence(now, v.LastFetch, v.Lag)
		}
		qi.voters = append(qi.voters, m)
	}
	for _, b := range sc.Brokers {
		// Only an up broker with the cluster's view follows the log: a
		// dead or paused process does not fetch, and a fenced broker or
		// one serving a stale view has lost its path to the controllers.
		m := &quorumMember{id: b.ID}
		if b.State == StateUp && b.View == nil {
			m.fetching, m.fetchAgo, m.caughtUpAgo = true, followerFetchAgo, followerFetchAgo
		} else {
			m.silence(now, nil, nil)
		}
		qi.observers = append(qi.observers, m)
	}
	byID := func(a, b *quorumMember) int { return cmp.Compare(a.id, b.id) }
	slices.SortFunc(qi.voters, byID)
	slices.SortFunc(qi.observers, byID)
	return qi
}

// silence makes m a member that stopped fetching lastFetch before now
// (default defaultSilence), lag records behind (default the no-op
// records appended since).
func (m *quorumMember) silence(now time.Time, lastFetch *Duration, lag *int64) {
	ago := durationOr(lastFetch, defaultSilence)
	m.silentSince, m.given, m.lagBase = now.Add(-ago), lastFetch != nil, noOps(ago)
	if lag != nil {
		m.lagBase = *lag
	}
}

// noOps is how many no-op records an idle leader appends in d.
func noOps(d time.Duration) int64 { return int64(max(d, 0) / noOpEvery) }

// hw is the high watermark at now: it grows only while there is a leader.
func (q *quorumInfo) hw(now time.Time) int64 {
	if q.leader < 0 {
		return q.hwBase
	}
	return q.hwBase + noOps(now.Sub(q.since))
}

// carry continues the previous state's log into this one: the high
// watermark goes on from where it was, and a member silent in both keeps
// the instant and offset it stopped at, unless this state gives them.
func (q *quorumInfo) carry(prev *quorumInfo) {
	if prev == nil {
		return
	}
	q.hwBase = prev.hw(q.since)
	carryMembers(q.voters, prev.voters, q.hwBase, prev.hwBase)
	carryMembers(q.observers, prev.observers, q.hwBase, prev.hwBase)
}

func carryMembers(ms, prev []*quorumMember, hwBase, prevBase int64) {
	for _, m := range ms {
		if m.fetching || m.given {
			continue
		}
		i := slices.IndexFunc(prev, func(p *quorumMember) bool { return p.id == m.id })
		if i < 0 || prev[i].fetching {
			continue // newly silent: the state's own default
		}
		m.silentSince, m.lagBase = prev[i].silentSince, hwBase-(prevBase-prev[i].lagBase)
	}
}

// handleDescribeQuorum answers for the metadata log as the quorum leader
// would, whichever broker is asked: a broker forwards DescribeQuorum to the
// active controller.
func handleDescribeQuorum(w *world, _ int32, kreq kmsg.Request) kmsg.Response {
	return w.quorum.answer(kreq.(*kmsg.DescribeQuorumRequest), time.Now())
}

// noLeaderMessage is the ErrorMessage (v2) of a DescribeQuorum the quorum
// could not answer.
const noLeaderMessage = "the request could not be forwarded to the active controller: the quorum has no leader"

// answer builds the DescribeQuorum response at now; kmsg drops what the
// request's version lacks (v1 adds the times, v2 the voters' endpoints).
// Without a leader there is no controller to forward to: a Kafka broker
// answers REQUEST_TIMED_OUT once its forwarding gives up
// (request.timeout.ms), which the simulator answers at once, so that a
// drill does not wait 30 seconds per command.
func (q *quorumInfo) answer(req *kmsg.DescribeQuorumRequest, now time.Time) *kmsg.DescribeQuorumResponse {
	resp := req.ResponseKind().(*kmsg.DescribeQuorumResponse)
	if q.leader < 0 {
		resp.ErrorCode, resp.ErrorMessage = kerr.RequestTimedOut.Code, kmsg.StringPtr(noLeaderMessage)
		return resp
	}
	for _, rt := range req.Topics {
		st := kmsg.NewDescribeQuorumResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			if rt.Topic == metadataTopic && rp.Partition == metadataPartition {
				st.Partitions = append(st.Partitions, q.partition(now))
				continue
			}
			sp := kmsg.NewDescribeQuorumResponseTopicPartition()
			sp.Partition, sp.ErrorCode = rp.Partition, kerr.UnknownTopicOrPartition.Code
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	for _, v := range q.voters {
		n := kmsg.NewDescribeQuorumResponseNode()
		l := kmsg.NewDescribeQuorumResponseNodeListener()
		l.Name, l.Host, l.Port = "CONTROLLER", v.host, uint16(v.port)
		n.NodeID, n.Listeners = v.id, []kmsg.DescribeQuorumResponseNodeListener{l}
		resp.Nodes = append(resp.Nodes, n)
	}
	return resp
}

// partition describes the metadata partition at now.
func (q *quorumInfo) partition(now time.Time) kmsg.DescribeQuorumResponseTopicPartition {
	p := kmsg.NewDescribeQuorumResponseTopicPartition()
	p.Partition, p.LeaderID, p.LeaderEpoch, p.HighWatermark = metadataPartition, q.leader, q.epoch, q.hw(now)
	for _, m := range q.voters {
		p.CurrentVoters = append(p.CurrentVoters, q.replica(m, now))
	}
	for _, m := range q.observers {
		p.Observers = append(p.Observers, q.replica(m, now))
	}
	return p
}

// replica is one member's state as the leader reports it.
func (q *quorumInfo) replica(m *quorumMember, now time.Time) kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
	s := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
	s.ReplicaID = m.id
	hw := q.hw(now)
	if m.fetching {
		s.LogEndOffset = hw - m.lag
	} else {
		s.LogEndOffset = max(q.hwBase-m.lagBase, 0)
	}
	switch {
	case m.id == q.leader:
		// The leader's own entry carries its clock: the reference every
		// other time is read against.
		s.LastFetchTimestamp, s.LastCaughtUpTimestamp = now.UnixMilli(), now.UnixMilli()
	case m.fetching:
		s.LastFetchTimestamp = now.Add(-m.fetchAgo).UnixMilli()
		s.LastCaughtUpTimestamp = s.LastFetchTimestamp
		if m.lag > 0 {
			s.LastCaughtUpTimestamp = now.Add(-m.caughtUpAgo).UnixMilli()
		}
	default:
		s.LastFetchTimestamp, s.LastCaughtUpTimestamp = m.silentSince.UnixMilli(), m.silentSince.UnixMilli()
	}
	return s
}
