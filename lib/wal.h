/*
 * wal.h: write-ahead log of opaque records, for tempo-pack and tempo-serve.
 *
 * A WAL is a directory of segment files NNNNNNNNNNNNNNNN.wal (hex segment
 * numbers, ascending).  A record is [u32 LE length][u32 LE checksum:
 * the low 32 bits of the payload's XXH3 64-bit hash; replay also accepts
 * the CRC-32 earlier versions wrote][payload].  Appends go
 * to the newest segment through write(2), so a record survives kill -9 as
 * soon as tq_wal_append returns, and a power loss after tq_wal_sync.  Replay reads every segment in order; a torn
 * record at the end of the newest segment (the write a crash interrupted)
 * is cut off, while damage anywhere else is an error.
 *
 * Callers free space with tq_wal_rotate (start a new segment) and
 * tq_wal_remove_before (delete segments whose records are all durable
 * elsewhere, for example in a written block).
 */
#ifndef TQ_WAL_H
#define TQ_WAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct tq_wal;

/*
 * tq_wal_replay_fn receives each record of a replay with its segment
 * number.  Returning non-zero stops the replay with that code.
 */
typedef int tq_wal_replay_fn(void *arg, uint64_t segment, const void *rec,
    size_t len, struct tq_err *err);

/*
 * tq_wal_open opens (creating it if needed) the WAL in dir, first replaying
 * every existing record through fn (which may be NULL), then starting a new
 * segment for appends.  Returns 0, TQ_EIO, TQ_ECORRUPT or fn's code.
 */
int	tq_wal_open(const char *dir, tq_wal_replay_fn *fn, void *arg,
	    struct tq_wal **out, struct tq_err *err);

/* tq_wal_close closes w without deleting anything (NULL allowed). */
void	tq_wal_close(struct tq_wal *w);

/* tq_wal_append writes one record of len bytes (at most TQ_MAX_RECORD). */
int	tq_wal_append(struct tq_wal *w, const void *rec, size_t len,
	    struct tq_err *err);

/* tq_wal_sync makes every appended record durable on disk (fdatasync). */
int	tq_wal_sync(struct tq_wal *w, struct tq_err *err);

/*
 * tq_wal_rotate closes the current segment and starts the next; *segment
 * (if not NULL) is the new segment's number.  Records appended from now on
 * are in segments >= it.
 */
int	tq_wal_rotate(struct tq_wal *w, uint64_t *segment, struct tq_err *err);

/* tq_wal_segment returns the number of the segment appends go to. */
uint64_t tq_wal_segment(const struct tq_wal *w);

/* tq_wal_remove_before deletes every segment numbered below segment. */
int	tq_wal_remove_before(struct tq_wal *w, uint64_t segment,
	    struct tq_err *err);

#endif
