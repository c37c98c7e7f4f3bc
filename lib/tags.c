/*
 * tags.c: attribute names and values of a store's spans (see tags.h).
 *
 * Collections are bounded sets: a hash table finds duplicates, and once
 * a set holds twice its limit it is sorted and cut to the limit, keeping
 * the largest kept item as a bar that later candidates must pass below.
 * So a set never holds more than 2 * limit items, and what remains at
 * the end is exactly the first limit items in sort order.
 *
 * Blocks are read by column.  Columns are found by their logical path,
 * the names of the schema's groups with the LIST wrappers left out
 * ("rs.ss.Spans.Attrs.Key" for rs.list.element.ss.list.element.Spans.
 * list.element.Attrs.list.element.Key), so the two- and three-level list
 * forms of other writers read the same.  The values of one attribute
 * pair the Key column of an Attrs list with its value columns by walking
 * the Dremel levels: a value entry whose repetition level is at most the
 * Attrs element's starts the next attribute, in the order of the keys.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"
#include "parquet.h"
#include "search.h"
#include "store.h"
#include "tags.h"
#include "traceql.h"

/* ---- bounded sorted sets ---- */

struct entry {
	struct tq_tags_item	 it;	/* it.text is malloc'd */
	int64_t			 i;	/* TQ_TAGS_INT: the value */
	double			 f;	/* TQ_TAGS_FLOAT: the value */
};

struct set {
	struct entry		*e;
	size_t			 n, cap;
	uint32_t		*tab;	/* index into e + 1; 0: empty */
	size_t			 tcap;	/* power of two, or 0 */
	size_t			 limit;
	size_t			 bytes;
	bool			 bounded;	/* bar is set */
	struct entry		 bar;	/* shares its text with e[n - 1] */
	bool			 cut;	/* the limit left something out */
	struct tq_tags_item	*view;	/* sorted items, for callers */
	bool			 view_ok;
};

static int
num_cmp(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return a < b ? -1 : a > b;
}

static int
entry_cmp(const struct entry *a, const struct entry *b)
{
	size_t n;
	int c;

	if (a->it.type != b->it.type)
		return a->it.type < b->it.type ? -1 : 1;
	if (a->it.type == TQ_TAGS_INT && a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->it.type == TQ_TAGS_FLOAT && (c = num_cmp(a->f, b->f)) != 0)
		return c;
	n = a->it.len < b->it.len ? a->it.len : b->it.len;
	if ((c = memcmp(a->it.text, b->it.text, n)) != 0)
		return c;
	return a->it.len < b->it.len ? -1 : a->it.len > b->it.len;
}

static int
entry_qcmp(const void *x, const void *y)
{
	return entry_cmp(x, y);
}

static uint32_t
hash(int type, const char *p, size_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

static void
set_init(struct set *s, size_t limit)
{
	memset(s, 0, sizeof(*s));
	s->limit = limit;
}

static void
set_release(struct set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free((char *)s->e[i].it.text);
	free(s->e);
	free(s->tab);
	free(s->view);
	memset(s, 0, sizeof(*s));
}

/* set_find returns the slot of the table where (type, p, len) is or goes. */
static size_t
set_find(const struct set *s, int type, const char *p, size_t len)
{
	size_t j = hash(type, p, len) & (s->tcap - 1);

	while (s->tab[j] != 0) {
		const struct tq_tags_item *it = &s->e[s->tab[j] - 1].it;

		if (it->type == type && it->len == len &&
		    memcmp(it->text, p, len) == 0)
			break;
		j = (j + 1) & (s->tcap - 1);
	}
	return j;
}

/* set_rehash builds a table of tcap slots for the entries. */
static int
set_rehash(struct set *s, size_t tcap, struct tq_err *err)
{
	uint32_t *t = calloc(tcap, sizeof(*t));
	size_t i;

	if (t == NULL)
		return tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
	free(s->tab);
	s->tab = t;
	s->tcap = tcap;
	for (i = 0; i < s->n; i++) {
		const struct tq_tags_item *it = &s->e[i].it;

		t[set_find(s, it->type, it->text, it->len)] = (uint32_t)i + 1;
	}
	return 0;
}

/* set_trim sorts the entries and cuts them to the limit. */
static int
set_trim(struct set *s, struct tq_err *err)
{
	size_t i, tcap;

	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), entry_qcmp);
	if (s->n > s->limit) {
		for (i = s->limit; i < s->n; i++)
			free((char *)s->e[i].it.text);
		s->n = s->limit;
		s->cut = true;
		s->bounded = true;
		s->bar = s->e[s->n - 1];
		s->bytes = 0;
		for (i = 0; i < s->n; i++)
			s->bytes += s->e[i].it.len + 1;
	}
	s->view_ok = false;
	for (tcap = 16; tcap < 4 * (s->n + 1); tcap *= 2)
		;
	if (set_rehash(s, tcap, err) != 0) {
		/* The next add builds the table again. */
		free(s->tab);
		s->tab = NULL;
		s->tcap = 0;
		return TQ_ENOMEM;
	}
	return 0;
}

/* set_wants tells whether (type, p, len) would be added. */
static bool
set_wants(const struct set *s, const struct entry *c)
{
	if (s->bounded && entry_cmp(c, &s->bar) >= 0)
		return false;
	return s->tcap == 0 || s->tab[set_find(s, c->it.type, c->it.text,
	    c->it.len)] == 0;
}

static void
entry_make(struct entry *c, int type, const char *p, size_t len)
{
	c->it.type = type;
	c->it.text = p;
	c->it.len = len;
	c->i = 0;
	c->f = 0;
	if (type == TQ_TAGS_INT || type == TQ_TAGS_FLOAT) {
		char buf[64];

		if (len < sizeof(buf)) {
			memcpy(buf, p, len);
			buf[len] = '\0';
			if (type == TQ_TAGS_INT)
				c->i = strtoll(buf, NULL, 10);
			else
				c->f = strtod(buf, NULL);
		}
	}
}

/* set_add adds one item; empty text is left out. */
static int
set_add(struct set *s, int type, const char *p, size_t len,
    struct tq_err *err)
{
	struct entry c;
	char *copy;
	size_t j;
	int rc;

	if (len == 0)
		return 0;
	entry_make(&c, type, p, len);
	if (s->bounded && (rc = entry_cmp(&c, &s->bar)) >= 0) {
		if (rc > 0)
			s->cut = true;
		return 0;
	}
	if (s->tcap == 0 || 2 * (s->n + 1) > s->tcap) {
		if ((rc = set_rehash(s, s->tcap ? 2 * s->tcap : 64, err)) != 0)
			return rc;
	}
	j = set_find(s, type, p, len);
	if (s->tab[j] != 0)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct entry *e = realloc(s->e, cap * sizeof(*e));

		if (e == NULL)
			return tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
		s->e = e;
		s->cap = cap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
	memcpy(copy, p, len);
	copy[len] = '\0';
	c.it.text = copy;
	s->e[s->n] = c;
	s->tab[j] = (uint32_t)++s->n;
	s->bytes += len + 1;
	s->view_ok = false;
	if (s->n > 2 * s->limit || s->bytes > TQ_TAGS_MAX_BYTES) {
		if ((rc = set_trim(s, err)) != 0)
			return rc;
		if (s->bytes > TQ_TAGS_MAX_BYTES)
			return tq_err_set(err, TQ_ELIMIT, "tags: more than %u "
			    "bytes of names or values", TQ_TAGS_MAX_BYTES);
	}
	return 0;
}

