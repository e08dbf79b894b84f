package collect

import (
	"context"
	"errors"
	"slices"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// groups lists the groups one broker coordinates, then, as the parts ask,
// describes them (source.PartGroupMembers, source.PartGroupTypes) and reads
// their committed offsets (source.PartGroupOffsets). ListGroups sent to a
// broker returns exactly the groups it coordinates, so no FindCoordinator
// round trip is needed, and (v4+) their state and (v5+) their type, so a
// group that is not described still has both.
//
// Each group is described by the API that knows it: DescribeGroups for
// classic groups, ConsumerGroupDescribe for consumer-protocol groups
// (KIP-848), which DescribeGroups would report as dead or unknown.
// Describing and OffsetFetch go one after the other: both may set a group's
// Error, and only describe groups, snapshot and evidence send both (triage
// reads no members).
func (c *collector) groups(ctx context.Context, id int32, cn *conn) {
	listed, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.ListGroupsResponse, error) {
		return b.ListGroups(&sarama.ListGroupsRequest{Version: 5}) // no TypesFilter: every type
	})
	if err == nil && listed.Err != sarama.ErrNoError {
		err = listed.Err
	}
	if err != nil {
		c.record(snapshot.SourceGroups, id, "", err)
		return
	}
	ids := c.wantedGroups(listed)
	if len(ids) == 0 {
		return
	}
	groups := make(map[string]*snapshot.Group, len(ids))
	var classic, consumer []string
	for _, g := range ids {
		groups[g] = &snapshot.Group{ID: g, Coordinator: id, ProtocolType: listed.Groups[g]}
		if d, ok := listed.GroupsData[g]; ok {
			groups[g].State, groups[g].Type = d.GroupState, d.GroupType
		}
		if groups[g].Type == snapshot.GroupConsumer {
			consumer = append(consumer, g)
		} else {
			classic = append(classic, g)
		}
	}
	parts := c.opts.Parts
	if parts.Has(source.PartGroupMembers) && len(classic) > 0 {
		c.describeGroups(ctx, id, cn, classic, groups)
	}
	if parts.Has(source.PartGroupTypes|source.PartGroupMembers) && len(consumer) > 0 {
		c.describeConsumerGroups(ctx, id, cn, consumer, groups)
	}
	if parts.Has(source.PartGroupOffsets) {
		c.groupOffsets(ctx, id, cn, ids, groups)
	}
	c.mu.Lock()
	for _, g := range ids {
		c.snap.Groups = append(c.snap.Groups, *groups[g])
	}
	c.mu.Unlock()
}

// wantedGroups returns the listed groups that carry consumer offsets and
// were asked for, sorted.
func (c *collector) wantedGroups(listed *sarama.ListGroupsResponse) []string {
	var ids []string
	for g, protocolType := range listed.Groups {
		if protocolType != "consumer" && protocolType != "" {
			continue // connect workers and other non-consumer groups carry no offsets
		}
		if len(c.opts.Groups) > 0 && !slices.Contains(c.opts.Groups, g) {
			continue
		}
		ids = append(ids, g)
	}
	slices.Sort(ids)
	return ids
}

// describeGroups fills the members and protocol of the classic groups of
// one coordinator, and their state as the group itself tells it. A
// consumer group's members carry their assignment in the consumer
// protocol's encoding, which is decoded; one that does not decode leaves
// the member without an assignment rather than failing the group.
func (c *collector) describeGroups(ctx context.Context, id int32, cn *conn, ids []string, groups map[string]*snapshot.Group) {
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.DescribeGroupsResponse, error) {
		return b.DescribeGroups(&sarama.DescribeGroupsRequest{Version: 5, Groups: ids})
	})
	if err != nil {
		c.describeFailed(id, ids, groups, err)
		return
	}
	for _, d := range resp.Groups {
		g, ok := groups[d.GroupId]
		if !ok || c.groupFailed(id, g, d.Err) {
			continue
		}
		g.State, g.Protocol = d.State, d.Protocol
		if d.ProtocolType != "" {
			g.ProtocolType = d.ProtocolType
		}
		for _, m := range d.Members {
			member := snapshot.GroupMember{ID: m.MemberId, ClientID: m.ClientId, Host: m.ClientHost}
			if g.ProtocolType == "consumer" {
				member.Assignment = classicAssignment(m)
			}
			g.Members = append(g.Members, member)
		}
	}
}

