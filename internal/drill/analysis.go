package drill

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

// reveals are the requests whose answers a finding is computed from: a
// kafka-runbook command that asked all of them while the scenario served a
// state showed that state's findings on the team's screen (the scenario
// tests prove the checks find them from exactly those answers). Codes not
// listed need Metadata only.
var reveals = map[string][]string{
	"UNDER_MIN_ISR":            {"Metadata", "DescribeConfigs"},
	"AT_MIN_ISR":               {"Metadata", "DescribeConfigs"},
	"MIN_ISR_TOO_LOW":          {"Metadata", "DescribeConfigs"},
	"UNCLEAN_ELECTION_ENABLED": {"Metadata", "DescribeConfigs"},
	"LOG_START_ADVANCED":       {"ListOffsets", "OffsetFetch"},
	"DATA_LOSS":                {"ListOffsets"},
	"LOG_DIR_OFFLINE":          {"DescribeLogDirs"},
	// The quorum's codes come from DescribeQuorum; a lagging broker is
	// judged against its state in Metadata too.
	"CONTROLLER_QUORUM_UNAVAILABLE": {"DescribeQuorum"},
	"CONTROLLER_VOTER_DOWN":         {"DescribeQuorum"},
	"CONTROLLER_VOTER_LAGGING":      {"DescribeQuorum"},
	"BROKER_METADATA_LAGGING":       {"Metadata", "DescribeQuorum"},
}

// perBrokerViews are the codes seen only by asking several brokers for
// their own Metadata.
var perBrokerViews = map[string]bool{"ZOMBIE_LEADER": true, "STALE_METADATA": true}

// canShow reports whether a look asked every question the codes need.
func canShow(l Look, codes []string) bool {
	for _, c := range codes {
		need, ok := reveals[c]
		if !ok {
			need = []string{"Metadata"}
		}
		for _, api := range need {
			if l.APIs[api] == 0 {
				return false
			}
		}
		if perBrokerViews[c] && len(l.MetadataBrokers) < 2 {
			return false
		}
	}
	return true
}

// stagesWithLooks finds, per stage, the first look and note while the
// stage's state was served (from it taking effect until the next one did).
func stagesWithLooks(stages []Stage, ls []Look, notes []Note) []Stage {
	for i := range stages {
		from := stages[i].At
		var until *Stage
		if i+1 < len(stages) {
			until = &stages[i+1]
		}
		for _, l := range ls {
			if l.Start.Before(from) || (until != nil && !l.Start.Before(until.At)) {
				continue
			}
			if len(stages[i].Expect) > 0 && canShow(l, stages[i].Expect) {
				l := l
				stages[i].FirstLook = &l
				break
			}
		}
		for _, n := range notes {
			if !n.At.Before(from) && (until == nil || n.At.Before(until.At)) {
				n := n
				stages[i].FirstNote = &n
				break
			}
		}
		if stages[i].Expect == nil {
			stages[i].Expect = []string{}
		}
	}
	return stages
}

// tools is one row per client id. A client id is one tool as people name
// it: kafka-runbook's requests go through sarama and franz-go, and its
// probes announce kafka-runbook itself, so listing each library apart
// made one tool look like three (one named "kafka-runbook 1").
func tools(reqs []sim.Request) []Tool {
	byID := map[string]int{}
	software := map[string][]string{}
	var out []Tool
	for _, q := range reqs {
		i, ok := byID[q.ClientID]
		if !ok {
			i = len(out)
			byID[q.ClientID] = i
			out = append(out, Tool{ClientID: q.ClientID, First: q.At})
		}
		out[i].Requests++
		out[i].Last = q.At
		if q.Software != "" && !slices.Contains(software[q.ClientID], q.Software) {
			software[q.ClientID] = append(software[q.ClientID], q.Software)
		}
	}
	for i := range out {
		out[i].Software = strings.Join(slices.Sorted(slices.Values(software[out[i].ClientID])), ", ")
	}
	slices.SortFunc(out, func(a, b Tool) int {
		return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.ClientID, b.ClientID))
	})
	if out == nil {
		out = []Tool{}
	}
	return out
}

func changes(reqs []sim.Request) []ChangeEvent {
	out := []ChangeEvent{}
	for _, q := range reqs {
		if q.Change == nil {
			continue
		}
		out = append(out, ChangeEvent{At: q.At, ClientID: q.ClientID, Software: q.Software, Broker: q.Broker, API: q.API, Risk: q.Change.Risk, What: q.Change.What})
	}
	return out
}
