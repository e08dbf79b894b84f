#!/usr/bin/env bash
# End-to-end comparison of kafka-runbook with Kafka's own tools and kcat, on a
# real local Kafka cluster and on the simulated one. Run by hand, never in CI;
# see docs/PERFORMANCE.md for what it measures and the numbers it gave.
#
#   bench/compare.sh                 # both phases, 5 rounds each
#   ROUNDS=9 PHASES=real bench/compare.sh
#
# Environment (defaults in brackets):
#   ROUNDS [5]             runs of every command; pairs run alternately
#   PHASES ["real sim"]    which phases to run
#   KRB_BENCH_TOPICS [100] KRB_BENCH_PARTITIONS [50] KRB_BENCH_RF [2]
#   KRB_BENCH_GROUPS [500] KRB_BENCH_RECORDS [20]    the real cluster's load
#   SIM_PARTITIONS [100000] SIM_GROUPS [5000] SIM_BROKERS [6]   the simulated one
#   KEEP [0]               1 keeps the work directory (outputs of every run)
#   CPU_RUNS [20]          runs over which the brokers' CPU per triage is measured
#
# Needs: go, java 17+, kcat, GNU time (/usr/bin/time), awk. On Debian:
#   apt-get update && apt-get install -y kcat time
set -euo pipefail

ROUNDS=${ROUNDS:-5}
PHASES=${PHASES:-real sim}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/krb-compare.XXXXXX)"
results="$work/results.tsv" # phase, label, round, seconds, max RSS KiB, exit code
: >"$results"
pids=()

cleanup() {
	touch "$work/stop" # the real cluster shuts down when this file appears
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ "${KEEP:-0}" == 1 ]]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

for tool in go java kcat awk; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y kcat time; Java 17+)"
done
[[ -x /usr/bin/time ]] || die "GNU time is missing: apt-get install -y time"

log "building kafka-runbook, the simulator server and the cluster server"
(cd "$root" && go build -o "$work/kafka-runbook" ./cmd/kafka-runbook &&
	go build -o "$work/simserve" ./bench/simserve &&
	go test -c -tags kafkabench -o "$work/kafkacluster.test" ./bench/kafkacluster)
libs="$("$root/internal/kafkatest/fetch-jars.sh")"
krb="$work/kafka-runbook"
export krb

# Kafka's scripts run their tools through kafka-run-class.sh with these JVM
# options; the comparison runs the same classes from the same jars the same way.
cat >"$work/tools-log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders><Console name="err" target="SYSTEM_ERR"><PatternLayout pattern="%p %m (%c{1})%n"/></Console></Appenders>
  <Loggers><Root level="warn"><AppenderRef ref="err"/></Root></Loggers>
