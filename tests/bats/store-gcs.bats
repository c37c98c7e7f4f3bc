#!/usr/bin/env bats
# store-gcs.bats: GCS's OAuth2 paths offline.  The RS256 JWT of a service
# account is checked against the openssl command line (PKCS#1 v1.5 is
# deterministic, so the signatures must be identical), and the whole
# service-account flow runs against a fake token endpoint and bucket.
# (The HMAC path is in store-s3.bats, against the S3 server.)
load helper
load store-helper

setup_file() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$BATS_FILE_TMPDIR/key.pem" 2>/dev/null
	openssl pkey -in "$BATS_FILE_TMPDIR/key.pem" -pubout \
		-out "$BATS_FILE_TMPDIR/pub.pem"
	GCS_PORT=$(free_port)
	spawn gcs node "$TQ_NODE/gcs-fake.js" "$GCS_PORT" "$BATS_FILE_TMPDIR/pub.pem"
	wait_port "$GCS_PORT"
	export GCS_PORT
}

teardown_file() {
	stop_servers
}

setup() {
	unset GOOGLE_OAUTH_ACCESS_TOKEN GCS_HMAC_ACCESS_KEY_ID GCS_HMAC_SECRET
	export TEMPO_GCS_ENDPOINT="http://127.0.0.1:$GCS_PORT"
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
	GOOGLE_APPLICATION_CREDENTIALS=$BATS_TEST_TMPDIR/sa.json run -0 --separate-stderr \
		"$TQ_STORE" gs://bkt/pre getbuf t/meta.json 100
	[ "$output" = "object /bkt/pre/t/meta.json" ]
}

@test "store-gcs: a refused token exchange is a clear error" {
	keyfile "http://127.0.0.1:$GCS_PORT/token"
	jq '.client_email = "someone@else"' "$BATS_TEST_TMPDIR/sa.json" >"$BATS_TEST_TMPDIR/other.json"
	GOOGLE_APPLICATION_CREDENTIALS=$BATS_TEST_TMPDIR/other.json run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt/pre getbuf k 100
	[ "$stderr" = "tq-store: token exchange: HTTP 400: invalid_grant" ]
}

@test "store-gcs: GOOGLE_OAUTH_ACCESS_TOKEN is sent as a bearer token" {
	GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1 run -0 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf 'a b' 100
	[ "$output" = "object /bkt/a b" ]
	GOOGLE_OAUTH_ACCESS_TOKEN=stale run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf k 100
	[ "$stderr" = "tq-store: get k: HTTP 401 AuthenticationRequired: bad or no token" ]
}

@test "store-gcs: a broken key file names itself" {
	printf '{"client_email": 3}' >"$BATS_TEST_TMPDIR/bad.json"
	GOOGLE_APPLICATION_CREDENTIALS=$BATS_TEST_TMPDIR/bad.json run -1 --separate-stderr \
		"$TQ_STORE" gs://bkt getbuf k 100
	[[ $stderr == "tq-store: $BATS_TEST_TMPDIR/bad.json: not a service-account key: "* ]]
}
