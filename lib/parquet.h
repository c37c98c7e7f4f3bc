/*
 * parquet.h: a general Apache Parquet reader and writer.
 *
 * The module knows nothing of traces.  A schema is a depth-first array of
 * nodes, exactly as Parquet stores it in its footer; the leaves are the
 * columns.  Values travel column by column as flat arrays with their
 * repetition and definition levels (Dremel), so a caller with a fixed,
 * deeply nested schema can shred its records itself, or hand whole records
 * (struct tq_parquet_datum trees) to the built-in shredder and assembler.
 *
 * Writing streams: values are buffered, encoded and compressed one row
 * group at a time and pushed through a write callback; only the footer is
 * held until close.  Reading goes through a range-read callback: the
 * footer first, then only the column chunks asked for, so an object store
 * serves only what a query needs.  Row groups can be skipped from their
 * statistics or from their dictionary page without decoding data pages.
 *
 * Everything read is checked against the limits of limits.h and against the
 * caller's memory cap: a corrupt file gives TQ_ECORRUPT or TQ_ELIMIT with
 * the column and byte offset in err, never a crash.
 */
#ifndef TQ_PARQUET_H
#define TQ_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Physical types (parquet.thrift Type). */
enum tq_parquet_type {
	TQ_PARQUET_BOOLEAN = 0,
	TQ_PARQUET_INT32 = 1,
	TQ_PARQUET_INT64 = 2,
	TQ_PARQUET_INT96 = 3,		/* read only, as 12 raw bytes */
	TQ_PARQUET_FLOAT = 4,
	TQ_PARQUET_DOUBLE = 5,
	TQ_PARQUET_BYTE_ARRAY = 6,
	TQ_PARQUET_FIXED_LEN_BYTE_ARRAY = 7,
};

/* Field repetition (parquet.thrift FieldRepetitionType). */
enum tq_parquet_repetition {
	TQ_PARQUET_REQUIRED = 0,
	TQ_PARQUET_OPTIONAL = 1,
	TQ_PARQUET_REPEATED = 2,
};

/* Compression codecs (parquet.thrift CompressionCodec). */
enum tq_parquet_codec {
	TQ_PARQUET_UNCOMPRESSED = 0,
	TQ_PARQUET_SNAPPY = 1,
	TQ_PARQUET_GZIP = 2,		/* read only */
	TQ_PARQUET_ZSTD = 6,
};

/* Encodings (parquet.thrift Encoding). */
enum tq_parquet_encoding {
	TQ_PARQUET_PLAIN = 0,
	TQ_PARQUET_PLAIN_DICTIONARY = 2,
	TQ_PARQUET_RLE = 3,
	TQ_PARQUET_BIT_PACKED = 4,
	TQ_PARQUET_DELTA_BINARY_PACKED = 5,
	TQ_PARQUET_DELTA_LENGTH_BYTE_ARRAY = 6,
	TQ_PARQUET_DELTA_BYTE_ARRAY = 7,	/* read only */
	TQ_PARQUET_RLE_DICTIONARY = 8,
	TQ_PARQUET_BYTE_STREAM_SPLIT = 9,	/* read only */
};

/* Logical types we understand; anything else reads as TQ_PARQUET_LT_OTHER. */
enum tq_parquet_logical_kind {
	TQ_PARQUET_LT_NONE = 0,
	TQ_PARQUET_LT_STRING,
	TQ_PARQUET_LT_LIST,
	TQ_PARQUET_LT_MAP,
	TQ_PARQUET_LT_INT,
	TQ_PARQUET_LT_TIMESTAMP,
	TQ_PARQUET_LT_ENUM,
	TQ_PARQUET_LT_JSON,
	TQ_PARQUET_LT_DATE,
	TQ_PARQUET_LT_OTHER,
};

enum tq_parquet_time_unit {
	TQ_PARQUET_MILLIS = 0,
	TQ_PARQUET_MICROS = 1,
	TQ_PARQUET_NANOS = 2,
};

