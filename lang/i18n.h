/* i18n.h — the messages people read, through GNU gettext (text domain
 * "regula", catalogues built from po/). _("…") translates a message where it
 * is used; N_("…") marks one kept in a table and translated where printed.
 * English is the fallback: with no catalogue or no language chosen, _ returns
 * its argument. Not for what a program reads back (JSON keys, result lines of
 * claims, language keywords). */
#ifndef RG_I18N_H
#define RG_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Chooses the language and binds the catalogues; once, first thing in main.
 * LANG_OPT is --lang's value (NULL when not given): "zh" or "en" (zh_CN, en_US,
 * … too); else $REGULA_LANG, else the locale of the environment (LANGUAGE,
 * LC_ALL, LC_MESSAGES, LANG). Returns 0, or -1 when LANG_OPT is no language
 * of Regula's (then English is used). */
int rg_i18n_init(const char *lang_opt);

#endif
