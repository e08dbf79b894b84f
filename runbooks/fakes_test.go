package runbooks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/testkit"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// testBootstrap is the bootstrap every test Env fills commands with, so
// tests can check that suggested commands name this cluster.
const testBootstrap = "kafka-1.prod.internal:9092"

// fixedNow is the clock of every test Env.
var fixedNow = time.Date(2025, 3, 14, 3, 15, 0, 0, time.UTC)

// fixture decodes testdata/snapshots/<name>.json through the public decoder.
// Every call returns a fresh copy, so a test may mutate it.
func fixture(t *testing.T, name string) *snapshot.Snapshot { return testkit.Snapshot(t, name) }

// variant is a fixture changed by edit, re-normalised.
func variant(t *testing.T, name string, edit func(s *snapshot.Snapshot)) *snapshot.Snapshot {
	t.Helper()
	s := fixture(t, name)
	edit(s)
	s.Normalize()
	return s
}

// part returns a pointer to topic/partition of s, failing the test when absent.
func part(t *testing.T, s *snapshot.Snapshot, topic string, id int32) *snapshot.Partition {
	t.Helper()
	for i := range s.Topics {
		if s.Topics[i].Name != topic {
			continue
		}
		for j := range s.Topics[i].Partitions {
			if s.Topics[i].Partitions[j].ID == id {
				return &s.Topics[i].Partitions[j]
			}
		}
	}
	t.Fatalf("no partition %s/%d in fixture", topic, id)
	return nil
}

// broker returns a pointer to broker id of s.
func broker(t *testing.T, s *snapshot.Snapshot, id int32) *snapshot.Broker {
	t.Helper()
	for i := range s.Brokers {
		if s.Brokers[i].ID == id {
			return &s.Brokers[i]
		}
	}
	t.Fatalf("no broker %d in fixture", id)
	return nil
}

// fakeSource returns its snapshots in order, repeating the last, and records
// which parts each call asked for. With err set, every call fails; with
// failAt set, only that call (1-based) fails.
type fakeSource struct {
	snaps  []*snapshot.Snapshot
	err    error
	failAt int
	parts  []source.Parts
}

func (f *fakeSource) Snapshot(_ context.Context, parts source.Parts) (*snapshot.Snapshot, error) {
	n := len(f.parts)
	f.parts = append(f.parts, parts)
	if f.err != nil || f.failAt == n+1 {
		return nil, errBoom
	}
	return f.snaps[min(n, len(f.snaps)-1)], nil
}

func recorded(snaps ...*snapshot.Snapshot) *fakeSource { return &fakeSource{snaps: snaps} }

// logEnds is per broker, per partition, a log end offset.
type logEnds map[int32]map[source.TopicPartition]int64

func tp(topic string, p int32) source.TopicPartition {
	return source.TopicPartition{Topic: topic, Partition: p}
}

// fakeProber answers ReplicaLogEnds from one sample per call (repeating
// the last) and OffsetsForTime from forTime. It answers only for what was
// asked, so a diagnostic that forgets to ask a broker sees no answer.
type fakeProber struct {
	samples   []logEnds
	sampleErr error
	forTime   map[source.TopicPartition]int64
	timeErr   error

	asked   []map[int32][]source.TopicPartition
	askedTS []int64
	leaders []map[int32][]source.TopicPartition
}

func (f *fakeProber) ReplicaLogEnds(_ context.Context, replicas map[int32][]source.TopicPartition) (map[int32]map[source.TopicPartition]int64, error) {
	n := len(f.asked)
	f.asked = append(f.asked, replicas)
	if len(f.samples) == 0 {
		return nil, f.sampleErr
	}
	sample := f.samples[min(n, len(f.samples)-1)]
	out := map[int32]map[source.TopicPartition]int64{}
	for id, tps := range replicas {
		for _, p := range tps {
			if v, ok := sample[id][p]; ok {
				if out[id] == nil {
					out[id] = map[source.TopicPartition]int64{}
				}
				out[id][p] = v
			}
		}
	}
	return out, f.sampleErr
}

