/*
 * print.c: a query's tree back to TraceQL text, and to an S-expression
 * dump for tests and tempo-ql --ast.
 *
 * The printed text parses back to the same tree: operands get
 * parentheses when precedence or associativity asks for them, wrapped
 * pipelines and the operands of spanset operators that combine them are
 * parenthesised as expr.y requires, literals are written so that they
 * lex back to the same value (shortest exact floats, durations in their
 * largest exact unit, escaped strings, quoted attribute names).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traceql-int.h"

static const char *const intrinsic_names[TQ_QL_I_COUNT_] = {
	"duration", "name", "status", "statusMessage", "kind", "childCount",
	"span:id", "span:parentID", "traceDuration", "rootName",
	"rootServiceName", "trace:id", "event:name", "event:timeSinceStart",
	"link:traceID", "link:spanID", "instrumentation:name",
	"instrumentation:version", "nestedSetLeft", "nestedSetRight",
	"nestedSetParent", "parent",
};

static const char *const metric_names[] = {
	"rate", "count_over_time", "min_over_time", "max_over_time",
	"avg_over_time", "sum_over_time", "quantile_over_time",
	"histogram_over_time", "compare",
};

static const char *const agg_names[] = { "count", "avg", "max", "min", "sum" };

const char *
tq_ql_intrinsic_name(enum tq_ql_intrinsic i)
{
	return (unsigned)i < TQ_QL_I_COUNT_ ? intrinsic_names[i] : "?";
}

const char *
tq_ql_scope_name(enum tq_ql_scope s)
{
	static const char *const names[] = { "", "span", "resource", "event",
	    "link", "instrumentation" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *
tq_ql_op_text(enum tq_ql_op op)
{
	static const char *const t[] = {
		"", "+", "-", "*", "/", "%", "^", "=", "!=", "<", "<=", ">",
		">=", "=~", "!~", "&&", "||", "!", "-", "!= nil", "= nil",
		"&&", "||", ">", "<", ">>", "<<", "~", "!>", "!<", "!>>",
		"!<<", "!~", "&>", "&<", "&>>", "&<<", "&~", "topk", "bottomk",
	};

	return (unsigned)op < sizeof(t) / sizeof(t[0]) ? t[op] : "?";
}

/* Precedence of what a node prints as; leaves bind tightest. */
static int
prec(const struct tq_ql_node *n)
{
	switch (n->kind) {
	case TQ_QL_BINARY:
	case TQ_QL_SCALAR_OP:
	case TQ_QL_METRICS_OP:
		switch (n->op) {
		case TQ_QL_OP_AND: case TQ_QL_OP_OR: return 2;
		case TQ_QL_OP_ADD: case TQ_QL_OP_SUB: return 4;
		case TQ_QL_OP_MUL: case TQ_QL_OP_DIV: case TQ_QL_OP_MOD: return 6;
		case TQ_QL_OP_POW: return 7;
		default: return 3;
		}
	case TQ_QL_UNARY:
		if (n->op == TQ_QL_OP_NOT)
			return 5;
		if (n->op == TQ_QL_OP_NEG)
			return 9;
		return 3;	/* x = nil, x != nil */
	case TQ_QL_SPANSET_OP:
		return n->op == TQ_QL_OP_SS_AND || n->op == TQ_QL_OP_SS_OR ? 2 : 3;
	case TQ_QL_SCALAR_FILTER:
		return 3;
	case TQ_QL_STATIC:
		/* A negative number prints with a unary minus. */
		return 10;
	default:
		return 10;
	}
}

static int pnode(struct tq_buf *b, const struct tq_ql_node *n);
static int pnode_rp(struct tq_buf *b, const struct tq_ql_node *n, int rp);

/*
 * A prefix "!" takes as its operand everything up to the next operator
 * looser than "*" (expr.y's precedence), so a "!" needs parentheses
 * exactly when an operator of precedence 6 or more follows it at the
 * same level: rp, "right precedence", is the precedence of the operator
 * that follows a node's text (0 for none).  Parentheses are written only
 * where the parser needs them, so printing never nests deeper than the
 * text that was parsed.
 */
static bool
bang_needs_parens(const struct tq_ql_node *n, int rp)
{
	return n->kind == TQ_QL_UNARY && n->op == TQ_QL_OP_NOT && rp >= 6;
}

