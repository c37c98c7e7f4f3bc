/*
 * ql-repl.c: tempo-ql's interactive mode (see ql.h).  GNU readline reads
 * queries, which may span lines: a line that leaves a brace, parenthesis,
 * string or comment open, or ends in an operator (| && || , = ...),
 * continues on the next; a line ending in ';' or a complete query runs.
 * Each query goes to ql_search with results as a table, then its time.
 * History is kept in $TEMPO_QL_HISTORY or ~/.tempo_ql_history; TAB
 * completes keywords, intrinsics, scopes, and the attribute names and
 * values of the store (lib/tags.c, read once, when first needed).
 * Backslash commands change settings (\help lists them).
 *
 * Ctrl-C drops the line and the query being typed; while a query or a
 * command runs it ends tempo-ql as usual (the history, at most
 * HISTORY_MAX entries, is saved before each).
 *
 * Readline reads from stdin and draws on stdout when both are terminals;
 * otherwise prompts and timings go to stderr, so that piped queries give
 * clean results on stdout.  Readline's callbacks take no argument, so the
 * session lives in one file-level struct.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "common.h"
#include "limits.h"
#include "ql.h"
#include "tags.h"

#define HISTORY_MAX	1000	/* entries kept in the history file */
#define NAMES_LIMIT	5000	/* attribute names per scope for completion */
#define VALUES_LIMIT	1000	/* values of one attribute for completion */
#define VALUE_CACHE	16	/* identifiers whose values are kept */

static const char *const words[] = {
	/* Literals. */
	"true", "false", "nil", "ok", "error", "unset", "unspecified",
	"internal", "server", "client", "producer", "consumer",
	/* Intrinsics. */
	"duration", "childCount", "name", "status", "statusMessage", "kind",
	"rootName", "rootServiceName", "traceDuration", "nestedSetLeft",
	"nestedSetRight", "nestedSetParent",
	"span:duration", "span:name", "span:status", "span:statusMessage",
	"span:kind", "span:childCount", "span:id", "span:parentID",
	"trace:duration", "trace:rootName", "trace:rootService", "trace:id",
	"event:name", "event:timeSinceStart", "link:traceID", "link:spanID",
	"instrumentation:name", "instrumentation:version",
	/* Scopes. */
	"span.", "resource.", "event.", "link.", "instrumentation.",
	/* Functions, pipeline operators, hints. */
	"count()", "avg(", "max(", "min(", "sum(", "by(", "coalesce()",
	"select(", "rate()", "count_over_time()", "min_over_time(",
	"max_over_time(", "avg_over_time(", "sum_over_time(",
	"quantile_over_time(", "histogram_over_time(", "compare(", "topk(",
	"bottomk(", "with(", "most_recent=true",
};

static const char *const commands[] = {
	"\\format", "\\help", "\\limit", "\\q", "\\quit", "\\spss", "\\tags",
	"\\values",
};

/* Scope prefixes and the tags scopes they complete from. */
static const struct {
	const char	*prefix;
	unsigned	 mask;
} prefixes[] = {
	{ "span.", 1u << TQ_TAGS_SPAN },
	{ "resource.", 1u << TQ_TAGS_RESOURCE },
	{ "event.", 1u << TQ_TAGS_EVENT },
	{ "link.", 1u << TQ_TAGS_LINK },
	{ "instrumentation.", 1u << TQ_TAGS_INSTRUMENTATION },
	{ ".", 1u << TQ_TAGS_SPAN | 1u << TQ_TAGS_RESOURCE },
};

struct cached {
	char		*ident;
	struct tq_tags	*values;
};

static struct {
	struct ql_ctx	*ctx;
	struct tq_tags	*names;		/* NULL until first needed */
	bool		 names_failed;
	struct cached	 values[VALUE_CACHE];
	size_t		 next_value;	/* round robin */
	char		**cands;	/* the candidates of one completion */
	size_t		 ncands, capcands;
	FILE		*out;		/* prompts and timings */
	char		*hist;		/* the history file, or NULL */
} S;

/* Set by SIGINT while readline waits. */
static volatile sig_atomic_t interrupted;

/*
 * on_sigint empties the line being edited and starts a new one with the
 * first prompt, the usual way with readline (which then does not handle
 * signals itself); the loop forgets the lines typed before.
 */
static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	fputc('\n', S.out);
	rl_on_new_line();
	rl_replace_line("", 0);
	rl_set_prompt("tempo-ql> ");
	rl_redisplay();
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
cands_clear(void)
{
	size_t i;

	for (i = 0; i < S.ncands; i++)
		free(S.cands[i]);
	S.ncands = 0;
}

