package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// stateHome is where kafka-runbook keeps what it writes on its own account
// (drill sessions, reassignment plans), never the current directory:
// $XDG_STATE_HOME/kafka-runbook, or ~/.local/state/kafka-runbook.
func stateHome(app *App) (string, error) {
	switch {
	case app.Getenv("XDG_STATE_HOME") != "":
		return filepath.Join(app.Getenv("XDG_STATE_HOME"), "kafka-runbook"), nil
	case app.Getenv("HOME") != "":
		return filepath.Join(app.Getenv("HOME"), ".local", "state", "kafka-runbook"), nil
	}
	return "", exitcode.Usagef("pass the directory explicitly", "no state directory: neither $XDG_STATE_HOME nor $HOME is set")
}

// planDir is where `run` writes reassignment plans: --plan-dir when given;
// otherwise none for JSON output (a script asked for a transcript, not
// files), else <state home>/plans, created 0700 (plans name the cluster's
// brokers and topics). With no state home at all it is none, and a warning
// says so.
func planDir(app *App, given string, json bool) (string, error) {
	switch {
	case given != "":
		return given, nil
	case json:
		return "", nil
	}
	home, err := stateHome(app)
	if err != nil { // a bare container: the walk is worth more than its plan files
		fmt.Fprintln(app.IO.Err, "Warning: neither $XDG_STATE_HOME nor $HOME is set: no plan file is written; pass --plan-dir DIR to keep them")
		return "", nil
	}
	dir := filepath.Join(home, "plans")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", exitcode.Usagef("pass --plan-dir DIR", "plan directory: %v", unwrapPathErr(err))
	}
	return dir, nil
}

// planDirHelp documents --plan-dir and where plans go without it.
const planDirHelp = "directory for generated plan files (reassignment plans); default $XDG_STATE_HOME/kafka-runbook/plans " +
	"or ~/.local/state/kafka-runbook/plans, and none with -o json"
