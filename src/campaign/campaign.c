/* campaign.c — the campaign rules: query form, matching, stages, templates,
 * moves and the roll-up. No I/O; see campaign.h. */
#include "campaign/campaign.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/validate.h"

const char *wg_item_kind_name(wg_item_kind k) {
  return k == WG_ITEM_HOUSEHOLD ? "household" : "person";
}

wg_err wg_item_kind_parse(const char *word, wg_item_kind *out) {
  if (!word) return WG_EINVAL;
  if (!strcmp(word, "person") || !strcmp(word, "resident") || !strcmp(word, "人")) {
    *out = WG_ITEM_PERSON;
    return WG_OK;
  }
  if (!strcmp(word, "household") || !strcmp(word, "户")) {
    *out = WG_ITEM_HOUSEHOLD;
    return WG_OK;
  }
  return WG_EINVAL;
}

/* ---- the query ------------------------------------------------------------ */

static wg_err term_error(wg_errinfo *ei, const char *term, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static wg_err term_error(wg_errinfo *ei, const char *term, size_t len, const char *fmt, ...) {
  if (ei) {
    snprintf(ei->field, sizeof ei->field, "%.*s", (int)(len < 60 ? len : 60), term);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ei->why, sizeof ei->why, fmt, ap);
    va_end(ap);
  }
  return WG_EINVAL;
}

