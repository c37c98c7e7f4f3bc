/*
 * writer.c: streaming Parquet writer.
 *
 * Each column keeps the levels and values of its open data page, the
 * encoded (and compressed) pages of the current row group, and, while it
 * lasts, a dictionary.  Pages are cut at record boundaries once they reach
 * the page size target; a dictionary that passes dict_max is abandoned for
 * PLAIN at the next page.  A row group is written out, column after column
 * (dictionary page first), when the caller flushes or when the buffered
 * bytes pass row_group_size, so memory stays bounded by one row group.
 * The footer is written at close.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "parquet-int.h"

struct wcol {
	const struct tq_parquet_column_desc *cd;
	int		 encoding;	/* data encoding when not dictionary */
	bool		 delta_if_smaller;
	unsigned	 min_saving;	/* percent, else a page is stored */
	unsigned	 untried;	/* pages to store without trying */
	/* The chunk's last page whose deltas won over PLAIN compressed: its
	 * bytes and values (0: none), and the pages since taken unseen. */
	size_t		 delta_bytes, delta_values, delta_unseen;
	bool		 use_dict;	/* dictionary wanted for this column */
	bool		 dict_active;	/* values go to the dictionary now */
	bool		 dict_full;	/* fall back at the next page */
	int		 codec;
	size_t		 width;		/* fixed value size, 0 for BYTE_ARRAY */
	size_t		 page_size;	/* data page target */

	/* The open page. */
	struct tq_buf	 def;		/* uint16_t each */
	struct tq_buf	 rep;
	struct tq_buf	 vals;		/* PLAIN bytes, u32 indices or i64 */
	struct tq_buf	 vals2;		/* DELTA_LENGTH_BYTE_ARRAY bytes */
	size_t		 n_levels;
	size_t		 n_values;
	size_t		 n_rows;	/* records begun in this page */

	/* The dictionary of this row group. */
	struct tq_buf	 dict;		/* PLAIN encoded entries */
	uint32_t	*dict_off;	/* entry i starts at dict_off[i] */
	uint32_t	*succ;		/* the entry that came after i last, + 1 */
	size_t		 dict_n;
	size_t		 dict_cap;
	uint32_t	*slots;		/* open addressing: entry + 1 */
	uint32_t	*tags;		/* high bits of each slot's hash */
	size_t		 n_slots;
	uint32_t	 last;		/* the entry added last, + 1 */
	uint32_t	*small;		/* integers below SMALL_INTS: entry + 1 */

	/* The row group's chunk. */
	struct tq_buf	 pages;		/* encoded data pages */
	int64_t		 rg_levels;
	int64_t		 rg_rows;
	int64_t		 rg_uncompressed;
	uint32_t	 encodings;
	uint32_t	 data_encodings;
	int64_t		 nulls;
	bool		 has_minmax;
	struct tq_buf	 min;
	struct tq_buf	 max;
};

/*
 * The levels of this many pages are remembered (round robin): the columns
 * of one Attrs list (seven, all with the same repetition levels) and of
 * the lists around it come one after the other at a flush.  Packing
 * 20000 tempo-gen traces took 231M instructions of level encoding
 * remembering 2, 177M remembering 16.
 */
#define LV_MEMOS	16

/*
 * A page's levels as last encoded: columns of one list (or the columns of
 * one level of nesting) often have the very same levels, which are then
 * copied instead of encoded again.  The levels are compared where they
 * are, in their column's buffer, while no column has had levels added
 * since (as while a row group's pages are cut one after the other).
 */
struct lv_memo {
	const uint16_t	*src;		/* the levels */
	size_t		 n;
	uint64_t	 gen;		/* the writer's lv_gen then */
	struct tq_buf	 enc;		/* their RLE/bit-packed encoding */
	int		 bw;		/* their bit width; -1: none */
};

/*
 * A small page as last compressed: columns of one list that hold no
 * values (an attribute's ValueBool, ValueDouble, ... where none has that
 * type) often have byte for byte the same page, which is then copied
 * compressed instead of compressed again.  PAGE_MEMOS of them, of at most
 * PAGE_MEMO_MAX bytes, are kept (round robin).  In the pages of 20000
 * tempo-gen traces, 1.1 MB of 25 MB were such repeats (1.2 MB of 27 MB
 * for SDK-shaped spans).
 */
#define PAGE_MEMOS	8
#define PAGE_MEMO_MAX	(64u * 1024)

struct page_memo {
	int		 codec;		/* -1: none */
	struct tq_buf	 raw;		/* the page */
	struct tq_buf	 out;		/* compressed */
};

struct tq_parquet_writer {
	const struct tq_parquet_schema	*s;
	struct tq_parquet_write_opts	 o;
	tq_parquet_write_fn		 fn;
	void				*arg;
	struct wcol			*cols;
	int				*size;	/* subtree size of each node */
	uint64_t			 off;	/* bytes written */
	int64_t				 rg_rows;
	int64_t				 num_rows;
	struct pq_row_group		*rgs;
	size_t				 n_rgs;
	struct pq_kv			*kv;
	size_t				 n_kv;
	struct tq_buf			 page;	/* scratch: one page body */
	struct tq_buf			 body;	/* scratch: compressed body */
	struct tq_buf			 alt;	/* scratch: another body */
	struct tq_buf			 hdr;	/* scratch: page header */
	struct tq_buf			 sdef;	/* scratch: packed levels split */
	struct tq_buf			 srep;
	struct pq_codec_ctx		 codec;
	struct lv_memo			 memo[LV_MEMOS];
	struct page_memo		 pmemo[PAGE_MEMOS];
	unsigned			 pmemo_next;	/* the one to replace */
	unsigned			 memo_next;	/* the one to replace */
	uint64_t			 lv_gen;	/* level appends so far */
	bool				 started;
	bool				 closed;
	int				 failed;	/* sticky error */
};

#define BUF_MAX		((size_t)TQ_PARQUET_MAX_ROW_GROUP_BUF)

/* Integers below this have a direct slot in a dictionary. */
#define SMALL_INTS	1024

static int
emit(struct tq_parquet_writer *w, const void *p, size_t len,
    struct tq_err *err)
{
	int rc;

	if (len == 0)
		return 0;
	if ((rc = w->fn(w->arg, p, len, err)) != 0)
		return rc;
	w->off += len;
	return 0;
}

int
tq_parquet_writer_new(const struct tq_parquet_schema *s,
    const struct tq_parquet_write_opts *opts, tq_parquet_write_fn fn,
    void *arg, struct tq_parquet_writer **out, struct tq_err *err)
{
	struct tq_parquet_writer *w;
	size_t i;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "parquet writer: out of memory");
	w->s = s;
	w->fn = fn;
	w->arg = arg;
	if (opts != NULL)
		w->o = *opts;
	else
		w->o.codec = TQ_PARQUET_ZSTD;
	if (w->o.zstd_level == 0)
		w->o.zstd_level = 3;
	if (w->o.page_version == 0)
		w->o.page_version = 1;
	if (w->o.page_size == 0)
		w->o.page_size = 1024 * 1024;
	if (w->o.row_group_size == 0)
		w->o.row_group_size = 128u * 1024 * 1024;
	if (w->o.dict_max == 0)
		w->o.dict_max = 1024 * 1024;
	if (w->o.created_by == NULL)
		w->o.created_by = "tempo-parquet version " TQ_VERSION;
	if ((w->o.codec != TQ_PARQUET_UNCOMPRESSED &&
	    w->o.codec != TQ_PARQUET_SNAPPY && w->o.codec != TQ_PARQUET_ZSTD) ||
	    (w->o.page_version != 1 && w->o.page_version != 2)) {
		rc = tq_err_set(err, TQ_EINVAL, "parquet writer: bad codec or "
		    "page version");
		goto fail;
	}
	w->cols = calloc(s->n_columns, sizeof(*w->cols));
	w->size = calloc(s->n_nodes, sizeof(int));
	if (w->cols == NULL || w->size == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "parquet writer: out of memory");
		goto fail;
	}
	for (i = s->n_nodes; i-- > 0;) {
		w->size[i] += 1;
		if (i > 0)
			w->size[s->parent[i]] += w->size[i];
	}
	for (i = 0; i < s->n_columns; i++) {
		struct wcol *c = &w->cols[i];

		c->cd = &s->columns[i];
		c->encoding = TQ_PARQUET_PLAIN;
		c->use_dict = c->cd->type != TQ_PARQUET_BOOLEAN;
		c->dict_active = c->use_dict;
		c->codec = w->o.codec;
		c->width = pq_value_size(c->cd->type, c->cd->type_length);
		c->page_size = w->o.page_size;
		tq_buf_init(&c->def, BUF_MAX);
		tq_buf_init(&c->rep, BUF_MAX);
		tq_buf_init(&c->vals, BUF_MAX);
		tq_buf_init(&c->vals2, BUF_MAX);
		tq_buf_init(&c->dict, TQ_PARQUET_MAX_PAGE);
		tq_buf_init(&c->pages, BUF_MAX);
		tq_buf_init(&c->min, TQ_PARQUET_MAX_PAGE);
		tq_buf_init(&c->max, TQ_PARQUET_MAX_PAGE);
	}
	tq_buf_init(&w->page, TQ_PARQUET_MAX_PAGE);
	tq_buf_init(&w->body, TQ_PARQUET_MAX_PAGE);
	tq_buf_init(&w->alt, TQ_PARQUET_MAX_PAGE);
	tq_buf_init(&w->hdr, 1 << 20);
	tq_buf_init(&w->sdef, BUF_MAX);
	tq_buf_init(&w->srep, BUF_MAX);
	for (i = 0; i < LV_MEMOS; i++) {
		tq_buf_init(&w->memo[i].enc, BUF_MAX);
		w->memo[i].bw = -1;
	}
	for (i = 0; i < PAGE_MEMOS; i++) {
		tq_buf_init(&w->pmemo[i].raw, PAGE_MEMO_MAX);
		tq_buf_init(&w->pmemo[i].out, TQ_PARQUET_MAX_PAGE);
		w->pmemo[i].codec = -1;
	}
	if ((rc = emit(w, "PAR1", 4, err)) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	tq_parquet_writer_free(w);
	return rc;
}

