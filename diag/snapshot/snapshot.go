// Package snapshot defines the public, versioned JSON document that describes
// one moment of a Kafka cluster as kafka-runbook saw it.
//
// Everything downstream of collection (describe views, checks, runbooks,
// evidence bundles, diffs and replays) reads only this document, so it must be
// stable: fields are added, never renamed or re-typed, without bumping
// SchemaVersion. Unknown values use -1 (ids, offsets) or are omitted, never a
// zero that could be mistaken for a real value.
package snapshot

import "time"

// SchemaVersion is the version of the document this package writes. Readers
// reject documents with a newer version and upgrade older ones on Decode.
//
// Version 2 stores each broker's own metadata view as its differences from
// the cluster metadata (BrokerView.Differences and Missing) instead of one
// entry per partition per broker: on 50 brokers and 100,000 partitions the
// whole views made a version 1 document of 779 MB.
const SchemaVersion = 2

// Snapshot is one observation of a cluster.
type Snapshot struct {
	SchemaVersion int       `json:"schema_version"`
	TakenAt       time.Time `json:"taken_at"`
	// DurationMillis is how long collection took, wall clock.
	DurationMillis int64  `json:"duration_ms"`
	ClusterID      string `json:"cluster_id"`
	// ControllerID is the controller the cluster metadata named, -1 if unknown.
	// In KRaft this is a random live broker that forwards to the quorum, not
	// the active controller: that is Quorum.LeaderID.
	ControllerID int32 `json:"controller_id"`
	// MetadataMode is how the cluster keeps its metadata, judged from what
	// the brokers offer (ApiVersions): MetadataKRaft, MetadataZooKeeper, or
	// "" when no broker said.
	MetadataMode string `json:"metadata_mode,omitempty"`
	// Features are the cluster's finalized feature levels (ApiVersions),
	// e.g. "metadata.version", "kraft.version",
	// "eligible.leader.replicas.version". Nil when no broker reported them.
	Features map[string]int16 `json:"features,omitempty"`
	// Quorum is the KRaft controller quorum (DescribeQuorum), nil when it
	// was not collected (an error of source "quorum" then says why, if it
	// was asked for) or the cluster runs on ZooKeeper.
	Quorum *Quorum `json:"quorum,omitempty"`
	// Bootstrap is every seed address given by the user and what it did.
	Bootstrap []Endpoint `json:"bootstrap"`
	// Brokers is every broker id learned of from any source, sorted by id.
	Brokers []Broker `json:"brokers"`
	// Topics holds every topic the cluster metadata returned, sorted by name.
	Topics []Topic `json:"topics"`
	// Reassignments in progress, sorted by topic and partition.
	Reassignments []Reassignment `json:"reassignments"`
	// BrokerViews is each broker's own Metadata answer, asked of it directly.
	BrokerViews []BrokerView `json:"broker_views"`
	// BrokerConfigs holds the risk-relevant configs of each answering broker.
	BrokerConfigs []BrokerConfig `json:"broker_configs"`
	// LogDirs is every log directory each broker reported, sorted by broker and path.
	LogDirs []LogDir `json:"log_dirs"`
	// Groups holds the consumer groups found, sorted by id.
	Groups []Group `json:"groups"`
	// Transactions are the open transactions the coordinators listed
	// (ListTransactions, DescribeTransactions), sorted by transactional id;
	// nil when not collected.
	Transactions []Transaction `json:"transactions,omitempty"`
	// ACLs are the access control entries DescribeAcls returned, sorted. Empty when the
	// cluster has none, runs no authorizer, or they were not collected (then an error of
	// source "acls" says why, if one was asked for).
	ACLs []ACL `json:"acls,omitempty"`
	// Errors lists everything that could not be collected. A check whose
	// source appears here must say "cannot evaluate", never OK.
	Errors []CollectError `json:"errors"`
}

// Endpoint is one bootstrap address and how it answered.
type Endpoint struct {
	Address string `json:"address"`
	Probe   Probe  `json:"probe"`
}

