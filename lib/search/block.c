/*
 * block.c: batches over the row groups of a block's data.parquet (see
 * search.h).
 *
 * A row group is one batch.  Its skeleton comes from the levels of the
 * smallest required span column: which trace, resource and scope each
 * span belongs to.  Every other field is decoded only when the evaluator
 * asks for it, and its values are placed by counting entities in their
 * levels (Dremel): a value of a resource column belongs to the n-th
 * resource, an attribute value to the n-th attribute, which belongs to
 * the m-th span.  A comparison of a field with a literal is tested on the
 * stored values themselves: once per dictionary entry, then by index.
 * Columns are found by name, so blocks other writers made read the same.
 *
 * Before any data page, a row group is skipped when the statistics or the
 * dictionary of a column show that a condition every result needs cannot
 * hold in it, or that none of its traces is in the time range.  With a
 * limit, every row group is scanned first and results are then built
 * only from those still holding one of the limit newest matches, over
 * those traces alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"
#include "search-int.h"

#define SPAN	"rs.list.element.ss.list.element.Spans.list.element."
#define RES	"rs.list.element.Resource."
#define SCOPE	"rs.list.element.ss.list.element.Scope."
#define MAX_COLS	64
/*
 * A value the dictionaries of this many row groups in a row held is
 * common (rows are in trace ID order, values spread evenly): checking the
 * next row groups' dictionaries for it would cost more than it saves.
 */
#define DICT_HELD_ENOUGH	8
#define MAX_DICT_NEEDS		32

/* Where entities of one kind start: an entry with rep <= rep and
 * def >= def begins a new one. */
struct level {
	int	rep, def;
};

/*
 * What a scan's in_step found in one row group for the traces that could
 * still be among the limit most recent: their entities' values of one
 * attribute, which the build pass takes instead of reading and walking
 * the columns again.
 */
struct memo_ent {
	uint32_t		 e;	/* the entity */
	uint32_t		 kv;	/* its key's entry, IsArray's index */
	uint32_t		 nv;	/* its values, at v */
	struct tq_ql_value	*v;
};

struct memo {
	size_t			 rg;
	const char		*prefix;
	const char		*name;
	size_t			 len;
	int			 k;	/* the typed value column */
	uint8_t			*covered;	/* per trace: all its entities */
	size_t			 n_traces;
	struct memo_ent		*ent;
	size_t			 n;
};

struct src {
	struct tq_parquet_reader	*pr;
	const struct tq_parquet_schema	*s;
	const struct tq_block_meta	*meta;
	size_t				 rg;
	struct level			 trace_l, rs_l, ss_l, span_l;
	size_t				 n_spans, n_traces, n_rs, n_ss;
	uint32_t			*span_trace, *span_rs, *span_ss;
	/* The column the skeleton came from; span_rs, span_ss, n_rs and
	 * n_ss are worked out from it when first needed (scoped). */
	const struct tq_parquet_column	*skel;
	bool				 scoped;
	uint32_t			*trace_first;
	/* Where each trace's entries start in a column of spans' levels
	 * (entries: spans, and one for each empty list on the way). */
	uint32_t			*trace_entry;
	const uint8_t			*want;	/* per trace; NULL: all */
	/* A span column the query reads anyway: the skeleton's source
	 * when it has the spans' levels (NULL: none). */
	const char			*spine;
	char				 spine_buf[256];
	/* A batch of some traces only (NULL: all): the row group's spans
	 * and traces it holds, in order, and its spans by trace. */
	uint32_t			*sel_span, *sel_trace, *sel_first;
	uint32_t			*sel_pos;	/* by span */
	size_t				 n_sel_spans, n_sel_traces;
	size_t				 want_next;	/* want_sel's cursor */
	/* Columns read, each slot reused (memory and all) by the same
	 * column of the next row group; col_rg says which one it holds. */
	struct tq_parquet_column	 cols[MAX_COLS];
	int				 col_no[MAX_COLS];
	int				 col_flags[MAX_COLS];
	bool				 col_some[MAX_COLS];
	size_t				 col_rg[MAX_COLS];
	size_t				 ncols;
	/* owners() results for this row group. */
	struct {
		const struct tq_parquet_column	*c;
		struct level			 l;
		uint32_t			*o;
		size_t				 n;
	}				 owners[MAX_COLS];
	size_t				 nowners;
	/* 0, 1, 2, ...: the owners of a column with one value for each
	 * entity of its level (n_ident of them, this row group). */
	uint32_t			*ident;
	size_t				 n_ident;
	/* Row groups in a row whose dictionaries held need i's value. */
	unsigned			 dict_held[MAX_DICT_NEEDS];
	/* The pass under way, and the memos of a two-pass search: cand
	 * (per trace of the row group, NULL until needed) marks the traces
	 * that could still be results; memo_off once the cap is reached. */
	enum tq_search_pass		 pass;
	const struct tq_search_result	*r;
	size_t				 limit;
	uint8_t				*cand;
	struct memo			*memo;
	size_t				 nmemo, capmemo;
	struct tq_buf			 memo_ent;
	struct tq_arena			 memo_a;
	bool				 memo_off;
	/* The traces (row-group numbers, ascending) a scan counted, which
	 * alone its build can show: row group rg's are kept[rg].n from
	 * kept[rg].at on (at SIZE_MAX: over the cap, not kept). */
	struct tq_buf			 hits;
	struct { size_t at, n; }	*kept;
	struct tq_err			*err;
};

static int
node_find(const struct tq_parquet_schema *s, const char *path)
{
	size_t i;

	for (i = 1; i < s->n_nodes; i++) {
		const char *end = path + strlen(path);
		int n = (int)i;

		/* Match the path from its last component up. */
		while (n > 0) {
			const char *name = s->nodes[n].name;
			size_t len = strlen(name);
			const char *start = end - len;

			if (start < path || memcmp(start, name, len) != 0 ||
			    (start > path && start[-1] != '.'))
				break;
			n = s->parent[n];
			if (start == path) {
				if (n == 0)
					return (int)i;
				break;
			}
			end = start - 1;
		}
	}
	return -1;
}

static struct level
level_of(const struct tq_parquet_schema *s, const char *list)
{
	struct level l = { 0, 0 };
	int n = node_find(s, list);

	if (n >= 0) {
		l.rep = s->rep[n];
		l.def = s->def[n];
	}
	return l;
}

static bool	want_sel(void *, size_t, size_t);

/* serves says whether column c, read with flags have, serves a read
 * with flags want: the same but for levels that want can do without (the
 * definition levels are there after all when some entry is null). */
static bool
serves(const struct tq_parquet_column *c, int have, int want)
{
	int spare = TQ_PARQUET_READ_NO_REP | TQ_PARQUET_READ_DEF_IF_NULLS;

	if (c->def != NULL)
		have &= ~TQ_PARQUET_READ_DEF_IF_NULLS;
	return (have & ~spare) == (want & ~spare) && (have & spare & ~want) == 0;
}

/*
 * read_column reads column path (NULL when the file has no such column);
 * with some, only the pages holding the selected traces' entries.
 */
static int
read_column(struct src *x, const char *path, int flags, bool some,
    const struct tq_parquet_column **out)
{
	int col = tq_parquet_schema_find(x->s, path), rc;
	size_t i;

	*out = NULL;
	if (col < 0)
		return 0;
	/* Every page, when read already, serves a selection too, and with
	 * more levels, a read that needs fewer. */
	for (i = 0; i < x->ncols; i++)
		if (x->col_no[i] == col && !x->col_some[i] &&
		    x->col_rg[i] == x->rg &&
		    serves(&x->cols[i], x->col_flags[i], flags)) {
			*out = &x->cols[i];
			return 0;
		}
	for (i = 0; i < x->ncols; i++)
		if (x->col_no[i] == col && x->col_flags[i] == flags &&
		    x->col_some[i] == some)
			break;
	if (i == x->ncols) {
		if (x->ncols == MAX_COLS)
			return tq_err_set(x->err, TQ_ELIMIT,
			    "search: a query reads more than %d columns",
			    MAX_COLS);
		memset(&x->cols[i], 0, sizeof(x->cols[0]));
		x->col_no[i] = col;
		x->col_flags[i] = flags;
		x->col_some[i] = some;
		x->col_rg[i] = SIZE_MAX;
		x->ncols++;
	}
	/* A selection lasts one row group, as what is read for it. */
	if (x->col_rg[i] != x->rg) {
		x->col_rg[i] = SIZE_MAX;
		x->want_next = 0;
		if ((rc = tq_parquet_reader_read_some(x->pr, x->rg, col,
		    flags | TQ_PARQUET_READ_REUSE, some ? want_sel : NULL, x,
		    &x->cols[i], x->err)) != 0)
			return rc;
		x->col_rg[i] = x->rg;
	}
	*out = &x->cols[i];
	return 0;
}

/* column reads every page of column path. */
static int
column(struct src *x, const char *path, int flags,
    const struct tq_parquet_column **out)
{
	return read_column(x, path, flags, false, out);
}

/*
 * owned_column reads every page of column path, its values to be given
 * to entities of level l: at the level of its last list (spans, for a
 * column of the spans), every entry at that definition level starts an
 * entity, so the repetition levels are not needed; nor are the
 * definition levels when every entry holds a value (owners() knows).
 */
static int
owned_column(struct src *x, const char *path, struct level l,
    const struct tq_parquet_column **out)
{
	int col = tq_parquet_schema_find(x->s, path);
	int flags = TQ_PARQUET_READ_DICT_INDICES | TQ_PARQUET_READ_DEF_IF_NULLS;

	if (col >= 0 && l.rep > 0 && x->s->columns[col].max_rep == l.rep)
		flags |= TQ_PARQUET_READ_NO_REP;
	return column(x, path, flags, out);
}

/* want_sel says whether entries [first, first + n) of a column of spans
 * hold one of a selected trace; asked in order. */
static bool
want_sel(void *arg, size_t first, size_t n)
{
	struct src *x = arg;

	while (x->want_next < x->n_sel_traces &&
	    x->trace_entry[x->sel_trace[x->want_next] + 1] <= first)
		x->want_next++;
	return x->want_next < x->n_sel_traces &&
	    x->trace_entry[x->sel_trace[x->want_next]] < first + n;
}

static void
release(struct src *x)
{
	size_t i;

	for (i = 0; i < x->ncols; i++)
		tq_parquet_column_release(&x->cols[i]);
	x->ncols = 0;
	x->nowners = 0;
}

/* next_row_group forgets what was worked out for the last one. */
static void
next_row_group(struct src *x)
{
	x->nowners = 0;
	x->ident = NULL;
	x->n_ident = 0;
	x->scoped = false;
	x->want = NULL;
	x->cand = NULL;
	x->sel_span = x->sel_trace = x->sel_first = x->sel_pos = NULL;
}

/*
 * owners gives, for each value of c, the index of the entity of level l
 * it belongs to (UINT32_MAX before the first entity: corrupt levels,
 * which callers' bounds checks catch); *n gets the number of entities
 * seen.  Results are kept for the row group: several fields read the
 * same column.
 */
static int
owners(struct src *x, const struct tq_parquet_column *c, struct level l,
    struct tq_arena *a, uint32_t **out, size_t *n)
{
	const struct tq_parquet_column_desc *d = &x->s->columns[c->col];
	uint32_t *o, ent = 0, maxdef = (uint32_t)d->max_def;
	size_t i, v = 0, k;

