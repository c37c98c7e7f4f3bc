#!/usr/bin/env bats
# tempo-get.bats: traces by ID across blocks, --explain, exit statuses,
# the tree, --list and --inspect, broken blocks, and the man page's
# examples.  Blocks are made with tests/helpers/tq-mkblock: the three
# real-client requests become three blocks (their traces are split across
# requests, so across blocks), and a tempo-gen stream two blocks of
# alternate records.
load helper

# Fields vParquet4 does not store, left out of every comparison: span
# flags (so parent_is_remote) and schema URLs; and batch, the record
# number in a stream, which tempo-get sets to one record per trace.
STRIP='del(.parent_is_remote, .batch, .scope.schema_url)'

setup_file() {
	local i
	export STORE="$BATS_FILE_TMPDIR/fixtures" GSTORE="$BATS_FILE_TMPDIR/gen"
	export TSTORE="$BATS_FILE_TMPDIR/tree"
	mkdir -p "$STORE" "$GSTORE" "$TSTORE"
	for i in 1 2 3; do
		tempo-recv "$TQ_FIXTURES/otlp-proto/00000$i.body.pb" \
			>"$BATS_FILE_TMPDIR/req$i.pb"
		"$TQ_HELPERS/tq-mkblock" -r 20000 "$STORE" \
			"$BATS_FILE_TMPDIR/req$i.pb" >/dev/null
	done
	tempo-gen --traces 40 --batch 7 --seed 11 -f json >"$BATS_FILE_TMPDIR/gen.json"
	awk 'NR % 2 == 1' "$BATS_FILE_TMPDIR/gen.json" >"$BATS_FILE_TMPDIR/gen-a.json"
	awk 'NR % 2 == 0' "$BATS_FILE_TMPDIR/gen.json" >"$BATS_FILE_TMPDIR/gen-b.json"
	"$TQ_HELPERS/tq-mkblock" -r 4000 "$GSTORE" "$BATS_FILE_TMPDIR/gen-a.json" >/dev/null
	"$TQ_HELPERS/tq-mkblock" "$GSTORE" "$BATS_FILE_TMPDIR/gen-b.json" >/dev/null
	"$TQ_HELPERS/tq-mkblock" "$TSTORE" "$TQ_TOP/tests/data/get/tree.json" \
		>"$BATS_FILE_TMPDIR/tree-block"
	jq -r .trace_id "$TQ_FIXTURES/ground-truth.jsonl" | sort -u \
		>"$BATS_FILE_TMPDIR/fixture-ids"
	"$TQ_HELPERS/tq-flatten" "$BATS_FILE_TMPDIR/gen.json" |
		jq -r .trace_id | sort -u >"$BATS_FILE_TMPDIR/gen-ids"
}

# compare TRUTH ACTUAL: every span, every stored field.
compare() {
	jq -c "$STRIP" "$1" >"$BATS_TEST_TMPDIR/want.jsonl"
	jq -c "$STRIP" "$2" >"$BATS_TEST_TMPDIR/got.jsonl"
	run -0 node "$TQ_NODE/compare-ground-truth.js" \
		"$BATS_TEST_TMPDIR/want.jsonl" "$BATS_TEST_TMPDIR/got.jsonl"
	assert_output "$3 spans compared, 0 differences"
}

# A trace of the fixtures that is split across two blocks.
SPLIT=df3cccb6716d89195d05c9e03604e4bd

@test "tempo-get: the traces are split across blocks (the test's premise)" {
	local n
	n=$(for i in 1 2 3; do
		"$TQ_HELPERS/tq-flatten" "$BATS_FILE_TMPDIR/req$i.pb" |
			jq -r .trace_id | sort -u
	done | sort | uniq -d | wc -l)
	[ "$n" -gt 0 ]
	run -0 --separate-stderr tempo-get -s "$STORE" --explain "$SPLIT"
	[ "$(grep -c ' found ' <<<"$stderr")" -eq 2 ]
}