static int all_digits(const char *s, size_t n) {
  if (!n) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* Adds the comma-separated codes of value to list (each n_digits in
 * allowed lengths). */
static wg_err add_codes(const char *term, size_t tlen, const char *v, size_t vlen, int *count,
                        char (*list)[19], size_t cap, int division, wg_errinfo *ei) {
  size_t i = 0;
  while (i <= vlen) {
    size_t j = i;
    while (j < vlen && v[j] != ',') j++;
    size_t n = j - i;
    int ok = all_digits(v + i, n) && (division ? n == 12 : (n == 14 || n == 16 || n == 18));
    if (!ok)
      return term_error(ei, term, tlen,
                        "%s",
                        division ? "a division is a 12-digit code (county, township or community)"
                                 : "a grid is a 14, 16 or 18-digit grid code");
    if (*count >= WG_CAMPAIGN_MAX_TERMS)
      return term_error(ei, term, tlen, "at most 16 codes per kind");
    char *dst = list[*count];
    memcpy(dst, v + i, n);
    dst[n] = '\0';
    (void)cap;
    (*count)++;
    i = j + 1;
  }
  return WG_OK;
}

static wg_err parse_term(const char *t, size_t len, wg_campaign_query *q, wg_errinfo *ei) {
  size_t k = 0;
  while (k < len && ((t[k] >= 'a' && t[k] <= 'z') || t[k] == '_')) k++;
  if (k == 0 || k == len)
    return term_error(ei, t, len,
                      "not a term: write key=value (keys: tag, age, sex, residence, grid, "
                      "division)");
  enum op op;
  size_t olen = 1;
  if (t[k] == '=') op = OP_EQ;
  else if (t[k] == '!' && k + 1 < len && t[k + 1] == '=') op = OP_NE, olen = 2;
  else if (t[k] == '<' && k + 1 < len && t[k + 1] == '=') op = OP_LE, olen = 2;
  else if (t[k] == '>' && k + 1 < len && t[k + 1] == '=') op = OP_GE, olen = 2;
  else if (t[k] == '<') op = OP_LT;
  else if (t[k] == '>') op = OP_GT;
  else return term_error(ei, t, len, "expected an operator (= != < <= > >=) after the key");
  const char *v = t + k + olen;
  size_t vlen = len - k - olen;
  if (!vlen) return term_error(ei, t, len, "the value is empty");
  char key[16];
  snprintf(key, sizeof key, "%.*s", (int)(k < 15 ? k : 15), t);
  char val[128];
  if (vlen >= sizeof val) return term_error(ei, t, len, "the value is too long");
  memcpy(val, v, vlen);
  val[vlen] = '\0';

  if (!strcmp(key, "tag")) {
    if (op != OP_EQ && op != OP_NE)
      return term_error(ei, t, len, "tag takes = or != only");
    if (vlen >= 32) return term_error(ei, t, len, "a tag is at most 31 bytes");
    int *n = op == OP_EQ ? &q->ntags : &q->nnot;
    char (*list)[32] = op == OP_EQ ? q->tags : q->not_tags;
    if (*n >= WG_CAMPAIGN_MAX_TERMS) return term_error(ei, t, len, "at most 16 tag terms");
    memcpy(list[*n], val, vlen + 1);
    (*n)++;
    return WG_OK;
  }
  if (!strcmp(key, "age")) {
    if (!all_digits(val, vlen) || vlen > 3)
      return term_error(ei, t, len, "age is a whole number of years (0-150), not '%s'", val);
    int a = (int)strtol(val, NULL, 10);
    if (a > 150) return term_error(ei, t, len, "age is a whole number of years (0-150)");
    int lo = -1, hi = -1;
    switch (op) {
      case OP_EQ: lo = hi = a; break;
      case OP_GE: lo = a; break;
      case OP_GT: lo = a + 1; break;
      case OP_LE: hi = a; break;
      case OP_LT:
        if (a == 0) return term_error(ei, t, len, "no one is younger than 0");
        hi = a - 1;
        break;
      case OP_NE: return term_error(ei, t, len, "age takes = < <= > >= (not !=)");
    }
    if (lo >= 0 && (q->age_min < 0 || lo > q->age_min)) q->age_min = lo;
    if (hi >= 0 && (q->age_max < 0 || hi < q->age_max)) q->age_max = hi;
    if (q->age_min >= 0 && q->age_max >= 0 && q->age_min > q->age_max)
      return term_error(ei, t, len, "the age terms contradict each other: no age fits");
    return WG_OK;
  }
  if (!strcmp(key, "sex")) {
    char sx = wg_sex_normalize(val);
    if (op != OP_EQ || !sx) return term_error(ei, t, len, "sex=M or sex=F (男/女), not '%s'", val);
    if (q->sex && q->sex != sx) return term_error(ei, t, len, "sex given twice, differently");
    q->sex = sx;
    return WG_OK;
  }
  if (!strcmp(key, "residence")) {
    static const char *const words[][3] = {{"registered", "户籍", "户籍人口"},
                                           {"resident", "常住", "常住人口"},
                                           {"floating", "流动", "流动人口"}};
    int r = 0;
    for (int i = 0; i < 3 && !r; i++)
      for (int j = 0; j < 3; j++)
        if (!strcmp(val, words[i][j])) r = i + 1;
    if (op != OP_EQ || !r)
      return term_error(ei, t, len,
                        "residence=registered, resident or floating (户籍/常住/流动), not '%s'",
                        val);
    q->residence = r;
    return WG_OK;
  }
  if (!strcmp(key, "grid") || !strcmp(key, "division")) {
    if (op != OP_EQ) return term_error(ei, t, len, "%s takes = only", key);
    if (key[0] == 'd')
      return add_codes(t, len, val, vlen, &q->ndivisions, q->divisions, 19, 1, ei);
    return add_codes(t, len, val, vlen, &q->ngrids, q->grids, 19, 0, ei);
  }
  return term_error(ei, t, len,
                    "unknown key '%s' (keys: tag, age, sex, residence, grid, division)", key);
}

wg_err wg_campaign_query_parse(const char *text, wg_campaign_query *q, wg_errinfo *ei) {
  memset(q, 0, sizeof *q);
  q->age_min = q->age_max = -1;
  if (!text) return WG_OK;
  const char *p = text;
  for (;;) {
    /* Separators: ASCII blanks and the ideographic space U+3000. */
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
           (!strncmp(p, "\xe3\x80\x80", 3) && (p += 2, 1)))
      p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
           strncmp(p, "\xe3\x80\x80", 3) != 0)
      p++;
    wg_err e = parse_term(s, (size_t)(p - s), q, ei);
    if (e) return e;
  }
  return WG_OK;
}

static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...) {
  if (*used >= cap) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + *used, cap - *used, fmt, ap);
  va_end(ap);
  if (w > 0) *used += (size_t)w;
  if (*used >= cap) *used = cap - 1;
}

