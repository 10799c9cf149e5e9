/* ledger.c — single-resident changes, addresses and tags. */
#include "ledger/ledger.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"

int32_t wg_ledger_today(void) {
  const char *env = getenv("WANGGE_TODAY");
  if (env && *env) {
    int v = 0;
    if (wg_date_parse(env, &v) == WG_DATE_OK) return v;
  }
  return wg_date_today_cst();
}

/* ---- addresses ---------------------------------------------------------- */

int wg_address_floor_of(const char *room) {
  size_t n = strlen(room);
  size_t digits = 0;
  while (digits < n && isdigit((unsigned char)room[digits])) digits++;
  if (digits < 3 || digits > 5) return 0;
  int v = 0;
  for (size_t i = 0; i < digits; i++) v = v * 10 + (room[i] - '0');
  return v / 100;
}

/* Copies [p, p+len) into dst (cap) trimming ASCII spaces. */
static void put_part(char *dst, size_t cap, const char *p, size_t len) {
  while (len && (*p == ' ' || *p == '\t')) p++, len--;
  while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
  if (len >= cap) len = cap - 1;
  memcpy(dst, p, len);
  dst[len] = '\0';
}

/* Finds the last occurrence of needle in [s, end). */
static const char *find_last(const char *s, const char *end, const char *needle) {
  size_t n = strlen(needle);
  const char *hit = NULL;
  for (const char *p = s; p + n <= end; p++)
    if (memcmp(p, needle, n) == 0) hit = p;
  return hit;
}

wg_err wg_address_parse(const char *text, const char *community_name, wg_address *out,
                        wg_errinfo *ei) {
  wg_address keep = *out; /* the caller's community and position survive */
  memset(out, 0, sizeof *out);
  memcpy(out->community, keep.community, sizeof out->community);
  out->located = keep.located;
  out->lon = keep.lon;
  out->lat = keep.lat;
  /* Spaces carry no meaning in a Chinese address ("易居苑 3号楼 2单元 501"
   * is how wangge's own exports write it): drop them. */
  char compact[512];
  size_t clen = 0;
  if (strlen(text) >= sizeof compact) return wg_errinfo_set(ei, WG_ETOOBIG, "address is too long");
  for (const char *q = text; *q; q++) {
    if (*q == ' ' || *q == '\t') continue;
    if (strncmp(q, "\xe3\x80\x80", 3) == 0) { /* U+3000 */
      q += 2;
      continue;
    }
    compact[clen++] = *q;
  }
  compact[clen] = '\0';
  const char *p = compact, *end = compact + clen;
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  if (community_name && *community_name) {
    size_t n = strlen(community_name);
    if ((size_t)(end - p) > n && memcmp(p, community_name, n) == 0) p += n;
  }
  if (p >= end) return wg_errinfo_set(ei, WG_EINVAL, "address is empty");

  /* Room: trailing digits/letters/hyphen, optionally followed by 室 or 号. */
  const char *q = end;
  static const char *const room_suffix[] = {"室", "号"};
  for (size_t i = 0; i < 2; i++) {
    size_t n = strlen(room_suffix[i]);
    if ((size_t)(q - p) > n && memcmp(q - n, room_suffix[i], n) == 0) {
      q -= n;
      break;
    }
  }
  const char *room_end = q;
  while (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '-')) q--;
  if (q == room_end) return wg_errinfo_set(ei, WG_EINVAL, "no room or house number at the end");
  put_part(out->room, sizeof out->room, q, (size_t)(room_end - q));

  const char *rest_end = q;
  /* Entrance: "...2单元". */
  const char *unit = find_last(p, rest_end, "单元");
  const char *building_end = rest_end;
  if (unit && unit + strlen("单元") == rest_end) {
    const char *u = unit;
    while (u > p && isalnum((unsigned char)u[-1])) u--;
    put_part(out->entrance, sizeof out->entrance, u, (size_t)(rest_end - u));
    building_end = u;
  }
  /* Building: "...3号楼" / "3栋" / "3幢" / "3号". */
  static const char *const markers[] = {"号楼", "栋", "幢", "座", "号"};
  const char *b_start = NULL;
  for (size_t i = 0; i < sizeof markers / sizeof *markers && !b_start; i++) {
    size_t n = strlen(markers[i]);
    if ((size_t)(building_end - p) >= n && memcmp(building_end - n, markers[i], n) == 0) {
      const char *b = building_end - n;
      while (b > p && (isalnum((unsigned char)b[-1]) || b[-1] == '-')) b--;
      if (b < building_end - n) b_start = b;
    }
  }
  if (b_start) {
    put_part(out->building, sizeof out->building, b_start, (size_t)(building_end - b_start));
    put_part(out->estate, sizeof out->estate, p, (size_t)(b_start - p));
  } else if (!out->entrance[0]) {
    /* A village house: "东村45号" → estate 东村, building 45号, one dwelling. */
    put_part(out->estate, sizeof out->estate, p, (size_t)(rest_end - p));
    snprintf(out->building, sizeof out->building, "%s号", out->room);
    snprintf(out->room, sizeof out->room, "%s", "1");
  } else {
    return wg_errinfo_set(ei, WG_EINVAL, "no building (号楼/栋/幢) before the entrance");
  }
  out->floor = wg_address_floor_of(out->room);
  return WG_OK;
}

