// Package exitcode maps outcomes to process exit codes, in one place.
//
// The codes follow the monitoring-plugin convention (Nagios, Icinga, Sensu),
// so the tool drops into existing checks and scripts unchanged.
package exitcode

import (
	"errors"
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
)

// The exit codes.
const (
	OK       = 0 // nothing wrong, or a describe that could collect
	Warning  = 1 // the worst finding is a warning
	Critical = 2 // the worst finding is critical
	Unknown  = 3 // could not evaluate: bad usage, bad input, no cluster
)

// For is the exit code of a verdict: the one place a status becomes a
// process exit code.
func For(s verdict.Status) int {
	switch s {
	case verdict.OK:
		return OK
	case verdict.Warning:
		return Warning
	case verdict.Critical:
		return Critical
	}
	return Unknown
}

// Error is an error that ends the command with a given code and tells the
// user what to do next.
type Error struct {
	Code int
	// Err is the one-line problem.
	Err error
	// Hint says what to do about it; may be empty.
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Usage reports bad usage or bad input (exit 3) with a hint.
func Usage(err error, hint string) *Error {
	return &Error{Code: Unknown, Err: err, Hint: hint}
}

// Usagef is Usage with a formatted message.
func Usagef(hint, format string, args ...any) *Error {
	return Usage(fmt.Errorf(format, args...), hint)
}

// Of returns the exit code an error stands for: the code of an *Error, or
// Unknown for any other error, OK for nil.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}

// HintOf returns the hint carried by err, if any.
func HintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}
