package collect

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TopicConfigNames are the topic configs that decide risk in an incident.
// Asking only for these keeps responses small on large clusters.
var TopicConfigNames = []string{
	"min.insync.replicas",
	"unclean.leader.election.enable",
	"retention.ms",
	"retention.bytes",
	"cleanup.policy",
	"max.message.bytes",
	// A reassignment's throttle, which only --verify removes (REPLICATION_THROTTLE_LEFT).
	"leader.replication.throttled.replicas",
	"follower.replication.throttled.replicas",
}

// BrokerConfigNames are the broker configs that decide risk in an incident.
var BrokerConfigNames = []string{
	"min.insync.replicas",
	"unclean.leader.election.enable",
	"default.replication.factor",
	"auto.create.topics.enable",
	"log.retention.ms",
	"log.retention.minutes",
	"log.retention.hours",
	"log.retention.bytes",
	"offsets.topic.replication.factor",
	"transaction.state.log.replication.factor",
	"transaction.state.log.min.isr",
	"replica.lag.time.max.ms",
	"message.max.bytes",
	"num.partitions",
	"log.dirs",
	"advertised.listeners",
	"listener.security.protocol.map",
	"authorizer.class.name",
	// Balance, racks, drift and throttles (the hygiene checks).
	"auto.leader.rebalance.enable",
	"leader.imbalance.per.broker.percentage",
	"leader.imbalance.check.interval.seconds",
	"broker.rack",
	"num.replica.fetchers",
	"replica.fetch.max.bytes",
	"log.segment.bytes",
	"log.cleanup.policy",
	"compression.type",
	"delete.topic.enable",
	"leader.replication.throttled.rate",
	"follower.replication.throttled.rate",
}

// topicConfigBatch bounds the resources in one DescribeConfigs request.
const topicConfigBatch = 500

// topicConfigs reads the risk-relevant configs of every topic.
func (c *collector) topicConfigs(ctx context.Context, cn *conn) {
	names := make([]string, 0, len(c.snap.Topics))
	for i := range c.snap.Topics {
		names = append(names, c.snap.Topics[i].Name)
	}
	results := map[string]map[string]snapshot.ConfigValue{}
	for start := 0; start < len(names); start += topicConfigBatch {
		batch := names[start:min(start+topicConfigBatch, len(names))]
		req := &sarama.DescribeConfigsRequest{Version: 4}
		for _, n := range batch {
			req.Resources = append(req.Resources, &sarama.ConfigResource{Type: sarama.TopicResource, Name: n, ConfigNames: TopicConfigNames})
		}
		resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.DescribeConfigsResponse, error) {
			return b.DescribeConfigs(req)
		})
		if err != nil {
			c.record(snapshot.SourceTopicConfigs, cn.brokerID(c.snap), "", err)
			continue
		}
		for _, r := range resp.Resources {
			if r.ErrorCode != 0 {
				c.record(snapshot.SourceTopicConfigs, cn.brokerID(c.snap), r.Name, sarama.KError(r.ErrorCode))
				continue
			}
			results[r.Name] = configValues(r.Configs)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.snap.Topics {
		if cfg, ok := results[c.snap.Topics[i].Name]; ok {
			c.snap.Topics[i].Configs = cfg
		}
	}
}

// brokerConfigs reads one broker's risk-relevant configs. Static configs
// are only known to the broker itself, so each broker is asked directly.
func (c *collector) brokerConfigs(ctx context.Context, id int32, cn *conn) {
	req := &sarama.DescribeConfigsRequest{Version: 4, Resources: []*sarama.ConfigResource{{
		Type: sarama.BrokerResource, Name: strconv.Itoa(int(id)), ConfigNames: BrokerConfigNames,
	}}}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.DescribeConfigsResponse, error) {
		return b.DescribeConfigs(req)
	})
	if err == nil && len(resp.Resources) > 0 && resp.Resources[0].ErrorCode != 0 {
		err = sarama.KError(resp.Resources[0].ErrorCode)
	}
	if err != nil {
		c.record(snapshot.SourceBrokerConfigs, id, "", err)
		return
	}
	if len(resp.Resources) == 0 {
		return
	}
	c.mu.Lock()
	c.snap.BrokerConfigs = append(c.snap.BrokerConfigs, snapshot.BrokerConfig{Broker: id, Configs: configValues(resp.Resources[0].Configs)})
	c.mu.Unlock()
}

