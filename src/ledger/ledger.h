/* ledger.h — the register of people and houses (台账): every change is an
 * event, validated, in one transaction.
 *
 * Import of residents from CSV/XLSX lives in import.h; this header holds the
 * single-resident changes and the address helpers both share. */
#ifndef WG_LEDGER_H
#define WG_LEDGER_H

#include <stdint.h>

#include "store/store.h"

/* A standard address as a spreadsheet or a form gives it. Empty strings mean
 * "not given". */
typedef struct wg_address {
  char community[13]; /* 12-digit code, resolved */
  char estate[96];
  char building[64];
  char entrance[32];
  char room[32];
  int floor;          /* 0 = unknown (derived from the room number if "501") */
  int located;        /* lon/lat below are set */
  double lon, lat;    /* WGS84 position of the building, used when it is created */
} wg_address;

/* Splits a one-line address such as "易居苑3号楼2单元501室" (optionally
 * prefixed by the community's name) into estate/building/entrance/room.
 * Recognises 号楼/栋/幢/号 for the building, 单元 for the entrance, a
 * trailing 室/号 for the room; a village address "东村45号" gives estate
 * "东村", building "45号". WG_EINVAL with ei->why when no room or building
 * can be found. */
wg_err wg_address_parse(const char *text, const char *community_name, wg_address *out,
                        wg_errinfo *ei) WG_MUST_CHECK;

/* Floor implied by a room number: "501" → 5, "1203" → 12, else 0. */
int wg_address_floor_of(const char *room);

/* The household number (户号) given to a dwelling's household when the
 * source names none: "D" + the dwelling id, zero-padded so numbers sort in
 * creation order. out needs 32 bytes. */
void wg_household_number_for(int64_t dwelling_id, char out[32]);

/* Get-or-create the dwelling of a (resolved) address. */
wg_err wg_address_ensure(wg_store_t *s, const wg_address *a, int64_t *dwelling_id) WG_MUST_CHECK;

/* Resolves a community given as a 12-digit code or as a name within county.
 * WG_ENOTFOUND / WG_ECONFLICT (ambiguous name) with ei->why. */
wg_err wg_ledger_community(wg_store_t *s, const char *county, const char *word,
                           char code_out[13], wg_errinfo *ei) WG_MUST_CHECK;

/* Normalises a tag list ("退役军人、disabled;low_income") into the stored
 * form ",disabled,low_income,veteran," (codes, sorted, unique). Unknown tags
 * → WG_ENOTFOUND with ei->value the word. */
wg_err wg_ledger_tags_normalise(wg_store_t *s, const char *list, char *out, size_t cap,
                                wg_errinfo *ei) WG_MUST_CHECK;

/* A change to one resident, recorded as one event. */
typedef struct wg_change {
  wg_event_kind kind;   /* MOVE, MOVE_OUT, DEATH, CORRECTION, TAG_ADD, TAG_REMOVE,
                           MOVE_IN (return of a moved-out resident) */
  int64_t resident_id;
  int32_t effective;    /* yyyymmdd; 0 = today */
  const char *actor;
  const char *origin;   /* where the change came from, for the audit log ("cli" when NULL) */
  const char *reason;   /* required: why */
  /* MOVE / MOVE_IN: the new address (community resolved) */
  const wg_address *to;
  const char *household; /* MOVE / MOVE_IN: household number (户号), NULL = by dwelling */
  /* TAG_ADD / TAG_REMOVE: the tag (code or name) */
  const char *tag;
  /* CORRECTION: field=value pairs, fields: name, sex, birth, phone, relation,
   * residence, id_number */
  int ncorrections;
  const char *const *fields;
  const char *const *values;
} wg_change;

/* Every change is also an audit row (who, when, what, from where), written
 * in the same transaction as its event. */

/* Validates and applies c in one transaction (or inside the caller's).
 * Returns the new event id in *event_id (may be NULL). Errors: WG_ENOTFOUND
 * (no such resident), WG_EINVAL (bad value; ei names field and reason),
 * WG_ECONFLICT (e.g. moving out someone who is not active, a date before the
 * current version). */
wg_err wg_ledger_apply(wg_store_t *s, const wg_change *c, int64_t *event_id,
                       wg_errinfo *ei) WG_MUST_CHECK;

/* A new resident entered by hand: kind REGISTER, MOVE_IN or BIRTH. r holds
 * the person (id_number, name, sex, birth, phone, relation, residence,
 * tags as a list); the address and household as for wg_change. */
typedef struct wg_newcomer {
  wg_event_kind kind;
  int32_t effective;
  const char *actor;
  const char *origin;   /* for the audit log ("cli" when NULL) */
  const char *reason;
  const char *id_number, *name, *sex, *birth, *phone, *relation, *residence, *tags;
  const wg_address *at;
  const char *household;
} wg_newcomer;

wg_err wg_ledger_add(wg_store_t *s, const wg_newcomer *n, int64_t *resident_id,
                     wg_errinfo *ei) WG_MUST_CHECK;

/* Parses a residence type word (户籍/常住/流动, registered/resident/floating,
 * "" = registered). WG_EINVAL when unknown. */
wg_err wg_residence_parse(const char *word, wg_residence *out) WG_MUST_CHECK;

/* Parses a status word (在册/迁出/死亡, active/moved_out/dead, "" = active).
 * WG_EINVAL when unknown. */
wg_err wg_status_parse(const char *word, wg_status *out) WG_MUST_CHECK;

/* Today as yyyymmdd in China Standard Time, unless $WANGGE_TODAY (yyyymmdd)
 * overrides it — the controllable clock for tests. */
int32_t wg_ledger_today(void);

#endif
