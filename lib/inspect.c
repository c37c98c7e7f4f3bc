/*
 * inspect.c: block inspection (see inspect.h).
 *
 * The attribute scan reads, per row group, the Key column of each Attrs
 * list and its value columns, and pairs them by walking the Dremel
 * levels: an entry of a value column whose repetition level is at most
 * the Attrs element's and whose definition level reaches it starts the
 * next attribute, in the same order as the Key column's entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "inspect.h"
#include "limits.h"
#include "store.h"

#define KEY_SUFFIX	".Attrs.list.element.Key"

struct tq_inspect {
	struct tq_store			*store;
	char				 key[512];
	uint64_t			 size;
	struct tq_parquet_reader	*pr;
	/* The attribute totals: an open-addressing table of slots. */
	struct tq_inspect_attr		*attrs;
	size_t				 n_attrs;
	uint32_t			*table;	/* attrs index + 1; 0 empty */
	size_t				 cap;	/* power of two */
	struct tq_arena			 keys;
	bool				 scanned;
};

static int
read_at(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct tq_inspect *in = arg;

	return tq_store_get_range(in->store, in->key, off, len, dst, err);
}

int
tq_inspect_open(struct tq_store *s, const struct tq_block_meta *m,
    struct tq_inspect **out, struct tq_err *err)
{
	struct tq_inspect *in;
	int rc;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return tq_err_set(err, TQ_ENOMEM, "inspect: out of memory");
	in->store = s;
	tq_arena_init(&in->keys, TQ_INSPECT_MAX_KEY_BYTES);
	snprintf(in->key, sizeof(in->key), "%s/%s/data.parquet", m->tenant,
	    m->block_id);
	/* The store's errors name the key; the reader's do not. */
	if ((rc = tq_store_head(s, in->key, &in->size, err)) != 0 ||
	    ((rc = tq_parquet_reader_open(read_at, in, in->size, NULL, &in->pr,
	    err)) != 0 && tq_err_prefix(err, rc, "%s", in->key) != 0)) {
		tq_inspect_free(in);
		return rc;
	}
	*out = in;
	return 0;
}

void
tq_inspect_free(struct tq_inspect *in)
{
	if (in == NULL)
		return;
	tq_parquet_reader_free(in->pr);
	free(in->attrs);
	free(in->table);
	tq_arena_release(&in->keys);
	free(in);
}

struct tq_parquet_reader *
tq_inspect_reader(struct tq_inspect *in)
{
	return in->pr;
}

const char *
tq_inspect_scope_name(int scope)
{
	static const char *const names[] = {
		"resource", "scope", "span", "event", "link",
	};

	return scope >= 0 && scope <= TQ_INSPECT_LINK ? names[scope] : "?";
}

static uint32_t
hash_key(int scope, const uint8_t *k, size_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)scope;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

