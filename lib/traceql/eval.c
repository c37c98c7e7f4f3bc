/*
 * eval.c: running a TraceQL search over a batch of whole traces (see
 * traceql.h, "Evaluation").
 *
 * Field expressions are evaluated a column at a time: every node of a
 * { } filter becomes a vector with one value per span of the batch, so a
 * condition costs one pass over the values it reads and the source is
 * asked for each field once per batch.  Spanset operations then work per
 * trace on sorted span indexes: a filter keeps the spans its vector says
 * true, structural operators compare nested-set numbers, by() splits,
 * coalesce() merges, scalar filters aggregate.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "traceql-int.h"

struct regex {
	const struct tq_ql_node	*node;		/* the =~ or !~ */
	pcre2_code		*re;
};

/* A fetched field, kept for the batch. */
struct fetched {
	struct tq_ql_field	 f;
	struct tq_ql_value	*v;
};

/* A vector: one value per span, or one value for all when scalar. */
struct vec {
	const struct tq_ql_value *v;
	bool			 scalar;
};

struct mask {
	const struct tq_ql_node	*filter;
	uint8_t			*m;
};

struct tq_ql_eval {
	const struct tq_ql_query *q;
	struct regex		*res;
	size_t			 nres;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	/* One run. */
	const struct tq_ql_batch *b;
	struct tq_arena		*a;
	struct tq_err		*err;
	int			 rc;
	struct fetched		*fetched;
	size_t			 nfetched, capfetched;
	struct mask		*masks;
	size_t			 nmasks, capmasks;
	const int32_t		*left, *right, *parent;	/* nested sets */
};

/* A growing list of spansets, in the run's arena. */
struct sets {
	struct tq_ql_set	*v;
	size_t			 n, cap;
};

/* ---- setup ---- */

static int
add_regexes(struct tq_ql_eval *e, const struct tq_ql_node *n)
{
	size_t i;
	int rc;

	if (n == NULL)
		return 0;
	if (n->kind == TQ_QL_BINARY && (n->op == TQ_QL_OP_RE ||
	    n->op == TQ_QL_OP_NRE) && n->rhs != NULL &&
	    n->rhs->kind == TQ_QL_STATIC && n->rhs->u.val.type == TQ_QL_T_STRING) {
		struct regex *r;
		PCRE2_SIZE off;
		int code;

		r = realloc(e->res, (e->nres + 1) * sizeof(*r));
		if (r == NULL)
			return tq_err_set(e->err, TQ_ENOMEM,
			    "query: out of memory");
		e->res = r;
		r = &e->res[e->nres];
		r->node = n;
		/* Tempo's regexes are fully anchored. */
		r->re = pcre2_compile((PCRE2_SPTR)n->rhs->u.val.s,
		    n->rhs->u.val.len, PCRE2_UTF | PCRE2_DOLLAR_ENDONLY |
		    PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code, &off, NULL);
		if (r->re == NULL)
			return tq_err_set(e->err, TQ_EINVAL,
			    "%d:%d: invalid regex", n->rhs->line, n->rhs->col);
		e->nres++;
		(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	}
	if ((rc = add_regexes(e, n->lhs)) != 0 ||
	    (rc = add_regexes(e, n->rhs)) != 0)
		return rc;
	for (i = 0; i < n->nitems; i++)
		if ((rc = add_regexes(e, n->items[i])) != 0)
			return rc;
	return 0;
}

int
tq_ql_eval_new(const struct tq_ql_query *q, struct tq_ql_eval **out,
    struct tq_err *err)
{
	struct tq_ql_eval *e;
	int rc;

	if (q->result != TQ_QL_RESULT_SPANSETS || q->root == NULL ||
	    q->root->kind != TQ_QL_PIPELINE)
		return tq_err_set(err, TQ_EINVAL,
		    "query: not a search (metrics queries need a range)");
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "query: out of memory");
	e->q = q;
	e->err = err;
	if ((rc = add_regexes(e, q->root)) != 0)
		goto fail;
	if (e->nres > 0 && ((e->md = pcre2_match_data_create(1, NULL)) ==
	    NULL || (e->mctx = pcre2_match_context_create(NULL)) == NULL)) {
		rc = tq_err_set(err, TQ_ENOMEM, "query: out of memory");
		goto fail;
	}
	if (e->mctx != NULL)
		pcre2_set_match_limit(e->mctx, TQ_QL_REGEX_MATCH_LIMIT);
	*out = e;
	return 0;
fail:
	tq_ql_eval_free(e);
	return rc;
}

void
tq_ql_eval_free(struct tq_ql_eval *e)
{
	size_t i;

	if (e == NULL)
		return;
	/* Without regexes, PCRE2 is never called (nor paged in). */
	if (e->nres > 0) {
		for (i = 0; i < e->nres; i++)
			pcre2_code_free(e->res[i].re);
		pcre2_match_data_free(e->md);
		pcre2_match_context_free(e->mctx);
	}
	free(e->res);
	free(e->fetched);
	free(e->masks);
	free(e);
}

/* ---- values ---- */

static void *
alloc(struct tq_ql_eval *e, size_t n, size_t size)
{
	void *p;

	if (e->rc != 0)
		return NULL;
	if ((p = tq_arena_calloc(e->a, n ? n : 1, size)) == NULL)
		e->rc = tq_err_set(e->err, TQ_ENOMEM,
		    "query: out of memory evaluating %zu spans", e->b->n_spans);
	return p;
}

static bool
is_num(int t)
{
	return t == TQ_QL_T_INT || t == TQ_QL_T_FLOAT || t == TQ_QL_T_DURATION;
}

static double
num(const struct tq_ql_value *v)
{
	return v->type == TQ_QL_T_FLOAT ? v->u.f : (double)v->u.i;
}

static struct tq_ql_value
from_static(const struct tq_ql_static *s)
{
	struct tq_ql_value v = { .type = (uint8_t)s->type };

	switch (s->type) {
	case TQ_QL_T_FLOAT: v.u.f = s->f; break;
	case TQ_QL_T_STRING: v.u.s = s->s; v.len = (uint32_t)s->len; break;
	case TQ_QL_T_BOOL: v.u.b = s->b; break;
	case TQ_QL_T_NIL: break;
	default: v.u.i = s->i; break;
	}
	return v;
}

/* cmp3 orders two values of comparable types: -1, 0, 1, or 2 if they
 * are not comparable (a type mismatch, which no comparison satisfies). */
static int
cmp3(const struct tq_ql_value *l, const struct tq_ql_value *r)
{
	if (is_num(l->type) && is_num(r->type)) {
		if (l->type != TQ_QL_T_FLOAT && r->type != TQ_QL_T_FLOAT)
			return l->u.i < r->u.i ? -1 : l->u.i > r->u.i;
		{
			double a = num(l), b = num(r);

			if (isnan(a) || isnan(b))
				return 2;
			return a < b ? -1 : a > b;
		}
	}
	if (l->type != r->type)
		return 2;
	switch (l->type) {
	case TQ_QL_T_STRING: {
		size_t n = l->len < r->len ? l->len : r->len;
		int c = n ? memcmp(l->u.s, r->u.s, n) : 0;

		if (c == 0)
			return l->len < r->len ? -1 : l->len > r->len;
		return c < 0 ? -1 : 1;
	}
	case TQ_QL_T_BOOL:
		return l->u.b == r->u.b ? 0 : 3;
	case TQ_QL_T_STATUS:
	case TQ_QL_T_KIND:
		return l->u.i == r->u.i ? 0 : 3;
	default:
		return 2;
	}
}

/* order_ok says whether c (from cmp3) satisfies op; 3 is "unequal and
 * unordered" (bools, status, kind), only for = and !=. */