int
tq_parquet_writer_set_column(struct tq_parquet_writer *w, int col,
    const struct tq_parquet_column_opts *o, struct tq_err *err)
{
	struct wcol *c;
	int t;

	if (col < 0 || (size_t)col >= w->s->n_columns)
		return tq_err_set(err, TQ_EINVAL, "parquet writer: no column %d",
		    col);
	c = &w->cols[col];
	t = c->cd->type;
	if (c->rg_levels > 0 || c->n_levels > 0 || w->n_rgs > 0)
		return tq_err_set(err, TQ_EINVAL, "column %s: options after "
		    "values", c->cd->path);
	switch (o->encoding) {
	case TQ_PARQUET_PLAIN:
		break;
	case TQ_PARQUET_DELTA_BINARY_PACKED:
		if (t != TQ_PARQUET_INT32 && t != TQ_PARQUET_INT64)
			goto bad;
		break;
	case TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY:
		if (t != TQ_PARQUET_BYTE_ARRAY)
			goto bad;
		break;
	case TQ_PARQUET_RLE:
		if (t != TQ_PARQUET_BOOLEAN)
			goto bad;
		break;
	default:
		goto bad;
	}
	if (o->codec != -1 && o->codec != TQ_PARQUET_UNCOMPRESSED &&
	    o->codec != TQ_PARQUET_SNAPPY && o->codec != TQ_PARQUET_ZSTD)
		return tq_err_set(err, TQ_EINVAL, "column %s: cannot write "
		    "codec %d", c->cd->path, o->codec);
	if (o->delta_if_smaller && (o->encoding != TQ_PARQUET_PLAIN ||
	    (t != TQ_PARQUET_INT32 && t != TQ_PARQUET_INT64)))
		return tq_err_set(err, TQ_EINVAL, "column %s: DELTA_BINARY_"
		    "PACKED when smaller is for PLAIN integers", c->cd->path);
	if (o->min_saving > 100)
		return tq_err_set(err, TQ_EINVAL, "column %s: a saving of %u%%",
		    c->cd->path, o->min_saving);
	c->encoding = o->encoding;
	c->delta_if_smaller = o->delta_if_smaller;
	c->min_saving = o->min_saving;
	c->use_dict = o->dictionary && t != TQ_PARQUET_BOOLEAN;
	c->dict_active = c->use_dict;
	c->codec = o->codec == -1 ? w->o.codec : o->codec;
	c->page_size = o->page_size > 0 ? o->page_size : w->o.page_size;
	return 0;
bad:
	return tq_err_set(err, TQ_EINVAL, "column %s: encoding %s does not "
	    "suit %s", c->cd->path, tq_parquet_encoding_name(o->encoding),
	    tq_parquet_type_name(t));
}

static void
col_release(struct wcol *c)
{
	tq_buf_release(&c->def);
	tq_buf_release(&c->rep);
	tq_buf_release(&c->vals);
	tq_buf_release(&c->vals2);
	tq_buf_release(&c->dict);
	tq_buf_release(&c->pages);
	tq_buf_release(&c->min);
	tq_buf_release(&c->max);
	free(c->dict_off);
	free(c->succ);
	free(c->slots);
	free(c->tags);
	free(c->small);
}

void
tq_parquet_writer_free(struct tq_parquet_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->cols != NULL)
		for (i = 0; i < w->s->n_columns; i++)
			col_release(&w->cols[i]);
	for (i = 0; i < w->n_rgs; i++)
		free(w->rgs[i].chunks);
	for (i = 0; i < w->n_kv; i++) {
		free((char *)w->kv[i].key);
		free((char *)w->kv[i].value);
	}
	free(w->kv);
	free(w->rgs);
	free(w->cols);
	free(w->size);
	tq_buf_release(&w->page);
	tq_buf_release(&w->body);
	tq_buf_release(&w->alt);
	tq_buf_release(&w->hdr);
	tq_buf_release(&w->sdef);
	tq_buf_release(&w->srep);
	for (i = 0; i < LV_MEMOS; i++)
		tq_buf_release(&w->memo[i].enc);
	for (i = 0; i < PAGE_MEMOS; i++) {
		tq_buf_release(&w->pmemo[i].raw);
		tq_buf_release(&w->pmemo[i].out);
	}
	pq_codec_ctx_release(&w->codec);
	free(w);
}

uint64_t
tq_parquet_writer_bytes(const struct tq_parquet_writer *w)
{
	return w->off;
}

