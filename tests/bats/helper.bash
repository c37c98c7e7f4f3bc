# helper.bash: loaded by every suite.  Programs come from $TQ_BUILD/bin
# (put first on PATH by scripts/run-tests.sh); fixtures from the shared
# folder beside the checkout or from tests/data.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TQ_TOP=${TQ_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
TQ_BUILD=${TQ_BUILD:-$TQ_TOP/build}
TQ_HELPERS=$TQ_BUILD/tests/helpers
TQ_NODE=$TQ_TOP/tests/node
# The real-client captures live in the team's shared folder.
TQ_FIXTURES=${TQ_FIXTURES:-$TQ_TOP/../shared/fixtures/real-clients}
export PATH="$TQ_BUILD/bin:$PATH"

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_port PORT waits up to 10 s for something to listen on 127.0.0.1:PORT.
wait_port() {
	local i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	return 1
}
