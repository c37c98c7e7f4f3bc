/*
 * meta.c: Parquet's footer (FileMetaData with its SchemaElements,
 * RowGroups, ColumnChunks, ColumnMetaData, Statistics, key-value pairs,
 * logical and converted types) and PageHeaders, to and from the Thrift
 * compact protocol.  Field numbers are those of parquet.thrift.  Unknown
 * fields, and known fields of an unexpected type, are skipped.
 */
#include <string.h>

#include "parquet-int.h"

/* Converted types (parquet.thrift ConvertedType) we map. */
enum {
	CT_UTF8 = 0, CT_MAP = 1, CT_MAP_KEY_VALUE = 2, CT_LIST = 3, CT_ENUM = 4,
	CT_DATE = 6, CT_TS_MILLIS = 9, CT_TS_MICROS = 10, CT_UINT_8 = 11,
	CT_INT_8 = 15, CT_JSON = 19,
};

#define IS(t)	(type == TQ_THRIFT_##t)

static char *
dup_str(struct tq_thrift_reader *r, struct tq_arena *a)
{
	size_t len = 0;
	const uint8_t *p = tq_thrift_binary(r, &len);
	char *s;

	if (p == NULL)
		return NULL;
	if ((s = tq_arena_strndup(a, (const char *)p, len)) == NULL) {
		r->rc = tq_err_set(r->err, TQ_ENOMEM, "footer: out of memory");
		r->p = r->end;
	}
	return s;
}

static void
logical_from_converted(int ct, struct tq_parquet_logical *lt)
{
	memset(lt, 0, sizeof(*lt));
	switch (ct) {
	case CT_UTF8:	lt->kind = TQ_PARQUET_LT_STRING; break;
	case CT_MAP:	lt->kind = TQ_PARQUET_LT_MAP; break;
	case CT_LIST:	lt->kind = TQ_PARQUET_LT_LIST; break;
	case CT_ENUM:	lt->kind = TQ_PARQUET_LT_ENUM; break;
	case CT_DATE:	lt->kind = TQ_PARQUET_LT_DATE; break;
	case CT_JSON:	lt->kind = TQ_PARQUET_LT_JSON; break;
	case CT_MAP_KEY_VALUE: break;
	case CT_TS_MILLIS:
	case CT_TS_MICROS:
		lt->kind = TQ_PARQUET_LT_TIMESTAMP;
		lt->unit = ct == CT_TS_MILLIS ? TQ_PARQUET_MILLIS :
		    TQ_PARQUET_MICROS;
		lt->utc = true;
		break;
	default:
		if (ct >= CT_UINT_8 && ct < CT_INT_8 + 4) {
			lt->kind = TQ_PARQUET_LT_INT;
			lt->is_signed = ct >= CT_INT_8;
			lt->bit_width = 8 << ((ct - CT_UINT_8) % 4);
		} else
			lt->kind = TQ_PARQUET_LT_OTHER;
	}
}

static int
converted_from_logical(const struct tq_parquet_logical *lt)
{
	switch (lt->kind) {
	case TQ_PARQUET_LT_STRING:	return CT_UTF8;
	case TQ_PARQUET_LT_MAP:		return CT_MAP;
	case TQ_PARQUET_LT_LIST:	return CT_LIST;
	case TQ_PARQUET_LT_ENUM:	return CT_ENUM;
	case TQ_PARQUET_LT_DATE:	return CT_DATE;
	case TQ_PARQUET_LT_JSON:	return CT_JSON;
	case TQ_PARQUET_LT_TIMESTAMP:
		if (lt->unit == TQ_PARQUET_MILLIS)
			return CT_TS_MILLIS;
		return lt->unit == TQ_PARQUET_MICROS ? CT_TS_MICROS : -1;
	case TQ_PARQUET_LT_INT:
		switch (lt->bit_width) {
		case 8:  return (lt->is_signed ? CT_INT_8 : CT_UINT_8);
		case 16: return (lt->is_signed ? CT_INT_8 : CT_UINT_8) + 1;
		case 32: return (lt->is_signed ? CT_INT_8 : CT_UINT_8) + 2;
		case 64: return (lt->is_signed ? CT_INT_8 : CT_UINT_8) + 3;
		}
		return -1;
	default:
		return -1;
	}
}

/* decode_empty_union returns the id of the one field set in a union of
 * empty structs (TimeUnit), skipping its body. */
static int
decode_union_id(struct tq_thrift_reader *r)
{
	int16_t last = 0;
	int id, type, which = -1;

	if (tq_thrift_struct_begin(r) != 0)
		return -1;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		which = id;
		tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	return which;
}

