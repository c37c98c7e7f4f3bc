#!/usr/bin/env bats
# tempo-gen.bats: the synthetic trace generator: determinism, the shape of
# its OTLP (checked with jq on -f json), its counts and limits, usage
# errors, and sending to an OTLP/HTTP endpoint (a small node receiver).
load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# spans FILE prints every span of a json stream, one per line, with its
# service, scope and record number added as "svc", "scope" and "rec".
spans() {
	jq -c 'input_line_number as $rec
		| .resourceSpans[]
		| (.resource.attributes[] | select(.key == "service.name")
			| .value.stringValue) as $svc
		| .scopeSpans[] | .scope.name as $scope
		| .spans[] | . + {svc: $svc, scope: $scope, rec: $rec}' "$1"
}

# sink PORT MODE DIR [STATUSES] runs an OTLP/HTTP receiver on PORT in the
# background.  MODE json counts the spans of each body into DIR/spans;
# MODE proto appends each body to DIR/stream as a span stream record.
# STATUSES (e.g. "503,429,200") are the answers to the first requests,
# 200 after; 429 and 503 come with "Retry-After: 0".  Every request's
# headers go to DIR/headers as JSON lines.  It exits after 60 s.
sink() {
	cat >"$BATS_TEST_TMPDIR/sink.js" <<'EOF'
const http = require('http');
const fs = require('fs');
const [port, mode, dir, plan] = process.argv.slice(2);
const statuses = (plan || '').split(',').filter(Boolean).map(Number);
let n = 0;
http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		const status = n < statuses.length ? statuses[n] : 200;
		n++;
		fs.appendFileSync(dir + '/headers', JSON.stringify({
			method: req.method, url: req.url, status,
			headers: req.headers, length: body.length }) + '\n');
		if (status === 200) {
			if (mode === 'json') {
				const td = JSON.parse(body.toString('utf8'));
				let k = 0;
				for (const rs of td.resourceSpans || [])
					for (const ss of rs.scopeSpans || [])
						k += (ss.spans || []).length;
				fs.appendFileSync(dir + '/spans', k + '\n');
			} else {
				const len = Buffer.alloc(4);
				len.writeUInt32BE(body.length);
				fs.appendFileSync(dir + '/stream', Buffer.concat([len, body]));
			}
			res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
			res.end();
		} else {
			const h = { 'Content-Type': 'text/plain' };
			if (status === 429 || status === 503) h['Retry-After'] = '0';
			res.writeHead(status, h);
			res.end('no thanks: ' + status + '\nsecond line\n');
		}
	});
}).listen(Number(port), '127.0.0.1');
setTimeout(() => process.exit(0), 60000);
EOF
	node "$BATS_TEST_TMPDIR/sink.js" "$@" 3>&- &
	SINK_PID=$!
	wait_port "$1"
}

teardown() {
	if [ -n "${SINK_PID:-}" ]; then
		kill "$SINK_PID" 2>/dev/null || true
		wait "$SINK_PID" 2>/dev/null || true
	fi
}

@test "tempo-gen: the same seed gives the same bytes" {
	run -0 --separate-stderr tempo-gen -o a.pb
	[ -z "$stderr" ]
	run -0 --separate-stderr tempo-gen -o b.pb
	cmp a.pb b.pb
	[ "$(stat -c %s a.pb)" -gt 10000 ]
	tempo-gen -f json --traces 30 --seed 7 >a.json
	tempo-gen -f json --traces 30 --seed 7 >b.json
	cmp a.json b.json
}

@test "tempo-gen: another seed gives other traces" {
	tempo-gen -f json --traces 30 --seed 1 >a.json
	tempo-gen -f json --traces 30 --seed 2 >b.json
	run -1 cmp -s a.json b.json
	spans a.json | jq -r .traceId | sort -u >a.ids
	spans b.json | jq -r .traceId | sort -u >b.ids
	[ -z "$(comm -12 a.ids b.ids)" ]
}

@test "tempo-gen: the record size changes how spans are cut, not the spans" {
	tempo-gen -f json --traces 40 --batch 1 >one.json
	tempo-gen -f json --traces 40 --batch 33 >many.json
	[ "$(wc -l <one.json)" -eq "$(spans one.json | wc -l)" ]
	spans one.json | jq -c 'del(.rec)' | sort >one.spans
	spans many.json | jq -c 'del(.rec)' | sort >many.spans
	diff -u one.spans many.spans
}