void wg_campaign_query_format(const wg_campaign_query *q, char *buf, size_t cap) {
  if (!cap) return;
  buf[0] = '\0';
  size_t used = 0;
  for (int i = 0; i < q->ntags; i++) append(buf, cap, &used, " tag=%s", q->tags[i]);
  for (int i = 0; i < q->nnot; i++) append(buf, cap, &used, " tag!=%s", q->not_tags[i]);
  if (q->age_min >= 0) append(buf, cap, &used, " age>=%d", q->age_min);
  if (q->age_max >= 0) append(buf, cap, &used, " age<=%d", q->age_max);
  if (q->sex) append(buf, cap, &used, " sex=%s", q->sex == 'M' ? "M" : "F");
  if (q->residence) {
    static const char *const names[] = {"", "registered", "resident", "floating"};
    append(buf, cap, &used, " residence=%s", names[q->residence & 3]);
  }
  /* One term per code: a term's value has a length limit that a list of
   * 16 codes would pass (found by the fuzzer); the terms add up. */
  for (int i = 0; i < q->ngrids; i++) append(buf, cap, &used, " grid=%s", q->grids[i]);
  for (int i = 0; i < q->ndivisions; i++) append(buf, cap, &used, " division=%s", q->divisions[i]);
  if (buf[0] == ' ') memmove(buf, buf + 1, strlen(buf));
}

int wg_age_on(int32_t birth, int32_t ref) {
  int age = ref / 10000 - birth / 10000;
  if (ref % 10000 < birth % 10000) age--;
  return age;
}

static int has_tag(const char *tags, const char *code) {
  if (!tags || !*tags) return 0;
  size_t n = strlen(code);
  for (const char *p = strstr(tags, code); p; p = strstr(p + 1, code))
    if (p > tags && p[-1] == ',' && p[n] == ',') return 1;
  return 0;
}

/* The significant prefix of a division code, as wg_auth_can_see reads it:
 * trailing zero groups (county 6, township 9) are dropped. */
static size_t division_sig(const char *code) {
  static const size_t cuts[] = {2, 4, 6, 9};
  for (int i = 0; i < 4; i++) {
    int zeros = 1;
    for (size_t k = cuts[i]; k < 12 && zeros; k++) zeros = code[k] == '0';
    if (zeros) return cuts[i];
  }
  return 12;
}

int wg_campaign_query_match(const wg_campaign_query *q, const wg_campaign_subject *p,
                            int32_t ref) {
  if (q->sex && p->sex != q->sex) return 0;
  if (q->residence && p->residence != q->residence) return 0;
  if (q->age_min >= 0 || q->age_max >= 0) {
    int age = wg_age_on(p->birth, ref);
    if (q->age_min >= 0 && age < q->age_min) return 0;
    if (q->age_max >= 0 && age > q->age_max) return 0;
  }
  for (int i = 0; i < q->ntags; i++)
    if (!has_tag(p->tags, q->tags[i])) return 0;
  for (int i = 0; i < q->nnot; i++)
    if (has_tag(p->tags, q->not_tags[i])) return 0;
  if (q->ndivisions) {
    int in = 0;
    const char *c = p->community ? p->community : "";
    for (int i = 0; i < q->ndivisions && !in; i++) {
      size_t n = division_sig(q->divisions[i]);
      in = strlen(c) >= n && !strncmp(c, q->divisions[i], n);
    }
    if (!in) return 0;
  }
  if (q->ngrids) {
    int in = 0;
    for (int i = 0; i < q->ngrids && !in; i++) {
      size_t n = strlen(q->grids[i]);
      int level = (int)(n - 12) / 2; /* 14 → 1, 16 → 2, 18 → 3 */
      const char *g = p->grid[level - 1];
      in = g && !strcmp(g, q->grids[i]);
    }
    if (!in) return 0;
  }
  return 1;
}

/* ---- stages and templates --------------------------------------------------- */

static int code_ok(const char *s, size_t n) {
  if (!n || n > 23) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return 0;
  return 1;
}

