package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// hang is what is known of one partition held back by a transaction.
type hang struct {
	lso, hw int64
	// stuckMillis is how long the window saw the last stable offset stay
	// put while the high watermark moved (from firstHW), -1 when it did not.
	stuckMillis int64
	firstHW     int64
	samples     int
	// txs are the listed open transactions on the partition; overdue is
	// whether one of them is open longer than its own timeout.
	txs     []snapshot.Transaction
	overdue bool
}

// hangingTransactions finds partitions whose last stable offset an open
// transaction holds back: read_committed consumers cannot read past it.
// Two signs: the last stable offset stayed put over the window while the
// high watermark moved (needs a window), or a listed transaction is open
// longer than its own transaction.timeout.ms (one snapshot suffices).
func hangingTransactions() Check {
	reads := []string{snapshot.SourceOffsets, snapshot.SourceTransactions}
	return Check{
		Name:  "hanging-transactions",
		Reads: reads,
		Codes: []string{findings.HangingTransaction},
		Run: func(in Input, r *Reporter) {
			window := len(in.Window) > 0 && lastStableRead(in.Snap)
			switch {
			case len(in.Snap.Transactions) > 0 || window:
			case len(in.Window) == 0 && !failed(in.Snap, snapshot.SourceTransactions):
				r.Skip("no open transaction was listed, and a last stable offset held back needs --sample or a watch history to be seen")
				return
			case len(in.Window) > 0 && !failed(in.Snap, reads...):
				r.Skip("no open transaction was listed, and the last stable offsets were not read")
				return
			}
			hangs := map[snapshot.PartitionRef]*hang{}
			if window {
				stuckLastStable(in, hangs)
			}
			listedTransactions(in.Snap, hangs)
			span := int64(0)
			if len(in.Window) > 0 {
				span = in.Snap.TakenAt.Sub(in.Window[0].TakenAt).Milliseconds()
			}
			for _, ref := range slices.SortedFunc(maps.Keys(hangs), snapshot.ComparePartitionRef) {
				r.Add(hangFinding(ref, hangs[ref], in.Snap, span))
			}
		},
	}
}

// stuckLastStable finds partitions whose last stable offset is below the
// high watermark now and was the same in every sample of the window that
// read it, while the high watermark moved.
func stuckLastStable(in Input, hangs map[snapshot.PartitionRef]*hang) {
	olds := make([]*tpMap[*snapshot.Partition], len(in.Window))
	for i, s := range in.Window {
		olds[i] = partitionsByID(s)
	}
	for _, t := range in.Snap.Topics {
		for _, p := range t.Partitions {
			if p.LastStableOffset == nil || p.LatestOffset < 0 || *p.LastStableOffset >= p.LatestOffset {
				continue
			}
			h := &hang{lso: *p.LastStableOffset, hw: p.LatestOffset, stuckMillis: -1, firstHW: -1, samples: 1}
			stuck := true
			for i, m := range olds {
				old, ok := m.get(t.Name, p.ID)
				if !ok || old.LastStableOffset == nil {
					continue
				}
				if stuck = *old.LastStableOffset == h.lso; !stuck {
					break
				}
				if h.samples++; h.firstHW < 0 {
					h.firstHW, h.stuckMillis = old.LatestOffset, in.Snap.TakenAt.Sub(in.Window[i].TakenAt).Milliseconds()
				}
			}
			if stuck && h.samples >= 2 && h.firstHW >= 0 && h.firstHW < h.hw {
				hangs[snapshot.PartitionRef{Topic: t.Name, Partition: p.ID}] = h
			}
		}
	}
}

