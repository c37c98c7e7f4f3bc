/*
 * bloom.h: Tempo-compatible sharded bloom filters of trace IDs
 * (reference/tempo.md §4.5, tempo-block(5)).
 *
 * A block's filter is split into shards of a fixed size; a trace ID lives
 * in shard fnv1_32(id) % nshards, so a lookup reads one small object.
 * Inside a shard, bit positions come from two MurmurHash3 x64 128 sums, as
 * the Go bits-and-blooms library that Tempo uses computes them, and a
 * shard serialises as big-endian m, k, bit length and 64-bit words.
 */
#ifndef TQ_BLOOM_H
#define TQ_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define TQ_BLOOM_MAX_SHARDS	1000
#define TQ_BLOOM_SHARD_BYTES	102400	/* Tempo's default shard size */
#define TQ_BLOOM_FP		0.01	/* Tempo's default false positives */

struct tq_bloom;

/*
 * tq_bloom_new sizes a filter for about n trace IDs at false-positive rate
 * fp, in shards of shard_bytes bytes of bits, as Tempo does.  Returns 0,
 * TQ_EINVAL (fp not in (0,1), shard_bytes 0) or TQ_ENOMEM.
 */
int	 tq_bloom_new(size_t n, double fp, size_t shard_bytes,
	    struct tq_bloom **out, struct tq_err *err);

/* tq_bloom_free frees b (NULL allowed). */
void	 tq_bloom_free(struct tq_bloom *b);

/* tq_bloom_add adds a 16-byte trace ID. */
void	 tq_bloom_add(struct tq_bloom *b, const uint8_t id[16]);

/* tq_bloom_shards returns the number of shards. */
unsigned tq_bloom_shards(const struct tq_bloom *b);

/* tq_bloom_shard_of returns the shard that holds id among nshards. */
unsigned tq_bloom_shard_of(const uint8_t id[16], unsigned nshards);

/* tq_bloom_shard_encode appends shard i in Tempo's byte format to out. */
int	 tq_bloom_shard_encode(const struct tq_bloom *b, unsigned i,
	    struct tq_buf *out, struct tq_err *err);

/*
 * tq_bloom_shard_test tests id against one serialised shard (the bytes of
 * an object bloom-N).  Returns 1 (maybe present), 0 (absent) or
 * TQ_ECORRUPT when the bytes are not a shard.
 */
int	 tq_bloom_shard_test(const void *shard, size_t len,
	    const uint8_t id[16], struct tq_err *err);

/* A tq_bloom_read_fn reads len bytes at off of a shard into dst. */
typedef int	(*tq_bloom_read_fn)(void *arg, uint64_t off, size_t len,
		    void *dst, struct tq_err *err);
/*
 * tq_bloom_shard_probe tests id like tq_bloom_shard_test against a shard
 * of len bytes that it reads through read(arg, ...) piece by piece: the
 * header, then only the 8-byte words that id's bits fall in, stopping at
 * the first clear bit.  Returns 1, 0, TQ_ECORRUPT or read's error.
 */
int	 tq_bloom_shard_probe(tq_bloom_read_fn read, void *arg, size_t len,
	    const uint8_t id[16], struct tq_err *err);

#endif
