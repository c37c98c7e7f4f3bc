#!/usr/bin/env bats
# traceql-semantics.bats: what TraceQL queries find, checked against answers
# computed without our engine.  The dataset is a tempo-gen seed (300 shop
# traces) plus the hand-built traces of tests/data/traceql/edge.json (deep
# chains and siblings, two roots, orphans, a trace without a root, every
# attribute type, arrays, scopes, events, links, every status and kind,
# Unicode).  tests/node/ql-oracle.js exports the same OTLP/JSON as one span
# per JSON line, loads it into DuckDB and runs each test's SQL; structure
# comes from parent span IDs (recursive CTEs), never from nested-set
# numbers.  Each query runs three ways and must give the oracle's spansets:
# over a store packed with tempo-pack (two blocks), over a span stream on
# stdin whose records hold whole traces, and, for queries that look at one
# span at a time, over the generator's stream cut into records of 100
# spans (the union of the spans found per trace).  The two streams are the
# JSON ones in the protobuf format (tempo-recv -f proto), which tempo-ql
# reads many times faster under ASan; a test checks that the JSON streams
# give the same results, byte for byte.  One oracle process (ql-oracle.js
# serve) answers every case of the suite.
#
# Semantics the oracle encodes (tempo.md §2): comparisons between int,
# float and duration are numeric, other type mismatches are false; regexes
# are anchored (DuckDB's regexp_full_match, RE2 like Tempo's); x = nil is
# true when x is absent; on arrays = and =~ match when any element does,
# != and !~ when none does; the unscoped .x is the span's attribute, else
# its resource's; a span's parent is the span of its parent ID when that is
# in the trace, so orphans start subtrees of their own and two roots (or
# two orphans of one missing parent) are not siblings; a negated structural
# operator with nothing on its left returns the whole right side.
load helper

ORACLE="$TQ_NODE/ql-oracle.js"
EDGE="$TQ_TOP/tests/data/traceql/edge.json"
# The edge traces, one per line.
T1=eded0000000000000000000000000001 # deep chain, siblings, four services
T2=eded0000000000000000000000000002 # two roots and orphans
T3=eded0000000000000000000000000003 # attribute values, scopes, events, links
T4=eded0000000000000000000000000004 # no root span at all

setup_file() {
	local d=$BATS_FILE_TMPDIR
	export QD=$d
	tempo-gen --seed 20261127 --traces 300 -f json -o "$d/gen.json"
	tempo-gen --seed 20261127 --traces 300 -f json --batch 100000 -o "$d/gen-whole.json"
	cat "$EDGE" "$d/gen-whole.json" > "$d/whole.json"
	cat "$EDGE" "$d/gen.json" > "$d/split.json"
	# Two blocks: the edge traces, then the generated ones.
	mkdir "$d/store"
	TEMPO_WAL=$d/wal tempo-pack -q -s "$d/store" "$EDGE"
	TEMPO_WAL=$d/wal tempo-pack -q -s "$d/store" "$d/gen.json"
	tempo-recv -f proto -o "$d/whole.pb" "$d/whole.json"
	tempo-recv -f proto -o "$d/split.pb" "$d/split.json"
	node "$ORACLE" export "$d/spans.jsonl" "$EDGE" "$d/gen.json"
	node "$ORACLE" load "$d/spans.duckdb" "$d/spans.jsonl"
	node "$ORACLE" serve "$d/spans.duckdb" "$d/oracle.port" "$$" \
		>"$d/oracle.log" 2>&1 3>&- &
	echo "$!" >"$d/oracle.pid"
	local i
	for i in $(seq 1 100); do
		[ -s "$d/oracle.port" ] && break
		sleep 0.1
	done
	[ -s "$d/oracle.port" ] || { cat "$d/oracle.log" >&2; return 1; }
	ORACLE_PORT=$(<"$d/oracle.port")
	export ORACLE_PORT
}

teardown_file() {
	kill "$(<"$QD/oracle.pid")" 2>/dev/null || true
}

# oracle COMMAND ARGS...: ql-oracle.js COMMAND ARGS... as answered by the
# suite's oracle server: its stdout, stderr and exit status.
oracle() {
	local fd st out=$BATS_TEST_TMPDIR/oracle.out err=$BATS_TEST_TMPDIR/oracle.err
	exec {fd}<>"/dev/tcp/127.0.0.1/$ORACLE_PORT" || return 2
	printf '%s\0' "$(($# + 2))" "$out" "$err" "$@" >&"$fd"
	IFS= read -r -t 120 st <&"$fd"
	exec {fd}>&-
	[ -n "$st" ] || { echo "the oracle server did not answer" >&2; return 2; }
	cat -- "$out"
	cat -- "$err" >&2
	return "$st"
}

# ql ARGS...: tempo-ql search with everything in the result.
ql() {
	tempo-ql -f jsonl --limit 100000 --spss 100 "$@"
}

# check [--empty] [--local] [--agg KEY] [--attrs K1,K2] QUERY SQL
# compares QUERY's spansets (trace, by() value, matched, span IDs and the
# asked-for attributes) with the oracle's answer to SQL, over the store and
# over the whole-trace stream; with --local also over the stream cut into
# records.  Without --empty the oracle must find something.
check() {
	local empty=() local_=0 opts=() q sql where results=() bad=""
	while :; do
		case $1 in
		--empty) empty=(--empty); shift ;;
		--local) local_=1; shift ;;
		--agg|--attrs) opts+=("$1" "$2"); shift 2 ;;
		*) break ;;
		esac
	done
	q=$1 sql=$2
	for where in store stream records; do
		case $where in
		store) run --separate-stderr ql -s "$QD/store" "$q" ;;
		stream) run --separate-stderr ql "$q" < "$QD/whole.pb" ;;
		records)
			[ "$local_" = 1 ] || continue
			run --separate-stderr ql "$q" < "$QD/split.pb" ;;
		esac
		if [ "$status" -ne 0 ]; then
			bad="$bad
$where: tempo-ql exited $status: $stderr"
			continue
		fi
		printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/$where.jsonl"
		results+=("$where=$BATS_TEST_TMPDIR/$where.jsonl")
	done
	[ "${#results[@]}" -gt 0 ] || fail "$q:$bad"
	run --separate-stderr oracle check "$QD/spans.duckdb" "${empty[@]}" "${opts[@]}" "$sql" "${results[@]}"
	[ "$status" -le 1 ] || fail "the oracle failed: $stderr"
	[ "$status" -eq 0 ] || bad="$bad
$output$stderr"
	[ -z "$bad" ] || fail "$q:$bad"
}

# ---- the oracle itself, on the hand-built traces ----

@test "oracle: parents, ancestors and siblings of the edge traces are as drawn" {
	run -0 oracle expect "$QD/spans.duckdb" \
		"SELECT s.trace_id, s.span_id FROM spans s JOIN par ON par.sid = s.sid WHERE s.trace_id LIKE 'eded%'"
	# Every span with a parent in its trace: not the roots, not the orphans.
	assert_output "$T1 n=10 e100000000000002 e100000000000003 e100000000000004 e100000000000005 e100000000000006 e100000000000007 e100000000000008 e100000000000009 e10000000000000a e10000000000000b
$T2 n=3 e200000000000002 e200000000000004 e200000000000006
$T3 n=6 e300000000000002 e300000000000003 e300000000000004 e300000000000005 e300000000000006 e300000000000007
$T4 n=1 e400000000000002"
	run -0 oracle expect "$QD/spans.duckdb" \
		"SELECT s.trace_id, s.span_id FROM spans s WHERE s.sid IN (SELECT asid FROM anc JOIN spans c USING (sid) WHERE c.span_id = 'e100000000000009')"
	assert_output "$T1 n=6 e100000000000001 e100000000000002 e100000000000005 e100000000000006 e100000000000007 e100000000000008"
}

