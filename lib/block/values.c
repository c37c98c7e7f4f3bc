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

/*
 * The builder sees each row group's chunks as they are written (a
 * parquet writer's chunk callback) and hashes the dictionary entries of
 * the string columns straight from the writer's memory.  Hashes are kept
 * once per column in an open-addressed table, so a value repeated in
 * every row group is one entry; the entries of a column found not covered
 * stay (its values no longer count) until the table grows.
 */

/* A column's state. */
enum { COL_SKIP, COL_COVERED, COL_NOT };

/* One distinct value of a column: its hash, and the column + 1 (0: a
 * free slot). */
struct vent {
	uint64_t	 h;
	uint32_t	 col;
};

struct tq_block_values_builder {
	const struct tq_parquet_schema	*s;
	uint8_t				*state;		/* by column */
	uint64_t			*seeds;		/* by column */
	size_t				*count;		/* entries, by column */
	struct vent			*tab;
	size_t				 size, n;	/* slots, entries */
	size_t				 live;	/* entries of covered columns */
	bool				 full;	/* too many: no filter */
};

/* Distinct values the table holds at most before the block gets no
 * filter; some room above the limit for columns found not covered later,
 * whose values then leave. */
#define BUILD_MAX	(2 * (size_t)TQ_BLOCK_MAX_VALUES)

int
tq_block_values_builder_new(const struct tq_parquet_schema *s,
    struct tq_block_values_builder **out, struct tq_err *err)
{
	struct tq_block_values_builder *b;
	size_t col, n = s->n_columns ? s->n_columns : 1;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->state = calloc(n, 1)) == NULL ||
	    (b->seeds = calloc(n, sizeof(*b->seeds))) == NULL ||
	    (b->count = calloc(n, sizeof(*b->count))) == NULL) {
		tq_block_values_builder_free(b);
		return tq_err_set(err, TQ_ENOMEM, "values: out of memory");
	}
	b->s = s;
	for (col = 0; col < s->n_columns; col++) {
		const struct tq_parquet_column_desc *d = &s->columns[col];

		if (d->type != TQ_PARQUET_BYTE_ARRAY ||
		    d->logical.kind != TQ_PARQUET_LT_STRING ||
		    strlen(d->path) > TQ_BLOCK_MAX_VALUES_PATH)
			continue;
		b->state[col] = COL_COVERED;
		b->seeds[col] = column_seed(d->path);
	}
	*out = b;
	return 0;
}

void
tq_block_values_builder_free(struct tq_block_values_builder *b)
{
	if (b == NULL)
		return;
	free(b->state);
	free(b->seeds);
	free(b->count);
	free(b->tab);
	free(b);
}

/* slot_of finds e's slot in a table of size slots: its own or a free one. */
static size_t
slot_of(const struct vent *tab, size_t size, uint64_t h, uint32_t col)
{
	size_t i = (size_t)(h * 0x9e3779b97f4a7c15ull >> 32) & (size - 1);

	while (tab[i].col != 0 && (tab[i].h != h || tab[i].col != col))
		i = (i + 1) & (size - 1);
	return i;
}

/* rehash moves the entries of covered columns to a table of size slots. */
static int
rehash(struct tq_block_values_builder *b, size_t size)
{
	struct vent *tab = calloc(size, sizeof(*tab));
	size_t i, n = 0;

	if (tab == NULL)
		return TQ_ENOMEM;
	for (i = 0; i < b->size; i++) {
		const struct vent *e = &b->tab[i];

		if (e->col == 0 || b->state[e->col - 1] != COL_COVERED)
			continue;
		tab[slot_of(tab, size, e->h, e->col)] = *e;
		n++;
	}
	free(b->tab);
	b->tab = tab;
	b->size = size;
	b->n = n;
	return 0;
}

