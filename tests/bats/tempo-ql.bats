#!/usr/bin/env bats
# tempo-ql.bats: the TraceQL front end through tempo-ql --check, --print and
# --ast: the conformance corpus of tests/traceql (every query gets the
# verdict its file names), print round trips of every valid query, error
# positions and messages, limits, and the command line itself.
load helper

CORPUS=$TQ_TOP/tests/traceql

# queries FILE prints the queries of a corpus file, one per line.
queries() {
	grep -v -e '^#' -e '^$' "$1"
}

# check_corpus WORD checks that every query of WORD.txt gets WORD.
check_corpus() {
	local want=$1 q got bad="" n=0
	while IFS= read -r q; do
		n=$((n + 1))
		got=$(tempo-ql --check -e "$q" 2>/dev/null) || true
		[ "$got" = "$want" ] || bad="$bad
  $q => ${got:-(nothing)}"
	done < <(queries "$CORPUS/$want.txt")
	[ "$n" -gt 10 ] || fail "only $n queries in $want.txt"
	[ -z "$bad" ] || fail "not $want:$bad"
}

@test "tempo-ql: every query of valid.txt is valid" {
	check_corpus valid
}

@test "tempo-ql: every query of parse-error.txt is a parse error" {
	check_corpus parse-error
}

@test "tempo-ql: every query of invalid.txt is invalid" {
	check_corpus invalid
}

@test "tempo-ql: every query of unsupported.txt is unsupported" {
	check_corpus unsupported
}