/* set_items sorts and cuts s and returns its items. */
static size_t
set_items(struct set *s, const struct tq_tags_item **out)
{
	size_t i;

	*out = NULL;
	if (s->view_ok) {
		*out = s->view;
		return s->n;
	}
	/* Trimming only shrinks; if the table cannot be rebuilt, the
	 * entries are still sorted and that is all a view needs. */
	if (s->n > 1 || s->n > s->limit)
		set_trim(s, NULL);
	free(s->view);
	s->view = NULL;
	if (s->n == 0)
		return 0;
	if ((s->view = malloc(s->n * sizeof(*s->view))) == NULL)
		return 0;
	for (i = 0; i < s->n; i++)
		s->view[i] = s->e[i].it;
	s->view_ok = true;
	*out = s->view;
	return s->n;
}

/* ---- the collection ---- */

/* Where the values of an identifier come from. */
enum source {
	SRC_NONE,		/* never listed: an empty answer */
	SRC_STATUS,		/* fixed keywords */
	SRC_KIND,
	SRC_COLUMN,		/* a string column of the block */
	SRC_ATTR,		/* an attribute in the scopes of attr_mask */
};

struct tq_tags {
	bool		 values;
	unsigned	 mask;		/* names: the scopes asked for */
	struct set	 names[TQ_TAGS_NSCOPES];
	struct set	 vals;
	enum source	 src;
	const char	*column;	/* SRC_COLUMN: logical path */
	unsigned	 attr_mask;	/* SRC_ATTR: scopes */
	char		*name;		/* SRC_ATTR: the attribute key */
	size_t		 name_len;
	char		*ident;		/* as given */
	int		 intrinsic;	/* SRC_COLUMN: enum tq_ql_intrinsic */
	const char	*key;		/* its key among a result's fields */
	uint64_t	 inspected;
	size_t		 blocks;
};

#define ITEM(t, s)	{ (t), (s), sizeof(s) - 1 }

/* Tempo's fixed list of intrinsic tag names (pkg/search/util.go). */
static const struct tq_tags_item intrinsics[] = {
	ITEM(TQ_TAGS_STRING, "duration"), ITEM(TQ_TAGS_STRING, "name"),
	ITEM(TQ_TAGS_STRING, "status"), ITEM(TQ_TAGS_STRING, "statusMessage"),
	ITEM(TQ_TAGS_STRING, "kind"), ITEM(TQ_TAGS_STRING, "rootServiceName"),
	ITEM(TQ_TAGS_STRING, "rootName"),
	ITEM(TQ_TAGS_STRING, "traceDuration"),
	ITEM(TQ_TAGS_STRING, "event:name"),
	ITEM(TQ_TAGS_STRING, "event:timeSinceStart"),
	ITEM(TQ_TAGS_STRING, "link:spanID"),
	ITEM(TQ_TAGS_STRING, "link:traceID"),
	ITEM(TQ_TAGS_STRING, "instrumentation:name"),
	ITEM(TQ_TAGS_STRING, "instrumentation:version"),
	ITEM(TQ_TAGS_STRING, "trace:id"), ITEM(TQ_TAGS_STRING, "span:id"),
	ITEM(TQ_TAGS_STRING, "span:parentID"),
	ITEM(TQ_TAGS_STRING, "span:status"),
	ITEM(TQ_TAGS_STRING, "span:statusMessage"),
	ITEM(TQ_TAGS_STRING, "span:duration"),
	ITEM(TQ_TAGS_STRING, "span:name"), ITEM(TQ_TAGS_STRING, "span:kind"),
	ITEM(TQ_TAGS_STRING, "trace:rootName"),
	ITEM(TQ_TAGS_STRING, "trace:rootService"),
	ITEM(TQ_TAGS_STRING, "trace:duration"),
};

static const struct tq_tags_item status_values[] = {
	ITEM(TQ_TAGS_KEYWORD, "ok"), ITEM(TQ_TAGS_KEYWORD, "error"),
	ITEM(TQ_TAGS_KEYWORD, "unset"),
};

