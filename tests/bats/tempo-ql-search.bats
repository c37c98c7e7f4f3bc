#!/usr/bin/env bats
# tempo-ql-search.bats: searching with tempo-ql: a store packed by
# tempo-pack and the span stream on stdin give the same traces, in the
# output formats Tempo's clients read; limits are deterministic, the most
# recent traces first; blocks and row groups that cannot match are
# skipped; the
# stream filter passes whole traces on.  Expected answers come from jq over
# the same traces as OTLP/JSON (the operator-by-operator semantics are in
# traceql-semantics.bats).
load helper

setup_file() {
	export D=$BATS_FILE_TMPDIR
	# Three blocks of many row groups, from three runs of tempo-pack.
	mkdir -p "$D/store"
	for i in 1 2 3; do
		tempo-gen --traces 150 --seed 1$i \
		    --start "2026-01-0${i}T00:00:00Z" -o "$D/gen$i.pb"
		tempo-pack -q -s "$D/store" --wal "$D/wal$i" \
		    --row-group-bytes 20K "$D/gen$i.pb"
	done
	# The stream filter evaluates the traces of each record: give it
	# one whole trace per record, as tempo-get writes them.
	tempo-get -s "$D/store" -f proto $(tempo-ql -s "$D/store" -f jsonl \
	    --limit 0 '{ }' | jq -r .traceID) > "$D/gen.pb"
	tempo-recv -f json "$D/gen.pb" > "$D/gen.json"
}

# ids_jq FILTER prints the sorted trace IDs of traces having a span
# for which the jq FILTER (over a span, with $svc its service) is true.
ids_jq() {
	jq -r --slurp "[.[] | .resourceSpans[] |
	    (.resource.attributes // [] | map(select(.key == \"service.name\"))[0].value.stringValue) as \$svc |
	    .scopeSpans[].spans[] | select($1) | .traceId] | unique | .[]" \
	    "$D/gen.json" | tr 'A-F' 'a-f' | sort
}

ids_ql() {
	tempo-ql -f jsonl --limit 0 "$@" | jq -r .traceID | sort -u
}

@test "search: the store and the stream find the traces jq finds" {
	local want
	want=$(ids_jq '.status.code == 2')
	[ -n "$want" ]
	[ "$(ids_ql -s "$D/store" '{ status = error }')" = "$want" ]
	[ "$(ids_ql '{ status = error }' < "$D/gen.pb")" = "$want" ]
	want=$(ids_jq '$svc == "cart" and ((.endTimeUnixNano | tonumber) - (.startTimeUnixNano | tonumber)) > 20000000')
	[ -n "$want" ]
	[ "$(ids_ql -s "$D/store" '{ resource.service.name = "cart" && duration > 20ms }')" = "$want" ]
	[ "$(ids_ql '{ resource.service.name = "cart" && duration > 20ms }' < "$D/gen.pb")" = "$want" ]
}

@test "search: the store holds several blocks and row groups, searched in parallel alike" {
	[ "$(ls "$D/store/single-tenant" | wc -l)" -eq 3 ]
	[ "$(tempo-get -s "$D/store" --list -f json | jq -s '[.[].row_groups] | add')" -gt 20 ]
	run -0 tempo-ql -s "$D/store" -j 1 -f json --limit 0 '{ kind = server } >> { status = error }'
	local one=$output
	run -0 tempo-ql -s "$D/store" -j 4 -f json --limit 0 '{ kind = server } >> { status = error }'
	[ "$(jq -c .traces <<<"$output")" = "$(jq -c .traces <<<"$one")" ]
	[ "$(jq '.traces | length' <<<"$one")" -gt 0 ]
}