func (f *fakeProber) OffsetsForTime(_ context.Context, leaders map[int32][]source.TopicPartition, ts int64) (map[int32]map[source.TopicPartition]int64, error) {
	f.askedTS = append(f.askedTS, ts)
	f.leaders = append(f.leaders, leaders)
	out := map[int32]map[source.TopicPartition]int64{}
	for id, tps := range leaders {
		for _, p := range tps {
			if v, ok := f.forTime[p]; ok {
				if out[id] == nil {
					out[id] = map[source.TopicPartition]int64{}
				}
				out[id][p] = v
			}
		}
	}
	return out, f.timeErr
}

// fakeEpochs answers leader-epoch questions from tables keyed by
// "broker topic/partition".
type fakeEpochs struct {
	checks map[string]source.EpochCheck
	errs   map[string]error
	// ends is keyed by "broker topic/partition@epoch".
	ends map[string]int64
	// asked is every question, sorted when read (the steps ask in parallel).
	mu    sync.Mutex
	asked []string
}

func (f *fakeEpochs) ask(q string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, q)
	slices.Sort(f.asked)
}

func (f *fakeEpochs) CheckLeaderEpoch(_ context.Context, broker int32, topic string, partition, epoch int32) (source.EpochCheck, error) {
	k := fmt.Sprintf("%d %s/%d", broker, topic, partition)
	f.ask(fmt.Sprintf("check %s@%d", k, epoch))
	if err := f.errs[k]; err != nil {
		return source.EpochCheck{}, err
	}
	c, ok := f.checks[k]
	if !ok {
		return source.EpochCheck{}, fmt.Errorf("fake: nothing scripted for %s", k)
	}
	return c, nil
}

func (f *fakeEpochs) EpochEnd(_ context.Context, broker int32, topic string, partition, epoch int32) (int64, error) {
	k := fmt.Sprintf("%d %s/%d@%d", broker, topic, partition, epoch)
	f.ask("end " + k)
	v, ok := f.ends[k]
	if !ok {
		return -1, fmt.Errorf("fake: nothing scripted for %s", k)
	}
	return v, nil
}

// testEnv is an Env over src with a fixed clock, a recorded no-op sleep,
// and plan files in a temporary directory.
func testEnv(t *testing.T, src source.Cluster) *Env {
	t.Helper()
	return &Env{
		Source:       src,
		Commands:     Commands{Bootstrap: testBootstrap},
		PlanDir:      t.TempDir(),
		PollInterval: 2 * time.Second,
		Now:          func() time.Time { return fixedNow },
		Sleep:        func(context.Context, time.Duration) error { return nil },
	}
}

// recordSleeps makes env's sleeps return at once and records them.
func recordSleeps(env *Env) *[]time.Duration {
	var slept []time.Duration
	env.Sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}
	return &slept
}

