/*
 * hash.h: the hash functions Tempo's formats and rings are defined with.
 *
 * MurmurHash3 x64 128 (bloom filter bit positions) and FNV-1 32 (bloom
 * shard choice and ring tokens for trace IDs).  Both are specified
 * bit-exactly, so blocks we write and blocks Tempo writes agree.
 */
#ifndef TQ_HASH_H
#define TQ_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * tq_hash_murmur3_128 computes MurmurHash3_x64_128 of p[0..n) with seed;
 * out[0] is h1 and out[1] h2 of the reference algorithm.
 */
void	 tq_hash_murmur3_128(const void *p, size_t n, uint32_t seed,
	    uint64_t out[2]);

/* tq_hash_fnv1_32 computes 32-bit FNV-1 (multiply, then xor) of p[0..n). */
uint32_t tq_hash_fnv1_32(const void *p, size_t n);

#endif
