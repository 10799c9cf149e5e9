/* store.h — the one storage interface of wangge.
 *
 * Callers speak in domain records (divisions, standard addresses, households,
 * residents, events, audit rows); the backend speaks SQL. Today the backend
 * is SQLite (store_sqlite.c) or PostgreSQL (store_pg.c), selected by the
 * URI given to wg_store_open, without changing a caller.
 *
 * Dates are ints yyyymmdd (0 = none). Strings in records are UTF-8.
 * Every table holding county data carries the 6-digit county code.
 *
 * Durability: a write is committed when wg_store_commit returns WG_OK (or,
 * outside an explicit transaction, when the writing call returns WG_OK).
 * Multi-row work goes between wg_store_begin and wg_store_commit; on any
 * error the caller calls wg_store_rollback and nothing is written. */
#ifndef WG_STORE_H
#define WG_STORE_H

#include <stdint.h>

#include "util/err.h"

typedef struct wg_store wg_store_t;

/* Rows per statement of the batch loaders. */
#define WG_STORE_BATCH 64

/* The schema version this binary writes. Opening an older database migrates
 * it; a newer one is refused with WG_ESCHEMA. */
#define WG_SCHEMA_VERSION 8

enum {
  WG_STORE_CREATE = 1 << 0,   /* create the database if it does not exist */
  WG_STORE_READONLY = 1 << 1, /* open for reading only (no migration) */
};

/* Opens (and if needed creates and migrates) the store at uri: a file path
 * or "sqlite:PATH" (SQLite), or "postgresql://…" / "postgres://…" (a libpq
 * URI: PostgreSQL with PostGIS, store_pg.c). On success *out is owned by
 * the caller; close it with wg_store_close. Errors: WG_ENOTFOUND (no file
 * and no WG_STORE_CREATE), WG_EIO (cannot connect), WG_ESCHEMA (newer
 * schema), WG_ECORRUPT (not a wangge database or damaged), WG_EINVAL
 * (unknown URI scheme), WG_EDB. ei->why says which and why. */
wg_err wg_store_open(const char *uri, unsigned flags, wg_store_t **out,
                     wg_errinfo *ei) WG_MUST_CHECK;
void wg_store_close(wg_store_t *s); /* accepts NULL */

/* Schema version of the open database (after migration). */
int wg_store_schema_version(wg_store_t *s);

/* Message of the last backend error on this connection (for logs; never
 * contains bound parameter values). */
const char *wg_store_errmsg(wg_store_t *s);

/* Full integrity check (every page, index and foreign key). WG_OK, or
 * WG_ECORRUPT with the first problems described in msg (bounded). */
wg_err wg_store_integrity(wg_store_t *s, char *msg, size_t cap) WG_MUST_CHECK;

wg_err wg_store_begin(wg_store_t *s) WG_MUST_CHECK;
/* Like wg_store_begin, for a bulk load whose references the caller
 * guarantees by construction (it creates every parent row it points at):
 * the backend may skip per-row reference checks until the commit. */
wg_err wg_store_begin_bulk(wg_store_t *s) WG_MUST_CHECK;
/* Inside a bulk transaction into empty resident, dwelling and household
 * tables: lets the backend stop maintaining their indexes until the commit,
 * which rebuilds them (and fails, writing nothing, if ID numbers, rooms of
 * an entrance or household numbers are not unique). Meanwhile the *_add
 * functions do not detect duplicates: the caller must. WG_ECONFLICT outside
 * a bulk transaction or when any of those tables has rows. */
wg_err wg_store_bulk_defer_indexes(wg_store_t *s) WG_MUST_CHECK;
wg_err wg_store_commit(wg_store_t *s) WG_MUST_CHECK;
void wg_store_rollback(wg_store_t *s); /* no-op outside a transaction */

/* Settings (key → text value), e.g. "county" = "141127". *out is a
 * malloc'd copy the caller frees; WG_ENOTFOUND when unset. */
wg_err wg_store_meta_get(wg_store_t *s, const char *key, char **out) WG_MUST_CHECK;
wg_err wg_store_meta_set(wg_store_t *s, const char *key, const char *value) WG_MUST_CHECK;

/* ---- divisions (行政区划) -------------------------------------------- */

typedef enum wg_division_level {
  WG_DIV_PROVINCE = 1,
  WG_DIV_CITY = 2,
  WG_DIV_COUNTY = 3,
  WG_DIV_TOWNSHIP = 4,
  WG_DIV_COMMUNITY = 5, /* village or urban community */
} wg_division_level;

typedef enum wg_area_kind {
  WG_AREA_UNKNOWN = 0,
  WG_AREA_URBAN = 1, /* 城区 / 居委会 */
  WG_AREA_RURAL = 2, /* 村委会 */
} wg_area_kind;

typedef struct wg_division {
  char code[13];          /* 12-digit NBS code, zero padded */
  char parent[13];        /* "" for a province */
  char name[96];
  wg_division_level level;
  wg_area_kind kind;
  double lon, lat;        /* WGS84 seat/centre, 0,0 when unknown */
} wg_division_t;

/* Insert or replace by code (divisions are reference data, not history). */
wg_err wg_store_division_put(wg_store_t *s, const wg_division_t *d) WG_MUST_CHECK;
/* WG_ENOTFOUND when absent. */
wg_err wg_store_division_get(wg_store_t *s, const char *code,
                             wg_division_t *out) WG_MUST_CHECK;
/* Finds a division by exact name below an ancestor code prefix (e.g. a
 * community name within county "141127"). WG_ENOTFOUND, or WG_ECONFLICT
 * when the name is ambiguous. */
wg_err wg_store_division_find(wg_store_t *s, const char *within_prefix,
                              const char *name, wg_division_t *out) WG_MUST_CHECK;

/* Calls fn for each division whose code starts with prefix ("" = all) and
 * whose level is level (0 = any), ordered by code. fn returning non-zero
 * stops the walk (the walk then returns WG_OK). */
typedef int (*wg_division_fn)(void *ctx, const wg_division_t *d);
wg_err wg_store_division_each(wg_store_t *s, const char *prefix, int level,
                              wg_division_fn fn, void *ctx) WG_MUST_CHECK;
/* Number of divisions with the prefix and level (0 = any). */
wg_err wg_store_division_count(wg_store_t *s, const char *prefix, int level,
                               long *out) WG_MUST_CHECK;

/* ---- standard addresses (标准地址) ------------------------------------ */

typedef struct wg_building {
  int64_t id;             /* set by add */
  int64_t estate_id;
  char county[7];
  char community[13];
  char name[64];          /* e.g. "3号楼" */
  int floors;             /* storeys, 0 = unknown */
  double lon, lat;        /* WGS84; both 0 = unknown */
} wg_building_t;

/* Get-or-create an estate (小区 / 自然村) by name within a community; name
 * "" is the community's default estate. */
wg_err wg_store_estate_ensure(wg_store_t *s, const char *community,
                              const char *name, int64_t *id) WG_MUST_CHECK;
/* Get-or-create a building by (estate, name); on create, floors/lon/lat are
 * taken from b; b->id is set either way. */
wg_err wg_store_building_ensure(wg_store_t *s, wg_building_t *b) WG_MUST_CHECK;
/* Sets a building's position (WGS84), storeys (0 = keep) and footprint
 * (WKB polygon, NULL = keep) — from a building layer. */
wg_err wg_store_building_place(wg_store_t *s, int64_t building_id, double lon, double lat,
                               int floors, const unsigned char *footprint,
                               size_t footprint_len) WG_MUST_CHECK;
/* The households a layer declares for an entrance; used for division while
 * the ledger holds no resident there. */
wg_err wg_store_entrance_declare(wg_store_t *s, int64_t entrance_id,
                                 long households) WG_MUST_CHECK;

/* Get-or-create an entrance (单元) by name within a building; "" = the
 * building's only entrance. */
wg_err wg_store_entrance_ensure(wg_store_t *s, int64_t building_id,
                                const char *name, int64_t *id) WG_MUST_CHECK;
/* Get-or-create a dwelling (室) by room within an entrance; floor 0 =
 * unknown. */
wg_err wg_store_dwelling_ensure(wg_store_t *s, int64_t entrance_id, int floor,
                                const char *room, int64_t *id) WG_MUST_CHECK;
/* Fresh-load variants of the above: the caller knows the row does not exist
 * yet (e.g. a bulk load into an empty ledger), so no look-up is made first.
 * WG_ECONFLICT when it does exist after all. */
wg_err wg_store_estate_add(wg_store_t *s, const char *community, const char *name,
                           int64_t *id) WG_MUST_CHECK;
wg_err wg_store_building_add(wg_store_t *s, wg_building_t *b) WG_MUST_CHECK;
wg_err wg_store_entrance_add(wg_store_t *s, const char *county, int64_t building_id,
                             const char *name, int64_t *id) WG_MUST_CHECK;
wg_err wg_store_dwelling_add(wg_store_t *s, const char *county, int64_t entrance_id, int floor,
                             const char *room, int64_t *id) WG_MUST_CHECK;

/* Rows for the batch loaders below: the caller assigns the ids (a bulk
 * load into empty tables, inside a bulk transaction: ids 1, 2, …). */
