package alerts

import (
	"fmt"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/exporter"
)

// How long a condition must hold before its alert fires: a broker restart
// or a leader election blips for seconds and must not page anyone.
const (
	holdCritical = time.Minute
	holdWarning  = 5 * time.Minute
	holdTrend    = 10 * time.Minute
)

// kafkaExporterSpecs are the codes kafka_exporter's metrics can show.
// It has no min.insync.replicas, no controller and no partition without a
// leader (it drops the series of a partition whose leader it cannot find),
// so UNDER_MIN_ISR, OFFLINE_PARTITION and the quorum are left to the jmx
// and kafka-runbook sets.
func kafkaExporterSpecs() []spec {
	return []spec{
		{code: findings.BrokerDown, hold: holdCritical,
			// kafka_brokers counts the brokers in the metadata: fewer than
			// the most seen in the last hour is a broker gone.
			expr: `kafka_brokers < max_over_time(kafka_brokers[1h])`,
			what: `{{ $value }} brokers registered, fewer than in the last hour`},
		{code: findings.UnderReplicated, hold: holdWarning,
			expr: `sum by (topic) (kafka_topic_partition_under_replicated_partition) > 0`,
			what: `{{ $value }} partitions of topic {{ $labels.topic }} under-replicated`},
		{code: findings.ConsumerLagGrowing, hold: holdTrend,
			expr: `sum by (consumergroup) (kafka_consumergroup_lag) > 0 and sum by (consumergroup) (deriv(kafka_consumergroup_lag[10m])) > 0`,
			what: `group {{ $labels.consumergroup }} lag growing ({{ $value }} records)`},
		{code: findings.ConsumerStalled, hold: holdTrend,
			expr: `sum by (consumergroup) (kafka_consumergroup_lag) > 0 and sum by (consumergroup) (increase(kafka_consumergroup_current_offset[10m])) == 0`,
			what: `group {{ $labels.consumergroup }} commits nothing while {{ $value }} records wait`},
	}
}

// jmxSpecs are the codes Kafka's own JMX gauges show, named as the JMX
// exporter's example configuration names them. The controller gauges are
// reported by the active KRaft controller only, hence max().
func jmxSpecs() []spec {
	return []spec{
		{code: findings.BrokerDown, hold: holdCritical,
			expr: `max(kafka_controller_kafkacontroller_fencedbrokercount) > 0`,
			what: `{{ $value }} brokers fenced by the controller`},
		{code: findings.OfflinePartition, hold: 0,
			expr: `max(kafka_controller_kafkacontroller_offlinepartitionscount) > 0`,
			what: `{{ $value }} partitions offline`},
		{code: findings.ControllerQuorumUnavailable, hold: holdCritical,
			expr: `sum(kafka_controller_kafkacontroller_activecontrollercount) != 1`,
			what: `{{ $value }} active controllers (exactly 1 is healthy)`},
		{code: findings.UnderMinISR, hold: holdCritical,
			expr: `kafka_server_replicamanager_underminisrpartitioncount > 0`,
			what: `{{ $value }} partitions under min ISR on {{ $labels.instance }}`},
		{code: findings.AtMinISR, hold: holdWarning,
			expr: `kafka_server_replicamanager_atminisrpartitioncount > 0`,
			what: `{{ $value }} partitions at min ISR on {{ $labels.instance }}`},
		{code: findings.UnderReplicated, hold: holdWarning,
			expr: `kafka_server_replicamanager_underreplicatedpartitions > 0`,
			what: `{{ $value }} partitions under-replicated on {{ $labels.instance }}`},
		{code: findings.LogDirOffline, hold: 0,
			expr: `kafka_log_logmanager_offlinelogdirectorycount > 0`,
			what: `{{ $value }} log directories offline on {{ $labels.instance }}`},
	}
}

// kafkaRunbookSpecs are one rule per code at warning or above, on the
// findings `kafka-runbook serve` exports. Info codes describe, they do not
// page.
func kafkaRunbookSpecs() []spec {
	var out []spec
	for _, e := range findings.Catalogue() {
		if e.Severity < findings.Warning {
			continue
		}
		hold := holdWarning
		if e.Severity == findings.Critical {
			hold = holdCritical
		}
		out = append(out, spec{
			code: e.Code, hold: hold,
			expr: fmt.Sprintf(`%s{code=%q} > 0`, exporter.FindingsMetric, e.Code),
			what: e.Title + ` ({{ $value }} subjects, cluster {{ $labels.cluster_id }})`,
		})
	}
	return out
}

// collectionFailingRule fires when serve cannot reach the cluster at all:
// its findings are then the last ones it saw, and may be stale.
func collectionFailingRule(hold *time.Duration) Rule {
	h := 2 * time.Minute
	if hold != nil {
		h = *hold
	}
	return Rule{
		Alert:  "KafkaRunbookCollectionFailing",
		Expr:   exporter.PollSuccessMetric + ` == 0`,
		For:    Duration(h),
		Labels: map[string]string{"severity": "warning"},
		Annotations: map[string]string{
			"summary":     "kafka-runbook serve on {{ $labels.instance }} cannot collect from the cluster; its findings are stale",
			"description": "No bootstrap server answered the last poll. " + exporter.CollectionErrorsMetric + " names what failed.",
			"runbook":     "kafka-runbook triage",
			"explain":     "kafka-runbook serve --help",
		},
	}
}
