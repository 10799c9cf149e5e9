/* campaign_ops.h — campaigns on the store: create one from a query, look at
 * it through the active plan's grids (roll-up, lists, history), mark items
 * one by one or from a spreadsheet.
 *
 * The rules live in campaign.h (no I/O); this module reads and writes the
 * store and audits every write in the same transaction as the change. */
#ifndef WG_CAMPAIGN_OPS_H
#define WG_CAMPAIGN_OPS_H

#include <stdio.h>

#include "campaign/campaign.h"
#include "store/store.h"
#include "util/strmap.h"

typedef struct wg_campaign_spec {
  const char *county;       /* required */
  const char *name;         /* required */
  const char *template_code;/* "testing", … or NULL */
  int kind;                 /* wg_item_kind; 0 = the template's (person without one) */
  const char *stages;       /* stages text; NULL = the template's */
  const char *query;        /* NULL = the template's default population */
  int32_t ref_date;         /* the query's reference date (required) */
  const char *actor;
  const char *origin;       /* for the audit row ("cli" when NULL) */
  const char *created_at;   /* ISO time, NULL = now (the demo backdates) */
} wg_campaign_spec;

/* Creates a campaign and its items (everyone the query selects on
 * ref_date, or their households) in one transaction with an audit row.
 * Tag words in the query are resolved against the ledger's tags (unknown →
 * WG_EINVAL naming the term). Grid terms use the county's active plan.
 * *id gets the campaign id, *items (may be NULL) the population size.
 * Zero items is allowed (the office sees the query selected nobody). */
wg_err wg_campaign_create(wg_store_t *s, const wg_campaign_spec *spec, int64_t *id, long *items,
                          wg_errinfo *ei) WG_MUST_CHECK;

/* A plan's grids and where each entrance lies in them, for campaigns:
 * loaded once, read-only after (a server shares one between requests). */
typedef struct wg_campaign_plan {
  int64_t plan_id;          /* 0 = no active plan */
  int ngrids;
  char (*grid_code)[19];    /* [ngrids], ordered by code */
  wg_u64map entrance;       /* entrance id → index into where */
  int (*where)[3];          /* level-1..3 grid indices, -1 = none */
  int nwhere;
  int32_t *dense;           /* entrance id → where index (-1 none), when ids are dense */
  int64_t ndense;           /* entries of dense (0 = use the map) */
} wg_campaign_plan;

/* Loads the county's active plan (p->plan_id 0 when none: then only the
 * division levels roll up). An entrance split over level-3 grids counts in
 * its first piece's grids (which dwelling lies in which piece is not
 * recorded). Free with wg_campaign_plan_free. */
wg_err wg_campaign_plan_load(wg_store_t *s, const char *county, wg_campaign_plan *p) WG_MUST_CHECK;
void wg_campaign_plan_free(wg_campaign_plan *p); /* accepts zeroed */

/* A campaign as seen through a plan. Owned by the caller:
 * wg_campaign_view_free. */
typedef struct wg_campaign_view {
  wg_campaign_row c;
  wg_campaign_stages stages;
  int64_t plan_id;          /* plan->plan_id */
  const wg_campaign_plan *plan; /* &own, or borrowed */
  wg_campaign_plan own;
} wg_campaign_view;

/* Opens a campaign with the county's active plan loaded for it. */
wg_err wg_campaign_view_open(wg_store_t *s, int64_t campaign_id, wg_campaign_view *v,
                             wg_errinfo *ei) WG_MUST_CHECK;
/* Opens a campaign seen through plan, which is borrowed: it must outlive
 * the view. */
wg_err wg_campaign_view_open_with(wg_store_t *s, int64_t campaign_id, const wg_campaign_plan *plan,
                                  wg_campaign_view *v, wg_errinfo *ei) WG_MUST_CHECK;
void wg_campaign_view_free(wg_campaign_view *v); /* accepts zeroed */

/* The unit codes of every roll-up level for an item living at entrance in
 * community: codes[WG_RL_COUNTY] … codes[WG_RL_GRID3], "" where none. */
