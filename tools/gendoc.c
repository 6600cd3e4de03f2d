/* gendoc: rewrites the parts of the man pages and of doc/stream.md that
 * restate the settings table (lib/settings.c), so a default, a rule or the
 * order of the sources has one home and the pages are built from it.
 *
 *   gendoc FILE     prints FILE with each generated part rewritten
 *
 * A generated part starts at a line holding "generated:KIND [PROGRAM]" (a roff
 * or HTML comment) and ends at the next line holding "end generated"; the
 * lines between are replaced, the marker lines kept. KIND is man-settings
 * (PROGRAM: sse.cgi, sse-fcgi or sse-publish) or md-settings. `make docs`
 * writes the files in place; t1010 fails when one is out of date. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

enum fmt { ROFF, MD };

static const char *prog = "gendoc";

/* Writes one word of text (` marks code) in the format; *code carries
 * whether a code span is open across words. */
static void put_word(FILE *f, enum fmt fmt, const char *w, size_t n, int *code, int line_start)
{
	if (fmt == ROFF && line_start && (w[0] == '.' || w[0] == '\''))
		fputs("\\&", f); /* a control character at line start */
	for (size_t i = 0; i < n; i++) {
		if (fmt == MD) {
			fputc(w[i], f);
			continue;
		}
		if (w[i] == '`') {
			*code = !*code;
			fputs(*code ? "\\fB" : "\\fR", f);
		} else if (w[i] == '\\') {
			fputs("\\e", f);
		} else if (w[i] == '-' && *code) {
			fputs("\\-", f); /* an option's minus, not a hyphen */
		} else {
			fputc(w[i], f);
		}
	}
}

/* text as lines of at most width columns (a longer word stands alone);
 * width 0: one line. */
static void put_text(FILE *f, enum fmt fmt, const char *text, size_t width)
{
	size_t col = 0;
	int code = 0;

	while (*text) {
		size_t n = strcspn(text, " ");

		if (col > 0 && width && col + 1 + n > width) {
			fputc('\n', f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		put_word(f, fmt, text, n, &code, col == 0);
		col += n;
		text += n;
		text += strspn(text, " ");
	}
}

static unsigned prog_of(const char *name)
{
	static const unsigned progs[] = { SSE_PROG_CGI, SSE_PROG_FCGI, SSE_PROG_PUBLISH };

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (strcmp(sse_prog_name(progs[i]), name) == 0)
			return progs[i];
	return 0;
}

/* A man page's SETTINGS (or ENVIRONMENT) list for one program, then the
 * paragraph on where the settings come from. */
static void man_settings(FILE *f, unsigned p)
{
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *s = &sse_setting_table[i];
		char flag[64];

		if (!(s->progs & p))
			continue;
		fputs(".TP\n", f);
		if (p == SSE_PROG_FCGI) {
			snprintf(flag, sizeof(flag), "`--%s`", s->flag);
			fprintf(f, "\\fB%s\\fR, ", s->name);
			put_text(f, ROFF, flag, 0);
			fputc('\n', f);
		} else {
			fprintf(f, ".B %s\n", s->name);
		}
		put_text(f, ROFF, s->doc, 72);
		if (s->dflt)
			fprintf(f, "\nDefault: %s.", s->dflt);
		fputc('\n', f);
	}
	fputs(".PP\n", f);
	put_text(f, ROFF, sse_settings_sources(p), 72);
	fputc('\n', f);
}

static void md_readers(FILE *f, unsigned progs)
{
	static const unsigned order[] = { SSE_PROG_CGI, SSE_PROG_FCGI, SSE_PROG_PUBLISH };
	const char *sep = "";

	if (progs == SSE_PROG_ALL) {
		fputs("all", f);
		return;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (progs & order[i]) {
			fprintf(f, "%s`%s`", sep, sse_prog_name(order[i]));
			sep = ", ";
		}
	}
}

/* doc/stream.md: where each program takes its settings from, and the table. */
static void md_settings(FILE *f)
{
	static const unsigned order[] = { SSE_PROG_CGI, SSE_PROG_FCGI, SSE_PROG_PUBLISH };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		put_text(f, MD, sse_settings_sources(order[i]), 78);
		fputs("\n\n", f);
	}
	fputs("| setting | `sse-fcgi` flag | default | read by | meaning |\n"
	      "| --- | --- | --- | --- | --- |\n", f);
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *s = &sse_setting_table[i];

		fprintf(f, "| `%s` | ", s->name);
		if (s->progs & SSE_PROG_FCGI)
			fprintf(f, "`--%s`", s->flag);
		else
			fputc('-', f);
		fprintf(f, " | %s | ", s->dflt ? s->dflt : s->unset);
		md_readers(f, s->progs);
		fputs(" | ", f);
		put_text(f, MD, s->doc, 0);
		fputs(" |\n", f);
	}
	fputc('\n', f); /* the end marker must not read as a row */
}

/* Emits the part a marker line asks for; -1 (with a message) when unknown. */
static int generate(FILE *f, const char *file, const char *marker)
{
	char kind[32] = "", name[32] = "";
	const char *m = strstr(marker, "generated:") + strlen("generated:");
	unsigned p;

	if (sscanf(m, "%31s %31s", kind, name) < 1)
		kind[0] = 0;
	if (strcmp(kind, "md-settings") == 0) {
		md_settings(f);
		return 0;
	}
	if (strcmp(kind, "man-settings") == 0 && (p = prog_of(name)) != 0) {
		man_settings(f, p);
		return 0;
	}
	fprintf(stderr, "%s: %s: unknown generated part 'generated:%s %s': expected "
			"man-settings sse.cgi|sse-fcgi|sse-publish or md-settings\n",
		prog, file, kind, name);
	return -1;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0, start = 0;
	int inside = 0;
	FILE *in;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s FILE   (prints FILE with its generated parts rewritten)\n", prog);
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog, argv[1], strerror(errno));
		return 1;
	}
	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		if (inside && !strstr(line, "end generated"))
			continue;
		fputs(line, stdout);
		if (inside) {
			inside = 0;
		} else if (strstr(line, "generated:")) {
			if (generate(stdout, argv[1], line) < 0)
				return 1;
			inside = 1;
			start = lineno;
		}
	}
	free(line);
	if (ferror(in) || fclose(in) != 0) {
		fprintf(stderr, "%s: cannot read '%s'\n", prog, argv[1]);
		return 1;
	}
	if (inside) {
		fprintf(stderr, "%s: %s:%lu: the generated part has no 'end generated' line after it\n",
			prog, argv[1], start);
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write: %s\n", prog, strerror(errno));
		return 1;
	}
	return 0;
}
