/*
 * reader.c: Parquet reader over a range-read callback.
 *
 * Opening reads the tail of the file (the footer in the same read when it
 * is small, else one more read) and checks it.  Reading a column chunk is
 * one range read of the chunk, then a walk over its pages: dictionary
 * first, then DATA_PAGE or DATA_PAGE_V2 pages whose levels and values are
 * decoded straight into the flat arrays of a struct tq_parquet_column.
 * Every count read from the file is checked against the bytes that hold it
 * or against the caller's memory cap before anything is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "parquet-int.h"

/* Bytes of the tail read at open; a footer this small needs no more. */
#define TAIL_GUESS	(64u * 1024)

/* The big arrays of a column, kept for reuse with TQ_PARQUET_READ_REUSE. */
enum { M_DEF, M_REP, M_VALS, M_IDX, M_PARTS, M_N };

struct tq_parquet_colmem {
	struct tq_arena	 arena;		/* the dictionary */
	struct tq_buf	 data;		/* byte array / FLBA values */
	struct tq_buf	 big[M_N];	/* levels, values, indices */
	size_t		 max;		/* cap on all of them together */
};

struct tq_parquet_reader {
	tq_parquet_read_fn		 fn;
	void				*arg;
	uint64_t			 size;
	uint64_t			 data_end;	/* start of the footer */
	struct tq_parquet_read_opts	 o;
	struct tq_arena			 arena;		/* footer */
	struct pq_file_meta		 m;
	struct tq_parquet_schema	*s;
	struct pq_codec_ctx		 codec;
	const uint8_t			*mem;		/* open_mem */
	struct tq_buf			 page;		/* decompressed page */
	struct tq_buf			 chunk;		/* column chunk read */
	struct tq_buf			 tmp;		/* indices, lengths */
};

static int
mem_read(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct tq_parquet_reader *r = arg;

	if (off > r->size || len > r->size - off)
		return tq_err_set(err, TQ_ECORRUPT, "read of %zu bytes at %llu "
		    "past the end", len, (unsigned long long)off);
	memcpy(dst, r->mem + off, len);
	return 0;
}

void
tq_parquet_reader_free(struct tq_parquet_reader *r)
{
	if (r == NULL)
		return;
	tq_parquet_schema_free(r->s);
	tq_arena_release(&r->arena);
	pq_codec_ctx_release(&r->codec);
	tq_buf_release(&r->page);
	tq_buf_release(&r->chunk);
	tq_buf_release(&r->tmp);
	free(r);
}

int
tq_parquet_reader_open(tq_parquet_read_fn fn, void *arg, uint64_t size,
    const struct tq_parquet_read_opts *opts, struct tq_parquet_reader **out,
    struct tq_err *err)
{
	struct tq_parquet_reader *r;
	uint8_t *tail = NULL, *footer;
	size_t tail_len;
	uint32_t flen;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "parquet: out of memory");
	r->fn = fn;
	r->arg = arg;
	r->size = size;
	if (opts != NULL)
		r->o = *opts;
	if (r->o.max_footer == 0 || r->o.max_footer > TQ_PARQUET_MAX_FOOTER)
		r->o.max_footer = TQ_PARQUET_MAX_FOOTER;
	if (r->o.max_memory == 0 || r->o.max_memory > TQ_PARQUET_MAX_COLUMN_MEM)
		r->o.max_memory = (size_t)TQ_PARQUET_MAX_COLUMN_MEM;
	tq_arena_init(&r->arena, r->o.max_footer * 4 + (1u << 20));
	tq_buf_init(&r->page, TQ_PARQUET_MAX_PAGE);
	tq_buf_init(&r->tmp, r->o.max_memory);
	tq_buf_init(&r->chunk, r->o.max_memory < TQ_PARQUET_MAX_CHUNK ?
	    r->o.max_memory : TQ_PARQUET_MAX_CHUNK);
	if (size < 12) {
		rc = tq_err_set(err, TQ_ECORRUPT, "parquet: file of %llu bytes "
		    "is too short", (unsigned long long)size);
		goto fail;
	}
	tail_len = r->o.tail_read >= 12 ? r->o.tail_read : TAIL_GUESS;
	if (size < tail_len)
		tail_len = (size_t)size;
	if ((tail = tq_arena_alloc(&r->arena, tail_len)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "parquet: out of memory");
		goto fail;
	}
	if ((rc = fn(arg, size - tail_len, tail_len, tail, err)) != 0)
		goto fail;
	if (memcmp(tail + tail_len - 4, "PARE", 4) == 0) {
		rc = tq_err_set(err, TQ_EUNSUPPORTED, "parquet: encrypted "
		    "footer");
		goto fail;
	}
	if (memcmp(tail + tail_len - 4, "PAR1", 4) != 0) {
		rc = tq_err_set(err, TQ_ECORRUPT, "parquet: no PAR1 magic at "
		    "the end");
		goto fail;
	}
	memcpy(&flen, tail + tail_len - 8, 4);
	if ((uint64_t)flen > size - 12 || flen < 2) {
		rc = tq_err_set(err, TQ_ECORRUPT, "parquet: footer length %u "
		    "does not fit a file of %llu bytes", flen,
		    (unsigned long long)size);
		goto fail;
	}
	if (flen > r->o.max_footer) {
		rc = tq_err_set(err, TQ_ELIMIT, "parquet: footer of %u bytes",
		    flen);
		goto fail;
	}
	r->data_end = size - 8 - flen;
	if ((size_t)flen + 8 <= tail_len)
		footer = tail + tail_len - 8 - flen;
	else {
		if ((footer = tq_arena_alloc(&r->arena, flen)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "parquet: out of memory");
			goto fail;
		}
		if ((rc = fn(arg, r->data_end, flen, footer, err)) != 0)
			goto fail;
	}
	if ((rc = pq_meta_decode(footer, flen, &r->arena, &r->m, err)) != 0) {
		tq_err_prefix(err, rc, "parquet footer");
		goto fail;
	}
	if ((rc = pq_schema_build(r->m.nodes, r->m.n_nodes, false, false, &r->s,
	    err)) != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	tq_parquet_reader_free(r);
	return rc;
}

int
tq_parquet_reader_open_mem(const void *buf, size_t len,
    const struct tq_parquet_read_opts *opts, struct tq_parquet_reader **out,
    struct tq_err *err)
{
	struct tq_parquet_reader *r, tramp;
	int rc;

