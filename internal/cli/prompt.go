package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Interrupt is the cause of a command's context ending because a signal
// (Ctrl-C, SIGTERM) asked the process to stop. main cancels with it, so a
// command can tell "stop now, say where" from a deadline.
type Interrupt struct {
	Signal os.Signal
}

// Error names the signal.
func (i *Interrupt) Error() string { return "interrupted (" + i.Signal.String() + ")" }

// Code is the exit status shells give a process the signal ended, 128+N:
// 130 for Ctrl-C, 143 for SIGTERM.
func (i *Interrupt) Code() int {
	if s, ok := i.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// interruptOf is the Interrupt that ended ctx, nil when it did not end or
// ended otherwise (a deadline).
func interruptOf(ctx context.Context) *Interrupt {
	var i *Interrupt
	if errors.As(context.Cause(ctx), &i) {
		return i
	}
	return nil
}

// answer is what the user did at a prompt between steps.
type answer int

const (
	goOn answer = iota
	stop
	// interrupted is Ctrl-C at the prompt: in raw mode it arrives as a
	// key, not as a signal.
	interrupted
)

// ctrlC and ctrlD are the bytes a raw terminal sends for them.
const (
	ctrlC = 0x03
	ctrlD = 0x04
)

// stepPrompt asks between the steps of a walk on a terminal. With raw
// input one key answers (Enter or space goes on, q stops, Ctrl-C
// interrupts); without it, a line. Either way the context ending (a
// signal) ends the wait at once.
type stepPrompt struct {
	io *IO
	in *bufio.Reader
}

func newStepPrompt(io *IO) *stepPrompt {
	return &stepPrompt{io: io, in: bufio.NewReader(io.In)}
}

// ask prints question on stderr and waits for the answer. A read still
// blocked when ctx ends is abandoned: the process is about to exit.
func (p *stepPrompt) ask(ctx context.Context, question string) answer {
	fmt.Fprint(p.io.Err, question)
	read := p.readLine
	if p.io.RawInput != nil {
		if restore, err := p.io.RawInput(); err == nil {
			// Restored on every way out, before anything else is printed:
			// a terminal left raw is unusable after the tool exits.
			defer func() {
				restore()
				fmt.Fprintln(p.io.Err) // raw mode echoed nothing, not even the newline
			}()
			read = p.readKey
		}
	}
	got := make(chan answer, 1)
	go func() { got <- read() }()
	select {
	case a := <-got:
		return a
	case <-ctx.Done():
		if interruptOf(ctx) != nil {
			return interrupted
		}
		return stop
	}
}

// readKey reads keys until one answers; others are ignored.
func (p *stepPrompt) readKey() answer {
	for {
		b, err := p.in.ReadByte()
		switch {
		case err != nil, b == 'q', b == 'Q', b == ctrlD:
			return stop
		case b == ctrlC:
			return interrupted
		case b == '\r', b == '\n', b == ' ':
			return goOn
		}
	}
}

// readLine reads one line: q stops, anything else goes on.
func (p *stepPrompt) readLine() answer {
	line, err := p.in.ReadString('\n')
	if err != nil || strings.EqualFold(strings.TrimSpace(line), "q") {
		return stop
	}
	return goOn
}