/* wrapped prints n in parentheses. */
static int
wrapped(struct tq_buf *b, const struct tq_ql_node *n)
{
	int rc;

	if ((rc = tq_buf_putc(b, '(')) != 0 || (rc = pnode_rp(b, n, 0)) != 0)
		return rc;
	return tq_buf_putc(b, ')');
}

/* operand prints child of parent, in parentheses when needed. */
static int
operand(struct tq_buf *b, const struct tq_ql_node *parent,
    const struct tq_ql_node *child, bool right, int rp)
{
	int pp = prec(parent), cp = prec(child), crp = right ? rp : pp;
	bool rassoc = parent->op == TQ_QL_OP_POW;
	bool need;

	if (child->kind == TQ_QL_UNARY && child->op == TQ_QL_OP_NOT)
		need = bang_needs_parens(child, crp);
	else
		need = cp < pp || (cp == pp && right != rassoc);
	if (child->kind == TQ_QL_PIPELINE || child->kind == TQ_QL_METRICS_PIPELINE ||
	    child->kind == TQ_QL_STAGES)
		need = true;
	return need ? wrapped(b, child) : pnode_rp(b, child, crp);
}

/* unary prints "!x" or "-x" followed by an operator of precedence rp. */
static int
unary(struct tq_buf *b, const struct tq_ql_node *n, int rp)
{
	const struct tq_ql_node *x = n->lhs;
	bool prefix = x->kind == TQ_QL_UNARY &&
	    (x->op == TQ_QL_OP_NOT || x->op == TQ_QL_OP_NEG);
	bool leaf = x->kind == TQ_QL_ATTR || x->kind == TQ_QL_INTRINSIC ||
	    x->kind == TQ_QL_STATIC;	/* a negative number reads as -N */
	int rc;

	if ((rc = tq_buf_puts(b, n->op == TQ_QL_OP_NOT ? "!" : "-")) != 0)
		return rc;
	if (leaf)
		return pnode_rp(b, x, rp);
	if (prefix)
		return bang_needs_parens(x, rp) ? wrapped(b, x) : pnode_rp(b, x, rp);
	/* "!" parses its operand down to precedence 6, "-" only a primary. */
	if (n->op == TQ_QL_OP_NOT && prec(x) >= 6)
		return pnode_rp(b, x, rp);
	return wrapped(b, x);
}

static int
pstring(struct tq_buf *b, const char *s, size_t len)
{
	size_t i;
	int rc = tq_buf_putc(b, '"');

	for (i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': rc = tq_buf_puts(b, "\\\""); break;
		case '\\': rc = tq_buf_puts(b, "\\\\"); break;
		case '\n': rc = tq_buf_puts(b, "\\n"); break;
		case '\t': rc = tq_buf_puts(b, "\\t"); break;
		case '\r': rc = tq_buf_puts(b, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				rc = tq_buf_printf(b, "\\x%02x", c);
			else
				rc = tq_buf_putc(b, c);
		}
	}
	return rc != 0 ? rc : tq_buf_putc(b, '"');
}

/* pfloat writes the shortest text that reads back as exactly f. */
static int
pfloat(struct tq_buf *b, double f)
{
	char s[64];
	int p;

	for (p = 1; p <= 17; p++) {
		snprintf(s, sizeof(s), "%.*g", p, f);
		if (strtod(s, NULL) == f)
			break;
	}
	if (strpbrk(s, ".e") == NULL)
		strcat(s, ".0");
	return tq_buf_puts(b, s);
}

static int
pduration(struct tq_buf *b, int64_t ns)
{
	static const struct {
		const char	*u;
		int64_t		 ns;
	} units[] = {
		{ "h", 3600 * 1000000000LL }, { "m", 60 * 1000000000LL },
		{ "s", 1000000000LL }, { "ms", 1000000LL }, { "us", 1000LL },
		{ "ns", 1 },
	};
	size_t k;
	uint64_t v;

	/* The parser never folds to -2^63 ns, which has no spelling. */
	if (ns == 0)
		return tq_buf_puts(b, "0s");
	v = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (v % (uint64_t)units[k].ns == 0)
			break;
	return tq_buf_printf(b, "%s%" PRIu64 "%s", ns < 0 ? "-" : "",
	    v / (uint64_t)units[k].ns, units[k].u);
}

