package cli

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// One flag means "write this file" everywhere: --out. -o stays the
// output format (table, json, markdown), as in kubectl and Kafka's own
// habits, so "-o report.html" is a mix-up that must be caught, never a
// report silently printed to the terminal.

// outKind says what a command can write to a file: its formats by name and
// by file extension.
type outKind struct {
	// command is the command path, for messages.
	command string
	// names maps every accepted format name to its format.
	names map[string]string
	// exts maps every accepted extension (with its dot) to its format.
	exts map[string]string
	// def is the format with neither a name nor an extension.
	def string
}

// format picks what to write: explicit (a --format or --output value, ""
// when not given) or else the extension of out, else def. Unknown names
// and extensions, and a name the extension contradicts, are refused before
// anything is done, so nothing is written.
func (k outKind) format(explicit, out string) (string, error) {
	var byName, byExt string
	if explicit != "" {
		f, ok := k.names[strings.ToLower(strings.TrimSpace(explicit))]
		if !ok {
			return "", exitcode.Usagef("choose one of: "+k.nameList(), "%s does not write %q", k.command, explicit)
		}
		byName = f
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != "" {
		f, ok := k.exts[ext]
		if !ok {
			return "", exitcode.Usagef("name the file "+k.extList(), "%s cannot write a %s file: %s", k.command, ext, out)
		}
		byExt = f
	}
	switch {
	case byName != "" && byExt != "" && byName != byExt:
		return "", exitcode.Usagef("leave one of them out, or name the file "+k.extsOf(byName),
			"%s: format %s and file %s disagree", k.command, explicit, out)
	case byName != "":
		return byName, nil
	case byExt != "":
		return byExt, nil
	}
	return k.def, nil
}

func (k outKind) nameList() string {
	return strings.Join(slices.Sorted(maps.Keys(k.names)), ", ")
}

func (k outKind) extList() string {
	return strings.Join(slices.Sorted(maps.Keys(k.exts)), ", ")
}

// extsOf lists the extensions of one format.
func (k outKind) extsOf(format string) string {
	var out []string
	for ext, f := range k.exts {
		if f == format {
			out = append(out, ext)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " or ")
}

// explicitOutput is --output when the user set it, "" for its default.
func explicitOutput(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup("output"); f != nil && f.Changed {
		return f.Value.String()
	}
	return ""
}

// bindOut adds --out FILE to cmd; aliases are older spellings kept working
// (hidden, so help shows one flag).
func bindOut(cmd *cobra.Command, out *string, usage string, aliases ...string) {
	f := cmd.Flags()
	f.StringVar(out, "out", "", usage)
	for _, a := range aliases {
		f.StringVar(out, a, "", "same as --out")
		_ = f.MarkHidden(a)
	}
}

// checkOutputFlag catches a file name given to -o/--output: the user meant
// to write a file, and must not get a table on the terminal and exit 0.
func checkOutputFlag(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup("output")
	if f == nil || !f.Changed || !strings.ContainsAny(f.Value.String(), `./\`) {
		return nil
	}
	v := f.Value.String()
	hint := fmt.Sprintf("this command prints to standard output: add '> %s'", v)
	if cmd.Flags().Lookup("out") != nil {
		hint = "to write the file, use --out " + v
	}
	return exitcode.Usagef(hint, "-o/--output takes a format (table, json or markdown), not a file name: %s", v)
}