@test "oracle: typed values, the unscoped shadowing and arrays of the edge traces" {
	run -0 oracle expect "$QD/spans.duckdb" "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n = 1)"
	assert_output "$T3 n=2 e300000000000001 e300000000000002"
	run -0 oracle expect "$QD/spans.duckdb" "WHERE sid IN (SELECT sid FROM uattr('shadow') WHERE s = 'res')"
	assert_output "$T3 n=3 e300000000000001 e300000000000003 e300000000000004"
	run -0 oracle expect "$QD/spans.duckdb" "WHERE sid IN (SELECT sid FROM uattr('num') WHERE n = 10)"
	assert_output "$T3 n=2 e300000000000005 e300000000000007"
	run -0 oracle expect "$QD/spans.duckdb" "WHERE sid IN (SELECT sid FROM attr('span', 'arr.s') WHERE s = 'b')"
	assert_output "$T3 n=2 e300000000000001 e300000000000004"
}

@test "oracle: the trace metadata of the edge traces" {
	run -0 oracle expect-meta "$QD/spans.duckdb"
	assert_line "$T1 root=\"edge-front\" name=\"GET /edge\" start=1767312010000000000 durationMs=125 stats=edge-back:4:0,edge-db:2:1,edge-front:4:1,edge-queue:1:0"
	assert_line "$T2 root=\"edge-multi\" name=\"root-one\" start=1767312020000000000 durationMs=25 stats=edge-multi:5:1,edge-other:2:0"
	assert_line "$T4 root=\"<root span not yet received>\" name=\"\" start=1767312040000000000 durationMs=7 stats=edge-orphans:2:0"
	[ "${#lines[@]}" -eq 304 ]
}

# ---- intrinsics ----

@test "{ } selects every span" {
	check --local '{ }' "SELECT trace_id, span_id FROM spans"
}

@test "{ true } and { false }" {
	check --local '{ true }' "SELECT trace_id, span_id FROM spans"
	check --empty '{ false }' "WHERE false"
}

@test "hints change nothing in what matches" {
	check '{ status = error } with(most_recent=true)' "WHERE status = 'error'"
	check '{ kind = client } > { kind = server } with(most_recent=true)' \
		"SELECT trace_id, span_id FROM spans WHERE kind = 'server' AND sid IN
		   (SELECT sid FROM par WHERE psid IN (SELECT sid FROM spans WHERE kind = 'client'))"
}


@test "name = string" {
	check --local '{ name = "GET /edge" || name = "HGETALL" }' "WHERE name IN ('GET /edge', 'HGETALL')"
}

@test "name != string" {
	check --local '{ name != "POST" }' "WHERE name <> 'POST'"
}

@test "name < and >= compare strings bytewise" {
	check --local '{ name < "GET" }' "WHERE name < 'GET'"
	check --local '{ name >= "oteldemo.P" }' "WHERE name >= 'oteldemo.P'"
}

@test "name =~ is anchored at both ends" {
	check --local '{ name =~ "attr-[a-z]+" }' "WHERE regexp_full_match(name, 'attr-[a-z]+')"
	check --empty '{ name =~ "attr" }' "WHERE regexp_full_match(name, 'attr')"
	check --local '{ name =~ "SELECT shop\\.products(_shard_0[0-2])?" }' \
		"WHERE regexp_full_match(name, 'SELECT shop\\.products(_shard_0[0-2])?')"
}

@test "name !~ is anchored at both ends" {
	check --local '{ name !~ ".*e.*" }' "WHERE NOT regexp_full_match(name, '.*e.*')"
}

@test "regex flags: (?i)" {
	check --local '{ name =~ "(?i)get /EDGE" }' "WHERE regexp_full_match(name, '(?i)get /EDGE')"
}

@test "status = error" {
	check --local '{ status = error }' "WHERE status = 'error'"
}

@test "status = ok" {
	check --local '{ span:status = ok }' "WHERE status = 'ok'"
}

@test "status = unset" {
	check --local '{ status = unset }' "WHERE status = 'unset'"
}

@test "status != ok" {
	check --local '{ status != ok }' "WHERE status <> 'ok'"
}

@test "kind = server" {
	check --local '{ kind = server }' "WHERE kind = 'server'"
}

@test "kind = client" {
	check --local '{ kind = client }' "WHERE kind = 'client'"
}

@test "kind = producer" {
	check --local '{ kind = producer }' "WHERE kind = 'producer'"
}

@test "kind = consumer" {
	check --local '{ kind = consumer }' "WHERE kind = 'consumer'"
}

@test "kind = internal" {
	check --local '{ kind = internal }' "WHERE kind = 'internal'"
}

@test "kind = unspecified" {
	check --local '{ span:kind = unspecified }' "WHERE kind = 'unspecified'"
}

@test "kind != server" {
	check --local '{ kind != server }' "WHERE kind <> 'server'"
}

@test "duration > 100ms" {
	check --local '{ duration > 100ms }' "WHERE dur_ns > 100000000"
}

@test "duration <= 100us" {
	check --local '{ duration <= 100us }' "WHERE dur_ns <= 100000"
}

@test "duration = 1500us (= 1.5ms)" {
	check --local '{ span:duration = 1500us }' "WHERE dur_ns = 1500000"
	check '{ span:duration = 1.5ms }' "WHERE dur_ns = 1500000"
}

@test "duration >= 1s, < 2m" {
	check --local '{ duration >= 1s && duration < 2m }' "WHERE dur_ns >= 1000000000 AND dur_ns < 120000000000"
}

@test "duration != 10ms" {
	check --local '{ duration != 10ms }' "WHERE dur_ns <> 10000000"
}

@test "statusMessage = string" {
	check --local '{ statusMessage = "boom" }' "WHERE status_message = 'boom'"
}

@test "statusMessage =~ .+ (only spans with a message)" {
	check --local '{ span:statusMessage =~ ".+" }' "WHERE status_message <> ''"
}

@test "span:id = hex" {
	check --local '{ span:id = "e100000000000005" }' "WHERE span_id = 'e100000000000005'"
}

@test "span:parentID = hex" {
	check --local '{ span:parentID = "e100000000000005" }' "WHERE parent_id = 'e100000000000005'"
}

@test "trace:id = hex" {
	check --local "{ trace:id = \"$T2\" }" "WHERE trace_id = '$T2'"
}

@test "traceDuration > 1s" {
	check '{ traceDuration > 1s }' "WHERE trace_id IN (SELECT trace_id FROM traces WHERE dur_ns > 1000000000)"
}

@test "trace:duration < 10ms" {
	check '{ trace:duration < 10ms }' "WHERE trace_id IN (SELECT trace_id FROM traces WHERE dur_ns < 10000000)"
}

@test "rootName = string" {
	check '{ rootName = "GET /edge" || trace:rootName = "GET /healthz" }' \
		"WHERE trace_id IN (SELECT trace_id FROM traces WHERE root_name IN ('GET /edge', 'GET /healthz'))"
}

