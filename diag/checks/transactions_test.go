package checks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// lso sets orders/p's last stable offset and high watermark.
func lso(p int, stable, hw int64) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.Topics[0].Partitions[p].LastStableOffset = &stable
		s.Topics[0].Partitions[p].LatestOffset = hw
	}
}

// openTx lists a transaction on orders/p, begun before sample i's time.
func openTx(i int, p int32, openFor, timeout time.Duration) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.Transactions = append(s.Transactions, snapshot.Transaction{
			TransactionalID: "payments-writer-1", ProducerID: 4242, State: "Ongoing", Coordinator: 1,
			StartMillis:   lagT0.Add(time.Duration(i) * sampleGap).Add(-openFor).UnixMilli(),
			TimeoutMillis: int32(timeout.Milliseconds()), Partitions: []snapshot.PartitionRef{{Topic: "orders", Partition: p}},
		})
	}
}

// TestHangingTransactions states, per numbered case, the last stable
// offsets over the window and the listed transactions, the findings with
// their severity, and why.
func TestHangingTransactions(t *testing.T) {
	m := time.Minute
	cases := []struct {
		name    string
		samples []*snapshot.Snapshot
		want    []string
		skipped bool
		why     string
	}{
		{name: "1 last stable offset stuck while the high watermark moves", samples: window(
			each(lso(0, 90, 100)), each(lso(0, 90, 150)), each(lso(0, 90, 200))),
			want: []string{"HANGING_TRANSACTION orders/0 warning"}, why: "held for a minute; its transaction was not listed"},
		{name: "2 stuck, and its transaction is past its timeout", samples: window(
			each(lso(0, 90, 100)), each(lso(0, 90, 150), openTx(1, 0, 20*m, m))),
			want: []string{"HANGING_TRANSACTION orders/0 critical"}, why: "open 20 min with a 1-min timeout"},
		{name: "3 stuck, its transaction within its timeout", samples: window(
			each(lso(0, 90, 100)), each(lso(0, 90, 150), openTx(1, 0, 40*time.Second, 15*m))),
			want: []string{"HANGING_TRANSACTION orders/0 warning"}, why: "stuck over the window, the timeout not yet passed"},
		{name: "4 one snapshot, a listed transaction past its timeout", samples: window(
			each(openTx(0, 1, 20*m, m))),
			want: []string{"HANGING_TRANSACTION orders/1 critical"}, why: "the listed part needs one snapshot"},
		{name: "5 below the high watermark, nothing produced", samples: window(
			each(lso(0, 90, 100)), each(lso(0, 90, 100))),
			why: "a quiet open transaction: the high watermark did not move"},
		{name: "6 the last stable offset moved", samples: window(
			each(lso(0, 90, 100)), each(lso(0, 140, 150))),
			why: "transactions complete"},
		{name: "7 one snapshot, a transaction at work", samples: window(
			each(openTx(0, 1, 2*time.Second, m))),
			why: "open 2 s of a minute's timeout"},
		{name: "8 one snapshot, nothing listed", samples: window(each(lso(0, 90, 100))),
			skipped: true, why: "a stuck last stable offset needs a window"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := lagRun(tc.samples)
			var got []string
			for _, d := range described(res) {
				if strings.HasPrefix(d, findings.HangingTransaction) {
					got = append(got, d)
				}
			}
			if !slices.Equal(orEmpty(got), orEmpty(tc.want)) {
				t.Errorf("findings %q, want %q (%s)", got, tc.want, tc.why)
			}
			if skipped := slices.Contains(checkNames(res.Skipped), "hanging-transactions"); skipped != tc.skipped {
				t.Errorf("skipped %v, want %v (%s)", skipped, tc.skipped, tc.why)
			}
		})
	}
}

// TestHangingTransactionNamesItsProducer: the partition, the transactional
// and producer ids, and the offsets.
func TestHangingTransactionNamesItsProducer(t *testing.T) {
	res := lagRun(window(each(lso(0, 90, 100)), each(lso(0, 90, 150), openTx(1, 0, 20*time.Minute, time.Minute))))
	f := findingOf(t, res, findings.HangingTransaction)
	for _, want := range []string{"orders/0", "stayed at 90", `"payments-writer-1"`, "producer id 4242", "longer than its transaction.timeout.ms of 1m0s"} {
		if !strings.Contains(f.Summary, want) {
			t.Errorf("summary %q lacks %q", f.Summary, want)
		}
	}
	if f.Evidence["lso"] != int64(90) || f.Evidence["hw"] != int64(150) || f.Evidence["age_ms"] != (20*time.Minute).Milliseconds() {
		t.Errorf("evidence %v", f.Evidence)
	}
}

// TestConsumerHeldByATransactionIsNotStalled: a read_committed consumer at
// the last stable offset has nothing it may read; the transaction is the
// finding, not the consumer.
func TestConsumerHeldByATransactionIsNotStalled(t *testing.T) {
	res := lagRun(window(
		each(lso(0, 90, 100), groups(grp("billing", "Stable", 0, two, gOff(0, 90, 10)))),
		each(lso(0, 90, 150), groups(grp("billing", "Stable", 0, two, gOff(0, 90, 60))))))
	if got := described(res); !slices.Equal(got, []string{"HANGING_TRANSACTION orders/0 warning"}) {
		t.Errorf("findings %q, want only the hanging transaction", got)
	}
}