// Probe status values: how a broker or address answered when contacted.
const (
	StatusOK          = "ok"           // connected and answered in time
	StatusRefused     = "refused"      // TCP connection refused or unreachable
	StatusTimeout     = "timeout"      // accepted or dialing, but no answer before the deadline
	StatusTLSError    = "tls_error"    // TLS handshake or certificate failure
	StatusAuthError   = "auth_error"   // SASL authentication failed
	StatusError       = "error"        // any other failure
	StatusNotProbed   = "not_probed"   // no address known, or not contacted
	StatusUnsupported = "unsupported"  // the broker does not support the request
	StatusDenied      = "unauthorized" // the principal lacks the right to ask
)

// Probe records one attempt to talk to a broker or address.
type Probe struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Cause is why the probe failed, one of the Cause* values; "" when it
	// answered or the cause was not recorded.
	Cause     string `json:"cause,omitempty"`
	LatencyMS int64  `json:"latency_ms"`
}

// Answered reports whether the probe got a reply.
func (p Probe) Answered() bool { return p.Status == StatusOK }

// Broker is everything known of one broker id.
type Broker struct {
	ID   int32  `json:"id"`
	Host string `json:"host,omitempty"`
	Port int32  `json:"port,omitempty"`
	Rack string `json:"rack,omitempty"`
	// Registered is true when the cluster metadata or DescribeCluster lists the id.
	Registered bool `json:"registered"`
	// Fenced is true when DescribeCluster v2 reports the broker fenced.
	Fenced bool `json:"fenced"`
	// FencedKnown is false when no broker answered DescribeCluster v2, so
	// Fenced says nothing.
	FencedKnown bool `json:"fenced_known"`
	// IsController is true for the controller on ZooKeeper clusters only; in
	// KRaft the controllers are not brokers (see Snapshot.Quorum).
	IsController bool `json:"is_controller"`
	// LearnedFrom names the sources that mentioned the id: "metadata",
	// "describe_cluster", "replicas", "bootstrap".
	LearnedFrom []string     `json:"learned_from"`
	Probe       Probe        `json:"probe"`
	APIVersions []APIVersion `json:"api_versions,omitempty"`
	// Certificates is the chain the broker served in the TLS handshake at
	// Address, leaf first: what certificate checks read. Nil when the
	// connection does not use TLS or no handshake got as far as a
	// certificate. Only public facts are kept, never key material.
	Certificates []Certificate `json:"certificates,omitempty"`
}

