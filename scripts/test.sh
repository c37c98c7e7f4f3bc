#!/usr/bin/env bash
# test.sh installs what the tests need, builds, and runs every test: the C
# unit tests and the bats suites, ending with "N passed, N failed".
# SANITIZE=address,undefined (as CI sets it) builds and tests under ASan
# and UBSan; DEVELOPER=1 makes warnings errors.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh --test
exec make -j2 DEVELOPER="${DEVELOPER:-0}" SANITIZE="${SANITIZE:-}" check
