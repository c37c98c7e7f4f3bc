#!/usr/bin/env bash
# run-tests.sh runs the unit test binaries given as arguments and every bats
# suite under tests/bats, prints each suite's TAP, and ends with one line
# "N passed, N failed" summing them all.  Exit status 0 only when nothing
# failed and something ran.
#
#   BUILD=build scripts/run-tests.sh [--unit-only|--bats-only] UNIT...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
mode=all
case ${1:-} in --unit-only|--bats-only) mode=${1#--}; shift ;; esac

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count reads TAP on stdin, echoes it, and adds to the totals.
count() {
	local suite=$1 p f plan ran
	tee "$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$log" | head -n 1)
	ran=$((p + f))
	if [ -n "$plan" ] && [ "$plan" -gt "$ran" ]; then
		echo "# $suite: planned $plan, ran $ran (crashed?)"
		f=$((f + plan - ran))
	elif [ -z "$plan" ]; then
		echo "# $suite: no plan (crashed before the end?)"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

if [ "$mode" != bats-only ]; then
	for t in "$@"; do
		echo "# unit: $(basename "$t")"
		{ "$t" 2>&1; echo "# exit $?"; } | count "$(basename "$t")"
	done
fi

if [ "$mode" != unit-only ]; then
	export PATH="$build/bin:$PATH" TQ_BUILD="$build" TQ_TOP="$top"
	for s in "$top"/tests/bats/*.bats; do
		[ -e "$s" ] || continue
		echo "# bats: $(basename "$s")"
		bats --tap "$s" 2>&1 | count "$(basename "$s")"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
