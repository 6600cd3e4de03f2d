#include "heap.h"

#include <stdlib.h>

static void put(struct heap *h, size_t i, struct heap_node *n)
{
	h->v[i] = n;
	n->at = i;
}

static void up(struct heap *h, size_t i)
{
	struct heap_node *n = h->v[i];

	while (i > 0 && h->v[(i - 1) / 2]->due > n->due) {
		put(h, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	put(h, i, n);
}

static void down(struct heap *h, size_t i)
{
	struct heap_node *n = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && h->v[c + 1]->due < h->v[c]->due)
			c++;
		if (h->v[c]->due >= n->due)
			break;
		put(h, i, h->v[c]);
		i = c;
	}
	put(h, i, n);
}

int heap_push(struct heap *h, struct heap_node *n, uint64_t due)
{
	if (h->len == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct heap_node **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	n->due = due;
	put(h, h->len++, n);
	up(h, n->at);
	return 0;
}

void heap_remove(struct heap *h, struct heap_node *n)
{
	size_t i = n->at;

	if (i >= h->len || h->v[i] != n)
		return;
	n->at = SIZE_MAX;
	if (--h->len == i)
		return;
	{
		struct heap_node *moved = h->v[h->len];

		put(h, i, moved);
		up(h, i);
		down(h, moved->at);
	}
}

void heap_update(struct heap *h, struct heap_node *n, uint64_t due)
{
	uint64_t old = n->due;

	n->due = due;
	if (due < old)
		up(h, n->at);
	else
		down(h, n->at);
}

void heap_free(struct heap *h)
{
	free(h->v);
	h->v = NULL;
	h->len = h->cap = 0;
}