static int
pstatic(struct tq_buf *b, const struct tq_ql_static *v)
{
	static const char *const status[] = { "error", "ok", "unset" };
	static const char *const kind[] = { "unspecified", "internal",
	    "client", "server", "producer", "consumer" };

	switch (v->type) {
	case TQ_QL_T_NIL: return tq_buf_puts(b, "nil");
	case TQ_QL_T_INT:
		if (v->i == INT64_MIN)
			return tq_buf_puts(b, "minInt");
		return tq_buf_printf(b, "%" PRId64, v->i);
	case TQ_QL_T_FLOAT: return pfloat(b, v->f);
	case TQ_QL_T_DURATION: return pduration(b, v->i);
	case TQ_QL_T_STRING: return pstring(b, v->s, v->len);
	case TQ_QL_T_BOOL: return tq_buf_puts(b, v->b ? "true" : "false");
	case TQ_QL_T_STATUS:
		return tq_buf_puts(b, v->i >= 0 && v->i < 3 ? status[v->i] : "?");
	case TQ_QL_T_KIND:
		return tq_buf_puts(b, v->i >= 0 && v->i < 6 ? kind[v->i] : "?");
	default:
		return tq_buf_puts(b, "?");
	}
}

static bool
name_needs_quotes(const struct tq_ql_node *n)
{
	size_t i;
	const char *s = n->u.attr.name;

	if (n->u.attr.scope == TQ_QL_SCOPE_NONE && !n->u.attr.parent &&
	    n->u.attr.len > 0 && s[0] >= '0' && s[0] <= '9')
		return true;	/* ".5" would be a number */
	for (i = 0; i < n->u.attr.len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || strchr("{}()=~!<>&|^,\"", c) != NULL)
			return true;
	}
	return false;
}

static int
pattr(struct tq_buf *b, const struct tq_ql_node *n)
{
	size_t i;
	int rc = 0;

	if (n->u.attr.parent)
		rc = tq_buf_puts(b, "parent.");
	if (rc == 0 && (n->u.attr.scope != TQ_QL_SCOPE_NONE || !n->u.attr.parent))
		rc = tq_buf_printf(b, "%s.", tq_ql_scope_name(n->u.attr.scope));
	if (rc != 0)
		return rc;
	if (!name_needs_quotes(n))
		return tq_buf_append(b, n->u.attr.name, n->u.attr.len);
	rc = tq_buf_putc(b, '"');
	for (i = 0; i < n->u.attr.len && rc == 0; i++) {
		char c = n->u.attr.name[i];

		if (c == '"' || c == '\\')
			rc = tq_buf_putc(b, '\\');
		if (rc == 0)
			rc = tq_buf_putc(b, c);
	}
	return rc != 0 ? rc : tq_buf_putc(b, '"');
}

static bool
is_spe(const struct tq_ql_node *n)
{
	if (n->kind == TQ_QL_PIPELINE)
		return true;
	if (n->kind == TQ_QL_SPANSET_OP)
		return is_spe(n->lhs) || is_spe(n->rhs);
	return false;
}

/* pss prints a spanset operator's operand. */
static int
pss(struct tq_buf *b, const struct tq_ql_node *parent,
    const struct tq_ql_node *child, bool right)
{
	bool need;
	int rc;

	if (child->kind == TQ_QL_PIPELINE)
		need = true;
	else if (child->kind == TQ_QL_FILTER)
		need = is_spe(parent);
	else if (is_spe(parent) && !is_spe(child))
		need = true;
	else
		need = prec(child) < prec(parent) ||
		    (prec(child) == prec(parent) && right);
	if (need && (rc = tq_buf_putc(b, '(')) != 0)
		return rc;
	if ((rc = pnode(b, child)) != 0)
		return rc;
	return need ? tq_buf_putc(b, ')') : 0;
}

static int
plist(struct tq_buf *b, struct tq_ql_node *const *items, size_t n,
    const char *sep)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			rc = tq_buf_puts(b, sep);
		if (rc == 0)
			rc = pnode(b, items[i]);
	}
	return rc;
}