@test "tempo-get: real-client traces come back whole, every field, json" {
	run -0 --separate-stderr tempo-get -s "$STORE" $(cat "$BATS_FILE_TMPDIR/fixture-ids")
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 20 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
	"$TQ_HELPERS/tq-flatten" "$BATS_TEST_TMPDIR/out.json" >"$BATS_TEST_TMPDIR/spans"
	compare "$TQ_FIXTURES/ground-truth.jsonl" "$BATS_TEST_TMPDIR/spans" 220
}

@test "tempo-get: real-client traces, -f proto and -o" {
	run -0 --separate-stderr tempo-get -s "$STORE" -f proto \
		-o "$BATS_TEST_TMPDIR/out.pb" $(cat "$BATS_FILE_TMPDIR/fixture-ids")
	[ -z "$output" ]
	"$TQ_HELPERS/tq-flatten" "$BATS_TEST_TMPDIR/out.pb" >"$BATS_TEST_TMPDIR/spans"
	[ "$(jq -r .batch "$BATS_TEST_TMPDIR/spans" | sort -u | wc -l)" -eq 20 ]
	compare "$TQ_FIXTURES/ground-truth.jsonl" "$BATS_TEST_TMPDIR/spans" 220
}

@test "tempo-get: tempo-gen traces split over two blocks come back whole" {
	"$TQ_HELPERS/tq-flatten" "$BATS_FILE_TMPDIR/gen.json" >"$BATS_TEST_TMPDIR/truth"
	run -0 --separate-stderr tempo-get -s "$GSTORE" --explain \
		$(cat "$BATS_FILE_TMPDIR/gen-ids")
	[ "${#lines[@]}" -eq 40 ]
	# Some traces were in both blocks.
	[ "$(grep ' found ' <<<"$stderr" | awk '{print $3}' | uniq -d | wc -l)" -gt 5 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
	"$TQ_HELPERS/tq-flatten" "$BATS_TEST_TMPDIR/out.json" >"$BATS_TEST_TMPDIR/spans"
	compare "$BATS_TEST_TMPDIR/truth" "$BATS_TEST_TMPDIR/spans" \
		"$(wc -l <"$BATS_TEST_TMPDIR/truth")"
}

@test "tempo-get: the comparison sees a lost span" {
	run -0 --separate-stderr tempo-get -s "$STORE" "$SPLIT"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
	jq -c "select(.trace_id == \"$SPLIT\")" "$TQ_FIXTURES/ground-truth.jsonl" \
		>"$BATS_TEST_TMPDIR/truth"
	"$TQ_HELPERS/tq-flatten" "$BATS_TEST_TMPDIR/out.json" | sed 1d \
		>"$BATS_TEST_TMPDIR/spans"
	jq -c "$STRIP" "$BATS_TEST_TMPDIR/truth" >"$BATS_TEST_TMPDIR/w"
	jq -c "$STRIP" "$BATS_TEST_TMPDIR/spans" >"$BATS_TEST_TMPDIR/g"
	run -1 node "$TQ_NODE/compare-ground-truth.js" "$BATS_TEST_TMPDIR/w" \
		"$BATS_TEST_TMPDIR/g"
	assert_line --partial ": missing"
}

@test "tempo-get: uppercase and short IDs; a short ID is zero-padded" {
	run -0 --separate-stderr tempo-get -s "$STORE" "${SPLIT^^}"
	[ "$(jq -r '.resourceSpans[0].scopeSpans[0].spans[0].traceId' <<<"$output")" = "$SPLIT" ]
	run -0 --separate-stderr tempo-get -s "$TSTORE" ABC
	[ "$(jq -r '.resourceSpans[0].scopeSpans[0].spans[0].traceId' <<<"$output")" = \
		00000000000000000000000000000abc ]
	run -0 --separate-stderr tempo-get -s "$TSTORE" 0000abc
	[ "${#lines[@]}" -eq 1 ]
}

@test "tempo-get: exit 3 when some ID is missing, the others still printed" {
	run -3 --separate-stderr tempo-get -s "$STORE" ff "$SPLIT"
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "tempo-get: ff: trace not found" ]
	run -3 --separate-stderr tempo-get -s "$STORE" -q ff
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "tempo-get: a bad ID is a usage error naming it" {
	run -2 --separate-stderr tempo-get -s "$STORE" "$SPLIT" xyz
	[ -z "$output" ]
	[[ ${stderr_lines[0]} == "tempo-get: xyz: not a trace ID (1 to 32 hex digits)" ]]
	[[ $stderr == *"usage: tempo-get"* ]]
	run -2 --separate-stderr tempo-get -s "$STORE" 0123456789abcdef0123456789abcdef0
	[[ $stderr == *"0123456789abcdef0123456789abcdef0: not a trace ID"* ]]
	run -2 --separate-stderr tempo-get -s "$STORE" ""
	[[ $stderr == *": not a trace ID"* ]]
}

@test "tempo-get: usage errors: no store, no ID, bad format, --list with an ID" {
	TEMPO_STORE= run -2 --separate-stderr tempo-get "$SPLIT"
	[[ $stderr == *"no store"* ]]
	run -2 --separate-stderr tempo-get -s "$STORE"
	[[ $stderr == *"no trace ID"* ]]
	run -2 --separate-stderr tempo-get -s "$STORE" -f yaml "$SPLIT"
	[[ $stderr == *"yaml: unknown format"* ]]
	run -2 --separate-stderr tempo-get -s "$STORE" --list "$SPLIT"
	run -2 --separate-stderr tempo-get -s "$STORE" --list -f tree
	run -2 --separate-stderr tempo-get -s "$STORE" --start 2026-01-02T00:00:00Z \
		--end 2026-01-01T00:00:00Z "$SPLIT"
	[[ $stderr == *"--start is after --end"* ]]
	[ -z "$output" ]
}

@test "tempo-get: a store that does not exist is a run-time error" {
	run -1 --separate-stderr tempo-get -s "$BATS_TEST_TMPDIR/none" "$SPLIT"
	[[ $stderr == "tempo-get: $BATS_TEST_TMPDIR/none: "* ]]
}

@test "tempo-get: --explain, one line per block, bloom miss 1 read, hit at most 3" {
	local line n=0
	run -0 --separate-stderr tempo-get -s "$STORE" --explain "$SPLIT"
	[ "${#stderr_lines[@]}" -eq 4 ]
	for line in "${stderr_lines[@]:0:3}"; do
		[[ $line =~ ^tempo-get:\ explain:\ $SPLIT\ [0-9a-f-]{36}\ (bloom-absent|bloom-maybe-not-found|found)\ reads=([0-9]+)\ bytes=[0-9]+\ row_group=(-|[0-9]+)$ ]] ||
			fail "bad line: $line"
		case ${BASH_REMATCH[1]} in
		bloom-absent) [ "${BASH_REMATCH[2]}" -eq 1 ] && [ "${BASH_REMATCH[3]}" = - ] ;;
		found) n=$((n + 1))
			[ "${BASH_REMATCH[2]}" -le 3 ] || fail "a hit took ${BASH_REMATCH[2]} reads: $line"
			[ "${BASH_REMATCH[3]}" != - ] ;;
		esac
	done
	[ "$n" -eq 2 ]
	[[ ${stderr_lines[3]} =~ ^tempo-get:\ explain:\ $SPLIT\ total\ blocks=3\ read=3\ found=2\ reads=[0-9]+\ bytes=[0-9]+\ elapsed_us=[0-9]+$ ]]
	# Block lines come in block ID order, as --list prints them.
	[ "$(printf '%s\n' "${stderr_lines[@]:0:3}" | awk '{print $4}')" = \
		"$(tempo-get -s "$STORE" --list -f json | jq -r .block_id)" ]
}

