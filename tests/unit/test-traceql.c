/*
 * test-traceql.c: unit tests of the TraceQL front end (lib/traceql):
 * literal values as the lexer reads them, precedence and folding as the
 * tree shows them, the three kinds of rejection with their positions,
 * print round trips over the whole valid corpus, mutated queries that
 * must never crash, limits, and compiled queries shared by threads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "t.h"
#include "traceql.h"

/* dump returns the tree of q as text (static buffer), or the error. */
static const char *
dump(const char *q)
{
	static char out[8192];
	struct tq_ql_query *qq;
	struct tq_buf b;
	struct tq_err e;
	int rc;

	if ((rc = tq_ql_parse(q, strlen(q), &qq, &e)) != 0) {
		snprintf(out, sizeof(out), "error %d: %s", rc, e.msg);
		return out;
	}
	tq_buf_init(&b, 1 << 20);
	if (tq_ql_dump(qq, &b, &e) != 0)
		snprintf(out, sizeof(out), "dump failed");
	else
		snprintf(out, sizeof(out), "%s", (char *)b.data);
	tq_buf_release(&b);
	tq_ql_free(qq);
	return out;
}

/* printed returns print(parse(q)) (static buffer), or the error. */
static const char *
printed(const char *q)
{
	static char out[8192];
	struct tq_ql_query *qq;
	struct tq_buf b;
	struct tq_err e;

	if (tq_ql_parse(q, strlen(q), &qq, &e) != 0) {
		snprintf(out, sizeof(out), "error: %s", e.msg);
		return out;
	}
	tq_buf_init(&b, 1 << 20);
	if (tq_ql_print(qq, &b, &e) != 0)
		snprintf(out, sizeof(out), "print failed");
	else
		snprintf(out, sizeof(out), "%s", (char *)b.data);
	tq_buf_release(&b);
	tq_ql_free(qq);
	return out;
}

/* verdict compiles q and returns the code; the message goes to msg. */
static int
verdict(const char *q, char *msg, size_t n)
{
	struct tq_ql_query *qq = NULL;
	struct tq_err e;
	int rc;

	tq_err_clear(&e);
	rc = tq_ql_compile(q, strlen(q), &qq, &e);
	snprintf(msg, n, "%s", e.msg);
	tq_ql_free(qq);
	return rc;
}

static void
test_literals(void)
{
	static const struct {
		const char *q, *want;
	} cases[] = {
		{ "{ .a = 1ns }", "(duration 1)" },
		{ "{ .a = 1us }", "(duration 1000)" },
		{ "{ .a = 1\xc2\xb5s }", "(duration 1000)" },
		{ "{ .a = 1ms }", "(duration 1000000)" },
		{ "{ .a = 1s }", "(duration 1000000000)" },
		{ "{ .a = 1m }", "(duration 60000000000)" },
		{ "{ .a = 1h }", "(duration 3600000000000)" },
		{ "{ .a = 1d }", "(duration 86400000000000)" },
		{ "{ .a = 1w }", "(duration 604800000000000)" },
		{ "{ .a = 1y }", "(duration 31536000000000000)" },
		{ "{ .a = 1h30m }", "(duration 5400000000000)" },
		{ "{ .a = 1.5s }", "(duration 1500000000)" },
		{ "{ .a = 1m1.5s }", "(duration 61500000000)" },
		{ "{ .a = 2s500ms }", "(duration 2500000000)" },
		{ "{ .a = -5s }", "(duration -5000000000)" },
		{ "{ .a = 42 }", "(int 42)" },
		{ "{ .a = -42 }", "(int -42)" },
		{ "{ .a = 1.5 }", "(float 0x1.8p+0)" },
		{ "{ .a = .25 }", "(float 0x1p-2)" },
		{ "{ .a = 1e3 }", "(float 0x1.f4p+9)" },
		{ "{ .a = minInt }", "(int -9223372036854775808)" },
		{ "{ .a = maxInt }", "(int 9223372036854775807)" },
		{ "{ .a = \"\\x41\\101\\u00e9\\t\\\"\" }", "(string \"AA\xc3\xa9\\t\\\"\")" },
		{ "{ .a = `a\\nb` }", "(string \"a\\\\nb\")" },
		{ "{ .a = ok }", "(status 1)" },
		{ "{ .a = error }", "(status 0)" },
		{ "{ .a = unset }", "(status 2)" },
		{ "{ .a = unspecified }", "(kind 0)" },
		{ "{ .a = internal }", "(kind 1)" },
		{ "{ .a = client }", "(kind 2)" },
		{ "{ .a = server }", "(kind 3)" },
		{ "{ .a = producer }", "(kind 4)" },
		{ "{ .a = consumer }", "(kind 5)" },
		{ "{ .a = true }", "(bool 1)" },
		{ "{ .a = false }", "(bool 0)" },
	};
	size_t i;
	char name[200];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "literal %s", cases[i].q);
		T_OK(strstr(dump(cases[i].q), cases[i].want) != NULL, name);
		if (strstr(dump(cases[i].q), cases[i].want) == NULL)
			printf("#   %s\n#   want %s\n", dump(cases[i].q), cases[i].want);
	}
}

