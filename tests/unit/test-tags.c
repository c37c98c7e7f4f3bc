/*
 * test-tags.c: tag names and values (lib/tags.c) of hand-made blocks.
 *
 * Block A holds two traces in one-trace row groups, with attributes of
 * every kind in resources, scopes, spans, events and links, attributes
 * that have columns of their own (service.name, k8s.pod.name,
 * http.method, http.status_code) and dedicated columns (resource team,
 * span rpc.method); block B, much later, one trace.  The expected names
 * and values are read off the JSON below by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "limits.h"
#include "store.h"
#include "t.h"
#include "tags.h"

#define ATTR_S(k, v)	"{\"key\":\"" k "\",\"value\":{\"stringValue\":\"" v "\"}}"
#define ATTR_I(k, v)	"{\"key\":\"" k "\",\"value\":{\"intValue\":\"" v "\"}}"

/*
 * One trace of block A; the arguments are the trace ID's last digit,
 * the service name, the host name, the child's n and the trace ID again
 * (twice).
 */
static const char trace_fmt[] =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
    ATTR_S("service.name", "%s") ","
    ATTR_S("team", "abc") ","
    ATTR_S("k8s.pod.name", "pod-1") ","
    ATTR_S("host.name", "%s")
    "]},\"scopeSpans\":[{\"scope\":{\"name\":\"lib\",\"version\":\"1.2\","
    "\"attributes\":[" ATTR_S("lib.flavour", "q") "]},\"spans\":["
    "{\"traceId\":\"0000000000000000000000000000000%d\","
    "\"spanId\":\"0000000000000001\",\"name\":\"root\","
    "\"startTimeUnixNano\":\"1000\",\"endTimeUnixNano\":\"2000\","
    "\"status\":{\"code\":2,\"message\":\"boom\"},"
    "\"attributes\":["
    ATTR_S("greeting", "hello") ","
    ATTR_I("n", "42") ","
    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},"
    "{\"key\":\"big\",\"value\":{\"doubleValue\":1000000}},"
    "{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
    "{\"key\":\"arr\",\"value\":{\"arrayValue\":{\"values\":["
    "{\"stringValue\":\"x\"},{\"stringValue\":\"yy\"}]}}},"
    ATTR_S("http.method", "GET") ","
    ATTR_I("http.status_code", "200") ","
    ATTR_S("rpc.method", "Get") ","
    ATTR_S("quote", "say \\\"hi\\\"\\n")
    "],\"events\":[{\"timeUnixNano\":\"1500\",\"name\":\"ev\","
    "\"attributes\":[" ATTR_S("e", "zz") "]}],"
    "\"links\":[{\"traceId\":\"000000000000000000000000000000ff\","
    "\"spanId\":\"00000000000000ff\",\"attributes\":[" ATTR_I("l", "7")
    "]}]},"
    "{\"traceId\":\"0000000000000000000000000000000%d\","
    "\"spanId\":\"0000000000000002\",\"parentSpanId\":\"0000000000000001\","
    "\"name\":\"child\",\"startTimeUnixNano\":\"1100\","
    "\"endTimeUnixNano\":\"1900\",\"attributes\":["
    ATTR_S("greeting", "hi") ","
    ATTR_I("n", "%d") ","
    ATTR_S("http.status_code", "abc")
    "]}]}]}]}";

/* Block B: one trace about 2033. */
static const char late_trace[] =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
    ATTR_S("service.name", "late") "]},\"scopeSpans\":[{\"spans\":["
    "{\"traceId\":\"00000000000000000000000000000009\","
    "\"spanId\":\"0000000000000009\",\"name\":\"later\","
    "\"startTimeUnixNano\":\"2000000000000000000\","
    "\"endTimeUnixNano\":\"2000000001000000000\",\"attributes\":["
    ATTR_I("only.late", "1") "]}]}]}]}";

#define LATE_NS		2000000000000000000LL

static struct tq_store	*st;
static char		 dir[] = "/tmp/test-tags-XXXXXX";
static struct tq_block_meta meta_a;

/* joined writes the items as "a,b,c" (values: "type:value"). */
static const char *
joined(const struct tq_tags_item *it, size_t n, int typed)
{
	static char buf[4096];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s%s",
		    i ? "," : "", typed ? tq_tags_type_name(it[i].type) : "",
		    typed ? ":" : "", it[i].text);
	return buf;
}