struct tq_parquet_logical {
	int	kind;		/* enum tq_parquet_logical_kind */
	int	bit_width;	/* LT_INT: 8, 16, 32 or 64 */
	bool	is_signed;	/* LT_INT */
	int	unit;		/* LT_TIMESTAMP: enum tq_parquet_time_unit */
	bool	utc;		/* LT_TIMESTAMP: isAdjustedToUTC */
};

/*
 * One schema element.  A schema is an array of these in depth-first order;
 * element 0 is the root group (its repetition is ignored).  A node with
 * num_children > 0 is a group, followed by its children's subtrees.
 */
struct tq_parquet_node {
	const char			*name;
	int				 repetition;
	int				 num_children;
	int				 type;		/* leaves: physical type */
	int				 type_length;	/* FIXED_LEN_BYTE_ARRAY */
	struct tq_parquet_logical	 logical;
};

/* A leaf column of a schema, with the levels Dremel gives it. */
struct tq_parquet_column_desc {
	const char			*path;	   /* dotted: "a.list.element" */
	int				 node;	   /* index into nodes */
	int				 type;
	int				 type_length;
	struct tq_parquet_logical	 logical;
	int				 max_def;
	int				 max_rep;
};

/*
 * A checked schema.  Read-only for callers.  parent[i] is the parent node
 * of node i (-1 for the root); def[i]/rep[i] the definition and repetition
 * level of a present node i; first_col[i]/n_cols[i] the leaves below it.
 */
struct tq_parquet_schema {
	size_t				 n_nodes;
	struct tq_parquet_node		*nodes;
	int				*parent;
	int				*def;
	int				*rep;
	int				*first_col;
	int				*n_cols;
	int				*col_of;   /* leaf node -> column, else -1 */
	size_t				 n_columns;
	struct tq_parquet_column_desc	*columns;
};

/*
 * tq_parquet_schema_new checks n nodes (depth first, root first) and builds
 * *out, which copies everything it needs from nodes.  Groups annotated
 * LT_LIST or LT_MAP must follow the three-level conventions.  Returns 0,
 * TQ_EINVAL or TQ_ECORRUPT (bad tree, details in err), TQ_ELIMIT or
 * TQ_ENOMEM.
 */
int	tq_parquet_schema_new(const struct tq_parquet_node *nodes, size_t n,
	    struct tq_parquet_schema **out, struct tq_err *err);

/* tq_parquet_schema_free frees s (NULL allowed). */
void	tq_parquet_schema_free(struct tq_parquet_schema *s);

/*
 * tq_parquet_schema_list_element returns, for a group annotated LIST or
 * MAP, the node that holds one element: the repeated group's only child
 * in the three-level form, else (the legacy two-level forms, by
 * parquet-format's backward-compatibility rules) the repeated node itself
 * when it is a leaf, has several fields, or is named "array" or
 * "<list>_tuple".  For MAP it is the repeated key_value group.  Returns
 * -1 when node is not such a group.
 */
int	tq_parquet_schema_list_element(const struct tq_parquet_schema *s,
	    int node);

/* tq_parquet_schema_find returns the column whose dotted path is path, or -1. */
int	tq_parquet_schema_find(const struct tq_parquet_schema *s,
	    const char *path);

/*
 * Values of one column, flat, with their levels.  n_levels entries of
 * def[]/rep[] (NULL when the column's max level is 0: every entry then has
 * that level 0 and holds a value); one value for each entry whose def equals
 * max_def, n_values in all.  Which value array is used depends on the type:
 * BOOLEAN b (0 or 1), INT32 i32, INT64 i64, FLOAT f32, DOUBLE f64,
 * BYTE_ARRAY off[]/data (value i is data[off[i] .. off[i+1]), n_values + 1
 * offsets), FIXED_LEN_BYTE_ARRAY and INT96 data (value i at
 * data + i * width).  Instead of def[] and rep[], the levels may come
 * packed, lv[i] = def | rep << 16 (def and rep NULL then).
 */
