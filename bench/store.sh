#!/usr/bin/env bash
# store.sh: storage throughput against the emulators, beside the curl
# command line doing the same transfers in the same run.
#   - upload of one 64 MB file (ours: multipart/blocks of 8 MiB, 8 in
#     flight, S3 parts signed with their SHA-256; to GCS's JSON API a
#     resumable session of 8 MiB chunks in turn; curl: one PUT, to S3
#     with the file's SHA-256 computed beforehand, outside the timing,
#     one uploadType=media POST to GCS) and ours again with 64 MiB parts,
#     i.e. as one request like curl's
#   - download of it (both streamed to /dev/null)
#   - 256 range reads of 64 KiB at random offsets (ours: one
#     tq_store_get_many batch, 8 in flight; curl: --parallel, 8 at once)
#   - the first step of a trace-by-ID lookup over 100 blocks: one bloom
#     shard (4 KiB) per block, as one batch, and the requests it took
#     (counted by a pass-through proxy)
# Usage: BUILD=build bench/store.sh   (prints a table; needs node)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
tq="$build/tests/helpers/tq-store"
node_dir="$top/tests/node"
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() {
	local i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "store.sh: nothing listens on $1" >&2
	return 1
}
# secs CMD...: runs CMD and prints its wall time in seconds; a failure
# stops the benchmark (a failed transfer would look fast).
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	if ! "$@" >/dev/null; then
		echo "store.sh: $1 failed" >&2
		return 1
	fi
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}
# curl_quiet ARGS...: curl without its --parallel progress meter.
curl_quiet() {
	curl -s "$@" 2>/dev/null
}
mbs() {
	awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", b / 1e6 / s }'
}

size=64000000
head -c $size /dev/urandom >"$tmp/big"
head -c 4096 /dev/urandom >"$tmp/bloom"

s3p=$(port)
mkdir -p "$tmp/s3"
node "$node_dir/s3rver.js" "$s3p" "$tmp/s3" bkt >/dev/null 2>&1 &
pids+=($!)
azp=$(port)
"$node_dir/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$azp" \
	-l "$tmp/az" --silent --skipApiVersionCheck >/dev/null 2>&1 &
pids+=($!)
gsp=$(port)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/key.pem" 2>/dev/null
openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem"
node "$node_dir/gcs-fake.js" "$gsp" "$tmp/pub.pem" >/dev/null 2>&1 &
pids+=($!)
wait_port "$s3p"
wait_port "$azp"
wait_port "$gsp"
node "$node_dir/azure-mkcontainer.js" "http://127.0.0.1:$azp/devstoreaccount1" cont

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$s3p"
export TEMPO_GCS_ENDPOINT="http://127.0.0.1:$gsp" GOOGLE_OAUTH_ACCESS_TOKEN=fake-token-1
unset GCS_HMAC_ACCESS_KEY_ID GCS_HMAC_SECRET GOOGLE_APPLICATION_CREDENTIALS TEMPO_GCS_API
gsurl="http://127.0.0.1:$gsp"
gsauth=(-H "Authorization: Bearer fake-token-1")
export AZURE_STORAGE_CONNECTION_STRING="AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$azp/devstoreaccount1"
sas=$(node "$node_dir/azure-sas.js" rwdlac)
s3url="http://127.0.0.1:$s3p/bkt"
azurl="http://127.0.0.1:$azp/devstoreaccount1/cont"
sig=(--aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')

# range_cfg URLBASE QUERY AUTH: a curl config of 256 ranged GETs (fixed
# seed), each with the config lines AUTH ("next" resets options, those of
# the command line included) and failing on HTTP errors.
range_cfg() {
	awk -v u="$1" -v q="$2" -v a="$3" -v n=$size 'BEGIN { srand(7); for (i = 0; i < 256; i++) {
		o = int(rand() * (n - 65536)); if (i) print "next";
		printf "url = \"%s%s\"\nrange = %d-%d\noutput = /dev/null\nfail\nsilent\n%s", u, q, o, o + 65535, a } }'
}
range_offsets() {
	awk -v n=$size 'BEGIN { srand(7); for (i = 0; i < 256; i++) print int(rand() * (n - 65536)) }'
}