@test "rootServiceName = string" {
	check '{ rootServiceName = "inventory" }' \
		"WHERE trace_id IN (SELECT trace_id FROM traces WHERE root_service = 'inventory')"
}

@test "trace:rootService of a trace with two roots is the first root's" {
	check '{ trace:rootService = "edge-multi" }' \
		"WHERE trace_id IN (SELECT trace_id FROM traces WHERE root_service = 'edge-multi')"
	check --empty '{ trace:rootService = "edge-other" }' \
		"WHERE trace_id IN (SELECT trace_id FROM traces WHERE root_service = 'edge-other')"
}

@test "span:childCount counts children in the trace" {
	check '{ span:childCount = 3 }' "WHERE sid IN (SELECT psid FROM par GROUP BY psid HAVING count(*) = 3)"
	check '{ span:childCount > 6 }' "WHERE sid IN (SELECT psid FROM par GROUP BY psid HAVING count(*) > 6)"
}

@test "event:name = exception" {
	check --local '{ event:name = "exception" }' "WHERE sid IN (SELECT sid FROM events WHERE name = 'exception')"
}

@test "event:timeSinceStart > 1ms" {
	check --local '{ event:timeSinceStart > 1ms }' "WHERE sid IN (SELECT sid FROM events WHERE since_ns > 1000000)"
}

@test "link:traceID and link:spanID" {
	check --local "{ link:traceID = \"$T1\" }" "WHERE sid IN (SELECT sid FROM links WHERE link_trace_id = '$T1')"
	check --local '{ link:spanID = "e200000000000002" }' "WHERE sid IN (SELECT sid FROM links WHERE link_span_id = 'e200000000000002')"
}

@test "link:spanID != nil (spans with a link)" {
	check --local '{ link:spanID != nil }' "WHERE sid IN (SELECT sid FROM links)"
}

@test "instrumentation:name and instrumentation:version" {
	check --local '{ instrumentation:name = "@opentelemetry/instrumentation-pg" }' \
		"WHERE scope_name = '@opentelemetry/instrumentation-pg'"
	check --local '{ instrumentation:version = "1.0.0" || instrumentation:version = "0.7.0" }' \
		"WHERE scope_version IN ('1.0.0', '0.7.0')"
}

# ---- attributes: types and scopes ----

@test "span string attribute =" {
	check --local '{ span.http.request.method = "GET" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.request.method') WHERE s = 'GET')"
}

@test "span string attribute !=, <, <=, >, >= (bytewise)" {
	check --local '{ span.str != "alpha" }' "WHERE sid IN (SELECT sid FROM attr('span', 'str') WHERE s <> 'alpha')"
	check --local '{ span.str < "alpha" }' "WHERE sid IN (SELECT sid FROM attr('span', 'str') WHERE s < 'alpha')"
	check --local '{ span.str <= "alpha" }' "WHERE sid IN (SELECT sid FROM attr('span', 'str') WHERE s <= 'alpha')"
	check --local '{ span.str > "beta" }' "WHERE sid IN (SELECT sid FROM attr('span', 'str') WHERE s > 'beta')"
	check --local '{ span.db.system.name >= "redis" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'db.system.name') WHERE s >= 'redis')"
}

@test "span int attribute >= and <" {
	check --local '{ span.http.response.status_code >= 500 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i >= 500)"
	check --local '{ span.http.response.status_code < 201 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i < 201)"
}

@test "span int attribute !=" {
	check --local '{ span.http.response.status_code != 200 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i <> 200)"
}

@test "span float attribute > and <=" {
	check --local '{ span.app.payment.amount > 100.5 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.payment.amount') WHERE d > 100.5)"
	check --local '{ span.app.currency.rate <= 1 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.currency.rate') WHERE d <= 1)"
}

@test "int and float values of one key compare as numbers: = 1" {
	check --local '{ span.num = 1 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n = 1)"
	check --local '{ span.num = 1.0 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n = 1)"
}

@test "int and float values of one key compare as numbers: > 1, < 0, >= -3" {
	check --local '{ span.num > 1 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n > 1)"
	check --local '{ span.num < 0 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n < 0)"
	check --local '{ span.num >= -3 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n >= -3)"
}

@test "a string value does not equal a number: num = \"1\"" {
	check --local '{ span.num = "1" }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE s = '1')"
}

@test "an int attribute compares with a duration as nanoseconds" {
	check --local '{ span.num < 2ms }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n < 2000000)"
	check --local '{ span.http.response.status_code > 150ns }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i > 150)"
}

@test "bool attribute = true, != true" {
	check --local '{ span.flag = true }' "WHERE sid IN (SELECT sid FROM attr('span', 'flag') WHERE b)"
	check --local '{ span.flag != true }' "WHERE sid IN (SELECT sid FROM attr('span', 'flag') WHERE NOT b)"
	check --local '{ span.app.cache.hit = false }' "WHERE sid IN (SELECT sid FROM attr('span', 'app.cache.hit') WHERE NOT b)"
}

@test "a bool attribute alone, and negated with !" {
	check --local '{ span.app.user.premium }' "WHERE sid IN (SELECT sid FROM attr('span', 'app.user.premium') WHERE b)"
	check --local '{ !span.app.user.premium }' "WHERE sid IN (SELECT sid FROM attr('span', 'app.user.premium') WHERE NOT b)"
}

@test "resource string attribute" {
	check --local '{ resource.service.name = "checkout" }' "WHERE service = 'checkout'"
	check --local '{ resource.shadow = "res" }' "WHERE sid IN (SELECT sid FROM attr('resource', 'shadow') WHERE s = 'res')"
}

@test "resource int and bool attributes" {
	check --local '{ resource.process.pid > 30000 }' \
		"WHERE sid IN (SELECT sid FROM attr('resource', 'process.pid') WHERE i > 30000)"
	check --local '{ resource.app.canary = true }' \
		"WHERE sid IN (SELECT sid FROM attr('resource', 'app.canary') WHERE b)"
}

@test "span. does not see resource attributes, resource. does not see span ones" {
	check --empty '{ span.service.name = "checkout" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'service.name') WHERE s = 'checkout')"
	check --empty '{ resource.http.request.method = "GET" }' \
		"WHERE sid IN (SELECT sid FROM attr('resource', 'http.request.method') WHERE s = 'GET')"
}

@test "unscoped .x finds resource attributes" {
	check --local '{ .service.name = "cart" }' "WHERE sid IN (SELECT sid FROM uattr('service.name') WHERE s = 'cart')"
	check --local '{ .cloud.region = "eu-west-1" && .http.request.method = "POST" }' \
		"WHERE sid IN (SELECT sid FROM uattr('cloud.region') WHERE s = 'eu-west-1')
		   AND sid IN (SELECT sid FROM uattr('http.request.method') WHERE s = 'POST')"
}

@test "unscoped .x: the span's attribute shadows the resource's" {
	check --local '{ .shadow = "res" }' "WHERE sid IN (SELECT sid FROM uattr('shadow') WHERE s = 'res')"
	check --local '{ .shadow = "span" }' "WHERE sid IN (SELECT sid FROM uattr('shadow') WHERE s = 'span')"
	check --local '{ .num = 10 }' "WHERE sid IN (SELECT sid FROM uattr('num') WHERE n = 10)"
}

