package collect_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// openTransaction begins a transaction with a franz-go transactional
// producer, writes n records to orders/p and leaves it open: the client is
// closed, without ending it, when the test ends.
func openTransaction(t *testing.T, bootstrap []string, txnID string, p int32, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl := lagClient(t, bootstrap, kgo.TransactionalID(txnID), kgo.TransactionTimeout(time.Minute))
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var recs []*kgo.Record
	for range n {
		recs = append(recs, &kgo.Record{Topic: "orders", Partition: p, Value: []byte("t")})
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing in a transaction: %v", err)
	}
}

// TestOpenTransactionHoldsTheLastStableOffset: with a transaction left
// open on orders/1, that partition's last stable offset (ListOffsets
// read_committed) is where the transaction began, below the high
// watermark; the others' equal it. ListTransactions and
// DescribeTransactions name the transaction, its producer and partition,
// told by its coordinator; the brokers that list it without coordinating
// it (kfake lists every id everywhere) add nothing and no error.
func TestOpenTransactionHoldsTheLastStableOffset(t *testing.T) {
	f := startFake4x(t, 3, func(t *testing.T, bootstrap []string) {
		lagData{records: map[int32]int{0: 10, 1: 10}}.seed(t, bootstrap)
		openTransaction(t, bootstrap, "payments-tx", 1, 3)
	})
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second,
		source.PartLogEndOffsets|source.PartLastStableOffsets|source.PartTransactions)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	orders, _ := snap.Topic("orders")
	for _, p := range orders.Partitions {
		want := p.LatestOffset
		if p.ID == 1 {
			want = 10
		}
		if p.LastStableOffset == nil || *p.LastStableOffset != want {
			t.Errorf("orders/%d: last stable offset %v, high watermark %d, want %d", p.ID, p.LastStableOffset, p.LatestOffset, want)
		}
	}
	if p := orders.Partitions[1]; p.LatestOffset != 13 {
		t.Errorf("orders/1 high watermark %d, want 13 (the open transaction's records count)", p.LatestOffset)
	}
	if len(snap.Transactions) != 1 {
		t.Fatalf("transactions %+v, want one", snap.Transactions)
	}
	tx := snap.Transactions[0]
	if tx.TransactionalID != "payments-tx" || tx.State != "Ongoing" || tx.ProducerID < 0 || tx.StartMillis <= 0 ||
		tx.TimeoutMillis != 60_000 || tx.Coordinator != f.kc.CoordinatorFor("payments-tx") ||
		!reflect.DeepEqual(tx.Partitions, []snapshot.PartitionRef{{Topic: "orders", Partition: 1}}) {
		t.Errorf("transaction %+v, want payments-tx Ongoing on orders/1, its producer, start, timeout and coordinator", tx)
	}
}

// transactionAnswers serves ListTransactions and DescribeTransactions on
// every broker of f as a coordinator could answer them.
func transactionAnswers(f *fake4x, listCode int16) {
	f.handle(int16(kmsg.ListTransactions), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		resp := kreq.ResponseKind().(*kmsg.ListTransactionsResponse)
		resp.ErrorCode = listCode
		for id, state := range map[string]string{"a-tx": "PrepareCommit", "b-tx": "Ongoing", "c-tx": "CompleteCommit", "d-tx": "Ongoing"} {
			ts := kmsg.NewListTransactionsResponseTransactionState()
			ts.TransactionalID, ts.TransactionState, ts.ProducerID = id, state, 7
			resp.TransactionStates = append(resp.TransactionStates, ts)
		}
		return resp, nil, true
	})
	f.handle(int16(kmsg.DescribeTransactions), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.DescribeTransactionsRequest)
		resp := req.ResponseKind().(*kmsg.DescribeTransactionsResponse)
		for _, id := range req.TransactionalIDs {
			st := kmsg.NewDescribeTransactionsResponseTransactionState()
			st.TransactionalID = id
			switch id {
			case "a-tx":
				st.State, st.ProducerID, st.ProducerEpoch, st.StartTimestamp, st.TimeoutMillis = "PrepareCommit", 7, 3, 1234, 900
				for _, topic := range []string{"orders", "audit"} {
					rt := kmsg.NewDescribeTransactionsResponseTransactionStateTopic()
					rt.Topic, rt.Partitions = topic, []int32{4, 2}
					st.Topics = append(st.Topics, rt)
				}
			case "b-tx":
				st.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
			case "d-tx":
				st.State = "CompleteAbort" // ended between the list and the describe
			}
			resp.TransactionStates = append(resp.TransactionStates, st)
		}
		return resp, nil, true
	})
}

// TestTransactionsDecoding: only open states are described; a described
// transaction keeps its producer, epoch, state, start, timeout and sorted
// partitions; a transactional id the principal may not describe is an
// authorization error naming it, from each broker asked; one that ended in
// between is left out. A broker's top-level error is recorded for it.
func TestTransactionsDecoding(t *testing.T) {
	f := startFake4x(t, 3, nil)
	transactionAnswers(f, 0)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartTransactions)
	want := []snapshot.Transaction{{TransactionalID: "a-tx", ProducerID: 7, ProducerEpoch: 3, State: "PrepareCommit",
		StartMillis: 1234, TimeoutMillis: 900, Partitions: []snapshot.PartitionRef{
			{Topic: "audit", Partition: 2}, {Topic: "audit", Partition: 4}, {Topic: "orders", Partition: 2}, {Topic: "orders", Partition: 4}}}}
	if len(snap.Transactions) == 1 {
		want[0].Coordinator = snap.Transactions[0].Coordinator // every fake broker answers alike
	}
	if !reflect.DeepEqual(snap.Transactions, want) {
		t.Errorf("transactions %+v, want %+v", snap.Transactions, want)
	}
	errs := snap.ErrorsFor(snapshot.SourceTransactions)
	if len(errs) != 3 {
		t.Fatalf("errors %+v, want b-tx's authorization error from each of 3 brokers", errs)
	}
	for _, e := range errs {
		if e.Subject != "b-tx" || e.Kind != snapshot.KindAuthorization || e.Broker < 0 {
			t.Errorf("error %+v, want authorization on b-tx from a broker", e)
		}
	}
	if n := len(f.sent(kmsg.DescribeTransactions)); n != 3 {
		t.Errorf("%d DescribeTransactions, want one per broker", n)
	}

	f = startFake4x(t, 3, nil)
	transactionAnswers(f, kerr.CoordinatorLoadInProgress.Code)
	snap = collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartTransactions)
	if errs := snap.ErrorsFor(snapshot.SourceTransactions); len(errs) != 3 || len(snap.Transactions) != 0 || snap.Transactions == nil {
		t.Errorf("transactions %+v, errors %+v: want none read (but asked) and the error of each broker", snap.Transactions, errs)
	}
}

// TestTransactionsNotOfferedIsNoError: brokers without ListTransactions
// (before Kafka 3.0) are not asked, nothing is recorded, and Transactions
// stays nil: not collected.
func TestTransactionsNotOfferedIsNoError(t *testing.T) {
	f := startFake4x(t, 3, nil)
	f.offer(int16(kmsg.ListTransactions), -1)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartTransactions)
	if n := len(f.sent(kmsg.ListTransactions)); n != 0 || len(snap.Errors) > 0 || snap.Transactions != nil {
		t.Errorf("ListTransactions sent %d times, errors %+v, transactions %+v: want none of them", n, snap.Errors, snap.Transactions)
	}
}
