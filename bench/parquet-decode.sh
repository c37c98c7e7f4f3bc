#!/usr/bin/env bash
# parquet-decode.sh: single-thread decode throughput of lib/parquet, per
# column shape, against DuckDB reading the same columns of the same file
# with SET threads=1, in the same run.  The file (ZSTD, one row group of
# ROWS rows, default 1000000) is written by bench/parquet-bench.c:
#
#   int64 delta         ts               INT64, DELTA_BINARY_PACKED
#   dictionary strings  svc              40 distinct, RLE_DICTIONARY
#   plain strings       name             ~25 bytes, unique, PLAIN
#   nested list         l.list.element   optional LIST<optional INT64>
#
# Ours is the best of ITERS (default 10) reads of the column chunk
# (values decoded into flat arrays with their levels, memory reused;
# dictionary strings as indices plus the dictionary, which is what DuckDB's
# dictionary vectors are).  DuckDB's is the best of ITERS of its parquet
# scan operator's time (from its JSON profile) in "SELECT max(col)".
# MB/s counts decoded bytes: 8 per integer, the string bytes, 2 per level.
# "dict strings copied" is the same column with every string copied out of
# the dictionary into the flat byte array: more work than DuckDB does.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
rows=${ROWS:-1000000}
iters=${ITERS:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote "$top/lib" \
	-o "$tmp/parquet-bench" "$top/bench/parquet-bench.c" "$build/libtempo.a" \
	$(pkg-config --libs libzstd libxxhash zlib) -lsnappy -lm
"$tmp/parquet-bench" gen "$tmp/b.parquet" "$rows"

printf '%-20s %10s %12s %9s %12s %9s %7s\n' shape values "ours v/s" "ours MB/s" \
	"duckdb v/s" "duck MB/s" "ratio"
run() {
	local shape=$1 col=$2 sql=$3 idx=${4:-} ours duck
	ours=$("$tmp/parquet-bench" decode "$tmp/b.parquet" "$col" "$iters" ${idx:+"$idx"})
	duck=$(cd "$top/tests/node" && node parquet-duckdb.js time "$tmp/b.parquet" "$sql" "$iters")
	echo "$shape $ours $duck" | awk '{
		n = $(NF-4); b = $(NF-3); t = $(NF-2); d = $NF;
		name = $1; for (i = 2; i <= NF - 5; i++) name = name " " $i;
		printf "%-20s %10d %12.3g %9.0f %12.3g %9.0f %6.2fx\n", name, n,
		    n / t, b / t / 1e6, n / d, b / d / 1e6, d / t }'
}
run "int64 delta" ts ts
run "dictionary strings" svc svc idx
run "dict strings copied" svc svc
run "plain strings" name name
run "nested list" l.list.element "list_max(l)"
