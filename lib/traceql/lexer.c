/*
 * lexer.c: TraceQL's tokens, following Tempo's lexer (Go text/scanner in
 * GoTokens mode plus TraceQL's own rules): // and block comments, Go
 * string escapes and raw strings, decimal integers, floats, durations in
 * Prometheus and Go syntax, attribute names that run to the next
 * delimiter with "quoted" segments, and scoped intrinsics (span:id).
 *
 * The whole query is split at once into an array of tokens in the
 * query's arena, so the parser can look ahead freely.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otlp.h"
#include "traceql-int.h"

struct lexer {
	const char	*s;
	size_t		 n, pos;
	int		 line;
	size_t		 line_start;
	struct tq_arena	*a;
	struct tq_err	*err;
};

static const struct {
	const char	*text;
	enum tok	 type;
} ops[] = {
	/* Spellings, for messages. */
	{ "!<<", T_NOT_ANCE }, { "!>>", T_NOT_DESC },
	{ "&<<", T_UNION_ANCE }, { "&>>", T_UNION_DESC },
	{ "!=", T_NEQ }, { "!~", T_NRE }, { "!>", T_NOT_CHILD },
	{ "!<", T_NOT_PARENT }, { "=~", T_RE }, { ">=", T_GTE },
	{ "<=", T_LTE }, { ">>", T_DESC }, { "<<", T_ANCE },
	{ "&&", T_AND }, { "||", T_OR }, { "&>", T_UNION_CHILD },
	{ "&<", T_UNION_PARENT }, { "&~", T_UNION_SIBL },
	{ "{", T_LBRACE }, { "}", T_RBRACE }, { "(", T_LPAREN },
	{ ")", T_RPAREN }, { ",", T_COMMA }, { "=", T_EQ }, { ">", T_GT },
	{ "<", T_LT }, { "+", T_ADD }, { "-", T_SUB }, { "*", T_MUL },
	{ "/", T_DIV }, { "%", T_MOD }, { "^", T_POW }, { "!", T_NOT },
	{ "|", T_PIPE }, { "~", T_SIBL },
};

static const struct {
	const char		*scope;
	const char		*name;
	enum tq_ql_intrinsic	 i;
} scoped[] = {
	{ "span", "duration", TQ_QL_I_DURATION },
	{ "span", "name", TQ_QL_I_NAME },
	{ "span", "status", TQ_QL_I_STATUS },
	{ "span", "statusMessage", TQ_QL_I_STATUS_MESSAGE },
	{ "span", "kind", TQ_QL_I_KIND },
	{ "span", "childCount", TQ_QL_I_CHILD_COUNT },
	{ "span", "id", TQ_QL_I_SPAN_ID },
	{ "span", "parentID", TQ_QL_I_PARENT_ID },
	{ "trace", "duration", TQ_QL_I_TRACE_DURATION },
	{ "trace", "rootName", TQ_QL_I_ROOT_NAME },
	{ "trace", "rootService", TQ_QL_I_ROOT_SERVICE },
	{ "trace", "id", TQ_QL_I_TRACE_ID },
	{ "event", "name", TQ_QL_I_EVENT_NAME },
	{ "event", "timeSinceStart", TQ_QL_I_EVENT_TIME_SINCE_START },
	{ "link", "traceID", TQ_QL_I_LINK_TRACE_ID },
	{ "link", "spanID", TQ_QL_I_LINK_SPAN_ID },
	{ "instrumentation", "name", TQ_QL_I_INSTR_NAME },
	{ "instrumentation", "version", TQ_QL_I_INSTR_VERSION },
};

static const struct {
	const char		*word;
	enum tq_ql_scope	 scope;
} scopes[] = {
	{ "span", TQ_QL_SCOPE_SPAN }, { "resource", TQ_QL_SCOPE_RESOURCE },
	{ "event", TQ_QL_SCOPE_EVENT }, { "link", TQ_QL_SCOPE_LINK },
	{ "instrumentation", TQ_QL_SCOPE_INSTRUMENTATION },
};

const char *
tq_ql_tok_text(enum tok t)
{
	size_t i;

	switch (t) {
	case T_EOF: return "end of query";
	case T_INT: return "integer";
	case T_FLOAT: return "float";
	case T_DURATION: return "duration";
	case T_STRING: return "string";
	case T_IDENT: return "identifier";
	case T_ATTR: return "attribute";
	case T_SCOPED_INTRINSIC: return "intrinsic";
	default:
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (ops[i].type == t)
				return ops[i].text;
		return "?";
	}
}

