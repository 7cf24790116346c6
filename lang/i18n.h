#ifndef RG_I18N_H
#define RG_I18N_H
#define _(s) (s)
#define N_(s) (s)
#endif