/* cand adds a candidate: prefix then len bytes of p, if it starts with text. */
static void
cand(const char *text, const char *prefix, const char *p, size_t len,
    bool quote)
{
	size_t tl = strlen(text), pl = strlen(prefix), i, n;
	char *s;

	if (S.ncands == S.capcands) {
		S.capcands = S.capcands ? 2 * S.capcands : 64;
		S.cands = realloc(S.cands, S.capcands * sizeof(*S.cands));
		if (S.cands == NULL)
			err(EXIT_FAIL, "completion");
	}
	s = xmalloc(pl + 2 * len + 3);
	memcpy(s, prefix, pl);
	n = pl;
	if (quote)
		s[n++] = '"';
	for (i = 0; i < len; i++) {
		if (quote && (p[i] == '"' || p[i] == '\\'))
			s[n++] = '\\';
		s[n++] = p[i];
	}
	if (quote)
		s[n++] = '"';
	s[n] = '\0';
	/* A value the user has not quoted yet matches without its quote. */
	if (strncmp(s + (quote && text[0] != '"' ? pl + 1 : 0), text, tl) != 0) {
		free(s);
		return;
	}
	S.cands[S.ncands++] = s;
}

/* names returns the store's attribute names, read on first use. */
static struct tq_tags *
names(void)
{
	struct tq_err e;

	if (S.names != NULL || S.names_failed || S.ctx->store == NULL)
		return S.names;
	if (tq_tags_new(TQ_TAGS_ALL, NAMES_LIMIT, &S.names, &e) != 0 ||
	    tq_tags_scan(S.names, S.ctx->store, S.ctx->tenant,
	    S.ctx->start_ns, S.ctx->end_ns, &e) != 0) {
		fprintf(S.out, "\ntempo-ql: completion: %s\n", e.msg);
		tq_tags_free(S.names);
		S.names = NULL;
		S.names_failed = true;
		rl_on_new_line();
	}
	return S.names;
}

/* values returns the values of ident, read on first use (NULL: none). */
static struct tq_tags *
values(const char *ident)
{
	struct cached *c;
	struct tq_tags *t;
	struct tq_err e;
	size_t i;

	for (i = 0; i < VALUE_CACHE; i++)
		if (S.values[i].ident != NULL &&
		    strcmp(S.values[i].ident, ident) == 0)
			return S.values[i].values;
	if (tq_tags_new_values(ident, VALUES_LIMIT, &t, &e) != 0)
		return NULL;	/* not an identifier: nothing to offer */
	if (S.ctx->store != NULL && tq_tags_scan(t, S.ctx->store,
	    S.ctx->tenant, S.ctx->start_ns, S.ctx->end_ns, &e) != 0) {
		fprintf(S.out, "\ntempo-ql: completion: %s\n", e.msg);
		rl_on_new_line();
		tq_tags_free(t);
		return NULL;
	}
	c = &S.values[S.next_value];
	S.next_value = (S.next_value + 1) % VALUE_CACHE;
	free(c->ident);
	tq_tags_free(c->values);
	c->ident = xstrdup(ident);
	c->values = t;
	return t;
}

static bool
is_ident_char(int c)
{
	return isalnum(c) || c == '.' || c == ':' || c == '_' || c == '-' ||
	    c == '/' || c == '"' || (c & 0x80);
}

/*
 * value_ident finds, before position start of the line, "IDENT OP" with
 * OP a comparison, and copies IDENT to buf.  Returns false when the
 * word at start is not a value.
 */
static bool
value_ident(const char *line, int start, char *buf, size_t size)
{
	int i = start, end, opn = 0;

	if (i > 0 && line[i - 1] == '"')
		i--;
	while (i > 0 && isspace((unsigned char)line[i - 1]))
		i--;
	while (i > 0 && strchr("=!~<>", line[i - 1]) != NULL) {
		i--;
		opn++;
	}
	if (opn == 0 || opn > 2)
		return false;
	while (i > 0 && isspace((unsigned char)line[i - 1]))
		i--;
	end = i;
	while (i > 0 && is_ident_char((unsigned char)line[i - 1]))
		i--;
	if (end == i || (size_t)(end - i) >= size)
		return false;
	memcpy(buf, line + i, (size_t)(end - i));
	buf[end - i] = '\0';
	return true;
}