int
tq_parquet_writer_add_kv(struct tq_parquet_writer *w, const char *key,
    const char *value, struct tq_err *err)
{
	struct pq_kv *kv;

	if ((kv = realloc(w->kv, (w->n_kv + 1) * sizeof(*kv))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "parquet writer: out of memory");
	w->kv = kv;
	kv[w->n_kv].key = strdup(key);
	kv[w->n_kv].value = value != NULL ? strdup(value) : NULL;
	if (kv[w->n_kv].key == NULL || (value != NULL &&
	    kv[w->n_kv].value == NULL)) {
		free((char *)kv[w->n_kv].key);
		free((char *)kv[w->n_kv].value);
		return tq_err_set(err, TQ_ENOMEM, "parquet writer: out of memory");
	}
	w->n_kv++;
	return 0;
}

/* ---- Statistics ---- */

static struct tq_parquet_value
as_value(const struct wcol *c, const uint8_t *p, size_t len)
{
	struct tq_parquet_value v;

	memset(&v, 0, sizeof(v));
	v.type = c->cd->type;
	switch (v.type) {
	case TQ_PARQUET_BOOLEAN: v.b = p[0] != 0; break;
	case TQ_PARQUET_INT32: memcpy(&v.i32, p, 4); break;
	case TQ_PARQUET_INT64: memcpy(&v.i64, p, 8); break;
	case TQ_PARQUET_FLOAT: memcpy(&v.f32, p, 4); break;
	case TQ_PARQUET_DOUBLE: memcpy(&v.f64, p, 8); break;
	default:
		v.ptr = p;
		v.len = len;
	}
	return v;
}

static int
set_buf(struct tq_buf *b, const uint8_t *p, size_t len)
{
	tq_buf_reset(b);
	return tq_buf_append(b, p, len);
}

/* be64 reads 8 bytes as a big-endian number, which orders as they do. */
static inline uint64_t
be64(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/*
 * bytes_cmp orders byte strings as unsigned bytes, shorter first on ties;
 * the first 8 bytes (which tell most IDs apart) as one number.
 */
static inline int
bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c;

	if (n >= 8) {
		uint64_t x = be64(a), y = be64(b);

		if (x != y)
			return x < y ? -1 : 1;
	}
	c = n ? memcmp(a, b, n) : 0;
	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
update_stats(struct wcol *c, const uint8_t *p, size_t len)
{
	struct tq_parquet_value v, lo, hi;
	int rc;

	if (c->has_minmax) {
		/* Numbers compare in place; the rest through pq_compare. */
		switch (c->cd->type) {
		case TQ_PARQUET_INT64: {
			int64_t x, a, b;

			if (c->cd->logical.kind == TQ_PARQUET_LT_INT &&
			    !c->cd->logical.is_signed) {
				uint64_t ux, ua, ub;

				memcpy(&ux, p, 8);
				memcpy(&ua, c->min.data, 8);
				memcpy(&ub, c->max.data, 8);
				if (ux < ua)
					memcpy(c->min.data, p, 8);
				else if (ux > ub)
					memcpy(c->max.data, p, 8);
				return 0;
			}
			memcpy(&x, p, 8);
			memcpy(&a, c->min.data, 8);
			memcpy(&b, c->max.data, 8);
			if (x < a)
				memcpy(c->min.data, p, 8);
			else if (x > b)
				memcpy(c->max.data, p, 8);
			return 0;
		}
		case TQ_PARQUET_INT32: {
			int32_t x, a, b;

			if (c->cd->logical.kind == TQ_PARQUET_LT_INT &&
			    !c->cd->logical.is_signed) {
				uint32_t ux, ua, ub;

				memcpy(&ux, p, 4);
				memcpy(&ua, c->min.data, 4);
				memcpy(&ub, c->max.data, 4);
				if (ux < ua)
					memcpy(c->min.data, p, 4);
				else if (ux > ub)
					memcpy(c->max.data, p, 4);
				return 0;
			}
			memcpy(&x, p, 4);
			memcpy(&a, c->min.data, 4);
			memcpy(&b, c->max.data, 4);
			if (x < a)
				memcpy(c->min.data, p, 4);
			else if (x > b)
				memcpy(c->max.data, p, 4);
			return 0;
		}
		case TQ_PARQUET_BOOLEAN: {
			uint8_t x = p[0] != 0;

			if (x < (c->min.data[0] != 0))
				c->min.data[0] = x;
			else if (x > (c->max.data[0] != 0))
				c->max.data[0] = x;
			return 0;
		}
		case TQ_PARQUET_DOUBLE: {
			double x, a, b;

			memcpy(&x, p, 8);
			memcpy(&a, c->min.data, 8);
			memcpy(&b, c->max.data, 8);
			if (x != x)
				return 0;
			/* -0.0 and 0.0 compare equal: the first one stays. */
			if (x < a)
				memcpy(c->min.data, p, 8);
			else if (x > b)
				memcpy(c->max.data, p, 8);
			return 0;
		}
		case TQ_PARQUET_BYTE_ARRAY:
		case TQ_PARQUET_FIXED_LEN_BYTE_ARRAY:
			if (bytes_cmp(p, len, c->min.data, c->min.len) < 0)
				return set_buf(&c->min, p, len);
			if (bytes_cmp(p, len, c->max.data, c->max.len) > 0)
				return set_buf(&c->max, p, len);
			return 0;
		}
	}
	v = as_value(c, p, len);
	if ((v.type == TQ_PARQUET_FLOAT && v.f32 != v.f32) ||
	    (v.type == TQ_PARQUET_DOUBLE && v.f64 != v.f64))
		return 0;
	if (!c->has_minmax) {
		c->has_minmax = true;
		if ((rc = set_buf(&c->min, p, len)) != 0)
			return rc;
		return set_buf(&c->max, p, len);
	}
	lo = as_value(c, c->min.data, c->min.len);
	hi = as_value(c, c->max.data, c->max.len);
	if (pq_compare(c->cd, &v, &lo) < 0 &&
	    (rc = set_buf(&c->min, p, len)) != 0)
		return rc;
	if (pq_compare(c->cd, &v, &hi) > 0 &&
	    (rc = set_buf(&c->max, p, len)) != 0)
		return rc;
	return 0;
}

/* ---- Dictionary ---- */

/* dict_entry finds entry i of c, whose values are width bytes (0: byte
 * arrays, whose length it reads). */
static inline const uint8_t *
dict_entry(const struct wcol *c, size_t i, size_t width, size_t *len)
{
	const uint8_t *p = c->dict.data + c->dict_off[i];
	uint32_t n;

	if (width != 0) {
		*len = width;
		return p;
	}
	memcpy(&n, p, 4);
	*len = n;
	return p + 4;
}

/*
 * short_words reads a value of at most 16 bytes as two words that,
 * with its length, tell it apart from any other: the first and last 8
 * bytes (overlapping), or 4, or the first, middle and last byte.
 */
static inline void
short_words(const uint8_t *p, size_t len, uint64_t *a, uint64_t *b)
{
	uint32_t x, y;

	if (len >= 8) {
		memcpy(a, p, 8);
		memcpy(b, p + len - 8, 8);
	} else if (len >= 4) {
		memcpy(&x, p, 4);
		memcpy(&y, p + len - 4, 4);
		*a = x;
		*b = y;
	} else {
		*a = len == 0 ? 0 : (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 |
		    (uint64_t)p[len - 1] << 16;
		*b = 0;
	}
}

/*
 * mid_words reads a value of 17 to 32 bytes as four words that, with its
 * length, tell it apart from any other: its first and last 16 bytes
 * (overlapping).
 */
static inline void
mid_words(const uint8_t *p, size_t len, uint64_t w[4])
{
	memcpy(&w[0], p, 8);
	memcpy(&w[1], p + 8, 8);
	memcpy(&w[2], p + len - 16, 8);
	memcpy(&w[3], p + len - 8, 8);
}

/*
 * value_hash hashes a dictionary value: 4- and 8-byte values (the numbers)
 * by one multiplication, other short ones from their two words, those of
 * up to 32 bytes (most names, keys and IDs as text) from their four, the
 * rest with XXH3.
 */
static inline uint64_t
value_hash(const uint8_t *p, size_t len)
{
	uint64_t v, w, m[4];
	uint32_t v32;

	switch (len) {
	case 8:
		memcpy(&v, p, 8);
		break;
	case 4:
		memcpy(&v32, p, 4);
		v = v32;
		break;
	default:
		if (len > 32)
			return XXH3_64bits(p, len);
		if (len > 16) {
			mid_words(p, len, m);
			v = (m[0] ^ 0x9e3779b97f4a7c15ull) *
			    (m[1] ^ 0xc2b2ae3d27d4eb4full);
			w = (m[2] ^ 0x165667b19e3779f9ull) *
			    (m[3] ^ 0x27d4eb2f165667c5ull);
			v = (v ^ v >> 32) + (w ^ w >> 29) + len;
			break;
		}
		short_words(p, len, &v, &w);
		v ^= (w ^ len) * 0xc2b2ae3d27d4eb4full;
		break;
	}
	v *= 0x9e3779b97f4a7c15ull;
	return v ^ v >> 29;
}

static int
dict_grow(struct wcol *c)
{
	size_t n = c->n_slots ? c->n_slots * 2 : 1024, i, j;
	uint32_t *slots = calloc(n, sizeof(*slots));
	uint32_t *tags = malloc(n * sizeof(*tags));

	if (slots == NULL || tags == NULL) {
		free(slots);
		free(tags);
		return TQ_ENOMEM;
	}
	for (i = 0; i < c->dict_n; i++) {
		size_t len;
		const uint8_t *p = dict_entry(c, i, c->width, &len);
		uint64_t h = value_hash(p, len);

		j = h & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)i + 1;
		tags[j] = (uint32_t)(h >> 32);
	}
	free(c->slots);
	free(c->tags);
	c->slots = slots;
	c->tags = tags;
	c->n_slots = n;
	return 0;
}

/* same_entry says whether entry i holds the len bytes at p; width is
 * c->width, a constant where the caller knows it. */
static inline bool
same_entry(const struct wcol *c, uint32_t i, const uint8_t *p, size_t len,
    size_t width)
{
	size_t elen;
	const uint8_t *e = dict_entry(c, i, width, &elen);

	switch (width) {
	case 4:
		return memcmp(e, p, 4) == 0;
	case 8:
		return memcmp(e, p, 8) == 0;
	default:
		if (elen != len)
			return false;
		if (len <= 16) {
			uint64_t a, b, x, y;

			short_words(e, len, &a, &b);
			short_words(p, len, &x, &y);
			return a == x && b == y;
		}
		if (len <= 32) {
			uint64_t a[4], x[4];

			mid_words(e, len, a);
			mid_words(p, len, x);
			return ((a[0] ^ x[0]) | (a[1] ^ x[1]) | (a[2] ^ x[2]) |
			    (a[3] ^ x[3])) == 0;
		}
		return memcmp(e, p, len) == 0;
	}
}

/*
 * dict_lookup finds or adds a value; *idx gets its entry, *added if new.
 * Values often repeat the one before (a column of zeros, a scope's
 * name) or the one that came after it last time (attribute keys, in the
 * order each span has them), which are checked before hashing.
 */
static int dict_find(struct wcol *, const uint8_t *, size_t, uint32_t *,
    bool *);

static inline int
dict_lookup(struct wcol *c, const uint8_t *p, size_t len, size_t width,
    uint32_t *idx, bool *added)
{
	uint32_t prev = c->last, s;
	int rc;

	if (prev != 0) {
		if (same_entry(c, prev - 1, p, len, width)) {
			*idx = prev - 1;
			*added = false;
			return 0;
		}
		if ((s = c->succ[prev - 1]) != 0 && same_entry(c, s - 1, p,
		    len, width)) {
			*idx = s - 1;
			c->last = s;
			*added = false;
			return 0;
		}
	}
	/*
	 * Strings (Tempo's attribute keys and values, names) are looked up
	 * here, without a call: the dictionary mostly has them.
	 */
	if (width == 0 && c->n_slots > 0) {
		uint64_t h = value_hash(p, len);
		uint32_t tag = (uint32_t)(h >> 32);
		size_t j = h & (c->n_slots - 1);

		while ((s = c->slots[j]) != 0) {
			if (c->tags[j] == tag && same_entry(c, s - 1, p, len,
			    0)) {
				*idx = s - 1;
				c->last = s;
				*added = false;
				if (prev != 0)
					c->succ[prev - 1] = s;
				return 0;
			}
			j = (j + 1) & (c->n_slots - 1);
		}
	}
	if ((rc = dict_find(c, p, len, idx, added)) == 0 && prev != 0)
		c->succ[prev - 1] = c->last;
	return rc;
}

/* dict_find is dict_lookup after the checks of the entries expected. */
static int dict_insert(struct wcol *, const uint8_t *, size_t, uint32_t *,
    bool *);

static int
dict_find(struct wcol *c, const uint8_t *p, size_t len, uint32_t *idx,
    bool *added)
{
	int rc;

	/* Small integers (counts, kinds, codes) are looked up directly. */
	if (c->cd->type == TQ_PARQUET_INT32 || c->cd->type == TQ_PARQUET_INT64) {
		uint64_t x;
		uint32_t x32;

		/* In memory, as PLAIN: little-endian. */
		if (c->width == 4) {
			memcpy(&x32, p, 4);
			x = x32;
		} else
			memcpy(&x, p, 8);
		if (x < SMALL_INTS) {
			if (c->small == NULL && (c->small = calloc(SMALL_INTS,
			    sizeof(*c->small))) == NULL)
				return TQ_ENOMEM;
			if (c->small[x] != 0) {
				*idx = c->small[x] - 1;
				c->last = c->small[x];
				*added = false;
				return 0;
			}
			if ((rc = dict_insert(c, p, len, idx, added)) == 0)
				c->small[x] = *idx + 1;
			return rc;
		}
	}
	return dict_insert(c, p, len, idx, added);
}

/* dict_insert finds or adds a value by its hash (see dict_lookup). */
static int
dict_insert(struct wcol *c, const uint8_t *p, size_t len, uint32_t *idx,
    bool *added)
{
	size_t j;
	uint64_t h;
	uint32_t n32 = (uint32_t)len, tag;
	int rc;

	if (c->dict_n * 2 >= c->n_slots && (rc = dict_grow(c)) != 0)
		return rc;
	h = value_hash(p, len);
	tag = (uint32_t)(h >> 32);
	j = h & (c->n_slots - 1);
	while (c->slots[j] != 0) {
		if (c->tags[j] == tag && same_entry(c, c->slots[j] - 1, p,
		    len, c->width)) {
			*idx = c->slots[j] - 1;
			c->last = c->slots[j];
			*added = false;
			return 0;
		}
		j = (j + 1) & (c->n_slots - 1);
	}
	if (c->dict_n == c->dict_cap) {
		size_t cap = c->dict_cap ? c->dict_cap * 2 : 256;
		uint32_t *o = realloc(c->dict_off, cap * sizeof(*o));

		if (o == NULL)
			return TQ_ENOMEM;
		c->dict_off = o;
		if ((o = realloc(c->succ, cap * sizeof(*o))) == NULL)
			return TQ_ENOMEM;
		c->succ = o;
		c->dict_cap = cap;
	}
	c->dict_off[c->dict_n] = (uint32_t)c->dict.len;
	c->succ[c->dict_n] = 0;
	if ((c->width == 0 && (rc = tq_buf_append(&c->dict, &n32, 4)) != 0) ||
	    (rc = tq_buf_append(&c->dict, p, len)) != 0)
		return rc;
	c->slots[j] = (uint32_t)c->dict_n + 1;
	c->tags[j] = tag;
	*idx = (uint32_t)c->dict_n++;
	c->last = *idx + 1;
	*added = true;
	return 0;
}

static void
dict_reset(struct wcol *c)
{
	tq_buf_reset(&c->dict);
	c->dict_n = 0;
	c->last = 0;
	if (c->small != NULL)
		memset(c->small, 0, SMALL_INTS * sizeof(*c->small));
	if (c->slots != NULL)
		memset(c->slots, 0, c->n_slots * sizeof(*c->slots));
	c->dict_active = c->use_dict;
	c->dict_full = false;
}

/* ---- Pages ---- */

/*
 * levels_v1 appends the n levels in lv (of at most max) to b as a data
 * page v1 has them: their length, then RLE/bit-packed; the same levels
 * as one of the last LV_MEMOS encoded are copied from w's memo.
 */
static int
levels_v1(struct tq_parquet_writer *w, struct tq_buf *b,
    const struct tq_buf *lv, size_t n, int max)
{
	size_t at = b->len, k;
	int bw = pq_bit_width((uint64_t)max), rc;
	struct lv_memo *m;
	uint32_t len;

	for (k = 0; k < LV_MEMOS; k++) {
		m = &w->memo[k];
		if (m->bw == bw && m->gen == w->lv_gen && m->n == n &&
		    memcmp(m->src, lv->data, 2 * n) == 0) {
			len = (uint32_t)m->enc.len;
			if ((rc = tq_buf_append(b, &len, 4)) != 0)
				return rc;
			return tq_buf_append(b, m->enc.data, m->enc.len);
		}
	}
	if ((rc = tq_buf_append(b, "\0\0\0\0", 4)) != 0 ||
	    (rc = pq_rle_encode16((const uint16_t *)lv->data, n, bw, b)) != 0)
		return rc;
	len = (uint32_t)(b->len - at - 4);
	memcpy(b->data + at, &len, 4);
	m = &w->memo[w->memo_next];
	w->memo_next = (w->memo_next + 1) % LV_MEMOS;
	m->bw = -1;
	if ((rc = set_buf(&m->enc, b->data + at + 4, len)) != 0)
		return rc;
	m->src = (const uint16_t *)lv->data;
	m->n = n;
	m->gen = w->lv_gen;
	m->bw = bw;
	return 0;
}

/* encode_values appends the open page's values in their encoding. */
static int
encode_values(struct wcol *c, int enc, struct tq_buf *b)
{
	size_t i, n = c->n_values;
	int rc;

	if (enc == TQ_PARQUET_RLE_DICTIONARY ||
	    enc == TQ_PARQUET_PLAIN_DICTIONARY) {
		int bw = pq_bit_width(c->dict_n > 0 ? c->dict_n - 1 : 0);
		uint8_t bb = (uint8_t)bw;

		if ((rc = tq_buf_append(b, &bb, 1)) != 0)
			return rc;
		return pq_rle_encode((const uint32_t *)c->vals.data, n, bw, b);
	}
	if (c->cd->type == TQ_PARQUET_BOOLEAN) {
		const uint8_t *v = c->vals.data;

		if (enc == TQ_PARQUET_RLE) {
			size_t at = b->len;
			uint32_t *tmp = malloc((n ? n : 1) * sizeof(*tmp)), len;

			if (tmp == NULL)
				return TQ_ENOMEM;
			for (i = 0; i < n; i++)
				tmp[i] = v[i];
			rc = tq_buf_append(b, "\0\0\0\0", 4);
			if (rc == 0)
				rc = pq_rle_encode(tmp, n, 1, b);
			free(tmp);
			if (rc != 0)
				return rc;
			len = (uint32_t)(b->len - at - 4);
			memcpy(b->data + at, &len, 4);
			return 0;
		}
		if ((rc = tq_buf_reserve(b, (n + 7) / 8)) != 0)
			return rc;
		memset(b->data + b->len, 0, (n + 7) / 8);
		for (i = 0; i < n; i++)
			b->data[b->len + i / 8] |= (uint8_t)(v[i] << (i % 8));
		b->len += (n + 7) / 8;
		return 0;
	}
	if (enc == TQ_PARQUET_DELTA_BINARY_PACKED)
		return pq_delta_encode((const int64_t *)c->vals.data, n,
		    c->cd->type == TQ_PARQUET_INT32, b);
	if (enc == TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY) {
		if ((rc = pq_delta_encode((const int64_t *)c->vals.data, n,
		    true, b)) != 0)
			return rc;
		return tq_buf_append(b, c->vals2.data, c->vals2.len);
	}
	return tq_buf_append(b, c->vals.data, c->vals.len);
}

static int
add_page(struct tq_parquet_writer *w, struct wcol *c,
    const struct pq_page_header *h, const struct tq_buf *body)
{
	int rc;

	tq_buf_reset(&w->hdr);
	if ((rc = pq_page_header_encode(h, &w->hdr)) != 0 ||
	    (rc = tq_buf_append(&c->pages, w->hdr.data, w->hdr.len)) != 0 ||
	    (rc = tq_buf_append(&c->pages, body->data, body->len)) != 0)
		return rc;
	c->rg_uncompressed += (int64_t)w->hdr.len + h->uncompressed_size;
	return 0;
}

/* dict_encoding is the encoding named for dictionary-encoded pages. */
static int
dict_encoding(const struct tq_parquet_writer *w)
{
	return w->o.plain_dictionary ? TQ_PARQUET_PLAIN_DICTIONARY :
	    TQ_PARQUET_RLE_DICTIONARY;
}

/*
 * compress_page appends the len bytes at p to w->body compressed with
 * codec, from w's page memo when they are one of the pages there.
 */
static int
compress_page(struct tq_parquet_writer *w, int codec, const uint8_t *p,
    size_t len, struct tq_err *err)
{
	struct page_memo *m;
	size_t at = w->body.len, k;
	int rc;

	if (len > PAGE_MEMO_MAX || codec == TQ_PARQUET_UNCOMPRESSED)
		return pq_compress(&w->codec, codec, w->o.zstd_level, p, len,
		    &w->body, err);
	for (k = 0; k < PAGE_MEMOS; k++) {
		m = &w->pmemo[k];
		if (m->codec == codec && m->raw.len == len &&
		    memcmp(m->raw.data, p, len) == 0) {
			if ((rc = tq_buf_append(&w->body, m->out.data,
			    m->out.len)) != 0)
				return tq_err_set(err, rc, "parquet: page of %zu "
				    "bytes: out of memory", len);
			return 0;
		}
	}
	if ((rc = pq_compress(&w->codec, codec, w->o.zstd_level, p, len,
	    &w->body, err)) != 0)
		return rc;
	m = &w->pmemo[w->pmemo_next];
	w->pmemo_next = (w->pmemo_next + 1) % PAGE_MEMOS;
	m->codec = -1;
	if (set_buf(&m->raw, p, len) == 0 &&
	    set_buf(&m->out, w->body.data + at, w->body.len - at) == 0)
		m->codec = codec;
	return 0;
}

/*
 * pack_page appends the len bytes at p to w->body compressed (with store,
 * only in the codec's framing: see pq_store); when compressing saves less
 * than c's minimum, they are stored instead, from the body's byte keep.
 * A page that saved over five points less than the minimum has the
 * column's next three stored without trying (the column's values are of
 * one kind from row group to row group), then one is tried again.
 */
static int
pack_page(struct tq_parquet_writer *w, struct wcol *c, bool store,
    const uint8_t *p, size_t len, size_t keep, struct tq_err *err)
{
	bool tried = false;
	int rc;

	if (!store && c->min_saving > 0 && c->codec == TQ_PARQUET_ZSTD) {
		if (c->untried > 0) {
			c->untried--;
			store = true;
		} else
			tried = true;
	}
	if (!store && (rc = compress_page(w, c->codec, p, len, err)) != 0)
		return rc;
	if (!store && (c->min_saving == 0 || c->codec != TQ_PARQUET_ZSTD ||
	    (w->body.len - keep) * 100 <= len * (100 - c->min_saving)))
		return 0;
	if (tried && c->min_saving > 5 &&
	    (w->body.len - keep) * 100 > len * (105 - c->min_saving))
		c->untried = 3;
	w->body.len = keep;
	return pq_store(&w->codec, c->codec, w->o.zstd_level, p, len, &w->body,
	    err);
}

/*
 * build_page encodes the open page of c with data encoding enc and
 * compresses it into w->body (when store, only in the codec's framing:
 * see pq_store), filling in *h.
 */
static int
build_page(struct tq_parquet_writer *w, struct wcol *c, int enc,
    size_t nulls, bool store, struct pq_page_header *h, struct tq_err *err)
{
	size_t lv_len;
	int rc;

	memset(h, 0, sizeof(*h));
	h->num_values = (int32_t)c->n_levels;
	h->encoding = enc;
	tq_buf_reset(&w->page);
	tq_buf_reset(&w->body);
	if (w->o.page_version == 1) {
		h->type = PQ_PAGE_DATA;
		if ((c->cd->max_rep > 0 && (rc = levels_v1(w, &w->page, &c->rep,
		    c->n_levels, c->cd->max_rep)) != 0) ||
		    (c->cd->max_def > 0 && (rc = levels_v1(w, &w->page, &c->def,
		    c->n_levels, c->cd->max_def)) != 0) ||
		    (rc = encode_values(c, enc, &w->page)) != 0)
			return rc;
		if ((rc = pack_page(w, c, store, w->page.data, w->page.len, 0,
		    err)) != 0)
			return rc;
		h->uncompressed_size = (int32_t)w->page.len;
	} else {
		h->type = PQ_PAGE_DATA_V2;
		h->num_nulls = (int32_t)nulls;
		h->num_rows = (int32_t)c->n_rows;
		if (c->cd->max_rep > 0 && (rc = pq_rle_encode16(
		    (const uint16_t *)c->rep.data, c->n_levels,
		    pq_bit_width((uint64_t)c->cd->max_rep), &w->body)) != 0)
			return rc;
		h->rep_len = (int32_t)w->body.len;
		if (c->cd->max_def > 0 && (rc = pq_rle_encode16(
		    (const uint16_t *)c->def.data, c->n_levels,
		    pq_bit_width((uint64_t)c->cd->max_def), &w->body)) != 0)
			return rc;
		h->def_len = (int32_t)w->body.len - h->rep_len;
		lv_len = w->body.len;
		if ((rc = encode_values(c, enc, &w->page)) != 0)
			return rc;
		h->is_compressed = c->codec != TQ_PARQUET_UNCOMPRESSED;
		if ((rc = pack_page(w, c, store, w->page.data, w->page.len,
		    lv_len, err)) != 0)
			return rc;
		h->uncompressed_size = (int32_t)(lv_len + w->page.len);
	}
	h->compressed_size = (int32_t)w->body.len;
	return 0;
}

/*
 * pick_delta builds the open page of c, PLAIN integers, into w->body as
 * DELTA_BINARY_PACKED when that is no larger than PLAIN compressed, else
 * PLAIN; *h and *enc say which.  Unpacking deltas is many times quicker
 * than decompressing, but deltas of values in no order are often larger.
 * zstd takes a few tenths of a percent off deltas, not worth compressing
 * them for: they are stored (pq_store).  After a page of the chunk went
 * DELTA, the next three whose deltas take no more bytes per value than
 * that page's and an eighth go DELTA without compressing PLAIN to see:
 * values of the same spread in a chunk of the same kind.
 */
static int
pick_delta(struct tq_parquet_writer *w, struct wcol *c, size_t nulls,
    struct pq_page_header *h, int *enc, struct tq_err *err)
{
	struct pq_page_header dh;
	struct tq_buf plain, delta;
	int rc;

	if ((rc = build_page(w, c, TQ_PARQUET_DELTA_BINARY_PACKED, nulls,
	    true, &dh, err)) != 0)
		return rc;
	if (c->delta_values > 0 && c->delta_unseen < 3 &&
	    (uint64_t)w->body.len * c->delta_values * 8 <=
	    (uint64_t)c->delta_bytes * c->n_values * 9) {
		c->delta_unseen++;
		*h = dh;
		*enc = TQ_PARQUET_DELTA_BINARY_PACKED;
		return 0;
	}
	/* The DELTA body is kept aside; the spare takes the other. */
	delta = w->body;
	w->body = w->alt;
	rc = build_page(w, c, TQ_PARQUET_PLAIN, nulls, false, h, err);
	plain = w->body;
	if (rc == 0 && delta.len <= plain.len) {
		*h = dh;
		*enc = TQ_PARQUET_DELTA_BINARY_PACKED;
		w->body = delta;
		w->alt = plain;
		c->delta_bytes = delta.len;
		c->delta_values = c->n_values;
	} else {
		*enc = TQ_PARQUET_PLAIN;
		w->alt = delta;
		c->delta_values = 0;
	}
	c->delta_unseen = 0;
	return rc;
}

/* cut_page encodes, compresses and stores the open page of c. */
static int
cut_page(struct tq_parquet_writer *w, struct wcol *c, struct tq_err *err)
{
	struct pq_page_header h;
	size_t nulls = 0;
	int enc, rc;

	if (c->n_levels == 0)
		return 0;
	/* A page of nulls alone has no dictionary to point into. */
	enc = c->dict_active && c->n_values > 0 ? dict_encoding(w) :
	    c->encoding;
	/* Each entry at max_def has a value, the others are nulls. */
	if (c->cd->max_def > 0)
		nulls = c->n_levels - c->n_values;
	if (c->delta_if_smaller && enc == TQ_PARQUET_PLAIN && c->n_values > 0)
		rc = pick_delta(w, c, nulls, &h, &enc, err);
	else
		rc = build_page(w, c, enc, nulls, false, &h, err);
	if (rc != 0)
		goto fail;
	if ((rc = add_page(w, c, &h, &w->body)) != 0)
		goto fail;
	c->encodings |= 1u << enc;
	c->data_encodings |= 1u << enc;
	if (c->cd->max_def > 0 || c->cd->max_rep > 0)
		c->encodings |= 1u << TQ_PARQUET_RLE;
	c->nulls += (int64_t)nulls;
	c->n_levels = c->n_values = c->n_rows = 0;
	tq_buf_reset(&c->def);
	tq_buf_reset(&c->rep);
	tq_buf_reset(&c->vals);
	tq_buf_reset(&c->vals2);
	if (c->dict_full)
		c->dict_active = false;
	return 0;
fail:
	return tq_err_prefix(err, rc, "column %s: page", c->cd->path);
}

/* putn appends n bytes, without a call while there is room. */
static inline int
putn(struct tq_buf *b, const void *p, size_t n)
{
	/* cap may pass max by one byte (for printf's NUL): check both. */
	if (b->cap - b->len >= n && b->max - b->len >= n) {
		if (n > 0)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		return 0;
	}
	return tq_buf_append(b, p, n);
}

/* put2 appends a 16-bit level, without a call while there is room. */
static inline int
put2(struct tq_buf *b, uint16_t v)
{
	if (b->cap - b->len >= 2 && b->max - b->len >= 2) {
		memcpy(b->data + b->len, &v, 2);
		b->len += 2;
		return 0;
	}
	return tq_buf_append(b, &v, 2);
}

static size_t
page_bytes(const struct wcol *c)
{
	return c->vals.len + c->vals2.len + c->n_levels / 2;
}

/*
 * add_value adds the value at p (len bytes; for fixed types the value in
 * memory, which is PLAIN) of an entry whose levels are in.
 */
static int
add_value(struct tq_parquet_writer *w, struct wcol *c, const void *p,
    size_t len)
{
	uint32_t n32 = (uint32_t)len, idx;
	bool added;
	int rc;

	if (c->cd->type == TQ_PARQUET_BYTE_ARRAY && len > UINT32_MAX / 2)
		return TQ_ELIMIT;
	c->n_values++;
	if (c->dict_active) {
		if ((rc = dict_lookup(c, p, len, c->width, &idx,
		    &added)) != 0 ||
		    (rc = putn(&c->vals, &idx, 4)) != 0)
			return rc;
		if (added && (rc = update_stats(c, p, len)) != 0)
			return rc;
		if (c->dict.len > w->o.dict_max)
			c->dict_full = true;
		return 0;
	}
	if ((rc = update_stats(c, p, len)) != 0)
		return rc;
	switch (c->encoding) {
	case TQ_PARQUET_DELTA_BINARY_PACKED: {
		int64_t v;

		if (c->cd->type == TQ_PARQUET_INT32) {
			int32_t v32;

			memcpy(&v32, p, 4);
			v = v32;
		} else
			memcpy(&v, p, 8);
		return putn(&c->vals, &v, 8);
	}
	case TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY: {
		int64_t l = (int64_t)len;

		if ((rc = putn(&c->vals, &l, 8)) == 0)
			rc = putn(&c->vals2, p, len);
		return rc;
	}
	default:
		if (c->width == 0 && (rc = putn(&c->vals, &n32, 4)) != 0)
			return rc;
		return putn(&c->vals, p, len);
	}
}

/* run_values counts the values of the entries [i, j) of batch b, the
 * batch's values from v on. */
static inline size_t
run_values(const struct wcol *c, const struct tq_parquet_batch *b, size_t i,
    size_t j, size_t v)
{
	const uint16_t md = (uint16_t)c->cd->max_def;
	size_t k, n;

	if (b->def == NULL)
		return j - i;
	if (i == 0 && j == b->n_levels)
		return b->n_values - v;
	for (n = 0, k = i; k < j; k++)
		n += b->def[k] == md;
	return n;
}

/* dict_put looks one value up in the dictionary and writes its index
 * at *out (room the caller made in vals, and counts); width is c->width
 * (see same_entry). */
static inline int
dict_put(struct wcol *c, const uint8_t *p, size_t len, size_t width,
    uint8_t **out)
{
	uint32_t idx;
	bool added;
	int rc;

	if ((rc = dict_lookup(c, p, len, width, &idx, &added)) != 0)
		return rc;
	memcpy(*out, &idx, 4);
	*out += 4;
	return added ? update_stats(c, p, len) : 0;
}

/*
 * add_dict_run is add_value for the entries [i, j) of batch b while the
 * dictionary takes the column's values; *v is the batch's next value.
 * The run's values are the batch's next ones, walked without its levels
 * (which only say how many there are).
 */
static int
add_dict_run(struct tq_parquet_writer *w, struct wcol *c,
    const struct tq_parquet_batch *b, size_t i, size_t j, size_t *v)
{
	size_t k, n, end;
	uint8_t *out;
	int rc;

	n = run_values(c, b, i, j, *v);
	if ((rc = tq_buf_reserve(&c->vals, 4 * n)) != 0)
		return rc;
	out = c->vals.data + c->vals.len;
	end = *v + n;
	if (c->cd->type == TQ_PARQUET_BYTE_ARRAY) {
		for (k = *v; k < end; k++) {
			size_t len = b->off[k + 1] - b->off[k];

			if (len > UINT32_MAX / 2)
				return TQ_ELIMIT;
			if ((rc = dict_put(c, b->data + b->off[k], len, 0,
			    &out)) != 0)
				return rc;
		}
	} else {
		const uint8_t *base;

		switch (c->cd->type) {
		case TQ_PARQUET_INT32: base = (const uint8_t *)b->i32; break;
		case TQ_PARQUET_INT64: base = (const uint8_t *)b->i64; break;
		case TQ_PARQUET_FLOAT: base = (const uint8_t *)b->f32; break;
		default: base = (const uint8_t *)b->f64; break;
		}
		/* The usual widths as constants, for dict_put's checks. */
		if (c->width == 8) {
			for (k = *v; k < end; k++)
				if ((rc = dict_put(c, base + 8 * k, 8, 8,
				    &out)) != 0)
					return rc;
		} else if (c->width == 4) {
			for (k = *v; k < end; k++)
				if ((rc = dict_put(c, base + 4 * k, 4, 4,
				    &out)) != 0)
					return rc;
		} else
			for (k = *v; k < end; k++)
				if ((rc = dict_put(c, base + k * c->width,
				    c->width, c->width, &out)) != 0)
					return rc;
	}
	/* (On failure the writer is failed: these need not be right.) */
	c->vals.len += 4 * n;
	c->n_values += n;
	*v = end;
	if (c->dict.len > w->o.dict_max)
		c->dict_full = true;
	return 0;
}

/*
 * first_stats starts the statistics of c with the value at p (len bytes)
 * when it has none yet; says whether it did.
 */
static int
first_stats(struct wcol *c, const uint8_t *p, size_t len, bool *did)
{
	*did = !c->has_minmax;
	return c->has_minmax ? 0 : update_stats(c, p, len);
}

/*
 * MINMAX(NAME, S, U) defines NAME(c, x, from, n, is_unsigned), which
 * widens c's statistics by integers from .. n - 1 at x, of the signed
 * type S (U unsigned), compared as U when is_unsigned.
 */
#define MINMAX(NAME, S, U)						\
static void								\
NAME(struct wcol *c, const uint8_t *x, size_t from, size_t n,		\
    bool is_unsigned)							\
{									\
	S lo, hi;							\
	U ulo, uhi;							\
	size_t k;							\
									\
	memcpy(&lo, c->min.data, sizeof(S));				\
	memcpy(&hi, c->max.data, sizeof(S));				\
	ulo = (U)lo;							\
	uhi = (U)hi;							\
	for (k = from; k < n; k++) {					\
		S y;							\
									\
		memcpy(&y, x + sizeof(S) * k, sizeof(S));		\
		if (is_unsigned) {					\
			ulo = (U)y < ulo ? (U)y : ulo;			\
			uhi = (U)y > uhi ? (U)y : uhi;			\
		} else {						\
			lo = y < lo ? y : lo;				\
			hi = y > hi ? y : hi;				\
		}							\
	}								\
	if (is_unsigned) {						\
		lo = (S)ulo;						\
		hi = (S)uhi;						\
	}								\
	memcpy(c->min.data, &lo, sizeof(S));				\
	memcpy(c->max.data, &hi, sizeof(S));				\
}

MINMAX(minmax64, int64_t, uint64_t)
MINMAX(minmax32, int32_t, uint32_t)

/*
 * plain_ints adds the n integers at x (4 or 8 bytes each: c->width) of
 * a column without a dictionary, PLAIN or DELTA_BINARY_PACKED: the
 * statistics (as update_stats keeps them) and the values of the whole
 * run at once.
 */
static int
plain_ints(struct wcol *c, const uint8_t *x, size_t n)
{
	bool is_unsigned = c->cd->logical.kind == TQ_PARQUET_LT_INT &&
	    !c->cd->logical.is_signed, did;
	size_t k;
	uint8_t *o;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = first_stats(c, x, c->width, &did)) != 0)
		return rc;
	if (c->width == 8) {
		minmax64(c, x, did ? 1 : 0, n, is_unsigned);
		/* PLAIN and DELTA_BINARY_PACKED both keep them as they are. */
		return putn(&c->vals, x, 8 * n);
	}
	minmax32(c, x, did ? 1 : 0, n, is_unsigned);
	if (c->encoding != TQ_PARQUET_DELTA_BINARY_PACKED)
		return putn(&c->vals, x, 4 * n);
	/* DELTA_BINARY_PACKED keeps each as 64 bits until the page. */
	if ((rc = tq_buf_reserve(&c->vals, 8 * n)) != 0)
		return rc;
	o = c->vals.data + c->vals.len;
	for (k = 0; k < n; k++) {
		int32_t y;
		int64_t y64;

		memcpy(&y, x + 4 * k, 4);
		y64 = y;
		memcpy(o + 8 * k, &y64, 8);
	}
	c->vals.len += 8 * n;
	return 0;
}

