package findings

// The consumer codes (issue 11): consumer groups judged over a window of
// samples with Burrow's rules (diag/lag), rebalances, records about to be
// deleted before they are read, and transactions that hold read_committed
// consumers back.
const (
	ConsumerLagGrowing        = "CONSUMER_LAG_GROWING"
	ConsumerStalled           = "CONSUMER_STALLED"
	ConsumerStopped           = "CONSUMER_STOPPED"
	OffsetRewind              = "OFFSET_REWIND"
	RebalanceStorm            = "REBALANCE_STORM"
	EmptyGroupLagging         = "EMPTY_GROUP_LAGGING"
	GroupPartitionUnavailable = "GROUP_PARTITION_UNAVAILABLE"
	LagExceedsRetention       = "LAG_EXCEEDS_RETENTION"
	LagNearRetention          = "LAG_NEAR_RETENTION"
	HangingTransaction        = "HANGING_TRANSACTION"
)

// lagCatalogue explains the consumer codes; catalogue.go appends it. The
// trend codes need several samples (triage --sample, a watch history):
// one snapshot shows a lag, not whether it grows.
var lagCatalogue = []Entry{
	{
		Code: ConsumerLagGrowing, Severity: Warning, Title: "consumer lag growing", Runbook: "consumer-lag",
		Meaning: "A group commits offsets, but its lag grew between every two samples of the window: its consumers " +
			"read more slowly than the producers write (Burrow's rule 5).",
		WhyItMatters: "The backlog and the age of the records it processes keep growing; left alone it ends in " +
			"LAG_NEAR_RETENTION and then in records deleted before they are read.",
		WhatToDo: "Compare the consume and produce rates in the evidence. Add consumers (up to the partition count), " +
			"look for slow processing or a downstream dependency, or a burst of producers; 'kafka-runbook run consumer-lag'.",
	},
	{
		Code: ConsumerStalled, Severity: Critical, Title: "consumer stalled", Runbook: "consumer-lag",
		Meaning: "A group has members, records wait on its partitions, and its committed offset did not move over the " +
			"whole window (Burrow's rule 3, adapted: OffsetFetch shows no commit times, so members present with no " +
			"progress is the sign).",
		WhyItMatters: "The application looks alive (its consumers are in the group) but processes nothing on those " +
			"partitions: a record it cannot process, a poll loop blocked on a call, or commits that fail.",
		WhatToDo: "Read the consumers' logs for the stuck partitions named in the evidence (deserialisation errors, " +
			"retries, a blocked downstream call). A restart may only move the stall to another member. Do not reset " +
			"offsets past the stuck record without deciding what happens to it.",
	},
	{
		Code: ConsumerStopped, Severity: Warning, Title: "consumer stopped", Runbook: "consumer-lag",
		Meaning: "A group that had members or moved its offsets within the window now has no members, does not commit, " +
			"and has records waiting (Burrow's rule 4). A group already Empty and still through the whole window is " +
			"EMPTY_GROUP_LAGGING instead.",
		WhyItMatters: "Nobody consumes these partitions any more: the backlog grows with every record produced.",
		WhatToDo: "Find out whether the application was stopped on purpose (a deployment, a scale to zero) or crashed; " +
			"restart it, or accept the backlog if the stop was intended.",
	},
	{
		Code: OffsetRewind, Severity: Warning, Title: "committed offset went back", Runbook: "consumer-lag",
		Meaning: "A group's committed offset on a partition is lower than in an earlier sample of the window (Burrow's " +
			"rule 2): its offsets were reset, or a consumer committed an older position.",
		WhyItMatters: "The group reads again records it already processed: duplicates downstream unless processing is " +
			"idempotent, and a lag jump that is not new traffic.",
		WhatToDo: "Check whether someone reset the group (kafka-consumer-groups.sh --reset-offsets) or restored it from " +
			"a checkpoint. If it was unintended, stop the group and reset it forward to the offsets recorded before.",
	},
	{
		Code: RebalanceStorm, Severity: Warning, Title: "rebalance storm", Runbook: "consumer-lag",
		Meaning: "A group rebalanced at least 3 times in the window, or was rebalancing in more than half of the samples. " +
			"For consumer-protocol groups (KIP-848) a rebalance is a group epoch bump; for classic groups a change of " +
			"member ids or a sample in PreparingRebalance or CompletingRebalance.",
		WhyItMatters: "Classic groups stop consuming during every rebalance; members that come and go (crashes, " +
			"max.poll.interval.ms exceeded, session timeouts, a rolling restart) keep the group from making progress.",
		WhatToDo: "Look at the members that joined and left in the evidence: restarting pods, long processing " +
			"(raise max.poll.interval.ms or fetch less per poll), GC pauses or network trouble with the coordinator. " +
			"Static membership (group.instance.id) or the consumer protocol make restarts cheaper.",
	},
	{
		Code: EmptyGroupLagging, Severity: Info, Title: "empty group with lag", Runbook: "consumer-lag",
		Meaning: "A group has no members and unread records on some partitions. One snapshot is enough to see it.",
		WhyItMatters: "Either the application is stopped (its backlog grows until it returns) or the group is " +
			"abandoned (its committed offsets only await expiry, offsets.retention.minutes).",
		WhatToDo: "Ask the group's owner whether it is still in use. Delete an abandoned group " +
			"(kafka-consumer-groups.sh --delete --group G) so that it stops showing lag; restart a stopped one.",
	},
	{
		Code: GroupPartitionUnavailable, Severity: Warning, Title: "group reads a partition without a leader", Runbook: "broker-failure",
		Meaning: "A consumer group with members has committed offsets on a partition that has no live leader (rule 6 of " +
			"diag/lag): its lag there cannot be read, and the consumers cannot fetch it.",
		WhyItMatters: "The group's consumers are blocked on that partition through no fault of their own; restarting " +
			"or resetting them does not help.",
		WhatToDo: "Bring the partition back: this is the offline partition's problem ('kafka-runbook run broker-failure'), " +
			"not the consumer's.",
	},
	{
		Code: LagExceedsRetention, Severity: Critical, Title: "unread records about to be deleted", Runbook: "consumer-lag",
		Meaning: "A group's next unread record may be deleted by retention within the hour: it is older than the topic's " +
			"retention.ms, or nearly (retention.ms minus its age: at the earliest, since Kafka deletes a whole segment " +
			"once its newest record is older than retention.ms), or the log start advances towards it fast enough " +
			"(its rate over the window, which also covers retention.bytes). Records already deleted (log start past the " +
			"committed offset) are LOG_START_ADVANCED, not this.",
		WhyItMatters: "Once deleted, the group resets by auto.offset.reset and silently skips (latest) or re-reads " +
			"(earliest) data. Critical when the group has members; a warning for a group without members, which looks " +
			"abandoned or stopped.",
		WhatToDo: "Speed the consumer up or add consumers now; if the data matters more than disk, raise the topic's " +
			"retention temporarily (kafka-configs.sh --entity-type topics --entity-name T --alter --add-config " +
			"retention.ms=...) after checking the brokers' free space.",
	},
	{
		Code: LagNearRetention, Severity: Warning, Title: "unread records near retention", Runbook: "consumer-lag",
		Meaning: "A group's next unread record may be deleted by retention within 6 hours (estimated as for " +
			"LAG_EXCEEDS_RETENTION).",
		WhyItMatters: "If the consumer does not catch up in time, records will be deleted before it reads them.",
		WhatToDo: "Watch whether the lag falls ('kafka-runbook run consumer-lag'); scale the consumers or plan a " +
			"temporary retention increase before it becomes LAG_EXCEEDS_RETENTION.",
	},
	{
		Code: HangingTransaction, Severity: Warning, Title: "hanging transaction", Runbook: "consumer-lag",
		Meaning: "A partition's last stable offset stays below its high watermark and did not move over the window " +
			"while the high watermark did, or a listed transaction has been open longer than its own " +
			"transaction.timeout.ms. Critical once it is known to be open longer than its timeout.",
		WhyItMatters: "read_committed consumers cannot read past the last stable offset: every such consumer of the " +
			"partition stalls, and their lag grows, though nothing is wrong with them.",
		WhatToDo: "Find the producer named in the evidence (transactional id, producer id) and restart it so that it " +
			"aborts or completes the transaction. For a transaction that no producer will finish, Kafka's " +
			"kafka-transactions.sh find-hanging and abort (a write: decide and record it) end it.",
	},
}
