// Package sim serves a declarative Kafka incident scenario over the real Kafka
// protocol on 127.0.0.1, so that kafka-runbook's normal live code path can run
// against a broken cluster nobody has to break.
//
// A scenario file (YAML, see Scenario) states what the cluster looks like in
// the middle of an incident: which brokers are down, hung or fenced, each
// partition's replicas, ISR, leader and epoch, log offsets, and consumer
// groups with their committed offsets. Start brings up an in-process kfake
// cluster with one listener per broker, seeds it with real records and
// commits, and rewrites the answers kfake cannot model (replication state,
// broker liveness, group membership) from the scenario.
package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"gopkg.in/yaml.v3"
)

// SchemaVersion is the only scenario schema_version this package reads.
const SchemaVersion = 1

// Scenario is one incident, as written in a playbook file.
type Scenario struct {
	// SchemaVersion must be SchemaVersion; it lets the format change later
	// without old files being misread.
	SchemaVersion int `yaml:"schema_version"`
	// Name is the scenario's identifier: lower case letters, digits and '-'.
	Name string `yaml:"name"`
	// Title is a one-line human summary.
	Title string `yaml:"title"`
	// Description is what the participant is told when the scenario starts.
	Description string `yaml:"description,omitempty"`
	// FacilitatorNotes is what only the person running a drill should read:
	// the root cause and what a good response looks like.
	FacilitatorNotes string `yaml:"facilitator_notes,omitempty"`
	// ExpectedFindings are the finding codes (for example BROKER_DOWN,
	// OFFLINE_PARTITION) a correct diagnosis reports, so tests and drills
	// can score a run.
	ExpectedFindings []string `yaml:"expected_findings"`
	// ExpectedRunbook is the runbook a team should open (for example
	// broker-failure); a drill report says whether it was. Empty means the
	// runbook of the first expected finding.
	ExpectedRunbook string `yaml:"expected_runbook,omitempty"`
	// ClusterID is served in Metadata and DescribeCluster; empty means one
	// derived from Name.
	ClusterID string `yaml:"cluster_id,omitempty"`
	// ControllerID is the broker Metadata names as controller. In KRaft that
	// is a random live broker, so nil means the lowest up broker.
	ControllerID *int32 `yaml:"controller_id,omitempty"`
	// Quorum is the KRaft controller quorum, served in DescribeQuorum; nil
	// means one healthy controller leading (see defaultQuorum).
	Quorum *Quorum `yaml:"quorum,omitempty"`
	// BrokerConfigs are server.properties values shared by every broker,
	// served as STATIC_BROKER_CONFIG.
	BrokerConfigs map[string]string `yaml:"broker_configs,omitempty"`
	// Brokers is every broker id the cluster knows, whatever its state.
	Brokers []Broker `yaml:"brokers"`
	// Topics is every topic, internal ones included.
	Topics []Topic `yaml:"topics"`
	// Groups is every consumer group.
	Groups []Group `yaml:"groups,omitempty"`
	// Injects change the cluster while a drill runs, each at its time
	// after the start; see Inject. Start serves the starting state only;
	// Cluster.RunInjects plays them.
	Injects []Inject `yaml:"injects,omitempty"`

	// source names the file the scenario came from, for error messages.
	source string
}

// BrokerState is how a broker behaves on the network and what the
// controller thinks of it.
type BrokerState string

// Broker states.
const (
	// StateUp serves requests and is registered and unfenced.
	StateUp BrokerState = "up"
	// StateDown refuses connections; the controller has fenced it, as it
	// does broker.session.timeout.ms after a crash.
	StateDown BrokerState = "down"
	// StateHung accepts TCP connections but never answers (a GC pause,
	// SIGSTOP, a stalled disk); it is still registered and unfenced.
	StateHung BrokerState = "hung"
	// StateFenced answers requests, but the controller has fenced it: it is
	// missing from Metadata and flagged in DescribeCluster v2.
	StateFenced BrokerState = "fenced"
	// StateUnreachable refuses connections but is still registered and
	// unfenced: the process died while no controller could fence it (a
	// lost quorum), or a firewall cuts clients off but not the controller.
	StateUnreachable BrokerState = "unreachable"
)

// Broker is one broker of the scenario.
type Broker struct {
	// ID is the broker id every response uses.
	ID int32 `yaml:"id"`
	// Rack is broker.rack; empty means none.
	Rack string `yaml:"rack,omitempty"`
	// State is required.
	State BrokerState `yaml:"state"`
	// Configs override BrokerConfigs for this broker only (config drift).
	Configs map[string]string `yaml:"configs,omitempty"`
	// LogDirs are the broker's log directories; nil means one healthy
	// default directory.
	LogDirs []LogDir `yaml:"log_dirs,omitempty"`
	// View is what this broker answers in its own Metadata when it differs
	// from the cluster's: the stale image of a broker cut off from the
	// controller (a zombie leader). Nil means the cluster's view.
	View *View `yaml:"view,omitempty"`
}

