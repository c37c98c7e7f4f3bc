#!/usr/bin/env bats
# store-gcs.bats: GCS's OAuth2 paths offline, against gcs-fake.js, a
# strict stand-in for Google's token endpoint and the JSON API subset we
# use (pages of 2 entries, so listings take several).  The RS256 JWT of a
# service account is checked against the openssl command line (PKCS#1
# v1.5 is deterministic, so the signatures must be identical); the store
# operations, resumable uploads, faults and errors, and tempo-put,
# tempo-pack, tempo-get and tempo-ql run against the fake bucket, compared
# with the local store.  (The HMAC path, the XML API, is in store-s3.bats, against
# the S3 server.)
load helper
load store-helper

setup_file() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$BATS_FILE_TMPDIR/key.pem" 2>/dev/null
	openssl pkey -in "$BATS_FILE_TMPDIR/key.pem" -pubout \
		-out "$BATS_FILE_TMPDIR/pub.pem"
	GCS_PORT=$(free_port)
	spawn gcs node "$TQ_NODE/gcs-fake.js" "$GCS_PORT" "$BATS_FILE_TMPDIR/pub.pem" 2
	wait_port "$GCS_PORT"
	export GCS_PORT
}

teardown_file() {
	stop_servers
}

setup() {
	unset GOOGLE_OAUTH_ACCESS_TOKEN GCS_HMAC_ACCESS_KEY_ID GCS_HMAC_SECRET \
		GOOGLE_APPLICATION_CREDENTIALS TEMPO_GCS_API TEMPO_STORE
	export TEMPO_GCS_ENDPOINT="http://127.0.0.1:$GCS_PORT"
}

teardown() {
	stop_proxy
}

b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}