wg_err wg_campaign_stages_parse(const char *text, wg_campaign_stages *out, wg_errinfo *ei) {
  memset(out, 0, sizeof *out);
  if (ei) snprintf(ei->field, sizeof ei->field, "stages");
  if (!text || !*text) return wg_errinfo_set(ei, WG_EINVAL, "no stages given");
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    if (out->n >= WG_CAMPAIGN_MAX_STAGES)
      return wg_errinfo_set(ei, WG_EINVAL, "at most %d stages", WG_CAMPAIGN_MAX_STAGES);
    wg_campaign_stage *st = &out->s[out->n];
    const char *parts[4] = {p, NULL, NULL, NULL};
    size_t lens[4] = {0, 0, 0, 0};
    int np = 1;
    for (const char *c = p; c < end; c++)
      if (*c == ':') {
        if (np == 4) return wg_errinfo_set(ei, WG_EINVAL, "stage %d has more than 4 parts", out->n + 1);
        lens[np - 1] = (size_t)(c - parts[np - 1]);
        parts[np++] = c + 1;
      }
    lens[np - 1] = (size_t)(end - parts[np - 1]);
    if (!code_ok(parts[0], lens[0]))
      return wg_errinfo_set(ei, WG_EINVAL,
                            "stage %d: the code must be 1-23 characters of a-z, 0-9, _",
                            out->n + 1);
    memcpy(st->code, parts[0], lens[0]);
    for (int k = 1; k < 3; k++) {
      char *dst = k == 1 ? st->name_zh : st->name_en;
      size_t cap = k == 1 ? sizeof st->name_zh : sizeof st->name_en;
      const char *src = k < np && lens[k] ? parts[k] : parts[0];
      size_t n = k < np && lens[k] ? lens[k] : lens[0];
      if (n >= cap)
        return wg_errinfo_set(ei, WG_EINVAL, "stage %d: a name is at most %zu bytes", out->n + 1,
                              cap - 1);
      memcpy(dst, src, n);
      dst[n] = '\0';
    }
    if (np == 4) {
      if (lens[3] == 7 && !memcmp(parts[3], "receipt", 7)) st->needs_note = 1;
      else if (lens[3])
        return wg_errinfo_set(ei, WG_EINVAL,
                              "stage %d: the fourth part is 'receipt' (a note is required) or empty",
                              out->n + 1);
    }
    if (st->needs_note && out->n == 0)
      return wg_errinfo_set(ei, WG_EINVAL, "the first stage cannot need a receipt");
    for (int i = 0; i < out->n; i++)
      if (!strcmp(out->s[i].code, st->code))
        return wg_errinfo_set(ei, WG_EINVAL, "stage code '%s' appears twice", st->code);
    out->n++;
    p = *end ? end + 1 : end;
  }
  if (out->n < 2)
    return wg_errinfo_set(ei, WG_EINVAL, "a campaign needs at least 2 stages (to do, done)");
  if (ei) ei->field[0] = '\0';
  return WG_OK;
}

void wg_campaign_stages_format(const wg_campaign_stages *st, char *buf, size_t cap) {
  size_t used = 0;
  if (!cap) return;
  buf[0] = '\0';
  for (int i = 0; i < st->n && used < cap; i++) {
    int w = snprintf(buf + used, cap - used, "%s%s:%s:%s%s", i ? "," : "", st->s[i].code,
                     st->s[i].name_zh, st->s[i].name_en, st->s[i].needs_note ? ":receipt" : "");
    if (w < 0) break;
    used += (size_t)w;
  }
}

int wg_campaign_stage_find(const wg_campaign_stages *st, const char *word) {
  if (!word || !*word) return -1;
  for (int i = 0; i < st->n; i++)
    if (!strcmp(word, st->s[i].code) || !strcmp(word, st->s[i].name_zh) ||
        !strcmp(word, st->s[i].name_en))
      return i;
  if (all_digits(word, strlen(word)) && strlen(word) < 3) {
    int k = (int)strtol(word, NULL, 10);
    if (k < st->n) return k;
  }
  return -1;
}

static const wg_campaign_template templates[] = {
    {"testing", "核酸检测", "mass testing round", WG_ITEM_PERSON, "",
     "to_sample:待采样:to sample,sampled:已采样:sampled,sent:已送检:sent,"
     "tested:已检测:tested,reported:已报告:reported"},
    {"vaccination", "老年人疫苗接种", "elderly vaccination", WG_ITEM_PERSON, "age>=60",
     "to_vaccinate:待接种:to vaccinate,dose1:已接种第一剂:first dose,"
     "dose2:已完成接种:fully vaccinated"},
    {"policy", "精准推送专属政策", "targeted policy push", WG_ITEM_HOUSEHOLD, "tag=veteran",
     "to_deliver:待送达:to deliver,delivered:已送达:delivered,read:已阅知:read,"
     "handled:已办结:handled:receipt"},
    {"visit", "入户走访", "visit round", WG_ITEM_HOUSEHOLD, "",
     "to_visit:待走访:to visit,visited:已走访:visited"},
};

int wg_campaign_template_count(void) {
  return (int)(sizeof templates / sizeof templates[0]);
}

