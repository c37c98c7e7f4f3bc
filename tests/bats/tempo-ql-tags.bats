#!/usr/bin/env bats
# tempo-ql-tags.bats: tempo-ql --tags and --tag-values on a store of two
# blocks packed from tempo-gen streams, and the REPL driven through a
# pipe.  Expected names and values come from the same streams' OTLP/JSON
# through jq, never from tempo-ql's own earlier output.
load helper

setup_file() {
	export D="$BATS_FILE_TMPDIR"
	mkdir -p "$D/st"
	tempo-gen --seed 7 --traces 300 -f json >"$D/a.json"
	tempo-gen --seed 8 --traces 200 --start 2026-02-01T00:00:00Z \
		-f json >"$D/b.json"
	# Small row groups: names and values repeat across them.
	tempo-pack -s "$D/st" --wal "$D/wal" --row-group-bytes 65536 \
		--dedicated span:http.route --dedicated resource:service.version \
		"$D/a.json"
	tempo-pack -s "$D/st" --wal "$D/wal" --dedicated span:http.route \
		"$D/b.json"
	cat "$D/a.json" "$D/b.json" >"$D/all.json"
	export TEMPO_QL_HISTORY="$D/no-history"
}

# attr_keys JQPATH: the sorted distinct keys of the attributes at JQPATH
# (relative to one resourceSpans element) in both streams.
attr_keys() {
	jq -n -r "[inputs | .resourceSpans[] | $1 | .attributes[]?.key] |
		unique | .[]" "$D/all.json"
}

# tags SCOPE: the names tempo-ql lists for SCOPE, one per line.
tags() {
	tempo-ql -s "$D/st" --tags --scope "$1" | jq -r '.scopes[0].tags[]'
}

@test "tempo-ql-tags: span, resource, event, link and instrumentation names are the streams' keys" {
	diff -u <(attr_keys '.scopeSpans[].spans[]') <(tags span)
	diff -u <(attr_keys '.resource') <(tags resource)
	diff -u <(attr_keys '.scopeSpans[].spans[].events[]?') <(tags event)
	diff -u <(attr_keys '.scopeSpans[].spans[].links[]?') <(tags link)
	diff -u <(attr_keys '.scopeSpans[].scope') <(tags instrumentation)
}

@test "tempo-ql-tags: every scope, Tempo's intrinsics first, in one JSON line" {
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags
	[ "${#lines[@]}" -eq 1 ]
	run -0 jq -r '[.scopes[].name] | join(" ")' <<<"$output"
	[ "$output" = "intrinsic resource span event link instrumentation" ]
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags --scope intrinsic
	run -0 jq -r '.scopes[0].tags | length, .[0], .[24]' <<<"$output"
	[ "$output" = $'25\nduration\ntrace:duration' ]
}

@test "tempo-ql-tags: inspectedBytes counts the bytes read, nothing for intrinsics" {
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags -v
	run -0 jq -r '.metrics.inspectedBytes' <<<"$output"
	[ "$output" -gt 0 ]
	[ "$output" -lt "$(du -cb "$D"/st/single-tenant/*/data.parquet | tail -n 1 | cut -f 1)" ]
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags --scope intrinsic
	[[ $output == *'"metrics":{"inspectedBytes":"0"}}' ]]
}

@test "tempo-ql-tags: --limit keeps the first names of each scope" {
	diff -u <(attr_keys '.scopeSpans[].spans[]' | head -n 3) \
		<(tempo-ql -s "$D/st" --tags --scope span --limit 3 |
		jq -r '.scopes[0].tags[]')
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags --limit 2
	run -0 jq -r '[.scopes[] | select(.name != "intrinsic") | .tags | length] | max' <<<"$output"
	[ "$output" -eq 2 ]
}

@test "tempo-ql-tags: --start and --end choose blocks by time" {
	# Only the second stream has spans in February.
	diff -u <(jq -n -r '[inputs | .resourceSpans[] | .resource.attributes[]?.key] | unique | .[]' "$D/b.json") \
		<(tempo-ql -s "$D/st" --tags --scope resource --start 2026-01-20T00:00:00Z |
		jq -r '.scopes[0].tags[]')
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags --start 2030-01-01T00:00:00Z
	[ "$output" = '{"scopes":[{"name":"intrinsic","tags":["duration","name","status","statusMessage","kind","rootServiceName","rootName","traceDuration","event:name","event:timeSinceStart","link:spanID","link:traceID","instrumentation:name","instrumentation:version","trace:id","span:id","span:parentID","span:status","span:statusMessage","span:duration","span:name","span:kind","trace:rootName","trace:rootService","trace:duration"]}],"metrics":{"inspectedBytes":"0"}}' ]
}

