package clientconfig

import (
	"errors"
	"strconv"
	"strings"
)

// ConfigError reports bad connection settings: a bad flag, environment value,
// property or file. The CLI maps it to "bad input" (exit 3) with errors.As.
//
// No field ever holds a secret value: problems are described by position and
// kind ("option 2 has no value"), never by echoing what the user wrote, so the
// error can be printed, logged and stored in evidence bundles as is.
type ConfigError struct {
	// Key is the property or flag at fault, e.g. "sasl.mechanism" or
	// "--bootstrap-server". Empty when the whole source is at fault.
	Key string
	// Source names where the value came from: a file name, "-X",
	// "--bootstrap-server" or an environment variable.
	Source string
	// Line is the 1-based line in Source, 0 when Source is not a file.
	Line int
	// Problem says what is wrong, in lower case, without secret values.
	Problem string
	// Hint says what to do about it; may be empty.
	Hint string
	// Err is the underlying cause, if any (e.g. a *fs.PathError). It is kept
	// for errors.Is/As; causes are chosen so they never carry secrets.
	Err error
}

// Error renders one line: "source:line: key: problem: cause (hint)".
func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		if e.Line > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Key != "" && e.Key != e.Source {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the underlying cause so errors.Is(err, fs.ErrNotExist) works.
func (e *ConfigError) Unwrap() error { return e.Err }

// IsConfigError reports whether err is, or wraps, a *ConfigError: the user's
// input is wrong and retrying will not help.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}