/* grow doubles the table and re-inserts every key. */
static int
grow(struct tq_inspect *in, struct tq_err *err)
{
	size_t cap = in->cap ? 2 * in->cap : 256, i, j;
	uint32_t *t = calloc(cap, sizeof(*t));
	struct tq_inspect_attr *a = realloc(in->attrs, cap / 2 * sizeof(*a));

	if (t == NULL || a == NULL) {
		free(t);
		if (a != NULL)
			in->attrs = a;
		return tq_err_set(err, TQ_ENOMEM, "inspect: out of memory");
	}
	in->attrs = a;
	for (i = 0; i < in->n_attrs; i++) {
		const struct tq_inspect_attr *x = &a[i];

		j = hash_key(x->scope, (const uint8_t *)x->key,
		    strlen(x->key)) & (cap - 1);
		while (t[j] != 0)
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(in->table);
	in->table = t;
	in->cap = cap;
	return 0;
}

/* add counts one attribute of key k (len bytes) in scope. */
static int
add(struct tq_inspect *in, int scope, const uint8_t *k, size_t len,
    uint64_t bytes, struct tq_err *err)
{
	struct tq_inspect_attr *x;
	size_t j;
	char *copy;
	int rc;

	if (memchr(k, '\0', len) != NULL)
		len = 0;	/* not a printable key: count it with the rest */
	for (;;) {
		if (in->cap == 0 && (rc = grow(in, err)) != 0)
			return rc;
		j = hash_key(scope, k, len) & (in->cap - 1);
		while (in->table[j] != 0) {
			x = &in->attrs[in->table[j] - 1];
			if (x->scope == scope && strlen(x->key) == len &&
			    memcmp(x->key, k, len) == 0) {
				x->count++;
				x->bytes += bytes;
				return 0;
			}
			j = (j + 1) & (in->cap - 1);
		}
		if (in->n_attrs >= TQ_INSPECT_MAX_KEYS && len != 0) {
			len = 0;	/* too many keys: total the rest */
			continue;
		}
		if (in->n_attrs + 1 <= in->cap / 2)
			break;
		if ((rc = grow(in, err)) != 0)
			return rc;
	}
	if ((copy = tq_arena_strndup(&in->keys, (const char *)k, len)) == NULL)
		return tq_err_set(err, TQ_ELIMIT,
		    "inspect: attribute keys exceed %u bytes",
		    TQ_INSPECT_MAX_KEY_BYTES);
	x = &in->attrs[in->n_attrs];
	x->scope = scope;
	x->key = copy;
	x->count = 1;
	x->bytes = bytes;
	in->table[j] = (uint32_t)++in->n_attrs;
	return 0;
}

/* scope_of tells which Attrs list a Key column path belongs to. */
static int
scope_of(const char *path, size_t prefix_len)
{
	static const struct {
		const char	*suffix;
		int		 scope;
	} tab[] = {
		{ "Events.list.element", TQ_INSPECT_EVENT },
		{ "Links.list.element", TQ_INSPECT_LINK },
		{ "Spans.list.element", TQ_INSPECT_SPAN },
		{ "Scope", TQ_INSPECT_SCOPE },
		{ "Resource", TQ_INSPECT_RESOURCE },
	};
	size_t i, n;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		n = strlen(tab[i].suffix);
		if (prefix_len >= n &&
		    memcmp(path + prefix_len - n, tab[i].suffix, n) == 0)
			return tab[i].scope;
	}
	return -1;
}

/*
 * value_bytes adds the bytes of column c's values to the attribute slots
 * in slot_bytes[0..n_slots), each slot starting at an entry with
 * rep <= rep_e and def >= def_e.
 */
static int
value_bytes(const struct tq_parquet_schema *s, const struct tq_parquet_column
    *c, int def_e, int rep_e, uint64_t *slot_bytes, size_t n_slots,
    struct tq_err *err)
{
	const struct tq_parquet_column_desc *d = &s->columns[c->col];
	size_t i, v = 0, slot = 0;
	bool started = false;

	for (i = 0; i < c->n_levels; i++) {
		int def = c->def != NULL ? c->def[i] : d->max_def;
		int rep = c->rep != NULL ? c->rep[i] : 0;
		uint64_t b;

		if (def < def_e)
			continue;
		if (rep <= rep_e) {
			if (started)
				slot++;
			started = true;
		}
		if (slot >= n_slots)
			return tq_err_set(err, TQ_ECORRUPT,
			    "column %s: more attributes than keys", d->path);
		if (def != d->max_def)
			continue;
		if (v >= c->n_values)
			return tq_err_set(err, TQ_ECORRUPT,
			    "column %s: fewer values than levels", d->path);
		switch (c->type) {
		case TQ_PARQUET_BYTE_ARRAY:
			b = c->off[v + 1] - c->off[v];
			break;
		case TQ_PARQUET_BOOLEAN:
			b = 1;
			break;
		default:
			b = 8;
			break;
		}
		slot_bytes[slot] += b;
		v++;
	}
	if (started && slot + 1 != n_slots)
		return tq_err_set(err, TQ_ECORRUPT,
		    "column %s: %zu attributes for %zu keys", d->path,
		    slot + 1, n_slots);
	return 0;
}

