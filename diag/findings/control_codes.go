package findings

// The control-plane and Kafka 4.x codes: the KRaft quorum, brokers the
// controller fenced, and reassignments.
const (
	ControllerQuorumUnavailable = "CONTROLLER_QUORUM_UNAVAILABLE"
	ControllerVoterDown         = "CONTROLLER_VOTER_DOWN"
	ControllerVoterLagging      = "CONTROLLER_VOTER_LAGGING"
	BrokerMetadataLagging       = "BROKER_METADATA_LAGGING"
	BrokerFenced                = "BROKER_FENCED"
	ReassignmentInProgress      = "REASSIGNMENT_IN_PROGRESS"
	ReassignmentStalled         = "REASSIGNMENT_STALLED"
)

// controlCatalogue explains the control-plane codes; catalogue.go appends
// it. A voter down or lagging is a warning while the quorum keeps a
// majority with a voter to spare, and critical when the next loss would
// take the majority: the finding carries the severity that applies.
var controlCatalogue = []Entry{
	{
		Code: ControllerQuorumUnavailable, Severity: Critical, Title: "controller quorum unavailable", Runbook: "controller-quorum",
		Meaning: "The KRaft controller quorum has no leader, or could not be reached at all (DescribeQuorum failed through " +
			"every broker and controller asked).",
		WhyItMatters: "Nothing in the cluster's metadata can change: no broker is fenced or unfenced, no leader moves, no ISR " +
			"shrinks or grows, no topic is created or deleted. Brokers keep serving their last metadata image, so the cluster " +
			"can look healthy while a dead broker stays leader of its partitions.",
		WhatToDo: "Restore a majority of the controller voters (kafka-metadata-quorum.sh --bootstrap-controller HOST:PORT " +
			"describe --status). Bring back stopped controllers with their metadata log intact; never format or delete a " +
			"voter's metadata log to 'unstick' it. Run 'kafka-runbook run controller-quorum'.",
	},
	{
		Code: ControllerVoterDown, Severity: Warning, Title: "controller voter down", Runbook: "controller-quorum",
		Meaning: "A controller voter has not fetched from the quorum leader recently (its last fetch is older than the " +
			"lag threshold), or the leader does not know when it last fetched.",
		WhyItMatters: "The quorum keeps working while a majority of voters remains, but each lost voter brings it closer to " +
			"losing the majority, after which no metadata can change. Critical when one more loss would lose the majority.",
		WhatToDo: "Find out why the controller stopped (process, host, disk, network to the other controllers) and bring it " +
			"back with its metadata log. Do not restart other controllers meanwhile.",
	},
	{
		Code: ControllerVoterLagging, Severity: Warning, Title: "controller voter lagging", Runbook: "controller-quorum",
		Meaning: "A controller voter fetches but is far behind the quorum's high watermark.",
		WhyItMatters: "A lagging voter cannot take over as leader quickly, and if the leader fails it may not count towards " +
			"the majority that commits new metadata. Critical when the quorum has no voter to spare.",
		WhatToDo: "Look at the voter's disk and network latency and its GC; watch whether the lag falls between samples.",
	},
	{
		Code: BrokerMetadataLagging, Severity: Warning, Title: "broker metadata lagging", Runbook: "controller-quorum",
		Meaning: "A broker (a quorum observer) is far behind the metadata log, or has not fetched it recently.",
		WhyItMatters: "The broker serves stale metadata: clients bootstrapping through it are sent to old leaders, and it " +
			"may act as leader of partitions it no longer leads (a zombie leader).",
		WhatToDo: "Check the broker's connection to the controllers (controller.quorum.bootstrap.servers, network, " +
			"certificates) and its GC. Run 'kafka-runbook run zombie-leader' if it still claims leaderships.",
	},
	{
		Code: BrokerFenced, Severity: Critical, Title: "broker fenced but answering", Runbook: "zombie-leader",
		Meaning: "The controller fenced the broker (no heartbeat within broker.session.timeout.ms), yet it still answers " +
			"clients: its process runs, but it cannot reach the controller, or it is shutting down. On ZooKeeper clusters, and " +
			"brokers before Kafka 4.0 that cannot report a fence, the same is a broker the cluster no longer lists (its " +
			"ZooKeeper session or registration lapsed) that still answers at its bootstrap address.",
		WhyItMatters: "Its replicas are out of every ISR and its leaderships moved away, but clients that still reach it may " +
			"be served its stale metadata and, for a while, a zombie leader may accept writes that will be truncated.",
		WhatToDo: "Do not treat it as a dead broker: do not move its replicas away yet. Check its path to the controllers " +
			"(network, firewall, certificates, controller.quorum.bootstrap.servers), or to ZooKeeper (zookeeper.connect), " +
			"and its log for heartbeat or session errors; " +
			"run 'kafka-runbook run zombie-leader'.",
	},
	{
		Code: ReassignmentInProgress, Severity: Info, Title: "reassignment in progress", Runbook: "isr-shrinkage",
		Meaning: "A partition reassignment is adding or removing replicas. The replicas being added are not in the ISR " +
			"until they catch up, by design; they are not counted as under-replicated.",
		WhyItMatters: "Reassignment traffic competes with producers and followers; with a replication throttle it can take " +
			"hours. Restarting brokers meanwhile makes it longer.",
		WhatToDo: "Let it finish: kafka-reassign-partitions.sh --verify shows progress (and clears the throttle once done). " +
			"Cancel only deliberately (--cancel).",
	},
	{
		Code: ReassignmentStalled, Severity: Warning, Title: "reassignment stalled", Runbook: "isr-shrinkage",
		Meaning: "A replica a reassignment is adding did not advance between two samples.",
		WhyItMatters: "The reassignment will not finish: the target broker may be down or the throttle too low, and the " +
			"partition keeps its extra replicas and their traffic.",
		WhatToDo: "Check the adding broker and the replication throttle (leader/follower.replication.throttled.rate); raise " +
			"it with kafka-reassign-partitions.sh --execute --throttle, or --cancel.",
	},
}
