#!/usr/bin/env bats
# tempo-pack: spans become blocks, every span once; block cuts; late spans;
# limits; bad input; the WAL across kill -9.  Blocks are read back with
# tq-blockspans, which lists "traceid spanid blockid" for every span of
# every visible block.

load helper

setup() {
	S=$BATS_TEST_TMPDIR/store
	W=$BATS_TEST_TMPDIR/wal
	mkdir -p "$S"
	PACK_PID=
}

teardown() {
	if [ -n "$PACK_PID" ] && kill -0 "$PACK_PID" 2>/dev/null; then
		kill -9 "$PACK_PID" 2>/dev/null || true
	fi
	if [ -f "$BATS_TEST_TMPDIR/feeders" ]; then
		kill $(cat "$BATS_TEST_TMPDIR/feeders") 2>/dev/null || true
	fi
}

# feed FILE writes FILE, then holds its stdout open (so the end of the input
# cuts nothing) until teardown ends it, or for at most 60 s.  Run it and
# what it feeds with 3>&-, so that bats does not wait for them at the end.
feed() {
	cat "$1"
	sleep 60 &
	echo "$!" >>"$BATS_TEST_TMPDIR/feeders"
	wait
}

# spans_of_stream FILE prints "traceid spanid" of every span in a stream.
spans_of_stream() {
	tempo-recv -f json "$1" |
		jq -r '.resourceSpans[].scopeSpans[].spans[] | "\(.traceId) \(.spanId)"'
}

# stored prints "traceid spanid" of every stored span of tenant $1.
stored() {
	"$TQ_HELPERS/tq-blockspans" "$S" "${1:-single-tenant}" | cut -d' ' -f1,2
}

blocks() {
	"$TQ_HELPERS/tq-blockspans" "$S" "${1:-single-tenant}" | cut -d' ' -f3 |
		sort -u | wc -l
}