static void
decode_logical(struct tq_thrift_reader *r, struct tq_parquet_logical *lt)
{
	int16_t last = 0, l2;
	int id, type, id2;

	memset(lt, 0, sizeof(*lt));
	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if (!IS(STRUCT)) {
			tq_thrift_skip(r, type);
			continue;
		}
		switch (id) {
		case 1:	lt->kind = TQ_PARQUET_LT_STRING; break;
		case 2:	lt->kind = TQ_PARQUET_LT_MAP; break;
		case 3:	lt->kind = TQ_PARQUET_LT_LIST; break;
		case 4:	lt->kind = TQ_PARQUET_LT_ENUM; break;
		case 6:	lt->kind = TQ_PARQUET_LT_DATE; break;
		case 12: lt->kind = TQ_PARQUET_LT_JSON; break;
		case 8:
		case 10:
			lt->kind = id == 8 ? TQ_PARQUET_LT_TIMESTAMP :
			    TQ_PARQUET_LT_INT;
			if (tq_thrift_struct_begin(r) != 0)
				return;
			l2 = 0;
			while (tq_thrift_field(r, &l2, &id2, &type) > 0) {
				if (id == 8 && id2 == 1 && (IS(TRUE) || IS(FALSE)))
					lt->utc = tq_thrift_bool(r, type);
				else if (id == 8 && id2 == 2 && IS(STRUCT))
					lt->unit = decode_union_id(r) - 1;
				else if (id == 10 && id2 == 1 && IS(I8))
					lt->bit_width = tq_thrift_i8(r);
				else if (id == 10 && id2 == 2 &&
				    (IS(TRUE) || IS(FALSE)))
					lt->is_signed = tq_thrift_bool(r, type);
				else
					tq_thrift_skip(r, type);
			}
			tq_thrift_struct_end(r);
			continue;
		default:
			lt->kind = TQ_PARQUET_LT_OTHER;
			break;
		}
		tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	if (lt->kind == TQ_PARQUET_LT_TIMESTAMP &&
	    (lt->unit < 0 || lt->unit > TQ_PARQUET_NANOS))
		tq_thrift_fail(r, "bad timestamp unit");
	if (lt->kind == TQ_PARQUET_LT_INT && lt->bit_width != 8 &&
	    lt->bit_width != 16 && lt->bit_width != 32 && lt->bit_width != 64)
		tq_thrift_fail(r, "bad integer bit width");
}

static void
decode_schema_element(struct tq_thrift_reader *r, struct tq_arena *a,
    struct tq_parquet_node *n)
{
	int16_t last = 0;
	int id, type, ct = -1;
	bool has_lt = false;

	memset(n, 0, sizeof(*n));
	n->type = -1;
	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if (id == 1 && IS(I32))
			n->type = tq_thrift_i32(r);
		else if (id == 2 && IS(I32))
			n->type_length = tq_thrift_i32(r);
		else if (id == 3 && IS(I32))
			n->repetition = tq_thrift_i32(r);
		else if (id == 4 && IS(BINARY))
			n->name = dup_str(r, a);
		else if (id == 5 && IS(I32))
			n->num_children = tq_thrift_i32(r);
		else if (id == 6 && IS(I32))
			ct = tq_thrift_i32(r);
		else if (id == 10 && IS(STRUCT)) {
			decode_logical(r, &n->logical);
			has_lt = true;
		} else
			tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	if (r->rc != 0)
		return;
	if (n->name == NULL)
		tq_thrift_fail(r, "schema element without a name");
	else if (!has_lt && ct >= 0)
		logical_from_converted(ct, &n->logical);
	else if (has_lt && n->logical.kind == TQ_PARQUET_LT_OTHER && ct >= 0)
		logical_from_converted(ct, &n->logical);
}

static void
decode_stats(struct tq_thrift_reader *r, struct tq_parquet_stats *st,
    struct tq_parquet_stats *legacy)
{
	int16_t last = 0;
	int id, type;
	size_t len;
	const uint8_t *p;

	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if ((id == 1 || id == 2 || id == 5 || id == 6) && IS(BINARY)) {
			struct tq_parquet_stats *s = id <= 2 ? legacy : st;

			len = 0;
			if ((p = tq_thrift_binary(r, &len)) == NULL)
				break;
			if (id == 1 || id == 5) {
				s->max = p;
				s->max_len = len;
			} else {
				s->min = p;
				s->min_len = len;
			}
		} else if (id == 3 && IS(I64)) {
			st->null_count = tq_thrift_i64(r);
			st->has_null_count = true;
		} else
			tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	st->has_min_max = st->min != NULL && st->max != NULL;
	legacy->has_min_max = legacy->min != NULL && legacy->max != NULL;
}

