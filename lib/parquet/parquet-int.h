/*
 * parquet-int.h: declarations shared by the files of lib/parquet/ only:
 * the Thrift compact protocol, the footer and page header structures, the
 * encodings and the codecs.
 */
#ifndef TQ_PARQUET_INT_H
#define TQ_PARQUET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "limits.h"
#include "parquet.h"

/* ---- Thrift compact protocol (thrift.c) ---- */

enum {
	TQ_THRIFT_STOP = 0,
	TQ_THRIFT_TRUE = 1,
	TQ_THRIFT_FALSE = 2,
	TQ_THRIFT_I8 = 3,
	TQ_THRIFT_I16 = 4,
	TQ_THRIFT_I32 = 5,
	TQ_THRIFT_I64 = 6,
	TQ_THRIFT_DOUBLE = 7,
	TQ_THRIFT_BINARY = 8,
	TQ_THRIFT_LIST = 9,
	TQ_THRIFT_SET = 10,
	TQ_THRIFT_MAP = 11,
	TQ_THRIFT_STRUCT = 12,
	TQ_THRIFT_UUID = 13,
};

/*
 * A decoder over [p, end).  The first error sticks in rc (with a message
 * naming the byte offset from base in err) and makes every later call fail,
 * so a parser may check once per struct.
 */
struct tq_thrift_reader {
	const uint8_t	*base;
	const uint8_t	*p;
	const uint8_t	*end;
	int		 depth;
	int		 rc;
	struct tq_err	*err;
};

void	tq_thrift_reader_init(struct tq_thrift_reader *r, const void *p,
	    size_t len, struct tq_err *err);
/* tq_thrift_fail records a corrupt-input error at the current offset. */
int	tq_thrift_fail(struct tq_thrift_reader *r, const char *what);
/*
 * tq_thrift_struct_begin/_end bracket a struct; struct_begin checks the
 * nesting depth.  tq_thrift_field reads the next field header: returns 1
 * with *id and *type set, 0 at the stop field, or a negative error.  *last
 * is the previous field id of this struct (start at 0).
 */
int	tq_thrift_struct_begin(struct tq_thrift_reader *r);
void	tq_thrift_struct_end(struct tq_thrift_reader *r);
int	tq_thrift_field(struct tq_thrift_reader *r, int16_t *last, int *id,
	    int *type);
int64_t	tq_thrift_i64(struct tq_thrift_reader *r);
int32_t	tq_thrift_i32(struct tq_thrift_reader *r);
int	tq_thrift_i8(struct tq_thrift_reader *r);
/* tq_thrift_bool gives a bool field's value from its type (or list byte). */
bool	tq_thrift_bool(struct tq_thrift_reader *r, int type);
double	tq_thrift_double(struct tq_thrift_reader *r);
/* tq_thrift_binary returns a pointer into the input and its length. */
const uint8_t *tq_thrift_binary(struct tq_thrift_reader *r, size_t *len);
/* tq_thrift_list reads a list header: element type and count (checked
 * against the bytes left: every element takes at least one byte). */
int	tq_thrift_list(struct tq_thrift_reader *r, int *etype, size_t *n);
/* tq_thrift_skip skips one value of type. */
int	tq_thrift_skip(struct tq_thrift_reader *r, int type);

/* An encoder appending to a buffer; the first error sticks in rc. */
struct tq_thrift_writer {
	struct tq_buf	*b;
	int16_t		 last[TQ_THRIFT_MAX_DEPTH];
	int		 depth;
	int		 rc;
};

void	tq_thrift_writer_init(struct tq_thrift_writer *w, struct tq_buf *b);
void	tq_thrift_w_struct_begin(struct tq_thrift_writer *w);
void	tq_thrift_w_struct_end(struct tq_thrift_writer *w);	/* stop */
void	tq_thrift_w_field(struct tq_thrift_writer *w, int id, int type);
void	tq_thrift_w_bool(struct tq_thrift_writer *w, int id, bool v);
void	tq_thrift_w_i8(struct tq_thrift_writer *w, int id, int v);
void	tq_thrift_w_i32(struct tq_thrift_writer *w, int id, int32_t v);
void	tq_thrift_w_i64(struct tq_thrift_writer *w, int id, int64_t v);
void	tq_thrift_w_binary(struct tq_thrift_writer *w, int id, const void *p,
	    size_t len);
void	tq_thrift_w_list(struct tq_thrift_writer *w, int id, int etype,
	    size_t n);
