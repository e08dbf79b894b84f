package sim

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Inject is one timed change to the cluster during a drill: "at t+60s
// broker 2 stops answering". Its parts apply in this order: the controller
// quorum, broker state changes (with what the controller then does on its
// own, see controllerReacts), the controller id, partition changes, group
// changes, topic config changes. The state after every inject must be as valid as a
// starting state; Validate checks each one.
type Inject struct {
	// At is the time after the drill's start, as a Go duration ("90s",
	// "2m30s"); never negative.
	At Duration `yaml:"at"`
	// Say is one line telling the facilitator what just happened; the
	// drill prints it when the inject fires and the report lists it.
	Say string `yaml:"say,omitempty"`
	// Quorum changes the controller quorum: voters going down or coming
	// back, the leader lost or elected. It applies first, so one inject
	// can restore the quorum and have its new leader fence a broker.
	Quorum *QuorumChange `yaml:"quorum,omitempty"`
	// ControllerID changes the controller Metadata names.
	ControllerID *int32 `yaml:"controller_id,omitempty"`
	// Brokers changes broker states, views and log directories.
	Brokers []BrokerChange `yaml:"brokers,omitempty"`
	// Partitions changes partitions, after the controller's own changes.
	Partitions []PartitionChange `yaml:"partitions,omitempty"`
	// Groups changes consumer group states and member counts.
	Groups []GroupChange `yaml:"groups,omitempty"`
	// TopicConfigs sets (or, with a null value, removes) dynamic topic
	// configs, for example a retention override someone applied.
	TopicConfigs map[string]map[string]*string `yaml:"topic_configs,omitempty"`
	// Expect lists the finding codes triage shows once this inject has
	// fired; tests check them, and the drill report times the team
	// against them.
	Expect []string `yaml:"expect"`
}

// BrokerChange changes one broker. Empty fields leave it as it was.
type BrokerChange struct {
	ID int32 `yaml:"id"`
	// State is the broker's new state. Going down or fenced, the
	// controller drops it from every ISR and moves its leaderships;
	// coming back up, it rejoins the ISR of every partition it holds
	// (caught up) and leads the offline partitions it was the last ISR
	// member of. Hung and unreachable brokers change nothing: the
	// controller still counts them alive.
	State BrokerState `yaml:"state,omitempty"`
	// View replaces the broker's own metadata view; ClearView drops it
	// (the broker replayed the current metadata).
	View      *View `yaml:"view,omitempty"`
	ClearView bool  `yaml:"clear_view,omitempty"`
	// LogDirs replaces the broker's log directories.
	LogDirs []LogDir `yaml:"log_dirs,omitempty"`
}

// PartitionChange changes one partition. Nil fields leave it as it was.
type PartitionChange struct {
	Topic           string  `yaml:"topic"`
	Partition       int32   `yaml:"partition"`
	Leader          *int32  `yaml:"leader,omitempty"`
	LeaderEpoch     *int32  `yaml:"leader_epoch,omitempty"`
	Replicas        []int32 `yaml:"replicas,omitempty"`
	ISR             []int32 `yaml:"isr,omitempty"`
	OfflineReplicas []int32 `yaml:"offline_replicas"`
	// Earliest and Latest set the log start offset and high watermark:
	// retention deleting segments moves Earliest up, an unclean election
	// can move Latest down.
	Earliest *int64 `yaml:"earliest,omitempty"`
	Latest   *int64 `yaml:"latest,omitempty"`
	// Produced adds records to the high watermark (after Latest), the
	// usual way to say "producers kept writing".
	Produced   *int64          `yaml:"produced,omitempty"`
	ReplicaLag map[int32]int64 `yaml:"replica_lag"`
	// ELR and LastKnownELR replace the eligible leader replicas; [] clears
	// them. The controller's own reactions do not move replicas into them.
	ELR          []int32 `yaml:"elr"`
	LastKnownELR []int32 `yaml:"last_known_elr"`
}

// GroupChange changes one consumer group's state and member count.
type GroupChange struct {
	ID       string `yaml:"id"`
	State    string `yaml:"state,omitempty"`
	Members  *int   `yaml:"members,omitempty"`
	Protocol string `yaml:"protocol,omitempty"`
}

// View is a broker's own, differing idea of the cluster, served in the
// Metadata it answers (and in ListOffsets and OffsetForLeaderEpoch, which
// it answers as the leader it believes it is).
type View struct {
	// Brokers are the live broker ids it lists; nil means the cluster's.
	Brokers []int32 `yaml:"brokers,omitempty"`
	// Partitions are the partitions it sees differently.
	Partitions []ViewPartition `yaml:"partitions"`
}

// ViewPartition is one partition as a broker with a stale view sees it.
type ViewPartition struct {
	Topic       string `yaml:"topic"`
	Partition   int32  `yaml:"partition"`
	Leader      *int32 `yaml:"leader"`
	LeaderEpoch int32  `yaml:"leader_epoch"`
	// ISR is nil for the cluster's.
	ISR []int32 `yaml:"isr,omitempty"`
	// LogEnd is this broker's own log end offset for the partition, for
	// example a zombie that kept accepting acks=1 writes; nil means the
	// partition's high watermark.
	LogEnd *int64 `yaml:"log_end,omitempty"`
	// DivergedAt is where this broker's leader epoch ended on the real
	// leader (OffsetForLeaderEpoch): what it truncates to on rejoining.
	DivergedAt *int64 `yaml:"diverged_at,omitempty"`
}

// Duration is a time.Duration written as a Go duration string in YAML.
type Duration time.Duration

// UnmarshalYAML reads "90s", "2m30s" or "1h".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as 90s or 2m", n.Line)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 90s or 2m", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
