/*
 * arena.c: region allocator (see arena.h).
 *
 * Chunks are linked newest first; a request larger than the usual chunk
 * gets a chunk of its own, so one big string does not waste a half-filled
 * chunk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK_MIN	(64 * 1024)
#define CHUNK_MAX	(8 * 1024 * 1024)
#define ALIGN		16

struct tq_arena_chunk {
	struct tq_arena_chunk	*next;
	size_t			 size;	/* usable bytes after the header */
	size_t			 off;
	_Alignas(ALIGN) unsigned char data[];
};

void
tq_arena_init(struct tq_arena *a, size_t max)
{
	a->head = NULL;
	a->spare = NULL;
	a->used = 0;
	a->total = 0;
	a->max = max;
}

static void
free_chunks(struct tq_arena_chunk *c)
{
	struct tq_arena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
tq_arena_release(struct tq_arena *a)
{
	free_chunks(a->head);
	free_chunks(a->spare);
	a->head = NULL;
	a->spare = NULL;
	a->used = 0;
	a->total = 0;
}

void
tq_arena_reset(struct tq_arena *a)
{
	struct tq_arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		c->next = a->spare;
		a->spare = c;
	}
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

/*
 * new_chunk gives a chunk of at least size usable bytes, counting it in a:
 * a spare one that fits without wasting more than half of it, else a new
 * one.
 */
static struct tq_arena_chunk *
new_chunk(struct tq_arena *a, size_t size)
{
	struct tq_arena_chunk *c, **pp;

	if (a->total > a->max || size > a->max - a->total)
		return NULL;
	for (pp = &a->spare; (c = *pp) != NULL; pp = &c->next)
		if (c->size >= size && c->size / 2 <= size &&
		    c->size <= a->max - a->total) {
			*pp = c->next;
			c->off = 0;
			a->total += c->size;
			return c;
		}
	if ((c = malloc(sizeof(*c) + size)) == NULL)
		return NULL;
	c->size = size;
	c->off = 0;
	a->total += size;
	return c;
}

void *
tq_arena_alloc(struct tq_arena *a, size_t n)
{
	struct tq_arena_chunk *c = a->head;
	size_t size;

	if (n > SIZE_MAX - ALIGN)
		return NULL;
	n = n == 0 ? ALIGN : (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (c == NULL || c->size - c->off < n) {
		size = c == NULL ? CHUNK_MIN : c->size * 2;
		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		if (n > size / 4) {
			/* A big request gets a chunk of its own, kept behind
			 * the chunk being filled so its free space is not lost. */
			if ((c = new_chunk(a, n)) == NULL)
				return NULL;
			c->off = n;
			if (a->head != NULL) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				c->next = NULL;
				a->head = c;
			}
			a->used += n;
			return c->data;
		}
		if ((c = new_chunk(a, size)) == NULL &&
		    (c = new_chunk(a, n)) == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	c->off += n;
	a->used += n;
	return c->data + c->off - n;
}

void *
tq_arena_calloc(struct tq_arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if ((p = tq_arena_alloc(a, n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
tq_arena_memdup(struct tq_arena *a, const void *src, size_t n)
{
	void *p;

	if ((p = tq_arena_alloc(a, n)) != NULL && n > 0)
		memcpy(p, src, n);
	return p;
}

char *
tq_arena_strndup(struct tq_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || (p = tq_arena_alloc(a, n + 1)) == NULL)
		return NULL;
	if (n > 0)	/* s may be NULL then (an empty buffer's data) */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
tq_arena_adopt(struct tq_arena *dst, struct tq_arena *src)
{
	struct tq_arena_chunk *tail;

	if (src->head == NULL)
		return 0;
	if (dst->total > dst->max || src->total > dst->max - dst->total)
		return -1;
	for (tail = src->head; tail->next != NULL; tail = tail->next)
		continue;
	if (dst->head == NULL) {
		dst->head = src->head;
	} else {
		/* dst keeps filling its own chunk; src's follow it. */
		tail->next = dst->head->next;
		dst->head->next = src->head;
	}
	dst->used += src->used;
	dst->total += src->total;
	src->head = NULL;
	src->used = 0;
	src->total = 0;
	return 0;
}
