/*
 * test-inflate.c: bodies decompress with every coding; bombs stop at the
 * output cap; corrupt, truncated and trailing data fail with an offset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "buf.h"
#include "err.h"
#include "inflate.h"
#include "t.h"

/* zlib_pack compresses in with deflate window bits wbits (31 gzip, 15 zlib,
 * -15 raw) into a new buffer; *n is its length. */
static unsigned char *
zlib_pack(const void *in, size_t len, int wbits, size_t *n)
{
	z_stream z;
	unsigned char *out;
	size_t cap = len + 1024;

	memset(&z, 0, sizeof(z));
	if ((out = malloc(cap)) == NULL ||
	    deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*n = z.total_out;
	deflateEnd(&z);
	return out;
}

static unsigned char *
zstd_pack(const void *in, size_t len, size_t *n)
{
	size_t cap = ZSTD_compressBound(len);
	unsigned char *out = malloc(cap);

	if (out == NULL)
		abort();
	*n = ZSTD_compress(out, cap, in, len, 3);
	if (ZSTD_isError(*n))
		abort();
	return out;
}

static void
test_parse(void)
{
	enum tq_inflate_coding c = TQ_CODING_ZSTD;
	struct tq_err e;

	T_EQ_INT(tq_inflate_coding_parse(NULL, &c, NULL), 0, "parse: NULL");
	T_EQ_INT(c, TQ_CODING_IDENTITY, "parse: NULL is identity");
	T_EQ_INT(tq_inflate_coding_parse(" GZip ", &c, NULL), 0, "parse: gzip");
	T_EQ_INT(c, TQ_CODING_GZIP, "parse: case and blanks ignored");
	T_EQ_INT(tq_inflate_coding_parse("x-gzip", &c, NULL), 0, "parse: x-gzip");
	T_EQ_INT(tq_inflate_coding_parse("zstd", &c, NULL), 0, "parse: zstd");
	T_EQ_INT(c, TQ_CODING_ZSTD, "parse: zstd value");
	T_EQ_INT(tq_inflate_coding_parse("deflate", &c, NULL), 0, "parse: deflate");
	T_EQ_INT(c, TQ_CODING_DEFLATE, "parse: deflate value");
	T_EQ_INT(tq_inflate_coding_parse("br", &c, &e), TQ_EUNSUPPORTED,
	    "parse: br unsupported");
	T_OK(strstr(e.msg, "\"br\"") != NULL, "parse: message names the coding");
	T_EQ_INT(c, TQ_CODING_DEFLATE, "parse: failure leaves out alone");
	T_EQ_STR(tq_inflate_coding_name(TQ_CODING_ZSTD), "zstd", "name: zstd");
}

static void
test_roundtrip(const char *what, enum tq_inflate_coding c,
    const unsigned char *z, size_t zn, const unsigned char *plain, size_t n)
{
	struct tq_buf out;
	struct tq_err e;
	char name[128];
	int rc;

	tq_buf_init(&out, n);
	rc = tq_inflate(c, z, zn, &out, &e);
	snprintf(name, sizeof(name), "%s: decompresses (%s)", what,
	    rc == 0 ? "ok" : e.msg);
	T_EQ_INT(rc, 0, name);
	snprintf(name, sizeof(name), "%s: same bytes", what);
	T_OK(out.len == n && memcmp(out.data, plain, n) == 0, name);
	tq_buf_release(&out);

	/* One byte less room than needed: a limit, and out unchanged. */
	tq_buf_init(&out, n - 1);
	tq_buf_append(&out, "x", 1);
	rc = tq_inflate(c, z, zn, &out, &e);
	snprintf(name, sizeof(name), "%s: one byte over the cap is ELIMIT", what);
	T_EQ_INT(rc, TQ_ELIMIT, name);
	snprintf(name, sizeof(name), "%s: failure restores len", what);
	T_EQ_INT(out.len, 1, name);
	tq_buf_release(&out);

	if (c == TQ_CODING_IDENTITY)
		return;
	/* Truncated input. */
	tq_buf_init(&out, n);
	rc = tq_inflate(c, z, zn - 3, &out, &e);
	snprintf(name, sizeof(name), "%s: truncated is ECORRUPT", what);
	T_EQ_INT(rc, TQ_ECORRUPT, name);
	snprintf(name, sizeof(name), "%s: truncated message (%s)", what, e.msg);
	T_OK(strstr(e.msg, "byte ") != NULL, name);
	tq_buf_release(&out);
}

static void
test_codings(void)
{
	size_t n = 300000, zn, zn2;
	unsigned char *plain = malloc(n), *z, *z2, *cat;
	struct tq_buf out;
	struct tq_err e;
	size_t i;

	/* Text-like data that compresses but not to nothing. */
	for (i = 0; i < n; i++)
		plain[i] = (unsigned char)("spans and traces "[i % 17] ^
		    ((i * 2654435761u) >> 29));

	z = zlib_pack(plain, n, 31, &zn);
	test_roundtrip("gzip", TQ_CODING_GZIP, z, zn, plain, n);

	/* Two gzip members concatenate. */
	z2 = zlib_pack(plain, 1000, 31, &zn2);
	cat = malloc(zn + zn2);
	memcpy(cat, z, zn);
	memcpy(cat + zn, z2, zn2);
	tq_buf_init(&out, n + 1000);
	T_EQ_INT(tq_inflate(TQ_CODING_GZIP, cat, zn + zn2, &out, NULL), 0,
	    "gzip: two members");
	T_EQ_INT(out.len, n + 1000, "gzip: two members, both decoded");
	T_OK(memcmp(out.data + n, plain, 1000) == 0, "gzip: second member bytes");
	tq_buf_reset(&out);
	cat[zn] = 'x';
	T_EQ_INT(tq_inflate(TQ_CODING_GZIP, cat, zn + zn2, &out, &e),
	    TQ_ECORRUPT, "gzip: trailing garbage");
	T_OK(strstr(e.msg, "trailing garbage") != NULL, "gzip: says trailing garbage");
	tq_buf_release(&out);
	free(cat);
	free(z2);

	/* A flipped bit in the middle. */
	z[zn / 2] ^= 0x55;
	tq_buf_init(&out, 4 * n);
	T_EQ_INT(tq_inflate(TQ_CODING_GZIP, z, zn, &out, &e), TQ_ECORRUPT,
	    "gzip: corrupt data");
	T_OK(strncmp(e.msg, "gzip: byte ", 11) == 0, "gzip: corrupt says where");
	tq_buf_release(&out);
	free(z);

	z = zlib_pack(plain, n, 15, &zn);
	test_roundtrip("deflate/zlib", TQ_CODING_DEFLATE, z, zn, plain, n);
	free(z);
	z = zlib_pack(plain, n, -15, &zn);
	test_roundtrip("deflate/raw", TQ_CODING_DEFLATE, z, zn, plain, n);
	free(z);
	z = zstd_pack(plain, n, &zn);
	test_roundtrip("zstd", TQ_CODING_ZSTD, z, zn, plain, n);

	/* Garbage that is no zstd frame. */
	tq_buf_init(&out, n);
	T_EQ_INT(tq_inflate(TQ_CODING_ZSTD, plain, 100, &out, &e), TQ_ECORRUPT,
	    "zstd: not a frame");
	T_OK(strncmp(e.msg, "zstd: byte ", 11) == 0, "zstd: error says where");
	tq_buf_release(&out);
	free(z);

	test_roundtrip("identity", TQ_CODING_IDENTITY, plain, n, plain, n);
	tq_buf_init(&out, 10);
	T_EQ_INT(tq_inflate(TQ_CODING_GZIP, "", 0, &out, NULL), 0,
	    "empty input is empty output");
	T_EQ_INT(out.len, 0, "empty input: nothing appended");
	tq_buf_release(&out);
	free(plain);
}

static void
test_bombs(void)
{
	size_t n = 64u * 1024 * 1024, zn;
	unsigned char *zeros = calloc(1, n), *z;
	struct tq_buf out;
	struct tq_err e;

	/* 64 MiB of zeros: about 64 KiB gzipped, 2 KiB as zstd. */
	z = zlib_pack(zeros, n, 31, &zn);
	tq_buf_init(&out, 1024 * 1024);
	T_EQ_INT(tq_inflate(TQ_CODING_GZIP, z, zn, &out, &e), TQ_ELIMIT,
	    "gzip bomb: ELIMIT");
	T_OK(out.cap <= 1024 * 1024 + 1, "gzip bomb: memory stays under the cap");
	T_OK(strstr(e.msg, "exceeds 1048576 bytes") != NULL, "gzip bomb: message");
	tq_buf_release(&out);
	free(z);

	z = zstd_pack(zeros, n, &zn);
	T_OK(zn < 16384, "zstd bomb is small");
	tq_buf_init(&out, 1024 * 1024);
	T_EQ_INT(tq_inflate(TQ_CODING_ZSTD, z, zn, &out, &e), TQ_ELIMIT,
	    "zstd bomb: ELIMIT");
	T_OK(out.cap <= 1024 * 1024 + 1, "zstd bomb: memory stays under the cap");
	tq_buf_release(&out);
	free(z);
	free(zeros);
}

int
main(void)
{
	test_parse();
	test_codings();
	test_bombs();
	return t_done();
}
