package cli

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// IO holds the streams a command reads and writes, so tests can use
// buffers and output can change with whether stdout is a terminal.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// OutIsTerminal is true when Out is an interactive terminal: tables are
	// boxed there and plain when piped.
	OutIsTerminal bool
	// InIsTerminal is true when In is an interactive terminal.
	InIsTerminal bool
	// ErrIsTerminal is true when Err is an interactive terminal: progress
	// is shown there, and only there.
	ErrIsTerminal bool
	// RawInput puts In, a terminal, in raw mode (one key at a time, no
	// echo, Ctrl-C as a key instead of a signal) and returns how to restore
	// it; nil when In is not a terminal. Tests inject their own.
	RawInput func() (restore func(), err error)
	// Width of the terminal in columns, 0 when unknown. COLUMNS, when
	// set, replaces it (settleTerminal); it is only used when Out is a
	// terminal, so piped output never changes with it.
	Width int
	// ErrWidth is the width of Err's terminal, 0 when unknown: a progress
	// line is cut to it so that it never folds and can be erased.
	ErrWidth int
	// Color is whether labels are coloured on Out, decided once per
	// command from --color, NO_COLOR and OutIsTerminal (settleTerminal).
	Color bool

	// progress is the progress line on Err now, nil when none: one line
	// at a time (startProgress).
	progressMu sync.Mutex
	progress   *progress
}

// SystemIO returns the process's own streams.
func SystemIO() *IO {
	s := &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	if fd := int(os.Stdout.Fd()); term.IsTerminal(fd) {
		s.OutIsTerminal = true
		if w, _, err := term.GetSize(fd); err == nil {
			s.Width = w
		}
	}
	if fd := int(os.Stderr.Fd()); term.IsTerminal(fd) {
		s.ErrIsTerminal = true
		if w, _, err := term.GetSize(fd); err == nil {
			s.ErrWidth = w
		}
	}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		s.InIsTerminal = true
		s.RawInput = func() (func(), error) {
			old, err := term.MakeRaw(fd)
			if err != nil {
				return nil, err
			}
			return func() { _ = term.Restore(fd, old) }, nil
		}
	}
	return s
}

// The values of --color.
const (
	colorAuto   = "auto"
	colorAlways = "always"
	colorNever  = "never"
)

// settleTerminal decides, once per command, how Out is drawn: colour from
// --color (always and never win over everything), else NO_COLOR (any
// non-empty value, https://no-color.org) and whether Out is a terminal;
// the width from COLUMNS when it is a positive number, else the
// terminal's own.
func settleTerminal(s *IO, getenv Env, color string) error {
	env := func(k string) string {
		if getenv == nil {
			return ""
		}
		return getenv(k)
	}
	switch strings.ToLower(strings.TrimSpace(color)) {
	case colorAlways:
		s.Color = true
	case colorNever:
		s.Color = false
	case colorAuto, "":
		s.Color = s.OutIsTerminal && env("NO_COLOR") == ""
	default:
		return exitcode.Usagef("use --color auto, --color always or --color never",
			"unknown --color value %q", color)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(env("COLUMNS"))); err == nil && n > 0 {
		s.Width = n
	}
	return nil
}
