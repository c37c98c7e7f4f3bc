/*
 * parser.c: TraceQL's grammar (Tempo's expr.y) by recursive descent and
 * precedence climbing.
 *
 * Two expression parsers share the precedence table of expr.y (lowest
 * first: |, && ||, comparisons and structural operators, + -, !, * / %,
 * ^ right-associative, unary minus): one for field expressions (inside
 * { }, by(), aggregates) and one for the query level, where operands are
 * spansets, wrapped pipelines, aggregates, numbers and metrics
 * pipelines.  At the query level each result carries a category, and
 * each operator checks the categories of its operands against the
 * grammar, so what expr.y rejects is a parse error here too, reported
 * at the operator.
 *
 * Recursion is bounded: parentheses, braces, unary operators and ^
 * chains count against TQ_QL_MAX_DEPTH, tree height against
 * TQ_QL_MAX_HEIGHT, so a hostile query gets "nesting too deep".
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "traceql-int.h"

struct parser {
	const char	*text;
	struct token	*t;
	size_t		 n, pos;
	struct tq_arena	*a;
	struct tq_err	*err;
	int		 depth;
};

/* What a query-level expression is, in the terms of expr.y. */
enum cat {
	C_STATIC,	/* a number or duration (folded) */
	C_SCALAR,	/* scalarExpression with an aggregate */
	C_SS,		/* spansetExpression */
	C_SPE,		/* spansetPipelineExpression (wrapped pipelines) */
	C_PIPE,		/* spansetPipeline, not wrapped */
	C_SFILTER,	/* scalarFilter */
	C_STAGE,	/* by() or select() */
	C_COALESCE,	/* coalesce() */
	C_SPIPE_RAW,	/* spansetPipeline | aggregate, before its ')' */
	C_SPIPE,	/* scalarPipelineExpression */
	C_SPFILTER,	/* scalarPipelineExpressionFilter */
	C_MPIPE,	/* spansetPipeline | metricsAggregation [stages] */
	C_METRICS,	/* metricsExpression */
	C_MSTAGED,	/* metricsExpression metricsSecondStagePipeline */
};

struct res {
	struct tq_ql_node	*n;
	enum cat		 c;
	bool			 wrapped;	/* C_SS: every operand in ( );
						 * C_MSTAGED: the stages end a
						 * metrics pipeline, so it may
						 * be wrapped */
};

static const char *const cat_names[] = {
	"a number", "a scalar expression", "a spanset", "a wrapped pipeline",
	"a pipeline", "a scalar filter", "a pipeline stage", "coalesce()",
	"an aggregate pipeline", "a wrapped aggregate pipeline",
	"a comparison of wrapped pipelines", "a metrics pipeline",
	"a metrics expression", "a metrics expression with second stages",
};

static const char *const metric_names[] = {
	"rate", "count_over_time", "min_over_time", "max_over_time",
	"avg_over_time", "sum_over_time", "quantile_over_time",
	"histogram_over_time", "compare",
};

static const char *const agg_names[] = { "count", "avg", "max", "min", "sum" };

/* Unscoped intrinsic words. */
static const struct {
	const char		*word;
	enum tq_ql_intrinsic	 i;
} intrinsic_words[] = {
	{ "duration", TQ_QL_I_DURATION }, { "name", TQ_QL_I_NAME },
	{ "status", TQ_QL_I_STATUS },
	{ "statusMessage", TQ_QL_I_STATUS_MESSAGE },
	{ "kind", TQ_QL_I_KIND }, { "childCount", TQ_QL_I_CHILD_COUNT },
	{ "traceDuration", TQ_QL_I_TRACE_DURATION },
	{ "rootName", TQ_QL_I_ROOT_NAME },
	{ "rootServiceName", TQ_QL_I_ROOT_SERVICE },
	{ "nestedSetLeft", TQ_QL_I_NESTED_SET_LEFT },
	{ "nestedSetRight", TQ_QL_I_NESTED_SET_RIGHT },
	{ "nestedSetParent", TQ_QL_I_NESTED_SET_PARENT },
	{ "parent", TQ_QL_I_PARENT },
};

static int parse_pipe(struct parser *p, struct res *out);
static int parse_field(struct parser *p, int minprec, struct tq_ql_node **out);

static struct token *
cur(struct parser *p)
{
	return &p->t[p->pos];
}

static struct token *
peek(struct parser *p, size_t k)
{
	return p->pos + k < p->n ? &p->t[p->pos + k] : &p->t[p->n - 1];
}

static bool
is_word(const struct token *t, const char *w)
{
	return t->type == T_IDENT && strcmp(t->s, w) == 0;
}

/* describe writes a token as messages show it. */
static void
describe(const struct token *t, char *buf, size_t n)
{
	switch (t->type) {
	case T_IDENT:
		snprintf(buf, n, "\"%.60s\"", t->s);
		break;
	case T_ATTR:
		snprintf(buf, n, "attribute \"%.60s\"", t->s);
		break;
	case T_EOF: case T_INT: case T_FLOAT: case T_DURATION: case T_STRING:
	case T_SCOPED_INTRINSIC:
		snprintf(buf, n, "%s", tq_ql_tok_text(t->type));
		break;
	default:
		snprintf(buf, n, "\"%s\"", tq_ql_tok_text(t->type));
	}
}

static int	perr(struct parser *, const struct token *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, const struct token *t, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tq_err_set(p->err, TQ_ESYNTAX, "%d:%d: syntax error: %s",
	    t->line, t->col, msg);
}

/* unexpected reports the current token, and what was expected if known. */
static int
unexpected(struct parser *p, const char *expecting)
{
	char d[100];

	describe(cur(p), d, sizeof(d));
	if (expecting != NULL)
		return perr(p, cur(p), "unexpected %s, expecting %s", d, expecting);
	return perr(p, cur(p), "unexpected %s", d);
}

static int
expect(struct parser *p, enum tok type, const char *what)
{
	if (cur(p)->type != type)
		return unexpected(p, what);
	p->pos++;
	return 0;
}

static int
enter(struct parser *p, const struct token *t)
{
	if (++p->depth > TQ_QL_MAX_DEPTH)
		return perr(p, t, "nesting too deep (more than %d levels)",
		    TQ_QL_MAX_DEPTH);
	return 0;
}

static int
oom(struct parser *p)
{
	return tq_err_set(p->err, TQ_ENOMEM, "query: out of memory");
}

static struct tq_ql_node *
mknode(struct parser *p, enum tq_ql_kind kind, const struct token *t)
{
	struct tq_ql_node *n;

	if ((n = tq_arena_calloc(p->a, 1, sizeof(*n))) == NULL)
		return NULL;
	n->kind = kind;
	n->line = t->line;
	n->col = t->col;
	n->height = 1;
	return n;
}

