/*
 * schema.c: checking a depth-first schema and deriving what Dremel needs:
 * each node's parent and levels, each leaf column's dotted path and
 * maximum definition and repetition levels.  Also the small tables (type,
 * codec and encoding names) and the value ordering used for statistics.
 */
#include <stdlib.h>
#include <string.h>

#include "parquet-int.h"

struct schema_impl {
	struct tq_parquet_schema	pub;
	struct tq_arena			arena;
};

void
tq_parquet_schema_free(struct tq_parquet_schema *s)
{
	struct schema_impl *si = (struct schema_impl *)s;

	if (si == NULL)
		return;
	tq_arena_release(&si->arena);
	free(si);
}

static int
check_annotations(const struct tq_parquet_schema *s, size_t i,
    struct tq_err *err)
{
	const struct tq_parquet_node *n = &s->nodes[i], *c, *k;

	if (n->logical.kind == TQ_PARQUET_LT_LIST) {
		c = &s->nodes[i + 1];
		if (n->num_children != 1 || c->repetition != TQ_PARQUET_REPEATED ||
		    c->num_children != 1)
			return tq_err_set(err, TQ_EINVAL, "schema: LIST %s must "
			    "hold one repeated group of one element", n->name);
	} else if (n->logical.kind == TQ_PARQUET_LT_MAP) {
		c = &s->nodes[i + 1];
		k = &s->nodes[i + 2];
		if (n->num_children != 1 || c->repetition != TQ_PARQUET_REPEATED ||
		    c->num_children < 1 || c->num_children > 2 ||
		    k->repetition != TQ_PARQUET_REQUIRED || k->num_children != 0)
			return tq_err_set(err, TQ_EINVAL, "schema: MAP %s must "
			    "hold one repeated group of a required key and a "
			    "value", n->name);
	}
	return 0;
}

int
pq_schema_build(const struct tq_parquet_node *nodes, size_t n,
    bool copy_names, bool strict, struct tq_parquet_schema **out,
    struct tq_err *err)
{
	struct schema_impl *si;
	struct tq_parquet_schema *s;
	int stack[TQ_PARQUET_MAX_DEPTH + 1], left[TQ_PARQUET_MAX_DEPTH + 1];
	int sp = 0, rc = 0;
	size_t i, ncols = 0;

