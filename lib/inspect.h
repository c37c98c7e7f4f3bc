/*
 * inspect.h: looking inside a block's data.parquet, for tempo-get
 * --inspect (what tempo-cli's "view schema" and "analyse block" show).
 *
 * The footer gives row groups, column chunks, sizes, encodings and
 * codecs (through the Parquet reader this module opens over the store);
 * tq_inspect_attrs scans the generic attribute columns (the Attrs lists
 * of resources, scopes, spans, events and links) and totals the bytes of
 * each key's values, which says which attributes deserve a dedicated
 * column.
 */
#ifndef TQ_INSPECT_H
#define TQ_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "err.h"
#include "parquet.h"

/* Where an Attrs list lives. */
enum tq_inspect_scope {
	TQ_INSPECT_RESOURCE,
	TQ_INSPECT_SCOPE,
	TQ_INSPECT_SPAN,
	TQ_INSPECT_EVENT,
	TQ_INSPECT_LINK,
};

/* One attribute key's total over a block. */
struct tq_inspect_attr {
	int		 scope;		/* enum tq_inspect_scope */
	const char	*key;
	uint64_t	 count;		/* attributes with this key */
	uint64_t	 bytes;		/* of their values: strings' lengths,
					   8 per int or double, 1 per bool */
};

struct tq_inspect;

/*
 * tq_inspect_open reads the footer of data.parquet of the block m in
 * store s (which must outlive the result).  Returns 0, TQ_ENOTFOUND,
 * TQ_ECORRUPT, TQ_ELIMIT, TQ_EIO or TQ_ENOMEM, with err naming the
 * object.
 */
int	tq_inspect_open(struct tq_store *s, const struct tq_block_meta *m,
	    struct tq_inspect **out, struct tq_err *err);

/* tq_inspect_free frees in (NULL allowed). */
void	tq_inspect_free(struct tq_inspect *in);

/* tq_inspect_reader returns the footer's reader, valid while in lives. */
struct tq_parquet_reader *tq_inspect_reader(struct tq_inspect *in);

/*
 * tq_inspect_attrs scans the Attrs columns of every row group and sets
 * *out to the keys, most bytes first (ties by scope, then key), *n their
 * number; the array lives as long as in.  At most TQ_INSPECT_MAX_KEYS
 * distinct keys are kept; the rest are totalled under the key "" of
 * their scope.  Returns 0 or an error of tq_parquet_reader_read_column.
 */
int	tq_inspect_attrs(struct tq_inspect *in,
	    const struct tq_inspect_attr **out, size_t *n, struct tq_err *err);

/* tq_inspect_scope_name returns "resource", "scope", "span", ... */
const char *tq_inspect_scope_name(int scope);

#endif