</Configuration>
EOF
kafka_tool() {
	java -Xmx256M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
		-XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$work/tools-log4j2.xml" -cp "$libs/*" "$@"
}
export -f kafka_tool
export work libs

load() { cut -d' ' -f1-3 /proc/loadavg; }

# measure PHASE LABEL ROUND CMD...: runs CMD once with its output in a file,
# and records wall time (bash's microsecond clock), peak RSS and exit code.
measure() {
	local phase=$1 label=$2 round=$3
	shift 3
	local out="$work/out/$phase.$label.$round"
	mkdir -p "$work/out"
	local start end code=0
	start=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr" || code=$?
	end=$EPOCHREALTIME
	local secs rss
	secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
	rss=$(tail -n 1 "$out.time")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$label" "$round" "$secs" "$rss" "$code" >>"$results"
}

# pair PHASE LABEL_A CMD_A LABEL_B CMD_B: ROUNDS alternating runs of two
# commands (strings run by bash), A first in odd rounds and B first in even
# ones, after one untimed warm-up run each (page cache, broker JIT).
pair() {
	local phase=$1 la=$2 ca=$3 lb=$4 cb=$5
	log "$phase: $la vs $lb, $ROUNDS rounds (load $(load))"
	bash -c "$ca" >/dev/null 2>&1 || true
	bash -c "$cb" >/dev/null 2>&1 || true
	for ((r = 1; r <= ROUNDS; r++)); do
		if ((r % 2)); then
			measure "$phase" "$la" "$r" bash -c "$ca"
			measure "$phase" "$lb" "$r" bash -c "$cb"
		else
			measure "$phase" "$lb" "$r" bash -c "$cb"
			measure "$phase" "$la" "$r" bash -c "$ca"
		fi
	done
}

# jvm_ticks: the CPU clock ticks (user + system) the cluster's JVMs, the
# brokers and the controller, have used so far.
jvm_ticks() {
	local p t=0
	for p in $(pgrep -P "$cluster_pid" java || true); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# cpu_cost PHASE LABEL CMD: CPU_RUNS runs of CMD (a string run by bash); records
# the CPU the cluster's JVMs spent per run beyond what they spend idle over as
# long (measured right after), and the command's own CPU per run (GNU time).
cpu_cost() {
	local phase=$1 label=$2 cmd=$3 runs=${CPU_RUNS:-20}
	local t0 t1 i0 i1 start end own
	t0=$(jvm_ticks)
	start=$EPOCHREALTIME
	own=$(/usr/bin/time -f '%U %S' bash -c "for ((i = 0; i < $runs; i++)); do $cmd >/dev/null 2>&1; done" 2>&1 | tail -n 1 || true)
	end=$EPOCHREALTIME
	t1=$(jvm_ticks)
	i0=$(jvm_ticks)
	sleep "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')"
	i1=$(jvm_ticks)
	awk -v p="$phase" -v l="$label" -v busy=$((t1 - t0)) -v idle=$((i1 - i0)) -v hz="$(getconf CLK_TCK)" -v n="$runs" \
		-v own="$own" -v s="$start" -v e="$end" 'BEGIN { split(own, o, " ")
		printf "%-8s %-36s wall %6.1f ms  brokers%s CPU %6.1f ms  own CPU %5.1f ms  (per run, %d runs; brokers idle subtracted)\n",
			p, l, (e - s) * 1000 / n, "\047", (busy - idle) * 1000 / hz / n, (o[1] + o[2]) * 1000 / n, n }' >>"$work/cpu.txt"
}

# median PHASE LABEL COLUMN: the median of a results column (4 seconds, 5 RSS).
median() {
	awk -F'\t' -v p="$1" -v l="$2" -v c="$3" '$1 == p && $2 == l { print $c }' "$results" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# codes PHASE LABEL: the distinct exit codes of a command's runs.
codes() { awk -F'\t' -v p="$1" -v l="$2" '$1 == p && $2 == l { print $6 }' "$results" | sort -u | paste -sd, -; }

# compare PHASE OURS THEIRS TARGET WANT: one line of the report. WANT is
# "faster" (theirs/ours must be >= TARGET), "within" (ours/theirs <= TARGET) or
# "none" (the ratio only).
compare() {
	local phase=$1 ours=$2 theirs=$3 target=$4 want=$5
	local a b
	a=$(median "$phase" "$ours" 4)
	b=$(median "$phase" "$theirs" 4)
	awk -v p="$phase" -v o="$ours" -v t="$theirs" -v a="$a" -v b="$b" -v ra="$(median "$phase" "$ours" 5)" \
		-v rb="$(median "$phase" "$theirs" 5)" -v tg="$target" -v w="$want" -v ca="$(codes "$phase" "$ours")" \
		-v cb="$(codes "$phase" "$theirs")" 'BEGIN {
		if (w == "faster") { ratio = b / a; verdict = ratio >= tg ? "MET" : "MISSED"; goal = sprintf(">= %sx faster", tg); shown = sprintf("%.1fx faster", ratio) }
		else { ratio = a / b; verdict = ratio <= tg ? "MET" : "MISSED"; goal = sprintf("within %sx", tg); shown = sprintf("%.2fx the time", ratio) }
		if (w == "none") { verdict = ""; goal = "-" }
		printf "%-8s %-36s %8.3f s %5.0f MiB exit %-4s | %-44s %8.3f s %5.0f MiB exit %-4s | %-16s target %-14s %s\n",
			p, o, a, ra / 1024, ca, t, b, rb / 1024, cb, shown, goal, verdict }'
}

real_phase() {
	log "real: starting a 3-broker Kafka cluster and loading it (a few minutes)"
	(cd "$root" && KRB_BENCH_STATE="$work" exec "$work/kafkacluster.test" -test.run '^TestServe$' -test.timeout 0 -test.v) \
		>"$work/cluster.log" 2>&1 &
	pids+=($!)
	cluster_pid=$!
	local waited=0
	until [[ -f "$work/cluster.env" ]]; do
		kill -0 "${pids[-1]}" 2>/dev/null || die "the cluster server exited: $(tail -n 30 "$work/cluster.log")"
		((waited++ < 900)) || die "the cluster was not loaded after 15 minutes"
		sleep 1
	done
	# shellcheck disable=SC1091
	source "$work/cluster.env"
	export BOOTSTRAP krb
	log "real: $N_PARTITIONS partitions (RF $N_RF) and $N_GROUPS groups on $N_BROKERS brokers at $BOOTSTRAP"

	pair real "krb describe groups" '"$krb" describe groups -b "$BOOTSTRAP"' \
		"kafka-consumer-groups --describe --all-groups" \
		'kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$BOOTSTRAP" --describe --all-groups'
	pair real "krb describe groups -o json" '"$krb" describe groups -b "$BOOTSTRAP" -o json' \
		"kafka-consumer-groups (again)" \
		'kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$BOOTSTRAP" --describe --all-groups'
	pair real "krb triage" '"$krb" triage -b "$BOOTSTRAP"' "kcat -L" 'kcat -L -b "$BOOTSTRAP"'
	log "real: what triage and kcat -L cost the brokers' CPU"
	cpu_cost real "kcat -L" 'kcat -L -b "$BOOTSTRAP"'
	cpu_cost real "krb triage" '"$krb" triage -b "$BOOTSTRAP"'
	cpu_cost real "krb describe brokers (Metadata only)" '"$krb" describe brokers -b "$BOOTSTRAP"'

	log "real: stopping broker 3 and waiting for the ISRs to shrink"
	touch "$work/kill"
	until [[ -f "$work/killed" ]]; do sleep 0.2; done
	local live=${BOOTSTRAP%,*} before=-1 n stable=0 # broker 3 is the last address
	export BOOTSTRAP=$live
	for ((i = 0; i < 120 && stable < 3; i++)); do
		sleep 2
		n=$("$krb" describe partitions --under-replicated -b "$BOOTSTRAP" -o json | awk '/"partition":/ { n++ } END { print n + 0 }')
		if ((n > 0 && n == before)); then ((stable++)) || true; else stable=0; fi
		before=$n
	done
	log "real: $n under-replicated partitions"
	pair degraded "krb describe partitions --under-rep" '"$krb" describe partitions --under-replicated -b "$BOOTSTRAP"' \
		"kafka-topics --under-replicated-partitions" \
		'kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --describe --under-replicated-partitions'
	pair degraded "krb describe partitions --u-r --all" '"$krb" describe partitions --under-replicated --all -b "$BOOTSTRAP"' \
		"kafka-topics (again)" \
		'kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --describe --under-replicated-partitions'
	pair degraded "krb triage" '"$krb" triage -b "$BOOTSTRAP"' "kcat -L" 'kcat -L -b "$BOOTSTRAP"'

	touch "$work/stop"
	wait "${pids[-1]}" || true
	unset 'pids[-1]'
}

sim_phase() {
	log "sim: serving ${SIM_PARTITIONS:-100000} partitions and ${SIM_GROUPS:-5000} groups"
	"$work/simserve" -partitions "${SIM_PARTITIONS:-100000}" -groups "${SIM_GROUPS:-5000}" \
		-brokers "${SIM_BROKERS:-6}" -ready "$work/sim.addr" >"$work/sim.log" 2>&1 &
	pids+=($!)
	local waited=0
	until [[ -s "$work/sim.addr" ]]; do
		kill -0 "${pids[-1]}" 2>/dev/null || die "the simulator exited: $(cat "$work/sim.log")"
		((waited++ < 1200)) || die "the simulator did not start within 10 minutes"
		sleep 0.5
	done
	log "sim: $(head -n 1 "$work/sim.log")"
	SIMADDR=$(cat "$work/sim.addr")
	export SIMADDR
	pair sim "krb triage" '"$krb" triage -b "$SIMADDR"' "kcat -L" 'kcat -L -b "$SIMADDR"'
	kill "${pids[-1]}"
	wait "${pids[-1]}" || true
	unset 'pids[-1]'
}

log "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); load $(load)"
for phase in $PHASES; do
	"${phase}_phase"
done

echo
echo "kafka-runbook $(cd "$root" && git describe --tags --always --dirty 2>/dev/null || echo dev), $ROUNDS rounds, medians; $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load now $(load)"
if [[ " $PHASES " == *" real "* ]]; then
	compare real "krb describe groups" "kafka-consumer-groups --describe --all-groups" 10 faster
	compare real "krb describe groups -o json" "kafka-consumer-groups (again)" 10 faster
	compare real "krb triage" "kcat -L" 2 within
	compare degraded "krb describe partitions --under-rep" "kafka-topics --under-replicated-partitions" 3 faster
	compare degraded "krb describe partitions --u-r --all" "kafka-topics (again)" 3 faster
	compare degraded "krb triage" "kcat -L" 2 within
	cat "$work/cpu.txt"
fi
if [[ " $PHASES " == *" sim "* ]]; then
	compare sim "krb triage" "kcat -L" 0 none
	awk -F'\t' '$1 == "sim" && $2 == "krb triage" { print $4, $5 }' "$results" | sort -g |
		awk '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "sim   krb triage: median %.3f s (target < 5 s: %s), peak RSS max %.0f MiB over %d runs (target < 300 MiB: %s)\n", t[int((NR + 1) / 2)], t[int((NR + 1) / 2)] < 5 ? "MET" : "MISSED", m / 1024, NR, m / 1024 < 300 ? "MET" : "MISSED" }'
fi
echo "every run: $results (KEEP=1 keeps it)"
[[ "${KEEP:-0}" == 1 ]] && column -t -s $'\t' "$results"
exit 0
