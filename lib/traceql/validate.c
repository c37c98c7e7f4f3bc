/*
 * validate.c: the checks Tempo runs on a parsed query before it executes
 * it, split as Tempo splits them into invalid queries (TQ_EINVAL: type
 * errors, bad regexes, intrinsic = nil, ...) and unsupported ones
 * (TQ_EUNSUPPORTED: the parent scope, scalar filters other than
 * "aggregate OP number", ...).
 *
 * Children are checked before their parent, left to right, and the first
 * error wins, so "{ 1 >= parent }" is unsupported (the leaf) while
 * "sum(3) = min(14)" is invalid (the aggregate) rather than unsupported
 * (two aggregates compared).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "traceql-int.h"

enum tq_ql_type
tq_ql_intrinsic_type(enum tq_ql_intrinsic i)
{
	switch (i) {
	case TQ_QL_I_DURATION: case TQ_QL_I_TRACE_DURATION:
	case TQ_QL_I_EVENT_TIME_SINCE_START:
		return TQ_QL_T_DURATION;
	case TQ_QL_I_STATUS:
		return TQ_QL_T_STATUS;
	case TQ_QL_I_KIND:
		return TQ_QL_T_KIND;
	case TQ_QL_I_CHILD_COUNT: case TQ_QL_I_NESTED_SET_LEFT:
	case TQ_QL_I_NESTED_SET_RIGHT: case TQ_QL_I_NESTED_SET_PARENT:
		return TQ_QL_T_INT;
	case TQ_QL_I_PARENT:
		return TQ_QL_T_ATTRIBUTE;
	default:
		return TQ_QL_T_STRING;
	}
}

/* verr reports code at n with "message: <text of show>". */
static int
verr(struct tq_err *err, int code, const struct tq_ql_node *n,
    const struct tq_ql_node *show, const char *msg)
{
	struct tq_buf b;
	int rc;

	tq_buf_init(&b, 4096);
	rc = show != NULL ? tq_ql_print_node(&b, show) : 0;
	if (rc == 0)
		rc = tq_buf_printf(&b, "%s", "");
	if (show == NULL || b.data == NULL)
		tq_err_set(err, code, "%d:%d: %s", n->line, n->col, msg);
	else
		tq_err_set(err, code, "%d:%d: %s: %.300s%s", n->line, n->col,
		    msg, (const char *)b.data, rc != 0 || b.len > 300 ? "..." : "");
	tq_buf_release(&b);
	return code;
}

static bool
is_numeric(enum tq_ql_type t)
{
	return t == TQ_QL_T_INT || t == TQ_QL_T_FLOAT || t == TQ_QL_T_DURATION;
}

static bool
references_span(const struct tq_ql_node *n)
{
	if (n == NULL)
		return false;
	if (n->kind == TQ_QL_ATTR || n->kind == TQ_QL_INTRINSIC)
		return true;
	return references_span(n->lhs) || references_span(n->rhs);
}

/* check_regex compiles pattern with PCRE2 as a validity check. */
static int
check_regex(const struct tq_ql_node *n, const struct tq_ql_node *pat,
    struct tq_err *err)
{
	pcre2_code *re;
	PCRE2_UCHAR msg[200];
	int code;
	PCRE2_SIZE off;
	const char *s = pat->u.val.s;
	size_t i;
	bool inclass = false;

	re = pcre2_compile((PCRE2_SPTR)s, pat->u.val.len,
	    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &code, &off, NULL);
	if (re == NULL) {
		char m[400];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(m, sizeof(m), "invalid regex (at offset %zu: %s)",
		    (size_t)off, (const char *)msg);
		return verr(err, TQ_EINVAL, n, pat, m);
	}
	pcre2_code_free(re);
	/* Tempo's regexes are RE2: no lookaround, no backreferences. */
	for (i = 0; i < pat->u.val.len; i++) {
		if (s[i] == '\\' && i + 1 < pat->u.val.len) {
			if (!inclass && s[i + 1] >= '1' && s[i + 1] <= '9')
				return verr(err, TQ_EINVAL, n, pat, "invalid regex "
				    "(backreferences are not supported)");
			i++;
		} else if (s[i] == '[' && !inclass) {
			inclass = true;
			if (i + 1 < pat->u.val.len && s[i + 1] == ']')
				i++;
		} else if (s[i] == ']' && inclass) {
			inclass = false;
		} else if (!inclass && s[i] == '(' && i + 2 < pat->u.val.len &&
		    s[i + 1] == '?' && (s[i + 2] == '=' || s[i + 2] == '!' ||
		    (s[i + 2] == '<' && i + 3 < pat->u.val.len &&
		    (s[i + 3] == '=' || s[i + 3] == '!')))) {
			return verr(err, TQ_EINVAL, n, pat, "invalid regex "
			    "(lookaround is not supported)");
		}
	}
	return 0;
}

