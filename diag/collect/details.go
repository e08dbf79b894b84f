package collect

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// viewsInFlight bounds how many brokers' own metadata views are asked for
// and decoded at once. Each answer is as large as the cluster metadata
// (about 16 MB of decoded structures at 100,000 partitions): fifty brokers
// answering at once would need most of a gigabyte for a moment.
const viewsInFlight = 4

// details collects the optional parts from every live broker in parallel.
// Each task records its own failures, so one slow broker delays only the
// tasks that need it, and never beyond the request deadline.
func (c *collector) details(ctx context.Context) {
	live := c.liveBrokers(ctx)
	if len(live) == 0 {
		if c.opts.Parts.Has(source.PartQuorum) && len(c.opts.BootstrapControllers) > 0 {
			c.quorumFromControllers(ctx) // the controllers do not need a broker
		}
		return
	}
	parts := c.opts.Parts
	var reducer *snapshot.ViewReducer
	if parts.Has(source.PartBrokerViews) {
		// Built before any task starts: it copies the leaders it compares
		// with, and topicConfigs writes the topics while views arrive.
		reducer = snapshot.NewViewReducer(c.snap.Topics)
	}
	var wg sync.WaitGroup
	run := func(fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
		}()
	}
	if parts.Has(groupParts) {
		// Read before any task starts: topicConfigs writes the topics.
		c.topicNames = topicNamesByID(c.snap.Topics)
	}
	c.clusterWide(ctx, live, run)
	c.perBroker(ctx, live, run, reducer)
	if parts.Has(source.PartGroupOffsets) && parts.Has(source.PartLogEndOffsets) {
		// Lag, and the records at committed offsets, as soon as the
		// offsets and every coordinator's groups are in, beside the
		// tasks still running (configs, log dirs, views).
		run(func() {
			c.lagInputs.Wait()
			c.computeLag()
			if parts.Has(source.PartTimeLag) {
				c.timeLag(ctx, live)
			}
		})
	}
	wg.Wait()
	if parts.Has(source.PartLogDirContents | source.PartHiddenTopics) {
		c.reportHidden(&c.disk)
	}
	c.seedView = nil
}

// groupParts are the parts that list each coordinator's groups.
const groupParts = source.PartGroupOffsets | source.PartGroupMembers | source.PartGroupTypes

// perBroker starts, with run, the tasks each live broker answers for
// itself: its configs, log dirs, own metadata view and groups.
func (c *collector) perBroker(ctx context.Context, live map[int32]*conn, run func(func()), reducer *snapshot.ViewReducer) {
	parts := c.opts.Parts
	views := make(chan struct{}, viewsInFlight)
	// Whether the log dir contents are needed for source.PartHiddenTopics depends
	// on every broker's configs, so those log dir requests wait for them.
	var configsRead sync.WaitGroup
	if parts.Has(source.PartConfigs) {
		configsRead.Add(len(live))
	}
	contents := func() bool {
		if parts.Has(source.PartLogDirContents) {
			return true
		}
		if !parts.Has(source.PartHiddenTopics) {
			return false
		}
		configsRead.Wait()
		return c.mayHideTopics(len(live))
	}
	for id, cn := range live {
		if parts.Has(source.PartConfigs) {
			run(func() {
				defer configsRead.Done()
				c.brokerConfigs(ctx, id, cn)
			})
		}
		if parts.Has(source.PartLogDirHealth | source.PartLogDirContents | source.PartHiddenTopics) {
			run(func() { c.logDirs(ctx, id, cn, parts.Has(source.PartLogDirHealth), contents()) })
		}
		if parts.Has(source.PartBrokerViews) {
			run(func() {
				select {
				case views <- struct{}{}:
					defer func() { <-views }()
				case <-ctx.Done():
				}
				c.brokerView(ctx, id, cn, reducer)
			})
		}
		if parts.Has(groupParts) {
			c.lagInputs.Add(1)
			run(func() {
				defer c.lagInputs.Done()
				c.groups(ctx, id, cn)
			})
		}
	}
}

// clusterWide starts, with run, the tasks that ask one broker for the whole
// cluster (configs of every topic, ACLs, reassignments, the quorum, the
// ELR), the leaders of every partition (offsets) or every coordinator
// (transactions).
func (c *collector) clusterWide(ctx context.Context, live map[int32]*conn, run func(func())) {
	any := c.anyLive(live)
	parts := c.opts.Parts
	if parts.Has(source.PartConfigs) {
		run(func() { c.topicConfigs(ctx, any) })
	}
	if parts.Has(source.PartACLs) {
		run(func() { c.acls(ctx, any) })
	}
	if parts.Has(source.PartReassignments) {
		run(func() { c.reassignments(ctx, any) })
	}
	if parts.Has(source.PartQuorum) {
		run(func() { c.quorum(ctx, live) })
	}
	if parts.Has(source.PartELR) {
		run(func() { c.elr(ctx, live) })
	}
	if kinds := offsetKinds(parts); len(kinds) > 0 {
		c.lagInputs.Add(1)
		run(func() {
			defer c.lagInputs.Done()
			c.offsets(ctx, live, kinds)
		})
	}
	if parts.Has(source.PartTransactions) {
		run(func() { c.transactions(ctx, live) })
	}
}

