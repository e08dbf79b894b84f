package findings

// hygieneCatalogue explains the hygiene codes; catalogue.go appends it. Thresholds the
// checks apply are stated here because users tune their alerts against them.
var hygieneCatalogue = []Entry{
	{
		Code: PreferredLeaderImbalance, Severity: Warning, Title: "leaders away from their preferred replica",
		Meaning: "More of the partitions whose preferred replica (the first in the replica list) is this broker are led by " +
			"another broker than leader.imbalance.per.broker.percentage allows (10 % by default). Typical after a broker " +
			"restart: it returns as a follower of everything it used to lead.",
		WhyItMatters: "The brokers that took over carry its produce and fetch traffic on top of their own, so they are the first " +
			"to run hot; the returning broker idles. With auto.leader.rebalance.enable=true the controller moves leaders " +
			"back within leader.imbalance.check.interval.seconds (300 s), and the finding is info; with it false nothing " +
			"ever does. While a reassignment runs or the broker is down the finding is info and says so: that is expected. " +
			"Both settings are read from the brokers' configs; in KRaft the active controller's own decide, which no " +
			"client can read, so keep them the same on controllers and brokers.",
		WhatToDo: "Once the broker is back and its partitions are in sync, run a preferred leader election.",
		Commands: []Command{preferredElection},
	},
	{
		Code: LeaderSkew, Severity: Warning, Title: "leaders unevenly spread",
		Meaning: "A live broker leads more than 25 % more or fewer partitions than the mean of the live brokers, and by at " +
			"least 5 partitions.",
		WhyItMatters: "Leaders serve every produce and most fetch requests: the broker with the most leaders saturates first, " +
			"and a cluster is only as fast as that broker.",
		WhatToDo: "If the leaders sit away from their preferred replicas, a preferred election fixes it; otherwise change " +
			"the replica order (the first replica is the preferred leader) with a throttled reassignment.",
		Commands: []Command{preferredElection, throttledReassignment},
	},
	{
		Code: ReplicaSkew, Severity: Warning, Title: "replicas or bytes unevenly spread",
		Meaning: "A live broker holds more than 25 % more or fewer replicas (at least 5) or bytes (at least 1 GiB) than the " +
			"mean of the live brokers. Typical after adding a broker and never moving anything onto it.",
		WhyItMatters: "The fullest broker runs out of disk first and takes longest to recover after a failure; an empty " +
			"broker adds no capacity.",
		WhatToDo: "Plan a reassignment (kafka-reassign-partitions.sh --generate, or Cruise Control) and execute it with a throttle " +
			"at a quiet time.",
		Commands: []Command{throttledReassignment},
	},
	{
		Code: RackSpread, Severity: Warning, Title: "replicas in one rack",
		Meaning: "Every replica of the partition is on brokers of the same broker.rack, while the cluster has brokers in " +
			"several racks.",
		WhyItMatters: "Losing that rack (an availability zone, a switch, a power feed) makes the partition offline, which is " +
			"what racks were configured to prevent.",
		WhatToDo: "Move one replica to a broker of another rack with a throttled reassignment. Topics created before the " +
			"racks were set, or with an explicit assignment, keep their placement until moved.",
		Commands: []Command{throttledReassignment},
	},
	{
		Code: BrokerWithoutRack, Severity: Warning, Title: "broker without a rack",
		Meaning: "Some brokers have broker.rack set and this one does not.",
		WhyItMatters: "Rack-aware placement then cannot count this broker's replicas, so new partitions may put two replicas in " +
			"the same failure domain without anyone noticing; consumers using follower fetching (client.rack) never read from it.",
		WhatToDo: "Set broker.rack in the broker's server.properties and restart it (one broker at a time, after its partitions " +
			"are in sync). Existing replicas do not move by themselves.",
		Commands: []Command{describeBrokerConfigs},
	},
	{
		Code: TLSCertExpiring, Severity: Warning, Title: "TLS certificate expiring",
		Meaning: "A certificate in the chain a broker listener serves expires within 30 days (warning) or 7 days (critical).",
		WhyItMatters: "When it expires every client that verifies certificates, and every broker replicating over that " +
			"listener, fails its TLS handshake: the broker looks down although it runs. It is the commonest self-inflicted " +
			"Kafka outage.",
		WhatToDo: "Issue a new certificate and install it; Kafka reloads a keystore without a restart when its path or " +
			"content is updated with kafka-configs.sh --alter --entity-type brokers --entity-name ID --add-config " +
			"listener.name.NAME.ssl.keystore.location=... (KIP-226).",
		Commands: []Command{inspectCertificate},
	},
	{
		Code: TLSCertExpired, Severity: Critical, Title: "TLS certificate expired",
		Meaning: "A certificate in the chain a broker listener serves is past its not-after date.",
		WhyItMatters: "Clients that verify certificates cannot connect to that listener; brokers that replicate over it fall " +
			"out of the ISR.",
		WhatToDo: "Install a valid certificate now (dynamically, as for TLS_CERT_EXPIRING, or with a rolling restart, one broker " +
			"at a time). Never switch clients to ssl.endpoint.identification.algorithm= or a trust-all setting to get through.",
		Commands: []Command{inspectCertificate},
	},
	{
		Code: TLSCertHostnameMismatch, Severity: Warning, Title: "certificate does not name the advertised host",
		Meaning: "The leaf certificate a broker serves does not name the host the broker advertises (its subject " +
			"alternative names, DNS or IP, with one-label wildcards).",
		WhyItMatters: "Clients verify the host name by default (ssl.endpoint.identification.algorithm=https) and refuse the " +
			"connection; teams then turn verification off, which lets anyone on the path impersonate the broker.",
		WhatToDo: "Re-issue the certificate with the advertised host in its subject alternative names, or advertise a name " +
			"the certificate carries.",
		Commands: []Command{inspectCertificate},
	},
	{
		Code: BrokerConfigDrift, Severity: Warning, Title: "broker configs differ",
		Meaning: "A broker config that should be the same on every broker (min.insync.replicas, unclean.leader.election.enable, " +
			"retention, message.max.bytes, replica fetchers and the like) has a different value on this broker than on " +
			"most others. Configs that legitimately differ (node.id, broker.rack, listeners, advertised.listeners, log.dirs, " +
			"throttle rates) are not compared.",
		WhyItMatters: "Behaviour then depends on which broker leads: retention deletes earlier on one broker, a producer's " +
			"large batch is accepted by two leaders and refused by the third, acks=all means something else. It is " +
			"usually a broker started from an old config file or a dynamic override forgotten.",
		WhatToDo: "Find where the value comes from (its source: static server.properties or a dynamic override) and make " +
			"the brokers agree.",
		Commands: []Command{describeBrokerConfigs},
	},
	{
		Code: MixedBrokerVersions, Severity: Warning, Title: "brokers run different software",
		Meaning: "The brokers offer different ApiVersions ranges: they run different Kafka versions, typically a rolling " +
			"upgrade left half done.",
		WhyItMatters: "Clients negotiate per broker, so behaviour changes with the leader; features cannot be finalized " +
			"(kafka-features.sh) until every broker runs the new version, and a downgrade gets harder the longer it lasts.",
		WhatToDo: "Finish the rolling upgrade (or roll back) one broker at a time, each after its partitions are in sync.",
		Commands: []Command{{Title: "See what each broker offers", Risk: RiskSafe,
			Command: "kafka-broker-api-versions.sh --bootstrap-server BOOTSTRAP"}},
	},
	{
		Code: ReplicationThrottleLeft, Severity: Warning, Title: "replication throttle left set",
		Meaning: "leader.replication.throttled.replicas or follower.replication.throttled.replicas is set on a topic, or " +
			"leader/follower.replication.throttled.rate on a broker, while no reassignment of it is in progress: " +
			"kafka-reassign-partitions.sh --execute --throttle sets them and only --verify removes them.",
		WhyItMatters: "The throttle keeps applying to ordinary replication: a follower that falls behind (after a restart, a " +
			"slow disk) catches up at the throttled rate, or never, and stays out of the ISR. The summary says when a " +
			"throttled replica is out of the ISR now, which triage reports.",
		WhatToDo: "Run --verify with the reassignment's plan, or delete the configs by hand once you are sure no " +
			"reassignment needs them.",
		Commands: []Command{removeThrottle, deleteTopicThrottle, deleteBrokerThrottle},
	},
	{
		Code: AutoCreateTopicsEnabled, Severity: Info, Title: "topics are created on first use",
		Meaning: "auto.create.topics.enable is true on the broker (Kafka's default): a produce or metadata request for a " +
			"topic that does not exist creates it with num.partitions and default.replication.factor.",
		WhyItMatters: "A typo in a producer's topic name silently creates a new topic, and its data goes where no consumer " +
			"reads; the defaults are often RF 1.",
		WhatToDo: "Set auto.create.topics.enable=false and create topics deliberately (kafka-topics.sh --create).",
		Commands: []Command{describeBrokerConfigs},
	},
}