struct tq_parquet_batch {
	size_t			 n_levels;
	const uint16_t		*def;
	const uint16_t		*rep;
	const uint32_t		*lv;
	size_t			 n_values;
	const uint8_t		*b;
	const int32_t		*i32;
	const int64_t		*i64;
	const float		*f32;
	const double		*f64;
	const uint32_t		*off;
	const uint8_t		*data;
};

/*
 * A decoded column chunk, laid out like struct tq_parquet_batch; its memory
 * belongs to the column until tq_parquet_column_release().  When asked for
 * with TQ_PARQUET_READ_DICT_INDICES and every data page of the chunk was
 * dictionary-encoded, values are not materialised: idx[i] is the
 * dictionary entry of value i and dict holds the dictionary's values.
 */
struct tq_parquet_column {
	int			 col;
	int			 type;
	int			 width;		/* FLBA / INT96 value bytes */
	size_t			 n_levels;
	uint16_t		*def;
	uint16_t		*rep;
	size_t			 n_values;
	uint8_t			*b;
	int32_t			*i32;
	int64_t			*i64;
	float			*f32;
	double			*f64;
	uint32_t		*off;
	uint8_t			*data;
	size_t			 data_len;
	uint32_t		*idx;
	struct tq_parquet_column *dict;
	/* Read in part (tq_parquet_reader_read_some): the runs of pages
	 * decoded, in order; n_parts 0 when every page was. */
	const struct tq_parquet_part *parts;
	size_t			 n_parts;
	struct tq_parquet_colmem *mem;	/* private */
};

/* Entries [first, first + n) of a chunk, decoded at index level of the
 * column's levels and index value of its values. */
struct tq_parquet_part {
	size_t			 first;
	size_t			 n;
	size_t			 level;
	size_t			 value;
};

/* tq_parquet_column_release frees c's memory (c itself is the caller's). */
void	tq_parquet_column_release(struct tq_parquet_column *c);

/*
 * A record as a tree that mirrors the schema: a group is
 * TQ_PARQUET_D_GROUP with one item per child node, a repeated field is
 * TQ_PARQUET_D_REPEATED with one item per occurrence (empty: n == 0), an
 * absent optional field is TQ_PARQUET_D_NULL, a leaf is TQ_PARQUET_D_VALUE
 * whose member matches the physical type (bytes for BYTE_ARRAY, FLBA and
 * INT96).
 */
enum tq_parquet_datum_kind {
	TQ_PARQUET_D_NULL = 0,
	TQ_PARQUET_D_VALUE,
	TQ_PARQUET_D_GROUP,
	TQ_PARQUET_D_REPEATED,
};

struct tq_parquet_datum {
	int			 kind;
	size_t			 n;
	struct tq_parquet_datum	*items;
	union {
		bool		 b;
		int32_t		 i32;
		int64_t		 i64;
		float		 f32;
		double		 f64;
		struct {
			const uint8_t	*ptr;
			size_t		 len;
		}		 bytes;
	} v;
};

/* ---- Writing ---- */

/*
 * The write callback stores len bytes at the end of the output.  Returns 0
 * or a negative TQ_E* code (with err filled) that aborts the write.
 */
typedef int	(*tq_parquet_write_fn)(void *arg, const void *p, size_t len,
		    struct tq_err *err);

struct tq_parquet_chunk;

/*
 * The chunk callback sees each column chunk as a row group is written:
 * col, its metadata as the footer will have it (meta->stats valid during
 * the call only) and, when the chunk has a dictionary page, that page's
 * dict_n entries, PLAIN-encoded in dict_len bytes at dict (else NULL and
 * zeros), valid during the call only.  Returns 0 or a negative TQ_E*
 * code (with err filled), which fails the flush and the writer.
 */