static int
pmetrics(struct tq_buf *b, const struct tq_ql_node *n)
{
	size_t i;
	int rc;

	if ((rc = tq_buf_printf(b, "%s(", metric_names[n->u.metrics.fn])) != 0)
		return rc;
	if (n->u.metrics.fn == TQ_QL_M_COMPARE) {
		rc = pnode(b, n->u.metrics.filter);
		if (rc == 0 && n->u.metrics.nargs >= 1)
			rc = tq_buf_printf(b, ", %" PRId64, n->u.metrics.topn);
		if (rc == 0 && n->u.metrics.nargs >= 3)
			rc = tq_buf_printf(b, ", %" PRId64 ", %" PRId64,
			    n->u.metrics.start_ns, n->u.metrics.end_ns);
	} else if (n->lhs != NULL) {
		rc = pnode(b, n->lhs);
		for (i = 0; i < n->u.metrics.nq && rc == 0; i++) {
			rc = tq_buf_puts(b, ", ");
			if (rc == 0)
				rc = pfloat(b, n->u.metrics.q[i]);
		}
	}
	if (rc == 0)
		rc = tq_buf_putc(b, ')');
	if (rc == 0 && n->nitems > 0) {
		rc = tq_buf_puts(b, " by (");
		if (rc == 0)
			rc = plist(b, n->items, n->nitems, ", ");
		if (rc == 0)
			rc = tq_buf_putc(b, ')');
	}
	return rc;
}

static int
pnode(struct tq_buf *b, const struct tq_ql_node *n)
{
	return pnode_rp(b, n, 0);
}

static int
pnode_rp(struct tq_buf *b, const struct tq_ql_node *n, int rp)
{
	size_t i;
	int rc;

	switch (n->kind) {
	case TQ_QL_STATIC:
		return pstatic(b, &n->u.val);
	case TQ_QL_ATTR:
		return pattr(b, n);
	case TQ_QL_INTRINSIC:
		return tq_buf_puts(b, tq_ql_intrinsic_name(n->u.intrinsic));
	case TQ_QL_UNARY:
		if (n->op == TQ_QL_OP_EXISTS || n->op == TQ_QL_OP_NOT_EXISTS) {
			/* Printed as a comparison with nil on the right. */
			if ((rc = operand(b, n, n->lhs, false, rp)) != 0)
				return rc;
			return tq_buf_puts(b, n->op == TQ_QL_OP_EXISTS ?
			    " != nil" : " = nil");
		}
		return unary(b, n, rp);
	case TQ_QL_BINARY:
	case TQ_QL_SCALAR_OP:
	case TQ_QL_SCALAR_FILTER:
	case TQ_QL_METRICS_OP:
		if ((rc = operand(b, n, n->lhs, false, rp)) != 0 ||
		    (rc = tq_buf_printf(b, " %s ", tq_ql_op_text(n->op))) != 0)
			return rc;
		return operand(b, n, n->rhs, true, rp);
	case TQ_QL_FILTER:
		if (n->lhs == NULL)
			return tq_buf_puts(b, "{ }");
		if ((rc = tq_buf_puts(b, "{ ")) != 0 || (rc = pnode(b, n->lhs)) != 0)
			return rc;
		return tq_buf_puts(b, " }");
	case TQ_QL_SPANSET_OP:
		if ((rc = pss(b, n, n->lhs, false)) != 0 ||
		    (rc = tq_buf_printf(b, " %s ", tq_ql_op_text(n->op))) != 0)
			return rc;
		return pss(b, n, n->rhs, true);
	case TQ_QL_PIPELINE:
		return plist(b, n->items, n->nitems, " | ");
	case TQ_QL_GROUP:
		if ((rc = tq_buf_puts(b, "by(")) != 0 || (rc = pnode(b, n->lhs)) != 0)
			return rc;
		return tq_buf_putc(b, ')');
	case TQ_QL_COALESCE:
		return tq_buf_puts(b, "coalesce()");
	case TQ_QL_SELECT:
		if ((rc = tq_buf_puts(b, "select(")) != 0 ||
		    (rc = plist(b, n->items, n->nitems, ", ")) != 0)
			return rc;
		return tq_buf_putc(b, ')');
	case TQ_QL_AGGREGATE:
		if ((rc = tq_buf_printf(b, "%s(", agg_names[n->u.agg])) != 0)
			return rc;
		if (n->lhs != NULL && (rc = pnode(b, n->lhs)) != 0)
			return rc;
		return tq_buf_putc(b, ')');
	case TQ_QL_METRICS:
		return pmetrics(b, n);
	case TQ_QL_METRICS_PIPELINE:
		if ((rc = pnode(b, n->lhs)) != 0 || (rc = tq_buf_puts(b, " | ")) != 0)
			return rc;
		return pnode(b, n->rhs);
	case TQ_QL_STAGES:
		if ((rc = pnode(b, n->lhs)) != 0)
			return rc;
		for (i = 0; i < n->nitems; i++)
			if ((rc = tq_buf_putc(b, ' ')) != 0 ||
			    (rc = pnode(b, n->items[i])) != 0)
				return rc;
		return 0;
	case TQ_QL_TOPK:
		return tq_buf_printf(b, "| %s(%" PRId64 ")", tq_ql_op_text(n->op),
		    n->u.val.i);
	case TQ_QL_METRICS_FILTER:
		if ((rc = tq_buf_printf(b, "%s ", tq_ql_op_text(n->op))) != 0)
			return rc;
		return pnode(b, n->lhs);
	case TQ_QL_HINT:
		if ((rc = tq_buf_printf(b, "%s=", n->u.hint.name)) != 0)
			return rc;
		return pnode(b, n->lhs);
	}
	return 0;
}

