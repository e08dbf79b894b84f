package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// defaultTimeout bounds every command that talks to the cluster.
const defaultTimeout = 10 * time.Second

// ConnOptions are the connection flags shared by every command, named as
// Kafka's own CLI tools name them.
type ConnOptions struct {
	Bootstrap          string
	CommandConfig      string
	Overrides          []string
	InsecureSkipVerify bool
	Timeout            time.Duration
	Output             string
}

func (o *ConnOptions) bindFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVarP(&o.Bootstrap, "bootstrap-server", "b", "", "comma-separated host:port list of brokers to start from (env KAFKA_BOOTSTRAP_SERVERS)")
	f.StringVar(&o.CommandConfig, "command-config", "", "Kafka client properties file: security.protocol, sasl.*, ssl.* (as for kafka-topics.sh)")
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
	return render.Options{Format: format, Terminal: io.OutIsTerminal, Width: io.Width}, nil
}

// requestTimeout is the bound on one request: a third of the command's
// deadline, so that a hung broker costs one request's wait and the
// brokers that answer still fit in the deadline.
func requestTimeout(total time.Duration) time.Duration {
	return min(max(total/3, 500*time.Millisecond), 5*time.Second)
}

// settings loads the connection settings from flags, file and environment.
func (o *ConnOptions) settings(app *App) (*clientconfig.Settings, error) {
	if o.Timeout <= 0 {
		return nil, exitcode.Usagef("use e.g. --timeout 10s", "--timeout must be positive, got %s", o.Timeout)
	}
	s, err := clientconfig.Load(clientconfig.Options{
		BootstrapServers:   o.Bootstrap,
		CommandConfig:      o.CommandConfig,
		Overrides:          o.Overrides,
		InsecureSkipVerify: o.InsecureSkipVerify,
		Getenv:             app.Getenv,
	})
	if err != nil {
		return nil, exitcode.Usage(err, "fix the setting named above; 'kafka-runbook --help' lists the connection flags")
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(app.IO.Err, "Warning: %s\n", w)
	}
	if len(s.BootstrapServers) == 0 {
		return nil, exitcode.Usagef("pass --bootstrap-server host:port, set KAFKA_BOOTSTRAP_SERVERS, or try 'kafka-runbook demo'",
			"no bootstrap servers given")
	}
	return s, nil
}

// collectOptions builds the collector's options from the connection flags.
func (o *ConnOptions) collectOptions(app *App) (collect.Options, error) {
	s, err := o.settings(app)
	if err != nil {
		return collect.Options{}, err
	}
	reqTimeout := requestTimeout(o.Timeout)
	cfg, err := s.SaramaConfig(clientconfig.Timeouts{Dial: reqTimeout, Read: reqTimeout, Write: reqTimeout})
	if err != nil {
		return collect.Options{}, exitcode.Usage(err, "check the TLS and SASL settings")
	}
	return collect.Options{Bootstrap: s.BootstrapServers, Config: cfg, RequestTimeout: reqTimeout}, nil
}

// collectOnce takes one snapshot with the parts a command needs, within
// the command's deadline.
func (o *ConnOptions) collectOnce(ctx context.Context, app *App, parts collect.Parts, groups []string) (*snapshot.Snapshot, error) {
	opts, err := o.collectOptions(app)
	if err != nil {
		return nil, err
	}
	opts.Parts, opts.Groups = parts, groups
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	snap, err := collect.Collect(ctx, opts)
	var noCluster *collect.NoClusterError
	if errors.As(err, &noCluster) {
		return nil, &exitcode.Error{Code: exitcode.Unknown, Err: err, Hint: noClusterHint(noCluster)}
	}
	if err != nil {
		return nil, &exitcode.Error{Code: exitcode.Unknown, Err: err}
	}
	return snap, nil
}

// noClusterHint says what to check given how the bootstrap servers failed.
func noClusterHint(e *collect.NoClusterError) string {
	kinds := map[string]bool{}
	for _, ep := range e.Endpoints {
		kinds[ep.Probe.Status] = true
	}
	var hints []string
	if kinds[snapshot.StatusRefused] {
		hints = append(hints, "nothing listens at a refused address: check host:port and that the brokers run")
	}
	if kinds[snapshot.StatusTimeout] {
		hints = append(hints, "an address accepted but did not answer: the broker may be hung, or it is not speaking Kafka (or expects TLS: set security.protocol)")
	}
	if kinds[snapshot.StatusTLSError] {
		hints = append(hints, "TLS failed: check ssl.truststore.* in --command-config and security.protocol")
	}
	if kinds[snapshot.StatusAuthError] {
		hints = append(hints, "authentication failed: check sasl.mechanism and the credentials in sasl.jaas.config")
	}
	if len(hints) == 0 {
		hints = append(hints, "check --bootstrap-server and --command-config")
	}
	return strings.Join(hints, "; ")
}
