package evidence

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// DefaultSnapshotBudget is how many bytes of snapshots a watch keeps for
// changes and periodically before it keeps only the snapshots it must.
// A snapshot of a 10,000-partition cluster is a few MB, so 1 GiB holds
// hundreds of them.
const DefaultSnapshotBudget int64 = 1 << 30

// storePolicy is what a watch remembers to decide which polls keep a
// snapshot.
type storePolicy struct {
	last    *snapshot.Snapshot // the newest stored snapshot
	lastAt  time.Time
	lastSum [sha256.Size]byte // its content apart from when it was taken
	pending bool              // something changed since the last stored snapshot
	// findings are the last good poll's, to tell the polls that change a
	// finding's state.
	findings []findings.Finding
	// worst is the damage of the worst poll so far (the report's "worst
	// moment", same order); worstOnly the snapshot stored only because it
	// was the worst, which a worse poll replaces.
	worst     damage
	haveWorst bool
	worstOnly string
	sizes     map[string]int64 // bytes of every stored snapshot, by path
	total     int64
	spent     bool // the budget ran out (said once, as an event)
}

// maybeStore decides whether this poll keeps a snapshot.
//
// Always kept: the first poll; every poll that changes a finding's state (a
// finding appearing, clearing or changing severity, as triage judges that
// poll); the worst poll so far, the one the report names as the worst
// moment (a worse poll replaces it unless it was kept for another reason);
// and the last poll (finish). So the worst moment and every change of the
// findings can be replayed with triage --from --at.
//
// Kept while the budget lasts: a poll after other changes (at most one per
// SnapshotMinGap) and one every SnapshotEvery, each only when its content
// differs from the last stored snapshot's (duplicates are never stored).
// Once these would take the snapshots past SnapshotBudget bytes they are
// skipped, and one event says so; metrics and events still record every
// poll. The budget is therefore exceeded only by the snapshots that must be
// kept.
func (w *watcher) maybeStore(snap *snapshot.Snapshot, m Metrics, changed bool) error {
	st := &w.store
	prev := w.first
	if prev == snap {
		prev = nil
	}
	report := triage.BuildFrom(checks.Input{Snap: snap, Previous: prev, Window: w.recent})
	findingChange := st.last == nil || len(triage.FindingChanges(st.findings, report.Findings)) > 0
	st.findings = report.Findings
	d := damageOf(m)
	newWorst := !st.haveWorst || d.worseThan(st.worst)
	if newWorst {
		st.worst, st.haveWorst = d, true
	}
	st.pending = st.pending || changed
	t := snap.TakenAt
	optional := (st.pending && t.Sub(st.lastAt) >= w.opts.SnapshotMinGap) || t.Sub(st.lastAt) >= w.opts.SnapshotEvery
	if !findingChange && !newWorst && !optional {
		return nil
	}
	data, sum, err := encodeSnapshot(snap)
	if err != nil {
		return err
	}
	if optional && sum == st.lastSum {
		optional, st.pending = false, false // the state last stored: nothing new to keep
	}
	if optional && st.total+int64(len(data)) > w.opts.SnapshotBudget {
		optional = false
		if err := w.budgetSpent(); err != nil {
			return err
		}
	}
	kept := findingChange || optional
	if !kept && !newWorst {
		return nil
	}
	name, err := w.writeSnapshot(snap, data, sum)
	if err != nil {
		return err
	}
	if newWorst {
		if st.worstOnly != "" {
			w.drop(st.worstOnly)
		}
		st.worstOnly = ""
		if !kept {
			st.worstOnly = name
		}
	}
	return nil
}

// budgetSpent records, once, that the budget ran out.
func (w *watcher) budgetSpent() error {
	if w.store.spent {
		return nil
	}
	w.store.spent = true
	return w.record([]Event{{Time: w.now(), Kind: SnapshotBudgetSpent, Severity: findings.Info,
		Summary: fmt.Sprintf("snapshots reached the %s budget: from now on only polls that change a finding, the worst moment and the last poll keep one; every poll is still in metrics and events",
			render.Bytes(w.opts.SnapshotBudget))}})
}

// write stores snap whatever the policy says (the last poll).
func (w *watcher) write(snap *snapshot.Snapshot) (string, error) {
	data, sum, err := encodeSnapshot(snap)
	if err != nil {
		return "", err
	}
	return w.writeSnapshot(snap, data, sum)
}

func (w *watcher) writeSnapshot(snap *snapshot.Snapshot, data []byte, sum [sha256.Size]byte) (string, error) {
	name := snapshotName(snap.TakenAt)
	for i := 2; w.names[name]; i++ {
		name = fmt.Sprintf("%s-%d.json", strings.TrimSuffix(snapshotName(snap.TakenAt), ".json"), i)
	}
	f, err := writeInPlace(w.opts.Out, name, data)
	if err != nil {
		return "", err
	}
	w.names[name] = true
	w.newFiles = append(w.newFiles, f)
	st := &w.store
	st.last, st.lastAt, st.lastSum, st.pending = snap, snap.TakenAt, sum, false
	if st.sizes == nil {
		st.sizes = map[string]int64{}
	}
	st.sizes[name] = f.Size
	st.total += f.Size
	w.res.Snapshots++
	return name, nil
}

// drop removes a stored snapshot at the next commit.
func (w *watcher) drop(name string) {
	w.dropped = append(w.dropped, name)
	w.store.total -= w.store.sizes[name]
	delete(w.store.sizes, name)
	w.res.Snapshots--
}

// encodeSnapshot encodes snap and sums its content apart from when it was
// taken and how long that took, so two polls of an unchanged cluster have
// one sum.
func encodeSnapshot(snap *snapshot.Snapshot) ([]byte, [sha256.Size]byte, error) {
	var buf bytes.Buffer
	if err := snapshot.Encode(&buf, snap); err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	h := sha256.New()
	for line := range bytes.Lines(buf.Bytes()) {
		// Encode indents by two spaces: these are the top-level fields.
		if bytes.HasPrefix(line, []byte(`  "taken_at":`)) || bytes.HasPrefix(line, []byte(`  "duration_ms":`)) {
			continue
		}
		h.Write(line)
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return buf.Bytes(), sum, nil
}

// damage orders polls by how bad they were: partitions offline, then under
// min ISR, under-replicated, brokers not alive, total lag. The report's
// worst moment is the first poll with the most.
type damage [5]int64

func damageOf(m Metrics) damage {
	return damage{int64(m.Offline), int64(m.UnderMinISR), int64(m.UnderReplicated), int64(m.BrokersKnown - m.BrokersAlive), m.TotalLag}
}

func (d damage) worseThan(o damage) bool {
	for i := range d {
		if d[i] != o[i] {
			return d[i] > o[i]
		}
	}
	return false
}