static void
test_trees(void)
{
	static const struct {
		const char *q, *want;
	} cases[] = {
		/* Precedence: ^ right, unary minus tightest, ! looser than *. */
		{ "{ .a + .b * .c }", "(filter (+ (attr any \"a\") (* (attr any \"b\") (attr any \"c\"))))" },
		{ "{ .a ^ .b ^ .c }", "(filter (^ (attr any \"a\") (^ (attr any \"b\") (attr any \"c\"))))" },
		{ "{ .a - .b - .c }", "(filter (- (- (attr any \"a\") (attr any \"b\")) (attr any \"c\")))" },
		{ "{ -.a ^ 2 }", "(filter (^ (- (attr any \"a\")) (int 2)))" },
		{ "{ !.a * .b }", "(filter (! (* (attr any \"a\") (attr any \"b\"))))" },
		{ "{ !.a + .b }", "(filter (+ (! (attr any \"a\")) (attr any \"b\")))" },
		{ "{ .a && .b || .c }", "(filter (|| (&& (attr any \"a\") (attr any \"b\")) (attr any \"c\")))" },
		{ "{ .a || .b && .c }", "(filter (&& (|| (attr any \"a\") (attr any \"b\")) (attr any \"c\")))" },
		{ "{ .a = 1 && .b }", "(filter (&& (= (attr any \"a\") (int 1)) (attr any \"b\")))" },
		/* Folding as Tempo does: ints truncate, durations stay durations. */
		{ "{ .a = 7 / 2 }", "(int 3)" },
		{ "{ .a = 7.0 / 2 }", "(float 0x1.cp+1)" },
		{ "{ .a = 2 ^ 10 }", "(int 1024)" },
		{ "{ .a = 1s * 3 }", "(duration 3000000000)" },
		{ "{ .a = 1 / 0 }", "(/ (int 1) (int 0))" },
		{ "{ .a = 9223372036854775807 + 1 }", "(int -9223372036854775808)" },
		{ "{ .a = minInt / -1 }", "(int -9223372036854775808)" },
		{ "{ .a = minInt % -1 }", "(int 0)" },
		{ "{ .a = 1.5 * 1s }", "(duration 1500000000)" },
		{ "{ .a = 1s / 0.0 }", "(/ (duration 1000000000) (float 0x0p+0))" },
		{ "{ .a = 2 ^ -1 }", "(^ (int 2) (int -1))" },
		{ "{ .a = 2.0 ^ -1 }", "(float 0x1p-1)" },
		{ "{ .a = 7 % 3 }", "(int 1)" },
		{ "{ .a = 7.5 % 2 }", "(float 0x1.8p+0)" },
		{ "{ .a = 1e-400 }", "(float 0x0p+0)" },
		/* nil becomes existence tests, nil = nil is false. */
		{ "{ .a = nil }", "(filter (= nil (attr any \"a\")))" },
		{ "{ nil != span.a }", "(filter (!= nil (attr span \"a\")))" },
		{ "{ nil = nil }", "(filter (bool 0))" },
		/* Scopes and intrinsics. */
		{ "{ parent.span.a }", "(attr parent.span \"a\")" },
		{ "{ parent.resource.a }", "(attr parent.resource \"a\")" },
		{ "{ parent.a }", "(attr parent.any \"a\")" },
		{ "{ span.\"a b\".\"c\" }", "(attr span \"a b.c\")" },
		{ "{ .\"\\\"q\\\\\" }", "(attr any \"\\\"q\\\\\")" },
		{ "{ trace:rootService = span:duration }", "(= (intrinsic rootServiceName) (intrinsic duration))" },
		{ "{ event:name = link:spanID }", "(= (intrinsic event:name) (intrinsic link:spanID))" },
		/* Spanset operators: && || below the structural ones. */
		{ "{ } && { } > { }", "(spanset && (filter) (spanset > (filter) (filter)))" },
		{ "{ } > { } && { }", "(spanset && (spanset > (filter) (filter)) (filter))" },
		{ "{ } !~ { }", "(spanset !~ (filter) (filter))" },
		{ "{ } &<< { }", "(spanset &<< (filter) (filter))" },
		/* Pipelines and metrics. */
		{ "{ } | by(.a) | coalesce()", "(pipeline (filter) (by (attr any \"a\")) (coalesce))" },
		{ "count() > 1", "(query spansets (pipeline (scalar-filter > (count) (int 1))))" },
		{ "({ } | count()) > 1", "(pipeline (scalar-filter > (pipeline (filter) (count)) (int 1)))" },
		{ "{ } | quantile_over_time(duration, .5, .99) by (name, .x)",
		  "(quantile_over_time (q 0x1p-1) (q 0x1.fae147ae147aep-1) (intrinsic duration) (intrinsic name) (attr any \"x\"))" },
		{ "{ } | compare({ .a }, 3, 10, 20)",
		  "(compare (filter (attr any \"a\")) (args 3 3 10 20))" },
		{ "({ } | rate() | topk(2)) > 1",
		  "(stages (metrics-pipeline (pipeline (filter)) (rate)) (topk 2) (points > (int 1)))" },
		{ "2 * ({ } | rate())", "(metrics * (int 2) (metrics-pipeline" },
	};
	size_t i;
	char name[300];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *d = dump(cases[i].q);

		snprintf(name, sizeof(name), "tree of %s", cases[i].q);
		T_OK(strstr(d, cases[i].want) != NULL, name);
		if (strstr(d, cases[i].want) == NULL)
			printf("#   got  %s\n#   want %s\n", d, cases[i].want);
	}
}