static const struct tq_tags_item kind_values[] = {
	ITEM(TQ_TAGS_KEYWORD, "client"), ITEM(TQ_TAGS_KEYWORD, "server"),
	ITEM(TQ_TAGS_KEYWORD, "producer"), ITEM(TQ_TAGS_KEYWORD, "consumer"),
	ITEM(TQ_TAGS_KEYWORD, "internal"),
	ITEM(TQ_TAGS_KEYWORD, "unspecified"),
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const scope_names[TQ_TAGS_NSCOPES] = {
	"intrinsic", "resource", "span", "event", "link", "instrumentation",
};

const char *
tq_tags_scope_name(int scope)
{
	return scope >= 0 && scope < TQ_TAGS_NSCOPES ? scope_names[scope] : "?";
}

const char *
tq_tags_type_name(int type)
{
	static const char *const names[] = {
		"string", "int", "float", "bool", "duration", "keyword",
	};

	return type >= 0 && type <= TQ_TAGS_KEYWORD ? names[type] : "?";
}

int
tq_tags_scopes(const char *name, unsigned *mask, struct tq_err *err)
{
	int i;

	if (name == NULL || *name == '\0') {
		*mask = TQ_TAGS_ALL;
		return 0;
	}
	for (i = 0; i < TQ_TAGS_NSCOPES; i++)
		if (strcmp(name, scope_names[i]) == 0) {
			*mask = 1u << i;
			return 0;
		}
	return tq_err_set(err, TQ_EINVAL, "invalid scope: %s", name);
}

static int
check_limit(size_t *limit, struct tq_err *err)
{
	if (*limit == 0)
		*limit = TQ_TAGS_DEFAULT_LIMIT;
	if (*limit > TQ_TAGS_MAX_LIMIT)
		return tq_err_set(err, TQ_EINVAL, "tags: limit %zu exceeds %u",
		    *limit, TQ_TAGS_MAX_LIMIT);
	return 0;
}

int
tq_tags_new(unsigned mask, size_t limit, struct tq_tags **out,
    struct tq_err *err)
{
	struct tq_tags *t;
	int i, rc;

	if ((rc = check_limit(&limit, err)) != 0)
		return rc;
	if (mask == 0 || (mask & ~TQ_TAGS_ALL) != 0)
		return tq_err_set(err, TQ_EINVAL, "tags: bad scope mask %#x",
		    mask);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
	t->mask = mask;
	for (i = 0; i < TQ_TAGS_NSCOPES; i++)
		set_init(&t->names[i], limit);
	set_init(&t->vals, limit);
	*out = t;
	return 0;
}

/* intrinsic_source says where the values of intrinsic i come from. */
static void
intrinsic_source(struct tq_tags *t, enum tq_ql_intrinsic i)
{
	t->src = SRC_COLUMN;
	t->intrinsic = i;
	switch (i) {
	case TQ_QL_I_STATUS: t->src = SRC_STATUS; break;
	case TQ_QL_I_KIND: t->src = SRC_KIND; break;
	case TQ_QL_I_NAME: t->column = "rs.ss.Spans.Name"; break;
	case TQ_QL_I_STATUS_MESSAGE:
		t->column = "rs.ss.Spans.StatusMessage";
		t->key = "statusMessage";
		break;
	case TQ_QL_I_ROOT_NAME: t->column = "RootSpanName"; break;
	case TQ_QL_I_ROOT_SERVICE: t->column = "RootServiceName"; break;
	case TQ_QL_I_EVENT_NAME:
		t->column = "rs.ss.Spans.Events.Name";
		t->key = "event:name";
		break;
	case TQ_QL_I_INSTR_NAME:
		t->column = "rs.ss.Scope.Name";
		t->key = "instrumentation:name";
		break;
	case TQ_QL_I_INSTR_VERSION:
		t->column = "rs.ss.Scope.Version";
		t->key = "instrumentation:version";
		break;
	default:
		/* Durations, IDs, counts, nested-set numbers. */
		t->src = SRC_NONE;
		break;
	}
}

int
tq_tags_new_values(const char *ident, size_t limit, struct tq_tags **out,
    struct tq_err *err)
{
	struct tq_ql_query *q = NULL;
	const struct tq_ql_node *n = NULL;
	struct tq_tags *t = NULL;
	struct tq_buf text;
	int rc;

	tq_buf_init(&text, TQ_QL_MAX_QUERY);
	if ((rc = check_limit(&limit, err)) != 0)
		goto out;
	/* The identifier is a TraceQL field: parse it as a filter. */
	if (tq_buf_printf(&text, "{ %s }", ident) == 0 &&
	    tq_ql_parse((const char *)text.data, text.len, &q, NULL) == 0 &&
	    q->result == TQ_QL_RESULT_SPANSETS && q->nhints == 0 &&
	    q->root->kind == TQ_QL_PIPELINE && q->root->nitems == 1 &&
	    q->root->items[0]->kind == TQ_QL_FILTER)
		n = q->root->items[0]->lhs;
	if (n == NULL || (n->kind != TQ_QL_ATTR && n->kind != TQ_QL_INTRINSIC) ||
	    (n->kind == TQ_QL_ATTR && (n->u.attr.parent || n->u.attr.len == 0 ||
	    memchr(n->u.attr.name, '\0', n->u.attr.len) != NULL))) {
		rc = tq_err_set(err, TQ_EINVAL, "please provide a valid "
		    "tagName: %s", ident);
		goto out;
	}
	if ((rc = tq_tags_new(TQ_TAGS_ALL, limit, &t, err)) != 0)
		goto out;
	t->values = true;
	t->mask = 0;
	if ((t->ident = strdup(ident)) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
		goto out;
	}
	if (n->kind == TQ_QL_INTRINSIC) {
		intrinsic_source(t, n->u.intrinsic);
	} else {
		static const unsigned scope_mask[] = {
			[TQ_QL_SCOPE_NONE] = 1u << TQ_TAGS_SPAN |
			    1u << TQ_TAGS_RESOURCE,
			[TQ_QL_SCOPE_SPAN] = 1u << TQ_TAGS_SPAN,
			[TQ_QL_SCOPE_RESOURCE] = 1u << TQ_TAGS_RESOURCE,
			[TQ_QL_SCOPE_EVENT] = 1u << TQ_TAGS_EVENT,
			[TQ_QL_SCOPE_LINK] = 1u << TQ_TAGS_LINK,
			[TQ_QL_SCOPE_INSTRUMENTATION] =
			    1u << TQ_TAGS_INSTRUMENTATION,
		};

		t->src = SRC_ATTR;
		t->attr_mask = scope_mask[n->u.attr.scope];
		t->name_len = n->u.attr.len;
		if ((t->name = malloc(t->name_len + 1)) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
			goto out;
		}
		memcpy(t->name, n->u.attr.name, t->name_len);
		t->name[t->name_len] = '\0';
		t->key = t->name;
	}
	*out = t;
	t = NULL;
out:
	tq_tags_free(t);
	tq_ql_free(q);
	tq_buf_release(&text);
	return rc;
}

void
tq_tags_free(struct tq_tags *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < TQ_TAGS_NSCOPES; i++)
		set_release(&t->names[i]);
	set_release(&t->vals);
	free(t->name);
	free(t->ident);
	free(t);
}

bool
tq_tags_needs_data(const struct tq_tags *t)
{
	if (t->values)
		return t->src == SRC_COLUMN || t->src == SRC_ATTR;
	return (t->mask & ~(1u << TQ_TAGS_INTRINSIC)) != 0;
}

/* ---- reading a block ---- */

struct scan {
	struct tq_tags			*t;
	const struct tq_block_meta	*m;
	struct tq_parquet_reader	*pr;
	const struct tq_parquet_schema	*s;
	size_t				 rg;
	struct tq_parquet_column	 c;	/* scratch, reused */
	struct tq_parquet_column	 k;	/* a Key column */
	char				**paths; /* logical path of each column */
	struct tq_err			*err;
};

/*
 * logical writes the path of column col without the LIST wrappers (the
 * repeated group and the element of a three-level list, the repeated
 * element of a two-level one) to buf.  Returns false when it does not
 * fit.
 */
static bool
logical(const struct tq_parquet_schema *s, int col, char *buf, size_t size)
{
	int chain[TQ_PARQUET_MAX_DEPTH + 1], depth = 0, n, p, g, i;
	size_t len = 0, l;

	for (n = s->columns[col].node; n > 0; n = s->parent[n]) {
		if (depth == (int)NELEM(chain))
			return false;
		chain[depth++] = n;
	}
	buf[0] = '\0';
	for (i = depth - 1; i >= 0; i--) {
		n = chain[i];
		p = s->parent[n];
		g = p > 0 ? s->parent[p] : -1;
		if (p >= 0 && (s->nodes[p].logical.kind == TQ_PARQUET_LT_LIST ||
		    s->nodes[p].logical.kind == TQ_PARQUET_LT_MAP))
			continue;
		if (g >= 0 && s->nodes[g].logical.kind == TQ_PARQUET_LT_LIST &&
		    tq_parquet_schema_list_element(s, g) == n)
			continue;
		l = strlen(s->nodes[n].name);
		if (len + l + 2 > size)
			return false;
		if (len > 0)
			buf[len++] = '.';
		memcpy(buf + len, s->nodes[n].name, l + 1);
		len += l;
	}
	return true;
}

/* scan_paths finds the logical path of every column of the file. */
static int
scan_paths(struct scan *sc)
{
	char buf[1024];
	size_t c;

	if ((sc->paths = calloc(sc->s->n_columns + 1, sizeof(*sc->paths))) ==
	    NULL)
		return tq_err_set(sc->err, TQ_ENOMEM, "tags: out of memory");
	for (c = 0; c < sc->s->n_columns; c++)
		if (logical(sc->s, (int)c, buf, sizeof(buf)) &&
		    (sc->paths[c] = strdup(buf)) == NULL)
			return tq_err_set(sc->err, TQ_ENOMEM, "tags: out of "
			    "memory");
	return 0;
}

/* find returns the column whose logical path is path, or -1. */
static int
find(const struct scan *sc, const char *path)
{
	size_t c;

	for (c = 0; c < sc->s->n_columns; c++)
		if (sc->paths[c] != NULL && strcmp(sc->paths[c], path) == 0)
			return (int)c;
	return -1;
}

static int
read_col(struct scan *sc, int col, int flags, struct tq_parquet_column *out)
{
	return tq_parquet_reader_read_column(sc->pr, sc->rg, col,
	    flags | TQ_PARQUET_READ_REUSE, out, sc->err);
}