// Certificate is what a TLS peer's certificate says about itself.
type Certificate struct {
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// DNSNames and IPAddresses are the subject alternative names, which
	// clients match the host name against.
	DNSNames    []string  `json:"dns_names,omitempty"`
	IPAddresses []string  `json:"ip_addresses,omitempty"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	IsCA        bool      `json:"is_ca,omitempty"`
	// SerialNumber in hexadecimal, to tell certificates apart.
	SerialNumber string `json:"serial_number,omitempty"`
}

// Address is host:port of the broker, or "" when unknown.
func (b Broker) Address() string {
	if b.Host == "" {
		return ""
	}
	return joinHostPort(b.Host, b.Port)
}

// APIVersion is one API a broker supports.
type APIVersion struct {
	Key  int16  `json:"key"`
	Name string `json:"name"`
	Min  int16  `json:"min"`
	Max  int16  `json:"max"`
}

// Topic is one topic with its partitions and risk-relevant configs.
type Topic struct {
	Name     string `json:"name"`
	ID       string `json:"id,omitempty"`
	Internal bool   `json:"internal"`
	// Error is the topic-level metadata error code name, "" when none.
	Error             string `json:"error,omitempty"`
	ReplicationFactor int    `json:"replication_factor"`
	// Configs holds the risk-relevant configs, keyed by Kafka config name.
	// Nil when DescribeConfigs failed for this topic (see Errors).
	Configs map[string]ConfigValue `json:"configs,omitempty"`
	// ELRKnown is true when the partitions' ELR fields were read
	// (DescribeTopicPartitions): an empty ELR then means none.
	ELRKnown   bool        `json:"elr_known,omitempty"`
	Partitions []Partition `json:"partitions"`
}

// ConfigValue is one effective config value and where it came from.
type ConfigValue struct {
	Value string `json:"value"`
	// Source is Kafka's config source: DYNAMIC_TOPIC_CONFIG,
	// DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
	// STATIC_BROKER_CONFIG, DEFAULT_CONFIG, ...
	Source    string `json:"source,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// Partition is one partition as the cluster metadata reports it, with offsets.
type Partition struct {
	Topic           string  `json:"topic"`
	ID              int32   `json:"partition"`
	Leader          int32   `json:"leader"`
	LeaderEpoch     int32   `json:"leader_epoch"`
	Replicas        []int32 `json:"replicas"`
	ISR             []int32 `json:"isr"`
	OfflineReplicas []int32 `json:"offline_replicas"`
	// Error is the partition metadata error code name, "" when none.
	Error string `json:"error,omitempty"`
	// ELR is the eligible leader replicas (KIP-966): replicas outside the
	// ISR that the controller may still elect without losing committed
	// data. LastKnownELR are ELR members whose broker was down when the
	// ELR was last updated (they may be elected, with possible loss, if no
	// better replica returns). Both are meaningful only when
	// Topic.ELRKnown; Metadata does not carry them (DescribeTopicPartitions).
	ELR          []int32 `json:"eligible_leader_replicas,omitempty"`
	LastKnownELR []int32 `json:"last_known_elr,omitempty"`
	// LastStableOffset is the offset read_committed consumers may read up
	// to (ListOffsets with isolation read_committed); below LatestOffset
	// while a transaction is open. Nil when not read: old documents and
	// snapshots that did not ask for it must not read as a stuck 0.
	LastStableOffset *int64 `json:"last_stable_offset,omitempty"`
	// EarliestOffset (log start) and LatestOffset (high watermark) are -1
	// when they could not be read.
	EarliestOffset int64 `json:"earliest_offset"`
	LatestOffset   int64 `json:"latest_offset"`
}

// Reassignment is a partition reassignment in progress.
type Reassignment struct {
	Topic            string  `json:"topic"`
	Partition        int32   `json:"partition"`
	Replicas         []int32 `json:"replicas"`
	AddingReplicas   []int32 `json:"adding_replicas"`
	RemovingReplicas []int32 `json:"removing_replicas"`
}

// BrokerView is the Metadata one broker returned when asked directly. A
// broker cut off from the controller serves an old image here, which is how
// zombie leaders and stale metadata are seen.
//
// Only what differs from the cluster metadata (Snapshot.Topics) is stored:
// in a healthy cluster every broker agrees and a view costs a few bytes
// whatever the partition count. Snapshot.ViewLeaders expands a view to every
// partition the broker listed.
type BrokerView struct {
	Broker int32 `json:"broker"`
	Probe  Probe `json:"probe"`
	// Brokers is the broker ids this broker believes are alive.
	Brokers      []int32 `json:"brokers"`
	ControllerID int32   `json:"controller_id"`
	// Partitions is how many partitions the broker's answer listed.
	Partitions int `json:"partitions"`
	// Differences holds the partitions whose leader or leader epoch in this
	// broker's answer differ from the cluster metadata's, and those the
	// cluster metadata does not have at all.
	Differences []LeaderView `json:"differences"`
	// Missing is the cluster-metadata partitions the broker's answer did not
	// list (a topic it has not learned of yet, or already forgot).
	Missing []PartitionRef `json:"missing"`
}

// PartitionRef names one partition.
type PartitionRef struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
}

// LeaderView is one partition's leader and epoch in one broker's view.
type LeaderView struct {
	Topic       string `json:"topic"`
	Partition   int32  `json:"partition"`
	Leader      int32  `json:"leader"`
	LeaderEpoch int32  `json:"leader_epoch"`
}

// BrokerConfig holds risk-relevant configs of one broker.
type BrokerConfig struct {
	Broker  int32                  `json:"broker"`
	Configs map[string]ConfigValue `json:"configs"`
}

