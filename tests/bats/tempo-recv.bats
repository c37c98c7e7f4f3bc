#!/usr/bin/env bats
# tempo-recv: real-client payloads over HTTP and as files, the live
# OpenTelemetry JS SDK, bad input of every kind, tenants, back-pressure,
# timeouts and shutdown.  Servers listen on 127.0.0.1 only, on free ports,
# and every wait is bounded.

load helper

GT=$TQ_FIXTURES/ground-truth.jsonl

setup() {
	RECV_PID=
	PORT=
}

teardown() {
	if [ -n "$RECV_PID" ] && kill -0 "$RECV_PID" 2>/dev/null; then
		kill -9 "$RECV_PID" 2>/dev/null || true
	fi
}

# start_recv otlp|zipkin ARGS...: runs tempo-recv as a server on a free port
# of 127.0.0.1 (the other receiver off), stderr in $BATS_TEST_TMPDIR/recv.err.
start_recv() {
	local kind=$1
	shift
	PORT=$(free_port)
	if [ "$kind" = zipkin ]; then
		tempo-recv --otlp-http none --zipkin "127.0.0.1:$PORT" "$@" \
			2>"$BATS_TEST_TMPDIR/recv.err" 3>&- &
	else
		tempo-recv --otlp-http "127.0.0.1:$PORT" --zipkin none "$@" \
			2>"$BATS_TEST_TMPDIR/recv.err" 3>&- &
	fi
	RECV_PID=$!
	wait_port "$PORT"
}

# stop_recv sends SIGTERM and checks that the server drains and exits 0
# within 10 s.
stop_recv() {
	local i st
	kill -TERM "$RECV_PID"
	for i in $(seq 1 100); do
		kill -0 "$RECV_PID" 2>/dev/null || break
		sleep 0.1
	done
	st=0
	wait "$RECV_PID" || st=$?
	RECV_PID=
	if [ "$st" -ne 0 ]; then
		echo "tempo-recv exited $st:" >&2
		cat "$BATS_TEST_TMPDIR/recv.err" >&2
		return 1
	fi
}

# post PATH TYPE FILE [CURL ARGS...]: POSTs FILE to the server, prints the
# HTTP status; the reply body goes to $BATS_TEST_TMPDIR/reply, its
# headers to $BATS_TEST_TMPDIR/reply.h.
post() {
	local path=$1 type=$2 file=$3
	shift 3
	curl -sS --max-time 20 -o "$BATS_TEST_TMPDIR/reply" \
		-D "$BATS_TEST_TMPDIR/reply.h" -w '%{http_code}' \
		-H "Content-Type: $type" "$@" --data-binary "@$file" \
		"http://127.0.0.1:$PORT$path"
}

# replay META: sends a captured request exactly as recorded (method, path,
# headers in order but Host, body bytes), prints the HTTP status.
replay() {
	local meta=$1 body h
	local -a hdrs=()
	body=$(dirname "$meta")/$(jq -r .files.body "$meta")
	while IFS= read -r h; do
		hdrs+=(-H "$h")
	done < <(jq -r '.headers[] | select(.[0] != "Host") | "\(.[0]): \(.[1])"' "$meta")
	curl -sS --max-time 20 -o "$BATS_TEST_TMPDIR/reply" \
		-D "$BATS_TEST_TMPDIR/reply.h" -w '%{http_code}' \
		-X "$(jq -r .method "$meta")" "${hdrs[@]}" --data-binary "@$body" \
		"http://127.0.0.1:$PORT$(jq -r .path "$meta")"
}