typedef struct wg_dwelling_row {
  int64_t id, entrance_id;
  int floor;
  char room[32];
} wg_dwelling_row;

typedef struct wg_household_row {
  int64_t id, dwelling_id;
  char number[40];
} wg_household_row;

/* Inserts n (≤ WG_STORE_BATCH) dwellings / households of county with the
 * given ids in one statement. WG_ECONFLICT if an id is taken. */
wg_err wg_store_dwelling_insert_batch(wg_store_t *s, const char *county,
                                      const wg_dwelling_row *rows, int n) WG_MUST_CHECK;
wg_err wg_store_household_insert_batch(wg_store_t *s, const char *county,
                                       const wg_household_row *rows, int n) WG_MUST_CHECK;

/* Number of dwellings and of residents (any status) in a county, so a loader
 * can tell whether it is loading into an empty ledger. */
wg_err wg_store_county_counts(wg_store_t *s, const char *county, long *dwellings,
                              long *residents) WG_MUST_CHECK;

/* The parts of a dwelling's standard address. */
typedef struct wg_dwelling_parts {
  char community[13];       /* 12-digit code */
  char community_name[96];
  char estate[96];
  char building[64];
  char entrance[32];
  char room[32];
  int floor;
} wg_dwelling_parts;

wg_err wg_store_dwelling_parts(wg_store_t *s, int64_t dwelling_id,
                               wg_dwelling_parts *out) WG_MUST_CHECK;
/* Writes "社区 小区 3号楼 2单元 501" for a dwelling into buf (bounded). */
wg_err wg_store_dwelling_label(wg_store_t *s, int64_t dwelling_id, char *buf,
                               size_t cap) WG_MUST_CHECK;

/* ---- events (变动) ---------------------------------------------------- */

typedef enum wg_event_kind {
  WG_EV_IMPORT = 1,   /* residents entered by a file import */
  WG_EV_REGISTER,     /* resident entered by hand (first registration) */
  WG_EV_MOVE_IN,      /* 迁入 */
  WG_EV_MOVE_OUT,     /* 迁出 */
  WG_EV_MOVE,         /* between dwellings within the county */
  WG_EV_BIRTH,        /* 出生 */
  WG_EV_DEATH,        /* 死亡 */
  WG_EV_CORRECTION,   /* 更正 */
  WG_EV_TAG_ADD,
  WG_EV_TAG_REMOVE,
  WG_EV_KIND_COUNT_
} wg_event_kind;

const char *wg_event_kind_name(wg_event_kind k); /* "move_in", … */
/* Parses a name back; WG_EINVAL when unknown. */
wg_err wg_event_kind_parse(const char *name, wg_event_kind *out) WG_MUST_CHECK;

typedef struct wg_event {
  int64_t id;             /* set by add */
  char county[7];
  wg_event_kind kind;
  int64_t resident_id;    /* 0 when the event covers many (an import) */
  int32_t effective;      /* yyyymmdd when it happened in the world */
  char recorded_at[32];   /* ISO 8601 UTC, set by add when "" */
  char actor[64];         /* who recorded it (login or "cli:user") */
  char reason[256];       /* why */
  char detail[512];       /* JSON: changed fields (never ID/phone in clear) */
} wg_event_t;

/* Appends an event (events are never changed or deleted). */
wg_err wg_store_event_add(wg_store_t *s, wg_event_t *ev) WG_MUST_CHECK;
wg_err wg_store_event_get(wg_store_t *s, int64_t id, wg_event_t *out) WG_MUST_CHECK;

/* ---- households and residents (实有人口) ------------------------------ */

/* Get-or-create a household by its number (户号) within the county. */
wg_err wg_store_household_ensure(wg_store_t *s, const char *county,
                                 const char *number, int64_t dwelling_id,
                                 int64_t *id) WG_MUST_CHECK;
/* The number (户号) of household id into out (bounded); WG_ENOTFOUND. */
wg_err wg_store_household_number(wg_store_t *s, int64_t id, char *out, size_t cap) WG_MUST_CHECK;
/* Fresh-load variant: creates without looking first (WG_ECONFLICT if the
 * number exists). */
wg_err wg_store_household_add(wg_store_t *s, const char *county, const char *number,
                              int64_t dwelling_id, int64_t *id) WG_MUST_CHECK;

typedef enum wg_residence {
  WG_RES_REGISTERED = 1, /* 户籍人口 */
  WG_RES_RESIDENT,       /* 常住人口 (registered elsewhere, lives here) */
  WG_RES_FLOATING,       /* 流动人口 */
} wg_residence;

typedef enum wg_status {
  WG_ST_ACTIVE = 1,
  WG_ST_MOVED_OUT,
  WG_ST_DEAD,
} wg_status;

const char *wg_residence_name(wg_residence r); /* "registered", … */
const char *wg_status_name(wg_status s);       /* "active", … */

typedef struct wg_resident {
  int64_t id;
  char county[7];
  char id_number[19];    /* normalised 18 characters */
  char name[64];
  char sex;              /* 'M' or 'F' */
  int32_t birth;         /* yyyymmdd */
  char phone[12];        /* 11 digits or "" */
  char relation[32];     /* to the head: 户主, 配偶, 子, … */
  wg_residence residence;
  wg_status status;
  int64_t household_id;  /* 0 = none */
  int64_t dwelling_id;   /* 0 = none */
  char tags[256];        /* ",elderly_alone,veteran," sorted, or "" */
  int32_t since;         /* effective date of this version */
  int64_t event_id;      /* event that made this version */
} wg_resident_t;

/* Inserts a new resident. r->event_id must name an existing event. Sets
 * r->id. WG_EEXIST when the ID number is already in the ledger. */
wg_err wg_store_resident_insert(wg_store_t *s, wg_resident_t *r) WG_MUST_CHECK;
/* Inserts n residents (n ≤ WG_STORE_BATCH) in one statement, setting each
 * id. For bulk loads; on WG_EEXIST nothing of the batch is written. */
wg_err wg_store_resident_insert_batch(wg_store_t *s, wg_resident_t *rs, int n) WG_MUST_CHECK;
/* Replaces the current version of resident r->id with r; the previous
 * version moves to history, valid until r->since. r->event_id must be a new
 * event. Never used without an event: the schema refuses it. */
wg_err wg_store_resident_update(wg_store_t *s, const wg_resident_t *r) WG_MUST_CHECK;
wg_err wg_store_resident_get(wg_store_t *s, int64_t id, wg_resident_t *out) WG_MUST_CHECK;
wg_err wg_store_resident_find(wg_store_t *s, const char *id_number,
                              wg_resident_t *out) WG_MUST_CHECK;

/* Every version of a resident, oldest first; valid_to is 0 for the current
 * version. */
typedef int (*wg_version_fn)(void *ctx, const wg_resident_t *version,
                             int32_t valid_to);
wg_err wg_store_resident_versions(wg_store_t *s, int64_t id, wg_version_fn fn,
                                  void *ctx) WG_MUST_CHECK;

typedef struct wg_resident_filter {
  const char *county;         /* required: 6 digits */
  const char *community;      /* 12-digit code, or NULL = whole county */
  int32_t as_of;              /* yyyymmdd: the ledger as it stood that day; 0 = now */
  int include_inactive;       /* also moved-out and dead */
  const char *tag;            /* only residents carrying this tag, or NULL */
} wg_resident_filter;

/* Calls fn for each resident matching f, ordered by id. As-of returns the
 * version valid on that date. fn returning non-zero stops the walk. */
