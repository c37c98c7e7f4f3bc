/*
 * assemble.c: Dremel record assembly.  The decoded columns of one row
 * group are walked together, one cursor per column, and their levels
 * rebuilt into struct tq_parquet_datum trees that mirror the schema.  A
 * node is absent (or an empty repetition) when its first column's
 * definition level stays below the node's own; a repeated node goes on
 * while that column's next repetition level equals the node's.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parquet-int.h"

struct asm_ctx {
	const struct tq_parquet_schema	*s;
	const struct tq_parquet_column	*cols;
	size_t				*pos;
	size_t				*vpos;
	struct tq_arena			*arena;
	struct tq_err			*err;
	int				 depth;
};

static int
bad(struct asm_ctx *a, int col, const char *what)
{
	return tq_err_set(a->err, TQ_ECORRUPT, "column %s: entry %zu: %s",
	    a->s->columns[col].path, a->pos[col], what);
}

static int
peek(struct asm_ctx *a, int col, int *rep, int *def)
{
	const struct tq_parquet_column *c = &a->cols[col];

	*rep = *def = 0;
	if (a->pos[col] >= c->n_levels)
		return bad(a, col, "levels end early");
	*rep = c->rep ? c->rep[a->pos[col]] : 0;
	*def = c->def ? c->def[a->pos[col]] : a->s->columns[col].max_def;
	return 0;
}

static int
skip_absent(struct asm_ctx *a, int node)
{
	const struct tq_parquet_schema *s = a->s;
	int c;

	for (c = s->first_col[node]; c < s->first_col[node] + s->n_cols[node];
	    c++) {
		if (a->pos[c] >= a->cols[c].n_levels)
			return bad(a, c, "levels end early");
		a->pos[c]++;
	}
	return 0;
}

static int read_field(struct asm_ctx *, int, struct tq_parquet_datum *);

static int
read_leaf(struct asm_ctx *a, int node, struct tq_parquet_datum *out)
{
	int col = a->s->col_of[node], rep, def, rc;
	const struct tq_parquet_column *c = &a->cols[col], *src = c;
	size_t v;

	if ((rc = peek(a, col, &rep, &def)) != 0)
		return rc;
	if (def != a->s->columns[col].max_def)
		return bad(a, col, "value expected");
	if (a->vpos[col] >= c->n_values)
		return bad(a, col, "values end early");
	v = a->vpos[col]++;
	a->pos[col]++;
	if (c->idx != NULL) {
		src = c->dict;
		v = c->idx[v];
	}
	out->kind = TQ_PARQUET_D_VALUE;
	switch (c->type) {
	case TQ_PARQUET_BOOLEAN: out->v.b = src->b[v] != 0; break;
	case TQ_PARQUET_INT32: out->v.i32 = src->i32[v]; break;
	case TQ_PARQUET_INT64: out->v.i64 = src->i64[v]; break;
	case TQ_PARQUET_FLOAT: out->v.f32 = src->f32[v]; break;
	case TQ_PARQUET_DOUBLE: out->v.f64 = src->f64[v]; break;
	case TQ_PARQUET_BYTE_ARRAY:
		out->v.bytes.ptr = src->data + src->off[v];
		out->v.bytes.len = src->off[v + 1] - src->off[v];
		break;
	default:
		out->v.bytes.ptr = src->data + v * (size_t)c->width;
		out->v.bytes.len = (size_t)c->width;
	}
	return 0;
}

static int
read_instance(struct asm_ctx *a, int node, struct tq_parquet_datum *out)
{
	const struct tq_parquet_node *nd = &a->s->nodes[node];
	int k, ch, rc;

	if (nd->num_children == 0)
		return read_leaf(a, node, out);
	out->kind = TQ_PARQUET_D_GROUP;
	out->n = (size_t)nd->num_children;
	out->items = tq_arena_calloc(a->arena, out->n, sizeof(*out->items));
	if (out->items == NULL)
		return tq_err_set(a->err, TQ_ENOMEM, "assembly: out of memory");
	/* Children follow their parent; skip each child's subtree. */
	for (k = 0, ch = node + 1; k < nd->num_children; k++) {
		if ((rc = read_field(a, ch, &out->items[k])) != 0)
			return rc;
		if (k + 1 < nd->num_children) {
			int next = ch + 1;

			while ((size_t)next < a->s->n_nodes &&
			    a->s->parent[next] != node)
				next++;
			ch = next;
		}
	}
	return 0;
}