/* height recomputes n's height from its children; checks the limit. */
static int
height(struct parser *p, struct tq_ql_node *n, const struct token *t)
{
	int h = 0;
	size_t i;

	if (n->lhs != NULL && n->lhs->height > h)
		h = n->lhs->height;
	if (n->rhs != NULL && n->rhs->height > h)
		h = n->rhs->height;
	for (i = 0; i < n->nitems; i++)
		if (n->items[i]->height > h)
			h = n->items[i]->height;
	if (n->kind == TQ_QL_METRICS && n->u.metrics.filter != NULL &&
	    n->u.metrics.filter->height > h)
		h = n->u.metrics.filter->height;
	n->height = h + 1;
	if (n->height > TQ_QL_MAX_HEIGHT)
		return perr(p, t, "nesting too deep (expression more than %d levels high)",
		    TQ_QL_MAX_HEIGHT);
	return 0;
}

/* push appends x to n's items, growing the array in the arena. */
static int
push(struct parser *p, struct tq_ql_node *n, struct tq_ql_node *x)
{
	/* Capacity is the next power of two from 4: grow when full. */
	if (n->nitems == 0 || (n->nitems >= 4 && (n->nitems & (n->nitems - 1)) == 0)) {
		struct tq_ql_node **ni;
		size_t cap = n->nitems < 4 ? 4 : n->nitems * 2;

		if ((ni = tq_arena_alloc(p->a, cap * sizeof(*ni))) == NULL)
			return oom(p);
		if (n->nitems > 0)
			memcpy(ni, n->items, n->nitems * sizeof(*ni));
		n->items = ni;
	}
	n->items[n->nitems++] = x;
	return 0;
}

static struct tq_ql_node *
mkstatic(struct parser *p, const struct token *t, enum tq_ql_type type)
{
	struct tq_ql_node *n = mknode(p, TQ_QL_STATIC, t);

	if (n != NULL)
		n->u.val.type = type;
	return n;
}

static bool
is_numeric(enum tq_ql_type t)
{
	return t == TQ_QL_T_INT || t == TQ_QL_T_FLOAT || t == TQ_QL_T_DURATION;
}

static double
as_float(const struct tq_ql_static *v)
{
	return v->type == TQ_QL_T_FLOAT ? v->f : (double)v->i;
}

/*
 * fold computes a op b for numeric literals as Tempo does: a duration
 * operand makes a duration, else a float makes a float, else integers
 * (wrapping, division truncating).  Returns false when the result is not
 * a finite number (division by zero, overflow to infinity), and the
 * operation is then left to run time.
 */
static bool
fold(enum tq_ql_op op, const struct tq_ql_static *a,
    const struct tq_ql_static *b, struct tq_ql_static *r)
{
	bool isint = a->type != TQ_QL_T_FLOAT && b->type != TQ_QL_T_FLOAT;
	double x = as_float(a), y = as_float(b), z;

	memset(r, 0, sizeof(*r));
	r->type = a->type == TQ_QL_T_DURATION || b->type == TQ_QL_T_DURATION ?
	    TQ_QL_T_DURATION : isint ? TQ_QL_T_INT : TQ_QL_T_FLOAT;
	if (isint) {
		uint64_t ua = (uint64_t)a->i, ub = (uint64_t)b->i, acc = 1;
		int64_t e;

		switch (op) {
		case TQ_QL_OP_ADD: r->i = (int64_t)(ua + ub); break;
		case TQ_QL_OP_SUB: r->i = (int64_t)(ua - ub); break;
		case TQ_QL_OP_MUL: r->i = (int64_t)(ua * ub); break;
		case TQ_QL_OP_DIV:
		case TQ_QL_OP_MOD:
			if (b->i == 0)
				return false;
			if (a->i == INT64_MIN && b->i == -1)
				r->i = op == TQ_QL_OP_DIV ? INT64_MIN : 0;
			else
				r->i = op == TQ_QL_OP_DIV ? a->i / b->i : a->i % b->i;
			break;
		case TQ_QL_OP_POW:
			if (b->i < 0)
				return false;
			for (e = b->i; e > 0; e >>= 1) {
				if (e & 1)
					acc *= ua;
				ua *= ua;
			}
			r->i = (int64_t)acc;
			break;
		default:
			return false;
		}
		/*
		 * The one duration with no literal spelling (-2^63 ns, whose
		 * magnitude overflows) stays unfolded, so printing never
		 * needs more than a literal.
		 */
		return !(r->type == TQ_QL_T_DURATION && r->i == INT64_MIN);
	}
	switch (op) {
	case TQ_QL_OP_ADD: z = x + y; break;
	case TQ_QL_OP_SUB: z = x - y; break;
	case TQ_QL_OP_MUL: z = x * y; break;
	case TQ_QL_OP_DIV: if (y == 0) return false; z = x / y; break;
	case TQ_QL_OP_MOD: if (y == 0) return false; z = fmod(x, y); break;
	case TQ_QL_OP_POW: z = pow(x, y); break;
	default: return false;
	}
	if (!isfinite(z))
		return false;
	if (r->type == TQ_QL_T_DURATION) {
		if (z >= 9.2e18 || z <= -9.2e18)
			return false;
		r->i = (int64_t)z;
		return true;
	} else {
		r->f = z;
	}
	return true;
}

static bool
is_nil(const struct tq_ql_node *n)
{
	return n->kind == TQ_QL_STATIC && n->u.val.type == TQ_QL_T_NIL;
}

static bool
is_num_static(const struct tq_ql_node *n)
{
	return n->kind == TQ_QL_STATIC && is_numeric(n->u.val.type);
}

/* field_binary builds l op r, rewriting nil tests and folding literals. */
static int
field_binary(struct parser *p, const struct token *t, enum tq_ql_op op,
    struct tq_ql_node *l, struct tq_ql_node *r, struct tq_ql_node **out)
{
	struct tq_ql_node *n;
	struct tq_ql_static v;

	if ((op == TQ_QL_OP_EQ || op == TQ_QL_OP_NEQ) && (is_nil(l) || is_nil(r))) {
		if (is_nil(l) && is_nil(r)) {
			/* nil = nil and nil != nil are both false. */
			if ((n = mkstatic(p, t, TQ_QL_T_BOOL)) == NULL)
				return oom(p);
			n->line = l->line;
			n->col = l->col;
			*out = n;
			return 0;
		}
		if ((n = mknode(p, TQ_QL_UNARY, t)) == NULL)
			return oom(p);
		n->op = op == TQ_QL_OP_EQ ? TQ_QL_OP_NOT_EXISTS : TQ_QL_OP_EXISTS;
		n->lhs = is_nil(l) ? r : l;
	} else if (op >= TQ_QL_OP_ADD && op <= TQ_QL_OP_POW &&
	    is_num_static(l) && is_num_static(r) &&
	    fold(op, &l->u.val, &r->u.val, &v)) {
		l->u.val = v;
		*out = l;
		return 0;
	} else {
		if ((n = mknode(p, TQ_QL_BINARY, t)) == NULL)
			return oom(p);
		n->op = op;
		n->lhs = l;
		n->rhs = r;
	}
	n->line = l->line;
	n->col = l->col;
	*out = n;
	return height(p, n, t);
}