typedef int (*wg_resident_fn)(void *ctx, const wg_resident_t *r);
wg_err wg_store_resident_each(wg_store_t *s, const wg_resident_filter *f,
                              wg_resident_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg_store_resident_count(wg_store_t *s, const wg_resident_filter *f,
                               long *out) WG_MUST_CHECK;

/* ---- tags -------------------------------------------------------------- */

/* Registers a tag (code like "veteran") with its Chinese and English names;
 * replaces the names if it exists. Built-in tags exist from migration 1. */
wg_err wg_store_tag_put(wg_store_t *s, const char *code, const char *name_zh,
                        const char *name_en) WG_MUST_CHECK;
/* Resolves a tag given as its code or Chinese/English name to its code
 * (copied into code_out, cap ≥ 32). WG_ENOTFOUND when unknown. */
wg_err wg_store_tag_resolve(wg_store_t *s, const char *word, char *code_out,
                            size_t cap) WG_MUST_CHECK;

/* Calls fn for every tag, ordered by code. */
typedef int (*wg_tag_fn)(void *ctx, const char *code, const char *name_zh, const char *name_en);
wg_err wg_store_tag_each(wg_store_t *s, wg_tag_fn fn, void *ctx) WG_MUST_CHECK;

/* ---- units for division ------------------------------------------------ */

/* An entrance as a unit of division: where it is and how many households
 * live there now (households of active residents). */
typedef struct wg_unit_row {
  int64_t entrance_id;
  int64_t building_id;
  char community[13];
  double lon, lat;        /* the building's WGS84 position (0,0 unknown) */
  int entrance_no;        /* 0-based order of the entrance in its building */
  int entrances;          /* entrances in the building */
  long households;        /* from the ledger; the layer's declared count while
                             the ledger has none there */
} wg_unit_row;

typedef int (*wg_unit_fn)(void *ctx, const wg_unit_row *u);
/* Every entrance of the county (or of one community when community is not
 * NULL), ordered by community, building, entrance. */
wg_err wg_store_unit_each(wg_store_t *s, const char *county, const char *community,
                          wg_unit_fn fn, void *ctx) WG_MUST_CHECK;

/* ---- plans and grids (划分方案, 网格) ------------------------------------ */

typedef enum wg_plan_status {
  WG_PLAN_DRAFT = 1,
  WG_PLAN_ACTIVE = 2,
  WG_PLAN_RETIRED = 3,
} wg_plan_status;

const char *wg_plan_status_name(wg_plan_status st); /* "draft", … */

typedef struct wg_plan {
  int64_t id;              /* set by add */
  char county[7];
  wg_plan_status status;
  char created_at[32];     /* set by add when "" */
  char actor[64];
  char note[256];
  int64_t based_on;        /* the plan it re-divided, 0 = afresh */
  int nlevels;
  char bounds[64];         /* "300-500,50-100,10-20" */
  char summary[2048];      /* JSON: per-level figures, violations, changed share */
} wg_plan_t;

wg_err wg_store_plan_add(wg_store_t *s, wg_plan_t *p) WG_MUST_CHECK;
wg_err wg_store_plan_get(wg_store_t *s, int64_t id, wg_plan_t *out) WG_MUST_CHECK;
/* The county's active plan; WG_ENOTFOUND when none is. */
wg_err wg_store_plan_active(wg_store_t *s, const char *county, wg_plan_t *out) WG_MUST_CHECK;
typedef int (*wg_plan_fn)(void *ctx, const wg_plan_t *p);
wg_err wg_store_plan_each(wg_store_t *s, const char *county, wg_plan_fn fn,
                          void *ctx) WG_MUST_CHECK;
/* Makes plan id the county's active plan (the previous active one becomes
 * retired), in one transaction. WG_ECONFLICT when id is retired. */
wg_err wg_store_plan_activate(wg_store_t *s, int64_t id) WG_MUST_CHECK;

typedef struct wg_grid {
  int64_t id;              /* set by add */
  int64_t plan_id;
  char county[7];
  char code[19];           /* community code + 2 digits per level */
  int level;               /* 1..3 */
  char parent[19];         /* parent grid's code, or the community's at level 1 */
  char community[13];
  long households;
  int units;
  double area;             /* m² */
  double polsby_popper;
  double minx, miny, maxx, maxy; /* WGS84 bounding box */
  const unsigned char *geom; /* WKB polygon (WGS84), may be NULL; borrowed by add */
  size_t geom_len;
} wg_grid_t;

wg_err wg_store_grid_add(wg_store_t *s, wg_grid_t *g) WG_MUST_CHECK;
/* Calls fn for each grid of the plan (level 0 = all), ordered by code; the
 * geometry pointer is valid during the call only. */
typedef int (*wg_grid_fn)(void *ctx, const wg_grid_t *g);
wg_err wg_store_grid_each(wg_store_t *s, int64_t plan_id, int level, wg_grid_fn fn,
                          void *ctx) WG_MUST_CHECK;
/* Grids of the plan whose bounding box holds the point (candidates for an
 * exact test), through the spatial index. */
wg_err wg_store_grid_at(wg_store_t *s, int64_t plan_id, double lon, double lat, wg_grid_fn fn,
                        void *ctx) WG_MUST_CHECK;

/* Which grid holds each entrance, per level ("" when the entrance is split
 * over several level-3 grids: its pieces are in the piece list). */
typedef struct wg_assignment {
  int64_t entrance_id;
  char code[3][19];        /* level-1, -2, -3 grid codes ("" past nlevels) */
  int piece;               /* 0 = the whole entrance; 1.. = a piece */
  long households;         /* the piece's households (pieces only) */
} wg_assignment_t;

wg_err wg_store_assignment_add(wg_store_t *s, int64_t plan_id,
                               const wg_assignment_t *a) WG_MUST_CHECK;
typedef int (*wg_assignment_fn)(void *ctx, const wg_assignment_t *a);
wg_err wg_store_assignment_each(wg_store_t *s, int64_t plan_id, wg_assignment_fn fn,
                                void *ctx) WG_MUST_CHECK;

/* The dwellings of an entrance in reading order (floor, then room number)
 * with the active households living in each. */
typedef struct wg_dwelling_load {
  int64_t dwelling_id;
  int floor;
  char room[32];
  long households;
} wg_dwelling_load_t;
typedef int (*wg_dwelling_load_fn)(void *ctx, const wg_dwelling_load_t *d);
wg_err wg_store_entrance_dwellings(wg_store_t *s, int64_t entrance_id, wg_dwelling_load_fn fn,
                                   void *ctx) WG_MUST_CHECK;

/* A split entrance's dwellings by piece (the piece's row must exist in
 * grid_assignment first). */
typedef struct wg_piece_dwelling {
  int64_t entrance_id, dwelling_id;
  int piece;
  int floor;
  char room[32];
} wg_piece_dwelling_t;
wg_err wg_store_piece_dwelling_add(wg_store_t *s, int64_t plan_id,
                                   const wg_piece_dwelling_t *d) WG_MUST_CHECK;
/* In order of entrance, piece, floor, room. */
typedef int (*wg_piece_dwelling_fn)(void *ctx, const wg_piece_dwelling_t *d);
wg_err wg_store_piece_dwelling_each(wg_store_t *s, int64_t plan_id, wg_piece_dwelling_fn fn,
                                    void *ctx) WG_MUST_CHECK;

/* A rule a plan breaks, with its reason (see divide.h for the kinds). */
typedef struct wg_plan_violation {
  char kind[24];
  int level;
  char code[19];           /* the grid, or the community for area-wide ones */
  int forced;              /* 1: the data makes it unavoidable */
  long households;
  char reason[320];
} wg_plan_violation_t;

wg_err wg_store_violation_add(wg_store_t *s, int64_t plan_id,
                              const wg_plan_violation_t *v) WG_MUST_CHECK;
typedef int (*wg_violation_fn)(void *ctx, const wg_plan_violation_t *v);
wg_err wg_store_violation_each(wg_store_t *s, int64_t plan_id, wg_violation_fn fn,
                               void *ctx) WG_MUST_CHECK;

/* Grid numbers ever used under each parent code of the county. */
typedef int (*wg_number_fn)(void *ctx, const char *parent, int max_number);
wg_err wg_store_grid_number_each(wg_store_t *s, const char *county, wg_number_fn fn,
                                 void *ctx) WG_MUST_CHECK;

/* Grid numbers ever used under a parent code (so a retired code is never
 * given again): get returns 0 when none; put raises it (never lowers). */
wg_err wg_store_grid_number_used(wg_store_t *s, const char *parent, int *max_number) WG_MUST_CHECK;
wg_err wg_store_grid_number_use(wg_store_t *s, const char *parent, int number) WG_MUST_CHECK;

/* ---- read queries for the HTTP API (store_sqlite_query.c) ---------------- */

/* Which rows a principal may see: everything (all = 1), or entrances whose
 * building's community starts with one of the division prefixes, or that
 * lie (whole, piece 0) in one of the grids of plan_id at any level. */
typedef struct wg_store_scope {
  int all;
  int64_t plan_id;          /* the plan the grid codes belong to */
  int nprefixes;
  const char *prefixes[32]; /* division code prefixes ("141127", "141127100001") */
  int ngrids;
  const char *grids[32];    /* grid codes */
} wg_store_scope;

/* A page of a listing ordered by id: ids > after (0 = from the start),
 * skipping offset rows, at most limit rows. */
typedef struct wg_store_page {
  int64_t after;
  long offset;
  int limit;
} wg_store_page;

/* Where: county (required), community (12 digits, NULL = any), grid (a grid
 * code of plan_id, NULL = any). */
typedef struct wg_place_filter {
  const char *county;
  const char *community;
  const char *grid;
  int64_t plan_id;
} wg_place_filter;

/* Listings call fn per row (non-zero stops) and, when total is not NULL,
 * put the number of rows of the whole listing (without the page) there. */
typedef int (*wg_building_page_fn)(void *ctx, const wg_building_t *b, const char *estate,
                                   int entrances);
wg_err wg_store_building_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                              const wg_store_page *pg, wg_building_page_fn fn, void *ctx,
                              long *total) WG_MUST_CHECK;

/* Households with at least one active member. */
typedef struct wg_household_item {
  int64_t id, dwelling_id, entrance_id;
  char number[40];
  char community[13];
  long members;             /* active residents */
} wg_household_item;
typedef int (*wg_household_page_fn)(void *ctx, const wg_household_item *h);
wg_err wg_store_household_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                               const wg_store_page *pg, wg_household_page_fn fn, void *ctx,
                               long *total) WG_MUST_CHECK;

/* Residents as wg_store_resident_each, plus place, household and paging;
 * fn also gets the resident's entrance (0 = none) and community code. */
