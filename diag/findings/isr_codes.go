package findings

// The codes of what the isr-shrinkage runbook measures over time: a live
// follower that makes no progress, and an ISR that keeps changing. Both are
// judged from samples a poll interval apart, so only runbook steps (not a
// one-snapshot triage) report them.
const (
	FollowerStalled = "FOLLOWER_STALLED"
	ISRFlapping     = "ISR_FLAPPING"
)

// isrCatalogue explains the ISR codes; catalogue.go appends it.
var isrCatalogue = []Entry{
	{
		Code: FollowerStalled, Severity: Warning, Title: "follower stalled", Runbook: "isr-shrinkage",
		Meaning: "A follower on a broker that is up and answering is out of the ISR and its log end offset did not move " +
			"between two samples, while its leader's is ahead.",
		WhyItMatters: "A follower that is not fetching will not rejoin the ISR on its own: the partition keeps less " +
			"redundancy than designed, and one more failure can make it unavailable or block acks=all producers.",
		WhatToDo: "On the follower's host, look for replica fetcher errors in the broker log, a slow or failing disk, and " +
			"network trouble to the leader. Run 'kafka-runbook run isr-shrinkage'.",
	},
	{
		Code: ISRFlapping, Severity: Warning, Title: "ISR flapping", Runbook: "isr-shrinkage",
		Meaning: "The partition's ISR changed more than once within a few polls: a replica left and rejoined, or joined " +
			"and left again. One change (a shrink, or a recovery) is not flapping.",
		WhyItMatters: "Followers on the edge of replica.lag.time.max.ms (overloaded brokers, GC pauses, network) drop out " +
			"and rejoin; each drop can take the ISR below min.insync.replicas and fail acks=all producers for a moment.",
		WhatToDo: "Find the broker that keeps leaving (the Changes column names it) and look at its load, GC and network. " +
			"Do not raise replica.lag.time.max.ms during the incident to hide it.",
	},
}
