/*
 * pq-tool: a test helper around lib/parquet for the bats suites, so that
 * files can be compared with DuckDB's view of them.
 *
 *   pq-tool write SPEC.json OUT     write the rows of a JSON description
 *   pq-tool dump FILE               print every row as one JSON line
 *   pq-tool meta FILE               print each column chunk's metadata
 *   pq-tool columns FILE PATH...    print columns flat, with their levels,
 *                                   and on stderr the reads that took
 *
 * Rows are printed in a canonical JSON that tests/node/parquet-duckdb.js
 * also prints for DuckDB's rows: no spaces, fields in schema order, LIST
 * as arrays, MAP as arrays of {"key","value"}, integers exact, floating
 * point in JavaScript's shortest form ("NaN" and "Infinity" as strings),
 * binary as lowercase hex strings, timestamps as their raw integers.
 *
 * The description is {"schema": FIELD..., "options": {...}, "rows": [...]}
 * where a field is {"name", "rep": "required|optional|repeated", "type"
 * (leaves) or "fields" (groups), "logical": "STRING|LIST|MAP|UINT8..|
 * INT8..|TS_MICROS|TS_NANOS|TSZ_MICROS|..|JSON|DATE", "length" (FLBA), and per
 * column "encoding", "dict", "codec"}.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "arena.h"
#include "err.h"
#include "parquet.h"

static void
die(const char *what, const struct tq_err *e)
{
	fprintf(stderr, "pq-tool: %s: %s\n", what, e != NULL && e->msg[0] ?
	    e->msg : "failed");
	exit(1);
}

/* ---- Schema from JSON ---- */

struct build {
	struct tq_parquet_node	 nodes[4096];
	json_t			*field[4096];
	size_t			 n;
};

static int
parse_enum(const char *s, const char *const *names, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return i;
	fprintf(stderr, "pq-tool: unknown %s %s\n", what, s);
	exit(2);
}

static const char *const type_names[] = { "BOOLEAN", "INT32", "INT64",
    "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY" };
static const char *const rep_names[] = { "required", "optional", "repeated" };

static void
parse_logical(const char *s, struct tq_parquet_logical *lt)
{
	memset(lt, 0, sizeof(*lt));
	if (strcmp(s, "STRING") == 0)
		lt->kind = TQ_PARQUET_LT_STRING;
	else if (strcmp(s, "LIST") == 0)
		lt->kind = TQ_PARQUET_LT_LIST;
	else if (strcmp(s, "MAP") == 0)
		lt->kind = TQ_PARQUET_LT_MAP;
	else if (strcmp(s, "JSON") == 0)
		lt->kind = TQ_PARQUET_LT_JSON;
	else if (strcmp(s, "DATE") == 0)
		lt->kind = TQ_PARQUET_LT_DATE;
	else if (strncmp(s, "TS_", 3) == 0 || strncmp(s, "TSZ_", 4) == 0) {
		/* TSZ_ is adjusted to UTC, TS_ is local time. */
		lt->kind = TQ_PARQUET_LT_TIMESTAMP;
		lt->utc = s[2] == 'Z';
		s += lt->utc ? 4 : 3;
		lt->unit = strcmp(s, "MILLIS") == 0 ? TQ_PARQUET_MILLIS :
		    strcmp(s, "MICROS") == 0 ? TQ_PARQUET_MICROS :
		    TQ_PARQUET_NANOS;
	} else if (strncmp(s, "UINT", 4) == 0 || strncmp(s, "INT", 3) == 0) {
		lt->kind = TQ_PARQUET_LT_INT;
		lt->is_signed = s[0] == 'I';
		lt->bit_width = atoi(s + (s[0] == 'I' ? 3 : 4));
	} else {
		fprintf(stderr, "pq-tool: unknown logical type %s\n", s);
		exit(2);
	}
}

