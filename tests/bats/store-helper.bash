# store-helper.bash: emulators for the storage suites, loaded after
# helper.bash.  Each start_* function starts one server on a free port on
# 127.0.0.1, waits for it and records its pid in $BATS_FILE_TMPDIR/pids so
# stop_servers (called from teardown_file, also after failures) ends it.
# The servers' output goes to files: bats must not wait on their fds.

TQ_STORE=$TQ_HELPERS/tq-store
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

# spawn NAME CMD...: runs CMD in the background, logging to NAME.log.
spawn() {
	local name=$1
	shift
	"$@" >"$BATS_FILE_TMPDIR/$name.log" 2>&1 3>&- &
	echo "$!" >>"$BATS_FILE_TMPDIR/pids"
	echo "$!" >"$BATS_FILE_TMPDIR/$name.pid"
}

# start_s3 starts the SigV4-checking S3 server with bucket "bkt" and
# exports S3_PORT, the AWS_* variables and AWS_ENDPOINT_URL.
start_s3() {
	S3_PORT=$(free_port)
	mkdir -p "$BATS_FILE_TMPDIR/s3"
	spawn s3 node "$TQ_NODE/s3rver.js" "$S3_PORT" "$BATS_FILE_TMPDIR/s3" bkt
	wait_port "$S3_PORT"
	export S3_PORT AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
	unset AWS_SESSION_TOKEN
}

# az_cs PORT prints the connection string for Azurite on PORT.
az_cs() {
	echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZ_KEY;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}

# start_azure starts Azurite's blob service with container "cont" and
# exports AZ_PORT and AZURE_STORAGE_CONNECTION_STRING.
start_azure() {
	AZ_PORT=$(free_port)
	mkdir -p "$BATS_FILE_TMPDIR/az"
	spawn az "$TQ_NODE/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 \
		--blobPort "$AZ_PORT" -l "$BATS_FILE_TMPDIR/az" --silent \
		--skipApiVersionCheck
	wait_port "$AZ_PORT"
	node "$TQ_NODE/azure-mkcontainer.js" \
		"http://127.0.0.1:$AZ_PORT/devstoreaccount1" cont
	AZURE_STORAGE_CONNECTION_STRING=$(az_cs "$AZ_PORT")
	export AZ_PORT AZURE_STORAGE_CONNECTION_STRING
}

# start_proxy TARGET_PORT ACTIONS starts faultproxy.js in front of
# TARGET_PORT and sets PROXY_PORT; the request count is in
# $BATS_TEST_TMPDIR/count.
start_proxy() {
	PROXY_PORT=$(free_port)
	spawn proxy node "$TQ_NODE/faultproxy.js" "$PROXY_PORT" "$1" "$2" \
		"$BATS_TEST_TMPDIR/count"
	wait_port "$PROXY_PORT"
}

# stop_proxy ends the proxy of the current test.
stop_proxy() {
	if [ -f "$BATS_FILE_TMPDIR/proxy.pid" ]; then
		kill "$(cat "$BATS_FILE_TMPDIR/proxy.pid")" 2>/dev/null || true
		rm -f "$BATS_FILE_TMPDIR/proxy.pid"
	fi
}

# stop_servers ends everything spawn started, waiting at most 5 s each.
stop_servers() {
	local pid i
	[ -f "$BATS_FILE_TMPDIR/pids" ] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || continue
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	done <"$BATS_FILE_TMPDIR/pids"
	rm -f "$BATS_FILE_TMPDIR/pids"
}

# requests prints how many requests the proxy saw.
requests() {
	cat "$BATS_TEST_TMPDIR/count" 2>/dev/null || echo 0
}

# connections prints how many connections the proxy accepted.
connections() {
	cat "$BATS_TEST_TMPDIR/count.conns" 2>/dev/null || echo 0
}

# make_files DIR fills DIR with the test objects: small, empty, odd
# names, and one of 11 MB that needs a multipart upload with 5 MiB parts.
# (No & < > in names: the S3 emulator escapes its listings twice; and an
# object right in t/, because it misses prefixes with no object of their
# own just below them.)
make_files() {
	mkdir -p "$1/a/b" "$1/t/blk"
	printf 'hello' >"$1/a/b/c.txt"
	printf 'x' >"$1/a.txt"
	: >"$1/empty"
	printf 'odd' >"$1/a/sp ace+é=%"
	head -c 11000000 /dev/urandom >"$1/t/blk/data.parquet"
	printf 'tm' >"$1/t/m"
}