@test "store-gcs: the service-account JWT matches openssl's RS256" {
	local jwt head claims sig want
	run -0 --separate-stderr "$TQ_STORE" gs://b jwt tq@example.iam.gserviceaccount.com \
		"$BATS_FILE_TMPDIR/key.pem" https://oauth2.googleapis.com/token 1700000000
	jwt=$output
	head=${jwt%%.*}
	claims=${jwt#*.}
	claims=${claims%%.*}
	sig=${jwt##*.}
	[ "$head" = "$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)" ]
	[ "$claims" = "$(printf '%s' '{"iss":"tq@example.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/devstorage.read_write","aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600}' | b64url)" ]
	want=$(printf '%s.%s' "$head" "$claims" |
		openssl dgst -sha256 -sign "$BATS_FILE_TMPDIR/key.pem" -binary | b64url)
	[ "$sig" = "$want" ]
}

@test "store-gcs: a key that is not a private key is refused" {
	run -1 --separate-stderr "$TQ_STORE" gs://b jwt a@b "$BATS_FILE_TMPDIR/pub.pem" aud 1
	[ "$stderr" = "tq-store: service account: unreadable private key" ]
}

# keyfile URI writes a service-account key file for the fake endpoint.
keyfile() {
	jq -n --arg k "$(cat "$BATS_FILE_TMPDIR/key.pem")" --arg u "$1" \
		'{type:"service_account",client_email:"tq@example.iam.gserviceaccount.com",private_key:$k,token_uri:$u}' \
		>"$BATS_TEST_TMPDIR/sa.json"
}

@test "store-gcs: a service account's token is fetched and used" {
	keyfile "http://127.0.0.1:$GCS_PORT/token"
	export GOOGLE_APPLICATION_CREDENTIALS=$BATS_TEST_TMPDIR/sa.json
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/sa putstr t/meta.json '{"v":1}'
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/sa getbuf t/meta.json 100
	[ "$output" = '{"v":1}' ]
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/sa del t/meta.json
}

@test "store-gcs: a refused token exchange is a clear error" {
	keyfile "http://127.0.0.1:$GCS_PORT/token"
	jq '.client_email = "someone@else"' "$BATS_TEST_TMPDIR/sa.json" >"$BATS_TEST_TMPDIR/other.json"
	GOOGLE_APPLICATION_CREDENTIALS=$BATS_TEST_TMPDIR/other.json run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt/pre getbuf k 100
	[ "$stderr" = "tq-store: token exchange: HTTP 400: invalid_grant" ]
}

@test "store-gcs: GOOGLE_OAUTH_ACCESS_TOKEN speaks the JSON API, TEMPO_GCS_API=xml the XML API" {
	GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 run -0 --separate-stderr \
		"$TQ_STORE" gs://bkt putstr 'a b' v
	GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 run -0 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf 'a b' 100
	[ "$output" = v ]
	# The fake's XML API only echoes the path it was asked for.
	TEMPO_GCS_API=xml GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 run -0 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf 'a b' 100
	[ "$output" = "object /bkt/a b" ]
	TEMPO_GCS_API=xml GOOGLE_OAUTH_ACCESS_TOKEN=stale run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf k 100
	[ "$stderr" = "tq-store: get k: HTTP 401 AuthenticationRequired: bad or no token" ]
	GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 run -0 --separate-stderr "$TQ_STORE" gs://bkt del 'a b'
}

@test "store-gcs: the JSON API takes no HMAC keys, and TEMPO_GCS_API is checked" {
	TEMPO_GCS_API=json GCS_HMAC_ACCESS_KEY_ID=k GCS_HMAC_SECRET=s run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt/p list
	[ "$stderr" = "tq-store: gs://bkt: no credentials (GOOGLE_OAUTH_ACCESS_TOKEN, or GOOGLE_APPLICATION_CREDENTIALS)" ]
	TEMPO_GCS_API=rest GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt/p list
	[ "$stderr" = "tq-store: TEMPO_GCS_API: rest: not json or xml" ]
}

@test "store-gcs: JSON API: every operation round-trips, resumable uploads included" {
	GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 roundtrip gs://bkt/pre
}

@test "store-gcs: JSON API: a store without a prefix works on the bucket's root" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	run -0 --separate-stderr "$TQ_STORE" gs://bkt putstr root-key v
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/ getbuf root-key 10
	[ "$output" = v ]
	run -0 --separate-stderr "$TQ_STORE" gs://bkt ls
	[ "$output" = "1 root-key" ]
	run -0 --separate-stderr "$TQ_STORE" gs://bkt del root-key
}

@test "store-gcs: JSON API: a session that keeps part of each chunk gets the rest again" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	head -c 12000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	start_proxy "$GCS_PORT" ok
	run -0 --separate-stderr "$TQ_STORE" -p 5 -e "http://127.0.0.1:$PROXY_PORT" \
		gs://bkt/kh put keep-half "$BATS_TEST_TMPDIR/f"
	"$TQ_STORE" gs://bkt/kh get keep-half | cmp - "$BATS_TEST_TMPDIR/f"
	# start, then 5 MiB chunks kept as 2.5 + 1.25 (+ 0.25 x 5) and the
	# last 1.5 MB: more requests than the 4 of a session that keeps all.
	[ "$(requests)" -gt 4 ]
	"$TQ_STORE" gs://bkt/kh del keep-half
}

@test "store-gcs: JSON API: a session URI on another host is refused, and nothing is sent there" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	head -c 6000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	run -1 --separate-stderr "$TQ_STORE" -p 5 gs://bkt/x put elsewhere "$BATS_TEST_TMPDIR/f"
	[ "$stderr" = "tq-store: start upload elsewhere: the session URI is not on the endpoint's host" ]
	run -3 --separate-stderr "$TQ_STORE" gs://bkt/x head elsewhere
}