	/* The footer is read through a stand-in that knows the buffer; the
	 * reader itself serves the column reads after. */
	memset(&tramp, 0, sizeof(tramp));
	tramp.mem = buf;
	tramp.size = len;
	if ((rc = tq_parquet_reader_open(mem_read, &tramp, len, opts, &r,
	    err)) != 0)
		return rc;
	r->mem = buf;
	r->arg = r;
	*out = r;
	return 0;
}

const struct tq_parquet_schema *
tq_parquet_reader_schema(const struct tq_parquet_reader *r)
{
	return r->s;
}

int64_t
tq_parquet_reader_num_rows(const struct tq_parquet_reader *r)
{
	return r->m.num_rows;
}

size_t
tq_parquet_reader_num_row_groups(const struct tq_parquet_reader *r)
{
	return r->m.n_row_groups;
}

int64_t
tq_parquet_reader_row_group_rows(const struct tq_parquet_reader *r, size_t rg)
{
	return rg < r->m.n_row_groups ? r->m.row_groups[rg].num_rows : -1;
}

const char *
tq_parquet_reader_created_by(const struct tq_parquet_reader *r)
{
	return r->m.created_by;
}

size_t
tq_parquet_reader_num_kv(const struct tq_parquet_reader *r)
{
	return r->m.n_kv;
}

void
tq_parquet_reader_kv(const struct tq_parquet_reader *r, size_t i,
    const char **key, const char **value)
{
	*key = i < r->m.n_kv ? r->m.kv[i].key : NULL;
	*value = i < r->m.n_kv ? r->m.kv[i].value : NULL;
}

/* chunk_of gives the metadata of a column chunk, or an error. */
static int
chunk_of(struct tq_parquet_reader *r, size_t rg, int col,
    const struct tq_parquet_chunk **out, struct tq_err *err)
{
	*out = NULL;
	if (rg >= r->m.n_row_groups || col < 0 ||
	    (size_t)col >= r->s->n_columns)
		return tq_err_set(err, TQ_EINVAL, "parquet: no column %d in row "
		    "group %zu", col, rg);
	return pq_meta_chunk(&r->m, rg, (size_t)col, out, err);
}

const struct tq_parquet_chunk *
tq_parquet_reader_chunk(struct tq_parquet_reader *r, size_t rg, int col)
{
	const struct tq_parquet_chunk *ch;

	return chunk_of(r, rg, col, &ch, NULL) == 0 ? ch : NULL;
}

void
tq_parquet_column_release(struct tq_parquet_column *c)
{
	if (c == NULL)
		return;
	int i;

	if (c->mem != NULL) {
		tq_arena_release(&c->mem->arena);
		tq_buf_release(&c->mem->data);
		for (i = 0; i < M_N; i++)
			tq_buf_release(&c->mem->big[i]);
		free(c->mem);
	}
	memset(c, 0, sizeof(*c));
}

/* ---- Decoding one column chunk ---- */

struct dec {
	struct tq_parquet_reader	*r;
	const struct tq_parquet_column_desc *cd;
	struct tq_parquet_column	*out;
	struct tq_parquet_column	*dict;	/* NULL until a dictionary page */
	struct tq_buf			*data;	/* out's byte values */
	size_t				 width;
	size_t				 cap;	/* level entries allocated */
	size_t				 seen;	/* entries of the pages so far */
	bool				 want_idx;
	bool				 def_if_nulls;	/* out->def NULL so far */
	uint64_t			 off;	/* file offset of the page */
	struct tq_err			*err;
};

static int
corrupt(struct dec *d, const char *what)
{
	return tq_err_set(d->err, TQ_ECORRUPT, "column %s: page at byte %llu: "
	    "%s", d->cd->path, (unsigned long long)d->off, what);
}

static void *
col_alloc(struct tq_parquet_column *c, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return tq_arena_alloc(&c->mem->arena, n * size);
}

/* col_big gives one of the column's reusable arrays room for n items. */
static void *
col_big(struct tq_parquet_column *c, int slot, size_t n, size_t size)
{
	struct tq_parquet_colmem *m = c->mem;
	struct tq_buf *b = &m->big[slot];
	size_t held = m->arena.total + m->data.cap;
	int i;

	if (size != 0 && n > (SIZE_MAX - 16) / size)
		return NULL;
	for (i = 0; i < M_N; i++)
		if (i != slot)
			held += m->big[i].cap;
	if (held > m->max || n * size + 16 > m->max - held)
		return NULL;
	tq_buf_reset(b);
	if (tq_buf_reserve(b, n * size + 16) != 0)
		return NULL;
	return b->data;
}

/*
 * alloc_values gives c room for cap values of its type: in the reusable
 * arrays for the column itself (big), from the arena for a dictionary.
 */
static int
alloc_values(struct tq_parquet_column *c, int type, size_t cap, bool big)
{
	size_t size = type == TQ_PARQUET_BOOLEAN ? 1 :
	    type == TQ_PARQUET_INT32 || type == TQ_PARQUET_FLOAT ||
	    type == TQ_PARQUET_BYTE_ARRAY ? 4 : 8;
	size_t n = type == TQ_PARQUET_BYTE_ARRAY ? cap + 1 : cap;
	void *p;

	if (type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY || type == TQ_PARQUET_INT96)
		return 0;
	p = big ? col_big(c, M_VALS, n, size) : col_alloc(c, n, size);
	if (p == NULL)
		return TQ_ELIMIT;
	switch (type) {
	case TQ_PARQUET_BOOLEAN: c->b = p; break;
	case TQ_PARQUET_INT32: c->i32 = p; break;
	case TQ_PARQUET_INT64: c->i64 = p; break;
	case TQ_PARQUET_FLOAT: c->f32 = p; break;
	case TQ_PARQUET_DOUBLE: c->f64 = p; break;
	default:
		c->off = p;
		c->off[0] = 0;
	}
	return 0;
}

/*
 * decode_plain decodes k PLAIN values from [p, p+len) into c starting at
 * value index at; byte data goes to data.  *used gets the bytes consumed.
 */
