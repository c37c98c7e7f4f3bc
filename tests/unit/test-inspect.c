/*
 * test-inspect.c: the attribute scan of tq_inspect_attrs totals, per
 * scope and key, exactly the values the generic Attrs columns hold.  Two
 * hand-made traces with attributes of every kind (strings, numbers,
 * booleans, arrays, an empty array) in resources, scopes, spans, events
 * and links go into a block of one-trace row groups; the expected totals
 * are worked out by hand below.  Well-known (service.name, http.method)
 * and dedicated attributes have columns of their own and must not count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "inspect.h"
#include "limits.h"
#include "store.h"
#include "t.h"

#define ATTR_S(k, v)	"{\"key\":\"" k "\",\"value\":{\"stringValue\":\"" v "\"}}"
#define ATTR_I(k, v)	"{\"key\":\"" k "\",\"value\":{\"intValue\":\"" v "\"}}"

/* One trace: ids differ only in the last digit (1 or 2). */
static const char trace_fmt[] =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
    ATTR_S("service.name", "shop") ","
    ATTR_S("team", "abc") ","
    ATTR_S("host.name", "h%d")
    "]},\"scopeSpans\":[{\"scope\":{\"name\":\"lib\",\"attributes\":["
    ATTR_S("lib.flavour", "q")
    "]},\"spans\":["
    "{\"traceId\":\"0000000000000000000000000000000%d\","
    "\"spanId\":\"000000000000000%d\",\"name\":\"root\","
    "\"startTimeUnixNano\":\"1000\",\"endTimeUnixNano\":\"2000\","
    "\"attributes\":["
    ATTR_S("greeting", "hello") ","
    ATTR_I("n", "42") ","
    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},"
    "{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
    "{\"key\":\"arr\",\"value\":{\"arrayValue\":{\"values\":["
    "{\"stringValue\":\"x\"},{\"stringValue\":\"yy\"}]}}},"
    "{\"key\":\"empty\",\"value\":{\"arrayValue\":{}}},"
    ATTR_S("http.method", "GET") ","
    ATTR_S("rpc.method", "Get")
    "],\"events\":[{\"timeUnixNano\":\"1500\",\"name\":\"ev\","
    "\"attributes\":[" ATTR_S("e", "zz") "]}],"
    "\"links\":[{\"traceId\":\"000000000000000000000000000000ff\","
    "\"spanId\":\"00000000000000ff\",\"attributes\":[" ATTR_I("l", "7")
    "]}]},"
    "{\"traceId\":\"0000000000000000000000000000000%d\","
    "\"spanId\":\"000000000000001%d\",\"parentSpanId\":\"000000000000000%d\","
    "\"name\":\"child\",\"startTimeUnixNano\":\"1100\","
    "\"endTimeUnixNano\":\"1900\",\"attributes\":["
    ATTR_S("greeting", "hi")
    "]}]}]}]}";

struct want {
	const char	*scope;
	const char	*key;
	uint64_t	 count;
	uint64_t	 bytes;
};

static int
check(void)
{
	/*
	 * Two traces; every total is per trace times two.  Ties in bytes go
	 * by scope (resource, scope, span, event, link), then key.
	 */
	static const struct want want[] = {
		{ "span", "d", 2, 2 * 8 },
		{ "span", "n", 2, 2 * 8 },
		{ "link", "l", 2, 2 * 8 },
		{ "span", "greeting", 4, 2 * (5 + 2) },
		{ "resource", "team", 2, 2 * 3 },
		{ "span", "arr", 2, 2 * 3 },
		{ "resource", "host.name", 2, 2 * 2 },
		{ "event", "e", 2, 2 * 2 },
		{ "scope", "lib.flavour", 2, 2 * 1 },
		{ "span", "b", 2, 2 * 1 },
		{ "span", "empty", 2, 0 },
	};
	static const struct tq_block_dedicated ded[] = {
		{ TQ_BLOCK_SCOPE_SPAN, "rpc.method" },
	};
	char dir[] = "/tmp/test-inspect-XXXXXX", cmd[300], json[4096];
	const struct tq_inspect_attr *attrs;
	struct tq_block_writer *w;
	struct tq_block_opts o;
	struct tq_block_meta meta;
	struct tq_inspect *in;
	struct tq_store *st;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;
	size_t n = 0, i;
	int t, same = 1;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	if (mkdtemp(dir) == NULL)
		return -1;
	T_EQ_INT(tq_store_open(dir, NULL, &st, &e), 0, "store opens");
	tq_block_opts_init(&o);
	o.row_group_bytes = 1;		/* one trace per row group */
	o.dedicated = ded;
	o.n_dedicated = 1;
	T_EQ_INT(tq_block_writer_new(st, "t", &o, 2, &w, &e), 0, "writer");
	for (t = 1; t <= 2; t++) {
		snprintf(json, sizeof(json), trace_fmt, t, t, t, t, t, t);
		if (tq_otlp_json_decode(json, strlen(json), &a, &td, &e) != 0 ||
		    tq_block_writer_add(w, td, 0, &e) != 0)
			printf("# trace %d: %s\n", t, e.msg);
	}
	T_EQ_INT(tq_block_writer_finish(w, &meta, &e), 0, "block written");
	tq_block_writer_free(w);
	T_EQ_INT(meta.total_records, 2, "two row groups");
	T_EQ_INT(tq_inspect_open(st, &meta, &in, &e), 0, "footer opens");
	T_EQ_INT(tq_parquet_reader_num_row_groups(tq_inspect_reader(in)), 2,
	    "reader sees both row groups");
	T_EQ_INT(tq_inspect_attrs(in, &attrs, &n, &e), 0, "attributes scanned");
	T_EQ_INT(n, sizeof(want) / sizeof(want[0]),
	    "one entry per scope and key, no well-known or dedicated ones");
	for (i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
		if (strcmp(tq_inspect_scope_name(attrs[i].scope),
		    want[i].scope) != 0 || strcmp(attrs[i].key, want[i].key) != 0 ||
		    attrs[i].count != want[i].count ||
		    attrs[i].bytes != want[i].bytes) {
			printf("# %zu: got %s %s %llu %llu, want %s %s %llu %llu\n",
			    i, tq_inspect_scope_name(attrs[i].scope), attrs[i].key,
			    (unsigned long long)attrs[i].count,
			    (unsigned long long)attrs[i].bytes, want[i].scope,
			    want[i].key, (unsigned long long)want[i].count,
			    (unsigned long long)want[i].bytes);
			same = 0;
		}
	T_OK(same, "counts and bytes per key, most bytes first");
	T_EQ_INT(tq_inspect_attrs(in, &attrs, &n, &e), 0, "a second call");
	T_EQ_INT(n, sizeof(want) / sizeof(want[0]), "gives the same keys");
	tq_inspect_free(in);

	/* A missing data.parquet is TQ_ENOTFOUND naming the object. */
	snprintf(cmd, sizeof(cmd), "rm %s/t/%s/data.parquet", dir, meta.block_id);
	T_EQ_INT(system(cmd), 0, "data.parquet removed");
	T_EQ_INT(tq_inspect_open(st, &meta, &in, &e), TQ_ENOTFOUND,
	    "missing data.parquet");
	T_OK(strstr(e.msg, "data.parquet") != NULL, "the error names the file");
	tq_store_free(st);
	tq_arena_release(&a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int
main(void)
{
	T_EQ_INT(tq_inspect_scope_name(TQ_INSPECT_LINK)[0], 'l', "scope names");
	T_EQ_STR(tq_inspect_scope_name(99), "?", "unknown scope");
	check();
	return t_done();
}
