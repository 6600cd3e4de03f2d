/* fcgi/heap.c against a brute-force model: random pushes, removals and
 * re-keys; the top is always the earliest deadline. */
#include <stdint.h>
#include <stdlib.h>

#include "heap.h"
#include "tap.h"

#define N 2000

int main(void)
{
	static struct heap_node nodes[N];
	static int in[N];
	struct heap h = { 0 };
	int bad = 0, ops = 0;
	unsigned seed = 12345;

	for (int i = 0; i < N; i++)
		nodes[i].at = SIZE_MAX;
	for (int step = 0; step < 200000; step++) {
		int k = (int)((seed = seed * 1103515245u + 12345u) >> 8) % N;
		uint64_t due = (seed >> 4) % 100000;
		int op = (int)(seed >> 20) % 3;

		if (!in[k]) {
			if (heap_push(&h, &nodes[k], due) < 0)
				return 1;
			in[k] = 1;
		} else if (op == 0) {
			heap_remove(&h, &nodes[k]);
			in[k] = 0;
			if (nodes[k].at != SIZE_MAX)
				bad++;
		} else {
			heap_update(&h, &nodes[k], due);
		}
		ops++;
		if (step % 97 == 0) {
			uint64_t min = UINT64_MAX;
			size_t count = 0;

			for (int i = 0; i < N; i++) {
				if (in[i]) {
					count++;
					if (nodes[i].due < min)
						min = nodes[i].due;
					if (nodes[i].at >= h.len || h.v[nodes[i].at] != &nodes[i])
						bad++;
				}
			}
			if (count != h.len || (count && heap_top(&h)->due != min))
				bad++;
		}
	}
	tap_ok(bad == 0, "top is the earliest deadline and every index is right after %d operations (%d bad)",
	       ops, bad);
	/* Draining in order. */
	{
		uint64_t last = 0;
		int sorted = 1;

		while (heap_top(&h)) {
			struct heap_node *t = heap_top(&h);

			if (t->due < last)
				sorted = 0;
			last = t->due;
			heap_remove(&h, t);
		}
		tap_ok(sorted && h.len == 0, "removing the top each time yields deadlines in order");
	}
	heap_free(&h);
	return tap_done();
}