/* decode_encoding_stats keeps the encodings of data pages. */
static void
decode_encoding_stats(struct tq_thrift_reader *r, struct tq_parquet_chunk *c)
{
	int16_t last;
	int et, id, type, pt, e;
	size_t i, n;

	if (tq_thrift_list(r, &et, &n) != 0)
		return;
	for (i = 0; i < n && r->rc == 0; i++) {
		if (et != TQ_THRIFT_STRUCT) {
			tq_thrift_skip(r, et);
			continue;
		}
		if (tq_thrift_struct_begin(r) != 0)
			return;
		last = 0;
		pt = e = -1;
		while (tq_thrift_field(r, &last, &id, &type) > 0) {
			if (id == 1 && IS(I32))
				pt = tq_thrift_i32(r);
			else if (id == 2 && IS(I32))
				e = tq_thrift_i32(r);
			else
				tq_thrift_skip(r, type);
		}
		tq_thrift_struct_end(r);
		if ((pt == PQ_PAGE_DATA || pt == PQ_PAGE_DATA_V2) && e >= 0 &&
		    e < 32)
			c->data_encodings |= 1u << e;
	}
}

static void
decode_column_meta(struct tq_thrift_reader *r, struct tq_parquet_chunk *c,
    int *ptype)
{
	struct tq_parquet_stats legacy;
	int16_t last = 0;
	int id, type, et, e;
	size_t i, n;

	memset(&legacy, 0, sizeof(legacy));
	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if (id == 1 && IS(I32))
			*ptype = tq_thrift_i32(r);
		else if (id == 2 && IS(LIST)) {
			if (tq_thrift_list(r, &et, &n) != 0)
				break;
			for (i = 0; i < n && r->rc == 0; i++) {
				if (et != TQ_THRIFT_I32) {
					tq_thrift_skip(r, et);
					continue;
				}
				e = tq_thrift_i32(r);
				if (e >= 0 && e < 32)
					c->encodings |= 1u << e;
			}
		} else if (id == 4 && IS(I32))
			c->codec = tq_thrift_i32(r);
		else if (id == 5 && IS(I64))
			c->num_values = tq_thrift_i64(r);
		else if (id == 6 && IS(I64))
			c->uncompressed_size = tq_thrift_i64(r);
		else if (id == 7 && IS(I64))
			c->compressed_size = tq_thrift_i64(r);
		else if (id == 9 && IS(I64))
			c->data_page_offset = tq_thrift_i64(r);
		else if (id == 11 && IS(I64))
			c->dict_page_offset = tq_thrift_i64(r);
		else if (id == 12 && IS(STRUCT))
			decode_stats(r, &c->stats, &legacy);
		else if (id == 13 && IS(LIST))
			decode_encoding_stats(r, c);
		else
			tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	/* The old min/max were compared signed; trust them for numbers only. */
	if (!c->stats.has_min_max && legacy.has_min_max &&
	    *ptype != TQ_PARQUET_BYTE_ARRAY &&
	    *ptype != TQ_PARQUET_FIXED_LEN_BYTE_ARRAY) {
		c->stats.min = legacy.min;
		c->stats.min_len = legacy.min_len;
		c->stats.max = legacy.max;
		c->stats.max_len = legacy.max_len;
		c->stats.has_min_max = true;
	}
}

static void
decode_column_chunk(struct tq_thrift_reader *r, struct tq_parquet_chunk *c,
    int *ptype)
{
	int16_t last = 0;
	int id, type;
	bool has_meta = false;

	memset(c, 0, sizeof(*c));
	c->dict_page_offset = -1;
	*ptype = -1;
	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if (id == 1 && IS(BINARY)) {
			tq_thrift_fail(r, "column chunk in another file");
			break;
		} else if ((id == 8 || id == 9) && r->rc == 0) {
			r->rc = tq_err_set(r->err, TQ_EUNSUPPORTED,
			    "footer: encrypted column");
			r->p = r->end;
			break;
		} else if (id == 3 && IS(STRUCT)) {
			decode_column_meta(r, c, ptype);
			has_meta = true;
		} else
			tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	if (r->rc == 0 && !has_meta)
		tq_thrift_fail(r, "column chunk without metadata");
}

static void
decode_row_group(struct tq_thrift_reader *r, struct tq_arena *a,
    struct pq_row_group *g, size_t ncols)
{
	int16_t last = 0;
	int id, type, et;
	size_t i, n;
	bool has_cols = false;

