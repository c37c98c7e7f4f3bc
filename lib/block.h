/*
 * block.h: Tempo's vParquet4 blocks (tempo-block(5)).
 *
 * A block is a directory of objects in a store, <tenant>/<blockID>/:
 * data.parquet (one row per trace, sorted by trace ID, Tempo's vParquet4
 * schema), bloom-0..N (trace ID bloom shards), index (the largest trace
 * ID of each row group), values (a filter of the string values the block
 * holds, ours alone: Tempo ignores it) and meta.json, written last: its
 * presence makes the block visible.
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
#include "buf.h"
#include "err.h"
#include "otlp.h"
#include "parquet.h"

#define TQ_BLOCK_FORMAT		"vParquet4"
#define TQ_BLOCK_MAX_DEDICATED	10	/* string columns per scope */
#define TQ_BLOCK_MAX_DED_NAME	255	/* bytes of a dedicated column's name */

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
 * TQ_BLOCK_MAX_DEDICATED per scope, string attributes, names of at most
 * TQ_BLOCK_MAX_DED_NAME bytes; names copied).
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
 * col of the schema (PLAIN integers, with dictionaries except for times
 * and durations; dictionaries for strings; DELTA_LENGTH_BYTE_ARRAY for
 * IDs).
 */
void	tq_vp4_column_opts(const struct tq_vp4 *m, int col,
	    struct tq_parquet_column_opts *o);

struct tq_trace_info;

/*
 * Writing shreds traces straight into per-column batches (no record
 * trees): a struct tq_vp4_rows buffers the rows of some traces, column by
 * column, until tq_vp4_rows_write hands them to a Parquet writer of the
 * mapping's schema.
 */
struct tq_vp4_rows;

/*
 * tq_vp4_rows_new prepares to buffer rows of m's schema; m must outlive
 * it.  Returns 0 or TQ_ENOMEM.
 */
int	tq_vp4_rows_new(const struct tq_vp4 *m, struct tq_vp4_rows **out,
	    struct tq_err *err);

/* tq_vp4_rows_free frees r (NULL allowed). */
void	tq_vp4_rows_free(struct tq_vp4_rows *r);

/*
 * tq_vp4_rows_add shreds one trace (every span shares one trace ID;
 * combine parts first) into r as one row; info is the trace's
 * tq_trace_info(), whose trace-level values and nested-set numbers go
 * into their columns.  The rows copy what they keep.  Returns 0,
 * TQ_ELIMIT or TQ_ENOMEM; after a failure r only fails.
 */
int	tq_vp4_rows_add(struct tq_vp4_rows *r, const Tq__TracesData *td,
	    const struct tq_trace_info *info, struct tq_err *err);

/* A trace read from its protobuf encoding by tq_vp4_trace_parse. */
struct tq_vp4_trace {
	uint8_t		 id[TQ_TRACE_ID_LEN];	/* the first span's */
	uint64_t	 start_ns;		/* earliest span start */
	uint64_t	 end_ns;		/* latest span end */
	size_t		 n_spans;		/* after combining */
	size_t		 dropped;		/* repeated spans left out */
	void		*priv;			/* the spans, in the arena */
};

/*
 * tq_vp4_trace_parse reads one trace from pb: the protobuf encoding of
 * TracesData parts whose spans all share one trace ID, concatenated.  The
 * parts are combined as tq_trace_combine does, except that resources and
 * scopes are joined when their encodings (all fields but the children)
 * are equal byte for byte; t refers to pb and to memory from a, which
 * must both outlive it.  Strings are not checked for UTF-8 (see
 * tq_otlp_pb_check).  Returns 0, TQ_ECORRUPT (malformed, with the byte
 * offset), TQ_EINVAL (no spans) or TQ_ENOMEM.
 */
int	tq_vp4_trace_parse(const void *pb, size_t len, struct tq_arena *a,
	    struct tq_vp4_trace *t, struct tq_err *err);

/* One piece of a trace's protobuf: complete TracesData fields. */
struct tq_pb_part {
	const void	*p;
	size_t		 len;
};

/*
 * tq_vp4_trace_parse_parts is tq_vp4_trace_parse of the n parts, read in
 * place as if concatenated (byte offsets in errors count so); the parts'
 * bytes must outlive t, the list itself need not.
 */
int	tq_vp4_trace_parse_parts(const struct tq_pb_part *parts, size_t n,
	    struct tq_arena *a, struct tq_vp4_trace *t, struct tq_err *err);

/*
 * tq_vp4_rows_add_trace shreds a trace read by tq_vp4_trace_parse into r
 * as one row, the row tq_vp4_rows_add makes of the same trace unpacked
 * and combined.  Returns 0, TQ_ECORRUPT (attributes, events or links
 * malformed), TQ_ELIMIT or TQ_ENOMEM; after a failure r only fails.
 */