@test "tempo-get: --explain's total line follows the trace; its times add up to less than the run" {
	local f="$BATS_TEST_TMPDIR/both" t0 t1 n
	# stdout and stderr into one file, in the order they were written.
	t0=$(date +%s%N)
	tempo-get -s "$GSTORE" --explain $(cat "$BATS_FILE_TMPDIR/gen-ids") \
		>"$f" 2>&1
	t1=$(date +%s%N)
	n=$(wc -l <"$BATS_FILE_TMPDIR/gen-ids")
	[ "$(grep -c ' total .* elapsed_us=[0-9]*$' "$f")" -eq "$n" ]
	# The line before each total line is its trace.
	[ "$(grep -B1 ' total ' "$f" | grep -c '^{"resourceSpans"')" -eq "$n" ]
	run -0 awk -v wall=$(( (t1 - t0) / 1000 )) \
		'/ total / { split($NF, kv, "="); s += kv[2]; if (kv[2] <= 0) bad++ }
		END { if (bad || s > wall) { print s, wall, bad; exit 1 } }' "$f"
}

@test "tempo-get: --explain's elapsed_us counts writing the trace (a slow reader)" {
	local max
	# 40 traces are over 500 KB of json, more than a pipe holds: one
	# write waits for the reader's second of sleep.
	run -0 --separate-stderr bash -c 'tempo-get -s "$1" --explain $(cat "$2") |
		{ sleep 1; cat >/dev/null; }' _ "$GSTORE" "$BATS_FILE_TMPDIR/gen-ids"
	max=$(sed -n 's/.* total .* elapsed_us=\([0-9]*\)$/\1/p' <<<"$stderr" |
		sort -n | tail -n 1)
	[ "$max" -ge 500000 ]
}

