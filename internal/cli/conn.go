package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/contexts"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// defaultTimeout bounds every command that talks to the cluster.
const defaultTimeout = 10 * time.Second

// ConnOptions are the connection flags shared by every command, named as
// Kafka's own CLI tools name them.
type ConnOptions struct {
	Bootstrap string
	// BootstrapController is --bootstrap-controller: KRaft controllers to
	// describe the quorum through directly (KIP-919), for when brokers are
	// down.
	BootstrapController string
	CommandConfig       string
	// Context is --context: the named cluster of the contexts file to use.
	Context            string
	Overrides          []string
	InsecureSkipVerify bool
	Timeout            time.Duration
	Output             string

	// simulated is set on the demo's own connection to its simulated
	// cluster: no context and no KAFKA_RUNBOOK_COMMAND_CONFIG apply to it.
	simulated bool

	// loaded and loadErr memoize connect: one command, one load.
	loaded  *connection
	loadErr error
}

func (o *ConnOptions) bindFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVarP(&o.Bootstrap, "bootstrap-server", "b", "", "comma-separated host:port list of brokers to start from (env KAFKA_BOOTSTRAP_SERVERS)")
	f.StringVar(&o.BootstrapController, "bootstrap-controller", "", "comma-separated host:port list of KRaft controllers: describe the quorum directly, "+
		"as kafka-metadata-quorum.sh --bootstrap-controller does (works while every broker is down)")
	f.StringVar(&o.CommandConfig, "command-config", "", "Kafka client properties file: security.protocol, sasl.*, ssl.* (as for kafka-topics.sh) "+
		"(env KAFKA_RUNBOOK_COMMAND_CONFIG)")
	f.StringVar(&o.Context, "context", "", "named cluster from the contexts file: its bootstrap, client properties and labels; flags and "+
		"environment win over it (env KAFKA_RUNBOOK_CONTEXT; see 'kafka-runbook context')")
	f.StringArrayVarP(&o.Overrides, "property", "X", nil, "client property key=value, overriding --command-config (repeatable)")
	f.BoolVar(&o.InsecureSkipVerify, "insecure-skip-tls-verify", false, "accept any broker certificate (prints a warning; for emergencies only)")
	f.DurationVar(&o.Timeout, "timeout", defaultTimeout, "answer within this time, with partial results if brokers hang")
	f.StringVarP(&o.Output, "output", "o", "table", "output format: table, json or markdown")
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table", "json", "markdown"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.MarkPersistentFlagFilename("command-config", "properties", "conf", "cfg")
}

// renderOptions validates --output and describes the terminal.
func (o *ConnOptions) renderOptions(io *IO) (render.Options, error) {
	format, err := render.ParseFormat(o.Output)
	if err != nil {
		return render.Options{}, exitcode.Usage(err, "use --output table, --output json or --output markdown")
	}
	return render.Options{Format: format, Terminal: io.OutIsTerminal, Width: io.Width, Color: io.Color}, nil
}

// connection is what a command connects with: the settings, loaded once
// per command on first use (commands that need no cluster never read the
// properties file or key stores), and the live source built from them.
type connection struct {
	settings *clientconfig.Settings
	live     *collect.Live
	// context is the named context in use, "" for none; controllersFlag
	// says whether --bootstrap-controller came from the flag.
	context          string
	controllersFlag  bool
	commandConfigArg bool // the command-config file came from the flag or its environment variable
}

// waitingFor is what a progress line says while the cluster is asked,
// naming the context too, so whoever waits knows which cluster it is.
func (c *connection) waitingFor() string {
	what := "Waiting for the cluster at " + strings.Join(c.settings.BootstrapServers, ",")
	if c.context != "" {
		what = "Waiting for the cluster of context " + c.context + " at " + strings.Join(c.settings.BootstrapServers, ",")
	}
	return what
}

// connect loads the connection settings and builds the live source, once
// per command: every step of a runbook, every probe and every poll of a
// watch shares them, so files are read and warnings printed once.
func (o *ConnOptions) connect(app *App) (*connection, error) {
	if o.loaded == nil && o.loadErr == nil {
		o.loaded, o.loadErr = o.load(app)
	}
	return o.loaded, o.loadErr
}

