#!/usr/bin/env bash
# Fetches the Kafka jars that internal/kafkatest runs brokers and CLI tools from (make kafka-jars).
# Idempotent: does nothing if the jars for the current pom.xml are already there. Prints the jar
# directory on stdout. Shares its lock file and marker with the Go harness (libs.go), so running it
# while tests fetch is safe.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pom="$here/pom.xml"
dir="${KAFKA_RUNBOOK_KAFKA_LIBS:-$root/.cache/kafka-libs}"
# Relative to the module root, as in the Go harness, whatever directory make runs us from.
[[ "$dir" == /* ]] || dir="$root/$dir"
marker=".kafkatest-pom.sha256"
want="$(sha256sum "$pom" | cut -d' ' -f1)"

ready() {
	if [[ -f "$dir/$marker" ]]; then
		[[ "$(tr -d '[:space:]' <"$dir/$marker")" == "$want" ]]
	else
		compgen -G "$dir/kafka_2.13-*.jar" >/dev/null
	fi
}

if ready; then
	echo "$dir"
	exit 0
fi
for tool in java mvn; do
	if ! command -v "$tool" >/dev/null; then
		echo "fetch-jars.sh: $tool not found; install Java 17 and Maven" >&2
		exit 1
	fi
done

mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
if command -v flock >/dev/null; then
	flock 9
fi
if ! ready; then
	tmp="$dir.tmp"
	rm -rf "$tmp"
	mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$tmp" >&2
	echo "$want" >"$tmp/$marker"
	rm -rf "$dir"
	mv "$tmp" "$dir"
fi
echo "$dir"