/* all_null tells from the statistics that a chunk holds no value. */
static bool
all_null(struct scan *sc, int col)
{
	const struct tq_parquet_chunk *ch = tq_parquet_reader_chunk(sc->pr,
	    sc->rg, col);

	return ch != NULL && ch->stats.has_null_count &&
	    ch->stats.null_count >= ch->num_values;
}

/* format_float writes f as Go's strconv.FormatFloat(f, 'g', -1, 64) does. */
static int
format_float(double f, char *buf, size_t size)
{
	char tmp[40];
	int prec, exp;

	if (isnan(f))
		return snprintf(buf, size, "NaN");
	if (isinf(f))
		return snprintf(buf, size, f > 0 ? "+Inf" : "-Inf");
	/* The shortest digits that read back the same, as Go's 'g', -1. */
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
	exp = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
	if (exp < -4 || exp >= 6)
		return snprintf(buf, size, "%s", tmp);
	return snprintf(buf, size, "%.*f", prec - 1 - exp > 0 ?
	    prec - 1 - exp : 0, f);
}

/*
 * add_value adds value v of column c (type the column's tag type) to the
 * values set.
 */
static int
add_value(struct scan *sc, const struct tq_parquet_column *c, size_t v,
    int type)
{
	char buf[64];
	int n;

	switch (c->type) {
	case TQ_PARQUET_BYTE_ARRAY:
		return set_add(&sc->t->vals, type, (const char *)c->data +
		    c->off[v], c->off[v + 1] - c->off[v], sc->err);
	case TQ_PARQUET_INT64:
		n = snprintf(buf, sizeof(buf), "%lld", (long long)c->i64[v]);
		break;
	case TQ_PARQUET_INT32:
		n = snprintf(buf, sizeof(buf), "%ld", (long)c->i32[v]);
		break;
	case TQ_PARQUET_DOUBLE:
		n = format_float(c->f64[v], buf, sizeof(buf));
		break;
	case TQ_PARQUET_FLOAT:
		n = format_float(c->f32[v], buf, sizeof(buf));
		break;
	case TQ_PARQUET_BOOLEAN:
		n = snprintf(buf, sizeof(buf), "%s", c->b[v] ? "true" : "false");
		break;
	default:
		return 0;
	}
	return set_add(&sc->t->vals, type, buf, (size_t)n, sc->err);
}

/*
 * column_values adds every value of column col (of this row group) to
 * the values set as type; a dictionary that covers the chunk is read
 * alone.
 */
