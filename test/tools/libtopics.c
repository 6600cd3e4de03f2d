/* libtopics: one event with Mercure metadata through the public API
 * (lib/sse.h, sse_channel_publish_topics), for test/bats/t1230-topics.bats.
 *   libtopics SPOOL CHANNEL DATA [-p] [TOPIC...]
 * -p makes the event private. Prints its id; a failure is one line on
 * stderr and exit 1, bad usage exit 2. */
#include <stdio.h>
#include <string.h>

#include "sse.h"

int main(int argc, char **argv)
{
	char err[256];
	const char *const *topics;
	size_t ntopics;
	int private_ = 0, rc = 0;
	uint64_t id;
	sse_channel *ch;

	if (argc < 4) {
		fprintf(stderr, "usage: libtopics SPOOL CHANNEL DATA [-p] [TOPIC...]\n");
		return 2;
	}
	topics = (const char *const *)argv + 4;
	ntopics = (size_t)(argc - 4);
	if (ntopics > 0 && strcmp(topics[0], "-p") == 0) {
		private_ = 1;
		topics++;
		ntopics--;
	}
	ch = sse_channel_open(argv[1], argv[2], 0, 0, err, sizeof(err));
	if (!ch) {
		fprintf(stderr, "libtopics: %s\n", err);
		return 1;
	}
	if (sse_channel_publish_topics(ch, NULL, argv[3], strlen(argv[3]), ntopics ? topics : NULL,
				       ntopics, private_, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "libtopics: %s\n", err);
		rc = 1;
	} else {
		printf("%llu\n", (unsigned long long)id);
	}
	sse_channel_close(ch);
	return rc;
}
