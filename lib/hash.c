/*
 * hash.c: MurmurHash3 x64 128 and FNV-1 32 (see hash.h), written from the
 * algorithms' published descriptions.
 */
#include <string.h>

#include "hash.h"

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t
fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* load64 reads 8 bytes little-endian, whatever the host order. */
static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void
tq_hash_murmur3_128(const void *data, size_t n, uint32_t seed,
    uint64_t out[2])
{
	const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
	const uint8_t *p = data, *tail;
	uint64_t h1 = seed, h2 = seed, k1, k2;
	size_t i, nblocks = n / 16;

	for (i = 0; i < nblocks; i++) {
		k1 = load64(p + 16 * i);
		k2 = load64(p + 16 * i + 8);
		k1 *= c1;
		k1 = rotl64(k1, 31);
		k1 *= c2;
		h1 ^= k1;
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;
		k2 *= c2;
		k2 = rotl64(k2, 33);
		k2 *= c1;
		h2 ^= k2;
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}
	tail = p + 16 * nblocks;
	k1 = k2 = 0;
	switch (n & 15) {
	case 15: k2 ^= (uint64_t)tail[14] << 48;	/* FALLTHROUGH */
	case 14: k2 ^= (uint64_t)tail[13] << 40;	/* FALLTHROUGH */
	case 13: k2 ^= (uint64_t)tail[12] << 32;	/* FALLTHROUGH */
	case 12: k2 ^= (uint64_t)tail[11] << 24;	/* FALLTHROUGH */
	case 11: k2 ^= (uint64_t)tail[10] << 16;	/* FALLTHROUGH */
	case 10: k2 ^= (uint64_t)tail[9] << 8;		/* FALLTHROUGH */
	case 9:
		k2 ^= (uint64_t)tail[8];
		k2 *= c2;
		k2 = rotl64(k2, 33);
		k2 *= c1;
		h2 ^= k2;
		/* FALLTHROUGH */
	case 8: k1 ^= (uint64_t)tail[7] << 56;		/* FALLTHROUGH */
	case 7: k1 ^= (uint64_t)tail[6] << 48;		/* FALLTHROUGH */
	case 6: k1 ^= (uint64_t)tail[5] << 40;		/* FALLTHROUGH */
	case 5: k1 ^= (uint64_t)tail[4] << 32;		/* FALLTHROUGH */
	case 4: k1 ^= (uint64_t)tail[3] << 24;		/* FALLTHROUGH */
	case 3: k1 ^= (uint64_t)tail[2] << 16;		/* FALLTHROUGH */
	case 2: k1 ^= (uint64_t)tail[1] << 8;		/* FALLTHROUGH */
	case 1:
		k1 ^= (uint64_t)tail[0];
		k1 *= c1;
		k1 = rotl64(k1, 31);
		k1 *= c2;
		h1 ^= k1;
		break;
	default:
		break;
	}
	h1 ^= (uint64_t)n;
	h2 ^= (uint64_t)n;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	h2 += h1;
	out[0] = h1;
	out[1] = h2;
}

uint32_t
tq_hash_fnv1_32(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h *= 16777619u;
		h ^= p[i];
	}
	return h;
}