@test "tempo-get: a directory store never loads libcurl; an HTTP store without it is a clear error" {
	local d="$BATS_TEST_TMPDIR/lib" z
	# The dynamic loader's list of the files it loads.
	LD_DEBUG=files run -0 --separate-stderr tempo-get -s "$STORE" "$SPLIT"
	[ "${#lines[@]}" -eq 1 ]
	[[ $stderr == *"file=libc.so.6 "* ]]
	[[ $stderr != *libcurl* ]]
	# An S3 store loads it, here to find nothing listening on a free port.
	LD_DEBUG=files AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s \
		AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$(free_port)" \
		run -1 --separate-stderr tempo-get -s s3://bkt/p --list
	[[ $stderr == *"file=libcurl.so.4 "* ]]
	[[ $stderr == *"tempo-get: list: Couldn't connect to server"* ]]
	# An empty file stands first in the search path for libcurl.so.4.
	mkdir -p "$d"
	: >"$d/libcurl.so.4"
	LD_LIBRARY_PATH=$d AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s \
		AWS_REGION=us-east-1 run -1 --separate-stderr \
		tempo-get -s s3://bkt/p "$SPLIT"
	[ -z "$output" ]
	[[ $stderr == "tempo-get: s3://bkt/p: HTTP stores need libcurl: $d/libcurl.so.4: "* ]]
	# A library that is not libcurl: the missing function is named.
	z=$(ldd "$(command -v tempo-get)" | awk '$1 ~ /^libz\.so/ { print $3 }')
	cp "$z" "$d/libcurl.so.4"
	LD_LIBRARY_PATH=$d AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s \
		AWS_REGION=us-east-1 run -1 --separate-stderr \
		tempo-get -s s3://bkt/p "$SPLIT"
	assert_equal "$stderr" "tempo-get: s3://bkt/p: HTTP stores need libcurl 7.85 or later: libcurl.so.4 has no curl_easy_cleanup"
}

