#!/usr/bin/env bats
# pipeline.bats: the programs together.  tempo-gen and the real-client
# captures go through tempo-recv into tempo-pack, straight into a local
# directory, an S3 bucket (SigV4-checking emulator) and an Azure container
# (Azurite); tempo-get finds every trace in each, and the three give
# identical answers.
load helper
load store-helper

setup_file() {
	start_s3
	start_azure
	export PIPE="$BATS_FILE_TMPDIR/pipe"
	mkdir -p "$PIPE/local"
	tempo-gen --traces 150 --seed 21 >"$PIPE/gen.pb"
	tempo-recv "$TQ_FIXTURES"/otlp-proto/*.body.pb >"$PIPE/fixtures.pb"
	cat "$PIPE/gen.pb" "$PIPE/fixtures.pb" >"$PIPE/all.pb"
	tempo-recv -f json "$PIPE/all.pb" |
		jq -r '.resourceSpans[].scopeSpans[].spans[].traceId' | sort -u >"$PIPE/ids"
}

teardown_file() {
	stop_servers
}

# pack_and_get STORE NAME: packs all.pb into STORE in several blocks,
# then gets every trace back as OTLP/JSON into NAME.jsonl, one trace per
# line in trace ID order with spans sorted, so stores compare with diff.
pack_and_get() {
	local store=$1 name=$2
	tempo-pack -s "$store" --wal "$PIPE/wal-$name" --max-live-bytes 400K \
		"$PIPE/all.pb"
	run -0 --separate-stderr tempo-get -s "$store" --list -f json
	[ "$(printf '%s\n' "$output" | wc -l)" -gt 1 ]
	run -0 --separate-stderr tempo-get -s "$store" -f json $(cat "$PIPE/ids")
	printf '%s\n' "$output" | jq -c '[.resourceSpans[].scopeSpans[].spans[]] |
		sort_by(.spanId) | map({traceId, spanId, name, startTimeUnixNano,
		endTimeUnixNano, attributes: (.attributes // [] | sort_by(.key))})' |
		sort >"$PIPE/$name.jsonl"
	[ "$(wc -l <"$PIPE/$name.jsonl")" -eq "$(wc -l <"$PIPE/ids")" ]
}

@test "pipeline: tempo-gen and real clients -> tempo-pack -> tempo-get, local directory" {
	pack_and_get "$PIPE/local" local
	# Every span of the input comes back once.
	run -0 bash -c "jq -r '.[].spanId' '$PIPE/local.jsonl' | sort | uniq -d | wc -l"
	[ "$output" -eq 0 ]
	[ "$(jq -r '.[].spanId' "$PIPE/local.jsonl" | wc -l)" -eq \
	  "$(tempo-recv -f json "$PIPE/all.pb" | jq -r '.resourceSpans[].scopeSpans[].spans[].spanId' | wc -l)" ]
}

@test "pipeline: the same straight into S3 gives the same traces" {
	pack_and_get s3://bkt/tempo s3
	diff -u "$PIPE/local.jsonl" "$PIPE/s3.jsonl"
	# The bucket holds Tempo's layout.
	run -0 "$TQ_STORE" s3://bkt/tempo list single-tenant/
	[[ $output == *"/meta.json"* ]] && [[ $output == *"/bloom-0"* ]] &&
		[[ $output == *"/data.parquet"* ]] && [[ $output == *"/index"* ]]
}

@test "pipeline: the same straight into Azure Blob gives the same traces" {
	pack_and_get az://cont/tempo az
	diff -u "$PIPE/local.jsonl" "$PIPE/az.jsonl"
}

@test "pipeline: tempo-recv over HTTP into tempo-pack, then tempo-get" {
	local port store=$BATS_TEST_TMPDIR/store
	mkdir -p "$store"
	port=$(free_port)
	tempo-recv --otlp-http "127.0.0.1:$port" --zipkin none 2>"$BATS_TEST_TMPDIR/recv.err" |
		tempo-pack -s "$store" --wal "$BATS_TEST_TMPDIR/wal" &
	wait_port "$port"
	tempo-gen --traces 40 --seed 5 --endpoint "http://127.0.0.1:$port/v1/traces"
	pkill -TERM -f "tempo-recv --otlp-http 127.0.0.1:$port"
	wait
	tempo-gen --traces 40 --seed 5 -f json |
		jq -r '.resourceSpans[].scopeSpans[].spans[].traceId' | sort -u >"$BATS_TEST_TMPDIR/ids"
	run -0 --separate-stderr tempo-get -s "$store" -f json $(cat "$BATS_TEST_TMPDIR/ids")
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 40 ]
}
