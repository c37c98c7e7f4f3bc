/*
 * tempo-pack: the ingester.  Reads the span stream (stdin or files),
 * groups spans by trace in memory and writes Tempo vParquet4 blocks into a
 * store under <tenant>/<blockID>/.
 *
 * Every record read goes to a write-ahead log before it is in memory only.
 * A block is cut when the completed traces (idle for --trace-idle) reach
 * --max-block-bytes, when the oldest of them has waited
 * --max-block-duration, when live traces pass --max-live-bytes, and at the
 * end of input.  At a cut the WAL moves to a new segment holding the
 * traces that stay in memory, so the older segments are wholly inside the
 * block; a checkpoint naming the block is written before its meta.json,
 * and those segments are removed after it.  On restart the WAL is replayed
 * from the checkpoint if that block is visible, from the start otherwise:
 * every span read ends up in a block exactly once.
 *
 * Live traces are kept as TracesData protobuf: a record is split by trace
 * at the wire level, without unpacking it, and each trace is read once,
 * when its block is written, from its protobuf parts where they lie
 * straight into vParquet4 columns (tq_block_writer_add_pb_parts), with no
 * protobuf-c objects.
 */
#include <assert.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "block.h"
#include "common.h"
#include "limits.h"
#include "store.h"
#include "stream.h"
#include "trace.h"
#include "wal.h"

enum {
	OPT_DEDICATED = OPT_FIRST_PROGRAM_OPTION,
	OPT_MAX_ATTR_BYTES,
	OPT_MAX_BLOCK_BYTES,
	OPT_MAX_BLOCK_DURATION,
	OPT_MAX_LIVE_BYTES,
	OPT_MAX_TRACE_BYTES,
	OPT_ROW_GROUP_BYTES,
	OPT_SKIP_BAD,
	OPT_TRACE_IDLE,
	OPT_WAL,
};

/*
 * Memory that goes at a cut (the block writer's column buffers; the
 * slabs of the traces written are kept apart, see SPARE_SLABS) is about
 * what the next block needs: glibc is told to keep it for reuse rather
 * than hand it back, so it is not faulted in afresh, page by page, for
 * every block.  Buffers below
 * MMAP_BELOW come from the heap (not from mappings of their own, which go
 * back when freed), and up to TRIM_ABOVE bytes free at the heap's top stay.
 * Packing 20000 tempo-gen traces into 8 blocks took 39k page faults
 * without this, 12k with it, and a third less system time.
 */
#define MMAP_BELOW	(64u * 1024 * 1024)
#define TRIM_ABOVE	(256u * 1024 * 1024)

/* How often the cut conditions are looked at, at most. */
#define DUE_INTERVAL_MS	200

/*
 * Live traces' bytes are kept in slabs: what a record brings to a trace
 * is a part, put at the end of the newest slab and linked to the trace,
 * never moved; so traces grow without reallocating and the memory holds
 * their bytes alone (a buffer a trace, doubling, held half as much
 * again, all of it touched).  At a cut the traces that stay are copied
 * into fresh slabs and the old ones go.
 */
#define SLAB_SIZE	(1024u * 1024)

/*
 * Slabs of SLAB_SIZE are mappings of their own, faulted in whole when
 * made (MAP_POPULATE: one system call, not one page fault every 4 KiB:
 * packing 20000 tempo-gen traces took 46k page faults, 28k of them on
 * slabs), and those a cut frees are kept for the next traces, up to
 * SPARE_SLABS of them, rather than handed back and faulted in again.
 */
#define SPARE_SLABS	(TRIM_ABOVE / SLAB_SIZE)
#ifndef MAP_POPULATE
#define MAP_POPULATE	0
#endif

/* A TracesData encoding of some of a trace's spans. */
struct part {
	struct part	*next;
	size_t		 len;
	uint8_t		 data[];
};

struct slab {
	struct slab	*next;
	size_t		 used, size;	/* bytes of mem */
	uint8_t		*mem;		/* mapped when size is SLAB_SIZE */
};

/* Slabs that hold nothing, kept for reuse (see SPARE_SLABS). */
struct slab_pool {
	struct slab	*spare;
	size_t		 n_spare;
};

/* One trace in memory: its parts, which concatenated are TracesData. */
struct live {
	uint8_t		 id[TQ_TRACE_ID_LEN];
	struct part	*first, *last;
	size_t		 n_parts;
	size_t		 len;		/* bytes in its parts */
	int64_t		 last_ms;	/* when a span last arrived */
	uint64_t	 split_gen;	/* the record that last had spans */
	size_t		 split_idx;	/* its index among that record's */
};

/* A span of the record being split. */
struct wspan {
	const uint8_t	*p;
	size_t		 len;
	uint32_t	 rs, ss;	/* indexes into the headers */
	uint32_t	 trace;		/* index into the record's traces */
};

/* Field bytes of a ResourceSpans or ScopeSpans without its children. */
struct whdr {
	size_t		 off, len;	/* in the scratch buffer */
};

/* The split's scratch memory, kept between records. */
struct wsplit {
	struct wspan	*spans;
	size_t		 n_spans, cap_spans;
	struct whdr	*rs, *ss;
	size_t		 n_rs, n_ss, cap_rs, cap_ss;
	struct live	**traces;
	size_t		*count;		/* spans per trace, then ends */
	size_t		 n_traces, cap_traces, cap_count;
	struct wspan	*sorted;
	size_t		 cap_sorted;
	struct tq_buf	 hdr;
};

struct pack {
	struct cli		 cli;
	struct tq_store		*store;
	struct tq_wal		*wal;
	char			*wal_dir;
	struct tq_block_opts	 bopts;
	size_t			 max_block_bytes;
	int64_t			 max_block_ms;
	int64_t			 idle_ms;
	size_t			 max_live_bytes;
	size_t			 max_attr_bytes;
	size_t			 max_trace_bytes;
	bool			 skip_bad;
	/* Live traces: an open-addressed table of pointers. */
	struct live		**table;
	size_t			 size, count;
	size_t			 live_bytes;
	struct slab		*slabs;		/* the newest first */
	struct slab_pool	 pool;
	struct tq_buf		 whole;		/* one trace's parts together */
	struct tq_pb_part	*parts;		/* traces' parts, listed */
	size_t			 cap_parts;
	struct tq_arena		 arena;		/* one record's decoding */
	struct wsplit		 split;		/* one record's splitting */
	uint64_t		 split_gen;	/* records split so far */
	uint64_t		 skip_below;	/* replay: segments already in a block */
	int64_t			 last_due_ms;
	/* Counters for messages. */
	uint64_t		 truncated, dropped_spans, blocks, spans_in;
	int			 status;
};