@test "tempo-get: --explain for an absent ID: every block one read" {
	run -3 --separate-stderr tempo-get -s "$STORE" --explain ffff
	[ "$(grep -c ' bloom-absent reads=1 ' <<<"$stderr")" -eq 3 ]
	assert_equal "${stderr_lines[4]}" "tempo-get: ffff: trace not found"
	# One ID: the shard's 24-byte header and the words probed, 8 bytes
	# each, at most k = 7.
	run -0 awk '/ bloom-absent / { split($7, b, "=")
		if (b[2] < 32 || b[2] > 80 || (b[2] - 24) % 8) exit 1 }' <<<"$stderr"
	# Two: the first reads the shards whole and keeps them, the second
	# reads nothing.
	run -3 --separate-stderr tempo-get -s "$STORE" --explain -q ffff fffe
	[ "$(grep -c '^tempo-get: explain: 0*ffff .* bloom-absent reads=1 bytes=102424 ' <<<"$stderr")" -eq 3 ]
	[ "$(grep -c '^tempo-get: explain: 0*fffe .* bloom-absent reads=0 bytes=0 ' <<<"$stderr")" -eq 3 ]
}

@test "tempo-get: --start and --end skip blocks outside the range" {
	# The fixture blocks cover 00:00:00-02, 00:00:01-04 and 00:00:02-04;
	# the split trace is in the last two.
	run -0 --separate-stderr tempo-get -s "$STORE" --explain \
		--end 2026-01-01T00:00:01Z "$SPLIT"
	[ "$(grep -c ' time-range reads=0 bytes=0 row_group=-$' <<<"$stderr")" -eq 1 ]
	[[ $stderr == *" total blocks=3 read=2 found=1 "* ]]
	run -0 --separate-stderr tempo-get -s "$STORE" --explain \
		--start 2026-01-01T00:00:03Z "$SPLIT"
	[ "$(grep -c ' time-range ' <<<"$stderr")" -eq 1 ]
	[[ $stderr == *" total blocks=3 read=2 found=2 "* ]]
	run -3 --separate-stderr tempo-get -s "$STORE" --explain \
		--end 2026-01-01T00:00:00Z "$SPLIT"
	[ "$(grep -c ' time-range ' <<<"$stderr")" -eq 2 ]
	run -3 --separate-stderr tempo-get -s "$STORE" --explain \
		--start 2026-01-02T00:00:00Z "$SPLIT"
	[ "$(grep -c ' time-range ' <<<"$stderr")" -eq 3 ]
	[ -z "$output" ]
}

# The waterfalls of the two hand-made traces of tests/data/get/tree.json:
# abc has children out of start order in the file and two errors; its
# critical path leaves the short auth call and the early email send.
# def has a span whose parent is missing: a second root.
TREE='trace 00000000000000000000000000000abc  100.00ms  5 spans  5 services  2 errors  critical path 3 spans
|########################################|  100.00ms * frontend: GET /checkout
|  ====                                  |   10.00ms     auth: verify OK
|        ############################    |   70.00ms *   checkout: place order ERROR: payment declined
|            ####################        |   50.00ms *     payment: charge ERROR
|                ==                      |    5.00ms       email: send

trace 00000000000000000000000000000def  10.00ms  2 spans  2 services  0 errors  critical path 1 span
|########################################|   10.00ms * api: handle
|        ========                        |    2.00ms   worker: job'

@test "tempo-get: -f tree of small hand-made traces" {
	NO_COLOR=1 run -0 --separate-stderr tempo-get -s "$TSTORE" -f tree abc def
	[ -z "$stderr" ]
	diff -u <(printf '%s\n' "$TREE") <(printf '%s\n' "$output")
}

@test "tempo-get: -o writes the tree, and --list, to a file" {
	run -0 --separate-stderr tempo-get -s "$TSTORE" -f tree -o "$BATS_TEST_TMPDIR/t" abc def
	[ -z "$output" ]
	diff -u <(printf '%s\n' "$TREE") "$BATS_TEST_TMPDIR/t"
	run -0 --separate-stderr tempo-get -s "$TSTORE" --list -o "$BATS_TEST_TMPDIR/l"
	[ -z "$output" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/l")" -eq 2 ]
	run -1 --separate-stderr tempo-get -s "$TSTORE" -o "$BATS_TEST_TMPDIR/no/such" abc
	[[ $stderr == "tempo-get: $BATS_TEST_TMPDIR/no/such: No such file or directory" ]]
}

