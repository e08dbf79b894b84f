package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Kind names what changed between two polls. Kinds are a public contract
// like finding codes: events.jsonl is read by scripts and by later versions
// of the tool, so a kind is never renamed or re-used.
type Kind string

// The event kinds, grouped by subject.
const (
	WatchStarted     Kind = "watch_started"  // first poll: the starting state
	WatchStopped     Kind = "watch_stopped"  // Ctrl-C or --for elapsed
	CollectFailed    Kind = "collect_failed" // no bootstrap server answered at all
	CollectRecovered Kind = "collect_recovered"
	CollectError     Kind = "collect_error" // one source could not be read
	CollectCleared   Kind = "collect_error_cleared"
	// SnapshotBudgetSpent: the watch's snapshots reached --snapshot-budget;
	// from then on only the snapshots that must be kept are stored.
	SnapshotBudgetSpent Kind = "snapshot_budget_spent"

	BrokerUnreachable    Kind = "broker_unreachable" // registered, stopped answering
	BrokerReachable      Kind = "broker_reachable"
	BrokerFenced         Kind = "broker_fenced"
	BrokerUnfenced       Kind = "broker_unfenced"
	BrokerGone           Kind = "broker_gone"            // no longer registered
	BrokerBack           Kind = "broker_back"            // registered again
	BrokerAddressChanged Kind = "broker_address_changed" // same id, another host:port

	LeaderMoved      Kind = "leader_moved"
	LeaderReelected  Kind = "leader_reelected" // same leader, new epoch
	PartitionOffline Kind = "partition_offline"
	PartitionOnline  Kind = "partition_online"
	ISRShrink        Kind = "isr_shrink"
	ISRExpand        Kind = "isr_expand"

	LogEndBackwards   Kind = "log_end_backwards" // acknowledged records truncated
	LogStartBackwards Kind = "log_start_backwards"
	TopicCreated      Kind = "topic_created"
	TopicDeleted      Kind = "topic_deleted"
	TopicRecreated    Kind = "topic_recreated" // same name, new topic id
	TopicResized      Kind = "topic_partitions_changed"

	LagAbove     Kind = "lag_above" // a group's total lag rose above a threshold
	LagBelow     Kind = "lag_below"
	GroupState   Kind = "group_state" // state or number of members
	GroupCreated Kind = "group_created"
	GroupDeleted Kind = "group_deleted" // no members and no committed offsets left
	ConfigChange Kind = "config_changed"

	LogDirOffline Kind = "log_dir_offline"
	LogDirOnline  Kind = "log_dir_online"
)

// Event is one change seen between two consecutive polls, one line of
// events.jsonl. Subject fields that do not apply are omitted; Broker and
// Partition are pointers because 0 is a valid id.
type Event struct {
	// Time is when the snapshot that showed the change was taken, UTC.
	Time      time.Time         `json:"time"`
	Kind      Kind              `json:"kind"`
	Severity  findings.Severity `json:"severity"`
	Broker    *int32            `json:"broker,omitempty"`
	Topic     string            `json:"topic,omitempty"`
	Partition *int32            `json:"partition,omitempty"`
	Group     string            `json:"group,omitempty"`
	// Summary is one line for a human, subject included.
	Summary string `json:"summary"`
	// Exactly one of the following details is set for the kinds that have one.
	Leader  *LeaderChange          `json:"leader,omitempty"`
	ISR     *ISRChange             `json:"isr,omitempty"`
	Offset  *OffsetChange          `json:"offset,omitempty"`
	Lag     *LagChange             `json:"lag,omitempty"`
	Config  *ConfigValueChange     `json:"config,omitempty"`
	Error   *snapshot.CollectError `json:"error,omitempty"`
	Metrics *Metrics               `json:"metrics,omitempty"`
}

// LeaderChange is a partition's leader and epoch before and after; -1 is
// no leader.
type LeaderChange struct {
	From      int32 `json:"from"`
	To        int32 `json:"to"`
	FromEpoch int32 `json:"from_epoch"`
	ToEpoch   int32 `json:"to_epoch"`
}

// ISRChange is a partition's in-sync replicas before and after, with the
// replicas that left and joined.
type ISRChange struct {
	From    []int32 `json:"from"`
	To      []int32 `json:"to"`
	Removed []int32 `json:"removed"`
	Added   []int32 `json:"added"`
	// MinISR is the topic's effective min.insync.replicas, -1 when unknown.
	MinISR int `json:"min_isr"`
}

// OffsetChange is a log offset that moved backwards.
type OffsetChange struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// LagChange is a group's total lag crossing a threshold.
type LagChange struct {
	From      int64 `json:"from"`
	To        int64 `json:"to"`
	Threshold int64 `json:"threshold"`
}

// ConfigValueChange is one config of a topic or broker that changed.
type ConfigValueChange struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Subject renders the event's subjects as one short string, e.g.
// "orders/3", "broker 2" or "group billing".
func (e Event) Subject() string {
	f := findings.Finding{Broker: e.Broker, Topic: e.Topic, Partition: e.Partition, Group: e.Group}
	return f.Subject()
}

// SortEvents orders events by time, then worst first, then kind and
// subject, so that the output of one poll is stable.
func SortEvents(es []Event) {
	slices.SortStableFunc(es, func(a, b Event) int {
		return cmp.Or(
			a.Time.Compare(b.Time),
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Kind, b.Kind),
			findings.CompareOptional(a.Broker, b.Broker),
			cmp.Compare(a.Topic, b.Topic),
			findings.CompareOptional(a.Partition, b.Partition),
			cmp.Compare(a.Group, b.Group),
		)
	})
}

// TimeFormat is how every UTC time is printed in tickers and reports.
const TimeFormat = "2006-01-02T15:04:05Z"

// ExactTimeFormat names one poll of a bundle: snapshots are named to the
// millisecond, and --at with milliseconds selects within that millisecond.
const ExactTimeFormat = "2006-01-02T15:04:05.000Z"

// TickerLine renders an event as one line of the live ticker.
func TickerLine(e Event) string {
	return fmt.Sprintf("%s %-4s %s", e.Time.UTC().Format(TimeFormat), sevTag(e.Severity), e.Summary)
}

func sevTag(s findings.Severity) string {
	switch s {
	case findings.Critical:
		return "CRIT"
	case findings.Warning:
		return "WARN"
	}
	return "INFO"
}

// ids renders broker ids as "[1 2 3]", the way Kafka's tools print ISRs.
func ids(v []int32) string {
	return "[" + words.JoinIDs(v, " ") + "]"
}