static int field_type(const struct tq_ql_node *n, enum tq_ql_type *t,
    struct tq_err *err);

static int
binary_type(const struct tq_ql_node *n, enum tq_ql_type *t, struct tq_err *err)
{
	enum tq_ql_type lt, rt;
	bool la, ra, ok;
	int rc;

	if ((rc = field_type(n->lhs, &lt, err)) != 0 ||
	    (rc = field_type(n->rhs, &rt, err)) != 0)
		return rc;
	la = lt == TQ_QL_T_ATTRIBUTE;
	ra = rt == TQ_QL_T_ATTRIBUTE;
	if (!(lt == rt || la || ra || (is_numeric(lt) && is_numeric(rt))))
		return verr(err, TQ_EINVAL, n, n,
		    "binary operations must operate on the same type");
	switch (n->op) {
	case TQ_QL_OP_ADD: case TQ_QL_OP_SUB: case TQ_QL_OP_MUL:
	case TQ_QL_OP_DIV: case TQ_QL_OP_MOD: case TQ_QL_OP_POW:
		ok = (la || is_numeric(lt)) && (ra || is_numeric(rt));
		break;
	case TQ_QL_OP_EQ: case TQ_QL_OP_NEQ:
		ok = lt != TQ_QL_T_NIL && rt != TQ_QL_T_NIL;
		break;
	case TQ_QL_OP_LT: case TQ_QL_OP_LTE: case TQ_QL_OP_GT: case TQ_QL_OP_GTE:
		ok = (la || is_numeric(lt) || lt == TQ_QL_T_STRING) &&
		    (ra || is_numeric(rt) || rt == TQ_QL_T_STRING);
		break;
	case TQ_QL_OP_RE: case TQ_QL_OP_NRE:
		ok = (la || lt == TQ_QL_T_STRING) &&
		    n->rhs->kind == TQ_QL_STATIC && rt == TQ_QL_T_STRING;
		break;
	case TQ_QL_OP_AND: case TQ_QL_OP_OR:
		ok = (la || lt == TQ_QL_T_BOOL) && (ra || rt == TQ_QL_T_BOOL);
		break;
	default:
		ok = false;
	}
	if (!ok)
		return verr(err, TQ_EINVAL, n, n,
		    "illegal operation for the given type(s)");
	if ((n->op == TQ_QL_OP_RE || n->op == TQ_QL_OP_NRE) &&
	    (rc = check_regex(n, n->rhs, err)) != 0)
		return rc;
	if (n->op >= TQ_QL_OP_ADD && n->op <= TQ_QL_OP_POW) {
		if (la && ra)
			*t = TQ_QL_T_ATTRIBUTE;
		else if (la || ra)
			*t = la ? rt : lt;
		else if (lt == TQ_QL_T_DURATION || rt == TQ_QL_T_DURATION)
			*t = TQ_QL_T_DURATION;
		else if (lt == TQ_QL_T_FLOAT || rt == TQ_QL_T_FLOAT)
			*t = TQ_QL_T_FLOAT;
		else
			*t = TQ_QL_T_INT;
	} else {
		*t = TQ_QL_T_BOOL;
	}
	return 0;
}

static bool
is_service_name(const struct tq_ql_node *n)
{
	return n->kind == TQ_QL_ATTR && n->u.attr.scope == TQ_QL_SCOPE_RESOURCE &&
	    !n->u.attr.parent && n->u.attr.len == 12 &&
	    memcmp(n->u.attr.name, "service.name", 12) == 0;
}

