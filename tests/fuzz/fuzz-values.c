/*
 * fuzz-values.c: libFuzzer target for a block's values filter header
 * (tq_block_values_parse) and lookups in it.  The header checksum is
 * recomputed over the input first, so that mutations reach the parser
 * instead of stopping at the checksum.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[32];
	struct tq_block_values *v;
	struct tq_err e;
	uint8_t *copy;
	size_t hlen = tq_block_values_header_len(data, size);
	uint32_t probe[8];
	uint64_t off;

	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	if (hlen >= 28 && hlen <= size) {
		uint64_t sum = XXH3_64bits(copy, hlen - 8);
		size_t i;

		for (i = 0; i < 8; i++)
			copy[hlen - 8 + i] = (uint8_t)(sum >> (8 * i));
	}
	if (tq_block_values_parse(copy, size, &v, &e) == 0) {
		if (tq_block_values_size(v) < hlen)
			abort();
		if (tq_block_values_locate(v, "rs.list.element.ss.list.element."
		    "Spans.list.element.Name", "GET /", 5, &off, probe) &&
		    (off < hlen || off + 32 > tq_block_values_size(v)))
			abort();
		(void)tq_block_values_probe(probe, zero);
		tq_block_values_free(v);
	}
	free(copy);
	return 0;
}