// mayHideTopics reports whether Metadata may have left topics out: not
// every live broker's configs were read, or one of them runs an authorizer.
func (c *collector) mayHideTopics(live int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.snap.BrokerConfigs) < live {
		return true
	}
	for _, bc := range c.snap.BrokerConfigs {
		if v, ok := bc.Configs["authorizer.class.name"]; !ok || v.Value != "" {
			return true
		}
	}
	return false
}

// anyLive picks the broker for cluster-wide requests: the controller the
// metadata named when it answered, else the lowest live id, so repeated runs
// ask the same broker.
func (c *collector) anyLive(live map[int32]*conn) *conn {
	if cn, ok := live[c.snap.ControllerID]; ok {
		return cn
	}
	return live[slices.Sorted(maps.Keys(live))[0]]
}

// brokerView asks one broker for its own Metadata, the raw material for
// spotting zombie leaders and stale metadata. The seed broker's answer to
// the cluster metadata request is that broker's view already.
func (c *collector) brokerView(ctx context.Context, id int32, cn *conn, views *snapshot.ViewReducer) {
	md, latency := c.seedView, c.seedLatency
	var err error
	if cn != c.seedConn || md == nil {
		start := time.Now()
		md, err = c.askMetadata(ctx, cn)
		latency = time.Since(start)
	}
	view := snapshot.BrokerView{Broker: id, ControllerID: -1}
	view.Probe.LatencyMS = latency.Milliseconds()
	if err != nil {
		f := classify(err)
		view.Probe.Status, view.Probe.Cause = f.status(), f.cause
		view.Probe.Error = describeErr(err)
		c.record(snapshot.SourceBrokerView, id, "", err)
	} else {
		view.Probe.Status = snapshot.StatusOK
		view.ControllerID = md.ControllerID
		for _, b := range md.Brokers {
			view.Brokers = append(view.Brokers, b.ID())
		}
		b := views.Start()
		for _, t := range md.Topics {
			for _, p := range t.Partitions {
				b.Add(t.Name, p.ID, p.Leader, p.LeaderEpoch)
			}
		}
		b.Finish(&view)
	}
	c.mu.Lock()
	c.snap.BrokerViews = append(c.snap.BrokerViews, view)
	c.mu.Unlock()
}

// reassignments lists partition reassignments in progress.
func (c *collector) reassignments(ctx context.Context, cn *conn) {
	req := &sarama.ListPartitionReassignmentsRequest{TimeoutMs: int32(c.opts.RequestTimeout.Milliseconds())}
	// sarama cannot send the null topic list that means "all", and an
	// empty list means "none", so every partition is named.
	// Fields are read in place: copying a Topic would read its Configs,
	// which topicConfigs writes at the same time.
	for i := range c.snap.Topics {
		t := &c.snap.Topics[i]
		ids := make([]int32, 0, len(t.Partitions))
		for j := range t.Partitions {
			ids = append(ids, t.Partitions[j].ID)
		}
		if len(ids) > 0 {
			req.AddBlock(t.Name, ids)
		}
	}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.ListPartitionReassignmentsResponse, error) {
		return b.ListPartitionReassignments(req)
	})
	if err == nil && resp.ErrorCode != sarama.ErrNoError {
		err = resp.ErrorCode
	}
	if err != nil {
		c.record(snapshot.SourceReassignments, cn.brokerID(c.snap), "", err)
		return
	}
	var out []snapshot.Reassignment
	for topic, parts := range resp.TopicStatus {
		for p, st := range parts {
			out = append(out, snapshot.Reassignment{
				Topic: topic, Partition: p, Replicas: st.Replicas,
				AddingReplicas: st.AddingReplicas, RemovingReplicas: st.RemovingReplicas,
			})
		}
	}
	c.mu.Lock()
	c.snap.Reassignments = out
	c.mu.Unlock()
}

// brokerID finds the id of the broker behind a connection, -1 if none.
func (cn *conn) brokerID(s *snapshot.Snapshot) int32 {
	for _, b := range s.Brokers {
		if b.Address() == cn.addr {
			return b.ID
		}
	}
	return -1
}
