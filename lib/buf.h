/*
 * buf.h: growable byte buffers with a hard cap.
 *
 * Every buffer that input can grow gets a maximum at init, so a hostile
 * peer can make an operation fail with TQ_ELIMIT but never exhaust memory.
 */
#ifndef TQ_BUF_H
#define TQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct tq_buf {
	unsigned char	*data;	/* NULL until the first append */
	size_t		 len;
	size_t		 cap;
	size_t		 max;	/* len never exceeds max */
};

/* tq_buf_init makes b empty, allowing it to grow to max bytes. */
void	tq_buf_init(struct tq_buf *b, size_t max);

/* tq_buf_release frees b's memory; b may be reused after tq_buf_init. */
void	tq_buf_release(struct tq_buf *b);

/* tq_buf_reset empties b and keeps its memory for reuse. */
void	tq_buf_reset(struct tq_buf *b);

/*
 * tq_buf_reserve makes room for n more bytes after len.  Returns 0,
 * TQ_ELIMIT when len + n would pass max, or TQ_ENOMEM.
 */
int	tq_buf_reserve(struct tq_buf *b, size_t n);

/* tq_buf_append copies n bytes to the end of b.  Errors as tq_buf_reserve. */
int	tq_buf_append(struct tq_buf *b, const void *p, size_t n);

/* tq_buf_putc appends one byte.  Errors as tq_buf_reserve. */
int	tq_buf_putc(struct tq_buf *b, int c);

/* tq_buf_puts appends a NUL-terminated string, without the NUL. */
int	tq_buf_puts(struct tq_buf *b, const char *s);

/*
 * tq_buf_printf appends formatted text; data stays NUL-terminated after
 * it (the NUL is not counted in len).  Errors as tq_buf_reserve.
 */
int	tq_buf_printf(struct tq_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	tq_buf_vprintf(struct tq_buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/*
 * tq_buf_steal hands b's memory to the caller (free() it) and leaves b
 * empty.  Returns NULL when b never held data.
 */
void	*tq_buf_steal(struct tq_buf *b, size_t *len);

#endif
