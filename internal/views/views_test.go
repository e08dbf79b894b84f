package views

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/testkit"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

var fixtures = []string{"healthy", "degraded"}

// load decodes testdata/snapshots/<name>.json (shared by every package) through the public decoder, so the
// fixtures are checked against the schema like any recorded snapshot.
func load(t *testing.T, name string) *snapshot.Snapshot { return testkit.Snapshot(t, name) }

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) { t.Helper(); testkit.Golden(t, name, got) }

// TestGolden renders every view of every fixture in every format. Text
// output is the piped (plain) form, the one scripts and tickets see.
func TestGolden(t *testing.T) {
	formats := map[render.Format]string{render.FormatTable: "txt", render.FormatMarkdown: "md", render.FormatJSON: "json"}
	for _, fx := range fixtures {
		snap := load(t, fx)
		for _, name := range Names() {
			v, err := Build(name, snap, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for format, ext := range formats {
				t.Run(name+"-"+fx+"."+ext, func(t *testing.T) {
					var b bytes.Buffer
					if err := render.View(&b, render.Options{Format: format}, v); err != nil {
						t.Fatal(err)
					}
					golden(t, name+"-"+fx+"."+ext, b.Bytes())
				})
			}
		}
	}
}

// TestBoxedGolden pins the terminal form of one busy view.
func TestBoxedGolden(t *testing.T) {
	v := Brokers(load(t, "degraded"), Filter{})
	var b bytes.Buffer
	if err := render.View(&b, render.Options{Format: render.FormatTable, Terminal: true, Width: 120}, v); err != nil {
		t.Fatal(err)
	}
	golden(t, "brokers-degraded-terminal.txt", b.Bytes())
}

// TestJSONStable checks that JSON output is valid, has no null arrays and
// is byte-identical across runs, including from a reshuffled snapshot.
func TestJSONStable(t *testing.T) {
	for _, fx := range fixtures {
		for _, name := range Names() {
			a := encode(t, name, load(t, fx))
			shuffled := load(t, fx)
			reverseAll(shuffled)
			b := encode(t, name, shuffled)
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s: JSON differs between runs or input orders", name, fx)
			}
			if !json.Valid(a) {
				t.Errorf("%s/%s: invalid JSON", name, fx)
			}
			var doc any
			if err := json.Unmarshal(a, &doc); err != nil {
				t.Fatal(err)
			}
			checkNoNullArrays(t, name+"/"+fx, doc)
		}
	}
}

func encode(t *testing.T, name string, s *snapshot.Snapshot) []byte {
	t.Helper()
	v, err := Build(name, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := render.JSON(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// reverseAll reverses every list a view reads, to prove views sort their
// output instead of trusting the input order.
func reverseAll(s *snapshot.Snapshot) {
	rev := func(n int, swap func(i, j int)) {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			swap(i, j)
		}
	}
	rev(len(s.Brokers), func(i, j int) { s.Brokers[i], s.Brokers[j] = s.Brokers[j], s.Brokers[i] })
	rev(len(s.LogDirs), func(i, j int) { s.LogDirs[i], s.LogDirs[j] = s.LogDirs[j], s.LogDirs[i] })
	rev(len(s.Errors), func(i, j int) { s.Errors[i], s.Errors[j] = s.Errors[j], s.Errors[i] })
	rev(len(s.BrokerConfigs), func(i, j int) { s.BrokerConfigs[i], s.BrokerConfigs[j] = s.BrokerConfigs[j], s.BrokerConfigs[i] })
	s.Normalize()
}

// checkNoNullArrays fails on any JSON null that stands for a list. Tri-state
// fields (fenced, under_min_isr, ...) may be null; arrays never are.
func checkNoNullArrays(t *testing.T, where string, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil && arrayKeys[k] {
				t.Errorf("%s: %q is null", where, k)
			}
			checkNoNullArrays(t, where+"."+k, e)
		}
	case []any:
		for _, e := range x {
			checkNoNullArrays(t, where, e)
		}
	}
}

var arrayKeys = map[string]bool{
	"brokers": true, "bootstrap": true, "warnings": true, "topics": true, "partitions": true,
	"replicas": true, "isr": true, "offline_replicas": true, "groups": true, "members": true,
	"offsets": true, "log_dirs": true, "configs": true, "learned_from": true,
}

func TestBuildUnknown(t *testing.T) {
	_, err := Build("racks", &snapshot.Snapshot{}, Filter{})
	if err == nil {
		t.Fatal("want error")
	}
	if got := err.Error(); !bytes.Contains([]byte(got), []byte("brokers, topics, partitions")) {
		t.Errorf("error should list the views: %s", got)
	}
}
