/*
 * stream.c: span stream reader and writer (see stream.h, tempo-stream(5)).
 *
 * The reader keeps a window of decompressed bytes; a record is found in
 * the window (growing it up to the record limit), handed out, and the
 * window slides on.  Compressed input (zstd frames, gzip members) is
 * inflated into the window as the window needs bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "limits.h"
#include "stream.h"

#define READ_CHUNK	(256 * 1024)

enum comp { C_NONE, C_ZSTD, C_GZIP };
enum fmt { F_UNKNOWN, F_PROTO, F_JSON, F_BARE };

struct tq_stream_reader {
	int		 fd;
	char		*name;
	enum comp	 comp;
	enum fmt	 fmt;
	ZSTD_DStream	*zd;
	z_stream	 zs;
	int		 zs_live;
	unsigned char	*in;		/* compressed input */
	size_t		 in_len, in_off;
	int		 in_eof;	/* read(2) returned 0 */
	unsigned char	*win;		/* decompressed bytes */
	size_t		 win_len, win_cap, off;
	uint64_t	 base;		/* stream offset of win[0] */
	int		 eof;		/* no more decompressed bytes */
	int		 fatal;
	struct tq_err	 fatal_err;
	uint64_t	 records;
	struct tq_arena	 scratch;	/* next_pb's decoding of JSON */
	struct tq_buf	 pb;		/* next_pb's re-encoding */
};

int
tq_stream_reader_new(int fd, const char *name, struct tq_stream_reader **out,
    struct tq_err *err)
{
	struct tq_stream_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		free(r);
		return tq_err_set(err, TQ_ENOMEM, "%s: out of memory", name);
	}
	r->fd = fd;
	tq_arena_init(&r->scratch, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&r->pb, TQ_MAX_RECORD);
	*out = r;
	return 0;
}

void
tq_stream_reader_free(struct tq_stream_reader *r)
{
	if (r == NULL)
		return;
	if (r->zd != NULL)
		ZSTD_freeDStream(r->zd);
	if (r->zs_live)
		inflateEnd(&r->zs);
	tq_arena_release(&r->scratch);
	tq_buf_release(&r->pb);
	free(r->in);
	free(r->win);
	free(r->name);
	free(r);
}

int
tq_stream_reader_fatal(const struct tq_stream_reader *r)
{
	return r->fatal;
}

int
tq_stream_reader_pending(const struct tq_stream_reader *r)
{
	return r->off < r->win_len || r->in_off < r->in_len;
}

uint64_t
tq_stream_reader_records(const struct tq_stream_reader *r)
{
	return r->records;
}

/* fail records a fatal error: every later call returns it again. */
static int
fail(struct tq_stream_reader *r, struct tq_err *err, int code,
    uint64_t at, const char *what)
{
	r->fatal = 1;
	tq_err_set(&r->fatal_err, code, "byte %llu: %s",
	    (unsigned long long)at, what);
	if (err != NULL)
		*err = r->fatal_err;
	return code;
}

/* read_some reads from fd into buf; returns bytes, 0 at EOF, -1 on error. */
static ssize_t
read_some(int fd, void *buf, size_t n)
{
	ssize_t got;

	do
		got = read(fd, buf, n);
	while (got == -1 && errno == EINTR);
	return got;
}

/* win_room makes room for n more bytes at the end of the window. */
static int
win_room(struct tq_stream_reader *r, size_t n)
{
	unsigned char *p;
	size_t cap;

	if (r->off > 0 && (r->off >= r->win_len / 2 || r->win_cap -
	    r->win_len < n)) {
		memmove(r->win, r->win + r->off, r->win_len - r->off);
		r->win_len -= r->off;
		r->base += r->off;
		r->off = 0;
	}
	if (r->win_cap - r->win_len >= n)
		return 0;
	cap = r->win_cap == 0 ? READ_CHUNK : r->win_cap;
	while (cap - r->win_len < n)
		cap *= 2;
	if (cap > TQ_MAX_RECORD + 2 * READ_CHUNK)
		return TQ_ELIMIT;
	if ((p = realloc(r->win, cap)) == NULL)
		return TQ_ENOMEM;
	r->win = p;
	r->win_cap = cap;
	return 0;
}

/* fill_in refills the compressed input buffer; 0, or -1 with errno. */
static int
fill_in(struct tq_stream_reader *r)
{
	ssize_t got;

	if (r->in_off < r->in_len)
		return 0;
	got = read_some(r->fd, r->in, READ_CHUNK);
	if (got < 0)
		return -1;
	r->in_off = 0;
	r->in_len = (size_t)got;
	if (got == 0)
		r->in_eof = 1;
	return 0;
}