#define WG_ADDRESS_TERMS 4
typedef struct wg_resident_query {
  wg_place_filter place;
  int32_t as_of;            /* yyyymmdd, 0 = now */
  int include_inactive;
  const char *tag;          /* tag code or NULL */
  int64_t household_id;     /* 0 = any */
  const char *name;         /* only names containing this text, or NULL */
  /* Only residents whose standard address (estate, building, entrance,
   * room run together) contains every one of these words; NULL-terminated
   * early or full. */
  const char *address[WG_ADDRESS_TERMS];
} wg_resident_query;
typedef int (*wg_resident_page_fn)(void *ctx, const wg_resident_t *r, int64_t entrance_id,
                                   const char *community);
wg_err wg_store_resident_page(wg_store_t *s, const wg_resident_query *f, const wg_store_scope *sc,
                              const wg_store_page *pg, wg_resident_page_fn fn, void *ctx,
                              long *total) WG_MUST_CHECK;

/* The entrance and community of a dwelling; WG_ENOTFOUND. */
wg_err wg_store_dwelling_place(wg_store_t *s, int64_t dwelling_id, int64_t *entrance_id,
                               char community[13]) WG_MUST_CHECK;

/* Every active resident of the county with a dwelling: its entrance,
 * dwelling, household (0 = none) and tags (",a,b," or ""), in one pass, in
 * no particular order; fn returning non-zero stops the walk. For figures
 * aggregated by the caller. */
typedef int (*wg_resident_place_fn)(void *ctx, int64_t entrance_id, int64_t dwelling_id,
                                    int64_t household_id, const char *tags);
wg_err wg_store_resident_place_each(wg_store_t *s, const char *county, wg_resident_place_fn fn,
                                    void *ctx) WG_MUST_CHECK;

/* A prepared per-connection probe for hot paths: the county's active plan
 * (0 = none), the ledger version (the newest event id; every ledger
 * change writes an event) and the audit version (the newest audit row id;
 * every other write — organisation, campaigns, settings — writes one).
 * audit_version may be NULL. Close the probe before its store. */
typedef struct wg_store_probe wg_store_probe_t;
wg_err wg_store_probe_open(wg_store_t *s, wg_store_probe_t **out) WG_MUST_CHECK;
wg_err wg_store_probe_versions(wg_store_probe_t *p, const char *county, int64_t *active_plan,
                               int64_t *ledger_version, int64_t *audit_version) WG_MUST_CHECK;
void wg_store_probe_close(wg_store_probe_t *p); /* accepts NULL */

/* ---- audit (append-only) --------------------------------------------- */

typedef struct wg_audit {
  char actor[64];
  char action[32];        /* "unmask", "export", "import", … */
  char target[128];       /* what was touched */
  char reason[256];
  char origin[64];        /* "cli", or the client address */
} wg_audit_t;

wg_err wg_store_audit_add(wg_store_t *s, const wg_audit_t *a) WG_MUST_CHECK;

/* ---- users, scopes, sessions; reading the audit log (store_sqlite_auth.c) */

/* Audit rows as stored, for listing (wg_store_audit_add sets id and at). */
typedef struct wg_audit_row {
  int64_t id;
  char at[32];            /* ISO 8601 UTC */
  wg_audit_t a;
} wg_audit_row;

typedef struct wg_audit_filter {
  const char *actor;      /* exact, or NULL = any */
  const char *action;     /* exact, or NULL = any */
  const char *since;      /* "YYYY-MM-DD" or ISO date-time: rows at or after; NULL = all */
  long limit;             /* at most this many, newest first; 0 = no limit */
} wg_audit_filter;

/* Calls fn for each audit row matching f, newest first; fn returning
 * non-zero stops the walk. Reading never changes the log. */
typedef int (*wg_audit_fn)(void *ctx, const wg_audit_row *r);
wg_err wg_store_audit_each(wg_store_t *s, const wg_audit_filter *f, wg_audit_fn fn,
                           void *ctx) WG_MUST_CHECK;

#define WG_STORE_MAX_SCOPES 32

/* A user account (auth.h gives the meaning of role and perms). Users are
 * disabled, never deleted, so the audit log's logins stay meaningful. */
typedef struct wg_user_row {
  int64_t id;             /* set by add */
  char county[7];
  char login[64];
  int role;               /* wg_role */
  unsigned perms;         /* WG_PERM_* bits */
  char password_hash[128]; /* argon2id string of crypto_pwhash_str */
  int disabled;
  char created_at[32];    /* ISO 8601 UTC, set by add when "" */
  int failed_logins;      /* consecutive failures since the last success or lock */
  int64_t locked_until;   /* unix seconds; 0 = never locked */
  int nscopes;            /* 1..WG_STORE_MAX_SCOPES; codes sorted */
  char scopes[WG_STORE_MAX_SCOPES][19]; /* division (12) or grid (14/16/18) codes */
} wg_user_row;

/* Adds a user with its scopes (one transaction); sets u->id. WG_EEXIST when
 * the login is taken. */
wg_err wg_store_user_add(wg_store_t *s, wg_user_row *u) WG_MUST_CHECK;
/* By login or by id, with scopes; WG_ENOTFOUND. */
wg_err wg_store_user_get(wg_store_t *s, const char *login, wg_user_row *out) WG_MUST_CHECK;
wg_err wg_store_user_get_id(wg_store_t *s, int64_t id, wg_user_row *out) WG_MUST_CHECK;
/* Every user, ordered by login; fn returning non-zero stops the walk. */
typedef int (*wg_user_row_fn)(void *ctx, const wg_user_row *u);
wg_err wg_store_user_each(wg_store_t *s, wg_user_row_fn fn, void *ctx) WG_MUST_CHECK;
/* Replaces the password hash and clears failures and lock. WG_ENOTFOUND. */
wg_err wg_store_user_set_password(wg_store_t *s, int64_t id, const char *hash) WG_MUST_CHECK;
/* Disables (1) or enables (0) a user; disabling also ends its sessions.
 * WG_ENOTFOUND. */
wg_err wg_store_user_set_disabled(wg_store_t *s, int64_t id, int disabled) WG_MUST_CHECK;
/* Counts a failed sign-in atomically: when the count reaches max_failures
 * the account is locked until lock_until and the count restarts at 0.
 * *locked (may be NULL) says whether this failure locked it. WG_ENOTFOUND. */
wg_err wg_store_user_login_failed(wg_store_t *s, int64_t id, int max_failures,
                                  int64_t lock_until, int *locked) WG_MUST_CHECK;
/* After a successful sign-in: failures 0, no lock. */
wg_err wg_store_user_login_ok(wg_store_t *s, int64_t id) WG_MUST_CHECK;
/* WG_OK when code is a division code or a grid code (of any plan) in the
 * store, else WG_ENOTFOUND. */
wg_err wg_store_code_known(wg_store_t *s, const char *code) WG_MUST_CHECK;

/* A sign-in session. Only a hash of the session token is stored: whoever
 * reads the database cannot sign in with what they read. */
typedef struct wg_session_row {
  char token_hash[65];    /* hex SHA-256 of the token */
  char csrf[65];          /* hex CSRF token of the session */
  int64_t user_id;
  int64_t created_at;     /* unix seconds (the caller's clock) */
  int64_t expires_idle;
  int64_t expires_absolute;
  char origin[64];        /* client address at sign-in */
} wg_session_row;

wg_err wg_store_session_add(wg_store_t *s, const wg_session_row *r) WG_MUST_CHECK;
/* The session with this token hash and (when user is not NULL) its user, in
 * one query. WG_ENOTFOUND. */
wg_err wg_store_session_get(wg_store_t *s, const char *token_hash, wg_session_row *out,
                            wg_user_row *user) WG_MUST_CHECK;
wg_err wg_store_session_touch(wg_store_t *s, const char *token_hash,
                              int64_t expires_idle) WG_MUST_CHECK;
/* WG_ENOTFOUND when no such session. */
wg_err wg_store_session_delete(wg_store_t *s, const char *token_hash) WG_MUST_CHECK;
/* Ends every session of a user (e.g. after a password change). */
wg_err wg_store_session_delete_user(wg_store_t *s, int64_t user_id) WG_MUST_CHECK;
/* Deletes sessions expired at now (idle or absolute); *deleted may be NULL. */
wg_err wg_store_session_purge(wg_store_t *s, int64_t now, long *deleted) WG_MUST_CHECK;

/* ---- moving a county between backends (store_migrate.c) ----------------- */

enum {
  WG_MIGRATE_SKIP_USERS = 1 << 0, /* leave accounts (and their scopes) behind */
};

/* What the move did to one table: rows read from the source, rows of the
 * county in the target after copying, an order-independent checksum of
 * each (the same canonical text on both sides), and whether they agree.
 * For reference tables (divisions, tags, settings) rows the target already
 * had are kept; `added` says how many were new. */
typedef struct wg_migrate_row {
  const char *table;
  long source_rows, target_rows, added;
  uint64_t source_sum, target_sum;
  int same;
} wg_migrate_row;
typedef void (*wg_migrate_fn)(void *ctx, const wg_migrate_row *row);