static const char *
names_of(struct tq_tags *t, int scope)
{
	const struct tq_tags_item *it;
	size_t n = tq_tags_names(t, scope, &it);

	return joined(it, n, 0);
}

/* values_of scans the store for ident's values and joins them. */
static const char *
values_of(const char *ident, size_t limit)
{
	const struct tq_tags_item *it;
	struct tq_tags *t;
	struct tq_err e;
	const char *s;
	size_t n;

	if (tq_tags_new_values(ident, limit, &t, &e) != 0) {
		printf("# %s: %s\n", ident, e.msg);
		return "(error)";
	}
	if (tq_tags_scan(t, st, "t", 0, LATE_NS / 2, &e) != 0) {
		printf("# %s: %s\n", ident, e.msg);
		tq_tags_free(t);
		return "(error)";
	}
	n = tq_tags_values(t, &it);
	s = joined(it, n, 1);
	tq_tags_free(t);
	return s;
}

static void
write_block(const char *const *json, size_t n, const char *what)
{
	static const struct tq_block_dedicated ded[] = {
		{ TQ_BLOCK_SCOPE_SPAN, "rpc.method" },
		{ TQ_BLOCK_SCOPE_RESOURCE, "team" },
	};
	struct tq_block_writer *w;
	struct tq_block_opts o;
	struct tq_block_meta meta;
	struct tq_arena a;
	struct tq_err e;
	Tq__TracesData *td;
	size_t i;

	tq_arena_init(&a, TQ_MAX_DECODE_ARENA);
	tq_block_opts_init(&o);
	o.row_group_bytes = 1;		/* one trace per row group */
	o.dedicated = ded;
	o.n_dedicated = 2;
	T_EQ_INT(tq_block_writer_new(st, "t", &o, n, &w, &e), 0, what);
	for (i = 0; i < n; i++)
		if (tq_otlp_json_decode(json[i], strlen(json[i]), &a, &td,
		    &e) != 0 || tq_block_writer_add(w, td, 0, &e) != 0)
			printf("# trace %zu: %s\n", i, e.msg);
	T_EQ_INT(tq_block_writer_finish(w, &meta, &e), 0, what);
	if (meta.start_s == 0)
		meta_a = meta;
	tq_block_writer_free(w);
	tq_arena_release(&a);
}

static void
make_store(void)
{
	char t1[4096], t2[4096];
	const char *a[2] = { t1, t2 }, *b[1] = { late_trace };
	struct tq_err e;

	snprintf(t1, sizeof(t1), trace_fmt, "shop", "h1", 1, 1, 9);
	snprintf(t2, sizeof(t2), trace_fmt, "cart", "h2", 2, 2, 10);
	if (mkdtemp(dir) == NULL)
		exit(1);
	T_EQ_INT(tq_store_open(dir, NULL, &st, &e), 0, "store opens");
	write_block(a, 2, "block A written");
	write_block(b, 1, "block B written");
	T_EQ_INT(meta_a.total_records, 2, "block A has two row groups");
}

