/* A binary min-heap of deadlines for thousands of streams in one worker:
 * the next heartbeat or end of lifetime is the worker's only timer. Items
 * embed a struct heap_node; a key may be early (the owner checks and
 * re-keys when it comes up), never late. */
#ifndef SSE_FCGI_HEAP_H
#define SSE_FCGI_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_node {
	uint64_t due;
	size_t at;         /* index in the heap, SIZE_MAX when not in it */
};

struct heap {
	struct heap_node **v;
	size_t len, cap;
};

int heap_push(struct heap *h, struct heap_node *n, uint64_t due);
void heap_remove(struct heap *h, struct heap_node *n);
/* Moves n to its new deadline. */
void heap_update(struct heap *h, struct heap_node *n, uint64_t due);
static inline struct heap_node *heap_top(const struct heap *h)
{
	return h->len ? h->v[0] : NULL;
}
void heap_free(struct heap *h);

#endif
