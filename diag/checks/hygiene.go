package checks

// Hygiene returns every hygiene check, in a fixed order: what `kafka-runbook
// audit` runs, before an incident rather than during one. A new hygiene
// check joins the report with one line here.
func Hygiene() []Check {
	return []Check{
		leaderBalance(),
		brokerSkew(),
		rackPlacement(),
		certificates(false),
		configDrift(),
		autoCreateTopics(),
		brokerVersions(),
		replicationThrottles(false),
		logDirSpace(),
	}
}