// runDiag runs the diagnostic a runbook file would name.
func runDiag(t *testing.T, name string, env *Env) Outcome {
	t.Helper()
	d, ok := lookupDiagnostic(name)
	if !ok {
		t.Fatalf("no diagnostic %q", name)
	}
	out, err := d(context.Background(), env)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// wantAction is an expected action: its risk, words of its title and the
// parts its command must contain, in order.
type wantAction struct {
	risk    Risk
	title   string
	command []string
}

// expect is what a diagnostic case must produce. Nil fields are not checked;
// findings, when non-nil, must match exactly ("CODE subject", sorted as
// the engine sorts them).
type expect struct {
	verdict  []string
	findings []string
	actions  []wantAction
	next     string
	// noActions asserts there are none (actions nil means unchecked).
	noActions bool
	// unevaluated lists substrings that must each appear in some
	// Unevaluated reason; evaluated asserts there is none.
	unevaluated []string
	evaluated   bool
	// skipped lists substrings that must each appear in some Skipped
	// reason (a check not asked for, which is not a gap).
	skipped []string
}

func (w expect) check(t *testing.T, out Outcome) {
	t.Helper()
	for _, v := range w.verdict {
		if !strings.Contains(out.Verdict, v) {
			t.Errorf("verdict %q lacks %q", out.Verdict, v)
		}
	}
	if w.findings != nil {
		if got := findingKeys(out); !slices.Equal(got, w.findings) {
			t.Errorf("findings:\n got  %q\n want %q", got, w.findings)
		}
	}
	if out.Next != w.next {
		t.Errorf("next runbook = %q, want %q", out.Next, w.next)
	}
	if w.noActions && len(out.Actions) > 0 {
		t.Errorf("actions = %+v, want none", out.Actions)
	}
	if w.actions != nil {
		checkActions(t, out.Actions, w.actions)
	}
	for _, u := range w.unevaluated {
		if !slices.ContainsFunc(out.Unevaluated, func(e checks.Unevaluated) bool { return strings.Contains(e.Reason, u) }) {
			t.Errorf("unevaluated %+v lacks %q", out.Unevaluated, u)
		}
	}
	for _, s := range w.skipped {
		if !slices.ContainsFunc(out.Skipped, func(e checks.Unevaluated) bool { return strings.Contains(e.Reason, s) }) {
			t.Errorf("skipped %+v lacks %q", out.Skipped, s)
		}
	}
	if w.evaluated && len(out.Unevaluated) > 0 {
		t.Errorf("unevaluated = %+v, want none", out.Unevaluated)
	}
}

// findingKeys lists the findings as "CODE subject", in the engine's order.
func findingKeys(out Outcome) []string {
	res := slices.Clone(out.Findings)
	findings.Sort(res)
	keys := make([]string, 0, len(res))
	for _, f := range res {
		keys = append(keys, f.Code+" "+f.Subject())
	}
	return keys
}

func checkActions(t *testing.T, got []Action, want []wantAction) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d actions, want %d:\n%s", len(got), len(want), actionList(got))
		return
	}
	for i, w := range want {
		a := got[i]
		if a.Risk != w.risk {
			t.Errorf("action %d %q: risk %s, want %s", i, a.Title, a.Risk, w.risk)
		}
		if !strings.Contains(a.Title, w.title) {
			t.Errorf("action %d title %q lacks %q", i, a.Title, w.title)
		}
		if a.Consequence == "" {
			t.Errorf("action %d %q says nothing of its consequence", i, a.Title)
		}
		rest := a.Command
		for _, p := range w.command {
			j := strings.Index(rest, p)
			if j < 0 {
				t.Errorf("action %d command %q lacks %q (in order)", i, a.Command, p)
				break
			}
			rest = rest[j+len(p):]
		}
	}
}

func actionList(as []Action) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "  [%s] %s\n      $ %s\n", a.Risk, a.Title, a.Command)
	}
	return b.String()
}

// tableRows returns the rows of the table titled with prefix.
func tableRows(t *testing.T, out Outcome, prefix string) [][]string {
	t.Helper()
	for _, tb := range out.Tables {
		if strings.HasPrefix(tb.Title, prefix) {
			for i, r := range tb.Rows {
				if len(r) != len(tb.Columns) {
					t.Fatalf("table %q row %d has %d cells for %d columns", tb.Title, i, len(r), len(tb.Columns))
				}
			}
			return tb.Rows
		}
	}
	var titles []string
	for _, tb := range out.Tables {
		titles = append(titles, tb.Title)
	}
	t.Fatalf("no table titled %q in %q", prefix, titles)
	return nil
}

func checkRows(t *testing.T, out Outcome, prefix string, want [][]string) {
	t.Helper()
	got := tableRows(t, out, prefix)
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("table %q rows:\n got  %q\n want %q", prefix, got, want)
	}
}

var errBoom = errors.New("boom: broker connection reset")

// loadRunbook returns a built-in runbook.
func loadRunbook(t *testing.T, name string) Runbook {
	t.Helper()
	lib, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := lib.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

// pollingEnv serves one snapshot per poll, in order, and records the
// sleeps between polls, for the steps that sample the cluster twice or more.
func pollingEnv(t *testing.T, polls []func(t *testing.T) *snapshot.Snapshot) (*fakeSource, *Env, *[]time.Duration) {
	t.Helper()
	var snaps []*snapshot.Snapshot
	for _, p := range polls {
		snaps = append(snaps, p(t))
	}
	src := recorded(snaps...)
	env := testEnv(t, src)
	return src, env, recordSleeps(env)
}