void wg_household_number_for(int64_t dwelling_id, char out[32]) {
  /* "D%012lld", by hand: this runs once per dwelling in a bulk import. */
  char digits[24];
  int n = 0;
  unsigned long long v = dwelling_id > 0 ? (unsigned long long)dwelling_id : 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n < 12) digits[n++] = '0';
  out[0] = 'D';
  for (int i = 0; i < n; i++) out[1 + i] = digits[n - 1 - i];
  out[1 + n] = '\0';
}

wg_err wg_address_ensure(wg_store_t *s, const wg_address *a, int64_t *dwelling_id) {
  int64_t estate, entrance;
  wg_err e = wg_store_estate_ensure(s, a->community, a->estate, &estate);
  if (e) return e;
  wg_building_t b = {.estate_id = estate};
  memcpy(b.community, a->community, sizeof b.community);
  snprintf(b.name, sizeof b.name, "%s", a->building);
  if (a->located) {
    b.lon = a->lon;
    b.lat = a->lat;
  }
  if ((e = wg_store_building_ensure(s, &b))) return e;
  if ((e = wg_store_entrance_ensure(s, b.id, a->entrance, &entrance))) return e;
  return wg_store_dwelling_ensure(s, entrance, a->floor ? a->floor : wg_address_floor_of(a->room),
                                  a->room, dwelling_id);
}