static volatile sig_atomic_t stopping;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tempo-pack [-qv] [-s store] [-t tenant] [--dedicated scope:name]\n"
	    "       [--max-attr-bytes n] [--max-block-bytes n] [--max-block-duration d]\n"
	    "       [--max-live-bytes n] [--max-trace-bytes n] [--row-group-bytes n]\n"
	    "       [--skip-bad] [--trace-idle d] [--wal dir] [file ...]\n");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
hash_id(const uint8_t *id, size_t size)
{
	uint64_t h;

	memcpy(&h, id + 8, sizeof(h));	/* trace IDs are random */
	return (size_t)(h * 0x9e3779b97f4a7c15ULL) & (size - 1);
}

static void
table_put(struct pack *P, struct live *l)
{
	size_t h = hash_id(l->id, P->size);

	while (P->table[h] != NULL)
		h = (h + 1) & (P->size - 1);
	P->table[h] = l;
}

/* live_get finds (or adds) the live trace of id. */
static struct live *
live_get(struct pack *P, const uint8_t *id)
{
	struct live *l;
	size_t h;

	if (2 * (P->count + 1) > P->size) {
		struct live **old = P->table;
		size_t i, oldsize = P->size;

		P->size = oldsize ? oldsize * 2 : 1024;
		P->table = xcalloc(P->size, sizeof(*P->table));
		for (i = 0; i < oldsize; i++)
			if (old[i] != NULL)
				table_put(P, old[i]);
		free(old);
	}
	h = hash_id(id, P->size);
	while ((l = P->table[h]) != NULL) {
		if (memcmp(l->id, id, TQ_TRACE_ID_LEN) == 0)
			return l;
		h = (h + 1) & (P->size - 1);
	}
	l = xcalloc(1, sizeof(*l));
	memcpy(l->id, id, TQ_TRACE_ID_LEN);
	P->table[h] = l;
	P->count++;
	return l;
}

/*
 * slab_new returns a slab of size bytes: a spare one, a fresh mapping
 * (SLAB_SIZE) or from malloc (a part of its own).  NULL when out of
 * memory.
 */
static struct slab *
slab_new(struct slab_pool *pool, size_t size)
{
	struct slab *sl;
	void *mem;

	if (size == SLAB_SIZE && pool->spare != NULL) {
		sl = pool->spare;
		pool->spare = sl->next;
		pool->n_spare--;
		sl->used = 0;
		return sl;
	}
	if ((sl = malloc(sizeof(*sl))) == NULL)
		return NULL;
	if (size == SLAB_SIZE) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (mem == MAP_FAILED)
			mem = NULL;
	} else
		mem = malloc(size);
	if (mem == NULL) {
		free(sl);
		return NULL;
	}
	sl->mem = mem;
	sl->size = size;
	sl->used = 0;
	return sl;
}

/*
 * slab_part takes a part of n bytes from the slabs at *list, a new slab
 * when the newest is full (a part of over an eighth of SLAB_SIZE has one
 * of its own).  Returns NULL when out of memory.
 */
static struct part *
slab_part(struct slab_pool *pool, struct slab **list, size_t n)
{
	const size_t align = _Alignof(struct part);
	size_t need = sizeof(struct part) + n, at;
	struct slab *sl = *list;
	struct part *pt;

	at = sl != NULL ? (sl->used + align - 1) / align * align : 0;
	if (sl == NULL || at > sl->size || sl->size - at < need) {
		bool own = need > SLAB_SIZE / 8;

		/* (A part of its own is never SLAB_SIZE bytes: that is
		 * over an eighth of it, and the slab header is not in.) */
		if ((sl = slab_new(pool, own ? need : SLAB_SIZE)) == NULL)
			return NULL;
		at = 0;
		/* A slab of its own goes behind the newest, which may
		 * have room yet. */
		if (own && *list != NULL) {
			sl->next = (*list)->next;
			(*list)->next = sl;
		} else {
			sl->next = *list;
			*list = sl;
		}
	}
	pt = (struct part *)(void *)(sl->mem + at);
	sl->used = at + need;
	pt->next = NULL;
	pt->len = n;
	return pt;
}

/* slab_drop frees one slab. */
static void
slab_drop(struct slab *sl)
{
	if (sl->size == SLAB_SIZE)
		munmap(sl->mem, sl->size);
	else
		free(sl->mem);
	free(sl);
}

/* slabs_free frees the slabs at sl, keeping spare ones in pool. */
static void
slabs_free(struct slab_pool *pool, struct slab *sl)
{
	struct slab *next;

	for (; sl != NULL; sl = next) {
		next = sl->next;
		if (sl->size == SLAB_SIZE && pool->n_spare < SPARE_SLABS) {
			sl->next = pool->spare;
			pool->spare = sl;
			pool->n_spare++;
		} else
			slab_drop(sl);
	}
}

/* slab_pool_release frees the spare slabs. */
static void
slab_pool_release(struct slab_pool *pool)
{
	struct slab *sl, *next;

	for (sl = pool->spare; sl != NULL; sl = next) {
		next = sl->next;
		slab_drop(sl);
	}
	pool->spare = NULL;
	pool->n_spare = 0;
}

/* live_extend makes room for n more bytes of l: their place, or NULL
 * when out of memory. */
static uint8_t *
live_extend(struct pack *P, struct live *l, size_t n)
{
	struct part *pt;

	if ((pt = slab_part(&P->pool, &P->slabs, n)) == NULL)
		return NULL;
	if (l->last != NULL)
		l->last->next = pt;
	else
		l->first = pt;
	l->last = pt;
	l->n_parts++;
	l->len += n;
	return pt->data;
}

/* copy_parts copies l's parts, one after the other, to p. */
static void
copy_parts(const struct live *l, uint8_t *p)
{
	const struct part *pt;

	for (pt = l->first; pt != NULL; pt = pt->next) {
		memcpy(p, pt->data, pt->len);
		p += pt->len;
	}
}

/* live_bytes sets *pb to l's parts as one TracesData (l->len bytes): the
 * part itself if it has one, else a copy in P->whole, valid until the
 * next call.  Returns 0 or TQ_ENOMEM. */
static int
live_bytes(struct pack *P, const struct live *l, const uint8_t **pb,
    struct tq_err *err)
{
	int rc;

