#!/usr/bin/env bash
# traceql-parse.sh: TraceQL front-end speed.  Parses, then compiles
# (parse + validate, regexes compiled with PCRE2) a realistic mix of
# queries (bench/traceql-mix.txt) and the whole valid conformance corpus
# for a few seconds each, printing queries per second.
#
#   BUILD=build bench/traceql-parse.sh [SECONDS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
secs=${1:-2}
bench="$build/tests/helpers/tq-ql-bench"
[ -x "$bench" ] || { echo "traceql-parse: build first (make)" >&2; exit 1; }
"$bench" "$top/bench/traceql-mix.txt" "$secs"
"$bench" "$top/tests/traceql/valid.txt" "$secs"
