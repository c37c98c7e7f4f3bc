#!/usr/bin/env bats
# stream.bats: the span stream as tempo-stream(5) describes it, through
# tempo-recv's file mode: every input form readers accept, both output
# formats, zstd, and the man page's examples.
load helper

spans() {
	jq -r '.resourceSpans[].scopeSpans[].spans[].spanId' | sort
}

@test "stream: proto and json streams carry the same spans, zstd or not" {
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$BATS_TEST_TMPDIR/s.pb"
	tempo-recv -f json "$BATS_TEST_TMPDIR/s.pb" >"$BATS_TEST_TMPDIR/s.jsonl"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/s.jsonl")" -eq 3 ]
	zstd -q -c "$BATS_TEST_TMPDIR/s.jsonl" >"$BATS_TEST_TMPDIR/s.jsonl.zst"
	gzip -c "$BATS_TEST_TMPDIR/s.pb" >"$BATS_TEST_TMPDIR/s.pb.gz"
	want=$(spans <"$BATS_TEST_TMPDIR/s.jsonl")
	[ "$(echo "$want" | wc -l)" -eq 220 ]
	for f in s.jsonl.zst s.pb.gz; do
		run -0 bash -c "tempo-recv -f json '$BATS_TEST_TMPDIR/$f' | jq -r '.resourceSpans[].scopeSpans[].spans[].spanId' | sort"
		[ "$output" = "$want" ]
	done
	# The proto stream read back and written again is the same bytes.
	tempo-recv "$BATS_TEST_TMPDIR/s.jsonl" | tempo-recv -f json | cmp - "$BATS_TEST_TMPDIR/s.jsonl"
}

@test "stream: a pretty-printed OTLP/JSON file, a Zipkin array and a bare protobuf body are read" {
	jq . "$TQ_FIXTURES/otlp-json/000003.body.json" >"$BATS_TEST_TMPDIR/pretty.json"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/pretty.json")" -gt 100 ]
	run -0 bash -c "tempo-recv -f json '$BATS_TEST_TMPDIR/pretty.json' | jq '[.resourceSpans[].scopeSpans[].spans[]] | length'"
	[ "$output" = 20 ]
	run -0 bash -c "tempo-recv -f json '$TQ_FIXTURES/zipkin-json/000003.body.json' | jq '[.resourceSpans[].scopeSpans[].spans[]] | length'"
	[ "$output" = 20 ]
	run -0 bash -c "tempo-recv -f json '$TQ_FIXTURES/otlp-proto/000003.body.pb' | jq '[.resourceSpans[].scopeSpans[].spans[]] | length'"
	[ "$output" = 20 ]
}

@test "stream: a record length past the limit ends the stream with its offset" {
	printf '\x7f\xff\xff\xff' >"$BATS_TEST_TMPDIR/bad.pb"
	run -1 --separate-stderr tempo-recv -o /dev/null "$BATS_TEST_TMPDIR/bad.pb"
	[ "$stderr" = "tempo-recv: $BATS_TEST_TMPDIR/bad.pb: byte 0: record length 2147483647 exceeds the limit of 67108864 (not a span stream?)" ]
}

@test "stream: man page examples" {
	mkdir -p "$BATS_TEST_TMPDIR/requests"
	cp "$TQ_FIXTURES"/otlp-proto/*.body.pb "$BATS_TEST_TMPDIR/requests/"
	cd "$BATS_TEST_TMPDIR"
	run -0 bash -c 'tempo-recv requests/*.pb | tempo-recv -f json | head -n 1 | jq -r ".resourceSpans | length"'
	[ "$output" -gt 0 ]
	tempo-recv -f json requests/*.pb | zstd -q -c >traces.zst
	zstdcat traces.zst | tempo-recv -f json >traces.jsonl
	[ "$(wc -l <traces.jsonl)" -eq 3 ]
}
