package cli

import (
	"bytes"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/alerts"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// AlertsOptions are the flags of `alerts`.
type AlertsOptions struct {
	Metrics string
	Format  string
	For     time.Duration
	// forSet says whether --for was given: without it each rule keeps its
	// own hold time.
	forSet bool
}

func newAlertsCmd(app *App) *cobra.Command {
	opts := &AlertsOptions{}
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Write Prometheus alerting rules that name the runbook to open",
		Long: `Write Prometheus alerting rules for the situations kafka-runbook diagnoses.
Every rule stands for a finding code: it carries severity and code labels, a
summary, and the annotations runbook (the 'kafka-runbook run NAME' command to
open) and explain (the 'kafka-runbook explain CODE' command).

--metrics chooses which metric names the rules are written against:
  kafka-exporter  kafka_exporter (danielqsj/kafka_exporter): BROKER_DOWN,
                  UNDER_REPLICATED, CONSUMER_LAG_GROWING, CONSUMER_STALLED
  jmx             Kafka's JMX gauges as the Prometheus JMX exporter's example
                  configuration names them (kafka-2_0_0.yml, lowercase:
                  kafka_server_replicamanager_underreplicatedpartitions, ...):
                  BROKER_DOWN, OFFLINE_PARTITION, CONTROLLER_QUORUM_UNAVAILABLE,
                  UNDER_MIN_ISR, AT_MIN_ISR, UNDER_REPLICATED, LOG_DIR_OFFLINE
  kafka-runbook   the metrics of 'kafka-runbook serve': one rule for every code
                  at warning or above, and KafkaRunbookCollectionFailing

--format rules writes a Prometheus rule file (rule_files:); prometheusrule
writes a Kubernetes PrometheusRule for the Prometheus Operator. The output is
checked with promtool in the tests.`,
		Example: `  kafka-runbook alerts --metrics kafka-runbook > kafka-runbook-rules.yml
  promtool check rules kafka-runbook-rules.yml
  kafka-runbook alerts --metrics jmx --format prometheusrule | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.forSet = cmd.Flags().Changed("for")
			return runAlerts(app, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Metrics, "metrics", string(alerts.KafkaRunbook), "metric names to write the rules against: kafka-exporter, jmx or kafka-runbook")
	f.StringVar(&opts.Format, "format", string(alerts.FormatRules), "rules (a Prometheus rule file) or prometheusrule (Kubernetes)")
	f.DurationVar(&opts.For, "for", 0, "hold time of every rule (e.g. 0s to fire on the first evaluation); default: each rule's own (1m critical, 5m warning)")
	_ = cmd.RegisterFlagCompletionFunc("metrics", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"kafka-exporter", "jmx", "kafka-runbook"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"rules", "prometheusrule"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func runAlerts(app *App, opts *AlertsOptions) error {
	m, err := alerts.ParseMetrics(opts.Metrics)
	if err != nil {
		return exitcode.Usage(err, "use --metrics kafka-exporter, --metrics jmx or --metrics kafka-runbook")
	}
	f, err := alerts.ParseFormat(opts.Format)
	if err != nil {
		return exitcode.Usage(err, "use --format rules or --format prometheusrule")
	}
	ao := alerts.Options{Metrics: m}
	if opts.forSet {
		if opts.For < 0 {
			return exitcode.Usagef("use e.g. --for 1m, or 0s to fire at once", "--for must not be negative, got %s", opts.For)
		}
		ao.For = &opts.For
	}
	var buf bytes.Buffer
	if err := alerts.Write(&buf, ao, f); err != nil {
		return err
	}
	if _, err := app.IO.Out.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}