/* inflate_some decompresses into the window's free space. */
static int
inflate_some(struct tq_stream_reader *r, struct tq_err *err)
{
	size_t before = r->win_len;

	while (r->win_len == before) {
		if (fill_in(r) != 0)
			return tq_err_sys(err, r->name);
		if (r->in_eof) {
			int open_frame = r->comp == C_GZIP ? r->zs_live :
			    r->zd != NULL;

			if (open_frame)
				return fail(r, err, TQ_ECORRUPT,
				    r->base + r->win_len,
				    "compressed input ends inside a frame");
			r->eof = 1;
			return 0;
		}
		if (r->comp == C_ZSTD) {
			ZSTD_inBuffer zin = { r->in, r->in_len, r->in_off };
			ZSTD_outBuffer zout = { r->win, r->win_cap, r->win_len };
			size_t rc;

			if (r->zd == NULL && (r->zd = ZSTD_createDStream()) == NULL)
				return tq_err_set(err, TQ_ENOMEM, "%s: zstd",
				    r->name);
			rc = ZSTD_decompressStream(r->zd, &zout, &zin);
			if (ZSTD_isError(rc))
				return fail(r, err, TQ_ECORRUPT,
				    r->base + r->win_len,
				    ZSTD_getErrorName(rc));
			r->in_off = zin.pos;
			r->win_len = zout.pos;
			if (rc == 0) {
				/* A frame ended; another may follow. */
				ZSTD_freeDStream(r->zd);
				r->zd = NULL;
			}
		} else {
			int zrc;

			if (!r->zs_live) {
				memset(&r->zs, 0, sizeof(r->zs));
				if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
					return tq_err_set(err, TQ_ENOMEM,
					    "%s: zlib", r->name);
				r->zs_live = 1;
			}
			r->zs.next_in = r->in + r->in_off;
			r->zs.avail_in = (uInt)(r->in_len - r->in_off);
			r->zs.next_out = r->win + r->win_len;
			r->zs.avail_out = (uInt)(r->win_cap - r->win_len);
			zrc = inflate(&r->zs, Z_NO_FLUSH);
			r->in_off = r->in_len - r->zs.avail_in;
			r->win_len = r->win_cap - r->zs.avail_out;
			if (zrc == Z_STREAM_END) {
				inflateEnd(&r->zs);
				r->zs_live = 0;
			} else if (zrc != Z_OK && zrc != Z_BUF_ERROR)
				return fail(r, err, TQ_ECORRUPT,
				    r->base + r->win_len, "gzip: corrupt data");
		}
	}
	return 0;
}

/*
 * fill makes at least need bytes available after off, or sets eof.
 * Returns 0 or an error.
 */
static int
fill(struct tq_stream_reader *r, size_t need, struct tq_err *err)
{
	int rc;

	while (r->win_len - r->off < need && !r->eof) {
		if ((rc = win_room(r, READ_CHUNK)) != 0)
			return fail(r, err, rc, r->base + r->off,
			    "record exceeds the size limit");
		if (r->comp == C_NONE) {
			ssize_t got = read_some(r->fd, r->win + r->win_len,
			    r->win_cap - r->win_len);

			if (got < 0)
				return tq_err_sys(err, r->name);
			if (got == 0)
				r->eof = 1;
			r->win_len += (size_t)got;
		} else if ((rc = inflate_some(r, err)) != 0)
			return rc;
	}
	return 0;
}

/* detect picks compression from the raw input, then the format. */
static int
detect(struct tq_stream_reader *r, struct tq_err *err)
{
	static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	unsigned char c;
	int rc;

	if ((rc = fill(r, 4, err)) != 0)
		return rc;
	if (r->win_len >= 4 && memcmp(r->win, zstd_magic, 4) == 0)
		r->comp = C_ZSTD;
	else if (r->win_len >= 2 && r->win[0] == 0x1f && r->win[1] == 0x8b)
		r->comp = C_GZIP;
	if (r->comp != C_NONE) {
		/* The bytes read so far are compressed input. */
		if ((r->in = malloc(READ_CHUNK)) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "%s: out of memory",
			    r->name);
		memcpy(r->in, r->win, r->win_len);
		r->in_len = r->win_len;
		r->win_len = 0;
		r->eof = 0;
		if ((rc = fill(r, 1, err)) != 0)
			return rc;
	}
	if (r->win_len == 0) {
		r->fmt = F_PROTO;	/* empty input: no records */
		return 0;
	}
	c = r->win[0];
	if (c == '{' || c == '[' || c == ' ' || c == '\t' || c == '\r')
		r->fmt = F_JSON;
	else if (c == 0x0a)
		r->fmt = F_BARE;	/* field 1, length-delimited */
	else
		r->fmt = F_PROTO;
	return 0;
}