/* negate folds unary minus into a numeric literal. */
static void
negate(struct tq_ql_static *v)
{
	if (v->type == TQ_QL_T_FLOAT)
		v->f = -v->f;
	else
		v->i = (int64_t)(0 - (uint64_t)v->i);
}

static const char *const static_words[] = {
	"true", "false", "nil", "ok", "error", "unset", "unspecified",
	"internal", "server", "client", "producer", "consumer", "minInt",
	"maxInt",
};

/* word_static makes the literal a keyword stands for, or NULL. */
static int
word_static(struct parser *p, const struct token *t, struct tq_ql_node **out)
{
	size_t k;
	struct tq_ql_node *n;

	*out = NULL;
	for (k = 0; k < sizeof(static_words) / sizeof(static_words[0]); k++)
		if (is_word(t, static_words[k]))
			break;
	if (k == sizeof(static_words) / sizeof(static_words[0]))
		return 0;
	if ((n = mkstatic(p, t, TQ_QL_T_NIL)) == NULL)
		return oom(p);
	switch (k) {
	case 0: case 1:
		n->u.val.type = TQ_QL_T_BOOL;
		n->u.val.b = k == 0;
		break;
	case 2:
		break;
	case 3: case 4: case 5:
		n->u.val.type = TQ_QL_T_STATUS;
		n->u.val.i = k == 3 ? TQ_QL_STATUS_OK : k == 4 ?
		    TQ_QL_STATUS_ERROR : TQ_QL_STATUS_UNSET;
		break;
	case 12: case 13:
		n->u.val.type = TQ_QL_T_INT;
		n->u.val.i = k == 12 ? INT64_MIN : INT64_MAX;
		break;
	default: {
		static const enum tq_ql_span_kind kinds[] = {
			TQ_QL_KIND_UNSPECIFIED, TQ_QL_KIND_INTERNAL,
			TQ_QL_KIND_SERVER, TQ_QL_KIND_CLIENT,
			TQ_QL_KIND_PRODUCER, TQ_QL_KIND_CONSUMER,
		};

		n->u.val.type = TQ_QL_T_KIND;
		n->u.val.i = kinds[k - 6];
	}
	}
	*out = n;
	return 0;
}

static bool
intrinsic_word(const struct token *t, enum tq_ql_intrinsic *i)
{
	size_t k;

	for (k = 0; k < sizeof(intrinsic_words) / sizeof(intrinsic_words[0]); k++)
		if (is_word(t, intrinsic_words[k].word)) {
			*i = intrinsic_words[k].i;
			return true;
		}
	return false;
}

/* parse_attribute reads an attribute or intrinsic (select, by, metrics). */
static int
parse_attribute(struct parser *p, struct tq_ql_node **out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n;
	enum tq_ql_intrinsic in = TQ_QL_I_DURATION;

	if (t->type == T_ATTR) {
		if ((n = mknode(p, TQ_QL_ATTR, t)) == NULL)
			return oom(p);
		n->u.attr.scope = t->scope;
		n->u.attr.parent = t->parent;
		n->u.attr.name = t->s;
		n->u.attr.len = t->len;
	} else if (t->type == T_SCOPED_INTRINSIC || intrinsic_word(t, &in)) {
		if ((n = mknode(p, TQ_QL_INTRINSIC, t)) == NULL)
			return oom(p);
		n->u.intrinsic = t->type == T_SCOPED_INTRINSIC ? t->intrinsic : in;
	} else {
		return unexpected(p, "an attribute or intrinsic");
	}
	p->pos++;
	*out = n;
	return 0;
}

static int
parse_field_primary(struct parser *p, struct tq_ql_node **out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n = NULL;
	int rc;

	switch (t->type) {
	case T_LPAREN:
		if ((rc = enter(p, t)) != 0)
			return rc;
		p->pos++;
		if ((rc = parse_field(p, 1, out)) != 0)
			return rc;
		p->depth--;
		return expect(p, T_RPAREN, "\")\"");
	case T_STRING:
		if ((n = mkstatic(p, t, TQ_QL_T_STRING)) == NULL)
			return oom(p);
		n->u.val.s = t->s;
		n->u.val.len = t->len;
		break;
	case T_INT:
	case T_DURATION:
		if ((n = mkstatic(p, t, t->type == T_INT ? TQ_QL_T_INT :
		    TQ_QL_T_DURATION)) == NULL)
			return oom(p);
		n->u.val.i = t->i;
		break;
	case T_FLOAT:
		if ((n = mkstatic(p, t, TQ_QL_T_FLOAT)) == NULL)
			return oom(p);
		n->u.val.f = t->f;
		break;
	case T_ATTR:
	case T_SCOPED_INTRINSIC:
		return parse_attribute(p, out);
	case T_IDENT: {
		enum tq_ql_intrinsic in;

		if (intrinsic_word(t, &in))
			return parse_attribute(p, out);
		if ((rc = word_static(p, t, &n)) != 0)
			return rc;
		if (n == NULL)
			return perr(p, t, "unknown identifier \"%.60s\" (attributes are "
			    "written .name, span.name, resource.name, ...)", t->s);
		break;
	}
	default:
		return unexpected(p, "a field expression");
	}
	p->pos++;
	*out = n;
	return 0;
}

static int
parse_field_unary(struct parser *p, struct tq_ql_node **out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n, *x;
	int rc;

	if (t->type != T_NOT && t->type != T_SUB)
		return parse_field_primary(p, out);
	/* "-" on a number is part of the literal: no nesting. */
	if (t->type == T_SUB && (peek(p, 1)->type == T_INT ||
	    peek(p, 1)->type == T_FLOAT || peek(p, 1)->type == T_DURATION)) {
		p->pos++;
		if ((rc = parse_field_primary(p, out)) != 0)
			return rc;
		negate(&(*out)->u.val);
		(*out)->line = t->line;
		(*out)->col = t->col;
		return 0;
	}
	if ((rc = enter(p, t)) != 0)
		return rc;
	p->pos++;
	/* ! binds looser than * / % ^; unary minus binds tightest. */
	if (t->type == T_NOT)
		rc = parse_field(p, 6, &x);
	else
		rc = parse_field_unary(p, &x);
	if (rc != 0)
		return rc;
	p->depth--;
	if (t->type == T_SUB && is_num_static(x)) {
		negate(&x->u.val);
		x->line = t->line;
		x->col = t->col;
		*out = x;
		return 0;
	}
	if ((n = mknode(p, TQ_QL_UNARY, t)) == NULL)
		return oom(p);
	n->op = t->type == T_NOT ? TQ_QL_OP_NOT : TQ_QL_OP_NEG;
	n->lhs = x;
	*out = n;
	return height(p, n, t);
}