@test "tempo-gen: -f json is OTLP/JSON with hex IDs of the right length" {
	tempo-gen -f json --traces 50 >t.json
	run -0 jq -e '.resourceSpans | length > 0' t.json
	spans t.json >s.jsonl
	run -0 jq -e -s 'length > 100 and all(
		(.traceId | test("^[0-9a-f]{32}$")) and
		(.spanId | test("^[0-9a-f]{16}$")) and
		((.parentSpanId // "0000000000000000") | test("^[0-9a-f]{16}$")) and
		(.name | length > 0) and (.kind >= 1 and .kind <= 5))' s.jsonl
	run -0 jq -e -s '[.[].links[]?.traceId | test("^[0-9a-f]{32}$")] |
		length > 0 and all' s.jsonl
}

@test "tempo-gen: every parent is in its trace, and remote exactly across services" {
	tempo-gen -f json --traces 80 >t.json
	spans t.json >s.jsonl
	# Index spans by trace and span ID; check each parent.
	run -0 jq -e -s '
		(map({key: (.traceId + .spanId), value: .svc}) | from_entries) as $by
		| map(select(.parentSpanId)) as $children
		| ($children | length > 100)
		and ($children | all($by[.traceId + .parentSpanId] != null))
		and ($children | all(
			(.flags == 769) == ($by[.traceId + .parentSpanId] != .svc)))
		and (map(select(.parentSpanId | not)) | all(.flags == 257))
		and ([.[].flags] | unique == [257, 769])' s.jsonl
	# One root per trace.
	run -0 jq -e -s 'group_by(.traceId)
		| all(map(select(.parentSpanId | not)) | length == 1)' s.jsonl
}

@test "tempo-gen: times are ordered: spans, events, and records by end time" {
	tempo-gen -f json --traces 60 --batch 25 >t.json
	spans t.json >s.jsonl
	# Timestamps have the same number of digits, so strings compare.
	run -0 jq -e -s 'all(
		(.startTimeUnixNano | length == 19) and
		(.startTimeUnixNano < .endTimeUnixNano) and
		(. as $s | all(.events[]?; .timeUnixNano >= $s.startTimeUnixNano
			and .timeUnixNano <= $s.endTimeUnixNano)))' s.jsonl
	# Children start within the trace: no span before its trace's root.
	run -0 jq -e -s 'group_by(.traceId) | all(
		(map(select(.parentSpanId | not))[0].startTimeUnixNano) as $root
		| all(.startTimeUnixNano >= $root))' s.jsonl
	# Records come in end order, as an exporter sends them.
	run -0 jq -e -s 'group_by(.rec) | map({lo: (map(.endTimeUnixNano) | min),
		hi: (map(.endTimeUnixNano) | max)})
		| [range(1; length) as $i | .[$i - 1].hi <= .[$i].lo] | all' s.jsonl
	# The default base time is 2026-01-01T00:00:00Z.
	run -0 jq -e -s 'map(.startTimeUnixNano) | min
		| . >= "1767225600000000000" and . < "1767225660000000000"' s.jsonl
}

