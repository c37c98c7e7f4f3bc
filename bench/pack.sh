#!/usr/bin/env bash
# pack.sh: tempo-pack throughput and stored bytes per span.
#
#   BUILD=build bench/pack.sh [TRACES]
#
# Two workloads of about TRACES traces (default 20000), each a proto span
# stream file packed into a fresh store:
#   - tempo-gen's default workload;
#   - SDK-shaped spans: the real-client captures (what the OpenTelemetry
#     JS SDK sent, 20 traces) repeated TRACES/20 times, every copy with
#     fresh trace and span IDs and later times (bench/sdk-copies.c).
# For each, prints spans packed per second of CPU (user + system, so per
# core) and bytes per span of data.parquet alone and of the whole block
# (bloom, index, meta.json too).  Goals: >= 300k spans/s per core;
# <= 50 B/span on SDK-shaped spans (Tempo 2.0.1 stored 144 B/span for
# such spans on this machine).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
traces=${1:-20000}
fixtures=${TQ_FIXTURES:-$top/../shared/fixtures/real-clients}
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for f in "$bin/tempo-gen" "$bin/tempo-pack" "$build/libtempo.a"; do
	[ -e "$f" ] || { echo "pack: $f: not built (make first)" >&2; exit 1; }
done

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
		printf "%-30s %8d spans  %s spans/s per core  %6.1f B/span data.parquet  %6.1f B/span block\n",
		    n, s, rate, d / s, b / s }'
}

# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g \
	-iquote "$top/lib" -I"$build/gen" \
	$(pkg-config --cflags libprotobuf-c libzstd) \
	-o "$work/sdk-copies" "$top/bench/sdk-copies.c" "$build/libtempo.a" \
	$(pkg-config --libs libprotobuf-c libzstd libcurl openssl jansson \
		libmicrohttpd libnghttp2 libxxhash yaml-0.1 zlib libpcre2-8) \
	-lsnappy -lreadline -lpthread -lm

"$bin/tempo-gen" --traces "$traces" >"$work/gen.pb"
run "tempo-gen $traces traces" "$work/gen.pb"
"$work/sdk-copies" $(((traces + 19) / 20)) "$fixtures"/otlp-proto/*.body.pb \
	>"$work/sdk.pb"
run "SDK-shaped $(((traces + 19) / 20 * 20)) traces" "$work/sdk.pb"