static void
test_rejections(void)
{
	static const struct {
		const char *q;
		int code;
		const char *msg;
	} cases[] = {
		{ "", TQ_ESYNTAX, "1:1: syntax error: empty query" },
		{ "{ .a = 1 }\n  | count(", TQ_ESYNTAX,
		  "2:11: syntax error: unexpected end of query, expecting \")\"" },
		{ "{ .a = 0x1f }", TQ_ESYNTAX, "1:8: syntax error: invalid number or duration 0x1f" },
		{ "{ .a = 'x' }", TQ_ESYNTAX, "1:8: syntax error: character literals are not supported" },
		{ "{\n\n   .a = \"\\q\" }", TQ_ESYNTAX, "3:10: syntax error: unknown escape sequence \\q in string" },
		{ "{ trace:name = 1 }", TQ_ESYNTAX, "1:3: syntax error: unknown intrinsic trace:name" },
		{ "coalesce() | { }", TQ_ESYNTAX, "1:12: syntax error: a pipeline cannot start with coalesce()" },
		{ "{ } | rate() | { }", TQ_ESYNTAX, "only topk() or bottomk() may follow a metrics function" },
		{ "{ } | rate() * 2", TQ_ESYNTAX, "1:14: syntax error: unexpected \"*\": wrap metrics pipelines" },
		{ "({ } | rate()) * 5s", TQ_ESYNTAX, "a duration cannot be combined with a metrics expression" },
		{ "{ .a } | topk(1)", TQ_ESYNTAX, "topk() must follow a metrics function" },
		{ "{ 1 + \"a\" = 1 }", TQ_EINVAL, "1:3: binary operations must operate on the same type: 1 + \"a\"" },
		{ "{ 1 }", TQ_EINVAL, "1:3: span filter field expressions must resolve to a boolean: 1" },
		{ "{ } | avg(name) > 1", TQ_EINVAL, "aggregate field expressions must resolve to a number type: name" },
		{ "{ } | sum(3) > 1", TQ_EINVAL, "aggregate field expressions must reference the span: 3" },
		{ "{ } | by(\"x\")", TQ_EINVAL, "grouping field expressions must reference the span: \"x\"" },
		{ "{ kind = nil }", TQ_EINVAL, "kind=nil is not valid because intrinsics cannot be nil" },
		{ "{ .a =~ \"(?=x)\" }", TQ_EINVAL, "invalid regex (lookaround is not supported)" },
		{ "{ } | rate() | topk(0)", TQ_EINVAL, "topk and bottomk need a limit of at least 1" },
		{ "{ } | quantile_over_time(duration, 2)", TQ_EINVAL, "quantile 2 is not between 0 and 1" },
		{ "{ parent.a }", TQ_EUNSUPPORTED, "1:3: the parent scope is not supported: parent.a" },
		{ "{ 1 < parent }", TQ_EUNSUPPORTED, "1:7: the parent intrinsic is not supported" },
		{ "sum(3) = min(14)", TQ_EINVAL, "aggregate field expressions must reference the span" },
		{ "min(.a) = max(.b)", TQ_EUNSUPPORTED, "comparing an aggregate with an aggregate" },
	};
	size_t i;
	char msg[600], name[300];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = verdict(cases[i].q, msg, sizeof(msg));

		snprintf(name, sizeof(name), "rejects %s", cases[i].q);
		name[strcspn(name, "\n")] = '\0';
		T_EQ_INT(rc, cases[i].code, name);
		T_OK(strstr(msg, cases[i].msg) != NULL, cases[i].msg);
		if (strstr(msg, cases[i].msg) == NULL)
			printf("#   got %s\n", msg);
	}
}