	memset(g, 0, sizeof(*g));
	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if (id == 1 && IS(LIST) && !has_cols) {
			if (tq_thrift_list(r, &et, &n) != 0)
				break;
			if (et != TQ_THRIFT_STRUCT || n != ncols) {
				tq_thrift_fail(r, "row group column count differs "
				    "from the schema");
				break;
			}
			/*
			 * Each raw entry is set here; a chunk is allocated
			 * when pq_meta_chunk decodes it, so the few a reader
			 * wants lie together, not a page apart in an array of
			 * every row group's.  n is at most the footer's
			 * length (tq_thrift_list).
			 */
			g->raw = tq_arena_alloc(a, (n ? n : 1) * sizeof(*g->raw));
			if (g->raw == NULL) {
				r->rc = tq_err_set(r->err, TQ_ENOMEM,
				    "footer: out of memory");
				break;
			}
			/* Only delimited here: pq_meta_chunk decodes. */
			for (i = 0; i < n && r->rc == 0; i++) {
				g->raw[i].p = r->p;
				g->raw[i].len = 0;
				g->raw[i].state = PQ_CHUNK_RAW;
				g->raw[i].c = NULL;
				if (tq_thrift_skip(r, TQ_THRIFT_STRUCT) == 0)
					g->raw[i].len = (uint32_t)(r->p -
					    g->raw[i].p);
			}
			has_cols = true;
		} else if (id == 2 && IS(I64))
			g->total_byte_size = tq_thrift_i64(r);
		else if (id == 3 && IS(I64))
			g->num_rows = tq_thrift_i64(r);
		else if (id == 5 && IS(I64))
			g->file_offset = tq_thrift_i64(r);
		else if (id == 6 && IS(I64))
			g->total_compressed_size = tq_thrift_i64(r);
		else
			tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	if (r->rc == 0 && !has_cols)
		tq_thrift_fail(r, "row group without columns");
	if (r->rc == 0 && g->num_rows < 0)
		tq_thrift_fail(r, "negative row count");
}

static void
decode_kv(struct tq_thrift_reader *r, struct tq_arena *a, struct pq_kv *kv)
{
	int16_t last = 0;
	int id, type;

	kv->key = kv->value = NULL;
	if (tq_thrift_struct_begin(r) != 0)
		return;
	while (tq_thrift_field(r, &last, &id, &type) > 0) {
		if (id == 1 && IS(BINARY))
			kv->key = dup_str(r, a);
		else if (id == 2 && IS(BINARY))
			kv->value = dup_str(r, a);
		else
			tq_thrift_skip(r, type);
	}
	tq_thrift_struct_end(r);
	if (r->rc == 0 && kv->key == NULL)
		tq_thrift_fail(r, "key-value pair without a key");
}

/*
 * leaves lists the leaf nodes of a depth-first schema in order; it checks
 * the counts of children as it goes.  Returns the number of leaves or -1.
 */
static long
find_leaves(struct tq_thrift_reader *r, const struct tq_parquet_node *nodes,
    size_t n, int *leaf)
{
	size_t i, nleaves = 0;
	long pending = 1;	/* nodes still expected */

	for (i = 0; i < n; i++) {
		if (pending <= 0 || nodes[i].num_children < 0) {
			tq_thrift_fail(r, "schema tree does not add up");
			return -1;
		}
		pending += nodes[i].num_children - 1;
		if (nodes[i].num_children == 0 && i > 0)
			leaf[nleaves++] = (int)i;
		if (pending > (long)(n - i))
			break;
	}
	if (pending != 0) {
		tq_thrift_fail(r, "schema tree does not add up");
		return -1;
	}
	return (long)nleaves;
}

int
pq_meta_chunk(struct pq_file_meta *m, size_t rg, size_t col,
    const struct tq_parquet_chunk **out, struct tq_err *err)
{
	struct tq_thrift_reader r;
	struct pq_raw_chunk *raw;
	struct tq_parquet_chunk *c;
	int ptype;

	*out = NULL;
	if (rg >= m->n_row_groups || m->row_groups[rg].raw == NULL ||
	    m->leaf == NULL)
		return tq_err_set(err, TQ_EINVAL, "parquet: no row group %zu",
		    rg);
	raw = &m->row_groups[rg].raw[col];
	if (raw->state == PQ_CHUNK_RAW) {
		if ((c = tq_arena_alloc(m->arena, sizeof(*c))) == NULL)
			return tq_err_set(err, TQ_ENOMEM, "parquet footer: out "
			    "of memory");
		tq_thrift_reader_init(&r, raw->p, raw->len, err);
		decode_column_chunk(&r, c, &ptype);
		if (r.rc == 0 && ptype != m->nodes[m->leaf[col]].type)
			tq_thrift_fail(&r, "column chunk type differs from the "
			    "schema");
		raw->state = r.rc == 0 ? PQ_CHUNK_OK : PQ_CHUNK_BAD;
		raw->c = c;
		if (r.rc != 0)
			return tq_err_prefix(err, r.rc, "parquet footer: row "
			    "group %zu, column %zu", rg, col);
	}
	if (raw->state == PQ_CHUNK_BAD)
		return tq_err_set(err, TQ_ECORRUPT, "parquet footer: row group "
		    "%zu, column %zu: bad column chunk metadata", rg, col);
	*out = raw->c;
	return 0;
}

/* decode_row_groups reads FileMetaData's list of row groups into m. */
static int
decode_row_groups(struct tq_thrift_reader *r, struct tq_arena *a,
    struct pq_file_meta *m, size_t nleaves, const int *leaf)
{
	size_t i, n;
	int et;

