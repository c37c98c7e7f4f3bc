/*
 * test-bloom.c: bloom filters are sized and serialised as Tempo's are, keep
 * every ID added, hold their false-positive rate, and refuse bad shards.
 */
#include <stdlib.h>
#include <string.h>

#include "bloom.h"
#include "hash.h"
#include "limits.h"
#include "t.h"

/* id_of makes a deterministic pseudo-random trace ID from i. */
static void
id_of(uint64_t i, uint8_t id[16])
{
	uint64_t h[2];

	tq_hash_murmur3_128(&i, sizeof(i), 42, h);
	memcpy(id, h, 16);
}

/* test_all encodes every shard and tests ids [from, to) against them. */
static size_t
count_maybe(struct tq_bloom *b, uint64_t from, uint64_t to)
{
	struct tq_buf *shards;
	unsigned n = tq_bloom_shards(b), s;
	size_t hits = 0;
	uint64_t i;

	shards = calloc(n, sizeof(*shards));
	for (s = 0; s < n; s++) {
		tq_buf_init(&shards[s], 64 * 1024 * 1024);
		tq_bloom_shard_encode(b, s, &shards[s], NULL);
	}
	for (i = from; i < to; i++) {
		uint8_t id[16];

		id_of(i, id);
		s = tq_bloom_shard_of(id, n);
		hits += tq_bloom_shard_test(shards[s].data, shards[s].len, id,
		    NULL) == 1;
	}
	for (s = 0; s < n; s++)
		tq_buf_release(&shards[s]);
	free(shards);
	return hits;
}

/* A shard in memory read through tq_bloom_shard_probe's callback. */
struct mem_shard {
	const uint8_t	*p;
	size_t		 len;
	size_t		 reads, bytes;
	size_t		 fail_at;	/* the read that fails, from 1; 0 none */
};

static int
mem_read(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct mem_shard *m = arg;

	if (++m->reads == m->fail_at)
		return tq_err_set(err, TQ_EIO, "read %zu fails", m->reads);
	if (off > m->len || len > m->len - off)
		return tq_err_set(err, TQ_ECORRUPT, "past the end");
	memcpy(dst, m->p + off, len);
	m->bytes += len;
	return 0;
}

/*
 * test_probe: probing a shard word by word says what testing it whole
 * says, reading its header and at most k words, and fails as it does.
 */
static void
test_probe(void)
{
	struct tq_bloom *b;
	struct tq_buf buf;
	struct tq_err e;
	struct mem_shard m;
	uint8_t id[16];
	size_t same = 0, most = 0, maybe = 0, absent_words = 0;
	uint64_t i;
	int want, got;

	tq_bloom_new(20000, 0.01, TQ_BLOOM_SHARD_BYTES, &b, &e);
	for (i = 0; i < 20000; i++) {
		id_of(i, id);
		tq_bloom_add(b, id);
	}
	tq_buf_init(&buf, 1 << 20);
	tq_bloom_shard_encode(b, 0, &buf, &e);
	for (i = 10000; i < 30000; i++) {
		id_of(i, id);
		memset(&m, 0, sizeof(m));
		m.p = buf.data;
		m.len = buf.len;
		want = tq_bloom_shard_test(buf.data, buf.len, id, &e);
		got = tq_bloom_shard_probe(mem_read, &m, buf.len, id, &e);
		same += want == got;
		maybe += got == 1;
		if (m.bytes > most)
			most = m.bytes;
		if (got == 0)
			absent_words += (m.bytes - 24) / 8;
	}
	T_EQ_INT(same, 20000, "probe: says what a whole test says");
	T_OK(maybe >= 10000 && maybe < 10300, "probe: the 10000 added found");
	T_EQ_INT(most, 24 + 7 * 8, "probe: header and at most k=7 words");
	T_OK(absent_words < 3 * 10000, "probe: a miss stops at a clear bit");
	memset(&m, 0, sizeof(m));
	m.p = buf.data;
	m.len = buf.len;
	T_EQ_INT(tq_bloom_shard_probe(mem_read, &m, 20, id, &e), TQ_ECORRUPT,
	    "probe: a short shard is corrupt");
	T_EQ_INT(tq_bloom_shard_probe(mem_read, &m, buf.len - 8, id, &e),
	    TQ_ECORRUPT, "probe: a shard shorter than m bits is corrupt");
	T_OK(strstr(e.msg, "does not fit") != NULL, "probe: says why");
	id_of(5, id);
	memset(&m, 0, sizeof(m));
	m.p = buf.data;
	m.len = buf.len;
	m.fail_at = 3;
	T_EQ_INT(tq_bloom_shard_probe(mem_read, &m, buf.len, id, &e), TQ_EIO,
	    "probe: a failed read is the probe's failure");
	tq_buf_release(&buf);
	tq_bloom_free(b);
}