int	tq_vp4_rows_add_trace(struct tq_vp4_rows *r,
	    const struct tq_vp4_trace *t, struct tq_err *err);

/* tq_vp4_rows_bytes says roughly how many bytes r buffers. */
size_t	tq_vp4_rows_bytes(const struct tq_vp4_rows *r);

/*
 * tq_vp4_rows_write appends the buffered rows to w (whose schema is the
 * mapping's) and empties r.  Returns 0 or the writer's error.
 */
int	tq_vp4_rows_write(struct tq_vp4_rows *r, struct tq_parquet_writer *w,
	    struct tq_err *err);

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

/* ---- writing ---- */

struct tq_store;
struct tq_block_meta;

struct tq_block_opts {
	size_t		 row_group_bytes;	/* cut a row group past this much
						   trace data (protobuf bytes) */
	int		 zstd_level;
	double		 bloom_fp;
	size_t		 bloom_shard_bytes;
	const struct tq_block_dedicated *dedicated;
	size_t		 n_dedicated;
	uint32_t	 compaction_level;
	uint32_t	 replication_factor;
	const char	*tmpdir;		/* for data.parquet while written */
	/*
	 * Called after data, bloom and index are stored and before
	 * meta.json makes the block visible (tempo-pack records its WAL
	 * checkpoint there); non-zero aborts the block.  May be NULL.
	 */
	int		(*before_publish)(void *arg,
			    const struct tq_block_meta *m, struct tq_err *err);
	void		*publish_arg;
};

/* tq_block_opts_init fills o with the defaults (Tempo's where they fit). */
void	tq_block_opts_init(struct tq_block_opts *o);

struct tq_block_writer;

/*
 * tq_block_writer_new starts a block of tenant for store s, sized for
 * about est_traces traces (the bloom filter).  Nothing is visible in the
 * store until tq_block_writer_finish.  Returns 0, TQ_EINVAL, TQ_EIO or
 * TQ_ENOMEM.
 */
int	tq_block_writer_new(struct tq_store *s, const char *tenant,
	    const struct tq_block_opts *o, size_t est_traces,
	    struct tq_block_writer **out, struct tq_err *err);

/*
 * tq_block_writer_add appends one whole trace (combine its parts first);
 * trace IDs must come in strictly increasing byte order.  size_hint is
 * the trace's protobuf size if the caller knows it (0: computed), for
 * cutting row groups.  Returns 0, TQ_EINVAL (order, empty trace), TQ_EIO
 * or TQ_ENOMEM.
 */
int	tq_block_writer_add(struct tq_block_writer *w, const Tq__TracesData *td,
	    size_t size_hint, struct tq_err *err);

/*
 * tq_block_writer_add_pb is tq_block_writer_add for a trace given as
 * concatenated TracesData parts in protobuf (see tq_vp4_trace_parse),
 * combined on the way; pb need not outlive the call.  Returns 0,
 * TQ_ECORRUPT, TQ_EINVAL (no spans, traces out of order), TQ_ELIMIT or
 * TQ_ENOMEM.  A trace refused as malformed in its attributes, events or
 * links fails the writer.
 */
int	tq_block_writer_add_pb(struct tq_block_writer *w, const void *pb,
	    size_t len, struct tq_err *err);

/* tq_block_writer_add_pb_parts is tq_block_writer_add_pb of the n parts,
 * read in place as if concatenated (see tq_vp4_trace_parse_parts). */
int	tq_block_writer_add_pb_parts(struct tq_block_writer *w,
	    const struct tq_pb_part *parts, size_t n, struct tq_err *err);

/*
 * tq_block_writer_finish writes the block: data.parquet, the bloom shards
 * and the index, then meta.json, which makes it visible.  *meta (if not
 * NULL) receives what was written.  An empty block writes nothing and
 * returns TQ_EINVAL.  Returns 0 or the store's error; on failure no
 * meta.json exists, so no partial block is visible.
 */
int	tq_block_writer_finish(struct tq_block_writer *w,
	    struct tq_block_meta *meta, struct tq_err *err);

/* tq_block_writer_free frees w and its temporary file (NULL allowed). */
void	tq_block_writer_free(struct tq_block_writer *w);

/* ---- meta.json ---- */

#define TQ_BLOCK_ID_LEN		36	/* UUID text */
#define TQ_BLOCK_MAX_META_DED	(2 * TQ_BLOCK_MAX_DEDICATED)