/* field_op gives a token's precedence inside field expressions, or 0. */
static int
field_op(enum tok t, enum tq_ql_op *op)
{
	switch (t) {
	case T_OR: *op = TQ_QL_OP_OR; return 2;
	case T_AND: *op = TQ_QL_OP_AND; return 2;
	case T_EQ: *op = TQ_QL_OP_EQ; return 3;
	case T_NEQ: *op = TQ_QL_OP_NEQ; return 3;
	case T_LT: *op = TQ_QL_OP_LT; return 3;
	case T_LTE: *op = TQ_QL_OP_LTE; return 3;
	case T_GT: *op = TQ_QL_OP_GT; return 3;
	case T_GTE: *op = TQ_QL_OP_GTE; return 3;
	case T_RE: *op = TQ_QL_OP_RE; return 3;
	case T_NRE: *op = TQ_QL_OP_NRE; return 3;
	case T_ADD: *op = TQ_QL_OP_ADD; return 4;
	case T_SUB: *op = TQ_QL_OP_SUB; return 4;
	case T_MUL: *op = TQ_QL_OP_MUL; return 6;
	case T_DIV: *op = TQ_QL_OP_DIV; return 6;
	case T_MOD: *op = TQ_QL_OP_MOD; return 6;
	case T_POW: *op = TQ_QL_OP_POW; return 7;
	default: return 0;
	}
}

static int
parse_field(struct parser *p, int minprec, struct tq_ql_node **out)
{
	struct tq_ql_node *l, *r;
	enum tq_ql_op op = TQ_QL_OP_NONE;
	int prec, rc;

	if ((rc = parse_field_unary(p, &l)) != 0)
		return rc;
	while ((prec = field_op(cur(p)->type, &op)) != 0 && prec >= minprec) {
		struct token *t = cur(p);

		p->pos++;
		if (op == TQ_QL_OP_POW && (rc = enter(p, t)) != 0)
			return rc;
		if ((rc = parse_field(p, op == TQ_QL_OP_POW ? prec : prec + 1,
		    &r)) != 0)
			return rc;
		if (op == TQ_QL_OP_POW)
			p->depth--;
		if ((rc = field_binary(p, t, op, l, r, &l)) != 0)
			return rc;
	}
	*out = l;
	return 0;
}

/* parse_filter reads "{ }" or "{ fieldExpression }". */
static int
parse_filter(struct parser *p, struct tq_ql_node **out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n;
	int rc;

	if (t->type != T_LBRACE)
		return unexpected(p, "\"{\"");
	if ((rc = enter(p, t)) != 0)
		return rc;
	p->pos++;
	if ((n = mknode(p, TQ_QL_FILTER, t)) == NULL)
		return oom(p);
	if (cur(p)->type != T_RBRACE) {
		if ((rc = parse_field(p, 1, &n->lhs)) != 0)
			return rc;
		if (cur(p)->type != T_RBRACE)
			return unexpected(p, "\"}\" or an operator");
	}
	p->pos++;
	p->depth--;
	*out = n;
	return height(p, n, t);
}

/* parse_int_arg reads a non-negative INTEGER (no sign: expr.y's INTEGER). */
static int
parse_int_arg(struct parser *p, int64_t *v)
{
	if (cur(p)->type != T_INT)
		return unexpected(p, "an integer");
	*v = cur(p)->i;
	p->pos++;
	return 0;
}

static int
parse_by_list(struct parser *p, struct tq_ql_node *n)
{
	struct tq_ql_node *x;
	int rc;

	p->pos++;	/* by */
	if ((rc = expect(p, T_LPAREN, "\"(\"")) != 0)
		return rc;
	for (;;) {
		if ((rc = parse_attribute(p, &x)) != 0 || (rc = push(p, n, x)) != 0)
			return rc;
		if (cur(p)->type == T_RPAREN)
			break;
		if ((rc = expect(p, T_COMMA, "\",\" or \")\"")) != 0)
			return rc;
	}
	p->pos++;
	return 0;
}

static int
metric_fn(const struct token *t)
{
	size_t k;

	for (k = 0; k < sizeof(metric_names) / sizeof(metric_names[0]); k++)
		if (is_word(t, metric_names[k]))
			return (int)k;
	return -1;
}

/* parse_metrics reads a metricsAggregation: rate() ... by (...). */
static int
parse_metrics(struct parser *p, struct tq_ql_node **out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n;
	int fn = metric_fn(t), rc;

	if ((n = mknode(p, TQ_QL_METRICS, t)) == NULL)
		return oom(p);
	n->u.metrics.fn = (enum tq_ql_metric)fn;
	p->pos++;
	if ((rc = expect(p, T_LPAREN, "\"(\"")) != 0)
		return rc;
	switch (n->u.metrics.fn) {
	case TQ_QL_M_RATE:
	case TQ_QL_M_COUNT_OVER_TIME:
		break;
	case TQ_QL_M_COMPARE:
		n->u.metrics.topn = 10;
		if ((rc = parse_filter(p, &n->u.metrics.filter)) != 0)
			return rc;
		if (cur(p)->type != T_COMMA)
			break;
		p->pos++;
		if ((rc = parse_int_arg(p, &n->u.metrics.topn)) != 0)
			return rc;
		n->u.metrics.nargs = 1;
		if (cur(p)->type != T_COMMA)
			break;
		p->pos++;
		if ((rc = parse_int_arg(p, &n->u.metrics.start_ns)) != 0 ||
		    (rc = expect(p, T_COMMA, "\",\" and an end time")) != 0 ||
		    (rc = parse_int_arg(p, &n->u.metrics.end_ns)) != 0)
			return rc;
		n->u.metrics.nargs = 3;
		break;
	case TQ_QL_M_QUANTILE_OVER_TIME: {
		double *q = NULL;
		size_t nq = 0, cap = 0;

		if ((rc = parse_attribute(p, &n->lhs)) != 0)
			return rc;
		if (cur(p)->type != T_COMMA)
			return unexpected(p, "\",\" and quantiles");
		while (cur(p)->type == T_COMMA) {
			p->pos++;
			if (cur(p)->type != T_INT && cur(p)->type != T_FLOAT)
				return unexpected(p, "a quantile (a number from 0 to 1)");
			if (nq == cap) {
				double *nqv;

				cap = cap == 0 ? 4 : cap * 2;
				if ((nqv = tq_arena_alloc(p->a, cap * sizeof(*nqv))) == NULL)
					return oom(p);
				if (nq > 0)
					memcpy(nqv, q, nq * sizeof(*q));
				q = nqv;
			}
			q[nq++] = cur(p)->type == T_INT ? (double)cur(p)->i : cur(p)->f;
			p->pos++;
		}
		n->u.metrics.q = q;
		n->u.metrics.nq = nq;
		break;
	}
	default:
		if ((rc = parse_attribute(p, &n->lhs)) != 0)
			return rc;
		break;
	}
	if ((rc = expect(p, T_RPAREN, "\")\"")) != 0)
		return rc;
	if (is_word(cur(p), "by") && (rc = parse_by_list(p, n)) != 0)
		return rc;
	*out = n;
	return height(p, n, t);
}

static bool
is_cmp(enum tok t, enum tq_ql_op *op)
{
	switch (t) {
	case T_EQ: *op = TQ_QL_OP_EQ; return true;
	case T_NEQ: *op = TQ_QL_OP_NEQ; return true;
	case T_LT: *op = TQ_QL_OP_LT; return true;
	case T_LTE: *op = TQ_QL_OP_LTE; return true;
	case T_GT: *op = TQ_QL_OP_GT; return true;
	case T_GTE: *op = TQ_QL_OP_GTE; return true;
	default: return false;
	}
}

