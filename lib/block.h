/*
 * block.h: Tempo's vParquet4 blocks (tempo-block(5)).
 *
 * A block is a directory of objects in a store, <tenant>/<blockID>/:
 * data.parquet (one row per trace, sorted by trace ID, Tempo's vParquet4
 * schema), bloom-0..N (trace ID bloom shards), index (the largest trace
 * ID of each row group) and meta.json, written last: its presence makes
 * the block visible.
 *
 * This header has three parts: the vParquet4 mapping (OTLP trace <->
 * Parquet record), the block writer and the block reader.
 */
#ifndef TQ_BLOCK_H
#define TQ_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "otlp.h"
#include "parquet.h"

#define TQ_BLOCK_FORMAT		"vParquet4"
#define TQ_BLOCK_MAX_DEDICATED	10	/* string columns per scope */

/* Where a dedicated attribute column lives. */
enum tq_block_scope {
	TQ_BLOCK_SCOPE_SPAN,
	TQ_BLOCK_SCOPE_RESOURCE,
};

/* One dedicated column: an attribute stored in its own string column. */
struct tq_block_dedicated {
	int		 scope;		/* enum tq_block_scope */
	const char	*name;		/* attribute key */
};

/*
 * The vParquet4 mapping for one set of dedicated columns.  The schema is
 * Tempo's, column for column; the dedicated columns say which attribute
 * goes to String01..String10 of the span and resource scopes.
 */
struct tq_vp4;

/*
 * tq_vp4_new builds the mapping for n dedicated columns (at most
 * TQ_BLOCK_MAX_DEDICATED per scope, string attributes; names copied).
 * Returns 0, TQ_EINVAL or TQ_ENOMEM.
 */
int	tq_vp4_new(const struct tq_block_dedicated *ded, size_t n,
	    struct tq_vp4 **out, struct tq_err *err);

/* tq_vp4_free frees m (NULL allowed). */
void	tq_vp4_free(struct tq_vp4 *m);

/* tq_vp4_schema returns the Parquet schema, valid while m lives. */
const struct tq_parquet_schema *tq_vp4_schema(const struct tq_vp4 *m);

/*
 * tq_vp4_column_opts gives the encoding and dictionary choice for column
 * col of the schema (delta for integers, dictionaries for strings, plain
 * for IDs).
 */
void	tq_vp4_column_opts(const struct tq_vp4 *m, int col,
	    struct tq_parquet_column_opts *o);

/*
 * tq_vp4_from_trace turns one trace (every span shares one trace ID;
 * combine parts first) into a record tree for tq_parquet_writer_write_
 * record, allocated from a.  Trace-level columns and nested-set numbers
 * are computed here.  *info (if not NULL) receives the trace's ID, start
 * and end.  Returns 0, TQ_EINVAL (no spans) or TQ_ENOMEM.
 */
struct tq_trace_info;
int	tq_vp4_from_trace(const struct tq_vp4 *m, const Tq__TracesData *td,
	    struct tq_arena *a, struct tq_parquet_datum *rec,
	    struct tq_trace_info *info, struct tq_err *err);

/*
 * Reading goes by column names, not positions, so blocks written by Tempo
 * (parquet-go) or by other Parquet writers, whose field order or list
 * conventions differ, read the same.  A struct tq_vp4_reader serves the
 * records of one file schema.
 */
struct tq_vp4_reader;

/*
 * tq_vp4_reader_new prepares to read records of schema s (which must
 * outlive the reader) with the n dedicated columns of the block's
 * meta.json.  Returns 0, TQ_ECORRUPT (not a vParquet4 schema: no TraceID
 * or rs) or TQ_ENOMEM.
 */
int	tq_vp4_reader_new(const struct tq_parquet_schema *s,
	    const struct tq_block_dedicated *ded, size_t n,
	    struct tq_vp4_reader **out, struct tq_err *err);

/* tq_vp4_reader_free frees r (NULL allowed). */
void	tq_vp4_reader_free(struct tq_vp4_reader *r);

/*
 * tq_vp4_reader_trace turns one assembled record into a TracesData
 * allocated from a; strings are copied into a.  Attributes of the
 * well-known and dedicated columns come back as attributes.  Returns 0,
 * TQ_ECORRUPT (the record does not fit the schema) or TQ_ENOMEM.
 */
int	tq_vp4_reader_trace(struct tq_vp4_reader *r,
	    const struct tq_parquet_datum *rec, struct tq_arena *a,
	    Tq__TracesData **out, struct tq_err *err);

#endif