static void
test_printing(void)
{
	static const struct {
		const char *q, *want;
	} cases[] = {
		{ "{.a=1}", "{ .a = 1 }" },
		{ "{}|rate()by(name)|topk(5)>2", "{ } | rate() by (name) | topk(5) > 2" },
		{ "{ .a = 1.0 }", "{ .a = 1.0 }" },
		{ "{ .a = 0.1 }", "{ .a = 0.1 }" },
		{ "{ .a = 1e300 }", "{ .a = 1e+300 }" },
		{ "{ .a = 90s }", "{ .a = 90s }" },
		{ "{ .a = 120s }", "{ .a = 2m }" },
		{ "{ .a = 1500us }", "{ .a = 1500us }" },
		{ "{ .a = -9223372036854775807ns - 1ns }", "{ .a = -9223372036854775807ns - 1ns }" },
		{ "{ .a = !!.b * 2 }", "{ .a = !!.b * 2 }" },
		{ "{ .a = (!.b) * 2 }", "{ .a = (!.b) * 2 }" },
		{ "{ .a = -(!.b) * 2 }", "{ .a = -(!.b) * 2 }" },
		{ "{ .a * !.b }", "{ .a * !.b }" },
		{ "{ (.a * !.b) * .c }", "{ .a * (!.b) * .c }" },
		{ "{ !.a = nil }", "{ !.a = nil }" },
		{ "{ !-5 }", "{ !-5 }" },
		{ "{ .a = 9223372036854775807 + 1 }", "{ .a = minInt }" },
		{ "{ span.\"a=b\" = \"\\x01\" }", "{ span.\"a=b\" = \"\\x01\" }" },
		{ "{ .\"5x\" = 1 }", "{ .\"5x\" = 1 }" },
		{ "{ (.a - .b) - (.c - .d) = 0 }", "{ .a - .b - (.c - .d) = 0 }" },
		{ "{ !(!.a) }", "{ !!.a }" },
		{ "{ -(-.a) = 1 }", "{ --.a = 1 }" },
		{ "{ (.a = nil) = true }", "{ .a = nil = true }" },
		{ "({ .a })", "{ .a }" },
		{ "({ .a } | { .b })", "{ .a } | { .b }" },
		{ "({ .a } | { .b }) && ({ .c } && { .d })", "({ .a } | { .b }) && ({ .c } && { .d })" },
		{ "({ } | rate()) + ({ } | rate()) * 2", "({ } | rate()) + ({ } | rate()) * 2" },
		{ "(({ } | rate()) + ({ } | rate())) * 2", "(({ } | rate()) + ({ } | rate())) * 2" },
		{ "{ } | count() > 1 with ( a = 1 , b = \"x\" )", "{ } | count() > 1 with(a=1, b=\"x\")" },
	};
	size_t i;
	char name[300];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "print %s", cases[i].q);
		T_EQ_STR(printed(cases[i].q), cases[i].want, name);
	}
}