@test "tempo-get: tree is the default on a terminal, in colour unless NO_COLOR" {
	run -0 script -qec "tempo-get -s '$TSTORE' abc" /dev/null
	[[ $output == *$'\e[31mcheckout: place order ERROR: payment declined\e[0m'* ]]
	[[ $output == *$'|\e[33m########################################\e[0m|'* ]]
	NO_COLOR=1 run -0 script -qec "tempo-get -s '$TSTORE' abc" /dev/null
	[[ $output == *"|  ====      "* ]]
	[[ $output != *$'\e['* ]]
}

@test "tempo-get: -v says where a trace was found" {
	run -0 --separate-stderr tempo-get -s "$STORE" -v "$SPLIT"
	[[ $stderr =~ ^tempo-get:\ $SPLIT:\ found\ in\ 2\ blocks,\ [0-9]+\ spans$ ]]
}

@test "tempo-get: | head ends quietly" {
	run -0 --separate-stderr bash -c "tempo-get -s '$GSTORE' \$(cat '$BATS_FILE_TMPDIR/gen-ids') | head -1 | wc -l"
	[ "$output" = 1 ]
	[ -z "$stderr" ]
}

@test "tempo-get: --list as a table and as json" {
	run -0 --separate-stderr tempo-get -s "$STORE" --list
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} =~ ^BLOCK\ +LVL\ +TRACES\ +SIZE\ +RGS\ +START\ +END\ +AGE$ ]]
	[[ ${lines[1]} =~ ^[0-9a-f-]{36}\ +0\ +[0-9]+\ +[0-9.]+(B|KiB)\ +[0-9]+\ 2026-01-01T00:00:0[0-4]Z\ 2026-01-01T00:00:0[0-4]Z\ +[0-9]+d[0-9]{2}h$ ]]
	run -0 --separate-stderr tempo-get -s "$STORE" --list -f json
	[ "${#lines[@]}" -eq 3 ]
	# 20 traces, one counted in each block it is in.
	[ "$(jq -s 'map(.traces) | add' <<<"$output")" -gt 20 ]
	[ "$(jq -s 'map(.size_bytes) | add' <<<"$output")" -eq \
		"$(cat "$STORE"/single-tenant/*/data.parquet | wc -c)" ]
	jq -e -s 'all(.[]; .tenant == "single-tenant" and .format == "vParquet4"
		and .level == 0 and .row_groups >= 1 and .bloom_shards == 1
		and .start_s >= 1767225600 and .end_s <= 1767225604
		and .age_s > 0 and (.footer_bytes | type) == "number")' <<<"$output"
}

@test "tempo-get: --list of an empty tenant prints nothing" {
	run -0 --separate-stderr tempo-get -s "$STORE" -t nobody --list
	[ -z "$output" ]
}

@test "tempo-get: --inspect as json: meta, row groups, columns, attributes" {
	local b
	b=$(tempo-get -s "$STORE" --list -f json | jq -r 'select(.row_groups > 1) | .block_id' | head -1)
	run -0 --separate-stderr tempo-get -s "$STORE" --inspect "$b" -f json
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/i.json"
	jq -e -s --arg b "$b" '
		(map(select(.record == "block")) | length == 1 and .[0].block_id == $b)
		and ((map(select(.record == "row_group")) | length) ==
		     (map(select(.record == "block"))[0].row_groups))
		and ((map(select(.record == "row_group") | .rows) | add) ==
		     (map(select(.record == "block"))[0].traces))
		and ((map(select(.record == "column")) | length) ==
		     (map(select(.record == "block"))[0].columns))
		and (map(select(.record == "column" and .path == "TraceID"))[0]
		     | .codecs == ["UNCOMPRESSED"]
		     and .values == (.values | floor)
		     and .compressed_bytes > 0)
		and (map(select(.record == "column" and
		     .path == "rs.list.element.ss.list.element.Spans.list.element.Name"))[0]
		     | .codecs == ["ZSTD"])
		and (map(select(.record == "attribute") | .bytes) as $x
		     | ($x | length) > 10 and $x == ($x | sort | reverse))' \
		"$BATS_TEST_TMPDIR/i.json"
	# Column bytes add up to the row groups'.
	[ "$(jq -s 'map(select(.record == "column") | .compressed_bytes) | add' "$BATS_TEST_TMPDIR/i.json")" -eq \
		"$(jq -s 'map(select(.record == "row_group") | .compressed_bytes) | add' "$BATS_TEST_TMPDIR/i.json")" ]
	# Well-known attributes have their own columns and are not listed.
	[ "$(jq -s 'map(select(.record == "attribute" and .key == "service.name")) | length' "$BATS_TEST_TMPDIR/i.json")" -eq 0 ]
}