/*
 * json_extent finds the JSON value starting at (or after white space from)
 * off: sets *start and *len.  Returns 1 with a value, 0 at the end.
 */
static int
json_extent(struct tq_stream_reader *r, size_t *start, size_t *len,
    struct tq_err *err)
{
	size_t i, depth = 0;
	int in_str = 0, esc = 0, rc;

	for (;;) {
		if ((rc = fill(r, 1, err)) != 0)
			return rc;
		if (r->off == r->win_len)
			return 0;
		if (strchr(" \t\r\n", r->win[r->off]) == NULL)
			break;
		r->off++;
	}
	if (r->win[r->off] != '{' && r->win[r->off] != '[') {
		char what[64];

		snprintf(what, sizeof(what),
		    "expected a JSON object or array, found 0x%02x",
		    r->win[r->off]);
		/* Resync at the next line. */
		while (r->off < r->win_len && r->win[r->off] != '\n')
			r->off++;
		tq_err_set(err, TQ_ECORRUPT, "byte %llu: %s",
		    (unsigned long long)(r->base + r->off), what);
		return TQ_ECORRUPT;
	}
	for (i = r->off;; i++) {
		unsigned char c;

		if (i == r->win_len) {
			size_t rel = i - r->off;

			if ((rc = fill(r, rel + 1, err)) != 0)
				return rc;
			i = r->off + rel;
			if (i == r->win_len)
				return fail(r, err, TQ_ECORRUPT, r->base + r->off,
				    "JSON value not terminated");
		}
		c = r->win[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				break;
		}
	}
	*start = r->off;
	*len = i + 1 - r->off;
	return 1;
}

/*
 * next_record finds the next record: *p and *n its bytes in the window,
 * *at its stream offset, *json whether it is JSON.  The window advances
 * past it.  Returns 1, 0 at the end, or an error.
 */
static int
next_record(struct tq_stream_reader *r, const uint8_t **p, size_t *n,
    uint64_t *at, int *json, struct tq_err *err)
{
	size_t start = 0, len = 0;
	int rc;

	if (r->fatal) {
		if (err != NULL)
			*err = r->fatal_err;
		return r->fatal_err.code;
	}
	if (r->fmt == F_UNKNOWN && (rc = detect(r, err)) != 0)
		return rc;
	switch (r->fmt) {
	case F_JSON:
		if ((rc = json_extent(r, &start, &len, err)) != 1)
			return rc;
		break;
	case F_BARE:
		/* The whole input is one message. */
		while (!r->eof)
			if ((rc = fill(r, r->win_len - r->off + 1, err)) != 0)
				return rc;
		if (r->off == r->win_len)
			return 0;
		start = r->off;
		len = r->win_len - r->off;
		break;
	default:
		if ((rc = fill(r, 4, err)) != 0)
			return rc;
		if (r->off == r->win_len)
			return 0;
		if (r->win_len - r->off < 4)
			return fail(r, err, TQ_ECORRUPT, r->base + r->off,
			    "truncated record length");
		len = (size_t)r->win[r->off] << 24 |
		    (size_t)r->win[r->off + 1] << 16 |
		    (size_t)r->win[r->off + 2] << 8 | r->win[r->off + 3];
		if (len > TQ_MAX_RECORD) {
			char what[96];

			snprintf(what, sizeof(what),
			    "record length %zu exceeds the limit of %u (not a span stream?)",
			    len, TQ_MAX_RECORD);
			return fail(r, err, TQ_ECORRUPT, r->base + r->off, what);
		}
		if ((rc = fill(r, 4 + len, err)) != 0)
			return rc;
		if (r->win_len - r->off < 4 + len)
			return fail(r, err, TQ_ECORRUPT, r->base + r->off,
			    "truncated record");
		start = r->off + 4;
		break;
	}
	*p = r->win + start;
	*n = len;
	*at = r->base + (r->fmt == F_PROTO ? start - 4 : start);
	*json = r->fmt == F_JSON;
	r->off = start + len;
	r->records++;
	return 1;
}

