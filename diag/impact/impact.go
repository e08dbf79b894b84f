// Package impact turns findings into the plain-words blast radius an
// on-call engineer reads first, and names the runbook to open next.
package impact

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// maxTopicsNamed bounds how many topics a sentence lists by name.
const maxTopicsNamed = 5

// Summary is the blast radius of the findings.
type Summary struct {
	// Lines are plain sentences, worst first.
	Lines []string `json:"lines"`
	// NextRunbook is the runbook to open next, "" when nothing is wrong.
	NextRunbook string `json:"next_runbook,omitempty"`
	// Counts of partitions per problem code.
	Counts map[string]int `json:"counts"`
}

// Summarize describes what the findings mean for clients.
func Summarize(fs []findings.Finding) Summary {
	counts := map[string]int{}
	topicsByCode := map[string][]string{}
	rf1Offline := 0
	for _, f := range fs {
		counts[f.Code]++
		if f.Topic != "" && !slices.Contains(topicsByCode[f.Code], f.Topic) {
			topicsByCode[f.Code] = append(topicsByCode[f.Code], f.Topic)
		}
		if f.Code == findings.OfflinePartition {
			if rf, ok := f.Evidence["replication_factor"].(int); ok && rf == 1 {
				rf1Offline++
			}
		}
	}
	s := Summary{Counts: counts}
	var brokers []string
	for _, f := range fs {
		switch f.Code {
		case findings.BrokerDown:
			brokers = append(brokers, fmt.Sprintf("broker %d down", *f.Broker))
		case findings.BrokerUnresponsive:
			brokers = append(brokers, fmt.Sprintf("broker %d hung", *f.Broker))
		case findings.BrokerUnreachable:
			brokers = append(brokers, fmt.Sprintf("broker %d unreachable", *f.Broker))
		}
	}
	var effects []string
	if n := counts[findings.UnderReplicated]; n > 0 {
		effects = append(effects, words.Plural(n, "partition", "partitions")+" under-replicated")
	}
	if n := counts[findings.UnderMinISR]; n > 0 {
		effects = append(effects, fmt.Sprintf("%d under min ISR (acks=all producers to %s get NOT_ENOUGH_REPLICAS)", n, names(topicsByCode[findings.UnderMinISR])))
	}
	if n := counts[findings.AtMinISR]; n > 0 {
		effects = append(effects, fmt.Sprintf("%d at min ISR (one more failure blocks acks=all)", n))
	}
	if n := counts[findings.OfflinePartition]; n > 0 {
		e := fmt.Sprintf("%d offline (no reads or writes on %s)", n, names(topicsByCode[findings.OfflinePartition]))
		if rf1Offline > 0 {
			e = fmt.Sprintf("%d offline, %d of them RF=1 (no reads or writes on %s)", n, rf1Offline, names(topicsByCode[findings.OfflinePartition]))
		}
		effects = append(effects, e)
	}
	if len(brokers) > 0 || len(effects) > 0 {
		head := strings.Join(brokers, ", ")
		switch {
		case head == "":
			s.Lines = append(s.Lines, words.Capitalize(strings.Join(effects, ", ")))
		case len(effects) == 0:
			s.Lines = append(s.Lines, words.Capitalize(head))
		default:
			s.Lines = append(s.Lines, words.Capitalize(head)+": "+strings.Join(effects, ", "))
		}
	}
	s.Lines = append(s.Lines, otherLines(counts, topicsByCode)...)
	if l := diskLine(fs); l != "" {
		s.Lines = append(s.Lines, l)
	}
	s.Lines = append(s.Lines, consumerLines(fs)...)
	s.NextRunbook = nextRunbook(fs)
	return s
}

func otherLines(counts map[string]int, topics map[string][]string) []string {
	var out []string
	if counts[findings.ControllerQuorumUnavailable] > 0 {
		out = append(out, "the controller quorum is unavailable: no metadata can change (no fencing, no leader election, no ISR change) until it is back")
	}
	if n := counts[findings.ControllerVoterDown]; n > 0 {
		out = append(out, words.Plural(n, "controller voter is", "controller voters are")+" down")
	}
	if n := counts[findings.BrokerFenced]; n > 0 {
		out = append(out, words.Plural(n, "broker is", "brokers are")+" fenced by the controller but still answering clients: cut off from the controller")
	}
	if n := counts[findings.UncleanElectionRequired]; n > 0 {
		out = append(out, words.Plural(n, "partition", "partitions")+" can only come back with a broker from the last ISR, or through an unclean election that loses data")
	}
	if n := counts[findings.ZombieLeader]; n > 0 {
		out = append(out, words.Plural(n, "partition has", "partitions have")+" a zombie leader: writes sent to it may be acknowledged and lost")
	}
	if n := counts[findings.StaleMetadata]; n > 0 {
		out = append(out, words.Plural(n, "broker serves", "brokers serve")+" stale metadata: clients bootstrapping through them go to old leaders")
	}
	if n := counts[findings.DataLoss]; n > 0 {
		out = append(out, fmt.Sprintf("records lost on %s of %s since the previous snapshot", words.Plural(n, "partition", "partitions"), names(topics[findings.DataLoss])))
	}
	if n := counts[findings.LogStartAdvanced]; n > 0 {
		out = append(out, fmt.Sprintf("retention deleted unread records on %s of %s", words.Plural(n, "group partition", "group partitions"), names(topics[findings.LogStartAdvanced])))
	}
	if n := counts[findings.LogDirOffline]; n > 0 {
		out = append(out, words.Plural(n, "log directory", "log directories")+" offline")
	}
	return out
}