// listedTransactions adds the listed transactions to the partitions they
// write to: to name the producer of a stuck one, and on their own when one
// is open longer than its timeout. An overdue transaction that names no
// partition gets a finding of its own, without a partition.
func listedTransactions(s *snapshot.Snapshot, hangs map[snapshot.PartitionRef]*hang) {
	parts := partitionsByID(s)
	now := s.TakenAt.UnixMilli()
	for _, tx := range s.Transactions {
		overdue := tx.StartMillis >= 0 && tx.TimeoutMillis > 0 && now-tx.StartMillis > int64(tx.TimeoutMillis)
		refs := tx.Partitions
		if len(refs) == 0 {
			refs = []snapshot.PartitionRef{{Partition: -1}}
		}
		for _, ref := range refs {
			h := hangs[ref]
			if h == nil && !overdue {
				continue // open within its timeout: a transaction at work
			}
			if h == nil {
				h = &hang{lso: -1, hw: -1, stuckMillis: -1, firstHW: -1, samples: 1}
				if p, ok := parts.get(ref.Topic, ref.Partition); ok && p.LastStableOffset != nil {
					h.lso, h.hw = *p.LastStableOffset, p.LatestOffset
				}
				hangs[ref] = h
			}
			h.txs, h.overdue = append(h.txs, tx), h.overdue || overdue
		}
	}
}

// hangFinding words one held-back partition; windowMillis is the span of
// the samples.
func hangFinding(ref snapshot.PartitionRef, h *hang, s *snapshot.Snapshot, windowMillis int64) findings.Finding {
	f := findings.Finding{Code: findings.HangingTransaction, Severity: findings.Warning}
	where := "an open transaction whose partitions were not listed"
	if ref.Topic != "" {
		f.Topic, f.Partition = ref.Topic, findings.Int32(ref.Partition)
		where = fmt.Sprintf("%s/%d", ref.Topic, ref.Partition)
	}
	ids, producers := []string{}, []int64{}
	age, openMax := h.stuckMillis, int64(-1)
	var said []string
	for _, tx := range h.txs {
		ids, producers = append(ids, tx.TransactionalID), append(producers, tx.ProducerID)
		open := int64(-1)
		if tx.StartMillis >= 0 {
			open = s.TakenAt.UnixMilli() - tx.StartMillis
		}
		age, openMax = max(age, open), max(openMax, open)
		said = append(said, txText(tx, open))
	}
	f.Evidence = map[string]any{"lso": h.lso, "hw": h.hw, "age_ms": age, "stuck_ms": h.stuckMillis, "open_ms": openMax,
		"transactional_ids": ids, "producer_ids": producers, "samples": h.samples, "window_ms": windowMillis}
	if h.overdue {
		f.Severity = findings.Critical
	}
	switch {
	case h.stuckMillis >= 0:
		f.Summary = fmt.Sprintf("%s: the last stable offset stayed at %d for at least %s while the high watermark moved from %d "+
			"to %d: read_committed consumers cannot read past %d", where, h.lso, duration(h.stuckMillis), h.firstHW, h.hw, h.lso)
		if len(said) == 0 {
			f.Summary += "; the transaction holding it was not listed, so its producer is unknown"
		}
	default:
		f.Summary = where + ": read_committed consumers cannot read past the open transaction"
		if h.lso >= 0 {
			f.Summary += fmt.Sprintf(" (last stable offset %d, high watermark %d)", h.lso, h.hw)
		}
	}
	if len(said) > 0 {
		f.Summary += "; " + strings.Join(said, "; ")
	}
	return f
}

// txText names a transaction and says how long it has been open.
func txText(tx snapshot.Transaction, open int64) string {
	t := fmt.Sprintf("transaction %q (producer id %d, %s)", tx.TransactionalID, tx.ProducerID, orUnknown(tx.State))
	switch {
	case open < 0:
		return t + " is open"
	case tx.TimeoutMillis > 0 && open > int64(tx.TimeoutMillis):
		return fmt.Sprintf("%s has been open for %s, longer than its transaction.timeout.ms of %s", t, duration(open), duration(int64(tx.TimeoutMillis)))
	}
	return fmt.Sprintf("%s has been open for %s", t, duration(open))
}

// lastStableRead reports whether s read any partition's last stable offset.
func lastStableRead(s *snapshot.Snapshot) bool {
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if p.LastStableOffset != nil {
				return true
			}
		}
	}
	return false
}
