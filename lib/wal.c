/*
 * wal.c: write-ahead log (see wal.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <xxhash.h>
#include <zlib.h>
/* On x86, libxxhash picks the widest vector unit the CPU has at run time
 * (same hashes): records are long, so that is several times faster. */
#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<xxh_x86dispatch.h>)
#define XXH_DISPATCH_DISABLE_REPLACE
#include <xxh_x86dispatch.h>
#define WAL_XXH3	XXH3_64bits_dispatch
#endif
#endif
#ifndef WAL_XXH3
#define WAL_XXH3	XXH3_64bits
#endif

#include "limits.h"
#include "wal.h"

#define HDR	8

struct tq_wal {
	char		*dir;
	int		 fd;		/* current segment */
	int		 dirfd;
	uint64_t	 segment;
	off_t		 size;		/* bytes in the current segment */
};

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* sum_of is a record's checksum: the low 32 bits of its XXH3 hash. */
static uint32_t
sum_of(const void *p, size_t n)
{
	return (uint32_t)WAL_XXH3(p, n);
}

/*
 * sum_ok says whether sum checks the n bytes at p: sum_of, or the CRC-32
 * that WALs written by earlier versions carry, so that a WAL left by an
 * upgraded tempo-pack still replays whole instead of being cut as torn.
 */
static bool
sum_ok(const void *p, size_t n, uint32_t sum)
{
	return sum_of(p, n) == sum ||
	    (uint32_t)crc32(crc32(0, NULL, 0), p, (uInt)n) == sum;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* list_segments returns the sorted segment numbers in dir (malloc'd). */
static int
list_segments(const char *dir, uint64_t **out, size_t *n, struct tq_err *err)
{
	uint64_t *segs = NULL, *p;
	size_t len = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return tq_err_sys(err, dir);
	while ((de = readdir(d)) != NULL) {
		char *end;
		uint64_t v;

		if (strlen(de->d_name) != 20 ||
		    strcmp(de->d_name + 16, ".wal") != 0)
			continue;
		v = strtoull(de->d_name, &end, 16);
		if (end != de->d_name + 16)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(segs, cap * sizeof(*segs))) == NULL) {
				free(segs);
				closedir(d);
				return tq_err_set(err, TQ_ENOMEM, "%s: out of memory",
				    dir);
			}
			segs = p;
		}
		segs[len++] = v;
	}
	closedir(d);
	if (len > 0)
		qsort(segs, len, sizeof(*segs), cmp_u64);
	*out = segs;
	*n = len;
	return 0;
}

/* A segment's path: the directory, a slash, 16 hex digits and ".wal". */
#define WAL_PATH_MAX	4096
#define WAL_NAME_LEN	(1 + 16 + 4)

static void
segment_path(char *buf, size_t size, const char *dir, uint64_t seg)
{
	snprintf(buf, size, "%s/%016" PRIx64 ".wal", dir, seg);
}

/*
 * replay_segment feeds one segment's records to fn.  A torn tail is cut off
 * when last is set (the crash case); elsewhere it is corruption.
 */
static int
replay_segment(const char *dir, uint64_t seg, int last, tq_wal_replay_fn *fn,
    void *arg, struct tq_err *err)
{
	unsigned char hdr[HDR], *rec = NULL;
	char path[WAL_PATH_MAX];
	off_t off = 0;
	int fd, rc = 0;

	segment_path(path, sizeof(path), dir, seg);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return tq_err_sys(err, path);
	for (;;) {
		ssize_t got = pread(fd, hdr, HDR, off);
		uint32_t len, sum;
		const char *why = NULL;

		if (got == 0)
			break;
		if (got < 0) {
			rc = tq_err_sys(err, path);
			break;
		}
		len = get32(hdr);
		sum = get32(hdr + 4);
		if (got < HDR)
			why = "truncated record header";
		else if (len > TQ_MAX_RECORD)
			why = "record length over the limit";
		else {
			free(rec);
			if ((rec = malloc(len ? len : 1)) == NULL) {
				rc = tq_err_set(err, TQ_ENOMEM, "%s: out of memory",
				    path);
				break;
			}
			got = pread(fd, rec, len, off + HDR);
			if (got < 0) {
				rc = tq_err_sys(err, path);
				break;
			}
			if ((size_t)got < len)
				why = "truncated record";
			else if (!sum_ok(rec, len, sum))
				why = "checksum mismatch";
		}
		if (why != NULL) {
			/* Only a crash's torn write may end the newest segment. */
			if (last && ftruncate(fd, off) == 0 && fsync(fd) == 0)
				break;
			rc = tq_err_set(err, TQ_ECORRUPT, "%s: byte %lld: %s", path,
			    (long long)off, why);
			break;
		}
		if (fn != NULL && (rc = fn(arg, seg, rec, len, err)) != 0)
			break;
		off += HDR + (off_t)len;
	}
	free(rec);
	close(fd);
	return rc;
}

