#!/usr/bin/env bash
# traceql-search.sh: TraceQL search speed on one block of >= 1M spans, per
# query shape, against DuckDB (SET threads=1) running the equivalent SQL
# over the same data.parquet in the same run.
#
# The block: tempo-gen's shop traces (TRACES, default 100000, about 11
# spans each), packed by tempo-pack into one block with http.route as a
# dedicated span column.  Ours: tempo-ql -j 1 --limit 20, best of ITERS
# (default 3) wall times as tempo-ql -v reports them (compiling, listing,
# reading, decoding, evaluating, building results); every row group is
# read unless statistics or dictionaries rule it out.  DuckDB: best of
# ITERS of the SQL, which counts the matching traces; ours counts them in
# one more run with --limit 0 (not timed), and both counts are printed.
# Spans/s divides the block's spans by the time.  "no match, pruned" is a
# value in no dictionary, which the block's values filter rules out in one
# small visit; "no match, scanned" asks the same through a regex, which
# neither the filter nor a dictionary rules out: their ratio is what
# pruning saves; "full scan" is { }, which reads every row group's spans.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
traces=${TRACES:-100000}
iters=${ITERS:-3}
bin=$build/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin/tempo-gen" --traces "$traces" --seed 5 -o "$tmp/gen.pb"
mkdir -p "$tmp/store"
"$bin/tempo-pack" -q -s "$tmp/store" --wal "$tmp/wal" \
	--max-block-bytes 64G --max-block-duration 1000h --max-live-bytes 64G \
	--dedicated span:http.route "$tmp/gen.pb"
nblocks=$(find "$tmp/store/single-tenant" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$nblocks" -eq 1 ] || { echo "expected one block, got $nblocks" >&2; exit 1; }
file=$(ls "$tmp"/store/single-tenant/*/data.parquet)
spans=$("$bin/tempo-ql" -s "$tmp/store" -j 1 -v --limit 1 -f json \
	'{ name =~ "no-such-span.*" }' 2>&1 >/dev/null | sed -n 's/.*traces, \([0-9]*\) spans.*/\1/p')
echo "block: $traces traces, $spans spans, $(stat -c %s "$file") bytes of data.parquet"

SP="flatten(list_transform(flatten(list_transform(rs, r -> r.ss)), s -> s.Spans))"
FROM="FROM (SELECT $SP AS sp FROM read_parquet('$file'))"

printf '%-22s %9s %12s %9s %12s %8s %7s %7s\n' shape "ours ms" "ours span/s" \
	"duck ms" "duck span/s" "faster" "ours n" "duck n"
declare -A ours_ms
run() {
	local shape=$1 q=$2 cond=$3 best=999999999 t n duck
	for _ in $(seq "$iters"); do
		t=$("$bin/tempo-ql" -s "$tmp/store" -j 1 -v --limit 20 -f json "$q" \
		    2>&1 >/dev/null | sed -n 's/.* in \([0-9.]*\) ms;.*/\1/p')
		best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
	done
	ours_ms[${shape// /_}]=$best
	n=$("$bin/tempo-ql" -s "$tmp/store" -j 1 --limit 0 -f json "$q" | jq '.traces | length')
	duck=$(cd "$top/tests/node" && node duckdb-sql-time.js \
	    "SELECT count(*) $FROM WHERE len(list_filter(sp, p -> $cond)) > 0" "$iters")
	echo "$shape|$best|$duck|$n|$spans" | awk -F'|' '{
		split($3, d, " "); ms = $2; dms = d[1] * 1000;
		printf "%-22s %9.1f %12.3g %9.1f %12.3g %7.1fx %7d %7d\n", $1, ms,
		    $5 / ms * 1000, dms, $5 / dms * 1000, dms / ms, $4, d[2] }'
}
run "dedicated equality" '{ span.http.route = "/api/cart" }' \
	"p.DedicatedAttributes.String01 = '/api/cart'"
run "generic equality" '{ span.http.request.method = "POST" }' \
	"len(list_filter(p.Attrs, a -> a.Key = 'http.request.method' AND list_contains(a.Value, 'POST'))) > 0"
run "duration > 100ms" '{ duration > 100ms }' "p.DurationNano > 100000000"
run "regex on name" '{ name =~ "GET.*" }' "regexp_full_match(p.Name, 'GET.*')"
run "structural >>" '{ kind = server } >> { status = error }' \
	"p.StatusCode = 2 AND len(list_filter(sp, a -> a.Kind = 2 AND a.NestedSetLeft < p.NestedSetLeft AND p.NestedSetRight < a.NestedSetRight)) > 0"
run "no match, pruned" '{ name = "no-such-span" }' "p.Name = 'no-such-span'"
run "no match, scanned" '{ name =~ "no-such-span.*" }' "regexp_full_match(p.Name, 'no-such-span.*')"
run "full scan { }" '{ }' "true"
awk -v a="${ours_ms[no_match,_pruned]}" -v b="${ours_ms[no_match,_scanned]}" \
	-v c="${ours_ms[full_scan_{_}]}" 'BEGIN {
	printf "pruning: the no-match query is %.0fx faster than a full scan", c / a
	printf " and %.0fx faster than scanning its column for it\n", b / a }'