# values IDENT: tempo-ql's values of IDENT as "type value" lines.
values() {
	tempo-ql -s "$D/st" --tag-values "$1" | jq -r '.tagValues[] | "\(.type) \(.value)"'
}

@test "tempo-ql-tags: string values of resource, dedicated and well-known columns" {
	diff -u <(jq -n -r '[inputs | .resourceSpans[].resource.attributes[] |
		select(.key == "service.name") | .value.stringValue] | unique | .[] |
		"string \(.)"' "$D/all.json") <(values resource.service.name)
	diff -u <(jq -n -r '[inputs | .resourceSpans[].resource.attributes[] |
		select(.key == "service.version") | .value.stringValue] | unique | .[] |
		"string \(.)"' "$D/all.json") <(values resource.service.version)
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].spans[].attributes[]? |
		select(.key == "http.route") | .value.stringValue] | unique | .[] |
		"string \(.)"' "$D/all.json") <(values span.http.route)
	# Unscoped: span and resource; service.name is only a resource's.
	diff -u <(values resource.service.name) <(values .service.name)
	run -0 --separate-stderr tempo-ql -s "$D/st" --tag-values span.service.name
	[[ $output == '{"tagValues":[],"metrics":{"inspectedBytes":"'[1-9]*'"}}' ]]
}

@test "tempo-ql-tags: int, float and array values with their types" {
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].spans[].attributes[]? |
		select(.key == "http.response.status_code") | .value.intValue | tonumber] |
		unique | .[] | "int \(.)"' "$D/all.json") \
		<(values span.http.response.status_code)
	diff -u <(jq -n -c '[inputs | .resourceSpans[].scopeSpans[].spans[].attributes[]? |
		select(.key == "app.payment.amount") | .value.doubleValue] | unique' "$D/all.json") \
		<(tempo-ql -s "$D/st" --tag-values span.app.payment.amount |
		jq -c '[.tagValues[] | select(.type == "float") | .value | tonumber]')
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].spans[].attributes[]? |
		select(.key == "app.product.ids") | .value.arrayValue.values[].stringValue] |
		unique | .[] | "string \(.)"' "$D/all.json") <(values span.app.product.ids)
}

@test "tempo-ql-tags: intrinsic values: names, root services, fixed keywords, none for durations" {
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].spans[].name] |
		unique | .[] | "string \(.)"' "$D/all.json") <(values name)
	diff -u <(values name) <(values span:name)
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].scope.name |
		select(. != null and . != "")] | unique | .[] | "string \(.)"' "$D/all.json") \
		<(values instrumentation:name)
	run -0 --separate-stderr tempo-ql -s "$D/st" --tag-values status
	[ "$output" = '{"tagValues":[{"type":"keyword","value":"ok"},{"type":"keyword","value":"error"},{"type":"keyword","value":"unset"}],"metrics":{"inspectedBytes":"0"}}' ]
	run -0 --separate-stderr tempo-ql -s "$D/st" --tag-values span:kind -f table
	[ "$output" = "$(printf '%-8s  %s\n' TYPE VALUE keyword client keyword server \
		keyword producer keyword consumer keyword internal keyword unspecified)" ]
	run -0 --separate-stderr tempo-ql -s "$D/st" --tag-values duration
	[ "$output" = '{"tagValues":[],"metrics":{"inspectedBytes":"0"}}' ]
}

# in_service SVC JQ: the sorted distinct "string X" of JQ (over one span)
# in the spans of the resources of service SVC.
in_service() {
	jq -n -r --arg s "$1" "[inputs | .resourceSpans[] | select(any(
		.resource.attributes[]; .key == \"service.name\" and
		.value.stringValue == \$s)) | .scopeSpans[].spans[] | $2] |
		unique | .[] | \"string \\(.)\"" "$D/all.json"
}

@test "tempo-ql-tags: --query keeps the values of the matching spans" {
	diff -u <(in_service cart '.attributes[]? | select(.key == "http.route") | .value.stringValue') \
		<(tempo-ql -s "$D/st" --tag-values span.http.route \
		--query '{ resource.service.name = "cart" }' |
		jq -r '.tagValues[] | "\(.type) \(.value)"')
	[ "$(in_service payment '.name' | wc -l)" -gt 1 ]
	diff -u <(in_service payment '.name') \
		<(tempo-ql -s "$D/st" --tag-values name \
		--query '{ resource.service.name = "payment" }' |
		jq -r '.tagValues[] | "\(.type) \(.value)"')
	# A generic int attribute.
	diff -u <(jq -n -r '[inputs | .resourceSpans[] | select(any(
		.resource.attributes[]; .key == "service.name" and
		.value.stringValue == "cart")) | .scopeSpans[].spans[].attributes[]? |
		select(.key == "http.response.status_code") | .value.intValue |
		tonumber] | unique | .[] | "int \(.)"' "$D/all.json") \
		<(tempo-ql -s "$D/st" --tag-values span.http.response.status_code \
		--query '{ resource.service.name = "cart" }' |
		jq -r '.tagValues[] | "\(.type) \(.value)"')
	run -1 --separate-stderr tempo-ql -s "$D/st" --tag-values name --query '{ nope }'
	[ -z "$output" ]
	[[ $stderr == *"--query: query: 1:3: syntax error"* ]]
}