/* Copies county's rows from a SQLite store into a PostgreSQL store in one
 * transaction, shifting ids past those the target holds; fn (may be NULL)
 * hears about every table. Commits only when every county table's count
 * and checksum agree; otherwise nothing is written. Errors: WG_EINVAL (not
 * SQLite → PostgreSQL), WG_ESCHEMA (versions differ), WG_EEXIST (the
 * county is already in the target), WG_ECORRUPT (a mismatch), WG_ECONFLICT
 * (the target refused rows, e.g. a login already taken), WG_EDB/WG_EIO. */
wg_err wg_store_migrate_county(wg_store_t *from, wg_store_t *to, const char *county,
                               unsigned flags, wg_migrate_fn fn, void *ctx,
                               wg_errinfo *ei) WG_MUST_CHECK;
/* ---- matters (事项), categories, photos, API keys (store_sqlite_matter.c) -- */

#include "matter/matter.h"

/* A category of matters with the level that handles it first and the
 * allowance per stage (reference data, editable by an admin). */
typedef struct wg_category {
  char code[33];
  char name_zh[64];
  char name_en[64];
  int level;              /* WG_MLEVEL_*: where it starts */
  wg_matter_policy policy;
  int active;             /* 0: no new reports */
  char description[256];
} wg_category_t;

/* Insert or replace by code. */
wg_err wg_store_category_put(wg_store_t *s, const wg_category_t *c) WG_MUST_CHECK;
wg_err wg_store_category_get(wg_store_t *s, const char *code, wg_category_t *out) WG_MUST_CHECK;
typedef int (*wg_category_fn)(void *ctx, const wg_category_t *c);
/* Ordered by code; inactive ones too when all is set. */
wg_err wg_store_category_each(wg_store_t *s, int all, wg_category_fn fn, void *ctx) WG_MUST_CHECK;

/* A matter as stored: what was reported, where it was routed, the stage
 * allowances taken from its category at the report, and its state (the
 * fold of its events). */
typedef struct wg_matter_row {
  int64_t id;             /* set by insert */
  char county[7];
  char category[33];
  char title[128];
  char description[1024];
  int located;            /* lon/lat given */
  double lon, lat;        /* WGS84 */
  char address[256];      /* standard address or free text */
  char community[13];
  int64_t plan_id;        /* the plan the grid codes belong to (0 = none) */
  char grid[3][19];       /* level-1..3 grid codes, "" = none */
  char reporter[64];      /* login, "open311:<key>" or "public" */
  char reporter_name[64]; /* personal: masked in every output */
  char reporter_phone[24];/* personal: masked in every output */
  char source[16];        /* "cli", "web", "open311", "demo" */
  char token[40];         /* Open311 token of the report */
  wg_matter_policy policy;
  wg_matter_state st;
  int version;            /* number of events */
} wg_matter_row;

/* One event of a matter's trail. */
typedef struct wg_matter_event_row {
  int64_t matter_id;
  int seq;                /* 1.. */
  wg_matter_event ev;
  char actor[64];         /* who (login, "system", "open311:<key>") */
  char note[512];
  char photos[8 * 65];    /* SHA-256 hex of attached photos, comma separated */
} wg_matter_event_row;

/* Inserts a reported matter and its first event (seq 1) in one
 * transaction; sets m->id, m->version = 1 and ev->matter_id. WG_EEXIST when
 * the token is taken. */
wg_err wg_store_matter_insert(wg_store_t *s, wg_matter_row *m,
                              wg_matter_event_row *ev) WG_MUST_CHECK;
/* Appends event seq m->version + 1 and writes m's new state in one
 * transaction, provided the stored version is still m->version (else
 * WG_ECONFLICT: someone acted meanwhile); then m->version is raised. */
wg_err wg_store_matter_update(wg_store_t *s, wg_matter_row *m,
                              wg_matter_event_row *ev) WG_MUST_CHECK;
wg_err wg_store_matter_get(wg_store_t *s, int64_t id, wg_matter_row *out) WG_MUST_CHECK;
wg_err wg_store_matter_by_token(wg_store_t *s, const char *token,
                                wg_matter_row *out) WG_MUST_CHECK;
/* Every event of a matter, oldest first. */
typedef int (*wg_matter_event_fn)(void *ctx, const wg_matter_event_row *e);
wg_err wg_store_matter_events(wg_store_t *s, int64_t id, wg_matter_event_fn fn,
                              void *ctx) WG_MUST_CHECK;

typedef struct wg_matter_query {
  const char *county;          /* required */
  const wg_store_scope *scope; /* NULL = no restriction; grids match any level */
  int open_only;               /* only open statuses */
  int closed_only;             /* only closed, evaluated, rejected, merged */
  int status;                  /* wg_matter_status, 0 = any */
  const char *category;        /* NULL = any */
  int64_t handler;             /* 0 = any */
  const char *reporter;        /* NULL = any */
  const char *source;          /* "open311", … NULL = any */
  const char *grid;            /* a grid code of any level, NULL = any */
  int64_t from, to;            /* reported_at in [from, to), 0 = open-ended */
  int64_t updated_from, updated_to; /* last_at in [from, to), 0 = open-ended */
  const int64_t *ids;          /* only these ids (nids > 0) */
  int nids;
  int64_t overdue_at;          /* > 0: open matters overdue at this time first, then by
                                  deadline; else newest first */
  int limit;                   /* 0 = no limit */
  long offset;
} wg_matter_query;

/* Calls fn for each matching matter; *total (may be NULL) gets the count
 * without limit and offset. */
typedef int (*wg_matter_fn)(void *ctx, const wg_matter_row *m);
wg_err wg_store_matter_list(wg_store_t *s, const wg_matter_query *q, wg_matter_fn fn, void *ctx,
                            long *total) WG_MUST_CHECK;
/* Open matters of a category whose point lies within meters of (lon, lat). */
wg_err wg_store_matter_near(wg_store_t *s, const char *county, const char *category, double lon,
                            double lat, double meters, wg_matter_fn fn, void *ctx) WG_MUST_CHECK;
/* Ids of open matters below the county level whose stage deadline is at or
 * before now, so the clock may escalate them (oldest
 * deadline first, at most max). */
wg_err wg_store_matter_due(wg_store_t *s, const char *county, int64_t now, int64_t *ids, int max,
                           int *n) WG_MUST_CHECK;
/* Matters merged into id. */
wg_err wg_store_matter_merged(wg_store_t *s, int64_t id, wg_matter_fn fn, void *ctx) WG_MUST_CHECK;
/* The matters whose trail carries photo sha256 (by id). */
wg_err wg_store_photo_matters(wg_store_t *s, const char *sha256, wg_matter_fn fn,
                              void *ctx) WG_MUST_CHECK;

/* The slim record figures are computed from. */
typedef struct wg_matter_fact {
  int64_t id;
  char category[33];
  char community[13];
  char grid[3][19];
  wg_matter_state st;
} wg_matter_fact;
typedef int (*wg_matter_fact_fn)(void *ctx, const wg_matter_fact *f);
/* Every matter of the county reported in [from, to) (0 = open-ended), one
 * pass, in no particular order. */
wg_err wg_store_matter_facts(wg_store_t *s, const char *county, int64_t from, int64_t to,
                             wg_matter_fact_fn fn, void *ctx) WG_MUST_CHECK;

/* The first enabled user of role scoped to exactly code; WG_ENOTFOUND. */
wg_err wg_store_user_for_scope(wg_store_t *s, const char *code, int role,
                               int64_t *user_id) WG_MUST_CHECK;

/* Photos by content: the file lives beside the database under its hash. */
wg_err wg_store_photo_put(wg_store_t *s, const char *sha256, const char *county, const char *mime,
                          long size) WG_MUST_CHECK;
/* mime (cap 32) of a known photo; WG_ENOTFOUND. */
wg_err wg_store_photo_get(wg_store_t *s, const char *sha256, char *mime, size_t cap,
                          long *size) WG_MUST_CHECK;

/* API keys of Open311 clients: only the SHA-256 of a key is stored. */
typedef struct wg_api_key_row {
  int64_t id;
  char county[7];
  char name[64];
  char key_hash[65];
  char prefix[12];        /* the key's first characters, to recognise it */
  char created_at[32];
  char actor[64];
  char revoked_at[32];    /* "" = in force */
} wg_api_key_row;

/* WG_EEXIST when the name or hash is taken; sets k->id and created_at. */
wg_err wg_store_api_key_add(wg_store_t *s, wg_api_key_row *k) WG_MUST_CHECK;
typedef int (*wg_api_key_fn)(void *ctx, const wg_api_key_row *k);
wg_err wg_store_api_key_each(wg_store_t *s, wg_api_key_fn fn, void *ctx) WG_MUST_CHECK;
/* WG_ENOTFOUND (no such key), WG_ECONFLICT (already revoked). */
wg_err wg_store_api_key_revoke(wg_store_t *s, const char *name) WG_MUST_CHECK;
/* The key with this hash (revoked ones too); WG_ENOTFOUND. */
wg_err wg_store_api_key_find(wg_store_t *s, const char *key_hash,
                             wg_api_key_row *out) WG_MUST_CHECK;

