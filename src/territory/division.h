/* division.h — loading the statistical division codes (行政区划) into the
 * store from the CSV layout shipped under data/divisions/. */
#ifndef WG_DIVISION_H
#define WG_DIVISION_H

#include "store/store.h"

/* Loads provinces.csv, cities.csv, areas.csv and every streets_*.csv and
 * villages_*.csv found in dir, keeping only codes that start with prefix
 * ("" = all; e.g. "14" for Shanxi, "141127" for Lan County and its
 * ancestors are always kept). One transaction: on error nothing is written
 * and ei names the file, row and field. *loaded (may be NULL) gets the
 * number of divisions written. Village-level rows named …居委会 are urban,
 * …村委会 rural. */
wg_err wg_division_load_dir(wg_store_t *s, const char *dir, const char *prefix,
                            long *loaded, wg_errinfo *ei) WG_MUST_CHECK;

/* Pads a 2/4/6/9/12-digit code to 12 digits (out cap ≥ 13); WG_EINVAL when
 * code is not 2, 4, 6, 9 or 12 digits. */
wg_err wg_division_code_pad(const char *code, char *out) WG_MUST_CHECK;

/* Level implied by a 12-digit code's trailing zeros. */
wg_division_level wg_division_code_level(const char *code12);

#endif
