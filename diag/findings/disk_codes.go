package findings

// LogDirLowSpace is a broker log directory running out of space (issue 13).
const LogDirLowSpace = "LOG_DIR_LOW_SPACE"

// diskCatalogue explains the disk codes; catalogue.go appends it.
var diskCatalogue = []Entry{
	{
		Code: LogDirLowSpace, Severity: Warning, Title: "log directory low on space", Runbook: "disk-pressure",
		Meaning: "A broker's log directory has little usable space left: a warning under 15% of its filesystem or when it " +
			"will be full within 12 hours at the rate it fills; critical under 5% or under 1 GiB (Kafka's default " +
			"segment.bytes), or when it will be full within the hour. The rate is fitted over a window of samples " +
			"(triage --sample, evidence watch, the disk-pressure runbook) and trusted at most 60 times the window " +
			"ahead (a 6 s sample judges the next 6 minutes, a 30-minute watch the next 30 hours); one snapshot " +
			"gives no time to full. The " +
			"thresholds are flags of triage and run (--disk-warning-percent, --disk-critical-percent, " +
			"--disk-critical-free, --disk-warning-within, --disk-critical-within). A directory that does not report " +
			"its space (brokers before Kafka 2.8) is a gap, never a pass.",
		WhyItMatters: "When the directory is full the broker cannot append: it marks the directory offline " +
			"(KAFKA_STORAGE_ERROR) and every replica in it goes offline on that broker, the leaders it held move, and " +
			"with one log dir the broker stops serving altogether. Replicas on other brokers fill at the same rate.",
		WhatToDo: "Run 'kafka-runbook run disk-pressure': it names the fastest-growing topics and partitions. Safe first " +
			"(read-only): df -h and du on the broker. Caution: a temporary retention.ms override on the fastest-growing " +
			"topic (kafka-configs.sh --alter --add-config retention.ms=...), undone with --delete-config retention.ms; " +
			"it deletes data consumers may not have read yet. Caution: move replicas to another log dir of the broker " +
			"(kafka-reassign-partitions.sh with log_dirs in the plan) or to other brokers with --throttle, which adds " +
			"replication traffic. Never delete segment files by hand: the broker's index and leader epoch files still " +
			"name them, and a restart then fails or truncates replicas.",
	},
}
