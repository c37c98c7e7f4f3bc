/*
 * tq-hash: prints, for each hex string argument, its MurmurHash3 x64 128
 * (h1 then h2, 32 hex digits) and FNV-1 32 (8 hex digits), so the tests
 * can compare our hashes with an independent implementation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "otlp.h"

int
main(int argc, char *argv[])
{
	uint8_t buf[256];
	uint64_t h[2];
	int i;

	for (i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]) / 2;

		if (n > sizeof(buf) || !tq_hex_decode(buf, n, argv[i],
		    strlen(argv[i]))) {
			fprintf(stderr, "tq-hash: %s: not hex\n", argv[i]);
			return 2;
		}
		tq_hash_murmur3_128(buf, n, 0, h);
		printf("%016llx%016llx %08x\n", (unsigned long long)h[0],
		    (unsigned long long)h[1], tq_hash_fnv1_32(buf, n));
	}
	return 0;
}