int
tq_ql_print_node(struct tq_buf *b, const struct tq_ql_node *n)
{
	return pnode(b, n);
}

static int
finish(struct tq_buf *b, int rc, struct tq_err *err)
{
	if (rc == 0)
		rc = tq_buf_printf(b, "%s", "");
	if (rc != 0)
		return tq_err_set(err, rc, "printing the query: %s",
		    tq_strerror(rc));
	return 0;
}

int
tq_ql_print(const struct tq_ql_query *q, struct tq_buf *out,
    struct tq_err *err)
{
	int rc = pnode(out, q->root);

	if (rc == 0 && q->nhints > 0) {
		rc = tq_buf_puts(out, " with(");
		if (rc == 0)
			rc = plist(out, q->hints, q->nhints, ", ");
		if (rc == 0)
			rc = tq_buf_putc(out, ')');
	}
	return finish(out, rc, err);
}

/* Dump: every field, no positions. */
static int dnode(struct tq_buf *b, const struct tq_ql_node *n);

static int
ditems(struct tq_buf *b, const struct tq_ql_node *n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n->nitems && rc == 0; i++) {
		rc = tq_buf_putc(b, ' ');
		if (rc == 0)
			rc = dnode(b, n->items[i]);
	}
	return rc;
}

static int
dkids(struct tq_buf *b, const struct tq_ql_node *n)
{
	int rc = 0;

	if (n->lhs != NULL) {
		rc = tq_buf_putc(b, ' ');
		if (rc == 0)
			rc = dnode(b, n->lhs);
	}
	if (rc == 0 && n->rhs != NULL) {
		rc = tq_buf_putc(b, ' ');
		if (rc == 0)
			rc = dnode(b, n->rhs);
	}
	if (rc == 0)
		rc = ditems(b, n);
	return rc;
}

