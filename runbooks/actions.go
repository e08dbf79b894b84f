package runbooks

import (
	"strings"
)

// Risk labels an action by what it can break.
type Risk string

// The risk labels.
const (
	// Safe actions only read.
	Safe Risk = "safe"
	// Caution actions change the cluster in a way that is normally
	// harmless but adds load or moves leadership.
	Caution Risk = "caution"
	// Dangerous actions can lose data or availability if taken at the
	// wrong moment.
	Dangerous Risk = "dangerous"
)

// Action is a concrete next command, filled in with this cluster's ids.
type Action struct {
	Title   string `json:"title"`
	Command string `json:"command"`
	Risk    Risk   `json:"risk"`
	// Consequence says what happens if it is run at the wrong moment.
	Consequence string `json:"consequence"`
}

// Commands fills in Kafka CLI commands with how to reach this cluster.
type Commands struct {
	// Bootstrap is the bootstrap list as the user gave it.
	Bootstrap string
	// CommandConfig is the user's client properties path, "" when none.
	CommandConfig string
	// BootstrapController is --bootstrap-controller as the user gave it,
	// "" when not given.
	BootstrapController string
	// SelfFlags are the flags a printed kafka-runbook command needs to
	// reach what this one read, as words: the connection (-b,
	// --command-config, non-secret -X, ...) or a recording (--from BUNDLE).
	// Nil means Self builds them from the fields above.
	SelfFlags []string
}

// configFlag is how each Kafka tool names its client-properties flag;
// they differ, and a wrong flag makes the tool exit before doing anything.
var configFlag = map[string]string{
	"kafka-leader-election.sh": "--admin.config",
}

// Kafka renders one Kafka CLI tool invocation.
func (c Commands) Kafka(tool string, args ...string) string {
	parts := []string{tool, "--bootstrap-server", shellQuote(c.bootstrap())}
	if c.CommandConfig != "" {
		flag := configFlag[tool]
		if flag == "" {
			flag = "--command-config"
		}
		parts = append(parts, flag, shellQuote(c.CommandConfig))
	}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// KafkaControllers renders a Kafka tool that talks to the controllers
// directly (--bootstrap-controller, KIP-919), for when no broker answers.
func (c Commands) KafkaControllers(tool, controllers string, args ...string) string {
	parts := []string{tool, "--bootstrap-controller", shellQuote(controllers)}
	if c.CommandConfig != "" {
		parts = append(parts, "--command-config", shellQuote(c.CommandConfig))
	}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// Self renders a kafka-runbook invocation against the same cluster (or
// recording), to be pasted as printed.
func (c Commands) Self(args ...string) string {
	flags := c.SelfFlags
	if flags == nil {
		flags = []string{"-b", c.bootstrap()}
		if c.BootstrapController != "" {
			flags = append(flags, "--bootstrap-controller", c.BootstrapController)
		}
		if c.CommandConfig != "" {
			flags = append(flags, "--command-config", c.CommandConfig)
		}
	}
	return ShellLine(append(append([]string{"kafka-runbook"}, args...), flags...)...)
}

// ShellLine joins words into one command line a POSIX shell splits back
// into the same words, quoting only those that need it.
func ShellLine(words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	return strings.Join(quoted, " ")
}

func (c Commands) bootstrap() string {
	if c.Bootstrap == "" {
		return "BOOTSTRAP"
	}
	return c.Bootstrap
}

// shellQuote quotes a word for a POSIX shell when it needs it, so commands
// can be pasted as printed even with odd topic names.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:,=@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