static void
complete_values(const char *text, const char *ident)
{
	const struct tq_tags_item *it;
	struct tq_tags *t = values(ident);
	size_t n, i;
	bool quoted = rl_completion_quote_character == '"';

	if (t == NULL)
		return;
	n = tq_tags_values(t, &it);
	for (i = 0; i < n; i++)
		cand(text, "", it[i].text, it[i].len,
		    it[i].type == TQ_TAGS_STRING && !quoted);
}

static void
complete_words(const char *text)
{
	const struct tq_tags_item *it;
	struct tq_tags *t;
	size_t i, j, n, k;
	int scope;

	if (text[0] == '\\') {
		for (i = 0; i < NELEM(commands); i++)
			cand(text, "", commands[i], strlen(commands[i]), false);
		return;
	}
	for (i = 0; i < NELEM(words); i++)
		cand(text, "", words[i], strlen(words[i]), false);
	for (i = 0; i < NELEM(prefixes); i++) {
		k = strlen(prefixes[i].prefix);
		if (strncmp(text, prefixes[i].prefix, k) != 0 ||
		    (t = names()) == NULL)
			continue;
		for (scope = 0; scope < TQ_TAGS_NSCOPES; scope++) {
			if (!(prefixes[i].mask & (1u << scope)))
				continue;
			n = tq_tags_names(t, scope, &it);
			for (j = 0; j < n; j++)
				cand(text, prefixes[i].prefix, it[j].text,
				    it[j].len, false);
		}
		break;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* complete is readline's attempted completion function. */
static char **
complete(const char *text, int start, int end)
{
	char ident[1024], **m;
	size_t i, n, common;

	(void)end;
	rl_attempted_completion_over = 1;	/* never file names */
	cands_clear();
	if (value_ident(rl_line_buffer, start, ident, sizeof(ident)))
		complete_values(text, ident);
	else
		complete_words(text);
	if (S.ncands == 0)
		return NULL;
	qsort(S.cands, S.ncands, sizeof(*S.cands), cmp_str);
	for (i = n = 1; i < S.ncands; i++) {	/* duplicates (".x" twice) */
		if (strcmp(S.cands[i], S.cands[n - 1]) == 0)
			free(S.cands[i]);
		else
			S.cands[n++] = S.cands[i];
	}
	S.ncands = n;
	/* matches[0] is the longest common prefix, then the matches. */
	m = xcalloc(S.ncands + 2, sizeof(*m));
	common = strlen(S.cands[0]);
	for (i = 1; i < S.ncands; i++) {
		size_t j = 0;

		while (j < common && S.cands[i][j] == S.cands[0][j])
			j++;
		common = j;
	}
	m[0] = xmalloc(common + 1);
	memcpy(m[0], S.cands[0], common);
	m[0][common] = '\0';
	for (i = 0; i < S.ncands; i++)
		m[i + 1] = S.cands[i];
	if (S.ncands == 1) {
		/* One match: it is matches[0] alone. */
		free(m[0]);
		m[0] = m[1];
		m[1] = NULL;
		/* No space after a scope or an open call. */
		n = strlen(m[0]);
		if (n > 0 && strchr(".(:=", m[0][n - 1]) != NULL)
			rl_completion_suppress_append = 1;
	}
	S.ncands = 0;		/* readline frees the strings */
	return m;
}

/* What the lines typed so far hold. */
enum state {
	Q_EMPTY,	/* blanks and comments only */
	Q_OPEN,		/* an open brace, parenthesis, string or comment,
			   or a trailing operator: more lines to come */
	Q_DONE,		/* a query to run */
};

static enum state
scan(const char *text, size_t len)
{
	int depth = 0;
	size_t i;
	char last = '\0';

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == '"' || c == '`') {
			char q = c;

			for (i++; i < len && text[i] != q; i++)
				if (q == '"' && text[i] == '\\')
					i++;
			if (i >= len)
				return Q_OPEN;
			last = q;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(text[i] == '*' &&
			    text[i + 1] == '/'); i++)
				;
			if (i + 1 >= len)
				return Q_OPEN;
			i++;
			continue;
		}
		if (c == '{' || c == '(')
			depth++;
		else if (c == '}' || c == ')')
			depth--;
		if (!isspace((unsigned char)c))
			last = c;
	}
	if (depth > 0 || (last != '\0' && strchr("|&,=!<>~+-*/%^", last) !=
	    NULL))
		return Q_OPEN;
	return last == '\0' && depth == 0 ? Q_EMPTY : Q_DONE;
}

