/*
 * values.c: a block's values filter (object "values", see block.h and
 * tempo-block(5)).
 *
 * A split-block Bloom filter of every distinct value of the string columns
 * that are dictionary-encoded in every row group: the union of their
 * dictionary pages, which is exactly the set of values those columns
 * hold.  Every bit a value sets lies in one 32-byte block, so a lookup
 * reads the header once and then 32 bytes: a search whose query needs a
 * value the filter has not seen skips the block without its Parquet
 * footer or any dictionary page.
 *
 * Layout, integers little-endian:
 *	"TQVF" version:u32 nblocks:u32 ncols:u32 header_len:u32
 *	ncols × (len:u16 path[len])	the columns covered
 *	xxh3_64 of the header's bytes before it:u64
 *	nblocks × 32 bytes		at offset header_len
 * A value v of column c hashes to h = XXH3_64(v, seed XXH3_64(c)); it
 * lives in block (h >> 32) · nblocks >> 32, whose eight 32-bit words w[i]
 * each get bit (low32(h) · SALT[i] mod 2^32) >> 27.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "block.h"
#include "limits.h"

#define MAGIC		"TQVF"
#define VERSION		1
#define FIXED		20	/* the header before the columns */
#define BITS_PER_VALUE	16	/* about 0.2% false positives */

/* Odd multipliers spreading a value's hash over a block's eight words. */
static const uint32_t SALT[8] = {
	0x9e3779b1u, 0x85ebca77u, 0xc2b2ae3du, 0x27d4eb2fu,
	0x165667b1u, 0xd3a2646du, 0xfd7046c5u, 0xb55a4f09u,
};

struct tq_block_values {
	uint32_t	 nblocks;
	uint32_t	 header_len;
	size_t		 ncols;
	char		**cols;
	uint64_t	*seeds;		/* by column */
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint64_t
column_seed(const char *path)
{
	return XXH3_64bits(path, strlen(path));
}

static uint32_t
block_of(uint64_t h, uint32_t nblocks)
{
	return (uint32_t)(((h >> 32) * nblocks) >> 32);
}

/* probe_of gives the bit each of a block's words holds for hash h. */
static void
probe_of(uint64_t h, uint32_t probe[8])
{
	int i;

	for (i = 0; i < 8; i++)
		probe[i] = 1u << (((uint32_t)h * SALT[i]) >> 27);
}

/* ---- building ---- */

struct hashes {
	uint64_t	*h;
	size_t		 n, cap;
	bool		 full;	/* too many: the block gets no filter */
};

static int
add_hash(struct hashes *hs, uint64_t h, struct tq_err *err)
{
	if (hs->full)
		return 0;
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? 2 * hs->cap : 4096;
		uint64_t *p;

		/* Repeats across row groups are dropped later: room for
		 * some before giving up. */
		if (hs->n >= 4 * (size_t)TQ_BLOCK_MAX_VALUES) {
			hs->full = true;
			return 0;
		}
		if ((p = realloc(hs->h, cap * sizeof(*p))) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "values: out of memory");
		hs->h = p;
		hs->cap = cap;
	}
	hs->h[hs->n++] = h;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * column_values adds the hashes of column col's dictionary entries in
 * every row group to hs; *covered is false when some row group holds
 * values outside a dictionary (the column then says nothing).
 */
static int
column_values(struct tq_parquet_reader *pr, int col, const char *path,
    struct hashes *hs, bool *covered, struct tq_err *err)
{
	struct tq_parquet_column c;
	size_t rg, nrg = tq_parquet_reader_num_row_groups(pr), i, mark = hs->n;
	uint64_t seed = column_seed(path);
	int rc = 0;