/* Bulk load (the demo): inserts a matter whose state the caller folded
 * from its n events (with wg_matter_replay) and the events themselves;
 * sets m->id and m->version = n. Inside a caller's transaction. */
wg_err wg_store_matter_load(wg_store_t *s, wg_matter_row *m, wg_matter_event_row *evs,
                            int n) WG_MUST_CHECK;

/* The newest audit row's id (0 when none): every write of a matter writes
 * one, so an unchanged id means unchanged matters (for caches). */
wg_err wg_store_audit_last_id(wg_store_t *s, int64_t *out) WG_MUST_CHECK;
/* The newest audit row of a matter action ("matter.…"; 0 when none): every
 * write of matters writes one, so an unchanged value means unchanged
 * matters (for caches), whatever else is audited meanwhile. */
wg_err wg_store_matter_version(wg_store_t *s, int64_t *out) WG_MUST_CHECK;

/* For a connection that commits many small batches (the report writer):
 * checkpoints the write-ahead log less often, so fewer commits also pay for
 * copying it back. Durability is unchanged (each commit still syncs). */
wg_err wg_store_tune_batch_writer(wg_store_t *s) WG_MUST_CHECK;

/* A building of the county named in a free-text address: the one whose
 * estate name followed by its building name ("易居苑" "3号楼") occurs in
 * text, the longest such match; its position (WGS84) and community.
 * WG_ENOTFOUND when none (or it has no position). A scan of the county's
 * buildings: for reports without a position, not for hot paths. */
wg_err wg_store_building_match(wg_store_t *s, const char *county, const char *text, double *lon,
                               double *lat, char community[13]) WG_MUST_CHECK;

/* A savepoint inside the current transaction (one at a time): what was
 * written since it is kept by release(ok = 1) or undone by release(ok = 0).
 * For batching independent writes into one commit. */
wg_err wg_store_savepoint(wg_store_t *s) WG_MUST_CHECK;
wg_err wg_store_savepoint_release(wg_store_t *s, int ok) WG_MUST_CHECK;
/* ---- organisation and mobilisation (store_sqlite_org.c) ---------------------
 *
 * Staff (grid workers, building heads, community staff) with their grids
 * and buildings; Party members and volunteers with their in-service
 * registration; the Party organisation on the grids; service logs, household
 * contact, duty rosters and visits; incidents with their responders, in-app
 * notices and the webhook outbox. Grid codes are stored as text so they
 * outlive a plan: `wangge org check` finds those a re-division retired.
 * Service logs and visits are append-only. Dates are yyyymmdd ints. */

typedef enum wg_staff_kind {
  WG_STAFF_GRID_WORKER = 1, /* 网格员 */
  WG_STAFF_BUILDING_HEAD,   /* 楼栋长 */
  WG_STAFF_COMMUNITY,       /* 社区工作人员 */
} wg_staff_kind;

/* Who a contact, responder or notice is: staff or a member. */
typedef enum wg_person_kind { WG_PERSON_STAFF = 1, WG_PERSON_MEMBER = 2 } wg_person_kind;

typedef struct wg_staff_row {
  int64_t id;              /* set by add */
  char county[7];
  int kind;                /* wg_staff_kind */
  char name[64];
  char phone[12];          /* 11 digits or "" */
  int full_time;           /* 1 full-time, 0 part-time */
  int level;               /* grid level 1..3 of a grid worker, 0 otherwise */
  char community[13];
  char login[64];          /* linked user login, "" = none */
  int64_t resident_id;     /* 0 = not in the ledger */
  char skills[256];        /* ",first_aid,driving," or "" */
  int active;
  char created_at[32];
} wg_staff_row;

wg_err wg_store_staff_add(wg_store_t *s, wg_staff_row *r) WG_MUST_CHECK;
wg_err wg_store_staff_get(wg_store_t *s, int64_t id, wg_staff_row *out) WG_MUST_CHECK;
/* The active staff member linked to a user login; WG_ENOTFOUND. */
wg_err wg_store_staff_by_login(wg_store_t *s, const char *login, wg_staff_row *out) WG_MUST_CHECK;
/* Replaces name, phone, full_time, level, login, skills, active of r->id. */
wg_err wg_store_staff_update(wg_store_t *s, const wg_staff_row *r) WG_MUST_CHECK;
typedef int (*wg_staff_fn)(void *ctx, const wg_staff_row *r);
/* Staff of county whose community starts with prefix (NULL = all), by id. */
wg_err wg_store_staff_each(wg_store_t *s, const char *county, const char *prefix, wg_staff_fn fn,
                           void *ctx) WG_MUST_CHECK;

/* Assigns (on = 1) or releases (on = 0) a grid or a building. */
wg_err wg_store_staff_grid_set(wg_store_t *s, int64_t staff_id, const char *county,
                               const char *grid, int on) WG_MUST_CHECK;
wg_err wg_store_staff_building_set(wg_store_t *s, int64_t staff_id, const char *county,
                                   int64_t building_id, int on) WG_MUST_CHECK;
/* Assignments of the county's active staff (staff_id 0 = everyone). */
typedef int (*wg_staff_grid_fn)(void *ctx, int64_t staff_id, const char *grid);
wg_err wg_store_staff_grid_each(wg_store_t *s, const char *county, int64_t staff_id,
                                wg_staff_grid_fn fn, void *ctx) WG_MUST_CHECK;
typedef int (*wg_staff_building_fn)(void *ctx, int64_t staff_id, int64_t building_id);
wg_err wg_store_staff_building_each(wg_store_t *s, const char *county, int64_t staff_id,
                                    wg_staff_building_fn fn, void *ctx) WG_MUST_CHECK;

typedef enum wg_member_kind {
  WG_MEMBER_PARTY = 1,     /* 党员 */
  WG_MEMBER_VOLUNTEER = 2, /* 志愿者 */
} wg_member_kind;

typedef struct wg_member_row {
  int64_t id;              /* set by add */
  char county[7];
  int kind;                /* wg_member_kind */
  char name[64];
  char phone[12];
  int64_t resident_id;     /* from the ledger, 0 = external */
  char community[13];      /* home community (where they register) */
  char grid[19];           /* home grid given by hand (external members), "" */
  int in_service;          /* 在职党员: registered with the home community */
  char employer[128];
  int32_t registered_on;   /* yyyymmdd, 0 = not registered */
  char skills[256];        /* ",first_aid,driving," or "" */
  char login[64];
  int active;
  char created_at[32];
  /* read only, from the resident's dwelling: */
  int64_t household_id, entrance_id;
  double lon, lat;         /* the building's WGS84 position, 0 unknown */
} wg_member_row;

wg_err wg_store_member_add(wg_store_t *s, wg_member_row *r) WG_MUST_CHECK;
wg_err wg_store_member_get(wg_store_t *s, int64_t id, wg_member_row *out) WG_MUST_CHECK;
/* The active member linked to a user login; WG_ENOTFOUND. */
wg_err wg_store_member_by_login(wg_store_t *s, const char *login, wg_member_row *out) WG_MUST_CHECK;
/* Replaces the writable fields of r->id (not county, kind, resident_id). */
wg_err wg_store_member_update(wg_store_t *s, const wg_member_row *r) WG_MUST_CHECK;
typedef int (*wg_member_fn)(void *ctx, const wg_member_row *r);
wg_err wg_store_member_each(wg_store_t *s, const char *county, const char *prefix,
                            wg_member_fn fn, void *ctx) WG_MUST_CHECK;

typedef enum wg_party_org_kind {
  WG_PORG_BRANCH = 1,      /* 党支部 ↔ level-1 grid */
  WG_PORG_GROUP,           /* 党小组 ↔ level-2 grid */
  WG_PORG_CENTRAL,         /* 党员中心户: where a group cannot be formed */
} wg_party_org_kind;

typedef struct wg_party_org_row {
  int64_t id;
  char county[7];
  int kind;
  char name[96];
  char grid[19];
  int64_t plan_id;         /* the plan the grid code was taken from */
  int64_t member_id;       /* the central household's member, 0 */
  int active;
  char created_at[32];
} wg_party_org_row;

/* WG_EEXIST when an active organisation already sits on the grid. */
wg_err wg_store_party_org_add(wg_store_t *s, wg_party_org_row *r) WG_MUST_CHECK;
wg_err wg_store_party_org_get(wg_store_t *s, int64_t id, wg_party_org_row *out) WG_MUST_CHECK;
/* Replaces kind, name, grid, plan_id, member_id, active of r->id. */
wg_err wg_store_party_org_update(wg_store_t *s, const wg_party_org_row *r) WG_MUST_CHECK;
typedef int (*wg_party_org_fn)(void *ctx, const wg_party_org_row *r);
/* Active organisations of the county, ordered by grid code. */
wg_err wg_store_party_org_each(wg_store_t *s, const char *county, wg_party_org_fn fn,
                               void *ctx) WG_MUST_CHECK;

typedef struct wg_service_row {
  int64_t id;
  char county[7];
  int64_t member_id, staff_id; /* exactly one is set */
  char kind[32];           /* visit_care, policy, cleaning, emergency, … */
  int32_t date;
  double hours;            /* (0, 24] */
  char grid[19];
  int64_t household_id;    /* 0 = none */
  int64_t incident_id;     /* 0 = none */
  char note[256];
  char recorded_at[32];
  char actor[64];
} wg_service_row;