/* decode turns one record into a TracesData allocated from a. */
static int
decode(const uint8_t *p, size_t n, int json, uint64_t at, struct tq_arena *a,
    Tq__TracesData **td, struct tq_err *err)
{
	int rc;

	if (!json)
		rc = tq_otlp_pb_decode(p, n, a, td, err);
	else if (p[0] == '[')
		rc = tq_zipkin_json_decode((const char *)p, n, a, td, err);
	else
		rc = tq_otlp_json_decode((const char *)p, n, a, td, err);
	if (rc != 0)
		tq_err_prefix(err, rc, "record at byte %llu",
		    (unsigned long long)at);
	return rc;
}

int
tq_stream_reader_next(struct tq_stream_reader *r, struct tq_arena *a,
    Tq__TracesData **td, struct tq_err *err)
{
	const uint8_t *p;
	uint64_t at;
	size_t n;
	int json, rc;

	if ((rc = next_record(r, &p, &n, &at, &json, err)) != 1)
		return rc;
	if ((rc = decode(p, n, json, at, a, td, err)) != 0)
		return rc;
	return 1;
}

int
tq_stream_reader_next_pb(struct tq_stream_reader *r, const uint8_t **pb,
    size_t *len, struct tq_err *err)
{
	Tq__TracesData *td;
	const uint8_t *p;
	uint64_t at;
	size_t n;
	int json, rc;

	if ((rc = next_record(r, &p, &n, &at, &json, err)) != 1)
		return rc;
	if (!json) {
		if ((rc = tq_otlp_pb_check(p, n, NULL, err)) != 0)
			return tq_err_prefix(err, rc, "record at byte %llu",
			    (unsigned long long)at);
		*pb = p;
		*len = n;
		return 1;
	}
	tq_arena_reset(&r->scratch);
	tq_buf_reset(&r->pb);
	if ((rc = decode(p, n, json, at, &r->scratch, &td, err)) != 0 ||
	    (rc = tq_otlp_pb_encode(td, &r->pb, err)) != 0)
		return rc;
	*pb = r->pb.data;
	*len = r->pb.len;
	return 1;
}

/* Writer. */

struct tq_stream_writer {
	int			 fd;
	enum tq_stream_format	 format;
	ZSTD_CStream		*zc;
	struct tq_buf		 out;	/* records not yet written */
	struct tq_buf		 z;	/* compressed output */
	struct tq_arena		 scratch;
};

int
tq_stream_format_parse(const char *name, enum tq_stream_format *out)
{
	if (strcmp(name, "proto") == 0)
		*out = TQ_STREAM_PROTO;
	else if (strcmp(name, "json") == 0)
		*out = TQ_STREAM_JSON;
	else
		return TQ_EINVAL;
	return 0;
}

int
tq_stream_writer_new(int fd, enum tq_stream_format format, int zstd_level,
    struct tq_stream_writer **out, struct tq_err *err)
{
	struct tq_stream_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "stream writer: out of memory");
	w->fd = fd;
	w->format = format;
	tq_buf_init(&w->out, TQ_MAX_RECORD + 16);
	tq_buf_init(&w->z, SIZE_MAX / 2);
	tq_arena_init(&w->scratch, TQ_MAX_DECODE_ARENA);
	if (zstd_level > 0) {
		if ((w->zc = ZSTD_createCStream()) == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc,
		    ZSTD_c_compressionLevel, zstd_level))) {
			tq_stream_writer_free(w);
			return tq_err_set(err, TQ_EINVAL,
			    "zstd level %d: not usable", zstd_level);
		}
	}
	*out = w;
	return 0;
}

void
tq_stream_writer_free(struct tq_stream_writer *w)
{
	if (w == NULL)
		return;
	if (w->zc != NULL)
		ZSTD_freeCStream(w->zc);
	tq_buf_release(&w->out);
	tq_buf_release(&w->z);
	tq_arena_release(&w->scratch);
	free(w);
}