static int parse_top(struct parser *p, int minprec, struct res *out);

/*
 * second_stage reads topk/bottomk and comparison filters after a metrics
 * expression r, flattening them into one STAGES node.
 */
static int
second_stage(struct parser *p, struct res *r)
{
	struct tq_ql_node *st = NULL, *x;
	struct token *t;
	enum tq_ql_op op = TQ_QL_OP_NONE;
	int rc, added = 0;

	if (r->c == C_MSTAGED || (r->n->kind == TQ_QL_STAGES &&
	    r->n->lhs->kind == TQ_QL_METRICS_PIPELINE))
		st = r->n;
	for (;;) {
		t = cur(p);
		if (t->type == T_PIPE) {
			struct token *f = peek(p, 1);

			if (!is_word(f, "topk") && !is_word(f, "bottomk")) {
				char d[100];

				describe(f, d, sizeof(d));
				return perr(p, f, "unexpected %s: only topk() or "
				    "bottomk() may follow a metrics function", d);
			}
			p->pos += 2;
			if ((x = mknode(p, TQ_QL_TOPK, f)) == NULL)
				return oom(p);
			x->op = is_word(f, "topk") ? TQ_QL_OP_TOPK : TQ_QL_OP_BOTTOMK;
			x->u.val.type = TQ_QL_T_INT;
			if ((rc = expect(p, T_LPAREN, "\"(\"")) != 0 ||
			    (rc = parse_int_arg(p, &x->u.val.i)) != 0 ||
			    (rc = expect(p, T_RPAREN, "\")\"")) != 0)
				return rc;
		} else if (is_cmp(t->type, &op)) {
			struct res v;

			p->pos++;
			if ((rc = parse_top(p, 4, &v)) != 0)
				return rc;
			if (v.c != C_STATIC)
				return perr(p, t, "a metrics filter compares with a "
				    "number, not %s", cat_names[v.c]);
			if ((x = mknode(p, TQ_QL_METRICS_FILTER, t)) == NULL)
				return oom(p);
			x->op = op;
			x->lhs = v.n;
		} else {
			break;
		}
		if (st == NULL) {
			if ((st = mknode(p, TQ_QL_STAGES, t)) == NULL)
				return oom(p);
			st->line = r->n->line;
			st->col = r->n->col;
			st->lhs = r->n;
		}
		if ((rc = push(p, st, x)) != 0 || (rc = height(p, st, t)) != 0)
			return rc;
		added++;
	}
	if (added > 0) {
		r->n = st;
		r->c = C_MSTAGED;
		r->wrapped = false;
	}
	return 0;
}

static bool
is_spanset(const struct res *r)
{
	return r->c == C_SS || r->c == C_SPE;
}

static int
spanset_op(struct parser *p, const struct token *t, enum tq_ql_op op,
    struct res *l, struct res *r, struct res *out)
{
	struct tq_ql_node *n;

	if (!is_spanset(l) || !is_spanset(r))
		return perr(p, t, "\"%s\" needs spansets on both sides, not %s and %s",
		    tq_ql_tok_text(t->type), cat_names[l->c], cat_names[r->c]);
	if ((l->c == C_SPE || r->c == C_SPE) &&
	    ((l->c == C_SS && !l->wrapped) || (r->c == C_SS && !r->wrapped)))
		return perr(p, t, "a wrapped pipeline combines only with wrapped "
		    "spansets: write ({ ... }) %s (...)", tq_ql_tok_text(t->type));
	if ((n = mknode(p, TQ_QL_SPANSET_OP, t)) == NULL)
		return oom(p);
	n->op = op;
	n->lhs = l->n;
	n->rhs = r->n;
	n->line = l->n->line;
	n->col = l->n->col;
	out->n = n;
	if (l->c == C_SS && r->c == C_SS) {
		out->c = C_SS;
		out->wrapped = l->wrapped && r->wrapped;
	} else {
		out->c = C_SPE;
		out->wrapped = true;
	}
	return height(p, n, t);
}

static bool
is_scalarish(const struct res *r)
{
	return r->c == C_STATIC || r->c == C_SCALAR;
}

static int
binary_node(struct parser *p, const struct token *t, enum tq_ql_kind kind,
    enum tq_ql_op op, struct res *l, struct res *r, struct tq_ql_node **out)
{
	struct tq_ql_node *n;

	if ((n = mknode(p, kind, t)) == NULL)
		return oom(p);
	n->op = op;
	n->lhs = l->n;
	n->rhs = r->n;
	n->line = l->n->line;
	n->col = l->n->col;
	*out = n;
	return height(p, n, t);
}

static int
compare(struct parser *p, const struct token *t, enum tq_ql_op op,
    struct res *l, struct res *r, struct res *out)
{
	if (is_scalarish(l) && is_scalarish(r))
		out->c = C_SFILTER;
	else if (l->c == C_SPIPE && (r->c == C_SPIPE || r->c == C_STATIC))
		out->c = C_SPFILTER;
	else if (r->c == C_SPIPE && is_scalarish(l))
		return perr(p, t, "a wrapped aggregate pipeline must be on the "
		    "left: (...| count()) %s N", tq_ql_tok_text(t->type));
	else
		return perr(p, t, "cannot compare %s with %s", cat_names[l->c],
		    cat_names[r->c]);
	return binary_node(p, t, TQ_QL_SCALAR_FILTER, op, l, r, &out->n);
}

static int
arith(struct parser *p, const struct token *t, enum tq_ql_op op,
    struct res *l, struct res *r, struct res *out)
{
	struct tq_ql_static v;
	bool lm = l->c == C_METRICS, rm = r->c == C_METRICS;

	if (l->c == C_STATIC && r->c == C_STATIC) {
		if (!fold(op, &l->n->u.val, &r->n->u.val, &v))
			return perr(p, t, "%s", op == TQ_QL_OP_DIV ||
			    op == TQ_QL_OP_MOD ? "division by zero or result out of range" :
			    "result out of range");
		l->n->u.val = v;
		*out = *l;
		return 0;
	}
	if (is_scalarish(l) && is_scalarish(r)) {
		out->c = C_SCALAR;
		return binary_node(p, t, TQ_QL_SCALAR_OP, op, l, r, &out->n);
	}
	if (l->c == C_SPIPE && r->c == C_SPIPE) {
		out->c = C_SPIPE;
		return binary_node(p, t, TQ_QL_SCALAR_OP, op, l, r, &out->n);
	}
	if ((lm && (rm || r->c == C_STATIC)) || (rm && l->c == C_STATIC)) {
		const struct res *s = lm ? r : l;

		if (op == TQ_QL_OP_MOD || op == TQ_QL_OP_POW)
			return perr(p, t, "only + - * / combine metrics expressions");
		if (s->c == C_STATIC && s->n->u.val.type == TQ_QL_T_DURATION)
			return perr(p, t, "a duration cannot be combined with a "
			    "metrics expression");
		out->c = C_METRICS;
		return binary_node(p, t, TQ_QL_METRICS_OP, op, l, r, &out->n);
	}
	return perr(p, t, "cannot apply \"%s\" to %s and %s",
	    tq_ql_tok_text(t->type), cat_names[l->c], cat_names[r->c]);
}