@test "tempo-gen: every attribute value type, arrays, events, links, errors" {
	tempo-gen -f json --traces 200 >t.json
	spans t.json >s.jsonl
	run -0 jq -e -s '[.[].attributes[]?.value | keys[0]] | unique ==
		["arrayValue", "boolValue", "bytesValue", "doubleValue",
		 "intValue", "kvlistValue", "stringValue"]' s.jsonl
	# Arrays of each scalar type, and empty ones.
	run -0 jq -e -s '[.[].attributes[]?.value.arrayValue | select(.)
		| .values[0] | select(.) | keys[0]] | unique ==
		["boolValue", "doubleValue", "intValue", "stringValue"]' s.jsonl
	run -0 jq -e -s '[.[].attributes[]?.value.arrayValue | select(.)
		| select((.values // []) | length == 0)] | length > 0' s.jsonl
	# Non-ASCII strings.
	run -0 jq -e -s '[.[].attributes[]?.value.stringValue // empty
		| select(test("[^\\u0000-\\u007f]"))] | length > 0' s.jsonl
	# All five kinds; events with and without attributes; exceptions.
	run -0 jq -e -s '[.[].kind] | unique == [1, 2, 3, 4, 5]' s.jsonl
	run -0 jq -e -s '[.[].events[]? | select(.name == "exception")
		| .attributes | map(.key) | contains(["exception.type",
		"exception.message", "exception.stacktrace"])] | length > 0 and all' s.jsonl
	run -0 jq -e -s '[.[].events[]? | select(.attributes | not)] | length > 0' s.jsonl
	# Links to spans of earlier traces, with attributes.
	run -0 jq -e -s '[.[] | .traceId as $t | .links[]?
		| select(.traceId != $t and (.attributes | length > 0))] | length > 0' s.jsonl
	# Errors with messages, OK and unset statuses; tracestate on some.
	run -0 jq -e -s '[.[] | .status.code // 0] | unique == [0, 1, 2]' s.jsonl
	run -0 jq -e -s '[.[] | select(.status.code == 2 and
		(.status.message // "" | length > 0))] | length > 0' s.jsonl
	run -0 jq -e -s '[.[].traceState // empty] | length > 0' s.jsonl
	run -0 jq -e -s 'length as $n | [.[].traceState // empty] | length < $n' s.jsonl
}

@test "tempo-gen: resources and scopes carry typed attributes, versions and schema URLs" {
	tempo-gen -f json --traces 100 >t.json
	run -0 jq -e -s '[.[].resourceSpans[].resource.attributes[]
		| select(.key == "process.pid") | .value.intValue] | length > 0' t.json
	run -0 jq -e -s '[.[].resourceSpans[].resource.attributes[]
		| select(.key == "app.canary") | .value.boolValue] | unique == [false, true]' t.json
	run -0 jq -e -s '[.[].resourceSpans[].resource.attributes[]
		| select(.key == "deployment.environment.name") | .value.stringValue]
		| unique == ["production", "staging"]' t.json
	run -0 jq -e -s '[.[].resourceSpans[].scopeSpans[]
		| select(.schemaUrl == "https://opentelemetry.io/schemas/1.30.0")
		| .scope | select(.version and (.attributes | length > 0))]
		| length > 0' t.json
	run -0 jq -e -s '[.[].resourceSpans[].scopeSpans[].scope.version] | all' t.json
	# A resource appears once per record.
	run -0 jq -e -s 'all(.resourceSpans | map(.resource) | length == (unique | length))' t.json
}

@test "tempo-gen: counts follow --traces, --batch, --spans, --services, --instances" {
	tempo-gen -f json --traces 37 --batch 10 >t.json
	spans t.json >s.jsonl
	[ "$(jq -r .traceId s.jsonl | sort -u | wc -l)" -eq 37 ]
	run -0 jq -e -s 'group_by(.rec) | map(length) | .[:-1] | all(. == 10)' s.jsonl
	run -0 jq -e -s 'group_by(.rec) | map(length) | last | . >= 1 and . <= 10' s.jsonl

	tempo-gen -f json --spans 500 >t.json
	spans t.json >s.jsonl
	n=$(wc -l <s.jsonl)
	[ "$n" -ge 500 ] && [ "$n" -lt 600 ]

	tempo-gen -f json --traces 30 --services 1 >t.json
	[ "$(spans t.json | jq -r .svc | sort -u)" = frontend ]
	tempo-gen -f json --traces 60 --services 3 --instances 1 >t.json
	[ "$(spans t.json | jq -r .svc | sort -u | tr '\n' ' ')" = "currency frontend product-catalog " ]
	run -0 jq -e -s '[.[].resourceSpans[].resource.attributes[]
		| select(.key == "service.instance.id") | .value.stringValue]
		| unique | length == 3' t.json
}

@test "tempo-gen: --depth and --fanout bound the tree" {
	tempo-gen -f json --traces 100 --depth 2 >t.json
	spans t.json >s.jsonl
	# With depth 2 a span's parent is a root.
	run -0 jq -e -s '(map(select(.parentSpanId | not) | .spanId)) as $roots
		| map(select(.parentSpanId) | .parentSpanId)
		| length > 0 and all(. as $p | $roots | index($p))' s.jsonl
	tempo-gen -f json --traces 100 --fanout 2 >t.json
	run -0 jq -e -s '[.[] | select(.name | startswith("SELECT shop.products_shard_"))
		| .name] | unique == ["SELECT shop.products_shard_00",
		"SELECT shop.products_shard_01"]' <(spans t.json)
}

