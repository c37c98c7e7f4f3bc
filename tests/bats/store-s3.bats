#!/usr/bin/env bats
# store-s3.bats: the S3 backend (and GCS's HMAC path, which speaks the
# same protocol) against an S3 server that verifies SigV4 signatures,
# with faults injected by a proxy.  Compared with the local store.
load helper
load store-helper

setup_file() {
	start_s3
}

teardown_file() {
	stop_servers
}

teardown() {
	stop_proxy
}

@test "store-s3: every operation round-trips, multipart included" {
	roundtrip s3://bkt/pre
}

@test "store-s3: the local store gives the same answers" {
	local d=$BATS_TEST_TMPDIR/local
	mkdir -p "$d"
	roundtrip "file://$d"
}

@test "store-s3: AWS_ENDPOINT_URL_S3 comes before AWS_ENDPOINT_URL" {
	local port
	port=$(free_port)
	AWS_ENDPOINT_URL_S3=$AWS_ENDPOINT_URL AWS_ENDPOINT_URL=http://127.0.0.1:$port \
		run -0 --separate-stderr "$TQ_STORE" s3://bkt/e putstr k v
	AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port run -1 --separate-stderr \
		"$TQ_STORE" -r 0 s3://bkt/e getbuf k 10
	[ "$stderr" = "tq-store: get k: Couldn't connect to server" ]
	"$TQ_STORE" s3://bkt/e del k
}

@test "store-s3: a store without a prefix works on the bucket's root" {
	run -0 --separate-stderr "$TQ_STORE" s3://bkt putstr root-key v
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/ getbuf root-key 10
	[ "$output" = v ]
	run -0 --separate-stderr "$TQ_STORE" s3://bkt del root-key
}

@test "store-s3: curl --aws-sigv4 reads what we wrote and we read what it wrote" {
	local u="http://127.0.0.1:$S3_PORT/bkt"
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/x putstr ours 'written by tq'
	run -0 --separate-stderr curl -sf --aws-sigv4 aws:amz:us-east-1:s3 \
		-u S3RVER:S3RVER -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$u/x/ours"
	[ "$output" = 'written by tq' ]
	printf 'written by curl' >"$BATS_TEST_TMPDIR/c"
	run -0 --separate-stderr curl -sf --aws-sigv4 aws:amz:us-east-1:s3 \
		-u S3RVER:S3RVER -H "x-amz-content-sha256: $(sha256sum <"$BATS_TEST_TMPDIR/c" | cut -c1-64)" \
		-T "$BATS_TEST_TMPDIR/c" "$u/x/theirs"
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/x getbuf theirs 100
	[ "$output" = 'written by curl' ]
	"$TQ_STORE" s3://bkt/x delmany ours theirs
}

@test "store-s3: a wrong secret is a clear error, without retries" {
	start_proxy "$S3_PORT" ok
	AWS_SECRET_ACCESS_KEY=wrong run -1 --separate-stderr "$TQ_STORE" \
		-e "http://127.0.0.1:$PROXY_PORT" s3://bkt/p getbuf k 10
	[ "$stderr" = "tq-store: get k: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method." ]
	[ "$(requests)" = 1 ]
	[[ $stderr != *wrong* ]]
}

@test "store-s3: an unknown access key is a clear error" {
	AWS_ACCESS_KEY_ID=NOBODY run -1 --separate-stderr "$TQ_STORE" s3://bkt/p putstr k v
	[[ $stderr == "tq-store: put k: HTTP 403 InvalidAccessKeyId:"* ]]
}

@test "store-s3: a missing bucket is an error, not a missing object" {
	run -1 --separate-stderr "$TQ_STORE" s3://nobucket/p getbuf k 10
	[ "$stderr" = "tq-store: get k: HTTP 404 NoSuchBucket: The specified bucket does not exist" ]
	run -1 --separate-stderr "$TQ_STORE" s3://nobucket/p list
	[[ $stderr == "tq-store: list: HTTP 404 NoSuchBucket"* ]]
}

@test "store-s3: missing credentials are named" {
	AWS_ACCESS_KEY_ID='' run -1 --separate-stderr "$TQ_STORE" s3://bkt/p list
	[ "$stderr" = "tq-store: s3://bkt: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set" ]
}

@test "store-s3: no server is a network error after the retries" {
	local port
	port=$(free_port)
	run -1 --separate-stderr "$TQ_STORE" -r 1 -e "http://127.0.0.1:$port" s3://bkt/p head k
	[[ $stderr == "tq-store: head k: Couldn't connect to server (retries exhausted)" ]]
}

