#!/usr/bin/env bash
# otlp-json.sh: OTLP/JSON decode and encode throughput (spans/s, MB/s of
# JSON text) on the real-client OTLP/JSON bodies, and Zipkin decoding on
# the Zipkin bodies.  Builds bench/otlp-json.c against $BUILD/libtempo.a
# (make first).  BENCH_SECONDS (default 1) is the time per phase.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
fixtures=${TQ_FIXTURES:-$top/../shared/fixtures/real-clients}
secs=${BENCH_SECONDS:-1}
pkgs=(libprotobuf-c libzstd libcurl openssl jansson libmicrohttpd libnghttp2 libxxhash yaml-0.1 zlib libpcre2-8)

mkdir -p "$build/bench"
# shellcheck disable=SC2046 # pkg-config output is meant to split
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g \
	-iquote "$top/lib" -I"$build/gen" $(pkg-config --cflags "${pkgs[@]}") \
	-o "$build/bench/otlp-json" "$top/bench/otlp-json.c" "$build/libtempo.a" \
	$(pkg-config --libs "${pkgs[@]}") -lsnappy -lreadline -lpthread -lm
zipkin=()
for f in "$fixtures"/zipkin-json/*.body.json; do
	zipkin+=(-z "$f")
done
echo "otlp-json: $(cat "$fixtures"/otlp-json/*.body.json | wc -c) bytes of OTLP/JSON," \
	"$(cat "$fixtures"/zipkin-json/*.body.json | wc -c) bytes of Zipkin, ${secs}s a phase"
"$build/bench/otlp-json" -s "$secs" "${zipkin[@]}" "$fixtures"/otlp-json/*.body.json