static int
write_all(int fd, const unsigned char *p, size_t n, struct tq_err *err)
{
	while (n > 0) {
		ssize_t put = write(fd, p, n);

		if (put < 0) {
			if (errno == EINTR)
				continue;
			return tq_err_sys(err, "write");
		}
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

/* drain writes out the buffered records, compressing them with mode. */
static int
drain(struct tq_stream_writer *w, ZSTD_EndDirective mode, struct tq_err *err)
{
	ZSTD_inBuffer in = { w->out.data, w->out.len, 0 };
	size_t left;
	int rc;

	if (w->zc == NULL) {
		rc = write_all(w->fd, w->out.data, w->out.len, err);
		tq_buf_reset(&w->out);
		return rc;
	}
	do {
		ZSTD_outBuffer zout;

		tq_buf_reset(&w->z);
		if ((rc = tq_buf_reserve(&w->z, ZSTD_CStreamOutSize())) != 0)
			return tq_err_set(err, rc, "stream writer: %s",
			    tq_strerror(rc));
		zout.dst = w->z.data;
		zout.size = w->z.cap;
		zout.pos = 0;
		left = ZSTD_compressStream2(w->zc, &zout, &in, mode);
		if (ZSTD_isError(left))
			return tq_err_set(err, TQ_EIO, "zstd: %s",
			    ZSTD_getErrorName(left));
		if ((rc = write_all(w->fd, w->z.data, zout.pos, err)) != 0)
			return rc;
	} while (in.pos < in.size || (mode != ZSTD_e_continue && left != 0));
	tq_buf_reset(&w->out);
	return 0;
}

/* make_room drains the buffer first if n more bytes would not fit. */
static int
make_room(struct tq_stream_writer *w, size_t n, struct tq_err *err)
{
	if (w->out.len > 0 && w->out.len + n > TQ_STREAM_OUTBUF)
		return drain(w, ZSTD_e_continue, err);
	return 0;
}

int
tq_stream_writer_write(struct tq_stream_writer *w, const Tq__TracesData *td,
    struct tq_err *err)
{
	size_t n, start;
	int rc;

	if (w->format == TQ_STREAM_JSON) {
		start = w->out.len;
		if ((rc = tq_otlp_json_encode(td, &w->out, err)) != 0 ||
		    (rc = tq_buf_putc(&w->out, '\n')) != 0) {
			w->out.len = start;
			return rc;
		}
		return w->out.len > TQ_STREAM_OUTBUF ?
		    drain(w, ZSTD_e_continue, err) : 0;
	}
	n = tq__traces_data__get_packed_size(td);
	if (n > TQ_MAX_RECORD)
		return tq_err_set(err, TQ_ELIMIT,
		    "record of %zu bytes exceeds the limit of %u", n,
		    TQ_MAX_RECORD);
	if ((rc = make_room(w, n + 4, err)) != 0)
		return rc;
	if ((rc = tq_buf_reserve(&w->out, n + 4)) != 0)
		return tq_err_set(err, rc, "stream writer: %s", tq_strerror(rc));
	w->out.data[w->out.len++] = (unsigned char)(n >> 24);
	w->out.data[w->out.len++] = (unsigned char)(n >> 16);
	w->out.data[w->out.len++] = (unsigned char)(n >> 8);
	w->out.data[w->out.len++] = (unsigned char)n;
	w->out.len += tq__traces_data__pack(td, w->out.data + w->out.len);
	return w->out.len >= TQ_STREAM_OUTBUF ? drain(w, ZSTD_e_continue, err) : 0;
}

int
tq_stream_writer_write_pb(struct tq_stream_writer *w, const void *pb,
    size_t len, struct tq_err *err)
{
	unsigned char hdr[4];
	Tq__TracesData *td;
	int rc;

	if (w->format == TQ_STREAM_JSON) {
		tq_arena_reset(&w->scratch);
		if ((rc = tq_otlp_pb_decode(pb, len, &w->scratch, &td, err)) != 0)
			return rc;
		return tq_stream_writer_write(w, td, err);
	}
	if (len > TQ_MAX_RECORD)
		return tq_err_set(err, TQ_ELIMIT,
		    "record of %zu bytes exceeds the limit of %u", len,
		    TQ_MAX_RECORD);
	if ((rc = make_room(w, len + 4, err)) != 0)
		return rc;
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	if ((rc = tq_buf_append(&w->out, hdr, 4)) != 0 ||
	    (rc = tq_buf_append(&w->out, pb, len)) != 0)
		return tq_err_set(err, rc, "stream writer: %s", tq_strerror(rc));
	return w->out.len >= TQ_STREAM_OUTBUF ? drain(w, ZSTD_e_continue, err) : 0;
}

int
tq_stream_writer_flush(struct tq_stream_writer *w, struct tq_err *err)
{
	return drain(w, ZSTD_e_flush, err);
}

int
tq_stream_writer_close(struct tq_stream_writer *w, struct tq_err *err)
{
	return drain(w, ZSTD_e_end, err);
}