static int
dnode(struct tq_buf *b, const struct tq_ql_node *n)
{
	static const char *const types[] = { "nil", "int", "float", "duration",
	    "string", "bool", "status", "kind", "attribute" };
	const struct tq_ql_static *v = &n->u.val;
	size_t i;
	int rc = 0;

	switch (n->kind) {
	case TQ_QL_STATIC:
		if (v->type == TQ_QL_T_FLOAT)
			return tq_buf_printf(b, "(float %a)", v->f);
		if (v->type == TQ_QL_T_STRING) {
			if ((rc = tq_buf_puts(b, "(string ")) != 0 ||
			    (rc = pstring(b, v->s, v->len)) != 0)
				return rc;
			return tq_buf_putc(b, ')');
		}
		if (v->type == TQ_QL_T_NIL)
			return tq_buf_puts(b, "(nil)");
		return tq_buf_printf(b, "(%s %" PRId64 ")", types[v->type],
		    v->type == TQ_QL_T_BOOL ? (int64_t)v->b : v->i);
	case TQ_QL_ATTR:
		if ((rc = tq_buf_printf(b, "(attr %s%s ", n->u.attr.parent ?
		    "parent." : "", n->u.attr.scope == TQ_QL_SCOPE_NONE ? "any" :
		    tq_ql_scope_name(n->u.attr.scope))) != 0 ||
		    (rc = pstring(b, n->u.attr.name, n->u.attr.len)) != 0)
			return rc;
		return tq_buf_putc(b, ')');
	case TQ_QL_INTRINSIC:
		return tq_buf_printf(b, "(intrinsic %s)",
		    tq_ql_intrinsic_name(n->u.intrinsic));
	case TQ_QL_BINARY: case TQ_QL_UNARY:
		rc = tq_buf_printf(b, "(%s", tq_ql_op_text(n->op));
		break;
	case TQ_QL_FILTER: rc = tq_buf_puts(b, "(filter"); break;
	case TQ_QL_SPANSET_OP:
		rc = tq_buf_printf(b, "(spanset %s", tq_ql_op_text(n->op));
		break;
	case TQ_QL_PIPELINE: rc = tq_buf_puts(b, "(pipeline"); break;
	case TQ_QL_GROUP: rc = tq_buf_puts(b, "(by"); break;
	case TQ_QL_COALESCE: rc = tq_buf_puts(b, "(coalesce"); break;
	case TQ_QL_SELECT: rc = tq_buf_puts(b, "(select"); break;
	case TQ_QL_AGGREGATE:
		rc = tq_buf_printf(b, "(%s", agg_names[n->u.agg]);
		break;
	case TQ_QL_SCALAR_OP:
		rc = tq_buf_printf(b, "(scalar %s", tq_ql_op_text(n->op));
		break;
	case TQ_QL_SCALAR_FILTER:
		rc = tq_buf_printf(b, "(scalar-filter %s", tq_ql_op_text(n->op));
		break;
	case TQ_QL_METRICS:
		rc = tq_buf_printf(b, "(%s", metric_names[n->u.metrics.fn]);
		for (i = 0; i < n->u.metrics.nq && rc == 0; i++)
			rc = tq_buf_printf(b, " (q %a)", n->u.metrics.q[i]);
		if (rc == 0 && n->u.metrics.fn == TQ_QL_M_COMPARE) {
			rc = tq_buf_putc(b, ' ');
			if (rc == 0)
				rc = dnode(b, n->u.metrics.filter);
			if (rc == 0)
				rc = tq_buf_printf(b, " (args %d %" PRId64 " %"
				    PRId64 " %" PRId64 ")", n->u.metrics.nargs,
				    n->u.metrics.topn, n->u.metrics.start_ns,
				    n->u.metrics.end_ns);
		}
		break;
	case TQ_QL_METRICS_PIPELINE: rc = tq_buf_puts(b, "(metrics-pipeline"); break;
	case TQ_QL_METRICS_OP:
		rc = tq_buf_printf(b, "(metrics %s", tq_ql_op_text(n->op));
		break;
	case TQ_QL_STAGES: rc = tq_buf_puts(b, "(stages"); break;
	case TQ_QL_TOPK:
		return tq_buf_printf(b, "(%s %" PRId64 ")", tq_ql_op_text(n->op),
		    n->u.val.i);
	case TQ_QL_METRICS_FILTER:
		rc = tq_buf_printf(b, "(points %s", tq_ql_op_text(n->op));
		break;
	case TQ_QL_HINT:
		rc = tq_buf_printf(b, "(hint %s", n->u.hint.name);
		break;
	}
	if (rc == 0)
		rc = dkids(b, n);
	return rc != 0 ? rc : tq_buf_putc(b, ')');
}

int
tq_ql_dump(const struct tq_ql_query *q, struct tq_buf *out,
    struct tq_err *err)
{
	size_t i;
	int rc;

	rc = tq_buf_printf(out, "(query %s ", q->result == TQ_QL_RESULT_METRICS ?
	    "metrics" : "spansets");
	if (rc == 0)
		rc = dnode(out, q->root);
	for (i = 0; i < q->nhints && rc == 0; i++) {
		rc = tq_buf_putc(out, ' ');
		if (rc == 0)
			rc = dnode(out, q->hints[i]);
	}
	if (rc == 0)
		rc = tq_buf_putc(out, ')');
	return finish(out, rc, err);
}
