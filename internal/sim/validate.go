package sim

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxRecords bounds the records a scenario seeds: they are produced for real
// at Start, and a demo must start in well under a second.
const maxRecords = 2_000_000

// Problem is one thing wrong with a scenario.
type Problem struct {
	// Field is a path into the scenario, for example
	// "topics[orders].partitions[2].leader".
	Field string
	// Msg says what is wrong and, where it helps, why Kafka would not
	// allow it.
	Msg string
}

// ValidationError lists every problem found in one scenario file, so an
// author can fix them all in one pass.
type ValidationError struct {
	// Source is the file name, or "scenario" when there is none.
	Source string
	// Problems are in the order of the file.
	Problems []Problem
}

// Error prints one problem per line, each prefixed with the file name.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s: %s: %s", e.Source, p.Field, p.Msg)
	}
	return b.String()
}

var (
	nameRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	findingRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	topicRe   = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
)

var groupStates = []string{"Stable", "Empty", "PreparingRebalance", "CompletingRebalance", "Dead"}

// checker collects problems; each check method adds to it.
type checker struct {
	sc       *Scenario
	problems []Problem
	brokers  map[int32]*Broker
	topics   map[string]*Topic
	records  int64
}

func (c *checker) add(field, format string, args ...any) {
	c.problems = append(c.problems, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Validate checks the scenario for mistakes that would make the served
// cluster self-contradictory. It returns a *ValidationError or nil.
func (s *Scenario) Validate() error {
	c := &checker{sc: s, brokers: map[int32]*Broker{}, topics: map[string]*Topic{}}
	c.header()
	c.brokerList()
	c.quorum()
	for i := range s.Topics {
		c.topic(i, &s.Topics[i])
	}
	for i := range s.Brokers {
		if v := s.Brokers[i].View; v != nil {
			c.view(fmt.Sprintf("brokers[%d].view", i), v)
		}
	}
	if c.records > maxRecords {
		c.add("topics", "%d records in total; at most %d keep startup fast", c.records, maxRecords)
	}
	seen := map[string]bool{}
	for i := range s.Groups {
		g := &s.Groups[i]
		f := fmt.Sprintf("groups[%d]", i)
		if g.ID != "" {
			f = "groups[" + g.ID + "]"
		}
		if seen[g.ID] {
			c.add(f+".id", "duplicate group id")
		}
		seen[g.ID] = true
		c.group(f, g)
	}
	c.injects()
	if len(c.problems) == 0 {
		return nil
	}
	src := s.source
	if src == "" {
		src = "scenario"
	}
	return &ValidationError{Source: src, Problems: c.problems}
}

func (c *checker) header() {
	s := c.sc
	switch {
	case s.SchemaVersion == 0:
		c.add("schema_version", "missing; must be %d", SchemaVersion)
	case s.SchemaVersion != SchemaVersion:
		c.add("schema_version", "%d is not supported; this build reads %d", s.SchemaVersion, SchemaVersion)
	}
	if !nameRe.MatchString(s.Name) {
		c.add("name", "%q must be lower case letters, digits and '-'", s.Name)
	}
	if strings.TrimSpace(s.Title) == "" {
		c.add("title", "required")
	}
	c.findingCodes("expected_findings", s.ExpectedFindings)
	if s.ExpectedRunbook != "" && !nameRe.MatchString(s.ExpectedRunbook) {
		c.add("expected_runbook", "%q is not a runbook name (lower case letters, digits and '-')", s.ExpectedRunbook)
	}
	for _, k := range slices.Sorted(maps.Keys(s.BrokerConfigs)) {
		if strings.TrimSpace(k) == "" {
			c.add("broker_configs", "empty config name")
		}
	}
}

func (c *checker) brokerList() {
	s := c.sc
	if len(s.Brokers) == 0 {
		c.add("brokers", "at least one broker is required")
		return
	}
	up := 0
	for i := range s.Brokers {
		b := &s.Brokers[i]
		f := fmt.Sprintf("brokers[%d]", i)
		if b.ID < 0 {
			c.add(f+".id", "%d is negative", b.ID)
		}
		if _, dup := c.brokers[b.ID]; dup {
			c.add(f+".id", "duplicate broker id %d", b.ID)
		}
		c.brokers[b.ID] = b
		switch b.State {
		case StateUp:
			up++
		case StateDown, StateHung, StateFenced, StateUnreachable:
		case "":
			c.add(f+".state", "required: up, down, hung, fenced or unreachable")
		default:
			c.add(f+".state", "%q is not one of up, down, hung, fenced, unreachable", b.State)
		}
		paths := map[string]bool{}
		for j, d := range b.LogDirs {
			df := fmt.Sprintf("%s.log_dirs[%d]", f, j)
			if d.Path == "" || paths[d.Path] {
				c.add(df+".path", "required and unique per broker")
			}
			paths[d.Path] = true
			if d.TotalBytes < 0 || d.UsableBytes < 0 || d.UsableBytes > d.TotalBytes {
				c.add(df, "need 0 <= usable_bytes <= total_bytes")
			}
		}
	}
	if up == 0 {
		c.add("brokers", "at least one broker must be up, or nothing can be asked")
	}
	if id := s.ControllerID; id != nil {
		if b, ok := c.brokers[*id]; !ok || b.State != StateUp {
			c.add("controller_id", "%d is not an up broker", *id)
		}
	}
}

// knownTopicConfigs are the topic-level configs of Kafka 4.x; a name outside
// this list is almost certainly a typo that would make a check silently read
// the default.
var knownTopicConfigs = map[string]bool{
	"cleanup.policy": true, "compression.type": true, "compression.gzip.level": true,
	"compression.lz4.level": true, "compression.zstd.level": true, "delete.retention.ms": true,
	"file.delete.delay.ms": true, "flush.messages": true, "flush.ms": true,
	"follower.replication.throttled.replicas": true, "index.interval.bytes": true,
	"leader.replication.throttled.replicas": true, "local.retention.bytes": true,
	"local.retention.ms": true, "max.compaction.lag.ms": true, "max.message.bytes": true,
	"message.timestamp.after.max.ms": true, "message.timestamp.before.max.ms": true,
	"message.timestamp.type": true, "min.cleanable.dirty.ratio": true,
	"min.compaction.lag.ms": true, "min.insync.replicas": true, "preallocate": true,
	"remote.storage.enable": true, "remote.log.copy.disable": true,
	"remote.log.delete.on.disable": true, "retention.bytes": true, "retention.ms": true,
	"segment.bytes": true, "segment.index.bytes": true, "segment.jitter.ms": true,
	"segment.ms": true, "unclean.leader.election.enable": true,
}

func (c *checker) topic(i int, t *Topic) {
	f := fmt.Sprintf("topics[%d]", i)
	if t.Name != "" {
		f = "topics[" + t.Name + "]"
	}
	if !topicRe.MatchString(t.Name) {
		c.add(f+".name", "%q is not a legal topic name", t.Name)
	}
	if _, dup := c.topics[t.Name]; dup {
		c.add(f+".name", "duplicate topic")
	}
	c.topics[t.Name] = t
	for _, k := range slices.Sorted(maps.Keys(t.Configs)) {
		v := t.Configs[k]
		if !knownTopicConfigs[k] {
			c.add(f+".configs."+k, "unknown topic config")
		}
		if k == "min.insync.replicas" {
			if n, err := strconv.Atoi(v); err != nil || n < 1 {
				c.add(f+".configs."+k, "%q must be an integer >= 1", v)
			}
		}
	}
	generated := t.PartitionCount != 0 || t.ReplicationFactor != 0
	switch {
	case generated && len(t.Partitions) > 0:
		c.add(f, "give either partitions or partition_count/replication_factor, not both")
	case generated:
		if t.PartitionCount < 1 || t.PartitionCount > 10000 {
			c.add(f+".partition_count", "%d is not in 1..10000", t.PartitionCount)
		}
		if t.ReplicationFactor < 1 || t.ReplicationFactor > len(c.sc.Brokers) {
			c.add(f+".replication_factor", "%d is not in 1..%d (the broker count)", t.ReplicationFactor, len(c.sc.Brokers))
		}
		if t.Records < 0 {
			c.add(f+".records", "negative")
		}
		c.records += int64(t.PartitionCount) * t.Records
	case len(t.Partitions) == 0:
		c.add(f+".partitions", "required (or partition_count and replication_factor)")
	default:
		if t.Records != 0 {
			c.add(f+".records", "only for generated partitions; set records per partition")
		}
		seen := map[int32]bool{}
		for j := range t.Partitions {
			p := &t.Partitions[j]
			pf := fmt.Sprintf("%s.partitions[%d]", f, p.Partition)
			if p.Partition < 0 || int(p.Partition) >= len(t.Partitions) || seen[p.Partition] {
				c.add(pf+".partition", "partitions must be numbered 0..%d, each once", len(t.Partitions)-1)
			}
			seen[p.Partition] = true
			c.partition(pf, p)
		}
	}
}