func (o *ConnOptions) load(app *App) (*connection, error) {
	if o.Timeout <= 0 {
		return nil, exitcode.Usagef("use e.g. --timeout 10s", "--timeout must be positive, got %s", o.Timeout)
	}
	load := app.LoadSettings
	if load == nil {
		load = clientconfig.Load
	}
	var ctx *contexts.Context
	if !o.simulated {
		var err error
		if ctx, err = selectContext(app, o.Context, o.pointsElsewhere(app)); err != nil {
			return nil, err
		}
	}
	copts := clientconfig.Options{
		BootstrapServers:   o.Bootstrap,
		CommandConfig:      o.CommandConfig,
		Overrides:          o.Overrides,
		InsecureSkipVerify: o.InsecureSkipVerify,
		Getenv:             app.Getenv,
	}
	if copts.CommandConfig == "" && app.Getenv != nil && !o.simulated {
		copts.CommandConfig, copts.CommandConfigSource = app.Getenv(clientconfig.EnvCommandConfig), clientconfig.EnvCommandConfig
	}
	controllerList := o.BootstrapController
	if ctx != nil {
		copts.Context = &clientconfig.ContextDefaults{Name: ctx.Name, Bootstrap: ctx.Bootstrap, CommandConfig: ctx.CommandConfig, Settings: ctx.Settings}
		if controllerList == "" {
			controllerList = ctx.BootstrapController
		}
	}
	s, err := load(copts)
	if err != nil {
		return nil, exitcode.Usage(err, "fix the setting named above; 'kafka-runbook --help' lists the connection flags")
	}
	warnings := append(s.Warnings, insecureWarning(s)...)
	if ctx != nil {
		if w := exposedSecretsWarning(ctx); w != "" {
			warnings = append(warnings, w)
		}
	}
	for _, w := range warnings {
		fmt.Fprintf(app.IO.Err, "Warning: %s\n", w)
	}
	var controllers []string
	if controllerList != "" {
		if controllers, err = clientconfig.ParseBootstrap(controllerList); err != nil {
			return nil, exitcode.Usage(fmt.Errorf("--bootstrap-controller: %w", err), "give host:port of the controllers' listener, comma-separated")
		}
	}
	if len(s.BootstrapServers) == 0 && len(controllers) == 0 {
		return nil, exitcode.Usagef("pass --bootstrap-server host:port, set KAFKA_BOOTSTRAP_SERVERS, pick a --context, or try 'kafka-runbook demo'",
			"no bootstrap servers given")
	}
	// The collector tightens sarama's timeouts to its request deadline,
	// which it derives from --timeout: the one place that policy lives.
	cfg, err := s.SaramaConfig(clientconfig.Timeouts{})
	if err != nil {
		return nil, exitcode.Usage(err, "check the TLS and SASL settings")
	}
	kopts, err := s.KgoOptions()
	if err != nil {
		return nil, exitcode.Usage(err, "check the TLS and SASL settings")
	}
	opts := collect.Options{Bootstrap: s.BootstrapServers, BootstrapControllers: controllers, Config: cfg, SoftwareVersion: app.Version}
	c := &connection{settings: s, live: collect.NewLive(opts, o.Timeout, kopts),
		controllersFlag: o.BootstrapController != "", commandConfigArg: copts.CommandConfig != ""}
	if ctx != nil {
		c.context = ctx.Name
	}
	return c, nil
}

// pointsElsewhere reports a cluster named on this command line or in
// KAFKA_BOOTSTRAP_SERVERS: then the file's current-context, a default, does
// not apply (a context named with --context or KAFKA_RUNBOOK_CONTEXT does),
// so "-b drill-host:port" never inherits another cluster's credentials.
func (o *ConnOptions) pointsElsewhere(app *App) bool {
	env := ""
	if app.Getenv != nil {
		env = app.Getenv(clientconfig.EnvBootstrapServers)
	}
	return strings.TrimSpace(o.Bootstrap) != "" || strings.TrimSpace(o.BootstrapController) != "" || strings.TrimSpace(env) != ""
}

