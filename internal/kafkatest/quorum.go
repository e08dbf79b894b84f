package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// metadataQuorumCommand is kafka-metadata-quorum.sh's main class in Kafka 4.x.
const metadataQuorumCommand = "org.apache.kafka.tools.MetadataQuorumCommand"

// Via is how one of Kafka's admin tools reaches the cluster. The zero value means
// --bootstrap-server with every running, unpaused, connected broker.
type Via struct {
	// Controllers sends Addrs as --bootstrap-controller (KIP-919): the tool talks to the
	// controllers directly, not through a broker that forwards to the quorum leader.
	Controllers bool
	// Addrs are the bootstrap addresses. Empty means the live brokers, or with Controllers
	// every controller (ControllerAddrs).
	Addrs []string
}

// bootstrapArgs are the tool's bootstrap flag and its address list.
func (c *Cluster) bootstrapArgs(via Via) ([]string, error) {
	addrs := via.Addrs
	switch {
	case via.Controllers && len(addrs) == 0:
		addrs = c.ControllerAddrs()
	case len(addrs) == 0:
		var err error
		if addrs, err = c.liveBootstrap(); err != nil {
			return nil, err
		}
	}
	flag := "--bootstrap-server"
	if via.Controllers {
		flag = "--bootstrap-controller"
	}
	return []string{flag, strings.Join(addrs, ",")}, nil
}

// runAdminTool runs an admin tool with its bootstrap flag and the harness's short client
// timeouts (toolConfig) before the tool's own arguments.
func (c *Cluster) runAdminTool(ctx context.Context, class string, via Via, args ...string) (string, error) {
	boot, err := c.bootstrapArgs(via)
	if err != nil {
		return "", fmt.Errorf("%s: %w", class, err)
	}
	full := append(append(boot, "--command-config", c.toolConfig), args...)
	out, stderr, err := c.RunTool(ctx, class, full...)
	if err != nil {
		return out, fmt.Errorf("%w\nstdout: %s\nstderr: %s", err, strings.TrimSpace(out), lastLines(stderr, 10))
	}
	return out, nil
}

// lastLines keeps a failing tool's message and drops most of its stack trace.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// QuorumState is kafka-metadata-quorum.sh describe --status, parsed.
type QuorumState struct {
	ClusterID string
	// LeaderID is the quorum leader: the active controller.
	LeaderID    int32
	LeaderEpoch int32
	// HighWatermark is the metadata log's committed offset.
	HighWatermark int64
	// MaxFollowerLag is the leader's log end offset minus the furthest-behind voter's, in
	// records; MaxFollowerLagTimeMs the same in time (-1 when unknown).
	MaxFollowerLag       int64
	MaxFollowerLagTimeMs int64
	// CurrentVoters are the voters' node ids, CurrentObservers the brokers' (and any other
	// node that replicates the metadata log without voting), in the tool's order.
	CurrentVoters    []int32
	CurrentObservers []int32
}

// QuorumStatus runs Kafka's kafka-metadata-quorum.sh describe --status through via and
// parses its answer. Without a quorum leader the tool fails (it looks the leader up among the
// voters) or, through a broker, times out: either way an error within about 15 seconds.
func (c *Cluster) QuorumStatus(ctx context.Context, via Via) (*QuorumState, error) {
	out, err := c.runAdminTool(ctx, metadataQuorumCommand, via, "describe", "--status")
	if err != nil {
		return nil, err
	}
	return parseQuorumStatus(out)
}

// quorumIDRE finds the node ids in "[{"id": 9, "directoryId": "...", "endpoints": [...]}, ...]".
var quorumIDRE = regexp.MustCompile(`"id":\s*(-?\d+)`)

func parseQuorumStatus(out string) (*QuorumState, error) {
	fields := map[string]string{}
	for line := range strings.Lines(out) {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	s := &QuorumState{ClusterID: fields["ClusterId"]}
	var errs []error
	num := func(key string, bits int) int64 {
		n, err := strconv.ParseInt(fields[key], 10, bits)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q", key, fields[key]))
		}
		return n
	}
	s.LeaderID = int32(num("LeaderId", 32))
	s.LeaderEpoch = int32(num("LeaderEpoch", 32))
	s.HighWatermark = num("HighWatermark", 64)
	s.MaxFollowerLag = num("MaxFollowerLag", 64)
	s.MaxFollowerLagTimeMs = num("MaxFollowerLagTimeMs", 64)
	s.CurrentVoters = quorumIDs(fields["CurrentVoters"])
	s.CurrentObservers = quorumIDs(fields["CurrentObservers"])
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("unexpected describe --status output: %w\n%s", err, out)
	}
	return s, nil
}

func quorumIDs(list string) []int32 {
	ids := []int32{}
	for _, m := range quorumIDRE.FindAllStringSubmatch(list, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 32) // the pattern admits only digits
		ids = append(ids, int32(id))
	}
	return ids
}

// QuorumReplica is one row of kafka-metadata-quorum.sh describe --replication.
type QuorumReplica struct {
	NodeID       int32
	LogEndOffset int64
	// Lag is the leader's log end offset minus this node's, in records.
	Lag int64
	// LastFetchTimestamp and LastCaughtUpTimestamp are epoch milliseconds (KIP-836), -1 when
	// unknown: a stale one is a voter or broker that stopped following the metadata log.
	LastFetchTimestamp    int64
	LastCaughtUpTimestamp int64
	// Status is "Leader", "Follower" (another voter) or "Observer" (a broker).
	Status string
}

// QuorumReplication runs kafka-metadata-quorum.sh describe --replication through via and
// parses its table: the leader first, then the other voters, then the observers.
func (c *Cluster) QuorumReplication(ctx context.Context, via Via) ([]QuorumReplica, error) {
	out, err := c.runAdminTool(ctx, metadataQuorumCommand, via, "describe", "--replication")
	if err != nil {
		return nil, err
	}
	return parseQuorumReplication(out)
}

func parseQuorumReplication(out string) ([]QuorumReplica, error) {
	cols := []string{"NodeId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"}
	return parseRows(out, "describe --replication", cols, func(r *tableRow) QuorumReplica {
		return QuorumReplica{NodeID: int32(r.int("NodeId")), LogEndOffset: r.int("LogEndOffset"), Lag: r.int("Lag"),
			LastFetchTimestamp: r.int("LastFetchTimestamp"), LastCaughtUpTimestamp: r.int("LastCaughtUpTimestamp"),
			Status: r.str("Status")}
	})
}
