/*
 * reader.c: finding traces in a block and listing blocks (see block.h).
 *
 * A lookup reads the bloom shard (whole, kept for the next lookups, or
 * only the words the test needs), then the Parquet footer in one ranged
 * read straight into the Parquet reader (its size is in meta.json), then
 * the byte range of one row group's column chunks in one ranged read,
 * which serves the Parquet reader's reads of those chunks.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "bloom.h"
#include "limits.h"
#include "store.h"

#define MAX_RANGES	4

struct range {
	uint64_t	 off;
	size_t		 len;
	uint8_t		*data;
};

struct tq_block {
	struct tq_store		*store;
	struct tq_block_meta	 meta;
	char			 data_key[512];
	/* data.parquet's reads: open once for a scan, per lookup. */
	struct tq_store_object	*data;
	/* Per lookup. */
	struct range		 ranges[MAX_RANGES];
	size_t			 n_ranges;
	struct tq_block_explain	*ex;
	/* The bloom shards read so far (by shard; data NULL: not read),
	 * kept for the next lookups in the block. */
	struct tq_buf		*shards;
	bool			 no_keep;	/* tq_block_keep_shards(false) */
	/* The values filter, once read. */
	struct tq_block_values	*values;
	bool			 values_read;
	/* While the values filter is visited: how to read it. */
	tq_store_read_fn	 values_read_fn;
	void			*values_obj;
	/* Every read, for tq_block_io. */
	uint64_t		 reads;
	uint64_t		 bytes;
};