static bool
order_ok(enum tq_ql_op op, int c)
{
	if (c == 2)
		return false;
	switch (op) {
	case TQ_QL_OP_EQ: return c == 0;
	case TQ_QL_OP_NEQ: return c != 0;
	case TQ_QL_OP_LT: return c == -1;
	case TQ_QL_OP_LTE: return c == -1 || c == 0;
	case TQ_QL_OP_GT: return c == 1;
	case TQ_QL_OP_GTE: return c == 1 || c == 0;
	default: return false;
	}
}

static bool
re_match(struct tq_ql_eval *e, pcre2_code *re, const struct tq_ql_value *v)
{
	int rc;

	if (v->type != TQ_QL_T_STRING)
		return false;
	rc = pcre2_match(re, (PCRE2_SPTR)(v->u.s ? v->u.s : ""), v->len, 0,
	    0, e->md, e->mctx);
	if (rc >= 0)
		return true;
	if (rc != PCRE2_ERROR_NOMATCH && e->rc == 0)
		e->rc = tq_err_set(e->err, TQ_ELIMIT,
		    "query: regex match failed (error %d: over the limit of "
		    "%u steps?)", rc, TQ_QL_REGEX_MATCH_LIMIT);
	return false;
}

/*
 * compare applies a comparison to two values.  An array matches = and
 * =~ (and the orderings) when any element does, != and !~ when no element
 * matches the positive form.  nil matches nothing.
 */
static bool
compare(struct tq_ql_eval *e, enum tq_ql_op op, pcre2_code *re,
    const struct tq_ql_value *l, const struct tq_ql_value *r)
{
	uint32_t i;

	if (l->type == TQ_QL_T_NIL || r->type == TQ_QL_T_NIL)
		return false;
	if (l->type == TQ_QL_T_ARRAY || r->type == TQ_QL_T_ARRAY) {
		const struct tq_ql_value *arr = l->type == TQ_QL_T_ARRAY ? l : r;
		enum tq_ql_op pos = op == TQ_QL_OP_NEQ ? TQ_QL_OP_EQ :
		    op == TQ_QL_OP_NRE ? TQ_QL_OP_RE : op;
		bool any = false;

		for (i = 0; i < arr->len && !any; i++)
			any = arr == l ? compare(e, pos, re, &arr->u.a[i], r) :
			    compare(e, pos, re, l, &arr->u.a[i]);
		return pos == op ? any : !any;
	}
	if (op == TQ_QL_OP_RE || op == TQ_QL_OP_NRE) {
		if (re == NULL || l->type != TQ_QL_T_STRING)
			return false;
		return re_match(e, re, l) == (op == TQ_QL_OP_RE);
	}
	return order_ok(op, cmp3(l, r));
}

static struct tq_ql_value
arith(enum tq_ql_op op, const struct tq_ql_value *l,
    const struct tq_ql_value *r)
{
	struct tq_ql_value v = { .type = TQ_QL_T_NIL };

	if (!is_num(l->type) || !is_num(r->type))
		return v;
	if (l->type == TQ_QL_T_FLOAT || r->type == TQ_QL_T_FLOAT ||
	    op == TQ_QL_OP_DIV || op == TQ_QL_OP_POW) {
		double a = num(l), b = num(r);

		v.type = TQ_QL_T_FLOAT;
		switch (op) {
		case TQ_QL_OP_ADD: v.u.f = a + b; break;
		case TQ_QL_OP_SUB: v.u.f = a - b; break;
		case TQ_QL_OP_MUL: v.u.f = a * b; break;
		case TQ_QL_OP_DIV: v.u.f = a / b; break;
		case TQ_QL_OP_MOD: v.u.f = fmod(a, b); break;
		default: v.u.f = pow(a, b); break;
		}
		/* Durations stay durations when the result is whole. */
		if ((l->type == TQ_QL_T_DURATION || r->type == TQ_QL_T_DURATION) &&
		    l->type != TQ_QL_T_FLOAT && r->type != TQ_QL_T_FLOAT &&
		    op != TQ_QL_OP_POW && isfinite(v.u.f) &&
		    v.u.f == floor(v.u.f) && fabs(v.u.f) < 9e18) {
			v.type = TQ_QL_T_DURATION;
			v.u.i = (int64_t)v.u.f;
		}
		return v;
	}
	v.type = l->type == TQ_QL_T_DURATION || r->type == TQ_QL_T_DURATION ?
	    TQ_QL_T_DURATION : TQ_QL_T_INT;
	switch (op) {
	case TQ_QL_OP_ADD:
		v.u.i = (int64_t)((uint64_t)l->u.i + (uint64_t)r->u.i);
		break;
	case TQ_QL_OP_SUB:
		v.u.i = (int64_t)((uint64_t)l->u.i - (uint64_t)r->u.i);
		break;
	case TQ_QL_OP_MUL:
		v.u.i = (int64_t)((uint64_t)l->u.i * (uint64_t)r->u.i);
		break;
	default:		/* MOD */
		if (r->u.i == 0 || (r->u.i == -1 && l->u.i == INT64_MIN))
			v.type = TQ_QL_T_NIL;
		else
			v.u.i = l->u.i % r->u.i;
		break;
	}
	return v;
}

/* ---- field expressions, a vector at a time ---- */

static void
field_of(const struct tq_ql_node *n, struct tq_ql_field *f)
{
	memset(f, 0, sizeof(*f));
	if (n->kind == TQ_QL_ATTR) {
		f->is_attr = true;
		f->scope = n->u.attr.scope;
		f->name = n->u.attr.name;
		f->len = n->u.attr.len;
	} else {
		f->intrinsic = (int)n->u.intrinsic;
	}
}

static bool
same_field(const struct tq_ql_field *a, const struct tq_ql_field *b)
{
	if (a->is_attr != b->is_attr)
		return false;
	if (!a->is_attr)
		return a->intrinsic == b->intrinsic;
	return a->scope == b->scope && a->len == b->len &&
	    a->types == b->types && memcmp(a->name, b->name, a->len) == 0;
}

/*
 * types_for gives the value types an attribute compared with static v
 * by op can match: strings only for strings and regexes, numbers for
 * numbers, bools for bools; 0 (all) otherwise.
 */
static unsigned
types_for(enum tq_ql_op op, const struct tq_ql_static *v)
{
	switch (op) {
	case TQ_QL_OP_EQ: case TQ_QL_OP_NEQ: case TQ_QL_OP_LT:
	case TQ_QL_OP_LTE: case TQ_QL_OP_GT: case TQ_QL_OP_GTE:
	case TQ_QL_OP_RE: case TQ_QL_OP_NRE:
		break;
	default:
		return 0;
	}
	switch (v->type) {
	case TQ_QL_T_STRING: return 1u << TQ_QL_T_STRING;
	case TQ_QL_T_BOOL: return 1u << TQ_QL_T_BOOL;
	case TQ_QL_T_INT: case TQ_QL_T_FLOAT: case TQ_QL_T_DURATION:
		return 1u << TQ_QL_T_INT | 1u << TQ_QL_T_FLOAT;
	default:
		return 0;
	}
}