@test "search: --limit keeps the most recent traces, the same every time, and says so" {
	local all top
	all=$(tempo-ql -s "$D/store" -f jsonl --limit 0 '{ }' | jq -r '[.startTimeUnixNano, .traceID] | @tsv' | sort -k1,1nr -k2,2 | head -7 | cut -f2)
	for i in 1 2 3; do
		run -0 --separate-stderr tempo-ql -s "$D/store" -j 2 -f jsonl --limit 7 '{ }'
		[ "$(jq -r .traceID <<<"$output")" = "$all" ]
		[[ $stderr == *"the limit of 7 traces was reached"* ]]
	done
	run -0 --separate-stderr tempo-ql -s "$D/store" -f json --limit 7 '{ }'
	[ "$(jq -r '.metrics.additionalMetrics.limitReached' <<<"$output")" = 1 ]
	run -0 tempo-ql -s "$D/store" -f json --limit 0 '{ }'
	[ "$(jq '.traces | length' <<<"$output")" -eq 450 ]
	[ "$(jq '.metrics.additionalMetrics' <<<"$output")" = null ]
}

@test "search: with a limit, results built from a few traces' pages and the scan's values equal those of a full read" {
	# One row group of about 11k spans: span IDs, start times and
	# durations in several pages, of which a limited search decodes only
	# those of the traces it shows; without a limit every page is read.
	mkdir -p "$D/big"
	tempo-gen --traces 1000 --seed 7 -o "$D/big.pb"
	tempo-pack -q -s "$D/big" --wal "$D/bigwal" "$D/big.pb"
	[ "$(tempo-get -s "$D/big" --list -f json | jq -s '[.[].row_groups] | add')" -eq 1 ]
	run -0 "$TQ_HELPERS/pq-tool" meta "$D"/big/single-tenant/*/data.parquet
	local id_pages name_pages
	id_pages=$(grep '^rg 0 .*Spans.list.element.SpanID ' <<<"$output" | sed 's/.* pages //')
	name_pages=$(grep '^rg 0 .*Spans.list.element.Name ' <<<"$output" | sed 's/.* pages //')
	[ "$id_pages" -gt 4 ]
	[ "$name_pages" -eq 1 ]
	# The values of generic attributes the scan judged are kept for
	# the traces that could be shown, arrays (of one value too) and all.
	local q s all
	for q in '{ }' '{ duration > 50ms }' '{ status = error } | select(span.http.route)' \
	    '{ span.http.request.method = "POST" }' \
	    '{ span.app.product.ids = "OLJCESPC7Z" }' \
	    '{ span.app.fraud.flags = "velocity" } | select(span.app.product.ids, span.app.fraud.rule_scores)' \
	    '{ span.app.product.ids != "OLJCESPC7Z" } && { span.db.system.name =~ "p.*" }'; do
		for s in "$D/big" "$D/store"; do
			run -0 tempo-ql -s "$s" -f json --limit 0 --spss 100 "$q"
			all=$(jq -c '[.traces | sort_by(-(.startTimeUnixNano | tonumber), .traceID) | .[:6][]]' <<<"$output")
			[ "$(jq length <<<"$all")" -eq 6 ]
			run -0 --separate-stderr tempo-ql -s "$s" -f json --limit 6 --spss 100 "$q"
			[ "$(jq -c '[.traces[]]' <<<"$output")" = "$all" ]
		done
	done
	run -0 --separate-stderr tempo-ql -s "$D/big" -f json --limit 6 '{ span.app.product.ids = "OLJCESPC7Z" }'
	jq -e '[.traces[].spanSets[].spans[].attributes[] | select(.key == "app.product.ids") | .value.arrayValue.values | length] | length > 0 and all(. >= 1)' <<<"$output"
}

@test "search: results have the shape of Tempo's SearchResponse" {
	run -0 --separate-stderr tempo-ql -s "$D/store" -f json --spss 2 --limit 5 '{ status = error } | select(span.http.route)'
	jq -e '.traces | length == 5' <<<"$output"
	jq -e '.metrics.totalBlocks > 2 and .metrics.completedJobs > 0 and (.metrics.inspectedBytes | tonumber) > 0' <<<"$output"
	jq -e '.traces[] | (.traceID | test("^[0-9a-f]{32}$")) and (.startTimeUnixNano | test("^[0-9]+$")) and (.durationMs | type == "number") and .spanSet == .spanSets[0]' <<<"$output"
	jq -e '[.traces[].spanSets[] | (.spans | length) <= 2 and .matched >= (.spans | length)] | all' <<<"$output"
	jq -e '[.traces[].spanSets[].spans[] | (.spanID | test("^[0-9a-f]{16}$")) and (.durationNanos | test("^[0-9]+$")) and (.attributes | map(.key) | index("status") != null)] | all' <<<"$output"
	# serviceStats count every span of the trace, as jq does.
	local id want
	id=$(jq -r '.traces[0].traceID' <<<"$output")
	want=$(jq -c --slurp --arg id "$id" '[.[] | .resourceSpans[] | (.resource.attributes | map(select(.key == "service.name"))[0].value.stringValue) as $s | .scopeSpans[].spans[] | select((.traceId | ascii_downcase) == $id) | {s: $s, e: (.status.code == 2)}] | group_by(.s) | map({key: .[0].s, value: ({spanCount: length} + (if (map(select(.e)) | length) > 0 then {errorCount: (map(select(.e)) | length)} else {} end))}) | from_entries' "$D/gen.json")
	[ "$(jq -c --arg id "$id" '.traces[] | select(.traceID == $id) | .serviceStats | to_entries | sort_by(.key) | from_entries' <<<"$output")" = "$want" ]
}

@test "search: by() and aggregates become spanset attributes" {
	run -0 tempo-ql -s "$D/store" -f jsonl --limit 0 '{ } | by(resource.service.name) | count() > 2'
	local line
	line=$(head -1 <<<"$output")
	jq -e '.spanSets | length >= 1' <<<"$line"
	jq -e '[.spanSets[] | (.attributes | map(.key)) == ["by(resource.service.name)", "count()"] and ((.attributes[1].value.intValue | tonumber) == .matched) and .matched > 2] | all' <<<"$line"
	run -0 --separate-stderr tempo-ql -s "$D/store" -f jsonl --limit 1 '{ } | avg(duration) > 1ms'
	jq -e '.spanSets[0].attributes[0].key == "avg(duration)" and (.spanSets[0].attributes[0].value.stringValue | test("^[0-9.]+(ms|s|µs)$"))' <<<"$output"
}

@test "search: a value no block holds skips every block after one small read each" {
	run -0 --separate-stderr tempo-ql -s "$D/store" -v -f json '{ name = "no-such-span-name" }'
	[ "$(jq '.traces | length' <<<"$output")" -eq 0 ]
	[[ $stderr == *"inspected 0 traces, 0 spans, 3/3 blocks"* ]]
	# The filter's header and the value's words: one visit of the object.
	[[ $stderr == *" in 3 reads; 3 blocks and 0 row groups skipped"* ]]
	run -0 --separate-stderr tempo-ql -s "$D/store" -v -f json '{ span.no.such.key = "x" }'
	[[ $stderr == *"3 blocks and 0 row groups skipped"* ]]
	# A key that exists with a value no attribute has.
	run -0 --separate-stderr tempo-ql -s "$D/store" -v -f json '{ span.http.request.method = "NO-SUCH-METHOD" }'
	[[ $stderr == *"3 blocks and 0 row groups skipped"* ]]
	run -0 --separate-stderr tempo-ql -s "$D/store" -v -f json '{ name = "no-such-span-name" || status = error }'
	[[ $stderr != *"inspected 0 traces"* ]]
}

@test "search: the values filters never rule out a value the block holds" {
	local v want
	# Every span name and every string value of a span attribute.
	while IFS= read -r v; do
		want=$(ids_jq "$(jq -n --arg v "$v" '"(.name == \($v | tojson))"' -r)")
		[ "$(ids_ql -s "$D/store" "{ name = $(jq -rn --arg v "$v" '$v | tojson') }")" = "$want" ]
	done < <(jq -r '.resourceSpans[].scopeSpans[].spans[].name' "$D/gen.json" | sort -u)
	while IFS=$'\t' read -r k v; do
		run -0 --separate-stderr tempo-ql -s "$D/store" -v -f json --limit 1 \
		    "{ span.$k = $(jq -rn --arg v "$v" '$v | tojson') }"
		[ "$(jq '.traces | length' <<<"$output")" -eq 1 ]
	done < <(jq -r '.resourceSpans[].scopeSpans[].spans[].attributes[]? | select(.value.stringValue != null and (.key | test("^[a-z._]+$"))) | [.key, .value.stringValue] | @tsv' "$D/gen.json" | sort -u | awk 'NR % 20 == 1')
}

@test "search: without values filters, a value in no dictionary skips every row group" {
	local b
	cp -r "$D/store" "$D/nofilter"
	for b in "$D"/nofilter/single-tenant/*/; do
		rm "$b/values"
		jq -c 'del(.valuesSize)' "$b/meta.json" > "$b/meta.new"
		mv "$b/meta.new" "$b/meta.json"
	done
	run -0 --separate-stderr tempo-ql -s "$D/nofilter" -v -f json '{ name = "no-such-span-name" }'
	[ "$(jq '.traces | length' <<<"$output")" -eq 0 ]
	[[ $stderr == *"inspected 0 traces, 0 spans"* ]]
	[[ $stderr == *" 0 blocks and "* ]]
	[[ $stderr != *" 0 row groups skipped"* ]]
	run -0 --separate-stderr tempo-ql -s "$D/nofilter" -v -f json '{ span.no.such.key = "x" }'
	[[ $stderr == *"inspected 0 traces, 0 spans"* ]]
	run -0 --separate-stderr tempo-ql -s "$D/nofilter" -v -f json '{ span.http.request.method = "NO-SUCH-METHOD" }'
	[[ $stderr == *"inspected 0 traces, 0 spans"* ]]
	run -0 --separate-stderr tempo-ql -s "$D/nofilter" -v -f json '{ name = "no-such-span-name" || status = error }'
	[[ $stderr != *"inspected 0 traces"* ]]
}