static void
help(void)
{
	printf(
	    "Type a TraceQL query; it runs when it is complete (or ends in ;).\n"
	    "A query may span lines: an open { or (, or a trailing operator,\n"
	    "continues it.  TAB completes keywords, intrinsics, scopes and the\n"
	    "store's attribute names and values.\n"
	    "  \\format table|json|jsonl  how results are printed\n"
	    "  \\help                     this text\n"
	    "  \\limit N                  at most N traces\n"
	    "  \\q, \\quit                 leave (so does end of input)\n"
	    "  \\spss N                   spans per spanset\n"
	    "  \\tags [SCOPE]             attribute names\n"
	    "  \\values NAME              values of an attribute or intrinsic\n");
}

/* number reads a count for a command; 0 when it is not one. */
static size_t
number(const char *s, size_t max)
{
	unsigned long long v;
	char *end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		return 0;
	return (size_t)v;
}

/*
 * command runs one backslash command; returns 1 to leave, 0 to go on,
 * -1 after a failure.
 */
static int
command(char *line)
{
	char *name = strtok(line, " \t"), *arg = strtok(NULL, " \t");
	char *extra = strtok(NULL, " \t");
	struct ql_ctx tags;
	size_t n;

	if (strcmp(name, "\\q") == 0 || strcmp(name, "\\quit") == 0)
		return 1;
	if (strcmp(name, "\\help") == 0 || strcmp(name, "\\h") == 0 ||
	    strcmp(name, "\\?") == 0) {
		help();
		return 0;
	}
	/* Tags have their own default limit (ql.h: limit 0). */
	tags = *S.ctx;
	tags.limit = 0;
	if (strcmp(name, "\\tags") == 0 && extra == NULL)
		return ql_tags(&tags, arg) == EXIT_OK ? 0 : -1;
	if (strcmp(name, "\\values") == 0 && arg != NULL && extra == NULL)
		return ql_tag_values(&tags, arg, NULL) == EXIT_OK ? 0 : -1;
	if (strcmp(name, "\\limit") == 0 && extra == NULL) {
		if ((n = number(arg, UINT32_MAX)) == 0) {
			warnx("\\limit: give a number from 1");
			return -1;
		}
		S.ctx->limit = n;
		return 0;
	}
	if (strcmp(name, "\\spss") == 0 && extra == NULL) {
		if ((n = number(arg, UINT32_MAX)) == 0) {
			warnx("\\spss: give a number from 1");
			return -1;
		}
		S.ctx->spss = n;
		return 0;
	}
	if (strcmp(name, "\\format") == 0 && arg != NULL && extra == NULL) {
		if (strcmp(arg, "table") == 0)
			S.ctx->format = QL_FORMAT_TABLE;
		else if (strcmp(arg, "json") == 0)
			S.ctx->format = QL_FORMAT_JSON;
		else if (strcmp(arg, "jsonl") == 0)
			S.ctx->format = QL_FORMAT_JSONL;
		else {
			warnx("\\format: give table, json or jsonl");
			return -1;
		}
		return 0;
	}
	warnx("%s: unknown command or bad arguments (\\help lists them)",
	    name);
	return -1;
}

/*
 * remember adds a query or command to the history as one line (the
 * history file keeps a line per entry) and saves the history.
 */