@test "tempo-gen: --error-rate 0 and 1" {
	tempo-gen -f json --traces 100 --error-rate 0 >t.json
	run -0 jq -e -s 'all(.status.code != 2)' <(spans t.json)
	tempo-gen -f json --traces 100 --error-rate 1 >t.json
	spans t.json >s.jsonl
	# Most traces then have an error somewhere (a failure needs its call).
	run -0 jq -e -s 'group_by(.traceId)
		| (map(select(any(.status.code == 2))) | length) > 80' s.jsonl
}

@test "tempo-gen: --huge-attr makes an attribute of exactly that size" {
	tempo-gen -f json --traces 3 --huge-attr 100000 >t.json
	run -0 --separate-stderr jq -r '.resourceSpans[].scopeSpans[].spans[].attributes[]?
		| select(.key == "app.payload") | .value.stringValue | length' t.json
	[ "$output" = 100000 ]
	tempo-gen -f json --traces 3 --huge-attr 2k >t.json
	run -0 --separate-stderr jq -r '.resourceSpans[].scopeSpans[].spans[].attributes[]?
		| select(.key == "app.payload") | .value.stringValue | length' t.json
	[ "$output" = 2048 ]
}

@test "tempo-gen: --huge-trace makes one trace of exactly that many spans" {
	tempo-gen -f json --traces 5 --huge-trace 20000 --batch 1000 >t.json
	spans t.json | jq -r .traceId | sort | uniq -c | sort -rn >counts
	[ "$(awk 'NR == 1 { print $1 }' counts)" -eq 20000 ]
	[ "$(awk 'NR == 2 { print $1 }' counts)" -lt 20000 ]
	[ "$(wc -l <counts)" -eq 5 ]
}

@test "tempo-gen: --start sets the base time" {
	tempo-gen -f json --traces 5 --start 2026-03-01T12:00:00Z >t.json
	run -0 jq -e -s 'map(.startTimeUnixNano) | min
		| . >= "1772366400000000000" and . < "1772366460000000000"' <(spans t.json)
	tempo-gen -f json --traces 5 --start 1772366400 >u.json
	cmp t.json u.json
}

@test "tempo-gen: --zstd compresses the same stream" {
	tempo-gen --traces 50 >plain.pb
	tempo-gen --traces 50 --zstd >z.pb.zst
	tempo-gen --traces 50 --zstd=19 >z19.pb.zst
	zstd -dc z.pb.zst | cmp - plain.pb
	zstd -dc z19.pb.zst | cmp - plain.pb
	[ "$(stat -c %s z.pb.zst)" -lt "$(stat -c %s plain.pb)" ]
}

@test "tempo-gen: -v prints a summary on stderr and leaves stdout alone" {
	tempo-gen --traces 20 >a.pb
	run -0 --separate-stderr tempo-gen --traces 20 -v -o b.pb
	cmp a.pb b.pb
	[[ $stderr =~ ^tempo-gen:\ [0-9]+\ spans\ in\ 20\ traces,\ [0-9]+\ records ]]
	[[ $stderr == *"spans/s"* ]]
}

@test "tempo-gen: --rate paces the output" {
	# 50-span records at 1000 spans/s: the last waits for the others.
	start=$(date +%s%N)
	run -0 --separate-stderr tempo-gen --spans 300 --batch 50 --rate 1000 -o r.pb
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$took" -ge 250 ]
}

@test "tempo-gen: --duration and SIGTERM end with every started trace written" {
	run -0 --separate-stderr timeout 20 tempo-gen -f json --duration 300ms \
		--rate 5000 -o d.json
	n=$(spans d.json | wc -l)
	[ "$n" -gt 100 ] && [ "$n" -lt 5000 ]
	run -0 jq -e -s '(map({key: (.traceId + .spanId), value: true}) | from_entries) as $by
		| map(select(.parentSpanId)) | all($by[.traceId + .parentSpanId] != null)' \
		<(spans d.json)

	tempo-gen -f json --traces 0 --rate 20000 -o sig.json &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	run -0 jq -e -s '(map({key: (.traceId + .spanId), value: true}) | from_entries) as $by
		| length > 100 and (map(select(.parentSpanId))
		| all($by[.traceId + .parentSpanId] != null))' <(spans sig.json)
}