# replay_kind KIND FORMAT OUT: replays every captured request of
# $TQ_FIXTURES/KIND to a fresh server writing -f FORMAT to OUT, checks
# each status (200, Zipkin 202) and the clean exit.
replay_kind() {
	local kind=$1 format=$2 out=$3 meta code want=200
	[ "$kind" = zipkin-json ] && want=202
	if [ "$kind" = zipkin-json ]; then
		start_recv zipkin -f "$format" -o "$out"
	else
		start_recv otlp -f "$format" -o "$out"
	fi
	for meta in "$TQ_FIXTURES/$kind"/*.meta.json; do
		code=$(replay "$meta")
		if [ "$code" != "$want" ]; then
			echo "$meta: HTTP $code, want $want: $(cat "$BATS_TEST_TMPDIR/reply")" >&2
			return 1
		fi
	done
	stop_recv
}

# spans_per_record JSONL: the span count of each line, one per line.
spans_per_record() {
	jq -c '[.resourceSpans[]?.scopeSpans[]?.spans[]?] | length' "$1"
}

# gt_per_batch: the ground truth's span count per request.
gt_per_batch() {
	jq -s -c 'group_by(.batch) | .[] | length' "$GT"
}

# span_ids JSONL: "traceId spanId" of every span, sorted.
span_ids() {
	jq -r '.resourceSpans[]?.scopeSpans[]?.spans[]? | "\(.traceId) \(.spanId)"' "$1" | sort
}

gt_span_ids() {
	jq -r '"\(.trace_id) \(.span_id)"' "$GT" | sort
}

# split_records STREAM DIR: writes each record of a proto stream to
# DIR/N.pb (N from 1) and prints the number of records.
split_records() {
	mkdir -p "$2"
	node -e '
		const fs = require("fs");
		const b = fs.readFileSync(process.argv[1]);
		let off = 0, n = 0;
		while (off < b.length) {
			const len = b.readUInt32BE(off);
			fs.writeFileSync(`${process.argv[2]}/${++n}.pb`, b.subarray(off + 4, off + 4 + len));
			off += 4 + len;
		}
		console.log(n);' "$1" "$2"
}

# replay_both KIND: replays the captures of KIND twice, to a -f json
# server (kept as $BATS_TEST_TMPDIR/KIND.jsonl) and to a -f proto one
# (kept as $BATS_TEST_TMPDIR/KIND.stream), and checks the JSON with jq:
# the span count of each request and every span ID.  Further checks of
# the replayed streams belong here, once for every kind.
replay_both() {
	local kind=$1 json=$BATS_TEST_TMPDIR/$1.jsonl f
	local -a mode=()
	[ "$kind" = zipkin-json ] && mode=(--zipkin)
	replay_kind "$kind" json "$json"
	diff -u <(gt_per_batch) <(spans_per_record "$json")
	diff -u <(gt_span_ids) <(span_ids "$json")
	replay_kind "$kind" proto "$BATS_TEST_TMPDIR/$kind.stream"
	run -0 split_records "$BATS_TEST_TMPDIR/$kind.stream" "$BATS_TEST_TMPDIR/records"
	[ "$output" = 3 ]
	# Every field of every span, in both outputs, against the ground truth.
	for f in "$BATS_TEST_TMPDIR/$kind.stream" "$json"; do
		"$TQ_HELPERS/tq-flatten" "$f" >"$f.flat"
		run -0 node "$TQ_NODE/compare-ground-truth.js" "${mode[@]}" "$GT" "$f.flat"
		[ "$output" = "220 spans compared, 0 differences" ]
	done
}

@test "tempo-recv: unknown option is a usage error" {
	run -2 --separate-stderr tempo-recv --bogus
	[ -z "$output" ]
	[[ $stderr == *"usage: tempo-recv"* ]]
}

@test "tempo-recv: --help prints the usage on stdout" {
	run -0 --separate-stderr tempo-recv --help
	[[ $output == "usage: tempo-recv [-qv] [-f format] [-o file]"* ]]
	[ -z "$stderr" ]
}

@test "tempo-recv: every long option of the man page is accepted" {
	local man=$TQ_TOP/man/tempo-recv.1 opt
	for opt in $(grep '^\.It' "$man" | grep -o 'Fl -[a-z-]*' | sed 's/^Fl /-/'); do
		run --separate-stderr tempo-recv "$opt" x --bogus-to-stop
		[[ $stderr != *"unrecognized option '$opt'"* ]]
		[[ $stderr != *"unrecognized option '$opt="* ]]
	done
	grep -q 'usage: tempo-recv \[-qv\] \[-f format\]' <(tempo-recv --help)
}

@test "tempo-recv: bad format, bad pattern, files with a server, all off: usage errors" {
	run -2 --separate-stderr tempo-recv -f yaml
	[[ $stderr == *"-f: yaml: unknown format (proto, json)"* ]]
	run -2 --separate-stderr tempo-recv -o 'out-%d.pb'
	[[ $stderr == *"only %t and %% may follow %"* ]]
	run -2 --separate-stderr tempo-recv -l spans.pb
	[[ $stderr == *"spans.pb: file arguments are for conversion, not with a server"* ]]
	run -2 --separate-stderr tempo-recv --otlp-http none --zipkin none
	[[ $stderr == *"every receiver is off"* ]]
	run -2 --separate-stderr tempo-recv --max-body 0 -l
	[[ $stderr == *"--max-body: 0: not a size"* ]]
}

@test "tempo-recv: a port in use is reported, exit 1" {
	PORT=$(free_port)
	node -e 'const s=require("net").createServer();s.listen(+process.argv[1],"127.0.0.1");setTimeout(()=>s.close(),3000)' "$PORT" 3>&- &
	wait_port "$PORT"
	run -1 --separate-stderr tempo-recv --otlp-http "127.0.0.1:$PORT" --zipkin none
	[[ $stderr == "tempo-recv: otlp-http: 127.0.0.1:$PORT: Address already in use" ]]
}

@test "tempo-recv: otlp-proto captures over HTTP: counts by jq, ground truth, records are the bodies" {
	local i
	replay_both otlp-proto
	for i in 1 2 3; do
		cmp "$BATS_TEST_TMPDIR/records/$i.pb" "$TQ_FIXTURES/otlp-proto/00000$i.body.pb"
	done
	grep -q 'Content-Type: application/x-protobuf' "$BATS_TEST_TMPDIR/reply.h"
	[ ! -s "$BATS_TEST_TMPDIR/reply" ]
}

@test "tempo-recv: otlp-proto-gzip captures over HTTP: ground truth, records are the gunzipped bodies" {
	local i
	replay_both otlp-proto-gzip
	for i in 1 2 3; do
		cmp "$BATS_TEST_TMPDIR/records/$i.pb" "$TQ_FIXTURES/otlp-proto-gzip/00000$i.decoded.pb"
	done
}

@test "tempo-recv: otlp-json captures over HTTP: counts, IDs, ground truth, JSON reply" {
	replay_both otlp-json
	grep -q 'Content-Type: application/json' "$BATS_TEST_TMPDIR/reply.h"
	[ "$(cat "$BATS_TEST_TMPDIR/reply")" = '{}' ]
}

@test "tempo-recv: zipkin-json captures over HTTP: 202, counts, IDs, ground truth" {
	replay_both zipkin-json
	head -n 1 "$BATS_TEST_TMPDIR/reply.h" | grep -q ' 202'
}

@test "tempo-recv: captured bodies as files convert to the stream" {
	local f kind out
	for kind in otlp-proto otlp-proto-gzip otlp-grpc otlp-json zipkin-json; do
		case $kind in
		otlp-grpc) set -- "$TQ_FIXTURES/$kind"/*.msg0.pb ;;
		otlp-proto-gzip) set -- "$TQ_FIXTURES/$kind"/*.body.pb.gz ;;
		*) set -- "$TQ_FIXTURES/$kind"/*.body.* ;;
		esac
		out=$BATS_TEST_TMPDIR/$kind.files.jsonl
		: >"$out"
		for f in "$@"; do
			run -0 --separate-stderr tempo-recv -f json "$f"
			[ -z "$stderr" ]
			printf '%s\n' "$output" >>"$out"
		done
		diff -u <(gt_per_batch) <(spans_per_record "$out")
		diff -u <(gt_span_ids) <(span_ids "$out")
		"$TQ_HELPERS/tq-flatten" "$out" >"$out.flat"
		if [ "$kind" = zipkin-json ]; then
			run -0 node "$TQ_NODE/compare-ground-truth.js" --zipkin "$GT" "$out.flat"
		else
			run -0 node "$TQ_NODE/compare-ground-truth.js" "$GT" "$out.flat"
		fi
		[ "$output" = "220 spans compared, 0 differences" ]
	done
	# Several files and stdin: one proto stream, records in order.
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$BATS_TEST_TMPDIR/all.stream"
	run -0 split_records "$BATS_TEST_TMPDIR/all.stream" "$BATS_TEST_TMPDIR/records"
	[ "$output" = 3 ]
	cmp "$BATS_TEST_TMPDIR/records/2.pb" "$TQ_FIXTURES/otlp-proto/000002.body.pb"
	tempo-recv <"$BATS_TEST_TMPDIR/all.stream" | cmp - "$BATS_TEST_TMPDIR/all.stream"
}

@test "tempo-recv: a corrupt stream record is reported with its offset; --skip-bad goes on" {
	local s=$BATS_TEST_TMPDIR/bad.stream
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$s"
	# Spoil the first record's first tag (byte 4): a bad wire type.
	printf '\x0f' | dd of="$s" bs=1 seek=4 conv=notrunc status=none
	run -1 --separate-stderr tempo-recv -o "$BATS_TEST_TMPDIR/none.stream" "$s"
	[[ $stderr == "tempo-recv: $s: record at byte 0: byte 0: "* ]]
	[ ! -s "$BATS_TEST_TMPDIR/none.stream" ]
	run -1 --separate-stderr tempo-recv -o "$BATS_TEST_TMPDIR/two.stream" --skip-bad "$s"
	[[ $stderr == "tempo-recv: $s: record at byte 0: byte 0: "* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	run -0 split_records "$BATS_TEST_TMPDIR/two.stream" "$BATS_TEST_TMPDIR/records"
	[ "$output" = 2 ]
	cmp "$BATS_TEST_TMPDIR/records/1.pb" "$TQ_FIXTURES/otlp-proto/000002.body.pb"
	run -1 --separate-stderr tempo-recv "$BATS_TEST_TMPDIR/missing.pb"
	[ "$stderr" = "tempo-recv: $BATS_TEST_TMPDIR/missing.pb: No such file or directory" ]
}

@test "tempo-recv: live OpenTelemetry JS SDK, proto, json and zipkin exporters" {
	local kind url sent
	for kind in proto json zipkin; do
		if [ "$kind" = zipkin ]; then
			start_recv zipkin -f json -o "$BATS_TEST_TMPDIR/live-$kind.jsonl"
			url=http://127.0.0.1:$PORT/api/v2/spans
		else
			start_recv otlp -f json -o "$BATS_TEST_TMPDIR/live-$kind.jsonl"
			url=http://127.0.0.1:$PORT/v1/traces
		fi
		sent=$BATS_TEST_TMPDIR/sent-$kind
		timeout 60 node "$TQ_NODE/otel-send.js" "$kind" "$url" 237 "live-$kind" >"$sent"
		stop_recv
		[ "$(wc -l <"$sent")" -eq 237 ]
		diff -u <(sort "$sent") <(jq -r '.resourceSpans[].scopeSpans[].spans[] | "\(.name) \(.traceId) \(.spanId)"' \
			"$BATS_TEST_TMPDIR/live-$kind.jsonl" | sort)
	done
}

# A protobuf TracesData with the given Span bytes (hex), built by node.
pb_with_span() {
	node -e '
		const tag = (f, b) => Buffer.concat([Buffer.from([f << 3 | 2]), varint(b.length), b]);
		function varint(n) { const o = []; while (n > 127) { o.push(n & 127 | 128); n >>>= 7; } o.push(n); return Buffer.from(o); }
		const span = Buffer.from(process.argv[1], "hex");
		process.stdout.write(tag(1, tag(2, tag(2, span))));' "$1"
}

# A span whose attribute value nests arrays DEPTH deep.
pb_deep() {
	node -e '
		const tag = (f, b) => Buffer.concat([Buffer.from([f << 3 | 2]), varint(b.length), b]);
		function varint(n) { const o = []; while (n > 127) { o.push(n & 127 | 128); n >>>= 7; } o.push(n); return Buffer.from(o); }
		let v = tag(1, Buffer.from("x"));            // AnyValue{string_value}
		for (let i = 0; i < +process.argv[1]; i++)
			v = tag(5, tag(1, v));                   // AnyValue{array_value{values}}
		const kv = Buffer.concat([tag(1, Buffer.from("k")), tag(2, v)]);
		const span = Buffer.concat([tag(1, Buffer.alloc(16, 1)), tag(2, Buffer.alloc(8, 2)), tag(9, kv)]);
		process.stdout.write(tag(1, tag(2, tag(2, span))));' "$1"
}

@test "tempo-recv: bad bodies get 400 with the decoder's message, and the server goes on" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000001.body.pb
	start_recv otlp -f json -o "$d/out.jsonl"

	head -c 1000 "$body" >"$d/trunc.pb"
	run -0 post /v1/traces application/x-protobuf "$d/trunc.pb"
	[ "$output" = 400 ]
	grep -q '^byte [0-9]*: ' "$d/reply"

	printf '\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01' >"$d/varint.pb"
	run -0 post /v1/traces application/x-protobuf "$d/varint.pb"
	[ "$output" = 400 ]
	grep -q '^byte [0-9]*: ' "$d/reply"

	printf '\x0a\x10\x0a\x00' >"$d/past.pb"
	run -0 post /v1/traces application/x-protobuf "$d/past.pb"
	[ "$output" = 400 ]
	grep -q '^byte [0-9]*: ' "$d/reply"

	pb_deep 200 >"$d/deep.pb"
	run -0 post /v1/traces application/x-protobuf "$d/deep.pb"
	[ "$output" = 400 ]
	grep -qi 'depth\|nest' "$d/reply"
	pb_deep 3 >"$d/shallow.pb"
	run -0 post /v1/traces application/x-protobuf "$d/shallow.pb"
	[ "$output" = 200 ]

	# Span name (field 5) "\xff\xfe", with IDs.
	pb_with_span "0a10$(printf '01%.0s' {1..16})1208$(printf '02%.0s' {1..8})2a02fffe" >"$d/utf8.pb"
	run -0 post /v1/traces application/x-protobuf "$d/utf8.pb"
	[ "$output" = 400 ]
	grep -qi 'utf-8' "$d/reply"

	printf '{"resourceSpans": [' >"$d/bad.json"
	run -0 post /v1/traces application/json "$d/bad.json"
	[ "$output" = 400 ]
	printf '{"resourceSpans": {"a": 1}}' >"$d/types.json"
	run -0 post /v1/traces application/json "$d/types.json"
	[ "$output" = 400 ]
	grep -q 'resourceSpans' "$d/reply"
	printf '' >"$d/empty"
	run -0 post /v1/traces application/json "$d/empty"
	[ "$output" = 400 ]

	# An empty protobuf body is an empty request.
	run -0 post /v1/traces application/x-protobuf "$d/empty"
	[ "$output" = 200 ]

	run -0 post /v1/traces text/plain "$body"
	[ "$output" = 415 ]
	[ "$(cat "$d/reply")" = "unsupported media type, supported: [application/json, application/x-protobuf]" ]
	run -0 post /v1/traces application/x-protobuf "$body" -H 'Content-Encoding: br'
	[ "$output" = 415 ]

	printf 'not gzip at all' >"$d/notgz"
	run -0 post /v1/traces application/x-protobuf "$d/notgz" -H 'Content-Encoding: gzip'
	[ "$output" = 400 ]
	grep -q '^gzip: byte ' "$d/reply"

	run -0 curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/traces"
	[ "$output" = 405 ]
	run -0 curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/v2/traces"
	[ "$output" = 404 ]

	# Still serving, and only the good requests were written.
	run -0 post /v1/traces application/x-protobuf "$body"
	[ "$output" = 200 ]
	stop_recv
	[ "$(spans_per_record "$d/out.jsonl" | tr '\n' ' ')" = "1 100 " ]
}

@test "tempo-recv: bodies over the limit get 413, bombs stop at the cap" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000001.body.pb
	start_recv otlp --max-body 20000 -o "$d/out.pb"
	run -0 post /v1/traces application/x-protobuf "$body"
	[ "$output" = 413 ]
	grep -q 'exceeds the limit of 20000 bytes' "$d/reply"
	run -0 post /v1/traces application/x-protobuf "$body" -H 'Transfer-Encoding: chunked'
	[ "$output" = 413 ]

	# 100 MiB of zeros: about 100 KiB gzipped, a few KiB as zstd; the
	# decompressed cap (64 MiB) stops both.
	head -c 100M /dev/zero | gzip -c >"$d/bomb.gz"
	head -c 100M /dev/zero | zstd -q -c >"$d/bomb.zst"
	stop_recv
	start_recv otlp -o "$d/out.pb"
	run -0 post /v1/traces application/x-protobuf "$d/bomb.gz" -H 'Content-Encoding: gzip'
	[ "$output" = 413 ]
	grep -q '^gzip: decompressed body exceeds' "$d/reply"
	run -0 post /v1/traces application/x-protobuf "$d/bomb.zst" -H 'Content-Encoding: zstd'
	[ "$output" = 413 ]
	grep -q '^zstd: decompressed body exceeds' "$d/reply"
	run -0 post /v1/traces application/x-protobuf "$body"
	[ "$output" = 200 ]
	stop_recv
	[ "$(stat -c %s "$d/out.pb")" -eq $(($(stat -c %s "$body") + 4)) ]
}

@test "tempo-recv: zstd and deflate bodies are accepted" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000002.body.pb
	zstd -q -c "$body" >"$d/b.zst"
	start_recv otlp -o "$d/out.pb"
	run -0 post /v1/traces application/x-protobuf "$d/b.zst" -H 'Content-Encoding: zstd'
	[ "$output" = 200 ]
	node -e 'process.stdout.write(require("zlib").deflateSync(require("fs").readFileSync(process.argv[1])))' "$body" >"$d/b.zz"
	run -0 post /v1/traces application/x-protobuf "$d/b.zz" -H 'Content-Encoding: deflate'
	[ "$output" = 200 ]
	stop_recv
	run -0 split_records "$d/out.pb" "$d/records"
	[ "$output" = 2 ]
	cmp "$d/records/1.pb" "$body"
	cmp "$d/records/2.pb" "$body"
}

@test "tempo-recv: -o with %t writes one stream per tenant; bad tenants get 400" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000003.body.pb
	start_recv otlp -t fallback -o "$d/spans-%t.pb"
	run -0 post /v1/traces application/x-protobuf "$body" -H 'X-Scope-OrgID: team-a'
	[ "$output" = 200 ]
	run -0 post /v1/traces application/x-protobuf "$body" -H 'X-Scope-OrgID: team-b'
	[ "$output" = 200 ]
	run -0 post /v1/traces application/x-protobuf "$body" -H 'X-Scope-OrgID: team-a'
	[ "$output" = 200 ]
	run -0 post /v1/traces application/x-protobuf "$body"
	[ "$output" = 200 ]
	run -0 post /v1/traces application/x-protobuf "$body" -H 'X-Scope-OrgID: ../etc'
	[ "$output" = 400 ]
	grep -q 'invalid tenant' "$d/reply"
	stop_recv
	local n=$(($(stat -c %s "$body") + 4))
	[ "$(stat -c %s "$d/spans-team-a.pb")" -eq $((2 * n)) ]
	[ "$(stat -c %s "$d/spans-team-b.pb")" -eq "$n" ]
	[ "$(stat -c %s "$d/spans-fallback.pb")" -eq "$n" ]
	[ "$(find "$d" -name 'spans-*' | wc -l)" -eq 3 ]
}

@test "tempo-recv: a stalled client times out and others are served meanwhile" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000003.body.pb start
	start_recv otlp --timeout 1 -o "$d/out.pb"
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 5000\r\n\r\n0123' >&5
	start=$(date +%s%N)
	run -0 post /v1/traces application/x-protobuf "$body"
	[ "$output" = 200 ]
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 900 ]
	# The server closes the stalled connection: read sees EOF within 5 s.
	run timeout 5 cat <&5
	[ "$status" -ne 124 ]
	exec 5<&-
	stop_recv
	[ "$(stat -c %s "$d/out.pb")" -eq $(($(stat -c %s "$body") + 4)) ]
}

@test "tempo-recv: SIGTERM answers and writes requests in flight, exit 0" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000001.body.pb
	start_recv otlp -o "$d/out.pb"
	head -c 30000 "$body" >"$d/part1"
	tail -c +30001 "$body" >"$d/part2"
	{ cat "$d/part1"; sleep 1; cat "$d/part2"; } |
		curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -X POST -T - \
		-H 'Content-Type: application/x-protobuf' \
		"http://127.0.0.1:$PORT/v1/traces" >"$d/code" 3>&- &
	local client=$!
	sleep 0.5
	stop_recv
	wait "$client"
	[ "$(cat "$d/code")" = 200 ]
	run -0 split_records "$d/out.pb" "$d/records"
	[ "$output" = 1 ]
	cmp "$d/records/1.pb" "$body"
}

@test "tempo-recv: a full queue answers 503 with Retry-After; a closed output is reported once, exit 1" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000001.body.pb i code st
	mkfifo "$d/fifo"
	# A reader that never reads: the pipe fills, then the queue.
	sleep 60 <"$d/fifo" 3>&- &
	local reader=$!
	PORT=$(free_port)
	tempo-recv --otlp-http "127.0.0.1:$PORT" --zipkin none --queue-size 200k \
		>"$d/fifo" 2>"$d/recv.err" 3>&- &
	RECV_PID=$!
	wait_port "$PORT"
	for i in $(seq 1 12); do
		code=$(post /v1/traces application/x-protobuf "$body")
		[ "$code" = 503 ] && break
	done
	[ "$code" = 503 ]
	grep -qi '^Retry-After: 1' "$d/reply.h"
	grep -q 'output queue full' "$d/reply"
	# The reader goes away: the writer gets EPIPE, says so once, exit 1.
	kill "$reader"
	st=0
	timeout 10 tail --pid="$RECV_PID" -f /dev/null || true
	wait "$RECV_PID" || st=$?
	RECV_PID=
	[ "$st" -eq 1 ]
	[ "$(grep -c 'Broken pipe' "$d/recv.err")" -eq 1 ]
}

@test "tempo-recv: SIGTERM with an output that reads nothing gives up after --timeout, exit 1" {
	local d=$BATS_TEST_TMPDIR body=$TQ_FIXTURES/otlp-proto/000001.body.pb i code st start
	mkfifo "$d/fifo"
	sleep 60 <"$d/fifo" 3>&- &
	local reader=$!
	PORT=$(free_port)
	tempo-recv --otlp-http "127.0.0.1:$PORT" --zipkin none --timeout 1 \
		>"$d/fifo" 2>"$d/recv.err" 3>&- &
	RECV_PID=$!
	wait_port "$PORT"
	for i in 1 2 3 4; do
		code=$(post /v1/traces application/x-protobuf "$body")
		[ "$code" = 200 ]
	done
	start=$(date +%s)
	kill -TERM "$RECV_PID"
	st=0
	timeout 10 tail --pid="$RECV_PID" -f /dev/null || true
	wait "$RECV_PID" || st=$?
	RECV_PID=
	kill "$reader"
	[ "$st" -eq 1 ]
	[ $(($(date +%s) - start)) -le 5 ]
	grep -q '^tempo-recv: output stalled: [0-9]* bytes of accepted requests not written after 1 s$' "$d/recv.err"
}

@test "tempo-recv: -v logs one line per request on stderr" {
	local d=$BATS_TEST_TMPDIR
	start_recv otlp -v -o /dev/null
	run -0 post /v1/traces application/x-protobuf "$TQ_FIXTURES/otlp-proto/000003.body.pb"
	run -0 post /v1/traces text/plain "$TQ_FIXTURES/otlp-proto/000003.body.pb"
	stop_recv
	grep -q 'POST /v1/traces: tenant single-tenant: 200: 20 spans, 12003 bytes$' "$d/recv.err"
	grep -q 'POST /v1/traces: tenant single-tenant: 415: unsupported media type' "$d/recv.err"
	# Without -v a server is silent.
	start_recv otlp -o /dev/null
	run -0 post /v1/traces text/plain "$TQ_FIXTURES/otlp-proto/000003.body.pb"
	stop_recv
	[ ! -s "$d/recv.err" ]
}

@test "tempo-recv: man page examples" {
	local d=$BATS_TEST_TMPDIR
	# tempo-recv spans.json | tempo-recv -f json
	cp "$TQ_FIXTURES/otlp-json/000003.body.json" "$d/spans.json"
	(cd "$d" && tempo-recv spans.json | tempo-recv -f json) >"$d/ex1.jsonl"
	[ "$(spans_per_record "$d/ex1.jsonl")" = 20 ]
	# tempo-recv -l -o 'spans/%t.pb' with a tenant header
	mkdir "$d/spans"
	PORT=$(free_port)
	(cd "$d" && exec tempo-recv --otlp-http "127.0.0.1:$PORT" --zipkin none -o 'spans/%t.pb') 2>"$d/recv.err" 3>&- &
	RECV_PID=$!
	wait_port "$PORT"
	run -0 post /v1/traces application/x-protobuf "$TQ_FIXTURES/otlp-proto/000003.body.pb" -H 'X-Scope-OrgID: acme'
	[ "$output" = 200 ]
	stop_recv
	[ -s "$d/spans/acme.pb" ]
	# curl example from the man page
	start_recv otlp -f json -o "$d/ex3.jsonl"
	curl -sf -H 'Content-Type: application/x-protobuf' \
		--data-binary @"$TQ_FIXTURES/otlp-proto/000003.body.pb" \
		"http://127.0.0.1:$PORT/v1/traces"
	stop_recv
	[ "$(spans_per_record "$d/ex3.jsonl")" = 20 ]
}