typedef int	(*tq_parquet_chunk_fn)(void *arg, int col,
		    const struct tq_parquet_chunk *meta, const uint8_t *dict,
		    size_t dict_len, size_t dict_n, struct tq_err *err);

struct tq_parquet_write_opts {
	int		 codec;		/* default TQ_PARQUET_ZSTD */
	int		 zstd_level;	/* default 3 */
	int		 page_version;	/* 1 (DATA_PAGE, default) or 2 */
	size_t		 page_size;	/* data page target, default 1 MiB */
	size_t		 row_group_size;/* buffered bytes per row group, 128 MiB */
	size_t		 dict_max;	/* dictionary fallback size, 1 MiB */
	const char	*created_by;	/* default "tempo-parquet <version>" */
	/*
	 * Records come from code that always builds them to fit the schema
	 * (a generator): write_record skips its dry run, and a record that
	 * does not fit fails the writer instead of being refused.
	 */
	bool		 trusted_records;
	/*
	 * Mark dictionary pages and dictionary-encoded data pages
	 * PLAIN_DICTIONARY, the Parquet 1.0 way, instead of PLAIN and
	 * RLE_DICTIONARY; the bytes are the same.
	 */
	bool		 plain_dictionary;
	/* Called for each column chunk written, when not NULL. */
	tq_parquet_chunk_fn on_chunk;
	void		*chunk_arg;
};

/*
 * Per column choices.  encoding TQ_PARQUET_PLAIN with dictionary true (the
 * default) means dictionary pages with PLAIN as the fallback.  Other data
 * encodings: DELTA_BINARY_PACKED (INT32, INT64), DELTA_LENGTH_BYTE_ARRAY
 * (BYTE_ARRAY), RLE (BOOLEAN, needs page_version 2 in practice).  codec -1
 * takes the file's.
 */
struct tq_parquet_column_opts {
	int		 encoding;
	bool		 dictionary;
	int		 codec;
	size_t		 page_size;	/* data page target; 0: the file's */
	/*
	 * PLAIN integers: a data page is DELTA_BINARY_PACKED instead when
	 * that is no larger than the PLAIN page compressed (a chunk then
	 * mixes the two, as Parquet allows), its deltas stored uncompressed.
	 * After a page went DELTA, up to three more of the chunk whose
	 * deltas take at most an eighth more bytes per value do without
	 * the comparison.
	 */
	bool		 delta_if_smaller;
	/*
	 * ZSTD: the percent of a data page's bytes compressing must save for
	 * the page to be kept compressed; a page it saves less on is stored
	 * as a frame of raw blocks, which reads at the speed of a copy.
	 * After a page that saved over five points less, the column's next
	 * three are stored without compressing them to see.  0: always
	 * compressed.
	 */
	unsigned	 min_saving;
};

struct tq_parquet_writer;

/*
 * tq_parquet_writer_new starts a file with schema s (which must outlive the
 * writer) and options opts (NULL: defaults), writing through fn(arg).  The
 * magic is written at once.  On success *out is a new writer owned by the
 * caller.  Returns 0, TQ_EINVAL, TQ_ENOMEM or fn's error.
 */
int	tq_parquet_writer_new(const struct tq_parquet_schema *s,
	    const struct tq_parquet_write_opts *opts, tq_parquet_write_fn fn,
	    void *arg, struct tq_parquet_writer **out, struct tq_err *err);

/* tq_parquet_writer_set_column sets column col's options before any value. */
int	tq_parquet_writer_set_column(struct tq_parquet_writer *w, int col,
	    const struct tq_parquet_column_opts *o, struct tq_err *err);

/*
 * tq_parquet_writer_write appends a batch of shredded values to column col
 * of the current row group.  Levels are checked against the column's
 * maxima; the number of values must match the entries at max_def.  A batch
 * may end in the middle of a record.  Returns 0, TQ_EINVAL (bad levels),
 * TQ_ELIMIT, TQ_ENOMEM or the write callback's error.
 */
