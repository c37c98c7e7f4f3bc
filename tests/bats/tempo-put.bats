#!/usr/bin/env bats
# tempo-put.bats: copying block directories into local, S3 and Azure
# stores: layout, meta.json last, resuming, faults, errors.
load helper
load store-helper

BLK=0c2e8a12-3f4b-4d5e-8f60-7a8b9c0d1e2f

setup_file() {
	start_s3
	start_azure
}

teardown_file() {
	stop_servers
}

setup() {
	unset TEMPO_STORE TEMPO_TENANT
}

teardown() {
	stop_proxy
}

# make_block DIR [TENANT]: a block-like directory with a 9 MB data file
# (more than one 8 MiB part), two bloom shards, an index and meta.json.
make_block() {
	mkdir -p "$1"
	head -c 9000000 /dev/urandom >"$1/data.parquet"
	head -c 1000 /dev/urandom >"$1/bloom-0"
	head -c 1000 /dev/urandom >"$1/bloom-1"
	printf '{"rowGroups":[]}' >"$1/index"
	printf '{"format":"vParquet4","blockID":"%s","tenantID":"%s","totalObjects":1}' \
		"$BLK" "${2:-acme}" >"$1/meta.json"
}

# same_objects URL DIR TENANT: the store holds DIR's files, byte for byte.
same_objects() {
	local f
	for f in data.parquet bloom-0 bloom-1 index meta.json; do
		"$TQ_STORE" "$1" get "$3/$BLK/$f" | cmp - "$2/$f"
	done
}

@test "tempo-put: no block directory is a usage error" {
	run -2 --separate-stderr tempo-put -s /tmp
	[ -z "$output" ]
	[[ $stderr == *"usage: tempo-put"* ]]
}

@test "tempo-put: no store is a usage error" {
	run -2 --separate-stderr tempo-put "$BATS_TEST_TMPDIR"
	[[ $stderr == "tempo-put: no store: give -s or set TEMPO_STORE"* ]]
}

@test "tempo-put: a bad --retries is a usage error" {
	run -2 --separate-stderr tempo-put --retries x -s /tmp "$BATS_TEST_TMPDIR"
	[[ $stderr == "tempo-put: --retries: x: not a number from 0 to 100"* ]]
}

@test "tempo-put: -o is not an option of tempo-put" {
	run -2 --separate-stderr tempo-put -o x -s /tmp "$BATS_TEST_TMPDIR"
	[[ $stderr == "tempo-put: tempo-put takes no -o option"* ]]
}

@test "tempo-put: a store that cannot be opened fails with exit 1" {
	make_block "$BATS_TEST_TMPDIR/b"
	run -1 --separate-stderr tempo-put -s "$BATS_TEST_TMPDIR/nodir" "$BATS_TEST_TMPDIR/b"
	[ "$stderr" = "tempo-put: $BATS_TEST_TMPDIR/nodir: $BATS_TEST_TMPDIR/nodir: No such file or directory" ]
}

@test "tempo-put: a block goes to <tenant>/<blockID>/, meta.json last" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr tempo-put -v -s "$st" "$BATS_TEST_TMPDIR/b"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" = 5 ]
	[[ ${stderr_lines[0]} == "tempo-put: $BATS_TEST_TMPDIR/b: put acme/$BLK/data.parquet (9000000 bytes)" ]]
	[[ ${stderr_lines[4]} == "tempo-put: $BATS_TEST_TMPDIR/b: put acme/$BLK/meta.json ("* ]]
	same_objects "$st" "$BATS_TEST_TMPDIR/b" acme
	run -0 --separate-stderr tempo-put -s "$st" "$BATS_TEST_TMPDIR/b"
	[ -z "$stderr" ]
}

@test "tempo-put: TEMPO_STORE and a plain run are silent" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/b"
	TEMPO_STORE=file://$st run -0 --separate-stderr tempo-put "$BATS_TEST_TMPDIR/b"
	[ -z "$output" ]
	[ -z "$stderr" ]
	same_objects "file://$st" "$BATS_TEST_TMPDIR/b" acme
}