static void
add_field(struct build *b, json_t *f, bool root)
{
	struct tq_parquet_node *n;
	json_t *fields = json_object_get(f, "fields"), *v;
	size_t i;

	if (b->n == sizeof(b->nodes) / sizeof(b->nodes[0])) {
		fprintf(stderr, "pq-tool: schema too large\n");
		exit(2);
	}
	n = &b->nodes[b->n];
	b->field[b->n++] = f;
	n->name = root ? "schema" : json_string_value(json_object_get(f, "name"));
	if (n->name == NULL) {
		fprintf(stderr, "pq-tool: field without a name\n");
		exit(2);
	}
	if ((v = json_object_get(f, "rep")) != NULL)
		n->repetition = parse_enum(json_string_value(v), rep_names, 3,
		    "repetition");
	if ((v = json_object_get(f, "logical")) != NULL)
		parse_logical(json_string_value(v), &n->logical);
	if (json_is_array(fields)) {
		n->num_children = (int)json_array_size(fields);
		for (i = 0; i < json_array_size(fields); i++)
			add_field(b, json_array_get(fields, i), false);
	} else {
		n->type = parse_enum(json_string_value(json_object_get(f,
		    "type")) ? json_string_value(json_object_get(f, "type")) :
		    "?", type_names, 8, "type");
		n->type_length = (int)json_integer_value(json_object_get(f,
		    "length"));
	}
}

/* ---- JSON rows to datum trees ---- */

struct conv {
	const struct tq_parquet_schema	*s;
	struct tq_arena			 arena;
};

static int conv_field(struct conv *, int, json_t *, struct tq_parquet_datum *);