/* top_op gives a token's precedence at the query level, or 0. */
static int
top_op(enum tok t)
{
	switch (t) {
	case T_AND: case T_OR:
		return 2;
	case T_EQ: case T_NEQ: case T_LT: case T_LTE: case T_GT: case T_GTE:
	case T_RE: case T_NRE: case T_DESC: case T_ANCE: case T_SIBL:
	case T_NOT_CHILD: case T_NOT_PARENT: case T_NOT_DESC: case T_NOT_ANCE:
	case T_UNION_CHILD: case T_UNION_PARENT: case T_UNION_DESC:
	case T_UNION_ANCE: case T_UNION_SIBL:
		return 3;
	case T_ADD: case T_SUB:
		return 4;
	case T_MUL: case T_DIV: case T_MOD:
		return 6;
	case T_POW:
		return 7;
	default:
		return 0;
	}
}

static int
combine(struct parser *p, const struct token *t, struct res *l,
    struct res *r, struct res *out)
{
	enum tq_ql_op op = TQ_QL_OP_NONE;

	switch (t->type) {
	case T_AND: return spanset_op(p, t, TQ_QL_OP_SS_AND, l, r, out);
	case T_OR: return spanset_op(p, t, TQ_QL_OP_SS_OR, l, r, out);
	case T_DESC: return spanset_op(p, t, TQ_QL_OP_DESC, l, r, out);
	case T_ANCE: return spanset_op(p, t, TQ_QL_OP_ANCE, l, r, out);
	case T_SIBL: return spanset_op(p, t, TQ_QL_OP_SIBL, l, r, out);
	case T_NOT_CHILD: return spanset_op(p, t, TQ_QL_OP_NOT_CHILD, l, r, out);
	case T_NOT_PARENT: return spanset_op(p, t, TQ_QL_OP_NOT_PARENT, l, r, out);
	case T_NOT_DESC: return spanset_op(p, t, TQ_QL_OP_NOT_DESC, l, r, out);
	case T_NOT_ANCE: return spanset_op(p, t, TQ_QL_OP_NOT_ANCE, l, r, out);
	case T_NRE: return spanset_op(p, t, TQ_QL_OP_NOT_SIBL, l, r, out);
	case T_UNION_CHILD: return spanset_op(p, t, TQ_QL_OP_UNION_CHILD, l, r, out);
	case T_UNION_PARENT: return spanset_op(p, t, TQ_QL_OP_UNION_PARENT, l, r, out);
	case T_UNION_DESC: return spanset_op(p, t, TQ_QL_OP_UNION_DESC, l, r, out);
	case T_UNION_ANCE: return spanset_op(p, t, TQ_QL_OP_UNION_ANCE, l, r, out);
	case T_UNION_SIBL: return spanset_op(p, t, TQ_QL_OP_UNION_SIBL, l, r, out);
	case T_GT:
	case T_LT:
		if (is_spanset(l) || is_spanset(r))
			return spanset_op(p, t, t->type == T_GT ? TQ_QL_OP_CHILD :
			    TQ_QL_OP_PARENT, l, r, out);
		/* FALLTHROUGH */
	case T_EQ: case T_NEQ: case T_LTE: case T_GTE:
		if (is_spanset(l) || is_spanset(r))
			return perr(p, t, "spansets cannot be compared with \"%s\"",
			    tq_ql_tok_text(t->type));
		is_cmp(t->type, &op);
		return compare(p, t, op, l, r, out);
	case T_RE:
		return perr(p, t, "\"=~\" only compares fields inside { }");
	default: {
		enum tq_ql_op aop = TQ_QL_OP_ADD;

		if (field_op(t->type, &aop) == 0)
			return perr(p, t, "unexpected \"%s\"",
			    tq_ql_tok_text(t->type));
		return arith(p, t, aop, l, r, out);
	}
	}
}

/* paren applies the rules for "( x )" at the query level. */
static int
paren(struct parser *p, const struct token *t, struct res *x)
{
	struct tq_ql_node *n;
	int rc;

	switch (x->c) {
	case C_SS:
		x->wrapped = true;
		return 0;
	case C_SFILTER:
	case C_STAGE:
		if ((n = mknode(p, TQ_QL_PIPELINE, t)) == NULL)
			return oom(p);
		if ((rc = push(p, n, x->n)) != 0 || (rc = height(p, n, t)) != 0)
			return rc;
		n->line = x->n->line;
		n->col = x->n->col;
		x->n = n;
		/* FALLTHROUGH */
	case C_PIPE:
		x->c = C_SPE;
		return 0;
	case C_SPIPE_RAW:
		x->c = C_SPIPE;
		return 0;
	case C_MPIPE:
		x->c = C_METRICS;
		return 0;
	case C_MSTAGED:
		if (x->wrapped) {
			x->c = C_METRICS;
			return 0;
		}
		return perr(p, t, "second stages after a metrics expression end the query; "
		    "they cannot be wrapped in parentheses");
	case C_COALESCE:
		return perr(p, t, "a pipeline cannot start with coalesce()");
	case C_SPFILTER:
		return perr(p, t, "a comparison of wrapped pipelines cannot be "
		    "wrapped in parentheses");
	default:
		return 0;
	}
}

static int
parse_aggregate(struct parser *p, struct res *out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n;
	size_t k;
	int rc;

	for (k = 0; k < sizeof(agg_names) / sizeof(agg_names[0]); k++)
		if (is_word(t, agg_names[k]))
			break;
	if ((n = mknode(p, TQ_QL_AGGREGATE, t)) == NULL)
		return oom(p);
	n->u.agg = (enum tq_ql_agg)k;
	p->pos += 2;
	if (n->u.agg != TQ_QL_AGG_COUNT) {
		if (cur(p)->type == T_RPAREN)
			return unexpected(p, "a field expression");
		if ((rc = parse_field(p, 1, &n->lhs)) != 0)
			return rc;
	}
	if ((rc = expect(p, T_RPAREN, "\")\"")) != 0)
		return rc;
	out->n = n;
	out->c = C_SCALAR;
	return height(p, n, t);
}

