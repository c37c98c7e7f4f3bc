#!/usr/bin/env bash
# deps.sh installs what tempo needs to build and to test, on Debian 12.
# Idempotent and quick when everything is present: apt-get runs only for
# packages that are missing, npm only when tests/node/package.json changed.
#
#   scripts/deps.sh          build dependencies only
#   scripts/deps.sh --test   build and test dependencies (bats, node packages)
set -eu

build_pkgs="build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev
	libprotobuf-dev libzstd-dev libcurl4-openssl-dev libssl-dev libjansson-dev libreadline-dev
	libmicrohttpd-dev libnghttp2-dev libxxhash-dev libyaml-dev libsnappy-dev
	zlib1g-dev libpcre2-dev"
test_pkgs="bats bats-assert bats-support clang libclang-rt-14-dev nodejs npm
	wrk mandoc shellcheck curl jq xxd zsh zstd"

want=$build_pkgs
test_deps=0
if [ "${1:-}" = "--test" ]; then
	want="$build_pkgs $test_pkgs"
	test_deps=1
fi

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# A machine may carry node from elsewhere (not Debian's package): accept it.
if command -v node >/dev/null && command -v npm >/dev/null; then
	missing=$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "deps: installing$missing" >&2
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ "$test_deps" -eq 1 ]; then
	top=$(cd "$(dirname "$0")/.." && pwd)
	node_dir="$top/tests/node"
	stamp="$node_dir/node_modules/.deps-stamp"
	if [ ! -f "$stamp" ] || [ "$node_dir/package.json" -nt "$stamp" ]; then
		echo "deps: installing test node packages into tests/node" >&2
		(cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
		touch "$stamp"
	fi
fi