@test "store-gcs: JSON API: uploads and reads survive 500, 503, resets" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	head -c 11000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	# start, chunk, chunk fails (500), status query reset then 503,
	# then the chunk again and the rest.
	start_proxy "$GCS_PORT" ok,ok,500,reset,503
	run -0 --separate-stderr "$TQ_STORE" -p 5 -e "http://127.0.0.1:$PROXY_PORT" \
		gs://bkt/up put big "$BATS_TEST_TMPDIR/f"
	[ "$(requests)" -ge 8 ]
	"$TQ_STORE" gs://bkt/up get big | cmp - "$BATS_TEST_TMPDIR/f"
	stop_proxy
	# The answer to the last chunk is cut: the object is complete, as
	# the status query then says.
	start_proxy "$GCS_PORT" ok,ok,ok,cut
	run -0 --separate-stderr "$TQ_STORE" -p 5 -e "http://127.0.0.1:$PROXY_PORT" \
		gs://bkt/up put big "$BATS_TEST_TMPDIR/f"
	[ "$(requests)" = 5 ]
	stop_proxy
	start_proxy "$GCS_PORT" 500,503,reset,cut
	"$TQ_STORE" -e "http://127.0.0.1:$PROXY_PORT" gs://bkt/up get big >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/f" "$BATS_TEST_TMPDIR/out"
	[ "$(requests)" = 5 ]
	"$TQ_STORE" gs://bkt/up del big
}

@test "store-gcs: JSON API: faults that never stop fail the upload and leave nothing" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	head -c 11000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	start_proxy "$GCS_PORT" ok,ok,forever:500
	run -1 --separate-stderr "$TQ_STORE" -r 2 -p 5 -e "http://127.0.0.1:$PROXY_PORT" \
		gs://bkt/never put big "$BATS_TEST_TMPDIR/f"
	[ "$stderr" = "tq-store: upload status of big: HTTP 500 InternalError: injected by faultproxy (retries exhausted)" ]
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/never list
	[ -z "$output" ]
	run -3 --separate-stderr "$TQ_STORE" gs://bkt/never head big
	stop_proxy
	# A chunk that fails every time, while its status queries answer.
	start_proxy "$GCS_PORT" ok,ok,500,ok,500,ok,500
	run -1 --separate-stderr "$TQ_STORE" -r 2 -p 5 -e "http://127.0.0.1:$PROXY_PORT" \
		gs://bkt/never put big "$BATS_TEST_TMPDIR/f"
	[ "$stderr" = "tq-store: upload chunk of big: HTTP 500 InternalError: injected by faultproxy (retries exhausted)" ]
	run -3 --separate-stderr "$TQ_STORE" gs://bkt/never head big
}

@test "store-gcs: JSON API: a wrong token is a clear error, without retries" {
	start_proxy "$GCS_PORT" ok
	GOOGLE_OAUTH_ACCESS_TOKEN=stale run -1 --separate-stderr "$TQ_STORE" \
		-e "http://127.0.0.1:$PROXY_PORT" gs://bkt/p getbuf k 10
	[ "$stderr" = "tq-store: get k: HTTP 401 authError: Invalid Credentials" ]
	[ "$(requests)" = 1 ]
	[[ $stderr != *stale* ]]
	head -c 6000000 /dev/urandom >"$BATS_TEST_TMPDIR/f"
	GOOGLE_OAUTH_ACCESS_TOKEN=stale run -1 --separate-stderr "$TQ_STORE" -p 5 \
		-e "http://127.0.0.1:$PROXY_PORT" gs://bkt/p put k "$BATS_TEST_TMPDIR/f"
	[ "$stderr" = "tq-store: start upload k: HTTP 401 authError: Invalid Credentials" ]
	[ "$(requests)" = 2 ]
	# The programs say the same and exit 1.
	export GOOGLE_OAUTH_ACCESS_TOKEN=stale TEMPO_GCS_ENDPOINT="http://127.0.0.1:$PROXY_PORT"
	run -1 --separate-stderr tempo-get -s gs://bkt/p --list
	[ "$stderr" = "tempo-get: list: HTTP 401 authError: Invalid Credentials" ]
	run -1 --separate-stderr tempo-ql -s gs://bkt/p -f jsonl '{}'
	[ "$stderr" = "tempo-ql: list: HTTP 401 authError: Invalid Credentials" ]
	[ "$(requests)" = 4 ]
}