# roundtrip URL: puts the files of make_files through tq-store and checks
# every read operation against the local copies.
roundtrip() {
	local url=$1 src=$BATS_TEST_TMPDIR/src f
	make_files "$src"
	for f in a/b/c.txt a.txt empty "a/sp ace+é=%" t/blk/data.parquet t/m; do
		run -0 --separate-stderr "$TQ_STORE" -p 5 "$url" put "$f" "$src/$f"
	done
	for f in a/b/c.txt a.txt empty "a/sp ace+é=%" t/blk/data.parquet t/m; do
		"$TQ_STORE" "$url" get "$f" >"$BATS_TEST_TMPDIR/out"
		cmp "$BATS_TEST_TMPDIR/out" "$src/$f"
		run -0 --separate-stderr "$TQ_STORE" "$url" head "$f"
		[ "$output" = "$(stat -c %s "$src/$f")" ]
	done
	run -0 --separate-stderr "$TQ_STORE" "$url" list
	[ "$(echo "$output" | sort)" = "$(printf '%s\n' '0 empty' '1 a.txt' \
		'11000000 t/blk/data.parquet' '2 t/m' '3 a/sp ace+é=%' '5 a/b/c.txt' | sort)" ]
	run -0 --separate-stderr "$TQ_STORE" "$url" ls
	[ "$(echo "$output" | sort)" = "$(printf '%s\n' '0 empty' '1 a.txt' a/ t/ | sort)" ]
	run -0 --separate-stderr "$TQ_STORE" "$url" ls a/
	[ "$(echo "$output" | sort)" = "$(printf '%s\n' '3 a/sp ace+é=%' a/b/ | sort)" ]
	"$TQ_STORE" "$url" range t/blk/data.parquet 5000000 100000 >"$BATS_TEST_TMPDIR/out"
	tail -c +5000001 "$src/t/blk/data.parquet" | head -c 100000 | cmp - "$BATS_TEST_TMPDIR/out"
	run -1 --separate-stderr "$TQ_STORE" "$url" range a/b/c.txt 3 5
	[[ $stderr == *"a/b/c.txt"* ]]
	run -3 --separate-stderr "$TQ_STORE" "$url" get no/such
	[ "$stderr" = "tq-store: get no/such: no such object" ]
	run -3 --separate-stderr "$TQ_STORE" "$url" head no/such
	run -0 --separate-stderr "$TQ_STORE" "$url" getmany 1 3 a/b/c.txt t/blk/data.parquet
	[ "${lines[0]}" = "a/b/c.txt ok 3 $(printf ell | sha256sum | cut -c1-8)" ]
	[ "${lines[1]}" = "t/blk/data.parquet ok 3 $(tail -c +2 "$src/t/blk/data.parquet" | head -c 3 | sha256sum | cut -c1-8)" ]
	run -1 --separate-stderr "$TQ_STORE" "$url" getmany 0 0 a.txt no/such
	[ "${lines[0]}" = "a.txt ok 1 $(printf x | sha256sum | cut -c1-8)" ]
	[ "${lines[1]}" = "no/such not found 0 $(printf '' | sha256sum | cut -c1-8)" ]
	run -0 --separate-stderr "$TQ_STORE" "$url" del a.txt
	run -0 --separate-stderr "$TQ_STORE" "$url" del a.txt
	run -0 --separate-stderr "$TQ_STORE" "$url" delmany a/b/c.txt empty "a/sp ace+é=%" t/m not/there
	run -0 --separate-stderr "$TQ_STORE" "$url" list
	[ "$output" = "11000000 t/blk/data.parquet" ]
	run -0 --separate-stderr "$TQ_STORE" "$url" del t/blk/data.parquet
	run -0 --separate-stderr "$TQ_STORE" "$url" list
	[ -z "$output" ]
}