@test "tempo-ql-tags: a table for people" {
	run -0 --separate-stderr tempo-ql -s "$D/st" --tags --scope link -f table
	[ "${lines[0]}" = "SCOPE            TAG" ]
	diff -u <(attr_keys '.scopeSpans[].spans[].links[]?' | sed 's/^/link             /') \
		<(printf '%s\n' "${lines[@]:1}")
}

@test "tempo-ql-tags: a block whose data.parquet DuckDB wrote lists the same names and values" {
	local b s
	# The block of the first stream: the earlier one.
	b=$(for m in "$D"/st/single-tenant/*/meta.json; do
		printf '%s %s\n' "$(jq -r .startTime "$m")" "$(basename "$(dirname "$m")")"
	done | sort | head -n 1 | cut -d ' ' -f 2)
	run -0 node "$TQ_NODE/duckdb-block.js" "$D/st/single-tenant/$b" \
		"$D/duck/single-tenant/$b" v2
	for s in span resource event link instrumentation; do
		diff -u <(jq -n -r "[inputs | .resourceSpans[] |
			$(case $s in
			span) echo '.scopeSpans[].spans[]' ;;
			resource) echo '.resource' ;;
			event) echo '.scopeSpans[].spans[].events[]?' ;;
			link) echo '.scopeSpans[].spans[].links[]?' ;;
			instrumentation) echo '.scopeSpans[].scope' ;;
			esac) | .attributes[]?.key] | unique | .[]" "$D/a.json") \
			<(tempo-ql -s "$D/duck" --tags --scope "$s" | jq -r '.scopes[0].tags[]')
	done
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].spans[].attributes[]? |
		select(.key == "http.response.status_code") | .value.intValue | tonumber] |
		unique | .[] | "int \(.)"' "$D/a.json") \
		<(tempo-ql -s "$D/duck" --tag-values span.http.response.status_code |
		jq -r '.tagValues[] | "\(.type) \(.value)"')
	diff -u <(jq -n -r '[inputs | .resourceSpans[].scopeSpans[].spans[].attributes[]? |
		select(.key == "http.route") | .value.stringValue] | unique | .[]' "$D/a.json") \
		<(tempo-ql -s "$D/duck" --tag-values span.http.route | jq -r '.tagValues[].value')
}

@test "tempo-ql-tags: bad scope, bad name, no store and stray options are refused" {
	run -2 --separate-stderr tempo-ql -s "$D/st" --tags --scope bogus
	[ -z "$output" ]
	[[ $stderr == *"invalid scope: bogus"* ]]
	run -1 --separate-stderr tempo-ql -s "$D/st" --tag-values 'foo'
	[ -z "$output" ]
	[[ $stderr == *"please provide a valid tagName: foo"* ]]
	run -1 --separate-stderr tempo-ql -s "$D/st" --tag-values 'span.a = 1'
	[[ $stderr == *"please provide a valid tagName"* ]]
	run -2 --separate-stderr env -u TEMPO_STORE tempo-ql --tags
	[[ $stderr == *"needs a store"* ]]
	run -2 --separate-stderr tempo-ql -s "$D/st" --scope span '{ }'
	[[ $stderr == *"usage: tempo-ql"* ]]
	run -2 --separate-stderr tempo-ql -s "$D/st" --tags '{ }'
	[[ $stderr == *"no query argument"* ]]
	run -2 --separate-stderr tempo-ql -s "$D/st" --tags -f stream
	[[ $stderr == *"not a span stream"* ]]
	run -2 --separate-stderr tempo-ql -s "$D/st" --tags --tag-values name
	[[ $stderr == *"give one of"* ]]
}

@test "tempo-ql-tags: a corrupt data.parquet is an error naming the block" {
	local b
	cp -r "$D/st" "$D/bad"
	b=$(ls "$D/bad/single-tenant" | head -n 1)
	truncate -s 200 "$D/bad/single-tenant/$b/data.parquet"
	run -1 --separate-stderr tempo-ql -s "$D/bad" --tags
	[ -z "$output" ]
	[[ $stderr == *"$b"* ]]
}

# repl INPUT [OPTIONS...]: runs the REPL on the store with INPUT piped in.
repl() {
	local in=$1
	shift
	run --separate-stderr bash -c 'printf "%b" "$1" | tempo-ql -s "$2" --repl "${@:3}"' \
		repl "$in" "$D/st" "$@"
}

@test "tempo-ql-tags: the REPL runs piped queries, multi-line ones too, and times each" {
	local want
	want=$(jq -n -r '[inputs | .resourceSpans[] | select(.resource.attributes[] |
		.key == "service.name" and .value.stringValue == "email") |
		.scopeSpans[].spans[].traceId | ascii_downcase] | unique | .[]' "$D/all.json")
	[ -n "$want" ]
	repl '\\limit 100000\n\\format jsonl\n{ resource.service.name\n   = "email" }\n{ resource.service.name =\n"email" &&\nspan:name != "x" };\n'
	[ "$status" -eq 0 ]
	diff -u <(printf '%s\n' "$want") <(printf '%s\n' "${lines[@]}" | jq -r .traceID | sort | uniq)
	[ "$(printf '%s\n' "${lines[@]}" | wc -l)" -eq $((2 * $(printf '%s\n' "$want" | wc -l))) ]
	# Prompts, the lines read and the timings go to stderr.
	[[ $stderr == *"tempo-ql> "*"      -> "* ]]
	[ "$(grep -Ec '(^|[0-9]+ traces? )in [0-9]+\.[0-9] ms$' <<<"$stderr")" -eq 2 ]
}

@test "tempo-ql-tags: REPL results are tables by default; comments alone run nothing" {
	repl '// emails\n{ resource.service.name = "email" } // a comment\n/* two\nlines */\n;\n'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "TRACE ID"*"ROOT SERVICE"* ]]
	[ "$(grep -Ec 'in [0-9]+\.[0-9] ms$' <<<"$stderr")" -eq 1 ]
}

@test "tempo-ql-tags: REPL commands, \\q, errors and the exit status" {
	repl '\\tags link\n{ nope }\n\\limit x\n\\bogus\n\\q\n{ resource.service.name = "email" }\n'
	[ "$status" -eq 1 ]
	diff -u <(attr_keys '.scopeSpans[].spans[].links[]?' | sed 's/^/link             /') \
		<(printf '%s\n' "${lines[@]:1}")
	[[ $stderr == *'unknown identifier "nope"'* ]]
	[[ $stderr == *'\limit: give a number from 1'* ]]
	[[ $stderr == *'\bogus: unknown command'* ]]
	repl '\\values status\n'
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "keyword   ok" ]
	repl '\\help\n'
	[[ $output == *'\limit N'* ]]
	# An empty line runs what is pending, complete or not.
	repl '{ resource.service.name = "email"\n\n'
	[ "$status" -eq 1 ]
	[[ $stderr == *"query:"* ]]
}

