/* cmd_fmt.c — `regula fmt`: lay out policy files canonically (lang/format.c).
 * A file that does not parse is refused, and nothing is written unless the new
 * text differs from the old in white space only. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "file_io.h"
#include "format.h"
#include "parse.h"
#include "i18n.h"

static const char k_usage[] =
    "usage: regula fmt [-w | --check] PATH...\n"
    "\n"
    "Lay out policy files canonically: two spaces per nesting level, continuation\n"
    "lines kept relative to their statement, the arrows of table rows, `when` arms\n"
    "and brackets in one column, table cells padded, trailing blanks and runs of\n"
    "blank lines removed. Only white space changes; tokens, comments and strings\n"
    "are kept as written. PATH is a .rg file or a directory (its *.rg files).\n"
    "Without -w or --check the formatted text goes to standard output.\n"
    "\n"
    "  -w, --write   rewrite the files that change, in place\n"
    "  --check       name the files that are not formatted, change nothing\n"
    "\n"
    "exit status: 0 done (or, with --check, every file formatted), 1 a file is not\n"
    "formatted (--check) or has syntax errors, 2 usage or I/O error\n";

enum mode { TO_STDOUT, WRITE, CHECK };

typedef struct {
    enum mode mode;
    int n_unformatted, n_errors, io_error;
} fmt_run;

static int write_file(const char *path, const char *text, size_t n)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp)
        return -1;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".fmt~", 6);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(text, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    struct stat st;
    if (ok && stat(path, &st) == 0)
        chmod(tmp, st.st_mode & 07777);
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok)
        remove(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

static void fmt_file(fmt_run *r, const char *path)
{
    rg_diag d;
    rg_diag_init(&d, stderr);
    int idx = rg_diag_load_file(&d, path);
    if (idx < 0) {
        fprintf(stderr, _("regula fmt: cannot read %s: %s\n"), path, rg_read_error(errno, RG_MAX_FILE));
        r->io_error = 1;
        rg_diag_free(&d);
        return;
    }
    rg_arena arena = {0};
    if (!rg_parse_file(&arena, &d, (uint32_t)idx)) {
        fprintf(stderr, _("regula fmt: %s not formatted: fix its syntax errors first (fmt changes layout only)\n"),
                path);
        r->n_errors++;
        goto done;
    }
    const rg_source *src = rg_diag_source(&d, (uint32_t)idx);
    size_t n;
    char *out = rg_format(src->text, src->len, &n);
    if (!out) {
        fprintf(stderr, _("regula fmt: out of memory formatting %s\n"), path);
        r->io_error = 1;
        goto done;
    }
    if (!rg_format_same_tokens(src->text, src->len, out, n)) {
        fprintf(stderr, _("regula fmt: %s: internal error: the layout pass changed more than white space; "
                        "the file is left as it is (please report it with the file)\n"),
                path);
        r->n_errors++;
        free(out);
        goto done;
    }
    int changed = n != src->len || memcmp(out, src->text, n) != 0;
    if (r->mode == TO_STDOUT) {
        fwrite(out, 1, n, stdout);
    } else if (changed && r->mode == CHECK) {
        printf("%s\n", path);
        r->n_unformatted++;
    } else if (changed && write_file(path, out, n) != 0) {
        fprintf(stderr, _("regula fmt: cannot write %s: %s\n"), path, strerror(errno));
        r->io_error = 1;
    } else if (changed) {
        printf(_("formatted %s\n"), path);
    }
    free(out);
done:
    rg_arena_free(&arena);
    rg_diag_free(&d);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fmt_path(fmt_run *r, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, _("regula fmt: %s: %s\n"), path, strerror(errno));
        r->io_error = 1;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        fmt_file(r, path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, _("regula fmt: cannot open %s: %s\n"), path, strerror(errno));
        r->io_error = 1;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        size_t l = strlen(de->d_name);
        if (l <= 3 || strcmp(de->d_name + l - 3, ".rg") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        size_t pl = strlen(path);
        names[n] = malloc(pl + l + 2);
        if (!names[n])
            break;
        snprintf(names[n], pl + l + 2, "%s%s%s", path, path[pl - 1] == '/' ? "" : "/", de->d_name);
        n++;
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        fmt_file(r, names[i]);
        free(names[i]);
    }
    free(names);
}

int cmd_fmt(int argc, char **argv)
{
    fmt_run r = {TO_STDOUT, 0, 0, 0};
    int n_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(k_usage, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--write") == 0)
            r.mode = WRITE;
        else if (strcmp(argv[i], "--check") == 0)
            r.mode = CHECK;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, _("regula fmt: unknown option '%s' (see regula fmt --help)\n"), argv[i]);
            return EXIT_USAGE;
        } else
            n_paths++;
    }
    if (n_paths == 0) {
        fprintf(stderr, _("regula fmt: name a .rg file or a directory (see regula fmt --help)\n"));
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' || !argv[i][1])
            fmt_path(&r, argv[i]);
    if (r.io_error)
        return EXIT_USAGE;
    return r.n_errors || r.n_unformatted ? EXIT_FAIL : EXIT_OK;
}