	if (l->first == l->last) {
		*pb = l->first != NULL ? l->first->data : (const uint8_t *)"";
		return 0;
	}
	tq_buf_reset(&P->whole);
	if ((rc = tq_buf_reserve(&P->whole, l->len)) != 0)
		return tq_err_set(err, rc, "trace buffer: %s", tq_strerror(rc));
	copy_parts(l, P->whole.data);
	P->whole.len = l->len;
	*pb = P->whole.data;
	return 0;
}

/*
 * move_kept copies the n traces that stay after a cut into fresh slabs,
 * each as one part, and frees the old slabs, which then hold nothing
 * else.  Out of memory, everything stays where it was.
 */
static void
move_kept(struct pack *P, struct live **keep, size_t n)
{
	struct slab *fresh = NULL;
	struct part **moved = xcalloc(n + 1, sizeof(*moved));
	size_t i;

	for (i = 0; i < n; i++) {
		if ((moved[i] = slab_part(&P->pool, &fresh,
		    keep[i]->len)) == NULL) {
			slabs_free(&P->pool, fresh);
			free(moved);
			return;
		}
		copy_parts(keep[i], moved[i]->data);
	}
	for (i = 0; i < n; i++) {
		keep[i]->first = keep[i]->last = moved[i];
		keep[i]->n_parts = 1;
	}
	slabs_free(&P->pool, P->slabs);
	P->slabs = fresh;
	free(moved);
}

/* table_rebuild drops removed entries (NULL in a list) by rehashing. */
static void
table_rebuild(struct pack *P, struct live **keep, size_t n)
{
	size_t i;

	if (P->table != NULL)
		memset(P->table, 0, P->size * sizeof(*P->table));
	P->count = n;
	for (i = 0; i < n; i++)
		table_put(P, keep[i]);
}

/* utf8_cut returns the longest prefix of s[0..n) of at most max bytes
 * that does not split a character. */
static size_t
utf8_cut(const char *s, size_t max)
{
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void truncate_kvs(struct pack *, Tq__KeyValue **, size_t);

static void
truncate_value(struct pack *P, Tq__AnyValue *v)
{
	size_t i, n;

	if (v == NULL)
		return;
	switch (v->value_case) {
	case TQ__ANY_VALUE__VALUE_STRING_VALUE:
		if ((n = strlen(v->string_value)) > P->max_attr_bytes) {
			v->string_value[utf8_cut(v->string_value,
			    P->max_attr_bytes)] = '\0';
			P->truncated++;
		}
		break;
	case TQ__ANY_VALUE__VALUE_ARRAY_VALUE:
		for (i = 0; v->array_value != NULL &&
		    i < v->array_value->n_values; i++)
			truncate_value(P, v->array_value->values[i]);
		break;
	case TQ__ANY_VALUE__VALUE_KVLIST_VALUE:
		if (v->kvlist_value != NULL)
			truncate_kvs(P, v->kvlist_value->values,
			    v->kvlist_value->n_values);
		break;
	default:
		break;
	}
}

/* truncate_kvs cuts keys and string values to --max-attr-bytes, as
 * Tempo's distributor does with max_attribute_bytes. */
static void
truncate_kvs(struct pack *P, Tq__KeyValue **kvs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(kvs[i]->key) > P->max_attr_bytes) {
			kvs[i]->key[utf8_cut(kvs[i]->key, P->max_attr_bytes)] = '\0';
			P->truncated++;
		}
		truncate_value(P, kvs[i]->value);
	}
}

static void
truncate_attrs(struct pack *P, Tq__TracesData *td)
{
	size_t i, j, k, e;

	for (i = 0; i < td->n_resource_spans; i++) {
		Tq__ResourceSpans *rs = td->resource_spans[i];

		if (rs->resource != NULL)
			truncate_kvs(P, rs->resource->attributes,
			    rs->resource->n_attributes);
		for (j = 0; j < rs->n_scope_spans; j++) {
			Tq__ScopeSpans *ss = rs->scope_spans[j];

			if (ss->scope != NULL)
				truncate_kvs(P, ss->scope->attributes,
				    ss->scope->n_attributes);
			for (k = 0; k < ss->n_spans; k++) {
				Tq__Span *sp = ss->spans[k];

				truncate_kvs(P, sp->attributes, sp->n_attributes);
				for (e = 0; e < sp->n_events; e++)
					truncate_kvs(P, sp->events[e]->attributes,
					    sp->events[e]->n_attributes);
				for (e = 0; e < sp->n_links; e++)
					truncate_kvs(P, sp->links[e]->attributes,
					    sp->links[e]->n_attributes);
			}
		}
	}
}

/*
 * ingest_decoded is ingest for records with attributes to truncate: the
 * record is unpacked, cut to --max-attr-bytes, split by trace and each
 * part packed again.
 */
static int
ingest_decoded(struct pack *P, const uint8_t *pb, size_t len,
    struct tq_err *err)
{
	Tq__TracesData *td, **parts;
	size_t n, i, invalid;
	int64_t now = now_ms();
	int rc;

	tq_arena_reset(&P->arena);
	if ((rc = tq_otlp_pb_decode(pb, len, &P->arena, &td, err)) != 0 ||
	    (rc = tq_trace_split(td, &P->arena, &parts, &n, &invalid,
	    err)) != 0)
		return rc;
	if (invalid > 0 && P->cli.verbosity >= 0)
		warnx("%zu spans without a valid trace ID dropped", invalid);
	truncate_attrs(P, td);
	for (i = 0; i < n; i++) {
		size_t size = tq__traces_data__get_packed_size(parts[i]);
		size_t nspans = tq_otlp_span_count(parts[i]);
		struct live *l = live_get(P, parts[i]->resource_spans[0]->
		    scope_spans[0]->spans[0]->trace_id.data);

		uint8_t *to;

		if (l->len + size > P->max_trace_bytes) {
			char hex[2 * TQ_TRACE_ID_LEN + 1];

			tq_hex_encode(hex, l->id, TQ_TRACE_ID_LEN);
			if (P->cli.verbosity >= 0)
				warnx("%s: %zu spans dropped: trace over %zu bytes",
				    hex, nspans, P->max_trace_bytes);
			P->dropped_spans += nspans;
			if (l->len == 0)
				l->last_ms = now;
			continue;
		}
		if ((to = live_extend(P, l, size)) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "trace buffer: %s",
			    tq_strerror(TQ_ENOMEM));
		tq__traces_data__pack(parts[i], to);
		l->last_ms = now;
		P->live_bytes += size;
		P->spans_in += nspans;
	}
	return 0;
}