/* fetch returns field f of every span, asking the source once a batch. */
static const struct tq_ql_value *
fetch(struct tq_ql_eval *e, const struct tq_ql_field *f)
{
	struct tq_ql_value *v;
	size_t i;
	int rc;

	for (i = 0; i < e->nfetched; i++)
		if (same_field(&e->fetched[i].f, f))
			return e->fetched[i].v;
	if (e->nfetched == e->capfetched) {
		size_t cap = e->capfetched ? 2 * e->capfetched : 16;
		struct fetched *p = realloc(e->fetched, cap * sizeof(*p));

		if (p == NULL) {
			e->rc = tq_err_set(e->err, TQ_ENOMEM,
			    "query: out of memory");
			return NULL;
		}
		e->fetched = p;
		e->capfetched = cap;
	}
	if ((v = alloc(e, e->b->n_spans, sizeof(*v))) == NULL)
		return NULL;
	if ((rc = e->b->fetch(e->b->arg, f, v, e->a, e->err)) != 0) {
		e->rc = rc;
		return NULL;
	}
	e->fetched[e->nfetched].f = *f;
	e->fetched[e->nfetched].v = v;
	e->nfetched++;
	return v;
}

const struct tq_ql_value *
tq_ql_eval_fetched(const struct tq_ql_eval *e, const struct tq_ql_field *f)
{
	size_t i;

	for (i = 0; i < e->nfetched; i++)
		if (same_field(&e->fetched[i].f, f))
			return e->fetched[i].v;
	return NULL;
}

static pcre2_code *
regex_of(struct tq_ql_eval *e, const struct tq_ql_node *n)
{
	size_t i;

	for (i = 0; i < e->nres; i++)
		if (e->res[i].node == n)
			return e->res[i].re;
	return NULL;
}

static struct vec eval_vec(struct tq_ql_eval *e, const struct tq_ql_node *n);

#define AT(x, i)	((x).scalar ? &(x).v[0] : &(x).v[i])

static struct vec
eval_vec(struct tq_ql_eval *e, const struct tq_ql_node *n)
{
	struct vec out = { NULL, false }, l, r;
	struct tq_ql_field typed;
	struct tq_ql_value *v;
	size_t i, ns = e->b->n_spans;

	switch (n->kind) {
	case TQ_QL_STATIC:
		if ((v = alloc(e, 1, sizeof(*v))) == NULL)
			return out;
		*v = from_static(&n->u.val);
		out.v = v;
		out.scalar = true;
		return out;
	case TQ_QL_ATTR:
	case TQ_QL_INTRINSIC: {
		struct tq_ql_field f;

		field_of(n, &f);
		out.v = fetch(e, &f);
		return out;
	}
	case TQ_QL_UNARY:
		l = eval_vec(e, n->lhs);
		if (l.v == NULL)
			return out;
		if ((v = alloc(e, l.scalar ? 1 : ns, sizeof(*v))) == NULL)
			return out;
		for (i = 0; i < (l.scalar ? 1 : ns); i++) {
			const struct tq_ql_value *x = &l.v[i];

			switch (n->op) {
			case TQ_QL_OP_EXISTS:
			case TQ_QL_OP_NOT_EXISTS:
				v[i].type = TQ_QL_T_BOOL;
				v[i].u.b = (x->type != TQ_QL_T_NIL) ==
				    (n->op == TQ_QL_OP_EXISTS);
				break;
			case TQ_QL_OP_NOT:
				if (x->type == TQ_QL_T_BOOL) {
					v[i].type = TQ_QL_T_BOOL;
					v[i].u.b = !x->u.b;
				}
				break;
			default:	/* NEG */
				if (x->type == TQ_QL_T_FLOAT) {
					v[i] = *x;
					v[i].u.f = -x->u.f;
				} else if (is_num(x->type)) {
					v[i] = *x;
					v[i].u.i = (int64_t)(0 - (uint64_t)x->u.i);
				}
				break;
			}
		}
		out.v = v;
		out.scalar = l.scalar;
		return out;
	case TQ_QL_BINARY:
		break;
	default:
		if (e->rc == 0)
			e->rc = tq_err_set(e->err, TQ_EINVAL,
			    "%d:%d: not a field expression", n->line, n->col);
		return out;
	}
	if (n->lhs->kind == TQ_QL_ATTR && n->rhs->kind == TQ_QL_STATIC &&
	    types_for(n->op, &n->rhs->u.val) != 0) {
		/* An attribute compared with a literal: only values of
		 * types that can match are needed. */
		field_of(n->lhs, &typed);
		typed.types = types_for(n->op, &n->rhs->u.val);
		l.v = fetch(e, &typed);
		l.scalar = false;
	} else {
		l = eval_vec(e, n->lhs);
	}
	r = eval_vec(e, n->rhs);
	if (l.v == NULL || r.v == NULL)
		return out;
	out.scalar = l.scalar && r.scalar;
	if ((v = alloc(e, out.scalar ? 1 : ns, sizeof(*v))) == NULL)
		return out;
	out.v = v;
	switch (n->op) {
	case TQ_QL_OP_AND:
	case TQ_QL_OP_OR:
		for (i = 0; i < (out.scalar ? 1 : ns); i++) {
			const struct tq_ql_value *a = AT(l, i), *b = AT(r, i);
			bool x = a->type == TQ_QL_T_BOOL && a->u.b;
			bool y = b->type == TQ_QL_T_BOOL && b->u.b;

			v[i].type = TQ_QL_T_BOOL;
			v[i].u.b = n->op == TQ_QL_OP_AND ? x && y : x || y;
		}
		return out;
	case TQ_QL_OP_EQ: case TQ_QL_OP_NEQ: case TQ_QL_OP_LT:
	case TQ_QL_OP_LTE: case TQ_QL_OP_GT: case TQ_QL_OP_GTE:
	case TQ_QL_OP_RE: case TQ_QL_OP_NRE: {
		pcre2_code *re = regex_of(e, n);

		for (i = 0; i < (out.scalar ? 1 : ns) && e->rc == 0; i++) {
			v[i].type = TQ_QL_T_BOOL;
			v[i].u.b = compare(e, n->op, re, AT(l, i), AT(r, i));
		}
		if (e->rc != 0)
			out.v = NULL;
		return out;
	}
	default:
		for (i = 0; i < (out.scalar ? 1 : ns); i++)
			v[i] = arith(n->op, AT(l, i), AT(r, i));
		return out;
	}
}

bool
tq_ql_cond_holds(const struct tq_ql_cond *c, const struct tq_ql_value *v)
{
	return compare(c->ev, (enum tq_ql_op)c->op, (pcre2_code *)c->re, v,
	    &c->lit);
}

/* always_bool says whether n's value is a bool for every span (never nil),
 * so that its negation is the complement of its mask. */
static bool
always_bool(const struct tq_ql_node *n)
{
	if (n->kind == TQ_QL_UNARY)
		return n->op == TQ_QL_OP_EXISTS || n->op == TQ_QL_OP_NOT_EXISTS ||
		    (n->op == TQ_QL_OP_NOT && always_bool(n->lhs));
	if (n->kind != TQ_QL_BINARY)
		return false;
	switch (n->op) {
	case TQ_QL_OP_AND: case TQ_QL_OP_OR:
	case TQ_QL_OP_EQ: case TQ_QL_OP_NEQ: case TQ_QL_OP_LT:
	case TQ_QL_OP_LTE: case TQ_QL_OP_GT: case TQ_QL_OP_GTE:
	case TQ_QL_OP_RE: case TQ_QL_OP_NRE:
		return true;
	default:
		return false;
	}
}

/*
 * source_test asks the source to test n, a field compared with a literal,
 * itself: 1 when it did (m filled), 0 when it cannot, -1 on error.
 */
