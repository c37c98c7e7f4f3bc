#!/usr/bin/env bash
# tags.sh: tempo-ql --tags and --tag-values over a packed tempo-gen store.
#
#   BUILD=build bench/tags.sh [TRACES]
#
# Packs TRACES traces (tempo-gen's default workload, http.route as a
# dedicated column), then times, best of 3: every tag name of every
# scope, the values of a dedicated column (span.http.route), of a
# resource column (resource.service.name), of a generic int and a generic
# string attribute, and of the intrinsic name; with the bytes each read
# from the store.  Names and dictionary-covered values should cost little
# more than the footers; a generic attribute reads its Key and value
# columns.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
traces=${1:-50000}
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin/tempo-gen" --traces "$traces" >"$work/gen.pb"
mkdir -p "$work/store"
"$bin/tempo-pack" -s "$work/store" --wal "$work/wal" \
	--dedicated span:http.route "$work/gen.pb"
spans=$("$bin/tempo-recv" -f json "$work/gen.pb" |
	jq '[.resourceSpans[].scopeSpans[].spans[]] | length' |
	awk '{ s += $1 } END { print s }')
data=$(find "$work/store" -name data.parquet -printf '%s\n' |
	awk '{ s += $1 } END { print s }')
printf '%d traces, %d spans, %d bytes of data.parquet in %d blocks\n' \
	"$traces" "$spans" "$data" "$(find "$work/store" -name meta.json | wc -l)"

# run NAME ARGS...: best wall time of 3 runs and the bytes read.
run() {
	local name=$1 best="" t bytes
	shift
	for _ in 1 2 3; do
		/usr/bin/time -f '%e' -o "$work/time" \
			"$bin/tempo-ql" -s "$work/store" -f json "$@" >"$work/out"
		t=$(cat "$work/time")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t
		fi
	done
	bytes=$(jq -r .metrics.inspectedBytes "$work/out")
	printf '%-36s %6.2f s  %10d bytes read  %8d items\n' "$name" "$best" \
		"$bytes" "$(jq '[.scopes[]?.tags[], .tagValues[]?] | length' "$work/out")"
}

run "--tags" --tags
run "--tag-values span.http.route" --tag-values span.http.route
run "--tag-values resource.service.name" --tag-values resource.service.name
run "--tag-values span.http.response.status_code" \
	--tag-values span.http.response.status_code
run "--tag-values span.db.query.text" --tag-values span.db.query.text
run "--tag-values name" --tag-values name