static int
open_segment(struct tq_wal *w, uint64_t seg, struct tq_err *err)
{
	char path[WAL_PATH_MAX];
	int fd;

	segment_path(path, sizeof(path), w->dir, seg);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1)
		return tq_err_sys(err, path);
	if (fsync(w->dirfd) != 0) {
		close(fd);
		return tq_err_sys(err, w->dir);
	}
	if (w->fd != -1)
		close(w->fd);
	w->fd = fd;
	w->segment = seg;
	w->size = lseek(fd, 0, SEEK_END);
	return 0;
}

int
tq_wal_open(const char *dir, tq_wal_replay_fn *fn, void *arg,
    struct tq_wal **out, struct tq_err *err)
{
	struct tq_wal *w;
	uint64_t *segs = NULL, next = 1;
	size_t i, n = 0;
	int rc;

	/* Cut, a segment's path would name another file. */
	if (strlen(dir) >= WAL_PATH_MAX - WAL_NAME_LEN)
		return tq_err_set(err, TQ_EINVAL, "%.64s...: WAL directory path "
		    "longer than %d bytes", dir, WAL_PATH_MAX - WAL_NAME_LEN - 1);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return tq_err_sys(err, dir);
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->dir = strdup(dir)) == NULL) {
		free(w);
		return tq_err_set(err, TQ_ENOMEM, "%s: out of memory", dir);
	}
	w->fd = -1;
	if ((w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rc = tq_err_sys(err, dir);
		goto fail;
	}
	if ((rc = list_segments(dir, &segs, &n, err)) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = replay_segment(dir, segs[i], i == n - 1, fn, arg,
		    err)) != 0)
			goto fail;
	if (n > 0)
		next = segs[n - 1] + 1;
	if ((rc = open_segment(w, next, err)) != 0)
		goto fail;
	free(segs);
	*out = w;
	return 0;
fail:
	free(segs);
	tq_wal_close(w);
	return rc;
}

void
tq_wal_close(struct tq_wal *w)
{
	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	if (w->dirfd > 0)
		close(w->dirfd);
	free(w->dir);
	free(w);
}

int
tq_wal_append(struct tq_wal *w, const void *rec, size_t len,
    struct tq_err *err)
{
	unsigned char hdr[HDR];
	struct iovec iov[2];
	ssize_t put;

	if (len > TQ_MAX_RECORD)
		return tq_err_set(err, TQ_ELIMIT,
		    "wal: record of %zu bytes over the limit", len);
	put32(hdr, (uint32_t)len);
	put32(hdr + 4, sum_of(rec, len));
	iov[0].iov_base = hdr;
	iov[0].iov_len = HDR;
	iov[1].iov_base = (void *)(uintptr_t)rec;
	iov[1].iov_len = len;
	/* One writev keeps the record whole; a short one (disk full) is cut
	 * back off, so no torn record is left before later ones. */
	do
		put = writev(w->fd, iov, 2);
	while (put == -1 && errno == EINTR);
	if (put != (ssize_t)(HDR + len)) {
		int saved = put >= 0 ? ENOSPC : errno;

		if (put > 0 && ftruncate(w->fd, w->size) != 0)
			saved = errno;
		errno = saved;
		return tq_err_sys(err, "wal: append");
	}
	w->size += (off_t)(HDR + len);
	return 0;
}

int
tq_wal_sync(struct tq_wal *w, struct tq_err *err)
{
	if (fdatasync(w->fd) != 0)
		return tq_err_sys(err, "wal: sync");
	return 0;
}

uint64_t
tq_wal_segment(const struct tq_wal *w)
{
	return w->segment;
}

int
tq_wal_rotate(struct tq_wal *w, uint64_t *segment, struct tq_err *err)
{
	int rc;

	if ((rc = tq_wal_sync(w, err)) != 0 ||
	    (rc = open_segment(w, w->segment + 1, err)) != 0)
		return rc;
	if (segment != NULL)
		*segment = w->segment;
	return 0;
}

int
tq_wal_remove_before(struct tq_wal *w, uint64_t segment, struct tq_err *err)
{
	uint64_t *segs;
	char path[WAL_PATH_MAX];
	size_t i, n;
	int rc;

	if ((rc = list_segments(w->dir, &segs, &n, err)) != 0)
		return rc;
	for (i = 0; i < n && segs[i] < segment; i++) {
		segment_path(path, sizeof(path), w->dir, segs[i]);
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = tq_err_sys(err, path);
			break;
		}
	}
	free(segs);
	if (rc == 0 && fsync(w->dirfd) != 0)
		rc = tq_err_sys(err, w->dir);
	return rc;
}