static int
source_test(struct tq_ql_eval *e, const struct tq_ql_node *n, uint8_t *m)
{
	struct tq_ql_cond c;
	int rc;

	if (e->b->test == NULL || n->kind != TQ_QL_BINARY ||
	    (n->lhs->kind != TQ_QL_ATTR && n->lhs->kind != TQ_QL_INTRINSIC) ||
	    n->rhs->kind != TQ_QL_STATIC)
		return 0;
	switch (n->op) {
	case TQ_QL_OP_EQ: case TQ_QL_OP_NEQ: case TQ_QL_OP_LT:
	case TQ_QL_OP_LTE: case TQ_QL_OP_GT: case TQ_QL_OP_GTE:
	case TQ_QL_OP_RE: case TQ_QL_OP_NRE:
		break;
	default:
		return 0;
	}
	memset(&c, 0, sizeof(c));
	field_of(n->lhs, &c.field);
	if (n->lhs->kind == TQ_QL_ATTR)
		c.field.types = types_for(n->op, &n->rhs->u.val);
	c.op = n->op;
	c.lit = from_static(&n->rhs->u.val);
	c.ev = e;
	c.re = regex_of(e, n);
	rc = e->b->test(e->b->arg, &c, m, e->a, e->err);
	if (rc == TQ_EUNSUPPORTED)
		return 0;
	if (rc != 0) {
		e->rc = rc;
		return -1;
	}
	return e->rc != 0 ? -1 : 1;
}

/*
 * mask_of evaluates n into m, one byte per span (1: true).  Comparisons
 * of a field with a literal go to the source's test, joined by && || !
 * on bytes; anything else is evaluated as vectors.  Returns false on
 * error (e->rc).
 */
static bool
mask_of(struct tq_ql_eval *e, const struct tq_ql_node *n, uint8_t *m)
{
	size_t i, ns = e->b->n_spans;
	uint8_t *r;
	struct vec x;
	int t;

	if (n->kind == TQ_QL_BINARY &&
	    (n->op == TQ_QL_OP_AND || n->op == TQ_QL_OP_OR)) {
		if ((r = alloc(e, ns, 1)) == NULL || !mask_of(e, n->lhs, m) ||
		    !mask_of(e, n->rhs, r))
			return false;
		if (n->op == TQ_QL_OP_AND)
			for (i = 0; i < ns; i++)
				m[i] &= r[i];
		else
			for (i = 0; i < ns; i++)
				m[i] |= r[i];
		return true;
	}
	if (n->kind == TQ_QL_UNARY && n->op == TQ_QL_OP_NOT &&
	    always_bool(n->lhs)) {
		if (!mask_of(e, n->lhs, m))
			return false;
		for (i = 0; i < ns; i++)
			m[i] ^= 1;
		return true;
	}
	if ((t = source_test(e, n, m)) != 0)
		return t > 0;
	x = eval_vec(e, n);
	if (x.v == NULL)
		return false;
	for (i = 0; i < ns; i++) {
		const struct tq_ql_value *y = AT(x, i);

		m[i] = y->type == TQ_QL_T_BOOL && y->u.b;
	}
	return true;
}

/* filter_mask gives, for { expr }, which spans of the batch pass. */
static const uint8_t *
filter_mask(struct tq_ql_eval *e, const struct tq_ql_node *filter)
{
	uint8_t *m;
	size_t i;

	for (i = 0; i < e->nmasks; i++)
		if (e->masks[i].filter == filter)
			return e->masks[i].m;
	if (e->nmasks == e->capmasks) {
		size_t cap = e->capmasks ? 2 * e->capmasks : 8;
		struct mask *p = realloc(e->masks, cap * sizeof(*p));

		if (p == NULL) {
			e->rc = tq_err_set(e->err, TQ_ENOMEM,
			    "query: out of memory");
			return NULL;
		}
		e->masks = p;
		e->capmasks = cap;
	}
	if ((m = alloc(e, e->b->n_spans, 1)) == NULL)
		return NULL;
	if (filter->lhs == NULL)
		memset(m, 1, e->b->n_spans);
	else if (!mask_of(e, filter->lhs, m))
		return NULL;
	e->masks[e->nmasks].filter = filter;
	e->masks[e->nmasks].m = m;
	e->nmasks++;
	return m;
}

/* ---- spansets ---- */

static bool
sets_add(struct tq_ql_eval *e, struct sets *s, const struct tq_ql_set *x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct tq_ql_set *p;

		if (cap > TQ_QL_MAX_SETS) {
			if (e->rc == 0)
				e->rc = tq_err_set(e->err, TQ_ELIMIT,
				    "query: more than %d spansets in a trace",
				    TQ_QL_MAX_SETS);
			return false;
		}
		if ((p = alloc(e, cap, sizeof(*p))) == NULL)
			return false;
		if (s->n)
			memcpy(p, s->v, s->n * sizeof(*p));
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = *x;
	return true;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* union_of puts the spans of every set in s, sorted, once each, in *u. */
static bool
union_of(struct tq_ql_eval *e, const struct sets *s, struct tq_ql_set *u)
{
	size_t i, n = 0, k = 0;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < s->n; i++)
		n += s->v[i].n;
	if (s->n == 1) {
		*u = s->v[0];
		u->attrs = NULL;
		u->nattrs = 0;
		return true;
	}
	if ((u->spans = alloc(e, n, sizeof(uint32_t))) == NULL)
		return false;
	for (i = 0; i < s->n; i++) {
		memcpy(u->spans + k, s->v[i].spans, s->v[i].n * sizeof(uint32_t));
		k += s->v[i].n;
	}
	qsort(u->spans, n, sizeof(uint32_t), cmp_u32);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || u->spans[k - 1] != u->spans[i])
			u->spans[k++] = u->spans[i];
	u->n = k;
	return true;
}

/* ints gives the nested-set number intrinsic of every span, 0 where a
 * span has none: in place from the source, or fetched and narrowed. */
static const int32_t *
ints(struct tq_ql_eval *e, int intrinsic)
{
	struct tq_ql_field f = { 0 };
	const struct tq_ql_value *v;
	const int32_t *in;
	int32_t *out;
	size_t i;
	int rc;

	f.intrinsic = intrinsic;
	if (e->b->fetch_ints != NULL) {
		if ((rc = e->b->fetch_ints(e->b->arg, &f, &in, e->a,
		    e->err)) == 0)
			return in;
		if (rc != TQ_EUNSUPPORTED) {
			e->rc = rc;
			return NULL;
		}
	}
	if ((v = fetch(e, &f)) == NULL ||
	    (out = alloc(e, e->b->n_spans, sizeof(*out))) == NULL)
		return NULL;
	for (i = 0; i < e->b->n_spans; i++)
		if (v[i].type == TQ_QL_T_INT && v[i].u.i > 0 &&
		    v[i].u.i <= INT32_MAX)
			out[i] = (int32_t)v[i].u.i;
	return out;
}

/* nested gets the nested-set numbers operator op compares: left and
 * right for descendants and ancestors, left and parent for children and
 * parents, parent for siblings. */
static bool
nested(struct tq_ql_eval *e, enum tq_ql_op op)
{
	bool span = op != TQ_QL_OP_SIBL && op != TQ_QL_OP_NOT_SIBL &&
	    op != TQ_QL_OP_UNION_SIBL;
	bool range = op == TQ_QL_OP_DESC || op == TQ_QL_OP_NOT_DESC ||
	    op == TQ_QL_OP_UNION_DESC || op == TQ_QL_OP_ANCE ||
	    op == TQ_QL_OP_NOT_ANCE || op == TQ_QL_OP_UNION_ANCE;

	if (span && e->left == NULL &&
	    (e->left = ints(e, TQ_QL_I_NESTED_SET_LEFT)) == NULL)
		return false;
	if (range && e->right == NULL &&
	    (e->right = ints(e, TQ_QL_I_NESTED_SET_RIGHT)) == NULL)
		return false;
	if (!range && e->parent == NULL &&
	    (e->parent = ints(e, TQ_QL_I_NESTED_SET_PARENT)) == NULL)
		return false;
	return true;
}