int
tq_block_open_meta(struct tq_store *s, const struct tq_block_meta *m,
    struct tq_block **out, struct tq_err *err)
{
	struct tq_block *b;
	size_t i;
	int rc;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "block: out of memory");
	b->store = s;
	b->meta = *m;
	for (i = 0; i < b->meta.n_ded; i++)
		b->meta.ded[i].name = b->meta.ded_names[i];
	snprintf(b->data_key, sizeof(b->data_key), "%s/%s/data.parquet",
	    m->tenant, m->block_id);
	if ((rc = tq_store_object_new(s, b->data_key, &b->data, err)) != 0) {
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

/* get_small reads a whole small object of block m into out. */
static int
get_small(struct tq_store *s, const char *tenant, const char *id,
    const char *name, struct tq_buf *out, struct tq_err *err)
{
	char key[512];

	snprintf(key, sizeof(key), "%s/%s/%s", tenant, id, name);
	return tq_store_get(s, key, out, err);
}

int
tq_block_open(struct tq_store *s, const char *tenant, const char *id,
    struct tq_block **out, struct tq_err *err)
{
	struct tq_block_meta m;
	struct tq_buf b;
	int rc;

	tq_buf_init(&b, 1024 * 1024);
	if ((rc = get_small(s, tenant, id, "meta.json", &b, err)) == 0 &&
	    (rc = tq_block_meta_parse((const char *)b.data, b.len, &m,
	    err)) != 0)
		tq_err_prefix(err, rc, "%s/%s", tenant, id);
	tq_buf_release(&b);
	if (rc != 0)
		return rc;
	if (m.tenant[0] == '\0')
		snprintf(m.tenant, sizeof(m.tenant), "%s", tenant);
	return tq_block_open_meta(s, &m, out, err);
}

static void
drop_ranges(struct tq_block *b)
{
	size_t i;

	for (i = 0; i < b->n_ranges; i++)
		free(b->ranges[i].data);
	b->n_ranges = 0;
}

void
tq_block_free(struct tq_block *b)
{
	uint32_t i;

	if (b == NULL)
		return;
	drop_ranges(b);
	for (i = 0; b->shards != NULL && i < b->meta.bloom_shards; i++)
		tq_buf_release(&b->shards[i]);
	free(b->shards);
	tq_block_values_free(b->values);
	tq_store_object_free(b->data);
	free(b);
}

void
tq_block_keep_shards(struct tq_block *b, bool keep)
{
	b->no_keep = !keep;
}

const struct tq_block_meta *
tq_block_get_meta(const struct tq_block *b)
{
	return &b->meta;
}

/* values_range reads len bytes at off of the values object. */
static int
values_range(struct tq_block *b, uint64_t off, size_t len, void *dst,
    struct tq_err *err)
{
	char key[512];

	snprintf(key, sizeof(key), "%s/%s/values", b->meta.tenant,
	    b->meta.block_id);
	if (b->values_read_fn != NULL)
		return b->values_read_fn(b->values_obj, off, len, dst, err);
	b->reads++;
	b->bytes += len;
	return tq_store_get_range(b->store, key, off, len, dst, err);
}

/* values_header reads the values filter's header once. */
static int
values_header(struct tq_block *b, struct tq_err *err)
{
	uint8_t first[4096], *head = first;
	size_t got = b->meta.values_size < sizeof(first) ?
	    b->meta.values_size : sizeof(first), hlen;
	int rc;

	b->values_read = true;
	if ((rc = values_range(b, 0, got, first, err)) != 0)
		return rc;
	hlen = tq_block_values_header_len(first, got);
	if (hlen > got && hlen <= b->meta.values_size) {
		if ((head = malloc(hlen)) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "block: out of memory");
		if ((rc = values_range(b, 0, hlen, head, err)) != 0)
			goto out;
	}
	/* A header longer than the object is refused by the parser. */
	if ((rc = tq_block_values_parse(head, head != first ? hlen : got,
	    &b->values, err)) == 0 &&
	    tq_block_values_size(b->values) != b->meta.values_size)
		rc = tq_err_set(err, TQ_ECORRUPT, "values: %" PRIu64 " bytes, "
		    "meta.json says %" PRIu32, tq_block_values_size(b->values),
		    b->meta.values_size);
out:
	if (head != first)
		free(head);
	return rc;
}

/*
 * Object stores serve a visit with the whole object: a larger values
 * filter is probed with two ranged reads instead.
 */
#define VALUES_VISIT_MAX	(1024 * 1024)

/* A probe of the values filter, for value_absent. */
struct probe {
	struct tq_block	*b;
	const char	*column;
	const void	*value;
	size_t		 len;
	bool		*absent;
};

/* probe_values reads the header if need be, then the value's words. */
static int
probe_values(struct probe *p, struct tq_err *err)
{
	uint8_t block[32];
	uint32_t words[8];
	uint64_t off;
	int rc;

	if (!p->b->values_read && (rc = values_header(p->b, err)) != 0)
		return rc;
	if (p->b->values == NULL || !tq_block_values_locate(p->b->values,
	    p->column, p->value, p->len, &off, words))
		return 0;
	if ((rc = values_range(p->b, off, sizeof(block), block, err)) != 0)
		return rc;
	*p->absent = !tq_block_values_probe(words, block);
	return 0;
}

static int
probe_visit(void *arg, uint64_t size, tq_store_read_fn read, void *obj,
    struct tq_err *err)
{
	struct probe *p = arg;
	int rc;

	(void)size;
	p->b->values_read_fn = read;
	p->b->values_obj = obj;
	rc = probe_values(p, err);
	p->b->values_read_fn = NULL;
	p->b->values_obj = NULL;
	return rc;
}

int
tq_block_value_absent(struct tq_block *b, const char *column,
    const void *value, size_t len, bool *absent, struct tq_err *err)
{
	struct probe p = { b, column, value, len, absent };
	char key[512];
	uint64_t bytes = 0;
	int rc;

	*absent = false;
	if (b->meta.values_size == 0)
		return 0;
	if (b->values_read || b->meta.values_size > VALUES_VISIT_MAX) {
		rc = probe_values(&p, err);
	} else {
		/* The header and the value's words in one visit: one open
		 * of a file, one request to object storage (which fetches
		 * the object whole: only for a small one). */
		snprintf(key, sizeof(key), "%s/%s/values", b->meta.tenant,
		    b->meta.block_id);
		rc = tq_store_visit(b->store, key, b->meta.values_size,
		    probe_visit, &p, &bytes, err);
		b->reads++;
		b->bytes += bytes;
	}
	if (rc != 0)
		return tq_err_prefix(err, rc, "%s/%s/values", b->meta.tenant,
		    b->meta.block_id);
	return 0;
}

/* fetch reads [off, off + len) of data.parquet into the range cache. */
static int
fetch(struct tq_block *b, uint64_t off, size_t len, struct tq_err *err)
{
	struct range *r;
	int rc;

	if (b->n_ranges == MAX_RANGES) {
		free(b->ranges[0].data);
		memmove(&b->ranges[0], &b->ranges[1],
		    (MAX_RANGES - 1) * sizeof(b->ranges[0]));
		b->n_ranges--;
	}
	r = &b->ranges[b->n_ranges];
	if ((r->data = malloc(len ? len : 1)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "block: out of memory");
	if ((rc = tq_store_object_read(b->data, off, len, r->data,
	    err)) != 0) {
		free(r->data);
		return rc;
	}
	r->off = off;
	r->len = len;
	b->n_ranges++;
	b->reads++;
	b->bytes += len;
	if (b->ex != NULL) {
		b->ex->reads++;
		b->ex->bytes += len;
	}
	return 0;
}

/*
 * read_at is the Parquet reader's callback: a cached range (the row
 * group's), else one read straight into dst (the footer, which the
 * Parquet reader keeps).
 */
static int
read_at(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct tq_block *b = arg;
	size_t i;
	int rc;

	for (i = 0; i < b->n_ranges; i++) {
		struct range *r = &b->ranges[i];

		if (off >= r->off && off - r->off <= r->len &&
		    len <= r->len - (off - r->off)) {
			memcpy(dst, r->data + (off - r->off), len);
			return 0;
		}
	}
	if ((rc = tq_store_object_read(b->data, off, len, dst, err)) != 0)
		return rc;
	b->reads++;
	b->bytes += len;
	if (b->ex != NULL) {
		b->ex->reads++;
		b->ex->bytes += len;
	}
	return 0;
}

/* read_direct is a scan's Parquet callback: every read goes to the store. */
static int
read_direct(void *arg, uint64_t off, size_t len, void *dst,
    struct tq_err *err)
{
	struct tq_block *b = arg;
	int rc;

	if ((rc = tq_store_object_read(b->data, off, len, dst, err)) != 0)
		return rc;
	b->reads++;
	b->bytes += len;
	return 0;
}

int
tq_block_parquet(struct tq_block *b, struct tq_parquet_reader **out,
    struct tq_err *err)
{
	struct tq_parquet_read_opts ropts = { 0 };
	int rc;

	if (b->meta.footer_size > 0)
		ropts.tail_read = (size_t)b->meta.footer_size + 8;
	if ((rc = tq_parquet_reader_open(read_direct, b, b->meta.size, &ropts,
	    out, err)) != 0)
		tq_err_prefix(err, rc, "%s", b->data_key);
	return rc;
}

void
tq_block_io(const struct tq_block *b, uint64_t *reads, uint64_t *bytes)
{
	*reads = b->reads;
	*bytes = b->bytes;
}

/* row_group_of picks the row group whose TraceID range holds id. */
static int
row_group_of(struct tq_block *b, struct tq_parquet_reader *pr, int col,
    const uint8_t id[TQ_TRACE_ID_LEN], long *rg, struct tq_err *err)
{
	size_t i, n = tq_parquet_reader_num_row_groups(pr);
	bool have_stats = true;
	struct tq_buf buf;
	struct tq_arena a;
	uint8_t (*last)[TQ_TRACE_ID_LEN];
	size_t nlast;
	int rc;

	*rg = -1;
	for (i = 0; i < n; i++) {
		const struct tq_parquet_chunk *c = tq_parquet_reader_chunk(pr, i, col);

		if (c == NULL || !c->stats.has_min_max ||
		    c->stats.min_len != TQ_TRACE_ID_LEN ||
		    c->stats.max_len != TQ_TRACE_ID_LEN) {
			have_stats = false;
			break;
		}
		if (memcmp(id, c->stats.min, TQ_TRACE_ID_LEN) >= 0 &&
		    memcmp(id, c->stats.max, TQ_TRACE_ID_LEN) <= 0) {
			*rg = (long)i;
			return 0;
		}
	}
	if (have_stats)
		return 0;
	/* No statistics: Tempo's index gives each row group's last ID. */
	tq_buf_init(&buf, 64u * 1024 * 1024);
	tq_arena_init(&a, 64u * 1024 * 1024);
	rc = get_small(b->store, b->meta.tenant, b->meta.block_id, "index",
	    &buf, err);
	if (b->ex != NULL) {
		b->ex->reads++;
		b->ex->bytes += buf.len;
	}
	if (rc == 0 && (rc = tq_block_index_parse((const char *)buf.data,
	    buf.len, &a, &last, &nlast, err)) == 0)
		for (i = 0; i < nlast && i < n; i++)
			if (memcmp(id, last[i], TQ_TRACE_ID_LEN) <= 0) {
				*rg = (long)i;
				break;
			}
	tq_arena_release(&a);
	tq_buf_release(&buf);
	return rc;
}

/* read_row_group fetches the byte range of every column chunk of rg. */
static int
read_row_group(struct tq_block *b, struct tq_parquet_reader *pr, size_t rg,
    struct tq_err *err)
{
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(pr);
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t c;

	for (c = 0; c < s->n_columns; c++) {
		const struct tq_parquet_chunk *ch = tq_parquet_reader_chunk(pr, rg,
		    (int)c);
		uint64_t start;

		if (ch == NULL || ch->data_page_offset < 0 ||
		    ch->compressed_size < 0)
			return tq_err_set(err, TQ_ECORRUPT,
			    "%s: column %zu: bad chunk offsets", b->data_key, c);
		start = (uint64_t)(ch->dict_page_offset >= 0 &&
		    ch->dict_page_offset < ch->data_page_offset ?
		    ch->dict_page_offset : ch->data_page_offset);
		if (start < lo)
			lo = start;
		if (start + (uint64_t)ch->compressed_size > hi)
			hi = start + (uint64_t)ch->compressed_size;
	}
	if (hi <= lo || hi > b->meta.size || hi - lo > TQ_PARQUET_MAX_CHUNK)
		return tq_err_set(err, TQ_ECORRUPT,
		    "%s: row group %zu: bad byte range", b->data_key, rg);
	return fetch(b, lo, (size_t)(hi - lo), err);
}

struct probe_arg {
	const uint8_t	*id;
};

/* probe_shard tests an ID against a bloom shard being visited. */
static int
probe_shard(void *arg, uint64_t size, tq_store_read_fn read, void *obj,
    struct tq_err *err)
{
	const struct probe_arg *pa = arg;

	if (size > SIZE_MAX)
		return tq_err_set(err, TQ_ECORRUPT, "bloom: %llu bytes",
		    (unsigned long long)size);
	return tq_bloom_shard_probe(read, obj, (size_t)size, pa->id, err);
}

int
tq_block_find(struct tq_block *b, const uint8_t id[TQ_TRACE_ID_LEN],
    struct tq_arena *a, Tq__TracesData **out, struct tq_block_explain *ex,
    struct tq_err *err)
{
	struct tq_parquet_reader *pr = NULL;
	struct tq_vp4_reader *vr = NULL;
	struct tq_parquet_column *cols = NULL;
	struct tq_parquet_datum *recs = NULL;
	const struct tq_parquet_schema *s;
	struct tq_parquet_read_opts ropts = { 0 };
	struct tq_block_explain dummy;
	struct tq_buf shard, *bloom;
	struct probe_arg pa = { id };
	char name[32];
	size_t c, i, n = 0, row = SIZE_MAX;
	uint32_t sh;
	long rg;
	int rc, idcol;

	if (ex == NULL)
		ex = &dummy;
	memset(ex, 0, sizeof(*ex));
	ex->row_group = -1;
	b->ex = ex;
	tq_buf_init(&shard, 64u * 1024 * 1024);
	sh = tq_bloom_shard_of(id, b->meta.bloom_shards);
	snprintf(name, sizeof(name), "bloom-%u", sh);
	if (b->shards == NULL && !b->no_keep &&
	    b->meta.bloom_shards <= TQ_BLOCK_CACHED_SHARDS &&
	    (b->shards = calloc(b->meta.bloom_shards,
	    sizeof(*b->shards))) != NULL)
		for (i = 0; i < b->meta.bloom_shards; i++)
			tq_buf_init(&b->shards[i], 64u * 1024 * 1024);
	if (b->no_keep && (b->shards == NULL || b->shards[sh].data == NULL)) {
		/* Not kept: one visit reads the header and id's words. */
		char key[512];
		uint64_t got;

		snprintf(key, sizeof(key), "%s/%s/%s", b->meta.tenant,
		    b->meta.block_id, name);
		rc = tq_store_visit(b->store, key, 64u * 1024 * 1024,
		    probe_shard, &pa, &got, err);
		ex->reads++;
		ex->bytes += got;
	} else {
		bloom = b->shards != NULL ? &b->shards[sh] : &shard;
		rc = 0;
		if (bloom->data == NULL) {
			rc = get_small(b->store, b->meta.tenant,
			    b->meta.block_id, name, bloom, err);
			ex->reads++;
			ex->bytes += bloom->len;
			if (rc != 0)
				tq_buf_release(bloom);	/* read again next time */
		}
		if (rc == 0)
			rc = tq_bloom_shard_test(bloom->data, bloom->len, id,
			    err);
	}
	if (rc < 0) {
		tq_err_prefix(err, rc, "%s/%s/%s", b->meta.tenant,
		    b->meta.block_id, name);
		goto out;
	}
	if (rc == 0) {
		ex->outcome = "bloom: absent";
		goto out;
	}
	/* The footer and the 8 bytes after it, in one read. */
	ropts.tail_read = b->meta.footer_size > 0 ? b->meta.footer_size + 8 : 0;
	if ((rc = tq_parquet_reader_open(read_at, b, b->meta.size, &ropts, &pr,
	    err)) != 0)
		goto fail;
	s = tq_parquet_reader_schema(pr);
	if ((idcol = tq_parquet_schema_find(s, "TraceID")) < 0) {
		rc = tq_err_set(err, TQ_ECORRUPT, "no TraceID column");
		goto fail;
	}
	if ((rc = row_group_of(b, pr, idcol, id, &rg, err)) != 0)
		goto fail;
	if (rg < 0) {
		ex->outcome = "bloom: maybe; no row group holds the ID";
		rc = 0;
		goto out;
	}
	ex->row_group = (int)rg;
	if ((rc = read_row_group(b, pr, (size_t)rg, err)) != 0)
		goto fail;
	n = (size_t)tq_parquet_reader_row_group_rows(pr, (size_t)rg);
	if ((cols = calloc(s->n_columns, sizeof(*cols))) == NULL ||
	    (recs = calloc(1, sizeof(*recs))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "block: out of memory");
		goto out;
	}
	if ((rc = tq_parquet_reader_read_column(pr, (size_t)rg, idcol, 0,
	    &cols[idcol], err)) != 0)
		goto fail;
	for (i = 0; i < cols[idcol].n_values && i < n; i++)
		if (cols[idcol].off[i + 1] - cols[idcol].off[i] ==
		    TQ_TRACE_ID_LEN && memcmp(cols[idcol].data +
		    cols[idcol].off[i], id, TQ_TRACE_ID_LEN) == 0) {
			row = i;
			break;
		}
	if (row == SIZE_MAX) {
		ex->outcome = "bloom: maybe; not in its row group";
		rc = 0;
		goto out;
	}
	for (c = 0; c < s->n_columns; c++)
		if ((int)c != idcol && (rc = tq_parquet_reader_read_column(pr,
		    (size_t)rg, (int)c, 0, &cols[c], err)) != 0)
			goto fail;
	/* Only the trace's own row is rebuilt. */
	if ((rc = tq_parquet_assemble_rows(s, cols, row, 1, a, recs,
	    err)) != 0 ||
	    (rc = tq_vp4_reader_new(s, b->meta.ded, b->meta.n_ded, &vr,
	    err)) != 0 ||
	    (rc = tq_vp4_reader_trace(vr, &recs[0], a, out, err)) != 0)
		goto fail;
	ex->outcome = "found";
	rc = 1;
	goto out;
fail:
	tq_err_prefix(err, rc, "%s", b->data_key);
out:
	if (cols != NULL)
		for (c = 0; c < (pr != NULL ? tq_parquet_reader_schema(pr)->n_columns :
		    0); c++)
			tq_parquet_column_release(&cols[c]);
	free(cols);
	free(recs);
	tq_vp4_reader_free(vr);
	tq_parquet_reader_free(pr);
	tq_buf_release(&shard);
	drop_ranges(b);
	/* Blocks stay open between lookups, their files need not. */
	tq_store_object_close(b->data);
	b->ex = NULL;
	return rc;
}

struct list_ctx {
	struct tq_store		*store;
	const char		*tenant;
	bool			 with_compacted;
	tq_block_list_fn	 fn;
	void			*arg;
	struct tq_err		*err;
	struct tq_err		 bad;		/* the first unreadable meta */
	size_t			 n_bad;
};

static int
list_one(void *arg, const char *key, uint64_t size, bool is_prefix)
{
	struct list_ctx *l = arg;
	struct tq_block_meta m;
	struct tq_buf b;
	char id[TQ_BLOCK_ID_LEN + 1];
	const char *p = key + strlen(l->tenant) + 1;
	size_t len = strlen(p);
	int rc;

	(void)size;
	if (!is_prefix || len != TQ_BLOCK_ID_LEN + 1)
		return 0;
	memcpy(id, p, TQ_BLOCK_ID_LEN);
	id[TQ_BLOCK_ID_LEN] = '\0';
	tq_buf_init(&b, 1024 * 1024);
	rc = get_small(l->store, l->tenant, id, "meta.json", &b, l->err);
	if (rc == TQ_ENOTFOUND && l->with_compacted) {
		tq_buf_reset(&b);
		rc = get_small(l->store, l->tenant, id, "meta.compacted.json", &b,
		    l->err);
	}
	if (rc == TQ_ENOTFOUND) {
		tq_buf_release(&b);
		return 0;	/* not visible */
	}
	if (rc == 0 && (rc = tq_block_meta_parse((const char *)b.data, b.len, &m,
	    l->err)) != 0) {
		/* One broken block must not hide the others. */
		tq_err_prefix(l->err, rc, "%s/%s", l->tenant, id);
		if (l->n_bad++ == 0)
			l->bad = *l->err;
		tq_buf_release(&b);
		return 0;
	}
	tq_buf_release(&b);
	if (rc != 0)
		return rc;
	if (m.tenant[0] == '\0')
		snprintf(m.tenant, sizeof(m.tenant), "%s", l->tenant);
	return l->fn(l->arg, &m);
}

int
tq_block_list(struct tq_store *s, const char *tenant, bool with_compacted,
    tq_block_list_fn fn, void *arg, struct tq_err *err)
{
	struct list_ctx l = { s, tenant, with_compacted, fn, arg, err, { 0 }, 0 };
	char prefix[300];
	int rc;

	snprintf(prefix, sizeof(prefix), "%s/", tenant);
	if ((rc = tq_store_list(s, prefix, "/", list_one, &l, err)) != 0)
		return rc;
	if (l.n_bad > 0) {
		if (err != NULL)
			*err = l.bad;
		if (l.n_bad > 1)
			tq_err_prefix(err, TQ_ECORRUPT,
			    "%zu blocks left out, the first", l.n_bad);
		return TQ_ECORRUPT;
	}
	return 0;
}