/*
 * round_trip checks print(parse(q)) parses to the same tree and prints the
 * same; returns 1 when q does not parse, 0 when all holds, -1 otherwise.
 */
static int
round_trip(const char *q, size_t len)
{
	struct tq_ql_query *a = NULL, *b = NULL;
	struct tq_buf pa, pb, da, db;
	struct tq_err e;
	int rc = -1;

	tq_buf_init(&pa, 1u << 26);
	tq_buf_init(&pb, 1u << 26);
	tq_buf_init(&da, 1u << 26);
	tq_buf_init(&db, 1u << 26);
	if (tq_ql_parse(q, len, &a, &e) != 0) {
		rc = 1;
		goto out;
	}
	if (tq_ql_print(a, &pa, &e) != 0 || tq_ql_dump(a, &da, &e) != 0)
		goto out;
	if (tq_ql_parse((char *)pa.data, pa.len, &b, &e) != 0) {
		printf("#   %.*s printed as %s: %s\n", (int)len, q,
		    (char *)pa.data, e.msg);
		goto out;
	}
	if (tq_ql_print(b, &pb, &e) != 0 || tq_ql_dump(b, &db, &e) != 0)
		goto out;
	if (pa.len != pb.len || memcmp(pa.data, pb.data, pa.len) != 0 ||
	    da.len != db.len || memcmp(da.data, db.data, da.len) != 0) {
		printf("#   %.*s\n#   %s\n#   %s\n", (int)len, q,
		    (char *)da.data, (char *)db.data);
		goto out;
	}
	/* Validation gives the same verdict on both. */
	rc = tq_ql_validate(a, &e) == tq_ql_validate(b, &e) ? 0 : -1;
out:
	tq_ql_free(a);
	tq_ql_free(b);
	tq_buf_release(&pa);
	tq_buf_release(&pb);
	tq_buf_release(&da);
	tq_buf_release(&db);
	return rc;
}

/* corpus reads the queries of tests/traceql/NAME.txt into lines. */
static size_t
corpus(const char *name, char lines[][512], size_t max)
{
	char path[512], buf[4096];
	const char *top = getenv("TQ_TOP");
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/tests/traceql/%s.txt",
	    top != NULL ? top : ".", name);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (n < max && fgets(buf, sizeof(buf), f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		snprintf(lines[n++], 512, "%s", buf);
	}
	fclose(f);
	return n;
}

static char valid[2000][512];
static size_t nvalid;