@test "store-gcs: JSON API: a missing bucket is an error, not a missing object" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	run -1 --separate-stderr "$TQ_STORE" gs://nobucket/p getbuf k 10
	[ "$stderr" = "tq-store: get k: HTTP 404 notFound: The specified bucket does not exist." ]
	run -1 --separate-stderr "$TQ_STORE" gs://nobucket/p list
	[ "$stderr" = "tq-store: list: HTTP 404 notFound: The specified bucket does not exist." ]
	run -1 --separate-stderr "$TQ_STORE" gs://nobucket/p putstr k v
	[ "$stderr" = "tq-store: put k: HTTP 404 notFound: The specified bucket does not exist." ]
}

@test "store-gcs: JSON API: a batch of 30 reads and deletes" {
	local i keys=()
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	for i in $(seq 1 30); do
		keys+=("t/blk-$i/bloom-0")
		"$TQ_STORE" gs://bkt/batch putstr "t/blk-$i/bloom-0" "shard $i"
	done
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/batch getmany 0 0 "${keys[@]}"
	[ "${#lines[@]}" = 30 ]
	[ "${lines[29]}" = "t/blk-30/bloom-0 ok 8 $(printf 'shard 30' | sha256sum | cut -c1-8)" ]
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/batch ls t/
	[ "${#lines[@]}" = 30 ]
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/batch delmany "${keys[@]}" not/there
	run -0 --separate-stderr "$TQ_STORE" gs://bkt/batch list
	[ -z "$output" ]
}

@test "store-gcs: tempo-put copies a block, meta.json last, as into a directory" {
	local blk=0c2e8a12-3f4b-4d5e-8f60-7a8b9c0d1e2f d=$BATS_TEST_TMPDIR/b st=$BATS_TEST_TMPDIR/st f
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	mkdir -p "$d" "$st"
	head -c 9000000 /dev/urandom >"$d/data.parquet"
	head -c 1000 /dev/urandom >"$d/bloom-0"
	printf '{"rowGroups":[]}' >"$d/index"
	printf '{"format":"vParquet4","blockID":"%s","tenantID":"acme","totalObjects":1}' "$blk" >"$d/meta.json"
	run -0 --separate-stderr tempo-put -s gs://bkt/blocks "$d"
	run -0 --separate-stderr tempo-put -s "$st" "$d"
	for f in data.parquet bloom-0 index meta.json; do
		"$TQ_STORE" gs://bkt/blocks get "acme/$blk/$f" | cmp - "$d/$f"
	done
	[ "$("$TQ_STORE" gs://bkt/blocks list | sort)" = "$("$TQ_STORE" "$st" list | sort)" ]
}

@test "store-gcs: tempo-gen | tempo-pack into the bucket; tempo-get and tempo-ql answer as over the local store" {
	export GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
	pack_and_compare gs://bkt/tempo
	# Tempo's layout, meta.json included.
	run -0 "$TQ_STORE" gs://bkt/tempo list single-tenant/
	[[ $output == *"/meta.json"* ]] && [[ $output == *"/bloom-0"* ]] &&
		[[ $output == *"/data.parquet"* ]] && [[ $output == *"/index"* ]]
}

@test "store-gcs: a broken key file names itself" {
	printf '{"client_email": 3}' >"$BATS_TEST_TMPDIR/bad.json"
	GOOGLE_APPLICATION_CREDENTIALS=$BATS_TEST_TMPDIR/bad.json run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf k 100
	[[ $stderr == "tq-store: $BATS_TEST_TMPDIR/bad.json: not a service-account key: "* ]]
}