@test "store-s3: reads survive 500, 503 with Retry-After, resets, cut bodies and stalls" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/f put obj "$BATS_TEST_TMPDIR/f"
	start_proxy "$S3_PORT" 500,503,reset,cut
	"$TQ_STORE" -e "http://127.0.0.1:$PROXY_PORT" s3://bkt/f get obj >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/f" "$BATS_TEST_TMPDIR/out"
	[ "$(requests)" = 5 ]
}

@test "store-s3: a stalled answer times out and is retried" {
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/f putstr small v
	start_proxy "$S3_PORT" slow
	# The proxy sits on the first request for 3 s; with a 1 s stall
	# limit it is abandoned and the retry answers.
	run -0 --separate-stderr "$TQ_STORE" -t 1000 -e "http://127.0.0.1:$PROXY_PORT" \
		s3://bkt/f getbuf small 10
	[ "$output" = v ]
	[ "$(requests)" = 2 ]
}

@test "store-s3: uploads survive faults, multipart included" {
	head -c 11000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	start_proxy "$S3_PORT" 503,ok,500,reset,ok,500
	run -0 --separate-stderr "$TQ_STORE" -p 5 -c 2 -e "http://127.0.0.1:$PROXY_PORT" \
		s3://bkt/up put big "$BATS_TEST_TMPDIR/f"
	"$TQ_STORE" s3://bkt/up get big | cmp - "$BATS_TEST_TMPDIR/f"
	"$TQ_STORE" s3://bkt/up del big
}

@test "store-s3: faults that never stop fail the upload and leave nothing" {
	head -c 11000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	start_proxy "$S3_PORT" ok,forever:500
	run -1 --separate-stderr "$TQ_STORE" -r 2 -p 5 -e "http://127.0.0.1:$PROXY_PORT" \
		s3://bkt/never put big "$BATS_TEST_TMPDIR/f"
	[ "$stderr" = "tq-store: upload part of big: HTTP 500 InternalError: injected by faultproxy (retries exhausted)" ]
	run -0 --separate-stderr "$TQ_STORE" s3://bkt/never list
	[ -z "$output" ]
	run -3 --separate-stderr "$TQ_STORE" s3://bkt/never head big
}

@test "store-s3: 429 and 503 are retried with backoff, 4 retries by default" {
	start_proxy "$S3_PORT" forever:429
	run -1 --separate-stderr "$TQ_STORE" -e "http://127.0.0.1:$PROXY_PORT" s3://bkt/p head k
	[ "$(requests)" = 5 ]
}

@test "store-s3: a batch of 40 reads shares at most 8 connections" {
	local i keys=()
	for i in $(seq 1 40); do
		keys+=("t/blk-$i/bloom-0")
		"$TQ_STORE" s3://bkt/batch putstr "t/blk-$i/bloom-0" "shard $i"
	done
	start_proxy "$S3_PORT" ok
	run -0 --separate-stderr "$TQ_STORE" -e "http://127.0.0.1:$PROXY_PORT" \
		s3://bkt/batch getmany 0 0 "${keys[@]}"
	[ "${#lines[@]}" = 40 ]
	[ "${lines[39]}" = "t/blk-40/bloom-0 ok 8 $(printf 'shard 40' | sha256sum | cut -c1-8)" ]
	[ "$(requests)" = 40 ]
	# One more connection is wait_port's readiness probe.
	[ "$(connections)" -le 9 ]
	"$TQ_STORE" s3://bkt/batch delmany "${keys[@]}"
}

@test "store-s3: gs:// with HMAC keys speaks the same protocol" {
	TEMPO_GCS_ENDPOINT=$AWS_ENDPOINT_URL GCS_HMAC_ACCESS_KEY_ID=S3RVER \
		GCS_HMAC_SECRET=S3RVER GOOGLE_OAUTH_ACCESS_TOKEN='' \
		roundtrip gs://bkt/gcs
}

@test "store-s3: tempo-gen | tempo-pack into the bucket; tempo-get and tempo-ql answer as over the local store" {
	pack_and_compare s3://bkt/pipe
}

@test "store-s3: the same through gs:// with HMAC keys (GCS's XML API)" {
	TEMPO_GCS_ENDPOINT=$AWS_ENDPOINT_URL GCS_HMAC_ACCESS_KEY_ID=S3RVER \
		GCS_HMAC_SECRET=S3RVER GOOGLE_OAUTH_ACCESS_TOKEN='' \
		pack_and_compare gs://bkt/gcs-pipe
}

@test "store-s3: invalid keys are refused before any request" {
	run -1 --separate-stderr "$TQ_STORE" s3://bkt/p putstr ../etc/passwd x
	[ "$stderr" = "tq-store: ../etc/passwd: invalid key" ]
	run -1 --separate-stderr "$TQ_STORE" s3://bkt/p putstr /abs x
}
