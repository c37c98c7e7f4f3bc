#!/usr/bin/env bash
# fuzz.sh runs each libFuzzer target named on the command line for
# FUZZ_SECONDS (default 60) seconds, starting from its committed seed corpus
# tests/fuzz/corpus/NAME (if any) and a working corpus in build/fuzz/corpus.
# Crashes land in build/fuzz/crashes/NAME/; copy each into the target's
# regression cases (tests/fuzz/corpus/NAME) once fixed.  Called by make fuzz.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-60}
status=0
for name in "$@"; do
	bin="$top/build/fuzz/bin/$name"
	work="$top/build/fuzz/corpus/$name"
	crashes="$top/build/fuzz/crashes/$name"
	seeds="$top/tests/fuzz/corpus/$name"
	mkdir -p "$work" "$crashes"
	dirs=("$work")
	[ -d "$seeds" ] && dirs+=("$seeds")
	echo "fuzz: $name for ${secs}s"
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" -print_final_stats=1 "${dirs[@]}" \
		>"$top/build/fuzz/$name.log" 2>&1; then
		echo "fuzz: $name: FAILED, see build/fuzz/$name.log and $crashes" >&2
		status=1
	fi
	grep -E '^stat::number_of_executed_units|^Done' "$top/build/fuzz/$name.log" |
		sed "s/^/fuzz: $name: /"
done
exit $status