static void
test_corpus(void)
{
	static const struct {
		const char *file;
		int code;
	} files[] = {
		{ "valid", 0 }, { "parse-error", TQ_ESYNTAX },
		{ "invalid", TQ_EINVAL }, { "unsupported", TQ_EUNSUPPORTED },
	};
	static char lines[2000][512];
	char msg[600], name[100];
	size_t i, k, n, bad;

	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		n = corpus(files[k].file, lines, 2000);
		snprintf(name, sizeof(name), "corpus %s.txt has queries", files[k].file);
		T_OK(n > 10, name);
		for (bad = 0, i = 0; i < n; i++)
			if (verdict(lines[i], msg, sizeof(msg)) != files[k].code) {
				printf("#   %s: %s\n", lines[i], msg);
				bad++;
			}
		snprintf(name, sizeof(name), "every query of %s.txt", files[k].file);
		T_EQ_INT(bad, 0, name);
	}
	nvalid = corpus("valid", valid, 2000);
	for (bad = 0, i = 0; i < nvalid; i++)
		if (round_trip(valid[i], strlen(valid[i])) != 0)
			bad++;
	T_EQ_INT(bad, 0, "print round trip of every valid query");
}

/* A small deterministic generator for mutations. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
test_mutations(void)
{
	static const char *const pieces[] = {
		"{", "}", "(", ")", "|", "&&", "||", ">>", "!~", "&>", "=", "!=",
		"=~", "-", "!", "^", "*", "nil", "1s", "0.5", "\"x\"", ".a",
		"span.", "count()", "rate()", "by(", "with(", ",", "topk(1)",
		"`", "\"", "/*", "//", "\\", " ", "\n", "9223372036854775808",
	};
	char q[1024];
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t i, len, bad = 0, parsed = 0;

	if (nvalid == 0)
		return;
	for (i = 0; i < 20000; i++) {
		const char *base = valid[rnd(&s) % nvalid];
		size_t at, cut;
		const char *ins = pieces[rnd(&s) % (sizeof(pieces) / sizeof(pieces[0]))];

		len = strlen(base);
		at = rnd(&s) % (len + 1);
		cut = rnd(&s) % 3;
		if (at + cut > len)
			cut = len - at;
		snprintf(q, sizeof(q), "%.*s%s%s", (int)at, base, ins,
		    base + at + cut);
		switch (round_trip(q, strlen(q))) {
		case 0: parsed++; break;
		case 1: break;
		default: bad++;
		}
	}
	T_OK(parsed > 1000, "some mutated queries still parse");
	T_EQ_INT(bad, 0, "mutated queries that parse print back to the same tree");
}

static void
test_limits(void)
{
	char *q;
	char msg[600];
	size_t i, n;

	n = TQ_QL_MAX_QUERY + 10;
	q = malloc(n + 1);
	memset(q, ' ', n);
	q[0] = '{';
	q[n - 1] = '}';
	q[n] = '\0';
	T_EQ_INT(verdict(q, msg, sizeof(msg)), TQ_ELIMIT, "a query over the limit");
	free(q);

	/* Deep nesting of every recursive construct is a parse error. */
	{
		static const struct {
			const char *prefix, *rep;
		} nest[] = {
			{ "", "(" }, { "{ ", "(" }, { "{ ", "!" }, { "{ ", "-" },
			{ "{ ", ".a ^ " }, { "", "-" }, { "{ } | count() > ", "(" },
			{ "{ } | by(", "(" },
		};

		for (i = 0; i < sizeof(nest) / sizeof(nest[0]); i++) {
			size_t k, p = strlen(nest[i].prefix), o = strlen(nest[i].rep);

			q = malloc(p + o * 5000 + 16);
			memcpy(q, nest[i].prefix, p);
			for (k = 0; k < 5000; k++)
				memcpy(q + p + k * o, nest[i].rep, o);
			memcpy(q + p + k * o, ".a", 3);
			T_EQ_INT(verdict(q, msg, sizeof(msg)), TQ_ESYNTAX, nest[i].rep);
			T_OK(strstr(msg, "nesting too deep") != NULL, "says nesting too deep");
			if (strstr(msg, "nesting too deep") == NULL)
				printf("#   %s\n", msg);
			free(q);
		}
	}
	/* A very long || chain is too high a tree, not a stack overflow. */
	q = malloc(20 * 10000 + 16);
	strcpy(q, "{ .a = 0");
	for (i = 1, n = strlen(q); i < 10000; i++)
		n += (size_t)sprintf(q + n, " || .a = %zu", i);
	strcpy(q + n, " }");
	T_EQ_INT(verdict(q, msg, sizeof(msg)), TQ_ESYNTAX, "10000-term || chain");
	T_OK(strstr(msg, "nesting too deep") != NULL, "too high a tree");
	free(q);
	/* Long pipelines are arrays, not deep trees. */
	q = malloc(10 * 20000 + 16);
	strcpy(q, "{ }");
	for (i = 1, n = 3; i < 20000; i++)
		n += (size_t)sprintf(q + n, " | { .a }");
	T_EQ_INT(verdict(q, msg, sizeof(msg)), 0, "a 20000-stage pipeline");
	free(q);
	/* The longest query allowed, as many tokens as it can hold. */
	q = malloc(TQ_QL_MAX_QUERY + 1);
	strcpy(q, "{ }");
	for (n = 3; n + 6 <= TQ_QL_MAX_QUERY; n += 6)
		memcpy(q + n, " | { }", 6);
	q[n] = '\0';
	T_EQ_INT(verdict(q, msg, sizeof(msg)), 0, "a 1 MiB pipeline of { }");
	free(q);
}