static void
check_names(void)
{
	const struct tq_tags_item *it;
	struct tq_tags *t;
	struct tq_buf b;
	struct tq_err e;
	char want[512];

	T_EQ_INT(tq_tags_new(TQ_TAGS_ALL, 0, &t, &e), 0, "names: new");
	T_EQ_INT(tq_tags_scan(t, st, "t", 0, LATE_NS / 2, &e), 0,
	    "names: block A scanned");
	T_EQ_INT(tq_tags_blocks(t), 1, "the time range leaves block B out");
	T_OK(tq_tags_inspected_bytes(t) > 0, "bytes were read");
	T_EQ_INT(tq_tags_names(t, TQ_TAGS_INTRINSIC, &it), 25,
	    "Tempo's 25 intrinsics");
	T_EQ_STR(it[0].text, "duration", "first intrinsic");
	T_EQ_STR(it[24].text, "trace:duration", "last intrinsic");
	T_EQ_STR(names_of(t, TQ_TAGS_RESOURCE),
	    "host.name,k8s.pod.name,service.name,team",
	    "resource: generic, well-known and dedicated");
	T_EQ_STR(names_of(t, TQ_TAGS_SPAN),
	    "arr,b,big,d,greeting,http.method,http.status_code,n,quote,"
	    "rpc.method", "span: generic, well-known and dedicated");
	T_EQ_STR(names_of(t, TQ_TAGS_EVENT), "e", "event");
	T_EQ_STR(names_of(t, TQ_TAGS_LINK), "l", "link");
	T_EQ_STR(names_of(t, TQ_TAGS_INSTRUMENTATION), "lib.flavour",
	    "instrumentation");
	T_OK(!tq_tags_truncated(t), "nothing cut");
	tq_tags_free(t);

	/* Both blocks: block B adds its names. */
	T_EQ_INT(tq_tags_new(1u << TQ_TAGS_SPAN, 0, &t, &e), 0, "span only");
	T_EQ_INT(tq_tags_scan(t, st, "t", 0, 0, &e), 0, "both blocks scanned");
	T_EQ_INT(tq_tags_blocks(t), 2, "two blocks");
	T_EQ_STR(names_of(t, TQ_TAGS_SPAN),
	    "arr,b,big,d,greeting,http.method,http.status_code,n,only.late,"
	    "quote,rpc.method", "span names of both blocks");
	T_EQ_INT(tq_tags_names(t, TQ_TAGS_RESOURCE, &it), 0,
	    "a scope not asked for is empty");
	tq_tags_free(t);
	T_EQ_INT(tq_tags_new(1u << TQ_TAGS_RESOURCE, 0, &t, &e), 0, "resource");
	T_EQ_INT(tq_tags_scan(t, st, "t", LATE_NS - 1000000000, 0, &e), 0,
	    "only block B");
	T_EQ_STR(names_of(t, TQ_TAGS_RESOURCE), "service.name",
	    "block B's resource names");
	tq_tags_free(t);

	/* The limit counts per scope and keeps the first names. */
	T_EQ_INT(tq_tags_new(TQ_TAGS_ALL, 2, &t, &e), 0, "limit 2");
	T_EQ_INT(tq_tags_scan(t, st, "t", 0, 0, &e), 0, "scanned");
	T_EQ_STR(names_of(t, TQ_TAGS_SPAN), "arr,b", "two span names");
	T_EQ_STR(names_of(t, TQ_TAGS_RESOURCE), "host.name,k8s.pod.name",
	    "two resource names");
	T_EQ_STR(names_of(t, TQ_TAGS_EVENT), "e", "one event name");
	T_OK(tq_tags_truncated(t), "the limit cut names");
	T_EQ_INT(tq_tags_names(t, TQ_TAGS_INTRINSIC, &it), 25,
	    "intrinsics are not limited");
	tq_tags_free(t);

	/* Tempo's v2 reply for one scope. */
	T_EQ_INT(tq_tags_new(1u << TQ_TAGS_EVENT, 0, &t, &e), 0, "event");
	T_EQ_INT(tq_tags_scan(t, st, "t", 0, 0, &e), 0, "scanned");
	tq_buf_init(&b, 1 << 20);
	T_EQ_INT(tq_tags_json(t, &b, &e), 0, "json");
	snprintf(want, sizeof(want), "{\"scopes\":[{\"name\":\"event\","
	    "\"tags\":[\"e\"]}],\"metrics\":{\"inspectedBytes\":\"%llu\"}}",
	    (unsigned long long)tq_tags_inspected_bytes(t));
	T_EQ_STR((const char *)b.data, want, "v2 reply, one scope");
	tq_buf_reset(&b);
	T_EQ_INT(tq_tags_json_v1(t, &b, &e), 0, "json v1");
	snprintf(want, sizeof(want), "{\"tagNames\":[\"e\"],\"metrics\":"
	    "{\"inspectedBytes\":\"%llu\"}}",
	    (unsigned long long)tq_tags_inspected_bytes(t));
	T_EQ_STR((const char *)b.data, want, "v1 reply");
	tq_buf_release(&b);
	tq_tags_free(t);

	/* A scope with no names is shown only when asked for alone. */
	T_EQ_INT(tq_tags_new(1u << TQ_TAGS_INTRINSIC | 1u << TQ_TAGS_LINK, 0,
	    &t, &e), 0, "intrinsic and link");
	T_OK(tq_tags_needs_data(t), "links come from the data");
	tq_buf_init(&b, 1 << 20);
	T_EQ_INT(tq_tags_json(t, &b, &e), 0, "json before any block");
	T_OK(strstr((const char *)b.data, "\"link\"") == NULL,
	    "empty link scope left out");
	T_OK(strncmp((const char *)b.data, "{\"scopes\":[{\"name\":\"intrinsic\","
	    "\"tags\":[\"duration\",\"name\",", 49) == 0, "intrinsics first");
	tq_buf_release(&b);
	tq_tags_free(t);
	T_EQ_INT(tq_tags_new(1u << TQ_TAGS_INTRINSIC, 0, &t, &e), 0,
	    "intrinsic alone");
	T_OK(!tq_tags_needs_data(t), "needs no block");
	T_EQ_INT(tq_tags_scan(t, st, "t", 0, 0, &e), 0, "scan");
	T_EQ_INT(tq_tags_blocks(t), 0, "reads nothing");
	tq_tags_free(t);
}

