/*
 * tq-store: the store library from the command line, for the tests and
 * benchmarks.  Exit 0 on success, 3 when the object is missing
 * (TQ_ENOTFOUND), 1 on other failures with "tq-store: message", 2 on
 * usage errors.
 *
 *	tq-store [-k] [-c conc] [-e endpoint] [-p part-MiB] [-r retries]
 *	    [-t stall-ms] URL CMD ...
 *	  get KEY		object to stdout (streamed)
 *	  getbuf KEY MAX	object to stdout through a buffer capped at MAX
 *	  range KEY OFF LEN	LEN bytes at OFF to stdout
 *	  head KEY		size
 *	  put KEY [FILE]	FILE (default stdin, streamed) as KEY
 *	  putstr KEY STRING	STRING as KEY, from memory
 *	  list [PREFIX]		"size key" lines, recursive
 *	  ls [PREFIX]		one level ("/" delimiter); prefixes end in '/'
 *	  del KEY		delete
 *	  delmany KEY...	delete several
 *	  getmany OFF LEN KEY...	batch; "key rc bytes sha256-prefix" lines
 *	  ranges KEY LEN FILE	one batch of LEN-byte ranges of KEY at the
 *				offsets listed in FILE; prints the bytes read
 *	  jwt EMAIL PEMFILE AUD IAT	the RS256 JWT of a service account
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "store-int.h"

static int
fail(int rc, const struct tq_err *e)
{
	fprintf(stderr, "tq-store: %s\n", e->msg[0] != '\0' ? e->msg :
	    tq_strerror(rc));
	return rc == TQ_ENOTFOUND ? 3 : 1;
}

static int
print_entry(void *arg, const char *key, uint64_t size, bool is_prefix)
{
	(void)arg;
	if (is_prefix)
		printf("%s\n", key);
	else
		printf("%llu %s\n", (unsigned long long)size, key);
	return 0;
}

static unsigned long long
num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		errx(2, "%s: not a number", s);
	return v;
}

static int
usage(void)
{
	fprintf(stderr, "usage: tq-store [-k] [-c conc] [-e endpoint] "
	    "[-p part-MiB] [-r retries] [-t stall-ms] url command [arg ...]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct tq_store_opts o;
	struct tq_store *s = NULL;
	struct tq_err e;
	const char *cmd;
	int ch, rc = 0, st = 0;

	tq_err_clear(&e);
	tq_store_opts_init(&o);
	while ((ch = getopt(argc, argv, "c:e:kp:r:t:")) != -1) {
		switch (ch) {
		case 'c': o.concurrency = (int)num(optarg); break;
		case 'e': o.endpoint = optarg; break;
		case 'k': o.insecure = true; break;
		case 'p': o.part_size = (size_t)num(optarg) * 1024 * 1024; break;
		case 'r': o.retries = (int)num(optarg); break;
		case 't': o.timeout_ms = (long)num(optarg); break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (strcmp(cmd, "jwt") == 0) {
		struct tq_buf b, pem;
		char chunk[4096];
		ssize_t n;
		int fd;

		if (argc != 6)
			return usage();
		tq_buf_init(&b, 1 << 20);
		tq_buf_init(&pem, 1 << 20);
		if ((fd = open(argv[3], O_RDONLY)) == -1)
			err(1, "%s", argv[3]);
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			tq_buf_append(&pem, chunk, (size_t)n);
		close(fd);
		tq_buf_putc(&pem, '\0');
		if ((rc = gcs_jwt(argv[2], (char *)pem.data, argv[4],
		    "https://www.googleapis.com/auth/devstorage.read_write",
		    (int64_t)num(argv[5]), &b, &e)) != 0)
			st = fail(rc, &e);
		else
			printf("%.*s\n", (int)b.len, (char *)b.data);
		tq_buf_release(&b);
		tq_buf_release(&pem);
		return st;
	}
	if ((rc = tq_store_open(argv[0], &o, &s, &e)) != 0)
		return fail(rc, &e);
	if (strcmp(cmd, "get") == 0 && argc == 3) {
		rc = tq_store_get_fd(s, argv[2], STDOUT_FILENO, &e);
	} else if (strcmp(cmd, "getbuf") == 0 && argc == 4) {
		struct tq_buf b;

		tq_buf_init(&b, (size_t)num(argv[3]));
		if ((rc = tq_store_get(s, argv[2], &b, &e)) == 0)
			fwrite(b.data, 1, b.len, stdout);
		tq_buf_release(&b);
	} else if (strcmp(cmd, "range") == 0 && argc == 5) {
		size_t len = (size_t)num(argv[4]);
		char *dst = malloc(len + 1);

		if (dst == NULL)
			err(1, "malloc");
		if ((rc = tq_store_get_range(s, argv[2], num(argv[3]), len, dst,
		    &e)) == 0)
			fwrite(dst, 1, len, stdout);
		free(dst);
	} else if (strcmp(cmd, "head") == 0 && argc == 3) {
		uint64_t size;

		if ((rc = tq_store_head(s, argv[2], &size, &e)) == 0)
			printf("%llu\n", (unsigned long long)size);
	} else if (strcmp(cmd, "put") == 0 && (argc == 3 || argc == 4)) {
		if (argc == 4)
			rc = tq_store_put_file(s, argv[2], argv[3], &e);
		else
			rc = tq_store_put_fd(s, argv[2], STDIN_FILENO, &e);
	} else if (strcmp(cmd, "putstr") == 0 && argc == 4) {
		rc = tq_store_put(s, argv[2], argv[3], strlen(argv[3]), &e);
	} else if ((strcmp(cmd, "list") == 0 || strcmp(cmd, "ls") == 0) &&
	    argc <= 3) {
		rc = tq_store_list(s, argc == 3 ? argv[2] : "",
		    cmd[1] == 's' ? "/" : NULL, print_entry, NULL, &e);
	} else if (strcmp(cmd, "del") == 0 && argc == 3) {
		rc = tq_store_delete(s, argv[2], &e);
	} else if (strcmp(cmd, "delmany") == 0 && argc >= 3) {
		rc = tq_store_delete_many(s, (const char *const *)argv + 2,
		    (size_t)argc - 2, &e);
	} else if (strcmp(cmd, "getmany") == 0 && argc >= 5) {
		size_t n = (size_t)argc - 4, i;
		struct tq_store_req *r = calloc(n, sizeof(*r));

		if (r == NULL)
			err(1, "calloc");
		for (i = 0; i < n; i++) {
			r[i].key = argv[4 + i];
			r[i].off = num(argv[2]);
			r[i].len = (size_t)num(argv[3]);
			tq_buf_init(&r[i].buf, 1u << 30);
		}
		if ((rc = tq_store_get_many(s, r, n, &e)) == 0)
			for (i = 0; i < n; i++) {
				unsigned char md[32];

				SHA256(r[i].buf.data != NULL ? r[i].buf.data :
				    (unsigned char *)"", r[i].buf.len, md);
				printf("%s %s %zu %02x%02x%02x%02x\n", r[i].key,
				    r[i].rc == 0 ? "ok" : tq_strerror(r[i].rc),
				    r[i].buf.len, md[0], md[1], md[2], md[3]);
				if (r[i].rc != 0) {
					fprintf(stderr, "tq-store: %s\n",
					    r[i].err.msg);
					st = 1;
				}
			}
		for (i = 0; i < n; i++)
			tq_buf_release(&r[i].buf);
		free(r);
	} else if (strcmp(cmd, "ranges") == 0 && argc == 5) {
		size_t n = 0, cap = 0, i, total = 0;
		struct tq_store_req *r = NULL, *nr;
		char line[64];
		FILE *f;

		if ((f = fopen(argv[4], "r")) == NULL)
			err(1, "%s", argv[4]);
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (n == cap) {
				cap = cap == 0 ? 256 : cap * 2;
				if ((nr = realloc(r, cap * sizeof(*r))) == NULL)
					err(1, "realloc");
				r = nr;
			}
			memset(&r[n], 0, sizeof(r[n]));
			r[n].key = argv[2];
			r[n].off = num(line);
			r[n].len = (size_t)num(argv[3]);
			tq_buf_init(&r[n].buf, r[n].len);
			n++;
		}
		fclose(f);
		if ((rc = tq_store_get_many(s, r, n, &e)) == 0)
			for (i = 0; i < n; i++) {
				if (r[i].rc != 0 && st == 0) {
					fprintf(stderr, "tq-store: %s\n", r[i].err.msg);
					st = 1;
				}
				total += r[i].buf.len;
			}
		printf("%zu\n", total);
		for (i = 0; i < n; i++)
			tq_buf_release(&r[i].buf);
		free(r);
	} else {
		tq_store_free(s);
		return usage();
	}
	if (rc != 0)
		st = fail(rc, &e);
	tq_store_free(s);
	if (fflush(stdout) != 0 && st == 0)
		st = 1;
	return st;
}