	if (n == 0 || nodes == NULL)
		return tq_err_set(err, TQ_EINVAL, "schema: no nodes");
	if (n > TQ_PARQUET_MAX_NODES)
		return tq_err_set(err, TQ_ELIMIT, "schema: %zu nodes", n);
	if ((si = calloc(1, sizeof(*si))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "schema: out of memory");
	tq_arena_init(&si->arena, (size_t)1 << 30);
	s = &si->pub;
	s->n_nodes = n;
	s->nodes = tq_arena_calloc(&si->arena, n, sizeof(*s->nodes));
	s->parent = tq_arena_calloc(&si->arena, n, sizeof(int));
	s->def = tq_arena_calloc(&si->arena, n, sizeof(int));
	s->rep = tq_arena_calloc(&si->arena, n, sizeof(int));
	s->first_col = tq_arena_calloc(&si->arena, n, sizeof(int));
	s->n_cols = tq_arena_calloc(&si->arena, n, sizeof(int));
	s->col_of = tq_arena_calloc(&si->arena, n, sizeof(int));
	if (s->nodes == NULL || s->parent == NULL || s->def == NULL ||
	    s->rep == NULL || s->first_col == NULL || s->n_cols == NULL ||
	    s->col_of == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "schema: out of memory");
		goto out;
	}
	memcpy(s->nodes, nodes, n * sizeof(*nodes));
	for (i = 0; i < n; i++) {
		struct tq_parquet_node *nd = &s->nodes[i];

		if (nd->name == NULL) {
			rc = tq_err_set(err, TQ_EINVAL, "schema: node %zu has "
			    "no name", i);
			goto out;
		}
		if (copy_names && (nd->name = tq_arena_strndup(&si->arena,
		    nd->name, strlen(nd->name))) == NULL) {
			rc = tq_err_set(err, TQ_ENOMEM, "schema: out of memory");
			goto out;
		}
		if (i == 0)
			nd->repetition = TQ_PARQUET_REQUIRED;
		if (nd->num_children < 0 || (size_t)nd->num_children >= n ||
		    nd->repetition < 0 || nd->repetition > 2) {
			rc = tq_err_set(err, TQ_ECORRUPT, "schema: node %s: bad "
			    "repetition or child count", nd->name);
			goto out;
		}
		if (nd->num_children == 0 && i > 0) {
			if (nd->type < 0 || nd->type > 7 || (strict &&
			    nd->type == TQ_PARQUET_INT96) ||
			    (nd->type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY &&
			    (nd->type_length <= 0 ||
			    nd->type_length > (1 << 24)))) {
				rc = tq_err_set(err, TQ_ECORRUPT, "schema: column "
				    "%s: bad physical type", nd->name);
				goto out;
			}
			if (nd->type == TQ_PARQUET_INT96)
				nd->type_length = 12;
			s->col_of[i] = (int)ncols++;
		} else
			s->col_of[i] = -1;
		/* Pop finished groups, then attach this node. */
		while (sp > 0 && left[sp - 1] == 0)
			sp--;
		if (i > 0) {
			int p;

			if (sp == 0) {
				rc = tq_err_set(err, TQ_ECORRUPT, "schema: node %s "
				    "outside the root", nd->name);
				goto out;
			}
			p = stack[sp - 1];
			left[sp - 1]--;
			s->parent[i] = p;
			s->def[i] = s->def[p] +
			    (nd->repetition != TQ_PARQUET_REQUIRED);
			s->rep[i] = s->rep[p] +
			    (nd->repetition == TQ_PARQUET_REPEATED);
		} else
			s->parent[i] = -1;
		if (nd->num_children > 0 || i == 0) {
			if (sp > TQ_PARQUET_MAX_DEPTH - 1) {
				rc = tq_err_set(err, TQ_ELIMIT, "schema: nested "
				    "deeper than %d", TQ_PARQUET_MAX_DEPTH);
				goto out;
			}
			stack[sp] = (int)i;
			left[sp++] = nd->num_children;
		}
	}
	while (sp > 0 && left[sp - 1] == 0)
		sp--;
	if (sp != 0 || ncols == 0) {
		rc = tq_err_set(err, TQ_ECORRUPT, "schema: tree does not add up "
		    "or has no columns");
		goto out;
	}
	s->n_columns = ncols;
	s->columns = tq_arena_calloc(&si->arena, ncols, sizeof(*s->columns));
	if (s->columns == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "schema: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		s->first_col[i] = -1;
	for (i = n; i-- > 0;) {
		/* Walking backwards, children are done before parents. */
		int c = s->col_of[i], p;

		if (c >= 0) {
			s->first_col[i] = c;
			s->n_cols[i] = 1;
		}
		if (i == 0 || s->first_col[i] < 0)
			continue;
		p = s->parent[i];
		if (s->first_col[p] < 0 || s->first_col[i] < s->first_col[p])
			s->first_col[p] = s->first_col[i];
		s->n_cols[p] += s->n_cols[i];
	}
	for (i = 1; i < n; i++) {
		struct tq_parquet_column_desc *cd;
		struct tq_buf path;
		int chain[TQ_PARQUET_MAX_DEPTH + 1], depth = 0, nd = (int)i;
		size_t len;

		if (strict && (rc = check_annotations(s, i, err)) != 0)
			goto out;
		if (s->col_of[i] < 0)
			continue;
		cd = &s->columns[s->col_of[i]];
		while (nd > 0) {
			chain[depth++] = nd;
			nd = s->parent[nd];
		}
		tq_buf_init(&path, 1 << 20);
		/* Joined by hand: a printf per node was most of the build. */
		while (depth-- > 0)
			if ((path.len > 0 && (rc = tq_buf_putc(&path, '.')) != 0) ||
			    (rc = tq_buf_puts(&path, s->nodes[chain[depth]].name))
			    != 0)
				break;
		if (rc == 0)
			cd->path = tq_arena_strndup(&si->arena,
			    (const char *)path.data, path.len);
		len = path.len;
		tq_buf_release(&path);
		if (rc != 0 || cd->path == NULL) {
			rc = tq_err_set(err, rc ? rc : TQ_ENOMEM, "schema: path "
			    "of %zu bytes", len);
			goto out;
		}
		cd->node = (int)i;
		cd->type = s->nodes[i].type;
		cd->type_length = s->nodes[i].type_length;
		cd->logical = s->nodes[i].logical;
		cd->max_def = s->def[i];
		cd->max_rep = s->rep[i];
	}
	*out = s;
	si = NULL;
out:
	if (si != NULL)
		tq_parquet_schema_free(&si->pub);
	return rc;
}

int
tq_parquet_schema_new(const struct tq_parquet_node *nodes, size_t n,
    struct tq_parquet_schema **out, struct tq_err *err)
{
	return pq_schema_build(nodes, n, true, true, out, err);
}

int
tq_parquet_schema_find(const struct tq_parquet_schema *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n_columns; i++)
		if (strcmp(s->columns[i].path, path) == 0)
			return (int)i;
	return -1;
}

int
tq_parquet_schema_list_element(const struct tq_parquet_schema *s, int node)
{
	const struct tq_parquet_node *nd, *r;
	size_t plen;
	int ri = node + 1;

	if (node < 0 || (size_t)node >= s->n_nodes)
		return -1;
	nd = &s->nodes[node];
	if ((nd->logical.kind != TQ_PARQUET_LT_LIST &&
	    nd->logical.kind != TQ_PARQUET_LT_MAP) || nd->num_children != 1 ||
	    (size_t)ri >= s->n_nodes)
		return -1;
	r = &s->nodes[ri];
	if (r->repetition != TQ_PARQUET_REPEATED)
		return -1;
	if (nd->logical.kind == TQ_PARQUET_LT_MAP)
		return ri;
	plen = strlen(nd->name);
	if (r->num_children != 1 || strcmp(r->name, "array") == 0 ||
	    (strncmp(r->name, nd->name, plen) == 0 &&
	    strcmp(r->name + plen, "_tuple") == 0))
		return ri;
	return ri + 1;
}

