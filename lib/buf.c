/*
 * buf.c: growable byte buffers with a hard cap (see buf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include <stdint.h>

#include "err.h"

void
tq_buf_init(struct tq_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
tq_buf_release(struct tq_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
tq_buf_reset(struct tq_buf *b)
{
	b->len = 0;
}

int
tq_buf_reserve(struct tq_buf *b, size_t n)
{
	size_t need, cap;
	unsigned char *p;

	if (n > b->max - b->len)
		return TQ_ELIMIT;
	need = b->len + n;
	if (need <= b->cap)
		return 0;
	cap = b->cap < 256 ? 256 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* One byte past max is allowed for the NUL that printf leaves. */
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->data, cap)) == NULL)
		return TQ_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
tq_buf_append(struct tq_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	if ((rc = tq_buf_reserve(b, n)) != 0)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
tq_buf_putc(struct tq_buf *b, int c)
{
	int rc;

	if (b->len < b->cap) {
		b->data[b->len++] = (unsigned char)c;
		return 0;
	}
	if ((rc = tq_buf_reserve(b, 1)) != 0)
		return rc;
	b->data[b->len++] = (unsigned char)c;
	return 0;
}

int
tq_buf_puts(struct tq_buf *b, const char *s)
{
	return tq_buf_append(b, s, strlen(s));
}

int
tq_buf_vprintf(struct tq_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return TQ_EINVAL;
	if ((rc = tq_buf_reserve(b, (size_t)n)) != 0)
		return rc;
	if (b->cap < b->len + (size_t)n + 1 &&
	    (rc = tq_buf_reserve(b, (size_t)n + 1)) != 0)
		return rc;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
tq_buf_printf(struct tq_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tq_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void *
tq_buf_steal(struct tq_buf *b, size_t *len)
{
	void *p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