/*
 * The fast way in: a checked record is split by trace at the wire level,
 * without unpacking it.  Each span's bytes are copied into its trace's
 * buffer inside copies of the ResourceSpans and ScopeSpans fields around
 * it (all their fields but the spans), which is what unpacking, splitting
 * and packing again would give.  Records with a string that
 * --max-attr-bytes would cut take the slow way (ingest_decoded).
 */

/* Message kinds the wire walkers know. */
enum wmsg {
	W_TRACES, W_RS, W_RESOURCE, W_SS, W_SCOPE, W_SPAN, W_EVENT, W_LINK,
	W_KV, W_ANY, W_ARRAY, W_KVLIST, W_NONE
};

/* varint reads a varint of at most max bytes. */
static inline bool
varint(const uint8_t **p, const uint8_t *end, uint64_t *out, int max)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < max && *p < end; i++) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* wfield reads the next field key and, for wire type 2, its value. */
static inline bool
wfield(const uint8_t **p, const uint8_t *end, uint32_t *num, unsigned *wt,
    const uint8_t **val, size_t *len)
{
	uint64_t key, n;

	if (*p < end && **p < 0x80)
		key = *(*p)++;		/* fields 1 .. 15 */
	else if (!varint(p, end, &key, 10))
		return false;
	*num = (uint32_t)(key >> 3);
	*wt = key & 7;
	*val = NULL;
	*len = 0;
	switch (*wt) {
	case 0:
		return varint(p, end, &n, 10);
	case 1:
	case 5:
		n = *wt == 1 ? 8 : 4;
		if ((size_t)(end - *p) < n)
			return false;
		*p += n;
		return true;
	case 2:
		if (*p < end && **p < 0x80)
			n = *(*p)++;
		else if (!varint(p, end, &n, 5))
			return false;
		if (n > (uint64_t)(end - *p))
			return false;
		*val = *p;
		*len = (size_t)n;
		*p += n;
		return true;
	default:
		return false;
	}
}

/* child_msg says which message field num of m holds, W_NONE if none we
 * walk into (everything that can hold an attribute). */
static enum wmsg
child_msg(enum wmsg m, uint32_t num)
{
	switch (m) {
	case W_TRACES: return num == 1 ? W_RS : W_NONE;
	case W_RS: return num == 1 ? W_RESOURCE : num == 2 ? W_SS : W_NONE;
	case W_RESOURCE: return num == 1 ? W_KV : W_NONE;
	case W_SS: return num == 1 ? W_SCOPE : num == 2 ? W_SPAN : W_NONE;
	case W_SCOPE: return num == 3 ? W_KV : W_NONE;
	case W_SPAN: return num == 9 ? W_KV : num == 11 ? W_EVENT :
	    num == 13 ? W_LINK : W_NONE;
	case W_EVENT: return num == 3 ? W_KV : W_NONE;
	case W_LINK: return num == 4 ? W_KV : W_NONE;
	case W_KV: return num == 2 ? W_ANY : W_NONE;
	case W_ANY: return num == 5 ? W_ARRAY : num == 6 ? W_KVLIST : W_NONE;
	case W_ARRAY: return num == 1 ? W_ANY : W_NONE;
	case W_KVLIST: return num == 1 ? W_KV : W_NONE;
	default: return W_NONE;
	}
}

/*
 * long_string says whether an attribute key or string value inside
 * message m (checked, so nested boundedly) is longer than max bytes.
 */
static bool
long_string(const uint8_t *p, const uint8_t *end, enum wmsg m, size_t max)
{
	const uint8_t *val;
	uint32_t num;
	unsigned wt;
	size_t len;
	enum wmsg c;

	/* No string inside a message is longer than the message. */
	if ((size_t)(end - p) <= max)
		return false;
	while (p < end) {
		if (!wfield(&p, end, &num, &wt, &val, &len))
			return true;	/* cannot happen when checked */
		if (wt != 2)
			continue;
		if ((m == W_KV || m == W_ANY) && num == 1) {
			if (len > max)
				return true;
			continue;
		}
		if ((c = child_msg(m, num)) != W_NONE &&
		    long_string(val, val + len, c, max))
			return true;
	}
	return false;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need < 64 ? 64 : 2 * need;
	if (*cap > SIZE_MAX / size || (p = realloc(p, *cap * size)) == NULL)
		errx(EXIT_FAIL, "out of memory");
	return p;
}