@test "tempo-pack: real-client requests become one block with every span once" {
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$BATS_TEST_TMPDIR/in.pb"
	run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" "$BATS_TEST_TMPDIR/in.pb"
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(blocks)" -eq 1 ]
	diff -u <(spans_of_stream "$BATS_TEST_TMPDIR/in.pb" | sort) <(stored | sort)
	# The block is Tempo's layout, meta.json with Tempo's keys.
	dir=$(echo "$S"/single-tenant/*)
	[ -f "$dir/data.parquet" ] && [ -f "$dir/bloom-0" ] && [ -f "$dir/index" ]
	run -0 jq -r '[.format, .tenantID, .totalObjects, (.blockID|test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))] | @tsv' "$dir/meta.json"
	[ "$output" = "$(printf 'vParquet4\tsingle-tenant\t20\ttrue')" ]
	[ "$(jq -r .size "$dir/meta.json")" -eq "$(stat -c %s "$dir/data.parquet")" ]
	# The WAL holds nothing once the block is written.
	[ -z "$(find "$W/single-tenant" -name '*.wal' -size +0)" ]
}

@test "tempo-pack: tenants go to their own directories; stdin works" {
	tempo-gen --traces 30 --seed 3 | tempo-pack -s "$S" --wal "$W" -t team-a
	tempo-gen --traces 20 --seed 4 | tempo-pack -s "$S" --wal "$W" --tenant team-b
	[ "$(stored team-a | cut -d' ' -f1 | sort -u | wc -l)" -eq 30 ]
	[ "$(stored team-b | cut -d' ' -f1 | sort -u | wc -l)" -eq 20 ]
	[ ! -e "$S/single-tenant" ]
}

@test "tempo-pack: a small --max-live-bytes cuts several blocks and loses nothing" {
	tempo-gen --traces 400 --seed 5 >"$BATS_TEST_TMPDIR/in.pb"
	run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" --max-live-bytes 300K \
		"$BATS_TEST_TMPDIR/in.pb"
	[ "$(blocks)" -gt 3 ]
	diff -u <(spans_of_stream "$BATS_TEST_TMPDIR/in.pb" | sort) <(stored | sort)
}

@test "tempo-pack: late spans of a cut trace go to a later block" {
	tempo-recv "$TQ_FIXTURES/otlp-proto/000002.body.pb" >"$BATS_TEST_TMPDIR/a.pb"
	tempo-recv "$TQ_FIXTURES/otlp-proto/000003.body.pb" >"$BATS_TEST_TMPDIR/b.pb"
	# Request 3 carries more spans of a trace that request 2 started.
	{ cat "$BATS_TEST_TMPDIR/a.pb"; sleep 2; cat "$BATS_TEST_TMPDIR/b.pb"; } |
		tempo-pack -s "$S" --wal "$W" --trace-idle 200ms --max-block-duration 100ms
	[ "$(blocks)" -eq 2 ]
	split=$("$TQ_HELPERS/tq-blockspans" "$S" single-tenant | awk '{print $1, $3}' |
		sort -u | cut -d' ' -f1 | uniq -d | wc -l)
	[ "$split" -gt 0 ]
	diff -u <(cat "$BATS_TEST_TMPDIR/a.pb" "$BATS_TEST_TMPDIR/b.pb" |
		spans_of_stream /dev/stdin | sort) <(stored | sort)
}

@test "tempo-pack: a trace that stays over a cut keeps all its parts" {
	tempo-recv "$TQ_FIXTURES/otlp-proto/000002.body.pb" >"$BATS_TEST_TMPDIR/a.pb"
	tempo-recv "$TQ_FIXTURES/otlp-proto/000003.body.pb" >"$BATS_TEST_TMPDIR/b.pb"
	t=df3cccb6716d89195d05c9e03604e4bd
	# Trace $t comes in two parts, 3 s apart; the block cut once request
	# 2's other traces have been idle 6 s (at an idle check from 6 s in)
	# leaves $t (idle until 9 s in) in memory, where it moves; the rest
	# goes at the end of input, 10 s in.  The margins of 3 s hold on a
	# busy machine under the sanitizers.
	{ cat "$BATS_TEST_TMPDIR/a.pb"; sleep 3; cat "$BATS_TEST_TMPDIR/b.pb"
	  sleep 7; } |
		tempo-pack -s "$S" --wal "$W" --trace-idle 6s --max-block-duration 100ms
	[ "$(blocks)" -eq 2 ]
	diff -u <(cat "$BATS_TEST_TMPDIR/a.pb" "$BATS_TEST_TMPDIR/b.pb" |
		spans_of_stream /dev/stdin | sort) <(stored | sort)
	# All 8 spans of $t, from both parts, in one block.
	[ "$("$TQ_HELPERS/tq-blockspans" "$S" single-tenant | awk -v t=$t \
		'$1 == t { print $3 }' | sort | uniq -c | awk '{ print $1 }')" -eq 8 ]
}

@test "tempo-pack: --max-attr-bytes cuts long values, with a warning" {
	tempo-gen --traces 3 --huge-attr 100000 >"$BATS_TEST_TMPDIR/in.pb"
	run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" --max-attr-bytes 1K \
		"$BATS_TEST_TMPDIR/in.pb"
	[[ $stderr == *"attribute keys or values cut to 1024 bytes"* ]]
	[ "$(stored | wc -l)" -eq "$(spans_of_stream "$BATS_TEST_TMPDIR/in.pb" | wc -l)" ]
	# No value in the block is longer than 1 KiB.
	dir=$(echo "$S"/single-tenant/*)
	run -0 node -e '
		const { DuckDBInstance } = require(process.argv[2] +
		    "/node_modules/@duckdb/node-api");
		(async () => {
			const db = await DuckDBInstance.create(":memory:");
			const c = await db.connect();
			const r = await c.runAndReadAll(`SELECT max(length(v)) FROM (
			  SELECT unnest(a.Value) v FROM (SELECT unnest(s.Attrs) a FROM (
			    SELECT unnest(ss.Spans) s FROM (SELECT unnest(r.ss) ss FROM (
			      SELECT unnest(rs) r FROM read_parquet(\x27${process.argv[1]}\x27))))))`);
			console.log(String(r.getRows()[0][0]));
		})();' "$dir/data.parquet" "$TQ_NODE"
	[ "$output" -le 1024 ]
}

@test "tempo-pack: --max-trace-bytes drops the excess spans and counts them" {
	tempo-gen --traces 2 --huge-trace 3000 >"$BATS_TEST_TMPDIR/in.pb"
	total=$(spans_of_stream "$BATS_TEST_TMPDIR/in.pb" | wc -l)
	run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" --max-trace-bytes 200K \
		"$BATS_TEST_TMPDIR/in.pb"
	[[ $stderr == *"spans dropped: trace over 204800 bytes"* ]]
	dropped=$(printf '%s\n' "$stderr" | sed -n 's/.*: \([0-9]*\) spans dropped: their traces.*/\1/p')
	[ -n "$dropped" ] && [ "$dropped" -gt 0 ]
	[ $(( $(stored | wc -l) + dropped )) -eq "$total" ]
}

@test "tempo-pack: a corrupt record is an error; --skip-bad keeps the rest" {
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$BATS_TEST_TMPDIR/in.pb"
	printf '\x0f' | dd of="$BATS_TEST_TMPDIR/in.pb" bs=1 seek=4 conv=notrunc status=none
	run -1 --separate-stderr tempo-pack -s "$S" --wal "$W" "$BATS_TEST_TMPDIR/in.pb"
	[[ $stderr == "tempo-pack: $BATS_TEST_TMPDIR/in.pb: record at byte 0: byte 0: "* ]]
	[ "$(stored | wc -l)" -eq 0 ]
	run -1 --separate-stderr tempo-pack -s "$S" --wal "$W" --skip-bad "$BATS_TEST_TMPDIR/in.pb"
	[ "$(stored | wc -l)" -eq 120 ]
}

@test "tempo-pack: usage errors exit 2" {
	run -2 --separate-stderr env -u TEMPO_STORE tempo-pack
	[[ $stderr == *"no store: give -s or set TEMPO_STORE"* ]]
	run -2 --separate-stderr tempo-pack -s "$S" --trace-idle 5x
	[[ $stderr == *"--trace-idle: 5x: unknown unit"* ]]
	run -2 --separate-stderr tempo-pack -s "$S" --max-block-bytes lots
	[[ $stderr == *"--max-block-bytes: lots: not a size"* ]]
	run -2 --separate-stderr tempo-pack -s "$S" --dedicated http.route
	[[ $stderr == *"not span:NAME or resource:NAME"* ]]
	run -2 --separate-stderr tempo-pack -s "$S" \
	    --dedicated "span:$(printf 'a%.0s' {1..256})"
	[[ $stderr == *"a name longer than 255 bytes"* ]]
}

@test "tempo-pack: a second tempo-pack on the same WAL is refused" {
	feed /dev/null 3>&- | tempo-pack -s "$S" --wal "$W" 3>&- &
	PACK_PID=$!
	sleep 0.5
	run -1 --separate-stderr tempo-pack -s "$S" --wal "$W" </dev/null
	[[ $stderr == *"in use by another tempo-pack"* ]]
}

@test "tempo-pack: kill -9 after reading everything, a restart writes every span once" {
	tempo-gen --traces 300 --seed 7 >"$BATS_TEST_TMPDIR/in.pb"
	want=$(spans_of_stream "$BATS_TEST_TMPDIR/in.pb" | sort)
	# The input stays open, so nothing is cut before the kill.
	feed "$BATS_TEST_TMPDIR/in.pb" 3>&- |
		tempo-pack -s "$S" --wal "$W" --trace-idle 1h 3>&- &
	PACK_PID=$!
	wal_size=$(stat -c %s "$BATS_TEST_TMPDIR/in.pb")
	for i in $(seq 1 100); do
		got=$(cat "$W"/single-tenant/*.wal 2>/dev/null | wc -c)
		[ "$got" -gt "$wal_size" ] && break
		sleep 0.1
	done
	kill -9 "$PACK_PID"
	PACK_PID=
	[ "$(stored | wc -l)" -eq 0 ]
	run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" </dev/null
	diff -u <(echo "$want") <(stored | sort)
}

@test "tempo-pack: kill -9 at random points while cutting blocks loses and repeats nothing" {
	tempo-gen --traces 3000 --seed 11 >"$BATS_TEST_TMPDIR/in.pb"
	spans_of_stream "$BATS_TEST_TMPDIR/in.pb" | sort >"$BATS_TEST_TMPDIR/want"
	for round in 1 2 3 4 5; do
		rm -rf "$S" "$W"
		mkdir -p "$S"
		# Hold the input open after it is read, so its end is no cut.
		feed "$BATS_TEST_TMPDIR/in.pb" 3>&- |
			tempo-pack -s "$S" --wal "$W" --max-live-bytes 200K --trace-idle 1h 3>&- &
		PACK_PID=$!
		# Killed at a random point once it has read some input (its
		# WAL holds it): a loaded machine may take the whole delay
		# to start it.
		for _ in $(seq 200); do
			[ -n "$(find "$W" -type f -size +0c 2>/dev/null)" ] && break
			sleep 0.05
		done
		sleep "0.$((RANDOM % 9 + 1))"
		kill -9 "$PACK_PID"
		PACK_PID=
		# Every visible block is whole; no span is stored twice.
		stored | sort >"$BATS_TEST_TMPDIR/before"
		[ -z "$(uniq -d "$BATS_TEST_TMPDIR/before")" ]
		# The restart replays what the WAL holds and stores it once.
		run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" </dev/null
		stored | sort >"$BATS_TEST_TMPDIR/after"
		[ -z "$(uniq -d "$BATS_TEST_TMPDIR/after")" ]
		# Nothing stored before the kill is lost; nothing is invented.
		[ -z "$(comm -23 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after")" ]
		[ -z "$(comm -13 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/after")" ]
		# Whole traces of the input: what was read is stored whole.
		[ "$(wc -l <"$BATS_TEST_TMPDIR/after")" -gt 0 ]
	done
}

@test "tempo-pack: man page examples" {
	tempo-gen --traces 50 | tempo-pack -s "$S" --wal "$W"
	[ "$(stored | cut -d' ' -f1 | sort -u | wc -l)" -eq 50 ]
	tempo-recv "$TQ_FIXTURES"/otlp-json/*.body.json >"$BATS_TEST_TMPDIR/spans.pb"
	TEMPO_STORE=$S tempo-pack --wal "$W" -t team-a --max-block-bytes 64M "$BATS_TEST_TMPDIR/spans.pb"
	[ "$(stored team-a | wc -l)" -eq 220 ]
}

# rows_of STORE prints every row of the data.parquet files in STORE.
rows_of() {
	find "$1" -name data.parquet | while read -r f; do
		"$TQ_HELPERS/pq-tool" dump "$f"
	done
}

@test "tempo-pack: records split without unpacking give the rows of decoded ones" {
	# tq-mkblock unpacks every record, splits and combines the traces;
	# tempo-pack splits proto records at the wire level.  Same rows.
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$BATS_TEST_TMPDIR/in.pb"
	tempo-gen --traces 60 --batch 37 --seed 5 >>"$BATS_TEST_TMPDIR/in.pb"
	mkdir "$BATS_TEST_TMPDIR/ref"
	run -0 "$TQ_HELPERS/tq-mkblock" "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/in.pb"
	run -0 --separate-stderr tempo-pack -s "$S" --wal "$W" "$BATS_TEST_TMPDIR/in.pb"
	[ -z "$stderr" ]
	rows_of "$BATS_TEST_TMPDIR/ref" >"$BATS_TEST_TMPDIR/want"
	rows_of "$S" >"$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 80 ]
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}
