#!/usr/bin/env bash
# pack.sh: tempo-pack throughput and stored bytes per span.
#
#   BUILD=build bench/pack.sh [TRACES]
#
# For the tempo-gen default workload (TRACES traces, shaped like the
# OpenTelemetry SDK captures) and for the real-client captures themselves,
# prints spans packed per second of CPU (user + system: per core) and
# bytes per span of data.parquet alone and of the whole block.  Goals:
# >= 300k spans/s per core; <= 50 B/span on SDK-shaped spans (Tempo 2.0.1
# stored 144 B/span for such spans on this machine).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
traces=${1:-20000}
fixtures=${TQ_FIXTURES:-$top/../shared/fixtures/real-clients}
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

spans_in() {
	"$bin/tempo-recv" -f json "$1" |
		jq '[.resourceSpans[].scopeSpans[].spans[]] | length' |
		awk '{ s += $1 } END { print s }'
}

# run NAME STREAM: pack STREAM into a fresh store and report.
run() {
	local name=$1 in=$2 spans cpu data block
	rm -rf "$work/store" "$work/wal"
	mkdir -p "$work/store"
	spans=$(spans_in "$in")
	/usr/bin/time -f '%U %S' -o "$work/time" \
		"$bin/tempo-pack" -s "$work/store" --wal "$work/wal" "$in"
	cpu=$(awk '{ print $1 + $2 }' "$work/time")
	data=$(find "$work/store" -name data.parquet -printf '%s\n' |
		awk '{ s += $1 } END { print s }')
	block=$(find "$work/store" -type f -printf '%s\n' |
		awk '{ s += $1 } END { print s }')
	awk -v n="$name" -v s="$spans" -v c="$cpu" -v d="$data" -v b="$block" 'BEGIN {
		rate = c >= 0.05 ? sprintf("%9.0f", s / c) : "  too fast"
		printf "%-28s %8d spans  %s spans/s per core  %6.1f B/span data.parquet  %6.1f B/span block\n",
		    n, s, rate, d / s, b / s }'
}

"$bin/tempo-gen" --traces "$traces" >"$work/gen.pb"
run "tempo-gen $traces traces" "$work/gen.pb"
"$bin/tempo-recv" "$fixtures"/otlp-proto/*.body.pb >"$work/fixtures.pb"
run "real-client captures" "$work/fixtures.pb"