@test "tempo-gen: bad options are usage errors" {
	local args
	for args in "--bogus" "--batch 0" "--batch x" "--batch 100001" \
		"-f xml" "--error-rate 2" "--error-rate x" "--services 12" \
		"--services 0" "--instances 17" "--depth 0" "--fanout 0" \
		"--huge-attr 17m" "--huge-trace 1000001" "--rate 0" \
		"--duration 0s" "--duration soon" "--start yesterday" \
		"--endpoint ftp://x" "-H novalue" "--zstd=20" "extra-argument" \
		"--endpoint http://127.0.0.1:1 -o x.pb" \
		"--endpoint http://127.0.0.1:1 --zstd"; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr tempo-gen $args
		[ -z "$output" ] || fail "$args: wrote to stdout"
		[[ $stderr == *"usage: tempo-gen"* ]] || fail "$args: $stderr"
	done
	run -2 --separate-stderr tempo-gen --batch 0
	[[ $stderr == "tempo-gen: --batch: 0: not 1 to 100000"* ]]
}

@test "tempo-gen: an unwritable output fails with exit 1" {
	run -1 --separate-stderr tempo-gen -o /nonexistent/dir/x.pb
	[[ $stderr == "tempo-gen: /nonexistent/dir/x.pb: No such file or directory"* ]]
}

@test "tempo-gen: --endpoint posts OTLP/JSON and every span arrives" {
	port=$(free_port)
	sink "$port" json "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr timeout 30 tempo-gen -f json --traces 60 \
		--batch 40 --endpoint "http://127.0.0.1:$port" -t team-a \
		-H 'X-Test: yes' -H 'X-Other:two' -v
	want=$(tempo-gen -f json --traces 60 --batch 40 | spans /dev/stdin | wc -l)
	[ "$(awk '{ n += $1 } END { print n }' spans)" -eq "$want" ]
	[ "$(wc -l <spans)" -eq "$(( (want + 39) / 40 ))" ]
	run -0 jq -e -s 'all(.method == "POST" and .url == "/v1/traces" and
		.headers["content-type"] == "application/json" and
		.headers["x-scope-orgid"] == "team-a" and
		.headers["x-test"] == "yes" and .headers["x-other"] == "two")' headers
	[[ $stderr == *"$want spans in 60 traces"* ]]
}

@test "tempo-gen: --endpoint posts exactly the records it would write" {
	port=$(free_port)
	sink "$port" proto "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr timeout 30 tempo-gen --traces 80 --batch 64 \
		--endpoint "http://127.0.0.1:$port/custom/path"
	[ -z "$stderr" ]
	tempo-gen --traces 80 --batch 64 -o file.pb
	cmp stream file.pb
	run -0 jq -e -s 'all(.url == "/custom/path" and
		.headers["content-type"] == "application/x-protobuf" and
		(.headers["x-scope-orgid"] | not))' headers
	# One connection serves every request.
	run -0 jq -e -s 'length > 3' headers
}

@test "tempo-gen: 429 and 503 are retried after Retry-After" {
	port=$(free_port)
	sink "$port" proto "$BATS_TEST_TMPDIR" 503,429,200,503
	run -0 --separate-stderr timeout 30 tempo-gen --traces 30 --batch 50 \
		--endpoint "http://127.0.0.1:$port"
	tempo-gen --traces 30 --batch 50 -o file.pb
	cmp stream file.pb
	[[ $stderr == *"HTTP 503, retrying in 0.0 s"* ]]
	[[ $stderr == *"HTTP 429, retrying in 0.0 s"* ]]
	# -q keeps quiet about retries.
	rm -f stream headers
	kill "$SINK_PID"
	wait "$SINK_PID" || true
	port=$(free_port)
	sink "$port" proto "$BATS_TEST_TMPDIR" 503
	run -0 --separate-stderr timeout 30 tempo-gen -q --traces 30 --batch 50 \
		--endpoint "http://127.0.0.1:$port"
	[ -z "$stderr" ]
	cmp stream file.pb
}

