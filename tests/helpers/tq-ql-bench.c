/*
 * tq-ql-bench: parse (and separately compile: parse + validate) the
 * queries of a file, one per line ("#" lines and blank lines skipped),
 * over and over for about the given number of seconds, and print the
 * rates.  Used by bench/traceql-parse.sh.
 *
 *	tq-ql-bench FILE [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traceql.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* run parses (compile = 0) or compiles every query for secs seconds. */
static int
run(char **q, size_t n, double secs, int compile, const char *what)
{
	struct tq_ql_query *qq;
	struct tq_err e;
	double t0 = now(), t;
	size_t done = 0, bytes = 0, i;

	do {
		for (i = 0; i < n; i++) {
			size_t len = strlen(q[i]);
			int rc = compile ? tq_ql_compile(q[i], len, &qq, &e) :
			    tq_ql_parse(q[i], len, &qq, &e);

			if (rc != 0) {
				fprintf(stderr, "tq-ql-bench: %s: %s\n", q[i], e.msg);
				return 1;
			}
			tq_ql_free(qq);
			bytes += len;
		}
		done += n;
	} while ((t = now() - t0) < secs);
	printf("%-8s %zu queries in %.2f s: %.0f queries/s, %.1f MB/s\n",
	    what, done, t, (double)done / t, (double)bytes / t / 1e6);
	return 0;
}

int
main(int argc, char *argv[])
{
	char line[65536], **q = NULL;
	size_t n = 0;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 2;
	FILE *f;

	if (argc < 2 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: tq-ql-bench FILE [SECONDS]\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((q = realloc(q, (n + 1) * sizeof(*q))) == NULL ||
		    (q[n++] = strdup(line)) == NULL) {
			perror("tq-ql-bench");
			return 1;
		}
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "tq-ql-bench: %s: no queries\n", argv[1]);
		return 1;
	}
	printf("%zu distinct queries, %s\n", n, argv[1]);
	if (run(q, n, secs, 0, "parse") != 0 || run(q, n, secs, 1, "compile") != 0)
		return 1;
	while (n > 0)
		free(q[--n]);
	free(q);
	return 0;
}