int
main(void)
{
	struct tq_bloom *b;
	struct tq_buf buf;
	struct tq_err e;
	uint8_t id[16] = { 0 };
	size_t hits;
	uint64_t i;

	/* Sizing as Tempo: n = 1e6 at 1% needs 9585059 bits, 12 shards. */
	T_EQ_INT(tq_bloom_new(1000000, 0.01, TQ_BLOOM_SHARD_BYTES, &b, &e), 0,
	    "sizing: a million IDs");
	T_EQ_INT(tq_bloom_shards(b), 12, "sizing: 12 shards of 100 KiB");
	tq_bloom_free(b);
	T_EQ_INT(tq_bloom_new(100000000, 0.01, TQ_BLOOM_SHARD_BYTES, &b, &e), 0,
	    "sizing: 1e8 IDs");
	T_EQ_INT(tq_bloom_shards(b), TQ_BLOOM_MAX_SHARDS,
	    "sizing: shards capped at 1000");
	tq_bloom_free(b);

	/* Byte format: 24-byte header, then the bits. */
	tq_bloom_new(1000, 0.01, TQ_BLOOM_SHARD_BYTES, &b, &e);
	tq_buf_init(&buf, 1 << 20);
	T_EQ_INT(tq_bloom_shard_encode(b, 0, &buf, &e), 0, "format: encodes");
	T_EQ_INT(buf.len, 102424, "format: 102424 bytes for a 100 KiB shard");
	T_OK(memcmp(buf.data, "\0\0\0\0\0\x0c\x80\0" "\0\0\0\0\0\0\0\x07"
	    "\0\0\0\0\0\x0c\x80\0", 24) == 0,
	    "format: big-endian m=819200, k=7, bit length 819200");
	T_EQ_INT(tq_bloom_shard_test(buf.data, buf.len, id, &e), 0,
	    "format: an empty filter says absent");
	T_EQ_INT(tq_bloom_shard_test(buf.data, 20, id, &e), TQ_ECORRUPT,
	    "format: a short shard is corrupt");
	T_EQ_INT(tq_bloom_shard_test(buf.data, buf.len - 8, id, &e), TQ_ECORRUPT,
	    "format: a shard shorter than m bits is corrupt");
	tq_buf_release(&buf);
	tq_bloom_free(b);

	/* Every ID added is found; strangers mostly are not. */
	tq_bloom_new(20000, 0.01, TQ_BLOOM_SHARD_BYTES, &b, &e);
	for (i = 0; i < 20000; i++) {
		id_of(i, id);
		tq_bloom_add(b, id);
	}
	T_EQ_INT(count_maybe(b, 0, 20000), 20000, "filter: no false negatives");
	tq_bloom_free(b);

	/* A small shard sized for exactly 1% keeps near 1%. */
	tq_bloom_new(2000, 0.01, 2400, &b, &e);
	for (i = 0; i < 2000; i++) {
		id_of(i, id);
		tq_bloom_add(b, id);
	}
	hits = count_maybe(b, 1000000, 1020000);
	T_OK(hits < 20000 * 2 / 100, "filter: false positives under 2%");
	printf("# false positives: %zu of 20000\n", hits);
	tq_bloom_free(b);

	T_EQ_INT(tq_bloom_new(10, 0, 1024, &b, &e), TQ_EINVAL,
	    "args: fp 0 is refused");
	test_probe();
	return t_done();
}