static int
decode_plain(struct dec *d, struct tq_parquet_column *c, struct tq_buf *data,
    size_t at, const uint8_t *p, size_t len, size_t k, size_t *used)
{
	size_t i, w = d->width, need;
	int rc;

	switch (d->cd->type) {
	case TQ_PARQUET_BOOLEAN:
		if ((k + 7) / 8 > len)
			return corrupt(d, "booleans truncated");
		for (i = 0; i < k; i++)
			c->b[at + i] = (p[i >> 3] >> (i & 7)) & 1;
		*used = (k + 7) / 8;
		return 0;
	case TQ_PARQUET_BYTE_ARRAY: {
		const uint8_t *q = p, *end = p + len;
		uint32_t *off = c->off + at, n;
		uint8_t *o;

		/* The values take fewer bytes than their encoding. */
		if ((rc = tq_buf_reserve(data, len + 1)) != 0)
			return tq_err_set(d->err, rc, "column %s: values over "
			    "the memory cap", d->cd->path);
		if (data->len + len > UINT32_MAX)
			return tq_err_set(d->err, TQ_ELIMIT, "column %s: more "
			    "than 4 GiB of values", d->cd->path);
		o = data->data + data->len;
		for (i = 0; i < k; i++) {
			if (end - q < 4)
				return corrupt(d, "byte array length truncated");
			memcpy(&n, q, 4);
			q += 4;
			if (n > (size_t)(end - q))
				return corrupt(d, "byte array past the page");
			memcpy(o, q, n);
			o += n;
			q += n;
			off[i + 1] = off[i] + n;
		}
		data->len = (size_t)(o - data->data);
		*used = (size_t)(q - p);
		return 0;
	}
	default:
		if (k > len / w)
			return corrupt(d, "values truncated");
		need = k * w;
		switch (d->cd->type) {
		case TQ_PARQUET_INT32: memcpy(c->i32 + at, p, need); break;
		case TQ_PARQUET_INT64: memcpy(c->i64 + at, p, need); break;
		case TQ_PARQUET_FLOAT: memcpy(c->f32 + at, p, need); break;
		case TQ_PARQUET_DOUBLE: memcpy(c->f64 + at, p, need); break;
		default:
			if ((rc = tq_buf_append(data, p, need)) != 0)
				return tq_err_set(d->err, rc, "column %s: values "
				    "over the memory cap", d->cd->path);
		}
		*used = need;
		return 0;
	}
}

static int
decode_dict_page(struct dec *d, const uint8_t *p, size_t len, size_t n)
{
	struct tq_parquet_column *c;
	struct tq_buf bytes;
	size_t used;
	int rc;

	if (d->dict != NULL)
		return corrupt(d, "second dictionary page");
	if (n > len * 8 + 1 || n > UINT32_MAX)
		return corrupt(d, "more dictionary entries than bytes");
	c = col_alloc(d->out, 1, sizeof(*c));
	if (c == NULL)
		return tq_err_set(d->err, TQ_ELIMIT, "column %s: dictionary "
		    "over the memory cap", d->cd->path);
	memset(c, 0, sizeof(*c));
	c->mem = d->out->mem;
	c->col = d->out->col;
	c->type = d->cd->type;
	c->width = (int)d->width;
	if ((rc = alloc_values(c, c->type, n, false)) != 0)
		return tq_err_set(d->err, rc, "column %s: dictionary over the "
		    "memory cap", d->cd->path);
	tq_buf_init(&bytes, len + 1);
	rc = decode_plain(d, c, &bytes, 0, p, len, n, &used);
	if (rc == 0 && bytes.len > 0 &&
	    (c->data = tq_arena_memdup(&d->out->mem->arena, bytes.data,
	    bytes.len)) == NULL)
		rc = tq_err_set(d->err, TQ_ELIMIT, "column %s: dictionary "
		    "over the memory cap", d->cd->path);
	c->data_len = bytes.len;
	tq_buf_release(&bytes);
	if (rc != 0)
		return rc;
	c->n_values = n;
	c->mem = NULL;	/* the column's memory, freed with it */
	d->dict = c;
	return 0;
}

/* gather copies the dictionary entries of k indices to values at..at+k. */
static int
gather(struct dec *d, const uint32_t *idx, size_t at, size_t k)
{
	struct tq_parquet_column *c = d->out, *dc = d->dict;
	size_t i, w = d->width, total = 0;
	int rc;

	switch (d->cd->type) {
	case TQ_PARQUET_INT32:
		for (i = 0; i < k; i++)
			c->i32[at + i] = dc->i32[idx[i]];
		return 0;
	case TQ_PARQUET_INT64:
		for (i = 0; i < k; i++)
			c->i64[at + i] = dc->i64[idx[i]];
		return 0;
	case TQ_PARQUET_FLOAT:
		for (i = 0; i < k; i++)
			c->f32[at + i] = dc->f32[idx[i]];
		return 0;
	case TQ_PARQUET_DOUBLE:
		for (i = 0; i < k; i++)
			c->f64[at + i] = dc->f64[idx[i]];
		return 0;
	case TQ_PARQUET_BOOLEAN:
		for (i = 0; i < k; i++)
			c->b[at + i] = dc->b[idx[i]];
		return 0;
	case TQ_PARQUET_BYTE_ARRAY: {
		uint32_t *off = c->off + at;
		uint8_t *o;

		for (i = 0; i < k; i++)
			total += dc->off[idx[i] + 1] - dc->off[idx[i]];
		if ((rc = tq_buf_reserve(d->data, total + 1)) != 0 ||
		    d->data->len + total > UINT32_MAX)
			return tq_err_set(d->err, TQ_ELIMIT, "column %s: values "
			    "over the memory cap", d->cd->path);
		o = d->data->data + d->data->len;
		for (i = 0; i < k; i++) {
			uint32_t s = dc->off[idx[i]];
			uint32_t n = dc->off[idx[i] + 1] - s;

			if (n > 0)
				memcpy(o, dc->data + s, n);
			o += n;
			off[i + 1] = off[i] + n;
		}
		d->data->len += total;
		return 0;
	}
	default:
		if (k > 0 && (rc = tq_buf_reserve(d->data, k * w)) != 0)
			return tq_err_set(d->err, rc, "column %s: values over "
			    "the memory cap", d->cd->path);
		for (i = 0; i < k; i++)
			memcpy(d->data->data + d->data->len + i * w,
			    dc->data + (size_t)idx[i] * w, w);
		d->data->len += k * w;
		return 0;
	}
}

/* leave_indices materialises the values of indices kept so far. */
static int
leave_indices(struct dec *d)
{
	int rc;

	d->want_idx = false;
	if (d->out->idx == NULL)
		return 0;
	rc = gather(d, d->out->idx, 0, d->out->n_values);
	d->out->idx = NULL;
	return rc;
}

