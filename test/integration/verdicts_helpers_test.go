package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// verdictSlack is what a command may take beyond its --timeout: rendering
// and closing connections after the deadline, on two busy shared cores.
const verdictSlack = 2 * time.Second

// verdict is the triage JSON report as the verdict tests read it: the
// findings, gaps and collection errors of report, plus the status and the
// partition counts.
type verdict struct {
	report
	Status string         `json:"status"`
	Counts verdictCounts  `json:"counts"`
	Errors []collectError `json:"errors"`
}

// verdictCounts is the report's counts object.
type verdictCounts struct {
	Partitions      int `json:"partitions"`
	Offline         int `json:"offline"`
	UnderReplicated int `json:"under_replicated"`
	UnderMinISR     int `json:"under_min_isr"`
	AtMinISR        int `json:"at_min_isr"`
	Reassigning     int `json:"reassigning"`
}

// collectError is one entry of the report's errors: what could not be
// read, from which broker.
type collectError struct {
	Source  string `json:"source"`
	Broker  int32  `json:"broker"`
	Subject string `json:"subject"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// statusExit is the exit code of each status (internal/exitcode), as the
// JSON documents write it (lower case since schema_version 2).
var statusExit = map[string]int{"ok": 0, "warning": 1, "critical": 2, "unknown": 3}

// triageWithin runs `triage -o json --timeout d` and checks what must hold
// of every run, whatever the cluster's state: it answered within d (plus
// verdictSlack), its exit code is its status's, and its status is the one
// the verdict rule gives for its findings and gaps (worst finding first;
// otherwise any gap is UNKNOWN).
func triageWithin(t *testing.T, c *kafkatest.Cluster, d time.Duration, extra ...string) (verdict, result) {
	t.Helper()
	r := runCLI(t, append([]string{"triage", "-b", bootstrap(c), "-o", "json", "--timeout", d.String()}, extra...)...)
	var v verdict
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("triage output is not JSON (exit %d): %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	t.Logf("triage took %s: exit %d %s, %d findings (worse than info: %s), %d gaps", r.elapsed.Round(time.Millisecond), r.code, v.Status,
		len(v.Findings), words(worseThanInfo(v.report), 6), len(v.Unevaluated))
	if r.elapsed > d+verdictSlack {
		t.Errorf("triage --timeout %s took %s", d, r.elapsed.Round(time.Millisecond))
	}
	if want, ok := statusExit[v.Status]; !ok || r.code != want {
		t.Errorf("triage: status %q with exit %d", v.Status, r.code)
	}
	if want := ruleStatus(v); v.Status != want {
		t.Errorf("triage: status %s, but its findings %v and %d gaps give %s", v.Status, worseThanInfo(v.report), len(v.Unevaluated), want)
	}
	return v, r
}

// ruleStatus is the verdict rule applied to a report from outside.
func ruleStatus(v verdict) string {
	worst := "ok"
	for _, f := range v.Findings {
		switch {
		case f.Severity == "critical":
			return "critical"
		case f.Severity == "warning":
			worst = "warning"
		}
	}
	if worst == "ok" && len(v.Unevaluated) > 0 {
		return "unknown"
	}
	return worst
}

// findingOf returns the finding whose key (code and subject, finding.key)
// is key.
func findingOf(v verdict, key string) (finding, bool) {
	for _, f := range v.Findings {
		if f.key() == key {
			return f, true
		}
	}
	return finding{}, false
}

// about keeps the findings whose topic is topic.
func about(v verdict, topic string) []string {
	var out []string
	for _, f := range v.Findings {
		if f.Topic == topic {
			out = append(out, fmt.Sprintf("%s %s: %s", f.Severity, f.key(), f.Summary))
		}
	}
	return out
}

// gapsOf returns the reasons the report gives for not evaluating check.
func gapsOf(v verdict, check string) []string {
	var out []string
	for _, u := range v.Unevaluated {
		if u.Check == check {
			out = append(out, u.Reason)
		}
	}
	return out
}

// describeJSON runs `describe VIEW -o json` with args and decodes it into into.
func describeJSON(t *testing.T, c *kafkatest.Cluster, into any, args ...string) result {
	t.Helper()
	r := runCLI(t, append(append([]string{"describe"}, args...), "-b", bootstrap(c), "-o", "json")...)
	if err := json.Unmarshal([]byte(r.stdout), into); err != nil {
		t.Fatalf("describe %v: exit %d, not JSON: %v\nstdout: %s\nstderr: %s", args, r.code, err, r.stdout, r.stderr)
	}
	return r
}

// quorumJSON is `describe quorum -o json`.
type quorumJSON struct {
	Known       bool         `json:"known"`
	Via         string       `json:"via"`
	LeaderID    int32        `json:"leader_id"`
	LeaderEpoch int32        `json:"leader_epoch"`
	Voters      []quorumNode `json:"voters"`
	Observers   []quorumNode `json:"observers"`
}

type quorumNode struct {
	ID   int32  `json:"id"`
	Role string `json:"role"`
}

func nodeIDs(ns []quorumNode) []int32 {
	out := []int32{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}

// brokersJSON is `describe brokers -o json`.
type brokersJSON struct {
	KRaft        bool   `json:"kraft"`
	QuorumLeader *int32 `json:"quorum_leader"`
	Brokers      []struct {
		ID         int32  `json:"id"`
		Controller bool   `json:"controller"`
		Live       bool   `json:"live"`
		Fenced     *bool  `json:"fenced"`
		Probe      string `json:"probe"`
	} `json:"brokers"`
}

// controllers lists the broker ids the view calls controller.
func (b brokersJSON) controllers() []int32 {
	var out []int32
	for _, row := range b.Brokers {
		if row.Controller {
			out = append(out, row.ID)
		}
	}
	return out
}

// groupsJSON is `describe groups -o json`.
type groupsJSON struct {
	Groups []struct {
		Group   string `json:"group"`
		Type    string `json:"type"`
		State   string `json:"state"`
		Epoch   int32  `json:"epoch"`
		Members []struct {
			ID         string `json:"id"`
			ClientID   string `json:"client_id"`
			Epoch      int32  `json:"epoch"`
			Assignment []struct {
				Topic     string `json:"topic"`
				Partition int32  `json:"partition"`
			} `json:"assignment"`
		} `json:"members"`
		Offsets []struct {
			Topic     string `json:"topic"`
			Partition int32  `json:"partition"`
			Committed int64  `json:"committed"`
			Latest    int64  `json:"latest"`
			Lag       int64  `json:"lag"`
		} `json:"offsets"`
	} `json:"groups"`
}

// partitionsJSON is `describe partitions -o json`.
type partitionsJSON struct {
	Partitions []struct {
		Topic     string  `json:"topic"`
		Partition int32   `json:"partition"`
		Leader    int32   `json:"leader"`
		Replicas  []int32 `json:"replicas"`
		ISR       []int32 `json:"isr"`
		Status    string  `json:"status"`
	} `json:"partitions"`
}

// position is a group's committed offset and lag on one partition.
type position struct {
	committed, lag int64
}

// toolPositions runs kafka-consumer-groups.sh --describe --group group and
// returns the committed offset and lag of each partition of topic, and
// whether every one of them has caught up with the log end.
func toolPositions(t *testing.T, c *kafkatest.Cluster, group, topic string) (map[int32]position, []kafkatest.GroupOffset, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := c.ConsumerGroupsDescribe(ctx, group)
	if err != nil {
		return nil, nil, err
	}
	out := map[int32]position{}
	for _, r := range rows {
		if r.Topic == topic {
			out[r.Partition] = position{r.CurrentOffset, r.Lag}
		}
	}
	return out, rows, nil
}

// groupCoordinatedBy returns the first group id of the form prefix-N whose
// coordinator (FindCoordinator) is broker id: the leader of the group's
// __consumer_offsets partition, which the id's hash picks.
func groupCoordinatedBy(t *testing.T, c *kafkatest.Cluster, id int32, prefix string) string {
	t.Helper()
	client, err := sarama.NewClient(c.Bootstrap(), kafkatest.NewSaramaConfig())
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	defer client.Close()
	for i := range 100 {
		g := fmt.Sprintf("%s-%d", prefix, i)
		b, err := client.Coordinator(g)
		if err != nil {
			t.Fatalf("FindCoordinator(%s): %v", g, err)
		}
		if b.ID() == id {
			return g
		}
	}
	t.Fatalf("no group %s-0 to %s-99 is coordinated by broker %d", prefix, prefix, id)
	return ""
}

// topicPartition is one partition as DescribeTopicPartitions (API 75) gives
// it: the only request that shows the eligible leader replicas (KIP-966).
type topicPartition struct {
	Leader       int32
	ISR          []int32
	ELR          []int32
	LastKnownELR []int32
	Err          string
}

func (p topicPartition) String() string {
	return fmt.Sprintf("leader %d, ISR %v, ELR %v, last known ELR %v%s", p.Leader, p.ISR, p.ELR, p.LastKnownELR,
		map[bool]string{true: ", error " + p.Err, false: ""}[p.Err != ""])
}

// describeTopicPartition asks the cluster, with franz-go's kmsg and not the
// product's collector, for one partition through DescribeTopicPartitions.
func describeTopicPartition(c *kafkatest.Cluster, topic string, partition int32) (topicPartition, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap()...), kgo.DisableClientMetrics(),
		kgo.RequestTimeoutOverhead(3*time.Second), kgo.RetryTimeout(5*time.Second))
	if err != nil {
		return topicPartition{}, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	rt := kmsg.NewDescribeTopicPartitionsRequestTopic()
	rt.Topic = topic
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return topicPartition{}, err
	}
	for _, tp := range resp.Topics {
		for _, p := range tp.Partitions {
			if p.Partition != partition {
				continue
			}
			out := topicPartition{Leader: p.LeaderID, ISR: sorted(p.ISR), ELR: sorted(p.EligibleLeaderReplicas),
				LastKnownELR: sorted(p.LastKnownELR)}
			if p.ErrorCode != 0 {
				out.Err = fmt.Sprint(p.ErrorCode)
			}
			return out, nil
		}
	}
	return topicPartition{}, fmt.Errorf("%s/%d not in the answer", topic, partition)
}

func sorted(ids []int32) []int32 {
	out := append([]int32{}, ids...)
	slices.Sort(out)
	return out
}

// evidenceIDs reads a list of broker ids from a finding's evidence.
func evidenceIDs(f finding, key string) []int32 {
	list, _ := f.Evidence[key].([]any)
	out := []int32{}
	for _, v := range list {
		if n, ok := v.(float64); ok {
			out = append(out, int32(n))
		}
	}
	slices.Sort(out)
	return out
}

// mentions reports whether any of reasons contains s.
func mentions(reasons []string, s string) bool {
	return slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, s) })
}

func itoa(id int32) string { return strconv.Itoa(int(id)) }

// words shortens a list for a log line: its first n items and how many more.
func words(items []string, n int) string {
	if len(items) <= n {
		return fmt.Sprint(items)
	}
	return fmt.Sprintf("%v and %d more", items[:n], len(items)-n)
}
