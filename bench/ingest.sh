#!/usr/bin/env bash
# ingest.sh: OTLP/HTTP protobuf ingest rate of tempo-recv against a server
# that only reads and discards bodies (bench/discard-server.c, the same
# libmicrohttpd threading: the ceiling).  wrk posts one 500-span
# ExportTraceServiceRequest (five 100-span captured bodies concatenated:
# repeated fields concatenate on the wire) over keep-alive connections.
#
#   BUILD=build bench/ingest.sh [SECONDS] [CONNECTIONS]
#
# Prints spans/s for each server, the ratio, and tempo-recv's peak RSS.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
secs=${1:-10}
conns=${2:-16}
fixtures=${TQ_FIXTURES:-$top/../shared/fixtures/real-clients}
work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "ingest.sh: wrk not found" >&2; exit 1; }
mkdir -p "$build/bench"
read -r -a mhd <<<"$(pkg-config --cflags --libs libmicrohttpd)"
cc -O2 -o "$build/bench/discard-server" "$top/bench/discard-server.c" \
	"${mhd[@]}" -lpthread

b1=$fixtures/otlp-proto/000001.body.pb
b2=$fixtures/otlp-proto/000002.body.pb
cat "$b1" "$b2" "$b1" "$b2" "$b1" >"$work/body.pb"
spans=500
# The body is one valid request of 500 spans: tempo-recv must accept it.
"$build/bin/tempo-recv" -o "$work/check.stream" "$work/body.pb"

cat >"$work/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-protobuf"
function done(summary, latency, requests)
	io.write(string.format("RESULT %d %d %d %d\n", summary.requests,
		summary.errors.status, summary.duration,
		summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout))
end
LUA

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() {
	local _
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# run NAME PORT: drives the server on PORT, prints "NAME spans/s", sets RATE.
run() {
	local name=$1 port=$2 out req non2xx us errs
	out=$(BODY="$work/body.pb" wrk -t 1 -c "$conns" -d "${secs}s" \
		-s "$work/post.lua" "http://127.0.0.1:$port/v1/traces")
	read -r req non2xx us errs <<<"$(grep '^RESULT' <<<"$out" | cut -d' ' -f2-)"
	RATE=$(( (req - non2xx) * spans * 1000000 / us ))
	printf '%-16s %9d spans/s  (%d requests, %d non-2xx, %d socket errors, %d s, %d connections)\n' \
		"$name" "$RATE" "$req" "$non2xx" "$errs" "$secs" "$conns"
}

port=$(free_port)
"$build/bench/discard-server" "$port" &
pids+=($!)
wait_port "$port"
run discard-server "$port"
ceiling=$RATE
kill "${pids[0]}"

port=$(free_port)
"$build/bin/tempo-recv" --otlp-http "127.0.0.1:$port" --zipkin none -o /dev/null &
recv=$!
pids+=("$recv")
wait_port "$port"
run tempo-recv "$port"
recv_rate=$RATE
rss=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$recv/status")
kill -TERM "$recv"
wait "$recv"

echo "ratio tempo-recv/discard-server: $(( recv_rate * 100 / ceiling ))%"
echo "tempo-recv peak RSS: ${rss} MB"
