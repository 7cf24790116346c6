/* catalog_csv.h — imports the catalogs' CSV files into the program image.
 * Part of the compiler layer. */
#ifndef RGC_CATALOG_CSV_H
#define RGC_CATALOG_CSV_H

#include "compiler.h"

/* Load every catalog of the pack, overlaid along `extends`; 0 or -1 after
 * reporting errors with file:line:col of the CSV. */
int rgc_load_catalogs(rgc_pack *pk);

#endif