/* Bare values, for list elements. */
void	tq_thrift_w_varint_i32(struct tq_thrift_writer *w, int32_t v);
void	tq_thrift_w_bytes(struct tq_thrift_writer *w, const void *p,
	    size_t len);

/* ---- Footer and page headers (meta.c) ---- */

enum {
	PQ_PAGE_DATA = 0,
	PQ_PAGE_INDEX = 1,
	PQ_PAGE_DICT = 2,
	PQ_PAGE_DATA_V2 = 3,
};

struct pq_page_header {
	int		 type;
	int32_t		 uncompressed_size;
	int32_t		 compressed_size;
	int32_t		 num_values;
	int32_t		 num_nulls;	/* v2 */
	int32_t		 num_rows;	/* v2 */
	int		 encoding;
	int		 def_encoding;	/* v1 */
	int		 rep_encoding;	/* v1 */
	int32_t		 def_len;	/* v2 */
	int32_t		 rep_len;	/* v2 */
	bool		 is_compressed;	/* v2, default true */
};

/* A column chunk's bytes in the footer, decoded when first asked for. */
struct pq_raw_chunk {
	const uint8_t		*p;
	uint32_t		 len;
	uint8_t			 state;		/* PQ_CHUNK_* */
	struct tq_parquet_chunk	*c;		/* once PQ_CHUNK_OK */
};
enum { PQ_CHUNK_RAW, PQ_CHUNK_OK, PQ_CHUNK_BAD };

struct pq_row_group {
	int64_t			 num_rows;
	int64_t			 total_byte_size;
	int64_t			 total_compressed_size;
	int64_t			 file_offset;
	struct tq_parquet_chunk	*chunks;	/* written files: by column */
	struct pq_raw_chunk	*raw;		/* decoded files: by column */
};

struct pq_kv {
	const char	*key;
	const char	*value;
};

struct pq_file_meta {
	int32_t			 version;
	size_t			 n_nodes;
	struct tq_parquet_node	*nodes;
	int64_t			 num_rows;
	size_t			 n_row_groups;
	struct pq_row_group	*row_groups;
	size_t			 n_kv;
	struct pq_kv		*kv;
	const char		*created_by;
	size_t			 n_columns;	/* for encoding column_orders */
	int			 page_type;	/* of data pages, for encoding */
	const struct tq_parquet_schema *schema;	/* for encoding paths */
	const int		*leaf;		/* decoded files: column -> node */
	struct tq_arena		*arena;		/* decoded files: chunks */
};

/*
 * pq_meta_decode parses a FileMetaData of len bytes into *m, allocating
 * from a; strings are NUL-terminated copies.  Column chunks are only
 * checked to be well-formed Thrift: pq_meta_chunk decodes one when it is
 * first asked for (a footer of many row groups is mostly column chunks,
 * of which a reader wants few), pointing into p, which must outlive m.
 * Returns 0, TQ_ECORRUPT, TQ_ELIMIT, TQ_EUNSUPPORTED or TQ_ENOMEM.
 */
int	pq_meta_decode(const void *p, size_t len, struct tq_arena *a,
	    struct pq_file_meta *m, struct tq_err *err);

/*
 * pq_meta_chunk gives the metadata of column col of row group rg of a
 * decoded footer, decoding it the first time.  Returns 0, TQ_EINVAL (out
 * of range), TQ_ECORRUPT or TQ_EUNSUPPORTED (again on every later ask).
 */
int	pq_meta_chunk(struct pq_file_meta *m, size_t rg, size_t col,
	    const struct tq_parquet_chunk **out, struct tq_err *err);
/* pq_meta_encode appends m (with m->schema set) to b. */
int	pq_meta_encode(const struct pq_file_meta *m, struct tq_buf *b);
/*
 * pq_page_header_decode parses a PageHeader at p (at most len bytes) into
 * *h and sets *used to its size.  base_off is the file offset of p, for
 * messages.
 */
int	pq_page_header_decode(const void *p, size_t len, uint64_t base_off,
	    struct pq_page_header *h, size_t *used, struct tq_err *err);
int	pq_page_header_encode(const struct pq_page_header *h, struct tq_buf *b);

/* ---- Encodings (encoding.c) ---- */

/* pq_bit_width returns the bits needed for values up to max. */
int	pq_bit_width(uint64_t max);

