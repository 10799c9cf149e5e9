/* demo_int.h — internals shared by the demo generator's files.
 *
 *   demo_rng.c      PRNG (xoshiro256**), dates
 *   demo_people.c   names, ID numbers, phones, household composition, tags
 *   demo_places.c   seat layout, estates, buildings, entrances, dwellings, villages
 *   demo_history.c  the year of changes after the import
 *   demo.c          orchestration, plan, summary */
#ifndef WG_DEMO_INT_H
#define WG_DEMO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "demo/demo.h"
#include "store/store.h"

/* ---- PRNG and dates (demo_rng.c) ----------------------------------------- */

typedef struct wg__demo_rng {
  uint64_t s[4];
} wg__demo_rng_t;

/* Seeds r from (seed, stream) through splitmix64: independent streams for
 * independent parts, so one part's draws never shift another's. */
void wg__demo_rng_seed(wg__demo_rng_t *r, uint64_t seed, uint64_t stream);
uint64_t wg__demo_rng_u64(wg__demo_rng_t *r);
double wg__demo_rng_unit(wg__demo_rng_t *r);            /* [0, 1) */
long wg__demo_rng_range(wg__demo_rng_t *r, long lo, long hi); /* [lo, hi] */
int wg__demo_rng_chance(wg__demo_rng_t *r, double p);
double wg__demo_rng_normal(wg__demo_rng_t *r);          /* N(0, 1) */
/* Index drawn with probability w[i] / sum(w); n ≥ 1, weights ≥ 0. */
size_t wg__demo_rng_pick(wg__demo_rng_t *r, const double *w, size_t n);
void wg__demo_rng_shuffle(wg__demo_rng_t *r, int64_t *a, size_t n);
uint64_t wg__demo_mix(uint64_t x); /* splitmix64 finaliser */

long wg__demo_days(int32_t ymd);  /* days since 1970-01-01 */
int32_t wg__demo_ymd(long days);  /* inverse */
int wg__demo_age(int32_t birth, int32_t on); /* completed years */

/* ---- tags ---------------------------------------------------------------- */

enum {
  WG__TAG_VETERAN,
  WG__TAG_ELDERLY_ALONE,
  WG__TAG_EMPTY_NEST,
  WG__TAG_DISABLED,
  WG__TAG_LOW_INCOME,
  WG__TAG_EXTREME_POVERTY,
  WG__TAG_PARTY_MEMBER,
  WG__TAG_LEFT_BEHIND_CHILD,
  WG__TAG_COUNT
};

/* ---- people (demo_people.c) ---------------------------------------------- */

typedef struct wg__demo_name {
  char text[24];   /* UTF-8 */
  char sex;        /* 'M', 'F' or 'N' (surnames) */
} wg__demo_name_t;

/* A weighted choice over names: idx[i] with cumulative weight cum[i]. */
typedef struct wg__demo_table {
  size_t *idx;
  double *cum;
  size_t n;
} wg__demo_table_t;

#define WG__DEMO_ERAS 3 /* born before 1975, 1975–1994, 1995 on */

typedef struct wg__demo_names {
  wg__demo_name_t *surnames;
  size_t nsurnames;
  wg__demo_table_t surname_table;
  wg__demo_name_t *given;  /* the file's names plus composed classic ones */
  size_t ngiven;
  wg__demo_table_t given_table[2][WG__DEMO_ERAS]; /* [sex F/M][era] */
} wg__demo_names_t;

/* Loads data_dir/names/family_chinese.csv and personal_chinese.csv and sets
 * the weights. Owns its arrays; free with wg__demo_names_free. */
wg_err wg__demo_names_load(wg__demo_names_t *n, const char *data_dir, wg_errinfo *ei);
void wg__demo_names_free(wg__demo_names_t *n);
size_t wg__demo_surname_draw(const wg__demo_names_t *n, wg__demo_rng_t *r);
/* Writes surname + a given name fitting sex and birth year into out. */
void wg__demo_name_make(const wg__demo_names_t *n, wg__demo_rng_t *r, size_t surname,
                        char sex, int birth_year, char *out, size_t cap);

/* ID numbers: unique per (address code, birth date, sex) by a per-key
 * counter run through a seeded permutation of the sequence space. */
#define WG__DEMO_ADDR_MAX 48
typedef struct wg__demo_ids {
  uint64_t seed;
  uint16_t *count[WG__DEMO_ADDR_MAX]; /* lazily: [2 * day index + sex] */
} wg__demo_ids_t;