static void
check_values(void)
{
	T_EQ_STR(values_of("span.greeting", 0), "string:hello,string:hi",
	    "strings of two row groups, once each");
	T_EQ_STR(values_of(".n", 0), "int:9,int:10,int:42",
	    "ints in numeric order");
	T_EQ_STR(values_of("span.http.status_code", 0),
	    "string:abc,int:200", "int column and string attribute");
	T_EQ_STR(values_of("span.d", 0), "float:0.5", "float");
	T_EQ_STR(values_of("span.big", 0), "float:1e+06", "float as Go's %g");
	T_EQ_STR(values_of("span.b", 0), "bool:true", "bool");
	T_EQ_STR(values_of("span.arr", 0), "string:x,string:yy",
	    "array elements");
	T_EQ_STR(values_of("resource.service.name", 0),
	    "string:cart,string:shop", "service.name column");
	T_EQ_STR(values_of(".service.name", 0), "string:cart,string:shop",
	    "unscoped: span and resource");
	T_EQ_STR(values_of("span.service.name", 0), "",
	    "service.name is no span attribute");
	T_EQ_STR(values_of("resource.team", 0), "string:abc",
	    "dedicated resource column");
	T_EQ_STR(values_of("span.rpc.method", 0), "string:Get",
	    "dedicated span column");
	T_EQ_STR(values_of("resource.k8s.pod.name", 0), "string:pod-1",
	    "well-known resource column");
	T_EQ_STR(values_of("span.http.method", 0), "string:GET",
	    "well-known span column");
	T_EQ_STR(values_of("event.e", 0), "string:zz", "event attribute");
	T_EQ_STR(values_of("link.l", 0), "int:7", "link attribute");
	T_EQ_STR(values_of("instrumentation.lib.flavour", 0), "string:q",
	    "instrumentation attribute");
	T_EQ_STR(values_of("span.quote", 0), "string:say \"hi\"\n",
	    "text kept as is");
	T_EQ_STR(values_of("span.nothing", 0), "", "absent attribute");
	T_EQ_STR(values_of("name", 0), "string:child,string:root", "name");
	T_EQ_STR(values_of("span:name", 0), "string:child,string:root",
	    "span:name");
	T_EQ_STR(values_of("statusMessage", 0), "string:boom",
	    "statusMessage, empty ones left out");
	T_EQ_STR(values_of("rootServiceName", 0), "string:cart,string:shop",
	    "rootServiceName");
	T_EQ_STR(values_of("trace:rootName", 0), "string:root", "rootName");
	T_EQ_STR(values_of("event:name", 0), "string:ev", "event:name");
	T_EQ_STR(values_of("instrumentation:name", 0), "string:lib",
	    "instrumentation:name");
	T_EQ_STR(values_of("instrumentation:version", 0), "string:1.2",
	    "instrumentation:version");
	T_EQ_STR(values_of("status", 0),
	    "keyword:ok,keyword:error,keyword:unset", "status keywords");
	T_EQ_STR(values_of("span:kind", 0), "keyword:client,keyword:server,"
	    "keyword:producer,keyword:consumer,keyword:internal,"
	    "keyword:unspecified", "kind keywords");
	T_EQ_STR(values_of("duration", 0), "", "durations: empty");
	T_EQ_STR(values_of("traceDuration", 0), "", "trace duration: empty");
	T_EQ_STR(values_of(".n", 2), "int:9,int:10", "limit keeps the first");
}

