/* import.h — residents from the spreadsheets offices really hold.
 *
 * CSV (UTF-8 with or without BOM, GB18030/GBK) or XLSX; Chinese headers
 * (姓名, 性别, 身份证号, 联系电话, 与户主关系, 社区, 小区, 楼栋, 单元, 室 or
 * one 地址 column, 户号, 人口类型, 标签 …) or English aliases; see
 * docs/data-formats.md for the full list.
 *
 * All-or-nothing by default: one bad row rejects the file and nothing is
 * written; every bad row is reported (row, column, masked value, reason).
 * With skip_bad the good rows are imported and the bad ones written with
 * their reasons to a rejects file. Every imported resident carries one
 * import event (who, when, why) for the file. */
#ifndef WG_IMPORT_H
#define WG_IMPORT_H

#include <stdio.h>

#include "store/store.h"
#include "territory/coord.h"

typedef struct wg_import_opts {
  const char *county;       /* 6 digits, required */
  const char *community;    /* default community (code or name) for rows without one */
  int skip_bad;             /* import good rows, reject bad ones */
  const char *rejects_path; /* with skip_bad: bad rows + reasons (CSV or .xlsx) */
  int32_t effective;        /* date the residents are on the ledger from; 0 = today */
  const char *actor;        /* who runs the import */
  const char *origin;       /* for the audit log ("cli" when NULL) */
  const char *reason;       /* why; default "import <file>" */
  FILE *report;             /* bad rows are listed here (NULL = not listed) */
  long max_listed;          /* list at most this many bad fields; 0 = 1000 */
  int progress;             /* print a progress line (rows/s, ETA) to stderr */
  wg_crs crs;               /* coordinate system of 经度/纬度 columns (default WGS84) */
} wg_import_opts;

typedef struct wg_import_result {
  long rows;                /* data rows read */
  long imported;            /* residents written */
  long bad_rows;            /* rows with at least one error */
  long errors;              /* field errors found */
  long households;          /* households created */
  long dwellings;           /* dwellings created or found */
  int64_t event_id;         /* the import event (0 when nothing was written) */
  double seconds;
  char format[8];           /* "csv" / "xlsx" */
  char encoding[16];
} wg_import_result;

/* Imports residents from path. Returns WG_OK when rows were imported
 * (with skip_bad, also when some were rejected), WG_EREJECTED when bad rows
 * made an all-or-nothing import write nothing, or the error that stopped it
 * (ei says where: file, row, field, why). Never leaves a partial import. */
wg_err wg_import_residents(wg_store_t *s, const char *path, const wg_import_opts *o,
                           wg_import_result *res, wg_errinfo *ei) WG_MUST_CHECK;

/* Field names a header may use, for --help and docs: one line per field,
 * "field: alias, alias, …". */
void wg_import_print_columns(FILE *out);

#endif