@test "a quoted attribute name segment" {
	check --local '{ span."arr.s" = "c" }' "WHERE sid IN (SELECT sid FROM attr('span', 'arr.s') WHERE s = 'c')"
	check --local '{ resource."res.only" = "r2" }' "WHERE sid IN (SELECT sid FROM attr('resource', 'res.only') WHERE s = 'r2')"
}

@test "event attribute =" {
	check --local '{ event.ev.k = "v1" }' "WHERE sid IN (SELECT sid FROM attr('event', 'ev.k') WHERE s = 'v1')"
	check --local '{ event.message.type = "SENT" }' "WHERE sid IN (SELECT sid FROM attr('event', 'message.type') WHERE s = 'SENT')"
}

@test "event int attribute >" {
	check --local '{ event.message.uncompressed_size > 2000 }' \
		"WHERE sid IN (SELECT sid FROM attr('event', 'message.uncompressed_size') WHERE i > 2000)"
}

@test "link attribute = and >=" {
	check --local '{ link.link.k = "l2" }' "WHERE sid IN (SELECT sid FROM attr('link', 'link.k') WHERE s = 'l2')"
	check --local '{ link.link.n >= 7 }' "WHERE sid IN (SELECT sid FROM attr('link', 'link.n') WHERE i >= 7)"
	check --local '{ link.app.link.reason = "reconcile-order" || link.app.link.reason = "no-such-reason" }' \
		"WHERE sid IN (SELECT sid FROM attr('link', 'app.link.reason') WHERE s IN ('reconcile-order', 'no-such-reason'))"
}

@test "instrumentation attribute" {
	check --local '{ instrumentation.team = "core" }' \
		"WHERE sid IN (SELECT sid FROM attr('instrumentation', 'team') WHERE s = 'core')"
	check --local '{ instrumentation.shop.team != nil }' \
		"WHERE sid IN (SELECT sid FROM attr('instrumentation', 'shop.team'))"
	check --local '{ instrumentation.lib.level = 1 }' \
		"WHERE sid IN (SELECT sid FROM attr('instrumentation', 'lib.level') WHERE i = 1)"
}

@test "Unicode names, keys and values" {
	check --local '{ span.uni = "Grüße 日本語 🚀" }' "WHERE sid IN (SELECT sid FROM attr('span', 'uni') WHERE s = 'Grüße 日本語 🚀')"
	check --local '{ name = "ünïcødé ✓" }' "WHERE name = 'ünïcødé ✓'"
	check --local '{ span.название = "значение" }' "WHERE sid IN (SELECT sid FROM attr('span', 'название') WHERE s = 'значение')"
	check --local '{ span.uni =~ ".*日本.*" }' "WHERE sid IN (SELECT sid FROM attr('span', 'uni') WHERE regexp_full_match(s, '.*日本.*'))"
	check --local '{ statusMessage = "échec" }' "WHERE status_message = 'échec'"
}

@test "regex on an attribute" {
	check --local '{ span.url.path =~ "/api/products/[A-Z0-9]+" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'url.path') WHERE regexp_full_match(s, '/api/products/[A-Z0-9]+'))"
	check --local '{ span.db.query.text !~ "SELECT.*" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'db.query.text') WHERE NOT regexp_full_match(s, 'SELECT.*'))"
}

# ---- nil ----

@test "span attribute = nil" {
	check --local '{ span.str = nil }' "WHERE sid NOT IN (SELECT sid FROM attr('span', 'str'))"
}

@test "span attribute != nil" {
	check --local '{ span.str != nil }' "WHERE sid IN (SELECT sid FROM attr('span', 'str'))"
	check --local '{ span.db.namespace != nil }' "WHERE sid IN (SELECT sid FROM attr('span', 'db.namespace'))"
}

@test "unscoped attribute = nil: absent on the span and its resource" {
	check --local '{ .num = nil }' "WHERE sid NOT IN (SELECT sid FROM uattr('num'))"
	check --local '{ .res.only != nil }' "WHERE sid IN (SELECT sid FROM uattr('res.only'))"
}

@test "event and link attributes = nil and != nil" {
	check --local '{ event.ev.k != nil }' "WHERE sid IN (SELECT sid FROM attr('event', 'ev.k'))"
	check --local '{ event.cache.key = nil && kind = client }' \
		"WHERE sid NOT IN (SELECT sid FROM attr('event', 'cache.key')) AND kind = 'client'"
	check --local '{ link.link.k != nil }' "WHERE sid IN (SELECT sid FROM attr('link', 'link.k'))"
}

@test "name != nil (intrinsics are never nil)" {
	check --local '{ name != nil }' "SELECT trace_id, span_id FROM spans"
}

@test "nil = nil and nil != nil are false" {
	check --empty '{ nil = nil }' "WHERE false"
	check --empty '{ nil != nil }' "WHERE false"
}

# ---- arrays ----

@test "array of strings: = matches any element" {
	check --local '{ span.arr.s = "b" }' "WHERE sid IN (SELECT sid FROM attr('span', 'arr.s') WHERE s = 'b')"
	check --local '{ span.app.product.ids = "0PUK6V6EV0" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.product.ids') WHERE s = '0PUK6V6EV0')"
}

@test "array of strings: != matches when no element does" {
	check --local '{ span.arr.s != "b" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'arr.s')) AND sid NOT IN (SELECT sid FROM attr('span', 'arr.s') WHERE s = 'b')"
	check --local '{ span.app.product.ids != "0PUK6V6EV0" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.product.ids'))
		   AND sid NOT IN (SELECT sid FROM attr('span', 'app.product.ids') WHERE s = '0PUK6V6EV0')"
}

@test "array of strings: =~ any, !~ none" {
	check --local '{ span.arr.s =~ "[bc]" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'arr.s') WHERE regexp_full_match(s, '[bc]'))"
	check --local '{ span.arr.s !~ "[ab]" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'arr.s'))
		   AND sid NOT IN (SELECT sid FROM attr('span', 'arr.s') WHERE regexp_full_match(s, '[ab]'))"
}

@test "array of ints: = and > match any element" {
	check --local '{ span.arr.i = 2 }' "WHERE sid IN (SELECT sid FROM attr('span', 'arr.i') WHERE i = 2)"
	check --local '{ span.arr.i > 2 }' "WHERE sid IN (SELECT sid FROM attr('span', 'arr.i') WHERE i > 2)"
	check --local '{ span.app.cart.quantities >= 3 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.cart.quantities') WHERE i >= 3)"
}

@test "array of floats and of bools" {
	check --local '{ span.arr.d = 2.5 }' "WHERE sid IN (SELECT sid FROM attr('span', 'arr.d') WHERE d = 2.5)"
	check --local '{ span.arr.b = false }' "WHERE sid IN (SELECT sid FROM attr('span', 'arr.b') WHERE NOT b)"
	check --local '{ span.app.recommendation.scores > 0.9 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.recommendation.scores') WHERE d > 0.9)"
	check --local '{ span.app.fraud.flags = "velocity" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'app.fraud.flags') WHERE s = 'velocity')"
}

# ---- arithmetic ----

@test "arithmetic: * and + on int and float values" {
	check --local '{ span.num * 2 = 2 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n * 2 = 2)"
	check --local '{ span.num + 1.5 > 3 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n + 1.5 > 3)"
	check --local '{ (span.num + 1) * 2 = 4 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE (n + 1) * 2 = 4)"
}

