/* present.h — the one place a resident becomes text for people to read.
 *
 * Every output path (ledger listing, export, resident history; later the
 * HTTP API) formats residents through here, so masking cannot be forgotten:
 * names, ID numbers and phones are masked unless the caller holds an unmask grant,
 * and a grant is only made by wg_present_unmask_grant, which writes the
 * audit row first. */
#ifndef WG_PRESENT_H
#define WG_PRESENT_H

#include "store/store.h"

enum { WG_PRESENT_NCOLS = 16 };

/* Column headers, Chinese then English ("姓名/name"); static strings. The
 * address is given both as parts (re-importable exactly) and on one line. */
extern const char *const wg_present_headers[WG_PRESENT_NCOLS];

typedef struct wg_present_row {
  char name[64], sex[8], id_number[24], birth[11], phone[16], relation[32];
  char residence[16], status[16], household[40], tags[256];
  wg_dwelling_parts where;  /* 社区 (code), 小区, 楼栋, 单元, 室 */
  char address[400];        /* the same on one line, with the community's name */
  const char *cells[WG_PRESENT_NCOLS]; /* point into the fields above */
} wg_present_row;

/* An unmask grant: proof that an audit row was written for this use. */
typedef struct wg_unmask_grant {
  int granted;
} wg_unmask_grant;

/* Writes the audit row (actor, action "unmask", target, reason, origin)
 * and, if that succeeded, sets g->granted. A reason is required
 * (WG_EINVAL without one). */
wg_err wg_present_unmask_grant(wg_store_t *s, const char *actor, const char *target,
                               const char *reason, const char *origin,
                               wg_unmask_grant *g) WG_MUST_CHECK;

/* Formats r into out. With g == NULL or not granted, the name, the ID
 * number and the phone are masked. The address is looked up in the store. */
wg_err wg_present_resident(wg_store_t *s, const wg_resident_t *r, const wg_unmask_grant *g,
                           wg_present_row *out) WG_MUST_CHECK;

/* The reporter of a matter (a name and a phone someone gave with a
 * report), always masked: there is no grant for these. */
void wg_present_reporter(const char *name, const char *phone, char name_out[64],
                         char phone_out[24]);
/* A person of the organisation (staff, Party member, volunteer) as text:
 * the phone masked unless g is granted; the name masked too when
 * mask_name is set (readers without personal-data rights). */
typedef struct wg_present_person_t {
  char name[64];
  char phone[16];
} wg_present_person_t;

void wg_present_person(const char *name, const char *phone, const wg_unmask_grant *g,
                       int mask_name, wg_present_person_t *out);

#endif