/* related says whether span a relates to span b as op says: b is a child
 * of a (>), the parent of a (<), a descendant (>>), an ancestor (<<) or a
 * sibling (~).  Spans without nested-set numbers (0) relate to none. */
static bool
related(struct tq_ql_eval *e, enum tq_ql_op op, uint32_t a, uint32_t b)
{
	switch (op) {
	case TQ_QL_OP_CHILD: case TQ_QL_OP_NOT_CHILD: case TQ_QL_OP_UNION_CHILD:
		return e->left[a] > 0 && e->parent[b] == e->left[a];
	case TQ_QL_OP_PARENT: case TQ_QL_OP_NOT_PARENT:
	case TQ_QL_OP_UNION_PARENT:
		return e->left[b] > 0 && e->parent[a] == e->left[b];
	case TQ_QL_OP_DESC: case TQ_QL_OP_NOT_DESC: case TQ_QL_OP_UNION_DESC:
		return e->left[a] > 0 && e->left[a] < e->left[b] &&
		    e->right[b] < e->right[a];
	case TQ_QL_OP_ANCE: case TQ_QL_OP_NOT_ANCE: case TQ_QL_OP_UNION_ANCE:
		return e->left[b] > 0 && e->left[b] < e->left[a] &&
		    e->right[a] < e->right[b];
	default:		/* siblings: roots and orphans have no parent */
		return a != b && e->parent[a] > 0 &&
		    e->parent[a] == e->parent[b];
	}
}

/* structural applies a structural operator to the spans l and r. */
static bool
structural(struct tq_ql_eval *e, enum tq_ql_op op, const struct tq_ql_set *l,
    const struct tq_ql_set *r, struct tq_ql_set *out)
{
	bool negated = op == TQ_QL_OP_NOT_CHILD || op == TQ_QL_OP_NOT_PARENT ||
	    op == TQ_QL_OP_NOT_DESC || op == TQ_QL_OP_NOT_ANCE ||
	    op == TQ_QL_OP_NOT_SIBL;
	bool both = op == TQ_QL_OP_UNION_CHILD || op == TQ_QL_OP_UNION_PARENT ||
	    op == TQ_QL_OP_UNION_DESC || op == TQ_QL_OP_UNION_ANCE ||
	    op == TQ_QL_OP_UNION_SIBL;
	uint8_t *lhit = NULL;
	size_t i, j, k = 0;

	memset(out, 0, sizeof(*out));
	if (!nested(e, op))
		return false;
	if ((out->spans = alloc(e, l->n + r->n, sizeof(uint32_t))) == NULL ||
	    (both && (lhit = alloc(e, l->n, 1)) == NULL))
		return false;
	for (j = 0; j < r->n; j++) {
		bool hit = false;

		for (i = 0; i < l->n; i++)
			if (related(e, op, l->spans[i], r->spans[j])) {
				hit = true;
				if (!both)
					break;
				lhit[i] = 1;
			}
		if (hit != negated)
			out->spans[k++] = r->spans[j];
	}
	if (both) {
		for (i = 0; i < l->n; i++)
			if (lhit[i])
				out->spans[k++] = l->spans[i];
		qsort(out->spans, k, sizeof(uint32_t), cmp_u32);
		for (i = 0, j = 0; i < k; i++)
			if (j == 0 || out->spans[j - 1] != out->spans[i])
				out->spans[j++] = out->spans[i];
		k = j;
	}
	out->n = k;
	return true;
}

static bool run_stages(struct tq_ql_eval *e, struct tq_ql_node *const *st,
    size_t nst, const struct sets *in, struct sets *out);

/* operand evaluates one side of a spanset operator on the set s. */
static bool
operand(struct tq_ql_eval *e, const struct tq_ql_node *n,
    const struct tq_ql_set *s, struct tq_ql_set *u)
{
	struct sets in = { 0 }, out = { 0 };
	const struct tq_ql_node *one[1] = { n };

	if (!sets_add(e, &in, s))
		return false;
	if (n->kind == TQ_QL_PIPELINE) {
		if (!run_stages(e, n->items, n->nitems, &in, &out))
			return false;
	} else if (!run_stages(e, (struct tq_ql_node *const *)one, 1, &in,
	    &out)) {
		return false;
	}
	return union_of(e, &out, u);
}

static const char *
node_text(struct tq_ql_eval *e, const char *pre, const struct tq_ql_node *n,
    const char *post)
{
	struct tq_buf b;
	char *s = NULL;

	tq_buf_init(&b, TQ_QL_MAX_QUERY);
	if (tq_buf_append(&b, pre, strlen(pre)) == 0 &&
	    tq_ql_print_node(&b, n) == 0 &&
	    tq_buf_append(&b, post, strlen(post) + 1) == 0)
		s = tq_arena_strndup(e->a, (const char *)b.data, b.len);
	tq_buf_release(&b);
	if (s == NULL && e->rc == 0)
		e->rc = tq_err_set(e->err, TQ_ENOMEM, "query: out of memory");
	return s;
}

static bool
add_attr(struct tq_ql_eval *e, struct tq_ql_set *s, const char *key,
    const struct tq_ql_value *v)
{
	struct tq_ql_kv *kv;

	if (key == NULL || (kv = alloc(e, s->nattrs + 1, sizeof(*kv))) == NULL)
		return false;
	if (s->nattrs)
		memcpy(kv, s->attrs, s->nattrs * sizeof(*kv));
	kv[s->nattrs].key = key;
	kv[s->nattrs].val = *v;
	s->attrs = kv;
	s->nattrs++;
	return true;
}

static bool
group_by(struct tq_ql_eval *e, const struct tq_ql_node *n,
    const struct tq_ql_set *s, struct sets *out)
{
	struct vec x = eval_vec(e, n->lhs);
	const char *key = node_text(e, "by(", n->lhs, ")");
	size_t first = out->n, i, g;

	if (x.v == NULL || key == NULL)
		return false;
	for (i = 0; i < s->n; i++) {
		const struct tq_ql_value *v = AT(x, s->spans[i]);
		struct tq_ql_set *grp = NULL;

		for (g = first; g < out->n; g++) {
			const struct tq_ql_value *k = &out->v[g].attrs[
			    out->v[g].nattrs - 1].val;

			if ((k->type == TQ_QL_T_NIL && v->type == TQ_QL_T_NIL) ||
			    (k->type == v->type && cmp3(k, v) == 0)) {
				grp = &out->v[g];
				break;
			}
		}
		if (grp == NULL) {
			struct tq_ql_set ns = *s;

			ns.n = 0;
			if ((ns.spans = alloc(e, s->n, sizeof(uint32_t))) == NULL ||
			    !add_attr(e, &ns, key, v) || !sets_add(e, out, &ns))
				return false;
			grp = &out->v[out->n - 1];
		}
		grp->spans[grp->n++] = s->spans[i];
	}
	return true;
}

static bool scalar(struct tq_ql_eval *e, const struct tq_ql_node *n,
    const struct tq_ql_set *s, struct tq_ql_value *v);