	if (tq_thrift_list(r, &et, &n) != 0)
		return r->rc;
	if (et != TQ_THRIFT_STRUCT)
		return tq_thrift_fail(r, "bad row group list");
	if (n > TQ_PARQUET_MAX_ROW_GROUPS)
		return r->rc = tq_err_set(r->err, TQ_ELIMIT,
		    "footer: %zu row groups", n);
	m->row_groups = tq_arena_calloc(a, n ? n : 1, sizeof(*m->row_groups));
	if (m->row_groups == NULL)
		return r->rc = tq_err_set(r->err, TQ_ENOMEM,
		    "footer: out of memory");
	for (i = 0; i < n && r->rc == 0; i++)
		decode_row_group(r, a, &m->row_groups[i], nleaves);
	m->leaf = leaf;
	if (r->rc != 0)
		return r->rc;
	m->n_row_groups = n;
	return 0;
}

int
pq_meta_decode(const void *p, size_t len, struct tq_arena *a,
    struct pq_file_meta *m, struct tq_err *err)
{
	struct tq_thrift_reader r;
	int16_t last = 0;
	int id, type, et;
	size_t i, n;
	int *leaf = NULL;
	long nleaves = -1;
	const uint8_t *rg_start = NULL;
	const uint8_t *rg_end = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	m->arena = a;
	tq_thrift_reader_init(&r, p, len, err);
	if (tq_thrift_struct_begin(&r) != 0)
		return r.rc;
	while (tq_thrift_field(&r, &last, &id, &type) > 0) {
		if (id == 1 && IS(I32))
			m->version = tq_thrift_i32(&r);
		else if (id == 2 && IS(LIST) && m->nodes == NULL) {
			if (tq_thrift_list(&r, &et, &n) != 0)
				break;
			if (et != TQ_THRIFT_STRUCT || n == 0)
				return tq_thrift_fail(&r, "bad schema list");
			if (n > TQ_PARQUET_MAX_NODES)
				return tq_err_set(err, TQ_ELIMIT,
				    "footer: %zu schema nodes", n);
			m->nodes = tq_arena_calloc(a, n, sizeof(*m->nodes));
			leaf = tq_arena_calloc(a, n, sizeof(*leaf));
			if (m->nodes == NULL || leaf == NULL)
				return tq_err_set(err, TQ_ENOMEM,
				    "footer: out of memory");
			for (i = 0; i < n && r.rc == 0; i++)
				decode_schema_element(&r, a, &m->nodes[i]);
			m->n_nodes = n;
			if (r.rc == 0)
				nleaves = find_leaves(&r, m->nodes, n, leaf);
		} else if (id == 3 && IS(I64))
			m->num_rows = tq_thrift_i64(&r);
		else if (id == 4 && IS(LIST) && nleaves >= 0 &&
		    m->row_groups == NULL && rg_start == NULL) {
			if (decode_row_groups(&r, a, m, (size_t)nleaves,
			    leaf) != 0)
				return r.rc;
		} else if (id == 4 && IS(LIST) && m->row_groups == NULL &&
		    rg_start == NULL) {
			/* Before the schema: parsed below, once it is known. */
			rg_start = r.p;
			tq_thrift_skip(&r, type);
			rg_end = r.p;
		} else if (id == 5 && IS(LIST) && m->kv == NULL) {
			if (tq_thrift_list(&r, &et, &n) != 0)
				break;
			if (et != TQ_THRIFT_STRUCT)
				return tq_thrift_fail(&r, "bad key-value list");
			if ((m->kv = tq_arena_calloc(a, n ? n : 1,
			    sizeof(*m->kv))) == NULL)
				return tq_err_set(err, TQ_ENOMEM,
				    "footer: out of memory");
			for (i = 0; i < n && r.rc == 0; i++)
				decode_kv(&r, a, &m->kv[i]);
			m->n_kv = n;
		} else if (id == 6 && IS(BINARY))
			m->created_by = dup_str(&r, a);
		else if (id == 8 && IS(STRUCT))
			return tq_err_set(err, TQ_EUNSUPPORTED,
			    "footer: encrypted file");
		else
			tq_thrift_skip(&r, type);
	}
	tq_thrift_struct_end(&r);
	if (r.rc != 0)
		return r.rc;
	if (m->nodes == NULL || nleaves < 0)
		return tq_err_set(err, TQ_ECORRUPT, "footer: no schema");
	if (nleaves == 0)
		return tq_err_set(err, TQ_ECORRUPT, "footer: schema has no "
		    "columns");
	if (rg_start != NULL) {
		struct tq_thrift_reader g;

		tq_thrift_reader_init(&g, rg_start, (size_t)(rg_end - rg_start),
		    err);
		g.base = p;
		g.depth = 1;
		if ((rc = decode_row_groups(&g, a, m, (size_t)nleaves,
		    leaf)) != 0)
			return rc;
	}
	m->n_columns = (size_t)nleaves;
	return 0;
}

/* ---- Encoding ---- */