@test "arithmetic: %, ^ and unary minus" {
	check --local '{ span.num % 2 = 1 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n - 2 * trunc(n / 2) = 1)"
	check --local '{ span.num ^ 2 = 9 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE pow(n, 2) = 9)"
	check --local '{ -span.num = 3 }' "WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE -n = 3)"
}

@test "arithmetic on an int attribute and on duration" {
	check --local '{ span.http.response.status_code - 400 >= 100 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i - 400 >= 100)"
	check --local '{ duration / 2 > 50ms }' "WHERE dur_ns / 2 > 50000000"
	check --local '{ duration - 1ms >= 99ms }' "WHERE dur_ns - 1000000 >= 99000000"
}

@test "arithmetic between two attributes" {
	check --local '{ span.server.port + span.http.response.status_code > 8500 }' \
		"WHERE sid IN (SELECT a.sid FROM attr('span', 'server.port') a JOIN attr('span', 'http.response.status_code') b USING (sid) WHERE a.i + b.i > 8500)"
}

# ---- && || ! inside a filter ----

@test "&& inside a filter" {
	check --local '{ kind = server && status = error }' "WHERE kind = 'server' AND status = 'error'"
}

@test "|| inside a filter" {
	check --local '{ span.str = "alpha" || span.num = 2.5 }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'str') WHERE s = 'alpha') OR sid IN (SELECT sid FROM attr('span', 'num') WHERE n = 2.5)"
}

@test "|| over values of two types for one key" {
	check --local '{ span.num = 1 || span.num = "1" }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'num') WHERE n = 1 OR s = '1')"
}

@test "! on a comparison" {
	check --local '{ !(kind = server) && status = error }' "WHERE kind <> 'server' AND status = 'error'"
}

# ---- spanset && and || ----

@test "{ } && { }: both must match in the trace, spans of both" {
	check '{ status = error } && { kind = server }' \
		"WHERE (status = 'error' OR kind = 'server')
		   AND trace_id IN (SELECT trace_id FROM spans WHERE status = 'error')
		   AND trace_id IN (SELECT trace_id FROM spans WHERE kind = 'server')"
}

@test "{ } && { } with one side matching nothing" {
	check --empty '{ status = error } && { name = "no such span" }' "WHERE false"
}

@test "{ } || { }: spans of either" {
	check '{ name = "render" } || { name = "lost-b" } || { span.http.response.status_code = 404 }' \
		"WHERE name IN ('render', 'lost-b') OR sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i = 404)"
}

# ---- structural operators ----
# A and B in the SQL are the sids of each side's spans.

@test "A > B: B-spans whose parent is an A-span" {
	check '{ kind = client } > { kind = server }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client'), b AS (SELECT sid FROM spans WHERE kind = 'server')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT sid FROM par WHERE psid IN (FROM a) AND sid IN (FROM b))"
}

@test "A < B: B-spans that are the parent of an A-span" {
	check '{ kind = server } < { kind = client }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'server'), b AS (SELECT sid FROM spans WHERE kind = 'client')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT psid FROM par WHERE sid IN (FROM a) AND psid IN (FROM b))"
}

@test "A >> B: B-spans that descend from an A-span" {
	check '{ resource.service.name = "frontend" } >> { status = error }' \
		"WITH a AS (SELECT sid FROM spans WHERE service = 'frontend'), b AS (SELECT sid FROM spans WHERE status = 'error')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT sid FROM anc WHERE asid IN (FROM a) AND sid IN (FROM b))"
}

@test "A << B: B-spans that are an ancestor of an A-span" {
	check '{ status = error } << { kind = server }' \
		"WITH a AS (SELECT sid FROM spans WHERE status = 'error'), b AS (SELECT sid FROM spans WHERE kind = 'server')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT asid FROM anc WHERE sid IN (FROM a) AND asid IN (FROM b))"
}

@test "A ~ B: B-spans with a sibling among the A-spans" {
	check '{ kind = client } ~ { kind = internal }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client'), b AS (SELECT sid FROM spans WHERE kind = 'internal')
		 SELECT trace_id, span_id FROM spans WHERE sid IN
		   (SELECT y.sid FROM par x JOIN par y ON y.psid = x.psid AND y.sid <> x.sid
		    WHERE x.sid IN (FROM a) AND y.sid IN (FROM b))"
}

@test "A ~ B: a span is not its own sibling" {
	check '{ kind = client } ~ { kind = client }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client')
		 SELECT trace_id, span_id FROM spans WHERE sid IN
		   (SELECT y.sid FROM par x JOIN par y ON y.psid = x.psid AND y.sid <> x.sid
		    WHERE x.sid IN (FROM a) AND y.sid IN (FROM a))"
}

@test "A !> B: B-spans whose parent is not an A-span" {
	check '{ kind = client } !> { kind = server }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client'), b AS (SELECT sid FROM spans WHERE kind = 'server')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (FROM b)
		   AND sid NOT IN (SELECT sid FROM par WHERE psid IN (FROM a))"
}

@test "A !< B: B-spans that are the parent of no A-span" {
	check '{ kind = server } !< { kind = client }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'server'), b AS (SELECT sid FROM spans WHERE kind = 'client')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (FROM b)
		   AND sid NOT IN (SELECT psid FROM par WHERE sid IN (FROM a))"
}

@test "A !>> B: B-spans that descend from no A-span" {
	check '{ kind = server } !>> { kind = internal }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'server'), b AS (SELECT sid FROM spans WHERE kind = 'internal')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (FROM b)
		   AND sid NOT IN (SELECT sid FROM anc WHERE asid IN (FROM a))"
}

@test "A !<< B: B-spans that are an ancestor of no A-span" {
	check '{ status = error } !<< { kind = server }' \
		"WITH a AS (SELECT sid FROM spans WHERE status = 'error'), b AS (SELECT sid FROM spans WHERE kind = 'server')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (FROM b)
		   AND sid NOT IN (SELECT asid FROM anc WHERE sid IN (FROM a))"
}

@test "A !~ B: B-spans with no sibling among the A-spans" {
	check '{ kind = client } !~ { kind = client }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client')
		 SELECT trace_id, span_id FROM spans WHERE sid IN (FROM a) AND sid NOT IN
		   (SELECT y.sid FROM par x JOIN par y ON y.psid = x.psid AND y.sid <> x.sid WHERE x.sid IN (FROM a))"
}

@test "A &> B: parents in A and children in B, both" {
	check '{ kind = client } &> { kind = server }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client'), b AS (SELECT sid FROM spans WHERE kind = 'server'),
		   r AS (SELECT sid, psid FROM par WHERE psid IN (FROM a) AND sid IN (FROM b))
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT sid FROM r) OR sid IN (SELECT psid FROM r)"
}

@test "A &< B: children in A and parents in B, both" {
	check '{ kind = server } &< { kind = client }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'server'), b AS (SELECT sid FROM spans WHERE kind = 'client'),
		   r AS (SELECT sid, psid FROM par WHERE sid IN (FROM a) AND psid IN (FROM b))
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT sid FROM r) OR sid IN (SELECT psid FROM r)"
}

