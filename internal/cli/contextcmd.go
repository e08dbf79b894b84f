package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/contexts"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// contextHint is what to do about a contexts file problem.
const contextHint = "fix the contexts file, or see 'kafka-runbook context --help'"

// loadContexts reads the contexts file the environment points at.
func loadContexts(app *App) (*contexts.File, error) {
	path, err := contexts.Path(app.Getenv)
	if err != nil {
		return nil, exitcode.Usage(err, "set "+contexts.EnvConfig+" to the contexts file")
	}
	f, err := contexts.Load(path)
	if err != nil {
		return nil, exitcode.Usage(err, contextHint)
	}
	return f, nil
}

// selectContext picks the context to connect with: --context, then
// KAFKA_RUNBOOK_CONTEXT, then the file's current-context unless
// skipCurrent; nil when none is named. A name that is not in the file is
// bad input.
func selectContext(app *App, flag string, skipCurrent bool) (*contexts.Context, error) {
	name, from := flag, "--context"
	if name == "" && app.Getenv != nil {
		name, from = app.Getenv(contexts.EnvContext), contexts.EnvContext
	}
	if name == "" && skipCurrent {
		return nil, nil
	}
	if _, err := contexts.Path(app.Getenv); err != nil && name == "" {
		return nil, nil // no config directory, so no current context either
	}
	// A broken file is an error even when no context is named: it may
	// name the current one, and connecting elsewhere silently is worse.
	f, err := loadContexts(app)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name, from = f.Current, "current-context in "+f.Path
	}
	if name == "" {
		return nil, nil
	}
	c, err := f.Get(name)
	if err != nil {
		return nil, exitcode.Usage(fmt.Errorf("%s: %w", from, err), "run 'kafka-runbook context list'")
	}
	return c, nil
}

// exposedSecretsWarning is the warning a context earns that holds secrets
// inline in a file other users may read.
func exposedSecretsWarning(c *contexts.Context) string {
	var secret []string
	for _, k := range sortedKeys(c.Settings) {
		if clientconfig.RedactValue(k, c.Settings[k]) == clientconfig.RedactedText {
			secret = append(secret, k)
		}
	}
	info, err := os.Stat(c.File)
	if len(secret) == 0 || err != nil || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("context %s holds %s inline in %s, which other users may read (mode %#o): chmod 600 it, "+
		"or move the secrets to the context's command-config file", c.Name, strings.Join(secret, ", "), c.File, info.Mode().Perm())
}

// completeContexts completes context names from the contexts file.
func completeContexts(app *App) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		f, err := loadContexts(app)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return f.Names(), cobra.ShellCompDirectiveNoFileComp
	}
}

func newContextCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "context",
		Short: "List, show and switch the named clusters of the contexts file",
		Long: `Contexts name the clusters you connect to, so a command needs only
--context NAME (or none, for the current context) instead of -b and
--command-config typed again in every terminal.

The file is kafka-runbook/config.yaml in your config directory
($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on
macOS), or wherever KAFKA_RUNBOOK_CONFIG points:

  current-context: prod
  contexts:
    prod:
      bootstrap: kafka1:9092,kafka2:9092
      bootstrap-controller: ctl1:9093        # optional, KRaft controllers
      command-config: prod.properties        # relative to this file
      settings:                              # inline client properties,
        client.id: oncall                    # over the command-config file's
      labels:
        environment: production
        owner: team-streaming
        dashboard: https://grafana.example.com/d/kafka

The context is chosen by --context, else KAFKA_RUNBOOK_CONTEXT, else
current-context; the current context is a default only, so it does not
apply when -b, --bootstrap-controller or KAFKA_BOOTSTRAP_SERVERS points at a
cluster (a drill's, say). Flags win over the environment, which wins over
the context: -b over KAFKA_BOOTSTRAP_SERVERS over the context's bootstrap;
--command-config over KAFKA_RUNBOOK_COMMAND_CONFIG over the context's
client properties (which are replaced as a whole, never mixed with another
file); -X over everything. Every command the tool prints carries
--context NAME, so it reaches the same cluster when pasted.

Secrets belong in the command-config file, which 'context show' never
prints; inline settings that hold secrets are shown as [redacted].`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newContextListCmd(app), newContextUseCmd(app), newContextShowCmd(app))
	return cmd
}

// contextList is the list view.
type contextList struct {
	File     string             `json:"file"`
	Current  string             `json:"current_context"`
	Contexts []contextShowEntry `json:"contexts"`
}