static int all_digits(const char *s, size_t n) {
  if (strlen(s) != n) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

wg_err wg_ledger_community(wg_store_t *s, const char *county, const char *word,
                           char code_out[13], wg_errinfo *ei) {
  wg_division_t d;
  wg_err e;
  if (all_digits(word, 12)) {
    e = wg_store_division_get(s, word, &d);
    if (e == WG_ENOTFOUND)
      return wg_errinfo_set(ei, e, "no division with code %s (load divisions first)", word);
  } else {
    e = wg_store_division_find(s, county, word, &d);
    if (e == WG_ENOTFOUND) {
      /* Offices write "滨河社区" where the register says "滨河社区居委会". */
      char longer[128];
      snprintf(longer, sizeof longer, "%s居委会", word);
      e = wg_store_division_find(s, county, longer, &d);
      if (e == WG_ENOTFOUND) {
        snprintf(longer, sizeof longer, "%s委会", word);
        e = wg_store_division_find(s, county, longer, &d);
      }
    }
    if (e == WG_ENOTFOUND)
      return wg_errinfo_set(ei, e, "no community or village of that name in county %s", county);
    if (e == WG_ECONFLICT)
      return wg_errinfo_set(ei, e, "more than one division has that name; use the 12-digit code");
  }
  if (e) return e;
  if (d.level != WG_DIV_COMMUNITY)
    return wg_errinfo_set(ei, WG_EINVAL, "%s is not a community or village", d.code);
  memcpy(code_out, d.code, 13);
  return WG_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

wg_err wg_ledger_tags_normalise(wg_store_t *s, const char *list, char *out, size_t cap,
                                wg_errinfo *ei) {
  enum { MAX_TAGS = 16 };
  char codes[MAX_TAGS][32];
  const char *ptrs[MAX_TAGS];
  int n = 0;
  const char *p = list ? list : "";
  out[0] = '\0';
  while (*p) {
    /* Separators: , ; / space and the Chinese 、，； */
    size_t len = 0;
    while (p[len] && !strchr(",;/ |", p[len]) && strncmp(p + len, "、", 3) != 0 &&
           strncmp(p + len, "，", 3) != 0 && strncmp(p + len, "；", 3) != 0)
      len++;
    if (len > 0) {
      char word[64];
      if (len >= sizeof word) return wg_errinfo_set(ei, WG_EINVAL, "tag is too long");
      memcpy(word, p, len);
      word[len] = '\0';
      if (n == MAX_TAGS) return wg_errinfo_set(ei, WG_ETOOBIG, "more than %d tags", MAX_TAGS);
      wg_err e = wg_store_tag_resolve(s, word, codes[n], sizeof codes[n]);
      if (e == WG_ENOTFOUND) {
        if (ei) snprintf(ei->value, sizeof ei->value, "%s", word);
        return wg_errinfo_set(ei, e, "unknown tag (see `wangge tags`)");
      }
      if (e) return e;
      int dup = 0;
      for (int i = 0; i < n; i++) dup |= strcmp(codes[i], codes[n]) == 0;
      if (!dup) {
        ptrs[n] = codes[n];
        n++;
      }
    }
    p += len;
    if (*p) p += (unsigned char)*p >= 0x80 ? 3 : 1;
  }
  qsort(ptrs, (size_t)n, sizeof *ptrs, cmp_str);
  size_t used = 0;
  for (int i = 0; i < n; i++) {
    int w = snprintf(out + used, cap - used, "%s%s,", used ? "" : ",", ptrs[i]);
    if (w < 0 || (size_t)w >= cap - used) return wg_errinfo_set(ei, WG_ETOOBIG, "too many tags");
    used += (size_t)w;
  }
  return WG_OK;
}

wg_err wg_residence_parse(const char *w, wg_residence *out) {
  static const struct {
    const char *word;
    wg_residence r;
  } words[] = {
      {"", WG_RES_REGISTERED},          {"户籍", WG_RES_REGISTERED},
      {"户籍人口", WG_RES_REGISTERED},  {"registered", WG_RES_REGISTERED},
      {"常住", WG_RES_RESIDENT},        {"常住人口", WG_RES_RESIDENT},
      {"resident", WG_RES_RESIDENT},    {"流动", WG_RES_FLOATING},
      {"流动人口", WG_RES_FLOATING},    {"floating", WG_RES_FLOATING},
  };
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (strcmp(w ? w : "", words[i].word) == 0) {
      *out = words[i].r;
      return WG_OK;
    }
  return WG_EINVAL;
}

wg_err wg_status_parse(const char *w, wg_status *out) {
  static const struct {
    const char *word;
    wg_status st;
  } words[] = {
      {"", WG_ST_ACTIVE},         {"在册", WG_ST_ACTIVE},      {"正常", WG_ST_ACTIVE},
      {"active", WG_ST_ACTIVE},   {"迁出", WG_ST_MOVED_OUT},   {"moved_out", WG_ST_MOVED_OUT},
      {"死亡", WG_ST_DEAD},       {"dead", WG_ST_DEAD},
  };
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (strcmp(w ? w : "", words[i].word) == 0) {
      *out = words[i].st;
      return WG_OK;
    }
  return WG_EINVAL;
}

/* ---- changes --------------------------------------------------------------- */

static void set_field(wg_errinfo *ei, const char *field) {
  if (ei) snprintf(ei->field, sizeof ei->field, "%s", field);
}

/* Adds or removes one tag code in a stored tag list. */
static void tags_edit(char *tags, size_t cap, const char *code, int add) {
  char needle[40];
  snprintf(needle, sizeof needle, ",%s,", code);
  char *hit = strstr(tags, needle);
  if (add && !hit) {
    char list[512];
    snprintf(list, sizeof list, "%s%s%s,", tags[0] ? tags : ",", "", code);
    /* Re-sort by splitting; lists are short. */
    const char *items[32];
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    int n = 0;
    for (char *p = buf + 1; *p && n < 32;) {
      char *comma = strchr(p, ',');
      if (!comma) break;
      *comma = '\0';
      if (*p) items[n++] = p;
      p = comma + 1;
    }
    qsort(items, (size_t)n, sizeof *items, cmp_str);
    size_t used = 0;
    tags[0] = '\0';
    for (int i = 0; i < n && used < cap; i++) {
      int w = snprintf(tags + used, cap - used, "%s%s,", used ? "" : ",", items[i]);
      if (w > 0) used += (size_t)w;
    }
  } else if (!add && hit) {
    memmove(hit, hit + strlen(needle) - 1, strlen(hit + strlen(needle) - 1) + 1);
    if (strcmp(tags, ",") == 0) tags[0] = '\0';
  }
}

/* Applies one correction field=value to r; the event detail gets the field
 * name only for ID number and phone (never the value). */
static wg_err correct_field(wg_resident_t *r, const char *field, const char *value,
                            int32_t today, wg_errinfo *ei) {
  set_field(ei, field);
  if (strcmp(field, "name") == 0) {
    if (!*value || strlen(value) >= sizeof r->name)
      return wg_errinfo_set(ei, WG_EINVAL, "name must be 1 to %zu bytes", sizeof r->name - 1);
    snprintf(r->name, sizeof r->name, "%s", value);
  } else if (strcmp(field, "sex") == 0) {
    char sx = wg_sex_normalize(value);
    if (!sx) return wg_errinfo_set(ei, WG_EINVAL, "sex must be 男 or 女 (M/F)");
    r->sex = sx;
  } else if (strcmp(field, "birth") == 0) {
    int v;
    if (wg_date_parse(value, &v) != WG_DATE_OK)
      return wg_errinfo_set(ei, WG_EINVAL, "not a date");
    r->birth = v;
  } else if (strcmp(field, "phone") == 0) {
    if (!*value) {
      r->phone[0] = '\0';
    } else {
      char phone[WG_PHONE_LEN + 1];
      wg_err e = wg_phone_validate(value, phone, ei);
      if (e) return e;
      memcpy(r->phone, phone, sizeof phone);
    }
  } else if (strcmp(field, "relation") == 0) {
    snprintf(r->relation, sizeof r->relation, "%s", value);
  } else if (strcmp(field, "residence") == 0) {
    if (wg_residence_parse(value, &r->residence) != WG_OK)
      return wg_errinfo_set(ei, WG_EINVAL, "residence must be 户籍/常住/流动");
  } else if (strcmp(field, "id_number") == 0) {
    wg_idnum_t id;
    wg_err e = wg_idnum_validate(value, today, &id, ei);
    if (e) return e;
    memcpy(r->id_number, id.number, sizeof r->id_number);
    r->birth = id.birth;
    r->sex = id.sex;
  } else {
    return wg_errinfo_set(ei, WG_EINVAL,
                          "unknown field (name, sex, birth, phone, relation, residence, "
                          "id_number)");
  }
  if (ei) ei->field[0] = '\0';
  return WG_OK;
}

static wg_err place(wg_store_t *s, const wg_address *to, const char *household,
                    const char *county, wg_resident_t *r) {
  int64_t dwelling;
  wg_err e = wg_address_ensure(s, to, &dwelling);
  if (e) return e;
  char number[64];
  if (household && *household)
    snprintf(number, sizeof number, "%s", household);
  else
    wg_household_number_for(dwelling, number);
  int64_t hh;
  if ((e = wg_store_household_ensure(s, county, number, dwelling, &hh))) return e;
  r->dwelling_id = dwelling;
  r->household_id = hh;
  return WG_OK;
}

/* The audit row of a ledger change (who, what, why, from where). */
static wg_err audit_change(wg_store_t *s, const char *actor, wg_event_kind kind, int64_t resident,
                           int64_t event, const char *reason, const char *origin) {
  wg_audit_t a = {0};
  snprintf(a.actor, sizeof a.actor, "%s", actor ? actor : "unknown");
  snprintf(a.action, sizeof a.action, "%s", wg_event_kind_name(kind));
  snprintf(a.target, sizeof a.target, "resident #%lld (event #%lld)", (long long)resident,
           (long long)event);
  snprintf(a.reason, sizeof a.reason, "%s", reason ? reason : "");
  snprintf(a.origin, sizeof a.origin, "%s", origin ? origin : "cli");
  return wg_store_audit_add(s, &a);
}

wg_err wg_ledger_apply(wg_store_t *s, const wg_change *c, int64_t *event_id, wg_errinfo *ei) {
  if (!c->reason || !*c->reason) {
    set_field(ei, "reason");
    return wg_errinfo_set(ei, WG_EINVAL, "every change needs a reason");
  }
  int32_t today = wg_ledger_today();
  int32_t effective = c->effective ? c->effective : today;
  if (effective > today) {
    set_field(ei, "date");
    return wg_errinfo_set(ei, WG_EINVAL, "a change cannot take effect in the future");
  }
  wg_resident_t r;
  wg_err e = wg_store_resident_get(s, c->resident_id, &r);
  if (e == WG_ENOTFOUND)
    return wg_errinfo_set(ei, e, "no resident #%lld", (long long)c->resident_id);
  if (e) return e;
  if (effective < r.since)
    return wg_errinfo_set(ei, WG_ECONFLICT,
                          "the change is dated before the resident's current record "
                          "(%d); changes are recorded in order",
                          (int)r.since);

  int own_tx = wg_store_begin(s) == WG_OK;
  wg_event_t ev = {.kind = c->kind, .resident_id = r.id, .effective = effective};
  memcpy(ev.county, r.county, sizeof ev.county);
  snprintf(ev.actor, sizeof ev.actor, "%s", c->actor ? c->actor : "unknown");
  snprintf(ev.reason, sizeof ev.reason, "%s", c->reason);
  char tag[32] = "";

  switch (c->kind) {
    case WG_EV_MOVE:
    case WG_EV_MOVE_IN:
      if (!c->to) {
        e = wg_errinfo_set(ei, WG_EINVAL, "a move needs the new address");
        break;
      }
      if (c->kind == WG_EV_MOVE && r.status != WG_ST_ACTIVE) {
        e = wg_errinfo_set(ei, WG_ECONFLICT, "resident is %s, not active",
                           wg_status_name(r.status));
        break;
      }
      if (c->kind == WG_EV_MOVE_IN && r.status != WG_ST_MOVED_OUT) {
        e = wg_errinfo_set(ei, WG_ECONFLICT, "only a moved-out resident can move back in");
        break;
      }
      e = place(s, c->to, c->household, r.county, &r);
      r.status = WG_ST_ACTIVE;
      snprintf(ev.detail, sizeof ev.detail, "{\"dwelling\":%lld,\"household\":%lld}",
               (long long)r.dwelling_id, (long long)r.household_id);
      break;
    case WG_EV_MOVE_OUT:
    case WG_EV_DEATH:
      if (r.status != WG_ST_ACTIVE) {
        e = wg_errinfo_set(ei, WG_ECONFLICT, "resident is %s, not active",
                           wg_status_name(r.status));
        break;
      }
      r.status = c->kind == WG_EV_DEATH ? WG_ST_DEAD : WG_ST_MOVED_OUT;
      snprintf(ev.detail, sizeof ev.detail, "{\"status\":\"%s\"}", wg_status_name(r.status));
      break;
    case WG_EV_TAG_ADD:
    case WG_EV_TAG_REMOVE: {
      e = wg_store_tag_resolve(s, c->tag ? c->tag : "", tag, sizeof tag);
      if (e == WG_ENOTFOUND) {
        set_field(ei, "tag");
        e = wg_errinfo_set(ei, e, "unknown tag");
        break;
      }
      if (e) break;
      char needle[40];
      snprintf(needle, sizeof needle, ",%s,", tag);
      int has = strstr(r.tags, needle) != NULL;
      if (has == (c->kind == WG_EV_TAG_ADD)) {
        e = wg_errinfo_set(ei, WG_ECONFLICT, "resident %s tag %s", has ? "already has" : "has no",
                           tag);
        break;
      }
      tags_edit(r.tags, sizeof r.tags, tag, c->kind == WG_EV_TAG_ADD);
      snprintf(ev.detail, sizeof ev.detail, "{\"tag\":\"%s\"}", tag);
      break;
    }
    case WG_EV_CORRECTION: {
      if (c->ncorrections <= 0) {
        e = wg_errinfo_set(ei, WG_EINVAL, "a correction needs at least one field=value");
        break;
      }
      size_t used = (size_t)snprintf(ev.detail, sizeof ev.detail, "{\"fields\":[");
      for (int i = 0; i < c->ncorrections && !e; i++) {
        e = correct_field(&r, c->fields[i], c->values[i], today, ei);
        if (!e && used < sizeof ev.detail) {
          int w = snprintf(ev.detail + used, sizeof ev.detail - used, "%s\"%s\"", i ? "," : "",
                           c->fields[i]);
          if (w > 0) used += (size_t)w;
        }
      }
      if (used < sizeof ev.detail) snprintf(ev.detail + used, sizeof ev.detail - used, "]}");
      break;
    }
    default:
      e = wg_errinfo_set(ei, WG_EINVAL, "%s is not a change to an existing resident",
                         wg_event_kind_name(c->kind));
  }
  if (!e) e = wg_store_event_add(s, &ev);
  if (!e) {
    r.event_id = ev.id;
    r.since = effective;
    e = wg_store_resident_update(s, &r);
    if (e == WG_EEXIST) {
      set_field(ei, "id_number");
      e = wg_errinfo_set(ei, e, "another resident already has that ID number");
    }
  }
  if (!e) e = audit_change(s, c->actor, c->kind, r.id, ev.id, c->reason, c->origin);
  if (own_tx) {
    if (!e) e = wg_store_commit(s);
    if (e) wg_store_rollback(s);
  }
  if (!e && event_id) *event_id = ev.id;
  return e;
}

wg_err wg_ledger_add(wg_store_t *s, const wg_newcomer *n, int64_t *resident_id,
                     wg_errinfo *ei) {
  int32_t today = wg_ledger_today();
  int32_t effective = n->effective ? n->effective : today;
  if (n->kind != WG_EV_REGISTER && n->kind != WG_EV_MOVE_IN && n->kind != WG_EV_BIRTH)
    return wg_errinfo_set(ei, WG_EINVAL, "a new resident comes by register, move_in or birth");
  if (!n->reason || !*n->reason) {
    set_field(ei, "reason");
    return wg_errinfo_set(ei, WG_EINVAL, "every change needs a reason");
  }
  if (!n->at) {
    set_field(ei, "address");
    return wg_errinfo_set(ei, WG_EINVAL, "a resident needs an address");
  }
  wg_resident_t r = {.status = WG_ST_ACTIVE, .since = effective};
  wg_idnum_t id;
  set_field(ei, "id_number");
  wg_err e = wg_idnum_validate(n->id_number, today, &id, ei);
  if (e) return e;
  memcpy(r.id_number, id.number, sizeof r.id_number);
  r.birth = id.birth;
  r.sex = id.sex;
  if (n->kind == WG_EV_BIRTH && id.birth != effective && effective - id.birth > 10000)
    return wg_errinfo_set(ei, WG_EINVAL, "a birth is recorded within a year of the birth date");
  set_field(ei, "name");
  if (!n->name || !*n->name || strlen(n->name) >= sizeof r.name)
    return wg_errinfo_set(ei, WG_EINVAL, "name must be 1 to %zu bytes", sizeof r.name - 1);
  snprintf(r.name, sizeof r.name, "%s", n->name);
  if (n->sex && *n->sex) {
    set_field(ei, "sex");
    char sx = wg_sex_normalize(n->sex);
    if (!sx) return wg_errinfo_set(ei, WG_EINVAL, "sex must be 男 or 女 (M/F)");
    if (sx != r.sex) return wg_errinfo_set(ei, WG_EINVAL, "sex does not match the ID number");
  }
  if (n->phone && *n->phone) {
    set_field(ei, "phone");
    char phone[WG_PHONE_LEN + 1];
    if ((e = wg_phone_validate(n->phone, phone, ei))) return e;
    memcpy(r.phone, phone, sizeof phone);
  }
  set_field(ei, "residence");
  if (wg_residence_parse(n->residence, &r.residence) != WG_OK)
    return wg_errinfo_set(ei, WG_EINVAL, "residence must be 户籍/常住/流动");
  snprintf(r.relation, sizeof r.relation, "%s", n->relation ? n->relation : "");
  set_field(ei, "tags");
  if ((e = wg_ledger_tags_normalise(s, n->tags, r.tags, sizeof r.tags, ei))) return e;
  if (ei) ei->field[0] = '\0';
  snprintf(r.county, sizeof r.county, "%.6s", n->at->community);

  int own_tx = wg_store_begin(s) == WG_OK;
  wg_event_t ev = {.kind = n->kind, .effective = effective};
  memcpy(ev.county, r.county, sizeof ev.county);
  snprintf(ev.actor, sizeof ev.actor, "%s", n->actor ? n->actor : "unknown");
  snprintf(ev.reason, sizeof ev.reason, "%s", n->reason);
  e = place(s, n->at, n->household, r.county, &r);
  if (!e) e = wg_store_event_add(s, &ev);
  if (!e) {
    r.event_id = ev.id;
    e = wg_store_resident_insert(s, &r);
    if (e == WG_EEXIST) {
      set_field(ei, "id_number");
      e = wg_errinfo_set(ei, e, "already in the ledger");
    }
  }
  if (!e) e = audit_change(s, n->actor, n->kind, r.id, ev.id, n->reason, n->origin);
  if (own_tx) {
    if (!e) e = wg_store_commit(s);
    if (e) wg_store_rollback(s);
  }
  if (!e && resident_id) *resident_id = r.id;
  return e;
}