@test "A &>> B: ancestors in A and descendants in B, both" {
	check '{ resource.service.name = "frontend" } &>> { status = error }' \
		"WITH a AS (SELECT sid FROM spans WHERE service = 'frontend'), b AS (SELECT sid FROM spans WHERE status = 'error'),
		   r AS (SELECT sid, asid FROM anc WHERE asid IN (FROM a) AND sid IN (FROM b))
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT sid FROM r) OR sid IN (SELECT asid FROM r)"
}

@test "A &<< B: descendants in A and ancestors in B, both" {
	check '{ status = error } &<< { kind = server }' \
		"WITH a AS (SELECT sid FROM spans WHERE status = 'error'), b AS (SELECT sid FROM spans WHERE kind = 'server'),
		   r AS (SELECT sid, asid FROM anc WHERE sid IN (FROM a) AND asid IN (FROM b))
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT sid FROM r) OR sid IN (SELECT asid FROM r)"
}

@test "A &~ B: siblings from both sides" {
	check '{ kind = client } &~ { kind = internal }' \
		"WITH a AS (SELECT sid FROM spans WHERE kind = 'client'), b AS (SELECT sid FROM spans WHERE kind = 'internal'),
		   r AS (SELECT x.sid AS l, y.sid AS r FROM par x JOIN par y ON y.psid = x.psid AND y.sid <> x.sid
		         WHERE x.sid IN (FROM a) AND y.sid IN (FROM b))
		 SELECT trace_id, span_id FROM spans WHERE sid IN (SELECT l FROM r) OR sid IN (SELECT r FROM r)"
}

# The same fifteen forms on the deep edge trace T1, expected spans written by
# hand from its drawing (names are unique in the dataset):
#   01 GET /edge (server)
#   |- 02 call back (client)
#   |  `- 05 handle (server)
#   |     |- 06 step (internal)
#   |     |  `- 07 query db (client)
#   |     |     `- 08 SELECT (server)
#   |     |        `- 09 scan (internal, error)
#   |     `- 0a publish (producer)
#   |        `- 0b consume (consumer)
#   |- 03 call cache (client, error)
#   `- 04 render (internal)

# t1 ID...: the SQL for these spans of T1.
t1() {
	local ids="" id
	for id in "$@"; do ids="$ids${ids:+, }'e1000000000000$id'"; done
	echo "SELECT trace_id, span_id FROM spans WHERE trace_id = '$T1' AND span_id IN ($ids)"
}

@test "by hand on T1: > < >> << ~" {
	check '{ name = "handle" } > { }' "$(t1 06 0a)"
	check '{ name = "handle" } < { }' "$(t1 02)"
	check '{ name = "handle" } >> { }' "$(t1 06 07 08 09 0a 0b)"
	check '{ name = "handle" } << { }' "$(t1 02 01)"
	check '{ name = "call back" } ~ { }' "$(t1 03 04)"
}

@test "by hand on T1: !> !< !>> !<< !~" {
	check "{ name = \"handle\" } !> { trace:id = \"$T1\" }" "$(t1 01 02 03 04 05 07 08 09 0b)"
	check "{ name = \"step\" } !< { trace:id = \"$T1\" && kind = server }" "$(t1 01 08)"
	check "{ name = \"call back\" } !>> { trace:id = \"$T1\" && kind = internal }" "$(t1 04)"
	check "{ name = \"scan\" } !<< { trace:id = \"$T1\" && status = error }" "$(t1 03 09)"
	check "{ name = \"call back\" } !~ { trace:id = \"$T1\" && kind = client }" "$(t1 02 07)"
}

@test "by hand on T1: &> &< &>> &<< &~" {
	check '{ name = "handle" } &> { kind = internal }' "$(t1 05 06)"
	check '{ kind = internal } &< { name = "handle" }' "$(t1 05 06)"
	check '{ name = "call back" } &>> { status = error }' "$(t1 02 09)"
	check '{ name = "scan" } &<< { kind = server }' "$(t1 01 05 08 09)"
	check '{ name = "render" } &~ { kind = client }' "$(t1 02 03 04)"
}

@test "by hand: a negated operator applies per trace, so traces without A-spans give all their B-spans" {
	check '{ name = "step" } !< { kind = producer }' "WHERE kind = 'producer'"
}

@test "structure: { } >> { } is every span with an ancestor" {
	check '{ } >> { }' "WHERE sid IN (SELECT sid FROM anc)"
}

@test "structure: { } !> { } is the roots and the orphans" {
	check '{ } !> { }' "WHERE sid NOT IN (SELECT sid FROM par)"
}

@test "structure: a negated operator with nothing on the left returns the right side" {
	check '{ name = "no such span" } !>> { name = "render" }' "WHERE name = 'render'"
}

@test "structure: the seven ancestors of the deepest edge span" {
	check '{ name = "scan" } << { }' \
		"SELECT trace_id, span_id FROM spans WHERE trace_id = '$T1' AND span_id IN
		   ('e100000000000001', 'e100000000000002', 'e100000000000005', 'e100000000000006', 'e100000000000007', 'e100000000000008')"
}

@test "structure: a chain of > is left-associative" {
	check '{ kind = server } > { kind = internal } > { kind = client }' \
		"WITH s AS (SELECT sid FROM spans WHERE kind = 'server'),
		   i AS (SELECT sid FROM par WHERE psid IN (FROM s) AND sid IN (SELECT sid FROM spans WHERE kind = 'internal'))
		 SELECT trace_id, span_id FROM spans WHERE kind = 'client' AND sid IN (SELECT sid FROM par WHERE psid IN (FROM i))"
}

@test "structure: an orphan's child is its child, the other orphan is not" {
	check '{ name = "orphan-one" } > { }' "SELECT trace_id, span_id FROM spans WHERE span_id = 'e200000000000006'"
	check '{ name = "orphan-one" } >> { }' "SELECT trace_id, span_id FROM spans WHERE span_id = 'e200000000000006'"
	check '{ name = "orphan-child" } << { }' "SELECT trace_id, span_id FROM spans WHERE span_id = 'e200000000000005'"
}

@test "structure: two orphans of one missing parent are not siblings" {
	check --empty '{ name = "orphan-one" } ~ { }' "WHERE false"
}

@test "structure: two roots are not siblings" {
	check --empty '{ name = "root-one" } ~ { }' "WHERE false"
}

@test "structure: a trace without a root still has children" {
	check "{ trace:id = \"$T4\" } > { }" "SELECT trace_id, span_id FROM spans WHERE span_id = 'e400000000000002'"
}

@test "structure: a filter with && between structural results" {
	check '({ kind = server } > { kind = internal }) && ({ status = error } << { kind = client })' \
		"WITH x AS (SELECT sid FROM par WHERE psid IN (SELECT sid FROM spans WHERE kind = 'server')
		              AND sid IN (SELECT sid FROM spans WHERE kind = 'internal')),
		   y AS (SELECT asid AS sid FROM anc WHERE sid IN (SELECT sid FROM spans WHERE status = 'error')
		              AND asid IN (SELECT sid FROM spans WHERE kind = 'client'))
		 SELECT trace_id, span_id FROM spans WHERE (sid IN (FROM x) OR sid IN (FROM y))
		   AND trace_id IN (SELECT trace_id FROM spans WHERE sid IN (FROM x))
		   AND trace_id IN (SELECT trace_id FROM spans WHERE sid IN (FROM y))"
}

# ---- pipelines ----

@test "pipeline of two filters" {
	check '{ status = error } | { kind = server }' "WHERE status = 'error' AND kind = 'server'"
}