/* Address codes used for ID numbers: index 0 is 141127. */
extern const char *const wg__demo_addr_codes[];
extern const size_t wg__demo_addr_count;
/* Origin of a person registered elsewhere: neighbours mostly. */
int wg__demo_addr_elsewhere(wg__demo_rng_t *r, int far);

void wg__demo_ids_init(wg__demo_ids_t *ids, uint64_t seed);
void wg__demo_ids_free(wg__demo_ids_t *ids);
/* Writes an 18-character ID number into out (cap ≥ 19). WG_ETOOBIG when
 * the 499 sequence numbers of that address, day and sex are used up;
 * WG_ENOMEM. */
wg_err wg__demo_id_make(wg__demo_ids_t *ids, int addr, int32_t birth, char sex,
                        char out[19]);

/* Mobile numbers: the k-th number is a prefix plus a Feistel permutation
 * of k, so numbers are unique while k < 10^8. */
typedef struct wg__demo_phones {
  uint32_t keys[4];
  uint64_t next;
} wg__demo_phones_t;
void wg__demo_phones_init(wg__demo_phones_t *p, uint64_t seed);
void wg__demo_phone_make(wg__demo_phones_t *p, char out[12]);

/* One person as drawn, before and after it is written. */
typedef struct wg__demo_person {
  wg_resident_t r;      /* the record (id, event, since set when written) */
  size_t surname;       /* index into names */
  int gen;              /* generation relative to the head: -1 parents, 0 head
                           and spouse (and siblings), 1 children, 2 grandchildren */
  unsigned tags;        /* bit per WG__TAG_* */
} wg__demo_person_t;

#define WG__DEMO_HH_MAX 12

/* Household kinds, used for composition and for tags and residence. */
typedef enum wg__demo_hh_kind {
  WG__HH_ELDER_ALONE,
  WG__HH_ELDER_COUPLE,
  WG__HH_SINGLE,
  WG__HH_COUPLE,
  WG__HH_NUCLEAR,
  WG__HH_SINGLE_PARENT,
  WG__HH_THREE_GEN,
  WG__HH_SKIPPED,
  WG__HH_OTHER,
  WG__HH_KIND_COUNT
} wg__demo_hh_kind;

typedef enum wg__demo_setting {
  WG__SET_URBAN,
  WG__SET_RURAL,
  WG__SET_PARK, /* the industrial park's workers' flats */
} wg__demo_setting;

typedef struct wg__demo_household {
  wg__demo_hh_kind kind;
  int n;
  wg__demo_person_t m[WG__DEMO_HH_MAX];
} wg__demo_household_t;

/* Draws a household's composition (sexes, birth dates, relations,
 * surnames) for a setting, ages as of `on`. Pure: only r is advanced. */
void wg__demo_household_draw(wg__demo_rng_t *r, const wg__demo_names_t *names,
                             wg__demo_setting set, int32_t on, wg__demo_household_t *h);

/* Fills in names, residence, ID numbers, phones and tags of a drawn
 * household. move_in = 1 for households arriving during the year. */
typedef struct wg__demo wg__demo_t;
wg_err wg__demo_household_finish(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_setting set,
                                 int move_in, wg__demo_household_t *h);
/* Renders p->tags into p->r.tags (",a,b," sorted by code). */
void wg__demo_tags_render(const wg__demo_t *d, wg__demo_person_t *p);
/* Gives p a name for its sex and birth year (keeping its surname). */
void wg__demo_person_name(const wg__demo_t *d, wg__demo_rng_t *r, wg__demo_person_t *p);

/* ---- places (demo_places.c) ---------------------------------------------- */

/* The dwellings of one village-level unit, filled by the places code. */
typedef struct wg__demo_dwellings {
  int64_t *id;
  size_t n, cap;
} wg__demo_dwellings_t;

/* A unit (community or village) to build. */
typedef struct wg__demo_unit {
  char code[13];
  char name[96];
  wg__demo_setting set;
  long households;         /* households at the import */
  double lon, lat;         /* centre, set by the places code */
  /* urban only */
  int side;                /* -1 west bank, +1 east bank */
  int old_town;            /* has a low-rise old quarter */
  int is_binhe;            /* 滨河社区: exactly 6 estates, one 易居苑 */
  int row0, rows, cols;    /* block rows on its bank, set when built */
  double x0, y0;           /* centre in metres east/north of the seat */
} wg__demo_unit_t;

