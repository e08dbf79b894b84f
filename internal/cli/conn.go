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

	// loaded and loadErr memoize connect: one command, one load.
	loaded  *connection
	loadErr error
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

// connection is what a command connects with: the settings, loaded once
// per command on first use (commands that need no cluster never read the
// properties file or key stores), and the live source built from them.
type connection struct {
	settings *clientconfig.Settings
	live     *collect.Live
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
	s, err := load(clientconfig.Options{
		BootstrapServers:   o.Bootstrap,
		CommandConfig:      o.CommandConfig,
		Overrides:          o.Overrides,
		InsecureSkipVerify: o.InsecureSkipVerify,
		Getenv:             app.Getenv,
	})
	if err != nil {
		return nil, exitcode.Usage(err, "fix the setting named above; 'kafka-runbook --help' lists the connection flags")
	}
	for _, w := range append(s.Warnings, insecureWarning(s)...) {
		fmt.Fprintf(app.IO.Err, "Warning: %s\n", w)
	}
	if len(s.BootstrapServers) == 0 {
		return nil, exitcode.Usagef("pass --bootstrap-server host:port, set KAFKA_BOOTSTRAP_SERVERS, or try 'kafka-runbook demo'",
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
	opts := collect.Options{Bootstrap: s.BootstrapServers, Config: cfg}
	return &connection{settings: s, live: collect.NewLive(opts, o.Timeout, kopts)}, nil
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
	snap, err := c.live.Collect(ctx, parts, groups)
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
	hints = append(hints, connHints(e.Endpoints)...)
	if len(hints) == 0 {
		hints = append(hints, "check --bootstrap-server and --command-config")
	}
	return strings.Join(hints, "; ")
}

// connHint maps what a failed TLS or SASL handshake said to the client property to fix.
// The phrases matched are Go's crypto/tls and crypto/x509 messages and Kafka's error names,
// which are stable; the first match wins, so specific phrases come before general ones.
var connHint = []struct {
	status, phrase, hint string
}{
	{snapshot.StatusTLSError, "unknown authority", "the brokers' certificates are not signed by a CA you trust: " +
		"set ssl.truststore.location (PEM or PKCS12, with ssl.truststore.type) in --command-config to the cluster's CA " +
		"certificate; --insecure-skip-tls-verify skips the check, for emergencies only"},
	{snapshot.StatusTLSError, "certificate is valid for", "the broker certificate does not name the address dialled: " +
		"connect with a host name from the certificate, or set ssl.endpoint.identification.algorithm= (empty) to skip only the name check"},
	{snapshot.StatusTLSError, "not valid for any names", "the broker certificate names no host: " +
		"set ssl.endpoint.identification.algorithm= (empty) to skip only the name check"},
	{snapshot.StatusTLSError, "expired", "a certificate has expired or is not yet valid (check the clocks too)"},
	{snapshot.StatusTLSError, "remote error", "the broker rejected the TLS handshake, usually for want of a client " +
		"certificate it trusts (mutual TLS): set ssl.keystore.location (PKCS12 or PEM) and its passwords in --command-config"},
	{snapshot.StatusTLSError, "does not look like a TLS handshake", "the port does not speak TLS: check security.protocol " +
		"and that the port is the broker's SSL or SASL_SSL listener"},
	{snapshot.StatusTLSError, "", "TLS failed: check security.protocol and ssl.truststore.* / ssl.keystore.* in --command-config"},
	{snapshot.StatusAuthError, "ILLEGAL_SASL_STATE", "this listener does not use SASL: drop the sasl.* keys and set " +
		"security.protocol=SSL (or PLAINTEXT), or connect to the broker's SASL listener"},
	{snapshot.StatusAuthError, "UNSUPPORTED_SASL_MECHANISM", "set sasl.mechanism to one the listener enables " +
		"(sasl.enabled.mechanisms on the broker)"},
	{snapshot.StatusAuthError, "", "the brokers rejected the login: check the user name and password in sasl.jaas.config, " +
		"and that sasl.mechanism is one the user has credentials for (SCRAM credentials exist per mechanism)"},
	{snapshot.StatusError, "EOF", "the broker closed the connection at once: the port may expect TLS or SASL " +
		"(set security.protocol=SSL or SASL_SSL in --command-config), or is not a Kafka listener"},
}

// connHints returns one hint per distinct handshake problem among the endpoints.
func connHints(eps []snapshot.Endpoint) []string {
	var out []string
	for _, ep := range eps {
		for _, h := range connHint {
			if ep.Probe.Status != h.status || !strings.Contains(ep.Probe.Error, h.phrase) {
				continue
			}
			if !slices.Contains(out, h.hint) {
				out = append(out, h.hint)
			}
			break
		}
	}
	return out
}