/* A block's meta.json (reference/tempo.md §4.3). */
struct tq_block_meta {
	char			 format[16];
	char			 block_id[TQ_BLOCK_ID_LEN + 1];
	char			 tenant[256];
	int64_t			 start_s;	/* unix seconds */
	int64_t			 end_s;
	uint64_t		 total_objects;	/* traces */
	uint64_t		 size;		/* bytes of data.parquet */
	uint32_t		 compaction_level;
	uint32_t		 total_records;	/* row groups */
	uint32_t		 bloom_shards;
	uint32_t		 footer_size;
	uint32_t		 replication_factor;
	uint32_t		 values_size;	/* the values object; 0: none */
	int64_t			 compacted_s;	/* meta.compacted.json only */
	struct tq_block_dedicated ded[TQ_BLOCK_MAX_META_DED];
	size_t			 n_ded;
	char			 ded_names[TQ_BLOCK_MAX_META_DED]
				    [TQ_BLOCK_MAX_DED_NAME + 1];
};

/*
 * tq_block_meta_json appends m as Tempo's meta.json (compactedTime too
 * when compacted_s is set).  Returns 0 or the error of tq_buf_reserve.
 */
int	tq_block_meta_json(const struct tq_block_meta *m, struct tq_buf *out,
	    struct tq_err *err);

/*
 * tq_block_meta_parse reads meta.json text into *m (legacy and unknown
 * keys ignored; a missing bloomShards means Tempo's legacy 10).  Returns 0,
 * TQ_ECORRUPT with the offending key in err, or TQ_EUNSUPPORTED for a
 * dedicated column name over TQ_BLOCK_MAX_DED_NAME bytes.
 */
int	tq_block_meta_parse(const char *json, size_t len,
	    struct tq_block_meta *m, struct tq_err *err);

/*
 * tq_block_index_json appends the row-group index object: the largest
 * trace ID of each of the n row groups, base64.  tq_block_index_parse
 * reads one back into ids (16 bytes each, allocated from a).
 */
int	tq_block_index_json(const uint8_t (*ids)[TQ_TRACE_ID_LEN], size_t n,
	    struct tq_buf *out, struct tq_err *err);
int	tq_block_index_parse(const char *json, size_t len, struct tq_arena *a,
	    uint8_t (**ids)[TQ_TRACE_ID_LEN], size_t *n, struct tq_err *err);

/* ---- reading ---- */

struct tq_block;

/*
 * tq_block_open opens block id of tenant in s by reading its meta.json.
 * Returns 0, TQ_ENOTFOUND (no meta.json: not a visible block),
 * TQ_ECORRUPT, TQ_EIO or TQ_ENOMEM.
 */
int	tq_block_open(struct tq_store *s, const char *tenant, const char *id,
	    struct tq_block **out, struct tq_err *err);

/* tq_block_open_meta opens a block whose meta is already known. */
int	tq_block_open_meta(struct tq_store *s, const struct tq_block_meta *m,
	    struct tq_block **out, struct tq_err *err);

/* tq_block_free frees b (NULL allowed). */
void	tq_block_free(struct tq_block *b);

/*
 * tq_block_keep_shards says whether b keeps the bloom shards it reads for
 * its next lookups (the default) or reads each into a buffer freed after
 * the lookup: for one lookup, keeping them costs memory and the page
 * faults of filling it.  A shard already kept stays.
 */
void	tq_block_keep_shards(struct tq_block *b, bool keep);

/* tq_block_meta returns b's meta, valid while b lives. */
const struct tq_block_meta *tq_block_get_meta(const struct tq_block *b);

/* What a lookup did in one block, for tempo-get --explain. */
struct tq_block_explain {
	const char	*outcome;	/* "bloom: absent", "found", ... */
	int		 row_group;	/* -1 when none was read */
	unsigned	 reads;		/* object reads */
	uint64_t	 bytes;		/* bytes read */
};

/*
 * tq_block_find looks for trace id in b: the bloom shard (one read), the
 * Parquet footer (one read, its TraceID statistics choose the row group;
 * the index object when a file has none) and that row group's columns
 * (one read).  A block keeps the bloom shards it has read: its next
 * lookups skip that read.  Told not to (tq_block_keep_shards), it reads
 * of a shard only what the test needs (tq_store_visit).  On 1 *out is
 * the trace, allocated from a.  Returns 1 (found), 0 (not in this block)
 * or an error.  ex may be NULL.
 */
int	tq_block_find(struct tq_block *b, const uint8_t id[TQ_TRACE_ID_LEN],
	    struct tq_arena *a, Tq__TracesData **out,
	    struct tq_block_explain *ex, struct tq_err *err);

/*
 * tq_block_parquet opens b's data.parquet for a scan: the footer in one
 * read (its size is in meta.json), then one ranged read of the store for
 * each column chunk the caller reads.  *out must be freed before b; a
 * block and its reader serve one thread at a time.  Returns 0 or an
 * error as tq_parquet_reader_open, err naming the object.
 */
int	tq_block_parquet(struct tq_block *b, struct tq_parquet_reader **out,
	    struct tq_err *err);