@test "tempo-get: --inspect as a table" {
	local b
	b=$(cat "$BATS_FILE_TMPDIR/tree-block")
	run -0 --separate-stderr tempo-get -s "$TSTORE" --inspect "$b"
	assert_line "block         $b"
	assert_line "traces        2"
	assert_line "row groups    1"
	assert_line "start         2026-01-01T00:00:00Z"
	assert_line --regexp '^ROW GROUP +ROWS +COMPRESSED +UNCOMPRESSED$'
	assert_line --regexp '^0 +2 +[0-9]+ +[0-9]+$'
	assert_line --regexp '^ +[0-9]+ +[0-9]+ ZSTD +[A-Z_,]+ +rs.ss.Spans.Name$'
	assert_line --regexp '^ +BYTES +COUNT SCOPE +ATTRIBUTE'
}

@test "tempo-get: --inspect of an unknown block, and a bad block ID" {
	run -1 --separate-stderr tempo-get -s "$STORE" --inspect 00000000-0000-4000-8000-000000000000
	[[ $stderr == "tempo-get: "*"00000000-0000-4000-8000-000000000000"* ]]
	run -2 --separate-stderr tempo-get -s "$STORE" --inspect ../x
	[[ $stderr == *"../x: not a block ID"* ]]
}

@test "tempo-get: a corrupt data.parquet is an error naming the file, exit 1" {
	local s="$BATS_TEST_TMPDIR/store" b
	cp -r "$STORE" "$s"
	b=$(tempo-get -s "$s" --explain "$SPLIT" 2>&1 >/dev/null | awk '$5 == "found" {print $4; exit}')
	f="$s/single-tenant/$b/data.parquet"
	# Overwrite the footer's start with garbage.
	size=$(wc -c <"$f")
	footer=$(jq .footerSize "$s/single-tenant/$b/meta.json")
	printf 'garbage!garbage!garbage!' |
		dd of="$f" bs=1 seek=$((size - footer - 8)) conv=notrunc status=none
	run -1 --separate-stderr tempo-get -s "$s" "$SPLIT"
	[[ $stderr == *"tempo-get: $SPLIT: single-tenant/$b/data.parquet: "* ]]
	run -1 --separate-stderr tempo-get -s "$s" --inspect "$b"
	[[ $stderr == *"single-tenant/$b/data.parquet: "* ]]
	# Cut short: the footer's size in meta.json now lies.
	head -c 1000 "$STORE/single-tenant/$b/data.parquet" >"$f"
	run -1 --separate-stderr tempo-get -s "$s" "$SPLIT"
	[[ $stderr == *"single-tenant/$b/data.parquet"* ]]
}

