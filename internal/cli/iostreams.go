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
	s.InIsTerminal = term.IsTerminal(int(os.Stdin.Fd()))
	return s
}
