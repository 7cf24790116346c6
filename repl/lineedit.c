/* lineedit.c — the REPL's input: readline on a terminal (prompts, history file, completion, Ctrl-C, Ctrl-D), lines from a script.
 * Must not evaluate anything itself: every line goes to repl_feed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "file_io.h"
#include "repl.h"
#include "i18n.h"

static repl *the_repl;
static volatile sig_atomic_t got_sigint, got_winch;

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}

/* ---- completion ---- */

static char **cands;
static size_t n_cands, cap_cands;

static void cand(const char *s)
{
    for (size_t i = 0; i < n_cands; i++)
        if (strcmp(cands[i], s) == 0)
            return;
    if (n_cands == cap_cands) {
        cap_cands = cap_cands ? 2 * cap_cands : 256;
        cands = realloc(cands, cap_cands * sizeof *cands);
    }
    cands[n_cands++] = strdup(s);
}

static void clear_cands(void)
{
    for (size_t i = 0; i < n_cands; i++)
        free(cands[i]);
    n_cands = 0;
}

/* The words of the language worth completing; the built-in functions and the
 * type names come from the compiler's tables. */
static const char *const keywords[] = {"all", "and",   "any",    "count",  "else",      "false", "for", "if",
                                       "in",  "none",  "not",    "or",     "sum",       "then",  "true", "where",
                                       "param", "def", "table",  "decide", "otherwise", "when",  NULL};

/* Names the pack defines (not the result's hidden ones, nor the REPL's own). */
static void name_cands(const rg_program *p)
{
    for (uint32_t i = 0; i < p->n_defs; i++) {
        const char *n = p->str[p->defs[i].name];
        if (strncmp(n, "result.", 7) != 0 && strcmp(n, "__it") != 0)
            cand(n);
    }
}