/*
 * plain_bools adds the n booleans at x (a byte each, kept as given) of a
 * column without a dictionary, with their statistics.
 */
static int
plain_bools(struct wcol *c, const uint8_t *x, size_t n)
{
	size_t k;
	uint8_t lo, hi;
	bool did;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = first_stats(c, x, 1, &did)) != 0)
		return rc;
	lo = c->min.data[0];
	hi = c->max.data[0];
	for (k = did ? 1 : 0; k < n; k++) {
		uint8_t y = x[k] != 0;

		if (y < (lo != 0))
			lo = y;
		else if (y > (hi != 0))
			hi = y;
	}
	c->min.data[0] = lo;
	c->max.data[0] = hi;
	return putn(&c->vals, x, n);
}

/*
 * plain_arrays adds the byte arrays [v, end) of batch b to a column
 * without a dictionary (PLAIN or DELTA_LENGTH_BYTE_ARRAY), with their
 * statistics: the run's least and greatest are found first, then copied
 * once.
 */
static int
plain_arrays(struct wcol *c, const struct tq_parquet_batch *b, size_t v,
    size_t end)
{
	const uint8_t *lo, *hi;
	size_t k, lo_len, hi_len, total;
	bool did, lo_new = false, hi_new = false;
	uint8_t *o;
	int rc;

	if (v == end)
		return 0;
	for (k = v; k < end; k++)
		if (b->off[k + 1] - b->off[k] > UINT32_MAX / 2)
			return TQ_ELIMIT;
	if ((rc = first_stats(c, b->data + b->off[v], b->off[v + 1] -
	    b->off[v], &did)) != 0)
		return rc;
	lo = c->min.data;
	lo_len = c->min.len;
	hi = c->max.data;
	hi_len = c->max.len;
	for (k = did ? v + 1 : v; k < end; k++) {
		const uint8_t *p = b->data + b->off[k];
		size_t len = b->off[k + 1] - b->off[k];

		if (bytes_cmp(p, len, lo, lo_len) < 0) {
			lo = p;
			lo_len = len;
			lo_new = true;
		} else if (bytes_cmp(p, len, hi, hi_len) > 0) {
			hi = p;
			hi_len = len;
			hi_new = true;
		}
	}
	if ((lo_new && (rc = set_buf(&c->min, lo, lo_len)) != 0) ||
	    (hi_new && (rc = set_buf(&c->max, hi, hi_len)) != 0))
		return rc;
	total = b->off[end] - b->off[v];
	if (c->encoding == TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY) {
		if ((rc = tq_buf_reserve(&c->vals, 8 * (end - v))) != 0)
			return rc;
		o = c->vals.data + c->vals.len;
		for (k = v; k < end; k++) {
			int64_t l = (int64_t)(b->off[k + 1] - b->off[k]);

			memcpy(o, &l, 8);
			o += 8;
		}
		c->vals.len += 8 * (end - v);
		return putn(&c->vals2, b->data + b->off[v], total);
	}
	if ((rc = tq_buf_reserve(&c->vals, 4 * (end - v) + total)) != 0)
		return rc;
	o = c->vals.data + c->vals.len;
	for (k = v; k < end; k++) {
		uint32_t l = b->off[k + 1] - b->off[k];

		memcpy(o, &l, 4);
		if (l > 0)
			memcpy(o + 4, b->data + b->off[k], l);
		o += 4 + l;
	}
	c->vals.len += 4 * (end - v) + total;
	return 0;
}