static void
remember(const char *text)
{
	char *s = xstrdup(text), *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	add_history(s);
	free(s);
	if (S.hist != NULL && write_history(S.hist) != 0) {
		warnx("%s: cannot write the history", S.hist);
		free(S.hist);
		S.hist = NULL;		/* once is enough */
	}
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* run runs one query and prints its time; returns the exit status. */
static int
run(const char *text, size_t len)
{
	size_t found = SIZE_MAX;
	size_t *was = S.ctx->found;
	double t0, ms;
	int rc;

	remember(text);
	S.ctx->found = &found;
	signal(SIGINT, SIG_DFL);
	t0 = now_ms();
	rc = ql_search(S.ctx, text, len);
	ms = now_ms() - t0;
	signal(SIGINT, on_sigint);
	S.ctx->found = was;
	fflush(stdout);
	if (rc == EXIT_OK && found != SIZE_MAX)
		fprintf(S.out, "%zu trace%s in %.1f ms\n", found,
		    found == 1 ? "" : "s", ms);
	else if (rc == EXIT_OK)
		fprintf(S.out, "in %.1f ms\n", ms);
	fflush(S.out);
	return rc;
}

/* history_path returns the history file, or NULL for none. */
static char *
history_path(void)
{
	const char *p = getenv("TEMPO_QL_HISTORY"), *home = getenv("HOME");
	char *s;
	size_t n;

	if (p != NULL)
		return *p != '\0' ? xstrdup(p) : NULL;
	if (home == NULL || *home == '\0')
		return NULL;
	n = strlen(home) + sizeof("/.tempo_ql_history");
	s = xmalloc(n);
	snprintf(s, n, "%s/.tempo_ql_history", home);
	return s;
}

/*
 * add_line appends a newline (between lines) and line to the pending
 * query, which stays NUL-terminated.
 */
static void
add_line(struct tq_buf *q, const char *line)
{
	if ((q->len > 0 && tq_buf_putc(q, '\n') != 0) ||
	    tq_buf_puts(q, line) != 0 || tq_buf_putc(q, '\0') != 0)
		errx(EXIT_FAIL, "query longer than %u bytes", TQ_QL_MAX_QUERY);
	q->len--;
}


int
ql_repl(struct ql_ctx *ctx)
{
	struct tq_buf q;
	char *line;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO), eof = true;
	int rc = EXIT_OK, r;
	size_t i, n;

	memset(&S, 0, sizeof(S));
	S.ctx = ctx;
	S.hist = history_path();
	S.out = tty ? stdout : stderr;
	ctx->format = QL_FORMAT_TABLE;
	rl_readline_name = "tempo-ql";
	rl_instream = stdin;
	rl_outstream = S.out;
	rl_attempted_completion_function = complete;
	/* Not '/' nor '-': they are common in values and names. */
	rl_completer_word_break_characters = (char *)" \t\n{}()|&=!<>~,+*%^";
	rl_completer_quote_characters = "\"";
	rl_initialize();
	if (!tty) {
		/* No terminal: no escape sequences among the prompts. */
		rl_variable_bind("enable-bracketed-paste", "off");
		rl_variable_bind("enable-meta-key", "off");
	}
	using_history();
	stifle_history(HISTORY_MAX);
	if (S.hist != NULL && (errno = read_history(S.hist)) != 0 &&
	    errno != ENOENT)
		warn("%s", S.hist);
	rl_catch_signals = 0;
	signal(SIGINT, on_sigint);
	tq_buf_init(&q, TQ_QL_MAX_QUERY);
	for (;;) {
		interrupted = 0;
		if ((line = readline(q.len > 0 ? "      -> " : "tempo-ql> ")) ==
		    NULL)
			break;
		n = strlen(line);
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		for (i = 0; i < n && isspace((unsigned char)line[i]); i++)
			;
		if (interrupted)	/* Ctrl-C: forget the lines before */
			tq_buf_reset(&q);
		if (q.len == 0 && line[i] == '\\') {
			remember(line + i);
			signal(SIGINT, SIG_DFL);
			r = command(line + i);
			signal(SIGINT, on_sigint);
			free(line);
			fflush(stdout);
			if (r == 1) {
				eof = false;
				break;
			}
			if (r < 0)
				rc = EXIT_FAIL;
			continue;
		}
		if (q.len == 0 && line[i] == '\0') {
			free(line);
			continue;
		}
		/* An empty line runs what is pending, complete or not. */
		if (line[i] != '\0') {
			bool end = n > 0 && line[n - 1] == ';';

			if (end)
				line[--n] = '\0';
			add_line(&q, line);
			if (!end && scan((const char *)q.data, q.len) ==
			    Q_OPEN) {
				free(line);
				continue;
			}
		}
		free(line);
		if (scan((const char *)q.data, q.len) != Q_EMPTY &&
		    run((const char *)q.data, q.len) != EXIT_OK)
			rc = EXIT_FAIL;
		tq_buf_reset(&q);
	}
	if (eof)
		fputc('\n', S.out);
	/* End of input runs the last query. */
	if (eof && scan((const char *)q.data, q.len) != Q_EMPTY &&
	    run((const char *)q.data, q.len) != EXIT_OK)
		rc = EXIT_FAIL;
	signal(SIGINT, SIG_DFL);
	free(S.hist);
	tq_buf_release(&q);
	cands_clear();
	free(S.cands);
	tq_tags_free(S.names);
	for (i = 0; i < VALUE_CACHE; i++) {
		free(S.values[i].ident);
		tq_tags_free(S.values[i].values);
	}
	clear_history();
	return rc;
}