	for (k = 0; k < x->nowners; k++)
		if (x->owners[k].c == c && x->owners[k].l.rep == l.rep &&
		    x->owners[k].l.def == l.def) {
			*out = x->owners[k].o;
			*n = x->owners[k].n;
			return 0;
		}
	/*
	 * A column of spans with a value for every span (or of traces with
	 * one for every trace): value i is entity i.
	 */
	if (d->max_rep == l.rep && c->n_values == (l.rep == x->span_l.rep &&
	    l.def == x->span_l.def ? x->n_spans : l.rep == x->trace_l.rep &&
	    l.def == x->trace_l.def ? x->n_traces : SIZE_MAX)) {
		if (x->n_ident < c->n_values) {
			if ((x->ident = tq_arena_alloc(a, (c->n_values + 1) *
			    sizeof(*x->ident))) == NULL)
				return tq_err_set(x->err, TQ_ENOMEM,
				    "search: out of memory");
			for (i = 0; i <= c->n_values; i++)
				x->ident[i] = (uint32_t)i;
			x->n_ident = c->n_values;
		}
		o = x->ident;
		ent = (uint32_t)c->n_values;
		v = c->n_values;
		goto keep;
	}
	/* One slot more than values: the loops store before they count. */
	if ((o = tq_arena_alloc(a, (c->n_values + 1) * sizeof(*o))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	if (c->def == NULL) {
		/* Every entry holds a value. */
		for (i = 0; i < c->n_levels && i < c->n_values; i++) {
			ent += (c->rep ? c->rep[i] : 0) <= l.rep;
			o[i] = ent - 1;
		}
		v = i;
	} else {
		const uint16_t *rep = c->rep, *def = c->def;
		uint32_t lrep = (uint32_t)l.rep, ldef = (uint32_t)l.def;
		size_t nv = c->n_values;

		/* The reader counted the values: at most nv entries are at
		 * the maximum level, so v stays within o's nv + 1 slots. */
		if (rep == NULL)
			for (i = 0; i < c->n_levels; i++) {
				uint32_t df = def[i];

				ent += df >= ldef;
				o[v] = ent - 1;
				v += df == maxdef;
			}
		else
			for (i = 0; i < c->n_levels; i++) {
				uint32_t r = rep[i], df = def[i];

				ent += (r <= lrep) & (df >= ldef);
				o[v] = ent - 1;
				v += df == maxdef;
			}
		if (v > nv)
			return tq_err_set(x->err, TQ_ECORRUPT, "%s: bad levels",
			    d->path);
	}
	if (v != c->n_values)
		return tq_err_set(x->err, TQ_ECORRUPT, "%s: bad levels", d->path);
keep:
	if (x->nowners < MAX_COLS) {
		x->owners[x->nowners].c = c;
		x->owners[x->nowners].l = l;
		x->owners[x->nowners].o = o;
		x->owners[x->nowners].n = ent;
		x->nowners++;
	}
	*out = o;
	*n = ent;
	return 0;
}

/* ---- values of one column ---- */

/* bytes_at gives value i of a byte-array column (its dictionary entry
 * when the column kept indexes). */
static void
bytes_at(const struct tq_parquet_column *c, size_t i, const uint8_t **p,
    size_t *n)
{
	if (c->idx != NULL) {
		i = c->idx[i];
		c = c->dict;
	}
	if (c->type == TQ_PARQUET_BYTE_ARRAY) {
		*p = c->data + c->off[i];
		*n = c->off[i + 1] - c->off[i];
	} else {
		*p = c->data + i * (size_t)c->width;
		*n = (size_t)c->width;
	}
}

static void
value_at(const struct tq_parquet_column *c, size_t i, int how,
    struct tq_ql_value *v)
{
	if (c->idx != NULL) {
		value_at(c->dict, c->idx[i], how, v);
		return;
	}
	memset(v, 0, sizeof(*v));
	switch (c->type) {
	case TQ_PARQUET_BYTE_ARRAY:
		tq_search_str(v, (const char *)c->data + c->off[i],
		    c->off[i + 1] - c->off[i]);
		return;
	case TQ_PARQUET_BOOLEAN:
		v->type = TQ_QL_T_BOOL;
		v->u.b = c->b[i] != 0;
		return;
	case TQ_PARQUET_DOUBLE:
		v->type = TQ_QL_T_FLOAT;
		v->u.f = c->f64[i];
		return;
	case TQ_PARQUET_FLOAT:
		v->type = TQ_QL_T_FLOAT;
		v->u.f = c->f32[i];
		return;
	case TQ_PARQUET_INT32:
	case TQ_PARQUET_INT64:
		v->type = (uint8_t)how;
		v->u.i = c->type == TQ_PARQUET_INT32 ? c->i32[i] : c->i64[i];
		if (how == TQ_QL_T_STATUS)
			v->u.i = tq_search_status(v->u.i);
		else if (how == TQ_QL_T_KIND)
			v->u.i = tq_search_kind(v->u.i);
		return;
	default:
		return;
	}
}

/* ints_at gives integer value i of c (its dictionary entry when the
 * column kept indexes). */
static inline int64_t
ints_at(const struct tq_parquet_column *c, size_t i)
{
	if (c->idx != NULL) {
		i = c->idx[i];
		c = c->dict;
	}
	return c->type == TQ_PARQUET_INT64 ? c->i64[i] : c->i32[i];
}

/* wanted says whether entity e of level l belongs to a trace that
 * matters (see struct tq_ql_batch's only). */
static bool
wanted(const struct src *x, struct level l, uint32_t e)
{
	if (x->want == NULL)
		return true;
	if (l.rep == x->span_l.rep && l.def == x->span_l.def)
		return x->want[x->span_trace[e]];
	if (l.rep == x->trace_l.rep && l.def == x->trace_l.def)
		return x->want[e];
	return true;
}

/* How a column's values become TraceQL values. */
enum { AS_PLAIN = -1, AS_HEX = -2 };

/*
 * place_values reads column path and sets v[e] to the value of entity e
 * of level l (v holds n entities, zeroed: nil where absent); with remap,
 * v[remap[e]] instead, and nothing for entities remapped to UINT32_MAX.
 */
/* How place_values puts values of a column into an array of entities. */
struct placing {
	const char			*path;
	const struct tq_parquet_column	*c;
	struct level			 l;
	int				 how;
	bool				 plain_int;
	const uint32_t			*remap;
	struct tq_ql_value		*v;
	size_t				 n;
	struct tq_arena			*a;
};

/* place_from makes pl place the values of column c. */
static void
place_from(struct placing *pl, const struct tq_parquet_column *c)
{
	pl->c = c;
	/* Integers as such: no type to convert. */
	pl->plain_int = (pl->how == TQ_QL_T_INT ||
	    pl->how == TQ_QL_T_DURATION) && (c->type == TQ_PARQUET_INT64 ||
	    c->type == TQ_PARQUET_INT32);
}

/* put_value puts value i of the column, of entity e, in place. */
static inline int
put_value(struct src *x, const struct placing *pl, size_t i, uint32_t e)
{
	const struct tq_parquet_column *c = pl->c;
	struct tq_ql_value *v = pl->v;

	if (e >= (pl->remap != NULL ? x->n_spans : pl->n))
		return tq_err_set(x->err, TQ_ECORRUPT,
		    "%s: more entities than spans", pl->path);
	if (!wanted(x, pl->l, e))
		return 0;
	if (pl->remap != NULL && (e = pl->remap[e]) == UINT32_MAX)
		return 0;
	if (pl->how == AS_HEX) {
		const uint8_t *p;
		size_t len;

		if (c->type != TQ_PARQUET_BYTE_ARRAY &&
		    c->type != TQ_PARQUET_FIXED_LEN_BYTE_ARRAY)
			return 0;
		bytes_at(c, i, &p, &len);
		if (!tq_search_hex(pl->a, p, len, &v[e]))
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
	} else if (pl->plain_int) {
		/* v[e] is zeroed: the type and number suffice. */
		v[e].type = (uint8_t)pl->how;
		v[e].u.i = ints_at(c, i);
	} else {
		value_at(c, i, pl->how, &v[e]);
	}
	return 0;
}

/* trace_at finds the trace whose entries start at entry e (-1: none). */
static int64_t
trace_at(const struct src *x, size_t e)
{
	size_t lo = 0, hi = x->n_traces;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->trace_entry[mid] < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n_traces && x->trace_entry[lo] == e ? (int64_t)lo : -1;
}

/* count_at counts the entries of [from, to) at level lim (every one,
 * without levels: a column whose entries all hold values). */
static size_t
count_at(const uint16_t *lv, size_t from, size_t to, uint16_t lim)
{
	uint32_t n = 0;
	size_t i;

	if (lv == NULL)
		return to - from;
	for (i = from; i < to; i++)
		n += (uint32_t)(lv[i] == lim);
	return n;
}

/*
 * trace_parts gives the selected traces' entries of column c, which holds
 * the n_in parts in (pages read; one part when read whole), as parts of
 * their own; the values before each are counted, not placed.  Returns 1
 * when a selected trace is not wholly in one part read.
 */
static int
trace_parts(struct src *x, const struct tq_parquet_column *c,
    const struct tq_parquet_part *in, size_t n_in, struct tq_arena *a,
    const struct tq_parquet_part **out, size_t *n)
{
	uint16_t maxdef = (uint16_t)x->s->columns[c->col].max_def;
	struct tq_parquet_part *parts;
	size_t k, p = 0, lvl = 0, vi = 0;

	if ((parts = tq_arena_alloc(a, (x->n_sel_traces ? x->n_sel_traces : 1) *
	    sizeof(*parts))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	if (n_in > 0) {
		lvl = in[0].level;
		vi = in[0].value;
	}
	for (k = 0; k < x->n_sel_traces; k++) {
		uint32_t t = x->sel_trace[k];
		size_t from = x->trace_entry[t], to = x->trace_entry[t + 1], at;

		while (p < n_in && in[p].first + in[p].n <= from)
			if (++p < n_in) {
				lvl = in[p].level;
				vi = in[p].value;
			}
		if (p == n_in || from < in[p].first ||
		    to > in[p].first + in[p].n ||
		    in[p].level + in[p].n > c->n_levels)
			return 1;
		at = in[p].level + (from - in[p].first);
		if (at < lvl)
			return 1;
		vi += count_at(c->def, lvl, at, maxdef);
		parts[k].first = from;
		parts[k].n = to - from;
		parts[k].level = at;
		parts[k].value = vi;
		vi += count_at(c->def, at, at + (to - from), maxdef);
		lvl = at + (to - from);
	}
	*out = parts;
	*n = x->n_sel_traces;
	return 0;
}

/*
 * place_some places a column of spans' values for the selected traces
 * from the pages holding them alone.  Returns 1, having placed nothing,
 * when a run of those pages does not start a trace (other writers may
 * cut pages inside records): the caller then reads every page.
 */
static int
place_some(struct src *x, struct placing *pl)
{
	const struct tq_parquet_column *c;
	const struct tq_parquet_part *parts = NULL;
	struct tq_parquet_part whole = { 0, 0, 0, 0 };
	uint32_t lrep = (uint32_t)pl->l.rep, ldef = (uint32_t)pl->l.def;
	size_t p, i, nparts = 0;
	int rc;

	if ((rc = read_column(x, pl->path, TQ_PARQUET_READ_DICT_INDICES |
	    TQ_PARQUET_READ_DEF_IF_NULLS, true, &c)) != 0 || c == NULL)
		return rc;
	if (c->rep == NULL || x->s->columns[c->col].max_def == 0)
		return 1;
	/* The selected traces' entries alone, of the pages read. */
	if (c->n_parts == 0)
		whole.n = c->n_levels;
	if ((rc = trace_parts(x, c, c->n_parts ? c->parts : &whole,
	    c->n_parts ? c->n_parts : 1, pl->a, &parts, &nparts)) != 0)
		return rc;
	for (p = 0; p < nparts; p++)
		if (trace_at(x, parts[p].first) < 0)
			return 1;
	place_from(pl, c);
	for (p = 0; p < nparts; p++) {
		const struct tq_parquet_part *pt = &parts[p];
		uint32_t maxdef = (uint32_t)x->s->columns[c->col].max_def;
		uint32_t ent = x->trace_first[trace_at(x, pt->first)];
		size_t vi = pt->value;

		/* Spans are counted on from the first of the part's trace. */
		for (i = pt->level; i < pt->level + pt->n; i++) {
			uint32_t df = c->def != NULL ? c->def[i] : maxdef;

			ent += (c->rep[i] <= lrep) & (df >= ldef);
			if (df == maxdef && (rc = put_value(x, pl, vi++,
			    ent - 1)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
place_values(struct src *x, const char *path, struct level l, int how,
    struct tq_arena *a, const uint32_t *remap, struct tq_ql_value *v,
    size_t n)
{
	struct placing pl = { .path = path, .l = l, .how = how,
	    .remap = remap, .v = v, .n = n, .a = a };
	const struct tq_parquet_column *c;
	uint32_t *own;
	size_t i, nent;
	int rc, col;

	if (how == AS_PLAIN)
		pl.how = TQ_QL_T_INT;
	/* Results of a few traces: the pages holding their spans. */
	if (remap != NULL && l.rep == x->span_l.rep &&
	    l.def == x->span_l.def && (col = tq_parquet_schema_find(x->s,
	    path)) >= 0 && x->s->columns[col].max_rep == l.rep &&
	    (rc = place_some(x, &pl)) <= 0)
		return rc;
	if ((rc = owned_column(x, path, l, &c)) != 0 || c == NULL)
		return rc;
	if ((rc = owners(x, c, l, a, &own, &nent)) != 0)
		return rc;
	place_from(&pl, c);
	/* Integers, one per entity, every one wanted: straight in. */
	if (own == x->ident && remap == NULL && x->want == NULL &&
	    pl.plain_int && c->idx == NULL && c->n_values <= n) {
		for (i = 0; i < c->n_values; i++) {
			v[i].type = (uint8_t)pl.how;
			v[i].u.i = c->type == TQ_PARQUET_INT64 ? c->i64[i] :
			    c->i32[i];
		}
		return 0;
	}
	/* A value for every span, and some traces only: theirs alone. */
	if (own == x->ident && remap == NULL && x->want != NULL &&
	    l.rep == x->span_l.rep && l.def == x->span_l.def &&
	    c->n_values == x->n_spans) {
		size_t t;

		for (t = 0; t < x->n_traces; t++)
			for (i = x->trace_first[t]; x->want[t] &&
			    i < x->trace_first[t + 1]; i++)
				if ((rc = put_value(x, &pl, i, (uint32_t)i)) != 0)
					return rc;
		return 0;
	}
	for (i = 0; i < c->n_values; i++)
		if ((rc = put_value(x, &pl, i, own[i])) != 0)
			return rc;
	return 0;
}

/* per_entity is place_values into a new array of n entities. */
static int
per_entity(struct src *x, const char *path, struct level l, int how,
    struct tq_arena *a, struct tq_ql_value **out, size_t n)
{
	if ((*out = tq_arena_calloc(a, n ? n : 1, sizeof(**out))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	return place_values(x, path, l, how, a, NULL, *out, n);
}

/* spread sets out[span] to per[map[span]] for every span. */
static void
spread(struct src *x, const struct tq_ql_value *per, const uint32_t *map,
    struct tq_ql_value *out)
{
	size_t i;

	for (i = 0; i < x->n_spans; i++)
		out[i] = per[map[i]];
}

/* per_span_list gathers, for each span, the values of a column of a list
 * under the span (events, links) into an array. */
static int
per_span_list(struct src *x, const char *path, int how, struct tq_arena *a,
    struct tq_ql_value *out)
{
	const struct tq_parquet_column *c;
	struct tq_ql_value *el;
	uint32_t *own, *cnt;
	size_t i, nent;
	int rc;

	if ((rc = column(x, path, TQ_PARQUET_READ_DICT_INDICES, &c)) != 0 ||
	    c == NULL)
		return rc;
	if ((rc = owners(x, c, x->span_l, a, &own, &nent)) != 0)
		return rc;
	if ((el = tq_arena_calloc(a, c->n_values ? c->n_values : 1,
	    sizeof(*el))) == NULL || (cnt = tq_arena_calloc(a, x->n_spans + 1,
	    sizeof(*cnt))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	for (i = 0; i < c->n_values; i++) {
		if (own[i] >= x->n_spans)
			return tq_err_set(x->err, TQ_ECORRUPT,
			    "%s: more entities than spans", path);
		if (how == AS_HEX) {
			const uint8_t *p;
			size_t len;

			bytes_at(c, i, &p, &len);
			if (!tq_search_hex(a, p, len, &el[i]))
				return tq_err_set(x->err, TQ_ENOMEM,
				    "search: out of memory");
		} else {
			value_at(c, i, how, &el[i]);
		}
		if (cnt[own[i]]++ == 0) {
			out[own[i]].type = TQ_QL_T_ARRAY;
			out[own[i]].u.a = &el[i];
		}
		out[own[i]].len = cnt[own[i]];
	}
	return 0;
}

/* ---- attributes ---- */

/* An attribute's typed value lists, and the TraceQL type of each. */
static const char *const vcols[] = { "Value.list.element",
	"ValueInt.list.element", "ValueDouble.list.element",
	"ValueBool.list.element" };
static const int vtype[] = { TQ_QL_T_STRING, TQ_QL_T_INT, TQ_QL_T_FLOAT,
	TQ_QL_T_BOOL };

/*
 * typed_column gives value list k of the attributes at prefix with the
 * attribute each value belongs to; *c is NULL when the query needs no
 * values of that type (types) or the file has no such column.
 */
static int
typed_column(struct src *x, const char *prefix, int k, unsigned types,
    struct level attr_l, struct tq_arena *a,
    const struct tq_parquet_column **c, uint32_t **own)
{
	char path[256];
	size_t nent;
	int rc;

	*c = NULL;
	if (types != 0 && (types & 1u << vtype[k]) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s%s", prefix, vcols[k]);
	if ((rc = column(x, path, TQ_PARQUET_READ_DICT_INDICES, c)) != 0 ||
	    *c == NULL)
		return rc;
	return owners(x, *c, attr_l, a, own, &nent);
}

/*
 * is_array_column reads the IsArray column of the attribute list at
 * prefix, unless its statistics say no attribute of the row group is an
 * array (*out NULL then).
 */
static int
is_array_column(struct src *x, const char *prefix,
    const struct tq_parquet_column **out)
{
	const struct tq_parquet_chunk *ch;
	char path[256];
	int col;

	*out = NULL;
	snprintf(path, sizeof(path), "%sIsArray", prefix);
	if ((col = tq_parquet_schema_find(x->s, path)) < 0)
		return 0;
	if ((ch = tq_parquet_reader_chunk(x->pr, x->rg, col)) != NULL &&
	    ch->stats.has_min_max && ch->stats.max_len == 1 &&
	    ch->stats.max[0] == 0)
		return 0;
	/* Its values are asked for by attribute, never by level. */
	return column(x, path, TQ_PARQUET_READ_NO_REP, out);
}

/* Per entity of a level: whether it has a value the condition can use,
 * and whether the condition holds for it. */
struct verdict {
	uint8_t	*has, *ok;
	size_t	 n;
};

/* dict_entry finds the entry of dictionary d that is the len bytes at s
 * (UINT32_MAX: none). */
static uint32_t
dict_entry(const struct tq_parquet_column *d, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < d->n_values; i++)
		if (d->off[i + 1] - d->off[i] == len &&
		    memcmp(d->data + d->off[i], s, len) == 0)
			return (uint32_t)i;
	return UINT32_MAX;
}

/*
 * dict_table sets *out to cond's verdict on each entry of dictionary d,
 * its values read as how.  A string's equality is a length and a byte
 * comparison per entry, a tenth of the general test's cost; dictionaries
 * of attribute values hold thousands of entries per row group.
 */
static int
dict_table(struct src *x, const struct tq_parquet_column *d, int how,
    const struct tq_ql_cond *cond, struct tq_arena *a, uint8_t **out)
{
	const struct tq_ql_value *lit = &cond->lit;
	struct tq_ql_value val;
	uint8_t *t;
	size_t i;

	if ((t = tq_arena_alloc(a, d->n_values ? d->n_values : 1)) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	if (d->type == TQ_PARQUET_BYTE_ARRAY && lit->type == TQ_QL_T_STRING &&
	    (cond->op == TQ_QL_OP_EQ || cond->op == TQ_QL_OP_NEQ)) {
		uint8_t eq = cond->op == TQ_QL_OP_EQ;

		for (i = 0; i < d->n_values; i++)
			t[i] = (uint8_t)((d->off[i + 1] - d->off[i] == lit->len &&
			    (lit->len == 0 || memcmp(d->data + d->off[i],
			    lit->u.s, lit->len) == 0)) == eq);
	} else {
		for (i = 0; i < d->n_values; i++) {
			value_at(d, i, how, &val);
			t[i] = tq_ql_cond_holds(cond, &val);
		}
	}
	*out = t;
	return 0;
}

/* array_at sets *out to an array of the n values of c from value i. */
static int
array_at(struct src *x, const struct tq_parquet_column *c, size_t i,
    size_t n, int how, struct tq_arena *a, struct tq_ql_value *out)
{
	struct tq_ql_value *el;
	size_t j;

	if ((el = tq_arena_calloc(a, n ? n : 1, sizeof(*el))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	for (j = 0; j < n; j++)
		value_at(c, i + j, how, &el[j]);
	out->type = TQ_QL_T_ARRAY;
	out->len = (uint32_t)n;
	out->u.a = el;
	return 0;
}

/*
 * Byte flags are read eight at a time; where bytes are stored low first,
 * a word's first flag is found, and a stretch's last bytes masked, without
 * a branch per byte.  Arrays of flags have 8 bytes of slack past their end.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FLAGS_LOW_FIRST	1
#else
#define FLAGS_LOW_FIRST	0
#endif

/* ones counts the bytes of [from, to) of flags f (each 0 or 1): eight
 * 0/1 bytes add up in one multiplication's top byte. */
static size_t
ones(const uint8_t *f, size_t from, size_t to)
{
	size_t n = 0;
	uint64_t w;

	for (; from + 8 <= to; from += 8) {
		memcpy(&w, f + from, 8);
		n += (size_t)((w * 0x0101010101010101ull) >> 56);
	}
	if (FLAGS_LOW_FIRST && from < to) {
		memcpy(&w, f + from, 8);
		w &= ~0ull >> (64 - 8 * (to - from));
		return n + (size_t)((w * 0x0101010101010101ull) >> 56);
	}
	for (; from < to; from++)
		n += f[from];
	return n;
}

/* next_one gives the first byte of [from, n) of flags f that is 1 (n:
 * none), passing eight zero bytes at a time. */
static size_t
next_one(const uint8_t *f, size_t from, size_t n)
{
	uint64_t w;

	for (; from + 8 <= n; from += 8) {
		memcpy(&w, f + from, 8);
		if (w == 0)
			continue;
		if (FLAGS_LOW_FIRST)
			return from + (size_t)(__builtin_ctzll(w) >> 3);
		break;
	}
	for (; from < n; from++)
		if (f[from])
			return from;
	return n;
}

/*
 * rare_entries lists the entries i of levels lv (n of them) where lv[i]
 * differs from lim (differ) or equals it (!differ), which are few:
 * flagged in a loop that vectorizes, then found eight flags at a time.
 */
static int
rare_entries(struct src *x, const uint16_t *lv, size_t n, uint32_t lim,
    bool differ, struct tq_arena *a, uint32_t **out, size_t *nout)
{
	uint16_t l = (uint16_t)lim;
	uint8_t *f, d = differ;
	size_t i, m = 0;
	uint32_t *at;

	if ((at = tq_arena_alloc(a, (n + 1) * sizeof(*at))) == NULL ||
	    (f = tq_arena_alloc(a, n + 8)) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	for (i = 0; i < n; i++)
		f[i] = (uint8_t)((lv[i] != l) == d);
	memset(f + n, 0, 8);
	for (i = 0; (i = next_one(f, i, n)) < n; i++)
		at[m++] = (uint32_t)i;
	*out = at;
	*nout = m;
	return 0;
}

/* ---- memos: the scan's values for the build ---- */

/* candidates marks the traces of the row group that could still be among
 * the limit most recent, once per row group: the build selects among
 * them only, since the bar only rises. */
static int
candidates(struct src *x, struct tq_arena *a)
{
	struct tq_ql_value *starts;
	size_t t;
	int rc;

	if (x->cand != NULL)
		return 0;
	if ((rc = per_entity(x, "StartTimeUnixNano", x->trace_l, AS_PLAIN, a,
	    &starts, x->n_traces)) != 0)
		return rc;
	if ((x->cand = tq_arena_alloc(a, x->n_traces ? x->n_traces : 1)) ==
	    NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	for (t = 0; t < x->n_traces; t++)
		x->cand[t] = tq_search_newer(x->r, x->limit,
		    (uint64_t)starts[t].u.i);
	return 0;
}

/*
 * memo_begin starts a memo of span attribute name's values in typed
 * column k when a scan with a limit judges it (*out NULL otherwise, or
 * when no trace could be a result).  A memo covers the candidates the
 * scan walks every entity of: those of traces that matter.
 */
static int
memo_begin(struct src *x, const char *prefix, struct level owner,
    const char *name, size_t len, int k, struct tq_arena *a,
    struct memo *m, struct memo **out)
{
	size_t t, any = 0;
	int rc;

	*out = NULL;
	if (x->pass != TQ_SEARCH_SCAN || x->memo_off ||
	    owner.rep != x->span_l.rep || owner.def != x->span_l.def)
		return 0;
	if ((rc = candidates(x, a)) != 0)
		return rc;
	memset(m, 0, sizeof(*m));
	if ((m->covered = tq_arena_alloc(&x->memo_a, x->n_traces ?
	    x->n_traces : 1)) == NULL) {
		x->memo_off = true;
		return 0;
	}
	for (t = 0; t < x->n_traces; t++) {
		m->covered[t] = x->cand[t] && (x->want == NULL || x->want[t]);
		any += m->covered[t];
	}
	if (any == 0)
		return 0;
	m->rg = x->rg;
	m->prefix = prefix;
	m->name = name;
	m->len = len;
	m->k = k;
	m->n_traces = x->n_traces;
	tq_buf_reset(&x->memo_ent);
	*out = m;
	return 0;
}

/* memo_add keeps entity e's nv values from value vv of c, and its key's
 * entry kv, when its trace is covered; past the cap, memos stop. */
static int
memo_add(struct src *x, struct memo *m, const struct tq_parquet_column *c,
    size_t e, size_t kv, size_t vv, size_t nv, int how)
{
	struct memo_ent me;
	size_t j;

	if (!m->covered[x->span_trace[e]])
		return 0;
	me.e = (uint32_t)e;
	me.kv = (uint32_t)kv;
	me.nv = (uint32_t)nv;
	if ((me.v = tq_arena_alloc(&x->memo_a, nv * sizeof(*me.v))) == NULL)
		goto full;
	for (j = 0; j < nv; j++) {
		value_at(c, vv + j, how, &me.v[j]);
		if (me.v[j].type == TQ_QL_T_STRING && me.v[j].len > 0 &&
		    (me.v[j].u.s = tq_arena_memdup(&x->memo_a, me.v[j].u.s,
		    me.v[j].len)) == NULL)
			goto full;
	}
	if (tq_buf_append(&x->memo_ent, &me, sizeof(me)) != 0)
		goto full;
	return 0;
full:
	x->memo_off = true;
	return 0;
}

/* memo_end files m, complete, for the build pass. */
static int
memo_end(struct src *x, struct memo *m)
{
	if (x->memo_off)
		return 0;
	m->n = x->memo_ent.len / sizeof(*m->ent);
	if ((m->ent = tq_arena_memdup(&x->memo_a, x->memo_ent.data,
	    x->memo_ent.len)) == NULL && m->n > 0) {
		x->memo_off = true;
		return 0;
	}
	if (x->nmemo == x->capmemo) {
		size_t cap = x->capmemo ? 2 * x->capmemo : 16;
		struct memo *p = realloc(x->memo, cap * sizeof(*p));

		if (p == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
		x->memo = p;
		x->capmemo = cap;
	}
	x->memo[x->nmemo++] = *m;
	return 0;
}

/*
 * from_memo fills out as in_step would from the memo of the scan of this
 * row group, when one covers every trace that matters; 1 when none does.
 */
static int
from_memo(struct src *x, const char *prefix, struct level owner, size_t n,
    const char *name, size_t len, int k, struct tq_ql_value *out)
{
	const struct tq_parquet_column *isarr;
	const struct memo *m = NULL;
	size_t i, t;
	int rc;

	if (x->pass != TQ_SEARCH_BUILD || owner.rep != x->span_l.rep ||
	    owner.def != x->span_l.def)
		return 1;
	for (i = 0; i < x->nmemo && m == NULL; i++)
		if (x->memo[i].rg == x->rg && x->memo[i].k == k &&
		    x->memo[i].len == len && strcmp(x->memo[i].prefix,
		    prefix) == 0 && memcmp(x->memo[i].name, name, len) == 0)
			m = &x->memo[i];
	if (m == NULL || m->n_traces != x->n_traces)
		return 1;
	for (t = 0; t < x->n_traces; t++)
		if ((x->want == NULL || x->want[t]) && !m->covered[t])
			return 1;
	if ((rc = is_array_column(x, prefix, &isarr)) != 0)
		return rc;
	for (i = 0; i < m->n; i++) {
		const struct memo_ent *me = &m->ent[i];
		struct tq_ql_value *v = &out[me->e];

		if (me->e >= n || !wanted(x, owner, me->e) ||
		    v->type != TQ_QL_T_NIL)
			continue;
		if (isarr == NULL || isarr->b == NULL ||
		    me->kv >= isarr->n_values || !isarr->b[me->kv]) {
			*v = me->v[0];
		} else {
			v->type = TQ_QL_T_ARRAY;
			v->len = me->nv;
			v->u.a = me->v;
		}
	}
	return 0;
}

/*
 * in_step finds, for each entity of level owner (n of them), the first
 * attribute named name of the list at prefix with a value in typed
 * column k, walking the Key column and that column side by side: an
 * attribute's first value has the entry its key has, more values of an
 * array follow it.  With cond, v gets its verdict (an array's: any of its
 * values); else out[entity] gets the value, left alone where set.
 * Entities of traces that do not matter (only()) are left out.  Returns
 * 1, having done nothing, when a value column is missing its levels.
 */
static int
in_step(struct src *x, const char *prefix, struct level owner, size_t n,
    const char *name, size_t len, int k, const struct tq_ql_cond *cond,
    struct tq_arena *a, struct verdict *v, struct tq_ql_value *out)
{
	const struct tq_parquet_column *key, *c, *isarr = NULL;
	const struct tq_parquet_chunk *ch;
	const uint16_t *krep, *kdef, *vrep, *vdef;
	struct tq_ql_value val;
	uint8_t *table = NULL;
	char path[256];
	uint32_t hitv = UINT32_MAX, kmax, vmax, vrmax, orep, odef;
	uint32_t *gap = NULL, *cont = NULL;
	uint8_t *start, *has, *hit = NULL;
	size_t p, q, i, kv, vv = 0, e, decided = SIZE_MAX, starts = 0;
	size_t nk, nq, ngap = 0, ncont = 0, gi = 0, ci = 0, ep = 0, vq = 0;
	int rc, col, vflags = TQ_PARQUET_READ_DICT_INDICES;
	struct memo mbuf, *m = NULL;

	if (cond == NULL && (rc = from_memo(x, prefix, owner, n, name, len, k,
	    out)) != 1)
		return rc;
	snprintf(path, sizeof(path), "%sKey", prefix);
	if ((rc = column(x, path, TQ_PARQUET_READ_DICT_INDICES, &key)) != 0 ||
	    key == NULL)
		return rc;
	snprintf(path, sizeof(path), "%s%s", prefix, vcols[k]);
	/* A value column with an entry per key holds no array's second
	 * value: its repetition levels would say nothing the keys' do not. */
	if ((col = tq_parquet_schema_find(x->s, path)) >= 0 &&
	    (ch = tq_parquet_reader_chunk(x->pr, x->rg, col)) != NULL &&
	    ch->num_values >= 0 && (size_t)ch->num_values == key->n_levels)
		vflags |= TQ_PARQUET_READ_NO_REP;
	if ((rc = column(x, path, vflags, &c)) != 0 || c == NULL)
		return rc;
	if (key->rep == NULL || key->def == NULL || c->def == NULL ||
	    (c->rep == NULL && (vflags & TQ_PARQUET_READ_NO_REP) == 0) ||
	    (key->idx != NULL && key->dict == NULL) ||
	    (c->idx != NULL && c->dict == NULL))
		return 1;
	if (cond != NULL && (rc = memo_begin(x, prefix, owner, name, len, k,
	    a, &mbuf, &m)) != 0)
		return rc;
	if (key->idx != NULL &&
	    (hitv = dict_entry(key->dict, name, len)) == UINT32_MAX)
		return m != NULL ? memo_end(x, m) : 0;	/* no such key */
	/* A condition on dictionary entries: once per entry. */
	if (cond != NULL && c->idx != NULL &&
	    (rc = dict_table(x, c->dict, vtype[k], cond, a, &table)) != 0)
		return rc;
	if (cond == NULL && (rc = is_array_column(x, prefix, &isarr)) != 0)
		return rc;
	krep = key->rep;
	kdef = key->def;
	vrep = c->rep;
	vdef = c->def;
	kmax = (uint32_t)x->s->columns[key->col].max_def;
	vmax = (uint32_t)x->s->columns[c->col].max_def;
	vrmax = (uint32_t)x->s->columns[c->col].max_rep;
	orep = (uint32_t)owner.rep;
	odef = (uint32_t)owner.def;
	nk = key->n_levels;
	nq = c->n_levels;
	/*
	 * Entries of keys without a key (no attributes) and of values after
	 * an array's first are rare: listed, they give where the k-th key
	 * and its values are, and only those places are visited; entities
	 * and values before them are counted in loops that vectorize.
	 */
	if ((rc = rare_entries(x, kdef, nk, kmax, true, a, &gap, &ngap)) != 0 ||
	    (vrep != NULL && (rc = rare_entries(x, vrep, nq, vrmax, false, a,
	    &cont, &ncont)) != 0))
		return rc;
	if (nk - ngap != key->n_values || nq - ncont != nk)
		goto corrupt;
	/*
	 * Byte flags, set in loops that vectorize: the entries that start
	 * an entity, those holding a value, the keys that are the name.
	 * The walk counts and skips them eight at a time.
	 */
	if ((start = tq_arena_alloc(a, nk + 8)) == NULL ||
	    (has = tq_arena_alloc(a, nq + 8)) == NULL ||
	    (key->idx != NULL && (hit = tq_arena_alloc(a, key->n_values +
	    8)) == NULL))
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	memset(start + nk, 0, 8);
	memset(has + nq, 0, 8);
	if (hit != NULL)
		memset(hit + key->n_values, 0, 8);
	for (i = 0; i < nk; i++)
		start[i] = (uint8_t)((krep[i] <= (uint16_t)orep) &
		    (kdef[i] >= (uint16_t)odef));
	for (i = 0; i < nq; i++)
		has[i] = (uint8_t)(vdef[i] == (uint16_t)vmax);
	if (hit != NULL) {
		const uint32_t *idx = key->idx;
		size_t nkv = key->n_values;

		for (i = 0; i < nkv; i++)
			hit[i] = (uint8_t)(idx[i] == hitv);
	}
	for (kv = 0; kv < key->n_values; kv++) {
		size_t nv, j;

		if (hit != NULL) {
			if ((kv = next_one(hit, kv, key->n_values)) ==
			    key->n_values)
				break;
		} else if (key->off[kv + 1] - key->off[kv] != len ||
		    memcmp(key->data + key->off[kv], name, len) != 0)
			continue;
		/* The key's entry, its entity, its first value's entry. */
		for (p = kv + gi; gi < ngap && gap[gi] <= p; p = kv + ++gi)
			;
		starts += ones(start, ep, p + 1);
		ep = p + 1;
		e = starts - 1;
		for (q = p + ci; ci < ncont && cont[ci] <= q; q = p + ++ci)
			;
		vv += ones(has, vq, q);
		vq = q;
		/* Its values: the first, and an array's others after it. */
		nv = has[q];
		for (j = ci; j < ncont && cont[j] == q + 1 + (j - ci); j++)
			nv += has[cont[j]];
		if (nv == 0 || e == decided)
			continue;
		if (e >= n || vv + nv > c->n_values)
			goto corrupt;
		if (!wanted(x, owner, (uint32_t)e))
			continue;
		decided = e;
		if (cond != NULL && !v->has[e]) {
			v->has[e] = 1;
			for (j = vv; j < vv + nv; j++) {
				if (table != NULL) {
					v->ok[e] |= table[c->idx[j]];
					continue;
				}
				value_at(c, j, vtype[k], &val);
				v->ok[e] |= tq_ql_cond_holds(cond, &val);
			}
			if (m != NULL && (rc = memo_add(x, m, c, e, kv, vv, nv,
			    vtype[k])) != 0)
				return rc;
		} else if (cond == NULL && out[e].type == TQ_QL_T_NIL) {
			if (isarr == NULL || isarr->b == NULL ||
			    kv >= isarr->n_values || !isarr->b[kv])
				value_at(c, vv, vtype[k], &out[e]);
			else if ((rc = array_at(x, c, vv, nv, vtype[k], a,
			    &out[e])) != 0)
				return rc;
		}
	}
	return m != NULL ? memo_end(x, m) : 0;
corrupt:
	return tq_err_set(x->err, TQ_ECORRUPT, "%sKey: levels unlike its "
	    "values'", prefix);
}

/* one_type gives the typed column of types when it names one (-1: no). */
static int
one_type(unsigned types)
{
	int k;

	for (k = 0; k < 4; k++)
		if (types == 1u << vtype[k])
			return k;
	return -1;
}

/*
 * The attributes of one name in an attribute list: key is its Key column,
 * attr_l the list's level, own[i] the entity attribute i belongs to and
 * slot[i] its number among the nmatch matches (UINT32_MAX for the others,
 * and at slot[nattr], where out-of-range owners of values land).
 */
struct keys {
	const struct tq_parquet_column	*key;
	struct level			 attr_l;
	uint32_t			*own, *slot, nmatch;
	size_t				 nattr;
};

/*
 * match_keys finds attribute name in the list at prefix (…Attrs.) whose
 * owners are entities of level owner (n of them), on the key's dictionary
 * index when it has one; attributes of traces that do not matter (only())
 * are left out.  k->nmatch is 0 when none matches.
 */
static int
match_keys(struct src *x, const char *prefix, struct level owner, size_t n,
    const char *name, size_t len, struct tq_arena *a, struct keys *k)
{
	const struct tq_parquet_column *key;
	char path[256], list[256];
	size_t i, nent;
	uint32_t dict_hit = UINT32_MAX;
	uint32_t bad = 0;
	int rc;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%sKey", prefix);
	if ((rc = column(x, path, TQ_PARQUET_READ_DICT_INDICES, &key)) != 0 ||
	    key == NULL)
		return rc;
	/* "…Attrs.list.element." is an element of the list "…Attrs.list". */
	snprintf(list, sizeof(list), "%.*s", (int)(strlen(prefix) -
	    strlen(".element.")), prefix);
	k->attr_l = level_of(x->s, list);
	if (k->attr_l.rep == 0)
		return tq_err_set(x->err, TQ_ECORRUPT,
		    "data.parquet: no list %s", list);
	if (key->idx != NULL && key->dict != NULL &&
	    (dict_hit = dict_entry(key->dict, name, len)) == UINT32_MAX)
		return 0;	/* no attribute has this key */
	if ((rc = owners(x, key, owner, a, &k->own, &nent)) != 0)
		return rc;
	k->key = key;
	k->nattr = key->n_values;
	if ((k->slot = tq_arena_alloc(a, (k->nattr + 1) * sizeof(uint32_t))) ==
	    NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	if (key->idx != NULL && (x->want == NULL ||
	    (owner.rep == x->span_l.rep && owner.def == x->span_l.def))) {
		/* The common case, on dictionary indexes: tight.  Some
		 * traces only: a matching key's span says whether. */
		const uint32_t *idx = key->idx, *own = k->own, *st = x->span_trace;
		const uint8_t *want = x->want;
		uint32_t hitv = dict_hit, nmatch = 0;

		for (i = 0; i < k->nattr; i++) {
			uint32_t o = own[i], hit = idx[i] == hitv;

			bad |= hit & (o >= n);
			hit = hit && (want == NULL || (o < n && want[st[o]]));
			k->slot[i] = hit ? nmatch : UINT32_MAX;
			nmatch += hit;
		}
		k->nmatch = nmatch;
	} else
		for (i = 0; i < k->nattr; i++) {
			uint32_t hit = key->idx != NULL ?
			    key->idx[i] == dict_hit :
			    key->off[i + 1] - key->off[i] == len &&
			    memcmp(key->data + key->off[i], name, len) == 0;

			bad |= hit & (k->own[i] >= n);
			hit = hit && wanted(x, owner, k->own[i]);
			k->slot[i] = hit ? k->nmatch : UINT32_MAX;
			k->nmatch += hit;
		}
	k->slot[k->nattr] = UINT32_MAX;
	if (bad)
		return tq_err_set(x->err, TQ_ECORRUPT, "%s: more entities than "
		    "the row group has", path);
	return 0;
}

/*
 * attrs finds attribute name in the attribute list at prefix (…Attrs.)
 * whose owners are entities of level owner: out[e] is its value for
 * entity e (n entities); with gather, the values of every matching
 * attribute of an entity (events and links of a span) form one array.
 * Only value columns of types (a tq_ql_field's) are read.
 */
static int
attrs(struct src *x, const char *prefix, struct level owner, size_t n,
    const char *name, size_t len, unsigned types, bool gather,
    struct tq_arena *a, struct tq_ql_value *out)
{
	const struct tq_parquet_column *isarr, *c;
	struct tq_ql_value **vals;
	struct keys kk;
	uint32_t *aown, *slot, nmatch, *cnt, *at;
	size_t i, k, nattr;
	int one, rc;

	/* Values of one type, one per entity: the columns side by side. */
	if (!gather && (one = one_type(types)) >= 0 &&
	    (rc = in_step(x, prefix, owner, n, name, len, one, NULL, a, NULL,
	    out)) != 1)
		return rc;
	if ((rc = match_keys(x, prefix, owner, n, name, len, a, &kk)) != 0 ||
	    kk.nmatch == 0)
		return rc;
	slot = kk.slot;
	nmatch = kk.nmatch;
	nattr = kk.nattr;
	/* The values of each matching attribute, from any typed column. */
	if ((vals = tq_arena_calloc(a, nmatch, sizeof(*vals))) == NULL ||
	    (cnt = tq_arena_calloc(a, nmatch, sizeof(*cnt))) == NULL ||
	    (at = tq_arena_calloc(a, nmatch, sizeof(*at))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	for (k = 0; k < 4; k++) {
		if ((rc = typed_column(x, prefix, k, types, kk.attr_l, a, &c,
		    &aown)) != 0)
			return rc;
		if (c == NULL)
			continue;
		for (i = 0; i < c->n_values; i++)
			if (aown[i] < nattr && slot[aown[i]] != UINT32_MAX)
				cnt[slot[aown[i]]]++;
	}
	for (i = 0; i < nmatch; i++)
		if ((vals[i] = tq_arena_calloc(a, cnt[i] ? cnt[i] : 1,
		    sizeof(**vals))) == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
	for (k = 0; k < 4; k++) {
		if ((rc = typed_column(x, prefix, k, types, kk.attr_l, a, &c,
		    &aown)) != 0)
			return rc;
		if (c == NULL)
			continue;
		for (i = 0; i < c->n_values; i++) {
			uint32_t sl;

			if (aown[i] >= nattr || (sl = slot[aown[i]]) == UINT32_MAX)
				continue;
			value_at(c, i, vtype[k], &vals[sl][at[sl]++]);
		}
	}
	if ((rc = is_array_column(x, prefix, &isarr)) != 0)
		return rc;
	for (i = 0; i < nattr; i++) {
		struct tq_ql_value *v;
		uint32_t sl = slot[i];
		bool array = isarr != NULL && i < isarr->n_values &&
		    isarr->b != NULL && isarr->b[i];

		if (sl == UINT32_MAX || at[sl] == 0)
			continue;
		v = &out[kk.own[i]];
		if (gather) {
			/* Add this attribute's values to the entity's array. */
			struct tq_ql_value *el;
			uint32_t old = v->type == TQ_QL_T_ARRAY ? v->len : 0;

			if ((el = tq_arena_calloc(a, old + at[sl],
			    sizeof(*el))) == NULL)
				return tq_err_set(x->err, TQ_ENOMEM,
				    "search: out of memory");
			if (old)
				memcpy(el, v->u.a, old * sizeof(*el));
			memcpy(el + old, vals[sl], at[sl] * sizeof(*el));
			v->type = TQ_QL_T_ARRAY;
			v->len = old + at[sl];
			v->u.a = el;
		} else if (v->type != TQ_QL_T_NIL) {
			continue;	/* the first of a repeated key wins */
		} else if (array) {
			v->type = TQ_QL_T_ARRAY;
			v->len = at[sl];
			v->u.a = vals[sl];
		} else {
			*v = vals[sl][0];
		}
	}
	return 0;
}

/* Attributes kept in columns of their own. */
struct wellknown {
	const char	*key;
	const char	*column;
	int		 type;
};

static const struct wellknown span_wk[] = {
	{ "http.method", SPAN "HttpMethod", TQ_QL_T_STRING },
	{ "http.url", SPAN "HttpUrl", TQ_QL_T_STRING },
	{ "http.status_code", SPAN "HttpStatusCode", TQ_QL_T_INT },
};

static const struct wellknown res_wk[] = {
	{ "service.name", RES "ServiceName", TQ_QL_T_STRING },
	{ "cluster", RES "Cluster", TQ_QL_T_STRING },
	{ "namespace", RES "Namespace", TQ_QL_T_STRING },
	{ "pod", RES "Pod", TQ_QL_T_STRING },
	{ "container", RES "Container", TQ_QL_T_STRING },
	{ "k8s.cluster.name", RES "K8sClusterName", TQ_QL_T_STRING },
	{ "k8s.namespace.name", RES "K8sNamespaceName", TQ_QL_T_STRING },
	{ "k8s.pod.name", RES "K8sPodName", TQ_QL_T_STRING },
	{ "k8s.container.name", RES "K8sContainerName", TQ_QL_T_STRING },
};

/*
 * own_column gives the column holding attribute name of a scope outside
 * Attrs: a well-known one or one of the block's dedicated columns.
 */
static bool
own_column(const struct tq_block_meta *m, bool span, const char *name,
    size_t len, char *path, size_t size, int *type)
{
	const struct wellknown *wk = span ? span_wk : res_wk;
	size_t nwk = span ? sizeof(span_wk) / sizeof(span_wk[0]) :
	    sizeof(res_wk) / sizeof(res_wk[0]);
	int scope = span ? TQ_BLOCK_SCOPE_SPAN : TQ_BLOCK_SCOPE_RESOURCE;
	size_t i, k = 0;

	for (i = 0; i < nwk; i++)
		if (strlen(wk[i].key) == len && memcmp(wk[i].key, name, len) == 0) {
			snprintf(path, size, "%s", wk[i].column);
			*type = wk[i].type;
			return true;
		}
	for (i = 0; i < m->n_ded; i++) {
		if (m->ded[i].scope != scope)
			continue;
		k++;
		if (strlen(m->ded[i].name) == len &&
		    memcmp(m->ded[i].name, name, len) == 0) {
			snprintf(path, size, "%sDedicatedAttributes.String%02zu",
			    span ? SPAN : RES, k);
			*type = TQ_QL_T_STRING;
			return true;
		}
	}
	return false;
}

/* scoped_attr fills per-entity values of a span or resource attribute. */
static int
scoped_attr(struct src *x, bool span, const char *name, size_t len,
    unsigned types, struct tq_arena *a, struct tq_ql_value *out, size_t n)
{
	struct level l = span ? x->span_l : x->rs_l;
	struct tq_ql_value *own_v;
	char path[256];
	size_t i;
	int rc;

	int own_type = TQ_QL_T_NIL;
	bool own = own_column(x->meta, span, name, len, path, sizeof(path),
	    &own_type);

	/* A well-known or dedicated attribute's values of its column's type
	 * are always in that column; Attrs holds only the others. */
	if ((!own || types != 1u << own_type) &&
	    (rc = attrs(x, span ? SPAN "Attrs.list.element." :
	    RES "Attrs.list.element.", l, n, name, len, types, false, a,
	    out)) != 0)
		return rc;
	if (!own)
		return 0;
	if ((rc = per_entity(x, path, l, AS_PLAIN, a, &own_v, n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (own_v[i].type != TQ_QL_T_NIL)
			out[i] = own_v[i];
	return 0;
}

/* scopes works out each span's resource and scope from the skeleton's
 * column, once per row group. */
static int
scopes(struct src *x, struct tq_arena *a)
{
	const struct tq_parquet_column *c = x->skel;
	const uint16_t *def = c->def;
	uint32_t full = (uint32_t)x->s->columns[c->col].max_def;
	uint32_t rs = 0, ss = 0, df, r, k = 0;
	uint32_t rsrep = (uint32_t)x->rs_l.rep, rsdef = (uint32_t)x->rs_l.def;
	uint32_t ssrep = (uint32_t)x->ss_l.rep, ssdef = (uint32_t)x->ss_l.def;
	uint32_t sdef = (uint32_t)x->span_l.def;
	size_t i;

	if (x->scoped)
		return 0;
	if ((x->span_rs = tq_arena_alloc(a, (x->n_spans + 1) *
	    sizeof(uint32_t))) == NULL ||
	    (x->span_ss = tq_arena_alloc(a, (x->n_spans + 1) *
	    sizeof(uint32_t))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	for (i = 0; i < c->n_levels; i++) {
		r = c->rep[i];
		df = def != NULL ? def[i] : full;
		rs += (r <= rsrep) & (df >= rsdef);
		ss += (r <= ssrep) & (df >= ssdef);
		/* Stored for every entry, kept for spans. */
		x->span_rs[k] = rs - 1;
		x->span_ss[k] = ss - 1;
		k += df >= sdef;
	}
	/* The counts only grow: a span before any resource or scope shows
	 * in the first span. */
	if (k > 0 && (x->span_rs[0] == UINT32_MAX ||
	    x->span_ss[0] == UINT32_MAX))
		return tq_err_set(x->err, TQ_ECORRUPT, "%s: bad levels",
		    x->s->columns[c->col].path);
	x->n_rs = rs;
	x->n_ss = ss;
	x->scoped = true;
	return 0;
}

/* ---- fetch ---- */

static int
fetch_attr(struct src *x, const struct tq_ql_field *f, struct tq_ql_value *out,
    struct tq_arena *a)
{
	struct tq_ql_value *per = NULL;
	size_t i, n;
	int rc;

	if (f->scope != TQ_QL_SCOPE_SPAN && (rc = scopes(x, a)) != 0)
		return rc;
	switch (f->scope) {
	case TQ_QL_SCOPE_SPAN:
		return scoped_attr(x, true, f->name, f->len, f->types, a, out,
		    x->n_spans);
	case TQ_QL_SCOPE_NONE:
		if ((rc = scoped_attr(x, true, f->name, f->len, f->types, a,
		    out, x->n_spans)) != 0)
			return rc;
		/* FALLTHROUGH */
	case TQ_QL_SCOPE_RESOURCE:
		n = x->n_rs;
		if ((per = tq_arena_calloc(a, n, sizeof(*per))) == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
		if ((rc = scoped_attr(x, false, f->name, f->len, f->types, a,
		    per, n)) != 0)
			return rc;
		for (i = 0; i < x->n_spans; i++)
			if (out[i].type == TQ_QL_T_NIL)
				out[i] = per[x->span_rs[i]];
		return 0;
	case TQ_QL_SCOPE_INSTRUMENTATION:
		n = x->n_ss;
		if ((per = tq_arena_calloc(a, n, sizeof(*per))) == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
		if ((rc = attrs(x, SCOPE "Attrs.list.element.", x->ss_l, n,
		    f->name, f->len, f->types, false, a, per)) != 0)
			return rc;
		spread(x, per, x->span_ss, out);
		return 0;
	case TQ_QL_SCOPE_EVENT:
		return attrs(x, SPAN "Events.list.element.Attrs.list.element.",
		    x->span_l, x->n_spans, f->name, f->len, f->types, true, a,
		    out);
	case TQ_QL_SCOPE_LINK:
		return attrs(x, SPAN "Links.list.element.Attrs.list.element.",
		    x->span_l, x->n_spans, f->name, f->len, f->types, true, a,
		    out);
	}
	return 0;
}

/* child_count counts each span's children from nested-set numbers. */
static int
child_count(struct src *x, struct tq_arena *a, struct tq_ql_value *out)
{
	struct tq_ql_value *left, *parent;
	uint32_t t, i;
	int rc;

	if ((rc = per_entity(x, SPAN "NestedSetLeft", x->span_l, AS_PLAIN, a,
	    &left, x->n_spans)) != 0 || (rc = per_entity(x, SPAN "ParentID",
	    x->span_l, AS_PLAIN, a, &parent, x->n_spans)) != 0)
		return rc;
	for (i = 0; i < x->n_spans; i++) {
		out[i].type = TQ_QL_T_INT;
		out[i].u.i = 0;
	}
	for (t = 0; t < x->n_traces; t++) {
		uint32_t lo = x->trace_first[t], hi = x->trace_first[t + 1];
		size_t n = hi - lo, j;
		uint32_t *by_left = tq_arena_calloc(a, 2 * n + 2,
		    sizeof(*by_left));

		if (by_left == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
		for (j = lo; j < hi; j++)
			if (left[j].u.i > 0 && (size_t)left[j].u.i <= 2 * n)
				by_left[left[j].u.i] = (uint32_t)(j - lo + 1);
		for (j = lo; j < hi; j++) {
			int64_t p = parent[j].u.i;

			if (p > 0 && (size_t)p <= 2 * n && by_left[p] != 0)
				out[lo + by_left[p] - 1].u.i++;
		}
	}
	return 0;
}

/* Levels of entities a column's values belong to. */
enum { L_TRACE, L_RS, L_SS, L_SPAN };

/*
 * intrinsic_column gives the column of an intrinsic held one value per
 * entity of some level, how its values read and the level; false for
 * the others (computed, or lists under the span).
 */
static bool
intrinsic_column(int intrinsic, const char **path, int *how, int *level)
{
	*how = AS_PLAIN;
	*level = L_SPAN;
	switch (intrinsic) {
	case TQ_QL_I_DURATION: *path = SPAN "DurationNano";
		*how = TQ_QL_T_DURATION; return true;
	case TQ_QL_I_NAME: *path = SPAN "Name"; return true;
	case TQ_QL_I_STATUS: *path = SPAN "StatusCode"; *how = TQ_QL_T_STATUS;
		return true;
	case TQ_QL_I_STATUS_MESSAGE: *path = SPAN "StatusMessage"; return true;
	case TQ_QL_I_KIND: *path = SPAN "Kind"; *how = TQ_QL_T_KIND;
		return true;
	case TQ_QL_I_SPAN_ID: *path = SPAN "SpanID"; *how = AS_HEX;
		return true;
	case TQ_QL_I_PARENT_ID: *path = SPAN "ParentSpanID"; *how = AS_HEX;
		return true;
	case TQ_QL_I_NESTED_SET_LEFT: *path = SPAN "NestedSetLeft"; return true;
	case TQ_QL_I_NESTED_SET_RIGHT: *path = SPAN "NestedSetRight";
		return true;
	case TQ_QL_I_NESTED_SET_PARENT: *path = SPAN "ParentID"; return true;
	case TQ_QL_F_SPAN_START: *path = SPAN "StartTimeUnixNano"; return true;
	case TQ_QL_I_TRACE_DURATION: *path = "DurationNano";
		*how = TQ_QL_T_DURATION; *level = L_TRACE; return true;
	case TQ_QL_I_ROOT_NAME: *path = "RootSpanName"; *level = L_TRACE;
		return true;
	case TQ_QL_I_ROOT_SERVICE: *path = "RootServiceName"; *level = L_TRACE;
		return true;
	case TQ_QL_I_TRACE_ID: *path = "TraceID"; *how = AS_HEX;
		*level = L_TRACE; return true;
	case TQ_QL_F_TRACE_START: *path = "StartTimeUnixNano"; *level = L_TRACE;
		return true;
	case TQ_QL_F_TRACE_END: *path = "EndTimeUnixNano"; *level = L_TRACE;
		return true;
	case TQ_QL_I_INSTR_NAME: *path = SCOPE "Name"; *level = L_SS;
		return true;
	case TQ_QL_I_INSTR_VERSION: *path = SCOPE "Version"; *level = L_SS;
		return true;
	default:
		return false;
	}
}

/* level_struct and level_map give a level's entities and, per span, the
 * entity it belongs to (NULL for spans themselves); level_map and
 * level_count of resources and scopes want scopes() first. */
static struct level
level_struct(const struct src *x, int level)
{
	switch (level) {
	case L_TRACE: return x->trace_l;
	case L_RS: return x->rs_l;
	case L_SS: return x->ss_l;
	default: return x->span_l;
	}
}

static const uint32_t *
level_map(const struct src *x, int level)
{
	switch (level) {
	case L_TRACE: return x->span_trace;
	case L_RS: return x->span_rs;
	case L_SS: return x->span_ss;
	default: return NULL;
	}
}

/* level_count is the number of entities of a level in the row group. */
static size_t
level_count(const struct src *x, int level)
{
	switch (level) {
	case L_TRACE: return x->n_traces;
	case L_RS: return x->n_rs;
	case L_SS: return x->n_ss;
	default: return x->n_spans;
	}
}

static int
fetch_all(struct src *x, const struct tq_ql_field *f, struct tq_ql_value *out,
    struct tq_arena *a)
{
	struct tq_ql_value *per;
	const char *path = NULL;
	int how, rc, level;

	if (f->is_attr)
		return fetch_attr(x, f, out, a);
	switch (f->intrinsic) {
	case TQ_QL_I_CHILD_COUNT:
		return child_count(x, a, out);
	case TQ_QL_I_EVENT_NAME:
		return per_span_list(x, SPAN "Events.list.element.Name",
		    TQ_QL_T_STRING, a, out);
	case TQ_QL_I_EVENT_TIME_SINCE_START:
		return per_span_list(x, SPAN "Events.list.element."
		    "TimeSinceStartNano", TQ_QL_T_DURATION, a, out);
	case TQ_QL_I_LINK_TRACE_ID:
		return per_span_list(x, SPAN "Links.list.element.TraceID",
		    AS_HEX, a, out);
	case TQ_QL_I_LINK_SPAN_ID:
		return per_span_list(x, SPAN "Links.list.element.SpanID",
		    AS_HEX, a, out);
	}
	if (!intrinsic_column(f->intrinsic, &path, &how, &level))
		return 0;
	if (level == L_SPAN)
		return place_values(x, path, x->span_l, how, a, NULL, out,
		    x->n_spans);
	if ((level != L_TRACE && (rc = scopes(x, a)) != 0) ||
	    (rc = per_entity(x, path, level_struct(x, level), how, a, &per,
	    level_count(x, level))) != 0)
		return rc;
	spread(x, per, level_map(x, level), out);
	return 0;
}

/* ---- conditions tested on stored values ---- */

static int
verdict_new(struct src *x, size_t n, struct tq_arena *a, struct verdict *v)
{
	v->n = n;
	if ((v->has = tq_arena_calloc(a, n ? n : 1, 1)) == NULL ||
	    (v->ok = tq_arena_calloc(a, n ? n : 1, 1)) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	return 0;
}

/* holds_int applies an integer comparison without building values. */
static inline bool
holds_int(int op, int64_t v, int64_t lit)
{
	switch (op) {
	case TQ_QL_OP_EQ: return v == lit;
	case TQ_QL_OP_NEQ: return v != lit;
	case TQ_QL_OP_LT: return v < lit;
	case TQ_QL_OP_LTE: return v <= lit;
	case TQ_QL_OP_GT: return v > lit;
	default: return v >= lit;
	}
}

/* judge_i64 ORs into ok[j] whether val[j] op lit holds, for n values. */
static void
judge_i64(const int64_t *val, size_t n, int op, int64_t lit, uint8_t *ok)
{
	size_t j;

	switch (op) {
	case TQ_QL_OP_EQ:
		for (j = 0; j < n; j++)
			ok[j] |= val[j] == lit;
		return;
	case TQ_QL_OP_NEQ:
		for (j = 0; j < n; j++)
			ok[j] |= val[j] != lit;
		return;
	case TQ_QL_OP_LT:
		for (j = 0; j < n; j++)
			ok[j] |= val[j] < lit;
		return;
	case TQ_QL_OP_LTE:
		for (j = 0; j < n; j++)
			ok[j] |= val[j] <= lit;
		return;
	case TQ_QL_OP_GT:
		for (j = 0; j < n; j++)
			ok[j] |= val[j] > lit;
		return;
	default:
		for (j = 0; j < n; j++)
			ok[j] |= val[j] >= lit;
		return;
	}
}

/*
 * judge_values tests cond on n values of column c: value sel[j] (j when
 * sel is NULL) gives its verdict to entity to[j] of v, ORed with those of
 * the entity's other values (elements of an array).  Once per
 * dictionary entry when the column kept its dictionary indexes; in a
 * tight loop for integers.
 */
static int
judge_values(struct src *x, const struct tq_parquet_column *c,
    const uint32_t *sel, const uint32_t *to, size_t n, int how,
    const struct tq_ql_cond *cond, struct tq_arena *a, struct verdict *v)
{
	const struct tq_parquet_column_desc *d = &x->s->columns[c->col];
	struct tq_ql_value val;
	size_t i, j;

	/* The identity is checked once. */
	for (j = to == x->ident && sel == NULL && n <= v->n ? n : 0; j < n; j++)
		if (to[j] >= v->n || (sel != NULL && sel[j] >= c->n_values))
			return tq_err_set(x->err, TQ_ECORRUPT,
			    "%s: more entities than the row group has", d->path);
	if (c->idx != NULL && c->dict != NULL) {
		const struct tq_parquet_column *dict = c->dict;
		const uint32_t *idx = c->idx;
		uint8_t *table, *has = v->has, *ok = v->ok;
		int rc;

		if ((rc = dict_table(x, dict, how, cond, a, &table)) != 0)
			return rc;
		/* The reader checked every index against its dictionary. */
		if (sel == NULL && to == x->ident && x->ident != NULL) {
			/* Value j is entity j: once each. */
			memset(has, 1, n);
			for (j = 0; j < n; j++)
				ok[j] |= table[idx[j]];
			return 0;
		}
		for (j = 0; j < n; j++) {
			uint32_t ix = idx[sel ? sel[j] : j];

			has[to[j]] = 1;
			ok[to[j]] |= table[ix];
		}
		return 0;
	}
	if ((c->type == TQ_PARQUET_INT64 || c->type == TQ_PARQUET_INT32) &&
	    (how == TQ_QL_T_INT || how == TQ_QL_T_DURATION) &&
	    (cond->lit.type == TQ_QL_T_INT ||
	    cond->lit.type == TQ_QL_T_DURATION) &&
	    cond->op != TQ_QL_OP_RE && cond->op != TQ_QL_OP_NRE) {
		int64_t lit = cond->lit.u.i;

		if (sel == NULL && to == x->ident && x->ident != NULL &&
		    c->type == TQ_PARQUET_INT64) {
			/* Value j is entity j: one loop per operator. */
			memset(v->has, 1, n);
			judge_i64(c->i64, n, cond->op, lit, v->ok);
			return 0;
		}
		for (j = 0; j < n; j++) {
			i = sel ? sel[j] : j;
			v->has[to[j]] = 1;
			v->ok[to[j]] |= holds_int(cond->op,
			    c->type == TQ_PARQUET_INT64 ? c->i64[i] : c->i32[i],
			    lit);
		}
		return 0;
	}
	for (j = 0; j < n; j++) {
		value_at(c, sel ? sel[j] : j, how, &val);
		v->has[to[j]] = 1;
		v->ok[to[j]] |= tq_ql_cond_holds(cond, &val);
	}
	return 0;
}

/* judge_column tests cond on column path, one value per entity of a
 * level; v must be sized for that level. */
static int
judge_column(struct src *x, const char *path, int level, int how,
    const struct tq_ql_cond *cond, struct tq_arena *a, struct verdict *v)
{
	const struct tq_parquet_column *c;
	uint32_t *own;
	size_t nent;
	int rc;

	if ((rc = owned_column(x, path, level_struct(x, level), &c)) != 0 ||
	    c == NULL)
		return rc;
	if ((rc = owners(x, c, level_struct(x, level), a, &own, &nent)) != 0)
		return rc;
	return judge_values(x, c, NULL, own, c->n_values,
	    how == AS_PLAIN ? TQ_QL_T_INT : how, cond, a, v);
}

/*
 * judge_fetched tests cond on attribute values fetched whole (arrays need
 * every element), for entities of level owner: the exact semantics when
 * a matching attribute is an array.
 */
static int
judge_fetched(struct src *x, const char *prefix, struct level owner,
    const struct tq_ql_cond *cond, struct tq_arena *a, struct verdict *v)
{
	struct tq_ql_value *vals;
	size_t i;
	int rc;

	if ((vals = tq_arena_calloc(a, v->n ? v->n : 1, sizeof(*vals))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	if ((rc = attrs(x, prefix, owner, v->n, cond->field.name,
	    cond->field.len, cond->field.types, false, a, vals)) != 0)
		return rc;
	for (i = 0; i < v->n; i++) {
		v->has[i] = vals[i].type != TQ_QL_T_NIL;
		v->ok[i] = v->has[i] && tq_ql_cond_holds(cond, &vals[i]);
	}
	return 0;
}

/*
 * judge_attrs tests cond on the attribute list at prefix whose owners are
 * entities of level owner, on dictionary indexes where it can: the key's
 * entry, then each typed value column's entries.  The first attribute
 * with the name and a value of the condition's types counts, as fetching
 * would give.
 */
static int
judge_attrs(struct src *x, const char *prefix, struct level owner,
    const struct tq_ql_cond *cond, struct tq_arena *a, struct verdict *v)
{
	const struct tq_parquet_column *isarr = NULL, *c;
	struct keys kk;
	struct verdict sv;
	uint32_t *aown, *slot;
	size_t i, k, nattr;
	int one, rc;

	/* Values of one type: the two columns side by side, unless
	 * arrays need judging whole (below). */
	if ((one = one_type(cond->field.types)) >= 0) {
		if ((cond->op == TQ_QL_OP_NEQ || cond->op == TQ_QL_OP_NRE) &&
		    (rc = is_array_column(x, prefix, &isarr)) != 0)
			return rc;
		if (isarr == NULL && (rc = in_step(x, prefix, owner, v->n,
		    cond->field.name, cond->field.len, one, cond, a, v,
		    NULL)) != 1)
			return rc;
		isarr = NULL;
	}
	if ((rc = match_keys(x, prefix, owner, v->n, cond->field.name,
	    cond->field.len, a, &kk)) != 0 || kk.nmatch == 0)
		return rc;
	slot = kk.slot;
	nattr = kk.nattr;
	/*
	 * An array matches = =~ < <= > >= when any element does: the OR of
	 * its values' verdicts, as below.  != and !~ need every element
	 * judged together, so arrays among the matches take the exact path.
	 */
	if ((cond->op == TQ_QL_OP_NEQ || cond->op == TQ_QL_OP_NRE) &&
	    (rc = is_array_column(x, prefix, &isarr)) != 0)
		return rc;
	for (i = 0; isarr != NULL && isarr->b != NULL && i < nattr &&
	    i < isarr->n_values; i++)
		if (slot[i] != UINT32_MAX && isarr->b[i])
			return judge_fetched(x, prefix, owner, cond, a, v);
	/* Each matching attribute's verdict, then the first per entity. */
	if ((rc = verdict_new(x, kk.nmatch, a, &sv)) != 0)
		return rc;
	for (k = 0; k < 4; k++) {
		uint32_t *sel, *to;
		size_t j, n = 0;

		if ((rc = typed_column(x, prefix, (int)k, cond->field.types,
		    kk.attr_l, a, &c, &aown)) != 0)
			return rc;
		if (c == NULL)
			continue;
		/* The values of matching attributes, judged on their own. */
		if ((sel = tq_arena_alloc(a, (c->n_values ? c->n_values : 1) *
		    sizeof(*sel))) == NULL || (to = tq_arena_alloc(a,
		    (c->n_values ? c->n_values : 1) * sizeof(*to))) == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
		/* slot[nattr] is "none": out-of-range owners land there. */
		for (j = 0; j < c->n_values; j++) {
			uint32_t m = slot[aown[j] < nattr ? aown[j] : nattr];

			sel[n] = (uint32_t)j;
			to[n] = m;
			n += m != UINT32_MAX;
		}
		if ((rc = judge_values(x, c, sel, to, n, vtype[k], cond, a,
		    &sv)) != 0)
			return rc;
	}
	for (i = 0; i < nattr; i++) {
		uint32_t m = slot[i];

		if (m == UINT32_MAX || !sv.has[m] || v->has[kk.own[i]])
			continue;
		v->has[kk.own[i]] = 1;
		v->ok[kk.own[i]] = sv.ok[m];
	}
	return 0;
}
/* judge_scoped tests cond on a span or resource attribute: its own
 * column and Attrs, as scoped_attr fetches them. */
static int
judge_scoped(struct src *x, bool span, const struct tq_ql_cond *cond,
    struct tq_arena *a, struct verdict *v)
{
	struct verdict ov;
	char path[256];
	int own_type = TQ_QL_T_NIL, rc;
	bool own = own_column(x->meta, span, cond->field.name, cond->field.len,
	    path, sizeof(path), &own_type);
	bool in_attrs = !own || cond->field.types != 1u << own_type;
	uint8_t *has = v->has, *ok = v->ok;
	size_t i;

	if (in_attrs && (rc = judge_attrs(x, span ? SPAN "Attrs.list.element." :
	    RES "Attrs.list.element.", span ? x->span_l : x->rs_l, cond, a,
	    v)) != 0)
		return rc;
	if (!own)
		return 0;
	/* Only its own column: the verdicts straight into v. */
	if (!in_attrs)
		return judge_column(x, path, span ? L_SPAN : L_RS, AS_PLAIN,
		    cond, a, v);
	if ((rc = verdict_new(x, v->n, a, &ov)) != 0 ||
	    (rc = judge_column(x, path, span ? L_SPAN : L_RS, AS_PLAIN, cond, a,
	    &ov)) != 0)
		return rc;
	/* The own column's verdict wins where it has one; without
	 * branches (verdicts are 0 or 1), which vectorizes. */
	for (i = 0; i < v->n; i++) {
		uint8_t m = (uint8_t)-ov.has[i];

		ok[i] = (uint8_t)((ok[i] & ~m) | (ov.ok[i] & m));
		has[i] |= ov.has[i];
	}
	return 0;
}

/* spread_ok sets out[span] to v's verdict for the span's entity. */
static void
spread_ok(struct src *x, const struct verdict *v, int level, uint8_t *out)
{
	const uint32_t *map = level_map(x, level);
	size_t i;

	if (map == NULL) {
		memcpy(out, v->ok, x->n_spans);
		return;
	}
	for (i = 0; i < x->n_spans; i++)
		out[i] = map[i] < v->n && v->ok[map[i]];
}

static int
test_all(struct src *x, const struct tq_ql_cond *c, uint8_t *out,
    struct tq_arena *a, struct tq_err *err)
{
	struct verdict v, rv;
	const char *path = NULL;
	int how, level, rc;
	size_t i;

	x->err = err;
	if ((c->field.is_attr ? c->field.scope != TQ_QL_SCOPE_SPAN :
	    intrinsic_column(c->field.intrinsic, &path, &how, &level) &&
	    (level == L_RS || level == L_SS)) && (rc = scopes(x, a)) != 0)
		return rc;
	if (c->field.is_attr) {
		switch (c->field.scope) {
		case TQ_QL_SCOPE_SPAN:
		case TQ_QL_SCOPE_NONE:
			if ((rc = verdict_new(x, x->n_spans, a, &v)) != 0 ||
			    (rc = judge_scoped(x, true, c, a, &v)) != 0)
				return rc;
			if (c->field.scope == TQ_QL_SCOPE_SPAN) {
				memcpy(out, v.ok, x->n_spans);
				return 0;
			}
			/* Unscoped: the span's own, else its resource's. */
			if ((rc = verdict_new(x, x->n_rs, a, &rv)) != 0 ||
			    (rc = judge_scoped(x, false, c, a, &rv)) != 0)
				return rc;
			for (i = 0; i < x->n_spans; i++)
				out[i] = v.has[i] ? v.ok[i] :
				    x->span_rs[i] < rv.n && rv.ok[x->span_rs[i]];
			return 0;
		case TQ_QL_SCOPE_RESOURCE:
			if ((rc = verdict_new(x, x->n_rs, a, &rv)) != 0 ||
			    (rc = judge_scoped(x, false, c, a, &rv)) != 0)
				return rc;
			spread_ok(x, &rv, L_RS, out);
			return 0;
		default:
			return TQ_EUNSUPPORTED;
		}
	}
	if (!intrinsic_column(c->field.intrinsic, &path, &how, &level) ||
	    how == AS_HEX)
		return TQ_EUNSUPPORTED;
	if ((rc = verdict_new(x, level_count(x, level), a, &v)) != 0 ||
	    (rc = judge_column(x, path, level, how, c, a, &v)) != 0)
		return rc;
	spread_ok(x, &v, level, out);
	return 0;
}

/* ---- the batch's callbacks: all spans, or the selected traces' ---- */

static void
block_only(void *arg, const uint8_t *want)
{
	struct src *x = arg;
	uint8_t *w = (uint8_t *)x->want;
	size_t k;

	if (x->sel_span == NULL) {
		x->want = want;
		return;
	}
	/* want is by selected trace: the row group's wanted ones are a
	 * subset of the selection, whose mask x->want already is. */
	for (k = 0; k < x->n_sel_traces; k++)
		w[x->sel_trace[k]] = want == NULL || want[k];
}

static int
block_fetch(void *arg, const struct tq_ql_field *f, struct tq_ql_value *out,
    struct tq_arena *a, struct tq_err *err)
{
	struct src *x = arg;
	struct tq_ql_value *all;
	const char *path;
	char own_path[256];
	size_t j;
	int how, level, own_type, rc;

	x->err = err;
	if (x->sel_span == NULL)
		return fetch_all(x, f, out, a);
	/* A span or resource attribute held only in its own column is one
	 * value per entity too. */
	if (f->is_attr && (f->scope == TQ_QL_SCOPE_SPAN ||
	    f->scope == TQ_QL_SCOPE_RESOURCE) &&
	    own_column(x->meta, f->scope == TQ_QL_SCOPE_SPAN, f->name, f->len,
	    own_path, sizeof(own_path), &own_type) &&
	    f->types == 1u << own_type) {
		path = own_path;
		how = AS_PLAIN;
		level = f->scope == TQ_QL_SCOPE_SPAN ? L_SPAN : L_RS;
	} else if (f->is_attr || !intrinsic_column(f->intrinsic, &path, &how,
	    &level))
		level = -1;
	/* Columns of one value per entity: straight into the selection. */
	if (level >= 0) {
		if (level == L_SPAN)
			return place_values(x, path, x->span_l, how, a,
			    x->sel_pos, out, x->n_sel_spans);
		if ((level != L_TRACE && (rc = scopes(x, a)) != 0) ||
		    (rc = per_entity(x, path, level_struct(x, level), how, a,
		    &all, level_count(x, level))) != 0)
			return rc;
		for (j = 0; j < x->n_sel_spans; j++)
			out[j] = all[level_map(x, level)[x->sel_span[j]]];
		return 0;
	}
	if ((all = tq_arena_calloc(a, x->n_spans ? x->n_spans : 1,
	    sizeof(*all))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	if ((rc = fetch_all(x, f, all, a)) != 0)
		return rc;
	for (j = 0; j < x->n_sel_spans; j++)
		out[j] = all[x->sel_span[j]];
	return 0;
}

/* block_fetch_ints gives a column of integers of the spans holding one
 * value for every span, the nested-set numbers: in place, or gathered
 * from its dictionary (for the wanted traces' spans alone, when only()
 * named some). */
static int
block_fetch_ints(void *arg, const struct tq_ql_field *f, const int32_t **out,
    struct tq_arena *a, struct tq_err *err)
{
	struct src *x = arg;
	const struct tq_parquet_column *c;
	const char *path;
	uint32_t *own;
	int32_t *v;
	size_t i, n;
	int how, level, rc;

	x->err = err;
	if (x->sel_span != NULL || f->is_attr ||
	    !intrinsic_column(f->intrinsic, &path, &how, &level) ||
	    level != L_SPAN)
		return TQ_EUNSUPPORTED;
	if ((rc = owned_column(x, path, x->span_l, &c)) != 0)
		return rc;
	if (c == NULL || c->type != TQ_PARQUET_INT32 ||
	    (c->idx != NULL && c->dict == NULL))
		return TQ_EUNSUPPORTED;
	/* Value i must be span i's. */
	if ((rc = owners(x, c, x->span_l, a, &own, &n)) != 0)
		return rc;
	if (own != x->ident || c->n_values != x->n_spans)
		return TQ_EUNSUPPORTED;
	if (c->idx == NULL) {
		*out = c->i32;
		return 0;
	}
	if ((v = tq_arena_alloc(a, (x->n_spans ? x->n_spans : 1) *
	    sizeof(*v))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	if (x->want == NULL) {
		for (i = 0; i < x->n_spans; i++)
			v[i] = c->dict->i32[c->idx[i]];
	} else {
		size_t t;

		for (t = 0; t < x->n_traces; t++)
			for (i = x->trace_first[t]; x->want[t] &&
			    i < x->trace_first[t + 1]; i++)
				v[i] = c->dict->i32[c->idx[i]];
	}
	*out = v;
	return 0;
}

/* block_test tests a condition over the whole row group; over a few
 * selected traces, fetching their values is cheaper (they alone are
 * built). */
static int
block_test(void *arg, const struct tq_ql_cond *c, uint8_t *out,
    struct tq_arena *a, struct tq_err *err)
{
	struct src *x = arg;

	x->err = err;
	if (x->sel_span != NULL)
		return TQ_EUNSUPPORTED;
	return test_all(x, c, out, a, err);
}

/* block_fetch_traces places a trace-level field per trace of the batch. */
static int
block_fetch_traces(void *arg, const struct tq_ql_field *f,
    struct tq_ql_value *out, struct tq_arena *a, struct tq_err *err)
{
	struct src *x = arg;
	struct tq_ql_value *all;
	const char *path;
	size_t k;
	int how, level, rc;

	x->err = err;
	if (f->is_attr || !intrinsic_column(f->intrinsic, &path, &how,
	    &level) || level != L_TRACE)
		return tq_err_set(err, TQ_EINVAL, "search: not a field of "
		    "traces");
	if (x->sel_trace == NULL)
		return place_values(x, path, x->trace_l, how, a, NULL, out,
		    x->n_traces);
	if ((rc = per_entity(x, path, x->trace_l, how, a, &all,
	    x->n_traces)) != 0)
		return rc;
	for (k = 0; k < x->n_sel_traces; k++)
		out[k] = all[x->sel_trace[k]];
	return 0;
}

/*
 * block_services gives the batch's traces' service statistics from the
 * trace-level ServiceStats map.  Other writers may leave it out or
 * empty: a trace whose stored span counts do not add up to its spans
 * makes the results count the spans instead.
 */
static int
block_services(void *arg, struct tq_arena *a, struct tq_search_service **svc,
    uint32_t **first, struct tq_err *err)
{
	struct src *x = arg;
	const struct tq_parquet_column *key, *spans, *errors;
	size_t nb = x->sel_trace ? x->n_sel_traces : x->n_traces;
	size_t t, k, i, nent, n = 0;
	uint32_t *own, *at, *out_first;
	struct tq_search_service *out;
	int rc;

	x->err = err;
	if ((rc = column(x, "ServiceStats.key_value.key",
	    TQ_PARQUET_READ_DICT_INDICES, &key)) != 0 ||
	    (rc = column(x, "ServiceStats.key_value.value.SpanCount",
	    TQ_PARQUET_READ_DICT_INDICES, &spans)) != 0 ||
	    (rc = column(x, "ServiceStats.key_value.value.ErrorCount",
	    TQ_PARQUET_READ_DICT_INDICES, &errors)) != 0)
		return rc;
	if (key == NULL || spans == NULL || errors == NULL ||
	    key->type != TQ_PARQUET_BYTE_ARRAY ||
	    spans->n_values != key->n_values ||
	    errors->n_values != key->n_values ||
	    (spans->type != TQ_PARQUET_INT32 &&
	    spans->type != TQ_PARQUET_INT64) ||
	    (errors->type != TQ_PARQUET_INT32 &&
	    errors->type != TQ_PARQUET_INT64))
		return TQ_EUNSUPPORTED;
	if ((rc = owners(x, key, x->trace_l, a, &own, &nent)) != 0)
		return rc;
	if (nent != x->n_traces)
		return tq_err_set(err, TQ_ECORRUPT, "ServiceStats: %zu rows, "
		    "not %zu", nent, x->n_traces);
	/* at[t]: the first entry of row group trace t (owners ascend). */
	if ((at = tq_arena_alloc(a, (x->n_traces + 1) * sizeof(*at))) == NULL ||
	    (out_first = tq_arena_alloc(a, (nb + 1) * sizeof(*out_first))) ==
	    NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	for (t = 0, i = 0; t <= x->n_traces; t++) {
		while (i < key->n_values && own[i] < t)
			i++;
		at[t] = (uint32_t)i;
	}
	for (k = 0; k < nb; k++) {
		t = x->sel_trace ? x->sel_trace[k] : k;
		n += at[t + 1] - at[t];
	}
	if ((out = tq_arena_calloc(a, n ? n : 1, sizeof(*out))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	for (k = 0, n = 0; k < nb; k++) {
		uint64_t counted = 0;

		t = x->sel_trace ? x->sel_trace[k] : k;
		out_first[k] = (uint32_t)n;
		for (i = at[t]; i < at[t + 1]; i++, n++) {
			const uint8_t *p;
			size_t len;

			bytes_at(key, i, &p, &len);
			if ((out[n].name = tq_arena_strndup(a, (const char *)p,
			    len)) == NULL)
				return tq_err_set(err, TQ_ENOMEM,
				    "search: out of memory");
			out[n].spans = (uint32_t)ints_at(spans, i);
			out[n].errors = (uint32_t)ints_at(errors, i);
			counted += out[n].spans;
		}
		if (counted != x->trace_first[t + 1] - x->trace_first[t])
			return TQ_EUNSUPPORTED;
	}
	out_first[nb] = (uint32_t)n;
	*svc = out;
	*first = out_first;
	return 0;
}

/*
 * select_newest makes the batch hold only the traces that could still
 * be among r's limit most recent (and meet the time range): when results
 * are built, the others would be evaluated for nothing.
 */
static int
select_newest(struct src *x, const struct tq_search_opts *o,
    const struct tq_search_result *r, struct tq_arena *a)
{
	struct tq_ql_value *starts, *ends = NULL;
	const uint32_t *hit = NULL;
	uint8_t *want;
	size_t t, h, nt = x->n_traces, k = 0, n = 0;
	int rc;

	if ((rc = per_entity(x, "StartTimeUnixNano", x->trace_l, AS_PLAIN, a,
	    &starts, x->n_traces)) != 0 || (o->start_ns > 0 &&
	    (rc = per_entity(x, "EndTimeUnixNano", x->trace_l, AS_PLAIN, a,
	    &ends, x->n_traces)) != 0))
		return rc;
	if ((want = tq_arena_calloc(a, x->n_traces ? x->n_traces : 1, 1)) ==
	    NULL || (x->sel_trace = tq_arena_alloc(a, (x->n_traces + 1) *
	    sizeof(uint32_t))) == NULL || (x->sel_first = tq_arena_alloc(a,
	    (x->n_traces + 1) * sizeof(uint32_t))) == NULL ||
	    (x->sel_span = tq_arena_alloc(a, (x->n_spans + 1) *
	    sizeof(uint32_t))) == NULL || (x->sel_pos = tq_arena_alloc(a,
	    (x->n_spans + 1) * sizeof(uint32_t))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	memset(x->sel_pos, 0xff, (x->n_spans + 1) * sizeof(uint32_t));
	/* Only the traces the scan counted can be shown. */
	if (x->kept != NULL && x->kept[x->rg].at != SIZE_MAX) {
		hit = (const uint32_t *)x->hits.data + x->kept[x->rg].at;
		nt = x->kept[x->rg].n;
	}
	for (h = 0; h < nt; h++) {
		uint64_t start;
		uint32_t i;

		if ((t = hit != NULL ? hit[h] : h) >= x->n_traces)
			continue;
		start = (uint64_t)starts[t].u.i;
		if (!tq_search_newer(r, o->limit, start) ||
		    (o->end_ns > 0 && start > (uint64_t)o->end_ns) ||
		    (ends != NULL && (uint64_t)ends[t].u.i <
		    (uint64_t)o->start_ns))
			continue;
		want[t] = 1;
		x->sel_trace[k] = (uint32_t)t;
		x->sel_first[k++] = (uint32_t)n;
		for (i = x->trace_first[t]; i < x->trace_first[t + 1]; i++) {
			x->sel_pos[i] = (uint32_t)n;
			x->sel_span[n++] = i;
		}
	}
	x->sel_first[k] = (uint32_t)n;
	x->n_sel_traces = k;
	x->n_sel_spans = n;
	x->want = want;
	return 0;
}

/* ---- the skeleton ---- */

/*
 * walk_spans numbers the spans and traces of the entries of column c
 * (*k spans and *trace traces found); with own, it also sets own[v] to
 * the span of each of c's values (*v of them).  Called with own NULL or
 * not, it compiles into two loops, the first without that work.  Without
 * definition levels, every entry is a span with a value.
 */
static inline int
walk_spans(struct src *x, const struct tq_parquet_column *c, size_t nrows,
    uint32_t *own, struct tq_arena *a, size_t *kp, size_t *vp,
    uint32_t *tracep)
{
	const uint16_t *rep = c->rep, *def = c->def;
	uint32_t sdef = (uint32_t)x->span_l.def, trace = 0;
	uint32_t maxdef = (uint32_t)x->s->columns[c->col].max_def;
	size_t i, k = 0, v = 0, n = c->n_levels;
	uint16_t under = 0;

	/*
	 * Commonly every entry is a span (no list on the way is empty):
	 * entry i is span i, and only where traces start and where values
	 * are is looked for, eight entries at a time, in flags set by loops
	 * that vectorize.
	 */
	for (i = 0; def != NULL && i < n; i++)
		under |= (uint16_t)(def[i] < (uint16_t)sdef);
	if (under == 0 && nrows > 0 && n > 0 && rep[0] == 0) {
		uint32_t *st = x->span_trace, *te = x->trace_entry;
		uint32_t *tf = x->trace_first;
		uint8_t *f;
		size_t next;

		if ((f = tq_arena_alloc(a, n + 8)) == NULL)
			return tq_err_set(x->err, TQ_ENOMEM,
			    "search: out of memory");
		memset(f + n, 0, 8);
		if (own != NULL && def == NULL) {
			for (v = 0; v < c->n_values && v < n; v++)
				own[v] = (uint32_t)v;
		} else if (own != NULL) {
			for (i = 0; i < n; i++)
				f[i] = def[i] == (uint16_t)maxdef;
			for (i = 0; v < c->n_values &&
			    (i = next_one(f, i, n)) < n; i++)
				own[v++] = (uint32_t)i;
		}
		for (i = 0; i < n; i++)
			f[i] = rep[i] == 0;
		for (i = 0; i < n; i = next, trace++) {
			if (trace == nrows)
				return tq_err_set(x->err, TQ_ECORRUPT,
				    "%s: more records than rows",
				    x->s->columns[c->col].path);
			next = next_one(f, i + 1, n);
			te[trace] = tf[trace] = (uint32_t)i;
			for (k = i; k < next; k++)
				st[k] = trace;
		}
		*kp = n;
		*vp = v;
		*tracep = trace;
		return 0;
	}
	/* Entries without a row, or not starting one. */
	if (def == NULL && n > 0)
		return tq_err_set(x->err, TQ_ECORRUPT, "%s: bad levels",
		    x->s->columns[c->col].path);
	for (i = 0; i < c->n_levels; i++) {
		if (rep[i] == 0) {
			if (trace == nrows)
				return tq_err_set(x->err, TQ_ECORRUPT,
				    "%s: more records than rows",
				    x->s->columns[c->col].path);
			x->trace_entry[trace] = (uint32_t)i;
			x->trace_first[trace++] = (uint32_t)k;
		}
		/* Stored for every entry, kept for spans (values). */
		x->span_trace[k] = trace - 1;
		if (own != NULL) {
			own[v] = (uint32_t)k;
			v += (def[i] == maxdef) & (v < c->n_values);
		}
		k += def[i] >= sdef;
	}
	*kp = k;
	*vp = v;
	*tracep = trace;
	return 0;
}

static int
skeleton(struct src *x, struct tq_arena *a)
{
	const struct tq_parquet_column *c;
	const struct tq_parquet_column_desc *d;
	size_t i, k = 0, v = 0, nrows;
	uint32_t trace = 0, t, *own;
	int rc;

	static const char *const spine[] = { SPAN "Kind", SPAN "StatusCode",
		SPAN "ParentID", SPAN "NestedSetLeft", SPAN "SpanID" };
	const char *best = NULL;
	int64_t best_size = INT64_MAX;
	bool chosen = false, dense;

	/* Any column of the span gives the structure: one the query reads
	 * anyway, else the smallest required one, which is also the
	 * cheapest to decode. */
	if (x->spine != NULL) {
		int col = tq_parquet_schema_find(x->s, x->spine);

		if (col >= 0 && x->s->columns[col].max_rep == x->span_l.rep &&
		    tq_parquet_reader_chunk(x->pr, x->rg, col) != NULL) {
			best = x->spine;
			chosen = true;
		}
	}
	for (i = 0; !chosen && i < sizeof(spine) / sizeof(spine[0]); i++) {
		int col = tq_parquet_schema_find(x->s, spine[i]);
		const struct tq_parquet_chunk *ch;

		/* Not under another repeated field (other writers may
		 * make fields optional: more definition levels). */
		if (col < 0 || x->s->columns[col].max_rep != x->span_l.rep ||
		    (ch = tq_parquet_reader_chunk(x->pr, x->rg, col)) == NULL)
			continue;
		if (ch->compressed_size < best_size) {
			best = spine[i];
			best_size = ch->compressed_size;
		}
	}
	if (best == NULL)
		return tq_err_set(x->err, TQ_ECORRUPT,
		    "data.parquet: no required column of spans");
	if ((rc = column(x, best, TQ_PARQUET_READ_DICT_INDICES |
	    TQ_PARQUET_READ_DEF_IF_NULLS, &c)) != 0)
		return rc;
	d = &x->s->columns[c->col];
	nrows = (size_t)tq_parquet_reader_row_group_rows(x->pr, x->rg);
	/* A column under the spans list has both levels (the definition
	 * levels kept only if some entry is null). */
	if (c->rep == NULL || d->max_def == 0)
		return tq_err_set(x->err, TQ_ECORRUPT, "%s: no levels",
		    d->path);
	x->n_traces = nrows;
	/* At most one span per entry; own: the span of each value, when
	 * the query reads the column (else a scratch slot). */
	if ((own = tq_arena_alloc(a, ((chosen ? c->n_values : 0) + 1) *
	    sizeof(uint32_t))) == NULL ||
	    (x->span_trace = tq_arena_alloc(a, (c->n_levels + 1) *
	    sizeof(uint32_t))) == NULL ||
	    (x->trace_first = tq_arena_alloc(a, (nrows + 1) *
	    sizeof(uint32_t))) == NULL ||
	    (x->trace_entry = tq_arena_alloc(a, (nrows + 1) *
	    sizeof(uint32_t))) == NULL)
		return tq_err_set(x->err, TQ_ENOMEM, "search: out of memory");
	/* A required field of the span has a value for every span: its
	 * owners are the identity (owners() knows), none to work out. */
	dense = d->max_def == x->span_l.def;
	rc = chosen && !dense ? walk_spans(x, c, nrows, own, a, &k, &v,
	    &trace) : walk_spans(x, c, nrows, NULL, a, &k, &v, &trace);
	if (rc != 0)
		return rc;
	x->n_spans = k;
	x->skel = c;
	x->scoped = false;
	if (trace != nrows || (chosen && (dense ? k : v) != c->n_values))
		return tq_err_set(x->err, TQ_ECORRUPT, "%s: bad levels",
		    d->path);
	/* What owners() would work out for the column at the span level
	 * (which, when every span has a value, is quicker to check). */
	if (chosen && !dense && c->n_values != k) {
		x->owners[0].c = c;
		x->owners[0].l = x->span_l;
		x->owners[0].o = own;
		x->owners[0].n = k;
		x->nowners = 1;
	}
	for (t = trace; t <= nrows; t++) {
		x->trace_first[t] = (uint32_t)k;
		x->trace_entry[t] = (uint32_t)c->n_levels;
	}
	return 0;
}

/* ---- pruning ---- */

/*
 * need_column says which column and bounds a need is checked against,
 * or false when none: intrinsics with columns, and string attributes of
 * the span and resource scopes (their own column, or Attrs' values).
 */
static bool
need_column(const struct tq_block_meta *meta, const struct tq_ql_need *nd,
    char *path, size_t size, struct tq_parquet_value *v, bool *key_only)
{
	const struct tq_ql_field *f = &nd->field;
	int own_type;

	memset(v, 0, sizeof(*v));
	*key_only = false;
	if (f->is_attr) {
		bool span = f->scope == TQ_QL_SCOPE_SPAN;

		if (f->scope != TQ_QL_SCOPE_SPAN &&
		    f->scope != TQ_QL_SCOPE_RESOURCE)
			return false;
		if (own_column(meta, span, f->name, f->len, path, size,
		    &own_type)) {
			if (nd->val.type != TQ_QL_T_STRING || nd->op != TQ_QL_OP_EQ ||
			    own_type != TQ_QL_T_STRING)
				return false;
			v->type = TQ_PARQUET_BYTE_ARRAY;
			v->ptr = (const uint8_t *)nd->val.s;
			v->len = nd->val.len;
			return true;
		}
		/* Attrs: the key must be in the row group. */
		snprintf(path, size, "%sAttrs.list.element.Key",
		    span ? SPAN : RES);
		v->type = TQ_PARQUET_BYTE_ARRAY;
		v->ptr = (const uint8_t *)f->name;
		v->len = f->len;
		*key_only = true;
		return true;
	}
	switch (f->intrinsic) {
	case TQ_QL_I_NAME: snprintf(path, size, SPAN "Name"); break;
	case TQ_QL_I_STATUS_MESSAGE: snprintf(path, size, SPAN "StatusMessage");
		break;
	case TQ_QL_I_ROOT_NAME: snprintf(path, size, "RootSpanName"); break;
	case TQ_QL_I_ROOT_SERVICE: snprintf(path, size, "RootServiceName");
		break;
	case TQ_QL_I_DURATION:
	case TQ_QL_I_TRACE_DURATION:
		if (nd->val.type != TQ_QL_T_DURATION &&
		    nd->val.type != TQ_QL_T_INT)
			return false;
		snprintf(path, size, "%s", f->intrinsic == TQ_QL_I_DURATION ?
		    SPAN "DurationNano" : "DurationNano");
		v->type = TQ_PARQUET_INT64;
		v->i64 = nd->val.i < 0 ? 0 : nd->val.i;
		return true;
	default:
		return false;
	}
	if (nd->val.type != TQ_QL_T_STRING)
		return false;
	v->type = TQ_PARQUET_BYTE_ARRAY;
	v->ptr = (const uint8_t *)nd->val.s;
	v->len = nd->val.len;
	return true;
}

/*
 * attr_value says, for a need "attribute = string" held in an Attrs list
 * (not a column of its own), which column holds the attribute's string
 * values: the string must be one of them.
 */
static bool
attr_value(const struct tq_block_meta *meta, const struct tq_ql_need *nd,
    char *path, size_t size, struct tq_parquet_value *v)
{
	char key[256];
	bool key_only;

	if (!need_column(meta, nd, key, sizeof(key), v, &key_only) || !key_only ||
	    nd->op != TQ_QL_OP_EQ || nd->val.type != TQ_QL_T_STRING)
		return false;
	snprintf(path, size, "%sAttrs.list.element.Value.list.element",
	    nd->field.scope == TQ_QL_SCOPE_SPAN ? SPAN : RES);
	v->ptr = (const uint8_t *)nd->val.s;
	v->len = nd->val.len;
	return true;
}

/*
 * values_rule_out says whether the block's values filter shows that a
 * string some need names (a value compared for equality, or the key of
 * an attribute) is in none of the block's rows.
 */
static int
values_rule_out(struct tq_block *blk, const struct tq_ql_need *needs,
    size_t n, bool *out, struct tq_err *err)
{
	const struct tq_block_meta *meta = tq_block_get_meta(blk);
	struct tq_parquet_value v;
	char path[256];
	bool key_only;
	size_t i;
	int rc;

	*out = false;
	for (i = 0; i < n && !*out; i++) {
		if (!need_column(meta, &needs[i], path, sizeof(path), &v,
		    &key_only) || v.type != TQ_PARQUET_BYTE_ARRAY ||
		    (!key_only && needs[i].op != TQ_QL_OP_EQ))
			continue;
		if ((rc = tq_block_value_absent(blk, path, v.ptr, v.len, out,
		    err)) != 0)
			return rc;
		if (!*out && attr_value(meta, &needs[i], path, sizeof(path),
		    &v) && (rc = tq_block_value_absent(blk, path, v.ptr, v.len,
		    out, err)) != 0)
			return rc;
	}
	return 0;
}

static int
may_hold(struct src *x, const struct tq_ql_need *needs, size_t n,
    const struct tq_search_opts *o, bool *may)
{
	char path[256];
	size_t i;
	int rc, col;

	*may = true;
	for (i = 0; i < n && *may; i++) {
		struct tq_parquet_value v;
		const struct tq_parquet_value *lo = &v, *hi = &v;
		bool key_only, dict = i >= MAX_DICT_NEEDS ||
		    x->dict_held[i] < DICT_HELD_ENOUGH;
		int how = TQ_PARQUET_PRUNE_STATS |
		    (dict ? TQ_PARQUET_PRUNE_DICT : 0);

		if (attr_value(x->meta, &needs[i], path, sizeof(path), &v) &&
		    (col = tq_parquet_schema_find(x->s, path)) >= 0 &&
		    (rc = tq_parquet_reader_may_match(x->pr, x->rg, col, &v, &v,
		    how, may, x->err)) != 0)
			return rc;
		if (!*may) {
			if (i < MAX_DICT_NEEDS)
				x->dict_held[i] = 0;
			break;
		}
		if (!need_column(x->meta, &needs[i], path, sizeof(path), &v,
		    &key_only) ||
		    (col = tq_parquet_schema_find(x->s, path)) < 0)
			continue;
		if (!key_only) {
			switch (needs[i].op) {
			case TQ_QL_OP_EQ: break;
			case TQ_QL_OP_GT: case TQ_QL_OP_GTE: hi = NULL; break;
			case TQ_QL_OP_LT: case TQ_QL_OP_LTE: lo = NULL; break;
			default: continue;
			}
			/* Strings compare only for equality here. */
			if (v.type == TQ_PARQUET_BYTE_ARRAY &&
			    needs[i].op != TQ_QL_OP_EQ)
				continue;
		}
		if ((rc = tq_parquet_reader_may_match(x->pr, x->rg, col, lo, hi,
		    how, may, x->err)) != 0)
			return rc;
		if (i < MAX_DICT_NEEDS)
			x->dict_held[i] = *may ? x->dict_held[i] + 1 : 0;
	}
	if (*may && (o->start_ns > 0 || o->end_ns > 0)) {
		struct tq_parquet_value t = { .type = TQ_PARQUET_INT64 };

		if (o->end_ns > 0 && (col = tq_parquet_schema_find(x->s,
		    "StartTimeUnixNano")) >= 0) {
			t.i64 = o->end_ns;
			if ((rc = tq_parquet_reader_may_match(x->pr, x->rg, col,
			    NULL, &t, TQ_PARQUET_PRUNE_STATS, may, x->err)) != 0)
				return rc;
		}
		if (*may && o->start_ns > 0 && (col = tq_parquet_schema_find(
		    x->s, "EndTimeUnixNano")) >= 0) {
			t.i64 = o->start_ns;
			if ((rc = tq_parquet_reader_may_match(x->pr, x->rg, col,
			    &t, NULL, TQ_PARQUET_PRUNE_STATS, may, x->err)) != 0)
				return rc;
		}
	}
	return 0;
}

/* choose_spine picks the column of the first need held per span, which
 * the search reads in every row group, as the skeleton's source. */
static void
choose_spine(struct src *x, const struct tq_ql_need *needs, size_t n)
{
	const char *path;
	size_t i;
	int how, level, type;

	for (i = 0; i < n; i++) {
		const struct tq_ql_field *f = &needs[i].field;

		if (!f->is_attr && intrinsic_column(f->intrinsic, &path, &how,
		    &level) && level == L_SPAN) {
			snprintf(x->spine_buf, sizeof(x->spine_buf), "%s", path);
			x->spine = x->spine_buf;
			return;
		}
		if (f->is_attr && f->scope == TQ_QL_SCOPE_SPAN &&
		    own_column(x->meta, true, f->name, f->len, x->spine_buf,
		    sizeof(x->spine_buf), &type)) {
			x->spine = x->spine_buf;
			return;
		}
	}
}

/* keep_hits keeps the traces of row group x->rg a scan counted; past the
 * cap, the row group's build tries every recent trace. */
static void
keep_hits(struct src *x, const bool *counted)
{
	size_t at = x->hits.len, t;
	uint32_t v;

	x->kept[x->rg].at = at / sizeof(uint32_t);
	x->kept[x->rg].n = 0;
	for (t = 0; t < x->n_traces; t++) {
		if (!counted[t])
			continue;
		v = (uint32_t)t;
		if (tq_buf_append(&x->hits, &v, sizeof(v)) != 0) {
			x->hits.len = at;
			x->kept[x->rg].at = SIZE_MAX;
			return;
		}
		x->kept[x->rg].n++;
	}
}

/* row_group runs one pass of the search over row group x->rg. */
static int
row_group(struct src *x, struct tq_search_query *sq, struct tq_arena *a,
    const struct tq_search_opts *o, struct tq_search_result *r,
    enum tq_search_pass pass, int64_t *newest, struct tq_err *err)
{
	struct tq_ql_batch b;
	bool *counted = NULL;
	int rc;

	x->pass = pass;
	if ((rc = skeleton(x, a)) == 0 && pass == TQ_SEARCH_BUILD)
		rc = select_newest(x, o, r, a);
	if (rc == 0 && (x->sel_span == NULL || x->n_sel_traces > 0)) {
		memset(&b, 0, sizeof(b));
		b.n_spans = x->sel_span ? x->n_sel_spans : x->n_spans;
		b.n_traces = x->sel_span ? x->n_sel_traces : x->n_traces;
		b.trace_first = x->sel_span ? x->sel_first : x->trace_first;
		b.fetch = block_fetch;
		b.only = block_only;
		b.test = block_test;
		b.fetch_traces = block_fetch_traces;
		b.fetch_ints = block_fetch_ints;
		b.traces_only = pass == TQ_SEARCH_SCAN;
		b.arg = x;
		if (pass == TQ_SEARCH_SCAN && x->kept != NULL &&
		    (counted = tq_arena_alloc(a, x->n_traces ? x->n_traces :
		    1)) == NULL)
			rc = tq_err_set(err, TQ_ENOMEM, "search: out of memory");
		if (rc == 0)
			rc = tq_search_batch_pass(sq, &b, block_services, a, o,
			    r, pass, counted, newest, err);
		if (rc == 0 && counted != NULL)
			keep_hits(x, counted);
	}
	next_row_group(x);
	tq_arena_reset(a);
	return rc;
}

int
tq_search_block(struct tq_search_query *sq, struct tq_block *blk,
    const struct tq_search_opts *o, struct tq_search_result *r,
    struct tq_err *err)
{
	const struct tq_ql_need *needs;
	size_t nneeds = tq_search_query_needs(sq, &needs), nrg, rg;
	int64_t *newest = NULL;
	struct tq_arena a;
	struct src *x;
	bool ruled_out;
	int rc = 0;

	/* Before anything is allocated: most blocks end here. */
	if ((rc = values_rule_out(blk, needs, nneeds, &ruled_out, err)) != 0)
		return rc;
	if (ruled_out) {
		r->metrics.skipped_blocks++;
		return 0;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "search: out of memory");
	x->err = err;
	x->meta = tq_block_get_meta(blk);
	x->r = r;
	x->limit = o->limit;
	tq_arena_init(&a, TQ_QL_MAX_EVAL_ARENA);
	tq_arena_init(&x->memo_a, TQ_SEARCH_MAX_MEMO);
	tq_buf_init(&x->memo_ent, TQ_SEARCH_MAX_MEMO);
	tq_buf_init(&x->hits, TQ_SEARCH_MAX_HITS);
	if ((rc = tq_block_parquet(blk, &x->pr, err)) != 0)
		goto out;
	x->s = tq_parquet_reader_schema(x->pr);
	x->rs_l = level_of(x->s, "rs.list");
	x->ss_l = level_of(x->s, "rs.list.element.ss.list");
	x->span_l = level_of(x->s, "rs.list.element.ss.list.element.Spans.list");
	if (x->span_l.def == 0) {
		rc = tq_err_set(err, TQ_ECORRUPT, "%s/%s: data.parquet is not "
		    "vParquet4 (no spans list)", x->meta->tenant,
		    x->meta->block_id);
		goto out;
	}
	choose_spine(x, needs, nneeds);
	nrg = tq_parquet_reader_num_row_groups(x->pr);
	/* Without a limit every match is a result: one pass.  With one,
	 * a scan first, then results from the row groups whose newest
	 * match is still among the limit newest. */
	if (o->limit > 0 && ((newest = calloc(nrg ? nrg : 1,
	    sizeof(*newest))) == NULL || (x->kept = calloc(nrg ? nrg : 1,
	    sizeof(*x->kept))) == NULL)) {
		rc = tq_err_set(err, TQ_ENOMEM, "search: out of memory");
		goto out;
	}
	for (rg = 0; rg < nrg && rc == 0; rg++) {
		bool may;

		x->rg = rg;
		if (newest != NULL)
			newest[rg] = -1;
		if ((rc = may_hold(x, needs, nneeds, o, &may)) != 0)
			break;
		if (!may) {
			r->metrics.skipped_row_groups++;
			continue;
		}
		rc = row_group(x, sq, &a, o, r, newest ? TQ_SEARCH_SCAN :
		    TQ_SEARCH_ALL, newest ? &newest[rg] : NULL, err);
	}
	for (rg = 0; rg < nrg && rc == 0 && newest != NULL; rg++) {
		x->rg = rg;
		if (newest[rg] >= 0 &&
		    tq_search_newer(r, o->limit, (uint64_t)newest[rg]))
			rc = row_group(x, sq, &a, o, r, TQ_SEARCH_BUILD, NULL,
			    err);
	}
	if (rc != 0)
		tq_err_prefix(err, rc, "%s/%s: row group %zu", x->meta->tenant,
		    x->meta->block_id, x->rg);
out:
	free(newest);
	release(x);
	tq_parquet_reader_free(x->pr);
	tq_arena_release(&a);
	tq_arena_release(&x->memo_a);
	tq_buf_release(&x->memo_ent);
	tq_buf_release(&x->hits);
	free(x->kept);
	free(x->memo);
	free(x);
	return rc;
}