static size_t
varint_size(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *
put_varint(uint8_t *p, size_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* add_hdr copies the fields of a message other than field skip. */
static struct whdr
add_hdr(struct wsplit *S, const uint8_t *p, const uint8_t *end,
    uint32_t skip)
{
	struct whdr h = { S->hdr.len, 0 };
	const uint8_t *at, *val;
	uint32_t num;
	unsigned wt;
	size_t len;

	while (p < end) {
		at = p;
		if (!wfield(&p, end, &num, &wt, &val, &len))
			break;
		if (num != skip && tq_buf_append(&S->hdr, at,
		    (size_t)(p - at)) != 0)
			errx(EXIT_FAIL, "out of memory");
	}
	h.len = S->hdr.len - h.off;
	return h;
}

/* span_trace_id finds the (last) trace_id field of a span. */
static const uint8_t *
span_trace_id(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *val, *id = NULL;
	uint32_t num;
	unsigned wt;
	size_t len;

	while (p < end) {
		if (!wfield(&p, end, &num, &wt, &val, &len))
			return NULL;
		if (num == 1 && wt == 2)
			id = len == TQ_TRACE_ID_LEN ? val : NULL;
	}
	return id;
}

static bool
zero_id(const uint8_t *id)
{
	size_t i;

	for (i = 0; i < TQ_TRACE_ID_LEN; i++)
		if (id[i] != 0)
			return false;
	return true;
}

/* run_end returns the end of the run of spans from i on that share the
 * ResourceSpans (ss false) or ScopeSpans (ss true) of span i. */
static size_t
run_end(const struct wspan *s, size_t i, size_t end, bool ss)
{
	size_t j = i + 1;

	while (j < end && (ss ? s[j].ss == s[i].ss : s[j].rs == s[i].rs))
		j++;
	return j;
}

/* ss_size is the size of the ScopeSpans holding spans [i, j). */
static size_t
ss_size(const struct wsplit *S, size_t i, size_t j)
{
	size_t n = S->ss[S->sorted[i].ss].len, k;

	for (k = i; k < j; k++)
		n += 1 + varint_size(S->sorted[k].len) + S->sorted[k].len;
	return n;
}

/* rs_size is the size of the ResourceSpans holding spans [i, j). */
static size_t
rs_size(const struct wsplit *S, size_t i, size_t j)
{
	size_t n = S->rs[S->sorted[i].rs].len, k, e;

	for (k = i; k < j; k = e) {
		size_t m;

		e = run_end(S->sorted, k, j, true);
		m = ss_size(S, k, e);
		n += 1 + varint_size(m) + m;
	}
	return n;
}

/* put_field writes a length-delimited field's key and length. */
static uint8_t *
put_field(uint8_t *p, unsigned num, size_t len)
{
	*p++ = (uint8_t)(num << 3 | 2);
	return put_varint(p, len);
}

/* emit_trace writes spans [a, b) of the sorted record, one trace's, as
 * TracesData protobuf of size bytes at p. */
static void
emit_trace(struct wsplit *S, uint8_t *p, size_t a, size_t b, size_t size)
{
	const struct wspan *s = S->sorted;
	uint8_t *start = p;
	size_t i, j, e, k;

	for (i = a; i < b; i = j) {
		const struct whdr *rh = &S->rs[s[i].rs];

		j = run_end(s, i, b, false);
		p = put_field(p, 1, rs_size(S, i, j));
		memcpy(p, S->hdr.data + rh->off, rh->len);
		p += rh->len;
		for (e = i; e < j; e = k) {
			const struct whdr *sh = &S->ss[s[e].ss];

			k = run_end(s, e, j, true);
			p = put_field(p, 2, ss_size(S, e, k));
			memcpy(p, S->hdr.data + sh->off, sh->len);
			p += sh->len;
			for (; e < k; e++) {
				p = put_field(p, 2, s[e].len);
				memcpy(p, s[e].p, s[e].len);
				p += s[e].len;
			}
		}
	}
	assert((size_t)(p - start) == size);
}

/*
 * ingest takes one record (TracesData protobuf, already checked) into the
 * live traces.  The caller has logged it in the WAL.
 */
static int
ingest(struct pack *P, const uint8_t *pb, size_t len, struct tq_err *err)
{
	struct wsplit *S = &P->split;
	const uint8_t *p = pb, *end = pb + len, *rv, *sv, *v;
	size_t rl, sl, n, i, t, invalid = 0;
	uint32_t num;
	unsigned wt;
	int64_t now = now_ms();
	uint8_t *to;

	if (long_string(pb, end, W_TRACES, P->max_attr_bytes))
		return ingest_decoded(P, pb, len, err);
	S->n_spans = S->n_rs = S->n_ss = S->n_traces = 0;
	tq_buf_reset(&S->hdr);
	P->split_gen++;
	while (p < end && wfield(&p, end, &num, &wt, &rv, &rl)) {
		const uint8_t *rp = rv, *rend = rv + rl;
		uint32_t rs_i;

		if (num != 1 || wt != 2)
			continue;
		S->rs = grow(S->rs, &S->cap_rs, S->n_rs + 1, sizeof(*S->rs));
		rs_i = (uint32_t)S->n_rs;
		S->rs[S->n_rs++] = add_hdr(S, rv, rend, 2);
		while (rp < rend && wfield(&rp, rend, &num, &wt, &sv, &sl)) {
			const uint8_t *sp = sv, *send = sv + sl;
			uint32_t ss_i;

			if (num != 2 || wt != 2)
				continue;
			S->ss = grow(S->ss, &S->cap_ss, S->n_ss + 1,
			    sizeof(*S->ss));
			ss_i = (uint32_t)S->n_ss;
			S->ss[S->n_ss++] = add_hdr(S, sv, send, 2);
			while (sp < send && wfield(&sp, send, &num, &wt, &v, &n)) {
				const uint8_t *id;
				struct live *l;
				struct wspan *w;

				if (num != 2 || wt != 2)
					continue;
				if ((id = span_trace_id(v, v + n)) == NULL ||
				    zero_id(id)) {
					invalid++;
					continue;
				}
				l = live_get(P, id);
				if (l->split_gen != P->split_gen) {
					S->traces = grow(S->traces,
					    &S->cap_traces, S->n_traces + 1,
					    sizeof(*S->traces));
					S->count = grow(S->count, &S->cap_count,
					    S->n_traces + 2, sizeof(*S->count));
					l->split_gen = P->split_gen;
					l->split_idx = S->n_traces;
					S->count[S->n_traces] = 0;
					S->traces[S->n_traces++] = l;
				}
				S->spans = grow(S->spans, &S->cap_spans,
				    S->n_spans + 1, sizeof(*S->spans));
				w = &S->spans[S->n_spans++];
				w->p = v;
				w->len = n;
				w->rs = rs_i;
				w->ss = ss_i;
				w->trace = (uint32_t)l->split_idx;
				S->count[l->split_idx]++;
			}
		}
	}
	if (invalid > 0 && P->cli.verbosity >= 0)
		warnx("%zu spans without a valid trace ID dropped", invalid);
	/* Group the spans by trace, in document order within each. */
	S->sorted = grow(S->sorted, &S->cap_sorted, S->n_spans + 1,
	    sizeof(*S->sorted));
	for (t = 0, n = 0; t < S->n_traces; t++) {
		size_t c = S->count[t];

		S->count[t] = n;
		n += c;
	}
	S->count[S->n_traces] = n;
	for (i = 0; i < S->n_spans; i++)
		S->sorted[S->count[S->spans[i].trace]++] = S->spans[i];
	for (t = 0, n = 0; t < S->n_traces; t++) {
		struct live *l = S->traces[t];
		size_t a = n, b = S->count[t], size = 0, j;

		n = b;
		for (i = a; i < b; i = j) {
			size_t m;

			j = run_end(S->sorted, i, b, false);
			m = rs_size(S, i, j);
			size += 1 + varint_size(m) + m;
		}
		if (l->len + size > P->max_trace_bytes) {
			char hex[2 * TQ_TRACE_ID_LEN + 1];

			tq_hex_encode(hex, l->id, TQ_TRACE_ID_LEN);
			if (P->cli.verbosity >= 0)
				warnx("%s: %zu spans dropped: trace over %zu bytes",
				    hex, b - a, P->max_trace_bytes);
			P->dropped_spans += b - a;
			if (l->len == 0)
				l->last_ms = now;
			continue;
		}
		if ((to = live_extend(P, l, size)) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "trace buffer: %s",
			    tq_strerror(TQ_ENOMEM));
		emit_trace(S, to, a, b, size);
		l->last_ms = now;
		P->live_bytes += size;
		P->spans_in += b - a;
	}
	return 0;
}

/*
 * Traces go to the block writer PART_BATCH at a time, the parts of all of
 * them listed first: each trace's list of parts is in slabs that no cache
 * has seen for a while, and following it a pointer at a time, a trace
 * after the other, was waiting on memory (3% of the time of packing 20000
 * tempo-gen traces).  The lists of a batch are followed side by side, a
 * step of each in turn, so that their cache misses overlap; then the
 * bytes of each trace are prefetched while the one before is shredded.
 */
#define PART_BATCH	32

/*
 * parts_of lists the parts of the n traces l[0..n) (n <= PART_BATCH) in
 * P->parts, those of l[i] from at[i] to at[i + 1] (at has n + 1 entries),
 * valid until the next call.
 */
static void
parts_of(struct pack *P, struct live *const *l, size_t n, size_t *at)
{
	const struct part *cur[PART_BATCH];
	size_t i, fill[PART_BATCH], total = 0;
	bool more = true;

	assert(n <= PART_BATCH);
	for (i = 0; i < n; i++) {
		at[i] = fill[i] = total;
		total += l[i]->n_parts;
		cur[i] = l[i]->first;
	}
	at[n] = total;
	P->parts = grow(P->parts, &P->cap_parts, total, sizeof(*P->parts));
	while (more) {
		more = false;
		for (i = 0; i < n; i++) {
			const struct part *pt = cur[i];

			if (pt == NULL)
				continue;
			assert(fill[i] < at[i + 1]);
			P->parts[fill[i]].p = pt->data;
			P->parts[fill[i]++].len = pt->len;
			cur[i] = pt->next;
			more |= cur[i] != NULL;
		}
	}
}

/* prefetch_parts asks for the n parts' bytes to be brought into the
 * cache, while the trace before them is shredded. */
static void
prefetch_parts(const struct tq_pb_part *parts, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 64; k < parts[i].len; k += 64)
			__builtin_prefetch((const uint8_t *)parts[i].p + k);
}

static int
cmp_live(const void *x, const void *y)
{
	const struct live *a = *(struct live *const *)x;
	const struct live *b = *(struct live *const *)y;

	return memcmp(a->id, b->id, TQ_TRACE_ID_LEN);
}

/* checkpoint records "segment blockID" in the WAL directory, durably. */
static int
checkpoint(void *arg, const struct tq_block_meta *m, struct tq_err *err)
{
	struct pack *P = arg;
	char path[4096], tmp[4200], line[128];
	int fd, dfd, n;

	snprintf(path, sizeof(path), "%s/checkpoint", P->wal_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(line, sizeof(line), "%llu %s\n",
	    (unsigned long long)tq_wal_segment(P->wal), m->block_id);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return tq_err_sys(err, tmp);
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		close(fd);
		return tq_err_sys(err, tmp);
	}
	close(fd);
	if (rename(tmp, path) != 0)
		return tq_err_sys(err, path);
	if ((dfd = open(P->wal_dir, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/*
 * cut writes a block of the traces that are complete (or all of them)
 * and forgets them.  Returns 0 or an error (the traces stay in memory and
 * in the WAL).
 */
static int
cut(struct pack *P, bool all, struct tq_err *err)
{
	struct live **out = NULL, **keep = NULL, *l;
	struct tq_block_writer *w = NULL;
	struct tq_block_meta meta;
	size_t i, n, nout = 0, nkeep = 0, out_bytes = 0;
	int64_t now = now_ms();
	const uint8_t *pb = NULL;
	uint64_t segment;
	int rc = 0;

	out = xcalloc(P->count + 1, sizeof(*out));
	keep = xcalloc(P->count + 1, sizeof(*keep));
	for (i = 0; i < P->size; i++) {
		if ((l = P->table[i]) == NULL)
			continue;
		if (l->len == 0) {
			/* Everything it had was over --max-trace-bytes. */
			free(l);
			P->table[i] = NULL;
			P->count--;
		} else if (!all && now - l->last_ms < P->idle_ms)
			keep[nkeep++] = l;
		else {
			out[nout++] = l;
			out_bytes += l->len;
		}
	}
	if (nout == 0) {
		table_rebuild(P, keep, nkeep);
		goto done;
	}
	/* Older segments must hold only what this block takes: the traces
	 * that stay are logged again in the new segment. */
	if ((rc = tq_wal_rotate(P->wal, &segment, err)) != 0)
		goto done;
	for (i = 0; i < nkeep; i++)
		if ((rc = live_bytes(P, keep[i], &pb, err)) != 0 ||
		    (rc = tq_wal_append(P->wal, pb, keep[i]->len, err)) != 0)
			goto done;
	qsort(out, nout, sizeof(*out), cmp_live);
	P->bopts.before_publish = checkpoint;
	P->bopts.publish_arg = P;
	if ((rc = tq_block_writer_new(P->store, P->cli.tenant, &P->bopts, nout,
	    &w, err)) != 0)
		goto block_done;
	/* The parts hold our own encodings of checked input, combined and
	 * shredded straight from protobuf where they are. */
	for (i = 0; i < nout; i += n) {
		size_t at[PART_BATCH + 1], k;

		n = nout - i < PART_BATCH ? nout - i : PART_BATCH;
		parts_of(P, out + i, n, at);
		for (k = 0; k < n; k++) {
			if (k + 1 < n)
				prefetch_parts(P->parts + at[k + 1],
				    at[k + 2] - at[k + 1]);
			if ((rc = tq_block_writer_add_pb_parts(w, P->parts +
			    at[k], at[k + 1] - at[k], err)) != 0)
				goto block_done;
		}
	}
	if ((rc = tq_block_writer_finish(w, &meta, err)) != 0)
		goto block_done;
	P->blocks++;
	if (P->cli.verbosity > 0)
		warnx("%s/%s: %zu traces, %llu bytes", meta.tenant,
		    meta.block_id, nout, (unsigned long long)meta.size);
	/* The block is visible: its records are no longer needed. */
	rc = tq_wal_remove_before(P->wal, segment, err);
	for (i = 0; i < nout; i++)
		free(out[i]);
	P->live_bytes -= out_bytes;
	move_kept(P, keep, nkeep);
	table_rebuild(P, keep, nkeep);
block_done:
	tq_block_writer_free(w);
done:
	free(out);
	free(keep);
	return rc;
}

/* due says whether a block should be cut now, and whether of everything. */
static bool
due(struct pack *P, bool *all)
{
	size_t i, done_bytes = 0;
	int64_t now = now_ms(), oldest = now;
	struct live *l;

	*all = P->live_bytes >= P->max_live_bytes;
	/* Looking at every live trace is linear: do it a few times a second. */
	if (!*all && now - P->last_due_ms < DUE_INTERVAL_MS)
		return false;
	P->last_due_ms = now;
	if (*all) {
		if (P->cli.verbosity > 0)
			warnx("live traces over %zu bytes: cutting a block early",
			    P->max_live_bytes);
		return true;
	}
	for (i = 0; i < P->size; i++) {
		if ((l = P->table[i]) == NULL || l->len == 0 ||
		    now - l->last_ms < P->idle_ms)
			continue;
		done_bytes += l->len;
		if (l->last_ms + P->idle_ms < oldest)
			oldest = l->last_ms + P->idle_ms;
	}
	return done_bytes > 0 && (done_bytes >= P->max_block_bytes ||
	    now - oldest >= P->max_block_ms);
}

static int
replay_record(void *arg, uint64_t segment, const void *rec, size_t len,
    struct tq_err *err)
{
	struct pack *P = arg;
	int rc;

	if (segment < P->skip_below)
		return 0;
	if ((rc = tq_otlp_pb_check(rec, len, NULL, err)) != 0 ||
	    (rc = ingest(P, rec, len, err)) != 0)
		return tq_err_prefix(err, rc, "WAL segment %llu",
		    (unsigned long long)segment);
	return 0;
}

/*
 * read_checkpoint decides where replay starts: past the checkpoint's
 * segment if its block is visible in the store, else from the start.
 */
static void
read_checkpoint(struct pack *P)
{
	char path[4096], id[TQ_BLOCK_ID_LEN + 2], key[512];
	unsigned long long seg;
	struct tq_err e;
	uint64_t size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/checkpoint", P->wal_dir);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fscanf(f, "%llu %37s", &seg, id) == 2 && strlen(id) ==
	    TQ_BLOCK_ID_LEN) {
		snprintf(key, sizeof(key), "%s/%s/meta.json", P->cli.tenant, id);
		if (tq_store_head(P->store, key, &size, &e) == 0)
			P->skip_below = seg;
	}
	fclose(f);
}

/* open_wal locks and replays the WAL directory. */
static int
open_wal(struct pack *P, struct tq_err *err)
{
	int lock, rc;
	char path[4096];

	if (mkdir(P->wal_dir, 0755) != 0 && errno != EEXIST)
		return tq_err_sys(err, P->wal_dir);
	snprintf(path, sizeof(path), "%s/lock", P->wal_dir);
	if ((lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return tq_err_sys(err, path);
	if (flock(lock, LOCK_EX | LOCK_NB) != 0)
		return tq_err_set(err, TQ_EIO,
		    "%s: in use by another tempo-pack", P->wal_dir);
	/* The lock is held until the process ends. */
	read_checkpoint(P);
	if ((rc = tq_wal_open(P->wal_dir, replay_record, P, &P->wal,
	    err)) != 0)
		return rc;
	if (P->skip_below > 0)
		rc = tq_wal_remove_before(P->wal, P->skip_below, err);
	if (rc == 0 && P->count > 0 && P->cli.verbosity > 0)
		warnx("%s: replayed %zu traces", P->wal_dir, P->count);
	return rc;
}

/* pack_input reads one input to its end (or until a stop signal). */
static int
pack_input(struct pack *P, int fd, const char *name)
{
	struct tq_stream_reader *r;
	const uint8_t *pb;
	struct tq_err e;
	size_t len;
	bool all;
	int rc;

	if (tq_stream_reader_new(fd, name, &r, &e) != 0)
		errx(EXIT_FAIL, "%s", e.msg);
	while (!stopping) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		/* Wait at most a second for input, so idle traces still
		 * become blocks while the input is quiet. */
		if (!tq_stream_reader_pending(r) && poll(&pfd, 1, 1000) == 0) {
			if (due(P, &all) && cut(P, all, &e) != 0) {
				warnx("%s", e.msg);
				P->status = EXIT_FAIL;
			}
			continue;
		}
		rc = tq_stream_reader_next_pb(r, &pb, &len, &e);
		if (rc == 0)
			break;
		if (rc < 0) {
			warnx("%s: %s", name, e.msg);
			P->status = EXIT_FAIL;
			if (rc == TQ_ECORRUPT && P->skip_bad &&
			    !tq_stream_reader_fatal(r))
				continue;
			break;
		}
		if ((rc = tq_wal_append(P->wal, pb, len, &e)) != 0 ||
		    (rc = ingest(P, pb, len, &e)) != 0) {
			warnx("%s: %s", name, e.msg);
			P->status = EXIT_FAIL;
			break;
		}
		if (due(P, &all) && cut(P, all, &e) != 0) {
			warnx("%s", e.msg);
			P->status = EXIT_FAIL;
		}
	}
	tq_stream_reader_free(r);
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
parse_dedicated(struct pack *P, const char *arg)
{
	static struct tq_block_dedicated ded[2 * TQ_BLOCK_MAX_DEDICATED];
	const char *colon = strchr(arg, ':');
	int scope;

	if (colon == NULL || colon[1] == '\0')
		goto bad;
	if (strncmp(arg, "span:", 5) == 0)
		scope = TQ_BLOCK_SCOPE_SPAN;
	else if (strncmp(arg, "resource:", 9) == 0)
		scope = TQ_BLOCK_SCOPE_RESOURCE;
	else
		goto bad;
	if (P->bopts.n_dedicated == 2 * TQ_BLOCK_MAX_DEDICATED) {
		warnx("--dedicated: at most %d per scope", TQ_BLOCK_MAX_DEDICATED);
		exit(EXIT_USAGE);
	}
	if (strlen(colon + 1) > TQ_BLOCK_MAX_DED_NAME) {
		warnx("--dedicated: %.32s...: a name longer than %d bytes", arg,
		    TQ_BLOCK_MAX_DED_NAME);
		exit(EXIT_USAGE);
	}
	ded[P->bopts.n_dedicated].scope = scope;
	ded[P->bopts.n_dedicated].name = colon + 1;
	P->bopts.n_dedicated++;
	P->bopts.dedicated = ded;
	return;
bad:
	warnx("--dedicated: %s: not span:NAME or resource:NAME", arg);
	usage(stderr);
	exit(EXIT_USAGE);
}

/* default_wal picks $TEMPO_WAL or ~/.local/state/tempo/wal, per tenant. */
static char *
default_wal(const char *opt, const char *tenant)
{
	const char *base = opt != NULL ? opt : getenv("TEMPO_WAL");
	char path[4096];

	if (base == NULL || *base == '\0') {
		const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

		if (state != NULL && *state != '\0')
			snprintf(path, sizeof(path), "%s/tempo", state);
		else
			snprintf(path, sizeof(path), "%s/.local/state/tempo",
			    home != NULL ? home : ".");
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			err(EXIT_FAIL, "%s", path);
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    "/wal");
		base = path;
	}
	if (mkdir(base, 0755) != 0 && errno != EEXIST)
		err(EXIT_FAIL, "%s", base);
	{
		char full[4200];

		snprintf(full, sizeof(full), "%s/%s", base, tenant);
		return xstrdup(full);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dedicated",		required_argument, NULL, OPT_DEDICATED },
		{ "max-attr-bytes",	required_argument, NULL, OPT_MAX_ATTR_BYTES },
		{ "max-block-bytes",	required_argument, NULL, OPT_MAX_BLOCK_BYTES },
		{ "max-block-duration",	required_argument, NULL, OPT_MAX_BLOCK_DURATION },
		{ "max-live-bytes",	required_argument, NULL, OPT_MAX_LIVE_BYTES },
		{ "max-trace-bytes",	required_argument, NULL, OPT_MAX_TRACE_BYTES },
		{ "row-group-bytes",	required_argument, NULL, OPT_ROW_GROUP_BYTES },
		{ "skip-bad",		no_argument,	   NULL, OPT_SKIP_BAD },
		{ "trace-idle",		required_argument, NULL, OPT_TRACE_IDLE },
		{ "wal",		required_argument, NULL, OPT_WAL },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static struct pack P;
	const char *wal_opt = NULL;
	struct sigaction sa;
	struct tq_err e;
	int ch, i;

	signal(SIGPIPE, SIG_DFL);
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, MMAP_BELOW);
	mallopt(M_TRIM_THRESHOLD, TRIM_ABOVE);
#endif
	cli_init(&P.cli, "tempo-pack");
	tq_block_opts_init(&P.bopts);
	P.max_block_bytes = 100u * 1024 * 1024;
	P.max_block_ms = 30 * 1000;
	P.idle_ms = 5 * 1000;
	P.max_live_bytes = 512u * 1024 * 1024;
	P.max_attr_bytes = 2048;
	P.max_trace_bytes = 5u * 1000 * 1000;
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_DEDICATED:
			parse_dedicated(&P, optarg);
			break;
		case OPT_MAX_ATTR_BYTES:
			P.max_attr_bytes = cli_size("--max-attr-bytes", optarg,
			    TQ_MAX_RECORD, usage);
			break;
		case OPT_MAX_BLOCK_BYTES:
			P.max_block_bytes = cli_size("--max-block-bytes", optarg,
			    SIZE_MAX / 2, usage);
			break;
		case OPT_MAX_BLOCK_DURATION:
			P.max_block_ms = cli_duration("--max-block-duration",
			    optarg, usage) / 1000000;
			break;
		case OPT_MAX_LIVE_BYTES:
			P.max_live_bytes = cli_size("--max-live-bytes", optarg,
			    SIZE_MAX / 2, usage);
			break;
		case OPT_MAX_TRACE_BYTES:
			P.max_trace_bytes = cli_size("--max-trace-bytes", optarg,
			    TQ_MAX_RECORD, usage);
			break;
		case OPT_ROW_GROUP_BYTES:
			P.bopts.row_group_bytes = cli_size("--row-group-bytes",
			    optarg, SIZE_MAX / 2, usage);
			break;
		case OPT_SKIP_BAD:
			P.skip_bad = true;
			break;
		case OPT_TRACE_IDLE:
			P.idle_ms = cli_duration("--trace-idle", optarg,
			    usage) / 1000000;
			break;
		case OPT_WAL:
			wal_opt = optarg;
			break;
		default:
			if (!cli_option(&P.cli, ch, optarg, usage)) {
				usage(stderr);
				return EXIT_USAGE;
			}
		}
	}
	argc -= optind;
	argv += optind;
	if (P.cli.store == NULL) {
		warnx("no store: give -s or set TEMPO_STORE");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (tq_store_open(P.cli.store, NULL, &P.store, &e) != 0)
		errx(EXIT_FAIL, "%s: %s", P.cli.store, e.msg);
	P.wal_dir = default_wal(wal_opt, P.cli.tenant);
	tq_arena_init(&P.arena, TQ_MAX_DECODE_ARENA);
	tq_buf_init(&P.split.hdr, TQ_MAX_RECORD);
	tq_buf_init(&P.whole, TQ_MAX_RECORD);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (open_wal(&P, &e) != 0)
		errx(EXIT_FAIL, "%s", e.msg);
	if (argc == 0)
		pack_input(&P, STDIN_FILENO, "stdin");
	for (i = 0; i < argc && !stopping; i++) {
		int fd;

		if (strcmp(argv[i], "-") == 0) {
			pack_input(&P, STDIN_FILENO, "stdin");
			continue;
		}
		if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC)) == -1) {
			warn("%s", argv[i]);
			P.status = EXIT_FAIL;
			continue;
		}
		pack_input(&P, fd, argv[i]);
		close(fd);
	}
	/* End of input (or a stop signal): everything goes into a block. */
	if (P.count > 0 && cut(&P, true, &e) != 0) {
		warnx("%s", e.msg);
		P.status = EXIT_FAIL;
	}
	if (P.truncated > 0 && P.cli.verbosity >= 0)
		warnx("%llu attribute keys or values cut to %zu bytes",
		    (unsigned long long)P.truncated, P.max_attr_bytes);
	if (P.dropped_spans > 0 && P.cli.verbosity >= 0)
		warnx("%llu spans dropped: their traces were over %zu bytes",
		    (unsigned long long)P.dropped_spans, P.max_trace_bytes);
	if (P.cli.verbosity > 0)
		warnx("%llu spans in %llu blocks", (unsigned long long)P.spans_in,
		    (unsigned long long)P.blocks);
	tq_wal_close(P.wal);
	tq_store_free(P.store);
	tq_arena_release(&P.arena);
	free(P.split.spans);
	free(P.split.rs);
	free(P.split.ss);
	free(P.split.traces);
	free(P.split.count);
	free(P.split.sorted);
	tq_buf_release(&P.split.hdr);
	tq_buf_release(&P.whole);
	free(P.parts);
	slabs_free(&P.pool, P.slabs);
	slab_pool_release(&P.pool);
	free(P.wal_dir);
	free(P.table);
	return close_stdout() != 0 ? EXIT_FAIL : P.status;
}