static void
encode_logical(struct tq_thrift_writer *w, const struct tq_parquet_logical *lt)
{
	static const int ids[] = {
		[TQ_PARQUET_LT_STRING] = 1, [TQ_PARQUET_LT_MAP] = 2,
		[TQ_PARQUET_LT_LIST] = 3, [TQ_PARQUET_LT_ENUM] = 4,
		[TQ_PARQUET_LT_DATE] = 6, [TQ_PARQUET_LT_TIMESTAMP] = 8,
		[TQ_PARQUET_LT_INT] = 10, [TQ_PARQUET_LT_JSON] = 12,
	};

	if (lt->kind <= TQ_PARQUET_LT_NONE || lt->kind >= TQ_PARQUET_LT_OTHER)
		return;
	tq_thrift_w_field(w, 10, TQ_THRIFT_STRUCT);
	tq_thrift_w_struct_begin(w);
	tq_thrift_w_field(w, ids[lt->kind], TQ_THRIFT_STRUCT);
	tq_thrift_w_struct_begin(w);
	if (lt->kind == TQ_PARQUET_LT_TIMESTAMP) {
		tq_thrift_w_bool(w, 1, lt->utc);
		tq_thrift_w_field(w, 2, TQ_THRIFT_STRUCT);
		tq_thrift_w_struct_begin(w);
		tq_thrift_w_field(w, lt->unit + 1, TQ_THRIFT_STRUCT);
		tq_thrift_w_struct_begin(w);
		tq_thrift_w_struct_end(w);
		tq_thrift_w_struct_end(w);
	} else if (lt->kind == TQ_PARQUET_LT_INT) {
		tq_thrift_w_i8(w, 1, lt->bit_width);
		tq_thrift_w_bool(w, 2, lt->is_signed);
	}
	tq_thrift_w_struct_end(w);
	tq_thrift_w_struct_end(w);
}

static void
encode_node(struct tq_thrift_writer *w, const struct tq_parquet_node *n,
    bool root)
{
	int ct = converted_from_logical(&n->logical);

	tq_thrift_w_struct_begin(w);
	if (n->num_children == 0) {
		tq_thrift_w_i32(w, 1, n->type);
		if (n->type == TQ_PARQUET_FIXED_LEN_BYTE_ARRAY)
			tq_thrift_w_i32(w, 2, n->type_length);
	}
	if (!root)
		tq_thrift_w_i32(w, 3, n->repetition);
	tq_thrift_w_binary(w, 4, n->name, strlen(n->name));
	if (n->num_children > 0 || root)
		tq_thrift_w_i32(w, 5, n->num_children);
	if (ct >= 0)
		tq_thrift_w_i32(w, 6, ct);
	encode_logical(w, &n->logical);
	tq_thrift_w_struct_end(w);
}

static void
encode_stats(struct tq_thrift_writer *w, const struct tq_parquet_stats *st)
{
	tq_thrift_w_field(w, 12, TQ_THRIFT_STRUCT);
	tq_thrift_w_struct_begin(w);
	if (st->has_null_count)
		tq_thrift_w_i64(w, 3, st->null_count);
	if (st->has_min_max) {
		tq_thrift_w_binary(w, 5, st->max, st->max_len);
		tq_thrift_w_binary(w, 6, st->min, st->min_len);
	}
	tq_thrift_w_struct_end(w);
}