// LogDir is one log directory of a broker.
type LogDir struct {
	// Path is the directory, unique per broker.
	Path string `yaml:"path"`
	// TotalBytes and UsableBytes are the volume's size and free space.
	TotalBytes  int64 `yaml:"total_bytes,omitempty"`
	UsableBytes int64 `yaml:"usable_bytes,omitempty"`
	// Offline makes DescribeLogDirs report KAFKA_STORAGE_ERROR for the
	// directory; no partition is placed in it.
	Offline bool `yaml:"offline,omitempty"`
}

// Topic is one topic. Its partitions are either listed one by one
// (Partitions) or generated (PartitionCount and ReplicationFactor): a
// generated topic gets a round-robin assignment over all brokers, after
// which the controller's rules for down and fenced brokers are applied.
type Topic struct {
	// Name is the topic name; __consumer_offsets, __transaction_state and
	// __share_group_state are served as internal.
	Name string `yaml:"name"`
	// Configs are served as DYNAMIC_TOPIC_CONFIG.
	Configs map[string]string `yaml:"configs,omitempty"`
	// Partitions lists every partition, numbered from 0.
	Partitions []Partition `yaml:"partitions,omitempty"`

	// PartitionCount and ReplicationFactor generate the partitions instead.
	PartitionCount    int `yaml:"partition_count,omitempty"`
	ReplicationFactor int `yaml:"replication_factor,omitempty"`
	// Records is the record count of every generated partition.
	Records int64 `yaml:"records,omitempty"`
}

// Partition is one explicitly described partition.
type Partition struct {
	// Partition is the partition id.
	Partition int32 `yaml:"partition"`
	// Replicas is the assignment, preferred leader first.
	Replicas []int32 `yaml:"replicas"`
	// ISR is the in-sync replica set, a non-empty subset of Replicas.
	ISR []int32 `yaml:"isr"`
	// Leader is required; -1 means offline.
	Leader *int32 `yaml:"leader"`
	// LeaderEpoch is the epoch served in Metadata and ListOffsets.
	LeaderEpoch int32 `yaml:"leader_epoch,omitempty"`
	// Offsets gives the log start and end offsets; Records is the shorthand
	// for earliest 0, latest Records. At most one may be set; neither means
	// an empty partition.
	Offsets *Offsets `yaml:"offsets,omitempty"`
	Records *int64   `yaml:"records,omitempty"`
	// ReplicaLag is how many records a follower's log end offset trails the
	// leader's, as ListOffsets with ReplicaId -2 reveals.
	ReplicaLag map[int32]int64 `yaml:"replica_lag,omitempty"`
	// AddingReplicas and RemovingReplicas describe a reassignment in
	// progress; both are subsets of Replicas.
	AddingReplicas   []int32 `yaml:"adding_replicas,omitempty"`
	RemovingReplicas []int32 `yaml:"removing_replicas,omitempty"`
	// OfflineReplicas are replicas on live brokers whose log directory
	// failed; replicas on down and fenced brokers are added to them.
	OfflineReplicas []int32 `yaml:"offline_replicas,omitempty"`
	// ELR are the eligible leader replicas (KIP-966): replicas out of the
	// ISR that still hold every committed record, so one can lead again
	// without loss. LastKnownELR are former ones whose shutdown was
	// unclean. Either lets the ISR be empty (with no leader); nil means
	// none, as on a cluster without ELR. Served in DescribeTopicPartitions.
	ELR          []int32 `yaml:"elr,omitempty"`
	LastKnownELR []int32 `yaml:"last_known_elr,omitempty"`
}

// Offsets is a partition's log start offset and high watermark.
type Offsets struct {
	// Earliest is the log start offset; records below it are deleted.
	Earliest int64 `yaml:"earliest"`
	// Latest is the high watermark: the number of records ever written.
	Latest int64 `yaml:"latest"`
}

// Group is one classic consumer group.
type Group struct {
	// ID is the group id.
	ID string `yaml:"id"`
	// State is a Kafka group state: Stable, Empty, PreparingRebalance,
	// CompletingRebalance or Dead.
	State string `yaml:"state"`
	// Members is how many members the group has; their ids, client ids and
	// hosts are generated.
	Members int `yaml:"members,omitempty"`
	// Protocol is the assignor name; empty means "range" for groups with
	// members.
	Protocol string `yaml:"protocol,omitempty"`
	// Committed is the committed offset per topic and partition.
	Committed map[string]map[int32]int64 `yaml:"committed,omitempty"`
	// Lag commits latest minus lag per topic and partition, which is how
	// incidents are usually described.
	Lag map[string]map[int32]int64 `yaml:"lag,omitempty"`
}

// Source is the file the scenario was read from ("" when parsed from bytes
// without a name).
func (s *Scenario) Source() string { return s.source }

// Parse reads one scenario document strictly (unknown fields are errors) and
// validates it. name is used in error messages, typically the file name.
func Parse(name string, data []byte) (*Scenario, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty scenario", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A second document is almost always a stray "---" merging two
	// scenarios by mistake; refuse it rather than silently ignore it.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document", name)
	}
	sc.source = name
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// Load reads and validates the scenario file at name in fsys, for example
// playbooks.FS().
func Load(fsys fs.FS, name string) (*Scenario, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return Parse(path.Base(name), data)
}
