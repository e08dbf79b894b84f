package views

import (
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// QuorumView is `describe quorum`: the KRaft controller quorum as
// DescribeQuorum reports it, like kafka-metadata-quorum.sh describe
// --status and --replication together.
type QuorumView struct {
	// Mode is kraft, zookeeper or "" (unknown). On ZooKeeper there is no
	// quorum and Controller is the broker Metadata names.
	Mode string `json:"metadata_mode"`
	// Known is false when the quorum could not be described (see Warnings).
	Known bool `json:"known"`
	// Via says whether a broker or a controller answered.
	Via           string `json:"via,omitempty"`
	LeaderID      int32  `json:"leader_id"`
	LeaderEpoch   int32  `json:"leader_epoch"`
	HighWatermark int64  `json:"high_watermark"`
	// MaxFollowerLag is the largest voter lag behind the high watermark, in
	// records, as kafka-metadata-quorum.sh reports it.
	MaxFollowerLag int64 `json:"max_follower_lag"`
	// MaxFollowerLagMS is the longest time since a voter last caught up,
	// by the leader's clock (kafka-metadata-quorum.sh's MaxFollowerLagTimeMs).
	MaxFollowerLagMS int64        `json:"max_follower_lag_ms"`
	Voters           []QuorumNode `json:"voters"`
	Observers        []QuorumNode `json:"observers"`
	// ZooKeeperController is the controller on a ZooKeeper cluster, -1
	// otherwise.
	ZooKeeperController int32     `json:"zookeeper_controller"`
	Warnings            []Warning `json:"warnings"`
}

// QuorumNode is one voter or observer.
type QuorumNode struct {
	ID       int32  `json:"id"`
	Role     string `json:"role"` // leader, follower or observer
	Endpoint string `json:"endpoint,omitempty"`
	// LogEndOffset and Lag (high watermark minus log end) are -1 when unknown.
	LogEndOffset int64 `json:"log_end_offset"`
	Lag          int64 `json:"lag"`
	// LastFetchAgoMS and LastCaughtUpAgoMS are by the leader's clock, -1
	// when the leader does not know.
	LastFetchAgoMS    int64 `json:"last_fetch_ago_ms"`
	LastCaughtUpAgoMS int64 `json:"last_caught_up_ago_ms"`
}

// Quorum builds the quorum view. The filter does not apply.
func Quorum(s *snapshot.Snapshot, _ Filter) QuorumView {
	v := QuorumView{Mode: s.MetadataMode, LeaderID: -1, LeaderEpoch: -1, HighWatermark: -1, MaxFollowerLag: -1, MaxFollowerLagMS: -1,
		Voters: []QuorumNode{}, Observers: []QuorumNode{}, ZooKeeperController: -1,
		Warnings: warningsFrom(s, Filter{}, snapshot.SourceQuorum)}
	if s.MetadataMode == snapshot.MetadataZooKeeper {
		v.ZooKeeperController = s.ControllerID
		return v
	}
	q := s.Quorum
	if q == nil {
		if len(v.Warnings) == 0 {
			v.Warnings = append(v.Warnings, missing(snapshot.SourceQuorum, -1, "", "the controller quorum was not described"))
		}
		return v
	}
	v.Known, v.Via = true, q.Via
	v.LeaderID, v.LeaderEpoch, v.HighWatermark = q.LeaderID, q.LeaderEpoch, q.HighWatermark
	now := q.Now()
	endpoints := map[int32]string{}
	for _, n := range q.Nodes {
		endpoints[n.ID] = fmt.Sprintf("%s:%d", n.Host, n.Port)
	}
	for _, r := range q.Voters {
		n := quorumNode(r, q, now, "follower")
		if r.ID == q.LeaderID {
			n.Role = "leader"
		} else {
			v.MaxFollowerLag, v.MaxFollowerLagMS = max(v.MaxFollowerLag, n.Lag), max(v.MaxFollowerLagMS, n.LastCaughtUpAgoMS)
		}
		n.Endpoint = endpoints[r.ID]
		v.Voters = append(v.Voters, n)
	}
	if v.MaxFollowerLag < 0 && q.LeaderID >= 0 {
		v.MaxFollowerLag, v.MaxFollowerLagMS = 0, 0 // a lone leader has no follower to lag
	}
	for _, r := range q.Observers {
		v.Observers = append(v.Observers, quorumNode(r, q, now, "observer"))
	}
	return v
}

func quorumNode(r snapshot.QuorumReplica, q *snapshot.Quorum, now int64, role string) QuorumNode {
	n := QuorumNode{ID: r.ID, Role: role, LogEndOffset: r.LogEndOffset, Lag: q.Lag(r), LastFetchAgoMS: -1, LastCaughtUpAgoMS: -1}
	if r.LastFetchMillis >= 0 && now >= 0 {
		n.LastFetchAgoMS = now - r.LastFetchMillis
	}
	if r.LastCaughtUpMillis >= 0 && now >= 0 {
		n.LastCaughtUpAgoMS = now - r.LastCaughtUpMillis
	}
	return n
}

// Tables returns the status and the replication of every voter and observer.
func (v QuorumView) Tables() []render.Table {
	status := render.Table{Title: "Controller quorum", Columns: []render.Column{{Name: "Field"}, {Name: "Value", Wrap: true}},
		Warnings: warningLines(v.Warnings)}
	switch {
	case v.Mode == snapshot.MetadataZooKeeper:
		status.Rows = [][]string{{"Metadata", "ZooKeeper: there is no KRaft quorum"}, {"Controller", render.Int(v.ZooKeeperController)}}
		return []render.Table{status}
	case !v.Known:
		status.Empty = "the quorum could not be described"
		return []render.Table{status}
	}
	leader := render.Int(v.LeaderID)
	if v.LeaderID < 0 {
		leader = "none: the quorum has no leader"
	}
	status.Rows = [][]string{
		{"LeaderId", leader}, {"LeaderEpoch", render.Int(v.LeaderEpoch)}, {"HighWatermark", render.Int(v.HighWatermark)},
		{"MaxFollowerLag", render.Int(v.MaxFollowerLag)}, {"MaxFollowerLagTimeMs", render.Int(v.MaxFollowerLagMS)},
		{"CurrentVoters", idsOf(v.Voters)}, {"CurrentObservers", idsOf(v.Observers)}, {"Described through", v.Via},
	}
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	repl := render.Table{Title: "Replication of the metadata log",
		Columns: []render.Column{num("NodeId"), {Name: "Status"}, dropped(num("LogEndOffset"), 3), num("Lag"), {Name: "LastFetch", Drop: 2},
			{Name: "LastCaughtUp", Drop: 4}, {Name: "Endpoint", Drop: 1}},
		Rows: [][]string{}, Empty: "no replica reported"}
	for _, n := range append(append([]QuorumNode{}, v.Voters...), v.Observers...) {
		repl.Rows = append(repl.Rows, []string{render.Int(n.ID), n.Role, render.Int(n.LogEndOffset), render.Int(n.Lag),
			words.Ago(0, n.LastFetchAgoMS, "?"), words.Ago(0, n.LastCaughtUpAgoMS, "?"), words.OrDash(n.Endpoint)})
	}
	repl.Notes = []string{"Times are by the quorum leader's clock: how long before it answered."}
	return []render.Table{status, repl}
}

func idsOf(nodes []QuorumNode) string {
	ids := make([]int32, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return "[" + words.JoinIDs(ids, ",") + "]"
}