@test "tempo-gen: a refused request ends the run with exit 1 and the reason" {
	port=$(free_port)
	sink "$port" proto "$BATS_TEST_TMPDIR" 200,400
	run -1 --separate-stderr timeout 30 tempo-gen --traces 30 --batch 20 \
		--endpoint "http://127.0.0.1:$port"
	[ "$stderr" = "tempo-gen: http://127.0.0.1:$port/v1/traces: HTTP 400: no thanks: 400" ]
	[ "$(wc -l <headers)" -eq 2 ]
	# A receiver that keeps saying 503 is given up on.
	kill "$SINK_PID"
	wait "$SINK_PID" || true
	port=$(free_port)
	sink "$port" proto "$BATS_TEST_TMPDIR" 503,503,503,503,503,503,503
	run -1 --separate-stderr timeout 30 tempo-gen -q --traces 3 \
		--endpoint "http://127.0.0.1:$port"
	[ "$stderr" = "tempo-gen: http://127.0.0.1:$port/v1/traces: HTTP 503 after 6 attempts: no thanks: 503" ]
}

@test "tempo-gen: an unreachable endpoint fails with exit 1 and a clear message" {
	port=$(free_port)
	run -1 --separate-stderr timeout 30 tempo-gen --traces 3 \
		--endpoint "http://127.0.0.1:$port"
	[ -z "$output" ]
	[[ $stderr == "tempo-gen: http://127.0.0.1:$port/v1/traces: "*"onnect"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

# The EXAMPLES of tempo-gen(1), as written there (ports and sizes aside).

@test "tempo-gen: man example: write the same 100 traces as everyone" {
	run -0 --separate-stderr tempo-gen -o shop.pb
	tempo-gen --seed 1 --traces 100 >stdout.pb
	cmp shop.pb stdout.pb
}

@test "tempo-gen: man example: one checkout trace as OTLP/JSON" {
	run -0 --separate-stderr bash -c "tempo-gen --traces 20 -f json | jq -c '.resourceSpans[].scopeSpans[].spans[]
    | select(.name == \"order.place\") | .traceId' | head -n 1"
	[[ $output =~ ^\"[0-9a-f]{32}\"$ ]]
}

@test "tempo-gen: man example: about a million spans, compressed" {
	# The example's million, scaled down tenfold to keep the suite quick.
	run -0 --separate-stderr tempo-gen --spans 100000 --batch 1000 --zstd \
		-o million.pb.zst
	zstd -dc million.pb.zst >million.pb
	tempo-gen --spans 100000 --batch 1000 -o plain.pb
	cmp million.pb plain.pb
	# Records of 1000 spans: the first length prefix says a big record.
	[ "$(od -An -tu1 -N4 million.pb | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')" -gt 100000 ]
}

@test "tempo-gen: man example: a 2 MiB attribute and a trace of 50000 spans" {
	run -0 --separate-stderr tempo-gen --traces 10 --huge-attr 2m \
		--huge-trace 50000 -o huge.pb
	[ "$(stat -c %s huge.pb)" -gt $((2 * 1024 * 1024)) ]
	tempo-gen --traces 10 --huge-attr 2m --huge-trace 50000 -f json >huge.json
	spans huge.json >s.jsonl
	[ "$(jq -r .traceId s.jsonl | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 }')" -eq 50000 ]
	run -0 jq -e -s '[.[].attributes[]? | select(.key == "app.payload")
		| .value.stringValue | length] == [2097152]' s.jsonl
}

@test "tempo-gen: man example: send at a rate for a while to a tenant" {
	port=$(free_port)
	sink "$port" proto "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr timeout 30 tempo-gen \
		--endpoint "http://localhost:$port" --rate 500 --duration 1s \
		--start now -t team-a -v
	[[ $stderr =~ ^tempo-gen:\ ([0-9]+)\ spans\ in\ [0-9]+\ traces,\ ([0-9]+)\ requests ]]
	sent=${BASH_REMATCH[1]}
	[ "$sent" -gt 100 ] && [ "$sent" -lt 1500 ]
	[ "$(wc -l <headers)" -eq "${BASH_REMATCH[2]}" ]
	run -0 jq -e -s 'all(.headers["x-scope-orgid"] == "team-a")' headers
	[ "$(stat -c %s stream)" -gt 10000 ]
}