static int
decode_delta_bytes(struct dec *d, const uint8_t *p, size_t len, size_t k,
    bool prefixed)
{
	struct tq_parquet_column *c = d->out;
	struct tq_buf *t = &d->r->tmp;
	size_t used = 0, used2, i, n;
	int64_t *pre = NULL, *lens;
	uint32_t *off = c->off + c->n_values;
	const uint8_t *q;
	uint8_t *o;
	int rc;

	tq_buf_reset(t);
	if (k > len * 64 + 1)
		return corrupt(d, "more values than bytes");
	if ((rc = tq_buf_reserve(t, 2 * k * sizeof(int64_t) + 16)) != 0)
		return tq_err_set(d->err, rc, "column %s: over the memory cap",
		    d->cd->path);
	if (prefixed) {
		pre = (int64_t *)t->data;
		if ((rc = pq_delta_decode(p, len, pre, k, &used, d->err)) != 0)
			return tq_err_prefix(d->err, rc, "column %s",
			    d->cd->path);
	}
	lens = (int64_t *)t->data + k;
	if ((rc = pq_delta_decode(p + used, len - used, lens, k, &used2,
	    d->err)) != 0)
		return tq_err_prefix(d->err, rc, "column %s", d->cd->path);
	q = p + used + used2;
	n = len - used - used2;
	for (i = 0; i < k; i++) {
		uint64_t prev = i > 0 ? off[i] - off[i - 1] : 0;
		uint64_t pl = prefixed ? (uint64_t)pre[i] : 0;

		if (lens[i] < 0 || (uint64_t)lens[i] > n || (prefixed &&
		    (pre[i] < 0 || pl > prev)))
			return corrupt(d, "bad delta byte array lengths");
		if ((rc = tq_buf_reserve(d->data, pl + (uint64_t)lens[i] + 1))
		    != 0 ||
		    d->data->len + pl + (uint64_t)lens[i] > UINT32_MAX)
			return tq_err_set(d->err, TQ_ELIMIT, "column %s: values "
			    "over the memory cap", d->cd->path);
		o = d->data->data + d->data->len;
		if (pl > 0)
			memmove(o, d->data->data + off[i - 1], pl);
		if (lens[i] > 0)
			memcpy(o + pl, q, (size_t)lens[i]);
		q += lens[i];
		n -= (size_t)lens[i];
		d->data->len += pl + (size_t)lens[i];
		off[i + 1] = off[i] + (uint32_t)(pl + (uint64_t)lens[i]);
	}
	return 0;
}

/* decode_values decodes the k present values of a page body. */
static int
decode_values(struct dec *d, int enc, const uint8_t *p, size_t len, size_t k)
{
	struct tq_parquet_column *c = d->out;
	struct tq_buf *t = &d->r->tmp;
	size_t at = c->n_values, used, i, w = d->width;
	int rc, bw;

	if (k == 0)
		return 0;
	switch (enc) {
	case TQ_PARQUET_PLAIN:
		if (d->want_idx && (rc = leave_indices(d)) != 0)
			return rc;
		return decode_plain(d, c, d->data, at, p, len, k, &used);
	case TQ_PARQUET_PLAIN_DICTIONARY:
	case TQ_PARQUET_RLE_DICTIONARY: {
		uint32_t *idx, n;

		if (d->dict == NULL)
			return corrupt(d, "dictionary indices without a "
			    "dictionary");
		if (len < 1)
			return corrupt(d, "missing index bit width");
		bw = p[0];
		if (d->want_idx) {
			if (c->idx == NULL && (c->idx = col_big(c, M_IDX, d->cap,
			    4))
			    == NULL)
				return tq_err_set(d->err, TQ_ELIMIT, "column %s: "
				    "over the memory cap", d->cd->path);
			idx = c->idx + at;
		} else {
			tq_buf_reset(t);
			if ((rc = tq_buf_reserve(t, k * 4)) != 0)
				return tq_err_set(d->err, rc, "column %s: over "
				    "the memory cap", d->cd->path);
			idx = (uint32_t *)t->data;
		}
		if ((rc = pq_rle_decode(p + 1, len - 1, bw, idx, k, d->err)) != 0)
			return tq_err_prefix(d->err, rc, "column %s: page at "
			    "byte %llu", d->cd->path, (unsigned long long)d->off);
		n = (uint32_t)d->dict->n_values;
		if ((bw > 31 || (1u << bw) > n) && !pq_all_below(idx, k, n))
			return corrupt(d, "dictionary index out of range");
		return d->want_idx ? 0 : gather(d, idx, at, k);
	}
	case TQ_PARQUET_RLE: {
		uint32_t n4, *tmpv;

		if (d->cd->type != TQ_PARQUET_BOOLEAN)
			return corrupt(d, "RLE values of a non-boolean column");
		if (d->want_idx && (rc = leave_indices(d)) != 0)
			return rc;
		if (len < 4)
			return corrupt(d, "RLE length truncated");
		memcpy(&n4, p, 4);
		if (n4 > len - 4)
			return corrupt(d, "RLE length past the page");
		tq_buf_reset(t);
		if ((rc = tq_buf_reserve(t, k * 4)) != 0)
			return tq_err_set(d->err, rc, "column %s: over the "
			    "memory cap", d->cd->path);
		tmpv = (uint32_t *)t->data;
		if ((rc = pq_rle_decode(p + 4, n4, 1, tmpv, k, d->err)) != 0)
			return tq_err_prefix(d->err, rc, "column %s",
			    d->cd->path);
		for (i = 0; i < k; i++)
			c->b[at + i] = (uint8_t)tmpv[i];
		return 0;
	}
	case TQ_PARQUET_DELTA_BINARY_PACKED:
		if (d->want_idx && (rc = leave_indices(d)) != 0)
			return rc;
		if (d->cd->type == TQ_PARQUET_INT64)
			rc = pq_delta_decode(p, len, c->i64 + at, k, &used,
			    d->err);
		else if (d->cd->type == TQ_PARQUET_INT32) {
			int64_t *v;

			tq_buf_reset(t);
			if ((rc = tq_buf_reserve(t, k * 8)) != 0)
				return tq_err_set(d->err, rc, "column %s: over "
				    "the memory cap", d->cd->path);
			v = (int64_t *)t->data;
			rc = pq_delta_decode(p, len, v, k, &used, d->err);
			for (i = 0; rc == 0 && i < k; i++)
				c->i32[at + i] = (int32_t)(uint32_t)v[i];
		} else
			return corrupt(d, "DELTA_BINARY_PACKED for a "
			    "non-integer column");
		if (rc != 0)
			return tq_err_prefix(d->err, rc, "column %s: page at "
			    "byte %llu", d->cd->path, (unsigned long long)d->off);
		return 0;
	case TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY:
	case TQ_PARQUET_DELTA_BYTE_ARRAY:
		if (d->cd->type != TQ_PARQUET_BYTE_ARRAY)
			return corrupt(d, "delta byte arrays for another type");
		if (d->want_idx && (rc = leave_indices(d)) != 0)
			return rc;
		return decode_delta_bytes(d, p, len, k,
		    enc == TQ_PARQUET_DELTA_BYTE_ARRAY);
	case TQ_PARQUET_BYTE_STREAM_SPLIT: {
		uint8_t *o;
		size_t b;

		if (d->cd->type == TQ_PARQUET_BOOLEAN ||
		    d->cd->type == TQ_PARQUET_BYTE_ARRAY || w == 0)
			return corrupt(d, "BYTE_STREAM_SPLIT for this type");
		if (d->want_idx && (rc = leave_indices(d)) != 0)
			return rc;
		if (k > len / w)
			return corrupt(d, "BYTE_STREAM_SPLIT truncated");
		switch (d->cd->type) {
		case TQ_PARQUET_INT32: o = (uint8_t *)(c->i32 + at); break;
		case TQ_PARQUET_INT64: o = (uint8_t *)(c->i64 + at); break;
		case TQ_PARQUET_FLOAT: o = (uint8_t *)(c->f32 + at); break;
		case TQ_PARQUET_DOUBLE: o = (uint8_t *)(c->f64 + at); break;
		default:
			if ((rc = tq_buf_reserve(d->data, k * w)) != 0)
				return tq_err_set(d->err, rc, "column %s: over "
				    "the memory cap", d->cd->path);
			o = d->data->data + d->data->len;
			d->data->len += k * w;
		}
		for (b = 0; b < w; b++)
			for (i = 0; i < k; i++)
				o[i * w + b] = p[b * k + i];
		return 0;
	}
	default:
		return tq_err_set(d->err, TQ_EUNSUPPORTED, "column %s: encoding "
		    "%s (%d)", d->cd->path, tq_parquet_encoding_name(enc), enc);
	}
}

