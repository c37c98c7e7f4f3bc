#!/usr/bin/env bash
# parquet-write.sh: single-thread write throughput of lib/parquet for a
# realistic nested file: one row per trace, a list of spans with IDs,
# dictionary names and services, delta-encoded times, and a list of
# attributes each (see bench/parquet-bench.c), ZSTD level 3, 1 MiB pages,
# records given to the built-in shredder (checked against the schema
# first, then trusted_records), then the same data given as column
# batches with their levels.  ROWS traces (default 50000).
# MB/s counts the uncompressed column data: values PLAIN-encoded (strings
# with their 4-byte lengths) and 2 bytes per level.  Goal: >= 200 MB/s.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
rows=${ROWS:-50000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote "$top/lib" \
	-o "$tmp/parquet-bench" "$top/bench/parquet-bench.c" "$build/libtempo.a" \
	$(pkg-config --libs libzstd libxxhash zlib) -lsnappy -lm
"$tmp/parquet-bench" write "$rows" 3 | awk '{
	printf "traces %d, column data %.1f MB, file %.1f MB (best of 3)\n", $1, $2 / 1e6, $3 / 1e6
	printf "  records, each checked first: %.3f s, %.0f MB/s\n", $4, $2 / $4 / 1e6
	printf "  records, trusted:            %.3f s, %.0f MB/s\n", $5, $2 / $5 / 1e6
	printf "  column batches with levels:  %.3f s, %.0f MB/s\n", $6, $2 / $6 / 1e6 }'
