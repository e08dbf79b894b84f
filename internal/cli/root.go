// Package cli wires the kafka-runbook commands: flags are parsed into an
// options struct, and the work is a plain function of those options, so
// tests can call either half.
package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// defaultVersion is shown when the build did not set main.version with
// -ldflags (go run, go build without the Makefile).
const defaultVersion = "dev"

// Env reads environment variables; tests pass a map instead of the process
// environment.
type Env func(key string) string

// App carries what every command needs: streams, environment and version.
type App struct {
	IO      *IO
	Getenv  Env
	Version string
	// Commit and BuildDate are set by -ldflags (Makefile); empty ones are
	// read from the binary's VCS stamp (resolveBuild).
	Commit, BuildDate string
	// LoadSettings reads the connection settings; nil means
	// clientconfig.Load. Tests replace it to see how often it is called.
	LoadSettings func(clientconfig.Options) (*clientconfig.Settings, error)
}

// NewRootCmd builds the command tree.
func NewRootCmd(app *App) *cobra.Command {
	conn := &ConnOptions{}
	build := resolveBuild(app, debug.ReadBuildInfo)
	root := &cobra.Command{
		Use:   "kafka-runbook",
		Short: "Kafka incident response: what is broken, how the cluster looks, what to run next",
		Long: `kafka-runbook diagnoses a Kafka cluster during an incident.

It connects the way Kafka's own CLI tools do (--bootstrap-server and a
client.properties file), takes one live snapshot of the cluster with a
bounded deadline, and shows it as tables, Markdown or JSON. It only reads:
it never changes the cluster.

Exit codes follow the monitoring-plugin convention:
  0 OK        1 WARNING        2 CRITICAL        3 UNKNOWN (could not evaluate, bad input)
The worst finding decides. A check that could not run is never a pass: when
some could not and nothing worse was found, the status is UNKNOWN (3).

No cluster at hand? Run 'kafka-runbook demo' to see it on a simulated incident.`,
		Example: `  kafka-runbook triage -b kafka1:9092,kafka2:9092          # start here in an incident
  kafka-runbook run broker-failure -b kafka1:9092
  kafka-runbook describe partitions --under-min-isr --command-config client.properties
  kafka-runbook audit -b kafka1:9092                       # hygiene before the next incident
  KAFKA_BOOTSTRAP_SERVERS=kafka1:9092 kafka-runbook describe groups --output json
  kafka-runbook demo`,
		Version:       build.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.Err)
	color := colorAuto
	root.PersistentFlags().StringVar(&color, "color", colorAuto, "colour status, severity and risk labels: auto (on a terminal, unless NO_COLOR is set), always or never")
	_ = root.RegisterFlagCompletionFunc("color", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{colorAuto, colorAlways, colorNever}, cobra.ShellCompDirectiveNoFileComp
	})
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := settleTerminal(app.IO, app.Getenv, color); err != nil {
			return err
		}
		return checkOutputFlag(cmd)
	}
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate(versionTemplate(build))
	conn.bindFlags(root)
	_ = root.RegisterFlagCompletionFunc("context", completeContexts(app))
	root.AddCommand(newTriageCmd(app, conn), newAuditCmd(app, conn))
	root.AddCommand(newDescribeCmd(app, conn))
	root.AddCommand(offline(newCodesCmd(app)), offline(newExplainCmd(app)))
	root.AddCommand(newRunCmd(app, conn), offline(newListCmd(app)), newSnapshotCmd(app, conn))
	root.AddCommand(newDemoCmd(app, conn))
	root.AddCommand(offline(newDrillCmd(app, conn)))
	root.AddCommand(newEvidenceCmd(app, conn))
	root.AddCommand(newServeCmd(app, conn), offline(newAlertsCmd(app)))
	root.AddCommand(offline(newVersionCmd(app, build)))
	root.AddCommand(newContextCmd(app))
	hideConnectionFlagsOffline(root)
	return root
}

// Main runs the tool with args and returns the exit code. Errors are
// printed as one line plus what to do; never a stack trace. A panic in the
// command is a bug, not a verdict: it is reported the same way, as exit 3,
// because Go's own exit 2 would read as CRITICAL to a monitoring system.
func Main(ctx context.Context, app *App, args []string) (code int) {
	if app.Version == "" {
		app.Version = resolveBuild(app, debug.ReadBuildInfo).Version
	}
	defer func() {
		if p := recover(); p != nil {
			code = reportPanic(app, p)
		}
	}()
	root := NewRootCmd(app)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	var verdict *verdictError
	if errors.As(err, &verdict) {
		return verdict.code // the judgement is already printed
	}
	msg := strings.TrimSpace(err.Error())
	var coded *exitcode.Error
	if !errors.As(err, &coded) && (strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") ||
		strings.HasPrefix(msg, "requires ") || strings.HasPrefix(msg, "invalid argument")) {
		err = exitcode.Usage(err, "run 'kafka-runbook --help' for usage")
	}
	fmt.Fprintf(app.IO.Err, "Error: %s\n", oneLine(err.Error()))
	if hint := exitcode.HintOf(err); hint != "" {
		fmt.Fprintf(app.IO.Err, "Hint: %s\n", hint)
	}
	return exitcode.Of(err)
}

// debugEnv, when set, makes a panic print where it happened: the one place
// a stack trace is wanted, by whoever fixes the bug.
const debugEnv = "KAFKA_RUNBOOK_DEBUG"

// reportPanic turns a recovered panic into one error line and a hint.
func reportPanic(app *App, p any) int {
	fmt.Fprintf(app.IO.Err, "Error: internal error: %s\n", oneLine(fmt.Sprint(p)))
	fmt.Fprintf(app.IO.Err, "Hint: this is a bug in kafka-runbook %s: please report it with the command line (%s=1 prints where it happened)\n",
		app.Version, debugEnv)
	if app.Getenv != nil && app.Getenv(debugEnv) != "" {
		_, _ = app.IO.Err.Write(debug.Stack())
	}
	return exitcode.Unknown
}

// verdictError ends a command with a non-zero code after its output has been
// printed, e.g. a judgement that found a critical problem.
type verdictError struct{ code int }

func (v *verdictError) Error() string { return fmt.Sprintf("exit %d", v.code) }

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