struct shared {
	const struct tq_ql_query *q;
	const char		 *want;
	int			  ok;
};

static void *
worker(void *arg)
{
	struct shared *s = arg;
	struct tq_ql_query *mine;
	struct tq_err e;
	struct tq_buf b;
	int i;

	s->ok = 1;
	for (i = 0; i < 200; i++) {
		tq_buf_init(&b, 1 << 20);
		if (tq_ql_print(s->q, &b, &e) != 0 ||
		    strcmp((char *)b.data, s->want) != 0 ||
		    tq_ql_validate(s->q, &e) != 0)
			s->ok = 0;
		if (tq_ql_compile((char *)b.data, b.len, &mine, &e) != 0)
			s->ok = 0;
		else
			tq_ql_free(mine);
		tq_buf_release(&b);
	}
	return NULL;
}

static char *tall_query;
static int tall_ok;

/*
 * The stack the deepest trees must fit in: 512 KiB, and four times that
 * under AddressSanitizer, whose red zones make every frame larger.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#ifdef ASAN_BUILD
#define TALL_STACK	(4 * 512 * 1024)
#else
#define TALL_STACK	(512 * 1024)
#endif

/* tall compiles, prints and dumps tall_query (run on a small stack). */
static void *
tall(void *arg)
{
	struct tq_ql_query *q;
	struct tq_err e;
	struct tq_buf b;

	(void)arg;
	if (tq_ql_compile(tall_query, strlen(tall_query), &q, &e) != 0) {
		printf("#   %s\n", e.msg);
		return NULL;
	}
	tq_buf_init(&b, 1 << 26);
	tall_ok = tq_ql_print(q, &b, &e) == 0 && tq_ql_dump(q, &b, &e) == 0;
	tq_buf_release(&b);
	tq_ql_free(q);
	return NULL;
}