/* add_values adds the values of entries [i, j) of batch b; *v is the
 * batch's next value. */
static int
add_values(struct tq_parquet_writer *w, struct wcol *c,
    const struct tq_parquet_batch *b, size_t i, size_t j, size_t *v)
{
	size_t k, end = *v + run_values(c, b, i, j, *v);
	bool bulk = true;
	int rc = 0;

	/* Without a dictionary, most types go a run at a time. */
	if (!c->dict_active) {
		switch (c->cd->type) {
		case TQ_PARQUET_BOOLEAN:
			rc = plain_bools(c, b->b + *v, end - *v);
			break;
		case TQ_PARQUET_INT32:
			rc = plain_ints(c, (const uint8_t *)(b->i32 + *v),
			    end - *v);
			break;
		case TQ_PARQUET_INT64:
			rc = plain_ints(c, (const uint8_t *)(b->i64 + *v),
			    end - *v);
			break;
		case TQ_PARQUET_BYTE_ARRAY:
			rc = plain_arrays(c, b, *v, end);
			break;
		default:
			bulk = false;
			break;
		}
		if (bulk) {
			if (rc == 0) {
				c->n_values += end - *v;
				*v = end;
			}
			return rc;
		}
	}
	for (k = *v; k < end; k++) {
		const void *p;
		size_t len = c->width;

		switch (c->cd->type) {
		case TQ_PARQUET_BOOLEAN: p = &b->b[k]; break;
		case TQ_PARQUET_INT32: p = &b->i32[k]; break;
		case TQ_PARQUET_INT64: p = &b->i64[k]; break;
		case TQ_PARQUET_FLOAT: p = &b->f32[k]; break;
		case TQ_PARQUET_DOUBLE: p = &b->f64[k]; break;
		case TQ_PARQUET_BYTE_ARRAY:
			p = b->data + b->off[k];
			len = b->off[k + 1] - b->off[k];
			break;
		default:
			p = b->data + k * c->width;
		}
		if ((rc = add_value(w, c, p, len)) != 0)
			return rc;
	}
	*v = end;
	return 0;
}

