/*
 * inflate.c: bounded whole-buffer decompression (see inflate.h).
 *
 * Both codecs write straight into the caller's buffer, which grows by
 * TQ_INFLATE_STEP up to its cap.  Once the cap is reached the decoder is
 * given one scratch byte: if it still produces output the body is too big
 * (TQ_ELIMIT), if not it was only reading trailers.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>
#include <zstd.h>

#include "inflate.h"
#include "limits.h"

/* Coding names, indexed by enum tq_inflate_coding. */
static const char *const coding_names[] = {
	"identity", "gzip", "deflate", "zstd",
};

int
tq_inflate_coding_parse(const char *name, enum tq_inflate_coding *out,
    struct tq_err *err)
{
	size_t n;

	if (name == NULL) {
		*out = TQ_CODING_IDENTITY;
		return 0;
	}
	while (*name == ' ' || *name == '\t')
		name++;
	n = strlen(name);
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	if (n == 0 || (n == 8 && strncasecmp(name, "identity", n) == 0))
		*out = TQ_CODING_IDENTITY;
	else if ((n == 4 && strncasecmp(name, "gzip", n) == 0) ||
	    (n == 6 && strncasecmp(name, "x-gzip", n) == 0))
		*out = TQ_CODING_GZIP;
	else if (n == 7 && strncasecmp(name, "deflate", n) == 0)
		*out = TQ_CODING_DEFLATE;
	else if (n == 4 && strncasecmp(name, "zstd", n) == 0)
		*out = TQ_CODING_ZSTD;
	else
		return tq_err_set(err, TQ_EUNSUPPORTED,
		    "unsupported content encoding \"%.*s\" (supported: gzip, "
		    "deflate, zstd, identity)", n > 64 ? 64 : (int)n, name);
	return 0;
}

const char *
tq_inflate_coding_name(enum tq_inflate_coding c)
{
	if ((size_t)c >= sizeof(coding_names) / sizeof(coding_names[0]))
		return "unknown";
	return coding_names[c];
}

/*
 * room finds where the next output goes: at least TQ_INFLATE_STEP bytes
 * after out->len when the cap allows, else what is left, else (at the
 * cap) the one scratch byte.  Returns 0 or TQ_ENOMEM.
 */
static int
room(struct tq_buf *out, unsigned char *scratch, unsigned char **dst,
    size_t *n)
{
	size_t left = out->max - out->len;
	int rc;

	if (left == 0) {
		*dst = scratch;
		*n = 1;
		return 0;
	}
	if (out->cap - out->len < TQ_INFLATE_STEP || out->data == NULL) {
		if ((rc = tq_buf_reserve(out, left < TQ_INFLATE_STEP ?
		    left : TQ_INFLATE_STEP)) != 0)
			return rc;
	}
	*dst = out->data + out->len;
	*n = out->cap - out->len;
	if (*n > left)
		*n = left;
	if (*n > UINT_MAX)
		*n = UINT_MAX;
	return 0;
}

static int
too_big(struct tq_buf *out, const char *name, struct tq_err *err)
{
	return tq_err_set(err, TQ_ELIMIT,
	    "%s: decompressed body exceeds %zu bytes", name, out->max);
}

/*
 * zlib_header tells whether in[0..len) starts a zlib stream (RFC
 * 1950 header: deflate method, window <= 32K, header checksum).
 */
static int
zlib_header(const unsigned char *in, size_t len)
{
	return len >= 2 && (in[0] & 0x0f) == 8 && (in[0] >> 4) <= 7 &&
	    ((in[0] << 8) | in[1]) % 31 == 0;
}

static int
inflate_zlib(enum tq_inflate_coding c, const unsigned char *in, size_t len,
    struct tq_buf *out, struct tq_err *err)
{
	const char *name = tq_inflate_coding_name(c);
	unsigned char scratch, *dst;
	z_stream z;
	size_t n, off = 0;
	int rc = 0, zrc, wbits;