static int
column_values(struct scan *sc, int col, int type)
{
	bool has = false;
	size_t i;
	int rc;

	if (col < 0 || all_null(sc, col))
		return 0;
	if (sc->s->columns[col].type == TQ_PARQUET_BYTE_ARRAY) {
		struct tq_parquet_column d;

		rc = tq_parquet_reader_read_dict(sc->pr, sc->rg, col, &d, &has,
		    sc->err);
		for (i = 0; rc == 0 && has && i < d.n_values; i++)
			rc = add_value(sc, &d, i, type);
		tq_parquet_column_release(&d);
		if (rc != 0 || has)
			return rc;
	}
	if ((rc = read_col(sc, col, 0, &sc->c)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < sc->c.n_values; i++)
		rc = add_value(sc, &sc->c, i, type);
	return rc;
}

/* add_name adds name to the names of scope. */
static int
add_name(struct scan *sc, int scope, const char *p, size_t len)
{
	return set_add(&sc->t->names[scope], TQ_TAGS_STRING, p, len, sc->err);
}

/* key_names adds the keys of the Attrs list at prefix to scope's names. */
static int
key_names(struct scan *sc, int scope, const char *prefix)
{
	char path[128];
	bool has = false;
	size_t i;
	int col, rc;

	snprintf(path, sizeof(path), "%s.Attrs.Key", prefix);
	if ((col = find(sc, path)) < 0 || all_null(sc, col))
		return 0;
	if (sc->s->columns[col].type != TQ_PARQUET_BYTE_ARRAY)
		return tq_err_set(sc->err, TQ_ECORRUPT, "column %s: not a "
		    "byte array", sc->s->columns[col].path);
	{
		struct tq_parquet_column d;

		rc = tq_parquet_reader_read_dict(sc->pr, sc->rg, col, &d, &has,
		    sc->err);
		for (i = 0; rc == 0 && has && i < d.n_values; i++)
			rc = add_name(sc, scope, (const char *)d.data + d.off[i],
			    d.off[i + 1] - d.off[i]);
		tq_parquet_column_release(&d);
		if (rc != 0 || has)
			return rc;
	}
	if ((rc = read_col(sc, col, 0, &sc->c)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < sc->c.n_values; i++)
		rc = add_name(sc, scope, (const char *)sc->c.data +
		    sc->c.off[i], sc->c.off[i + 1] - sc->c.off[i]);
	return rc;
}

/*
 * column_name adds name to scope's names when column path of this row
 * group holds a value (a non-empty one for strings).
 */
static int
column_name(struct scan *sc, int scope, const char *path, const char *name)
{
	struct entry c;
	bool has = false, any = false;
	size_t i;
	int col, rc;

	entry_make(&c, TQ_TAGS_STRING, name, strlen(name));
	if (!set_wants(&sc->t->names[scope], &c) ||
	    (col = find(sc, path)) < 0 || all_null(sc, col))
		return 0;
	if (sc->s->columns[col].type == TQ_PARQUET_BYTE_ARRAY) {
		struct tq_parquet_column d;

		rc = tq_parquet_reader_read_dict(sc->pr, sc->rg, col, &d, &has,
		    sc->err);
		for (i = 0; rc == 0 && has && i < d.n_values && !any; i++)
			any = d.off[i + 1] > d.off[i];
		tq_parquet_column_release(&d);
		if (rc != 0)
			return rc;
	}
	if (!has) {
		if ((rc = read_col(sc, col, 0, &sc->c)) != 0)
			return rc;
		any = sc->c.n_values > 0;
		if (sc->c.type == TQ_PARQUET_BYTE_ARRAY)
			for (i = 0, any = false; i < sc->c.n_values && !any;
			    i++)
				any = sc->c.off[i + 1] > sc->c.off[i];
	}
	return any ? add_name(sc, scope, name, strlen(name)) : 0;
}

/* The well-known columns: attributes with a column of their own. */
static const struct {
	int		 scope;
	const char	*column;
	const char	*key;
	int		 type;
} well_known[] = {
	{ TQ_TAGS_RESOURCE, "rs.Resource.ServiceName", "service.name",
	    TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.Cluster", "cluster", TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.Namespace", "namespace",
	    TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.Pod", "pod", TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.Container", "container",
	    TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.K8sClusterName", "k8s.cluster.name",
	    TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.K8sNamespaceName",
	    "k8s.namespace.name", TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.K8sPodName", "k8s.pod.name",
	    TQ_TAGS_STRING },
	{ TQ_TAGS_RESOURCE, "rs.Resource.K8sContainerName",
	    "k8s.container.name", TQ_TAGS_STRING },
	{ TQ_TAGS_SPAN, "rs.ss.Spans.HttpMethod", "http.method",
	    TQ_TAGS_STRING },
	{ TQ_TAGS_SPAN, "rs.ss.Spans.HttpUrl", "http.url", TQ_TAGS_STRING },
	{ TQ_TAGS_SPAN, "rs.ss.Spans.HttpStatusCode", "http.status_code",
	    TQ_TAGS_INT },
};

/* Where each scope's Attrs list lives. */
static const char *const attrs_prefix[TQ_TAGS_NSCOPES] = {
	[TQ_TAGS_RESOURCE] = "rs.Resource",
	[TQ_TAGS_SPAN] = "rs.ss.Spans",
	[TQ_TAGS_EVENT] = "rs.ss.Spans.Events",
	[TQ_TAGS_LINK] = "rs.ss.Spans.Links",
	[TQ_TAGS_INSTRUMENTATION] = "rs.ss.Scope",
};

/*
 * dedicated_column writes the logical path of dedicated column i of the
 * block's meta (numbered String01.. per scope, in meta order).  Returns
 * the tags scope, or -1 when i is none.
 */
static int
dedicated_column(const struct tq_block_meta *m, size_t i, char *buf,
    size_t size)
{
	size_t j, k = 0;

	for (j = 0; j < i; j++)
		k += m->ded[j].scope == m->ded[i].scope;
	if (k >= TQ_BLOCK_MAX_DEDICATED)
		return -1;
	snprintf(buf, size, "%s.DedicatedAttributes.String%02zu",
	    m->ded[i].scope == TQ_BLOCK_SCOPE_SPAN ? "rs.ss.Spans" :
	    "rs.Resource", k + 1);
	return m->ded[i].scope == TQ_BLOCK_SCOPE_SPAN ? TQ_TAGS_SPAN :
	    TQ_TAGS_RESOURCE;
}

static int
rg_names(struct scan *sc)
{
	char path[128];
	size_t i;
	int scope, rc;

	for (scope = TQ_TAGS_RESOURCE; scope < TQ_TAGS_NSCOPES; scope++)
		if ((sc->t->mask & (1u << scope)) &&
		    (rc = key_names(sc, scope, attrs_prefix[scope])) != 0)
			return rc;
	for (i = 0; i < NELEM(well_known); i++)
		if ((sc->t->mask & (1u << well_known[i].scope)) &&
		    (rc = column_name(sc, well_known[i].scope,
		    well_known[i].column, well_known[i].key)) != 0)
			return rc;
	for (i = 0; i < sc->m->n_ded; i++)
		if ((scope = dedicated_column(sc->m, i, path,
		    sizeof(path))) >= 0 && (sc->t->mask & (1u << scope)) &&
		    (rc = column_name(sc, scope, path, sc->m->ded[i].name)) != 0)
			return rc;
	return 0;
}

/*
 * attr_values adds the values of the attributes named t->name in the
 * Attrs list at prefix.
 */
static int
attr_values(struct scan *sc, const char *prefix)
{
	static const struct {
		const char	*field;
		int		 ptype;
		int		 type;
	} vcols[] = {
		{ "Value", TQ_PARQUET_BYTE_ARRAY, TQ_TAGS_STRING },
		{ "ValueInt", TQ_PARQUET_INT64, TQ_TAGS_INT },
		{ "ValueDouble", TQ_PARQUET_DOUBLE, TQ_TAGS_FLOAT },
		{ "ValueBool", TQ_PARQUET_BOOLEAN, TQ_TAGS_BOOL },
	};
	const struct tq_parquet_schema *s = sc->s;
	const struct tq_parquet_column_desc *kd;
	struct tq_parquet_value want;
	struct tq_parquet_column *k = &sc->k;
	uint8_t *match = NULL, *seen = NULL;
	size_t i, n_slots = 0, any = 0, vi;
	int col, elem, def_e, rep_e, rc;
	int64_t kidx = -1;
	char path[128];
	bool may;

	snprintf(path, sizeof(path), "%s.Attrs.Key", prefix);
	if ((col = find(sc, path)) < 0 || all_null(sc, col))
		return 0;
	kd = &s->columns[col];
	if (kd->type != TQ_PARQUET_BYTE_ARRAY)
		return tq_err_set(sc->err, TQ_ECORRUPT, "column %s: not a "
		    "byte array", kd->path);
	memset(&want, 0, sizeof(want));
	want.type = TQ_PARQUET_BYTE_ARRAY;
	want.ptr = (const uint8_t *)sc->t->name;
	want.len = sc->t->name_len;
	if ((rc = tq_parquet_reader_may_match(sc->pr, sc->rg, col, &want, &want,
	    TQ_PARQUET_PRUNE_STATS | TQ_PARQUET_PRUNE_DICT, &may, sc->err)) != 0)
		return rc;
	if (!may)
		return 0;
	if ((rc = read_col(sc, col, TQ_PARQUET_READ_DICT_INDICES, k)) != 0)
		return rc;
	elem = s->parent[kd->node];
	def_e = s->def[elem];
	rep_e = s->rep[elem];
	for (i = 0; i < k->n_levels; i++)
		n_slots += k->def == NULL || k->def[i] >= def_e;
	if (n_slots != k->n_values)
		return tq_err_set(sc->err, TQ_ECORRUPT, "column %s: null keys",
		    kd->path);
	if (n_slots == 0)
		return 0;
	if ((match = calloc(n_slots, 1)) == NULL)
		return tq_err_set(sc->err, TQ_ENOMEM, "tags: out of memory");
	if (k->idx != NULL) {
		const struct tq_parquet_column *d = k->dict;

		for (i = 0; i < d->n_values && kidx < 0; i++)
			if (d->off[i + 1] - d->off[i] == sc->t->name_len &&
			    memcmp(d->data + d->off[i], sc->t->name,
			    sc->t->name_len) == 0)
				kidx = (int64_t)i;
		for (i = 0; i < n_slots; i++)
			any += match[i] = (int64_t)k->idx[i] == kidx;
	} else {
		for (i = 0; i < n_slots; i++)
			any += match[i] = k->off[i + 1] - k->off[i] ==
			    sc->t->name_len && memcmp(k->data + k->off[i],
			    sc->t->name, sc->t->name_len) == 0;
	}
	for (vi = 0; rc == 0 && any > 0 && vi < NELEM(vcols); vi++) {
		const struct tq_parquet_column_desc *vd;
		const struct tq_parquet_column *c = &sc->c;
		size_t slot = 0, v = 0;
		bool started = false;

		snprintf(path, sizeof(path), "%s.Attrs.%s", prefix,
		    vcols[vi].field);
		if ((col = find(sc, path)) < 0 || all_null(sc, col))
			continue;
		vd = &s->columns[col];
		if (vd->type != vcols[vi].ptype) {
			rc = tq_err_set(sc->err, TQ_ECORRUPT, "column %s: type "
			    "%s", vd->path, tq_parquet_type_name(vd->type));
			break;
		}
		if ((rc = read_col(sc, col, TQ_PARQUET_READ_DICT_INDICES,
		    &sc->c)) != 0)
			break;
		free(seen);
		seen = NULL;
		if (c->idx != NULL && (seen = calloc(c->dict->n_values + 1,
		    1)) == NULL) {
			rc = tq_err_set(sc->err, TQ_ENOMEM, "tags: out of "
			    "memory");
			break;
		}
		for (i = 0; i < c->n_levels && rc == 0; i++) {
			int def = c->def != NULL ? c->def[i] : vd->max_def;
			int rep = c->rep != NULL ? c->rep[i] : 0;

			if (def < def_e)
				continue;
			if (rep <= rep_e) {
				if (started)
					slot++;
				started = true;
			}
			if (slot >= n_slots) {
				rc = tq_err_set(sc->err, TQ_ECORRUPT, "column "
				    "%s: more attributes than keys", vd->path);
				break;
			}
			if (def != vd->max_def)
				continue;
			if (v >= c->n_values) {
				rc = tq_err_set(sc->err, TQ_ECORRUPT, "column "
				    "%s: fewer values than levels", vd->path);
				break;
			}
			if (!match[slot]) {
				v++;
				continue;
			}
			if (c->idx == NULL) {
				rc = add_value(sc, c, v, vcols[vi].type);
			} else if (c->idx[v] >= c->dict->n_values) {
				rc = tq_err_set(sc->err, TQ_ECORRUPT, "column "
				    "%s: dictionary index %u of %zu", vd->path,
				    c->idx[v], c->dict->n_values);
			} else if (!seen[c->idx[v]]) {
				seen[c->idx[v]] = 1;
				rc = add_value(sc, c->dict, c->idx[v],
				    vcols[vi].type);
			}
			v++;
		}
	}
	free(seen);
	free(match);
	return rc;
}

static int
rg_values(struct scan *sc)
{
	struct tq_tags *t = sc->t;
	char path[128];
	size_t i;
	int scope, rc;

	if (t->src == SRC_COLUMN)
		return column_values(sc, find(sc, t->column),
		    TQ_TAGS_STRING);
	for (scope = TQ_TAGS_RESOURCE; scope < TQ_TAGS_NSCOPES; scope++)
		if ((t->attr_mask & (1u << scope)) &&
		    (rc = attr_values(sc, attrs_prefix[scope])) != 0)
			return rc;
	for (i = 0; i < NELEM(well_known); i++)
		if ((t->attr_mask & (1u << well_known[i].scope)) &&
		    strcmp(well_known[i].key, t->name) == 0 &&
		    (rc = column_values(sc, find(sc, well_known[i].column),
		    well_known[i].type)) != 0)
			return rc;
	for (i = 0; i < sc->m->n_ded; i++)
		if ((scope = dedicated_column(sc->m, i, path,
		    sizeof(path))) >= 0 && (t->attr_mask & (1u << scope)) &&
		    strcmp(sc->m->ded[i].name, t->name) == 0 &&
		    (rc = column_values(sc, find(sc, path),
		    TQ_TAGS_STRING)) != 0)
			return rc;
	return 0;
}

int
tq_tags_block(struct tq_tags *t, struct tq_block *b, struct tq_err *err)
{
	struct scan sc;
	uint64_t reads, before, after;
	size_t n_rg, i;
	int rc;

	if (!tq_tags_needs_data(t))
		return 0;
	memset(&sc, 0, sizeof(sc));
	sc.t = t;
	sc.m = tq_block_get_meta(b);
	sc.err = err;
	tq_block_io(b, &reads, &before);
	if ((rc = tq_block_parquet(b, &sc.pr, err)) != 0)
		goto out;
	sc.s = tq_parquet_reader_schema(sc.pr);
	if ((rc = scan_paths(&sc)) != 0)
		goto out;
	n_rg = tq_parquet_reader_num_row_groups(sc.pr);
	for (sc.rg = 0; sc.rg < n_rg; sc.rg++) {
		rc = t->values ? rg_values(&sc) : rg_names(&sc);
		if (rc != 0) {
			tq_err_prefix(err, rc, "%s/%s/data.parquet: row group "
			    "%zu", sc.m->tenant, sc.m->block_id, sc.rg);
			goto out;
		}
	}
out:
	if (sc.paths != NULL)
		for (i = 0; i < sc.s->n_columns; i++)
			free(sc.paths[i]);
	free(sc.paths);
	tq_parquet_column_release(&sc.c);
	tq_parquet_column_release(&sc.k);
	tq_parquet_reader_free(sc.pr);
	tq_block_io(b, &reads, &after);
	t->inspected += after - before;
	t->blocks++;
	return rc;
}

/* The blocks of a scan, collected before any is read. */
struct metas {
	struct tq_block_meta	*m;
	size_t			 n, cap;
	int64_t			 start_s, end_s;	/* 0: open */
};

static int
collect(void *arg, const struct tq_block_meta *m)
{
	struct metas *l = arg;

	if ((l->start_s != 0 && m->end_s < l->start_s) ||
	    (l->end_s != 0 && m->start_s > l->end_s))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct tq_block_meta *p = realloc(l->m, cap * sizeof(*p));

		if (p == NULL)
			return TQ_ENOMEM;
		l->m = p;
		l->cap = cap;
	}
	l->m[l->n++] = *m;
	return 0;
}

int
tq_tags_scan(struct tq_tags *t, struct tq_store *s, const char *tenant,
    int64_t start_ns, int64_t end_ns, struct tq_err *err)
{
	struct metas l;
	struct tq_block *b;
	size_t i;
	int rc;

	if (!tq_tags_needs_data(t))
		return 0;
	memset(&l, 0, sizeof(l));
	/* Blocks know their range in whole seconds. */
	l.start_s = start_ns > 0 ? start_ns / 1000000000 : 0;
	l.end_s = end_ns > 0 ? (end_ns + 999999999) / 1000000000 : 0;
	rc = tq_block_list(s, tenant, false, collect, &l, err);
	if (rc == TQ_ENOMEM)
		rc = tq_err_set(err, rc, "tags: out of memory");
	for (i = 0; rc == 0 && i < l.n; i++) {
		if ((rc = tq_block_open_meta(s, &l.m[i], &b, err)) != 0) {
			tq_err_prefix(err, rc, "block %s", l.m[i].block_id);
			break;
		}
		rc = tq_tags_block(t, b, err);
		tq_block_free(b);
	}
	free(l.m);
	return rc;
}

/* add_ql adds a value found by a query (an array: its elements). */
static int
add_ql(struct tq_tags *t, const struct tq_ql_value *v, int depth,
    struct tq_err *err)
{
	char buf[64];
	uint32_t i;
	int n, rc;

	switch (v->type) {
	case TQ_QL_T_STRING:
		return set_add(&t->vals, TQ_TAGS_STRING, v->u.s, v->len, err);
	case TQ_QL_T_INT:
		n = snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
		return set_add(&t->vals, TQ_TAGS_INT, buf, (size_t)n, err);
	case TQ_QL_T_FLOAT:
		n = format_float(v->u.f, buf, sizeof(buf));
		return set_add(&t->vals, TQ_TAGS_FLOAT, buf, (size_t)n, err);
	case TQ_QL_T_BOOL:
		return set_add(&t->vals, TQ_TAGS_BOOL, v->u.b ? "true" : "false",
		    v->u.b ? 4 : 5, err);
	case TQ_QL_T_ARRAY:
		for (i = 0; depth == 0 && i < v->len; i++)
			if ((rc = add_ql(t, &v->u.a[i], 1, err)) != 0)
				return rc;
		return 0;
	default:
		return 0;
	}
}

/* add_found adds the values of t's identifier in the traces of r. */
static int
add_found(struct tq_tags *t, const struct tq_search_result *r,
    struct tq_err *err)
{
	size_t i, j, k, m;
	int rc = 0;

	for (i = 0; rc == 0 && i < r->n; i++) {
		const struct tq_search_trace *tr = r->traces[i];

		if (t->src == SRC_COLUMN && t->intrinsic == TQ_QL_I_ROOT_SERVICE) {
			rc = set_add(&t->vals, TQ_TAGS_STRING, tr->root_service,
			    strlen(tr->root_service), err);
			continue;
		}
		if (t->src == SRC_COLUMN && t->intrinsic == TQ_QL_I_ROOT_NAME) {
			rc = set_add(&t->vals, TQ_TAGS_STRING, tr->root_name,
			    strlen(tr->root_name), err);
			continue;
		}
		for (j = 0; rc == 0 && j < tr->nsets; j++)
			for (k = 0; rc == 0 && k < tr->sets[j].nspans; k++) {
				const struct tq_search_span *sp =
				    &tr->sets[j].spans[k];

				if (t->src == SRC_COLUMN &&
				    t->intrinsic == TQ_QL_I_NAME) {
					rc = set_add(&t->vals, TQ_TAGS_STRING,
					    sp->name, strlen(sp->name), err);
					continue;
				}
				for (m = 0; rc == 0 && m < sp->nattrs; m++)
					if (strcmp(sp->attrs[m].key, t->key) == 0)
						rc = add_ql(t, &sp->attrs[m].val,
						    0, err);
			}
	}
	return rc;
}

/*
 * query_block runs the prepared query sq over block m and adds the
 * values the matches show; *traces counts the traces found, at most
 * TQ_TAGS_MAX_QUERY_TRACES.
 */
static int
query_block(struct tq_tags *t, struct tq_store *s,
    const struct tq_block_meta *m, struct tq_search_query *sq,
    struct tq_search_opts *o, size_t *traces, struct tq_err *err)
{
	struct tq_search_result *r = NULL;
	struct tq_block *b = NULL;
	uint64_t reads, before = 0, after;
	int rc;

	if ((rc = tq_block_open_meta(s, m, &b, err)) != 0) {
		tq_err_prefix(err, rc, "block %s", m->block_id);
		return rc;
	}
	tq_block_io(b, &reads, &before);
	/* At most the traces still wanted are kept (the most recent). */
	o->limit = TQ_TAGS_MAX_QUERY_TRACES - *traces;
	if ((rc = tq_search_result_new(&r, err)) == 0 &&
	    (rc = tq_search_block(sq, b, o, r, err)) == 0) {
		tq_search_finish(r, o);
		*traces += r->n;
		if (r->limited)
			t->vals.cut = true;
		rc = add_found(t, r, err);
	}
	tq_block_io(b, &reads, &after);
	t->inspected += after - before;
	t->blocks++;
	tq_search_result_free(r);
	tq_block_free(b);
	return rc;
}

int
tq_tags_query(struct tq_tags *t, struct tq_store *s, const char *tenant,
    int64_t start_ns, int64_t end_ns, const char *query, struct tq_err *err)
{
	struct tq_ql_query *q = NULL, *sel = NULL;
	struct tq_search_query *sq = NULL;
	struct tq_search_opts o;
	struct tq_ql_node **items, *root, *last;
	struct metas l;
	struct tq_buf text;
	size_t i, traces = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	tq_buf_init(&text, TQ_QL_MAX_QUERY);
	if (!t->values) {
		rc = tq_err_set(err, TQ_EINVAL, "tags: a query filters values");
		goto out;
	}
	if ((rc = tq_ql_compile(query, strlen(query), &q, err)) != 0) {
		tq_err_prefix(err, rc, "query");
		goto out;
	}
	if (q->result != TQ_QL_RESULT_SPANSETS || q->root->kind !=
	    TQ_QL_PIPELINE) {
		rc = tq_err_set(err, TQ_EINVAL, "query: not a search (spanset) "
		    "query");
		goto out;
	}
	if (!tq_tags_needs_data(t))
		goto out;
	/* The query, then select(identifier) so that matches show it. */
	if ((rc = tq_buf_printf(&text, "{ } | select(%s)", t->ident)) != 0 ||
	    (rc = tq_ql_compile((const char *)text.data, text.len, &sel,
	    err)) != 0) {
		rc = tq_err_set(err, TQ_EINVAL, "please provide a valid "
		    "tagName: %s", t->ident);
		goto out;
	}
	root = q->root;
	last = sel->root->items[sel->root->nitems - 1];
	if ((items = tq_arena_calloc(&q->arena, root->nitems + 1,
	    sizeof(*items))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "tags: out of memory");
		goto out;
	}
	memcpy(items, root->items, root->nitems * sizeof(*items));
	items[root->nitems] = last;
	root->items = items;
	root->nitems++;
	if (root->height < last->height + 1)
		root->height = last->height + 1;
	tq_search_opts_init(&o);
	o.start_ns = start_ns;
	o.end_ns = end_ns;
	o.limit = 0;
	o.spss = 0;
	if ((rc = tq_search_query_new(q, &sq, err)) != 0)
		goto out;
	l.start_s = start_ns > 0 ? start_ns / 1000000000 : 0;
	l.end_s = end_ns > 0 ? (end_ns + 999999999) / 1000000000 : 0;
	if ((rc = tq_block_list(s, tenant, false, collect, &l, err)) ==
	    TQ_ENOMEM)
		rc = tq_err_set(err, rc, "tags: out of memory");
	for (i = 0; rc == 0 && i < l.n; i++) {
		if (traces >= TQ_TAGS_MAX_QUERY_TRACES) {
			t->vals.cut = true;
			break;
		}
		rc = query_block(t, s, &l.m[i], sq, &o, &traces, err);
	}
out:
	free(l.m);
	tq_search_query_free(sq);
	tq_ql_free(sel);
	tq_ql_free(q);
	tq_buf_release(&text);
	return rc;
}

int
tq_tags_add(struct tq_tags *t, int type, const char *text, size_t len,
    struct tq_err *err)
{
	if (!t->values)
		return tq_err_set(err, TQ_EINVAL, "tags: values added to names");
	if (type < TQ_TAGS_STRING || type > TQ_TAGS_KEYWORD)
		return tq_err_set(err, TQ_EINVAL, "tags: bad type %d", type);
	return set_add(&t->vals, type, text, len, err);
}

static int
set_merge(struct set *dst, const struct set *src, struct tq_err *err)
{
	size_t i;
	int rc;

	dst->cut |= src->cut;
	for (i = 0; i < src->n; i++)
		if ((rc = set_add(dst, src->e[i].it.type, src->e[i].it.text,
		    src->e[i].it.len, err)) != 0)
			return rc;
	return 0;
}

int
tq_tags_merge(struct tq_tags *dst, const struct tq_tags *src,
    struct tq_err *err)
{
	int i, rc;

	if (dst->values != src->values)
		return tq_err_set(err, TQ_EINVAL, "tags: merging names with "
		    "values");
	for (i = 0; i < TQ_TAGS_NSCOPES; i++)
		if ((rc = set_merge(&dst->names[i], &src->names[i], err)) != 0)
			return rc;
	if ((rc = set_merge(&dst->vals, &src->vals, err)) != 0)
		return rc;
	dst->inspected += src->inspected;
	dst->blocks += src->blocks;
	return 0;
}

/* ---- results ---- */

size_t
tq_tags_names(struct tq_tags *t, int scope, const struct tq_tags_item **out)
{
	*out = NULL;
	if (t->values || scope < 0 || scope >= TQ_TAGS_NSCOPES ||
	    !(t->mask & (1u << scope)))
		return 0;
	if (scope == TQ_TAGS_INTRINSIC) {
		*out = intrinsics;
		return NELEM(intrinsics);
	}
	return set_items(&t->names[scope], out);
}

size_t
tq_tags_values(struct tq_tags *t, const struct tq_tags_item **out)
{
	*out = NULL;
	if (!t->values)
		return 0;
	switch (t->src) {
	case SRC_STATUS:
		*out = status_values;
		return NELEM(status_values);
	case SRC_KIND:
		*out = kind_values;
		return NELEM(kind_values);
	case SRC_NONE:
		return 0;
	default:
		return set_items(&t->vals, out);
	}
}

uint64_t
tq_tags_inspected_bytes(const struct tq_tags *t)
{
	return t->inspected;
}

size_t
tq_tags_blocks(const struct tq_tags *t)
{
	return t->blocks;
}

bool
tq_tags_truncated(const struct tq_tags *t)
{
	int i;

	if (t->values)
		return t->vals.cut;
	for (i = 0; i < TQ_TAGS_NSCOPES; i++)
		if (t->names[i].cut)
			return true;
	return false;
}

/* utf8_len returns the length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const uint8_t *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* json_str appends len bytes of p as a JSON string. */
static int
json_str(struct tq_buf *b, const char *p, size_t len)
{
	const uint8_t *s = (const uint8_t *)p;
	size_t i = 0, run, n;
	int rc;

	if ((rc = tq_buf_putc(b, '"')) != 0)
		return rc;
	while (i < len) {
		for (run = i; run < len && s[run] >= 0x20 && s[run] < 0x80 &&
		    s[run] != '"' && s[run] != '\\'; run++)
			;
		if (run > i && (rc = tq_buf_append(b, s + i, run - i)) != 0)
			return rc;
		if ((i = run) == len)
			break;
		if (s[i] == '"' || s[i] == '\\')
			rc = tq_buf_printf(b, "\\%c", s[i]);
		else if (s[i] == '\n')
			rc = tq_buf_puts(b, "\\n");
		else if (s[i] == '\t')
			rc = tq_buf_puts(b, "\\t");
		else if (s[i] == '\r')
			rc = tq_buf_puts(b, "\\r");
		else if (s[i] < 0x20)
			rc = tq_buf_printf(b, "\\u%04x", s[i]);
		else if ((n = utf8_len(s + i, len - i)) > 0) {
			rc = tq_buf_append(b, s + i, n);
			i += n - 1;
		} else
			rc = tq_buf_puts(b, "\xef\xbf\xbd");
		if (rc != 0)
			return rc;
		i++;
	}
	return tq_buf_putc(b, '"');
}

static int
json_metrics(struct tq_tags *t, struct tq_buf *b)
{
	return tq_buf_printf(b, "],\"metrics\":{\"inspectedBytes\":\"%llu\"}}",
	    (unsigned long long)t->inspected);
}

static int
json_fail(struct tq_err *err, int rc)
{
	return tq_err_set(err, rc, "tags: reply: %s", tq_strerror(rc));
}

/* shown tells whether the v2 reply lists scope. */
static bool
shown(struct tq_tags *t, int scope)
{
	const struct tq_tags_item *it;
	bool one = (t->mask & (t->mask - 1)) == 0;

	if (!(t->mask & (1u << scope)))
		return false;
	return one || scope == TQ_TAGS_INTRINSIC ||
	    tq_tags_names(t, scope, &it) > 0;
}

int
tq_tags_json(struct tq_tags *t, struct tq_buf *out, struct tq_err *err)
{
	const struct tq_tags_item *it;
	size_t n, i;
	int scope, rc, first = 1;

	if (t->values) {
		n = tq_tags_values(t, &it);
		rc = tq_buf_puts(out, "{\"tagValues\":[");
		for (i = 0; rc == 0 && i < n; i++) {
			if ((rc = tq_buf_printf(out, "%s{\"type\":\"%s\","
			    "\"value\":", i ? "," : "",
			    tq_tags_type_name(it[i].type))) == 0 &&
			    (rc = json_str(out, it[i].text, it[i].len)) == 0)
				rc = tq_buf_putc(out, '}');
		}
		if (rc == 0)
			rc = json_metrics(t, out);
		return rc == 0 ? 0 : json_fail(err, rc);
	}
	rc = tq_buf_puts(out, "{\"scopes\":[");
	for (scope = 0; rc == 0 && scope < TQ_TAGS_NSCOPES; scope++) {
		if (!shown(t, scope))
			continue;
		n = tq_tags_names(t, scope, &it);
		rc = tq_buf_printf(out, "%s{\"name\":\"%s\",\"tags\":[",
		    first ? "" : ",", scope_names[scope]);
		first = 0;
		for (i = 0; rc == 0 && i < n; i++)
			if ((rc = i > 0 ? tq_buf_putc(out, ',') : 0) == 0)
				rc = json_str(out, it[i].text, it[i].len);
		if (rc == 0)
			rc = tq_buf_puts(out, "]}");
	}
	if (rc == 0)
		rc = json_metrics(t, out);
	return rc == 0 ? 0 : json_fail(err, rc);
}

int
tq_tags_json_v1(struct tq_tags *t, struct tq_buf *out, struct tq_err *err)
{
	const struct tq_tags_item *it;
	struct set all;
	size_t n, i;
	int scope, rc = 0;

	if (t->values) {
		n = tq_tags_values(t, &it);
		rc = tq_buf_puts(out, "{\"tagValues\":[");
		for (i = 0; rc == 0 && i < n; i++)
			if ((rc = i > 0 ? tq_buf_putc(out, ',') : 0) == 0)
				rc = json_str(out, it[i].text, it[i].len);
		if (rc == 0)
			rc = json_metrics(t, out);
		return rc == 0 ? 0 : json_fail(err, rc);
	}
	if (t->mask == 1u << TQ_TAGS_INTRINSIC) {
		n = tq_tags_names(t, TQ_TAGS_INTRINSIC, &it);
		rc = tq_buf_puts(out, "{\"tagNames\":[");
		for (i = 0; rc == 0 && i < n; i++)
			if ((rc = i > 0 ? tq_buf_putc(out, ',') : 0) == 0)
				rc = json_str(out, it[i].text, it[i].len);
		if (rc == 0)
			rc = json_metrics(t, out);
		return rc == 0 ? 0 : json_fail(err, rc);
	}
	/* Every scope's names in one list: as many as the scopes hold. */
	set_init(&all, TQ_TAGS_MAX_LIMIT);
	for (scope = TQ_TAGS_RESOURCE; rc == 0 && scope < TQ_TAGS_NSCOPES;
	    scope++) {
		n = tq_tags_names(t, scope, &it);
		for (i = 0; rc == 0 && i < n; i++)
			rc = set_add(&all, TQ_TAGS_STRING, it[i].text,
			    it[i].len, err);
	}
	if (rc == 0) {
		n = set_items(&all, &it);
		rc = tq_buf_puts(out, "{\"tagNames\":[");
		for (i = 0; rc == 0 && i < n; i++)
			if ((rc = i > 0 ? tq_buf_putc(out, ',') : 0) == 0)
				rc = json_str(out, it[i].text, it[i].len);
		if (rc == 0)
			rc = json_metrics(t, out);
		if (rc != 0)
			rc = json_fail(err, rc);
	}
	set_release(&all);
	return rc;
}
