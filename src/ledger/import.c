/* import.c — residents from CSV/XLSX into the ledger, all-or-nothing. */
#include "ledger/import.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/table.h"
#include "io/table_write.h"
#include "ledger/ledger.h"
#include "ledger/validate.h"
#include "util/strmap.h"

enum field {
  F_NAME,
  F_SEX,
  F_ID,
  F_BIRTH,
  F_PHONE,
  F_RELATION,
  F_HOUSEHOLD,
  F_COMMUNITY,
  F_ESTATE,
  F_BUILDING,
  F_ENTRANCE,
  F_ROOM,
  F_ADDRESS,
  F_RESIDENCE,
  F_TAGS,
  F_STATUS,
  F_LON,
  F_LAT,
  F_COUNT_
};

/* Fields are read from the first IMPORT_MAX_COLUMNS columns of a row. */
enum { IMPORT_MAX_COLUMNS = 256 };

/* Header words per field: the first is the canonical Chinese header, the
 * second the canonical English one. Matching ignores ASCII case, spaces and
 * a trailing "*" (offices mark required columns so). */
static const char *const aliases[F_COUNT_][9] = {
    [F_NAME] = {"姓名", "name", "居民姓名", "人员姓名"},
    [F_SEX] = {"性别", "sex", "gender"},
    [F_ID] = {"身份证号", "id_number", "身份证号码", "公民身份号码", "证件号码", "身份证",
              "id", "idnumber"},
    [F_BIRTH] = {"出生日期", "birth", "birth_date", "出生年月日", "birthday"},
    [F_PHONE] = {"联系电话", "phone", "手机号", "手机号码", "电话", "联系方式", "mobile"},
    [F_RELATION] = {"与户主关系", "relation", "关系", "家庭关系"},
    [F_HOUSEHOLD] = {"户号", "household", "household_no", "户编号"},
    [F_COMMUNITY] = {"社区", "community", "村(居)委会", "村居", "村委会", "居委会", "village"},
    [F_ESTATE] = {"小区", "estate", "自然村", "小区名称"},
    [F_BUILDING] = {"楼栋", "building", "楼号", "楼栋号"},
    [F_ENTRANCE] = {"单元", "entrance", "单元号", "unit"},
    [F_ROOM] = {"室", "room", "门牌号", "房号", "户室号", "房间号"},
    [F_ADDRESS] = {"地址", "address", "住址", "现住址", "居住地址"},
    [F_RESIDENCE] = {"人口类型", "residence_type", "居住类型", "户籍类型", "residence"},
    [F_TAGS] = {"标签", "tags", "人员类别", "特殊人群"},
    [F_STATUS] = {"状态", "status", "人员状态"},
    [F_LON] = {"经度", "lon", "longitude", "lng"},
    [F_LAT] = {"纬度", "lat", "latitude"},
};

void wg_import_print_columns(FILE *out) {
  for (int f = 0; f < F_COUNT_; f++) {
    fprintf(out, "  %s", aliases[f][0]);
    for (int i = 1; i < 9 && aliases[f][i]; i++) fprintf(out, "%s%s", i == 1 ? " (" : ", ", aliases[f][i]);
    fprintf(out, ")\n");
  }
}

/* Normalises a header cell for matching: drops spaces (ASCII, U+3000),
 * a trailing '*', and lower-cases ASCII. */
static void header_key(const char *in, char *out, size_t cap) {
  size_t n = 0;
  for (const char *p = in; *p && n + 1 < cap; p++) {
    if (*p == ' ' || *p == '\t' || *p == '*') continue;
    if (strncmp(p, "\xe3\x80\x80", 3) == 0) { /* U+3000 */
      p += 2;
      continue;
    }
    out[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
  }
  out[n] = '\0';
}

static int match_key(const char *key) {
  for (int f = 0; f < F_COUNT_; f++)
    for (int i = 0; i < 9 && aliases[f][i]; i++)
      if (strcmp(key, aliases[f][i]) == 0) return f;
  return -1;
}

/* A header matches a field by any alias; "姓名/name" (as wangge's own
 * exports write it) matches by either half. */
static int match_field(const char *cell) {
  char key[128];
  header_key(cell, key, sizeof key);
  int f = match_key(key);
  char *slash = strchr(key, '/');
  if (f < 0 && slash) {
    *slash = '\0';
    f = match_key(key);
    if (f < 0) f = match_key(slash + 1);
  }
  return f;
}

/* Trims ASCII white space and U+3000 / U+00A0 at both ends, in place
 * (writing only when something was trimmed: readers may hand out shared
 * read-only empty cells). */
static char *trim(char *s, size_t *len) {
  size_t n = *len;
  if (n == 0) return s;
  for (;;) {
    if (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
      s++, n--;
    } else if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0) {
      s += 3, n -= 3;
    } else if (n >= 2 && memcmp(s, "\xc2\xa0", 2) == 0) {
      s += 2, n -= 2;
    } else {
      break;
    }
  }
  for (;;) {
    if (n && strchr(" \t\r\n", s[n - 1])) {
      n--;
    } else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0) {
      n -= 3;
    } else if (n >= 2 && memcmp(s + n - 2, "\xc2\xa0", 2) == 0) {
      n -= 2;
    } else {
      break;
    }
  }
  if (s[n] != '\0') s[n] = '\0';
  *len = n;
  return s;
}