static void
encode_chunk(struct tq_thrift_writer *w, const struct tq_parquet_schema *s,
    int col, const struct tq_parquet_chunk *c, int page_type)
{
	int chain[TQ_PARQUET_MAX_DEPTH];
	int e, nenc = 0, node, depth = 0;

	for (e = 0; e < 32; e++)
		nenc += (c->encodings >> e) & 1;
	tq_thrift_w_struct_begin(w);
	tq_thrift_w_i64(w, 2, c->dict_page_offset >= 0 ? c->dict_page_offset :
	    c->data_page_offset);
	tq_thrift_w_field(w, 3, TQ_THRIFT_STRUCT);
	tq_thrift_w_struct_begin(w);
	tq_thrift_w_i32(w, 1, s->columns[col].type);
	tq_thrift_w_list(w, 2, TQ_THRIFT_I32, (size_t)nenc);
	for (e = 0; e < 32; e++)
		if ((c->encodings >> e) & 1)
			tq_thrift_w_varint_i32(w, e);
	/* Names may contain dots: take the path from the tree. */
	node = s->columns[col].node;
	while (node > 0 && depth < TQ_PARQUET_MAX_DEPTH) {
		chain[depth++] = node;
		node = s->parent[node];
	}
	tq_thrift_w_list(w, 3, TQ_THRIFT_BINARY, (size_t)depth);
	while (depth-- > 0) {
		const char *nm = s->nodes[chain[depth]].name;

		tq_thrift_w_bytes(w, nm, strlen(nm));
	}
	tq_thrift_w_i32(w, 4, c->codec);
	tq_thrift_w_i64(w, 5, c->num_values);
	tq_thrift_w_i64(w, 6, c->uncompressed_size);
	tq_thrift_w_i64(w, 7, c->compressed_size);
	tq_thrift_w_i64(w, 9, c->data_page_offset);
	if (c->dict_page_offset >= 0)
		tq_thrift_w_i64(w, 11, c->dict_page_offset);
	if (c->stats.has_min_max || c->stats.has_null_count)
		encode_stats(w, &c->stats);
	/* encoding_stats: one entry per page type and encoding. */
	nenc = (c->dict_page_offset >= 0);
	for (e = 0; e < 32; e++)
		nenc += (c->data_encodings >> e) & 1;
	tq_thrift_w_list(w, 13, TQ_THRIFT_STRUCT, (size_t)nenc);
	if (c->dict_page_offset >= 0) {
		tq_thrift_w_struct_begin(w);
		tq_thrift_w_i32(w, 1, PQ_PAGE_DICT);
		tq_thrift_w_i32(w, 2, c->encodings &
		    (1u << TQ_PARQUET_PLAIN_DICTIONARY) ?
		    TQ_PARQUET_PLAIN_DICTIONARY : TQ_PARQUET_PLAIN);
		tq_thrift_w_i32(w, 3, 1);
		tq_thrift_w_struct_end(w);
	}
	for (e = 0; e < 32; e++) {
		if (((c->data_encodings >> e) & 1) == 0)
			continue;
		tq_thrift_w_struct_begin(w);
		tq_thrift_w_i32(w, 1, page_type);
		tq_thrift_w_i32(w, 2, e);
		tq_thrift_w_i32(w, 3, 1);
		tq_thrift_w_struct_end(w);
	}
	tq_thrift_w_struct_end(w);
	tq_thrift_w_struct_end(w);
}

int
pq_meta_encode(const struct pq_file_meta *m, struct tq_buf *b)
{
	struct tq_thrift_writer w;
	const struct tq_parquet_schema *s = m->schema;
	size_t i, c;

	tq_thrift_writer_init(&w, b);
	tq_thrift_w_struct_begin(&w);
	tq_thrift_w_i32(&w, 1, m->version);
	tq_thrift_w_list(&w, 2, TQ_THRIFT_STRUCT, s->n_nodes);
	for (i = 0; i < s->n_nodes; i++)
		encode_node(&w, &s->nodes[i], i == 0);
	tq_thrift_w_i64(&w, 3, m->num_rows);
	tq_thrift_w_list(&w, 4, TQ_THRIFT_STRUCT, m->n_row_groups);
	for (i = 0; i < m->n_row_groups; i++) {
		const struct pq_row_group *g = &m->row_groups[i];

		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_list(&w, 1, TQ_THRIFT_STRUCT, s->n_columns);
		for (c = 0; c < s->n_columns; c++)
			encode_chunk(&w, s, (int)c, &g->chunks[c],
			    m->page_type);
		tq_thrift_w_i64(&w, 2, g->total_byte_size);
		tq_thrift_w_i64(&w, 3, g->num_rows);
		tq_thrift_w_i64(&w, 5, g->file_offset);
		tq_thrift_w_i64(&w, 6, g->total_compressed_size);
		tq_thrift_w_field(&w, 7, TQ_THRIFT_I16);
		tq_thrift_w_varint_i32(&w, (int32_t)i);
		tq_thrift_w_struct_end(&w);
	}
	if (m->n_kv > 0) {
		tq_thrift_w_list(&w, 5, TQ_THRIFT_STRUCT, m->n_kv);
		for (i = 0; i < m->n_kv; i++) {
			tq_thrift_w_struct_begin(&w);
			tq_thrift_w_binary(&w, 1, m->kv[i].key,
			    strlen(m->kv[i].key));
			if (m->kv[i].value != NULL)
				tq_thrift_w_binary(&w, 2, m->kv[i].value,
				    strlen(m->kv[i].value));
			tq_thrift_w_struct_end(&w);
		}
	}
	if (m->created_by != NULL)
		tq_thrift_w_binary(&w, 6, m->created_by, strlen(m->created_by));
	/* column_orders: TYPE_ORDER for every column, so min/max are valid. */
	tq_thrift_w_list(&w, 7, TQ_THRIFT_STRUCT, s->n_columns);
	for (c = 0; c < s->n_columns; c++) {
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_field(&w, 1, TQ_THRIFT_STRUCT);
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_struct_end(&w);
		tq_thrift_w_struct_end(&w);
	}
	tq_thrift_w_struct_end(&w);
	return w.rc;
}

/* ---- Page headers ---- */

int
pq_page_header_decode(const void *p, size_t len, uint64_t base_off,
    struct pq_page_header *h, size_t *used, struct tq_err *err)
{
	struct tq_thrift_reader r;
	int16_t last = 0, l2;
	int id, type, id2;
	bool has_sub = false;

