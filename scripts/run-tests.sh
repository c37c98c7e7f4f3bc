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

# count reads the TAP in $log (already shown) and adds to the totals.
count() {
	local suite=$1 p f plan ran
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

export TQ_FIXTURES="${TQ_FIXTURES:-$top/../shared/fixtures/real-clients}"
if [ "$mode" != bats-only ]; then
	for t in "$@"; do
		echo "# unit: $(basename "$t")"
		"$t" >"$log" 2>&1
		st=$?
		cat "$log"
		count "$(basename "$t")"
		# A sanitizer report at exit fails the binary, even after "ok"s.
		if [ "$st" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
			echo "# $(basename "$t"): exit status $st"
			failed=$((failed + 1))
		fi
	done
fi

if [ "$mode" != unit-only ]; then
	export PATH="$build/bin:$PATH" TQ_BUILD="$build" TQ_TOP="$top"
	for s in "$top"/tests/bats/*.bats; do
		[ -e "$s" ] || continue
		echo "# bats: $(basename "$s")"
		bats --tap "$s" >"$log" 2>&1
		cat "$log"
		count "$(basename "$s")"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
