/*
 * gen.c: the seeded synthetic shop (see gen.h).
 *
 * A trace is made whole, top down, by a template (a product page, a
 * search, a checkout, ...) into an arena of its own: each span is a
 * struct node whose first member is the Tq__Span handed out.  Every
 * finished span goes on a min-heap ordered by end time (ties by creation
 * order).  Traces start one after another at pseudo-random gaps, and a
 * span is returned once no trace yet to start can end a span before it:
 * when its end is at or before the next trace's start.  So records come
 * in global end order, as an exporter's batches do.  A trace's arena goes
 * back to a free list once all its spans have been returned and the
 * caller is done with the record (the next tq_gen_next call).
 *
 * The templates build spans through helpers that allocate from the trace
 * arena.  When that fails (the arena's cap or malloc), the helper
 * longjmps back to gen_trace, which marks the generator broken: deep
 * builder code stays readable, and nothing half-made is ever returned.
 *
 * Randomness is xoshiro256** seeded by splitmix64, durations and every
 * number derive from it with integer arithmetic (doubles only by exact
 * division), so output does not depend on the C library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "limits.h"

#define US	1000LL
#define MS	1000000LL
#define SEC	1000000000LL

/* Mean gap between the starts of two traces. */
#define TRACE_GAP	(5 * MS)
/* Traces and producer spans remembered for links. */
#define RECENT		16

#define SCHEMA_URL	"https://opentelemetry.io/schemas/1.30.0"

enum {
	K_INTERNAL = TQ__SPAN__SPAN_KIND__SPAN_KIND_INTERNAL,
	K_SERVER = TQ__SPAN__SPAN_KIND__SPAN_KIND_SERVER,
	K_CLIENT = TQ__SPAN__SPAN_KIND__SPAN_KIND_CLIENT,
	K_PRODUCER = TQ__SPAN__SPAN_KIND__SPAN_KIND_PRODUCER,
	K_CONSUMER = TQ__SPAN__SPAN_KIND__SPAN_KIND_CONSUMER,
};

/* The shop's services, in the order --services takes them. */
enum {
	FRONTEND, CATALOG, CURRENCY, CART, CHECKOUT, PAYMENT, INVENTORY, AUTH,
	RECOMMEND, EMAIL, FRAUD, NSVC
};

static const struct svcdef {
	const char	*name;
	const char	*version;
	const char	*team;
	int		 port;
} svcdefs[NSVC] = {
	{ "frontend",		"2.4.1",	"web",		8080 },
	{ "product-catalog",	"4.1.0",	"catalog",	3550 },
	{ "currency",		"1.1.2",	"payments",	7001 },
	{ "cart",		"1.12.3",	"checkout",	7070 },
	{ "checkout",		"3.2.0",	"checkout",	5050 },
	{ "payment",		"0.9.7",	"payments",	50051 },
	{ "inventory",		"5.0.2",	"logistics",	8081 },
	{ "auth",		"1.9.0",	"identity",	50051 },
	{ "recommendation",	"1.3.5",	"catalog",	9001 },
	{ "email",		"1.0.4",	"web",		6060 },
	{ "fraud-detection",	"0.4.0",	"payments",	8090 },
};

/* Instrumentation scopes; every service has each (used or not). */
enum { SC_HTTP, SC_UNDICI, SC_GRPC, SC_PG, SC_REDIS, SC_KAFKA, SC_SHOP, NSCOPE };

static const struct scopedef {
	const char	*name;
	const char	*version;
} scopedefs[NSCOPE] = {
	{ "@opentelemetry/instrumentation-http",	"0.57.2" },
	{ "@opentelemetry/instrumentation-undici",	"0.10.1" },
	{ "@opentelemetry/instrumentation-grpc",	"0.57.2" },
	{ "@opentelemetry/instrumentation-pg",		"0.50.0" },
	{ "@opentelemetry/instrumentation-ioredis",	"0.47.0" },
	{ "@opentelemetry/instrumentation-kafkajs",	"0.7.0" },
	{ NULL,						NULL },	/* shop/<service> */
};

/* Failures a trace may carry (one per trace, used once). */
enum { F_NONE, F_NOTFOUND, F_REDIS, F_DECLINED, F_DBTIMEOUT, F_DEADLINE,
	F_INTERNAL, F_UNAVAILABLE };

static const char *const products[] = {
	"OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O", "L9ECAV7KIM", "2ZYFJ3GM2N",
	"0PUK6V6EV0", "LS4PSXUNUM", "9SIQT8TOJO", "6E92ZMYYFZ", "HQTGWGPNH4",
};
static const char *const people[] = {
	"José Núñez", "李雷", "Renée 🚀", "Zoë Ångström", "Ólafur Þórsson",
	"Иван Петров", "Ada Lovelace", "Bob Smith", "Nguyễn Văn An", "Søren",
};
static const char *const queries[] = {
	"sunglasses", "café crème", "手机壳", "Schlüsselanhänger",
	"télescope 🔭", "roof rack", "binoculars", "Ölkanne",
};
static const char *const locales[] = {
	"en-US", "de-DE", "fr-FR", "zh-CN", "es-ES", "is-IS",
};
static const char *const currencies[] = { "EUR", "USD", "GBP", "JPY", "CHF" };
static const char *const agents[] = {
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 "
	    "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"shop-android/5.2.0 okhttp/4.12.0",
};
static const char *const fraud_flags[] = {
	"velocity", "geo_mismatch", "new_device", "high_amount", "proxy_ip",
};

struct rng {
	uint64_t	s[4];
};

/* A trace's arena and how many of its spans are still to be returned. */
struct gtrace {
	struct tq_arena	 arena;
	size_t		 pending;
	struct gtrace	*next;		/* on the free or done list */
	uint8_t		 id[TQ_TRACE_ID_LEN];
};

/* A span and what the generator knows about it. */
struct node {
	Tq__Span	 s;		/* first: &node->s is handed out */
	Tq__Status	 st;
	uint8_t		 sid[TQ_SPAN_ID_LEN];
	uint8_t		 pid[TQ_SPAN_ID_LEN];
	struct gtrace	*tr;
	uint64_t	 seq;
	unsigned	 svc, inst, scope, depth;
	int		 code;		/* outcome: 0, HTTP status or gRPC code */
	const char	*msg;		/* the error message with code */
};

/* A span remembered as a link target. */
struct recent {
	uint8_t		tid[TQ_TRACE_ID_LEN];
	uint8_t		sid[TQ_SPAN_ID_LEN];
	char		ts[48];
};

struct tq_gen {
	struct tq_gen_opts	 o;
	struct rng		 r;
	struct tq_arena		 arena;		/* resources, scopes, scratch */
	unsigned		 ninst;		/* services * instances */
	unsigned		 nprod;		/* production instances */
	bool			 staging;	/* the last instance is staging */
	Tq__Resource		**res;		/* [svc * instances + k] */
	Tq__InstrumentationScope *scopes[NSVC][NSCOPE];

	struct node		**heap;
	size_t			 nheap, capheap;
	struct node		**out;		/* one record's spans */
	struct gtrace		*free_traces, *done_traces;

	int64_t			 next_start;
	uint64_t		 ntraces, nspans, seq;
	bool			 stopped, broken;

	struct recent		 roots[RECENT], producers[RECENT];
	size_t			 nroots, nproducers;

	/* Scratch for grouping one record, [ninst] and [ninst][NSCOPE]. */
	int			*slot;
	unsigned		*order;
	size_t			(*cnt)[NSCOPE];
	Tq__ScopeSpans		*(*ssp)[NSCOPE];
};

/* What the builders need: where to allocate, and where to jump on failure. */
struct tctx {
	struct tq_gen	*g;
	struct tq_arena	*a;
	struct rng	*r;
	struct gtrace	*tr;
	jmp_buf		 fail;
	const char	*ts;		/* tracestate or "" */
	bool		 staging;
	int		 failure;	/* F_* still to happen */
	struct node	*root;
};

/* A list of attributes being built: a span's, an event's, ... */
struct kvs {
	Tq__KeyValue	***v;
	size_t		 *n;
};

static const Tq__Span span_init = TQ__SPAN__INIT;
static const Tq__Status status_init = TQ__STATUS__INIT;
static const Tq__KeyValue kv_init = TQ__KEY_VALUE__INIT;
static const Tq__AnyValue any_init = TQ__ANY_VALUE__INIT;
static const Tq__ArrayValue array_init = TQ__ARRAY_VALUE__INIT;
static const Tq__KeyValueList kvlist_init = TQ__KEY_VALUE_LIST__INIT;
static const Tq__Span__Event event_init = TQ__SPAN__EVENT__INIT;
static const Tq__Span__Link link_init = TQ__SPAN__LINK__INIT;
static const Tq__Resource resource_init = TQ__RESOURCE__INIT;
static const Tq__InstrumentationScope scope_init =
    TQ__INSTRUMENTATION_SCOPE__INIT;
static const Tq__TracesData td_init = TQ__TRACES_DATA__INIT;
static const Tq__ResourceSpans rs_init = TQ__RESOURCE_SPANS__INIT;
static const Tq__ScopeSpans ss_init = TQ__SCOPE_SPANS__INIT;

