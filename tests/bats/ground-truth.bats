#!/usr/bin/env bats
# ground-truth.bats: what our decoders make of the real-client payloads
# (OTLP protobuf, gzip, gRPC message, OTLP/JSON, Zipkin) is, span by span
# and field by field, what the clients sent (ground-truth.jsonl).  Spans
# are printed by tests/helpers/tq-flatten through the span stream reader
# and compared by tests/node/compare-ground-truth.js.
load helper

# flatten_and_compare [--zipkin] FILE...: every span of FILE... must match.
flatten_and_compare() {
	local mode=()
	if [ "$1" = --zipkin ]; then
		mode=(--zipkin)
		shift
	fi
	run -0 --separate-stderr "$TQ_HELPERS/tq-flatten" "$@"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/spans.jsonl"
	run -0 node "$TQ_NODE/compare-ground-truth.js" "${mode[@]}" \
		"$TQ_FIXTURES/ground-truth.jsonl" "$BATS_TEST_TMPDIR/spans.jsonl"
	assert_output "220 spans compared, 0 differences"
}

@test "ground truth: OTLP/HTTP protobuf bodies" {
	flatten_and_compare "$TQ_FIXTURES"/otlp-proto/00000[123].body.pb
}

@test "ground truth: OTLP/HTTP protobuf bodies, gzip as sent" {
	flatten_and_compare "$TQ_FIXTURES"/otlp-proto-gzip/00000[123].body.pb.gz
}

@test "ground truth: OTLP/HTTP protobuf bodies, gzip decoded" {
	flatten_and_compare "$TQ_FIXTURES"/otlp-proto-gzip/00000[123].decoded.pb
}

@test "ground truth: OTLP/gRPC messages" {
	flatten_and_compare "$TQ_FIXTURES"/otlp-grpc/00000[123].msg0.pb
}

@test "ground truth: OTLP/gRPC gzip messages, decompressed" {
	flatten_and_compare "$TQ_FIXTURES"/otlp-grpc-gzip/00000[123].msg0.pb
}

@test "ground truth: OTLP/JSON bodies" {
	flatten_and_compare "$TQ_FIXTURES"/otlp-json/00000[123].body.json
}

@test "ground truth: Zipkin v2 JSON bodies, what Zipkin carries" {
	flatten_and_compare --zipkin "$TQ_FIXTURES"/zipkin-json/00000[123].body.json
}

@test "ground truth: the comparison sees a changed field" {
	run -0 --separate-stderr "$TQ_HELPERS/tq-flatten" \
		"$TQ_FIXTURES"/otlp-json/00000[123].body.json
	printf '%s\n' "$output" |
		sed '1s/"name":"shop.AuthService\/Verify"/"name":"other"/' \
		>"$BATS_TEST_TMPDIR/spans.jsonl"
	run -1 node "$TQ_NODE/compare-ground-truth.js" \
		"$TQ_FIXTURES/ground-truth.jsonl" "$BATS_TEST_TMPDIR/spans.jsonl"
	assert_line 'span 0f0c231fd34cfdff: name: want "shop.AuthService/Verify", got "other"'
	assert_line "220 spans compared, 1 differences"
}

@test "ground truth: tq-flatten reports a bad body and fails" {
	printf '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}\n' \
		>"$BATS_TEST_TMPDIR/bad.json"
	run -1 --separate-stderr "$TQ_HELPERS/tq-flatten" "$BATS_TEST_TMPDIR/bad.json"
	[ -z "$output" ]
	[[ $stderr == *"resourceSpans[0].scopeSpans[0].spans[0].traceId: not 32 hex digits"* ]]
}