/* field_type checks a field expression and gives the type it resolves to. */
static int
field_type(const struct tq_ql_node *n, enum tq_ql_type *t, struct tq_err *err)
{
	enum tq_ql_type x;
	int rc;

	switch (n->kind) {
	case TQ_QL_STATIC:
		*t = n->u.val.type;
		return 0;
	case TQ_QL_ATTR:
		if (n->u.attr.parent)
			return verr(err, TQ_EUNSUPPORTED, n, n,
			    "the parent scope is not supported");
		*t = TQ_QL_T_ATTRIBUTE;
		return 0;
	case TQ_QL_INTRINSIC:
		if (n->u.intrinsic == TQ_QL_I_PARENT)
			return verr(err, TQ_EUNSUPPORTED, n, NULL,
			    "the parent intrinsic is not supported");
		*t = tq_ql_intrinsic_type(n->u.intrinsic);
		return 0;
	case TQ_QL_BINARY:
		return binary_type(n, t, err);
	case TQ_QL_UNARY:
		if ((rc = field_type(n->lhs, &x, err)) != 0)
			return rc;
		switch (n->op) {
		case TQ_QL_OP_NEG:
			if (x != TQ_QL_T_ATTRIBUTE && !is_numeric(x))
				return verr(err, TQ_EINVAL, n, n,
				    "illegal operation for the given type(s)");
			*t = x;
			return 0;
		case TQ_QL_OP_NOT:
			if (x != TQ_QL_T_ATTRIBUTE && x != TQ_QL_T_BOOL)
				return verr(err, TQ_EINVAL, n, n,
				    "illegal operation for the given type(s)");
			*t = TQ_QL_T_BOOL;
			return 0;
		default:
			if (n->lhs->kind != TQ_QL_ATTR && n->lhs->kind != TQ_QL_INTRINSIC)
				return verr(err, TQ_EINVAL, n, n,
				    "illegal operation for the given type(s)");
			if (n->op == TQ_QL_OP_NOT_EXISTS &&
			    n->lhs->kind == TQ_QL_INTRINSIC) {
				char m[200];

				snprintf(m, sizeof(m), "%s=nil is not valid because "
				    "intrinsics cannot be nil",
				    tq_ql_intrinsic_name(n->lhs->u.intrinsic));
				return verr(err, TQ_EINVAL, n, NULL, m);
			}
			if (n->op == TQ_QL_OP_NOT_EXISTS && is_service_name(n->lhs))
				return verr(err, TQ_EINVAL, n, NULL,
				    "resource.service.name=nil is not valid because "
				    "every span has a service name");
			*t = TQ_QL_T_BOOL;
			return 0;
		}
	default:
		return verr(err, TQ_EINVAL, n, NULL, "not a field expression");
	}
}

static bool
has_compare(const struct tq_ql_node *n)
{
	if (n == NULL)
		return false;
	if (n->kind == TQ_QL_METRICS)
		return n->u.metrics.fn == TQ_QL_M_COMPARE;
	if (n->kind == TQ_QL_METRICS_PIPELINE || n->kind == TQ_QL_METRICS_OP ||
	    n->kind == TQ_QL_STAGES)
		return has_compare(n->lhs) || has_compare(n->rhs);
	return false;
}

static int check(const struct tq_ql_node *n, struct tq_err *err);

static int
check_metrics(const struct tq_ql_node *n, struct tq_err *err)
{
	static const char *const names[] = { "rate", "count_over_time",
	    "min_over_time", "max_over_time", "avg_over_time", "sum_over_time",
	    "quantile_over_time", "histogram_over_time", "compare" };
	enum tq_ql_type t;
	char m[200];
	size_t i;
	int rc;

	if (n->lhs != NULL) {
		if ((rc = field_type(n->lhs, &t, err)) != 0)
			return rc;
		if (n->u.metrics.fn == TQ_QL_M_HISTOGRAM_OVER_TIME ?
		    t != TQ_QL_T_ATTRIBUTE && t != TQ_QL_T_INT && t != TQ_QL_T_DURATION :
		    t != TQ_QL_T_ATTRIBUTE && !is_numeric(t)) {
			snprintf(m, sizeof(m), "%s() needs a %s attribute or intrinsic",
			    names[n->u.metrics.fn],
			    n->u.metrics.fn == TQ_QL_M_HISTOGRAM_OVER_TIME ?
			    "integer or duration" : "numeric");
			return verr(err, TQ_EINVAL, n->lhs, n->lhs, m);
		}
	}
	for (i = 0; i < n->u.metrics.nq; i++)
		if (!(n->u.metrics.q[i] >= 0 && n->u.metrics.q[i] <= 1)) {
			snprintf(m, sizeof(m), "quantile_over_time(): quantile %g is "
			    "not between 0 and 1", n->u.metrics.q[i]);
			return verr(err, TQ_EINVAL, n, NULL, m);
		}
	for (i = 0; i < n->nitems; i++)
		if ((rc = field_type(n->items[i], &t, err)) != 0)
			return rc;
	if (n->u.metrics.fn == TQ_QL_M_COMPARE) {
		if ((rc = check(n->u.metrics.filter, err)) != 0)
			return rc;
		if (n->u.metrics.topn < 1)
			return verr(err, TQ_EINVAL, n, NULL,
			    "compare(): the number of values (topN) must be at least 1");
		if (n->u.metrics.nargs == 3 &&
		    n->u.metrics.start_ns >= n->u.metrics.end_ns)
			return verr(err, TQ_EINVAL, n, NULL,
			    "compare(): the start must be before the end");
	}
	return 0;
}