// diskLine says how many log directories run out of space and when the
// first will be full, "" when none does: a full directory goes offline
// with every replica in it.
func diskLine(fs []findings.Finding) string {
	n, soonest := 0, -1.0
	var where string
	for _, f := range fs {
		if f.Code != findings.LogDirLowSpace {
			continue
		}
		n++
		if secs, ok := f.Evidence["seconds_to_full"].(float64); ok && (soonest < 0 || secs < soonest) && f.Broker != nil {
			soonest, where = secs, fmt.Sprintf("broker %d %s", *f.Broker, f.LogDir)
		}
	}
	if n == 0 {
		return ""
	}
	line := words.Plural(n, "log directory is", "log directories are") + " low on space"
	if soonest >= 0 {
		line += fmt.Sprintf("; %s will be full in about %s at the current rate", where, roughly(soonest))
	}
	return line + ": when full, its replicas go offline on that broker"
}

// roughly words seconds as minutes, hours or days.
func roughly(secs float64) string {
	switch m := secs / 60; {
	case m < 120:
		return words.Plural(int(m+0.5), "minute", "minutes")
	case m < 48*60:
		return words.Plural(int(m/60+0.5), "hour", "hours")
	default:
		return words.Plural(int(m/60/24+0.5), "day", "days")
	}
}

// runbookOrder is the order in which problems are worked: data at risk of
// loss first, then availability, then redundancy.
var runbookOrder = []struct{ code, runbook string }{
	// Without a quorum nothing else can heal: no fencing, no election.
	{findings.ControllerQuorumUnavailable, "controller-quorum"},
	{findings.ZombieLeader, "zombie-leader"},
	{findings.BrokerFenced, "zombie-leader"},
	{findings.DataLoss, "data-recovery"},
	{findings.BrokerDown, "broker-failure"},
	{findings.BrokerUnresponsive, "broker-failure"},
	{findings.BrokerUnreachable, "broker-failure"},
	{findings.UncleanElectionRequired, "data-recovery"},
	{findings.OfflinePartition, "broker-failure"},
	{findings.LogStartAdvanced, "data-recovery"},
	{findings.LogDirOffline, "broker-failure"},
	{findings.UnderMinISR, "isr-shrinkage"},
	{findings.StaleMetadata, "zombie-leader"},
	// A disk filling takes the broker's replicas offline when full: before
	// redundancy already lost, after availability already lost.
	{findings.LogDirLowSpace, "disk-pressure"},
	{findings.UnderReplicated, "isr-shrinkage"},
	{findings.AtMinISR, "isr-shrinkage"},
	// A consumer's trouble after the cluster's own: a broker or partition
	// problem is often what stalls the consumers. Records about to be
	// deleted first, then consumers that make no progress.
	{findings.GroupPartitionUnavailable, "broker-failure"},
	{findings.LagExceedsRetention, "consumer-lag"},
	{findings.HangingTransaction, "consumer-lag"},
	{findings.ConsumerStalled, "consumer-lag"},
	{findings.ConsumerStopped, "consumer-lag"},
	{findings.OffsetRewind, "consumer-lag"},
	{findings.ConsumerLagGrowing, "consumer-lag"},
	{findings.LagNearRetention, "consumer-lag"},
	{findings.RebalanceStorm, "consumer-lag"},
	{findings.ControllerVoterDown, "controller-quorum"},
	{findings.ControllerVoterLagging, "controller-quorum"},
	{findings.BrokerMetadataLagging, "controller-quorum"},
	{findings.ReassignmentStalled, "isr-shrinkage"},
}

func nextRunbook(fs []findings.Finding) string {
	present := map[string]bool{}
	for _, f := range fs {
		present[f.Code] = true
	}
	for _, r := range runbookOrder {
		if present[r.code] {
			return r.runbook
		}
	}
	return ""
}

func names(topics []string) string { return sample(topics, "topics") }

// sample names up to maxTopicsNamed of list, sorted, and counts the rest
// as more of noun.
func sample(list []string, noun string) string {
	slices.Sort(list)
	s := words.Sample(list, maxTopicsNamed)
	if len(list) > maxTopicsNamed {
		s += " " + noun
	}
	return s
}