static bool
aggregate(struct tq_ql_eval *e, const struct tq_ql_node *n,
    const struct tq_ql_set *s, struct tq_ql_value *v)
{
	struct vec x;
	size_t i, cnt = 0;
	double sum = 0, best = 0;
	int type = TQ_QL_T_INT;
	bool all_int = true;
	int64_t isum = 0;

	memset(v, 0, sizeof(*v));
	if (n->u.agg == TQ_QL_AGG_COUNT) {
		v->type = TQ_QL_T_INT;
		v->u.i = (int64_t)s->n;
		return true;
	}
	x = eval_vec(e, n->lhs);
	if (x.v == NULL)
		return false;
	for (i = 0; i < s->n; i++) {
		const struct tq_ql_value *y = AT(x, s->spans[i]);
		double d;

		if (!is_num(y->type))
			continue;
		d = num(y);
		if (y->type == TQ_QL_T_FLOAT)
			all_int = false;
		else
			isum += y->u.i;
		if (y->type == TQ_QL_T_DURATION)
			type = TQ_QL_T_DURATION;
		else if (y->type == TQ_QL_T_FLOAT && type != TQ_QL_T_DURATION)
			type = TQ_QL_T_FLOAT;
		if (cnt == 0 || (n->u.agg == TQ_QL_AGG_MIN && d < best) ||
		    (n->u.agg == TQ_QL_AGG_MAX && d > best))
			best = d;
		sum += d;
		cnt++;
	}
	if (cnt == 0) {
		v->type = TQ_QL_T_NIL;
		return true;
	}
	switch (n->u.agg) {
	case TQ_QL_AGG_SUM:
		if (all_int) {
			v->type = (uint8_t)type;
			v->u.i = isum;
		} else {
			v->type = TQ_QL_T_FLOAT;
			v->u.f = sum;
		}
		return true;
	case TQ_QL_AGG_AVG:
		sum /= (double)cnt;
		if (type == TQ_QL_T_DURATION && all_int) {
			v->type = TQ_QL_T_DURATION;
			v->u.i = (int64_t)sum;
		} else {
			v->type = TQ_QL_T_FLOAT;
			v->u.f = sum;
		}
		return true;
	default:
		if (all_int) {
			v->type = (uint8_t)type;
			v->u.i = (int64_t)best;
		} else {
			v->type = TQ_QL_T_FLOAT;
			v->u.f = best;
		}
		return true;
	}
}

/* scalar evaluates a scalar expression (aggregates, numbers, arithmetic
 * and wrapped pipelines ending in an aggregate) over the spans of s. */
static bool
scalar(struct tq_ql_eval *e, const struct tq_ql_node *n,
    const struct tq_ql_set *s, struct tq_ql_value *v)
{
	struct tq_ql_value l, r;

	switch (n->kind) {
	case TQ_QL_STATIC:
		*v = from_static(&n->u.val);
		return true;
	case TQ_QL_AGGREGATE:
		return aggregate(e, n, s, v);
	case TQ_QL_SCALAR_OP:
	case TQ_QL_BINARY:
		if (!scalar(e, n->lhs, s, &l) || !scalar(e, n->rhs, s, &r))
			return false;
		*v = arith(n->op, &l, &r);
		return true;
	case TQ_QL_PIPELINE: {
		struct sets in = { 0 }, out = { 0 };
		struct tq_ql_set u;
		size_t k = n->nitems - 1;

		if (n->nitems == 0 || n->items[k]->kind != TQ_QL_AGGREGATE)
			break;
		if (!sets_add(e, &in, s) ||
		    !run_stages(e, n->items, k, &in, &out) ||
		    !union_of(e, &out, &u))
			return false;
		return aggregate(e, n->items[k], &u, v);
	}
	default:
		break;
	}
	if (e->rc == 0)
		e->rc = tq_err_set(e->err, TQ_EINVAL,
		    "%d:%d: not a scalar expression", n->line, n->col);
	return false;
}

/* show_aggregates adds the value of every aggregate of a scalar
 * expression to s's attributes, keyed by its text ("count()"). */
static bool
show_aggregates(struct tq_ql_eval *e, const struct tq_ql_node *n,
    struct tq_ql_set *s, const struct tq_ql_set *over)
{
	struct tq_ql_value v;

	if (n->kind == TQ_QL_AGGREGATE)
		return aggregate(e, n, over, &v) &&
		    add_attr(e, s, node_text(e, "", n, ""), &v);
	if (n->kind == TQ_QL_SCALAR_OP || n->kind == TQ_QL_BINARY)
		return show_aggregates(e, n->lhs, s, over) &&
		    show_aggregates(e, n->rhs, s, over);
	return true;
}

static bool
stage(struct tq_ql_eval *e, const struct tq_ql_node *st, const struct sets *in,
    struct sets *out)
{
	size_t i, j;

	switch (st->kind) {
	case TQ_QL_FILTER: {
		const uint8_t *m = filter_mask(e, st);

		if (m == NULL)
			return false;
		for (i = 0; i < in->n; i++) {
			struct tq_ql_set s = in->v[i];
			size_t k = 0;

			if ((s.spans = alloc(e, s.n, sizeof(uint32_t))) == NULL)
				return false;
			for (j = 0; j < in->v[i].n; j++)
				if (m[in->v[i].spans[j]])
					s.spans[k++] = in->v[i].spans[j];
			s.n = k;
			if (k > 0 && !sets_add(e, out, &s))
				return false;
		}
		return true;
	}
	case TQ_QL_SPANSET_OP:
		for (i = 0; i < in->n; i++) {
			struct tq_ql_set l, r, res;
			struct sets both = { 0 };

			if (!operand(e, st->lhs, &in->v[i], &l) ||
			    !operand(e, st->rhs, &in->v[i], &r))
				return false;
			if (st->op == TQ_QL_OP_SS_AND || st->op == TQ_QL_OP_SS_OR) {
				if (st->op == TQ_QL_OP_SS_AND ?
				    l.n == 0 || r.n == 0 : l.n == 0 && r.n == 0)
					continue;
				if (!sets_add(e, &both, &l) ||
				    !sets_add(e, &both, &r) ||
				    !union_of(e, &both, &res))
					return false;
			} else if (!structural(e, st->op, &l, &r, &res)) {
				return false;
			}
			res.attrs = in->v[i].attrs;
			res.nattrs = in->v[i].nattrs;
			if (res.n > 0 && !sets_add(e, out, &res))
				return false;
		}
		return true;
	case TQ_QL_PIPELINE:
		return run_stages(e, st->items, st->nitems, in, out);
	case TQ_QL_GROUP:
		for (i = 0; i < in->n; i++)
			if (!group_by(e, st, &in->v[i], out))
				return false;
		return true;
	case TQ_QL_COALESCE: {
		struct tq_ql_set u;

		if (in->n == 0)
			return true;
		return union_of(e, in, &u) && sets_add(e, out, &u);
	}
	case TQ_QL_SELECT:
		for (i = 0; i < in->n; i++)
			if (!sets_add(e, out, &in->v[i]))
				return false;
		return true;
	case TQ_QL_SCALAR_FILTER:
		for (i = 0; i < in->n; i++) {
			struct tq_ql_value l, r;
			struct tq_ql_set s = in->v[i];

			if (!scalar(e, st->lhs, &s, &l) ||
			    !scalar(e, st->rhs, &s, &r))
				return false;
			if (!compare(e, st->op, NULL, &l, &r))
				continue;
			if (!show_aggregates(e, st->lhs, &s, &in->v[i]) ||
			    !show_aggregates(e, st->rhs, &s, &in->v[i]) ||
			    !sets_add(e, out, &s))
				return false;
		}
		return true;
	default:
		if (e->rc == 0)
			e->rc = tq_err_set(e->err, TQ_EINVAL,
			    "%d:%d: not a search stage", st->line, st->col);
		return false;
	}
}

static bool
run_stages(struct tq_ql_eval *e, struct tq_ql_node *const *st, size_t nst,
    const struct sets *in, struct sets *out)
{
	struct sets cur = *in, next;
	size_t k;

	for (k = 0; k < nst; k++) {
		memset(&next, 0, sizeof(next));
		if (!stage(e, st[k], &cur, &next))
			return false;
		cur = next;
		if (cur.n == 0)
			break;
	}
	*out = cur;
	return true;
}