@test "pipeline of three filters" {
	check '{ } | { span.http.response.status_code >= 200 } | { kind != client }' \
		"WHERE sid IN (SELECT sid FROM attr('span', 'http.response.status_code') WHERE i >= 200) AND kind <> 'client'"
}

@test "count() > 30" {
	check --agg 'count()' '{ } | count() > 30' \
		"SELECT trace_id, span_id, count(*) OVER (PARTITION BY trace_id) AS agg FROM spans QUALIFY agg > 30"
}

@test "count() = 2 after a filter" {
	check --agg 'count()' '{ status = error } | count() = 2' \
		"SELECT trace_id, span_id, count(*) OVER (PARTITION BY trace_id) AS agg FROM spans
		 WHERE status = 'error' QUALIFY agg = 2"
}

@test "avg(duration) > 100ms" {
	check --agg 'avg(duration)' '{ resource.service.name = "frontend" } | avg(duration) > 100ms' \
		"SELECT trace_id, span_id, trunc(avg(dur_ns) OVER (PARTITION BY trace_id)) AS agg FROM spans
		 WHERE service = 'frontend' QUALIFY agg > 100000000"
}

@test "max(duration) >= 1s" {
	check --agg 'max(duration)' '{ } | max(duration) >= 1s' \
		"SELECT trace_id, span_id, max(dur_ns) OVER (PARTITION BY trace_id) AS agg FROM spans QUALIFY agg >= 1000000000"
}

@test "min(duration) < 200us" {
	check --agg 'min(duration)' '{ kind = client } | min(duration) < 200us' \
		"SELECT trace_id, span_id, min(dur_ns) OVER (PARTITION BY trace_id) AS agg FROM spans
		 WHERE kind = 'client' QUALIFY agg < 200000"
}

@test "sum(span.http.response.status_code) > 1000" {
	check --agg 'sum(span.http.response.status_code)' \
		'{ span.http.response.status_code != nil } | sum(span.http.response.status_code) > 1000' \
		"SELECT trace_id, span_id, sum(a.i) OVER (PARTITION BY trace_id) AS agg
		 FROM spans JOIN attr('span', 'http.response.status_code') a USING (sid) QUALIFY agg > 1000"
}

@test "avg over int and float values of one key" {
	check --agg 'avg(span.num)' '{ span.num > -100 } | avg(span.num) < 1' \
		"SELECT trace_id, span_id, avg(a.n) OVER (PARTITION BY trace_id) AS agg
		 FROM spans JOIN attr('span', 'num') a USING (sid) WHERE a.n > -100 QUALIFY agg < 1"
}

@test "by(resource.service.name): one spanset per service" {
	check '{ } | by(resource.service.name)' "SELECT trace_id, span_id, service AS grp FROM spans"
}

@test "by(status) after a filter" {
	check '{ kind = server || kind = client } | by(status)' \
		"SELECT trace_id, span_id, status AS grp FROM spans WHERE kind IN ('server', 'client')"
}

@test "by(span int attribute)" {
	check '{ span.http.response.status_code != nil } | by(span.http.response.status_code)' \
		"SELECT trace_id, span_id, a.i AS grp FROM spans JOIN attr('span', 'http.response.status_code') a USING (sid)"
}

@test "by(an expression)" {
	check '{ } | by(duration > 10ms)' "SELECT trace_id, span_id, dur_ns > 10000000 AS grp FROM spans"
}

@test "by() then count() > 5 keeps the large groups" {
	check --agg 'count()' '{ } | by(resource.service.name) | count() > 5' \
		"SELECT trace_id, span_id, service AS grp, count(*) OVER (PARTITION BY trace_id, service) AS agg
		 FROM spans QUALIFY agg > 5"
}

@test "coalesce() merges the groups again" {
	check '{ status = error || kind = server } | by(kind) | coalesce()' \
		"WHERE status = 'error' OR kind = 'server'"
}

@test "select() returns the selected attributes on the spans" {
	check --attrs 'str,res.only,num,uni' \
		"{ trace:id = \"$T3\" } | select(span.str, resource.res.only, span.num, .uni)" \
		"SELECT trace_id, span_id,
		   (SELECT s FROM attr('span', 'str') a WHERE a.sid = spans.sid) AS a1,
		   (SELECT s FROM attr('resource', 'res.only') a WHERE a.sid = spans.sid) AS a2,
		   (SELECT CASE WHEN t = 'double' AND d = trunc(d) THEN d::BIGINT::VARCHAR || '.0'
		           ELSE COALESCE(i::VARCHAR, d::VARCHAR, s) END FROM attr('span', 'num') a WHERE a.sid = spans.sid) AS a3,
		   (SELECT s FROM uattr('uni') a WHERE a.sid = spans.sid) AS a4
		 FROM spans WHERE trace_id = '$T3'"
}

@test "select() of a double attribute on generated spans" {
	check --attrs 'app.payment.amount,http.request.method' \
		'{ span.app.payment.amount > 500 } | select(span.app.payment.amount, span.http.request.method)' \
		"SELECT trace_id, span_id, a.d AS a1,
		   (SELECT s FROM attr('span', 'http.request.method') m WHERE m.sid = spans.sid) AS a2
		 FROM spans JOIN attr('span', 'app.payment.amount') a USING (sid) WHERE a.d > 500"
}

@test "select() of intrinsics: status and kind as words" {
	check --attrs 'status,kind' '{ status = error } | select(status, kind)' \
		"SELECT trace_id, span_id, status AS a1, kind AS a2 FROM spans WHERE status = 'error'"
}

@test "wrapped pipelines combined with &&" {
	check '({ status = error } | count() > 1) && ({ kind = server })' \
		"WITH e AS (SELECT trace_id FROM spans WHERE status = 'error' GROUP BY trace_id HAVING count(*) > 1)
		 SELECT trace_id, span_id FROM spans WHERE (status = 'error' OR kind = 'server')
		   AND trace_id IN (FROM e) AND trace_id IN (SELECT trace_id FROM spans WHERE kind = 'server')"
}

# ---- the shape of the results ----

@test "rootServiceName, rootTraceName, startTimeUnixNano, durationMs and serviceStats" {
	oracle expect-meta "$QD/spans.duckdb" > "$BATS_TEST_TMPDIR/want"
	run -0 --separate-stderr ql -s "$QD/store" '{ }'
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/got.jsonl"
	oracle got-meta "$BATS_TEST_TMPDIR/got.jsonl" > "$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" || fail "store: wrong trace metadata"
	run -0 --separate-stderr ql '{ }' < "$QD/whole.json"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/got.jsonl"
	oracle got-meta "$BATS_TEST_TMPDIR/got.jsonl" > "$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" || fail "stream: wrong trace metadata"
}