/* add_hash adds hash h of a value of column col, once. */
static int
add_hash(struct tq_block_values_builder *b, uint64_t h, uint32_t col)
{
	size_t i;
	int rc;

	/* Growing, the entries of columns not covered go: the table only
	 * grows when those of covered ones fill half of it. */
	if (2 * (b->n + 1) > b->size && (rc = rehash(b, 2 * b->live + 2 <=
	    b->size ? b->size : b->size ? 2 * b->size : 4096)) != 0)
		return rc;
	i = slot_of(b->tab, b->size, h, col + 1);
	if (b->tab[i].col != 0)
		return 0;
	b->tab[i].h = h;
	b->tab[i].col = col + 1;
	b->n++;
	b->count[col]++;
	if (++b->live > BUILD_MAX) {
		/* No filter: the memory goes at once. */
		b->full = true;
		free(b->tab);
		b->tab = NULL;
		b->size = b->n = b->live = 0;
	}
	return 0;
}

int
tq_block_values_builder_add(struct tq_block_values_builder *b, int col,
    const struct tq_parquet_chunk *meta, const uint8_t *dict,
    size_t dict_len, size_t dict_n, struct tq_err *err)
{
	const uint32_t by_dict = (1u << TQ_PARQUET_RLE_DICTIONARY) |
	    (1u << TQ_PARQUET_PLAIN_DICTIONARY);
	size_t i, at = 0;
	uint32_t len;
	int rc;

	if (col < 0 || (size_t)col >= b->s->n_columns ||
	    b->state[col] != COL_COVERED || b->full)
		return 0;
	/* A chunk is covered when every data page points into its
	 * dictionary, or when it has no values (no min and max). */
	if (dict == NULL || meta->data_encodings == 0 ||
	    (meta->data_encodings & ~by_dict) != 0) {
		if (!meta->stats.has_min_max)
			return 0;
		b->state[col] = COL_NOT;
		b->live -= b->count[col];
		return 0;
	}
	for (i = 0; i < dict_n && !b->full; i++) {
		if (dict_len - at < 4)
			break;
		memcpy(&len, dict + at, 4);	/* PLAIN: little-endian */
		if (len > dict_len - at - 4)
			break;
		if ((rc = add_hash(b, XXH3_64bits_withSeed(dict + at + 4, len,
		    b->seeds[col]), (uint32_t)col)) != 0)
			return tq_err_set(err, rc, "values: out of memory");
		at += 4 + (size_t)len;
	}
	if (i < dict_n && !b->full)
		return tq_err_set(err, TQ_EINVAL, "values: column %s: "
		    "dictionary of %zu entries in %zu bytes",
		    b->s->columns[col].path, dict_n, dict_len);
	return 0;
}

int
tq_block_values_builder_finish(struct tq_block_values_builder *b,
    struct tq_buf *out, struct tq_err *err)
{
	const struct tq_parquet_schema *s = b->s;
	size_t col, ncols = 0, i, header_len = FIXED + 8, at = out->len;
	uint32_t nblocks;
	uint8_t head[FIXED], *blocks;
	int rc;

	if (b->full || b->live > TQ_BLOCK_MAX_VALUES)
		return 0;	/* no filter */
	nblocks = (uint32_t)((b->live * BITS_PER_VALUE + 255) / 256);
	if (nblocks == 0)
		nblocks = 1;
	for (col = 0; col < s->n_columns; col++)
		if (b->state[col] == COL_COVERED) {
			header_len += 2 + strlen(s->columns[col].path);
			ncols++;
		}
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

		if (b->state[col] == COL_COVERED &&
		    ((rc = tq_buf_append(out, len, 2)) != 0 ||
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
	for (i = 0; i < b->size; i++) {
		uint64_t h = b->tab[i].h;
		uint8_t *blk;
		uint32_t probe[8];
		int w;

		if (b->tab[i].col == 0 ||
		    b->state[b->tab[i].col - 1] != COL_COVERED)
			continue;
		blk = blocks + (size_t)block_of(h, nblocks) * 32;
		probe_of(h, probe);
		for (w = 0; w < 8; w++)
			put32(blk + 4 * w, get32(blk + 4 * w) | probe[w]);
	}
	out->len += (size_t)nblocks * 32;
	return 0;
nomem:
	out->len = at;
	return tq_err_set(err, rc, "values: the filter does not fit in memory");
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