typedef struct importer {
  wg_store_t *s;
  const wg_import_opts *o;
  const char *path;
  int col[F_COUNT_];        /* column index per field, -1 = absent */
  int ncols;
  char **header;            /* header cells (for the rejects file) */
  int32_t today;
  char default_community[13];
  int ncommunities;         /* communities to find in addresses */
  char community_names[512][96];
  char community_codes[512][13];
  wg_strmap communities;    /* word → code as int64 */
  char last_word[96];       /* the last community word and its code */
  size_t last_word_len;
  char last_code[13];
  wg_strmap estates, buildings, entrances, households;
  wg_strmap dwellings;      /* deferred (empty ledger): entrance id + room → dwelling */
  wg_u64map dwelling_households; /* deferred: dwelling → its household */
  char last_dwelling_key[512]; /* rows of one dwelling usually come together */
  size_t last_dwelling_len;
  int64_t last_dwelling, last_dwelling_household;
  int last_dwelling_new;    /* created by this row: it has no household yet */
  wg_u64map seen;           /* ID key → first row */
  wg_table_writer_t *rejects;
  long listed, max_listed;
  int writing;              /* still writing (no error yet, or skip_bad) */
  int fresh;                /* the county's ledger was empty: create without looking */
  int empty_ledger;         /* no resident at all: no duplicate can be in the ledger */
  wg_resident_t pending[WG_STORE_BATCH]; /* empty ledger: residents waiting for a batch */
  int npending;
  wg_dwelling_row new_dwellings[WG_STORE_BATCH];   /* … dwellings, */
  int nnew_dwellings;
  wg_household_row new_households[WG_STORE_BATCH]; /* … households */
  int nnew_households;
  int64_t last_dwelling_id, last_household_id;     /* ids given so far */
  /* per row */
  long row;
  int row_errors;
  char reasons[1024];       /* this row's reasons, for the rejects file */
  size_t reasons_len;
} importer;

static const char *field_label(const importer *im, int f) {
  return im->col[f] >= 0 && im->col[f] < im->ncols ? im->header[im->col[f]] : aliases[f][0];
}

/* Records one bad field of the current row. masked is the value as it may
 * be shown (already masked for personal data). */