static int
parse_top_primary(struct parser *p, struct res *out)
{
	struct token *t = cur(p);
	struct tq_ql_node *n;
	int rc;

	memset(out, 0, sizeof(*out));
	switch (t->type) {
	case T_LBRACE:
		out->c = C_SS;
		return parse_filter(p, &out->n);
	case T_LPAREN:
		if ((rc = enter(p, t)) != 0)
			return rc;
		p->pos++;
		if ((rc = parse_pipe(p, out)) != 0)
			return rc;
		if (cur(p)->type != T_RPAREN)
			return unexpected(p, "\")\"");
		p->pos++;
		p->depth--;
		return paren(p, t, out);
	case T_INT:
	case T_DURATION:
	case T_FLOAT:
		if ((n = mkstatic(p, t, t->type == T_INT ? TQ_QL_T_INT :
		    t->type == T_FLOAT ? TQ_QL_T_FLOAT : TQ_QL_T_DURATION)) == NULL)
			return oom(p);
		n->u.val.i = t->i;
		n->u.val.f = t->f;
		p->pos++;
		out->n = n;
		out->c = C_STATIC;
		return 0;
	case T_IDENT:
		break;
	default:
		return unexpected(p, NULL);
	}
	if (is_word(t, "minInt") || is_word(t, "maxInt")) {
		if ((rc = word_static(p, t, &out->n)) != 0)
			return rc;
		p->pos++;
		out->c = C_STATIC;
		return 0;
	}
	if (peek(p, 1)->type == T_LPAREN) {
		if (is_word(t, "count") || is_word(t, "avg") || is_word(t, "max") ||
		    is_word(t, "min") || is_word(t, "sum"))
			return parse_aggregate(p, out);
		if (is_word(t, "by")) {
			if ((n = mknode(p, TQ_QL_GROUP, t)) == NULL)
				return oom(p);
			p->pos += 2;
			if (cur(p)->type == T_RPAREN)
				return unexpected(p, "a field expression");
			if ((rc = parse_field(p, 1, &n->lhs)) != 0 ||
			    (rc = expect(p, T_RPAREN, "\")\"")) != 0)
				return rc;
			out->n = n;
			out->c = C_STAGE;
			return height(p, n, t);
		}
		if (is_word(t, "select")) {
			struct tq_ql_node *x;

			if ((n = mknode(p, TQ_QL_SELECT, t)) == NULL)
				return oom(p);
			p->pos += 2;
			for (;;) {
				if ((rc = parse_attribute(p, &x)) != 0 ||
				    (rc = push(p, n, x)) != 0)
					return rc;
				if (cur(p)->type == T_RPAREN)
					break;
				if ((rc = expect(p, T_COMMA, "\",\" or \")\"")) != 0)
					return rc;
			}
			p->pos++;
			out->n = n;
			out->c = C_STAGE;
			return height(p, n, t);
		}
		if (is_word(t, "coalesce")) {
			if ((n = mknode(p, TQ_QL_COALESCE, t)) == NULL)
				return oom(p);
			p->pos += 2;
			if ((rc = expect(p, T_RPAREN, "\")\"")) != 0)
				return rc;
			out->n = n;
			out->c = C_COALESCE;
			return 0;
		}
		if (metric_fn(t) >= 0)
			return perr(p, t, "%s() must follow a spanset pipeline: "
			    "{ } | %s()", t->s, t->s);
		if (is_word(t, "topk") || is_word(t, "bottomk"))
			return perr(p, t, "%s() must follow a metrics function: "
			    "{ } | rate() | %s(5)", t->s, t->s);
		if (is_word(t, "with"))
			return perr(p, t, "with() hints must follow a query");
	}
	return perr(p, t, "unexpected identifier \"%.60s\"", t->s);
}

static int
parse_top_unary(struct parser *p, struct res *out)
{
	struct token *t = cur(p);
	bool literal;
	int rc;

	if (t->type == T_NOT)
		return perr(p, t, "\"!\" only negates fields inside { }");
	if (t->type != T_SUB)
		return parse_top_primary(p, out);
	/* "-" on a number is part of the literal: no nesting. */
	literal = peek(p, 1)->type == T_INT || peek(p, 1)->type == T_FLOAT ||
	    peek(p, 1)->type == T_DURATION;
	if (!literal && (rc = enter(p, t)) != 0)
		return rc;
	p->pos++;
	if ((rc = parse_top_unary(p, out)) != 0)
		return rc;
	if (!literal)
		p->depth--;
	if (out->c != C_STATIC)
		return perr(p, t, "unary \"-\" applies only to numbers here, not "
		    "to %s", cat_names[out->c]);
	negate(&out->n->u.val);
	out->n->line = t->line;
	out->n->col = t->col;
	return 0;
}

static bool
is_metrics(const struct res *r)
{
	return r->c == C_METRICS || r->c == C_MSTAGED || r->c == C_MPIPE;
}

static int
parse_top(struct parser *p, int minprec, struct res *out)
{
	struct res l, r;
	int prec, rc;
	enum tq_ql_op op = TQ_QL_OP_NONE;

	if ((rc = parse_top_unary(p, &l)) != 0)
		return rc;
	while ((prec = top_op(cur(p)->type)) != 0 && prec >= minprec) {
		struct token *t = cur(p);

		if (is_metrics(&l) && is_cmp(t->type, &op)) {
			if ((rc = second_stage(p, &l)) != 0)
				return rc;
			continue;
		}
		p->pos++;
		if (t->type == T_POW && (rc = enter(p, t)) != 0)
			return rc;
		if ((rc = parse_top(p, t->type == T_POW ? prec : prec + 1,
		    &r)) != 0)
			return rc;
		if (t->type == T_POW)
			p->depth--;
		if ((rc = combine(p, t, &l, &r, &l)) != 0)
			return rc;
	}
	*out = l;
	return 0;
}

/* parse_pipe reads a pipeline, or one operand when no "|" follows. */
static int
parse_pipe(struct parser *p, struct res *out)
{
	struct tq_ql_node *pl, *mp;
	struct res first, s;
	struct token *t;
	int rc;

	if ((rc = parse_top(p, 2, &first)) != 0)
		return rc;
	if (cur(p)->type != T_PIPE) {
		*out = first;
		return 0;
	}
	if (is_metrics(&first)) {
		if ((rc = second_stage(p, &first)) != 0)
			return rc;
		*out = first;
		return 0;
	}
	switch (first.c) {
	case C_SS: case C_SFILTER: case C_STAGE:
		break;
	case C_COALESCE:
		return perr(p, cur(p), "a pipeline cannot start with coalesce()");
	default:
		return perr(p, cur(p), "%s cannot start a pipeline",
		    cat_names[first.c]);
	}
	if ((pl = mknode(p, TQ_QL_PIPELINE, cur(p))) == NULL)
		return oom(p);
	pl->line = first.n->line;
	pl->col = first.n->col;
	if ((rc = push(p, pl, first.n)) != 0)
		return rc;
	out->c = C_PIPE;
	out->n = pl;
	while (cur(p)->type == T_PIPE) {
		p->pos++;
		t = cur(p);
		if (metric_fn(t) >= 0 && peek(p, 1)->type == T_LPAREN) {
			if ((rc = height(p, pl, t)) != 0)
				return rc;
			if ((mp = mknode(p, TQ_QL_METRICS_PIPELINE, t)) == NULL)
				return oom(p);
			mp->line = pl->line;
			mp->col = pl->col;
			mp->lhs = pl;
			if ((rc = parse_metrics(p, &mp->rhs)) != 0 ||
			    (rc = height(p, mp, t)) != 0)
				return rc;
			out->n = mp;
			out->c = C_MPIPE;
			if ((rc = second_stage(p, out)) != 0)
				return rc;
			out->wrapped = out->c == C_MSTAGED;
			return 0;
		}
		if ((rc = parse_top(p, 2, &s)) != 0)
			return rc;
		switch (s.c) {
		case C_SS: case C_SFILTER: case C_STAGE: case C_COALESCE:
			break;
		case C_SCALAR:
			if (s.n->kind == TQ_QL_AGGREGATE && cur(p)->type == T_RPAREN) {
				out->c = C_SPIPE_RAW;
				break;
			}
			return perr(p, t, "an aggregate in a pipeline must be "
			    "compared (count() > 1), or the pipeline wrapped and "
			    "compared: ({ } | count()) > 1");
		default:
			return perr(p, t, "%s cannot be a pipeline stage",
			    cat_names[s.c]);
		}
		if ((rc = push(p, pl, s.n)) != 0)
			return rc;
		if (out->c == C_SPIPE_RAW)
			break;
	}
	return height(p, pl, cur(p));
}