	memset(&c, 0, sizeof(c));
	*covered = true;
	for (rg = 0; rg < nrg && *covered && rc == 0; rg++) {
		const struct tq_parquet_chunk *ch = tq_parquet_reader_chunk(pr,
		    rg, col);
		bool has;

		if ((rc = tq_parquet_reader_read_dict(pr, rg, col, &c, &has,
		    err)) != 0)
			break;
		if (!has) {
			/* Without a dictionary only a chunk of no values
			 * (which has no min and max) is covered. */
			tq_parquet_column_release(&c);
			memset(&c, 0, sizeof(c));
			if (ch == NULL || ch->stats.has_min_max) {
				*covered = false;
				break;
			}
			if ((rc = tq_parquet_reader_read_column(pr, rg, col, 0,
			    &c, err)) != 0)
				break;
			*covered = c.n_values == 0;
		}
		for (i = 0; i < c.n_values && rc == 0; i++)
			rc = add_hash(hs, XXH3_64bits_withSeed(c.data + c.off[i],
			    c.off[i + 1] - c.off[i], seed), err);
		tq_parquet_column_release(&c);
		memset(&c, 0, sizeof(c));
	}
	tq_parquet_column_release(&c);
	if (!*covered)
		hs->n = mark;
	return rc;
}

int
tq_block_values_build(struct tq_parquet_reader *pr, struct tq_buf *out,
    struct tq_err *err)
{
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(pr);
	struct hashes hs = { NULL, 0, 0, false };
	uint8_t *covered = NULL, *blocks;
	size_t col, ncols = 0, i, j, at = out->len, header_len = FIXED + 8;
	uint32_t nblocks;
	uint8_t head[FIXED];
	int rc = 0;

	if ((covered = calloc(s->n_columns ? s->n_columns : 1, 1)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "values: out of memory");
		goto out;
	}
	for (col = 0; col < s->n_columns && rc == 0; col++) {
		const struct tq_parquet_column_desc *d = &s->columns[col];
		bool cov;

		if (d->type != TQ_PARQUET_BYTE_ARRAY ||
		    d->logical.kind != TQ_PARQUET_LT_STRING ||
		    strlen(d->path) > TQ_BLOCK_MAX_VALUES_PATH)
			continue;
		if ((rc = column_values(pr, (int)col, d->path, &hs, &cov,
		    err)) == 0 && cov) {
			covered[col] = 1;
			ncols++;
		}
	}
	if (rc != 0 || hs.full)
		goto out;
	/* Distinct values only: repeats across row groups set no new bit
	 * but would size the filter larger. */
	qsort(hs.h, hs.n, sizeof(*hs.h), cmp_u64);
	for (i = 0, j = 0; i < hs.n; i++)
		if (j == 0 || hs.h[j - 1] != hs.h[i])
			hs.h[j++] = hs.h[i];
	hs.n = j;
	if (hs.n > TQ_BLOCK_MAX_VALUES)
		goto out;	/* no filter */
	nblocks = (uint32_t)((hs.n * BITS_PER_VALUE + 255) / 256);
	if (nblocks == 0)
		nblocks = 1;
	for (col = 0; col < s->n_columns; col++)
		if (covered[col])
			header_len += 2 + strlen(s->columns[col].path);
	memcpy(head, MAGIC, 4);
	put32(head + 4, VERSION);
	put32(head + 8, nblocks);
	put32(head + 12, (uint32_t)ncols);
	put32(head + 16, (uint32_t)header_len);
	if ((rc = tq_buf_append(out, head, FIXED)) != 0)
		goto nomem;
	for (col = 0; col < s->n_columns; col++) {
		const char *path = s->columns[col].path;
		uint8_t len[2] = { (uint8_t)strlen(path),
		    (uint8_t)(strlen(path) >> 8) };

		if (covered[col] && ((rc = tq_buf_append(out, len, 2)) != 0 ||
		    (rc = tq_buf_append(out, path, strlen(path))) != 0))
			goto nomem;
	}
	{
		uint64_t sum = XXH3_64bits(out->data + at, out->len - at);
		uint8_t t[8];

		put32(t, (uint32_t)sum);
		put32(t + 4, (uint32_t)(sum >> 32));
		if ((rc = tq_buf_append(out, t, 8)) != 0)
			goto nomem;
	}
	if ((rc = tq_buf_reserve(out, (size_t)nblocks * 32)) != 0)
		goto nomem;
	blocks = out->data + out->len;
	memset(blocks, 0, (size_t)nblocks * 32);
	for (i = 0; i < hs.n; i++) {
		uint8_t *b = blocks + (size_t)block_of(hs.h[i], nblocks) * 32;
		uint32_t probe[8];
		int w;

		probe_of(hs.h[i], probe);
		for (w = 0; w < 8; w++)
			put32(b + 4 * w, get32(b + 4 * w) | probe[w]);
	}
	out->len += (size_t)nblocks * 32;
	goto out;
nomem:
	rc = tq_err_set(err, rc, "values: the filter does not fit in memory");
out:
	free(covered);
	free(hs.h);
	return rc;
}

/* ---- reading ---- */

size_t
tq_block_values_header_len(const void *p, size_t len)
{
	const uint8_t *b = p;

	return len < FIXED || memcmp(b, MAGIC, 4) != 0 ? 0 : get32(b + 16);
}

int
tq_block_values_parse(const void *p, size_t len,
    struct tq_block_values **out, struct tq_err *err)
{
	const uint8_t *b = p;
	struct tq_block_values *v;
	size_t at = FIXED, i, hlen, ncols;
	int rc;