@test "span name, startTimeUnixNano and durationNanos of every span" {
	local want got
	want=$(oracle expect "$QD/spans.duckdb" --attrs name,start,dur \
		"SELECT trace_id, span_id, name AS a1, start_ns::VARCHAR AS a2, dur_ns::VARCHAR AS a3 FROM spans")
	run -0 --separate-stderr ql -s "$QD/store" '{ }'
	got=$(jq -r '.traceID as $t | .spanSets[] | "\($t) n=\(.matched) " +
		([.spans[] | "\(.spanID){name=\(.name),start=\(.startTimeUnixNano),dur=\(.durationNanos)}"] | sort | join(" "))' \
		<<< "$output" | LC_ALL=C sort)
	[ "$want" = "$got" ] || fail "$(diff <(echo "$want") <(echo "$got") | head -20)"
}

@test "spanSet is spanSets[0]; traceID, spanID are lowercase hex" {
	run -0 --separate-stderr ql -s "$QD/store" '{ status = error } | by(kind)'
	run -0 jq -e -s 'length > 0 and all(.[]; .spanSet == .spanSets[0] and
		(.traceID | test("^[0-9a-f]{32}$")) and
		all(.spanSets[].spans[]; .spanID | test("^[0-9a-f]{16}$")))' <<< "$output"
}

@test "the default limit is 20 traces, the most recent first, ties by trace ID" {
	local want
	want=$(node -e '
		const fs = require("fs");
		const t = new Map();
		for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
			if (!l) continue;
			const s = JSON.parse(l), st = BigInt(s.start_ns);
			if (!t.has(s.trace_id) || st < t.get(s.trace_id)) t.set(s.trace_id, st);
		}
		const ids = [...t].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : a[0] < b[0] ? -1 : 1));
		console.log(ids.slice(0, 20).map((x) => x[0]).join("\n"));' "$QD/spans.jsonl")
	run -0 --separate-stderr tempo-ql -s "$QD/store" -f jsonl '{ }'
	[ "$(jq -r .traceID <<< "$output")" = "$want" ] || fail "order: $(jq -r .traceID <<< "$output" | head -5)"
	run -0 --separate-stderr tempo-ql -s "$QD/store" -f jsonl --limit 5 '{ }'
	[ "$(jq -r .traceID <<< "$output")" = "$(head -5 <<< "$want")" ]
}

@test "the default spss is 3 spans per spanset; matched counts them all" {
	local want got
	want=$(oracle expect "$QD/spans.duckdb" "SELECT trace_id, span_id FROM spans" |
		awk '{ n = substr($2, 3) + 0; print $1, n, (n < 3 ? n : 3) }')
	run -0 --separate-stderr tempo-ql -s "$QD/store" -f jsonl --limit 100000 '{ }'
	got=$(jq -r '"\(.traceID) \(.spanSets[0].matched) \(.spanSets[0].spans | length)"' <<< "$output" | LC_ALL=C sort)
	[ "$want" = "$got" ] || fail "$(diff <(echo "$want") <(echo "$got") | head -20)"
}

@test "-f json holds the same traces as -f jsonl" {
	run -0 --separate-stderr ql -s "$QD/store" '{ kind = consumer }'
	local jsonl=$output
	run -0 --separate-stderr tempo-ql -s "$QD/store" -f json --limit 100000 --spss 100 '{ kind = consumer }'
	[ "$(jq -c ".traces[]" <<< "$output")" = "$(jq -c . <<< "$jsonl")" ] ||
		fail "$(diff <(jq -c ".traces[]" <<< "$output") <(jq -c . <<< "$jsonl") | head -c 1500)"
}

@test "the JSON streams give what their protobuf copies (used by check) give" {
	local q where bad=""
	for q in '{ }' '{ status = error } | by(kind) | count() > 0' \
		"{ trace:id = \"$T3\" } | select(span.str, resource.res.only, span.num, .uni, span.arr.s, span.flag)" \
		'{ event:name = "exception" || link:spanID != nil || span.num >= -3 }' \
		'{ kind = server } > { kind = internal }'; do
		for where in whole split; do
			[ "$where" = whole ] || [ "$q" = '{ }' ] || [ "${q:0:7}" = '{ event' ] || continue
			ql "$q" < "$QD/$where.json" > "$BATS_TEST_TMPDIR/json.jsonl"
			ql "$q" < "$QD/$where.pb" > "$BATS_TEST_TMPDIR/pb.jsonl"
			[ -s "$BATS_TEST_TMPDIR/json.jsonl" ] || bad="$bad
  $where: $q: nothing found"
			cmp -s "$BATS_TEST_TMPDIR/json.jsonl" "$BATS_TEST_TMPDIR/pb.jsonl" || bad="$bad
  $where: $q: $(diff "$BATS_TEST_TMPDIR/json.jsonl" "$BATS_TEST_TMPDIR/pb.jsonl" | head -c 600)"
		done
	done
	[ -z "$bad" ] || fail "JSON and protobuf streams differ:$bad"
}

@test "--start and --end keep the traces of the range" {
	local want
	# The edge traces start on 2026-01-02, the generated ones on 2026-01-01.
	want=$(oracle expect "$QD/spans.duckdb" --union "WHERE trace_id LIKE 'eded%'")
	run -0 --separate-stderr ql -s "$QD/store" --start 2026-01-02T00:00:00Z --end 2026-01-03T00:00:00Z '{ }'
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/got.jsonl"
	[ "$(oracle got --union "$BATS_TEST_TMPDIR/got.jsonl")" = "$want" ]
	want=$(oracle expect "$QD/spans.duckdb" --union "WHERE trace_id NOT LIKE 'eded%'")
	run -0 --separate-stderr ql -s "$QD/store" --start 2025-12-31T00:00:00Z --end 2026-01-01T12:00:00Z '{ }'
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/got.jsonl"
	[ "$(oracle got --union "$BATS_TEST_TMPDIR/got.jsonl")" = "$want" ]
}

@test "nothing matched: exit 0, no traces" {
	run -0 --separate-stderr ql -s "$QD/store" '{ name = "no such span" }'
	[ -z "$output" ]
	run -0 --separate-stderr ql '{ name = "no such span" }' < "$QD/whole.json"
	[ -z "$output" ]
}

@test "-f stream on stdin gives the matching traces whole" {
	tempo-ql -f stream '{ name = "orphan-two" || name = "scan" }' < "$QD/whole.json" |
		tempo-recv -f json > "$BATS_TEST_TMPDIR/out.json"
	oracle export "$BATS_TEST_TMPDIR/out.jsonl" "$BATS_TEST_TMPDIR/out.json"
	run -0 jq -r '"\(.trace_id) \(.span_id)"' "$BATS_TEST_TMPDIR/out.jsonl"
	[ "$(LC_ALL=C sort <<< "$output")" = "$(jq -r --arg a "$T1" --arg b "$T2" \
		'select(.trace_id == $a or .trace_id == $b) | "\(.trace_id) \(.span_id)"' "$QD/spans.jsonl" | LC_ALL=C sort)" ]
}

# ---- the man page's examples ----

@test "every example query of tempo-ql(7) is valid, and the search ones run" {
	local q n=0 bad=""
	while IFS= read -r q; do
		n=$((n + 1))
		[ "$(tempo-ql --check -e "$q" 2>&1)" = valid ] || bad="$bad
  $q: $(tempo-ql --check -e "$q" 2>&1 | tr '\n' ' ')"
		case $q in *_over_time*|*rate\(\)*|*compare\(*) continue ;; esac
		ql -s "$QD/store" "$q" > /dev/null 2>&1 || bad="$bad
  $q: the search failed"
	done < <(sed -n 's/^\.Dl //p' "$TQ_TOP/man/tempo-ql.7" |
		sed -e 's/\\(dq/"/g' -e 's/\\e/\\/g' -e 's/\\&//g')
	[ "$n" -ge 5 ] || fail "only $n examples found"
	[ -z "$bad" ] || fail "examples:$bad"
}
