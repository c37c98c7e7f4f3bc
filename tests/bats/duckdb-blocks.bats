#!/usr/bin/env bats
# duckdb-blocks.bats: blocks whose data.parquet another writer produced.
# DuckDB rewrites a tempo-pack block (snappy pages, DuckDB's dictionaries,
# with PARQUET_VERSION V2 also delta encodings and version 2 pages; every
# field OPTIONAL; its own row groups), the other objects are rebuilt by
# Tempo's rules (tests/node/duckdb-block.js), and tempo-get must return
# exactly what it returns from the original block.  DuckDB also reads our
# block's vParquet4 paths with the right counts and values.
load helper

setup_file() {
	export D="$BATS_FILE_TMPDIR"
	mkdir -p "$D/ours"
	tempo-gen --traces 5000 --seed 9 >"$D/in.pb"
	tempo-pack -s "$D/ours" --wal "$D/wal" "$D/in.pb"
	# Every 25th trace ID: 200 lookups reach every row group (each
	# lookup decodes a whole row group, slow under the sanitizers).
	tempo-recv -f json "$D/in.pb" |
		jq -r '.resourceSpans[].scopeSpans[].spans[].traceId' | sort -u |
		awk 'NR % 25 == 1' >"$D/ids"
	export B=$(ls "$D/ours/single-tenant")
	# The original block's answers, which the rewritten blocks must give.
	tempo-get -s "$D/ours" -f json $(cat "$D/ids") >"$D/want.jsonl"
	local n
	for n in "${!QUERIES[@]}"; do
		tempo-ql -s "$D/ours" -f jsonl --limit 0 --spss 1000 "${QUERIES[n]}" |
			sort >"$D/want-q$n"
	done
}

# The TraceQL queries of same_search.
QUERIES=('{ status = error }' '{ span.http.route = "/api/cart" }'
	'{ resource.service.name = "cart" && duration > 5ms }'
	'{ kind = server } >> { kind = client && status = error }'
	'{ event:name = "exception" } | select(event.exception.type)'
	'{ .deployment.environment = "staging" } | by(resource.service.name) | count() > 1')

# same_traces STORE: tempo-get of the sampled IDs from STORE equals the
# original block's answer.
same_traces() {
	run -0 --separate-stderr tempo-get -s "$1" -f json $(cat "$D/ids")
	[ "$(printf '%s\n' "$output" | wc -l)" -eq "$(wc -l <"$D/ids")" ]
	diff -u "$D/want.jsonl" <(printf '%s\n' "$output")
}

# same_search STORE: TraceQL searches over STORE find what they find over
# the original block, span for span.
same_search() {
	local q n want
	# Not i: bats's run sets it.
	for n in "${!QUERIES[@]}"; do
		q=${QUERIES[n]} want=$D/want-q$n
		[ -s "$want" ] || fail "nothing found by $q"
		run -0 --separate-stderr tempo-ql -s "$1" -f jsonl --limit 0 --spss 1000 "$q"
		diff -u "$want" <(printf '%s\n' "$output" | sort) || fail "$q differs"
	done
}

@test "duckdb-blocks: a block DuckDB rewrote (v1 pages, snappy, dictionaries) reads the same" {
	run -0 node "$TQ_NODE/duckdb-block.js" "$D/ours/single-tenant/$B" \
		"$D/v1/single-tenant/$B" v1
	[ "$output" -gt 1 ]		# several row groups
	same_traces "$D/v1"
	same_search "$D/v1"
	# Found in at most 3 reads, by the footer's statistics.
	run -0 --separate-stderr tempo-get -s "$D/v1" --explain "$(head -n 1 "$D/ids")"
	[[ $stderr == *" found reads="[123]" "* ]]
}

@test "duckdb-blocks: a block DuckDB rewrote with version 2 pages and delta encodings reads the same" {
	run -0 node "$TQ_NODE/duckdb-block.js" "$D/ours/single-tenant/$B" \
		"$D/v2/single-tenant/$B" v2
	same_traces "$D/v2"
	same_search "$D/v2"
}

@test "duckdb-blocks: without ServiceStats, search results count the spans' services instead" {
	run -0 node "$TQ_NODE/duckdb-block.js" "$D/ours/single-tenant/$B" \
		"$D/nostats/single-tenant/$B" v1-nostats
	run -0 node -e '
		const { DuckDBInstance } = require(process.argv[2] +
		    "/node_modules/@duckdb/node-api");
		(async () => {
			const c = await (await DuckDBInstance.create(":memory:")).connect();
			const r = await c.runAndReadAll(`SELECT count(*) FROM
			    (DESCRIBE SELECT * FROM read_parquet(\x27${process.argv[1]}\x27))
			    WHERE column_name = \x27ServiceStats\x27`);
			console.log(Number(r.getRows()[0][0]));
		})();' "$D/nostats/single-tenant/$B/data.parquet" "$TQ_NODE"
	[ "$output" = 0 ]
	same_search "$D/nostats"
	# With a limit too (results from the newest traces' spans alone).
	run -0 --separate-stderr tempo-ql -s "$D/ours" -f json --limit 5 '{ status = error }'
	local want=$output
	run -0 --separate-stderr tempo-ql -s "$D/nostats" -f json --limit 5 '{ status = error }'
	[ "$(jq -S -c .traces <<<"$output")" = "$(jq -S -c .traces <<<"$want")" ]
}

@test "duckdb-blocks: scopes without spans change no search result" {
	run -0 node "$TQ_NODE/duckdb-block.js" "$D/ours/single-tenant/$B" \
		"$D/empty/single-tenant/$B" v1-empty
	same_search "$D/empty"
	run -0 --separate-stderr tempo-ql -s "$D/ours" -f json --limit 5 '{ span.http.route = "/api/cart" }'
	local want=$output
	run -0 --separate-stderr tempo-ql -s "$D/empty" -f json --limit 5 '{ span.http.route = "/api/cart" }'
	[ "$(jq -S -c .traces <<<"$output")" = "$(jq -S -c .traces <<<"$want")" ]
}

@test "duckdb-blocks: DuckDB reads our block's vParquet4 columns" {
	run -0 node -e '
		const { DuckDBInstance } = require(process.argv[2] +
		    "/node_modules/@duckdb/node-api");
		(async () => {
			const db = await DuckDBInstance.create(":memory:");
			const c = await db.connect();
			await c.run(`CREATE VIEW span AS SELECT unnest(x.Spans) s FROM
			    (SELECT unnest(r.ss) x FROM (SELECT unnest(rs) r FROM
			    read_parquet(\x27${process.argv[1]}\x27)))`);
			const q = await c.runAndReadAll(`SELECT
			    (SELECT count(*) FROM read_parquet(\x27${process.argv[1]}\x27)),
			    (SELECT count(*) FROM span),
			    (SELECT count(*) FROM span WHERE s.StatusCode = 2),
			    (SELECT count(*) FROM (SELECT unnest(s.Attrs) a FROM span)
			      WHERE a.Key = \x27rpc.system\x27 AND a.Value[1] = \x27grpc\x27)`);
			console.log(q.getRows()[0].map(String).join(" "));
		})();' "$D/ours/single-tenant/$B/data.parquet" "$TQ_NODE"
	want=$(tempo-recv -f json "$D/in.pb" | jq -s '[.[].resourceSpans[].scopeSpans[].spans[]] |
		"\(length) \(map(select(.status.code == 2)) | length) \(map(.attributes[]? |
		select(.key == "rpc.system" and .value.stringValue == "grpc")) | length)"' -r)
	[ "$output" = "5000 $want" ]
}
