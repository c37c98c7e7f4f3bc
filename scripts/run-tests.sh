#!/usr/bin/env bash
# run-tests.sh runs the unit test binaries given as arguments and every bats
# suite under tests/bats, prints each suite's TAP, and ends with one line
# "N passed, N failed" summing them all.  Exit status 0 only when nothing
# failed and something ran.
#
#   BUILD=build [TQ_TEST_JOBS=N] scripts/run-tests.sh [--unit-only|--bats-only] UNIT...
#
# The binaries run one after the other, then TQ_TEST_JOBS suites (default:
# one per CPU) at once, each writing its TAP to its own log.  The logs are
# printed in the order above (the binaries as given, then the suites by
# name) as they complete, so the output is the same whatever the number of
# jobs.  The suites that take longest under the sanitizers ($slow) start
# first, then the others, largest file first, so that no long one starts
# last.  Ports for the suites come from free_port (tests/bats/helper.bash),
# which claims each in $TQ_PORTS so that no two suites of one run get the
# same port.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
mode=all
case ${1:-} in --unit-only|--bats-only) mode=${1#--}; shift ;; esac
jobs_max=${TQ_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs_max in ''|*[!0-9]*|0) echo "run-tests.sh: TQ_TEST_JOBS: $jobs_max: not a count" >&2; exit 2 ;; esac

passed=0
failed=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export TQ_PORTS="$dir/ports"
mkdir "$TQ_PORTS"

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

# The jobs, in the order they are shown: kind[i] is unit or bats, path[i]
# the binary or the suite.
kind=()
path=()
if [ "$mode" != bats-only ]; then
	for t in "$@"; do
		kind+=(unit)
		path+=("$t")
	done
fi
if [ "$mode" != unit-only ]; then
	for s in "$top"/tests/bats/*.bats; do
		[ -e "$s" ] || continue
		kind+=(bats)
		path+=("$s")
	done
fi
n=${#path[@]}

# The order they start in: the binaries, then the slow suites, then the
# others, largest file first.  (Only the wall time depends on it.)
slow="traceql-semantics duckdb-blocks tempo-ql parquet"
order=()
for ((i = 0; i < n; i++)); do
	[ "${kind[i]}" = unit ] && order+=("$i")
done
while read -r _ _ i; do
	order+=("$i")
done < <(for ((i = 0; i < n; i++)); do
	[ "${kind[i]}" = bats ] || continue
	rank=0
	for s in $slow; do
		rank=$((rank + 1))
		[ "$(basename "${path[i]}" .bats)" = "$s" ] && break
	done
	[ "$(basename "${path[i]}" .bats)" = "$s" ] || rank=99
	echo "$rank $(wc -c <"${path[i]}") $i"
done | sort -k1,1n -k2,2nr -k3,3n)

# start I runs job I in the background; $dir/I.st appears with its exit
# status when it ends.
start() {
	local i=$1
	if [ "${kind[i]}" = unit ]; then
		("${path[i]}" >"$dir/$i.log" 2>&1
		 echo $? >"$dir/$i.tmp" && mv "$dir/$i.tmp" "$dir/$i.st") &
	else
		(export PATH="$build/bin:$PATH" TQ_BUILD="$build" TQ_TOP="$top"
		 bats --tap "${path[i]}" >"$dir/$i.log" 2>&1
		 echo $? >"$dir/$i.tmp" && mv "$dir/$i.tmp" "$dir/$i.st") &
	fi
}

# show I prints job I's TAP and adds it to the totals.
show() {
	local i=$1 name st
	name=$(basename "${path[i]}")
	log=$dir/$i.log
	echo "# ${kind[i]}: $name"
	cat "$log"
	count "$name"
	st=$(cat "$dir/$i.st")
	# A sanitizer report at exit fails the binary, even after "ok"s.
	if [ "${kind[i]}" = unit ] && [ "$st" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		echo "# $name: exit status $st"
		failed=$((failed + 1))
	fi
}

# The binaries run one at a time, as their timing tests (test-http's
# in-flight cap, for one) expect a machine that is not busy with another
# test; the suites, after the binaries, $jobs_max at a time.
next=0
shown=0
while [ "$shown" -lt "$n" ]; do
	running=0
	unit=0
	for ((k = 0; k < next; k++)); do
		[ -e "$dir/${order[k]}.st" ] && continue
		running=$((running + 1))
		[ "${kind[order[k]]}" = unit ] && unit=1
	done
	while [ "$next" -lt "$n" ] && [ "$unit" -eq 0 ]; do
		if [ "${kind[order[next]]}" = unit ]; then
			[ "$running" -eq 0 ] || break
			unit=1
		else
			[ "$running" -lt "$jobs_max" ] || break
		fi
		start "${order[next]}"
		next=$((next + 1))
		running=$((running + 1))
	done
	while [ "$shown" -lt "$n" ] && [ -e "$dir/$shown.st" ]; do
		show "$shown"
		shown=$((shown + 1))
	done
	[ "$shown" -lt "$n" ] && { wait -n 2>/dev/null || sleep 0.1; }
done
wait

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