@test "tempo-get: a truncated meta.json is an error naming the file, exit 1; other blocks still serve" {
	local s="$BATS_TEST_TMPDIR/store" b n
	cp -r "$STORE" "$s"
	n=$(tempo-get -s "$s" --list -f json | wc -l)
	b=$(tempo-get -s "$s" --list -f json | jq -r .block_id | head -1)
	head -c 40 "$STORE/single-tenant/$b/meta.json" >"$s/single-tenant/$b/meta.json"
	run -1 --separate-stderr tempo-get -s "$s" "$SPLIT"
	[[ $stderr == "tempo-get: single-tenant/$b: meta.json: "* ]]
	run -1 --separate-stderr tempo-get -s "$s" --list -f json
	[[ $stderr == "tempo-get: single-tenant/$b: meta.json: "* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq $((n - 1)) ]
}

@test "tempo-get: man page examples" {
	local block id
	cd "$BATS_TEST_TMPDIR"
	cp -r "$STORE" blocks
	cp -r "$TSTORE"/single-tenant/* blocks/single-tenant/
	tempo-get -s blocks df3cccb6716d89195d05c9e03604e4bd > trace.json
	[ "$(jq -r '.resourceSpans[0].scopeSpans[0].spans[0].traceId' trace.json)" = "$SPLIT" ]

	run -0 script -qec "TEMPO_STORE=blocks tempo-get -f tree abc" /dev/null
	[[ $output == *"trace 00000000000000000000000000000abc  100.00ms"* ]]

	run -0 --separate-stderr bash -c 'tempo-get -s blocks --explain df3cccb6716d89195d05c9e03604e4bd >/dev/null'
	[ "$(grep -c ' found ' <<<"$stderr")" -eq 2 ]

	id=ffff
	run -0 bash -c "id=$id; tempo-get -s blocks -q \"\$id\" >/dev/null; [ \$? -eq 3 ] && echo missing"
	[ "$output" = missing ]

	run -0 bash -c "tempo-get -s blocks --list -f json | jq -r 'select(.level == 0) | .block_id'"
	[ "${#lines[@]}" -eq 4 ]

	block=$(cat "$BATS_FILE_TMPDIR/tree-block")
	run -0 bash -c "block=$block; tempo-get -s blocks --inspect \"\$block\" -f json |
	    jq -r 'select(.record == \"attribute\") | \"\\(.bytes) \\(.key)\"' | head -5"
	[ "${#lines[@]}" -eq 0 ]	# the hand-made trace has no generic attributes
	block=$(tempo-get -s blocks --list -f json | jq -r 'select(.traces > 5) | .block_id' | head -1)
	run -0 bash -c "block=$block; tempo-get -s blocks --inspect \"\$block\" -f json |
	    jq -r 'select(.record == \"attribute\") | \"\\(.bytes) \\(.key)\"' | head -5"
	[ "${#lines[@]}" -eq 5 ]
	[[ ${lines[0]} =~ ^[0-9]+\ [a-z] ]]
}

@test "tempo-get: blocks written by tempo-pack read back whole" {
	local s="$BATS_TEST_TMPDIR/packed"
	mkdir -p "$s"
	cat "$BATS_FILE_TMPDIR"/req[123].pb |
		tempo-pack -s "$s" --wal "$BATS_TEST_TMPDIR/wal"
	run -0 --separate-stderr tempo-get -s "$s" $(cat "$BATS_FILE_TMPDIR/fixture-ids")
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
	"$TQ_HELPERS/tq-flatten" "$BATS_TEST_TMPDIR/out.json" >"$BATS_TEST_TMPDIR/spans"
	compare "$TQ_FIXTURES/ground-truth.jsonl" "$BATS_TEST_TMPDIR/spans" 220
}

@test "tempo-get: span data cannot send escape sequences to the terminal" {
	local s="$BATS_TEST_TMPDIR/esc" b
	mkdir -p "$s"
	b=$("$TQ_HELPERS/tq-mkblock" "$s" "$TQ_TOP/tests/data/get/escape.json")
	run -0 --separate-stderr tempo-get -s "$s" -f tree bad
	assert_line --index 1 '|########################################|       1ns * ev?[31mil: n?2Jx'
	run -0 --separate-stderr tempo-get -s "$s" --inspect "$b"
	assert_line --regexp '^ +1 +1 span +k\?$'
	# JSON keeps the data as it is, escaped by JSON's rules.
	run -0 --separate-stderr tempo-get -s "$s" bad
	[[ $output == *'"stringValue":"ev\u001b[31mil"'* ]]
}
