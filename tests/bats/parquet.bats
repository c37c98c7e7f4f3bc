#!/usr/bin/env bats
# parquet.bats: lib/parquet proven against DuckDB (tests/node/node_modules).
# Files we write are read back by DuckDB and must give exactly the rows we
# meant to write; files DuckDB writes must give us exactly DuckDB's rows.
# Rows are compared as canonical JSON lines (see tests/helpers/pq-tool.c).

load helper

setup() {
	PQ=$TQ_HELPERS/pq-tool
	DUCK="node $TQ_NODE/parquet-duckdb.js"
	GEN="node $TQ_NODE/parquet-gen.js"
	T=$BATS_TEST_TMPDIR
}

# ours_then_duckdb MODE CODEC VERSION [OPTS]: write generated rows with
# pq-tool, then compare both our reading and DuckDB's with the generator's.
ours_then_duckdb() {
	run -0 --separate-stderr $GEN 400 "$1" "$2" "$3" "$T/spec.json" "$T/want" \
	    "${4:-{\"page_size\":4000,\"rows_per_group\":150,\"dict_max\":4000\}}"
	run -0 --separate-stderr "$PQ" write "$T/spec.json" "$T/f.parquet"
	[ -z "$stderr" ]
	run -0 --separate-stderr $DUCK read "$T/f.parquet"
	printf '%s\n' "$output" > "$T/duck"
	diff -u "$T/want" "$T/duck"
	run -0 --separate-stderr "$PQ" dump "$T/f.parquet"
	printf '%s\n' "$output" > "$T/ours"
	diff -u "$T/want" "$T/ours"
}

@test "parquet: DuckDB reads our dictionary-encoded files, every codec, pages v1" {
	for c in ZSTD SNAPPY UNCOMPRESSED; do ours_then_duckdb dict "$c" 1; done
}

@test "parquet: DuckDB reads our dictionary-encoded files, every codec, pages v2" {
	for c in ZSTD SNAPPY UNCOMPRESSED; do ours_then_duckdb dict "$c" 2; done
}

@test "parquet: DuckDB reads our PLAIN files, pages v1 and v2" {
	for v in 1 2; do ours_then_duckdb plain ZSTD "$v"; ours_then_duckdb plain SNAPPY "$v"; done
}

@test "parquet: DuckDB reads our DELTA_BINARY_PACKED and DELTA_LENGTH_BYTE_ARRAY files" {
	for v in 1 2; do ours_then_duckdb delta ZSTD "$v"; ours_then_duckdb delta UNCOMPRESSED "$v"; done
}

@test "parquet: DuckDB reads mixed encodings with RLE booleans" {
	ours_then_duckdb mixed ZSTD 2
	ours_then_duckdb mixed SNAPPY 1
}

@test "parquet: the metadata says what we wrote: codec, encodings, row groups" {
	ours_then_duckdb mixed SNAPPY 2
	run -0 --separate-stderr "$PQ" meta "$T/f.parquet"
	[ "${lines[0]}" = "rows 400 row_groups 3" ]
	[[ $output == *"rg 0 id codec SNAPPY values 150 dict no encodings DELTA_BINARY_PACKED data DELTA_BINARY_PACKED nulls 0 minmax yes"* ]]
	[[ $output == *"rg 2 ok codec SNAPPY values 100 dict no encodings RLE data RLE nulls 0 minmax yes"* ]]
	[[ $output == *"rg 1 name codec SNAPPY values 150 dict yes encodings PLAIN,RLE_DICTIONARY data RLE_DICTIONARY"* ]]
	run -0 --separate-stderr $DUCK meta "$T/f.parquet"
	[[ $output == *"0 id SNAPPY DELTA_BINARY_PACKED"* ]]
	[[ $output == *"2 rs.list.element.spans.list.element.kind SNAPPY RLE,DELTA_BINARY_PACKED"* ]]
	[[ $output == *"1 ok SNAPPY RLE"* ]]
}

@test "parquet: a dictionary that grows too large falls back to PLAIN, and DuckDB agrees" {
	ours_then_duckdb dict ZSTD 2 '{"page_size":2000,"rows_per_group":200,"dict_max":500}'
	run -0 --separate-stderr "$PQ" meta "$T/f.parquet"
	[[ $output == *"rg 0 name codec ZSTD values 200 dict yes encodings PLAIN,RLE_DICTIONARY data PLAIN,RLE_DICTIONARY"* ]]
}

@test "parquet: DuckDB reads our PLAIN_DICTIONARY (Parquet 1.0) dictionaries" {
	ours_then_duckdb dict SNAPPY 1 '{"plain_dictionary":true,"rows_per_group":200}'
	run -0 --separate-stderr "$PQ" meta "$T/f.parquet"
	[[ $output == *"rg 0 name codec SNAPPY values 200 dict yes encodings PLAIN_DICTIONARY data PLAIN_DICTIONARY"* ]]
}

@test "parquet: row groups are cut by the byte target" {
	ours_then_duckdb dict ZSTD 1 '{"row_group_size":20000}'
	run -0 --separate-stderr "$PQ" meta "$T/f.parquet"
	n=$(sed -n 's/^rows 400 row_groups \([0-9]*\)$/\1/p' <<<"$output")
	[ "$n" -gt 2 ]
}

# duckdb_then_ours OPTIONS: DuckDB writes the rows of duckdb-rows.sql.
duckdb_then_ours() {
	run -0 --separate-stderr $DUCK copy "$T/d.parquet" "$(cat "$TQ_TOP/tests/data/parquet/duckdb-rows.sql")" "$1"
	run -0 --separate-stderr $DUCK read "$T/d.parquet"
	printf '%s\n' "$output" > "$T/duck"
	[ "${#lines[@]}" -eq 5000 ]
	run -0 --separate-stderr "$PQ" dump "$T/d.parquet"
	printf '%s\n' "$output" > "$T/ours"
	diff -u "$T/duck" "$T/ours"
}