// LogDir is one log directory of one broker.
type LogDir struct {
	Broker int32  `json:"broker"`
	Path   string `json:"path"`
	// Error is the error code name for the directory ("" when healthy),
	// KAFKA_STORAGE_ERROR for an offline directory.
	Error string `json:"error,omitempty"`
	// TotalBytes and UsableBytes are -1 when the broker does not report them.
	TotalBytes  int64 `json:"total_bytes"`
	UsableBytes int64 `json:"usable_bytes"`
	// SizeBytes is the sum of the partition sizes in the directory, and
	// Partitions their count; both -1 when the replicas were not listed.
	SizeBytes  int64 `json:"size_bytes"`
	Partitions int   `json:"partitions"`
	// Replicas are the replicas in the directory with their sizes, one
	// entry per topic, sorted by topic (in JSON, a compact object: see
	// ReplicaSizes); empty when the replicas were not listed
	// (ReplicasListed tells an empty directory from that).
	Replicas ReplicaSizes `json:"replicas,omitempty"`
}

// LogDirTopic is one topic's replicas in one log directory:
// SizeBytes[i] is the size of partition Partitions[i] on that disk.
type LogDirTopic struct {
	Topic      string
	Partitions []int32
	SizeBytes  []int64
}

// ReplicasListed reports whether the broker listed the replicas in the
// directory with their sizes: an empty directory counts, a snapshot that
// only summed the sizes (before replica sizes were kept) does not.
func (d LogDir) ReplicasListed() bool {
	return d.SizeBytes >= 0 && (len(d.Replicas) > 0 || d.Partitions == 0)
}

// UsedPercent is the share of the directory's filesystem in use, and false
// when the broker did not report its space (-1) or reported no total.
func (d LogDir) UsedPercent() (float64, bool) {
	if d.TotalBytes <= 0 || d.UsableBytes < 0 {
		return 0, false
	}
	return 100 * float64(d.TotalBytes-d.UsableBytes) / float64(d.TotalBytes), true
}

// Group is one consumer group.
type Group struct {
	ID string `json:"id"`
	// Type is the group's protocol family as ListGroups v5 reports it:
	// GroupClassic, GroupConsumer (KIP-848), "share", "streams"; "" when the
	// coordinator did not say (before Kafka 3.8).
	Type         string `json:"type,omitempty"`
	State        string `json:"state"`
	ProtocolType string `json:"protocol_type"`
	Protocol     string `json:"protocol,omitempty"`
	Coordinator  int32  `json:"coordinator"`
	// Epoch is the group epoch of a consumer-protocol group (KIP-848): it
	// changes on every rebalance. -1 or absent for classic groups, whose
	// generation DescribeGroups does not report.
	Epoch int32 `json:"epoch,omitempty"`
	// AssignmentEpoch is the epoch of the group's target assignment
	// (consumer-protocol groups).
	AssignmentEpoch int32 `json:"assignment_epoch,omitempty"`
	// Error is set when the group could not be described or its offsets read.
	Error   string        `json:"error,omitempty"`
	Members []GroupMember `json:"members"`
	Offsets []GroupOffset `json:"offsets"`
}

// GroupMember is one member of a consumer group.
type GroupMember struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	Host     string `json:"host"`
	// Epoch is the member epoch of a consumer-protocol member (KIP-848).
	Epoch int32 `json:"epoch,omitempty"`
	// Assignment is the partitions the member owns, sorted; empty when it
	// owns none or the assignment could not be decoded.
	Assignment []PartitionRef `json:"assignment,omitempty"`
}

// GroupOffset is a group's committed offset on one partition and its lag.
type GroupOffset struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Committed int64  `json:"committed"`
	// Latest is the partition's high watermark, -1 when unknown.
	Latest int64 `json:"latest"`
	// Lag is Latest-Committed, -1 when either is unknown.
	Lag int64 `json:"lag"`
	// NextTimestampMillis is the timestamp (ms since the epoch) of the
	// record at the committed offset: the oldest record the group has not
	// consumed. 0 when not read, or when there is nothing unconsumed.
	NextTimestampMillis int64 `json:"next_timestamp_ms,omitempty"`
}

