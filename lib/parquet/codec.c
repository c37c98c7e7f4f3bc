/*
 * codec.c: page compression.  ZSTD (libzstd) and SNAPPY (libsnappy) both
 * ways, GZIP (zlib) for reading, UNCOMPRESSED.  A page header gives the
 * uncompressed size, so every decompression fills a buffer of known size
 * and anything else is corruption.
 */
#include <string.h>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet-int.h"

bool
pq_codec_supported(int codec)
{
	return codec == TQ_PARQUET_UNCOMPRESSED || codec == TQ_PARQUET_SNAPPY ||
	    codec == TQ_PARQUET_GZIP || codec == TQ_PARQUET_ZSTD;
}

static int
gunzip(const void *src, size_t src_len, void *dst, size_t dst_len,
    struct tq_err *err)
{
	z_stream z;
	int zr, rc = 0;

	memset(&z, 0, sizeof(z));
	/* 32 + 15: accept a gzip or a zlib header. */
	if (inflateInit2(&z, 32 + 15) != Z_OK)
		return tq_err_set(err, TQ_ENOMEM, "gzip: cannot start");
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)src_len;
	z.next_out = dst;
	z.avail_out = (uInt)dst_len;
	if (src_len > UINT32_MAX || dst_len > UINT32_MAX) {
		rc = tq_err_set(err, TQ_ELIMIT, "gzip: page too large");
		goto out;
	}
	while ((zr = inflate(&z, Z_FINISH)) == Z_STREAM_END && z.avail_in > 0) {
		/* Concatenated members. */
		if (inflateReset(&z) != Z_OK)
			break;
	}
	if ((zr != Z_STREAM_END && zr != Z_BUF_ERROR) || z.avail_out != 0 ||
	    (zr == Z_BUF_ERROR && z.avail_in != 0))
		rc = tq_err_set(err, TQ_ECORRUPT, "gzip: bad data or size");
out:
	inflateEnd(&z);
	return rc;
}

void
pq_codec_ctx_release(struct pq_codec_ctx *c)
{
	ZSTD_freeCCtx(c->zc);
	ZSTD_freeDCtx(c->zd);
	c->zc = NULL;
	c->zd = NULL;
}

int
pq_decompress(struct pq_codec_ctx *c, int codec, const void *src,
    size_t src_len, void *dst, size_t dst_len, struct tq_err *err)
{
	size_t n;

	switch (codec) {
	case TQ_PARQUET_UNCOMPRESSED:
		if (src_len != dst_len)
			return tq_err_set(err, TQ_ECORRUPT, "page sizes differ "
			    "without compression");
		if (dst_len > 0)
			memcpy(dst, src, dst_len);
		return 0;
	case TQ_PARQUET_ZSTD:
		if (c->zd == NULL && (c->zd = ZSTD_createDCtx()) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "zstd: out of memory");
		n = ZSTD_decompressDCtx(c->zd, dst, dst_len, src, src_len);
		if (ZSTD_isError(n) || n != dst_len)
			return tq_err_set(err, TQ_ECORRUPT, "zstd: %s",
			    ZSTD_isError(n) ? ZSTD_getErrorName(n) :
			    "wrong size");
		return 0;
	case TQ_PARQUET_SNAPPY:
		if (snappy_uncompressed_length(src, src_len, &n) != SNAPPY_OK ||
		    n != dst_len)
			return tq_err_set(err, TQ_ECORRUPT, "snappy: bad length");
		if (snappy_uncompress(src, src_len, dst, &n) != SNAPPY_OK ||
		    n != dst_len)
			return tq_err_set(err, TQ_ECORRUPT, "snappy: bad data");
		return 0;
	case TQ_PARQUET_GZIP:
		return gunzip(src, src_len, dst, dst_len, err);
	default:
		return tq_err_set(err, TQ_EUNSUPPORTED, "codec %s (%d)",
		    tq_parquet_codec_name(codec), codec);
	}
}