static void build_cands(const char *line, int start)
{
    clear_cands();
    const repl *r = the_repl;
    const rg_program *p = repl_program(r->cur);
    /* the first word of a line that starts with ':' is a command */
    int first = 1;
    for (int i = 0; i < start; i++)
        if (line[i] != ' ' && line[i] != '\t')
            first = 0;
    if (first && line[start] == ':') {
        const char *c;
        for (uint32_t i = 0; (c = repl_command_completion(i)) != NULL; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, ":%s", c);
            cand(buf);
        }
        return;
    }
    if (strncmp(line, ":help", 5) == 0) {
        const char *c;
        for (uint32_t i = 0; (c = repl_command_completion(i)) != NULL; i++)
            cand(c);
        return;
    }
    if (!p)
        return;
    if (strncmp(line, ":policy", 7) == 0 && line[7] == ' ') {
        for (uint32_t i = 0; i < p->n_policies; i++)
            cand(p->str[p->policies[i].name]);
        return;
    }
    int showlike = strncmp(line, ":show", 5) == 0; /* [POLICY[@VERSION].]TABLE */
    int setlike = strncmp(line, ":set", 4) == 0 || strncmp(line, ":unset", 6) == 0 || showlike;
    int claimset = strncmp(line, ":claim set", 10) == 0;
    /* POLICY.name and POLICY@VERSION.name */
    const char *word = line + start;
    const char *dot = strchr(word, '.');
    if (dot) {
        char pol[128];
        snprintf(pol, sizeof pol, "%.*s", (int)(dot - word), word);
        char *at = strchr(pol, '@');
        if (at)
            *at = '\0';
        if (repl_policy_index(p, pol) >= 0) {
            char prefix[160];
            snprintf(prefix, sizeof prefix, "%.*s", (int)(dot - word + 1), word);
            for (uint32_t i = 0; i < p->n_defs; i++) {
                const char *n = p->str[p->defs[i].name];
                if (strncmp(n, "result.", 7) == 0 || strcmp(n, "__it") == 0 ||
                    (showlike && p->defs[i].kind != RG_DEF_TABLE))
                    continue;
                char buf[300];
                snprintf(buf, sizeof buf, "%s%s", prefix, n);
                cand(buf);
            }
            return;
        }
    }
    for (uint32_t i = 0; i < p->n_policies; i++) {
        const char *pn = p->str[p->policies[i].name];
        cand(pn);
        if (setlike) {
            for (uint32_t v = 0; v < p->n_versions; v++)
                if (p->versions[v].policy == i) {
                    char buf[200];
                    snprintf(buf, sizeof buf, "%s@%s", pn, p->str[p->versions[v].name]);
                    cand(buf);
                }
        }
    }
    if (showlike) {
        for (uint32_t i = 0; i < p->n_defs; i++)
            if (p->defs[i].kind == RG_DEF_TABLE)
                cand(p->str[p->defs[i].name]);
        return;
    }
    /* claim fields: person.scheme, visit.date … (items[] fields as item.code) */
    for (uint32_t i = 0; i < p->n_fields; i++) {
        const char *path = p->str[p->fields[i].path];
        const char *br = strstr(path, "[]");
        if (br) {
            char buf[200];
            if (claimset)
                snprintf(buf, sizeof buf, "%.*s[0]%s", (int)(br - path), path, br + 2);
            else
                snprintf(buf, sizeof buf, "item%s", br + 2);
            cand(buf);
        } else {
            cand(path);
        }
    }
    if (claimset)
        return;
    name_cands(p);
    for (uint32_t f = 0; f < p->n_ledger_fields; f++) {
        char buf[200];
        snprintf(buf, sizeof buf, "%s.%s", p->str[p->ledger_scopes[p->ledger_fields[f].scope].name],
                 p->str[p->ledger_fields[f].name]);
        cand(buf);
    }
    for (uint32_t e = 0; e < p->n_enums; e++)
        for (uint32_t m = 0; m < p->enums[e].n_members; m++)
            cand(p->str[p->member_names[p->enums[e].first_member + m]]);
    for (int i = 0; keywords[i]; i++)
        cand(keywords[i]);
    const char *w;
    for (uint32_t i = 0; (w = rgc_builtin_name_at(i)) != NULL; i++)
        cand(w);
    for (uint32_t i = 0; (w = rgc_type_name_at(i)) != NULL; i++)
        cand(w);
}

static char *generator(const char *text, int state)
{
    static size_t idx, len;
    if (!state) {
        idx = 0;
        len = strlen(text);
    }
    while (idx < n_cands) {
        const char *c = cands[idx++];
        if (strncmp(c, text, len) == 0)
            return strdup(c);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    const char *line = rl_line_buffer;
    /* file names after the commands that take one */
    if (strncmp(line, ":load ", 6) == 0 || strncmp(line, ":whatif ", 8) == 0 ||
        (strncmp(line, ":claim ", 7) == 0 && strncmp(line, ":claim set", 10) != 0))
        return NULL; /* readline's own file name completion */
    rl_attempted_completion_over = 1;
    build_cands(line, start);
    /* no space after a record ("person") or a policy prefix: more may follow */
    rl_completion_append_character = ' ';
    return rl_completion_matches(text, generator);
}

/* ---- prompts ---- */

static char prompt[256];

static const char *make_prompt(repl *r, int more)
{
    const char *pol = r->policy ? r->policy : "regula";
    if (r->color)
        snprintf(prompt, sizeof prompt, "\001\033[1;34m\002%s\001\033[0m\002%s ", pol, more ? "->" : "=>");
    else
        snprintf(prompt, sizeof prompt, "%s%s ", pol, more ? "->" : "=>");
    return prompt;
}

/* ---- the terminal loop ---- */

static char *history_path;
static sigset_t waiting_mask; /* the signal mask outside the REPL */

static void on_line(char *line)
{
    repl *r = the_repl;
    if (!line) { /* Ctrl-D */
        fputc('\n', r->out);
        r->quit = 1;
        return;
    }
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s) {
        HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
        if (!last || strcmp(last->line, line) != 0)
            add_history(line);
    }
    sigprocmask(SIG_SETMASK, &waiting_mask, NULL);
    int more = repl_feed(r, line);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, NULL);
    free(line);
    fflush(r->out);
    if (!r->quit)
        rl_set_prompt(make_prompt(r, more));
}