	*out = NULL;
	if ((hlen = tq_block_values_header_len(p, len)) == 0)
		return tq_err_set(err, TQ_ECORRUPT, "values: not a values "
		    "filter");
	if (get32(b + 4) != VERSION)
		return tq_err_set(err, TQ_EUNSUPPORTED, "values: version %u",
		    get32(b + 4));
	if (hlen < FIXED + 8 || hlen > len)
		return tq_err_set(err, TQ_ECORRUPT, "values: header of %zu "
		    "bytes in %zu", hlen, len);
	if (get64(b + hlen - 8) != XXH3_64bits(b, hlen - 8))
		return tq_err_set(err, TQ_ECORRUPT, "values: header checksum "
		    "mismatch");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "values: out of memory");
	v->nblocks = get32(b + 8);
	ncols = get32(b + 12);
	v->header_len = (uint32_t)hlen;
	if (v->nblocks == 0 || ncols > TQ_BLOCK_MAX_VALUES_COLS) {
		rc = tq_err_set(err, TQ_ECORRUPT, "values: bad header");
		goto fail;
	}
	/* v->ncols counts the columns read so far: what free frees. */
	if ((v->cols = calloc(ncols ? ncols : 1, sizeof(*v->cols))) == NULL ||
	    (v->seeds = calloc(ncols ? ncols : 1, sizeof(*v->seeds))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "values: out of memory");
		goto fail;
	}
	for (i = 0; i < ncols; i++) {
		size_t n;

		if (hlen - 8 - at < 2 || (n = (size_t)b[at] |
		    (size_t)b[at + 1] << 8) > hlen - 8 - at - 2) {
			rc = tq_err_set(err, TQ_ECORRUPT, "values: byte %zu: "
			    "column %zu: truncated", at, i);
			goto fail;
		}
		if ((v->cols[i] = strndup((const char *)b + at + 2, n)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "values: out of memory");
			goto fail;
		}
		v->seeds[i] = column_seed(v->cols[i]);
		v->ncols++;
		at += 2 + n;
	}
	if (at != hlen - 8) {
		rc = tq_err_set(err, TQ_ECORRUPT, "values: byte %zu: the "
		    "columns end before the header does", at);
		goto fail;
	}
	*out = v;
	return 0;
fail:
	tq_block_values_free(v);
	return rc;
}

void
tq_block_values_free(struct tq_block_values *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->ncols; i++)
		free(v->cols[i]);
	free(v->cols);
	free(v->seeds);
	free(v);
}

uint64_t
tq_block_values_size(const struct tq_block_values *v)
{
	return (uint64_t)v->header_len + (uint64_t)v->nblocks * 32;
}

bool
tq_block_values_locate(const struct tq_block_values *v, const char *column,
    const void *value, size_t len, uint64_t *off, uint32_t probe[8])
{
	uint64_t h;
	size_t c;

	for (c = 0; c < v->ncols; c++)
		if (strcmp(v->cols[c], column) == 0)
			break;
	if (c == v->ncols)
		return false;	/* not covered: anything may be there */
	h = XXH3_64bits_withSeed(value, len, v->seeds[c]);
	*off = v->header_len + (uint64_t)block_of(h, v->nblocks) * 32;
	probe_of(h, probe);
	return true;
}

bool
tq_block_values_probe(const uint32_t probe[8], const uint8_t block[32])
{
	int w;

	for (w = 0; w < 8; w++)
		if ((get32(block + 4 * w) & probe[w]) == 0)
			return false;
	return true;
}