func (l contextList) Tables() []render.Table {
	t := render.Table{Title: "Contexts in " + l.File,
		Columns: []render.Column{{Name: "Current"}, {Name: "Name"}, {Name: "Bootstrap"}, {Name: "Labels", Wrap: true}},
		Empty:   "no contexts defined (see 'kafka-runbook context --help')"}
	for _, c := range l.Contexts {
		cur := ""
		if c.Name == l.Current {
			cur = "*"
		}
		t.Rows = append(t.Rows, []string{cur, c.Name, c.Bootstrap, joinPairs(c.Labels)})
	}
	return []render.Table{t}
}

// contextShowEntry is one context as printed: settings redacted.
type contextShowEntry struct {
	Name                string            `json:"name"`
	Bootstrap           string            `json:"bootstrap,omitempty"`
	BootstrapController string            `json:"bootstrap_controller,omitempty"`
	CommandConfig       string            `json:"command_config,omitempty"`
	Settings            map[string]string `json:"settings"`
	Labels              map[string]string `json:"labels"`
}

func showEntry(c *contexts.Context) contextShowEntry {
	e := contextShowEntry{Name: c.Name, Bootstrap: c.Bootstrap, BootstrapController: c.BootstrapController,
		CommandConfig: c.CommandConfig, Settings: map[string]string{}, Labels: map[string]string{}}
	for k, v := range c.Settings {
		e.Settings[k] = clientconfig.RedactValue(k, v)
	}
	for k, v := range c.Labels {
		e.Labels[k] = v
	}
	return e
}

func (e contextShowEntry) Tables() []render.Table {
	t := render.Table{Title: "Context " + e.Name, Columns: []render.Column{{Name: "Setting"}, {Name: "Value", Wrap: true}}}
	add := func(k, v string) {
		if v != "" {
			t.Rows = append(t.Rows, []string{k, v})
		}
	}
	add("bootstrap", e.Bootstrap)
	add("bootstrap-controller", e.BootstrapController)
	add("command-config", e.CommandConfig)
	for _, k := range sortedKeys(e.Settings) {
		add(k, e.Settings[k])
	}
	for _, k := range sortedKeys(e.Labels) {
		add("label "+k, e.Labels[k])
	}
	t.Notes = []string{"Use it: kafka-runbook triage --context " + e.Name}
	return []render.Table{t}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func joinPairs(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

func newContextListCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the contexts; * marks the current one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := loadContexts(app)
			if err != nil {
				return err
			}
			ropts, err := (&ConnOptions{Output: cmd.Flag("output").Value.String()}).renderOptions(app.IO)
			if err != nil {
				return err
			}
			l := contextList{File: f.Path, Current: f.Current, Contexts: []contextShowEntry{}}
			for _, n := range f.Names() {
				l.Contexts = append(l.Contexts, showEntry(f.Contexts[n]))
			}
			return render.View(app.IO.Out, ropts, l)
		},
	}
}

func newContextUseCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "use NAME",
		Short: "Make NAME the current context (rewrites current-context in the file)",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeContexts(app)(cmd, args, prefix)
		},
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := loadContexts(app)
			if err != nil {
				return err
			}
			if err := contexts.SetCurrent(f, args[0]); err != nil {
				return exitcode.Usage(err, "run 'kafka-runbook context list'")
			}
			_, err = fmt.Fprintf(app.IO.Out, "Current context is now %s (in %s).\n", args[0], f.Path)
			return err
		},
	}
}

func newContextShowCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show a context (the current one by default), secrets redacted",
		Args:  cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeContexts(app)(cmd, args, prefix)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := cmd.Flag("context").Value.String()
			if len(args) == 1 {
				name = args[0]
			}
			var c *contexts.Context
			var err error
			if name != "" {
				var f *contexts.File
				if f, err = loadContexts(app); err == nil {
					if c, err = f.Get(name); err != nil {
						err = exitcode.Usage(err, "run 'kafka-runbook context list'")
					}
				}
			} else {
				c, err = selectContext(app, "", false)
			}
			if err != nil {
				return err
			}
			if c == nil {
				return exitcode.Usagef("name one: kafka-runbook context show NAME, or make one current with 'kafka-runbook context use NAME'",
					"no current context")
			}
			ropts, err := (&ConnOptions{Output: cmd.Flag("output").Value.String()}).renderOptions(app.IO)
			if err != nil {
				return err
			}
			return render.View(app.IO.Out, ropts, showEntry(c))
		},
	}
}