/* passing makes m's one spanset: those of the n spans from span first
 * on that the mask passes (at least one does). */
static bool
passing(struct tq_ql_eval *e, const uint8_t *mask, uint32_t first, size_t n,
    struct tq_ql_match *m)
{
	struct tq_ql_set *s;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += mask[first + i];
	/* One slot more: the loop below stores before it counts. */
	if ((s = alloc(e, 1, sizeof(*s))) == NULL ||
	    (s->spans = alloc(e, k + 1, sizeof(uint32_t))) == NULL)
		return false;
	for (i = 0; i < n; i++) {
		s->spans[s->n] = first + (uint32_t)i;
		s->n += mask[first + i];
	}
	m->sets = s;
	m->n = 1;
	return true;
}

/*
 * A pipeline that starts with an operator on two filters, { a } op { b },
 * finds nothing in a trace where a side the operator needs passes no
 * span: both for &&, the structural operators and their union forms, b
 * for the negated ones, either for ||.  pair_masks gives the sides'
 * masks (NULL: not such a pipeline) and whether both are needed.
 */
static bool
pair_masks(struct tq_ql_eval *e, const uint8_t **l, const uint8_t **r,
    bool *need_l)
{
	const struct tq_ql_node *op = e->q->root->nitems > 0 ?
	    e->q->root->items[0] : NULL;

	*l = *r = NULL;
	if (op == NULL || op->kind != TQ_QL_SPANSET_OP ||
	    op->lhs->kind != TQ_QL_FILTER || op->rhs->kind != TQ_QL_FILTER)
		return true;
	switch (op->op) {
	case TQ_QL_OP_SS_OR:
		return true;
	case TQ_QL_OP_NOT_CHILD: case TQ_QL_OP_NOT_PARENT:
	case TQ_QL_OP_NOT_DESC: case TQ_QL_OP_NOT_ANCE:
	case TQ_QL_OP_NOT_SIBL:
		*need_l = false;
		break;
	default:
		*need_l = true;
		break;
	}
	if ((*need_l && (*l = filter_mask(e, op->lhs)) == NULL) ||
	    (*r = filter_mask(e, op->rhs)) == NULL)
		return false;
	return true;
}

/*
 * pair_match applies structural operator op to the spans of the n from f
 * that lmask and rmask mark: m gets the one spanset, or none when it is
 * empty.
 */
static bool
pair_match(struct tq_ql_eval *e, enum tq_ql_op op, const uint8_t *lmask,
    const uint8_t *rmask, uint32_t f, uint32_t n, struct tq_ql_match *m)
{
	struct tq_ql_set l = { 0 }, r = { 0 }, *res;
	uint32_t i;

	m->n = 0;
	if ((l.spans = alloc(e, n, sizeof(uint32_t))) == NULL ||
	    (r.spans = alloc(e, n, sizeof(uint32_t))) == NULL ||
	    (res = alloc(e, 1, sizeof(*res))) == NULL)
		return false;
	for (i = f; i < f + n; i++) {
		l.spans[l.n] = i;
		l.n += lmask[i] != 0;
		r.spans[r.n] = i;
		r.n += rmask[i] != 0;
	}
	if (!structural(e, op, &l, &r, res))
		return false;
	if (res->n > 0) {
		m->sets = res;
		m->n = 1;
	}
	return true;
}

/* any_set says whether any of the n truth bytes at f is set: a trace's
 * few spans, eight at a time (the last eight overlapping), without a call
 * per trace. */
static inline bool
any_set(const uint8_t *f, size_t n)
{
	uint64_t w;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (f[i])
				return true;
		return false;
	}
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, f + i, 8);
		if (w != 0)
			return true;
	}
	memcpy(&w, f + n - 8, 8);
	return w != 0;
}

int
tq_ql_eval_run(struct tq_ql_eval *e, const struct tq_ql_batch *b,
    struct tq_arena *a, struct tq_ql_match **out, size_t *n,
    struct tq_err *err)
{
	struct tq_ql_match *m = NULL;
	const uint8_t *first = NULL, *lmask = NULL, *rmask = NULL;
	const struct tq_ql_node *pair = NULL;
	uint8_t *live;
	size_t t, nm = 0;
	bool lone, need_l = false;

	e->b = b;
	e->a = a;
	e->err = err;
	e->rc = 0;
	e->nfetched = 0;
	e->nmasks = 0;
	e->left = e->right = e->parent = NULL;
	*out = NULL;
	*n = 0;
	if (b->n_traces == 0)
		return 0;
	if ((m = alloc(e, b->n_traces, sizeof(*m))) == NULL)
		return e->rc;
	/* A pipeline that starts with a filter finds nothing in a trace
	 * none of whose spans passes it: most traces, most of the time. */
	if (e->q->root->nitems > 0 && e->q->root->items[0]->kind == TQ_QL_FILTER &&
	    (first = filter_mask(e, e->q->root->items[0])) == NULL)
		return e->rc;
	lone = first != NULL && e->q->root->nitems == 1;
	if (!pair_masks(e, &lmask, &rmask, &need_l) ||
	    (live = alloc(e, b->n_traces, 1)) == NULL)
		return e->rc;
	/* The traces that may match: a span passes the first filter and
	 * both sides of a structural operator have spans. */
	for (t = 0; t < b->n_traces; t++) {
		uint32_t f = b->trace_first[t], k = b->trace_first[t + 1] - f;

		live[t] = k > 0 && (first == NULL || any_set(first + f, k)) &&
		    (rmask == NULL || any_set(rmask + f, k)) &&
		    (!need_l || any_set(lmask + f, k));
	}
	/* What the operator reads next, the source need only give for
	 * those. */
	if (rmask != NULL && b->only != NULL)
		b->only(b->arg, live);
	/* The query is one structural operator between two filters: its
	 * operands are the spans the masks mark. */
	if (lmask != NULL && rmask != NULL && e->q->root->nitems == 1 &&
	    e->q->root->items[0]->op != TQ_QL_OP_SS_AND)
		pair = e->q->root->items[0];
	for (t = 0; t < b->n_traces && e->rc == 0; t++) {
		struct sets in = { 0 }, res = { 0 };
		struct tq_ql_set all = { 0 };
		uint32_t i, f = b->trace_first[t];

		all.n = b->trace_first[t + 1] - f;
		if (!live[t])
			continue;
		if (lone) {
			/* A lone filter: its one spanset is the spans it
			 * passes. */
			if (!b->traces_only && !passing(e, first,
			    b->trace_first[t], all.n, &m[nm]))
				break;
			m[nm++].trace = (uint32_t)t;
			continue;
		}
		if (pair != NULL) {
			if (!pair_match(e, pair->op, lmask, rmask, f, all.n,
			    &m[nm]))
				break;
			if (m[nm].n > 0)
				m[nm++].trace = (uint32_t)t;
			continue;
		}
		if ((all.spans = alloc(e, all.n, sizeof(uint32_t))) == NULL)
			break;
		for (i = 0; i < all.n; i++)
			all.spans[i] = b->trace_first[t] + i;
		if (!sets_add(e, &in, &all) ||
		    !run_stages(e, e->q->root->items, e->q->root->nitems, &in,
		    &res))
			break;
		if (res.n > 0) {
			m[nm].trace = (uint32_t)t;
			m[nm].sets = res.v;
			m[nm].n = res.n;
			nm++;
		}
	}
	if (rmask != NULL && b->only != NULL)
		b->only(b->arg, NULL);
	if (e->rc != 0)
		return e->rc;
	*out = m;
	*n = nm;
	return 0;
}