@test "tempo-ql: printing a valid query gives text that parses to the same tree" {
	local q p1 p2 a1 a2 bad=""
	while IFS= read -r q; do
		p1=$(tempo-ql --print -e "$q") || { bad="$bad
  $q: --print failed"; continue; }
		p2=$(tempo-ql --print -e "$p1") || true
		a1=$(tempo-ql --ast -e "$q") || true
		a2=$(tempo-ql --ast -e "$p1") || true
		[ "$p1" = "$p2" ] || bad="$bad
  $q: printed '$p1' then '$p2'"
		[ "$a1" = "$a2" ] || bad="$bad
  $q: tree '$a1' became '$a2'"
		[ "$(tempo-ql --check -e "$p1" 2>/dev/null || true)" = valid ] || bad="$bad
  $q: '$p1' is not valid"
	done < <(queries "$CORPUS/valid.txt")
	[ -z "$bad" ] || fail "round trip:$bad"
}

@test "tempo-ql: multi-line query files get their verdict at their position" {
	local f want at bad=""
	for f in "$CORPUS"/files/*.tql; do
		want=$(sed -n 's|^// expect: ||p' "$f")
		at=$(sed -n 's|^// at: ||p' "$f")
		run --separate-stderr tempo-ql --check -F "$f"
		[ "$output" = "$want" ] || bad="$bad $f:$output"
		if [ "$want" = valid ]; then
			[ "$status" -eq 0 ] && [ -z "$stderr" ] || bad="$bad $f:status"
		else
			[ "$status" -eq 1 ] || bad="$bad $f:status=$status"
			[[ $stderr == "tempo-ql: $f:$at: "* ]] ||
				bad="$bad $f:stderr=$stderr"
		fi
	done
	[ -z "$bad" ] || fail "$bad"
}

@test "tempo-ql: --check valid prints valid, exits 0, says nothing else" {
	run -0 --separate-stderr tempo-ql --check '{ span.http.status_code >= 500 }'
	[ "$output" = valid ]
	[ -z "$stderr" ]
}

@test "tempo-ql: a parse error gives parse-error, line:col and expr.y's wording" {
	run -1 --separate-stderr tempo-ql --check '{ .a = 1 } && count()'
	[ "$output" = parse-error ]
	[ "$stderr" = 'tempo-ql: query:1:12: syntax error: "&&" needs spansets on both sides, not a spanset and a scalar expression' ]
	run -1 --separate-stderr tempo-ql --check '{ .a == 1 }'
	[ "$output" = parse-error ]
	[ "$stderr" = 'tempo-ql: query:1:7: syntax error: unexpected "=", expecting a field expression' ]
	run -1 --separate-stderr tempo-ql --check '{ .a = "x }'
	[ "$stderr" = 'tempo-ql: query:1:8: syntax error: string not terminated' ]
	run -1 --separate-stderr tempo-ql --check '{ .a = 1 '
	[ "$stderr" = 'tempo-ql: query:1:10: syntax error: unexpected end of query, expecting "}" or an operator' ]
}

@test "tempo-ql: an invalid query gives invalid and Tempo's message" {
	run -1 --separate-stderr tempo-ql --check '{ 1 = "foo" }'
	[ "$output" = invalid ]
	[ "$stderr" = 'tempo-ql: query:1:3: binary operations must operate on the same type: 1 = "foo"' ]
	run -1 --separate-stderr tempo-ql --check '{ status > ok }'
	[ "$stderr" = 'tempo-ql: query:1:3: illegal operation for the given type(s): status > ok' ]
	run -1 --separate-stderr tempo-ql --check '{ name = nil }'
	[ "$stderr" = 'tempo-ql: query:1:3: name=nil is not valid because intrinsics cannot be nil' ]
	run -1 --separate-stderr tempo-ql --check '{ span.x =~ "a(" }'
	[[ $stderr == 'tempo-ql: query:1:3: invalid regex (at offset 2: missing closing parenthesis): "a("' ]]
	run -1 --separate-stderr tempo-ql --check '{ "foo" }'
	[ "$stderr" = 'tempo-ql: query:1:3: span filter field expressions must resolve to a boolean: "foo"' ]
	run -1 --separate-stderr tempo-ql --check '{ } | compare({ }) | topk(2)'
	[ "$stderr" = 'tempo-ql: query:1:1: `compare()` cannot be used with second stage functions' ]
}

@test "tempo-ql: an unsupported query gives unsupported" {
	run -1 --separate-stderr tempo-ql --check '{ parent.http.method = "GET" }'
	[ "$output" = unsupported ]
	[ "$stderr" = 'tempo-ql: query:1:3: the parent scope is not supported: parent.http.method' ]
	run -1 --separate-stderr tempo-ql --check '{ } | max(duration) > min(duration)'
	[ "$output" = unsupported ]
	[ "$stderr" = 'tempo-ql: query:1:7: comparing an aggregate with an aggregate is not supported: max(duration) > min(duration)' ]
}

@test "tempo-ql: -q keeps --check quiet on stderr, the verdict stays" {
	run -1 --separate-stderr tempo-ql -q --check '{ 1 }'
	[ "$output" = invalid ]
	[ -z "$stderr" ]
}

@test "tempo-ql: 200 nested parentheses are a parse error, not a crash" {
	local q
	q="$(printf '%.0s(' $(seq 200)){ .a }$(printf '%.0s)' $(seq 200))"
	run -1 --separate-stderr tempo-ql --check "$q"
	[ "$output" = parse-error ]
	[[ $stderr == *"nesting too deep"* ]]
	q="{ $(printf '%.0s!' $(seq 5000)).a }"
	run -1 --separate-stderr tempo-ql --check "$q"
	[[ $stderr == *"nesting too deep"* ]]
	q="{ .a = $(printf '%.0s(' $(seq 100000))"
	run -1 --separate-stderr tempo-ql --check "$q"
	[[ $stderr == *"nesting too deep"* ]]
}

@test "tempo-ql: 100 nested parentheses and a 1000-term || chain are fine" {
	local q i
	q="$(printf '%.0s(' $(seq 100)){ .a }$(printf '%.0s)' $(seq 100))"
	run -0 tempo-ql --check "$q"
	q="{ .a = 0"
	for i in $(seq 1 999); do q="$q || .a = $i"; done
	q="$q }"
	run -0 --separate-stderr tempo-ql --check "$q"
	[ "$output" = valid ]
	run -0 --separate-stderr tempo-ql --print "$q"
	[ "$output" = "$q" ]
}

@test "tempo-ql: a query over 1 MiB is refused" {
	local f=$BATS_TEST_TMPDIR/big.tql
	{ printf '{ .a = "'; head -c 1100000 /dev/zero | tr '\0' x; printf '" }'; } > "$f"
	run -1 --separate-stderr tempo-ql --check -F "$f"
	[ -z "$output" ]
	[[ $stderr == *"longer than 1048576 bytes"* ]]
}

@test "tempo-ql: --print normalises spacing, folds literals, keeps the meaning" {
	run -0 --separate-stderr tempo-ql --print '{.a=1&&span.b=~"x"}|count()>1+1'
	[ "$output" = '{ .a = 1 && span.b =~ "x" } | count() > 2' ]
	run -0 tempo-ql --print '{ duration > 1h30m } | select(span:id, trace:rootService)'
	[ "$output" = '{ duration > 90m } | select(span:id, rootServiceName)' ]
	run -0 tempo-ql --print '{ (.a + .b) * .c = -(2 ^ 3) }'
	[ "$output" = '{ (.a + .b) * .c = -8 }' ]
	run -0 tempo-ql --print '({ .a } | { .b }) && (({ .c }) >> ({ .d }))'
	[ "$output" = '({ .a } | { .b }) && ({ .c } >> { .d })' ]
	run -0 tempo-ql --print '{ span."a b" = "tab\there" }'
	[ "$output" = '{ span."a b" = "tab\there" }' ]
}

@test "tempo-ql: --ast shows the tree" {
	run -0 --separate-stderr tempo-ql --ast '{ .a = nil } | rate() by (name) | topk(3) with(sample=0.5)'
	[ "$output" = '(query metrics (stages (metrics-pipeline (pipeline (filter (= nil (attr any "a")))) (rate (intrinsic name))) (topk 3)) (hint sample (float 0x1p-1)))' ]
}

@test "tempo-ql: --print and --ast parse only: an invalid query still prints" {
	run -0 tempo-ql --print '{ 1 = "foo" }'
	[ "$output" = '{ 1 = "foo" }' ]
	run -1 --separate-stderr tempo-ql --print '{ 1 = }'
	[ -z "$output" ]
	[[ $stderr == 'tempo-ql: query:1:7: syntax error: '* ]]
}

@test "tempo-ql: -e, -F file and -F - read the query" {
	local f=$BATS_TEST_TMPDIR/q.tql
	printf '{ .a = 1 }\n' > "$f"
	run -1 --separate-stderr tempo-ql --check -e '-{ .a }'
	[ "$output" = parse-error ]
	run -0 tempo-ql --check -F "$f"
	[ "$output" = valid ]
	run -0 --separate-stderr tempo-ql --check --file - < "$f"
	[ "$output" = valid ]
	printf '{ .a = }' > "$f"
	run -1 --separate-stderr tempo-ql --check -F - < "$f"
	[[ $stderr == 'tempo-ql: stdin:1:8: syntax error: '* ]]
	run -1 --separate-stderr tempo-ql --check -F "$BATS_TEST_TMPDIR/missing"
	[[ $stderr == *"missing: No such file or directory" ]]
}

@test "tempo-ql: -o writes the verdict to a file" {
	run -0 tempo-ql --check -o "$BATS_TEST_TMPDIR/out" '{ }'
	[ -z "$output" ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = valid ]
}

@test "tempo-ql: usage errors exit 2 with the usage on stderr" {
	run -2 --separate-stderr tempo-ql -f bogus '{ }' < /dev/null
	[ -z "$output" ]
	[[ $stderr == *"bogus: unknown format (table, json, jsonl or stream)"* ]]
	[[ $stderr == *"usage: tempo-ql"* ]]
	run -2 --separate-stderr tempo-ql --limit -1 '{ }' < /dev/null
	[[ $stderr == *"--limit: -1: not a count"* ]]
	run -2 --separate-stderr tempo-ql --check
	[[ $stderr == *"give one query"* ]]
	run -2 --separate-stderr tempo-ql --check -e '{ }' '{ }'
	[[ $stderr == *"give one query"* ]]
	run -2 --separate-stderr tempo-ql --check '{ }' '{ }'
	run -2 --separate-stderr tempo-ql --check --print '{ }'
	[ -z "$output" ]
	[[ $stderr == *"give one of --ast, --check and --print"* ]]
	run -2 --separate-stderr tempo-ql --bogus
	[ -z "$output" ]
	[[ $stderr == *"usage: tempo-ql"* ]]
}

@test "tempo-ql: the man pages' examples do what they say" {
	run -0 tempo-ql --check '{ resource.service.name = "checkout" && status = error }'
	[ "$output" = valid ]
	run -1 --separate-stderr tempo-ql --check '{ .a = 1 } | count()'
	[ "$output" = parse-error ]
	run -0 tempo-ql --print '{ span.http.status_code>=500 }|rate()by(resource.service.name)'
	[ "$output" = '{ span.http.status_code >= 500 } | rate() by (resource.service.name)' ]
	run -0 tempo-ql --check '{ span.http.route =~ "/api/.*" } | avg(duration) > 200ms'
	run -0 tempo-ql --check '{ resource.service.name = "frontend" } >> { status = error }'
	run -0 tempo-ql --check '{ } | quantile_over_time(duration, 0.5, 0.99) by (resource.service.name)'
	run -0 tempo-ql --check '({ status = error } | rate()) / ({ } | rate())'
	run -0 tempo-ql --check '{ .customer.id != nil } | by(.customer.id) | count() > 10'
	run -0 tempo-ql --check '{ } with(most_recent=true)'
}

@test "tempo-ql: the man page's loop checks a file of queries" {
	local f=$BATS_TEST_TMPDIR/queries.txt q
	printf '%s\n' '{ .a = 1 }' '{ .a = }' '{ 1 }' '{ parent.a }' > "$f"
	run -0 bash -c 'while IFS= read -r q; do
		printf "%s\t%s\n" "$(tempo-ql -q --check -e "$q")" "$q"
	done < "$1"' _ "$f"
	[ "$output" = "$(printf 'valid\t{ .a = 1 }\nparse-error\t{ .a = }\ninvalid\t{ 1 }\nunsupported\t{ parent.a }')" ]
}
