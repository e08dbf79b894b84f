package collect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// The transaction APIs (KIP-664, Kafka 3.0+).
const (
	apiDescribeTransactions = 65
	apiListTransactions     = 66
)

// openTransactionStates are the states of a transaction that holds the
// last stable offset of its partitions back, as ListTransactions names
// them.
func openTransactionStates() []string {
	return []string{"Ongoing", "PrepareCommit", "PrepareAbort"}
}

// txnAnswers is what the coordinators said, gathered before it goes into
// the snapshot.
type txnAnswers struct {
	mu        sync.Mutex
	described map[string]snapshot.Transaction
	// moved are the ids a broker listed but, asked to describe them, said
	// it no longer coordinates, by that broker.
	moved map[string]int32
}

// transactions lists the open transactions of every live broker that
// offers ListTransactions, each of which answers for the transactional ids
// it coordinates, and describes them on the same broker
// (source.PartTransactions). A broker that does not offer the API is not
// asked and nothing is recorded for it; when none does, Transactions stays
// nil (not collected).
func (c *collector) transactions(ctx context.Context, live map[int32]*conn) {
	got := &txnAnswers{described: map[string]snapshot.Transaction{}, moved: map[string]int32{}}
	var wg sync.WaitGroup
	asked := false
	for id, cn := range live {
		if !offers(cn.versions, apiListTransactions) {
			continue
		}
		asked = true
		wg.Go(func() { c.brokerTransactions(ctx, id, cn, got) })
	}
	wg.Wait()
	if !asked {
		return
	}
	for _, txnID := range slices.Sorted(maps.Keys(got.moved)) {
		if _, ok := got.described[txnID]; !ok {
			c.record(snapshot.SourceTransactions, got.moved[txnID], txnID,
				fmt.Errorf("listed, then no longer coordinated there when described: %w", sarama.ErrNotCoordinatorForConsumer))
		}
	}
	out := make([]snapshot.Transaction, 0, len(got.described))
	for _, txnID := range slices.Sorted(maps.Keys(got.described)) {
		out = append(out, got.described[txnID])
	}
	c.mu.Lock()
	c.snap.Transactions = out
	c.mu.Unlock()
}

// brokerTransactions lists one coordinator's open transactions and
// describes them. A principal without DESCRIBE on a transactional id does
// not see it listed (Kafka filters the list) or gets an authorization
// error describing it, which is recorded as such.
func (c *collector) brokerTransactions(ctx context.Context, id int32, cn *conn, got *txnAnswers) {
	list := kmsg.NewPtrListTransactionsRequest()
	list.StateFilters = openTransactionStates()
	resp, err := c.kc.request(ctx, cn.addr, list)
	if err == nil {
		err = codeErr(resp.(*kmsg.ListTransactionsResponse).ErrorCode)
	}
	if err != nil {
		c.record(snapshot.SourceTransactions, id, "", err)
		return
	}
	var ids []string
	for _, ts := range resp.(*kmsg.ListTransactionsResponse).TransactionStates {
		if slices.Contains(openTransactionStates(), ts.TransactionState) {
			ids = append(ids, ts.TransactionalID)
		}
	}
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	describe := kmsg.NewPtrDescribeTransactionsRequest()
	describe.TransactionalIDs = ids
	dresp, err := c.kc.request(ctx, cn.addr, describe)
	if err != nil {
		c.record(snapshot.SourceTransactions, id, "", err)
		return
	}
	got.mu.Lock()
	defer got.mu.Unlock()
	for _, st := range dresp.(*kmsg.DescribeTransactionsResponse).TransactionStates {
		switch st.ErrorCode {
		case 0:
		case kerr.NotCoordinator.Code:
			// The id moved (or, on a fake, every broker lists every id):
			// the coordinator that has it answers for it.
			got.moved[st.TransactionalID] = id
			continue
		case kerr.TransactionalIDNotFound.Code:
			continue // ended and expired between the list and the describe
		default:
			c.record(snapshot.SourceTransactions, id, st.TransactionalID, sarama.KError(st.ErrorCode))
			continue
		}
		if !slices.Contains(openTransactionStates(), st.State) {
			continue // it ended between the list and the describe
		}
		got.described[st.TransactionalID] = transactionOf(id, st)
	}
}

// transactionOf converts one described transaction.
func transactionOf(coordinator int32, st kmsg.DescribeTransactionsResponseTransactionState) snapshot.Transaction {
	t := snapshot.Transaction{
		TransactionalID: st.TransactionalID, ProducerID: st.ProducerID, ProducerEpoch: st.ProducerEpoch,
		State: st.State, StartMillis: st.StartTimestamp, TimeoutMillis: st.TimeoutMillis,
		Coordinator: coordinator, Partitions: []snapshot.PartitionRef{},
	}
	for _, rt := range st.Topics {
		for _, p := range rt.Partitions {
			t.Partitions = append(t.Partitions, snapshot.PartitionRef{Topic: rt.Topic, Partition: p})
		}
	}
	slices.SortFunc(t.Partitions, snapshot.ComparePartitionRef)
	return t
}