/* ---- what a query reads ---- */

static bool
shown(const struct tq_ql_node *n)
{
	if (n->kind == TQ_QL_ATTR)
		return true;
	switch (n->u.intrinsic) {
	case TQ_QL_I_STATUS: case TQ_QL_I_STATUS_MESSAGE: case TQ_QL_I_KIND:
	case TQ_QL_I_CHILD_COUNT: case TQ_QL_I_PARENT_ID:
	case TQ_QL_I_EVENT_NAME: case TQ_QL_I_EVENT_TIME_SINCE_START:
	case TQ_QL_I_LINK_TRACE_ID: case TQ_QL_I_LINK_SPAN_ID:
	case TQ_QL_I_INSTR_NAME: case TQ_QL_I_INSTR_VERSION:
		return true;
	default:
		return false;
	}
}

struct collect {
	struct tq_arena		*a;
	struct tq_ql_field	*fields;
	const char		**keys;
	size_t			 n, max;
};

static void collect_fields_all(struct collect *, const struct tq_ql_node *,
    bool);

/*
 * collect_fields gathers the fields results show.  types is what the
 * node's own field may be shown as: an attribute compared with a literal
 * (not under a negation) can only have matched with values of the types
 * the comparison reads, so only those are fetched for it; anywhere else,
 * every type.
 */
static void
collect_fields(struct collect *c, const struct tq_ql_node *n, bool inside,
    unsigned types)
{
	size_t i, j;

	if (n == NULL)
		return;
	if (inside && (n->kind == TQ_QL_ATTR || n->kind == TQ_QL_INTRINSIC) &&
	    shown(n) && c->n < c->max) {
		struct tq_ql_field f;
		const char *key;

		field_of(n, &f);
		if (f.is_attr)
			f.types = types;
		for (j = 0; j < c->n; j++) {
			struct tq_ql_field *g = &c->fields[j];
			unsigned t = g->types;

			g->types = f.types;
			if (same_field(g, &f)) {
				g->types = t == 0 || f.types == 0 ? 0 :
				    t | f.types;
				return;
			}
			g->types = t;
		}
		if (f.is_attr)
			key = tq_arena_strndup(c->a, f.name, f.len);
		else
			key = tq_ql_intrinsic_name(n->u.intrinsic);
		if (key == NULL)
			return;
		c->fields[c->n] = f;
		c->keys[c->n] = key;
		c->n++;
		return;
	}
	if (n->kind == TQ_QL_FILTER || n->kind == TQ_QL_SELECT)
		inside = true;
	if (n->kind == TQ_QL_GROUP || n->kind == TQ_QL_AGGREGATE)
		return;
	if (n->kind == TQ_QL_UNARY && n->op == TQ_QL_OP_NOT) {
		collect_fields_all(c, n->lhs, inside);
		return;
	}
	if (n->kind == TQ_QL_BINARY && n->lhs != NULL && n->rhs != NULL &&
	    n->lhs->kind == TQ_QL_ATTR && n->rhs->kind == TQ_QL_STATIC &&
	    types_for(n->op, &n->rhs->u.val) != 0) {
		collect_fields(c, n->lhs, inside, types_for(n->op,
		    &n->rhs->u.val));
		return;
	}
	collect_fields(c, n->lhs, inside, 0);
	collect_fields(c, n->rhs, inside, 0);
	for (i = 0; i < n->nitems; i++)
		collect_fields(c, n->items[i], inside, 0);
}

/* collect_fields_all gathers fields under a negation: every type. */
static void
collect_fields_all(struct collect *c, const struct tq_ql_node *n, bool inside)
{
	size_t i;

	if (n == NULL)
		return;
	if (n->kind == TQ_QL_ATTR || n->kind == TQ_QL_INTRINSIC) {
		collect_fields(c, n, inside, 0);
		return;
	}
	if (n->kind == TQ_QL_GROUP || n->kind == TQ_QL_AGGREGATE)
		return;
	collect_fields_all(c, n->lhs, inside);
	collect_fields_all(c, n->rhs, inside);
	for (i = 0; i < n->nitems; i++)
		collect_fields_all(c, n->items[i], inside);
}

size_t
tq_ql_shown_fields(const struct tq_ql_query *q, struct tq_arena *a,
    struct tq_ql_field *fields, const char **keys, size_t max)
{
	struct collect c = { a, fields, keys, 0, max };

	collect_fields(&c, q->root, false, 0);
	return c.n;
}

/* needs_of adds the conditions every span that expression x is true for
 * meets: the comparisons of a field with a literal under its &&s. */
static void
needs_of(const struct tq_ql_node *x, struct tq_ql_need *needs, size_t *n,
    size_t max)
{
	const struct tq_ql_node *f, *v;
	enum tq_ql_op op;

	if (x == NULL || *n == max)
		return;
	if (x->kind == TQ_QL_BINARY && x->op == TQ_QL_OP_AND) {
		needs_of(x->lhs, needs, n, max);
		needs_of(x->rhs, needs, n, max);
		return;
	}
	if (x->kind != TQ_QL_BINARY)
		return;
	op = x->op;
	if (op != TQ_QL_OP_EQ && op != TQ_QL_OP_LT && op != TQ_QL_OP_LTE &&
	    op != TQ_QL_OP_GT && op != TQ_QL_OP_GTE)
		return;
	f = x->lhs;
	v = x->rhs;
	if (f->kind == TQ_QL_STATIC) {
		f = x->rhs;
		v = x->lhs;
		op = op == TQ_QL_OP_LT ? TQ_QL_OP_GT : op == TQ_QL_OP_LTE ?
		    TQ_QL_OP_GTE : op == TQ_QL_OP_GT ? TQ_QL_OP_LT :
		    op == TQ_QL_OP_GTE ? TQ_QL_OP_LTE : op;
	}
	if (v->kind != TQ_QL_STATIC || (f->kind != TQ_QL_ATTR &&
	    f->kind != TQ_QL_INTRINSIC) || (f->kind == TQ_QL_ATTR &&
	    f->u.attr.parent))
		return;
	field_of(f, &needs[*n].field);
	needs[*n].op = op;
	needs[*n].val = v->u.val;
	(*n)++;
}

static void
needs_walk(const struct tq_ql_node *n, struct tq_ql_need *needs, size_t *k,
    size_t max)
{
	size_t i;

	switch (n->kind) {
	case TQ_QL_FILTER:
		needs_of(n->lhs, needs, k, max);
		return;
	case TQ_QL_PIPELINE:
		for (i = 0; i < n->nitems; i++)
			needs_walk(n->items[i], needs, k, max);
		return;
	case TQ_QL_SPANSET_OP:
		switch (n->op) {
		case TQ_QL_OP_SS_OR:
			return;
		case TQ_QL_OP_NOT_CHILD: case TQ_QL_OP_NOT_PARENT:
		case TQ_QL_OP_NOT_DESC: case TQ_QL_OP_NOT_ANCE:
		case TQ_QL_OP_NOT_SIBL:
			needs_walk(n->rhs, needs, k, max);
			return;
		default:
			needs_walk(n->lhs, needs, k, max);
			needs_walk(n->rhs, needs, k, max);
			return;
		}
	default:
		return;
	}
}

size_t
tq_ql_needs(const struct tq_ql_query *q, struct tq_ql_need *needs, size_t max)
{
	size_t n = 0;

	if (q->result == TQ_QL_RESULT_SPANSETS && q->root != NULL)
		needs_walk(q->root, needs, &n, max);
	return n;
}