/*
 * pq_rle_decode decodes n values of the RLE/bit-packed hybrid (bit width
 * bw <= 32) from [p, p + len) into out.  Returns 0 or TQ_ECORRUPT.
 */
int	pq_rle_decode(const uint8_t *p, size_t len, int bw, uint32_t *out,
	    size_t n, struct tq_err *err);
/*
 * pq_rle_decode16 is pq_rle_decode into 16-bit levels (bw <= 16): a level
 * above max is an error, *at_max (if not NULL) gets how many equal it.
 */
int	pq_rle_decode16(const uint8_t *p, size_t len, int bw, uint16_t *out,
	    size_t n, uint16_t max, size_t *at_max, struct tq_err *err);
/*
 * pq_rle_all_of says whether the first n values of the hybrid stream
 * [p, p + len) (bit width 1 to 32) are all v.  False too for a stream
 * too short or malformed: decoding it tells more.
 */
bool	pq_rle_all_of(const uint8_t *p, size_t len, int bw, size_t n,
	    uint32_t v);
/* pq_all_below says whether all n values at v are below lim (dictionary
 * indices against their dictionary's size). */
bool	pq_all_below(const uint32_t *v, size_t n, uint32_t lim);
/* pq_rle_encode appends n values (bit width bw) to b. */
int	pq_rle_encode(const uint32_t *v, size_t n, int bw, struct tq_buf *b);
int	pq_rle_encode16(const uint16_t *v, size_t n, int bw, struct tq_buf *b);

/*
 * pq_delta_decode decodes n values of DELTA_BINARY_PACKED from
 * [p, p + len); *used gets the encoded size.  Arithmetic wraps at 64
 * bits, which also gives INT32 columns their values modulo 2^32.  Returns
 * 0 or TQ_ECORRUPT (a count other than n included).
 */
int	pq_delta_decode(const uint8_t *p, size_t len, int64_t *out, size_t n,
	    size_t *used, struct tq_err *err);
/* pq_delta_count reads the total value count of a DELTA_BINARY_PACKED
 * header without decoding. */
int	pq_delta_count(const uint8_t *p, size_t len, size_t *n,
	    struct tq_err *err);
/* pq_delta_encode appends n values; is32 wraps deltas at 32 bits. */
int	pq_delta_encode(const int64_t *v, size_t n, bool is32,
	    struct tq_buf *b);

/* ---- Codecs (codec.c) ---- */

/*
 * pq_decompress expands src into dst, which must become exactly dst_len
 * bytes.  Returns 0, TQ_ECORRUPT or TQ_EUNSUPPORTED.
 */
struct pq_codec_ctx {
	void	*zc;	/* ZSTD_CCtx, made on first use */
	void	*zd;	/* ZSTD_DCtx */
};

void	pq_codec_ctx_release(struct pq_codec_ctx *c);
int	pq_decompress(struct pq_codec_ctx *c, int codec, const void *src,
	    size_t src_len, void *dst, size_t dst_len, struct tq_err *err);
/* pq_compress appends len bytes of src, compressed with codec, to out. */
int	pq_compress(struct pq_codec_ctx *c, int codec, int level,
	    const void *src, size_t len, struct tq_buf *out,
	    struct tq_err *err);
/*
 * pq_store is pq_compress without the work of compressing: ZSTD gets a
 * frame of raw blocks (any decoder reads it; it costs a few bytes over
 * the data), the other codecs what pq_compress gives.
 */
int	pq_store(struct pq_codec_ctx *c, int codec, int level,
	    const void *src, size_t len, struct tq_buf *out,
	    struct tq_err *err);
bool	pq_codec_supported(int codec);

/* ---- Shared helpers ---- */

/* pq_value_size is the bytes of one fixed-width value (0 for BYTE_ARRAY). */
size_t	pq_value_size(int type, int type_length);
/* pq_compare orders two values of column desc (PLAIN bytes for arrays). */
int	pq_compare(const struct tq_parquet_column_desc *c,
	    const struct tq_parquet_value *a, const struct tq_parquet_value *b);
/*
 * pq_schema_build checks nodes and builds a schema.  Without copy_names the
 * names must outlive it (the reader's live in its footer arena); strict
 * (the writer's) also refuses INT96 and LIST/MAP groups off convention.
 */
int	pq_schema_build(const struct tq_parquet_node *nodes, size_t n,
	    bool copy_names, bool strict, struct tq_parquet_schema **out,
	    struct tq_err *err);

static inline uint64_t
pq_load64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

#endif