/*
 * page_def decodes a page's n definition levels, the hybrid stream
 * [p, p + len), into the column; *k gets how many hold a value.  While
 * the column keeps its levels only if some entry is null and none has
 * been, a page whose levels are all the maximum keeps none.
 */
static int
page_def(struct dec *d, const uint8_t *p, size_t len, size_t n, size_t *k)
{
	struct tq_parquet_column *c = d->out;
	uint16_t max = (uint16_t)d->cd->max_def;
	int bw = pq_bit_width((uint64_t)max), rc;
	size_t i;

	if (d->def_if_nulls) {
		if (pq_rle_all_of(p, len, bw, n, max)) {
			*k = n;
			return 0;
		}
		/* Some entry may be null: the levels so far were all max. */
		if ((c->def = col_big(c, M_DEF, d->cap, 2)) == NULL)
			return tq_err_set(d->err, TQ_ELIMIT, "column %s: %zu "
			    "values over the memory cap", d->cd->path, d->cap);
		for (i = 0; i < c->n_levels; i++)
			c->def[i] = max;
		d->def_if_nulls = false;
	}
	if ((rc = pq_rle_decode16(p, len, bw, c->def + c->n_levels, n, max, k,
	    d->err)) != 0)
		return tq_err_prefix(d->err, rc, "column %s: page at byte %llu",
		    d->cd->path, (unsigned long long)d->off);
	return 0;
}

/* page_rep decodes a page's n repetition levels, the hybrid stream
 * [p, p + len), into the column (which keeps them). */
static int
page_rep(struct dec *d, const uint8_t *p, size_t len, size_t n)
{
	struct tq_parquet_column *c = d->out;
	uint16_t max = (uint16_t)d->cd->max_rep;
	int rc;

	if ((rc = pq_rle_decode16(p, len, pq_bit_width((uint64_t)max),
	    c->rep + c->n_levels, n, max, NULL, d->err)) != 0)
		return tq_err_prefix(d->err, rc, "column %s: page at byte %llu",
		    d->cd->path, (unsigned long long)d->off);
	return 0;
}

/* levels_v1 takes the levels at the start of a v1 page, [*p, *p + *len):
 * a 4-byte length and that many bytes of RLE, given in *lv and *lvlen,
 * and steps past them. */
static int
levels_v1(struct dec *d, int enc, const uint8_t **p, size_t *len,
    const uint8_t **lv, size_t *lvlen)
{
	uint32_t l;

	if (enc != TQ_PARQUET_RLE)
		return tq_err_set(d->err, TQ_EUNSUPPORTED, "column %s: level "
		    "encoding %s", d->cd->path, tq_parquet_encoding_name(enc));
	if (*len < 4)
		return corrupt(d, "levels truncated");
	memcpy(&l, *p, 4);
	if (l > *len - 4)
		return corrupt(d, "levels past the page");
	*lv = *p + 4;
	*lvlen = l;
	*p += 4 + l;
	*len -= 4 + l;
	return 0;
}