size_t
pq_value_size(int type, int type_length)
{
	switch (type) {
	case TQ_PARQUET_BOOLEAN:	return 1;
	case TQ_PARQUET_INT32:
	case TQ_PARQUET_FLOAT:		return 4;
	case TQ_PARQUET_INT64:
	case TQ_PARQUET_DOUBLE:		return 8;
	case TQ_PARQUET_INT96:		return 12;
	case TQ_PARQUET_FIXED_LEN_BYTE_ARRAY:	return (size_t)type_length;
	default:			return 0;
	}
}

static int
cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

int
pq_compare(const struct tq_parquet_column_desc *c,
    const struct tq_parquet_value *a, const struct tq_parquet_value *b)
{
	bool uns = c->logical.kind == TQ_PARQUET_LT_INT && !c->logical.is_signed;

	switch (c->type) {
	case TQ_PARQUET_BOOLEAN:
		return (int)a->b - (int)b->b;
	case TQ_PARQUET_INT32:
		if (uns)
			return ((uint32_t)a->i32 > (uint32_t)b->i32) -
			    ((uint32_t)a->i32 < (uint32_t)b->i32);
		return (a->i32 > b->i32) - (a->i32 < b->i32);
	case TQ_PARQUET_INT64:
		if (uns)
			return ((uint64_t)a->i64 > (uint64_t)b->i64) -
			    ((uint64_t)a->i64 < (uint64_t)b->i64);
		return (a->i64 > b->i64) - (a->i64 < b->i64);
	case TQ_PARQUET_FLOAT:
		return (a->f32 > b->f32) - (a->f32 < b->f32);
	case TQ_PARQUET_DOUBLE:
		return (a->f64 > b->f64) - (a->f64 < b->f64);
	default:
		return cmp_bytes(a->ptr, a->len, b->ptr, b->len);
	}
}

int
tq_parquet_stat_value(const struct tq_parquet_schema *s, int col,
    const uint8_t *p, size_t len, struct tq_parquet_value *v,
    struct tq_err *err)
{
	const struct tq_parquet_column_desc *c;
	size_t want;

	if (col < 0 || (size_t)col >= s->n_columns)
		return tq_err_set(err, TQ_EINVAL, "no column %d", col);
	c = &s->columns[col];
	memset(v, 0, sizeof(*v));
	v->type = c->type;
	want = pq_value_size(c->type, c->type_length);
	if (c->type == TQ_PARQUET_BYTE_ARRAY ||
	    c->type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY ||
	    c->type == TQ_PARQUET_INT96) {
		v->ptr = p;
		v->len = len;
		return 0;
	}
	if (len != want)
		return tq_err_set(err, TQ_ECORRUPT, "column %s: statistic of "
		    "%zu bytes", c->path, len);
	switch (c->type) {
	case TQ_PARQUET_BOOLEAN: v->b = p[0] != 0; break;
	case TQ_PARQUET_INT32: memcpy(&v->i32, p, 4); break;
	case TQ_PARQUET_INT64: memcpy(&v->i64, p, 8); break;
	case TQ_PARQUET_FLOAT: memcpy(&v->f32, p, 4); break;
	case TQ_PARQUET_DOUBLE: memcpy(&v->f64, p, 8); break;
	}
	return 0;
}

const char *
tq_parquet_codec_name(int codec)
{
	switch (codec) {
	case TQ_PARQUET_UNCOMPRESSED:	return "UNCOMPRESSED";
	case TQ_PARQUET_SNAPPY:		return "SNAPPY";
	case TQ_PARQUET_GZIP:		return "GZIP";
	case 3:				return "LZO";
	case 4:				return "BROTLI";
	case 5:				return "LZ4";
	case TQ_PARQUET_ZSTD:		return "ZSTD";
	case 7:				return "LZ4_RAW";
	default:			return "?";
	}
}

const char *
tq_parquet_encoding_name(int enc)
{
	switch (enc) {
	case TQ_PARQUET_PLAIN:			return "PLAIN";
	case TQ_PARQUET_PLAIN_DICTIONARY:	return "PLAIN_DICTIONARY";
	case TQ_PARQUET_RLE:			return "RLE";
	case TQ_PARQUET_BIT_PACKED:		return "BIT_PACKED";
	case TQ_PARQUET_DELTA_BINARY_PACKED:	return "DELTA_BINARY_PACKED";
	case TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
	case TQ_PARQUET_DELTA_BYTE_ARRAY:	return "DELTA_BYTE_ARRAY";
	case TQ_PARQUET_RLE_DICTIONARY:		return "RLE_DICTIONARY";
	case TQ_PARQUET_BYTE_STREAM_SPLIT:	return "BYTE_STREAM_SPLIT";
	default:				return "?";
	}
}

const char *
tq_parquet_type_name(int type)
{
	static const char *const names[] = { "BOOLEAN", "INT32", "INT64",
	    "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY" };

	return type >= 0 && type < 8 ? names[type] : "?";
}
