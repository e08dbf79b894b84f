package collect

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// elrPageLimit is how many partitions one DescribeTopicPartitions answer
// may carry: Kafka's own cap (max.request.partition.size.limit, 2000 by
// default; a broker configured lower answers fewer and the cursor says
// where to go on).
const elrPageLimit = 2000

// elrSets is one partition's eligible leader replicas as DescribeTopicPartitions gave them.
type elrSets struct {
	elr, lastKnown []int32
}

// elrPages is what the pages of DescribeTopicPartitions said, gathered
// before any of it goes into the snapshot.
type elrPages struct {
	partitions map[partitionKey]elrSets
	failed     map[string]bool // topics with an error, topic-wide or on a partition
}

// elr reads every partition's eligible leader replicas (KIP-966) from one
// live broker that offers DescribeTopicPartitions, page by page until the
// cursor is null. Each page is one request under its own deadline, all
// inside the command's. A cluster whose brokers do not offer the API has no
// ELR: nothing is sent and nothing recorded, and Topic.ELRKnown stays false.
// A page that fails ends the walk; the topics read whole before it keep
// their ELR.
func (c *collector) elr(ctx context.Context, live map[int32]*conn) {
	id, cn := c.offering(live, apiDescribeTopicPartitions)
	if cn == nil {
		return
	}
	pages := elrPages{partitions: map[partitionKey]elrSets{}, failed: map[string]bool{}}
	var cursor *kmsg.DescribeTopicPartitionsRequestCursor
	for ctx.Err() == nil {
		req := kmsg.NewPtrDescribeTopicPartitionsRequest() // no topics: all of them
		req.ResponsePartitionLimit = elrPageLimit
		req.Cursor = cursor
		resp, err := c.kc.request(ctx, cn.addr, req)
		if err != nil {
			c.record(snapshot.SourceTopicPartitions, id, "", err)
			break
		}
		r := resp.(*kmsg.DescribeTopicPartitionsResponse)
		for topic, err := range pages.add(r) {
			c.record(snapshot.SourceTopicPartitions, id, topic, err)
		}
		next, err := nextCursor(cursor, r.NextCursor)
		if err != nil {
			c.record(snapshot.SourceTopicPartitions, id, "", err)
			break
		}
		if next == nil {
			break
		}
		cursor = next
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	applyELR(c.snap.Topics, pages)
}

// add gathers one page and returns its errors by topic.
func (pg elrPages) add(r *kmsg.DescribeTopicPartitionsResponse) map[string]error {
	errs := map[string]error{}
	for _, t := range r.Topics {
		if t.Topic == nil {
			continue // named by id only; Metadata names every topic it returns
		}
		name := *t.Topic
		if err := codeErr(t.ErrorCode); err != nil {
			pg.failed[name], errs[name] = true, err
			continue
		}
		for _, p := range t.Partitions {
			if err := codeErr(p.ErrorCode); err != nil {
				pg.failed[name] = true
				if errs[name] == nil {
					errs[name] = fmt.Errorf("partition %d: %w", p.Partition, err)
				}
				continue
			}
			pg.partitions[partitionKey{name, p.Partition}] = elrSets{elr: p.EligibleLeaderReplicas, lastKnown: p.LastKnownELR}
		}
	}
	return errs
}

// nextCursor turns an answer's cursor into the next request's, nil when
// the walk is over. A cursor that does not move would loop until the
// deadline: it is a broker bug, reported once.
func nextCursor(sent *kmsg.DescribeTopicPartitionsRequestCursor, got *kmsg.DescribeTopicPartitionsResponseNextCursor) (*kmsg.DescribeTopicPartitionsRequestCursor, error) {
	if got == nil {
		return nil, nil
	}
	if sent != nil && sent.Topic == got.Topic && sent.Partition == got.Partition {
		return nil, fmt.Errorf("the cursor did not move past %s-%d", got.Topic, got.Partition)
	}
	next := kmsg.NewDescribeTopicPartitionsRequestCursor()
	next.Topic, next.Partition = got.Topic, got.Partition
	return &next, nil
}

// applyELR writes the ELR of every topic whose partitions were all read
// without error and marks it known; any other topic keeps ELRKnown false,
// so that an empty ELR is never mistaken for "none".
func applyELR(topics []snapshot.Topic, pages elrPages) {
	for i := range topics {
		t := &topics[i]
		if pages.failed[t.Name] || len(t.Partitions) == 0 {
			continue
		}
		complete := true
		for j := range t.Partitions {
			if _, ok := pages.partitions[partitionKey{t.Name, t.Partitions[j].ID}]; !ok {
				complete = false
				break
			}
		}
		if !complete {
			continue
		}
		for j := range t.Partitions {
			p := &t.Partitions[j]
			sets := pages.partitions[partitionKey{t.Name, p.ID}]
			p.ELR, p.LastKnownELR = sets.elr, sets.lastKnown
		}
		t.ELRKnown = true
	}
}