// selfFlags are what a printed kafka-runbook command needs to reach the
// cluster this one connected to, so it runs as printed: the --context in
// use (also when it was the current context or KAFKA_RUNBOOK_CONTEXT), the
// bootstrap used unless the context gave it (also when it came from
// KAFKA_BOOTSTRAP_SERVERS), --bootstrap-controller, the --command-config
// file (also from KAFKA_RUNBOOK_COMMAND_CONFIG) unless the context gave it,
// the -X overrides that carry no secret, and --insecure-skip-tls-verify when
// it was needed here.
func (o *ConnOptions) selfFlags(c *connection) []string {
	var out []string
	if c.context != "" {
		out = append(out, "--context", c.context)
	}
	if bs := c.settings.BootstrapServers; len(bs) > 0 && !c.settings.BootstrapFromContext {
		out = append(out, "-b", strings.Join(bs, ","))
	}
	if c.controllersFlag {
		out = append(out, "--bootstrap-controller", o.BootstrapController)
	}
	if c.commandConfigArg {
		out = append(out, "--command-config", c.settings.CommandConfig)
	}
	for _, kv := range clientconfig.PrintableOverrides(o.Overrides) {
		out = append(out, "-X", kv)
	}
	if o.InsecureSkipVerify {
		out = append(out, "--insecure-skip-tls-verify")
	}
	return out
}

// insecureWarning is the warning --insecure-skip-tls-verify always earns when TLS is in use:
// the flag exists for emergencies, and whoever reads the output must know the session could
// have been intercepted. With SASL/PLAIN the password itself went to an unverified server.
func insecureWarning(s *clientconfig.Settings) []string {
	if !s.InsecureSkipVerify || !s.SecurityProtocol.UsesTLS() {
		return nil // clientconfig already warns that the flag has no effect without TLS
	}
	w := "--insecure-skip-tls-verify: broker certificates are NOT verified, so anyone on the path " +
		"can impersonate the brokers and read or alter what this command sees"
	if s.SecurityProtocol.UsesSASL() && s.SASL.Mechanism == "PLAIN" {
		w += "; the SASL/PLAIN password is sent to whichever server answered"
	}
	return []string{w + ". Fix the truststore (ssl.truststore.location) instead as soon as you can"}
}

// collectOnce takes one snapshot with the parts a command needs, within
// the command's deadline.
func (o *ConnOptions) collectOnce(ctx context.Context, app *App, parts source.Parts, groups []string) (*snapshot.Snapshot, error) {
	c, err := o.connect(app)
	if err != nil {
		return nil, err
	}
	p := app.IO.startProgress(c.waitingFor(), waitDeadline(ctx, o.Timeout), progressDelay)
	snap, err := c.live.Collect(ctx, parts, groups)
	p.end()
	return snap, collectFailure(err)
}

// collectFailure turns a failure to collect anything into the command's
// error, with a hint when it says which setting to check.
func collectFailure(err error) error {
	var noCluster *collect.NoClusterError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &noCluster):
		return &exitcode.Error{Code: exitcode.Unknown, Err: err, Hint: noClusterHint(noCluster)}
	}
	return &exitcode.Error{Code: exitcode.Unknown, Err: err}
}

// noClusterHint says what to check given why the bootstrap servers failed:
// one hint per distinct cause, refused and timed-out addresses first (the
// likeliest mistakes), then the others in the order of the addresses.
func noClusterHint(e *collect.NoClusterError) string {
	causes := make([]string, 0, len(e.Endpoints))
	for _, ep := range e.Endpoints {
		causes = append(causes, ep.Probe.Cause)
	}
	first := func(c string) int {
		switch c {
		case snapshot.CauseRefused:
			return 0
		case snapshot.CauseTimeout:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(causes, func(a, b string) int { return first(a) - first(b) })
	var hints []string
	for _, c := range causes {
		if h := clientconfig.HintFor(c); h != "" && !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	if len(hints) == 0 {
		hints = append(hints, "check --bootstrap-server and --command-config")
	}
	return strings.Join(hints, "; ")
}