static int
next_sibling(const struct tq_parquet_schema *s, int node)
{
	int p = s->parent[node], i = node + 1;

	while ((size_t)i < s->n_nodes && s->parent[i] != p)
		i++;
	return i;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
conv_leaf(struct conv *c, int node, json_t *v, struct tq_parquet_datum *d)
{
	const struct tq_parquet_node *nd = &c->s->nodes[node];
	const char *str;

	d->kind = TQ_PARQUET_D_VALUE;
	switch (nd->type) {
	case TQ_PARQUET_BOOLEAN:
		if (!json_is_boolean(v))
			return -1;
		d->v.b = json_is_true(v);
		return 0;
	case TQ_PARQUET_INT32:
	case TQ_PARQUET_INT64: {
		int64_t x;

		if (json_is_integer(v))
			x = json_integer_value(v);
		else if (json_is_string(v)) {
			errno = 0;
			x = (int64_t)strtoull(json_string_value(v), NULL, 10);
			if (json_string_value(v)[0] == '-')
				x = strtoll(json_string_value(v), NULL, 10);
		} else
			return -1;
		if (nd->type == TQ_PARQUET_INT32)
			d->v.i32 = (int32_t)x;
		else
			d->v.i64 = x;
		return 0;
	}
	case TQ_PARQUET_FLOAT:
	case TQ_PARQUET_DOUBLE: {
		double x;

		if (json_is_number(v))
			x = json_number_value(v);
		else if (json_is_string(v))
			x = strtod(json_string_value(v), NULL);
		else
			return -1;
		if (nd->type == TQ_PARQUET_FLOAT)
			d->v.f32 = (float)x;
		else
			d->v.f64 = x;
		return 0;
	}
	default:
		if (!json_is_string(v))
			return -1;
		str = json_string_value(v);
		if (nd->type == TQ_PARQUET_BYTE_ARRAY &&
		    (nd->logical.kind == TQ_PARQUET_LT_STRING ||
		    nd->logical.kind == TQ_PARQUET_LT_JSON)) {
			d->v.bytes.ptr = (const uint8_t *)str;
			d->v.bytes.len = json_string_length(v);
		} else {
			size_t n = strlen(str) / 2, i;
			uint8_t *p = tq_arena_alloc(&c->arena, n + 1);

			if (p == NULL)
				return -1;
			for (i = 0; i < n; i++) {
				int hi = hexval(str[2 * i]), lo = hexval(str[2 * i + 1]);

				if (hi < 0 || lo < 0)
					return -1;
				p[i] = (uint8_t)(hi << 4 | lo);
			}
			d->v.bytes.ptr = p;
			d->v.bytes.len = n;
		}
		return 0;
	}
}

static struct tq_parquet_datum *
new_items(struct conv *c, size_t n)
{
	return tq_arena_calloc(&c->arena, n ? n : 1,
	    sizeof(struct tq_parquet_datum));
}

static int
conv_instance(struct conv *c, int node, json_t *v, struct tq_parquet_datum *d)
{
	const struct tq_parquet_schema *s = c->s;
	const struct tq_parquet_node *nd = &s->nodes[node];
	int k, ch;

	if (nd->num_children == 0 && node > 0)
		return conv_leaf(c, node, v, d);
	d->kind = TQ_PARQUET_D_GROUP;
	d->n = (size_t)nd->num_children;
	if ((d->items = new_items(c, d->n)) == NULL)
		return -1;
	if (nd->logical.kind == TQ_PARQUET_LT_LIST ||
	    nd->logical.kind == TQ_PARQUET_LT_MAP) {
		int r = node + 1;
		struct tq_parquet_datum *rd = &d->items[0];
		size_t i;

		if (!json_is_array(v))
			return -1;
		rd->kind = TQ_PARQUET_D_REPEATED;
		rd->n = json_array_size(v);
		if ((rd->items = new_items(c, rd->n)) == NULL)
			return -1;
		for (i = 0; i < rd->n; i++) {
			struct tq_parquet_datum *it = &rd->items[i];

			if (nd->logical.kind == TQ_PARQUET_LT_MAP) {
				if (conv_instance(c, r, json_array_get(v, i), it)
				    != 0)
					return -1;
				continue;
			}
			it->kind = TQ_PARQUET_D_GROUP;
			it->n = 1;
			if ((it->items = new_items(c, 1)) == NULL ||
			    conv_field(c, r + 1, json_array_get(v, i),
			    &it->items[0]) != 0)
				return -1;
		}
		return 0;
	}
	if (!json_is_object(v))
		return -1;
	for (k = 0, ch = node + 1; k < nd->num_children;
	    k++, ch = next_sibling(s, ch))
		if (conv_field(c, ch, json_object_get(v, s->nodes[ch].name),
		    &d->items[k]) != 0) {
			fprintf(stderr, "pq-tool: field %s\n", s->nodes[ch].name);
			return -1;
		}
	return 0;
}

static int
conv_field(struct conv *c, int node, json_t *v, struct tq_parquet_datum *d)
{
	const struct tq_parquet_node *nd = &c->s->nodes[node];
	size_t i;

	if (v == NULL || json_is_null(v)) {
		d->kind = nd->repetition == TQ_PARQUET_REPEATED ?
		    TQ_PARQUET_D_REPEATED : TQ_PARQUET_D_NULL;
		return 0;
	}
	if (nd->repetition != TQ_PARQUET_REPEATED)
		return conv_instance(c, node, v, d);
	if (!json_is_array(v))
		return -1;
	d->kind = TQ_PARQUET_D_REPEATED;
	d->n = json_array_size(v);
	if ((d->items = new_items(c, d->n)) == NULL)
		return -1;
	for (i = 0; i < d->n; i++)
		if (conv_instance(c, node, json_array_get(v, i), &d->items[i]) != 0)
			return -1;
	return 0;
}

static int
file_write(void *arg, const void *p, size_t len, struct tq_err *err)
{
	if (fwrite(p, 1, len, arg) != len)
		return tq_err_sys(err, "write");
	return 0;
}

static int
codec_of(const char *s)
{
	if (strcmp(s, "ZSTD") == 0)
		return TQ_PARQUET_ZSTD;
	if (strcmp(s, "SNAPPY") == 0)
		return TQ_PARQUET_SNAPPY;
	if (strcmp(s, "UNCOMPRESSED") == 0)
		return TQ_PARQUET_UNCOMPRESSED;
	if (strcmp(s, "GZIP") == 0)
		return TQ_PARQUET_GZIP;
	fprintf(stderr, "pq-tool: unknown codec %s\n", s);
	exit(2);
}

static int
encoding_of(const char *s)
{
	int e;

	for (e = 0; e < 10; e++)
		if (strcmp(s, tq_parquet_encoding_name(e)) == 0)
			return e;
	fprintf(stderr, "pq-tool: unknown encoding %s\n", s);
	exit(2);
}

static void
cmd_write(const char *spec, const char *outpath)
{
	struct build *b = calloc(1, sizeof(*b));
	struct tq_parquet_write_opts o;
	struct tq_parquet_schema *s = NULL;
	struct tq_parquet_writer *w = NULL;
	struct tq_err e = { 0 };
	struct conv c;
	json_error_t je;
	json_t *doc, *opts, *rows, *v;
	FILE *f;
	size_t i, per_group = 0;

	if (b == NULL || (doc = json_load_file(spec, 0, &je)) == NULL) {
		fprintf(stderr, "pq-tool: %s:%d: %s\n", spec, je.line, je.text);
		exit(1);
	}
	add_field(b, json_object_get(doc, "schema"), true);
	if (tq_parquet_schema_new(b->nodes, b->n, &s, &e) != 0)
		die("schema", &e);
	memset(&o, 0, sizeof(o));
	o.codec = TQ_PARQUET_ZSTD;
	opts = json_object_get(doc, "options");
	if ((v = json_object_get(opts, "codec")) != NULL)
		o.codec = codec_of(json_string_value(v));
	o.page_version = (int)json_integer_value(json_object_get(opts,
	    "page_version"));
	o.page_size = (size_t)json_integer_value(json_object_get(opts,
	    "page_size"));
	o.row_group_size = (size_t)json_integer_value(json_object_get(opts,
	    "row_group_size"));
	o.dict_max = (size_t)json_integer_value(json_object_get(opts,
	    "dict_max"));
	per_group = (size_t)json_integer_value(json_object_get(opts,
	    "rows_per_group"));
	o.plain_dictionary = json_is_true(json_object_get(opts,
	    "plain_dictionary"));
	if ((f = fopen(outpath, "wb")) == NULL) {
		perror(outpath);
		exit(1);
	}
	if (tq_parquet_writer_new(s, &o, file_write, f, &w, &e) != 0)
		die("writer", &e);
	for (i = 1; i < b->n; i++) {
		struct tq_parquet_column_opts co;
		json_t *fj = b->field[i];
		int col = s->col_of[i];

		if (col < 0)
			continue;
		co.encoding = TQ_PARQUET_PLAIN;
		co.dictionary = true;
		co.codec = -1;
		co.page_size = 0;
		co.delta_if_smaller = false;
		co.min_saving = 0;
		if ((v = json_object_get(fj, "encoding")) != NULL) {
			co.encoding = encoding_of(json_string_value(v));
			co.dictionary = false;
		}
		if ((v = json_object_get(fj, "dict")) != NULL)
			co.dictionary = json_is_true(v);
		if ((v = json_object_get(fj, "codec")) != NULL)
			co.codec = codec_of(json_string_value(v));
		if (tq_parquet_writer_set_column(w, col, &co, &e) != 0)
			die("column", &e);
	}
	tq_arena_init(&c.arena, (size_t)1 << 32);
	c.s = s;
	rows = json_object_get(doc, "rows");
	for (i = 0; i < json_array_size(rows); i++) {
		struct tq_parquet_datum d;

		memset(&d, 0, sizeof(d));
		if (conv_instance(&c, 0, json_array_get(rows, i), &d) != 0) {
			fprintf(stderr, "pq-tool: row %zu does not fit the "
			    "schema\n", i);
			exit(1);
		}
		if (tq_parquet_writer_write_record(w, &d, &e) != 0)
			die("record", &e);
		if (per_group > 0 && (i + 1) % per_group == 0 &&
		    tq_parquet_writer_flush(w, &e) != 0)
			die("flush", &e);
		tq_arena_reset(&c.arena);
	}
	if (tq_parquet_writer_close(w, &e) != 0)
		die("close", &e);
	if (fclose(f) != 0) {
		perror(outpath);
		exit(1);
	}
	tq_parquet_writer_free(w);
	tq_parquet_schema_free(s);
	tq_arena_release(&c.arena);
	json_decref(doc);
	free(b);
}

/* ---- Reading ---- */

struct file {
	int		 fd;
	unsigned long	 reads;
	unsigned long long bytes;
};

static int
file_read(void *arg, uint64_t off, size_t len, void *dst, struct tq_err *err)
{
	struct file *f = arg;
	size_t done = 0;

	f->reads++;
	f->bytes += len;
	while (done < len) {
		ssize_t n = pread(f->fd, (char *)dst + done, len - done,
		    (off_t)(off + done));

		if (n < 0)
			return tq_err_sys(err, "pread");
		if (n == 0)
			return tq_err_set(err, TQ_ECORRUPT, "short read");
		done += (size_t)n;
	}
	return 0;
}

static struct tq_parquet_reader *
open_file(const char *path, struct file *f)
{
	struct tq_parquet_reader *r;
	struct tq_err e = { 0 };
	struct stat st;

	memset(f, 0, sizeof(*f));
	if ((f->fd = open(path, O_RDONLY)) < 0 || fstat(f->fd, &st) != 0) {
		perror(path);
		exit(1);
	}
	if (tq_parquet_reader_open(file_read, f, (uint64_t)st.st_size, NULL, &r,
	    &e) != 0)
		die(path, &e);
	return r;
}

static void
put_string(const uint8_t *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		switch (c) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\b': fputs("\\b", stdout); break;
		case '\f': fputs("\\f", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (c < 0x20)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

static void
put_hex(const uint8_t *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('"');
}

/*
 * put_number prints x as JavaScript's Number.prototype.toString does: the
 * shortest digits that read back as x, then fixed notation for exponents
 * from -7 to 20 and d.ddde+N otherwise.
 */
static void
put_number(double x)
{
	char buf[64], digits[32];
	int p, e, nd, i, k;

	if (x != x) {
		fputs("\"NaN\"", stdout);
		return;
	}
	if (isinf(x)) {
		fputs(x > 0 ? "\"Infinity\"" : "\"-Infinity\"", stdout);
		return;
	}
	if (x == 0) {
		putchar('0');
		return;
	}
	if (x < 0) {
		putchar('-');
		x = -x;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	/* buf is d.ddde[+-]XX */
	nd = 0;
	for (i = 0; buf[i] != 'e'; i++)
		if (buf[i] != '.')
			digits[nd++] = buf[i];
	e = atoi(buf + i + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	k = nd;
	/* JavaScript's n is e + 1: the position of the decimal point. */
	if (e + 1 >= k && e + 1 <= 21) {
		fputs(digits, stdout);
		for (i = 0; i < e + 1 - k; i++)
			putchar('0');
	} else if (e + 1 > 0 && e + 1 <= 21) {
		printf("%.*s.%s", e + 1, digits, digits + e + 1);
	} else if (e + 1 > -6 && e + 1 <= 0) {
		fputs("0.", stdout);
		for (i = 0; i < -(e + 1); i++)
			putchar('0');
		fputs(digits, stdout);
	} else {
		putchar(digits[0]);
		if (k > 1)
			printf(".%s", digits + 1);
		printf("e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	}
}

static void
put_leaf(const struct tq_parquet_node *nd, const struct tq_parquet_datum *d)
{
	bool uns = nd->logical.kind == TQ_PARQUET_LT_INT && !nd->logical.is_signed;

	switch (nd->type) {
	case TQ_PARQUET_BOOLEAN:
		fputs(d->v.b ? "true" : "false", stdout);
		break;
	case TQ_PARQUET_INT32:
		if (uns)
			printf("%" PRIu32, (uint32_t)d->v.i32);
		else
			printf("%" PRId32, d->v.i32);
		break;
	case TQ_PARQUET_INT64:
		if (uns)
			printf("%" PRIu64, (uint64_t)d->v.i64);
		else
			printf("%" PRId64, d->v.i64);
		break;
	case TQ_PARQUET_FLOAT:
		put_number(d->v.f32);
		break;
	case TQ_PARQUET_DOUBLE:
		put_number(d->v.f64);
		break;
	case TQ_PARQUET_BYTE_ARRAY:
		if (nd->logical.kind == TQ_PARQUET_LT_STRING ||
		    nd->logical.kind == TQ_PARQUET_LT_JSON ||
		    nd->logical.kind == TQ_PARQUET_LT_ENUM) {
			put_string(d->v.bytes.ptr, d->v.bytes.len);
			break;
		}
		/* FALLTHROUGH */
	default:
		put_hex(d->v.bytes.ptr, d->v.bytes.len);
	}
}

static void put_field(const struct tq_parquet_schema *, int,
    const struct tq_parquet_datum *);

static void
put_instance(const struct tq_parquet_schema *s, int node,
    const struct tq_parquet_datum *d, bool map_entry)
{
	const struct tq_parquet_node *nd = &s->nodes[node];
	int k, ch, el;

	if (nd->num_children == 0 && node > 0) {
		put_leaf(nd, d);
		return;
	}
	if (node > 0 && (el = tq_parquet_schema_list_element(s, node)) >= 0) {
		const struct tq_parquet_datum *rd = &d->items[0];
		int r = node + 1;
		size_t i;

		putchar('[');
		for (i = 0; i < rd->n; i++) {
			if (i > 0)
				putchar(',');
			if (el != r)
				put_field(s, el, &rd->items[i].items[0]);
			else
				put_instance(s, r, &rd->items[i],
				    nd->logical.kind == TQ_PARQUET_LT_MAP);
		}
		putchar(']');
		return;
	}
	putchar('{');
	for (k = 0, ch = node + 1; k < nd->num_children;
	    k++, ch = next_sibling(s, ch)) {
		if (k > 0)
			putchar(',');
		if (map_entry)
			fputs(k == 0 ? "\"key\"" : "\"value\"", stdout);
		else
			put_string((const uint8_t *)s->nodes[ch].name,
			    strlen(s->nodes[ch].name));
		putchar(':');
		put_field(s, ch, &d->items[k]);
	}
	putchar('}');
}

static void
put_field(const struct tq_parquet_schema *s, int node,
    const struct tq_parquet_datum *d)
{
	size_t i;

	if (d->kind == TQ_PARQUET_D_NULL) {
		fputs("null", stdout);
		return;
	}
	if (d->kind != TQ_PARQUET_D_REPEATED) {
		put_instance(s, node, d, false);
		return;
	}
	putchar('[');
	for (i = 0; i < d->n; i++) {
		if (i > 0)
			putchar(',');
		put_instance(s, node, &d->items[i], false);
	}
	putchar(']');
}

static void
cmd_dump(const char *path)
{
	struct file f;
	struct tq_parquet_reader *r = open_file(path, &f);
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(r);
	struct tq_parquet_column *cols;
	struct tq_parquet_datum *recs;
	struct tq_arena a;
	struct tq_err e = { 0 };
	size_t rg, c, i;

	cols = calloc(s->n_columns, sizeof(*cols));
	tq_arena_init(&a, (size_t)1 << 34);
	for (rg = 0; rg < tq_parquet_reader_num_row_groups(r); rg++) {
		int64_t n = tq_parquet_reader_row_group_rows(r, rg);

		for (c = 0; c < s->n_columns; c++)
			if (tq_parquet_reader_read_column(r, rg, (int)c,
			    c % 2 ? TQ_PARQUET_READ_DICT_INDICES : 0, &cols[c],
			    &e) != 0)
				die(path, &e);
		recs = calloc((size_t)n + 1, sizeof(*recs));
		if (recs == NULL || tq_parquet_assemble(s, cols, (size_t)n, &a,
		    recs, &e) != 0)
			die(path, &e);
		for (i = 0; i < (size_t)n; i++) {
			put_instance(s, 0, &recs[i], false);
			putchar('\n');
		}
		free(recs);
		for (c = 0; c < s->n_columns; c++)
			tq_parquet_column_release(&cols[c]);
		tq_arena_reset(&a);
	}
	free(cols);
	tq_arena_release(&a);
	tq_parquet_reader_free(r);
	close(f.fd);
}

static void
put_encodings(uint32_t bits)
{
	int e, first = 1;

	for (e = 0; e < 32; e++)
		if ((bits >> e) & 1) {
			printf("%s%s", first ? "" : ",",
			    tq_parquet_encoding_name(e));
			first = 0;
		}
	if (first)
		putchar('-');
}

/* A want that counts the data pages it is asked about and wants none. */
static bool
count_page(void *arg, size_t first, size_t n)
{
	(void)first;
	(void)n;
	++*(size_t *)arg;
	return false;
}

static size_t
count_pages(struct tq_parquet_reader *r, size_t rg, int col)
{
	struct tq_parquet_column c;
	struct tq_err e;
	size_t n = 0;

	if (tq_parquet_reader_read_some(r, rg, col, 0, count_page, &n, &c,
	    &e) != 0)
		die("pages", &e);
	tq_parquet_column_release(&c);
	return n;
}

static void
cmd_meta(const char *path)
{
	struct file f;
	struct tq_parquet_reader *r = open_file(path, &f);
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(r);
	size_t rg, c;

	printf("rows %lld row_groups %zu\n",
	    (long long)tq_parquet_reader_num_rows(r),
	    tq_parquet_reader_num_row_groups(r));
	for (c = 0; c < s->n_columns; c++)
		printf("column %s %s max_def %d max_rep %d\n", s->columns[c].path,
		    tq_parquet_type_name(s->columns[c].type),
		    s->columns[c].max_def, s->columns[c].max_rep);
	for (rg = 0; rg < tq_parquet_reader_num_row_groups(r); rg++)
		for (c = 0; c < s->n_columns; c++) {
			const struct tq_parquet_chunk *ch =
			    tq_parquet_reader_chunk(r, rg, (int)c);

			printf("rg %zu %s codec %s values %lld dict %s "
			    "encodings ", rg, s->columns[c].path,
			    tq_parquet_codec_name(ch->codec),
			    (long long)ch->num_values,
			    ch->dict_page_offset > 0 ? "yes" : "no");
			put_encodings(ch->encodings);
			printf(" data ");
			put_encodings(ch->data_encodings);
			if (ch->stats.has_null_count)
				printf(" nulls %lld",
				    (long long)ch->stats.null_count);
			printf(" minmax %s pages %zu\n",
			    ch->stats.has_min_max ? "yes" : "no",
			    count_pages(r, rg, (int)c));
		}
	tq_parquet_reader_free(r);
	close(f.fd);
}

static void
put_value(const struct tq_parquet_schema *s, int col,
    const struct tq_parquet_column *c, size_t i)
{
	const struct tq_parquet_node *nd = &s->nodes[s->columns[col].node];
	const struct tq_parquet_column *src = c->idx ? c->dict : c;
	struct tq_parquet_datum d;
	size_t v = c->idx ? c->idx[i] : i;

	memset(&d, 0, sizeof(d));
	switch (c->type) {
	case TQ_PARQUET_BOOLEAN: d.v.b = src->b[v]; break;
	case TQ_PARQUET_INT32: d.v.i32 = src->i32[v]; break;
	case TQ_PARQUET_INT64: d.v.i64 = src->i64[v]; break;
	case TQ_PARQUET_FLOAT: d.v.f32 = src->f32[v]; break;
	case TQ_PARQUET_DOUBLE: d.v.f64 = src->f64[v]; break;
	case TQ_PARQUET_BYTE_ARRAY:
		d.v.bytes.ptr = src->data + src->off[v];
		d.v.bytes.len = src->off[v + 1] - src->off[v];
		break;
	default:
		d.v.bytes.ptr = src->data + v * (size_t)c->width;
		d.v.bytes.len = (size_t)c->width;
	}
	put_leaf(nd, &d);
}

static void
cmd_columns(const char *path, int argc, char **argv)
{
	struct file f;
	struct tq_parquet_reader *r = open_file(path, &f);
	const struct tq_parquet_schema *s = tq_parquet_reader_schema(r);
	struct tq_parquet_column c;
	struct tq_err e = { 0 };
	size_t rg, i;
	int a, col;

	for (a = 0; a < argc; a++) {
		if ((col = tq_parquet_schema_find(s, argv[a])) < 0) {
			fprintf(stderr, "pq-tool: no column %s\n", argv[a]);
			exit(1);
		}
		for (rg = 0; rg < tq_parquet_reader_num_row_groups(r); rg++) {
			if (tq_parquet_reader_read_column(r, rg, col, 0, &c, &e)
			    != 0)
				die(argv[a], &e);
			printf("{\"path\":\"%s\",\"rg\":%zu,\"rep\":[", argv[a],
			    rg);
			for (i = 0; c.rep && i < c.n_levels; i++)
				printf("%s%u", i ? "," : "", c.rep[i]);
			printf("],\"def\":[");
			for (i = 0; c.def && i < c.n_levels; i++)
				printf("%s%u", i ? "," : "", c.def[i]);
			printf("],\"values\":[");
			for (i = 0; i < c.n_values; i++) {
				if (i > 0)
					putchar(',');
				put_value(s, col, &c, i);
			}
			printf("]}\n");
			tq_parquet_column_release(&c);
		}
	}
	fprintf(stderr, "reads %lu bytes %llu\n", f.reads, f.bytes);
	tq_parquet_reader_free(r);
	close(f.fd);
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		cmd_write(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "dump") == 0)
		cmd_dump(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "meta") == 0)
		cmd_meta(argv[2]);
	else if (argc >= 4 && strcmp(argv[1], "columns") == 0)
		cmd_columns(argv[2], argc - 3, argv + 3);
	else {
		fprintf(stderr, "usage: pq-tool write SPEC OUT | dump FILE | "
		    "meta FILE | columns FILE PATH...\n");
		return 2;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("stdout");
		return 1;
	}
	return 0;
}
