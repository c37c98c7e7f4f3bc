/*
 * bloom.c: Tempo-compatible sharded bloom filters (see bloom.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bloom.h"
#include "hash.h"

struct tq_bloom {
	uint64_t	 m;		/* bits per shard */
	uint64_t	 k;		/* hash functions */
	unsigned	 nshards;
	uint64_t	*words;		/* nshards * m / 64 words */
};

int
tq_bloom_new(size_t n, double fp, size_t shard_bytes, struct tq_bloom **out,
    struct tq_err *err)
{
	struct tq_bloom *b;
	double m, k;
	size_t shards;

	if (!(fp > 0 && fp < 1) || shard_bytes == 0 || shard_bytes % 8 != 0 ||
	    shard_bytes > 64u * 1024 * 1024)
		return tq_err_set(err, TQ_EINVAL,
		    "bloom: false positives %g, shard size %zu", fp, shard_bytes);
	if (n == 0)
		n = 1;
	/* bits-and-blooms EstimateParameters, then Tempo's sharding. */
	m = ceil(-(double)n * log(fp) / (log(2) * log(2)));
	k = ceil(log(2) * m / (double)n);
	shards = (size_t)ceil(m / ((double)shard_bytes * 8));
	if (shards < 1)
		shards = 1;
	if (shards > TQ_BLOOM_MAX_SHARDS)
		shards = TQ_BLOOM_MAX_SHARDS;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->words = calloc(shards * shard_bytes / 8, 8)) == NULL) {
		free(b);
		return tq_err_set(err, TQ_ENOMEM, "bloom: out of memory");
	}
	b->m = (uint64_t)shard_bytes * 8;
	b->k = k < 1 ? 1 : (uint64_t)k;
	b->nshards = (unsigned)shards;
	*out = b;
	return 0;
}

void
tq_bloom_free(struct tq_bloom *b)
{
	if (b == NULL)
		return;
	free(b->words);
	free(b);
}

unsigned
tq_bloom_shards(const struct tq_bloom *b)
{
	return b->nshards;
}

unsigned
tq_bloom_shard_of(const uint8_t id[16], unsigned nshards)
{
	return tq_hash_fnv1_32(id, 16) % nshards;
}

/* base_hashes gives the four 64-bit sums bit positions are made from. */
static void
base_hashes(const uint8_t id[16], uint64_t h[4])
{
	uint8_t plus[17];

	tq_hash_murmur3_128(id, 16, 0, h);
	memcpy(plus, id, 16);
	plus[16] = 1;
	tq_hash_murmur3_128(plus, 17, 0, h + 2);
}

static inline uint64_t
location(const uint64_t h[4], uint64_t i, uint64_t m)
{
	return (h[i % 2] + i * h[2 + (((i + (i % 2)) % 4) / 2)]) % m;
}

void
tq_bloom_add(struct tq_bloom *b, const uint8_t id[16])
{
	uint64_t h[4], i, *w;

	w = b->words + (size_t)tq_bloom_shard_of(id, b->nshards) * (b->m / 64);
	base_hashes(id, h);
	for (i = 0; i < b->k; i++) {
		uint64_t bit = location(h, i, b->m);

		w[bit / 64] |= (uint64_t)1 << (bit % 64);
	}
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
tq_bloom_shard_encode(const struct tq_bloom *b, unsigned i,
    struct tq_buf *out, struct tq_err *err)
{
	const uint64_t *w = b->words + (size_t)i * (b->m / 64);
	size_t j, nwords = b->m / 64;
	uint8_t *p;
	int rc;

	if (i >= b->nshards)
		return tq_err_set(err, TQ_EINVAL, "bloom: no shard %u", i);
	if ((rc = tq_buf_reserve(out, 24 + nwords * 8)) != 0)
		return tq_err_set(err, rc, "bloom: %s", tq_strerror(rc));
	p = out->data + out->len;
	put64(p, b->m);
	put64(p + 8, b->k);
	put64(p + 16, b->m);
	for (j = 0; j < nwords; j++)
		put64(p + 24 + 8 * j, w[j]);
	out->len += 24 + nwords * 8;
	return 0;
}

/*
 * shard_header checks the 24-byte header at p of a shard of len bytes
 * (len at least 24) and gives its m and k.
 */
static int
shard_header(const uint8_t *p, size_t len, uint64_t *m, uint64_t *k,
    struct tq_err *err)
{
	uint64_t bits;

	*m = get64(p);
	*k = get64(p + 8);
	bits = get64(p + 16);
	if (*m == 0 || *k == 0 || *k > 64 || bits != *m ||
	    (len - 24) / 8 < (*m + 63) / 64)
		return tq_err_set(err, TQ_ECORRUPT,
		    "bloom: header m=%llu k=%llu bits=%llu does not fit %zu bytes",
		    (unsigned long long)*m, (unsigned long long)*k,
		    (unsigned long long)bits, len);
	return 0;
}

int
tq_bloom_shard_probe(tq_bloom_read_fn read, void *arg, size_t len,
    const uint8_t id[16], struct tq_err *err)
{
	uint8_t head[24], word[8];
	uint64_t m, k, h[4], i;
	int rc;

	if (len < 24)
		return tq_err_set(err, TQ_ECORRUPT, "bloom: %zu bytes, no header",
		    len);
	if ((rc = read(arg, 0, sizeof(head), head, err)) != 0 ||
	    (rc = shard_header(head, len, &m, &k, err)) != 0)
		return rc;
	base_hashes(id, h);
	for (i = 0; i < k; i++) {
		uint64_t bit = location(h, i, m);

		if ((rc = read(arg, 24 + 8 * (bit / 64), sizeof(word), word,
		    err)) != 0)
			return rc;
		if ((get64(word) & ((uint64_t)1 << (bit % 64))) == 0)
			return 0;
	}
	return 1;
}

int
tq_bloom_shard_test(const void *shard, size_t len, const uint8_t id[16],
    struct tq_err *err)
{
	const uint8_t *p = shard;
	uint64_t m, k, h[4], i;
	int rc;

	if (len < 24)
		return tq_err_set(err, TQ_ECORRUPT, "bloom: %zu bytes, no header",
		    len);
	if ((rc = shard_header(p, len, &m, &k, err)) != 0)
		return rc;
	base_hashes(id, h);
	for (i = 0; i < k; i++) {
		uint64_t bit = location(h, i, m);
		uint64_t word = get64(p + 24 + 8 * (bit / 64));

		if ((word & ((uint64_t)1 << (bit % 64))) == 0)
			return 0;
	}
	return 1;
}