/* --- randomness --- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* rnd is xoshiro256**. */
static uint64_t
rnd(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* below returns 0 .. n-1 (0 when n is 0). */
static uint64_t
below(struct rng *r, uint64_t n)
{
	return n == 0 ? 0 : rnd(r) % n;
}

/* chance is true with probability p. */
static bool
chance(struct rng *r, double p)
{
	return (double)(rnd(r) >> 11) < p * 9007199254740992.0;
}

/*
 * dur returns a duration from lo to hi ns, spread evenly over the octaves
 * between them (a log-uniform shape: most calls fast, a long tail).
 */
static int64_t
dur(struct rng *r, int64_t lo, int64_t hi)
{
	int64_t a, b;
	unsigned noct = 0;

	if (lo < 1)
		lo = 1;
	if (hi <= lo)
		return lo;
	while (noct < 62 && (lo << noct) < hi)
		noct++;
	a = lo << below(r, noct);
	b = a * 2 < hi ? a * 2 : hi;
	return a + (int64_t)below(r, (uint64_t)(b - a));
}

#define PICK(r, arr)	((arr)[below((r), sizeof(arr) / sizeof((arr)[0]))])

/* --- allocation and attributes --- */

/* tal allocates zeroed memory for the builders, or jumps to the failure. */
static void *
tal(struct tctx *t, size_t n)
{
	void *p = tq_arena_calloc(t->a, 1, n);

	if (p == NULL)
		longjmp(t->fail, 1);
	return p;
}

static char *
tfmt(struct tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tfmt formats a string into the arena. */
static char *
tfmt(struct tctx *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		longjmp(t->fail, 1);
	s = tal(t, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static struct kvs
span_kvs(struct node *n)
{
	return (struct kvs){ &n->s.attributes, &n->s.n_attributes };
}

/*
 * kv_add appends key = v.  Arrays start at 8 slots and double whenever the
 * count reaches a power of two, so their capacity needs no field.
 */
static void
kv_add(struct tctx *t, struct kvs l, const char *key, Tq__AnyValue *v)
{
	Tq__KeyValue *kv, **nv;
	size_t n = *l.n;

	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		nv = tal(t, (n == 0 ? 8 : 2 * n) * sizeof(*nv));
		if (n > 0)
			memcpy(nv, *l.v, n * sizeof(*nv));
		*l.v = nv;
	}
	kv = tal(t, sizeof(*kv));
	*kv = kv_init;
	kv->key = (char *)key;
	kv->value = v;
	(*l.v)[n] = kv;
	*l.n = n + 1;
}

static Tq__AnyValue *
av_str(struct tctx *t, const char *s)
{
	Tq__AnyValue *v = tal(t, sizeof(*v));

	*v = any_init;
	v->value_case = TQ__ANY_VALUE__VALUE_STRING_VALUE;
	v->string_value = (char *)s;
	return v;
}

static Tq__AnyValue *
av_int(struct tctx *t, int64_t i)
{
	Tq__AnyValue *v = tal(t, sizeof(*v));

	*v = any_init;
	v->value_case = TQ__ANY_VALUE__VALUE_INT_VALUE;
	v->int_value = i;
	return v;
}

static Tq__AnyValue *
av_dbl(struct tctx *t, double d)
{
	Tq__AnyValue *v = tal(t, sizeof(*v));

	*v = any_init;
	v->value_case = TQ__ANY_VALUE__VALUE_DOUBLE_VALUE;
	v->double_value = d;
	return v;
}

static Tq__AnyValue *
av_bool(struct tctx *t, bool b)
{
	Tq__AnyValue *v = tal(t, sizeof(*v));

	*v = any_init;
	v->value_case = TQ__ANY_VALUE__VALUE_BOOL_VALUE;
	v->bool_value = b;
	return v;
}

/* av_array makes an array value of n slots for the caller to fill. */
static Tq__AnyValue *
av_array(struct tctx *t, size_t n, Tq__AnyValue ***slots)
{
	Tq__AnyValue *v = tal(t, sizeof(*v));
	Tq__ArrayValue *a = tal(t, sizeof(*a));

	*a = array_init;
	a->n_values = n;
	a->values = tal(t, (n == 0 ? 1 : n) * sizeof(*a->values));
	*v = any_init;
	v->value_case = TQ__ANY_VALUE__VALUE_ARRAY_VALUE;
	v->array_value = a;
	*slots = a->values;
	return v;
}

/* Strings given to these must outlive the trace: literals or tfmt's. */
static void
kv_str(struct tctx *t, struct kvs l, const char *k, const char *s)
{
	kv_add(t, l, k, av_str(t, s));
}

static void
kv_int(struct tctx *t, struct kvs l, const char *k, int64_t i)
{
	kv_add(t, l, k, av_int(t, i));
}

static void
kv_dbl(struct tctx *t, struct kvs l, const char *k, double d)
{
	kv_add(t, l, k, av_dbl(t, d));
}

static void
kv_bool(struct tctx *t, struct kvs l, const char *k, bool b)
{
	kv_add(t, l, k, av_bool(t, b));
}

static void
kv_bytes(struct tctx *t, struct kvs l, const char *k, size_t n)
{
	Tq__AnyValue *v = tal(t, sizeof(*v));
	uint8_t *b = tal(t, n);
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(t->r);
	*v = any_init;
	v->value_case = TQ__ANY_VALUE__VALUE_BYTES_VALUE;
	v->bytes_value.len = n;
	v->bytes_value.data = b;
	kv_add(t, l, k, v);
}

/* --- spans --- */

/* net is one network hop inside the cluster. */
static int64_t
net(struct tctx *t)
{
	return dur(t->r, 60 * US, 600 * US);
}

static void
rand_id(struct tctx *t, uint8_t *id, size_t n)
{
	size_t i;
	uint64_t x = 0;

	do {
		for (i = 0; i < n; i++) {
			if (i % 8 == 0)
				x = rnd(t->r);
			id[i] = (uint8_t)(x >> (8 * (i % 8)));
		}
		for (i = 0; i < n && id[i] == 0; i++)
			;
	} while (i == n);
}

/* pick_inst chooses an instance of svc in the trace's environment. */
static unsigned
pick_inst(struct tctx *t, unsigned svc)
{
	struct tq_gen *g = t->g;
	unsigned k;

	if (t->staging)
		k = g->nprod;
	else
		k = (unsigned)below(t->r, g->nprod);
	return svc * g->o.instances + k;
}

/*
 * span_new opens a span of svc under p (NULL for a root) starting at
 * start.  Returns NULL when svc is not in the shop or p is at the depth
 * limit: the caller then skips the call.
 */
static struct node *
span_new(struct tctx *t, struct node *p, unsigned svc, unsigned scope,
    int kind, const char *name, int64_t start)
{
	struct tq_gen *g = t->g;
	struct node *n;

	if (svc >= g->o.services || (p != NULL && p->depth >= g->o.depth))
		return NULL;
	n = tal(t, sizeof(*n));
	n->s = span_init;
	n->st = status_init;
	n->s.status = &n->st;
	n->tr = t->tr;
	n->seq = g->seq++;
	n->svc = svc;
	n->inst = p != NULL && p->svc == svc ? p->inst : pick_inst(t, svc);
	n->scope = scope;
	n->depth = p != NULL ? p->depth + 1 : 1;
	rand_id(t, n->sid, sizeof(n->sid));
	n->s.trace_id.len = TQ_TRACE_ID_LEN;
	n->s.trace_id.data = t->tr->id;
	n->s.span_id.len = TQ_SPAN_ID_LEN;
	n->s.span_id.data = n->sid;
	if (p != NULL) {
		memcpy(n->pid, p->sid, sizeof(n->pid));
		n->s.parent_span_id.len = TQ_SPAN_ID_LEN;
		n->s.parent_span_id.data = n->pid;
	}
	n->s.trace_state = (char *)t->ts;
	/* OTLP flags: has-is-remote 0x100, is-remote 0x200, W3C sampled 1. */
	n->s.flags = p != NULL && p->svc != svc ? 0x301 : 0x101;
	n->s.name = (char *)name;
	n->s.kind = kind;
	n->s.start_time_unix_nano = (uint64_t)start;
	n->s.end_time_unix_nano = (uint64_t)start;
	if (t->root == NULL)
		t->root = n;
	return n;
}

static void
heap_push(struct tctx *t, struct node *n)
{
	struct tq_gen *g = t->g;
	struct node **h, *tmp;
	size_t i, up, cap;

	if (g->nheap == g->capheap) {
		cap = g->capheap == 0 ? 1024 : 2 * g->capheap;
		if ((h = realloc(g->heap, cap * sizeof(*h))) == NULL)
			longjmp(t->fail, 1);
		g->heap = h;
		g->capheap = cap;
	}
	h = g->heap;
	i = g->nheap++;
	h[i] = n;
	while (i > 0) {
		up = (i - 1) / 2;
		if (h[up]->s.end_time_unix_nano < h[i]->s.end_time_unix_nano ||
		    (h[up]->s.end_time_unix_nano == h[i]->s.end_time_unix_nano &&
		    h[up]->seq < h[i]->seq))
			break;
		tmp = h[up];
		h[up] = h[i];
		h[i] = tmp;
		i = up;
	}
}

static bool
heap_less(struct node *a, struct node *b)
{
	return a->s.end_time_unix_nano < b->s.end_time_unix_nano ||
	    (a->s.end_time_unix_nano == b->s.end_time_unix_nano &&
	    a->seq < b->seq);
}

static struct node *
heap_pop(struct tq_gen *g)
{
	struct node **h = g->heap, *top = h[0], *tmp;
	size_t i = 0, l, m;

	h[0] = h[--g->nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < g->nheap && heap_less(h[l], h[m]))
			m = l;
		if (l + 1 < g->nheap && heap_less(h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = h[m];
		h[m] = h[i];
		h[i] = tmp;
		i = m;
	}
	return top;
}

/* span_end closes n at end (after its start) and queues it for output. */
static void
span_end(struct tctx *t, struct node *n, int64_t end)
{
	if (end <= (int64_t)n->s.start_time_unix_nano)
		end = (int64_t)n->s.start_time_unix_nano + 1;
	n->s.end_time_unix_nano = (uint64_t)end;
	t->tr->pending++;
	t->g->nspans++;
	heap_push(t, n);
}

static void
set_error(struct node *n, const char *msg)
{
	n->st.code = TQ__STATUS__STATUS_CODE__STATUS_CODE_ERROR;
	n->st.message = (char *)(msg != NULL ? msg : "");
}

static Tq__Span__Event *
event_add(struct tctx *t, struct node *n, const char *name, int64_t time)
{
	Tq__Span__Event *e, **nv;
	size_t k = n->s.n_events;

	if (k == 0 || (k >= 4 && (k & (k - 1)) == 0)) {
		nv = tal(t, (k == 0 ? 4 : 2 * k) * sizeof(*nv));
		if (k > 0)
			memcpy(nv, n->s.events, k * sizeof(*nv));
		n->s.events = nv;
	}
	e = tal(t, sizeof(*e));
	*e = event_init;
	e->name = (char *)name;
	if (time < (int64_t)n->s.start_time_unix_nano)
		time = (int64_t)n->s.start_time_unix_nano;
	e->time_unix_nano = (uint64_t)time;
	n->s.events[k] = e;
	n->s.n_events = k + 1;
	return e;
}

static struct kvs
event_kvs(Tq__Span__Event *e)
{
	return (struct kvs){ &e->attributes, &e->n_attributes };
}

/* exception records an exception event on n and marks it failed. */
static void
exception(struct tctx *t, struct node *n, int64_t time, const char *type,
    const char *msg, const char *where)
{
	Tq__Span__Event *e = event_add(t, n, "exception", time);

	kv_str(t, event_kvs(e), "exception.type", type);
	kv_str(t, event_kvs(e), "exception.message", msg);
	kv_str(t, event_kvs(e), "exception.stacktrace",
	    tfmt(t, "%s: %s\n%s", type, msg, where));
	set_error(n, msg);
}

/* link_to links n to a remembered span with the given reason. */
static void
link_to(struct tctx *t, struct node *n, const struct recent *to,
    const char *reason, int64_t index, bool publish)
{
	Tq__Span__Link *l, **nv;
	size_t k = n->s.n_links;
	uint8_t *ids;
	struct kvs kv;

	if (k == 0 || (k >= 4 && (k & (k - 1)) == 0)) {
		nv = tal(t, (k == 0 ? 4 : 2 * k) * sizeof(*nv));
		if (k > 0)
			memcpy(nv, n->s.links, k * sizeof(*nv));
		n->s.links = nv;
	}
	l = tal(t, sizeof(*l));
	*l = link_init;
	ids = tal(t, sizeof(to->tid) + sizeof(to->sid));
	memcpy(ids, to->tid, sizeof(to->tid));
	memcpy(ids + sizeof(to->tid), to->sid, sizeof(to->sid));
	l->trace_id.len = TQ_TRACE_ID_LEN;
	l->trace_id.data = ids;
	l->span_id.len = TQ_SPAN_ID_LEN;
	l->span_id.data = ids + TQ_TRACE_ID_LEN;
	l->trace_state = tfmt(t, "%s", to->ts);
	l->flags = 0x301;
	kv = (struct kvs){ &l->attributes, &l->n_attributes };
	if (publish)
		kv_str(t, kv, "messaging.operation.type", "publish");
	kv_str(t, kv, "app.link.reason", reason);
	if (index >= 0)
		kv_int(t, kv, "app.link.index", index);
	n->s.links[k] = l;
	n->s.n_links = k + 1;
}

static void
remember(struct recent *ring, size_t *count, const struct node *n,
    const char *ts)
{
	struct recent *r = &ring[*count % RECENT];

	memcpy(r->tid, n->tr->id, sizeof(r->tid));
	memcpy(r->sid, n->sid, sizeof(r->sid));
	snprintf(r->ts, sizeof(r->ts), "%s", ts);
	(*count)++;
}

/* take_failure is true, once, when the trace is to fail with f. */
static bool
take_failure(struct tctx *t, int f)
{
	if (t->failure != f)
		return false;
	t->failure = F_NONE;
	return true;
}

static const char *
host(struct tctx *t, unsigned svc)
{
	return tfmt(t, "%s.shop-%s.svc.cluster.local", svcdefs[svc].name,
	    t->staging ? "staging" : "production");
}

static const char *
pod_ip(struct tctx *t)
{
	return tfmt(t, "10.%d.%u.%u", t->staging ? 1 : 0,
	    (unsigned)below(t->r, 256), 1 + (unsigned)below(t->r, 254));
}

/* --- building blocks: HTTP, gRPC, SQL, Redis, Kafka --- */

static struct node *
http_server(struct tctx *t, struct node *p, unsigned svc, const char *method,
    const char *route, const char *path, int64_t start)
{
	struct node *n = span_new(t, p, svc, SC_HTTP, K_SERVER,
	    tfmt(t, "%s %s", method, route), start);
	struct kvs kv;

	if (n == NULL)
		return NULL;
	kv = span_kvs(n);
	kv_str(t, kv, "http.request.method", method);
	kv_str(t, kv, "url.path", path);
	kv_str(t, kv, "url.scheme", "http");
	kv_str(t, kv, "http.route", route);
	kv_str(t, kv, "server.address", p == NULL ? "shop.example.com" :
	    host(t, svc));
	kv_int(t, kv, "server.port", svcdefs[svc].port);
	kv_str(t, kv, "client.address", p == NULL ?
	    tfmt(t, "203.0.113.%u", 1 + (unsigned)below(t->r, 254)) :
	    pod_ip(t));
	kv_str(t, kv, "network.protocol.version", "1.1");
	kv_str(t, kv, "user_agent.original", p == NULL ? PICK(t->r, agents) :
	    "undici");
	return n;
}

/* http_server_end: status 0 means 200; 5xx is an error on a server. */
static void
http_server_end(struct tctx *t, struct node *n, int status, int64_t end)
{
	if (status == 0)
		status = 200;
	kv_int(t, span_kvs(n), "http.response.status_code", status);
	if (status >= 500) {
		kv_str(t, span_kvs(n), "error.type", tfmt(t, "%d", status));
		set_error(n, NULL);
	}
	span_end(t, n, end);
}

static struct node *
http_client(struct tctx *t, struct node *p, unsigned to, const char *method,
    const char *url, int64_t start)
{
	struct node *n = span_new(t, p, p->svc, SC_UNDICI, K_CLIENT, method,
	    start);
	struct kvs kv;

	if (n == NULL)
		return NULL;
	kv = span_kvs(n);
	kv_str(t, kv, "http.request.method", method);
	kv_str(t, kv, "server.address", to < NSVC ? host(t, to) :
	    "api.mailer.example");
	kv_int(t, kv, "server.port", to < NSVC ? svcdefs[to].port : 443);
	kv_str(t, kv, "url.full", url);
	kv_str(t, kv, "network.protocol.version", "1.1");
	return n;
}

/* http_client_end: 4xx and 5xx are errors on a client. */
static void
http_client_end(struct tctx *t, struct node *n, int status, int64_t end)
{
	if (status == 0)
		status = 200;
	kv_int(t, span_kvs(n), "http.response.status_code", status);
	if (status >= 400) {
		kv_str(t, span_kvs(n), "error.type", tfmt(t, "%d", status));
		set_error(n, NULL);
	}
	span_end(t, n, end);
}

typedef int64_t (*body_fn)(struct tctx *, struct node *, int64_t, void *);

/*
 * http_call makes an HTTP request from p's service to svc: a CLIENT span
 * under p and the SERVER span of svc under it, whose children body makes.
 * Returns the client's end (start when the call is not made) and the
 * response status in *status (0 for 200).
 */
static int64_t
http_call(struct tctx *t, struct node *p, unsigned to, const char *method,
    const char *route, const char *path, int64_t start, body_fn body,
    void *arg, int *status)
{
	struct node *c, *s;
	int64_t end;

	*status = 0;
	if (to >= t->g->o.services)
		return start;
	c = http_client(t, p, to, method,
	    tfmt(t, "http://%s:%d%s", host(t, to), svcdefs[to].port, path),
	    start);
	if (c == NULL)
		return start;
	s = http_server(t, c, to, method, route, path, start + net(t));
	if (s == NULL) {
		end = start + dur(t->r, 300 * US, 20 * MS);
	} else {
		end = body(t, s, (int64_t)s->s.start_time_unix_nano +
		    dur(t->r, 20 * US, 200 * US), arg);
		end += dur(t->r, 10 * US, 200 * US);
		*status = s->code;
		http_server_end(t, s, s->code, end);
		end += net(t);
	}
	http_client_end(t, c, *status, end);
	return end;
}

static struct node *
grpc_span(struct tctx *t, struct node *p, unsigned svc, int kind,
    const char *rsvc, const char *method, int64_t start)
{
	struct node *n = span_new(t, p, svc, SC_GRPC, kind,
	    tfmt(t, "%s/%s", rsvc, method), start);
	struct kvs kv;

	if (n == NULL)
		return NULL;
	kv = span_kvs(n);
	kv_str(t, kv, "rpc.system", "grpc");
	kv_str(t, kv, "rpc.service", rsvc);
	kv_str(t, kv, "rpc.method", method);
	return n;
}

/* rpc is http_call for gRPC; *code is the gRPC status (0 OK). */
static int64_t
rpc(struct tctx *t, struct node *p, unsigned to, const char *rsvc,
    const char *method, int64_t start, body_fn body, void *arg, int *code)
{
	struct node *c, *s;
	Tq__Span__Event *e;
	int64_t end;

	*code = 0;
	if (to >= t->g->o.services)
		return start;
	if ((c = grpc_span(t, p, p->svc, K_CLIENT, rsvc, method, start)) ==
	    NULL)
		return start;
	kv_str(t, span_kvs(c), "server.address", host(t, to));
	kv_int(t, span_kvs(c), "server.port", svcdefs[to].port);
	s = grpc_span(t, c, to, K_SERVER, rsvc, method, start + net(t));
	if (s == NULL) {
		end = start + dur(t->r, 300 * US, 20 * MS);
	} else {
		kv_str(t, span_kvs(s), "network.peer.address", pod_ip(t));
		e = event_add(t, s, "message",
		    (int64_t)s->s.start_time_unix_nano + 10 * US);
		kv_str(t, event_kvs(e), "message.type", "RECEIVED");
		kv_int(t, event_kvs(e), "message.id", 1);
		end = body(t, s, (int64_t)s->s.start_time_unix_nano +
		    dur(t->r, 20 * US, 200 * US), arg);
		end += dur(t->r, 10 * US, 200 * US);
		*code = s->code;
		kv_int(t, span_kvs(s), "rpc.grpc.status_code", s->code);
		if (s->code == 0) {
			e = event_add(t, s, "message", end - 5 * US);
			kv_str(t, event_kvs(e), "message.type", "SENT");
			kv_int(t, event_kvs(e), "message.id", 1);
			kv_int(t, event_kvs(e), "message.uncompressed_size",
			    (int64_t)dur(t->r, 30, 4000));
		} else if (s->st.code == 0) {
			set_error(s, s->msg);
		}
		span_end(t, s, end);
		end += net(t);
		if (s->code != 0)
			set_error(c, tfmt(t, "%d %s", s->code,
			    s->msg != NULL ? s->msg : ""));
	}
	kv_int(t, span_kvs(c), "rpc.grpc.status_code", *code);
	span_end(t, c, end);
	return end;
}

/*
 * sql makes a PostgreSQL CLIENT span under p; rows >= 0 adds the rows
 * returned.  With fail, the statement times out.  Returns its end.
 */
static int64_t
sql(struct tctx *t, struct node *p, const char *op, const char *table,
    const char *query, int64_t start, int64_t rows, bool fail)
{
	struct node *n = span_new(t, p, p->svc, SC_PG, K_CLIENT,
	    tfmt(t, "%s %s", op, table), start);
	struct kvs kv;
	int64_t end;

	if (n == NULL)
		return start;
	kv = span_kvs(n);
	kv_str(t, kv, "db.system.name", "postgresql");
	kv_str(t, kv, "db.namespace", "shop");
	kv_str(t, kv, "db.collection.name", table);
	kv_str(t, kv, "db.operation.name", op);
	kv_str(t, kv, "db.query.text", query);
	kv_str(t, kv, "server.address", tfmt(t, "postgres.shop-%s.svc",
	    t->staging ? "staging" : "production"));
	kv_int(t, kv, "server.port", 5432);
	if (fail) {
		end = start + 2 * SEC + dur(t->r, 100 * US, 5 * MS);
		kv_str(t, kv, "db.response.status_code", "57014");
		kv_str(t, kv, "error.type", "57014");
		exception(t, n, end, "DatabaseError",
		    "canceling statement due to statement timeout",
		    "    at Parser.parseErrorMessage "
		    "(/app/node_modules/pg-protocol/dist/parser.js:283:98)\n"
		    "    at Client._handleErrorMessage "
		    "(/app/node_modules/pg/lib/client.js:336:17)");
	} else {
		end = start + dur(t->r, 200 * US, 40 * MS);
		if (rows >= 0)
			kv_int(t, kv, "db.response.returned_rows", rows);
	}
	span_end(t, n, end);
	return end;
}

/* redis makes an ioredis CLIENT span; with fail, retries run out. */
static int64_t
redis(struct tctx *t, struct node *p, const char *cmd, const char *key,
    int64_t start, bool fail)
{
	struct node *n = span_new(t, p, p->svc, SC_REDIS, K_CLIENT, cmd, start);
	struct kvs kv;
	int64_t end;

	if (n == NULL)
		return start;
	kv = span_kvs(n);
	kv_str(t, kv, "db.system.name", "redis");
	kv_str(t, kv, "db.operation.name", cmd);
	kv_str(t, kv, "db.query.text", tfmt(t, "%s %s ?", cmd, key));
	kv_int(t, kv, "db.redis.database_index", 0);
	kv_str(t, kv, "server.address", "redis-master");
	kv_int(t, kv, "server.port", 6379);
	if (fail) {
		end = start + dur(t->r, 50 * MS, 200 * MS);
		exception(t, n, end, "MaxRetriesPerRequestError",
		    "Reached the max retries per request limit (which is 1).",
		    "    at Socket.<anonymous> (/app/node_modules/ioredis/"
		    "built/redis/event_handler.js:182:37)");
	} else {
		end = start + dur(t->r, 80 * US, 2 * MS);
	}
	span_end(t, n, end);
	return end;
}

/* internal makes an INTERNAL span of p's service with the shop scope. */
static struct node *
internal(struct tctx *t, struct node *p, unsigned svc, const char *name,
    int64_t start)
{
	return span_new(t, p, svc, SC_SHOP, K_INTERNAL, name, start);
}

/* --- the services' work --- */

static int64_t
serve_auth(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	struct kvs kv = span_kvs(s);

	kv_str(t, kv, "enduser.id", arg);
	kv_str(t, kv, "app.auth.method", chance(t->r, 0.8) ? "jwt" : "session");
	kv_bytes(t, kv, "app.auth.token_hash", 16);
	return start + dur(t->r, 100 * US, 3 * MS);
}

static int64_t
serve_currency(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	struct kvs kv = span_kvs(s);

	(void)arg;
	kv_str(t, kv, "app.currency.conversion.from", "EUR");
	kv_str(t, kv, "app.currency.conversion.to", PICK(t->r, currencies));
	/* 0.5 .. 1.5, never a whole number. */
	kv_dbl(t, kv, "app.currency.rate",
	    (double)(5000 + 2 * below(t->r, 5000) + 1) / 10000.0);
	return start + dur(t->r, 50 * US, 2 * MS);
}

static int64_t
serve_product(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	const char *id = arg;
	struct kvs kv = span_kvs(s);
	struct node *n;
	Tq__Span__Event *e;
	bool hit, redis_fail = take_failure(t, F_REDIS);
	int64_t cur;

	kv_str(t, kv, "app.product.id", id);
	cur = redis(t, s, "GET", tfmt(t, "product:%s", id), start, redis_fail);
	hit = !redis_fail && t->failure != F_NOTFOUND && chance(t->r, 0.6);
	kv_bool(t, kv, "app.cache.hit", hit);
	if (!hit) {
		e = event_add(t, s, "cache.miss", cur);
		kv_str(t, event_kvs(e), "cache.key",
		    tfmt(t, "product:%s", id));
		if (take_failure(t, F_NOTFOUND)) {
			cur = sql(t, s, "SELECT", "shop.products",
			    "SELECT * FROM shop.products WHERE id = $1",
			    cur + dur(t->r, 10 * US, 100 * US), 0, false);
			s->code = 5;
			s->msg = tfmt(t, "Product Not Found: %s", id);
			return cur;
		}
		cur = sql(t, s, "SELECT", "shop.products",
		    "SELECT * FROM shop.products WHERE id = $1",
		    cur + dur(t->r, 10 * US, 100 * US), 1, false);
	}
	if ((n = internal(t, s, s->svc, "serialize product", cur)) != NULL) {
		cur += dur(t->r, 20 * US, 500 * US);
		span_end(t, n, cur);
	}
	return cur;
}

static int64_t
serve_list_products(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	(void)arg;
	return sql(t, s, "SELECT", "shop.products",
	    "SELECT * FROM shop.products WHERE id = ANY($1)", start,
	    (int64_t)(1 + below(t->r, 8)), false);
}

static int64_t
serve_search(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	unsigned i, k = t->g->o.fanout < 16 ? t->g->o.fanout : 16;
	bool deadline = take_failure(t, F_DEADLINE);
	int64_t e, end = start;

	(void)arg;
	k = 1 + (unsigned)below(t->r, k);
	kv_int(t, span_kvs(s), "app.search.shards", k);
	/* The shards are queried in parallel. */
	for (i = 0; i < k; i++) {
		e = sql(t, s, "SELECT", tfmt(t, "shop.products_shard_%02u", i),
		    "SELECT id, name FROM products WHERE tsv @@ "
		    "plainto_tsquery($1) LIMIT 20",
		    start + (int64_t)i * dur(t->r, 5 * US, 50 * US),
		    (int64_t)below(t->r, 21), deadline && i == k - 1);
		if (e > end)
			end = e;
	}
	if (deadline) {
		s->code = 4;
		s->msg = "Deadline exceeded";
	}
	return end;
}

static int64_t
serve_recommend(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	struct node *m = internal(t, s, s->svc, "model.predict", start);
	Tq__AnyValue **ids, **scores;
	Tq__AnyValue *vids, *vscores;
	bool cold = chance(t->r, 0.2);
	size_t i, k = cold ? 0 : 1 + below(t->r, 5);
	int64_t cur = start;
	int code;

	(void)arg;
	if (m != NULL) {
		kv_str(t, span_kvs(m), "app.recommendation.model",
		    "two-tower-v2");
		kv_bool(t, span_kvs(m), "app.recommendation.cold_start", cold);
		vids = av_array(t, k, &ids);
		vscores = av_array(t, k, &scores);
		for (i = 0; i < k; i++) {
			ids[i] = av_str(t, PICK(t->r, products));
			scores[i] = av_dbl(t, (double)(2 * below(t->r, 500) +
			    1) / 1000.0);
		}
		kv_add(t, span_kvs(m), "app.recommendation.product_ids", vids);
		kv_add(t, span_kvs(m), "app.recommendation.scores", vscores);
		cur += dur(t->r, 1 * MS, 30 * MS);
		if (take_failure(t, F_INTERNAL)) {
			exception(t, m, cur, "ModelNotLoadedError",
			    "model two-tower-v2 is not loaded",
			    "    at predict (/app/recommendation/model.js:88:11)");
			span_end(t, m, cur);
			s->code = 13;
			s->msg = "model two-tower-v2 is not loaded";
			return cur;
		}
		span_end(t, m, cur);
	}
	return rpc(t, s, CATALOG, "oteldemo.ProductCatalogService",
	    "ListProducts", cur + dur(t->r, 10 * US, 100 * US),
	    serve_list_products, NULL, &code);
}

static int64_t
serve_cart_get(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	return redis(t, s, "HGETALL", tfmt(t, "cart:%s", (const char *)arg),
	    start, false);
}

static int64_t
serve_cart_add(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	struct kvs kv = span_kvs(s);
	int64_t cur;

	kv_str(t, kv, "app.product.id", PICK(t->r, products));
	kv_int(t, kv, "app.cart.quantity", (int64_t)(1 + below(t->r, 5)));
	if (take_failure(t, F_REDIS)) {
		cur = redis(t, s, "HSET", tfmt(t, "cart:%s",
		    (const char *)arg), start, true);
		s->code = 500;
		return cur;
	}
	cur = redis(t, s, "HSET", tfmt(t, "cart:%s", (const char *)arg),
	    start, false);
	return redis(t, s, "EXPIRE", tfmt(t, "cart:%s", (const char *)arg),
	    cur + dur(t->r, 5 * US, 50 * US), false);
}

static int64_t
serve_reserve(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	const char *id = arg;
	struct kvs kv = span_kvs(s);
	int64_t cur;

	kv_str(t, kv, "app.product.id", id);
	kv_int(t, kv, "app.inventory.quantity", (int64_t)(1 + below(t->r, 4)));
	cur = sql(t, s, "SELECT", "shop.stock",
	    "SELECT quantity FROM shop.stock WHERE product_id = $1 FOR UPDATE",
	    start, 1, false);
	if (take_failure(t, F_DBTIMEOUT)) {
		cur = sql(t, s, "UPDATE", "shop.stock",
		    "UPDATE shop.stock SET quantity = quantity - $1 "
		    "WHERE product_id = $2", cur + dur(t->r, 5 * US, 50 * US),
		    -1, true);
		s->code = 503;
		return cur;
	}
	return sql(t, s, "UPDATE", "shop.stock",
	    "UPDATE shop.stock SET quantity = quantity - $1 "
	    "WHERE product_id = $2", cur + dur(t->r, 5 * US, 50 * US), -1,
	    false);
}

static int64_t
serve_payment(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	const int64_t *cents = arg;
	static const char *const cards[] = { "visa", "mastercard", "amex" };
	struct kvs kv = span_kvs(s);
	struct node *f;
	Tq__Span__Event *e;
	bool declined = take_failure(t, F_DECLINED);
	int64_t cur = start;

	kv_dbl(t, kv, "app.payment.amount", (double)*cents / 100.0);
	kv_str(t, kv, "app.payment.card_type", PICK(t->r, cards));
	kv_bool(t, kv, "app.payment.card_valid", !declined);
	if ((f = internal(t, s, s->svc, "fraud.score", cur)) != NULL) {
		kv_dbl(t, span_kvs(f), "app.fraud.score",
		    (double)(2 * below(t->r, 500) + 1) / 1000.0);
		kv_str(t, span_kvs(f), "app.fraud.model", "gbm-2025-11");
		cur += dur(t->r, 200 * US, 8 * MS);
		span_end(t, f, cur);
	}
	if (declined) {
		e = event_add(t, s, "payment.declined", cur);
		kv_str(t, event_kvs(e), "app.payment.decline_code",
		    "insufficient_funds");
		kv_int(t, event_kvs(e), "app.payment.attempt", 1);
		exception(t, s, cur, "CardDeclinedError",
		    "Payment request failed. Invalid credit card.",
		    "    at charge (/app/payment/charge.js:37:13)\n"
		    "    at Object.chargeServiceHandler [as charge] "
		    "(/app/payment/index.js:21:26)");
		s->code = 3;
		s->msg = "Payment request failed. Invalid credit card.";
		return cur;
	}
	return sql(t, s, "INSERT", "shop.payments",
	    "INSERT INTO shop.payments (order_id, amount) VALUES ($1, $2)",
	    cur + dur(t->r, 10 * US, 100 * US), -1, false);
}

/* consume makes a Kafka CONSUMER span of svc for the producer p. */
static struct node *
consume(struct tctx *t, struct node *p, unsigned svc, const char *group,
    int64_t start)
{
	struct node *n = span_new(t, p, svc, SC_KAFKA, K_CONSUMER,
	    "process orders", start);
	struct kvs kv;

	if (n == NULL)
		return NULL;
	kv = span_kvs(n);
	kv_str(t, kv, "messaging.system", "kafka");
	kv_str(t, kv, "messaging.destination.name", "orders");
	kv_str(t, kv, "messaging.operation.type", "process");
	kv_str(t, kv, "messaging.consumer.group.name", group);
	return n;
}

static void
email_order(struct tctx *t, struct node *p, const char *name, int64_t start)
{
	struct node *c = consume(t, p, EMAIL, "email", start), *r, *h;
	int64_t cur;

	if (c == NULL)
		return;
	cur = start + dur(t->r, 50 * US, 500 * US);
	if ((r = internal(t, c, EMAIL, "render email template", cur)) != NULL) {
		kv_str(t, span_kvs(r), "app.email.template",
		    "order-confirmation");
		kv_str(t, span_kvs(r), "app.email.locale", PICK(t->r, locales));
		cur += dur(t->r, 500 * US, 20 * MS);
		span_end(t, r, cur);
	}
	h = http_client(t, c, NSVC, "POST", "https://api.mailer.example/v3/send",
	    cur + dur(t->r, 10 * US, 100 * US));
	if (h != NULL) {
		kv_str(t, span_kvs(h), "app.email.recipient_name", name);
		cur = (int64_t)h->s.start_time_unix_nano +
		    dur(t->r, 20 * MS, 400 * MS);
		http_client_end(t, h, 202, cur);
	}
	span_end(t, c, cur + dur(t->r, 20 * US, 300 * US));
}

static void
fraud_check(struct tctx *t, struct node *p, int64_t start)
{
	struct node *c = consume(t, p, FRAUD, "fraud-detection", start), *f;
	Tq__AnyValue **flags, **scores, **hits, *v;
	size_t i, k, nlinks;
	int64_t cur;

	if (c == NULL)
		return;
	nlinks = t->g->nproducers < 2 ? t->g->nproducers : 2;
	kv_int(t, span_kvs(c), "messaging.batch.message_count",
	    (int64_t)nlinks + 1);
	for (i = 0; i < nlinks; i++)
		link_to(t, c, &t->g->producers[(t->g->nproducers - 1 - i) %
		    RECENT], "batch-consume", -1, true);
	cur = start + dur(t->r, 50 * US, 500 * US);
	if ((f = internal(t, c, FRAUD, "fraud.check", cur)) != NULL) {
		k = below(t->r, 3);	/* often no flags: an empty array */
		v = av_array(t, k, &flags);
		for (i = 0; i < k; i++)
			flags[i] = av_str(t, PICK(t->r, fraud_flags));
		kv_add(t, span_kvs(f), "app.fraud.flags", v);
		k = 1 + below(t->r, 6);
		kv_int(t, span_kvs(f), "app.fraud.rules_evaluated", (int64_t)k);
		v = av_array(t, k, &scores);
		for (i = 0; i < k; i++)
			scores[i] = av_dbl(t, (double)(2 * below(t->r, 500) +
			    1) / 1000.0);
		kv_add(t, span_kvs(f), "app.fraud.rule_scores", v);
		v = av_array(t, k, &hits);
		for (i = 0; i < k; i++)
			hits[i] = av_bool(t, chance(t->r, 0.1));
		kv_add(t, span_kvs(f), "app.fraud.rule_hits", v);
		cur += dur(t->r, 1 * MS, 50 * MS);
		span_end(t, f, cur);
	}
	span_end(t, c, cur + dur(t->r, 20 * US, 300 * US));
}

struct order {
	const char	*user;
	const char	*name;
};

static int64_t
serve_checkout(struct tctx *t, struct node *s, int64_t start, void *arg)
{
	const struct order *ord = arg;
	struct node *o, *pr;
	Tq__AnyValue **ids, **qty, *vids, *vqty, *meta;
	Tq__KeyValueList *kl;
	size_t i, k = t->g->o.fanout < 5 ? t->g->o.fanout : 5;
	int64_t cur = start, cents = 0, prod_end;
	int st, code;
	struct kvs mk;

	if ((o = internal(t, s, CHECKOUT, "order.place", cur)) == NULL)
		return cur + dur(t->r, 100 * US, 2 * MS);
	k = 1 + below(t->r, k);
	kv_int(t, span_kvs(o), "app.order.items_count", (int64_t)k);
	vids = av_array(t, k, &ids);
	vqty = av_array(t, k, &qty);
	for (i = 0; i < k; i++) {
		ids[i] = av_str(t, PICK(t->r, products));
		qty[i] = av_int(t, (int64_t)(1 + below(t->r, 3)));
		cents += (int64_t)(199 + below(t->r, 30000)) * qty[i]->int_value;
	}
	if (cents % 100 == 0)
		cents++;		/* keep the total a fraction */
	kv_add(t, span_kvs(o), "app.product.ids", vids);
	kv_add(t, span_kvs(o), "app.cart.quantities", vqty);
	kv_dbl(t, span_kvs(o), "app.order.total", (double)cents / 100.0);
	kv_str(t, span_kvs(o), "app.order.currency", PICK(t->r, currencies));
	/* A key-value list attribute, as OTLP allows and few SDKs send. */
	meta = tal(t, sizeof(*meta));
	kl = tal(t, sizeof(*kl));
	*kl = kvlist_init;
	*meta = any_init;
	meta->value_case = TQ__ANY_VALUE__VALUE_KVLIST_VALUE;
	meta->kvlist_value = kl;
	mk = (struct kvs){ &kl->values, &kl->n_values };
	kv_str(t, mk, "channel", chance(t->r, 0.6) ? "web" : "mobile");
	kv_bool(t, mk, "gift", chance(t->r, 0.1));
	kv_int(t, mk, "loyalty_points", (int64_t)below(t->r, 5000));
	kv_add(t, span_kvs(o), "app.order.meta", meta);

	cur = http_call(t, o, CART, "GET", "/cart/:user",
	    tfmt(t, "/cart/%s", ord->user), cur + dur(t->r, 20 * US, 200 * US),
	    serve_cart_get, (void *)ord->user, &st);
	for (i = 0; i < k; i++) {
		cur = http_call(t, o, INVENTORY, "POST", "/inventory/reserve",
		    "/inventory/reserve", cur + dur(t->r, 20 * US, 200 * US),
		    serve_reserve, ids[i]->string_value, &st);
		if (st >= 500) {
			set_error(o, "inventory reservation failed");
			s->code = 503;
			goto out;
		}
	}
	cur = rpc(t, o, PAYMENT, "oteldemo.PaymentService", "Charge",
	    cur + dur(t->r, 20 * US, 200 * US), serve_payment, &cents, &code);
	if (code != 0) {
		set_error(o, "payment failed");
		s->code = 500;
		goto out;
	}
	o->st.code = TQ__STATUS__STATUS_CODE__STATUS_CODE_OK;
	event_add(t, o, "order.placed", cur);
	pr = span_new(t, o, CHECKOUT, SC_KAFKA, K_PRODUCER, "publish orders",
	    cur + dur(t->r, 10 * US, 100 * US));
	if (pr != NULL) {
		kv_str(t, span_kvs(pr), "messaging.system", "kafka");
		kv_str(t, span_kvs(pr), "messaging.destination.name", "orders");
		kv_str(t, span_kvs(pr), "messaging.operation.type", "publish");
		kv_int(t, span_kvs(pr), "messaging.kafka.destination.partition",
		    (int64_t)below(t->r, 12));
		kv_str(t, span_kvs(pr), "messaging.message.id",
		    tfmt(t, "%016llx", (unsigned long long)rnd(t->r)));
		prod_end = (int64_t)pr->s.start_time_unix_nano +
		    dur(t->r, 300 * US, 5 * MS);
		cur = prod_end;
		span_end(t, pr, prod_end);
		/* Consumers run later, in their own time. */
		email_order(t, pr, ord->name, prod_end +
		    dur(t->r, 1 * MS, 400 * MS));
		fraud_check(t, pr, prod_end + dur(t->r, 1 * MS, 400 * MS));
		remember(t->g->producers, &t->g->nproducers, pr, t->ts);
	}
out:
	cur += dur(t->r, 20 * US, 300 * US);
	span_end(t, o, cur);
	return cur + dur(t->r, 10 * US, 100 * US);
}

/* --- trace templates --- */

/* front opens the root: the frontend's SERVER span for a request. */
static struct node *
front(struct tctx *t, const char *method, const char *route, const char *path,
    int64_t start)
{
	return http_server(t, NULL, FRONTEND, method, route, path, start);
}

static int64_t
step(struct tctx *t, int64_t cur)
{
	return cur + dur(t->r, 20 * US, 300 * US);
}

static void
tpl_product(struct tctx *t, int64_t start)
{
	const char *id = PICK(t->r, products);
	struct node *r = front(t, "GET", "/api/products/:id",
	    tfmt(t, "/api/products/%s", id), start);
	int64_t cur;
	int code, st = 0;

	kv_str(t, span_kvs(r), "app.currency", PICK(t->r, currencies));
	cur = rpc(t, r, CATALOG, "oteldemo.ProductCatalogService",
	    "GetProduct", step(t, start), serve_product, (void *)id, &code);
	if (code == 5) {
		st = 404;
	} else if (code != 0) {
		st = 500;
	} else {
		if (chance(t->r, 0.7))
			cur = rpc(t, r, CURRENCY, "oteldemo.CurrencyService",
			    "Convert", step(t, cur), serve_currency, NULL,
			    &code);
		if (chance(t->r, 0.2))
			cur = rpc(t, r, RECOMMEND,
			    "oteldemo.RecommendationService",
			    "ListRecommendations", step(t, cur),
			    serve_recommend, NULL, &code);
	}
	http_server_end(t, r, st, step(t, cur));
}

static void
tpl_search(struct tctx *t, int64_t start)
{
	struct node *r = front(t, "GET", "/api/search", "/api/search", start);
	int64_t cur;
	int code;

	kv_str(t, span_kvs(r), "app.search.query", PICK(t->r, queries));
	cur = rpc(t, r, CATALOG, "oteldemo.ProductCatalogService",
	    "SearchProducts", step(t, start), serve_search, NULL, &code);
	http_server_end(t, r, code == 4 ? 504 : code != 0 ? 500 : 0,
	    step(t, cur));
}

static void
tpl_recommend(struct tctx *t, int64_t start)
{
	const char *user = tfmt(t, "u-%u", 1000 + (unsigned)below(t->r, 1000));
	struct node *r = front(t, "GET", "/api/recommendations",
	    "/api/recommendations", start);
	int64_t cur;
	int code;

	kv_str(t, span_kvs(r), "enduser.id", user);
	cur = rpc(t, r, RECOMMEND, "oteldemo.RecommendationService",
	    "ListRecommendations", step(t, start), serve_recommend, NULL,
	    &code);
	http_server_end(t, r, code != 0 ? 500 : 0, step(t, cur));
}

static void
tpl_cart_add(struct tctx *t, int64_t start)
{
	char *user = tfmt(t, "u-%u", 1000 + (unsigned)below(t->r, 1000));
	struct node *r = front(t, "POST", "/api/cart", "/api/cart", start);
	int64_t cur;
	int code, st;

	kv_str(t, span_kvs(r), "enduser.id", user);
	cur = rpc(t, r, AUTH, "shop.AuthService", "Verify", step(t, start),
	    serve_auth, user, &code);
	cur = http_call(t, r, CART, "POST", "/cart/items", "/cart/items",
	    step(t, cur), serve_cart_add, user, &st);
	http_server_end(t, r, st >= 500 ? 502 : 0, step(t, cur));
}

static void
tpl_cart_view(struct tctx *t, int64_t start)
{
	char *user = tfmt(t, "u-%u", 1000 + (unsigned)below(t->r, 1000));
	struct node *r = front(t, "GET", "/api/cart", "/api/cart", start);
	int64_t cur;
	int code, st;

	kv_str(t, span_kvs(r), "enduser.id", user);
	cur = http_call(t, r, CART, "GET", "/cart/:user",
	    tfmt(t, "/cart/%s", user), step(t, start), serve_cart_get, user,
	    &st);
	cur = rpc(t, r, CURRENCY, "oteldemo.CurrencyService", "Convert",
	    step(t, cur), serve_currency, NULL, &code);
	http_server_end(t, r, 0, step(t, cur));
}

static void
tpl_checkout(struct tctx *t, int64_t start)
{
	struct order ord;
	struct node *r = front(t, "POST", "/api/checkout", "/api/checkout",
	    start);
	struct kvs kv = span_kvs(r);
	int64_t cur;
	int code, st;

	ord.user = tfmt(t, "u-%u", 1000 + (unsigned)below(t->r, 1000));
	ord.name = PICK(t->r, people);
	kv_str(t, kv, "enduser.id", ord.user);
	kv_str(t, kv, "app.user.name", ord.name);
	kv_bool(t, kv, "app.user.premium", chance(t->r, 0.25));
	kv_int(t, kv, "http.request.body.size", (int64_t)dur(t->r, 200, 4000));
	cur = rpc(t, r, AUTH, "shop.AuthService", "Verify", step(t, start),
	    serve_auth, (void *)ord.user, &code);
	cur = http_call(t, r, CHECKOUT, "POST", "/checkout", "/checkout",
	    step(t, cur), serve_checkout, &ord, &st);
	http_server_end(t, r, st, step(t, cur));
}

static void
tpl_healthz(struct tctx *t, int64_t start)
{
	struct node *r = span_new(t, NULL, FRONTEND, SC_HTTP, K_SERVER,
	    "GET /healthz", start);
	struct kvs kv = span_kvs(r);

	kv_str(t, kv, "http.request.method", "GET");
	kv_str(t, kv, "http.route", "/healthz");
	kv_str(t, kv, "url.path", "/healthz");
	kv_str(t, kv, "url.scheme", "http");
	kv_str(t, kv, "user_agent.original", "kube-probe/1.31");
	http_server_end(t, r, take_failure(t, F_UNAVAILABLE) ? 503 : 0,
	    start + dur(t->r, 30 * US, 400 * US));
}

static void
tpl_reconcile(struct tctx *t, int64_t start)
{
	struct tq_gen *g = t->g;
	struct node *r = internal(t, NULL, INVENTORY, "inventory.reconcile",
	    start);
	struct kvs kv = span_kvs(r);
	size_t i, nl = g->nroots < 3 ? g->nroots : 3;
	unsigned k = 1 + (unsigned)below(t->r, g->o.fanout);
	int64_t cur = start;
	bool fail = take_failure(t, F_DBTIMEOUT);

	kv_str(t, kv, "app.job.name", "reconcile-stock");
	kv_int(t, kv, "app.job.run_id", (int64_t)(g->ntraces + 1));
	kv_str(t, kv, "code.function.name", "reconcileStock");
	kv_int(t, kv, "thread.id", (int64_t)(1 + below(t->r, 16)));
	for (i = 0; i < nl; i++)
		link_to(t, r, &g->roots[(g->nroots - 1 - i) % RECENT],
		    "reconcile-order", (int64_t)i, false);
	while (k-- > 0) {
		cur = sql(t, r, "UPDATE", "shop.stock",
		    "UPDATE shop.stock SET reserved = 0 WHERE product_id = $1",
		    step(t, cur), -1, fail && k == 0);
	}
	if (fail)
		set_error(r, "reconcile aborted: statement timeout");
	span_end(t, r, step(t, cur));
}

/*
 * tpl_huge makes one trace of exactly huge_trace spans: a batch import
 * whose spans each have up to fanout children, filled breadth first, each
 * child inside its parent's time.
 */
static void
tpl_huge(struct tctx *t, int64_t start)
{
	struct tq_gen *g = t->g;
	uint64_t want = g->o.huge_trace, made = 1, i, j, k;
	unsigned svc = INVENTORY < g->o.services ? INVENTORY : FRONTEND;
	struct node **q, *p, *c;
	int64_t s, e, slot;
	size_t head = 0;

	/* Every span is queued once as a parent, so want slots suffice. */
	q = tal(t, want * sizeof(*q));
	q[0] = internal(t, NULL, svc, "import.batch", start);
	kv_int(t, span_kvs(q[0]), "app.import.items", (int64_t)want - 1);
	q[0]->s.end_time_unix_nano = (uint64_t)(start + (int64_t)want * 10 * US);
	while (made < want) {
		p = q[head++];
		s = (int64_t)p->s.start_time_unix_nano + 1;
		e = (int64_t)p->s.end_time_unix_nano - 1;
		k = want - made < g->o.fanout ? want - made : g->o.fanout;
		slot = (e - s) / (int64_t)k;
		for (j = 0; j < k; j++) {
			/* span_new's depth limit does not apply here. */
			c = tal(t, sizeof(*c));
			*c = *p;
			c->s.attributes = NULL;
			c->s.n_attributes = 0;
			c->st = status_init;
			c->s.status = &c->st;
			c->seq = g->seq++;
			c->depth = p->depth + 1;
			rand_id(t, c->sid, sizeof(c->sid));
			c->s.span_id.data = c->sid;
			memcpy(c->pid, p->sid, sizeof(c->pid));
			c->s.parent_span_id.len = TQ_SPAN_ID_LEN;
			c->s.parent_span_id.data = c->pid;
			c->s.name = (char *)"import.item";
			c->s.start_time_unix_nano = (uint64_t)(s +
			    (int64_t)j * slot);
			c->s.end_time_unix_nano = (uint64_t)(s +
			    (int64_t)(j + 1) * slot - 1);
			kv_int(t, span_kvs(c), "app.item.index", (int64_t)made);
			kv_str(t, span_kvs(c), "app.product.id",
			    PICK(t->r, products));
			q[made++] = c;
		}
	}
	for (i = 0; i < want; i++)
		span_end(t, q[i], (int64_t)q[i]->s.end_time_unix_nano);
}

static const struct tpl {
	void	(*fn)(struct tctx *, int64_t);
	unsigned weight;
	int	 failures[3];	/* what an erroneous trace may do */
} tpls[] = {
	{ tpl_product,	 28, { F_NOTFOUND, F_REDIS, F_NOTFOUND } },
	{ tpl_search,	 10, { F_DEADLINE, F_DEADLINE, F_DEADLINE } },
	{ tpl_cart_add,	 14, { F_REDIS, F_REDIS, F_REDIS } },
	{ tpl_cart_view, 10, { F_REDIS, F_REDIS, F_REDIS } },
	{ tpl_checkout,	 18, { F_DECLINED, F_DBTIMEOUT, F_DECLINED } },
	{ tpl_recommend, 10, { F_INTERNAL, F_INTERNAL, F_INTERNAL } },
	{ tpl_healthz,	  5, { F_UNAVAILABLE, F_UNAVAILABLE, F_UNAVAILABLE } },
	{ tpl_reconcile,  5, { F_DBTIMEOUT, F_DBTIMEOUT, F_DBTIMEOUT } },
};

/*
 * gen_trace makes the next trace and queues its spans.  On failure the
 * generator is broken: spans of the half-made trace may be queued.
 */
static int
gen_trace(struct tq_gen *g, struct tq_err *err)
{
	struct tctx t;
	struct gtrace *tr;
	const struct tpl *tp;
	char *payload;
	unsigned w, total = 0;
	size_t i;

	if ((tr = g->free_traces) != NULL) {
		g->free_traces = tr->next;
		tq_arena_reset(&tr->arena);
	} else {
		if ((tr = calloc(1, sizeof(*tr))) == NULL) {
			g->broken = true;
			return tq_err_set(err, TQ_ENOMEM, "trace: out of memory");
		}
		tq_arena_init(&tr->arena, TQ_GEN_MAX_TRACE_ARENA);
	}
	tr->pending = 0;
	tr->next = NULL;
	memset(&t, 0, sizeof(t));
	t.g = g;
	t.a = &tr->arena;
	t.r = &g->r;
	t.tr = tr;
	if (setjmp(t.fail) != 0) {
		g->broken = true;
		t.tr->next = g->done_traces;	/* freed with the generator */
		g->done_traces = t.tr;
		return tq_err_set(err, TQ_ENOMEM, "trace %llu: out of memory "
		    "(or over %u bytes)", (unsigned long long)g->ntraces + 1,
		    TQ_GEN_MAX_TRACE_ARENA);
	}
	rand_id(&t, t.tr->id, sizeof(t.tr->id));
	t.ts = chance(t.r, 0.3) ? tfmt(&t, "shop=p:%08x;r:%u,ot=th:0",
	    (unsigned)rnd(t.r), (unsigned)below(t.r, 10)) : "";
	t.staging = g->staging && chance(t.r, 0.1);
	for (i = 0; i < sizeof(tpls) / sizeof(tpls[0]); i++)
		total += tpls[i].weight;
	w = (unsigned)below(t.r, total);
	for (tp = tpls; w >= tp->weight; tp++)
		w -= tp->weight;
	/* The reconcile job belongs to inventory; without it, a product. */
	if (tp->fn == tpl_reconcile && INVENTORY >= g->o.services)
		tp = &tpls[0];
	if (chance(t.r, g->o.error_rate))
		t.failure = tp->failures[below(t.r, 3)];
	if (g->ntraces == 0 && g->o.huge_trace > 0)
		tpl_huge(&t, g->next_start);
	else
		tp->fn(&t, g->next_start);
	if (g->ntraces == 0 && g->o.huge_attr > 0) {
		payload = tal(&t, g->o.huge_attr + 1);
		for (i = 0; i < g->o.huge_attr; i++)
			payload[i] = "abcdefghijklmnopqrstuvwxyz0123456789"
			    [below(t.r, 36)];
		kv_str(&t, span_kvs(t.root), "app.payload", payload);
	}
	remember(g->roots, &g->nroots, t.root, t.ts);
	g->ntraces++;
	g->next_start += 1 + (int64_t)below(t.r, 2 * TRACE_GAP);
	if ((g->o.traces > 0 && g->ntraces >= g->o.traces) ||
	    (g->o.spans > 0 && g->nspans >= g->o.spans))
		g->stopped = true;
	return 0;
}

/* --- resources and scopes --- */

static void
make_resource(struct tctx *t, unsigned svc, unsigned k)
{
	struct tq_gen *g = t->g;
	Tq__Resource *r = tal(t, sizeof(*r));
	struct kvs kv = { &r->attributes, &r->n_attributes };
	bool staging = g->staging && k == g->nprod;
	const char *env = staging ? "staging" : "production";
	uint64_t a = rnd(t->r), b = rnd(t->r);

	*r = resource_init;
	kv_str(t, kv, "service.name", svcdefs[svc].name);
	kv_str(t, kv, "service.namespace", "shop");
	kv_str(t, kv, "service.version", svcdefs[svc].version);
	kv_str(t, kv, "service.instance.id",
	    tfmt(t, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
	    (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
	    0x8000 | ((unsigned)(b >> 48) & 0x3fff),
	    (unsigned long long)(b & 0xffffffffffffULL)));
	kv_str(t, kv, "deployment.environment", env);
	kv_str(t, kv, "deployment.environment.name", env);
	kv_str(t, kv, "host.name", tfmt(t, "ip-10-%d-%u-%u.ec2.internal",
	    staging ? 1 : 0, (unsigned)below(t->r, 256),
	    (unsigned)below(t->r, 256)));
	kv_str(t, kv, "k8s.namespace.name", tfmt(t, "shop-%s", env));
	kv_str(t, kv, "k8s.pod.name", tfmt(t, "%s-%08x-%05x",
	    svcdefs[svc].name, (unsigned)rnd(t->r),
	    (unsigned)below(t->r, 0x100000)));
	kv_int(t, kv, "process.pid", (int64_t)(1000 + below(t->r, 60000)));
	kv_str(t, kv, "cloud.region", staging ? "us-east-2" : "eu-west-1");
	kv_bool(t, kv, "app.canary", !staging && k == 1);
	kv_str(t, kv, "telemetry.sdk.language", "nodejs");
	kv_str(t, kv, "telemetry.sdk.name", "opentelemetry");
	kv_str(t, kv, "telemetry.sdk.version", "2.12.1");
	g->res[svc * g->o.instances + k] = r;
}

static void
make_scopes(struct tctx *t, unsigned svc)
{
	Tq__InstrumentationScope *s;
	unsigned i;

	for (i = 0; i < NSCOPE; i++) {
		s = tal(t, sizeof(*s));
		*s = scope_init;
		if (i == SC_SHOP) {
			s->name = tfmt(t, "shop/%s", svcdefs[svc].name);
			s->version = (char *)svcdefs[svc].version;
			kv_str(t, (struct kvs){ &s->attributes,
			    &s->n_attributes }, "shop.team", svcdefs[svc].team);
		} else {
			s->name = (char *)scopedefs[i].name;
			s->version = (char *)scopedefs[i].version;
		}
		t->g->scopes[svc][i] = s;
	}
}

/* --- the API --- */

void
tq_gen_opts_default(struct tq_gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->start_ns = TQ_GEN_DEFAULT_START;
	o->traces = 100;
	o->services = TQ_GEN_SERVICES;
	o->instances = 3;
	o->depth = 10;
	o->fanout = 8;
	o->error_rate = 0.05;
	o->batch = 100;
}

int
tq_gen_new(const struct tq_gen_opts *o, struct tq_gen **out,
    struct tq_err *err)
{
	struct tq_gen *g;
	struct tctx t;
	struct rng rr;
	unsigned s, k;

	if (o->services < 1 || o->services > TQ_GEN_SERVICES)
		return tq_err_set(err, TQ_EINVAL, "services: not 1 to %d",
		    TQ_GEN_SERVICES);
	if (o->instances < 1 || o->instances > TQ_GEN_MAX_INSTANCES)
		return tq_err_set(err, TQ_EINVAL, "instances: not 1 to %d",
		    TQ_GEN_MAX_INSTANCES);
	if (o->depth < 1 || o->depth > TQ_GEN_MAX_DEPTH)
		return tq_err_set(err, TQ_EINVAL, "depth: not 1 to %d",
		    TQ_GEN_MAX_DEPTH);
	if (o->fanout < 1 || o->fanout > TQ_GEN_MAX_FANOUT)
		return tq_err_set(err, TQ_EINVAL, "fanout: not 1 to %d",
		    TQ_GEN_MAX_FANOUT);
	if (!(o->error_rate >= 0 && o->error_rate <= 1))
		return tq_err_set(err, TQ_EINVAL, "error rate: not 0 to 1");
	if (o->batch < 1 || o->batch > TQ_GEN_MAX_BATCH)
		return tq_err_set(err, TQ_EINVAL, "batch: not 1 to %u",
		    TQ_GEN_MAX_BATCH);
	if (o->huge_attr > TQ_GEN_MAX_HUGE_ATTR)
		return tq_err_set(err, TQ_EINVAL, "huge attribute: over %u "
		    "bytes", TQ_GEN_MAX_HUGE_ATTR);
	if (o->huge_trace > TQ_GEN_MAX_HUGE_TRACE)
		return tq_err_set(err, TQ_EINVAL, "huge trace: over %u spans",
		    TQ_GEN_MAX_HUGE_TRACE);
	if (o->start_ns < 0)
		return tq_err_set(err, TQ_EINVAL, "start: before 1970");
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "generator: out of memory");
	g->o = *o;
	g->ninst = o->services * o->instances;
	g->staging = o->instances >= 3;
	g->nprod = g->staging ? o->instances - 1 : o->instances;
	g->next_start = o->start_ns;
	rng_seed(&g->r, o->seed);
	tq_arena_init(&g->arena, 64u * 1024 * 1024);
	if ((g->out = calloc(o->batch, sizeof(*g->out))) == NULL)
		goto nomem;
	memset(&t, 0, sizeof(t));
	t.g = g;
	t.a = &g->arena;
	/* Instances do not depend on the traces: a stream of their own. */
	rng_seed(&rr, o->seed ^ 0x5eed5eed5eed5eedULL);
	t.r = &rr;
	if (setjmp(t.fail) != 0)
		goto nomem;
	g->res = tal(&t, g->ninst * sizeof(*g->res));
	g->slot = tal(&t, g->ninst * sizeof(*g->slot));
	g->order = tal(&t, g->ninst * sizeof(*g->order));
	g->cnt = tal(&t, g->ninst * sizeof(*g->cnt));
	g->ssp = tal(&t, g->ninst * sizeof(*g->ssp));
	for (s = 0; s < o->services; s++) {
		make_scopes(&t, s);
		for (k = 0; k < o->instances; k++)
			make_resource(&t, s, k);
	}
	for (k = 0; k < g->ninst; k++)
		g->slot[k] = -1;
	*out = g;
	return 0;
nomem:
	tq_gen_free(g);
	return tq_err_set(err, TQ_ENOMEM, "generator: out of memory");
}

static void
free_list(struct gtrace *tr)
{
	struct gtrace *next;

	for (; tr != NULL; tr = next) {
		next = tr->next;
		tq_arena_release(&tr->arena);
		free(tr);
	}
}

void
tq_gen_free(struct tq_gen *g)
{
	size_t i;
	struct gtrace *tr;

	if (g == NULL)
		return;
	/*
	 * Traces still pending are reachable only through their spans: mark
	 * the listed ones, then list each unmarked trace of the heap once.
	 */
	for (tr = g->free_traces; tr != NULL; tr = tr->next)
		tr->pending = (size_t)-1;
	for (tr = g->done_traces; tr != NULL; tr = tr->next)
		tr->pending = (size_t)-1;
	for (i = 0; i < g->nheap; i++) {
		tr = g->heap[i]->tr;
		if (tr->pending != (size_t)-1) {
			tr->pending = (size_t)-1;
			tr->next = g->free_traces;
			g->free_traces = tr;
		}
	}
	free_list(g->free_traces);
	free_list(g->done_traces);
	free(g->heap);
	free(g->out);
	tq_arena_release(&g->arena);
	free(g);
}

void
tq_gen_stop(struct tq_gen *g)
{
	g->stopped = true;
}

uint64_t
tq_gen_traces(const struct tq_gen *g)
{
	return g->ntraces;
}

/* build groups the n spans of g->out by resource and scope into a record. */
static int
build(struct tq_gen *g, size_t n, struct tq_arena *a, Tq__TracesData **out,
    struct tq_err *err)
{
	Tq__TracesData *td;
	Tq__ResourceSpans *rs;
	Tq__ScopeSpans *ss;
	struct node *nd;
	unsigned nres = 0, r, sc, svc, nsc;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		nd = g->out[i];
		if (g->slot[nd->inst] < 0) {
			g->slot[nd->inst] = (int)nres;
			g->order[nres] = nd->inst;
			memset(g->cnt[nres], 0, sizeof(g->cnt[nres]));
			memset(g->ssp[nres], 0, sizeof(g->ssp[nres]));
			nres++;
		}
		g->cnt[g->slot[nd->inst]][nd->scope]++;
	}
	if ((td = tq_arena_alloc(a, sizeof(*td))) == NULL)
		goto nomem;
	*td = td_init;
	td->resource_spans = tq_arena_alloc(a, nres *
	    sizeof(*td->resource_spans));
	if (td->resource_spans == NULL)
		goto nomem;
	td->n_resource_spans = nres;
	for (r = 0; r < nres; r++) {
		svc = g->order[r] / g->o.instances;
		if ((rs = tq_arena_alloc(a, sizeof(*rs))) == NULL)
			goto nomem;
		*rs = rs_init;
		rs->resource = g->res[g->order[r]];
		for (nsc = 0, sc = 0; sc < NSCOPE; sc++)
			nsc += g->cnt[r][sc] > 0;
		if ((rs->scope_spans = tq_arena_alloc(a, nsc *
		    sizeof(*rs->scope_spans))) == NULL)
			goto nomem;
		for (sc = 0; sc < NSCOPE; sc++) {
			if (g->cnt[r][sc] == 0)
				continue;
			if ((ss = tq_arena_alloc(a, sizeof(*ss))) == NULL)
				goto nomem;
			*ss = ss_init;
			ss->spans = tq_arena_alloc(a, g->cnt[r][sc] *
			    sizeof(*ss->spans));
			if (ss->spans == NULL)
				goto nomem;
			ss->scope = g->scopes[svc][sc];
			ss->schema_url = (char *)(sc == SC_SHOP ? SCHEMA_URL : "");
			g->ssp[r][sc] = ss;
			rs->scope_spans[rs->n_scope_spans++] = ss;
		}
		td->resource_spans[r] = rs;
	}
	for (i = 0; i < n; i++) {
		nd = g->out[i];
		ss = g->ssp[g->slot[nd->inst]][nd->scope];
		ss->spans[ss->n_spans++] = &nd->s;
	}
	*out = td;
	goto out;
nomem:
	rc = tq_err_set(err, TQ_ENOMEM, "record: out of memory");
out:
	for (r = 0; r < nres; r++)
		g->slot[g->order[r]] = -1;
	return rc;
}

int
tq_gen_next(struct tq_gen *g, struct tq_arena *a, Tq__TracesData **out,
    struct tq_err *err)
{
	struct gtrace *tr, *next;
	struct node *nd;
	size_t n = 0;
	int rc;

	if (g->broken)
		return tq_err_set(err, TQ_EINVAL, "generator failed before");
	/* The caller is done with the last record: recycle its traces. */
	for (tr = g->done_traces; tr != NULL; tr = next) {
		next = tr->next;
		tr->next = g->free_traces;
		g->free_traces = tr;
	}
	g->done_traces = NULL;
	for (;;) {
		while (n < g->o.batch && g->nheap > 0 && (g->stopped ||
		    (int64_t)g->heap[0]->s.end_time_unix_nano <= g->next_start)) {
			nd = heap_pop(g);
			g->out[n++] = nd;
			if (--nd->tr->pending == 0) {
				nd->tr->next = g->done_traces;
				g->done_traces = nd->tr;
			}
		}
		if (n == g->o.batch || g->stopped)
			break;
		if ((rc = gen_trace(g, err)) != 0)
			return rc;
	}
	if (n == 0)
		return 0;
	return build(g, n, a, out, err) == 0 ? 1 : TQ_ENOMEM;
}
