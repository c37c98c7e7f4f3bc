/*
 * tempo-put: copy block directories into a store.
 *
 * Each BLOCKDIR holds one block's files (data.parquet, bloom-0..N, index,
 * meta.json), which are copied as opaque objects to
 * <tenant>/<blockID>/<file>.  The block ID and tenant come from
 * meta.json's blockID and tenantID when it has them, else from the
 * directory's name and -t.  Every other file goes first and meta.json
 * last, each checked by size once stored, so the block becomes visible
 * only when it is whole; a re-run after an interruption skips the
 * objects already stored with the right size and completes the block.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common.h"
#include "store.h"

enum {
	OPT_ENDPOINT = OPT_FIRST_PROGRAM_OPTION,
	OPT_INSECURE,
	OPT_RETRIES,
};

#define META	"meta.json"
#define MAX_META	(16u * 1024 * 1024)

static struct cli cli;
static int tenant_given;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tempo-put [-qv] [--endpoint url] [--insecure] [--retries n]\n"
	    "                 [-s store] [-t tenant] blockdir ...\n"
	    "Copy block directories into a store, meta.json last.\n"
	    "  --endpoint URL   the object store's address (S3, GCS or Azure)\n"
	    "  --insecure       do not verify TLS certificates\n"
	    "  -q, --quiet      no warnings\n"
	    "      --retries N  retries of a failed request (default 4)\n"
	    "  -s, --store URL  the store (default $TEMPO_STORE)\n"
	    "  -t, --tenant ID  tenant of blocks without one in meta.json\n"
	    "  -v, --verbose    say what is copied and skipped\n"
	    "  -h, --help       this help;  -V, --version  the version\n");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* segment_ok accepts a block ID or tenant usable as one key segment. */
static int
segment_ok(const char *s)
{
	return *s != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 && strlen(s) <= 255;
}

/*
 * read_meta takes blockID and tenantID from dir/meta.json when present.
 * Returns 0 (fields set or left NULL; *has_meta says if the file exists)
 * or -1 after a message.
 */
static int
read_meta(const char *dir, char **block, char **tenant, int *has_meta)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *m, *v;
	struct stat st;

	*has_meta = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, META);
	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		warn("%s", path);
		return -1;
	}
	if (st.st_size > (off_t)MAX_META) {
		warnx("%s: meta.json larger than %u bytes", dir, MAX_META);
		return -1;
	}
	*has_meta = 1;
	if ((m = json_load_file(path, 0, &je)) == NULL) {
		warnx("%s: meta.json: line %d: %s", dir, je.line, je.text);
		return -1;
	}
	if ((v = json_object_get(m, "blockID")) != NULL && json_is_string(v))
		*block = xstrdup(json_string_value(v));
	if ((v = json_object_get(m, "tenantID")) != NULL && json_is_string(v))
		*tenant = xstrdup(json_string_value(v));
	json_decref(m);
	return 0;
}