	memset(&z, 0, sizeof(z));
	if (c == TQ_CODING_GZIP)
		wbits = 16 + MAX_WBITS;
	else
		wbits = zlib_header(in, len) ? MAX_WBITS : -MAX_WBITS;
	if (inflateInit2(&z, wbits) != Z_OK)
		return tq_err_set(err, TQ_ENOMEM, "%s: cannot start", name);
	while (off < len) {
		/* Each pass decodes one member (gzip allows several). */
		z.next_in = (unsigned char *)(uintptr_t)(in + off);
		z.avail_in = len - off > UINT_MAX ? UINT_MAX : (uInt)(len - off);
		do {
			if ((rc = room(out, &scratch, &dst, &n)) != 0) {
				tq_err_set(err, rc, "%s: out of memory", name);
				goto out;
			}
			z.next_out = dst;
			z.avail_out = (uInt)n;
			zrc = inflate(&z, Z_NO_FLUSH);
			if (dst == &scratch) {
				if (z.avail_out == 0) {
					rc = too_big(out, name, err);
					goto out;
				}
			} else
				out->len += n - z.avail_out;
			if (zrc == Z_STREAM_END)
				break;
			if (zrc == Z_BUF_ERROR && z.avail_in == 0 &&
			    off + (size_t)(z.next_in - (in + off)) >= len) {
				rc = tq_err_set(err, TQ_ECORRUPT,
				    "%s: byte %zu: truncated", name, len);
				goto out;
			}
			if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
				rc = tq_err_set(err, zrc == Z_MEM_ERROR ?
				    TQ_ENOMEM : TQ_ECORRUPT, "%s: byte %zu: %s",
				    name, off + (size_t)(z.next_in - (in + off)),
				    z.msg != NULL ? z.msg : "corrupt data");
				goto out;
			}
		} while (z.avail_in > 0 || z.avail_out == 0);
		if (zrc != Z_STREAM_END) {
			rc = tq_err_set(err, TQ_ECORRUPT, "%s: byte %zu: truncated",
			    name, len);
			goto out;
		}
		off = (size_t)(z.next_in - in);
		if (off < len && (c != TQ_CODING_GZIP || len - off < 2 ||
		    in[off] != 0x1f || in[off + 1] != 0x8b)) {
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "%s: byte %zu: trailing garbage", name, off);
			goto out;
		}
		if (inflateReset(&z) != Z_OK) {
			rc = tq_err_set(err, TQ_ECORRUPT, "%s: byte %zu: reset",
			    name, off);
			goto out;
		}
	}
out:
	inflateEnd(&z);
	return rc;
}

static int
inflate_zstd(const unsigned char *in, size_t len, struct tq_buf *out,
    struct tq_err *err)
{
	ZSTD_DCtx *d;
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_outBuffer ob;
	unsigned char scratch, *dst;
	size_t n, zr = 0;
	int rc = 0;

	if ((d = ZSTD_createDCtx()) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "zstd: out of memory");
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	    TQ_INFLATE_ZSTD_WINDOW_LOG))) {
		rc = tq_err_set(err, TQ_ENOMEM, "zstd: cannot start");
		goto out;
	}
	for (;;) {
		if ((rc = room(out, &scratch, &dst, &n)) != 0) {
			tq_err_set(err, rc, "zstd: out of memory");
			goto out;
		}
		ob.dst = dst;
		ob.size = n;
		ob.pos = 0;
		zr = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(zr)) {
			rc = tq_err_set(err, TQ_ECORRUPT, "zstd: byte %zu: %s",
			    ib.pos, ZSTD_getErrorName(zr));
			goto out;
		}
		if (dst == &scratch) {
			if (ob.pos > 0) {
				rc = too_big(out, "zstd", err);
				goto out;
			}
		} else
			out->len += ob.pos;
		/* 0: a frame ended and is flushed; at the end of input that
		 * is the end.  Input used up with room left: truncated. */
		if (ib.pos == ib.size && zr == 0)
			break;
		if (ib.pos == ib.size && ob.pos < ob.size) {
			rc = tq_err_set(err, TQ_ECORRUPT,
			    "zstd: byte %zu: truncated", len);
			goto out;
		}
	}
out:
	ZSTD_freeDCtx(d);
	return rc;
}

int
tq_inflate(enum tq_inflate_coding c, const void *in, size_t len,
    struct tq_buf *out, struct tq_err *err)
{
	size_t was = out->len;
	int rc;

	if (len == 0)
		return 0;
	switch (c) {
	case TQ_CODING_IDENTITY:
		if ((rc = tq_buf_append(out, in, len)) == TQ_ELIMIT)
			return too_big(out, "identity", err);
		if (rc != 0)
			return tq_err_set(err, rc, "identity: out of memory");
		return 0;
	case TQ_CODING_GZIP:
	case TQ_CODING_DEFLATE:
		rc = inflate_zlib(c, in, len, out, err);
		break;
	case TQ_CODING_ZSTD:
		rc = inflate_zstd(in, len, out, err);
		break;
	default:
		return tq_err_set(err, TQ_EINVAL, "unknown coding %d", (int)c);
	}
	if (rc != 0)
		out->len = was;
	return rc;
}
