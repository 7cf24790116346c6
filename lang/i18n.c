/* i18n.c — which language messages are in (--lang, $REGULA_LANG, the locale),
 * and where gettext finds the catalogues. */
#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RG_LOCALEDIR /* the Makefile passes $(PREFIX)/share/locale */
#define RG_LOCALEDIR "/usr/local/share/locale"
#endif

/* "zh" or "en" for a language or locale name, NULL for neither. */
static const char *language_of(const char *name)
{
    if (!name || !*name)
        return NULL;
    if (strncmp(name, "zh", 2) == 0 && (name[2] == '\0' || strchr("_-.@", name[2])))
        return "zh";
    if (strncmp(name, "en", 2) == 0 && (name[2] == '\0' || strchr("_-.@", name[2])))
        return "en";
    if (strcmp(name, "C") == 0 || strncmp(name, "C.", 2) == 0 || strcmp(name, "POSIX") == 0)
        return "en";
    return NULL;
}

/* The environment's choice, as gettext makes it: LANGUAGE's first entry
 * beside a locale other than C, else LC_ALL, LC_MESSAGES, LANG. */
static const char *language_of_environment(void)
{
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    const char *locale = NULL;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && !locale; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            locale = v;
    }
    if (!locale || strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0)
        return NULL;
    const char *first = language_of(getenv("LANGUAGE"));
    return first ? first : language_of(locale);
}

/* 1 when PATH is a folder (/usr/bin/locale is a program). */
static int is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of catalogues: build/locale beside build/regula; else
 * PREFIX/share/locale beside PREFIX/bin/regula, wherever the installed tree
 * was moved to; else the LOCALEDIR it was built for. */
static void bind_catalogues(void)
{
    static char dir[4096];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 32);
    char *slash = n > 0 ? (dir[n] = '\0', strrchr(dir, '/')) : NULL;
    if (slash) {
        strcpy(slash + 1, "locale");
        if (is_folder(dir)) {
            bindtextdomain("regula", dir);
            return;
        }
        strcpy(slash + 1, "../share/locale");
        if (is_folder(dir)) {
            bindtextdomain("regula", dir);
            return;
        }
    }
    bindtextdomain("regula", RG_LOCALEDIR);
}

/* Chinese, whether or not the machine has a zh_CN locale: gettext translates
 * only when LC_MESSAGES is not "C", and reads LANGUAGE then; C.UTF-8 is a
 * locale every glibc machine has, and is not "C". */
static void choose_chinese(void)
{
    if (!setlocale(LC_MESSAGES, "zh_CN.UTF-8"))
        setlocale(LC_MESSAGES, "C.UTF-8");
    const char *ctype = setlocale(LC_CTYPE, NULL);
    if (ctype && strcmp(ctype, "C") == 0) /* Chinese text in and out, on a terminal too */
        setlocale(LC_CTYPE, "C.UTF-8");
    setenv("LANGUAGE", "zh_CN", 1);
}

static void choose_english(void)
{
    setlocale(LC_MESSAGES, "C");
    unsetenv("LANGUAGE");
}

int rg_i18n_init(const char *lang_opt)
{
    /* the character type and the messages only: numbers, dates and sorting
     * stay the C library's defaults, so that no output other than messages
     * depends on the locale */
    setlocale(LC_CTYPE, "");
    bind_catalogues();
    bind_textdomain_codeset("regula", "UTF-8");
    textdomain("regula");
    const char *want = NULL;
    int rc = 0;
    if (lang_opt) {
        want = language_of(lang_opt);
        if (!want)
            rc = -1;
    } else {
        want = language_of(getenv("REGULA_LANG"));
    }
    if (!want && rc == 0)
        want = language_of_environment();
    if (want && strcmp(want, "zh") == 0)
        choose_chinese();
    else
        choose_english();
    return rc;
}
