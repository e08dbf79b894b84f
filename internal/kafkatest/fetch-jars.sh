#!/usr/bin/env bash
# Fetches the Kafka jars that internal/kafkatest runs brokers and CLI tools from (make kafka-jars).
#
#   fetch-jars.sh              the default version (pom.xml) into .cache/kafka-libs
#   fetch-jars.sh 3.9.1 ...    those versions (pom-matrix.xml) into .cache/kafka-libs-3.9.1, ...
#   fetch-jars.sh all          the default version and every version in matrix-versions
#
# Idempotent: does nothing for a version whose jars are already there. Prints each jar directory
# on stdout, one a line. Shares its lock files and markers with the Go harness (libs.go), so
# running it while tests fetch is safe. $KAFKA_RUNBOOK_KAFKA_LIBS moves the default directory;
# the versioned ones sit beside it (its path with -VERSION appended).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base="${KAFKA_RUNBOOK_KAFKA_LIBS:-$root/.cache/kafka-libs}"
# Relative to the module root, as in the Go harness, whatever directory make runs us from.
[[ "$base" == /* ]] || base="$root/$base"
marker=".kafkatest-pom.sha256"
# The default version is pom.xml's kafka_2.13 version (libs.go DefaultVersion).
default="$(grep -A1 '<artifactId>kafka_2.13</artifactId>' "$here/pom.xml" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p')"

ready() { # dir digest
	if [[ -f "$1/$marker" ]]; then
		[[ "$(tr -d '[:space:]' <"$1/$marker")" == "$2" ]]
	else
		compgen -G "$1/kafka_2.13-*.jar" >/dev/null
	fi
}

fetch() { # version
	local version="$1" dir pom want args=()
	if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
		echo "fetch-jars.sh: '$version' is not a Kafka version such as 3.9.1" >&2
		exit 1
	fi
	if [[ "$version" == "$default" ]]; then
		dir="$base" pom="$here/pom.xml"
		want="$(sha256sum "$pom" | cut -d' ' -f1)"
	else
		# The digest covers the template and the version it is filled with (libs.go matrixDigest).
		dir="$base-$version" pom="$here/pom-matrix.xml" args=("-Dkafka.version=$version")
		want="$({ cat "$pom"; printf 'kafka.version=%s\n' "$version"; } | sha256sum | cut -d' ' -f1)"
	fi
	if ready "$dir" "$want"; then
		echo "$dir"
		return
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
	if ! ready "$dir" "$want"; then
		local tmp="$dir.tmp"
		rm -rf "$tmp"
		mvn -q -B -Dstyle.color=never -f "$pom" "${args[@]}" dependency:copy-dependencies -DoutputDirectory="$tmp" >&2
		echo "$want" >"$tmp/$marker"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	exec 9>&-
	echo "$dir"
}

versions=("$@")
if [[ ${#versions[@]} -eq 0 ]]; then
	versions=("$default")
elif [[ ${#versions[@]} -eq 1 && "${versions[0]}" == all ]]; then
	versions=("$default")
	while read -r line; do
		line="${line%%#*}"
		line="${line//[[:space:]]/}"
		[[ -n "$line" ]] && versions+=("$line")
	done <"$here/matrix-versions"
fi
for v in "${versions[@]}"; do
	fetch "$v"
done