static int run_tty(repl *r)
{
    const char *h = getenv("REGULA_HISTORY");
    const char *home = getenv("HOME");
    if (h && *h)
        history_path = strdup(h);
    else if (home) {
        size_t n = strlen(home) + 32;
        history_path = malloc(n);
        snprintf(history_path, n, "%s/.regula_history", home);
    }
    using_history();
    stifle_history(2000);
    if (history_path)
        read_history(history_path);
    rl_readline_name = "regula";
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = " \t\n\"'`><=;|&{(,[]+*/";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    struct sigaction sa = {0}, old_int, old_winch;
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, &old_winch);
    r->interrupted = &got_sigint;
    /* the signals are let in only while waiting for a key (pselect) and
     * while a command runs (on_line), so that none is lost in between */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, &waiting_mask);
    rl_callback_handler_install(make_prompt(r, 0), on_line);
    while (!r->quit) {
        fd_set fds;
        int fd = fileno(rl_instream ? rl_instream : stdin);
        FD_ZERO(&fds);
        FD_SET(fd, &fds);
        int n = got_sigint || got_winch ? 0 : pselect(fd + 1, &fds, NULL, NULL, NULL, &waiting_mask);
        if (got_winch) {
            got_winch = 0;
            rl_resize_terminal();
        }
        if (got_sigint) { /* Ctrl-C: drop the line (and an unfinished entry), keep the session */
            got_sigint = 0;
            rl_free_line_state();
            rl_callback_sigcleanup();
            repl_cancel(r);
            fputs("^C\n", r->out);
            fflush(r->out);
            rl_replace_line("", 0);
            rl_set_prompt(make_prompt(r, 0));
            rl_on_new_line();
            rl_redisplay();
            continue;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (n > 0 && FD_ISSET(fd, &fds))
            rl_callback_read_char();
    }
    rl_callback_handler_remove();
    sigprocmask(SIG_SETMASK, &waiting_mask, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGWINCH, &old_winch, NULL);
    r->interrupted = NULL;
    if (history_path) {
        write_history(history_path);
        history_truncate_file(history_path, 2000);
    }
    free(history_path);
    history_path = NULL;
    clear_cands();
    free(cands);
    cands = NULL;
    cap_cands = 0;
    return 0;
}

/* ---- a script ---- */

static int run_script(repl *r)
{
    rg_lines lines;
    rg_lines_init(&lines, stdin, RG_MAX_LINE);
    const char *line;
    ssize_t n;
    int more = 0;
    while (!r->quit && (n = rg_lines_next(&lines, &line)) != -1) {
        if (n == RG_LINE_TOO_LONG) {
            if (r->echo)
                fprintf(r->out, _("%s (a line of %zu bytes)\n"), more ? "->" : "=>", lines.dropped);
            repl_line_too_long(r, lines.dropped);
            fflush(r->out);
            continue;
        }
        if (r->echo) {
            size_t l = (size_t)n;
            while (l && line[l - 1] == '\r')
                l--;
            fprintf(r->out, "%s %.*s\n", more ? "->" : "=>", (int)l, line);
        }
        more = repl_feed(r, line);
        fflush(r->out);
    }
    int err = lines.err;
    rg_lines_free(&lines);
    if (!r->quit)
        repl_finish(r);
    fflush(r->out);
    if (err) {
        fprintf(stderr, _("regula repl: cannot read the input: %s\n"), strerror(err));
        return 2;
    }
    return r->failed ? 1 : 0; /* a script whose commands failed says so to whatever ran it */
}

int repl_run(repl *r)
{
    the_repl = r;
    int rc = r->tty ? run_tty(r) : run_script(r);
    the_repl = NULL;
    return rc;
}
