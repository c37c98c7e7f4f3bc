/*
 * arena.h: region allocator for things that die together.
 *
 * A decoded request, a compiled query or one row group's columns is
 * allocated from an arena and freed at once with tq_arena_reset or
 * tq_arena_release.  Never free() arena memory.  An arena has a cap so that
 * hostile input fails with NULL rather than exhausting memory.
 */
#ifndef TQ_ARENA_H
#define TQ_ARENA_H

#include <stddef.h>

struct tq_arena_chunk;

struct tq_arena {
	struct tq_arena_chunk	*head;	/* chunk being filled */
	struct tq_arena_chunk	*spare;	/* emptied by reset, for reuse */
	size_t			 used;	/* bytes handed out */
	size_t			 total;	/* bytes held in chunks in use */
	size_t			 max;	/* total never exceeds max */
};

/* tq_arena_init makes a empty; it will hold at most max bytes. */
void	 tq_arena_init(struct tq_arena *a, size_t max);

/* tq_arena_release frees every chunk; a may be reused after init. */
void	 tq_arena_release(struct tq_arena *a);

/*
 * tq_arena_reset forgets every allocation but keeps the chunks for the
 * next ones, so a loop that decodes one record after another stops
 * calling malloc (and touching fresh pages).
 */
void	 tq_arena_reset(struct tq_arena *a);

/*
 * tq_arena_alloc returns n bytes aligned for any type, valid until reset or
 * release, or NULL when out of memory or over the cap.  n may be 0.
 */
void	*tq_arena_alloc(struct tq_arena *a, size_t n);

/* tq_arena_calloc is tq_arena_alloc of n * size zeroed bytes. */
void	*tq_arena_calloc(struct tq_arena *a, size_t n, size_t size);

/* tq_arena_strndup copies n bytes of s and a NUL; NULL on failure. */
char	*tq_arena_strndup(struct tq_arena *a, const char *s, size_t n);

/* tq_arena_memdup copies n bytes; NULL on failure. */
void	*tq_arena_memdup(struct tq_arena *a, const void *p, size_t n);

/*
 * tq_arena_adopt moves every allocation of src into dst, which frees them
 * from then on; src is left empty.  Returns 0, or -1 (nothing moved) when
 * dst's cap would be exceeded.
 */
int	 tq_arena_adopt(struct tq_arena *dst, struct tq_arena *src);

#endif
