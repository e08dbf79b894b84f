package findings

// The security posture codes: what a client can see of how the cluster is protected.
// Neither has a runbook: they are hygiene to fix after the incident, not the incident.
const (
	PlaintextListener       = "PLAINTEXT_LISTENER"
	ACLAllowsAnonymousWrite = "ACL_ALLOWS_ANONYMOUS_WRITE"
)

// securityCatalogue explains the security posture codes; catalogue.go appends it to the
// catalogue. PLAINTEXT_LISTENER is info, not a warning, because most clusters keep a
// PLAINTEXT listener for replication on a private network and an incident tool must not
// cry wolf on every run; an ACL that lets anybody write is a real exposure.
var securityCatalogue = []Entry{
	{
		Code: PlaintextListener, Severity: Info, Title: "unencrypted listener",
		Meaning: "A broker advertises a listener whose security protocol is PLAINTEXT or SASL_PLAINTEXT: its traffic is not encrypted.",
		WhyItMatters: "Anyone on the network path can read the records and, on PLAINTEXT, connect without credentials " +
			"as User:ANONYMOUS; on SASL_PLAINTEXT with PLAIN the passwords themselves cross the network in clear. " +
			"Without an authorizer such a client may read, write and delete every topic. Often acceptable for an " +
			"internal replication listener on a private network, rarely for one clients use.",
		WhatToDo: "Move clients to an SSL or SASL_SSL listener; keep PLAINTEXT only for inter-broker traffic on a network " +
			"clients cannot reach, or remove it from advertised.listeners. See docs/SECURITY.md.",
	},
	{
		Code: ACLAllowsAnonymousWrite, Severity: Warning, Title: "anonymous or wildcard write ACL",
		Meaning: "An ALLOW ACL grants User:ANONYMOUS (unauthenticated clients) or the wildcard principal User:* an " +
			"operation that changes data or the cluster: WRITE, CREATE, DELETE, ALTER, ALTER_CONFIGS, IDEMPOTENT_WRITE, " +
			"CLUSTER_ACTION or ALL.",
		WhyItMatters: "Any client that reaches a listener (for ANONYMOUS: a PLAINTEXT or SSL listener without client " +
			"certificates) may produce into, delete or reconfigure the resources it names, bypassing whatever the " +
			"other ACLs intend; during an incident, stray writes are indistinguishable from the application's.",
		WhatToDo: "Replace the entry with ACLs for the named principals that need the access " +
			"(kafka-acls.sh --remove, then --add --allow-principal User:NAME); check the listeners clients use authenticate.",
	},
}