const wg_campaign_template *wg_campaign_template_at(int i) {
  return i >= 0 && i < wg_campaign_template_count() ? &templates[i] : NULL;
}

const wg_campaign_template *wg_campaign_template_find(const char *code) {
  for (int i = 0; code && i < wg_campaign_template_count(); i++)
    if (!strcmp(templates[i].code, code)) return &templates[i];
  return NULL;
}

wg_err wg_campaign_move_check(int nstages, int from, int to, int correct, wg_errinfo *ei) {
  if (to < 0 || to >= nstages || from < 0 || from >= nstages)
    return wg_errinfo_set(ei, WG_EINVAL, "stage %d is not one of this campaign's %d stages", to,
                          nstages);
  if (to == from) return wg_errinfo_set(ei, WG_EEXIST, "the item is already at this stage");
  if (to < from && !correct)
    return wg_errinfo_set(ei, WG_ECONFLICT,
                          "the item is at a later stage already; moving it back is a correction"
                          " (give --correct and a reason)");
  return WG_OK;
}

/* ---- roll-up ---------------------------------------------------------------- */

static const char *const level_names[WG_RL_COUNT_] = {"county", "township", "community",
                                                      "grid1",  "grid2",    "grid3"};

const char *wg_rollup_level_name(wg_rollup_level l) {
  return l >= 0 && l < WG_RL_COUNT_ ? level_names[l] : "?";
}

wg_err wg_rollup_level_parse(const char *word, wg_rollup_level *out) {
  for (int i = 0; word && i < WG_RL_COUNT_; i++)
    if (!strcmp(word, level_names[i])) {
      *out = (wg_rollup_level)i;
      return WG_OK;
    }
  return WG_EINVAL;
}

long wg_rollup_share(const wg_rollup_unit *u, int nstages, int stage) {
  (void)nstages;
  long total = u->reached[0];
  if (total <= 0) return 0;
  /* Round half up in integers: (2·v·10000 + total) / (2·total). */
  return (long)((2LL * u->reached[stage] * 10000 + total) / (2LL * total));
}

typedef struct rank_entry {
  wg_rollup_unit *u;
  long done, total;
} rank_entry;

static int cmp_rank(const void *a, const void *b) {
  const rank_entry *x = a, *y = b;
  /* done/total compared exactly by cross-multiplication; empty units last. */
  if ((x->total > 0) != (y->total > 0)) return x->total > 0 ? -1 : 1;
  long long l = (long long)x->done * (y->total > 0 ? y->total : 1);
  long long r = (long long)y->done * (x->total > 0 ? x->total : 1);
  if (l != r) return l > r ? -1 : 1;
  if (x->done != y->done) return x->done > y->done ? -1 : 1;
  return strcmp(x->u->code, y->u->code);
}

wg_err wg_rollup_compute(wg_rollup_unit *units, int nunits, int nstages,
                         const wg_rollup_group *groups, long ngroups) {
  if (nstages < 1 || nstages > WG_CAMPAIGN_MAX_STAGES) return WG_EINVAL;
  for (int u = 0; u < nunits; u++) {
    memset(units[u].reached, 0, sizeof units[u].reached);
    units[u].rank = 0;
  }
  /* Count at the exact stage first, then make the counts cumulative. */
  for (long i = 0; i < ngroups; i++) {
    const wg_rollup_group *g = &groups[i];
    if (g->stage < 0 || g->stage >= nstages) return WG_EINVAL;
    for (int l = 0; l < WG_RL_COUNT_; l++) {
      int u = g->unit[l];
      if (u < 0) continue;
      if (u >= nunits) return WG_EINVAL;
      units[u].reached[g->stage] += g->count;
    }
  }
  for (int u = 0; u < nunits; u++)
    for (int k = nstages - 2; k >= 0; k--) units[u].reached[k] += units[u].reached[k + 1];
  rank_entry *order = malloc(sizeof *order * (size_t)(nunits ? nunits : 1));
  if (!order) return WG_ENOMEM;
  for (int l = 0; l < WG_RL_COUNT_; l++) {
    int n = 0;
    for (int u = 0; u < nunits; u++)
      if ((int)units[u].level == l)
        order[n++] = (rank_entry){&units[u], units[u].reached[nstages - 1], units[u].reached[0]};
    qsort(order, (size_t)n, sizeof *order, cmp_rank);
    for (int i = 0; i < n; i++) order[i].u->rank = i + 1;
  }
  free(order);
  return WG_OK;
}