static int	lerr(struct lexer *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
lerr(struct lexer *lx, size_t off, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	size_t i, ls = 0;
	int line = 1;

	for (i = 0; i < off && i < lx->n; i++)
		if (lx->s[i] == '\n') {
			line++;
			ls = i + 1;
		}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tq_err_set(lx->err, TQ_ESYNTAX, "%d:%zu: syntax error: %s", line,
	    off - ls + 1, msg);
}

/* skip passes bytes up to end, counting lines. */
static void
skip(struct lexer *lx, size_t end)
{
	for (; lx->pos < end; lx->pos++)
		if (lx->s[lx->pos] == '\n') {
			lx->line++;
			lx->line_start = lx->pos + 1;
		}
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* skip_blank passes whitespace and comments; TQ_ESYNTAX if one is open. */
static int
skip_blank(struct lexer *lx)
{
	const char *e;

	for (;;) {
		if (lx->pos < lx->n && is_space((unsigned char)lx->s[lx->pos])) {
			skip(lx, lx->pos + 1);
		} else if (lx->pos + 1 < lx->n && lx->s[lx->pos] == '/' &&
		    lx->s[lx->pos + 1] == '/') {
			e = memchr(lx->s + lx->pos, '\n', lx->n - lx->pos);
			skip(lx, e == NULL ? lx->n : (size_t)(e - lx->s));
		} else if (lx->pos + 1 < lx->n && lx->s[lx->pos] == '/' &&
		    lx->s[lx->pos + 1] == '*') {
			size_t i;

			for (i = lx->pos + 2; i + 1 < lx->n; i++)
				if (lx->s[i] == '*' && lx->s[i + 1] == '/')
					break;
			if (i + 1 >= lx->n)
				return lerr(lx, lx->pos, "comment not terminated");
			skip(lx, i + 2);
		} else {
			return 0;
		}
	}
}

/* put_utf8 writes code point cp to p; returns the byte count. */
static size_t
put_utf8(char *p, unsigned long cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* lex_string decodes a "Go string" or `raw string` at lx->pos. */
static int
lex_string(struct lexer *lx, struct token *t)
{
	char q = lx->s[lx->pos], *out;
	size_t i = lx->pos + 1, o = 0, start = lx->pos, end, esc;

	/* Decoded text is never longer than the source up to the quote. */
	for (end = i; end < lx->n && lx->s[end] != q; end++)
		if (lx->s[end] == '\\' && q == '"')
			end++;
	if ((out = tq_arena_alloc(lx->a, end - start + 1)) == NULL)
		return tq_err_set(lx->err, TQ_ENOMEM, "query: out of memory");
	for (;;) {
		int c;

		if (i >= lx->n)
			return lerr(lx, start, "string not terminated");
		c = (unsigned char)lx->s[i];
		if (c == q) {
			i++;
			break;
		}
		if (q == '`') {
			if (c != '\r')	/* Go drops CRs in raw strings */
				out[o++] = (char)c;
			i++;
			continue;
		}
		if (c == '\n')
			return lerr(lx, start, "newline in string");
		if (c != '\\') {
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 >= lx->n)
			return lerr(lx, start, "string not terminated");
		esc = i;
		c = (unsigned char)lx->s[i + 1];
		i += 2;
		switch (c) {
		case 'a': out[o++] = '\a'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'v': out[o++] = '\v'; break;
		case '\\': out[o++] = '\\'; break;
		case '"': out[o++] = '"'; break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			int v = c - '0', k;

			for (k = 0; k < 2; k++, i++) {
				if (i >= lx->n || lx->s[i] < '0' || lx->s[i] > '7')
					return lerr(lx, esc,
					    "invalid octal escape in string");
				v = v * 8 + (lx->s[i] - '0');
			}
			if (v > 255)
				return lerr(lx, esc, "octal escape value > 255");
			out[o++] = (char)v;
			break;
		}
		case 'x': case 'u': case 'U': {
			int k, nd = c == 'x' ? 2 : c == 'u' ? 4 : 8, h;
			unsigned long v = 0;

			for (k = 0; k < nd; k++, i++) {
				if (i >= lx->n ||
				    (h = tq_hex_value((unsigned char)lx->s[i])) < 0)
					return lerr(lx, esc, "invalid escape \\%c in string", c);
				v = v * 16 + (unsigned long)h;
			}
			if (c == 'x') {
				out[o++] = (char)v;
			} else {
				if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
					return lerr(lx, esc,
					    "escape is an invalid Unicode code point");
				o += put_utf8(out + o, v);
			}
			break;
		}
		default:
			return lerr(lx, esc, "unknown escape sequence \\%c in string",
			    c >= 0x20 && c < 0x7f ? c : '?');
		}
	}
	out[o] = '\0';
	t->type = T_STRING;
	t->s = out;
	t->len = o;
	skip(lx, i);
	return 0;
}

/*
 * prom_duration parses Prometheus durations: [Ny][Nw][Nd][Nh][Nm][Ns][Nms]
 * in this order, at least one.  Returns false when p is not one.
 */
static bool
prom_duration(const char *p, size_t n, int64_t *out)
{
	static const struct {
		const char	*u;
		int64_t		 ns;
	} units[] = {
		{ "y", 365 * 24 * 3600 * 1000000000LL },
		{ "w", 7 * 24 * 3600 * 1000000000LL },
		{ "d", 24 * 3600 * 1000000000LL },
		{ "h", 3600 * 1000000000LL }, { "m", 60 * 1000000000LL },
		{ "s", 1000000000LL }, { "ms", 1000000LL },
	};
	size_t i = 0, next = 0, k;
	int64_t total = 0;

	while (i < n) {
		int64_t v = 0;
		size_t d = i, ulen;

		while (i < n && is_digit((unsigned char)p[i])) {
			if (v > (INT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (p[i++] - '0');
		}
		if (i == d)
			return false;
		for (k = next; k < sizeof(units) / sizeof(units[0]); k++) {
			ulen = strlen(units[k].u);
			if (n - i >= ulen && memcmp(p + i, units[k].u, ulen) == 0 &&
			    !(k == 4 && n - i >= 2 && p[i + 1] == 's'))
				break;
		}
		if (k == sizeof(units) / sizeof(units[0]))
			return false;
		i += strlen(units[k].u);
		next = k + 1;
		if (v > INT64_MAX / units[k].ns ||
		    total > INT64_MAX - v * units[k].ns)
			return false;
		total += v * units[k].ns;
	}
	*out = total;
	return true;
}

/*
 * go_duration parses Go durations: one or more decimal numbers with an
 * optional fraction, each followed by ns, us, µs, μs, ms, s, m or h.
 */
static bool
go_duration(const char *p, size_t n, int64_t *out)
{
	static const struct {
		const char	*u;
		int64_t		 ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
		{ "\xce\xbcs", 1000 }, { "ms", 1000000 }, { "s", 1000000000LL },
		{ "m", 60 * 1000000000LL }, { "h", 3600 * 1000000000LL },
	};
	size_t i = 0, k, best, blen;
	uint64_t total = 0;

	while (i < n) {
		uint64_t v = 0;
		double frac = 0, scale = 1;
		size_t d = i;
		bool digits = false;

		while (i < n && is_digit((unsigned char)p[i])) {
			if (v > (UINT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (uint64_t)(p[i++] - '0');
			digits = true;
		}
		if (i < n && p[i] == '.') {
			i++;
			while (i < n && is_digit((unsigned char)p[i])) {
				if (scale < 1e18) {
					frac = frac * 10 + (p[i] - '0');
					scale *= 10;
				}
				i++;
				digits = true;
			}
		}
		if (!digits || i == d)
			return false;
		best = sizeof(units) / sizeof(units[0]);
		blen = 0;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t ul = strlen(units[k].u);

			if (n - i >= ul && memcmp(p + i, units[k].u, ul) == 0 &&
			    ul > blen) {
				best = k;
				blen = ul;
			}
		}
		if (best == sizeof(units) / sizeof(units[0]))
			return false;
		i += blen;
		if (v > (uint64_t)INT64_MAX / (uint64_t)units[best].ns)
			return false;
		v *= (uint64_t)units[best].ns;
		if (frac > 0)
			v += (uint64_t)(frac * ((double)units[best].ns / scale));
		total += v;
		if (total > (uint64_t)INT64_MAX)
			return false;
	}
	*out = (int64_t)total;
	return true;
}

/* is_num_char says whether c continues a number or duration token. */
static bool
is_num_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c >= 0x80;
}

static int
lex_number(struct lexer *lx, struct token *t)
{
	size_t i = lx->pos, n, k;
	const char *p = lx->s + lx->pos;
	bool intlit = true, floatlit;

	while (i < lx->n) {
		int c = (unsigned char)lx->s[i];

		if (is_num_char(c)) {
			i++;
		} else if ((c == '+' || c == '-') && i > lx->pos &&
		    (lx->s[i - 1] == 'e' || lx->s[i - 1] == 'E')) {
			/* An exponent sign, if what precedes is a mantissa. */
			for (k = lx->pos; k < i - 1; k++)
				if (!is_digit((unsigned char)lx->s[k]) &&
				    lx->s[k] != '.')
					break;
			if (k != i - 1)
				break;
			i++;
		} else {
			break;
		}
	}
	n = i - lx->pos;
	/* Classify: integer, float (digits . digits e sign digits), else. */
	floatlit = true;
	for (k = 0; k < n; k++) {
		if (!is_digit((unsigned char)p[k]))
			intlit = false;
	}
	{
		/* A token starts with a digit or ".digit": the mantissa is there. */
		size_t j = 0;

		while (j < n && is_digit((unsigned char)p[j]))
			j++;
		if (j < n && p[j] == '.') {
			j++;
			while (j < n && is_digit((unsigned char)p[j]))
				j++;
		}
		if (j < n && (p[j] == 'e' || p[j] == 'E')) {
			size_t e0;

			j++;
			if (j < n && (p[j] == '+' || p[j] == '-'))
				j++;
			e0 = j;
			while (j < n && is_digit((unsigned char)p[j]))
				j++;
			if (j == e0)
				floatlit = false;
		}
		if (j != n)
			floatlit = false;
	}
	if (intlit) {
		uint64_t v = 0;

		for (k = 0; k < n; k++) {
			if (v > ((uint64_t)INT64_MAX - (uint64_t)(p[k] - '0')) / 10)
				return lerr(lx, lx->pos, "integer %.*s out of range",
				    (int)(n > 40 ? 40 : n), p);
			v = v * 10 + (uint64_t)(p[k] - '0');
		}
		t->type = T_INT;
		t->i = (int64_t)v;
	} else if (floatlit) {
		char *buf;

		if ((buf = tq_arena_strndup(lx->a, p, n)) == NULL)
			return tq_err_set(lx->err, TQ_ENOMEM, "query: out of memory");
		errno = 0;
		t->f = strtod(buf, NULL);
		/* Underflow to zero or a denormal is fine, as in Go. */
		if (!isfinite(t->f) || (errno == ERANGE && fabs(t->f) > 1))
			return lerr(lx, lx->pos, "float %.40s out of range", buf);
		t->type = T_FLOAT;
	} else if (prom_duration(p, n, &t->i) || go_duration(p, n, &t->i)) {
		t->type = T_DURATION;
	} else {
		return lerr(lx, lx->pos, "invalid number or duration %.*s",
		    (int)(n > 40 ? 40 : n), p);
	}
	skip(lx, i);
	return 0;
}

/* is_name_stop says whether c ends an unquoted attribute name. */
static bool
is_name_stop(int c)
{
	switch (c) {
	case '{': case '}': case '(': case ')': case '=': case '~': case '!':
	case '<': case '>': case '&': case '|': case '^': case ',': case ' ':
	case 0x7f:
		return true;
	default:
		return c < 0x20;
	}
}

/* lex_attr reads an attribute name from lx->pos (after the scope). */
static int
lex_attr(struct lexer *lx, struct token *t, size_t start)
{
	size_t i = lx->pos, o = 0, end;
	char *out;
	bool quoted = false;

	/* The name is never longer than its source text: find where it ends. */
	for (end = i; end < lx->n; end++) {
		int c = (unsigned char)lx->s[end];

		if (c == '"')
			quoted = !quoted;
		else if (quoted && c == '\\')
			end++;
		else if (!quoted && is_name_stop(c))
			break;
	}
	if ((out = tq_arena_alloc(lx->a, end - i + 1)) == NULL)
		return tq_err_set(lx->err, TQ_ENOMEM, "query: out of memory");
	while (i < lx->n) {
		int c = (unsigned char)lx->s[i];

		if (c == '"') {
			size_t q = i++;

			for (;;) {
				if (i >= lx->n)
					return lerr(lx, q, "quoted attribute name not terminated");
				c = (unsigned char)lx->s[i];
				if (c == '"') {
					i++;
					break;
				}
				if (c == '\\' && i + 1 < lx->n &&
				    (lx->s[i + 1] == '"' || lx->s[i + 1] == '\\')) {
					out[o++] = lx->s[i + 1];
					i += 2;
					continue;
				}
				out[o++] = (char)c;
				i++;
			}
			continue;
		}
		if (is_name_stop(c))
			break;
		out[o++] = (char)c;
		i++;
	}
	if (o == 0)
		return lerr(lx, start, "attribute name expected after \"%.*s\"",
		    (int)(lx->pos - start), lx->s + start);
	out[o] = '\0';
	t->type = T_ATTR;
	t->s = out;
	t->len = o;
	skip(lx, i);
	return 0;
}

static bool
word_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(p, w, n) == 0;
}

static int
lex_word(struct lexer *lx, struct token *t)
{
	size_t i = lx->pos, n, k;
	const char *p = lx->s + lx->pos;
	size_t start = lx->pos;

	while (i < lx->n && (is_alpha((unsigned char)lx->s[i]) ||
	    is_digit((unsigned char)lx->s[i])))
		i++;
	n = i - lx->pos;
	/* Attribute scopes: "span." "resource." "parent." ... */
	if (i < lx->n && lx->s[i] == '.') {
		if (word_is(p, n, "parent")) {
			t->parent = true;
			t->scope = TQ_QL_SCOPE_NONE;
			skip(lx, i + 1);
			p = lx->s + lx->pos;
			if (lx->n - lx->pos > 5 && memcmp(p, "span.", 5) == 0) {
				t->scope = TQ_QL_SCOPE_SPAN;
				skip(lx, lx->pos + 5);
			} else if (lx->n - lx->pos > 9 &&
			    memcmp(p, "resource.", 9) == 0) {
				t->scope = TQ_QL_SCOPE_RESOURCE;
				skip(lx, lx->pos + 9);
			}
			return lex_attr(lx, t, start);
		}
		for (k = 0; k < sizeof(scopes) / sizeof(scopes[0]); k++)
			if (word_is(p, n, scopes[k].word)) {
				t->scope = scopes[k].scope;
				skip(lx, i + 1);
				return lex_attr(lx, t, start);
			}
	}
	/* Scoped intrinsics: "span:id", "trace:duration", ... */
	if (i < lx->n && lx->s[i] == ':' && (word_is(p, n, "span") ||
	    word_is(p, n, "trace") || word_is(p, n, "event") ||
	    word_is(p, n, "link") || word_is(p, n, "instrumentation"))) {
		size_t j = i + 1, m;

		while (j < lx->n && (is_alpha((unsigned char)lx->s[j]) ||
		    is_digit((unsigned char)lx->s[j])))
			j++;
		m = j - i - 1;
		if (m == 0)
			return lerr(lx, start, "intrinsic name expected after \"%.*s:\"",
			    (int)n, p);
		for (k = 0; k < sizeof(scoped) / sizeof(scoped[0]); k++)
			if (word_is(p, n, scoped[k].scope) &&
			    word_is(lx->s + i + 1, m, scoped[k].name)) {
				t->type = T_SCOPED_INTRINSIC;
				t->intrinsic = scoped[k].i;
				skip(lx, j);
				return 0;
			}
		return lerr(lx, start, "unknown intrinsic %.*s",
		    (int)(j - start > 80 ? 80 : j - start), p);
	}
	if ((t->s = tq_arena_strndup(lx->a, p, n)) == NULL)
		return tq_err_set(lx->err, TQ_ENOMEM, "query: out of memory");
	t->type = T_IDENT;
	t->len = n;
	skip(lx, i);
	return 0;
}

/* match_op finds the longest operator at p; returns its length or 0. */
static size_t
match_op(const char *p, size_t n, enum tok *t)
{
	char c1 = n > 1 ? p[1] : '\0', c2 = n > 2 ? p[2] : '\0';

	switch (p[0]) {
	case '{': *t = T_LBRACE; return 1;
	case '}': *t = T_RBRACE; return 1;
	case '(': *t = T_LPAREN; return 1;
	case ')': *t = T_RPAREN; return 1;
	case ',': *t = T_COMMA; return 1;
	case '+': *t = T_ADD; return 1;
	case '-': *t = T_SUB; return 1;
	case '*': *t = T_MUL; return 1;
	case '/': *t = T_DIV; return 1;
	case '%': *t = T_MOD; return 1;
	case '^': *t = T_POW; return 1;
	case '~': *t = T_SIBL; return 1;
	case '=':
		if (c1 == '~') { *t = T_RE; return 2; }
		*t = T_EQ; return 1;
	case '>':
		if (c1 == '=') { *t = T_GTE; return 2; }
		if (c1 == '>') { *t = T_DESC; return 2; }
		*t = T_GT; return 1;
	case '<':
		if (c1 == '=') { *t = T_LTE; return 2; }
		if (c1 == '<') { *t = T_ANCE; return 2; }
		*t = T_LT; return 1;
	case '|':
		if (c1 == '|') { *t = T_OR; return 2; }
		*t = T_PIPE; return 1;
	case '!':
		switch (c1) {
		case '=': *t = T_NEQ; return 2;
		case '~': *t = T_NRE; return 2;
		case '>':
			if (c2 == '>') { *t = T_NOT_DESC; return 3; }
			*t = T_NOT_CHILD; return 2;
		case '<':
			if (c2 == '<') { *t = T_NOT_ANCE; return 3; }
			*t = T_NOT_PARENT; return 2;
		default: *t = T_NOT; return 1;
		}
	case '&':
		switch (c1) {
		case '&': *t = T_AND; return 2;
		case '~': *t = T_UNION_SIBL; return 2;
		case '>':
			if (c2 == '>') { *t = T_UNION_DESC; return 3; }
			*t = T_UNION_CHILD; return 2;
		case '<':
			if (c2 == '<') { *t = T_UNION_ANCE; return 3; }
			*t = T_UNION_PARENT; return 2;
		default: return 0;
		}
	default:
		return 0;
	}
}

int
tq_ql_lex(const char *text, size_t len, struct tq_arena *a,
    struct token **out, size_t *nout, struct tq_err *err)
{
	struct lexer lx = { text, len, 0, 1, 0, a, err };
	struct token *toks = NULL;
	size_t n = 0, cap = 0;
	int rc;

	for (;;) {
		struct token *t;
		int c;

		if ((rc = skip_blank(&lx)) != 0)
			goto fail;
		if (n == cap) {
			struct token *nt;

			cap = cap == 0 ? 64 : cap * 2;
			if ((nt = realloc(toks, cap * sizeof(*nt))) == NULL) {
				free(toks);
				return tq_err_set(err, TQ_ENOMEM, "query: out of memory");
			}
			toks = nt;
		}
		t = &toks[n++];
		memset(t, 0, sizeof(*t));
		t->off = lx.pos;
		t->line = lx.line;
		t->col = (int)(lx.pos - lx.line_start + 1);
		if (lx.pos >= lx.n) {
			t->type = T_EOF;
			t->end = lx.pos;
			break;
		}
		c = (unsigned char)text[lx.pos];
		if (c == '"' || c == '`') {
			rc = lex_string(&lx, t);
		} else if (is_digit(c) || (c == '.' && lx.pos + 1 < lx.n &&
		    is_digit((unsigned char)text[lx.pos + 1]))) {
			rc = lex_number(&lx, t);
		} else if (c == '.') {
			t->scope = TQ_QL_SCOPE_NONE;
			skip(&lx, lx.pos + 1);
			rc = lex_attr(&lx, t, t->off);
		} else if (is_alpha(c)) {
			rc = lex_word(&lx, t);
		} else {
			size_t ol = match_op(text + lx.pos, lx.n - lx.pos, &t->type);

			if (ol == 0) {
				if (c == '\'')
					rc = lerr(&lx, lx.pos,
					    "character literals are not supported; use \"...\"");
				else if (c >= 0x20 && c < 0x7f)
					rc = lerr(&lx, lx.pos, "unexpected character '%c'", c);
				else
					rc = lerr(&lx, lx.pos, "unexpected byte 0x%02x", c);
				goto fail;
			}
			skip(&lx, lx.pos + ol);
			rc = 0;
		}
		if (rc != 0)
			goto fail;
		t->end = lx.pos;
	}
	*out = toks;
	*nout = n;
	return 0;
fail:
	free(toks);
	return rc;
}