static void
test_stack(void)
{
	pthread_attr_t attr;
	pthread_t t;
	size_t i, n;

	/* A tree of nearly TQ_QL_MAX_HEIGHT levels, on a small stack. */
	tall_query = malloc(40 * TQ_QL_MAX_HEIGHT);
	strcpy(tall_query, "{ .a = 0");
	for (i = 1, n = strlen(tall_query); i < TQ_QL_MAX_HEIGHT - 10; i++)
		n += (size_t)sprintf(tall_query + n, " || .a =~ \"x\"");
	strcpy(tall_query + n, " }");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, TALL_STACK);
	pthread_create(&t, &attr, tall, NULL);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	T_OK(tall_ok, "the tallest tree compiles, prints and dumps in 512 KiB "
	    "of stack (2 MiB under ASan)");
	free(tall_query);

	/* The deepest nesting, at the query level and in a field expression. */
	tall_query = malloc(8 * TQ_QL_MAX_DEPTH + 64);
	for (i = 0, n = 0; i < (TQ_QL_MAX_DEPTH - 2) / 3; i++)
		n += (size_t)sprintf(tall_query + n, "(");
	n += (size_t)sprintf(tall_query + n, "{ ");
	for (i = 0; i < (TQ_QL_MAX_DEPTH - 2) / 3; i++)
		n += (size_t)sprintf(tall_query + n, "(!");
	n += (size_t)sprintf(tall_query + n, ".a");
	for (i = 0; i < (TQ_QL_MAX_DEPTH - 2) / 3; i++)
		n += (size_t)sprintf(tall_query + n, ")");
	n += (size_t)sprintf(tall_query + n, " }");
	for (i = 0; i < (TQ_QL_MAX_DEPTH - 2) / 3; i++)
		n += (size_t)sprintf(tall_query + n, ")");
	tall_ok = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, TALL_STACK);
	pthread_create(&t, &attr, tall, NULL);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	T_OK(tall_ok, "the deepest nesting compiles, prints and dumps in 512 "
	    "KiB of stack (2 MiB under ASan)");
	free(tall_query);
}

static void
test_threads(void)
{
	const char *text = "{ span.http.url =~ \"/api/.*\" && duration > 1s } "
	    "| by(resource.service.name) | count() > 2";
	struct tq_ql_query *q;
	struct tq_err e;
	struct shared s[4];
	pthread_t t[4];
	int i, ok = 1;
	char want[512];

	T_EQ_INT(tq_ql_compile(text, strlen(text), &q, &e), 0, "compile shared query");
	snprintf(want, sizeof(want), "%s", printed(text));
	for (i = 0; i < 4; i++) {
		s[i].q = q;
		s[i].want = want;
		pthread_create(&t[i], NULL, worker, &s[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ok &= s[i].ok;
	}
	T_OK(ok, "4 threads print, validate and compile at once");
	tq_ql_free(q);
}

static void
test_api(void)
{
	struct tq_ql_query *q = (struct tq_ql_query *)1;
	struct tq_err e;

	T_EQ_INT(tq_ql_parse("{ ", 2, &q, &e), TQ_ESYNTAX, "parse error");
	T_OK(q == (struct tq_ql_query *)1, "*out untouched on failure");
	T_EQ_INT(tq_ql_compile("{ 1 }", 5, &q, &e), TQ_EINVAL, "compile invalid");
	T_OK(q == (struct tq_ql_query *)1, "*out untouched on invalid");
	T_EQ_INT(tq_ql_parse("{ .a } garbage", 6, &q, NULL), 0,
	    "len bounds the text; err may be NULL");
	T_EQ_INT(q->result, TQ_QL_RESULT_SPANSETS, "search query");
	tq_ql_free(q);
	T_EQ_INT(tq_ql_parse("{ } | rate()", 12, &q, &e), 0, "metrics query");
	T_EQ_INT(q->result, TQ_QL_RESULT_METRICS, "metrics result");
	T_EQ_INT(q->root->kind, TQ_QL_METRICS_PIPELINE, "root kind");
	tq_ql_free(q);
	tq_ql_free(NULL);
	T_EQ_INT(tq_ql_intrinsic_type(TQ_QL_I_DURATION), TQ_QL_T_DURATION, "duration type");
	T_EQ_INT(tq_ql_intrinsic_type(TQ_QL_I_STATUS), TQ_QL_T_STATUS, "status type");
	T_EQ_INT(tq_ql_intrinsic_type(TQ_QL_I_CHILD_COUNT), TQ_QL_T_INT, "childCount type");
	T_EQ_STR(tq_ql_op_text(TQ_QL_OP_UNION_DESC), "&>>", "op text");
	T_EQ_STR(tq_ql_op_text(TQ_QL_OP_NOT_SIBL), "!~", "op text");
}

int
main(void)
{
	test_literals();
	test_trees();
	test_rejections();
	test_printing();
	test_corpus();
	test_mutations();
	test_limits();
	test_threads();
	test_stack();
	test_api();
	return t_done();
}