// configValues converts config entries, dropping the value of anything the
// broker marks sensitive so that no secret reaches a snapshot.
func configValues(entries []*sarama.ConfigEntry) map[string]snapshot.ConfigValue {
	out := make(map[string]snapshot.ConfigValue, len(entries))
	for _, e := range entries {
		v := snapshot.ConfigValue{Value: e.Value, Source: sourceName(e.Source), Sensitive: e.Sensitive}
		if e.Sensitive {
			v.Value = ""
		}
		out[e.Name] = v
	}
	return out
}

// sourceName is Kafka's name for a config source.
func sourceName(s sarama.ConfigSource) string {
	switch s {
	case sarama.SourceTopic:
		return "DYNAMIC_TOPIC_CONFIG"
	case sarama.SourceDynamicBroker:
		return "DYNAMIC_BROKER_CONFIG"
	case sarama.SourceDynamicDefaultBroker:
		return "DYNAMIC_DEFAULT_BROKER_CONFIG"
	case sarama.SourceStaticBroker:
		return "STATIC_BROKER_CONFIG"
	case sarama.SourceDefault:
		return "DEFAULT_CONFIG"
	}
	return "UNKNOWN"
}

// logDirs reads one broker's log directories: their errors and space when
// health is asked, and with contents every replica in them, whose sizes are
// summed and whose topic names go to the hidden-topic comparison. Without
// contents the sizes and partition counts are unknown (-1).
func (c *collector) logDirs(ctx context.Context, id int32, cn *conn, health, contents bool) {
	if !health && !contents {
		return
	}
	req := &sarama.DescribeLogDirsRequest{Version: 4}
	if !contents {
		// No partition at all: sarama sends an empty list as null, which
		// means every partition, so one topic with no partitions is named.
		// The broker then skips the replica listing, most of its work.
		req.DescribeTopics = []sarama.DescribeLogDirsRequestTopic{{Topic: "", PartitionIDs: []int32{}}}
	}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.DescribeLogDirsResponse, error) {
		return b.DescribeLogDirs(req)
	})
	if err == nil && resp.ErrorCode != sarama.ErrNoError {
		err = resp.ErrorCode
	}
	if err != nil {
		c.record(snapshot.SourceLogDirs, id, "", err)
		return
	}
	if contents {
		c.disk.add(resp)
	}
	if !health {
		return
	}
	dirs := make([]snapshot.LogDir, 0, len(resp.LogDirs))
	for _, d := range resp.LogDirs {
		dir := snapshot.LogDir{Broker: id, Path: d.Path, Error: errorName(d.ErrorCode), TotalBytes: -1, UsableBytes: -1}
		if resp.Version >= 4 {
			dir.TotalBytes, dir.UsableBytes = d.TotalBytes, d.UsableBytes
		}
		if !contents {
			dir.SizeBytes, dir.Partitions = -1, -1
		}
		for _, t := range d.Topics {
			for _, p := range t.Partitions {
				dir.SizeBytes += p.Size
				dir.Partitions++
			}
		}
		if contents {
			dir.Replicas = replicaSizes(d.Topics)
		}
		dirs = append(dirs, dir)
	}
	c.mu.Lock()
	c.snap.LogDirs = append(c.snap.LogDirs, dirs...)
	c.mu.Unlock()
}

// replicaSizes lists one directory's replicas and their sizes per topic,
// sorted by topic and partition: the growth of each partition between two
// snapshots is what tells which topics fill a disk.
func replicaSizes(topics []sarama.DescribeLogDirsResponseTopic) snapshot.ReplicaSizes {
	out := make(snapshot.ReplicaSizes, 0, len(topics))
	for _, t := range topics {
		ps := slices.Clone(t.Partitions)
		slices.SortFunc(ps, func(a, b sarama.DescribeLogDirsResponsePartition) int {
			return cmp.Compare(a.PartitionID, b.PartitionID)
		})
		lt := snapshot.LogDirTopic{Topic: t.Topic, Partitions: make([]int32, len(ps)), SizeBytes: make([]int64, len(ps))}
		for i, p := range ps {
			lt.Partitions[i], lt.SizeBytes[i] = p.PartitionID, p.Size
		}
		out = append(out, lt)
	}
	slices.SortFunc(out, func(a, b snapshot.LogDirTopic) int { return cmp.Compare(a.Topic, b.Topic) })
	return out
}