int	tq_parquet_writer_write(struct tq_parquet_writer *w, int col,
	    const struct tq_parquet_batch *b, struct tq_err *err);

/*
 * tq_parquet_writer_end_rows tells the writer that nrows more whole records
 * have been written to every column.  When the buffered row group has
 * reached row_group_size it is written out.  Returns 0 or an error as
 * tq_parquet_writer_flush.
 */
int	tq_parquet_writer_end_rows(struct tq_parquet_writer *w, size_t nrows,
	    struct tq_err *err);

/*
 * tq_parquet_writer_write_record shreds one record (a D_GROUP for the root)
 * into every column and counts it as a row.  Returns 0, TQ_EINVAL when the
 * tree does not fit the schema (details in err) or a write error.
 */
int	tq_parquet_writer_write_record(struct tq_parquet_writer *w,
	    const struct tq_parquet_datum *rec, struct tq_err *err);

/*
 * tq_parquet_writer_flush ends the current row group (if it has rows) and
 * writes it.  Every column must have received the same number of records.
 */
int	tq_parquet_writer_flush(struct tq_parquet_writer *w, struct tq_err *err);

/* tq_parquet_writer_add_kv adds a key/value pair to the footer (copied). */
int	tq_parquet_writer_add_kv(struct tq_parquet_writer *w, const char *key,
	    const char *value, struct tq_err *err);

/*
 * tq_parquet_writer_close flushes the last row group and writes the footer.
 * The writer must still be freed.  Returns 0 or an error as above.
 */
int	tq_parquet_writer_close(struct tq_parquet_writer *w, struct tq_err *err);

/* tq_parquet_writer_bytes returns the bytes written so far. */
uint64_t tq_parquet_writer_bytes(const struct tq_parquet_writer *w);

/* tq_parquet_writer_free frees w (NULL allowed); an unclosed file is cut. */
void	tq_parquet_writer_free(struct tq_parquet_writer *w);

/* ---- Reading ---- */

/*
 * The range-read callback copies len bytes at offset off of the file into
 * dst.  Returns 0 or a negative TQ_E* code with err filled.
 */
typedef int	(*tq_parquet_read_fn)(void *arg, uint64_t off, size_t len,
		    void *dst, struct tq_err *err);

struct tq_parquet_read_opts {
	size_t	max_footer;	/* footer bytes, default TQ_PARQUET_MAX_FOOTER */
	size_t	max_memory;	/* one decoded column chunk, default
				   TQ_PARQUET_MAX_COLUMN_MEM */
	size_t	tail_read;	/* bytes read from the end at open, when
				   the caller knows the footer's size
				   (footer + 8); default 64 KiB */
};

/* Column-chunk statistics; min/max are PLAIN-encoded values. */
struct tq_parquet_stats {
	bool		 has_min_max;
	const uint8_t	*min;
	size_t		 min_len;
	const uint8_t	*max;
	size_t		 max_len;
	bool		 has_null_count;
	int64_t		 null_count;
};

/* Metadata of one column chunk. */
struct tq_parquet_chunk {
	int			 codec;
	uint32_t		 encodings;	/* bit 1 << encoding */
	uint32_t		 data_encodings; /* of data pages; 0: unknown */
	int64_t			 num_values;	/* level entries */
	int64_t			 uncompressed_size;
	int64_t			 compressed_size;
	int64_t			 data_page_offset;
	int64_t			 dict_page_offset;	/* -1: none */
	struct tq_parquet_stats	 stats;
};

/* A reader keeps scratch buffers: use it from one thread at a time. */
struct tq_parquet_reader;

/*
 * tq_parquet_reader_open reads and checks the footer of a file of size
 * bytes through fn(arg): one read for the tail, one for the footer.  fn
 * and arg must stay valid until tq_parquet_reader_free().  opts may be
 * NULL.  Returns 0, TQ_ECORRUPT, TQ_ELIMIT, TQ_EUNSUPPORTED (encrypted
 * files), TQ_ENOMEM or fn's error.
 */