/*
 * no_cut says whether batch b (checked) surely neither fills c's open
 * page nor its dictionary, so that no page is cut before any of its
 * records: what it adds is bounded by its levels and values (at most 12
 * bytes each, in any encoding) and the bytes of its byte arrays.
 */
static bool
no_cut(const struct tq_parquet_writer *w, const struct wcol *c,
    const struct tq_parquet_batch *b)
{
	size_t data = 0, add;

	if (c->dict_full && c->dict_active)
		return false;
	if (c->cd->type == TQ_PARQUET_BYTE_ARRAY && b->n_values > 0)
		data = b->off[b->n_values] - b->off[0];
	else if (c->cd->type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY)
		data = b->n_values * c->width;
	if (data > c->page_size || b->n_values > c->page_size ||
	    b->n_levels > c->page_size)
		return false;
	add = b->n_levels / 2 + 1 + 12 * b->n_values + data;
	return page_bytes(c) + add < c->page_size &&
	    (!c->dict_active || c->dict.len + add <= w->o.dict_max);
}

/* record_start cuts the open page if it is full, before a new record. */
static int
record_start(struct tq_parquet_writer *w, struct wcol *c, struct tq_err *err)
{
	int rc;

	if (c->n_levels > 0 && (page_bytes(c) >= c->page_size ||
	    (c->dict_full && c->dict_active)) &&
	    (rc = cut_page(w, c, err)) != 0)
		return rc;
	c->n_rows++;
	c->rg_rows++;
	return 0;
}

static int
value_error(struct wcol *c, int rc, struct tq_err *err)
{
	return tq_err_set(err, rc, "column %s: %s", c->cd->path,
	    rc == TQ_ELIMIT ? "value or page too large" : "out of memory");
}

/*
 * append adds one level entry and, when def is max_def, the value at p
 * (len bytes; for fixed types the value in memory, which is PLAIN).
 */
static int
append(struct tq_parquet_writer *w, struct wcol *c, int rep, int def,
    const void *p, size_t len, struct tq_err *err)
{
	uint16_t r16 = (uint16_t)rep, d16 = (uint16_t)def;
	int rc;

	if (rep == 0 && (rc = record_start(w, c, err)) != 0)
		return rc;
	w->lv_gen++;
	if ((c->cd->max_def > 0 && (rc = put2(&c->def, d16)) != 0) ||
	    (c->cd->max_rep > 0 && (rc = put2(&c->rep, r16)) != 0))
		return value_error(c, rc, err);
	c->n_levels++;
	c->rg_levels++;
	if (def != c->cd->max_def)
		return 0;
	if ((rc = add_value(w, c, p, len)) != 0)
		return value_error(c, rc, err);
	return 0;
}

/*
 * level_scan finds the greatest of the n levels at lv and counts those
 * equal to x: in slices whose counts fit 16 bits, so that the compiler
 * can take 8 or 16 levels an instruction.
 */
static void
level_scan(const uint16_t *lv, size_t n, uint16_t x, uint16_t *top,
    size_t *eq)
{
	size_t i, k, m, count = 0;
	uint16_t t = 0;

	for (i = 0; i < n; i += m) {
		uint16_t c16 = 0;

		m = n - i < 32768 ? n - i : 32768;
		for (k = 0; k < m; k++) {
			t = lv[i + k] > t ? lv[i + k] : t;
			c16 += lv[i + k] == x;
		}
		count += c16;
	}
	*top = t;
	*eq = count;
}

/*
 * split_levels splits the n packed levels at lv into def[] and rep[],
 * finding the greatest of each, the number of defs equal to md and of
 * reps equal to 0.
 */
static void
split_levels(const uint32_t *lv, size_t n, uint16_t md, uint16_t *def,
    uint16_t *rep, uint16_t *top_def, size_t *n_md, uint16_t *top_rep,
    size_t *n_r0)
{
	size_t i, k, m, cd = 0, cr = 0;
	uint16_t td = 0, tr = 0;

	/* In slices whose counts fit 16 bits, as level_scan. */
	for (i = 0; i < n; i += m) {
		uint16_t c16 = 0, r16 = 0;

		m = n - i < 32768 ? n - i : 32768;
		for (k = 0; k < m; k++) {
			uint16_t d = (uint16_t)lv[i + k];
			uint16_t r = (uint16_t)(lv[i + k] >> 16);

			td = d > td ? d : td;
			tr = r > tr ? r : tr;
			c16 += d == md;
			r16 += r == 0;
			def[i + k] = d;
			rep[i + k] = r;
		}
		cd += c16;
		cr += r16;
	}
	*top_def = td;
	*n_md = cd;
	*top_rep = tr;
	*n_r0 = cr;
}

/* level_room makes room for n levels at the end of b. */
static int
level_room(struct tq_buf *b, size_t n)
{
	if (b->cap - b->len >= 2 * n && b->max - b->len >= 2 * n)
		return 0;
	return tq_buf_reserve(b, 2 * n);
}

static int write_split(struct tq_parquet_writer *, int,
    const struct tq_parquet_batch *, struct tq_err *);

/* values_ok says whether b has the value array its column's type
 * reads, when it has values. */
static bool
values_ok(const struct wcol *c, const struct tq_parquet_batch *b)
{
	switch (c->cd->type) {
	case TQ_PARQUET_BOOLEAN: return b->n_values == 0 || b->b != NULL;
	case TQ_PARQUET_INT32: return b->n_values == 0 || b->i32 != NULL;
	case TQ_PARQUET_INT64: return b->n_values == 0 || b->i64 != NULL;
	case TQ_PARQUET_FLOAT: return b->n_values == 0 || b->f32 != NULL;
	case TQ_PARQUET_DOUBLE: return b->n_values == 0 || b->f64 != NULL;
	case TQ_PARQUET_BYTE_ARRAY:
		return b->n_values == 0 || (b->off != NULL && b->data != NULL);
	default: return b->n_values == 0 || b->data != NULL;
	}
}

/*
 * write_packed is tq_parquet_writer_write for a batch of packed levels.
 * A batch that goes into the open page whole and starts a record has its
 * levels split straight into the column's buffers, checked on the way;
 * any other (bad ones too, which write_split then names) is split into
 * scratch first.
 */
static int
write_packed(struct tq_parquet_writer *w, struct wcol *c, int col,
    const struct tq_parquet_batch *b, struct tq_err *err)
{
	struct tq_parquet_batch sb = *b;
	uint16_t md = (uint16_t)c->cd->max_def, td, tr;
	size_t n = b->n_levels, nmd, nr0, v = 0;
	bool keep_def = c->cd->max_def > 0, keep_rep = c->cd->max_rep > 0;
	int rc, t = c->cd->type;

	sb.lv = NULL;
	tq_buf_reset(&w->sdef);
	tq_buf_reset(&w->srep);
	if (n > 0 && (b->lv[0] >> 16) == 0 && values_ok(c, b) &&
	    no_cut(w, c, b)) {
		/* The column's level buffers change (and may move): what
		 * the levels memo saw of them is stale from here on. */
		w->lv_gen++;
		if ((keep_def && (rc = level_room(&c->def, n)) != 0) ||
		    (keep_rep && (rc = level_room(&c->rep, n)) != 0))
			return value_error(c, rc, err);
		/* Past the buffers' ends (levels a column does not keep to
		 * scratch): counted only when right. */
		if ((!keep_def && (rc = level_room(&w->sdef, n)) != 0) ||
		    (!keep_rep && (rc = level_room(&w->srep, n)) != 0))
			return value_error(c, rc, err);
		split_levels(b->lv, n, md, (uint16_t *)(keep_def ?
		    c->def.data + c->def.len : w->sdef.data),
		    (uint16_t *)(keep_rep ? c->rep.data + c->rep.len :
		    w->srep.data), &td, &nmd, &tr, &nr0);
		sb.def = keep_def ? (uint16_t *)(c->def.data + c->def.len) :
		    NULL;
		sb.rep = keep_rep ? (uint16_t *)(c->rep.data + c->rep.len) :
		    NULL;
		if (td <= md && tr <= c->cd->max_rep && nmd == b->n_values) {
			if (!keep_rep)
				nr0 = n;
			c->n_rows += nr0;
			c->rg_rows += (int64_t)nr0;
			c->def.len += keep_def ? 2 * n : 0;
			c->rep.len += keep_rep ? 2 * n : 0;
			c->n_levels += n;
			c->rg_levels += (int64_t)n;
			if (c->dict_active && t != TQ_PARQUET_BOOLEAN &&
			    t != TQ_PARQUET_FIXED_LEN_BYTE_ARRAY)
				rc = add_dict_run(w, c, &sb, 0, n, &v);
			else
				rc = add_values(w, c, &sb, 0, n, &v);
			if (rc != 0) {
				w->failed = value_error(c, rc, err);
				return w->failed;
			}
			return 0;
		}
	}
	if ((rc = level_room(&w->sdef, n)) != 0 ||
	    (rc = level_room(&w->srep, n)) != 0)
		return value_error(c, rc, err);
	split_levels(b->lv, n, md, (uint16_t *)w->sdef.data,
	    (uint16_t *)w->srep.data, &td, &nmd, &tr, &nr0);
	sb.def = keep_def ? (const uint16_t *)w->sdef.data : NULL;
	sb.rep = keep_rep ? (const uint16_t *)w->srep.data : NULL;
	return write_split(w, col, &sb, err);
}