wg_err wg_store_service_add(wg_store_t *s, wg_service_row *r) WG_MUST_CHECK;
typedef struct wg_service_filter {
  const char *county;
  int64_t member_id, staff_id; /* 0 = any */
  const char *grid_prefix;     /* NULL = any */
  int32_t from, to;            /* yyyymmdd bounds, 0 = open */
} wg_service_filter;
typedef int (*wg_service_fn)(void *ctx, const wg_service_row *r);
wg_err wg_store_service_each(wg_store_t *s, const wg_service_filter *f, wg_service_fn fn,
                             void *ctx) WG_MUST_CHECK;

/* Household contact (包片联户): a person takes a household (on = 1) or
 * gives it up (on = 0). */
wg_err wg_store_contact_set(wg_store_t *s, const char *county, int64_t household_id,
                            int person_kind, int64_t person_id, int32_t since,
                            int on) WG_MUST_CHECK;
typedef int (*wg_contact_fn)(void *ctx, int64_t household_id, int person_kind,
                             int64_t person_id);
wg_err wg_store_contact_each(wg_store_t *s, const char *county, wg_contact_fn fn,
                             void *ctx) WG_MUST_CHECK;

typedef enum wg_shift_status {
  WG_SHIFT_PLANNED = 1,
  WG_SHIFT_DONE,
  WG_SHIFT_MISSED,
} wg_shift_status;

typedef struct wg_shift_row {
  int64_t id;
  char county[7];
  char place[19];          /* community (12) or grid code */
  int64_t staff_id;
  int32_t date;
  char shift[32];          /* "day", "night", "08:00-12:00" */
  int status;              /* wg_shift_status */
  char handover[512];
} wg_shift_row;

wg_err wg_store_shift_add(wg_store_t *s, wg_shift_row *r) WG_MUST_CHECK;
wg_err wg_store_shift_get(wg_store_t *s, int64_t id, wg_shift_row *out) WG_MUST_CHECK;
/* Sets status and handover of r->id. */
wg_err wg_store_shift_update(wg_store_t *s, const wg_shift_row *r) WG_MUST_CHECK;
typedef int (*wg_shift_fn)(void *ctx, const wg_shift_row *r);
/* Shifts whose place starts with prefix (NULL = all), dates from..to (0 =
 * open), ordered by date and id. */
wg_err wg_store_shift_each(wg_store_t *s, const char *county, const char *prefix, int32_t from,
                           int32_t to, wg_shift_fn fn, void *ctx) WG_MUST_CHECK;

typedef struct wg_visit_row {
  int64_t id;
  char county[7];
  int64_t staff_id, household_id;
  int32_t date;
  char grid[19];           /* the household's most specific grid then */
  char findings[512];
  char ledger_changes[256];
  char matter[64];         /* a matter raised (id or reference), "" */
  char recorded_at[32];
  char actor[64];
} wg_visit_row;

wg_err wg_store_visit_add(wg_store_t *s, wg_visit_row *r) WG_MUST_CHECK;
typedef int (*wg_visit_fn)(void *ctx, const wg_visit_row *r);
/* Visits of the county by staff_id and household (0 = any), dates from..to
 * (0 = open), newest first. */
wg_err wg_store_visit_each(wg_store_t *s, const char *county, int64_t staff_id,
                           int64_t household_id, int32_t from, int32_t to, wg_visit_fn fn,
                           void *ctx) WG_MUST_CHECK;
/* The date of the last visit to every visited household. */
typedef int (*wg_visit_last_fn)(void *ctx, int64_t household_id, int32_t last);
wg_err wg_store_visit_last_each(wg_store_t *s, const char *county, wg_visit_last_fn fn,
                                void *ctx) WG_MUST_CHECK;

/* A grid of a plan by code, without its geometry (geom NULL);
 * WG_ENOTFOUND. */
wg_err wg_store_grid_get(wg_store_t *s, int64_t plan_id, const char *code,
                         wg_grid_t *out) WG_MUST_CHECK;
/* For a grid card: the building heads of buildings with an entrance in
 * grid `code` of plan_id (any level), and the members living there (Party
 * members, of them registered in service, volunteers; external members by
 * their grid code). */
typedef int (*wg_building_head_fn)(void *ctx, int64_t staff_id, int64_t building_id,
                                   const char *building_name);