int	tq_parquet_reader_open(tq_parquet_read_fn fn, void *arg, uint64_t size,
	    const struct tq_parquet_read_opts *opts,
	    struct tq_parquet_reader **out, struct tq_err *err);

/*
 * tq_parquet_reader_open_mem reads a file held in memory; buf must stay
 * valid until the reader is freed.
 */
int	tq_parquet_reader_open_mem(const void *buf, size_t len,
	    const struct tq_parquet_read_opts *opts,
	    struct tq_parquet_reader **out, struct tq_err *err);

/* tq_parquet_reader_free frees r (NULL allowed). */
void	tq_parquet_reader_free(struct tq_parquet_reader *r);

/* Footer facts; pointers live as long as the reader. */
const struct tq_parquet_schema *tq_parquet_reader_schema(
	    const struct tq_parquet_reader *r);
int64_t	tq_parquet_reader_num_rows(const struct tq_parquet_reader *r);
size_t	tq_parquet_reader_num_row_groups(const struct tq_parquet_reader *r);
int64_t	tq_parquet_reader_row_group_rows(const struct tq_parquet_reader *r,
	    size_t rg);
const char *tq_parquet_reader_created_by(const struct tq_parquet_reader *r);
size_t	tq_parquet_reader_num_kv(const struct tq_parquet_reader *r);
/* tq_parquet_reader_kv gives pair i; value may be NULL. */
void	tq_parquet_reader_kv(const struct tq_parquet_reader *r, size_t i,
	    const char **key, const char **value);

/*
 * tq_parquet_reader_chunk returns the metadata of column col in row group
 * rg (decoded from the footer when first asked for), or NULL when either
 * is out of range or the metadata is corrupt (reading the column then
 * says why).
 */
const struct tq_parquet_chunk *tq_parquet_reader_chunk(
	    struct tq_parquet_reader *r, size_t rg, int col);

/*
 * Flags for tq_parquet_reader_read_column.  READ_REUSE: out holds a column
 * from an earlier read (or is zeroed) and its memory is reused, so a scan
 * over many row groups stops allocating; the earlier values are gone.
 * READ_NO_REP: the repetition levels are stepped over, not decoded
 * (out->rep stays NULL), for a caller that knows the structure from
 * another column of the same lists; not with a partial read.
 * READ_DEF_IF_NULLS: when every entry holds a value (all definition
 * levels at the maximum, as in a column of spans), the definition levels
 * are not kept (out->def stays NULL).
 */
#define TQ_PARQUET_READ_DICT_INDICES	0x1
#define TQ_PARQUET_READ_REUSE		0x2
#define TQ_PARQUET_READ_NO_REP		0x4
#define TQ_PARQUET_READ_DEF_IF_NULLS	0x8

/*
 * tq_parquet_reader_read_column reads column col of row group rg with one
 * range read and decodes every page into *out (which the caller releases
 * with tq_parquet_column_release, also after a failure).  Returns 0,
 * TQ_EINVAL, TQ_ECORRUPT, TQ_ELIMIT, TQ_EUNSUPPORTED, TQ_ENOMEM or the
 * read callback's error; err names the column and byte offset.
 */
int	tq_parquet_reader_read_column(struct tq_parquet_reader *r, size_t rg,
	    int col, int flags, struct tq_parquet_column *out,
	    struct tq_err *err);

/*
 * A tq_parquet_want_fn says whether a reader needs entries [first, first
 * + n) of a column chunk (its level entries, nulls included, counted from
 * the chunk's first).  It is asked about each data page in order.
 */
typedef bool	(*tq_parquet_want_fn)(void *arg, size_t first, size_t n);

/*
 * tq_parquet_reader_read_some is tq_parquet_reader_read_column decoding
 * only the data pages want(arg, ...) needs, the others not even
 * decompressed: out->parts says which entries out holds.  A page that
 * does not start a record is refused only when it is the chunk's first.
 */
