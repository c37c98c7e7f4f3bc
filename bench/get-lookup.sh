#!/bin/sh
# get-lookup.sh: trace by ID with tempo-get on a directory store of
# BLOCKS blocks of TRACES traces each (tempo-gen, one seed per block,
# written by tests/helpers/tq-mkblock with ROWGROUP-byte row groups).
# Prints, for LOOKUPS present and LOOKUPS absent IDs, the store reads per
# lookup (from --explain) and the p50/p99 latency of one tempo-get run
# per ID (process start, block listing and every block's bloom included),
# then, for one run given all the IDs at once, the mean time per ID and
# the p50/p99 of each ID's own lookup (--explain's elapsed_us: what a
# long-running process sees; the first ID reads every block's bloom).
#
#   BLOCKS=100 TRACES=10000 LOOKUPS=100 bench/get-lookup.sh
#
# The store is kept in $BENCH_DIR (default a temporary directory, removed
# at the end) and reused when it already holds BLOCKS blocks.
set -eu

BUILD=${BUILD:-build}
BLOCKS=${BLOCKS:-100}
TRACES=${TRACES:-10000}
LOOKUPS=${LOOKUPS:-100}
ROWGROUP=${ROWGROUP:-1048576}
GET=$BUILD/bin/tempo-get
GEN=$BUILD/bin/tempo-gen
MK=$BUILD/tests/helpers/tq-mkblock

if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
store=$dir/store
mkdir -p "$store"

now_ns() { date +%s%N; }

have=$(find "$store" -name meta.json 2>/dev/null | wc -l)
if [ "$have" -ne "$BLOCKS" ]; then
	rm -rf "$store" "$dir/present"
	mkdir -p "$store"
	t0=$(now_ns)
	i=1
	while [ "$i" -le "$BLOCKS" ]; do
		"$GEN" --traces "$TRACES" --seed "$i" -f json >"$dir/gen.json"
		"$MK" -r "$ROWGROUP" "$store" "$dir/gen.json" >/dev/null
		# A few trace IDs of this block, for the present lookups.
		grep -o '"traceId":"[0-9a-f]*"' "$dir/gen.json" | cut -d'"' -f4 |
			awk -v n="$LOOKUPS" -v b="$BLOCKS" 'NR % 97 == 1 && c < (n + b - 1) / b { print; c++ }' \
			>>"$dir/present"
		i=$((i + 1))
	done
	rm -f "$dir/gen.json"
	t1=$(now_ns)
	echo "store: $BLOCKS blocks x $TRACES traces, $(du -sh "$store" | cut -f1)," \
		"built in $(( (t1 - t0) / 1000000000 )) s"
fi
sort -u "$dir/present" | head -n "$LOOKUPS" >"$dir/ids.present"
od -An -tx1 -N $((16 * LOOKUPS)) /dev/urandom | tr -d ' \n' |
	fold -w 32 >"$dir/ids.absent"
echo >>"$dir/ids.absent"

# run KIND: one tempo-get per ID; latency and reads per lookup.
run() {
	: >"$dir/lat"
	: >"$dir/reads"
	: >"$dir/hits"
	while read -r id; do
		[ -n "$id" ] || continue
		t0=$(now_ns)
		st=0
		"$GET" -s "$store" -q --explain "$id" >/dev/null 2>"$dir/explain" || st=$?
		t1=$(now_ns)
		case $1:$st in
		present:0 | absent:3) ;;
		*) echo "get-lookup: $id ($1): exit $st" >&2; exit 1 ;;
		esac
		echo $(( (t1 - t0) / 1000 )) >>"$dir/lat"
		sed -n 's/.* total .* reads=\([0-9]*\) .*/\1/p' "$dir/explain" >>"$dir/reads"
		# Reads in each block whose bloom said maybe.
		grep -E ' (found|bloom-maybe-not-found) ' "$dir/explain" |
			sed 's/.* reads=\([0-9]*\) .*/\1/' >>"$dir/hits" || true
	done <"$dir/ids.$1"
	n=$(wc -l <"$dir/lat")
	sort -n "$dir/lat" >"$dir/lat.sorted"
	p50=$(sed -n "$(( (n + 1) / 2 ))p" "$dir/lat.sorted")
	p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$dir/lat.sorted")
	reads=$(awk '{ s += $1 } END { printf "%.1f", s / NR }' "$dir/reads")
	maxhit=$(sort -n "$dir/hits" | tail -1)
	nhit=$(wc -l <"$dir/hits")
	printf '%-8s %4d lookups  p50 %6.2f ms  p99 %6.2f ms  reads/lookup %6s  bloom-maybe blocks %d, max reads in one %s\n' \
		"$1" "$n" "$(echo "$p50" | awk '{ print $1 / 1000 }')" \
		"$(echo "$p99" | awk '{ print $1 / 1000 }')" "$reads" "$nhit" "${maxhit:--}"
}

echo "tempo-get, one process per lookup, $BLOCKS blocks of $TRACES traces," \
	"no time range:"
run present
run absent

# batch KIND: all IDs in one run, time per ID; then the same run with
# --explain for each ID's elapsed_us.
batch() {
	n=$(grep -c . "$dir/ids.$1")
	t0=$(now_ns)
	# shellcheck disable=SC2046
	"$GET" -s "$store" -q $(cat "$dir/ids.$1") >/dev/null || true
	t1=$(now_ns)
	# shellcheck disable=SC2046
	"$GET" -s "$store" -q --explain $(cat "$dir/ids.$1") >/dev/null \
		2>"$dir/explain" || true
	sed -n 's/.* total .* elapsed_us=\([0-9]*\)$/\1/p' "$dir/explain" |
		sort -n >"$dir/lat.sorted"
	m=$(wc -l <"$dir/lat.sorted")
	[ "$m" -eq "$n" ] || { echo "get-lookup: $m of $n IDs timed" >&2; exit 1; }
	p50=$(sed -n "$(( (n + 1) / 2 ))p" "$dir/lat.sorted")
	p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$dir/lat.sorted")
	printf '%-8s %4d IDs in one run: %6.2f ms per ID;  per lookup p50 %6.2f ms  p99 %6.2f ms\n' \
		"$1" "$n" \
		"$(echo "$t0 $t1 $n" | awk '{ print ($2 - $1) / $3 / 1e6 }')" \
		"$(echo "$p50" | awk '{ print $1 / 1000 }')" \
		"$(echo "$p99" | awk '{ print $1 / 1000 }')"
}
batch present
batch absent