// ACL is one access control entry, named as kafka-acls.sh prints it: Principal may (ALLOW)
// or may not (DENY) perform Operation from Host on the resources matching ResourceType,
// ResourceName and PatternType.
type ACL struct {
	// Principal is e.g. "User:alice", "User:ANONYMOUS" or the wildcard "User:*".
	Principal string `json:"principal"`
	// Host is the client host the entry applies to, "*" for any.
	Host string `json:"host"`
	// ResourceType is TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN or USER.
	ResourceType string `json:"resource_type"`
	// ResourceName is a name, a prefix (PatternType PREFIXED) or "*" for all.
	ResourceName string `json:"resource_name"`
	// PatternType is LITERAL or PREFIXED.
	PatternType string `json:"pattern_type"`
	// Operation is READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION,
	// DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE or ALL.
	Operation string `json:"operation"`
	// Permission is ALLOW or DENY.
	Permission string `json:"permission"`
}

// Transaction is one transactional producer's open transaction, as its
// coordinator describes it.
type Transaction struct {
	TransactionalID string `json:"transactional_id"`
	ProducerID      int64  `json:"producer_id"`
	ProducerEpoch   int16  `json:"producer_epoch"`
	// State is Kafka's: Ongoing, PrepareCommit, PrepareAbort, ...
	State string `json:"state"`
	// StartMillis is when the transaction began (ms since the epoch), -1
	// unknown; TimeoutMillis is its transaction.timeout.ms.
	StartMillis   int64 `json:"start_ms"`
	TimeoutMillis int32 `json:"timeout_ms"`
	// Coordinator is the broker that answered for it.
	Coordinator int32          `json:"coordinator"`
	Partitions  []PartitionRef `json:"partitions"`
}

// Metadata modes (Snapshot.MetadataMode).
const (
	MetadataKRaft     = "kraft"
	MetadataZooKeeper = "zookeeper"
)

// Group types (Group.Type).
const (
	GroupClassic  = "classic"
	GroupConsumer = "consumer"
)

// Quorum is the KRaft controller quorum as DescribeQuorum reported it.
type Quorum struct {
	// Via says how it was reached: QuorumViaBroker (forwarded by a broker)
	// or QuorumViaController (asked of a controller directly,
	// --bootstrap-controller).
	Via string `json:"via"`
	// LeaderID is the active controller, -1 when the quorum has no leader.
	LeaderID    int32 `json:"leader_id"`
	LeaderEpoch int32 `json:"leader_epoch"`
	// HighWatermark is the metadata log's committed offset.
	HighWatermark int64 `json:"high_watermark"`
	// Voters are the controllers that vote; Observers the brokers (and
	// controllers not voting) that replicate the metadata log. Sorted by id.
	Voters    []QuorumReplica `json:"voters"`
	Observers []QuorumReplica `json:"observers"`
	// Nodes are the voters' endpoints (DescribeQuorum v2), sorted by id.
	Nodes []QuorumNode `json:"nodes,omitempty"`
}

// Ways a Quorum was read.
const (
	QuorumViaBroker     = "broker"
	QuorumViaController = "controller"
)

// QuorumReplica is one voter's or observer's replication state, as the
// quorum leader sees it.
type QuorumReplica struct {
	ID int32 `json:"id"`
	// LogEndOffset is how far this replica has the metadata log, -1 unknown.
	LogEndOffset int64 `json:"log_end_offset"`
	// LastFetchMillis and LastCaughtUpMillis are the leader's clock (ms
	// since the epoch) when the replica last fetched and was last caught up
	// to the high watermark; -1 when unknown. The leader's own entry carries
	// the leader's current time, which is the reference to compare with.
	LastFetchMillis    int64 `json:"last_fetch_ms"`
	LastCaughtUpMillis int64 `json:"last_caught_up_ms"`
}

// QuorumNode is a voter's endpoint.
type QuorumNode struct {
	ID   int32  `json:"id"`
	Host string `json:"host"`
	Port int32  `json:"port"`
}