	memset(h, 0, sizeof(*h));
	h->type = -1;
	h->is_compressed = true;
	tq_thrift_reader_init(&r, p, len, err);
	if (tq_thrift_struct_begin(&r) != 0)
		return r.rc;
	while (tq_thrift_field(&r, &last, &id, &type) > 0) {
		if (id == 1 && IS(I32))
			h->type = tq_thrift_i32(&r);
		else if (id == 2 && IS(I32))
			h->uncompressed_size = tq_thrift_i32(&r);
		else if (id == 3 && IS(I32))
			h->compressed_size = tq_thrift_i32(&r);
		else if ((id == 5 || id == 7 || id == 8) && IS(STRUCT)) {
			has_sub = true;
			if (tq_thrift_struct_begin(&r) != 0)
				break;
			l2 = 0;
			while (tq_thrift_field(&r, &l2, &id2, &type) > 0) {
				if (id2 == 1 && IS(I32))
					h->num_values = tq_thrift_i32(&r);
				else if (id == 8 && id2 == 2 && IS(I32))
					h->num_nulls = tq_thrift_i32(&r);
				else if (id == 8 && id2 == 3 && IS(I32))
					h->num_rows = tq_thrift_i32(&r);
				else if (id2 == (id == 8 ? 4 : 2) && IS(I32))
					h->encoding = tq_thrift_i32(&r);
				else if (id == 5 && id2 == 3 && IS(I32))
					h->def_encoding = tq_thrift_i32(&r);
				else if (id == 5 && id2 == 4 && IS(I32))
					h->rep_encoding = tq_thrift_i32(&r);
				else if (id == 8 && id2 == 5 && IS(I32))
					h->def_len = tq_thrift_i32(&r);
				else if (id == 8 && id2 == 6 && IS(I32))
					h->rep_len = tq_thrift_i32(&r);
				else if (id == 8 && id2 == 7 &&
				    (IS(TRUE) || IS(FALSE)))
					h->is_compressed =
					    tq_thrift_bool(&r, type);
				else
					tq_thrift_skip(&r, type);
			}
			tq_thrift_struct_end(&r);
		} else
			tq_thrift_skip(&r, type);
	}
	tq_thrift_struct_end(&r);
	if (r.rc != 0)
		return tq_err_prefix(err, r.rc, "page header at byte %llu",
		    (unsigned long long)base_off);
	if (h->uncompressed_size < 0 || h->compressed_size < 0 ||
	    h->num_values < 0 || h->num_nulls < 0 || h->num_rows < 0 ||
	    h->def_len < 0 || h->rep_len < 0 ||
	    ((h->type == PQ_PAGE_DATA || h->type == PQ_PAGE_DICT ||
	    h->type == PQ_PAGE_DATA_V2) && !has_sub))
		return tq_err_set(err, TQ_ECORRUPT, "page header at byte %llu: "
		    "bad sizes or counts", (unsigned long long)base_off);
	*used = (size_t)(r.p - r.base);
	return 0;
}

int
pq_page_header_encode(const struct pq_page_header *h, struct tq_buf *b)
{
	struct tq_thrift_writer w;

	tq_thrift_writer_init(&w, b);
	tq_thrift_w_struct_begin(&w);
	tq_thrift_w_i32(&w, 1, h->type);
	tq_thrift_w_i32(&w, 2, h->uncompressed_size);
	tq_thrift_w_i32(&w, 3, h->compressed_size);
	switch (h->type) {
	case PQ_PAGE_DATA:
		tq_thrift_w_field(&w, 5, TQ_THRIFT_STRUCT);
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_i32(&w, 1, h->num_values);
		tq_thrift_w_i32(&w, 2, h->encoding);
		tq_thrift_w_i32(&w, 3, TQ_PARQUET_RLE);
		tq_thrift_w_i32(&w, 4, TQ_PARQUET_RLE);
		tq_thrift_w_struct_end(&w);
		break;
	case PQ_PAGE_DICT:
		tq_thrift_w_field(&w, 7, TQ_THRIFT_STRUCT);
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_i32(&w, 1, h->num_values);
		tq_thrift_w_i32(&w, 2, h->encoding);
		tq_thrift_w_struct_end(&w);
		break;
	default:
		tq_thrift_w_field(&w, 8, TQ_THRIFT_STRUCT);
		tq_thrift_w_struct_begin(&w);
		tq_thrift_w_i32(&w, 1, h->num_values);
		tq_thrift_w_i32(&w, 2, h->num_nulls);
		tq_thrift_w_i32(&w, 3, h->num_rows);
		tq_thrift_w_i32(&w, 4, h->encoding);
		tq_thrift_w_i32(&w, 5, h->def_len);
		tq_thrift_w_i32(&w, 6, h->rep_len);
		tq_thrift_w_bool(&w, 7, h->is_compressed);
		tq_thrift_w_struct_end(&w);
		break;
	}
	tq_thrift_w_struct_end(&w);
	return w.rc;
}
