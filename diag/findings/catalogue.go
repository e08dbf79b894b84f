package findings

import (
	"cmp"
	"slices"
)

// Entry explains one finding code.
type Entry struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Title is a few words, for lists.
	Title string `json:"title"`
	// Meaning says what the code means, WhyItMatters what breaks, and
	// WhatToDo the first moves.
	Meaning      string `json:"meaning"`
	WhyItMatters string `json:"why_it_matters"`
	WhatToDo     string `json:"what_to_do"`
	// Runbook names the runbook to open for this finding.
	Runbook string `json:"runbook,omitempty"`
	// Commands confirm or fix the finding, each with its risk; empty when
	// WhatToDo says it all.
	Commands []Command `json:"commands,omitempty"`
}

// The finding codes. Never rename or re-use one.
const (
	BrokerDown              = "BROKER_DOWN"
	BrokerUnreachable       = "BROKER_UNREACHABLE"
	BrokerUnresponsive      = "BROKER_UNRESPONSIVE"
	OfflinePartition        = "OFFLINE_PARTITION"
	UnderMinISR             = "UNDER_MIN_ISR"
	AtMinISR                = "AT_MIN_ISR"
	UnderReplicated         = "UNDER_REPLICATED"
	OfflineReplica          = "OFFLINE_REPLICA"
	ZombieLeader            = "ZOMBIE_LEADER"
	StaleMetadata           = "STALE_METADATA"
	UncleanElectionRequired = "UNCLEAN_ELECTION_REQUIRED"
	DataLoss                = "DATA_LOSS"
	LogStartAdvanced        = "LOG_START_ADVANCED"
	UncleanElectionEnabled  = "UNCLEAN_ELECTION_ENABLED"
	LowReplicationFactor    = "LOW_REPLICATION_FACTOR"
	MinISRTooLow            = "MIN_ISR_TOO_LOW"
	LogDirOffline           = "LOG_DIR_OFFLINE"
)

