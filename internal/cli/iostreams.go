package cli

import (
	"io"
	"os"

	"golang.org/x/term"
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
	// RawInput puts In, a terminal, in raw mode (one key at a time, no
	// echo, Ctrl-C as a key instead of a signal) and returns how to restore
	// it; nil when In is not a terminal. Tests inject their own.
	RawInput func() (restore func(), err error)
	// Width of the terminal in columns, 0 when unknown.
	Width int
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