int	tq_parquet_reader_read_some(struct tq_parquet_reader *r, size_t rg,
	    int col, int flags, tq_parquet_want_fn want, void *arg,
	    struct tq_parquet_column *out, struct tq_err *err);

/*
 * tq_parquet_reader_read_dict reads only the dictionary page of a column
 * chunk into *out (values only, no levels).  *has is false, and out left
 * empty, when the chunk has no dictionary or some of its data pages are
 * not dictionary-encoded (then the dictionary does not cover every value).
 */
int	tq_parquet_reader_read_dict(struct tq_parquet_reader *r, size_t rg,
	    int col, struct tq_parquet_column *out, bool *has,
	    struct tq_err *err);

/*
 * A value for pruning, of the column's physical type: one of the members,
 * bytes for BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
 */
struct tq_parquet_value {
	int		 type;
	bool		 b;
	int32_t		 i32;
	int64_t		 i64;
	float		 f32;
	double		 f64;
	const uint8_t	*ptr;
	size_t		 len;
};

#define TQ_PARQUET_PRUNE_STATS	0x1	/* use the chunk's min/max */
#define TQ_PARQUET_PRUNE_DICT	0x2	/* read the dictionary page */

/*
 * tq_parquet_reader_may_match says whether row group rg may hold a value
 * v of column col with lo <= v <= hi (either bound NULL: open).  Integers
 * compare signed unless the column is an unsigned LT_INT, byte arrays
 * compare as unsigned bytes.  With PRUNE_STATS it looks at min and max;
 * with PRUNE_DICT, if still possible, it reads the dictionary page alone
 * and looks for a matching entry.  *may is false only when no value can
 * match.  Returns 0 or an error as tq_parquet_reader_read_column.
 */
int	tq_parquet_reader_may_match(struct tq_parquet_reader *r, size_t rg,
	    int col, const struct tq_parquet_value *lo,
	    const struct tq_parquet_value *hi, int flags, bool *may,
	    struct tq_err *err);

/*
 * tq_parquet_stat_value decodes a PLAIN min or max of column col
 * (from struct tq_parquet_stats) into *v.  Returns 0 or TQ_ECORRUPT.
 */
int	tq_parquet_stat_value(const struct tq_parquet_schema *s, int col,
	    const uint8_t *p, size_t len, struct tq_parquet_value *v,
	    struct tq_err *err);

/*
 * Record assembly.  tq_parquet_assemble rebuilds n records from the decoded
 * columns cols[] (one per column of s, same row group, indexed by column
 * number) into trees allocated from arena (a struct tq_arena), filling
 * recs[0..n).  The trees point into the columns' memory for bytes.
 * Returns 0, TQ_ECORRUPT when the levels do not form n records, or
 * TQ_ENOMEM.
 */
struct tq_arena;
int	tq_parquet_assemble(const struct tq_parquet_schema *s,
	    const struct tq_parquet_column *cols, size_t n,
	    struct tq_arena *arena, struct tq_parquet_datum *recs,
	    struct tq_err *err);

/*
 * tq_parquet_assemble_rows rebuilds only records first .. first + n - 1
 * of the row group (a lookup wants one), positioning each column by
 * counting its records.  Returns 0, TQ_ECORRUPT or TQ_ENOMEM.
 */
int	tq_parquet_assemble_rows(const struct tq_parquet_schema *s,
	    const struct tq_parquet_column *cols, size_t first, size_t n,
	    struct tq_arena *arena, struct tq_parquet_datum *recs,
	    struct tq_err *err);

/* tq_parquet_codec_name / tq_parquet_encoding_name / tq_parquet_type_name
 * return a static name ("ZSTD", "RLE_DICTIONARY", "INT64"), or "?" */
const char *tq_parquet_codec_name(int codec);
const char *tq_parquet_encoding_name(int enc);
const char *tq_parquet_type_name(int type);

#endif