static int
check(const struct tq_ql_node *n, struct tq_err *err)
{
	enum tq_ql_type t;
	size_t i;
	int rc;

	switch (n->kind) {
	case TQ_QL_FILTER:
		if (n->lhs == NULL)
			return 0;
		if ((rc = field_type(n->lhs, &t, err)) != 0)
			return rc;
		if (t != TQ_QL_T_BOOL && t != TQ_QL_T_ATTRIBUTE)
			return verr(err, TQ_EINVAL, n->lhs, n->lhs,
			    "span filter field expressions must resolve to a boolean");
		return 0;
	case TQ_QL_AGGREGATE:
		if (n->lhs == NULL)
			return 0;
		if ((rc = field_type(n->lhs, &t, err)) != 0)
			return rc;
		if (t != TQ_QL_T_ATTRIBUTE && !is_numeric(t))
			return verr(err, TQ_EINVAL, n->lhs, n->lhs,
			    "aggregate field expressions must resolve to a number type");
		if (!references_span(n->lhs))
			return verr(err, TQ_EINVAL, n->lhs, n->lhs,
			    "aggregate field expressions must reference the span");
		return 0;
	case TQ_QL_GROUP:
		if ((rc = field_type(n->lhs, &t, err)) != 0)
			return rc;
		if (!references_span(n->lhs))
			return verr(err, TQ_EINVAL, n->lhs, n->lhs,
			    "grouping field expressions must reference the span");
		return 0;
	case TQ_QL_SELECT:
		for (i = 0; i < n->nitems; i++)
			if ((rc = field_type(n->items[i], &t, err)) != 0)
				return rc;
		return 0;
	case TQ_QL_SCALAR_FILTER:
		if ((rc = check(n->lhs, err)) != 0 || (rc = check(n->rhs, err)) != 0)
			return rc;
		if (n->lhs->kind == TQ_QL_AGGREGATE && n->rhs->kind == TQ_QL_STATIC)
			return 0;
		if (n->lhs->kind == TQ_QL_AGGREGATE && n->rhs->kind == TQ_QL_AGGREGATE)
			return verr(err, TQ_EUNSUPPORTED, n, n,
			    "comparing an aggregate with an aggregate is not supported");
		return verr(err, TQ_EUNSUPPORTED, n, n, "scalar filters support "
		    "only an aggregate compared with a number");
	case TQ_QL_METRICS:
		return check_metrics(n, err);
	case TQ_QL_STAGES:
		if ((rc = check(n->lhs, err)) != 0)
			return rc;
		if (has_compare(n->lhs))
			return verr(err, TQ_EINVAL, n, NULL,
			    "`compare()` cannot be used with second stage functions");
		for (i = 0; i < n->nitems; i++)
			if (n->items[i]->kind == TQ_QL_TOPK && n->items[i]->u.val.i < 1)
				return verr(err, TQ_EINVAL, n->items[i], n->items[i],
				    "topk and bottomk need a limit of at least 1");
		return 0;
	case TQ_QL_METRICS_OP:
		if (has_compare(n))
			return verr(err, TQ_EINVAL, n, NULL,
			    "`compare()` cannot be used in arithmetic");
		break;
	case TQ_QL_STATIC:
		return 0;
	default:
		break;
	}
	if (n->lhs != NULL && (rc = check(n->lhs, err)) != 0)
		return rc;
	if (n->rhs != NULL && (rc = check(n->rhs, err)) != 0)
		return rc;
	for (i = 0; i < n->nitems; i++)
		if ((rc = check(n->items[i], err)) != 0)
			return rc;
	return 0;
}

int
tq_ql_validate(const struct tq_ql_query *q, struct tq_err *err)
{
	return check(q->root, err);
}