/* Metres east/north of the seat to WGS84. */
void wg__demo_to_lonlat(double x, double y, double *lon, double *lat);
/* Centre line of the 岚河 (x of the channel at northing y, metres). */
double wg__demo_river_x(double y);
#define WG__DEMO_RIVER_HALF_WIDTH 30.0
#define WG__DEMO_SEAT_LON 111.67
#define WG__DEMO_SEAT_LAT 38.28

/* Sizes the seat for the urban units (n of them; not modified): a dry run
 * of each community's layout gives the blocks each bank needs, hence the
 * blocks per row and where the northernmost row lies (d->seat). Each
 * community takes its rows when it is built (wg__demo_places_build). */
void wg__demo_seat_plan(wg__demo_t *d, const wg__demo_unit_t *units, size_t n);
/* Chooses village centres (sets x0/y0, lon/lat) for the rural units and the
 * park, around approximate township seats, outside the built-up area and
 * within ~35 km of the seat. */
wg_err wg__demo_villages_plan(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *units,
                              size_t n);
/* Township seats (approximate, see demo_places.c) as WGS84; 0 when the
 * township code is unknown. */
int wg__demo_township_lonlat(const char *code12, double *lon, double *lat);
/* Creates the estates, buildings, entrances and dwellings of u, appending
 * every dwelling id to dw (in address order). */
wg_err wg__demo_places_build(wg__demo_t *d, wg__demo_unit_t *u, wg__demo_dwellings_t *dw);
/* The river as a GeoJSON Feature (malloc'd; caller frees), or NULL. */
char *wg__demo_river_geojson(void);

/* ---- history (demo_history.c) -------------------------------------------- */

/* Writes a year of changes for household h (just imported) of unit u,
 * taking vacant dwellings from vac. */
wg_err wg__demo_history_household(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                                  wg__demo_household_t *h, wg__demo_dwellings_t *vac);
/* Households arriving during the year into vacant dwellings of u. */
wg_err wg__demo_history_move_ins(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_unit_t *u,
                                 wg__demo_dwellings_t *vac);

/* ---- the generator's state (demo.c) -------------------------------------- */

/* Layout of the county seat, filled by wg__demo_seat_plan and advanced as
 * the urban communities are built. */
typedef struct wg__demo_seat {
  int cols[2];                  /* blocks per row: [0] west bank, [1] east bank */
  int next_row[2];              /* next free block row on each bank */
  double y_top;                 /* northing of the northernmost row (m) */
  double xmin, xmax, ymin, ymax; /* extent of the built-up area (m) */
  long pool_next[2];            /* estate names used: [0] work-unit, [1] others */
} wg__demo_seat_t;

struct wg__demo {
  wg_store_t *s;
  wg_errinfo *ei;
  uint64_t seed;
  long asked;
  int32_t today, start;           /* start: the import date */
  long today_day, start_day;
  int64_t import_event;
  char tag_code[WG__TAG_COUNT][32];
  wg__demo_names_t names;
  wg__demo_ids_t ids;
  wg__demo_phones_t phones;
  double target_mean;             /* persons per household to steer toward */
  long hh_done, res_done;         /* households and residents drawn so far */
  long hh_serial;                 /* household numbers within the current unit */
  long estates, buildings, entrances, dwellings;
  long events, births, deaths, moves, moved_out, moved_in, tag_changes, corrections;
  long imported;
  unsigned char *urban_hh;        /* bitmap by household id: in an urban unit */
  size_t urban_hh_cap;            /* bytes */
  int64_t max_household;
  uint64_t event_seq;             /* for recorded_at seconds */
  wg__demo_seat_t seat;
};

/* Writes an event (actor "demo", recorded_at derived from the effective
 * date) and counts it. */
wg_err wg__demo_event(wg__demo_t *d, wg__demo_rng_t *r, wg_event_kind kind,
                      int64_t resident_id, int32_t effective, const char *reason,
                      const char *detail, int64_t *id);
/* A new household number in unit u and its store id at dwelling. */
wg_err wg__demo_household_new(wg__demo_t *d, const wg__demo_unit_t *u, int64_t dwelling,
                              int64_t *id);
/* Sets ei->why from a store error with what was being done. */
wg_err wg__demo_fail(wg__demo_t *d, wg_err e, const char *what);

#endif
