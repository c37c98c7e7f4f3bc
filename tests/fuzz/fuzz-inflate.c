/*
 * fuzz-inflate.c: libFuzzer target for lib/inflate.c.  The first byte
 * picks the coding, the rest is the compressed body; the output cap is
 * small so that bombs hit it.  Any result is fine but a crash, a leak or
 * output past the cap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "err.h"
#include "inflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tq_inflate_coding codings[] = {
		TQ_CODING_IDENTITY, TQ_CODING_GZIP, TQ_CODING_DEFLATE,
		TQ_CODING_ZSTD,
	};
	struct tq_buf out;
	struct tq_err e;
	int rc;

	if (size < 1)
		return 0;
	tq_buf_init(&out, 1u << 20);
	rc = tq_inflate(codings[data[0] % 4], data + 1, size - 1, &out, &e);
	if (out.len > out.max || (rc != 0 && out.len != 0))
		abort();
	tq_buf_release(&out);
	return 0;
}