static int
parse_static_value(struct parser *p, struct tq_ql_node **out)
{
	struct token *t = cur(p);
	int rc;

	if (t->type == T_SUB) {
		p->pos++;
		if ((rc = parse_static_value(p, out)) != 0)
			return rc;
		if (!is_num_static(*out))
			return perr(p, t, "unary \"-\" applies only to numbers");
		negate(&(*out)->u.val);
		return 0;
	}
	if (t->type == T_IDENT) {
		if ((rc = word_static(p, t, out)) != 0)
			return rc;
		if (*out == NULL)
			return perr(p, t, "unknown identifier \"%.60s\"", t->s);
		p->pos++;
		return 0;
	}
	if (t->type != T_STRING && t->type != T_INT && t->type != T_FLOAT &&
	    t->type != T_DURATION)
		return unexpected(p, "a value");
	return parse_field_primary(p, out);
}

static int
parse_hints(struct tq_ql_query *q, struct parser *p)
{
	struct tq_ql_node holder, *h;
	int rc;

	memset(&holder, 0, sizeof(holder));
	p->pos++;
	if ((rc = expect(p, T_LPAREN, "\"(\"")) != 0)
		return rc;
	for (;;) {
		struct token *t = cur(p);

		if (t->type != T_IDENT)
			return unexpected(p, "a hint name");
		if ((h = mknode(p, TQ_QL_HINT, t)) == NULL)
			return oom(p);
		h->u.hint.name = t->s;
		p->pos++;
		if ((rc = expect(p, T_EQ, "\"=\"")) != 0 ||
		    (rc = parse_static_value(p, &h->lhs)) != 0 ||
		    (rc = push(p, &holder, h)) != 0)
			return rc;
		h->height = 2;
		if (cur(p)->type == T_RPAREN)
			break;
		if ((rc = expect(p, T_COMMA, "\",\" or \")\"")) != 0)
			return rc;
	}
	p->pos++;
	q->hints = holder.items;
	q->nhints = holder.nitems;
	return 0;
}

/* root turns the top expression into the query's root node. */
static int
root(struct tq_ql_query *q, struct parser *p, struct res *r,
    const struct token *t0)
{
	struct tq_ql_node *n;
	int rc;

	q->result = TQ_QL_RESULT_SPANSETS;
	switch (r->c) {
	case C_PIPE:
		q->root = r->n;
		return 0;
	case C_SPE:
		if (r->n->kind == TQ_QL_PIPELINE) {
			q->root = r->n;
			return 0;
		}
		/* FALLTHROUGH */
	case C_SS: case C_SFILTER: case C_STAGE: case C_SPFILTER:
		if ((n = mknode(p, TQ_QL_PIPELINE, t0)) == NULL)
			return oom(p);
		if ((rc = push(p, n, r->n)) != 0 || (rc = height(p, n, t0)) != 0)
			return rc;
		q->root = n;
		return 0;
	case C_MPIPE: case C_METRICS: case C_MSTAGED:
		q->result = TQ_QL_RESULT_METRICS;
		q->root = r->n;
		return 0;
	case C_SPIPE:
		return perr(p, t0, "a wrapped aggregate pipeline must be compared: "
		    "({ } | count()) > 1");
	case C_COALESCE:
		return perr(p, t0, "a pipeline cannot start with coalesce()");
	default:
		return perr(p, t0, "a query selects spans ({ ... }) or compares "
		    "an aggregate (count() > 1), not %s", cat_names[r->c]);
	}
}

int
tq_ql_parse(const char *text, size_t len, struct tq_ql_query **out,
    struct tq_err *err)
{
	struct tq_ql_query *q;
	struct parser p;
	struct res r;
	int rc;

	if (len > TQ_QL_MAX_QUERY)
		return tq_err_set(err, TQ_ELIMIT, "query: %zu bytes, more than %u",
		    len, TQ_QL_MAX_QUERY);
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "query: out of memory");
	tq_arena_init(&q->arena, TQ_QL_MAX_ARENA);
	memset(&p, 0, sizeof(p));
	p.text = text;
	p.a = &q->arena;
	p.err = err;
	if ((rc = tq_ql_lex(text, len, &q->arena, &p.t, &p.n, err)) != 0)
		goto out;
	if (cur(&p)->type == T_EOF) {
		rc = perr(&p, cur(&p), "empty query");
		goto out;
	}
	if ((rc = parse_pipe(&p, &r)) != 0)
		goto out;
	if (is_word(cur(&p), "with") && peek(&p, 1)->type == T_LPAREN &&
	    (rc = parse_hints(q, &p)) != 0)
		goto out;
	if (cur(&p)->type != T_EOF && (r.c == C_MPIPE || r.c == C_MSTAGED) &&
	    top_op(cur(&p)->type) >= 4) {
		rc = perr(&p, cur(&p), "unexpected \"%s\": wrap metrics pipelines "
		    "in parentheses to do arithmetic: ({ } | rate()) %s ...",
		    tq_ql_tok_text(cur(&p)->type), tq_ql_tok_text(cur(&p)->type));
		goto out;
	}
	if (cur(&p)->type != T_EOF) {
		rc = unexpected(&p, cur(&p)->type == T_RPAREN ? NULL :
		    "end of query");
		goto out;
	}
	rc = root(q, &p, &r, &p.t[0]);
out:
	free(p.t);
	if (rc != 0) {
		tq_ql_free(q);
		return rc;
	}
	*out = q;
	return 0;
}

void
tq_ql_free(struct tq_ql_query *q)
{
	if (q == NULL)
		return;
	tq_arena_release(&q->arena);
	free(q);
}

int
tq_ql_compile(const char *text, size_t len, struct tq_ql_query **out,
    struct tq_err *err)
{
	struct tq_ql_query *q;
	int rc;

	if ((rc = tq_ql_parse(text, len, &q, err)) != 0)
		return rc;
	if ((rc = tq_ql_validate(q, err)) != 0) {
		tq_ql_free(q);
		return rc;
	}
	*out = q;
	return 0;
}