@test "tempo-put: without meta.json the directory names the block, -t the tenant" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st" "$BATS_TEST_TMPDIR/blk-7"
	printf 'data' >"$BATS_TEST_TMPDIR/blk-7/data.parquet"
	run -0 --separate-stderr tempo-put -t team-a -s "$st" "$BATS_TEST_TMPDIR/blk-7/"
	[ "$stderr" = "tempo-put: $BATS_TEST_TMPDIR/blk-7/: no meta.json: the block stays invisible" ]
	run -0 --separate-stderr "$TQ_STORE" "$st" list
	[ "$output" = "4 team-a/blk-7/data.parquet" ]
	run -0 --separate-stderr tempo-put -q -t team-a -s "$st" "$BATS_TEST_TMPDIR/blk-7"
	[ -z "$stderr" ]
}

@test "tempo-put: -t that contradicts meta.json is refused" {
	make_block "$BATS_TEST_TMPDIR/b" acme
	run -1 --separate-stderr tempo-put -t other -s "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/b"
	[ "$stderr" = "tempo-put: $BATS_TEST_TMPDIR/b: meta.json says tenant acme, not other" ]
}

@test "tempo-put: a bad directory is reported and the others still go" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/b"
	mkdir "$BATS_TEST_TMPDIR/badmeta"
	printf '{"blockID":' >"$BATS_TEST_TMPDIR/badmeta/meta.json"
	run -1 --separate-stderr tempo-put -s "$st" "$BATS_TEST_TMPDIR/nope" \
		"$BATS_TEST_TMPDIR/badmeta" "$BATS_TEST_TMPDIR/b"
	[ "${stderr_lines[0]}" = "tempo-put: $BATS_TEST_TMPDIR/nope: No such file or directory" ]
	[[ ${stderr_lines[1]} == "tempo-put: $BATS_TEST_TMPDIR/badmeta: meta.json: line 1: "* ]]
	same_objects "$st" "$BATS_TEST_TMPDIR/b" acme
}

@test "tempo-put: a re-run completes an interrupted upload and skips what is there" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/b"
	# As if killed after data.parquet and half of bloom-0.
	"$TQ_STORE" "$st" put "acme/$BLK/data.parquet" "$BATS_TEST_TMPDIR/b/data.parquet"
	"$TQ_STORE" "$st" putstr "acme/$BLK/bloom-0" half
	run -0 --separate-stderr tempo-put -v -s "$st" "$BATS_TEST_TMPDIR/b"
	[ "${stderr_lines[0]}" = "tempo-put: $BATS_TEST_TMPDIR/b: skip acme/$BLK/data.parquet (already stored)" ]
	[ "${stderr_lines[1]}" = "tempo-put: $BATS_TEST_TMPDIR/b: put acme/$BLK/bloom-0 (1000 bytes)" ]
	same_objects "$st" "$BATS_TEST_TMPDIR/b" acme
}

@test "tempo-put: S3 and the local store end up with the same objects" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr tempo-put -s s3://bkt/blocks "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr tempo-put -s "$st" "$BATS_TEST_TMPDIR/b"
	same_objects s3://bkt/blocks "$BATS_TEST_TMPDIR/b" acme
	[ "$("$TQ_STORE" s3://bkt/blocks list | sort)" = "$("$TQ_STORE" "$st" list | sort)" ]
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/blocks ls acme/
	[ "$output" = "acme/$BLK/" ]
}

@test "tempo-put: Azure and the local store end up with the same objects" {
	local st=$BATS_TEST_TMPDIR/store
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr tempo-put -s az://cont/blocks "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr tempo-put -s "$st" "$BATS_TEST_TMPDIR/b"
	same_objects az://cont/blocks "$BATS_TEST_TMPDIR/b" acme
	[ "$("$TQ_STORE" az://cont/blocks list)" = "$("$TQ_STORE" "$st" list)" ]
}

@test "tempo-put: uploads through transient faults" {
	make_block "$BATS_TEST_TMPDIR/b" flaky
	start_proxy "$S3_PORT" 500,ok,503,reset,ok,ok,429
	run -0 --separate-stderr tempo-put --endpoint "http://127.0.0.1:$PROXY_PORT" \
		-s s3://bkt/flaky "$BATS_TEST_TMPDIR/b"
	same_objects s3://bkt/flaky "$BATS_TEST_TMPDIR/b" flaky
}