@test "parquet: we read DuckDB's default files" {
	duckdb_then_ours ""
}

@test "parquet: we read DuckDB's ZSTD, SNAPPY, GZIP and UNCOMPRESSED files" {
	for c in zstd snappy gzip uncompressed; do duckdb_then_ours "COMPRESSION $c"; done
}

@test "parquet: we read DuckDB's v2 files (DATA_PAGE_V2, delta, byte stream split)" {
	duckdb_then_ours "PARQUET_VERSION V2"
	run -0 --separate-stderr "$PQ" meta "$T/d.parquet"
	[[ $output == *"rg 0 id codec"*"DELTA_BINARY_PACKED"* ]]
	[[ $output == *"rg 0 d codec"*"BYTE_STREAM_SPLIT"* ]]
	[[ $output == *"rg 0 blob codec"*"DELTA_LENGTH_BYTE_ARRAY"* ]]
	duckdb_then_ours "PARQUET_VERSION V2, COMPRESSION snappy"
}

@test "parquet: we read DuckDB's files with several row groups" {
	duckdb_then_ours "ROW_GROUP_SIZE 1000"
	run -0 --separate-stderr "$PQ" meta "$T/d.parquet"
	n=$(sed -n 's/^rows 5000 row_groups \([0-9]*\)$/\1/p' <<<"${lines[0]}")
	[ "$n" -gt 1 ]
}

@test "parquet: reading one column reads the footer and that column's chunks only" {
	run -0 --separate-stderr $DUCK copy "$T/d.parquet" "$(cat "$TQ_TOP/tests/data/parquet/duckdb-rows.sql")" "ROW_GROUP_SIZE 2500"
	run -0 --separate-stderr "$PQ" columns "$T/d.parquet" i32
	[ "${#lines[@]}" -eq 2 ]
	# One read for the tail (the footer fits in it), one per row group.
	[[ $stderr =~ ^reads\ 3\ bytes\ ([0-9]+)$ ]]
	size=$(stat -c %s "$T/d.parquet")
	[ "${BASH_REMATCH[1]}" -lt $((size / 2)) ]
	[[ ${lines[0]} == '{"path":"i32","rg":0,"rep":[],"def":[0,1,1,'* ]] || [[ ${lines[0]} == '{"path":"i32","rg":0,"rep":[],"def":[1,1,'* ]]
}

@test "parquet: levels of a list of lists match Dremel" {
	cat > "$T/s.json" <<'JSON'
{"schema":{"fields":[{"name":"a","logical":"LIST","rep":"optional","fields":[{"name":"list","rep":"repeated","fields":[{"name":"element","logical":"LIST","rep":"optional","fields":[{"name":"list","rep":"repeated","fields":[{"name":"element","type":"INT32","rep":"optional"}]}]}]}]}]},
 "options":{"codec":"UNCOMPRESSED"},
 "rows":[{"a":[[1,2],[],null,[null,3]]},{"a":null},{"a":[]},{"a":[[4]]}]}
JSON
	run -0 --separate-stderr "$PQ" write "$T/s.json" "$T/s.parquet"
	run -0 --separate-stderr "$PQ" columns "$T/s.parquet" a.list.element.list.element
	[ "$output" = '{"path":"a.list.element.list.element","rg":0,"rep":[0,2,1,1,1,2,0,0,0],"def":[5,5,3,2,4,5,0,1,5],"values":[1,2,3,4]}' ]
	run -0 --separate-stderr $DUCK read "$T/s.parquet"
	[ "$output" = '{"a":[[1,2],[],null,[null,3]]}
{"a":null}
{"a":[]}
{"a":[[4]]}' ]
}

@test "parquet: a truncated file is an error, not a crash" {
	run -0 --separate-stderr $DUCK copy "$T/d.parquet" "SELECT range AS x FROM range(1000)" ""
	head -c 3000 "$T/d.parquet" > "$T/cut.parquet"
	run -1 --separate-stderr "$PQ" dump "$T/cut.parquet"
	[ -z "$output" ]
	[ "$stderr" = "pq-tool: $T/cut.parquet: parquet: no PAR1 magic at the end" ]
}

@test "parquet: a damaged page is reported with its column and offset" {
	run -0 --separate-stderr $GEN 50 plain ZSTD 1 "$T/spec.json" "$T/want" '{}'
	run -0 --separate-stderr "$PQ" write "$T/spec.json" "$T/f.parquet"
	# Overwrite 16 bytes just after the magic: the first page header of "id".
	printf '\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377' |
	    dd of="$T/f.parquet" bs=1 seek=4 conv=notrunc status=none
	run -1 --separate-stderr "$PQ" dump "$T/f.parquet"
	[[ $stderr == "pq-tool: $T/f.parquet: column id: page header at byte 4: "* ]]
}

@test "parquet: golden files keep reading the same (DuckDB's and ours)" {
	d=$TQ_TOP/tests/data/parquet
	for f in duckdb-v1-zstd duckdb-v2-snappy duckdb-gzip; do
		run -0 --separate-stderr "$PQ" dump "$d/$f.parquet"
		printf '%s\n' "$output" > "$T/got"
		diff -u "$d/duckdb-300.jsonl" "$T/got"
	done
	for f in ours-mixed-v2 ours-dict-v1; do
		run -0 --separate-stderr "$PQ" dump "$d/$f.parquet"
		printf '%s\n' "$output" > "$T/got"
		diff -u "$d/$f.jsonl" "$T/got"
	done
}