static void
check_json_values(void)
{
	struct tq_tags *t;
	struct tq_buf b;
	struct tq_err e;
	char want[512];

	T_EQ_INT(tq_tags_new_values("span.quote", 0, &t, &e), 0, "quote");
	T_EQ_INT(tq_tags_scan(t, st, "t", 0, 0, &e), 0, "scanned");
	tq_buf_init(&b, 1 << 20);
	T_EQ_INT(tq_tags_json(t, &b, &e), 0, "json");
	snprintf(want, sizeof(want), "{\"tagValues\":[{\"type\":\"string\","
	    "\"value\":\"say \\\"hi\\\"\\n\"}],\"metrics\":{\"inspectedBytes\":"
	    "\"%llu\"}}", (unsigned long long)tq_tags_inspected_bytes(t));
	T_EQ_STR((const char *)b.data, want, "v2 values reply, escaped");
	tq_buf_release(&b);
	tq_tags_free(t);

	T_EQ_INT(tq_tags_new_values("kind", 0, &t, &e), 0, "kind");
	T_OK(!tq_tags_needs_data(t), "kind needs no block");
	tq_buf_init(&b, 1 << 20);
	T_EQ_INT(tq_tags_json_v1(t, &b, &e), 0, "json v1");
	T_EQ_STR((const char *)b.data, "{\"tagValues\":[\"client\",\"server\","
	    "\"producer\",\"consumer\",\"internal\",\"unspecified\"],"
	    "\"metrics\":{\"inspectedBytes\":\"0\"}}", "v1 values reply");
	tq_buf_release(&b);
	tq_tags_free(t);
}

/* query_values: the values of ident in spans matching query. */
static const char *
query_values(const char *ident, const char *query)
{
	const struct tq_tags_item *it;
	struct tq_tags *t;
	struct tq_err e;
	const char *s;
	size_t n;

	if (tq_tags_new_values(ident, 0, &t, &e) != 0)
		return "(error)";
	if (tq_tags_query(t, st, "t", 0, 0, query, &e) != 0) {
		printf("# %s: %s\n", query, e.msg);
		tq_tags_free(t);
		return "(error)";
	}
	n = tq_tags_values(t, &it);
	s = joined(it, n, 1);
	tq_tags_free(t);
	return s;
}

static void
check_query(void)
{
	struct tq_tags *t;
	struct tq_err e;

	T_EQ_STR(query_values("span.rpc.method", "{ resource.service.name = "
	    "\"shop\" }"), "string:Get", "a dedicated column, filtered");
	T_EQ_STR(query_values("span.rpc.method", "{ resource.service.name = "
	    "\"late\" }"), "", "no match, no values");
	T_EQ_STR(query_values("span.greeting", "{ name = \"child\" }"),
	    "string:hi", "a generic attribute of matching spans");
	T_EQ_STR(query_values(".n", "{ resource.service.name = \"cart\" }"),
	    "int:10,int:42", "ints of one service's spans");
	T_EQ_STR(query_values("name", "{ span.http.method = \"GET\" }"),
	    "string:root", "names of matching spans only");
	T_EQ_STR(query_values("resource.service.name", "{ name = \"child\" }"),
	    "string:cart,string:shop",
	    "service names of matching spans");
	T_EQ_STR(query_values("rootServiceName", "{ name = \"later\" }"),
	    "string:late", "root services of matching traces");
	T_EQ_STR(query_values("status", "{ name = \"later\" }"),
	    "keyword:ok,keyword:error,keyword:unset", "fixed answers stay");
	T_EQ_INT(tq_tags_new_values("name", 0, &t, &e), 0, "name");
	T_EQ_INT(tq_tags_query(t, st, "t", 0, 0, "{ nope }", &e), TQ_ESYNTAX,
	    "a bad query");
	T_OK(strncmp(e.msg, "query: 1:3:", 11) == 0, "says where");
	T_EQ_INT(tq_tags_query(t, st, "t", 0, 0, "{ } | rate()", &e),
	    TQ_EINVAL, "a metrics query");
	tq_tags_free(t);
	T_EQ_INT(tq_tags_new(TQ_TAGS_ALL, 0, &t, &e), 0, "names");
	T_EQ_INT(tq_tags_query(t, st, "t", 0, 0, "{ }", &e), TQ_EINVAL,
	    "names are not filtered");
	tq_tags_free(t);
}