static int
decode_data_page(struct dec *d, const struct pq_page_header *h,
    const uint8_t *body, size_t blen, int codec)
{
	struct tq_parquet_column *c = d->out;
	const struct tq_parquet_column_desc *cd = d->cd;
	struct tq_buf *pg = &d->r->page;
	size_t n = (size_t)h->num_values, k = 0, vlen;
	const uint8_t *p, *levels;
	size_t levels_len;
	int rc;

	if (n > d->cap - d->seen)
		return corrupt(d, "more values than the chunk declares");
	if ((size_t)h->uncompressed_size > TQ_PARQUET_MAX_PAGE)
		return tq_err_set(d->err, TQ_ELIMIT, "column %s: page of %d "
		    "bytes", cd->path, h->uncompressed_size);
	tq_buf_reset(pg);
	if (h->type == PQ_PAGE_DATA) {
		vlen = (size_t)h->uncompressed_size;
		if (codec == TQ_PARQUET_UNCOMPRESSED) {
			/* Decode in place: no copy. */
			if (blen != vlen)
				return corrupt(d, "page sizes differ");
			p = body;
		} else {
			if ((rc = tq_buf_reserve(pg, vlen + 8)) != 0)
				return tq_err_set(d->err, rc, "column %s: page "
				    "too large", cd->path);
			if ((rc = pq_decompress(&d->r->codec, codec, body, blen,
			    pg->data, vlen, d->err)) != 0)
				return tq_err_prefix(d->err, rc, "column %s: page "
				    "at byte %llu", cd->path,
				    (unsigned long long)d->off);
			p = pg->data;
		}
		if (cd->max_rep > 0 && ((rc = levels_v1(d, h->rep_encoding,
		    &p, &vlen, &levels, &levels_len)) != 0 || (c->rep != NULL &&
		    (rc = page_rep(d, levels, levels_len, n)) != 0)))
			return rc;
		if (cd->max_def > 0 && ((rc = levels_v1(d, h->def_encoding,
		    &p, &vlen, &levels, &levels_len)) != 0 ||
		    (rc = page_def(d, levels, levels_len, n, &k)) != 0))
			return rc;
	} else {
		size_t lv = (size_t)h->rep_len + (size_t)h->def_len;

		if (lv > blen || lv > (size_t)h->uncompressed_size)
			return corrupt(d, "level lengths past the page");
		if ((c->rep != NULL && (rc = page_rep(d, body, (size_t)
		    h->rep_len, n)) != 0) || (cd->max_def > 0 &&
		    (rc = page_def(d, body + h->rep_len, (size_t)h->def_len, n,
		    &k)) != 0))
			return rc;
		vlen = (size_t)h->uncompressed_size - lv;
		if (h->is_compressed && codec != TQ_PARQUET_UNCOMPRESSED) {
			if ((rc = tq_buf_reserve(pg, vlen + 8)) != 0)
				return tq_err_set(d->err, rc, "column %s: page "
				    "too large", cd->path);
			if ((rc = pq_decompress(&d->r->codec, codec, body + lv,
			    blen - lv, pg->data, vlen, d->err)) != 0)
				return tq_err_prefix(d->err, rc, "column %s: page "
				    "at byte %llu", cd->path,
				    (unsigned long long)d->off);
			p = pg->data;
		} else {
			if (blen - lv != vlen)
				return corrupt(d, "page sizes differ");
			p = body + lv;
		}
	}
	if (cd->max_def == 0)
		k = n;
	if (c->rep != NULL && d->seen == 0 && n > 0 && c->rep[c->n_levels] != 0)
		return corrupt(d, "first repetition level is not 0");
	if ((rc = decode_values(d, h->encoding, p, vlen, k)) != 0)
		return rc;
	c->n_levels += n;
	c->n_values += k;
	return 0;
}

/* read_range reads len bytes at off into the reader's chunk buffer. */
static int
read_range(struct tq_parquet_reader *r, const struct tq_parquet_column_desc *cd,
    uint64_t off, uint64_t len, uint8_t **out, struct tq_err *err)
{
	int rc;

	if (off < 4 || off > r->data_end || len > r->data_end - off)
		return tq_err_set(err, TQ_ECORRUPT, "column %s: chunk at %llu "
		    "of %llu bytes is outside the data", cd->path,
		    (unsigned long long)off, (unsigned long long)len);
	tq_buf_reset(&r->chunk);
	if (len > TQ_PARQUET_MAX_CHUNK || len > r->o.max_memory ||
	    tq_buf_reserve(&r->chunk, (size_t)len + 1) != 0)
		return tq_err_set(err, TQ_ELIMIT, "column %s: chunk of %llu "
		    "bytes", cd->path, (unsigned long long)len);
	if ((rc = r->fn(r->arg, off, (size_t)len, r->chunk.data, err)) != 0)
		return tq_err_prefix(err, rc, "column %s", cd->path);
	*out = r->chunk.data;
	return 0;
}

static int
chunk_range(struct tq_parquet_reader *r, const struct tq_parquet_chunk *ch,
    const struct tq_parquet_column_desc *cd, uint64_t *off, uint64_t *len,
    struct tq_err *err)
{
	int64_t start = ch->data_page_offset;

	if (ch->dict_page_offset > 0 && ch->dict_page_offset < start)
		start = ch->dict_page_offset;
	if (start <= 0 || ch->compressed_size < 0)
		return tq_err_set(err, TQ_ECORRUPT, "column %s: bad chunk "
		    "offsets", cd->path);
	*off = (uint64_t)start;
	*len = (uint64_t)ch->compressed_size;
	(void)r;
	return 0;
}

static int
start_column(struct tq_parquet_reader *r, int col, size_t cap, int flags,
    struct tq_parquet_column *out, struct tq_err *err)
{
	const struct tq_parquet_column_desc *cd = &r->s->columns[col];
	struct tq_parquet_colmem *mem = flags & TQ_PARQUET_READ_REUSE ?
	    out->mem : NULL;
	int i;

	memset(out, 0, sizeof(*out));
	if (mem != NULL) {
		tq_arena_reset(&mem->arena);
		tq_buf_reset(&mem->data);
	} else {
		if ((mem = calloc(1, sizeof(*mem))) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "column %s: out of "
			    "memory", cd->path);
		mem->max = r->o.max_memory;
		tq_arena_init(&mem->arena, r->o.max_memory);
		tq_buf_init(&mem->data, r->o.max_memory);
		for (i = 0; i < M_N; i++)
			tq_buf_init(&mem->big[i], r->o.max_memory);
	}
	out->mem = mem;
	out->col = col;
	out->type = cd->type;
	out->width = (int)pq_value_size(cd->type, cd->type_length);
	if ((cd->max_def > 0 && (flags & TQ_PARQUET_READ_DEF_IF_NULLS) == 0 &&
	    (out->def = col_big(out, M_DEF, cap, 2)) == NULL) ||
	    (cd->max_rep > 0 && (flags & TQ_PARQUET_READ_NO_REP) == 0 &&
	    (out->rep = col_big(out, M_REP, cap, 2)) == NULL) ||
	    alloc_values(out, cd->type, cap, true) != 0)
		return tq_err_set(err, TQ_ELIMIT, "column %s: %zu values over "
		    "the memory cap", cd->path, cap);
	return 0;
}

