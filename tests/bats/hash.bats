#!/usr/bin/env bats
# hash.bats: our MurmurHash3 x64 128 agrees with an independent
# implementation (npm murmurhash3js-revisited) on inputs of every tail
# length, and FNV-1 32 with its published values.
load helper

@test "hash: murmur3 x64 128 matches an independent implementation" {
	local inputs
	inputs=$(node -e '
		const c = require("crypto");
		const out = [""];
		for (let n = 1; n <= 40; n++) out.push(c.randomBytes(n).toString("hex"));
		for (let i = 0; i < 20; i++) out.push(c.randomBytes(16).toString("hex"));
		console.log(out.join(" "));')
	run -0 "$TQ_HELPERS/tq-hash" "" $inputs
	ours=$(echo "$output" | cut -d" " -f1)
	theirs=$(cd "$TQ_NODE" && node -e '
		const m = require("murmurhash3js-revisited");
		for (const h of [""].concat(process.argv.slice(1)))
			console.log(m.x64.hash128(Uint8Array.from(Buffer.from(h, "hex")), 0));' $inputs)
	diff -u <(echo "$theirs") <(echo "$ours")
}

@test "hash: FNV-1 32 published values" {
	# "" and "a" from the FNV reference test suite (FNV-1, not FNV-1a).
	run -0 "$TQ_HELPERS/tq-hash" "" 61 666f6f626172
	[ "$(echo "$output" | cut -d" " -f2 | tr '\n' ' ')" = "811c9dc5 050c5d7e 31f0b262 " ]
}