wg_err wg_store_grid_building_heads(wg_store_t *s, int64_t plan_id, const char *code,
                                    wg_building_head_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg_store_grid_member_counts(wg_store_t *s, int64_t plan_id, const char *code, long *party,
                                   long *registered, long *volunteers) WG_MUST_CHECK;
/* The households (with an active member) living in grid `code` of plan_id
 * (any level), each with its entrance's grid codes and its active members'
 * tags joined (",a,,b," — split on commas). */
typedef int (*wg_grid_household_fn)(void *ctx, int64_t household_id, const char codes[3][19],
                                    const char *community, const char *tags);
wg_err wg_store_grid_households(wg_store_t *s, int64_t plan_id, const char *code,
                                wg_grid_household_fn fn, void *ctx) WG_MUST_CHECK;
/* A household's entrance and community (through its dwelling);
 * WG_ENOTFOUND for an unknown household or one without a dwelling. */
wg_err wg_store_household_entrance(wg_store_t *s, int64_t household_id, int64_t *entrance_id,
                                   char community[13]) WG_MUST_CHECK;
/* The grid codes (levels 1-3, "" past the plan's levels) of an entrance in
 * a plan; a split entrance gives its first piece's level-3 grid.
 * WG_ENOTFOUND when the plan does not assign it. */
wg_err wg_store_entrance_grids(wg_store_t *s, int64_t plan_id, int64_t entrance_id,
                               char codes[3][19]) WG_MUST_CHECK;
/* Households (with an active member) and their entrance, for roll-ups. */
typedef int (*wg_household_place_fn)(void *ctx, int64_t household_id, int64_t entrance_id,
                                     const char *community);
wg_err wg_store_household_place_each(wg_store_t *s, const char *county,
                                     wg_household_place_fn fn, void *ctx) WG_MUST_CHECK;

typedef enum wg_incident_status { WG_INCIDENT_OPEN = 1, WG_INCIDENT_CLOSED = 2 } wg_incident_status;

typedef struct wg_incident_row {
  int64_t id;
  char county[7];
  char title[128];
  double lon, lat;         /* WGS84, 0,0 = given by grid */
  char grid[19];
  int need;                /* people needed */
  char skills[256];        /* ",first_aid," or "" */
  char due[32];            /* ISO date-time the people are needed by */
  int status;
  char created_at[32];
  char closed_at[32];
  double hours;            /* service hours credited to each arrived responder */
  char summary[512];
  char actor[64];
} wg_incident_row;

wg_err wg_store_incident_add(wg_store_t *s, wg_incident_row *r) WG_MUST_CHECK;
wg_err wg_store_incident_get(wg_store_t *s, int64_t id, wg_incident_row *out) WG_MUST_CHECK;
/* Sets status, closed_at, hours, summary of r->id. */
wg_err wg_store_incident_update(wg_store_t *s, const wg_incident_row *r) WG_MUST_CHECK;
typedef int (*wg_incident_fn)(void *ctx, const wg_incident_row *r);
wg_err wg_store_incident_each(wg_store_t *s, const char *county, wg_incident_fn fn,
                              void *ctx) WG_MUST_CHECK;

typedef enum wg_responder_status {
  WG_RESP_CALLED = 1,
  WG_RESP_ACKNOWLEDGED,
  WG_RESP_DECLINED,
  WG_RESP_ARRIVED,
} wg_responder_status;

typedef struct wg_responder_row {
  int64_t incident_id;
  int person_kind;
  int64_t person_id;
  int status;              /* wg_responder_status */
  double distance;         /* metres from the incident when called */
  char updated_at[32];
} wg_responder_row;

/* Inserts or replaces the responder (incident, person). */
wg_err wg_store_responder_put(wg_store_t *s, const char *county,
                              const wg_responder_row *r) WG_MUST_CHECK;
typedef int (*wg_responder_fn)(void *ctx, const wg_responder_row *r);
/* Responders of one incident (incident_id > 0), or of every open incident
 * of the county (incident_id 0), by distance. */
wg_err wg_store_responder_each(wg_store_t *s, const char *county, int64_t incident_id,
                               wg_responder_fn fn, void *ctx) WG_MUST_CHECK;

/* In-app notices to a person; at = ISO time, NULL or "" = now. */
wg_err wg_store_notice_add(wg_store_t *s, const char *county, int person_kind, int64_t person_id,
                           int64_t incident_id, const char *text, const char *at) WG_MUST_CHECK;
typedef int (*wg_notice_fn)(void *ctx, int64_t id, int64_t incident_id, const char *text,
                            const char *created_at);
wg_err wg_store_notice_each(wg_store_t *s, int person_kind, int64_t person_id, wg_notice_fn fn,
                            void *ctx) WG_MUST_CHECK;

/* The webhook outbox: messages to POST, delivered by a background thread. */
typedef struct wg_outbox_row {
  int64_t id;
  char url[512];
  char *body;              /* malloc'd by next; the caller frees */
  int attempts;
} wg_outbox_row;
wg_err wg_store_outbox_add(wg_store_t *s, const char *county, const char *url,
                           const char *body) WG_MUST_CHECK;
/* The oldest undelivered message due at unix time now (next_at ≤ now) with
 * fewer than max_attempts attempts; WG_ENOTFOUND when none. */
wg_err wg_store_outbox_next(wg_store_t *s, int64_t now, int max_attempts,
                            wg_outbox_row *out) WG_MUST_CHECK;
/* Records an attempt: delivered (ok), or the error and when to retry. */
wg_err wg_store_outbox_done(wg_store_t *s, int64_t id, int ok, const char *error,
                            int64_t next_at) WG_MUST_CHECK;
/* Messages delivered and pending. */
wg_err wg_store_outbox_counts(wg_store_t *s, long *delivered, long *pending) WG_MUST_CHECK;

/* ---- campaigns (专项工作; store_sqlite_campaign.c) ------------------------ */

/* A campaign: its population is fixed when it is created (items), each item
 * then moves through the stages (text form of campaign.h). */
typedef struct wg_campaign_row {
  int64_t id;              /* set by add */
  char county[7];
  char name[128];
  char template_code[24];  /* "testing", …, or "" for custom stages */
  int kind;                /* wg_item_kind: 1 person, 2 household */
  char stages[600];        /* "code:中文:English,…" */
  char query[600];         /* canonical query text */
  int32_t ref_date;        /* yyyymmdd the query's ages were taken on */
  char created_at[32];     /* set by add when "" */
  char actor[64];
  long items;              /* set by wg_store_campaign_items_add */
} wg_campaign_row;

wg_err wg_store_campaign_add(wg_store_t *s, wg_campaign_row *c) WG_MUST_CHECK;
/* WG_ENOTFOUND. */
wg_err wg_store_campaign_get(wg_store_t *s, int64_t id, wg_campaign_row *out) WG_MUST_CHECK;
typedef int (*wg_campaign_row_fn)(void *ctx, const wg_campaign_row *c);
/* Campaigns of a county, newest first. */
wg_err wg_store_campaign_each(wg_store_t *s, const char *county, wg_campaign_row_fn fn,
                              void *ctx) WG_MUST_CHECK;

/* An active resident as a campaign query sees them, with where they live
 * (entrance 0 and community "" when they have no dwelling). */
typedef struct wg_campaign_candidate {
  int64_t resident_id, household_id, entrance_id;
  char community[13];
  char sex;
  int32_t birth;
  int residence;
  const char *tags;        /* valid during the call */
} wg_campaign_candidate;
typedef int (*wg_campaign_candidate_fn)(void *ctx, const wg_campaign_candidate *c);
/* Every active resident of the county, ordered by resident id. */
wg_err wg_store_campaign_candidates(wg_store_t *s, const char *county,
                                    wg_campaign_candidate_fn fn, void *ctx) WG_MUST_CHECK;

typedef struct wg_campaign_item_row {
  int64_t id;              /* set by add */
  int64_t campaign_id;
  int64_t resident_id;     /* person items; 0 for household items */
  int64_t household_id;
  int64_t entrance_id;     /* where the item lived when the campaign began */
  char community[13];
  int stage;               /* 0..nstages-1 */
  char updated_at[32];     /* of the last move, "" before any */
  char updated_by[64];
} wg_campaign_item_row;

/* Adds n items to a campaign (ids set) and sets its item count, inside the
 * caller's transaction or its own. WG_EEXIST when a subject is there
 * twice. */
wg_err wg_store_campaign_items_add(wg_store_t *s, int64_t campaign_id,
                                   wg_campaign_item_row *rows, long n) WG_MUST_CHECK;

/* Items of a campaign ordered by id, only those at a stage ≤ max_stage
 * (-1 = all); fn returning non-zero stops the walk. */
typedef int (*wg_campaign_item_fn)(void *ctx, const wg_campaign_item_row *it);
wg_err wg_store_campaign_item_each(wg_store_t *s, int64_t campaign_id, int max_stage,
                                   wg_campaign_item_fn fn, void *ctx) WG_MUST_CHECK;

/* The item counts of a campaign grouped by (entrance, community, stage):
 * what a roll-up needs. The backend keeps these counts as items are added
 * and moved (SQLite: a tally table maintained by triggers), so this reads
 * one row per entrance and stage, not one per item. */
typedef int (*wg_campaign_group_fn)(void *ctx, int64_t entrance_id, const char *community,
                                    int stage, long count);
wg_err wg_store_campaign_groups(wg_store_t *s, int64_t campaign_id, wg_campaign_group_fn fn,
                                void *ctx) WG_MUST_CHECK;

/* A stage change of an item (append-only). */
typedef struct wg_campaign_event_row {
  int64_t id;
  int64_t item_id;
  int from_stage, to_stage;
  char at[32];             /* ISO 8601 UTC */
  char actor[64];
  char note[256];          /* e.g. a receipt number, a lab sheet's name */
  int64_t entrance_id;     /* the item's (for history by unit) */
  char community[13];
} wg_campaign_event_row;
typedef int (*wg_campaign_event_fn)(void *ctx, const wg_campaign_event_row *ev);
/* A campaign's events in time order (at, then id); item_id 0 = all
 * items. */
wg_err wg_store_campaign_event_each(wg_store_t *s, int64_t campaign_id, int64_t item_id,
                                    wg_campaign_event_fn fn, void *ctx) WG_MUST_CHECK;

/* A handle with prepared statements for marking many items of one campaign
 * (a lab sheet of thousands of rows). Close it before its store. */
typedef struct wg_campaign_marker wg_campaign_marker_t;
wg_err wg_store_campaign_marker_open(wg_store_t *s, int64_t campaign_id,
                                     wg_campaign_marker_t **out) WG_MUST_CHECK;
/* The campaign's item for item_id (> 0), else for an ID number (person
 * items), else for a household number (household items, or the household
 * of a person's ID number). WG_ENOTFOUND when the campaign has none. */
wg_err wg_store_campaign_marker_find(wg_campaign_marker_t *m, int64_t item_id,
                                     const char *id_number, const char *household_number,
                                     wg_campaign_item_row *out) WG_MUST_CHECK;
/* Moves an item to ev->to_stage: appends the event (ev->from_stage must be
 * the item's stage now, else WG_ECONFLICT: someone moved it meanwhile) and
 * updates the item. ev->at "" = now. Sets ev->id. */
wg_err wg_store_campaign_marker_move(wg_campaign_marker_t *m, wg_campaign_event_row *ev)
    WG_MUST_CHECK;
void wg_store_campaign_marker_close(wg_campaign_marker_t *m); /* accepts NULL */

/* ---- targets (周通报、月调度、季推进; store_sqlite_campaign.c) --------------- */

/* An indicator: what is counted, in which unit, reported per period type
 * ("week", "month", "quarter", "year"). */
typedef struct wg_indicator_row {
  int64_t id;              /* set by add */
  char county[7];
  char code[32];           /* e.g. "skills_training" */
  char name[128];          /* 职业技能培训 */
  char unit[24];           /* 人次 */
  char period_type[8];
  char created_at[32];
  char actor[64];
} wg_indicator_row;

/* WG_EEXIST when the code is taken in the county. */
wg_err wg_store_indicator_add(wg_store_t *s, wg_indicator_row *ind) WG_MUST_CHECK;
/* By code within the county; WG_ENOTFOUND. */
wg_err wg_store_indicator_get(wg_store_t *s, const char *county, const char *code,
                              wg_indicator_row *out) WG_MUST_CHECK;
typedef int (*wg_indicator_fn)(void *ctx, const wg_indicator_row *ind);
wg_err wg_store_indicator_each(wg_store_t *s, const char *county, wg_indicator_fn fn,
                               void *ctx) WG_MUST_CHECK;

/* A target (assigned from above to a division for a period such as "2026"
 * or "2026-Q4") or an actual (reported by a division for one period of the
 * indicator's type, "2026-W47"). Putting one again replaces its value (the
 * caller audits the change). */
typedef struct wg_figure_row {
  int64_t indicator_id;
  char division[13];
  char period[12];
  int64_t value;
  char actor[64];
  char at[32];             /* set by put when "" */
} wg_figure_row;

wg_err wg_store_target_put(wg_store_t *s, wg_figure_row *t) WG_MUST_CHECK;
wg_err wg_store_actual_put(wg_store_t *s, wg_figure_row *a) WG_MUST_CHECK;
typedef int (*wg_figure_fn)(void *ctx, const wg_figure_row *f);
/* An indicator's targets / actuals ordered by division, then period. */
wg_err wg_store_target_each(wg_store_t *s, int64_t indicator_id, wg_figure_fn fn,
                            void *ctx) WG_MUST_CHECK;
wg_err wg_store_actual_each(wg_store_t *s, int64_t indicator_id, wg_figure_fn fn,
                            void *ctx) WG_MUST_CHECK;

#endif