int
tq_parquet_writer_write(struct tq_parquet_writer *w, int col,
    const struct tq_parquet_batch *b, struct tq_err *err)
{
	if (w->failed != 0 || w->closed)
		return tq_err_set(err, TQ_EINVAL, "parquet writer: failed or "
		    "closed");
	if (col < 0 || (size_t)col >= w->s->n_columns)
		return tq_err_set(err, TQ_EINVAL, "parquet writer: no column %d",
		    col);
	if (b->lv != NULL) {
		if (b->def != NULL || b->rep != NULL)
			return tq_err_set(err, TQ_EINVAL, "column %s: levels "
			    "both packed and apart", w->cols[col].cd->path);
		return write_packed(w, &w->cols[col], col, b, err);
	}
	return write_split(w, col, b, err);
}

/* write_split is tq_parquet_writer_write for levels apart. */
static int
write_split(struct tq_parquet_writer *w, int col,
    const struct tq_parquet_batch *b, struct tq_err *err)
{
	struct wcol *c = &w->cols[col];
	size_t i, j, v = 0, recs = b->n_levels;
	int rc, t = c->cd->type;
	/*
	 * Check everything first so a bad batch leaves the column as it was:
	 * simple passes over each level array, which the compiler vectorises.
	 */
	if (b->def != NULL) {
		uint16_t md = (uint16_t)c->cd->max_def, top;

		level_scan(b->def, b->n_levels, md, &top, &v);
		if (top > md)
			goto bad_levels;
	} else
		v = b->n_levels;
	if (b->rep != NULL) {
		uint16_t top;

		level_scan(b->rep, b->n_levels, 0, &top, &recs);
		if (top > c->cd->max_rep || (c->n_levels == 0 &&
		    c->rg_levels == 0 && b->n_levels > 0 && b->rep[0] != 0))
			goto bad_levels;
	}
	if ((c->cd->max_def > 0 && b->def == NULL && b->n_levels > 0) ||
	    (c->cd->max_rep > 0 && b->rep == NULL && b->n_levels > 0))
		return tq_err_set(err, TQ_EINVAL, "column %s: levels missing",
		    c->cd->path);
	if (v != b->n_values ||
	    (v > 0 && ((t == TQ_PARQUET_BOOLEAN && b->b == NULL) ||
	    (t == TQ_PARQUET_INT32 && b->i32 == NULL) ||
	    (t == TQ_PARQUET_INT64 && b->i64 == NULL) ||
	    (t == TQ_PARQUET_FLOAT && b->f32 == NULL) ||
	    (t == TQ_PARQUET_DOUBLE && b->f64 == NULL) ||
	    (t == TQ_PARQUET_BYTE_ARRAY && (b->off == NULL ||
	    b->data == NULL)) ||
	    (t == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY && b->data == NULL))))
		return tq_err_set(err, TQ_EINVAL, "column %s: %zu values for "
		    "%zu present entries", c->cd->path, b->n_values, v);
	/* A batch that cannot fill the open page goes in whole. */
	if (no_cut(w, c, b) && recs > 0) {
		c->n_rows += recs;
		c->rg_rows += (int64_t)recs;
		v = 0;
		w->lv_gen++;
		if ((c->cd->max_def > 0 &&
		    (rc = putn(&c->def, b->def, 2 * b->n_levels)) != 0) ||
		    (c->cd->max_rep > 0 &&
		    (rc = putn(&c->rep, b->rep, 2 * b->n_levels)) != 0)) {
			rc = value_error(c, rc, err);
			goto fail;
		}
		c->n_levels += b->n_levels;
		c->rg_levels += (int64_t)b->n_levels;
		if (c->dict_active && t != TQ_PARQUET_BOOLEAN &&
		    t != TQ_PARQUET_FIXED_LEN_BYTE_ARRAY)
			rc = add_dict_run(w, c, b, 0, b->n_levels, &v);
		else
			rc = add_values(w, c, b, 0, b->n_levels, &v);
		if (rc != 0) {
			rc = value_error(c, rc, err);
			goto fail;
		}
		return 0;
	}
	/*
	 * Entries go in runs that hold one record start at most (at the
	 * run's head), where a page may be cut: the run's levels are copied
	 * whole, then its values added one by one.
	 */
	v = 0;
	for (i = 0; i < b->n_levels; i = j) {
		if ((b->rep == NULL || b->rep[i] == 0) &&
		    (rc = record_start(w, c, err)) != 0)
			goto fail;
		j = i + 1;
		if (b->rep != NULL)
			while (j < b->n_levels && b->rep[j] != 0)
				j++;
		w->lv_gen++;
		if ((c->cd->max_def > 0 &&
		    (rc = putn(&c->def, b->def + i, 2 * (j - i))) != 0) ||
		    (c->cd->max_rep > 0 &&
		    (rc = putn(&c->rep, b->rep + i, 2 * (j - i))) != 0)) {
			rc = value_error(c, rc, err);
			goto fail;
		}
		c->n_levels += j - i;
		c->rg_levels += (int64_t)(j - i);
		if (c->dict_active && t != TQ_PARQUET_BOOLEAN &&
		    t != TQ_PARQUET_FIXED_LEN_BYTE_ARRAY) {
			if ((rc = add_dict_run(w, c, b, i, j, &v)) != 0) {
				rc = value_error(c, rc, err);
				goto fail;
			}
			continue;
		}
		if ((rc = add_values(w, c, b, i, j, &v)) != 0) {
			rc = value_error(c, rc, err);
			goto fail;
		}
	}
	return 0;
fail:
	w->failed = rc;
	return rc;
bad_levels:
	/* Name the first bad entry. */
	for (i = 0; i < b->n_levels; i++) {
		int d = b->def ? b->def[i] : c->cd->max_def;
		int r = b->rep ? b->rep[i] : 0;

		if (d > c->cd->max_def || r > c->cd->max_rep ||
		    (c->n_levels == 0 && c->rg_levels == 0 && i == 0 && r != 0))
			break;
	}
	return tq_err_set(err, TQ_EINVAL, "column %s: entry %zu: levels %d/%d "
	    "out of range", c->cd->path, i, b->rep ? b->rep[i] : 0,
	    b->def ? b->def[i] : c->cd->max_def);
}

/* ---- Row groups ---- */

static size_t
buffered(const struct tq_parquet_writer *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->s->n_columns; i++) {
		const struct wcol *c = &w->cols[i];

		n += c->pages.len + c->dict.len + c->vals.len + c->vals2.len +
		    c->def.len + c->rep.len;
	}
	return n;
}

static int
write_chunk(struct tq_parquet_writer *w, struct wcol *c,
    struct tq_parquet_chunk *m, struct tq_err *err)
{
	struct pq_page_header h;
	uint64_t start = w->off;
	int rc;

	memset(m, 0, sizeof(*m));
	m->dict_page_offset = -1;
	m->codec = c->codec;
	if ((rc = cut_page(w, c, err)) != 0)
		return rc;
	if (c->dict_n > 0 && (c->encodings & (1u << dict_encoding(w)))) {
		memset(&h, 0, sizeof(h));
		h.type = PQ_PAGE_DICT;
		h.encoding = w->o.plain_dictionary ? TQ_PARQUET_PLAIN_DICTIONARY :
		    TQ_PARQUET_PLAIN;
		h.num_values = (int32_t)c->dict_n;
		h.uncompressed_size = (int32_t)c->dict.len;
		tq_buf_reset(&w->body);
		tq_buf_reset(&w->hdr);
		if ((rc = pq_compress(&w->codec, c->codec, w->o.zstd_level,
		    c->dict.data, c->dict.len, &w->body, err)) != 0)
			return tq_err_prefix(err, rc, "column %s: dictionary",
			    c->cd->path);
		h.compressed_size = (int32_t)w->body.len;
		if ((rc = pq_page_header_encode(&h, &w->hdr)) != 0)
			return tq_err_set(err, rc, "column %s: page header",
			    c->cd->path);
		m->dict_page_offset = (int64_t)w->off;
		if ((rc = emit(w, w->hdr.data, w->hdr.len, err)) != 0 ||
		    (rc = emit(w, w->body.data, w->body.len, err)) != 0)
			return rc;
		c->rg_uncompressed += (int64_t)(w->hdr.len + c->dict.len);
		c->encodings |= 1u << h.encoding;
	}
	m->data_page_offset = (int64_t)w->off;
	if ((rc = emit(w, c->pages.data, c->pages.len, err)) != 0)
		return rc;
	m->encodings = c->encodings;
	m->data_encodings = c->data_encodings;
	m->num_values = c->rg_levels;
	m->compressed_size = (int64_t)(w->off - start);
	m->uncompressed_size = c->rg_uncompressed;
	m->stats.has_null_count = true;
	m->stats.null_count = c->nulls;
	if (c->has_minmax) {
		m->stats.has_min_max = true;
		m->stats.min = c->min.data;
		m->stats.min_len = c->min.len;
		m->stats.max = c->max.data;
		m->stats.max_len = c->max.len;
	}
	if (w->o.on_chunk != NULL) {
		bool dict = m->dict_page_offset >= 0;

		return w->o.on_chunk(w->o.chunk_arg, (int)(c - w->cols), m,
		    dict ? c->dict.data : NULL, dict ? c->dict.len : 0,
		    dict ? c->dict_n : 0, err);
	}
	return 0;
}

/*
 * The footer needs each chunk's statistics after the column buffers are
 * reused, so they are copied into one allocation per row group.
 */
static int
keep_stats(struct pq_row_group *g, size_t n)
{
	struct tq_parquet_chunk *ch;
	size_t i, total = 0;
	uint8_t *p;

	for (i = 0; i < n; i++)
		total += g->chunks[i].stats.min_len + g->chunks[i].stats.max_len;
	if ((ch = realloc(g->chunks, n * sizeof(*ch) + total)) == NULL)
		return TQ_ENOMEM;
	g->chunks = ch;
	p = (uint8_t *)(ch + n);
	for (i = 0; i < n; i++) {
		struct tq_parquet_stats *st = &ch[i].stats;

		if (!st->has_min_max)
			continue;
		if (st->min_len > 0)
			memcpy(p, st->min, st->min_len);
		st->min = p;
		p += st->min_len;
		if (st->max_len > 0)
			memcpy(p, st->max, st->max_len);
		st->max = p;
		p += st->max_len;
	}
	return 0;
}