@test "search: a damaged values filter is an error naming it" {
	local b
	cp -r "$D/store" "$D/damaged"
	b=$(ls -d "$D"/damaged/single-tenant/*/ | head -1)
	printf 'XXXX' | dd of="$b/values" bs=1 seek=30 conv=notrunc 2>/dev/null
	run -1 --separate-stderr tempo-ql -s "$D/damaged" -f json '{ name = "no-such-span-name" }'
	[[ $stderr == *"/values: values: header checksum mismatch"* ]]
	# A header length past the object's end.
	printf '\x00\x00\x00\x7f' | dd of="$b/values" bs=1 seek=16 conv=notrunc 2>/dev/null
	run -1 --separate-stderr tempo-ql -s "$D/damaged" -f json '{ name = "no-such-span-name" }'
	[[ $stderr == *"/values: values: header of "*" bytes in "* ]]
}

@test "search: --start and --end keep traces overlapping the range" {
	local mid n_all n_late want
	mid=$(jq -r --slurp '[.[].resourceSpans[].scopeSpans[].spans[].startTimeUnixNano | tonumber] | sort | .[length / 2 | floor] / 1e9 | floor' "$D/gen.json")
	n_all=$(ids_ql -s "$D/store" '{ }' | wc -l)
	want=$(jq -r --slurp --argjson t "$mid" '[.[] | .resourceSpans[].scopeSpans[].spans[] | select((.endTimeUnixNano | tonumber) >= $t * 1e9) | .traceId | ascii_downcase] | unique | .[]' "$D/gen.json")
	[ "$(ids_ql -s "$D/store" --start "$mid" '{ }')" = "$want" ]
	n_late=$(wc -l <<<"$want")
	[ "$n_late" -lt "$n_all" ]
}

@test "search: the stream filter passes whole matching traces on as a span stream" {
	tempo-ql '{ status = error }' < "$D/gen.pb" > "$BATS_TEST_TMPDIR/err.pb"
	tempo-recv -f json "$BATS_TEST_TMPDIR/err.pb" > "$BATS_TEST_TMPDIR/err.json"
	local want
	want=$(ids_jq '.status.code == 2')
	[ "$(jq -r '.resourceSpans[].scopeSpans[].spans[].traceId' "$BATS_TEST_TMPDIR/err.json" | tr 'A-F' 'a-f' | sort -u)" = "$want" ]
	# Every span of those traces, not only the erroneous ones.
	local spans_in spans_out
	spans_out=$(jq '[.resourceSpans[].scopeSpans[].spans[]] | length' "$BATS_TEST_TMPDIR/err.json" | paste -sd+ | bc)
	spans_in=$(jq --slurp --arg ids "$want" '($ids | split("\n")) as $w | [.[] | .resourceSpans[].scopeSpans[].spans[] | select((.traceId | ascii_downcase) | IN($w[]))] | length' "$D/gen.json")
	[ "$spans_out" -eq "$spans_in" ]
	# A filter passes everything through a pipe: tempo-ql | tempo-ql.
	run -0 bash -c 'tempo-ql "{ status = error }" < "$1" | tempo-ql -f jsonl "{ kind = server }" | wc -l' _ "$D/gen.pb"
	[ "$output" -gt 0 ]
}

@test "search: a table for people" {
	run -0 --separate-stderr tempo-ql -s "$D/store" -f table --limit 3 '{ status = error }'
	[[ ${lines[0]} == "TRACE ID"*"ROOT SERVICE"*"MATCHED"* ]]
	[ "${#lines[@]}" -ge 4 ]
	[[ ${lines[1]} =~ ^[0-9a-f]{32}\ \ 20[0-9][0-9]- ]]
}

@test "search: bad queries, metrics queries and bad stores are clear errors" {
	run -1 --separate-stderr tempo-ql -s "$D/store" '{ .a = }'
	[[ $stderr == "tempo-ql: query:1:8: syntax error"* ]]
	run -1 --separate-stderr tempo-ql -s "$D/store" '{ } | rate()'
	[[ $stderr == *"metrics queries are not run by tempo-ql"* ]]
	run -1 --separate-stderr tempo-ql -s "$D/store" '{ name =~ "(a" }'
	[[ $stderr == *"invalid regex"* ]]
	run -1 --separate-stderr tempo-ql -s "$BATS_TEST_TMPDIR/none" '{ }'
	[[ $stderr == *"none"* ]]
	run -1 --separate-stderr tempo-ql '{ }' <<<"not a stream"
	[[ $stderr == "tempo-ql: stdin: byte 0: "* ]]
	run -2 --separate-stderr tempo-ql -s "$D/store" -f stream '{ }'
	[[ $stderr == *"-f stream: only when filtering"* ]]
}

@test "search: a corrupt data.parquet fails the search naming the block" {
	local s=$BATS_TEST_TMPDIR/bad b
	cp -r "$D/store" "$s"
	b=$(ls "$s/single-tenant" | head -1)
	truncate -s 5000 "$s/single-tenant/$b/data.parquet"
	run -1 --separate-stderr tempo-ql -s "$s" --limit 0 '{ }'
	[[ $stderr == *"$b"* ]]
}

@test "search: a pathological regex is bounded, not a hang" {
	local big
	big=$(printf 'a%.0s' $(seq 1 40))
	printf '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"%sb","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}\n' "$big" > "$BATS_TEST_TMPDIR/t.json"
	run timeout 20 tempo-ql -f jsonl '{ name =~ "(a*)*c" }' < "$BATS_TEST_TMPDIR/t.json"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ -z "$output" ]
}