void wg_campaign_view_place(const wg_campaign_view *v, int64_t entrance_id,
                            const char *community, char codes[WG_RL_COUNT_][19]);

/* 1 when the item lies in unit `code` (a division code: by prefix; a grid
 * code: that grid or a sub-grid). */
int wg_campaign_view_in(const wg_campaign_view *v, int64_t entrance_id, const char *community,
                        const char *code);

/* The roll-up of every level: units of the county, its townships and
 * communities (from the division table) and every grid of the active plan,
 * each with reached[] per stage and a rank within its level. *units is
 * malloc'd (free()); *n its length. Units are ordered by level, then code. */
wg_err wg_campaign_rollup(wg_store_t *s, const wg_campaign_view *v, wg_rollup_unit **units,
                          int *n) WG_MUST_CHECK;

/* One day of a campaign's history: items that had reached each stage by
 * the end of the day (China Standard Time) in the unit. */
typedef int (*wg_campaign_day_fn)(void *ctx, int32_t day, const long *reached, int nstages);
/* Replays the campaign's events (the append-only log is the history: a
 * snapshot can be recomputed for any day and any unit and never drifts) and
 * calls fn once per day from the first event's day to last_day (0 = the
 * last event's day). unit NULL = the whole county. */
wg_err wg_campaign_history(wg_store_t *s, const wg_campaign_view *v, const char *unit,
                           int32_t last_day, wg_campaign_day_fn fn, void *ctx) WG_MUST_CHECK;

/* Marks: who, and which items they may touch. */
typedef struct wg_campaign_mark_opts {
  const char *actor;
  const char *origin;       /* audit origin ("cli" when NULL) */
  const char *at;           /* ISO time of the moves, NULL = now */
  int correct;              /* allow moving back (a correction; note required) */
  /* Scope: NULL = every item; else 1 when the caller may mark the item. */
  int (*can_mark)(void *ctx, const wg_campaign_item_row *it);
  void *can_mark_ctx;
} wg_campaign_mark_opts;

/* Moves one item (by item id, ID number or household number) to the stage
 * named by stage_word, with an event and an audit row, in one transaction.
 * WG_ENOTFOUND (no such item in the campaign), WG_EPERM (out of scope:
 * reported as not found to callers that must not learn it exists),
 * WG_EEXIST (already there), WG_ECONFLICT (backwards without correct),
 * WG_EINVAL (unknown stage). *it (may be NULL) gets the item after. */
wg_err wg_campaign_mark(wg_store_t *s, const wg_campaign_view *v, int64_t item_id,
                        const char *key, const char *stage_word, const char *note,
                        const wg_campaign_mark_opts *o, wg_campaign_item_row *it,
                        wg_errinfo *ei) WG_MUST_CHECK;

typedef struct wg_campaign_import_result {
  long rows;                /* data rows read */
  long moved;               /* items moved */
  long unchanged;           /* rows naming the stage the item is at already */
  long bad_rows;
  char format[8];
} wg_campaign_import_result;

/* Bulk update from a CSV/XLSX sheet (a lab's results): a header row naming
 * the item by 条目/item_id, or 身份证号/id_number, or 户号/household; the
 * stage by 环节/stage (code, Chinese or English name; default_stage when
 * the column is absent or the cell empty); optional 备注/note. The ledger
 * import's rules: every bad row is reported (row, column, masked value,
 * why) to report, and one bad row rejects the file with WG_EREJECTED —
 * nothing is written. Otherwise every move, its event, and one audit row
 * for the file are written in one transaction. A row naming an item out of
 * scope is a bad row ("not in your grids"). buf/len: read from memory when
 * buf is not NULL (HTTP uploads), else from path. */
wg_err wg_campaign_import(wg_store_t *s, const wg_campaign_view *v, const char *path,
                          const void *buf, size_t len, const char *default_stage,
                          const wg_campaign_mark_opts *o, FILE *report,
                          wg_campaign_import_result *res, wg_errinfo *ei) WG_MUST_CHECK;

/* Columns a bulk-update sheet may use, for --help and docs. */
void wg_campaign_import_print_columns(FILE *out);

#endif
