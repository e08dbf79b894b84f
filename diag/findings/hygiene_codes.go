package findings

// The hygiene codes: what a team fixes before an incident, not during one. They are
// reported by `kafka-runbook audit`; triage reports only the urgent ones (a certificate
// expired or expiring within days, a throttle holding a follower back).
const (
	PreferredLeaderImbalance = "PREFERRED_LEADER_IMBALANCE"
	LeaderSkew               = "LEADER_SKEW"
	ReplicaSkew              = "REPLICA_SKEW"
	RackSpread               = "RACK_SPREAD"
	BrokerWithoutRack        = "BROKER_WITHOUT_RACK"
	TLSCertExpiring          = "TLS_CERT_EXPIRING"
	TLSCertExpired           = "TLS_CERT_EXPIRED"
	TLSCertHostnameMismatch  = "TLS_CERT_HOSTNAME_MISMATCH"
	BrokerConfigDrift        = "BROKER_CONFIG_DRIFT"
	MixedBrokerVersions      = "MIXED_BROKER_VERSIONS"
	ReplicationThrottleLeft  = "REPLICATION_THROTTLE_LEFT"
	AutoCreateTopicsEnabled  = "AUTO_CREATE_TOPICS_ENABLED"
)

// The risk labels of a suggested command, the same words the runbooks' actions use.
const (
	RiskSafe      = "safe"      // only reads
	RiskCaution   = "caution"   // normally harmless, but adds load or moves leadership
	RiskDangerous = "dangerous" // can lose data or availability at the wrong moment
)

// Command is a command that confirms or fixes a finding, with its risk. BOOTSTRAP and
// the other upper-case words are for the reader to fill in.
type Command struct {
	Title   string `json:"title"`
	Command string `json:"command"`
	// Risk is RiskSafe, RiskCaution or RiskDangerous.
	Risk string `json:"risk"`
	// Consequence says what running it at the wrong moment does.
	Consequence string `json:"consequence,omitempty"`
}

var (
	describeBrokerConfigs = Command{Title: "See every broker's configs and where each value comes from", Risk: RiskSafe,
		Command: "kafka-configs.sh --bootstrap-server BOOTSTRAP --describe --entity-type brokers --all"}
	preferredElection = Command{Title: "Move leadership back to the preferred replicas", Risk: RiskCaution,
		Command: "kafka-leader-election.sh --bootstrap-server BOOTSTRAP --election-type PREFERRED --all-topic-partitions",
		Consequence: "clients of every moved partition reconnect to the new leader (a latency blip); only replicas in the ISR are elected, " +
			"so run it after the returning broker caught up, not while its partitions are under-replicated"}
	throttledReassignment = Command{Title: "Move replicas with a throttle (generate a plan, review it, execute it)", Risk: RiskCaution,
		Command: "kafka-reassign-partitions.sh --bootstrap-server BOOTSTRAP --reassignment-json-file plan.json --execute --throttle 50000000",
		Consequence: "copies data between brokers: without --throttle it competes with clients for disk and network; " +
			"after it completes run --verify with the same plan, which removes the throttle"}
	removeThrottle = Command{Title: "Finish the reassignment and remove its throttles", Risk: RiskCaution,
		Command:     "kafka-reassign-partitions.sh --bootstrap-server BOOTSTRAP --reassignment-json-file plan.json --verify",
		Consequence: "removes the throttles of every broker and topic in the plan; without the plan, delete the configs by hand (next commands)"}
	deleteTopicThrottle = Command{Title: "Remove a left-over topic throttle by hand", Risk: RiskCaution,
		Command: "kafka-configs.sh --bootstrap-server BOOTSTRAP --alter --entity-type topics --entity-name TOPIC " +
			"--delete-config leader.replication.throttled.replicas,follower.replication.throttled.replicas",
		Consequence: "never while a reassignment of the topic runs: it then copies at full speed and may saturate disks and network"}
	deleteBrokerThrottle = Command{Title: "Remove a left-over broker throttle rate by hand", Risk: RiskCaution,
		Command: "kafka-configs.sh --bootstrap-server BOOTSTRAP --alter --entity-type brokers --entity-name BROKER " +
			"--delete-config leader.replication.throttled.rate,follower.replication.throttled.rate",
		Consequence: "never while a reassignment involving the broker runs, for the same reason"}
	inspectCertificate = Command{Title: "See the certificate a listener serves", Risk: RiskSafe,
		Command: "openssl s_client -connect HOST:PORT -servername HOST </dev/null | openssl x509 -noout -subject -issuer -enddate -ext subjectAltName"}
)