/* scan_group totals one Attrs list (Key column kc) of row group rg. */
static int
scan_group(struct tq_inspect *in, size_t rg, int kc, int scope,
    struct tq_err *err)
{
	static const char *const values[] = {
		"Value.list.element", "ValueInt.list.element",
		"ValueDouble.list.element", "ValueBool.list.element",
		"ValueUnsupported",
	};
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(in->pr);
	const struct tq_parquet_column_desc *kd = &s->columns[kc];
	struct tq_parquet_column key, val;
	uint64_t *slot_bytes = NULL;
	size_t i, n_slots = 0, plen = strlen(kd->path) - strlen("Key");
	int elem = s->parent[kd->node], def_e = s->def[elem],
	    rep_e = s->rep[elem], vc, rc;
	char path[1024];

	memset(&key, 0, sizeof(key));
	if ((rc = tq_parquet_reader_read_column(in->pr, rg, kc, 0, &key,
	    err)) != 0)
		goto out;
	for (i = 0; i < key.n_levels; i++)
		if (key.def == NULL || key.def[i] >= def_e)
			n_slots++;
	if (n_slots != key.n_values) {
		rc = tq_err_set(err, TQ_ECORRUPT, "column %s: null keys",
		    kd->path);
		goto out;
	}
	if ((slot_bytes = calloc(n_slots ? n_slots : 1,
	    sizeof(*slot_bytes))) == NULL) {
		rc = tq_err_set(err, TQ_ENOMEM, "inspect: out of memory");
		goto out;
	}
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(path, sizeof(path), "%.*s%s", (int)plen, kd->path,
		    values[i]);
		if ((vc = tq_parquet_schema_find(s, path)) < 0)
			continue;
		memset(&val, 0, sizeof(val));
		rc = tq_parquet_reader_read_column(in->pr, rg, vc, 0, &val, err);
		if (rc == 0)
			rc = value_bytes(s, &val, def_e, rep_e, slot_bytes,
			    n_slots, err);
		tq_parquet_column_release(&val);
		if (rc != 0)
			goto out;
	}
	for (i = 0; i < n_slots; i++)
		if ((rc = add(in, scope, key.data + key.off[i],
		    key.off[i + 1] - key.off[i], slot_bytes[i], err)) != 0)
			goto out;
out:
	if (rc != 0)
		tq_err_prefix(err, rc, "%s: row group %zu", in->key, rg);
	free(slot_bytes);
	tq_parquet_column_release(&key);
	return rc;
}

static int
cmp_attr(const void *x, const void *y)
{
	const struct tq_inspect_attr *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->scope != b->scope)
		return a->scope < b->scope ? -1 : 1;
	return strcmp(a->key, b->key);
}

int
tq_inspect_attrs(struct tq_inspect *in, const struct tq_inspect_attr **out,
    size_t *n, struct tq_err *err)
{
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(in->pr);
	size_t rg, c, klen = strlen(KEY_SUFFIX), plen;
	int scope, rc;

	for (rg = 0; !in->scanned &&
	    rg < tq_parquet_reader_num_row_groups(in->pr); rg++)
		for (c = 0; c < s->n_columns; c++) {
			const char *p = s->columns[c].path;

			plen = strlen(p);
			if (plen < klen || strcmp(p + plen - klen, KEY_SUFFIX) != 0 ||
			    s->columns[c].type != TQ_PARQUET_BYTE_ARRAY ||
			    (scope = scope_of(p, plen - klen)) < 0)
				continue;
			if ((rc = scan_group(in, rg, (int)c, scope, err)) != 0)
				return rc;
		}
	if (!in->scanned && in->n_attrs > 1) {
		/* Sorting breaks the table, which is no longer needed. */
		qsort(in->attrs, in->n_attrs, sizeof(*in->attrs), cmp_attr);
		free(in->table);
		in->table = NULL;
	}
	in->scanned = true;
	*out = in->attrs;
	*n = in->n_attrs;
	return 0;
}