/* The bounded set: many values, in any order, keep the first ones. */
static void
check_set(void)
{
	const struct tq_tags_item *it;
	struct tq_tags *t, *u;
	struct tq_err e;
	char buf[32];
	size_t n;
	int i, k;

	T_EQ_INT(tq_tags_new_values("span.x", 3, &t, &e), 0, "values of x");
	for (k = 0; k < 3; k++)		/* duplicates after the trims */
		for (i = 40; i >= 1; i--) {
			snprintf(buf, sizeof(buf), "%d", (i * 7) % 41);
			if (tq_tags_add(t, TQ_TAGS_INT, buf, strlen(buf),
			    &e) != 0)
				printf("# add: %s\n", e.msg);
		}
	n = tq_tags_values(t, &it);
	T_EQ_STR(joined(it, n, 1), "int:1,int:2,int:3", "the three smallest");
	T_OK(tq_tags_truncated(t), "the limit cut values");
	T_EQ_INT(tq_tags_add(t, TQ_TAGS_STRING, "", 0, &e), 0, "empty ignored");
	T_EQ_INT(tq_tags_add(t, 99, "x", 1, &e), TQ_EINVAL, "bad type");

	T_EQ_INT(tq_tags_new_values("span.x", 3, &u, &e), 0, "another");
	T_EQ_INT(tq_tags_add(u, TQ_TAGS_STRING, "b", 1, &e), 0, "add b");
	T_EQ_INT(tq_tags_add(u, TQ_TAGS_INT, "0", 1, &e), 0, "add 0");
	T_EQ_INT(tq_tags_merge(t, u, &e), 0, "merged");
	n = tq_tags_values(t, &it);
	T_EQ_STR(joined(it, n, 1), "string:b,int:0,int:1",
	    "strings sort before ints");
	tq_tags_free(u);
	T_EQ_INT(tq_tags_new(TQ_TAGS_ALL, 3, &u, &e), 0, "names");
	T_EQ_INT(tq_tags_merge(t, u, &e), TQ_EINVAL, "names into values");
	T_EQ_INT(tq_tags_add(u, TQ_TAGS_STRING, "x", 1, &e), TQ_EINVAL,
	    "values into names");
	tq_tags_free(u);
	tq_tags_free(t);
}

static void
check_errors(void)
{
	static const char *const bad[] = {
		"", "foo", "span.x = 1", "parent.span.x", "{ span.x }",
		"span.x } || { span.y", "1", "count()", "span.",
	};
	struct tq_tags *t;
	struct tq_err e;
	unsigned mask;
	size_t i;
	char cmd[300];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = NULL;
		T_EQ_INT(tq_tags_new_values(bad[i], 0, &t, &e), TQ_EINVAL,
		    bad[i]);
		T_OK(t == NULL && strncmp(e.msg, "please provide a valid "
		    "tagName: ", 32) == 0, "Tempo's message");
	}
	T_EQ_INT(tq_tags_new_values("span.x", TQ_TAGS_MAX_LIMIT + 1, &t, &e),
	    TQ_EINVAL, "limit too large");
	T_EQ_INT(tq_tags_scopes("bogus", &mask, &e), TQ_EINVAL, "bad scope");
	T_EQ_STR(e.msg, "invalid scope: bogus", "Tempo's scope message");
	T_EQ_INT(tq_tags_scopes("", &mask, &e), 0, "empty scope");
	T_EQ_INT(mask, TQ_TAGS_ALL, "is every scope");
	T_EQ_INT(tq_tags_scopes("instrumentation", &mask, &e), 0, "one scope");
	T_EQ_INT(mask, 1u << TQ_TAGS_INSTRUMENTATION, "its bit");
	T_EQ_INT(tq_tags_new(0, 0, &t, &e), TQ_EINVAL, "no scope");

	/* A cut data.parquet is an error naming it, not a crash. */
	snprintf(cmd, sizeof(cmd), "truncate -s 100 %s/t/%s/data.parquet",
	    dir, meta_a.block_id);
	T_EQ_INT(system(cmd), 0, "data.parquet cut");
	T_EQ_INT(tq_tags_new(TQ_TAGS_ALL, 0, &t, &e), 0, "names");
	T_OK(tq_tags_scan(t, st, "t", 0, 0, &e) != 0, "scan fails");
	T_OK(strstr(e.msg, meta_a.block_id) != NULL, "naming the block");
	tq_tags_free(t);
}

int
main(void)
{
	char cmd[300];

	T_EQ_STR(tq_tags_scope_name(TQ_TAGS_INSTRUMENTATION), "instrumentation",
	    "scope names");
	T_EQ_STR(tq_tags_type_name(TQ_TAGS_KEYWORD), "keyword", "type names");
	T_EQ_STR(tq_tags_scope_name(99), "?", "unknown scope");
	make_store();
	check_names();
	check_values();
	check_json_values();
	check_query();
	check_set();
	check_errors();
	tq_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