# mirror URL DIR copies every object of the store URL into directory DIR.
mirror() {
	local size key
	"$TQ_STORE" "$1" list | while read -r size key; do
		[ -n "$size" ] || continue
		mkdir -p "$2/$(dirname "$key")"
		"$TQ_STORE" "$1" get "$key" >"$2/$key"
	done
}

# ql_norm reads tempo-ql's jsonl and prints it in an order that does not
# depend on which thread searched which block first: a trace spread over
# several blocks has a spanset from each, in the order they came, and its
# serviceStats keys in that order too.
ql_norm() {
	jq -cS 'del(.spanSet) | .spanSets |= sort_by(tostring)' | sort
}

# pack_and_compare URL: tempo-gen | tempo-pack into URL and into a local
# directory, then checks that tempo-get finds every trace in both with
# the same spans, and that tempo-ql answers the same over URL as over a
# local copy of its blocks (byte for byte with one thread; in a fixed
# order with several) and finds the same traces as in the local store.
pack_and_compare() {
	local url=$1 d=$BATS_TEST_TMPDIR q s
	mkdir -p "$d/local" "$d/mirror"
	tempo-gen --traces 120 --seed 33 >"$d/gen.pb"
	tempo-recv -f json "$d/gen.pb" |
		jq -r '.resourceSpans[].scopeSpans[].spans[].traceId' | sort -u >"$d/ids"
	tempo-pack -s "$url" --wal "$d/wal-url" --max-live-bytes 200K "$d/gen.pb"
	tempo-pack -s "$d/local" --wal "$d/wal-local" --max-live-bytes 200K "$d/gen.pb"
	run -0 --separate-stderr tempo-get -s "$url" --list -f json
	[ "$(printf '%s\n' "$output" | wc -l)" -gt 1 ]
	for s in url local; do
		if [ $s = url ]; then q=$url; else q=$d/local; fi
		tempo-get -s "$q" -f json $(cat "$d/ids") |
			jq -c '[.resourceSpans[].scopeSpans[].spans[]] | sort_by(.spanId)' |
			sort >"$d/get-$s.jsonl"
	done
	[ "$(wc -l <"$d/get-url.jsonl")" -eq "$(wc -l <"$d/ids")" ]
	diff -u "$d/get-local.jsonl" "$d/get-url.jsonl"
	# One ID: the same trace; a block whose bloom says absent costs one
	# read in both, the whole shard from the object store and its header
	# and a word or few from the directory.
	q=$(sed -n 7p "$d/ids")
	diff -u <(tempo-get -s "$d/local" --explain "$q" 2>"$d/ex-local") \
		<(tempo-get -s "$url" --explain "$q" 2>"$d/ex-url")
	grep -q ' bloom-absent ' "$d/ex-url"
	awk '$5 == "bloom-absent" && ($6 != "reads=1" || $7 != "bytes=102424") { exit 1 }' \
		"$d/ex-url"
	awk '$5 == "bloom-absent" { split($7, b, "="); if ($6 != "reads=1" || b[2] < 32 || b[2] > 80) exit 1 }' \
		"$d/ex-local"
	mirror "$url" "$d/mirror"
	tempo-ql -j 1 -s "$url" -f jsonl --limit 100000 '{}' | sort >"$d/ql-url"
	tempo-ql -j 1 -s "$d/mirror" -f jsonl --limit 100000 '{}' | sort >"$d/ql-mirror"
	[ "$(wc -l <"$d/ql-url")" -eq "$(wc -l <"$d/ids")" ]
	diff -u "$d/ql-mirror" "$d/ql-url"
	for q in '{}' '{ status = error }' '{ kind = server } >> { duration > 10ms }'; do
		tempo-ql -s "$url" -f jsonl --limit 100000 "$q" | ql_norm >"$d/ql-url"
		tempo-ql -s "$d/mirror" -f jsonl --limit 100000 "$q" | ql_norm >"$d/ql-mirror"
		[ -s "$d/ql-url" ]
		diff -u "$d/ql-mirror" "$d/ql-url"
	done
	diff <(tempo-ql -s "$d/local" -f jsonl --limit 100000 '{}' | jq -r .traceID | sort) \
		<(tempo-ql -s "$url" -f jsonl --limit 100000 '{}' | jq -r .traceID | sort)
}