int
tq_parquet_writer_flush(struct tq_parquet_writer *w, struct tq_err *err)
{
	struct pq_row_group *g, *rgs;
	size_t i, n = w->s->n_columns;
	uint64_t start = w->off;
	int rc;

	if (w->failed != 0)
		return tq_err_set(err, w->failed, "parquet writer: failed "
		    "before");
	for (i = 0; i < n; i++)
		if (w->cols[i].rg_rows != w->rg_rows)
			return tq_err_set(err, TQ_EINVAL, "column %s: %lld "
			    "records where the row group has %lld",
			    w->cols[i].cd->path,
			    (long long)w->cols[i].rg_rows,
			    (long long)w->rg_rows);
	if (w->rg_rows == 0)
		return 0;
	if ((rgs = realloc(w->rgs, (w->n_rgs + 1) * sizeof(*rgs))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "parquet writer: out of memory");
	w->rgs = rgs;
	g = &rgs[w->n_rgs];
	memset(g, 0, sizeof(*g));
	if ((g->chunks = calloc(n, sizeof(*g->chunks))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "parquet writer: out of memory");
	w->n_rgs++;
	g->num_rows = w->rg_rows;
	g->file_offset = (int64_t)w->off;
	for (i = 0; i < n; i++) {
		struct wcol *c = &w->cols[i];

		if ((rc = write_chunk(w, c, &g->chunks[i], err)) != 0) {
			w->failed = rc;
			return rc;
		}
		g->total_byte_size += g->chunks[i].uncompressed_size;
	}
	if ((rc = keep_stats(g, n)) != 0) {
		w->failed = rc;
		return tq_err_set(err, rc, "parquet writer: out of memory");
	}
	g->total_compressed_size = (int64_t)(w->off - start);
	for (i = 0; i < n; i++) {
		struct wcol *c = &w->cols[i];

		tq_buf_reset(&c->pages);
		dict_reset(c);
		c->rg_levels = c->rg_rows = c->rg_uncompressed = 0;
		c->encodings = c->data_encodings = 0;
		c->nulls = 0;
		c->has_minmax = false;
		c->delta_values = c->delta_unseen = 0;
	}
	w->num_rows += w->rg_rows;
	w->rg_rows = 0;
	return 0;
}

int
tq_parquet_writer_end_rows(struct tq_parquet_writer *w, size_t nrows,
    struct tq_err *err)
{
	w->rg_rows += (int64_t)nrows;
	if (buffered(w) >= w->o.row_group_size)
		return tq_parquet_writer_flush(w, err);
	return 0;
}

int
tq_parquet_writer_close(struct tq_parquet_writer *w, struct tq_err *err)
{
	struct pq_file_meta m;
	struct tq_buf b;
	uint32_t len;
	int rc;

	if (w->closed)
		return tq_err_set(err, TQ_EINVAL, "parquet writer: closed twice");
	if ((rc = tq_parquet_writer_flush(w, err)) != 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.version = 1;
	m.schema = w->s;
	m.num_rows = w->num_rows;
	m.row_groups = w->rgs;
	m.n_row_groups = w->n_rgs;
	m.kv = w->kv;
	m.n_kv = w->n_kv;
	m.created_by = w->o.created_by;
	m.page_type = w->o.page_version == 2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA;
	tq_buf_init(&b, TQ_PARQUET_MAX_FOOTER);
	if ((rc = pq_meta_encode(&m, &b)) != 0) {
		rc = tq_err_set(err, rc, "parquet writer: footer too large");
		goto out;
	}
	len = (uint32_t)b.len;
	if ((rc = tq_buf_append(&b, &len, 4)) != 0 ||
	    (rc = tq_buf_append(&b, "PAR1", 4)) != 0) {
		rc = tq_err_set(err, rc, "parquet writer: footer too large");
		goto out;
	}
	if ((rc = emit(w, b.data, b.len, err)) != 0)
		goto out;
	w->closed = true;
out:
	tq_buf_release(&b);
	return rc;
}

/* ---- The record shredder ---- */

/*
 * check_field and check_instance walk a record as the shredder will and
 * refuse what does not fit the schema, before any column is touched.
 */
static int check_field(const struct tq_parquet_writer *, int,
    const struct tq_parquet_datum *, struct tq_err *);

static int
check_instance(const struct tq_parquet_writer *w, int node,
    const struct tq_parquet_datum *d, struct tq_err *err)
{
	const struct tq_parquet_schema *s = w->s;
	const struct tq_parquet_node *nd = &s->nodes[node];
	int ch, k, rc;

	if (nd->num_children == 0 && node > 0) {
		if (d->kind != TQ_PARQUET_D_VALUE)
			return tq_err_set(err, TQ_EINVAL, "record: %s is not a "
			    "value", s->columns[s->col_of[node]].path);
		if (nd->type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY &&
		    d->v.bytes.len != (size_t)nd->type_length)
			return tq_err_set(err, TQ_EINVAL, "record: %s needs %d "
			    "bytes", s->columns[s->col_of[node]].path,
			    nd->type_length);
		return 0;
	}
	if (d->kind != TQ_PARQUET_D_GROUP || d->n != (size_t)nd->num_children)
		return tq_err_set(err, TQ_EINVAL, "record: %s is not a group of "
		    "%d fields", nd->name, nd->num_children);
	for (k = 0, ch = node + 1; k < nd->num_children; k++, ch += w->size[ch])
		if ((rc = check_field(w, ch, &d->items[k], err)) != 0)
			return rc;
	return 0;
}

static int
check_field(const struct tq_parquet_writer *w, int node,
    const struct tq_parquet_datum *d, struct tq_err *err)
{
	const struct tq_parquet_node *nd = &w->s->nodes[node];
	size_t k;
	int rc;

	if (d->kind == TQ_PARQUET_D_NULL) {
		if (nd->repetition == TQ_PARQUET_REQUIRED)
			return tq_err_set(err, TQ_EINVAL, "record: required %s "
			    "is missing", nd->name);
		return 0;
	}
	if (nd->repetition != TQ_PARQUET_REPEATED)
		return check_instance(w, node, d, err);
	if (d->kind != TQ_PARQUET_D_REPEATED)
		return tq_err_set(err, TQ_EINVAL, "record: %s is not repeated",
		    nd->name);
	for (k = 0; k < d->n; k++)
		if ((rc = check_instance(w, node, &d->items[k], err)) != 0)
			return rc;
	return 0;
}

static int
shred_null(struct tq_parquet_writer *w, int node, int rep, int def,
    struct tq_err *err)
{
	const struct tq_parquet_schema *s = w->s;
	int c, rc;

	for (c = s->first_col[node]; c < s->first_col[node] + s->n_cols[node];
	    c++)
		if ((rc = append(w, &w->cols[c], rep, def, NULL, 0, err)) != 0)
			return rc;
	return 0;
}

static int shred_field(struct tq_parquet_writer *, int,
    const struct tq_parquet_datum *, int, struct tq_err *);

static int
shred_instance(struct tq_parquet_writer *w, int node,
    const struct tq_parquet_datum *d, int rep, struct tq_err *err)
{
	const struct tq_parquet_schema *s = w->s;
	const struct tq_parquet_node *nd = &s->nodes[node];
	const void *p;
	size_t len;
	uint8_t bv;
	int ch, k, rc;

	if (nd->num_children == 0 && node > 0) {
		struct wcol *c = &w->cols[s->col_of[node]];

		if (d->kind != TQ_PARQUET_D_VALUE)
			return tq_err_set(err, TQ_EINVAL, "record: %s is not a "
			    "value", c->cd->path);
		len = c->width;
		switch (nd->type) {
		case TQ_PARQUET_BOOLEAN:
			bv = d->v.b;
			p = &bv;
			break;
		case TQ_PARQUET_INT32: p = &d->v.i32; break;
		case TQ_PARQUET_INT64: p = &d->v.i64; break;
		case TQ_PARQUET_FLOAT: p = &d->v.f32; break;
		case TQ_PARQUET_DOUBLE: p = &d->v.f64; break;
		default:
			p = d->v.bytes.ptr;
			if (nd->type == TQ_PARQUET_BYTE_ARRAY)
				len = d->v.bytes.len;
			else if (d->v.bytes.len != c->width)
				return tq_err_set(err, TQ_EINVAL, "record: %s "
				    "needs %zu bytes", c->cd->path, c->width);
			if (p == NULL)
				p = "";
		}
		return append(w, c, rep, s->def[node], p, len, err);
	}
	if (d->kind != TQ_PARQUET_D_GROUP || d->n != (size_t)nd->num_children)
		return tq_err_set(err, TQ_EINVAL, "record: %s is not a group of "
		    "%d fields", nd->name, nd->num_children);
	for (k = 0, ch = node + 1; k < nd->num_children; k++, ch += w->size[ch])
		if ((rc = shred_field(w, ch, &d->items[k], rep, err)) != 0)
			return rc;
	return 0;
}

static int
shred_field(struct tq_parquet_writer *w, int node,
    const struct tq_parquet_datum *d, int rep, struct tq_err *err)
{
	const struct tq_parquet_schema *s = w->s;
	const struct tq_parquet_node *nd = &s->nodes[node];
	size_t k;
	int rc;

	switch (nd->repetition) {
	case TQ_PARQUET_REPEATED:
		if (d->kind == TQ_PARQUET_D_NULL ||
		    (d->kind == TQ_PARQUET_D_REPEATED && d->n == 0))
			return shred_null(w, node, rep, s->def[node] - 1, err);
		if (d->kind != TQ_PARQUET_D_REPEATED)
			return tq_err_set(err, TQ_EINVAL, "record: %s is not "
			    "repeated", nd->name);
		for (k = 0; k < d->n; k++)
			if ((rc = shred_instance(w, node, &d->items[k],
			    k == 0 ? rep : s->rep[node], err)) != 0)
				return rc;
		return 0;
	case TQ_PARQUET_OPTIONAL:
		if (d->kind == TQ_PARQUET_D_NULL)
			return shred_null(w, node, rep, s->def[node] - 1, err);
		return shred_instance(w, node, d, rep, err);
	default:
		if (d->kind == TQ_PARQUET_D_NULL)
			return tq_err_set(err, TQ_EINVAL, "record: required %s "
			    "is missing", nd->name);
		return shred_instance(w, node, d, rep, err);
	}
}

int
tq_parquet_writer_write_record(struct tq_parquet_writer *w,
    const struct tq_parquet_datum *rec, struct tq_err *err)
{
	int rc;

	if (w->failed != 0 || w->closed)
		return tq_err_set(err, TQ_EINVAL, "parquet writer: failed or "
		    "closed");
	/* Check the whole record first, so a bad one changes nothing. */
	if (!w->o.trusted_records &&
	    (rc = check_instance(w, 0, rec, err)) != 0)
		return rc;
	if ((rc = shred_instance(w, 0, rec, 0, err)) != 0) {
		w->failed = rc;
		return rc;
	}
	return tq_parquet_writer_end_rows(w, 1, err);
}