static int
read_field(struct asm_ctx *a, int node, struct tq_parquet_datum *out)
{
	const struct tq_parquet_schema *s = a->s;
	const struct tq_parquet_node *nd = &s->nodes[node];
	int col = s->first_col[node], rep, def, rc;
	struct tq_parquet_datum *items = NULL, *grown;
	size_t n = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = peek(a, col, &rep, &def)) != 0)
		return rc;
	if (def < s->def[node]) {
		if (nd->repetition == TQ_PARQUET_REQUIRED)
			return bad(a, col, "required field absent");
		out->kind = nd->repetition == TQ_PARQUET_REPEATED ?
		    TQ_PARQUET_D_REPEATED : TQ_PARQUET_D_NULL;
		return skip_absent(a, node);
	}
	if (nd->repetition != TQ_PARQUET_REPEATED)
		return read_instance(a, node, out);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((grown = realloc(items, cap * sizeof(*items))) ==
			    NULL) {
				rc = tq_err_set(a->err, TQ_ENOMEM, "assembly: "
				    "out of memory");
				goto out;
			}
			items = grown;
		}
		memset(&items[n], 0, sizeof(items[n]));
		if ((rc = read_instance(a, node, &items[n++])) != 0)
			goto out;
		if (a->pos[col] >= a->cols[col].n_levels)
			break;
		if ((rc = peek(a, col, &rep, &def)) != 0)
			goto out;
		if (rep != s->rep[node])
			break;
	}
	out->kind = TQ_PARQUET_D_REPEATED;
	out->n = n;
	if ((out->items = tq_arena_memdup(a->arena, items, n * sizeof(*items)))
	    == NULL)
		rc = tq_err_set(a->err, TQ_ENOMEM, "assembly: out of memory");
out:
	free(items);
	return rc;
}

/*
 * seek puts every column at the start of record first: the first-th entry
 * with repetition level 0, past the values of the entries before it.
 */
static int
seek(struct asm_ctx *a, size_t first)
{
	size_t c, i, rec;

	for (c = 0; c < a->s->n_columns; c++) {
		const struct tq_parquet_column *col = &a->cols[c];
		int max_def = a->s->columns[c].max_def;

		if (col->rep == NULL)
			i = first;
		else
			for (i = 0, rec = 0; i < col->n_levels; i++)
				if (col->rep[i] == 0 && rec++ == first)
					break;
		if (i > col->n_levels)
			return bad(a, (int)c, "fewer records than asked for");
		a->pos[c] = i;
		if (col->def == NULL)
			a->vpos[c] = i;
		else {
			size_t k, v = 0;

			for (k = 0; k < i; k++)
				v += col->def[k] == max_def;
			a->vpos[c] = v;
		}
	}
	return 0;
}

/*
 * assemble rebuilds records first .. first + n - 1; with whole set (first
 * is 0 and n every record) no level may be left over.
 */
static int
assemble(const struct tq_parquet_schema *s,
    const struct tq_parquet_column *cols, size_t first, size_t n,
    struct tq_arena *arena, struct tq_parquet_datum *recs, bool whole,
    struct tq_err *err)
{
	struct asm_ctx a;
	size_t i;
	int rep, def, rc = 0;

	memset(&a, 0, sizeof(a));
	a.s = s;
	a.cols = cols;
	a.arena = arena;
	a.err = err;
	a.pos = calloc(s->n_columns, sizeof(size_t));
	a.vpos = calloc(s->n_columns, sizeof(size_t));
	if (a.pos == NULL || a.vpos == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "assembly: out of memory");
		goto out;
	}
	if (first > 0 && (rc = seek(&a, first)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = peek(&a, 0, &rep, &def)) != 0)
			goto out;
		if (rep != 0) {
			rc = bad(&a, 0, "record does not start at level 0");
			goto out;
		}
		if ((rc = read_instance(&a, 0, &recs[i])) != 0)
			goto out;
	}
	for (i = 0; whole && i < s->n_columns; i++)
		if (a.pos[i] != cols[i].n_levels) {
			rc = bad(&a, (int)i, "levels left after the last record");
			goto out;
		}
out:
	free(a.pos);
	free(a.vpos);
	return rc;
}

int
tq_parquet_assemble_rows(const struct tq_parquet_schema *s,
    const struct tq_parquet_column *cols, size_t first, size_t n,
    struct tq_arena *arena, struct tq_parquet_datum *recs,
    struct tq_err *err)
{
	return assemble(s, cols, first, n, arena, recs, false, err);
}

int
tq_parquet_assemble(const struct tq_parquet_schema *s,
    const struct tq_parquet_column *cols, size_t n, struct tq_arena *arena,
    struct tq_parquet_datum *recs, struct tq_err *err)
{
	return assemble(s, cols, 0, n, arena, recs, true, err);
}