// describeFailed records a describe request that failed as a whole, and
// says so on every group it named.
func (c *collector) describeFailed(id int32, ids []string, groups map[string]*snapshot.Group, err error) {
	c.record(snapshot.SourceGroups, id, "", err)
	for _, g := range ids {
		groups[g].Error = describeErr(err)
	}
}

// groupFailed records the error code a describe answer gave one group, and
// reports whether there was one.
func (c *collector) groupFailed(id int32, g *snapshot.Group, code sarama.KError) bool {
	if code == sarama.ErrNoError {
		return false
	}
	g.Error = errorName(code)
	c.record(snapshot.SourceGroups, id, g.ID, code)
	return true
}

// groupOffsets reads committed offsets for all the groups of one
// coordinator in one request (OffsetFetch v8), falling back to one request
// per group for brokers older than 3.0.
func (c *collector) groupOffsets(ctx context.Context, id int32, cn *conn, ids []string, groups map[string]*snapshot.Group) {
	req := &sarama.OffsetFetchRequest{Version: 8}
	for _, g := range ids {
		req.Groups = append(req.Groups, sarama.OffsetFetchRequestGroup{GroupId: g})
	}
	if len(ids) == 1 {
		req.ConsumerGroup = ids[0] // used when negotiation clamps below v8
	}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.OffsetFetchResponse, error) {
		return b.FetchOffset(req)
	})
	var encErr sarama.PacketEncodingError
	if errors.As(err, &encErr) && len(ids) > 1 {
		for _, g := range ids {
			c.groupOffsets(ctx, id, cn, []string{g}, groups)
		}
		return
	}
	if err != nil {
		c.record(snapshot.SourceGroups, id, "", err)
		return
	}
	for _, g := range ids {
		group := groups[g]
		rg := resp.GetGroup(g)
		var blocks map[string]map[int32]*sarama.OffsetFetchResponseBlock
		switch {
		case rg != nil && rg.Err != sarama.ErrNoError:
			group.Error = errorName(rg.Err)
			c.record(snapshot.SourceGroups, id, g, rg.Err)
			continue
		case rg != nil:
			blocks = rg.Blocks
		case resp.Version < 8:
			blocks = resp.Blocks
		}
		for topic, parts := range blocks {
			for p, b := range parts {
				if b.Err != sarama.ErrNoError || b.Offset < 0 {
					continue
				}
				group.Offsets = append(group.Offsets, snapshot.GroupOffset{Topic: topic, Partition: p, Committed: b.Offset, Latest: -1, Lag: -1})
			}
		}
	}
}

// computeLag fills Latest and Lag of every committed offset from the
// partition offsets read in the same snapshot. Where the log end is unknown
// (not collected, or not read) both stay -1.
//
// It runs while other tasks still write other fields of the topics and
// partitions (configs, ELR), so it reads them in place: copying a Topic
// or a Partition would read those fields too.
func (c *collector) computeLag() {
	latest := map[partitionKey]int64{}
	for i := range c.snap.Topics {
		t := &c.snap.Topics[i]
		for j := range t.Partitions {
			latest[partitionKey{t.Name, t.Partitions[j].ID}] = t.Partitions[j].LatestOffset
		}
	}
	for i := range c.snap.Groups {
		for j := range c.snap.Groups[i].Offsets {
			o := &c.snap.Groups[i].Offsets[j]
			if l, ok := latest[partitionKey{o.Topic, o.Partition}]; ok && l >= 0 {
				o.Latest = l
				o.Lag = max(l-o.Committed, 0)
			}
		}
	}
}
