#!/usr/bin/env bash
# demo.sh: the main job, end to end on this machine.  Installs what it
# needs, builds, then:
#   tempo-gen --endpoint  posts synthetic OTLP/HTTP traces to
#   tempo-recv -l          which writes the span stream into
#   tempo-pack             which packs Tempo vParquet4 blocks into a store;
#   tempo-get --list       lists the blocks, and tempo-get -f tree shows one
#                          trace as a waterfall;
#   tempo-ql               searches the blocks with TraceQL (a table, then
#                          Tempo's JSON) and lists attribute names.
# Everything runs on 127.0.0.1 and in a temporary directory (kept with
# KEEP=1), and stops by itself.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh
make -j2 >/dev/null
export PATH="$top/build/bin:$PATH"

work=$(mktemp -d)
recv_pid=
cleanup() {
	[ -z "$recv_pid" ] || kill "$recv_pid" 2>/dev/null || true
	[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
store=$work/store
mkdir -p "$store"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== tempo-recv on 127.0.0.1:$port, writing the span stream to tempo-pack"
tempo-recv --otlp-http "127.0.0.1:$port" --zipkin none |
	tempo-pack -s "$store" --wal "$work/wal" --trace-idle 1s &
recv_pid=$(pgrep -n -f "tempo-recv --otlp-http 127.0.0.1:$port")
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done

echo "== tempo-gen posting 200 traces as OTLP/HTTP protobuf"
tempo-gen --traces 200 --seed 42 --endpoint "http://127.0.0.1:$port/v1/traces" -v

# SIGTERM drains tempo-recv; tempo-pack then packs what is left and exits.
kill -TERM "$recv_pid"
recv_pid=
wait

echo
echo "== tempo-get --list"
tempo-get -s "$store" --list
block=$(tempo-get -s "$store" --list -f json | jq -r .block_id | head -n 1)
echo
echo "== tempo-get --inspect $block (first lines)"
tempo-get -s "$store" --inspect "$block" | head -n 15
id=$(tempo-gen --traces 200 --seed 42 -f json | head -n 1 |
	jq -r '.resourceSpans[0].scopeSpans[0].spans[0].traceId')
echo
echo "== tempo-get -f tree $id --explain"
tempo-get -s "$store" -f tree --explain "$id"
echo
echo "== tempo-ql: the 5 newest traces where checkout had an error below it"
tempo-ql -s "$store" -f table --limit 5 --spss 2 -q \
	'{ resource.service.name = "checkout" } >> { status = error }'
echo
echo "== tempo-ql -f json: errors per service, as Grafana gets them"
tempo-ql -s "$store" -f json --limit 3 -q '{ status = error } | by(resource.service.name) | count() > 1' |
	jq -c '.traces[] | {traceID, spanSets: [.spanSets[].attributes]}'
echo
echo "== tempo-ql --tags --scope resource"
tempo-ql -s "$store" --tags --scope resource | jq -c '.scopes[] | select(.name == "resource") | .tags'
echo
echo "== tempo-ql --check"
tempo-ql --check '{ resource.service.name = "checkout" && status = error } | count() > 2'