static void bad(importer *im, wg_import_result *res, int f, const char *masked,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void bad(importer *im, wg_import_result *res, int f, const char *masked,
                const char *fmt, ...) {
  char why[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  res->errors++;
  im->row_errors++;
  const char *label = f >= 0 ? field_label(im, f) : "";
  if (im->o->report && im->listed < im->max_listed) {
    if (masked && *masked)
      fprintf(im->o->report, "%s: row %ld: %s '%s': %s\n", im->path, im->row, label, masked, why);
    else if (*label)
      fprintf(im->o->report, "%s: row %ld: %s: %s\n", im->path, im->row, label, why);
    else
      fprintf(im->o->report, "%s: row %ld: %s\n", im->path, im->row, why);
  }
  im->listed++;
  if (im->reasons_len < sizeof im->reasons) {
    int w = snprintf(im->reasons + im->reasons_len, sizeof im->reasons - im->reasons_len,
                     "%s%s%s%s", im->reasons_len ? "; " : "", label, *label ? ": " : "", why);
    if (w > 0) im->reasons_len += (size_t)w;
  }
}

static wg_err map_header(importer *im, const wg_table_row *row, wg_errinfo *ei) {
  for (int f = 0; f < F_COUNT_; f++) im->col[f] = -1;
  im->ncols = row->ncells;
  im->header = calloc((size_t)row->ncells + 1, sizeof *im->header);
  if (!im->header) return WG_ENOMEM;
  for (int i = 0; i < row->ncells; i++) {
    im->header[i] = strdup(row->cells[i]);
    if (!im->header[i]) return WG_ENOMEM;
    int f = match_field(row->cells[i]);
    if (f < 0) continue;
    if (i >= IMPORT_MAX_COLUMNS) {
      ei->row = row->row;
      snprintf(ei->field, sizeof ei->field, "%s", row->cells[i]);
      return wg_errinfo_set(ei, WG_EREJECTED,
                            "column %d is too far right: fields must be in the first %d "
                            "columns",
                            i + 1, IMPORT_MAX_COLUMNS);
    }
    if (im->col[f] >= 0) {
      ei->row = row->row;
      snprintf(ei->field, sizeof ei->field, "%s", row->cells[i]);
      return wg_errinfo_set(ei, WG_EREJECTED,
                            "two columns mean the same field (%s): columns %d and %d",
                            aliases[f][0], im->col[f] + 1, i + 1);
    }
    im->col[f] = i;
  }
  ei->row = row->row;
  if (im->col[F_NAME] < 0)
    return wg_errinfo_set(ei, WG_EREJECTED, "no name column (姓名 or name) in the header");
  if (im->col[F_ID] < 0)
    return wg_errinfo_set(ei, WG_EREJECTED, "no ID number column (身份证号 or id_number) in the header");
  if (im->col[F_ADDRESS] < 0 && im->col[F_ROOM] < 0)
    return wg_errinfo_set(ei, WG_EREJECTED,
                          "no address: give 地址 (address), or 楼栋/单元/室 (building/entrance/room)");
  if (im->col[F_COMMUNITY] < 0 && !im->default_community[0] && im->col[F_ADDRESS] < 0)
    return wg_errinfo_set(ei, WG_EREJECTED,
                          "no community column (社区), no address to find it in, and no "
                          "--community given");
  ei->row = 0;
  return WG_OK;
}

/* Collects the county's communities (name → code) for finding the
 * community at the start of a one-line address. */
static int collect_community(void *ctx, const wg_division_t *d) {
  importer *im = ctx;
  if (im->ncommunities == sizeof im->community_names / sizeof *im->community_names) return 1;
  snprintf(im->community_names[im->ncommunities], sizeof im->community_names[0], "%s", d->name);
  memcpy(im->community_codes[im->ncommunities], d->code, 13);
  im->ncommunities++;
  return 0;
}

/* Finds the community whose name (or name without 居委会/委会) begins addr;
 * the longest match wins. Returns the matched prefix length, 0 if none. */
static size_t community_prefix(const importer *im, const char *addr, char code[13]) {
  size_t best = 0;
  for (int i = 0; i < im->ncommunities; i++) {
    const char *name = im->community_names[i];
    size_t n = strlen(name);
    size_t forms[3] = {n, n, n};
    if (n > 9 && strcmp(name + n - 9, "居委会") == 0) forms[1] = n - 9;
    if (n > 6 && strcmp(name + n - 6, "委会") == 0) forms[2] = n - 6;
    for (int k = 0; k < 3; k++)
      if (forms[k] > best && strncmp(addr, name, forms[k]) == 0) {
        best = forms[k];
        memcpy(code, im->community_codes[i], 13);
      }
  }
  return best;
}

/* Cached get-or-create of one address level. key is the full path so far;
 * make() runs only on a miss. */
static wg_err cached(wg_strmap *m, const char *key, size_t len, int64_t *id, wg_err made,
                     int miss) {
  if (miss) return made == WG_OK ? wg_strmap_put(m, key, len, *id) : made;
  return WG_OK;
}

static wg_err flush_dwellings(importer *im) {
  wg_err e = wg_store_dwelling_insert_batch(im->s, im->o->county, im->new_dwellings,
                                            im->nnew_dwellings);
  im->nnew_dwellings = 0;
  return e;
}

static wg_err flush_households(importer *im) {
  wg_err e = wg_store_household_insert_batch(im->s, im->o->county, im->new_households,
                                             im->nnew_households);
  im->nnew_households = 0;
  return e;
}

/* Appends sep + text to key at *n (bounded); returns 0 when it overflows. */
static int key_add(char *key, size_t cap, size_t *n, const char *text) {
  size_t len = strlen(text);
  if (*n + len + 2 > cap) return 0;
  key[(*n)++] = '\x1f';
  memcpy(key + *n, text, len);
  *n += len;
  return 1;
}

static wg_err ensure_dwelling(importer *im, const wg_address *a, int64_t *dwelling,
                              wg_import_result *res) {
  char key[512];
  size_t n = 12;
  memcpy(key, a->community, 12);
  if (!key_add(key, sizeof key, &n, a->estate)) return WG_ETOOBIG;
  size_t k1 = n;
  if (!key_add(key, sizeof key, &n, a->building)) return WG_ETOOBIG;
  size_t k2 = n;
  if (!key_add(key, sizeof key, &n, a->entrance)) return WG_ETOOBIG;
  size_t k3 = n;
  if (!key_add(key, sizeof key, &n, a->room)) return WG_ETOOBIG;
  size_t k4 = n;
  if (k4 == im->last_dwelling_len && memcmp(key, im->last_dwelling_key, k4) == 0) {
    *dwelling = im->last_dwelling;
    return WG_OK;
  }

  int64_t estate, building, entrance;
  int created = 0;
  wg_err e = WG_OK;
  int miss = !wg_strmap_get(&im->estates, key, k1, &estate);
  if (miss)
    e = im->fresh ? wg_store_estate_add(im->s, a->community, a->estate, &estate)
                  : wg_store_estate_ensure(im->s, a->community, a->estate, &estate);
  if ((e = cached(&im->estates, key, k1, &estate, e, miss))) return e;

  miss = !wg_strmap_get(&im->buildings, key, k2, &building);
  if (miss) {
    wg_building_t b = {.estate_id = estate, .lon = a->lon, .lat = a->lat};
    memcpy(b.community, a->community, sizeof b.community);
    snprintf(b.name, sizeof b.name, "%s", a->building);
    e = im->fresh ? wg_store_building_add(im->s, &b) : wg_store_building_ensure(im->s, &b);
    building = b.id;
  }
  if ((e = cached(&im->buildings, key, k2, &building, e, miss))) return e;

  miss = !wg_strmap_get(&im->entrances, key, k3, &entrance);
  if (miss)
    e = im->fresh ? wg_store_entrance_add(im->s, im->o->county, building, a->entrance, &entrance)
                  : wg_store_entrance_ensure(im->s, building, a->entrance, &entrance);
  if ((e = cached(&im->entrances, key, k3, &entrance, e, miss))) return e;

  if (im->empty_ledger) {
    /* Indexes deferred: this map is the only duplicate check. */
    char dkey[8 + 40];
    size_t rlen = strlen(a->room);
    if (rlen > 40) return WG_ETOOBIG;
    memcpy(dkey, &entrance, 8);
    memcpy(dkey + 8, a->room, rlen);
    if (!wg_strmap_get(&im->dwellings, dkey, 8 + rlen, dwelling)) {
      /* Ids are ours to give in empty tables; rows go in batches. */
      wg_dwelling_row *d = &im->new_dwellings[im->nnew_dwellings++];
      d->id = *dwelling = ++im->last_dwelling_id;
      d->entrance_id = entrance;
      d->floor = a->floor;
      memcpy(d->room, a->room, rlen + 1);
      if (im->nnew_dwellings == WG_STORE_BATCH && (e = flush_dwellings(im))) return e;
      if ((e = wg_strmap_put(&im->dwellings, dkey, 8 + rlen, *dwelling))) return e;
      res->dwellings++;
      created = 1;
    }
  } else {
    /* Fresh county: create straight away; a dwelling seen before (its rows
     * not together in the file) shows up as a conflict and is looked up. */
    e = im->fresh ? wg_store_dwelling_add(im->s, im->o->county, entrance, a->floor, a->room, dwelling)
                  : WG_ECONFLICT;
    if (e == WG_ECONFLICT)
      e = wg_store_dwelling_ensure(im->s, entrance, a->floor, a->room, dwelling);
    else if (e == WG_OK)
      res->dwellings++;
    if (e) return e;
  }
  memcpy(im->last_dwelling_key, key, k4);
  im->last_dwelling_len = k4;
  im->last_dwelling = *dwelling;
  im->last_dwelling_household = 0;
  im->last_dwelling_new = created;
  return WG_OK;
}

/* Empty ledger: gives the next household id and queues its row. */
static wg_err new_household(importer *im, const char *number, int64_t dwelling, int64_t *hh) {
  wg_household_row *h = &im->new_households[im->nnew_households++];
  h->id = *hh = ++im->last_household_id;
  h->dwelling_id = dwelling;
  snprintf(h->number, sizeof h->number, "%s", number);
  return im->nnew_households == WG_STORE_BATCH ? flush_households(im) : WG_OK;
}

static wg_err ensure_household(importer *im, const char *number, int64_t dwelling,
                               int64_t *hh, wg_import_result *res) {
  wg_err e;
  if (number && *number) {
    size_t len = strlen(number);
    if (wg_strmap_get(&im->households, number, len, hh)) return WG_OK;
    if (len >= sizeof im->new_households[0].number) return WG_ETOOBIG;
    e = im->empty_ledger ? new_household(im, number, dwelling, hh)
        : im->fresh      ? wg_store_household_add(im->s, im->o->county, number, dwelling, hh)
                         : wg_store_household_ensure(im->s, im->o->county, number, dwelling, hh);
    if (e) return e;
    res->households++;
    return wg_strmap_put(&im->households, number, len, *hh);
  }
  if (dwelling == im->last_dwelling && im->last_dwelling_household) {
    *hh = im->last_dwelling_household;
    return WG_OK;
  }
  if (im->empty_ledger && !(dwelling == im->last_dwelling && im->last_dwelling_new) &&
      wg_u64map_get(&im->dwelling_households, (uint64_t)dwelling, hh)) {
    im->last_dwelling_household = *hh;
    return WG_OK;
  }
  char derived[32];
  wg_household_number_for(dwelling, derived);
  e = im->empty_ledger ? new_household(im, derived, dwelling, hh)
      : im->fresh      ? wg_store_household_add(im->s, im->o->county, derived, dwelling, hh)
                       : WG_ECONFLICT;
  if (e == WG_ECONFLICT)
    e = wg_store_household_ensure(im->s, im->o->county, derived, dwelling, hh);
  else if (e == WG_OK)
    res->households++;
  if (e) return e;
  if (dwelling == im->last_dwelling) im->last_dwelling_household = *hh;
  if (im->empty_ledger) return wg_u64map_put(&im->dwelling_households, (uint64_t)dwelling, *hh);
  return WG_OK;
}

static const char *cell(const wg_table_row *row, const importer *im, int f, char **bufs,
                        size_t *lens) {
  int c = im->col[f];
  if (c < 0 || c >= row->ncells) return "";
  (void)lens;
  return bufs[c];
}

static void remember_community(importer *im, const char *word, size_t len, const char code[13]) {
  if (len >= sizeof im->last_word) return;
  memcpy(im->last_word, word, len);
  im->last_word_len = len;
  memcpy(im->last_code, code, 13);
}

/* Resolves the community word of a row (cached). */
static int row_community(importer *im, const char *word, char out[13],
                         wg_import_result *res) {
  if (!*word) {
    if (!im->default_community[0]) {
      bad(im, res, F_COMMUNITY, "", "community is empty and no --community was given");
      return 0;
    }
    memcpy(out, im->default_community, 13);
    return 1;
  }
  int64_t code;
  size_t len = strlen(word);
  /* Rows of one community usually come together. */
  if (len == im->last_word_len && memcmp(word, im->last_word, len) == 0) {
    memcpy(out, im->last_code, 13);
    return 1;
  }
  if (wg_strmap_get(&im->communities, word, len, &code)) {
    if (code < 0) {
      bad(im, res, F_COMMUNITY, word, "no such community or village in county %s",
          im->o->county);
      return 0;
    }
    for (int i = 11; i >= 0; i--, code /= 10) out[i] = (char)('0' + code % 10);
    out[12] = '\0';
    remember_community(im, word, len, out);
    return 1;
  }
  wg_errinfo ei = {0};
  wg_err e = wg_ledger_community(im->s, im->o->county, word, out, &ei);
  if (wg_strmap_put(&im->communities, word, len, e ? -1 : strtoll(out, NULL, 10)) != WG_OK)
    return 0;
  if (e) {
    bad(im, res, F_COMMUNITY, word, "%s", ei.why);
    return 0;
  }
  remember_community(im, word, len, out);
  return 1;
}

/* Copies an address part, reporting one that does not fit. */
static void copy_part(importer *im, wg_import_result *res, int f, char *dst, size_t cap,
                      const char *src) {
  size_t n = strlen(src);
  if (n >= cap) {
    bad(im, res, f, "", "longer than %zu bytes", cap - 1);
    n = 0;
  }
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void write_reject(importer *im, const wg_table_row *row, wg_errinfo *ei) {
  if (!im->rejects) return;
  enum { MAXC = 64 };
  const char *cells[MAXC + 2];
  char rowno[24];
  snprintf(rowno, sizeof rowno, "%ld", row->row);
  int n = 0;
  cells[n++] = rowno;
  for (int i = 0; i < row->ncells && i < MAXC; i++) cells[n++] = row->cells[i];
  cells[n++] = im->reasons;
  if (wg_table_writer_row(im->rejects, n, cells, ei) != WG_OK) {
    wg_table_writer_abort(im->rejects);
    im->rejects = NULL;
  }
}

static wg_err flush_pending(importer *im) {
  wg_err e = wg_store_resident_insert_batch(im->s, im->pending, im->npending);
  im->npending = 0;
  return e;
}

/* Writes every queued row (dwellings and households before the residents
 * that point at them, for readability; references are checked at the end). */
static wg_err flush_all(importer *im) {
  wg_err e = flush_dwellings(im);
  if (!e) e = flush_households(im);
  if (!e) e = flush_pending(im);
  return e;
}

/* Parses a coordinate cell fully; 0 on anything but a finite number. */
static int parse_degrees(const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || errno != 0 || v != v) return 0;
  *out = v;
  return 1;
}

/* Reads 经度/纬度 (in the file's coordinate system) into a's WGS84 position. */
static void locate(importer *im, const wg_table_row *row, char **v, size_t *lens, wg_address *a,
                   wg_import_result *res) {
  const char *lon = cell(row, im, F_LON, v, lens), *lat = cell(row, im, F_LAT, v, lens);
  if (!*lon && !*lat) return;
  double x, y;
  if (!*lon || !*lat) {
    bad(im, res, *lon ? F_LAT : F_LON, "", "a position needs both longitude and latitude");
  } else if (!parse_degrees(lon, &x)) {
    bad(im, res, F_LON, lon, "not a number of degrees");
  } else if (!parse_degrees(lat, &y)) {
    bad(im, res, F_LAT, lat, "not a number of degrees");
  } else if (wg_coord_to_wgs84(x, y, im->o->crs, &a->lon, &a->lat) != WG_OK) {
    bad(im, res, F_LON, lon, "longitude must be -180..180 and latitude -90..90");
  } else {
    a->located = 1;
  }
}

/* Checks the person's fields other than the ID number into *r. */
static void check_fields(importer *im, const wg_table_row *row, char **v, size_t *lens,
                         wg_resident_t *r, wg_import_result *res) {
  char masked[96];
  const char *name = cell(row, im, F_NAME, v, lens);
  if (!*name)
    bad(im, res, F_NAME, "", "name is empty");
  else if (strlen(name) >= sizeof r->name)
    bad(im, res, F_NAME, "", "name is longer than %zu bytes", sizeof r->name - 1);
  else
    memcpy(r->name, name, strlen(name) + 1);

  const char *sex = cell(row, im, F_SEX, v, lens);
  if (*sex) {
    char sx = wg_sex_normalize(sex);
    if (!sx)
      bad(im, res, F_SEX, sex, "sex must be 男 or 女 (M/F)");
    else if (r->sex && sx != r->sex)
      bad(im, res, F_SEX, sex, "does not match the ID number (which says %s)",
          r->sex == 'M' ? "男" : "女");
  }
  const char *birth = cell(row, im, F_BIRTH, v, lens);
  if (*birth) {
    int b;
    wg_date_reason dr = wg_date_parse(birth, &b);
    if (dr != WG_DATE_OK)
      bad(im, res, F_BIRTH, birth, "%s", wg_date_reason_str(dr));
    else if (r->birth && b != r->birth)
      bad(im, res, F_BIRTH, birth, "does not match the birth date in the ID number");
  }
  const char *phone = cell(row, im, F_PHONE, v, lens);
  if (*phone) {
    wg_phone_reason pr = wg_phone_normalize(phone, r->phone);
    if (pr != WG_PHONE_OK) {
      wg_mask_phone(phone, masked, sizeof masked);
      bad(im, res, F_PHONE, masked, "%s", wg_phone_reason_str(pr));
    }
  }
  const char *rel = cell(row, im, F_RELATION, v, lens);
  if (strlen(rel) >= sizeof r->relation)
    bad(im, res, F_RELATION, "", "relation is too long");
  else
    memcpy(r->relation, rel, strlen(rel) + 1);
  const char *res_type = cell(row, im, F_RESIDENCE, v, lens);
  if (wg_residence_parse(res_type, &r->residence) != WG_OK)
    bad(im, res, F_RESIDENCE, res_type, "must be 户籍, 常住 or 流动 (registered/resident/floating)");
  const char *status = cell(row, im, F_STATUS, v, lens);
  if (wg_status_parse(status, &r->status) != WG_OK)
    bad(im, res, F_STATUS, status, "must be 在册, 迁出 or 死亡 (active/moved_out/dead)");
  const char *tags = cell(row, im, F_TAGS, v, lens);
  if (*tags) {
    wg_errinfo tei = {0};
    if (wg_ledger_tags_normalise(im->s, tags, r->tags, sizeof r->tags, &tei) != WG_OK)
      bad(im, res, F_TAGS, tei.value[0] ? tei.value : tags, "%s", tei.why);
  }

}

/* Validates one data row and, while writing, stores it. Returns an error
 * only for failures that stop the whole import (I/O, database). */
static wg_err import_row(importer *im, const wg_table_row *row, wg_event_t *ev,
                         wg_import_result *res) {
  enum { MAXC = IMPORT_MAX_COLUMNS };
  char *v[MAXC];
  size_t lens[MAXC];
  int nc = row->ncells < MAXC ? row->ncells : MAXC;
  for (int i = 0; i < nc; i++) {
    lens[i] = row->lens[i];
    v[i] = trim((char *)row->cells[i], &lens[i]);
  }
  for (int i = nc; i < MAXC && i < im->ncols; i++) v[i] = (char *)"";
  im->row = row->row;
  im->row_errors = 0;
  im->reasons_len = 0;
  im->reasons[0] = '\0';

  /* A value right of the last header column belongs to no field: most often
   * an unquoted comma split a cell and shifted the rest of the row. */
  for (int i = im->ncols; i < row->ncells; i++) {
    if ((i < MAXC ? lens[i] : row->lens[i]) == 0) continue;
    bad(im, res, -1, "",
        "column %d has a value but the header has only %d columns "
        "(a comma inside a cell without quotes?)",
        i + 1, im->ncols);
    break;
  }

  wg_resident_t r = {.status = WG_ST_ACTIVE, .since = ev->effective, .event_id = ev->id};
  memcpy(r.county, im->o->county, 7);
  char masked[96];

  /* ID number: checksum, date, province; birth and sex come from it. */
  const char *idv = cell(row, im, F_ID, v, lens);
  wg_idnum_t id;
  wg_idnum_reason ir = wg_idnum_parse(idv, im->today, &id);
  uint64_t key = 0;
  if (ir != WG_IDNUM_OK) {
    wg_mask_idnum(idv, masked, sizeof masked);
    if (ir == WG_IDNUM_BAD_CHECK)
      bad(im, res, F_ID, masked, "%s (expected %c)", wg_idnum_reason_str(ir), id.expected_check);
    else
      bad(im, res, F_ID, masked, "%s", wg_idnum_reason_str(ir));
  } else {
    memcpy(r.id_number, id.number, sizeof r.id_number);
    r.birth = id.birth;
    r.sex = id.sex;
    key = wg_idnum_key(id.number);
  }
  /* The other fields are checked while the ID set's slot comes in. */
  if (key) wg_u64map_prefetch(&im->seen, key);
  check_fields(im, row, v, lens, &r, res);
  if (key) {
    int64_t first;
    if (wg_u64map_get(&im->seen, key, &first)) {
      wg_mask_idnum(id.number, masked, sizeof masked);
      bad(im, res, F_ID, masked, "duplicate ID number in this file (also on row %lld)",
          (long long)first);
      key = 0;
    } else if (wg_u64map_put(&im->seen, key, row->row) != WG_OK) {
      return WG_ENOMEM;
    }
  }

  /* Address: separate columns, or one 地址 column parsed. */
  wg_address a = {0};
  locate(im, row, v, lens, &a, res);
  const char *community = cell(row, im, F_COMMUNITY, v, lens);
  const char *addr = cell(row, im, F_ADDRESS, v, lens);
  char cname[96] = "";
  int have_community;
  if (!*community && !im->default_community[0] && im->ncommunities) {
    size_t n = community_prefix(im, addr, a.community);
    have_community = n > 0;
    if (have_community)
      snprintf(cname, sizeof cname, "%.*s", (int)n, addr);
    else
      bad(im, res, F_ADDRESS, addr, "no community of county %s at the start of the address",
          im->o->county);
  } else {
    have_community = row_community(im, community, a.community, res);
  }
  if (im->col[F_ROOM] >= 0 && *cell(row, im, F_ROOM, v, lens)) {
    copy_part(im, res, F_ESTATE, a.estate, sizeof a.estate, cell(row, im, F_ESTATE, v, lens));
    copy_part(im, res, F_BUILDING, a.building, sizeof a.building,
              cell(row, im, F_BUILDING, v, lens));
    copy_part(im, res, F_ENTRANCE, a.entrance, sizeof a.entrance,
              cell(row, im, F_ENTRANCE, v, lens));
    copy_part(im, res, F_ROOM, a.room, sizeof a.room, cell(row, im, F_ROOM, v, lens));
    a.floor = wg_address_floor_of(a.room);
    if (!*cell(row, im, F_BUILDING, v, lens) && !*cell(row, im, F_ESTATE, v, lens))
      bad(im, res, F_BUILDING, "", "a room needs its building (楼栋) or estate (小区)");
  } else if (*addr) {
    wg_errinfo aei = {0};
    if (have_community && !cname[0]) {
      wg_division_t d;
      if (wg_store_division_get(im->s, a.community, &d) == WG_OK)
        snprintf(cname, sizeof cname, "%s", d.name);
    }
    if (wg_address_parse(addr, cname, &a, &aei) != WG_OK)
      bad(im, res, F_ADDRESS, addr, "%s", aei.why);
  } else {
    bad(im, res, im->col[F_ROOM] >= 0 ? F_ROOM : F_ADDRESS, "", "address is empty");
  }

  /* Already in the ledger? Checked before writing anything for this row. */
  if (key && !im->empty_ledger && (!im->writing || im->o->skip_bad)) {
    wg_resident_t old;
    wg_err e = wg_store_resident_find(im->s, r.id_number, &old);
    if (e == WG_OK) {
      wg_mask_idnum(r.id_number, masked, sizeof masked);
      bad(im, res, F_ID, masked, "already in the ledger (resident #%lld)", (long long)old.id);
    } else if (e != WG_ENOTFOUND) {
      return e;
    }
  }

  if (im->row_errors) {
    res->bad_rows++;
    if (!im->o->skip_bad) im->writing = 0;
    return WG_OK;
  }
  if (!im->writing) return WG_OK;

  wg_err e = ensure_dwelling(im, &a, &r.dwelling_id, res);
  if (!e) e = ensure_household(im, cell(row, im, F_HOUSEHOLD, v, lens), r.dwelling_id,
                               &r.household_id, res);
  if (e) return e;
  if (im->empty_ledger) {
    /* Nothing can collide (the ID set above is the only check while the
     * indexes are deferred): insert in batches. */
    im->pending[im->npending++] = r;
    res->imported++;
    return im->npending == WG_STORE_BATCH ? flush_pending(im) : WG_OK;
  }
  e = wg_store_resident_insert(im->s, &r);
  if (e == WG_EEXIST) { /* already in the ledger: say whose record it is */
    wg_resident_t old;
    long long who = wg_store_resident_find(im->s, r.id_number, &old) == WG_OK ? old.id : 0;
    wg_mask_idnum(r.id_number, masked, sizeof masked);
    bad(im, res, F_ID, masked, "already in the ledger (resident #%lld)", who);
    res->bad_rows++;
    if (!im->o->skip_bad) im->writing = 0;
    return WG_OK;
  }
  if (e) return e;
  res->imported++;
  return WG_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_line(const wg_table_t *t, long rows, double start, int final) {
  double el = now_s() - start;
  double frac = wg_table_progress(t);
  double rate = el > 0 ? (double)rows / el : 0;
  double eta = frac > 0.001 ? el * (1 - frac) / frac : 0;
  fprintf(stderr, "\rimporting: %ld rows, %.0f rows/s, %3.0f%%, ETA %.0fs   %s", rows, rate,
          frac * 100, final ? 0.0 : eta, final ? "\n" : "");
  fflush(stderr);
}

static void importer_free(importer *im) {
  wg_strmap_free(&im->communities);
  wg_strmap_free(&im->estates);
  wg_strmap_free(&im->buildings);
  wg_strmap_free(&im->entrances);
  wg_strmap_free(&im->households);
  wg_strmap_free(&im->dwellings);
  wg_u64map_free(&im->dwelling_households);
  wg_u64map_free(&im->seen);
  if (im->header)
    for (int i = 0; i < im->ncols; i++) free(im->header[i]);
  free(im->header);
  im->header = NULL;
  wg_table_writer_abort(im->rejects);
  im->rejects = NULL;
}

wg_err wg_import_residents(wg_store_t *s, const char *path, const wg_import_opts *o,
                           wg_import_result *res, wg_errinfo *ei) {
  memset(res, 0, sizeof *res);
  wg_errinfo dummy;
  if (!ei) ei = &dummy;
  memset(ei, 0, sizeof *ei);
  double start = now_s();
  importer im = {.s = s, .o = o, .path = path, .writing = 1};
  im.today = wg_ledger_today();
  im.max_listed = o->max_listed > 0 ? o->max_listed : 1000;
  if (!o->county || strlen(o->county) != 6)
    return wg_errinfo_set(ei, WG_EINVAL, "the database has no county set (wangge init --county)");
  if (o->skip_bad && !o->rejects_path)
    return wg_errinfo_set(ei, WG_EINVAL, "--skip-bad needs --rejects FILE for the rejected rows");
  int32_t effective = o->effective ? o->effective : im.today;
  if (effective > im.today)
    return wg_errinfo_set(ei, WG_EINVAL, "the effective date is in the future");

  if (o->community && *o->community) {
    wg_err e = wg_ledger_community(s, o->county, o->community, im.default_community, ei);
    if (e) {
      snprintf(ei->field, sizeof ei->field, "--community");
      return e;
    }
  }

  wg_table_t *t = NULL;
  wg_err e = wg_table_open(path, NULL, &t, ei);
  if (e) return e;
  /* Size the ID set for the file (rows are rarely under 50 bytes), so it
   * never rehashes on the way. */
  struct stat sb;
  if (stat(path, &sb) == 0 && sb.st_size > 0) {
    size_t guess = (size_t)sb.st_size / 50;
    if (guess > 20000000) guess = 20000000;
    if (wg_u64map_reserve(&im.seen, guess) != WG_OK) {
      wg_table_close(t);
      return WG_ENOMEM;
    }
  }
  snprintf(res->format, sizeof res->format, "%s", wg_table_format(t));

  wg_table_row row;
  int has = 0;
  e = wg_table_next(t, &row, &has, ei);
  if (!e && !has) e = wg_errinfo_set(ei, WG_EREJECTED, "no header row (the file has no rows)");
  if (!e) e = map_header(&im, &row, ei);
  if (!e && im.col[F_COMMUNITY] < 0 && !im.default_community[0])
    e = wg_store_division_each(s, o->county, WG_DIV_COMMUNITY, collect_community, &im);
  if (!e && o->skip_bad) {
    e = wg_table_writer_open(o->rejects_path, strstr(o->rejects_path, ".xlsx") ? "xlsx" : "csv",
                             &im.rejects, ei);
    if (!e) {
      const char **cells = calloc((size_t)im.ncols + 2, sizeof *cells);
      if (!cells) {
        e = WG_ENOMEM;
      } else {
        int n = 0;
        cells[n++] = "行号/row";
        for (int i = 0; i < im.ncols && i < 64; i++) cells[n++] = im.header[i];
        cells[n++] = "错误原因/reason";
        e = wg_table_writer_row(im.rejects, n, cells, ei);
        free(cells);
      }
    }
  }

  int began = 0;
  wg_event_t ev = {.kind = WG_EV_IMPORT, .effective = effective};
  if (!e) {
    /* Every parent row a resident points at is created (or found) by this
     * import itself, so per-row reference checks can wait. */
    e = wg_store_begin_bulk(s);
    began = e == WG_OK;
    if (e) wg_errinfo_set(ei, e, "cannot start a transaction: %s", wg_store_errmsg(s));
  }
  if (!e) {
    long dwellings = 0, residents = 0;
    e = wg_store_county_counts(s, o->county, &dwellings, &residents);
    im.fresh = dwellings == 0 && residents == 0;
    /* Into an empty ledger the indexes are built once at the end. */
    if (!e && im.fresh) im.empty_ledger = wg_store_bulk_defer_indexes(s) == WG_OK;
  }
  if (!e) {
    memcpy(ev.county, o->county, 7);
    snprintf(ev.actor, sizeof ev.actor, "%s", o->actor ? o->actor : "unknown");
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (o->reason && *o->reason)
      snprintf(ev.reason, sizeof ev.reason, "%s", o->reason);
    else
      snprintf(ev.reason, sizeof ev.reason, "import %.200s", base);
    snprintf(ev.detail, sizeof ev.detail, "{\"file\":\"%.200s\",\"format\":\"%s\"}", base,
             res->format);
    for (char *p = ev.detail; *p; p++)
      if (*p == '\\') *p = '/';
    e = wg_store_event_add(s, &ev);
  }

  double last = start;
  int tty = o->progress && isatty(2);
  while (!e) {
    e = wg_table_next(t, &row, &has, ei);
    if (e || !has) break;
    res->rows++;
    long before = res->bad_rows;
    e = import_row(&im, &row, &ev, res);
    if (e) {
      ei->row = row.row;
      if (!ei->why[0]) wg_errinfo_set(ei, e, "%s", wg_store_errmsg(s));
      break;
    }
    if (res->bad_rows != before) write_reject(&im, &row, ei);
    if (tty && (res->rows & 4095) == 0) {
      double now = now_s();
      if (now - last > 0.25) {
        progress_line(t, res->rows, start, 0);
        last = now;
      }
    }
  }
  if (tty && res->rows > 0) progress_line(t, res->rows, start, 1);
  snprintf(res->encoding, sizeof res->encoding, "%s", wg_table_encoding(t));
  wg_table_close(t);

  if (!e && im.writing) {
    e = flush_all(&im);
    if (e) wg_errinfo_set(ei, e, "%s", wg_store_errmsg(s));
  }
  if (!e && res->rows == 0) e = wg_errinfo_set(ei, WG_EREJECTED, "the file has a header but no data rows");
  if (!e && res->bad_rows && !o->skip_bad) {
    e = wg_errinfo_set(ei, WG_EREJECTED, "%ld of %ld rows are bad (%ld errors); nothing was imported",
                       res->bad_rows, res->rows, res->errors);
  }
  if (!e && res->imported == 0)
    e = wg_errinfo_set(ei, WG_EREJECTED, "no row could be imported");
  if (!e && im.rejects) {
    wg_table_writer_t *w = im.rejects;
    im.rejects = NULL;
    e = wg_table_writer_close(w, ei);
  }
  if (!e) { /* the audit row, in the same transaction */
    wg_audit_t a = {.action = "import_residents"};
    snprintf(a.actor, sizeof a.actor, "%s", o->actor ? o->actor : "unknown");
    const char *base = strrchr(path, '/');
    snprintf(a.target, sizeof a.target, "%.90s: %ld residents (event #%lld)", base ? base + 1 : path,
             res->imported, (long long)ev.id);
    snprintf(a.reason, sizeof a.reason, "%s", ev.reason);
    snprintf(a.origin, sizeof a.origin, "%s", o->origin ? o->origin : "cli");
    e = wg_store_audit_add(s, &a);
  }
  /* The caches are done with: free them before the commit builds the
   * deferred indexes, so the two peaks of memory do not add up. */
  importer_free(&im);
  if (!e) {
    e = wg_store_commit(s);
    if (e == WG_EEXIST)
      wg_errinfo_set(ei, e, "the file's rows collide with each other (a duplicate address or "
                            "household number); nothing was imported");
    else if (e)
      wg_errinfo_set(ei, e, "commit failed: %s", wg_store_errmsg(s));
  }
  if (e) {
    if (began) wg_store_rollback(s);
    res->imported = 0;
    res->households = 0;
    res->dwellings = 0;
  } else {
    res->event_id = ev.id;
  }
  res->seconds = now_s() - start;
  if (ei->file[0] == '\0') snprintf(ei->file, sizeof ei->file, "%s", path);
  return e;
}