/*
 * The values filter (object "values"): a split-block Bloom filter of
 * every distinct value of the block's string columns that are
 * dictionary-encoded in every row group (the union of their dictionary
 * pages).  A lookup reads the header once, then one 32-byte block, so a
 * search for a value the block lacks skips it after two small reads.
 */
struct tq_block_values;

/*
 * A values builder makes the filter of a file as it is written: it sees
 * each column chunk of each row group through the Parquet writer's chunk
 * callback (tq_block_values_builder_add has its arguments).
 */
struct tq_block_values_builder;

/*
 * tq_block_values_builder_new starts the filter of a file of schema s
 * (which must outlive the builder).  On success *out is a new builder
 * owned by the caller.  Returns 0 or TQ_ENOMEM.
 */
int	tq_block_values_builder_new(const struct tq_parquet_schema *s,
	    struct tq_block_values_builder **out, struct tq_err *err);

/*
 * tq_block_values_builder_add takes in the chunk of column col just
 * written: its metadata and its dictionary page's dict_n PLAIN entries
 * (dict_len bytes at dict; NULL when it has none), as a
 * tq_parquet_chunk_fn gets them.  Returns 0, TQ_ENOMEM or TQ_EINVAL (a
 * dictionary whose entries overrun its bytes).
 */
int	tq_block_values_builder_add(struct tq_block_values_builder *b,
	    int col, const struct tq_parquet_chunk *meta, const uint8_t *dict,
	    size_t dict_len, size_t dict_n, struct tq_err *err);

/*
 * tq_block_values_builder_finish appends the filter of the chunks added
 * to out; out stays as it was when they hold more than
 * TQ_BLOCK_MAX_VALUES distinct values (no filter then).  Returns 0 or
 * TQ_ENOMEM.
 */
int	tq_block_values_builder_finish(struct tq_block_values_builder *b,
	    struct tq_buf *out, struct tq_err *err);

/* tq_block_values_builder_free frees b (NULL allowed). */
void	tq_block_values_builder_free(struct tq_block_values_builder *b);

/* tq_block_values_header_len gives the header's length from the first
 * len bytes of a filter (20 suffice), 0 when they are not one. */
size_t	tq_block_values_header_len(const void *p, size_t len);

/* tq_block_values_parse checks and reads a filter's header (its first len
 * bytes).  Returns 0, TQ_ECORRUPT, TQ_EUNSUPPORTED (a later version) or
 * TQ_ENOMEM. */
int	tq_block_values_parse(const void *p, size_t len,
	    struct tq_block_values **out, struct tq_err *err);

/* tq_block_values_free frees v (NULL allowed). */
void	tq_block_values_free(struct tq_block_values *v);

/* tq_block_values_size gives the object's size the header implies. */
uint64_t tq_block_values_size(const struct tq_block_values *v);

/*
 * tq_block_values_locate gives where value of column (a dotted path) would
 * be: the offset of its 32-byte block in the object and the bits to test
 * there.  False when the filter does not cover the column.
 */
bool	tq_block_values_locate(const struct tq_block_values *v,
	    const char *column, const void *value, size_t len, uint64_t *off,
	    uint32_t probe[8]);

/* tq_block_values_probe says whether block may hold the value of probe. */
bool	tq_block_values_probe(const uint32_t probe[8], const uint8_t block[32]);

/*
 * tq_block_value_absent says whether value is certainly in no row of
 * column of b: false when b has no filter or the filter does not cover
 * the column.  The first call reads the header.  Returns 0 or an error
 * naming the object.
 */
int	tq_block_value_absent(struct tq_block *b, const char *column,
	    const void *value, size_t len, bool *absent, struct tq_err *err);

/* tq_block_io gives the object reads and bytes b has made so far. */
void	tq_block_io(const struct tq_block *b, uint64_t *reads,
	    uint64_t *bytes);

/*
 * A tq_block_list_fn receives each visible block of a tenant (meta.json
 * present) with its meta, and each compacted one (meta.compacted.json,
 * compacted_s set) when the listing asks for them.  Non-zero stops.
 */
typedef int	(*tq_block_list_fn)(void *arg, const struct tq_block_meta *m);

/*
 * tq_block_list calls fn for every block of tenant in s, in block ID
 * order; blocks without meta.json (being written, or abandoned) are
 * skipped.  A block whose meta.json cannot be parsed is left out and the
 * listing goes on; it then returns TQ_ECORRUPT naming the (first) one,
 * after fn has seen every good block.  Returns 0, TQ_ECORRUPT, fn's value
 * or the store's error.
 */
int	tq_block_list(struct tq_store *s, const char *tenant,
	    bool with_compacted, tq_block_list_fn fn, void *arg,
	    struct tq_err *err);

/* tq_block_new_id writes a new random UUIDv4 and a NUL to id. */
int	tq_block_new_id(char id[TQ_BLOCK_ID_LEN + 1], struct tq_err *err);

#endif