/* put_one copies dir/name to key unless it is there with the right size. */
static int
put_one(struct tq_store *s, const char *dir, const char *name,
    const char *key)
{
	char path[PATH_MAX];
	struct tq_err e;
	struct stat st;
	uint64_t size;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		warn("%s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	rc = tq_store_head(s, key, &size, &e);
	if (rc == 0 && size == (uint64_t)st.st_size) {
		if (cli.verbosity > 0)
			warnx("%s: skip %s (already stored)", dir, key);
		close(fd);
		return 0;
	}
	if (rc != 0 && rc != TQ_ENOTFOUND) {
		warnx("%s: %s", dir, e.msg);
		close(fd);
		return -1;
	}
	rc = tq_store_put_fd(s, key, fd, &e);
	close(fd);
	if (rc != 0) {
		warnx("%s: %s", dir, e.msg);
		return -1;
	}
	if ((rc = tq_store_head(s, key, &size, &e)) != 0) {
		warnx("%s: %s", dir, e.msg);
		return -1;
	}
	if (size != (uint64_t)st.st_size) {
		warnx("%s: %s: stored %llu bytes of %llu", dir, key,
		    (unsigned long long)size, (unsigned long long)st.st_size);
		return -1;
	}
	if (cli.verbosity > 0)
		warnx("%s: put %s (%llu bytes)", dir, key,
		    (unsigned long long)size);
	return 0;
}

static int
put_block(struct tq_store *s, const char *dir)
{
	char *block = NULL, *tenant = NULL, **names = NULL, *base, *tmp;
	char key[4096];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	int has_meta, rc = -1;
	DIR *d = NULL;

	if (read_meta(dir, &block, &tenant, &has_meta) != 0)
		goto out;
	if (tenant != NULL && tenant_given && strcmp(tenant, cli.tenant) != 0) {
		warnx("%s: meta.json says tenant %s, not %s", dir, tenant,
		    cli.tenant);
		goto out;
	}
	if (block == NULL) {
		tmp = xstrdup(dir);
		while (strlen(tmp) > 1 && tmp[strlen(tmp) - 1] == '/')
			tmp[strlen(tmp) - 1] = '\0';
		base = strrchr(tmp, '/');
		block = xstrdup(base != NULL ? base + 1 : tmp);
		free(tmp);
	}
	if (tenant == NULL)
		tenant = xstrdup(cli.tenant);
	if (!segment_ok(block) || !segment_ok(tenant)) {
		warnx("%s: unusable block ID or tenant (%s/%s)", dir, tenant,
		    block);
		goto out;
	}
	if ((d = opendir(dir)) == NULL) {
		warn("%s", dir);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.' || strcmp(de->d_name, META) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == -1) {
			warn("%s", path);
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				err(EXIT_FAIL, "realloc");
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		warn("%s", dir);
		goto out;
	}
	if (n == 0 && !has_meta) {
		warnx("%s: no files to copy", dir);
		goto out;
	}
	/* data.parquet first (the largest), then the rest by name. */
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(names[i], "data.parquet") == 0) {
			tmp = names[i];
			memmove(names + 1, names, i * sizeof(*names));
			names[0] = tmp;
		}
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s/%s/%s", tenant, block, names[i]);
		if (put_one(s, dir, names[i], key) != 0)
			goto out;
	}
	if (has_meta) {
		snprintf(key, sizeof(key), "%s/%s/%s", tenant, block, META);
		if (put_one(s, dir, META, key) != 0)
			goto out;
	} else if (cli.verbosity >= 0)
		warnx("%s: no meta.json: the block stays invisible", dir);
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(block);
	free(tenant);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "endpoint",	required_argument,	NULL, OPT_ENDPOINT },
		{ "insecure",	no_argument,		NULL, OPT_INSECURE },
		{ "retries",	required_argument,	NULL, OPT_RETRIES },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct tq_store_opts o;
	struct tq_store *s = NULL;
	struct tq_err e;
	char *end;
	long v;
	int ch, i, rc = EXIT_OK;

	signal(SIGPIPE, SIG_DFL);
	cli_init(&cli, "tempo-put");
	tq_store_opts_init(&o);
	tenant_given = getenv("TEMPO_TENANT") != NULL &&
	    *getenv("TEMPO_TENANT") != '\0';
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case OPT_ENDPOINT:
			o.endpoint = optarg;
			break;
		case OPT_INSECURE:
			o.insecure = true;
			break;
		case OPT_RETRIES:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    v < 0 || v > 100) {
				warnx("--retries: %s: not a number from 0 to 100",
				    optarg);
				usage(stderr);
				return EXIT_USAGE;
			}
			o.retries = (int)v;
			break;
		case 'f':
		case 'o':
		case OPT_START:
		case OPT_END:
			warnx("%s takes no %s option", cli.prog,
			    ch == 'f' ? "-f" : ch == 'o' ? "-o" :
			    ch == OPT_START ? "--start" : "--end");
			usage(stderr);
			return EXIT_USAGE;
		case 't':
			tenant_given = 1;
			cli_option(&cli, ch, optarg, usage);
			break;
		default:
			if (!cli_option(&cli, ch, optarg, usage)) {
				usage(stderr);
				return EXIT_USAGE;
			}
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli.store == NULL || *cli.store == '\0') {
		warnx("no store: give -s or set TEMPO_STORE");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (tq_store_open(cli.store, &o, &s, &e) != 0) {
		warnx("%s: %s", cli.store, e.msg);
		return EXIT_FAIL;
	}
	for (i = 0; i < argc; i++)
		if (put_block(s, argv[i]) != 0)
			rc = EXIT_FAIL;
	tq_store_free(s);
	return close_stdout() != 0 ? EXIT_FAIL : rc;
}