printf '%-44s %12s %12s\n' "transfer" "tq_store" "curl(1)"
for kind in s3 az gs; do
	case $kind in
	s3) url=s3://bkt/bench; base=$s3url/bench/; q=; auth=("${sig[@]}") ;;
	az) url=az://cont/bench; base=$azurl/bench/; q="?$sas"; auth=(-H 'x-ms-blob-type: BlockBlob') ;;
	# The JSON API: the object name is one encoded path part.
	gs) url=gs://bkt/bench; base=$gsurl/storage/v1/b/bkt/o/bench%2F; q="?alt=media"; auth=("${gsauth[@]}") ;;
	esac
	case $kind in
	s3) cfg_auth=$(printf '%s\n' 'aws-sigv4 = "aws:amz:us-east-1:s3"' 'user = "S3RVER:S3RVER"' \
		'header = "x-amz-content-sha256: UNSIGNED-PAYLOAD"') ;;
	az) cfg_auth= ;;
	gs) cfg_auth='header = "Authorization: Bearer fake-token-1"' ;;
	esac
	t_ours=$(secs "$tq" "$url" put big "$tmp/big")
	case $kind in
	s3)
		hash=$(sha256sum <"$tmp/big" | cut -c1-64)
		t_curl=$(secs curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u S3RVER:S3RVER \
			-H "x-amz-content-sha256: $hash" -T "$tmp/big" "${base}curl-big") ;;
	az)
		t_curl=$(secs curl -sf "${auth[@]}" -T "$tmp/big" "${base}curl-big$q") ;;
	gs)
		t_curl=$(secs curl -sf "${auth[@]}" -H 'Content-Type: application/octet-stream' \
			--data-binary @"$tmp/big" \
			"$gsurl/upload/storage/v1/b/bkt/o?uploadType=media&name=bench%2Fcurl-big") ;;
	esac
	printf '%-44s %12s %12s\n' "$kind: upload 64 MB" "$(mbs $size "$t_ours")" "$(mbs $size "$t_curl")"
	t_ours=$(secs "$tq" -p 64 "$url" put big1 "$tmp/big")
	printf '%-44s %12s %12s\n' "$kind: upload 64 MB, ours as one PUT too" "$(mbs $size "$t_ours")" "-"
	t_ours=$(secs "$tq" "$url" get big)
	t_curl=$(secs curl -sf "${auth[@]}" -o /dev/null "${base}curl-big$q")
	printf '%-44s %12s %12s\n' "$kind: download 64 MB" "$(mbs $size "$t_ours")" "$(mbs $size "$t_curl")"
	# 256 random 64 KiB ranges, the same offsets for both.
	range_offsets >"$tmp/offs"
	t_ours=$(secs "$tq" "$url" ranges big 65536 "$tmp/offs")
	range_cfg "${base}curl-big" "$q" "$cfg_auth
" >"$tmp/cfg"
	t_curl=$(secs curl_quiet --parallel --parallel-max 8 -K "$tmp/cfg")
	printf '%-44s %12s %12s\n' "$kind: 256 x 64 KiB random ranges (8 at once)" \
		"$(awk -v s="$t_ours" 'BEGIN{printf "%.0f req/s", 256 / s}')" \
		"$(awk -v s="$t_curl" 'BEGIN{printf "%.0f req/s", 256 / s}')"
done

# Bloom shards of 100 blocks through a counting proxy.
keys=()
for i in $(seq 1 100); do
	keys+=("t/blk-$i/bloom-0")
	"$tq" s3://bkt/bench put "t/blk-$i/bloom-0" "$tmp/bloom"
done
pp=$(port)
node "$node_dir/faultproxy.js" "$pp" "$s3p" ok "$tmp/count" >/dev/null 2>&1 &
pids+=($!)
wait_port "$pp"
t_ours=$(secs "$tq" -e "http://127.0.0.1:$pp" s3://bkt/bench getmany 0 0 "${keys[@]}")
n=$(cat "$tmp/count")
seq_gets() {
	local k
	for k in "$@"; do
		"$tq" -e "http://127.0.0.1:$pp" s3://bkt/bench getbuf "$k" 5000 || return 1
	done
}
t_seq=$(secs seq_gets "${keys[@]}")
printf '%-44s %12s %12s\n' "s3: bloom shard of 100 blocks, one batch" "${t_ours}s" "-"
printf '%-44s %12s %12s\n' "s3: same, one process per block (sequential)" "${t_seq}s" "-"
printf '%-44s %12s\n' "s3: requests for the batch (1 per block)" "$n"
