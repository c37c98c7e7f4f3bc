/*
 * test-wal.c: records come back in order across segments and reopenings; a
 * torn tail (a crash mid-write) is cut off; damage elsewhere is an error;
 * removed segments stay removed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "wal.h"
#include "t.h"

struct seen {
	int	 n;
	int	 ok;		/* every record had the expected content */
	uint64_t last_segment;
};

static int
check_rec(void *arg, uint64_t segment, const void *rec, size_t len,
    struct tq_err *err)
{
	struct seen *s = arg;
	char want[64];

	(void)err;
	snprintf(want, sizeof(want), "record %d", s->n);
	if (len != strlen(want) || memcmp(rec, want, len) != 0)
		s->ok = 0;
	s->n++;
	s->last_segment = segment;
	return 0;
}

static void
append_n(struct tq_wal *w, int from, int to)
{
	char rec[64];
	int i;

	for (i = from; i < to; i++) {
		snprintf(rec, sizeof(rec), "record %d", i);
		tq_wal_append(w, rec, strlen(rec), NULL);
	}
}

int
main(void)
{
	static char longdir[4096];
	char dir[] = "/tmp/test-wal-XXXXXX", path[256], cmd[300];
	struct seen s = { 0, 1, 0 };
	struct tq_wal *w;
	struct tq_err e;
	uint64_t seg;
	int fd;

	if (mkdtemp(dir) == NULL)
		return 1;
	T_EQ_INT(tq_wal_open(dir, check_rec, &s, &w, &e), 0, "open: new WAL");
	T_EQ_INT(s.n, 0, "open: nothing to replay");
	append_n(w, 0, 10);
	T_EQ_INT(tq_wal_rotate(w, &seg, &e), 0, "rotate");
	T_EQ_INT(seg, 2, "rotate: second segment");
	append_n(w, 10, 15);
	tq_wal_close(w);		/* no sync: as after kill -9 */

	T_EQ_INT(tq_wal_open(dir, check_rec, &s, &w, &e), 0, "reopen");
	T_EQ_INT(s.n, 15, "reopen: every record replayed");
	T_OK(s.ok, "reopen: in order, with their bytes");
	T_EQ_INT(tq_wal_segment(w), 3, "reopen: appends go to a new segment");
	tq_wal_close(w);

	/* A directory whose segments' paths would be cut is refused. */
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	w = NULL;
	T_EQ_INT(tq_wal_open(longdir, check_rec, &s, &w, &e), TQ_EINVAL,
	    "open: a path too long for segments refused");
	T_OK(w == NULL && strstr(e.msg, "WAL directory path longer than") !=
	    NULL, "open: ... saying so");

	/* A crash mid-append leaves half a record at the end. */
	snprintf(path, sizeof(path), "%s/%016x.wal", dir, 3);
	fd = open(path, O_WRONLY | O_APPEND);
	T_EQ_INT(write(fd, "\x20\0\0\0\x01\x02\x03\x04half", 12), 12,
	    "torn: write half a record");
	close(fd);
	s.n = 0;
	T_EQ_INT(tq_wal_open(dir, check_rec, &s, &w, &e), 0,
	    "torn: a torn tail is not an error");
	T_EQ_INT(s.n, 15, "torn: the whole records before it replay");
	append_n(w, 15, 16);
	tq_wal_close(w);
	s.n = 0;
	T_EQ_INT(tq_wal_open(dir, check_rec, &s, &w, &e), 0,
	    "torn: reopen after appending again");
	T_EQ_INT(s.n, 16, "torn: the tail was cut, the new record kept");
	T_OK(s.ok, "torn: contents intact");

	/* Free the first two segments. */
	T_EQ_INT(tq_wal_remove_before(w, 3, &e), 0, "remove: before segment 3");
	tq_wal_close(w);
	s.n = 0;
	tq_wal_open(dir, NULL, NULL, &w, &e);
	tq_wal_close(w);
	snprintf(path, sizeof(path), "%s/%016x.wal", dir, 1);
	T_OK(access(path, F_OK) != 0, "remove: segment 1 is gone");

	/* Damage in an older segment is corruption, not a torn tail. */
	snprintf(path, sizeof(path), "%s/%016x.wal", dir, 4);
	fd = open(path, O_WRONLY);
	T_EQ_INT(pwrite(fd, "X", 1, 9), 1, "damage: flip a byte in segment 4");
	close(fd);
	s.n = 0;
	s.ok = 1;
	T_EQ_INT(tq_wal_open(dir, check_rec, &s, &w, &e), TQ_ECORRUPT,
	    "damage: replay fails");
	T_OK(strstr(e.msg, "checksum mismatch") != NULL &&
	    strstr(e.msg, "byte 0") != NULL, "damage: error names file and byte");

	/* A WAL an earlier version wrote (CRC-32 sums) replays whole. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/*", dir);
	if (system(cmd) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%016x.wal", dir, 1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (seg = 0; seg < 3; seg++) {
		unsigned char hdr[8];
		char rec[64];
		uint32_t len, sum;
		int i;

		snprintf(rec, sizeof(rec), "record %d", (int)seg);
		len = (uint32_t)strlen(rec);
		sum = (uint32_t)crc32(crc32(0, NULL, 0), (const Bytef *)rec, len);
		for (i = 0; i < 4; i++) {
			hdr[i] = (unsigned char)(len >> (8 * i));
			hdr[4 + i] = (unsigned char)(sum >> (8 * i));
		}
		if (write(fd, hdr, 8) != 8 || write(fd, rec, len) != (ssize_t)len)
			return 1;
	}
	close(fd);
	s.n = 0;
	s.ok = 1;
	T_EQ_INT(tq_wal_open(dir, check_rec, &s, &w, &e), 0,
	    "old sums: the WAL opens");
	T_EQ_INT(s.n, 3, "old sums: every record replays, none cut as torn");
	T_OK(s.ok, "old sums: contents intact");
	tq_wal_close(w);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
