#!/usr/bin/env bash
# stream-decode.sh: span stream decode throughput, and tempo-gen's own rate.
#
# Generates about SPANS (default 1000000) spans with tempo-gen once, into a
# proto stream of 1000-span records, then times proto -> proto copies of it
# to /dev/null:
#   - "tempo-recv FILE -o /dev/null" when tempo-recv reads files;
#   - bench/stream-copy.c (built here against libtempo.a): full decode
#     (tq_stream_reader_next + tq_stream_writer_write) and the checked
#     pass-through path (tq_stream_reader_next_pb + _write_pb).
# Figures are spans per CPU second, i.e. per core (each run is one thread);
# the goal is >= 1M spans/s per core.
#
#   BUILD=build SPANS=1000000 bench/stream-decode.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
spans=${SPANS:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$build/bin/tempo-gen" "$build/libtempo.a"; do
	[ -e "$f" ] || { echo "stream-decode: $f: not built (make first)" >&2; exit 1; }
done

# rate SPANS SECONDS prints SPANS / SECONDS as an integer.
rate() {
	awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'
}

# 1. Generate once; tempo-gen -v says how many spans and how fast.
"$build/bin/tempo-gen" --spans "$spans" --batch 1000 -v -o "$tmp/s.pb" 2>"$tmp/gen"
n=$(sed -n 's/^tempo-gen: \([0-9]*\) spans.*/\1/p' "$tmp/gen")
gen_rate=$(sed -n 's/.*, \([0-9]*\) spans\/s$/\1/p' "$tmp/gen")
size=$(stat -c %s "$tmp/s.pb")
printf 'input: %s spans, %s bytes (%s bytes/span), proto, 1000-span records\n' \
	"$n" "$size" "$((size / n))"
printf '%-28s %12s spans/s\n' "tempo-gen (generate+encode)" "$gen_rate"

# 2. tempo-recv's file mode, when it has one.
recv=$build/bin/tempo-recv
if [ -x "$recv" ] && "$recv" "$tmp/s.pb" -o /dev/null 2>/dev/null; then
	TIMEFORMAT='%3U %3S %3R'
	{ time "$recv" "$tmp/s.pb" -o /dev/null; } 2>"$tmp/recv.time"
	read -r u s r <"$tmp/recv.time"
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
	printf '%-28s %12s spans/s per core (%s s cpu, %s s wall)\n' \
		"tempo-recv FILE -o /dev/null" "$(rate "$n" "$cpu")" "$cpu" "$r"
else
	echo "tempo-recv: no file mode yet, skipped"
fi

# 3. The library directly: full decode, and pass-through.
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g \
	-iquote "$top/lib" -I"$build/gen" \
	$(pkg-config --cflags libprotobuf-c libzstd) \
	-o "$tmp/stream-copy" "$top/bench/stream-copy.c" "$build/libtempo.a" \
	$(pkg-config --libs libprotobuf-c libzstd libcurl openssl jansson \
		libmicrohttpd libnghttp2 libxxhash yaml-0.1 zlib libpcre2-8) \
	-lsnappy -lreadline -lpthread -lm
for mode in decode pass; do
	# records R spans S cpu C wall W
	read -r _ _ _ _ _ cpu _ wall < <("$tmp/stream-copy" "$mode" "$tmp/s.pb")
	printf '%-28s %12s spans/s per core (%s s cpu, %s s wall)\n' \
		"library $mode (proto->proto)" "$(rate "$n" "$cpu")" "$cpu" "$wall"
done
