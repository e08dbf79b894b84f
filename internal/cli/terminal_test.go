package cli

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// TestSettleTerminal: --color always and never win over everything;
// auto colours a terminal unless NO_COLOR is set (any non-empty value);
// COLUMNS, a positive number, replaces the terminal's width.
func TestSettleTerminal(t *testing.T) {
	cases := []struct {
		name      string
		terminal  bool
		flag      string
		env       map[string]string
		wantColor bool
		wantWidth int
		wantErr   bool
	}{
		{"terminal", true, "auto", nil, true, 120, false},
		{"pipe", false, "auto", nil, false, 120, false},
		{"NO_COLOR on a terminal", true, "auto", map[string]string{"NO_COLOR": "1"}, false, 120, false},
		{"NO_COLOR empty is unset", true, "auto", map[string]string{"NO_COLOR": ""}, true, 120, false},
		{"always through a pipe", false, "always", map[string]string{"NO_COLOR": "yes"}, true, 120, false},
		{"never on a terminal", true, "NEVER", nil, false, 120, false},
		{"COLUMNS", true, "auto", map[string]string{"COLUMNS": "80"}, true, 80, false},
		{"COLUMNS not a number", true, "auto", map[string]string{"COLUMNS": "wide"}, true, 120, false},
		{"COLUMNS zero", true, "auto", map[string]string{"COLUMNS": "0"}, true, 120, false},
		{"bad flag", true, "sometimes", nil, false, 120, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &IO{OutIsTerminal: c.terminal, Width: 120}
			err := settleTerminal(s, func(k string) string { return c.env[k] }, c.flag)
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want error %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			if s.Color != c.wantColor || s.Width != c.wantWidth {
				t.Errorf("color %v width %d, want %v %d", s.Color, s.Width, c.wantColor, c.wantWidth)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer the progress goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgressLine: on a terminal the line appears after its delay, says
// what and how long is left, is cut to the width, and is blanked out by
// end; a quick wait draws nothing; not on a terminal, nothing at all; one
// line at a time.
func TestProgressLine(t *testing.T) {
	var err syncBuffer
	s := &IO{Err: &err, ErrIsTerminal: true, ErrWidth: 40}
	p := s.startProgress("Waiting for the cluster at a-very-long-bootstrap-address:9092", time.Now().Add(5*time.Second), 0)
	if inner := s.startProgress("inner", time.Time{}, 0); inner != nil {
		t.Error("a second progress line while one is shown")
	}
	time.Sleep(3 * progressTick)
	p.end()
	out := err.String()
	if !strings.HasPrefix(out, "\r| Waiting for the cluster at a-very-lon") || strings.Contains(out, "\x1b") {
		t.Errorf("progress drawing %q", out)
	}
	for _, d := range strings.Split(out, "\r")[1:] {
		if len(d) > 39 {
			t.Errorf("drawing of %d columns on a 40-column terminal: %q", len(d), d)
		}
	}
	if !strings.HasSuffix(out, "\r"+strings.Repeat(" ", 39)+"\r") {
		t.Errorf("not blanked out at the end: %q", out)
	}

	quick := &syncBuffer{}
	s = &IO{Err: quick, ErrIsTerminal: true}
	s.startProgress("quick", time.Time{}, progressDelay).end()
	if quick.String() != "" {
		t.Errorf("a wait shorter than the delay drew %q", quick.String())
	}
	if p := s.startProgress("again", time.Time{}, 0); p == nil {
		t.Error("no progress after the last one ended")
	} else {
		p.end()
	}

	piped := &syncBuffer{}
	s = &IO{Err: piped}
	p = s.startProgress("piped", time.Now().Add(time.Second), 0)
	time.Sleep(2 * progressTick)
	p.update("still piped")
	p.end()
	if piped.String() != "" {
		t.Errorf("progress on a pipe: %q", piped.String())
	}
}

// TestStepTableLayout: a runbook step's table is plain data; its layout
// comes from its columns: numbers right-aligned, prose folds, states
// coloured, the subject never left out and the rest from the right.
func TestStepTableLayout(t *testing.T) {
	got := stepTable(runbooks.Table{
		Columns: []string{"Broker", "State", "Address", "Replicas", "Error", "Rack"},
		Rows: [][]string{
			{"1", "up", "kafka-1:9092", "61", "", "eu-west-1a"},
			{"3", "down", "kafka-3:9092", "-", "dial tcp kafka-3:9092: connection refused", "eu-west-1c"},
		},
	}).Columns
	want := []render.Column{
		{Name: "Broker", Align: render.AlignRight},
		{Name: "State", Drop: 1, Status: true},
		{Name: "Address", Drop: 2},
		{Name: "Replicas", Align: render.AlignRight, Drop: 3},
		{Name: "Error", Wrap: true},
		{Name: "Rack", Drop: 5},
	}
	if !slices.Equal(got, want) {
		t.Errorf("columns\n%+v\nwant\n%+v", got, want)
	}
	if c := stepTable(runbooks.Table{Columns: []string{"Partition", "Group"}, Rows: [][]string{{"orders/1", "billing"}}}).Columns; c[0].Drop != 0 || c[1].Drop != 0 {
		t.Errorf("a subject may be left out: %+v", c)
	}
}