/* add_part records that the page of n entries at d->seen is decoded. */
static int
add_part(struct dec *d, size_t n)
{
	struct tq_parquet_column *c = d->out;
	struct tq_buf *b = &c->mem->big[M_PARTS];
	struct tq_parquet_part *last = c->n_parts ? (struct tq_parquet_part *)
	    b->data + c->n_parts - 1 : NULL, p;
	int rc;

	if (last != NULL && last->first + last->n == d->seen) {
		last->n += n;
		return 0;
	}
	p.first = d->seen;
	p.n = n;
	p.level = c->n_levels;
	p.value = c->n_values;
	if ((rc = tq_buf_append(b, &p, sizeof(p))) != 0)
		return tq_err_set(d->err, rc, "column %s: out of memory",
		    d->cd->path);
	c->parts = (const struct tq_parquet_part *)b->data;
	c->n_parts++;
	return 0;
}

int
tq_parquet_reader_read_column(struct tq_parquet_reader *r, size_t rg,
    int col, int flags, struct tq_parquet_column *out, struct tq_err *err)
{
	return tq_parquet_reader_read_some(r, rg, col, flags, NULL, NULL, out,
	    err);
}

int
tq_parquet_reader_read_some(struct tq_parquet_reader *r, size_t rg,
    int col, int flags, tq_parquet_want_fn want, void *arg,
    struct tq_parquet_column *out, struct tq_err *err)
{
	const struct tq_parquet_chunk *ch;
	const struct tq_parquet_column_desc *cd;
	struct pq_page_header h;
	struct dec d;
	uint8_t *buf = NULL;
	uint64_t off = 0, len = 0, pos = 0;
	size_t used;
	int rc;

	if ((flags & TQ_PARQUET_READ_REUSE) == 0)
		memset(out, 0, sizeof(*out));
	if (want != NULL && (flags & TQ_PARQUET_READ_NO_REP) != 0)
		return tq_err_set(err, TQ_EINVAL, "parquet: a partial read "
		    "needs the repetition levels");
	if ((rc = chunk_of(r, rg, col, &ch, err)) != 0)
		return rc;
	cd = &r->s->columns[col];
	if (ch->num_values < 0 || (uint64_t)ch->num_values >
	    r->o.max_memory / 2)
		return tq_err_set(err, TQ_ELIMIT, "column %s: %lld values",
		    cd->path, (long long)ch->num_values);
	if ((rc = chunk_range(r, ch, cd, &off, &len, err)) != 0 ||
	    (rc = read_range(r, cd, off, len, &buf, err)) != 0)
		return rc;
	if ((rc = start_column(r, col, (size_t)ch->num_values, flags, out,
	    err)) != 0)
		goto out;
	/* Byte arrays take about their encoded size: reserve it once. */
	if (cd->type == TQ_PARQUET_BYTE_ARRAY && ch->uncompressed_size > 0 &&
	    (uint64_t)ch->uncompressed_size < r->o.max_memory / 4)
		tq_buf_reserve(&out->mem->data, (size_t)ch->uncompressed_size);
	memset(&d, 0, sizeof(d));
	d.r = r;
	d.cd = cd;
	d.out = out;
	d.data = &out->mem->data;
	d.width = (size_t)out->width;
	d.cap = (size_t)ch->num_values;
	d.want_idx = (flags & TQ_PARQUET_READ_DICT_INDICES) != 0;
	d.def_if_nulls = cd->max_def > 0 &&
	    (flags & TQ_PARQUET_READ_DEF_IF_NULLS) != 0;
	d.err = err;
	if (want != NULL)
		tq_buf_reset(&out->mem->big[M_PARTS]);
	while (d.seen < d.cap && pos < len) {
		d.off = off + pos;
		if ((rc = pq_page_header_decode(buf + pos, (size_t)(len - pos),
		    d.off, &h, &used, err)) != 0) {
			tq_err_prefix(err, rc, "column %s", cd->path);
			goto out;
		}
		pos += used;
		if ((uint64_t)h.compressed_size > len - pos) {
			rc = corrupt(&d, "page runs past its chunk");
			goto out;
		}
		switch (h.type) {
		case PQ_PAGE_DICT:
			if (d.seen > 0) {
				rc = corrupt(&d, "dictionary after data");
				goto out;
			}
			if (h.encoding != TQ_PARQUET_PLAIN &&
			    h.encoding != TQ_PARQUET_PLAIN_DICTIONARY) {
				rc = corrupt(&d, "dictionary not PLAIN");
				goto out;
			}
			if ((size_t)h.uncompressed_size > TQ_PARQUET_MAX_PAGE) {
				rc = tq_err_set(err, TQ_ELIMIT, "column %s: "
				    "dictionary of %d bytes", cd->path,
				    h.uncompressed_size);
				goto out;
			}
			tq_buf_reset(&r->page);
			if ((rc = tq_buf_reserve(&r->page,
			    (size_t)h.uncompressed_size + 8)) != 0) {
				rc = tq_err_set(err, rc, "column %s: dictionary "
				    "too large", cd->path);
				goto out;
			}
			if ((rc = pq_decompress(&r->codec, ch->codec, buf + pos,
			    (size_t)h.compressed_size, r->page.data,
			    (size_t)h.uncompressed_size, err)) != 0) {
				tq_err_prefix(err, rc, "column %s: dictionary",
				    cd->path);
				goto out;
			}
			if ((rc = decode_dict_page(&d, r->page.data,
			    (size_t)h.uncompressed_size,
			    (size_t)h.num_values)) != 0)
				goto out;
			break;
		case PQ_PAGE_DATA:
		case PQ_PAGE_DATA_V2:
			if (h.num_values < 0 ||
			    (size_t)h.num_values > d.cap - d.seen) {
				rc = corrupt(&d, "more values than the chunk "
				    "declares");
				goto out;
			}
			if (want != NULL && !want(arg, d.seen,
			    (size_t)h.num_values)) {
				d.seen += (size_t)h.num_values;
				break;
			}
			if ((want != NULL && (rc = add_part(&d,
			    (size_t)h.num_values)) != 0) ||
			    (rc = decode_data_page(&d, &h, buf + pos,
			    (size_t)h.compressed_size, ch->codec)) != 0)
				goto out;
			d.seen += (size_t)h.num_values;
			break;
		default:
			break;	/* index pages and the unknown: skipped */
		}
		pos += (uint64_t)h.compressed_size;
	}
	if (d.seen != d.cap) {
		rc = tq_err_set(err, TQ_ECORRUPT, "column %s: %zu of %zu values "
		    "in the pages", cd->path, d.seen, d.cap);
		goto out;
	}
	if (out->idx != NULL)
		out->dict = d.dict;
	if (cd->type == TQ_PARQUET_BYTE_ARRAY ||
	    cd->type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY ||
	    cd->type == TQ_PARQUET_INT96) {
		out->data = out->mem->data.data;
		out->data_len = out->mem->data.len;
	}
	if (out->idx != NULL)
		out->off = NULL;
out:
	return rc;
}

