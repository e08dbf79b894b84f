package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// Progress timing: a line appears only for waits that outlast
// progressDelay (a quick answer never flickers) and is redrawn every
// progressTick, so the time left counts down.
const (
	progressDelay = time.Second
	progressTick  = 200 * time.Millisecond
)

// progress is one line on stderr saying what the command waits for and
// how long it has left. It is drawn only when stderr is a terminal, on one
// line it redraws in place (a carriage return, then blanks over what the
// last drawing left), cut to the terminal's width so it never folds, and
// erased when the wait ends, so it leaves nothing behind in the
// scrollback, in piped output or in JSON. It writes no escape codes: a
// terminal that NO_COLOR keeps plain gets none from it either.
// A nil *progress does nothing, which is what a command that is not on a
// terminal gets.
type progress struct {
	w        io.Writer
	width    int
	deadline time.Time
	stop     chan struct{}
	done     chan struct{}
	owner    *IO

	mu    sync.Mutex
	what  string
	drawn int // runes on the line now
}

// startProgress shows what on stderr after delay, with the time left
// until deadline (none when deadline is zero), until stop. It returns nil
// when stderr is not a terminal, or when another wait of the same command
// already shows its line (a collection inside a sampling window): one
// line at a time, the outer one.
func (s *IO) startProgress(what string, deadline time.Time, delay time.Duration) *progress {
	if s == nil || !s.ErrIsTerminal {
		return nil
	}
	s.progressMu.Lock()
	defer s.progressMu.Unlock()
	if s.progress != nil {
		return nil
	}
	width := s.ErrWidth
	if width <= 0 {
		width = 80 // unknown: the width every terminal has at least
	}
	p := &progress{w: s.Err, width: width, deadline: deadline, what: what, owner: s,
		stop: make(chan struct{}), done: make(chan struct{})}
	s.progress = p
	go p.run(delay)
	return p
}

func (p *progress) run(delay time.Duration) {
	defer close(p.done)
	first := time.NewTimer(delay)
	defer first.Stop()
	select {
	case <-p.stop:
		return
	case <-first.C:
	}
	tick := time.NewTicker(progressTick)
	defer tick.Stop()
	for frame := 0; ; frame++ {
		p.draw(frame)
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
	}
}

// spinner shows the command is alive between changes of the time left.
var spinner = [...]string{"|", "/", "-", `\`}

func (p *progress) draw(frame int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := spinner[frame%len(spinner)] + " " + p.what
	if !p.deadline.IsZero() {
		left := max(time.Until(p.deadline), 0)
		line += fmt.Sprintf(", %s left", left.Round(100*time.Millisecond))
	}
	line = cut(line, p.width-1)
	n := utf8.RuneCountInString(line)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(p.drawn-n, 0)))
	p.drawn = max(n, p.drawn)
}

// update changes what the line says, from the next redraw on.
func (p *progress) update(what string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.what = what
	p.mu.Unlock()
}

// end erases the line and returns once nothing more will be drawn, so
// that what the command prints next starts at the beginning of a clean
// line.
func (p *progress) end() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.drawn))
	}
	p.owner.progressMu.Lock()
	p.owner.progress = nil
	p.owner.progressMu.Unlock()
}

// cut shortens s to at most n runes (no limit when n < 1).
func cut(s string, n int) string {
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// progressSource shows a progress line while a snapshot is collected
// (runbook steps ask their source directly): the addresses asked and the
// time left within --timeout.
type progressSource struct {
	source.Cluster
	io      *IO
	what    string
	timeout time.Duration
}

// Snapshot collects through the wrapped source with a progress line.
func (s progressSource) Snapshot(ctx context.Context, parts source.Parts) (*snapshot.Snapshot, error) {
	p := s.io.startProgress(s.what, waitDeadline(ctx, s.timeout), progressDelay)
	defer p.end()
	return s.Cluster.Snapshot(ctx, parts)
}

// progressSleep is a runbook's wait between samples with a progress line,
// shown at once for a wait of a second or more, never for a shorter one.
func progressSleep(s *IO, sleep func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		if d >= progressDelay {
			p := s.startProgress(fmt.Sprintf("Waiting %s for the next sample", d), time.Now().Add(d), 0)
			defer p.end()
		}
		return sleep(ctx, d)
	}
}

// waitDeadline is when a wait of at most timeout that started now ends:
// the sooner of that and ctx's own deadline.
func waitDeadline(ctx context.Context, timeout time.Duration) time.Time {
	end := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(end) {
		return d
	}
	return end
}