@test "tempo-put: faults that never stop fail and no meta.json becomes visible" {
	make_block "$BATS_TEST_TMPDIR/b" doomed
	start_proxy "$S3_PORT" ok,ok,ok,ok,ok,ok,forever:503
	run -1 --separate-stderr tempo-put --retries 1 --endpoint "http://127.0.0.1:$PROXY_PORT" \
		-s s3://bkt/doomed "$BATS_TEST_TMPDIR/b"
	[[ $stderr == "tempo-put: $BATS_TEST_TMPDIR/b: "*": HTTP 503"*"(retries exhausted)" ]]
	run -3 --separate-stderr "$TQ_STORE" s3://bkt/doomed head "doomed/$BLK/meta.json"
	# Once the faults stop, a re-run completes the block.
	stop_proxy
	run -0 --separate-stderr tempo-put -s s3://bkt/doomed "$BATS_TEST_TMPDIR/b"
	same_objects s3://bkt/doomed "$BATS_TEST_TMPDIR/b" doomed
}

@test "tempo-put: wrong credentials fail with exit 1 and a clear message" {
	make_block "$BATS_TEST_TMPDIR/b"
	AWS_SECRET_ACCESS_KEY=wrong run -1 --separate-stderr tempo-put -s s3://bkt/x "$BATS_TEST_TMPDIR/b"
	[ "$stderr" = "tempo-put: $BATS_TEST_TMPDIR/b: head acme/$BLK/data.parquet: HTTP 403 (access denied: check the credentials)" ]
}

@test "tempo-put: a missing bucket fails with exit 1" {
	make_block "$BATS_TEST_TMPDIR/b"
	run -1 --separate-stderr tempo-put -s s3://nobucket/x "$BATS_TEST_TMPDIR/b"
	[ "$stderr" = "tempo-put: $BATS_TEST_TMPDIR/b: start upload acme/$BLK/data.parquet: HTTP 404 NoSuchBucket: The specified bucket does not exist" ]
}

@test "tempo-put: man page example: two blocks into a local store with -v" {
	local st=$BATS_TEST_TMPDIR/srv
	mkdir -p "$st" "$BATS_TEST_TMPDIR/blocks/blk-7"
	make_block "$BATS_TEST_TMPDIR/blocks/$BLK" single-tenant
	printf 'x' >"$BATS_TEST_TMPDIR/blocks/blk-7/data.parquet"
	printf '{"blockID":"blk-7"}' >"$BATS_TEST_TMPDIR/blocks/blk-7/meta.json"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr tempo-put -v -s "$st" "blocks/$BLK" blocks/blk-7
	[ "${#stderr_lines[@]}" = 7 ]
	[ "${stderr_lines[6]}" = "tempo-put: blocks/blk-7: put single-tenant/blk-7/meta.json (19 bytes)" ]
	same_objects "$st" "blocks/$BLK" single-tenant
}

@test "tempo-put: man page example: an S3 endpoint on this machine" {
	make_block "$BATS_TEST_TMPDIR/blk"
	run -0 --separate-stderr env -u AWS_ENDPOINT_URL tempo-put \
		--endpoint "http://127.0.0.1:$S3_PORT" -s s3://bkt/tempo "$BATS_TEST_TMPDIR/blk"
	same_objects s3://bkt/tempo "$BATS_TEST_TMPDIR/blk" acme
}

@test "tempo-put: man page example: Azure, re-run after an interruption" {
	make_block "$BATS_TEST_TMPDIR/blk"
	start_proxy "$AZ_PORT" ok,ok,ok,forever:reset
	AZURE_STORAGE_CONNECTION_STRING=$(az_cs "$PROXY_PORT") run -1 --separate-stderr \
		tempo-put --retries 0 -s az://cont/tempo "$BATS_TEST_TMPDIR/blk"
	run -3 --separate-stderr "$TQ_STORE" az://cont/tempo head "acme/$BLK/meta.json"
	run -0 --separate-stderr tempo-put -s az://cont/tempo "$BATS_TEST_TMPDIR/blk"
	same_objects az://cont/tempo "$BATS_TEST_TMPDIR/blk" acme
}

@test "tempo-put: tempo-storage(7) examples: a directory, and AWS_ENDPOINT_URL" {
	local st=$BATS_TEST_TMPDIR/srv
	mkdir -p "$st"
	make_block "$BATS_TEST_TMPDIR/blk"
	run -0 --separate-stderr tempo-put -s "$st" "$BATS_TEST_TMPDIR/blk"
	same_objects "$st" "$BATS_TEST_TMPDIR/blk" acme
	AWS_ENDPOINT_URL=http://127.0.0.1:$S3_PORT run -0 --separate-stderr \
		tempo-put -s s3://bkt "$BATS_TEST_TMPDIR/blk"
	same_objects s3://bkt "$BATS_TEST_TMPDIR/blk" acme
}