int
pq_compress(struct pq_codec_ctx *c, int codec, int level, const void *src,
    size_t len, struct tq_buf *out, struct tq_err *err)
{
	size_t bound, n;
	int rc;

	switch (codec) {
	case TQ_PARQUET_UNCOMPRESSED:
		return tq_buf_append(out, src, len);
	case TQ_PARQUET_ZSTD:
		bound = ZSTD_compressBound(len);
		if ((rc = tq_buf_reserve(out, bound)) != 0)
			return rc;
		if (c->zc == NULL && (c->zc = ZSTD_createCCtx()) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "zstd: out of memory");
		n = ZSTD_compressCCtx(c->zc, out->data + out->len, bound, src,
		    len, level);
		if (ZSTD_isError(n))
			return tq_err_set(err, TQ_EINVAL, "zstd: %s",
			    ZSTD_getErrorName(n));
		out->len += n;
		return 0;
	case TQ_PARQUET_SNAPPY:
		bound = snappy_max_compressed_length(len);
		if ((rc = tq_buf_reserve(out, bound)) != 0)
			return rc;
		n = bound;
		if (snappy_compress(src, len, (char *)out->data + out->len, &n)
		    != SNAPPY_OK)
			return tq_err_set(err, TQ_EINVAL, "snappy: failed");
		out->len += n;
		return 0;
	default:
		return tq_err_set(err, TQ_EUNSUPPORTED, "cannot write codec %s",
		    tq_parquet_codec_name(codec));
	}
}

/*
 * zstd_raw_frame appends src as a zstd frame (RFC 8878, 3.1.1) of raw
 * blocks: the magic number; a header of one segment with its content
 * size and no checksum; blocks of at most 128 KiB, each a 3-byte header
 * (last-block bit, type 0 raw, size) and the bytes as they are.
 */
static int
zstd_raw_frame(const uint8_t *src, size_t len, struct tq_buf *out)
{
	enum { BLOCK = 128 * 1024 };
	uint8_t *o;
	uint64_t fcs = len;
	size_t fcs_len, n, off = 0;
	int flag, rc, k;

	if (len < 256) {
		flag = 0;
		fcs_len = 1;
	} else if (len < 65536 + 256) {
		flag = 1;
		fcs_len = 2;
		fcs -= 256;
	} else if (len <= UINT32_MAX) {
		flag = 2;
		fcs_len = 4;
	} else {
		flag = 3;
		fcs_len = 8;
	}
	if ((rc = tq_buf_reserve(out, 5 + fcs_len + 3 * (len / BLOCK + 1) +
	    len)) != 0)
		return rc;
	o = out->data + out->len;
	*o++ = 0x28;
	*o++ = 0xb5;
	*o++ = 0x2f;
	*o++ = 0xfd;
	*o++ = (uint8_t)(flag << 6 | 1 << 5);	/* single segment */
	for (k = 0; k < (int)fcs_len; k++)
		*o++ = (uint8_t)(fcs >> (8 * k));
	do {
		uint32_t h;

		n = len - off < BLOCK ? len - off : BLOCK;
		h = (uint32_t)n << 3 | (off + n == len ? 1u : 0u);
		*o++ = (uint8_t)h;
		*o++ = (uint8_t)(h >> 8);
		*o++ = (uint8_t)(h >> 16);
		if (n > 0)
			memcpy(o, src + off, n);
		o += n;
		off += n;
	} while (off < len);
	out->len = (size_t)(o - out->data);
	return 0;
}

int
pq_store(struct pq_codec_ctx *c, int codec, int level, const void *src,
    size_t len, struct tq_buf *out, struct tq_err *err)
{
	if (codec == TQ_PARQUET_ZSTD)
		return zstd_raw_frame(src, len, out);
	return pq_compress(c, codec, level, src, len, out, err);
}
