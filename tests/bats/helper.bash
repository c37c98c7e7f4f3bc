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

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.  It
# is below the kernel's ephemeral range, where no port of a client or of a
# listen on port 0 comes from, so nothing else takes it before the test
# does; and when $TQ_PORTS is set (scripts/run-tests.sh runs suites side by
# side) the port is claimed there, so no other suite of the run gets it.
free_port() {
	local port i
	for i in $(seq 1 20); do
		port=$(node -e '
			const fs = require("fs"), net = require("net");
			let lo = 32768;
			try {
				lo = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]);
			} catch (e) {}
			const first = 10000, n = lo - first;
			const pick = () => (n >= 1000 ? first + Math.floor(Math.random() * n) : 0);
			const s = net.createServer();
			s.on("error", () => s.listen(pick(), "127.0.0.1"));
			s.listen(pick(), "127.0.0.1", () => {
				console.log(s.address().port);
				s.close();
			});') || return 1
		[ -n "${TQ_PORTS:-}" ] || { echo "$port"; return 0; }
		mkdir "$TQ_PORTS/$port" 2>/dev/null && { echo "$port"; return 0; }
	done
	echo "free_port: no free port claimed after $i tries" >&2
	return 1
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