// Catalogue returns every code, sorted by code.
func Catalogue() []Entry {
	out := slices.Clone(catalogue)
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// Lookup returns the entry for a code.
func Lookup(code string) (Entry, bool) {
	for _, e := range catalogue {
		if e.Code == code {
			return e, true
		}
	}
	return Entry{}, false
}

var catalogue = append([]Entry{
	{
		Code: BrokerDown, Severity: Critical, Title: "broker down", Runbook: "broker-failure",
		Meaning:      "A broker id that holds replicas is fenced by the controller or no longer registered in the cluster.",
		WhyItMatters: "Every replica on it is out of the ISR: partitions lose redundancy, those it led moved leader, and partitions whose only in-sync replica it was are offline.",
		WhatToDo:     "Find out why it stopped (process, host, disk, network to the controller). Bring it back with its disk if you can; only replace it (reassign its replicas) if it will not return. Run 'kafka-runbook run broker-failure'.",
	},
	{
		Code: BrokerUnreachable, Severity: Critical, Title: "broker refuses connections", Runbook: "broker-failure",
		Meaning:      "The broker is registered in the cluster metadata but refuses connections, or the TLS/authentication handshake fails, from where the tool runs.",
		WhyItMatters: "Clients that reach it the same way cannot produce to or consume from the partitions it leads, although the controller still counts it as alive.",
		WhatToDo:     "Check the process and its listener (advertised.listeners, firewall, certificates). If the controller can reach it but clients cannot, the problem is the client path.",
	},
	{
		Code: BrokerUnresponsive, Severity: Critical, Title: "broker hung", Runbook: "broker-failure",
		Meaning:      "The broker accepts TCP connections but does not answer requests within the deadline: paused, in a long GC, stuck on disk, or overloaded.",
		WhyItMatters: "Requests to the partitions it leads hang until clients time out; while it stays registered the controller does not move its leadership.",
		WhatToDo:     "Look at the broker's GC log, thread dump (jstack), disk latency and request queue. If it does not recover, restart it cleanly; never kill it while it is the last in-sync replica of a partition.",
	},
	{
		Code: OfflinePartition, Severity: Critical, Title: "partition offline", Runbook: "broker-failure",
		Meaning:      "The partition has no leader.",
		WhyItMatters: "Nothing can be produced to or consumed from it. Producers block or fail; consumers stall.",
		WhatToDo:     "Bring back a broker from its last ISR. If none can return, an unclean election is the last resort and loses data: run 'kafka-runbook run data-recovery' first.",
	},
	{
		Code: UnderMinISR, Severity: Critical, Title: "under min ISR", Runbook: "isr-shrinkage",
		Meaning:      "The partition's in-sync replicas are fewer than its min.insync.replicas.",
		WhyItMatters: "Producers with acks=all get NOT_ENOUGH_REPLICAS (19) and cannot write; acks=1 writes are accepted with less durability than promised.",
		WhatToDo:     "Restore the missing replicas (bring back the broker, fix the slow follower). Lowering min.insync.replicas restores writes at the price of durability: a deliberate, recorded decision.",
	},
	{
		Code: AtMinISR, Severity: Warning, Title: "at min ISR", Runbook: "isr-shrinkage",
		Meaning:      "The partition has exactly min.insync.replicas in-sync replicas.",
		WhyItMatters: "One more replica failure stops acks=all producers.",
		WhatToDo:     "Treat it as the last margin: do not restart or take down any replica of it until the ISR is full again.",
	},
	{
		Code: UnderReplicated, Severity: Warning, Title: "under-replicated", Runbook: "isr-shrinkage",
		Meaning:      "Fewer replicas are in sync than are assigned.",
		WhyItMatters: "The partition has less redundancy than designed; a further failure can make it unavailable or lose data.",
		WhatToDo:     "Find the missing broker(s) and why they fell behind (down, slow disk, network, throttled reassignment). Run 'kafka-runbook run isr-shrinkage'.",
	},
	{
		Code: OfflineReplica, Severity: Warning, Title: "offline replica", Runbook: "broker-failure",
		Meaning:      "A replica of the partition is on a broker that is down or on a failed log directory.",
		WhyItMatters: "That copy serves nothing until the broker or its disk returns.",
		WhatToDo:     "Bring the broker or log directory back, or reassign the replica elsewhere.",
	},
	{
		Code: ZombieLeader, Severity: Critical, Title: "zombie leader", Runbook: "zombie-leader",
		Meaning:      "A broker still claims leadership of a partition at a leader epoch older than the one the rest of the cluster knows.",
		WhyItMatters: "Clients that reach it may write to it: acks=0/1 writes are acknowledged and then lost when it rejoins and truncates.",
		WhatToDo:     "Confirm with 'kafka-runbook run zombie-leader'. If it persists after connectivity returns, stop that broker, fix its path to the controller and restart it. Never restart the new leader.",
	},
	{
		Code: StaleMetadata, Severity: Warning, Title: "stale metadata", Runbook: "zombie-leader",
		Meaning:      "A broker's own metadata view lags the others': older leader epochs or a different set of live brokers.",
		WhyItMatters: "Clients bootstrapping through it are sent to old leaders and see errors or hang; it is often the first sign of a broker cut off from the controller.",
		WhatToDo:     "Check the broker's connection to the controller quorum and its metadata log lag; if it does not catch up, restart it.",
	},
	{
		Code: UncleanElectionRequired, Severity: Critical, Title: "unclean election required", Runbook: "data-recovery",
		Meaning:      "An offline partition whose last in-sync replicas are all gone: only a replica that was out of sync could become leader.",
		WhyItMatters: "Either wait for an ISR broker to return with its disk, or elect an out-of-sync replica and lose the records it lacks.",
		WhatToDo:     "Bring back an ISR broker if at all possible. Before any unclean election record every live replica's log end offset: 'kafka-runbook run data-recovery'.",
	},
	{
		Code: DataLoss, Severity: Critical, Title: "offsets went backwards", Runbook: "data-recovery",
		Meaning:      "A partition's log end offset is lower than in a previous snapshot, or its log start passed the previous log end.",
		WhyItMatters: "Records that were written (and possibly acknowledged) are gone, typically after an unclean election or a truncating replica.",
		WhatToDo:     "Quantify the loss per partition, tell the owners of the data, and plan consumer offset resets: 'kafka-runbook run data-recovery --since SNAPSHOT'.",
	},
	{
		Code: LogStartAdvanced, Severity: Critical, Title: "log start passed committed offset", Runbook: "data-recovery",
		Meaning:      "A partition's log start offset is beyond a consumer group's committed offset: retention or DeleteRecords removed records the group had not consumed.",
		WhyItMatters: "The group will reset by auto.offset.reset and silently skip (latest) or re-read (earliest) data; the skipped records are gone. Critical when the group has members; a warning for a group without members (Empty), which looks abandoned or stopped.",
		WhatToDo:     "Check for a retention override (kafka-configs --describe); remove it to stop the damage. Count the records lost per partition and decide on offset resets.",
	},
	{
		Code: UncleanElectionEnabled, Severity: Warning, Title: "unclean election enabled", Runbook: "data-recovery",
		Meaning:      "unclean.leader.election.enable is true for the topic (or the broker default).",
		WhyItMatters: "The controller may elect an out-of-sync replica on its own, silently losing acknowledged writes.",
		WhatToDo:     "Set it back to false unless availability truly matters more than the data; run unclean elections deliberately instead.",
	},
	{
		Code: LowReplicationFactor, Severity: Warning, Title: "low replication factor",
		Meaning:      "The topic has a replication factor below 3.",
		WhyItMatters: "With RF 1 a single broker failure makes partitions offline and can lose data; with RF 2 a failure leaves no margin.",
		WhatToDo:     "Raise the replication factor with a reassignment (kafka-reassign-partitions) at a quiet time.",
	},
	{
		Code: MinISRTooLow, Severity: Warning, Title: "min ISR misconfigured",
		Meaning:      "min.insync.replicas is below 2 on a replicated topic, or equal to its replication factor.",
		WhyItMatters: "Below 2, acks=all writes can be acknowledged by one broker and lost with it; equal to RF, any single broker failure stops acks=all producers.",
		WhatToDo:     "Use RF 3 with min.insync.replicas 2.",
	},
	{
		Code: LogDirOffline, Severity: Critical, Title: "log directory offline", Runbook: "broker-failure",
		Meaning:      "A broker reports a log directory with an error (KAFKA_STORAGE_ERROR): a failed or full disk.",
		WhyItMatters: "Every replica in that directory is offline on that broker.",
		WhatToDo:     "Check the disk (dmesg, free space). Never delete segment files by hand; replace the disk and let replicas re-sync, or reassign them.",
	},
}, slices.Concat(securityCatalogue, controlCatalogue, lagCatalogue, diskCatalogue, hygieneCatalogue, isrCatalogue)...)