@test "tempo-ql-tags: the REPL completes names, values and keywords from the store" {
	export TEMPO_QL_HISTORY="$D/hist-complete"
	rm -f "$TEMPO_QL_HISTORY"
	# A unique match gets a space after it, an ambiguous one does not.
	repl '{ resource.service.name = "emai\t}\n{ span.http.rou\t!= nil && stat\t = err\t}\n{ .service.na\t = pay\t}\n'
	[ "$status" -eq 0 ]
	run -0 cat "$TEMPO_QL_HISTORY"
	[ "${lines[0]}" = '{ resource.service.name = "email" }' ]
	[ "${lines[1]}" = '{ span.http.route != nil && status = error }' ]
	[ "${lines[2]}" = '{ .service.name = "payment" }' ]
}

@test "tempo-ql-tags: the REPL keeps a bounded history, a query per line" {
	export TEMPO_QL_HISTORY="$D/hist"
	seq 1 1500 | sed 's/^/{ .n = /; s/$/ }/' >"$TEMPO_QL_HISTORY"
	repl '{ resource.service.name =\n  "email" }\n'
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$TEMPO_QL_HISTORY")" -eq 1000 ]
	[ "$(tail -n 1 "$TEMPO_QL_HISTORY")" = '{ resource.service.name =   "email" }' ]
	[ "$(head -n 1 "$TEMPO_QL_HISTORY")" = '{ .n = 502 }' ]
}

@test "tempo-ql-tags: the REPL needs a store" {
	run -2 --separate-stderr bash -c 'echo "{ }" | env -u TEMPO_STORE tempo-ql --repl'
	[[ $stderr == *"the REPL needs a store"* ]]
}