int
tq_parquet_reader_read_dict(struct tq_parquet_reader *r, size_t rg, int col,
    struct tq_parquet_column *out, bool *has, struct tq_err *err)
{
	const struct tq_parquet_chunk *ch;
	const struct tq_parquet_column_desc *cd;
	struct pq_page_header h;
	struct dec d;
	uint8_t *buf = NULL;
	uint64_t len;
	size_t used;
	uint32_t other;
	int rc;

	memset(out, 0, sizeof(*out));
	*has = false;
	if ((rc = chunk_of(r, rg, col, &ch, err)) != 0)
		return rc;
	cd = &r->s->columns[col];
	other = ch->data_encodings & ~((1u << TQ_PARQUET_RLE_DICTIONARY) |
	    (1u << TQ_PARQUET_PLAIN_DICTIONARY));
	if (ch->dict_page_offset <= 0 || ch->data_encodings == 0 || other != 0 ||
	    ch->dict_page_offset >= ch->data_page_offset)
		return 0;
	len = (uint64_t)(ch->data_page_offset - ch->dict_page_offset);
	if ((rc = read_range(r, cd, (uint64_t)ch->dict_page_offset, len, &buf,
	    err)) != 0)
		return rc;
	memset(&d, 0, sizeof(d));
	d.r = r;
	d.cd = cd;
	d.err = err;
	d.off = (uint64_t)ch->dict_page_offset;
	if ((rc = pq_page_header_decode(buf, (size_t)len, d.off, &h, &used,
	    err)) != 0)
		goto out;
	if (h.type != PQ_PAGE_DICT || (uint64_t)h.compressed_size > len - used) {
		rc = corrupt(&d, "no dictionary page where the chunk says");
		goto out;
	}
	if ((size_t)h.uncompressed_size > TQ_PARQUET_MAX_PAGE) {
		rc = tq_err_set(err, TQ_ELIMIT, "column %s: dictionary of %d "
		    "bytes", cd->path, h.uncompressed_size);
		goto out;
	}
	if ((rc = start_column(r, col, 0, 0, out, err)) != 0)
		goto out;
	d.out = out;
	d.width = (size_t)out->width;
	tq_buf_reset(&r->page);
	if ((rc = tq_buf_reserve(&r->page, (size_t)h.uncompressed_size + 8))
	    != 0 || (rc = pq_decompress(&r->codec, ch->codec, buf + used,
	    (size_t)h.compressed_size, r->page.data,
	    (size_t)h.uncompressed_size, err)) != 0) {
		tq_err_prefix(err, rc, "column %s: dictionary", cd->path);
		goto out;
	}
	if ((rc = decode_dict_page(&d, r->page.data, (size_t)h.uncompressed_size,
	    (size_t)h.num_values)) != 0)
		goto out;
	/* Present the dictionary as the column's values. */
	out->n_values = d.dict->n_values;
	out->b = d.dict->b;
	out->i32 = d.dict->i32;
	out->i64 = d.dict->i64;
	out->f32 = d.dict->f32;
	out->f64 = d.dict->f64;
	out->off = d.dict->off;
	out->data = d.dict->data;
	out->data_len = d.dict->data_len;
	*has = true;
out:
	return rc;
}

static struct tq_parquet_value
column_value(const struct tq_parquet_column *c, size_t i)
{
	struct tq_parquet_value v;

	memset(&v, 0, sizeof(v));
	v.type = c->type;
	switch (c->type) {
	case TQ_PARQUET_BOOLEAN: v.b = c->b[i]; break;
	case TQ_PARQUET_INT32: v.i32 = c->i32[i]; break;
	case TQ_PARQUET_INT64: v.i64 = c->i64[i]; break;
	case TQ_PARQUET_FLOAT: v.f32 = c->f32[i]; break;
	case TQ_PARQUET_DOUBLE: v.f64 = c->f64[i]; break;
	case TQ_PARQUET_BYTE_ARRAY:
		v.ptr = c->data + c->off[i];
		v.len = c->off[i + 1] - c->off[i];
		break;
	default:
		v.ptr = c->data + i * (size_t)c->width;
		v.len = (size_t)c->width;
	}
	return v;
}

int
tq_parquet_reader_may_match(struct tq_parquet_reader *r, size_t rg, int col,
    const struct tq_parquet_value *lo, const struct tq_parquet_value *hi,
    int flags, bool *may, struct tq_err *err)
{
	const struct tq_parquet_chunk *ch;
	const struct tq_parquet_column_desc *cd;
	struct tq_parquet_column dc;
	struct tq_parquet_value mn, mx, v;
	bool has;
	size_t i;
	int rc;

	*may = true;
	if ((rc = chunk_of(r, rg, col, &ch, err)) != 0)
		return rc;
	cd = &r->s->columns[col];
	if (flags & TQ_PARQUET_PRUNE_STATS) {
		if (ch->stats.has_null_count &&
		    ch->stats.null_count == ch->num_values) {
			*may = false;
			return 0;
		}
		if (ch->stats.has_min_max &&
		    tq_parquet_stat_value(r->s, col, ch->stats.min,
		    ch->stats.min_len, &mn, NULL) == 0 &&
		    tq_parquet_stat_value(r->s, col, ch->stats.max,
		    ch->stats.max_len, &mx, NULL) == 0 &&
		    ((lo != NULL && pq_compare(cd, &mx, lo) < 0) ||
		    (hi != NULL && pq_compare(cd, &mn, hi) > 0))) {
			*may = false;
			return 0;
		}
	}
	if ((flags & TQ_PARQUET_PRUNE_DICT) == 0)
		return 0;
	if ((rc = tq_parquet_reader_read_dict(r, rg, col, &dc, &has, err)) != 0)
		goto out;
	if (!has)
		goto out;
	*may = false;
	for (i = 0; i < dc.n_values && !*may; i++) {
		v = column_value(&dc, i);
		*may = (lo == NULL || pq_compare(cd, &v, lo) >= 0) &&
		    (hi == NULL || pq_compare(cd, &v, hi) <= 0);
	}
out:
	tq_parquet_column_release(&dc);
	return rc;
}
