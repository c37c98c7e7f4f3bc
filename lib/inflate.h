/*
 * inflate.h: whole-buffer decompression of request bodies.
 *
 * An HTTP body arrives whole (lib/http.h) with a Content-Encoding; this
 * module turns it into the bytes the decoders read.  The output buffer's
 * cap (struct tq_buf max) bounds what a body may expand to, so a gzip or
 * zstd bomb fails with TQ_ELIMIT after at most that many bytes, never with
 * unbounded memory.
 */
#ifndef TQ_INFLATE_H
#define TQ_INFLATE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum tq_inflate_coding {
	TQ_CODING_IDENTITY,	/* no compression */
	TQ_CODING_GZIP,		/* RFC 1952, one or more members */
	TQ_CODING_DEFLATE,	/* RFC 1950 zlib, or raw RFC 1951 deflate */
	TQ_CODING_ZSTD,		/* RFC 8878, one or more frames */
};

/*
 * tq_inflate_coding_parse maps a Content-Encoding value ("gzip", "x-gzip",
 * "deflate", "zstd", "identity"; case-insensitive, surrounding blanks
 * ignored; NULL or empty means identity) to *out.  Returns 0 or
 * TQ_EUNSUPPORTED (err names the coding); *out is set only on success.
 */
int	tq_inflate_coding_parse(const char *name, enum tq_inflate_coding *out,
	    struct tq_err *err);

/* tq_inflate_coding_name returns the canonical name of c ("gzip", ...). */
const char *tq_inflate_coding_name(enum tq_inflate_coding c);

/*
 * tq_inflate appends the decompression of in[0..len) to out.  Identity
 * copies.  Empty input gives empty output.  Returns 0; TQ_ELIMIT when the
 * output would pass out->max; TQ_ECORRUPT when the data is malformed,
 * truncated or followed by garbage (err says "gzip: byte N: reason", N an
 * offset in the compressed input); or TQ_ENOMEM.  On failure out->len is
 * back where it was.
 */
int	tq_inflate(enum tq_inflate_coding c, const void *in, size_t len,
	    struct tq_buf *out, struct tq_err *err);

#endif
