/* demo_people.c — who lives in the demo county: household composition,
 * names, GB 11643 ID numbers, mobile numbers, residence type and tags.
 *
 * Calibration (data/demographics/FACTS.md, Lüliang 7th census): 2.44
 * persons per household, sex ratio 107.84, ages 0–14 19.43%, 15–59 63.85%,
 * 60+ 16.71%; special groups as estimated there (disabled ~6%, low income
 * 5–10% and more in villages, veterans 1–2% of adults, 10–20% of people 60+
 * living alone, Party members ~7% of adults). The household mix below was
 * tuned by drawing a million households and comparing with those figures;
 * tests/demo/demo_test.c checks the result on every build. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"
#include "ledger/validate.h"

/* ---- names ------------------------------------------------------------- */

/* Relative frequencies (%), Ministry of Public Security 2007, adjusted for
 * Shanxi where 王 leads and 郭 高 薛 韩 are common (an estimate). Surnames
 * of the file not listed get DEFAULT_SURNAME_W; southern ones less. */
static const struct {
  const char *name;
  double w;
} surname_w[] = {
    {"王", 9.0}, {"李", 7.2}, {"张", 6.8}, {"刘", 5.4}, {"陈", 4.0}, {"杨", 3.1},
    {"赵", 2.6}, {"郭", 2.3}, {"高", 1.9}, {"周", 1.7}, {"孙", 1.6}, {"吴", 1.5},
    {"马", 1.5}, {"黄", 1.2}, {"胡", 1.3}, {"徐", 1.3}, {"韩", 1.2}, {"朱", 1.1},
    {"薛", 1.0}, {"宋", 0.9}, {"冯", 0.9}, {"梁", 0.9}, {"何", 0.8}, {"郑", 0.8},
    {"曹", 0.8}, {"田", 0.7}, {"董", 0.6}, {"杜", 0.6}, {"许", 0.6}, {"程", 0.5},
    {"罗", 0.5}, {"林", 0.4}, {"袁", 0.4}, {"于", 0.5}, {"孔", 0.3},
    {"邝", 0.02}, {"萧", 0.05}, {"廖", 0.1}, {"谭", 0.1}, {"曾", 0.15}, {"叶", 0.2},
};
#define DEFAULT_SURNAME_W 0.3

/* The ten most common given-name characters (2019 national name report). */
static const char *const classic_chars[] = {"英", "华", "文", "玉", "秀",
                                            "明", "丽", "兰", "红", "金"};
/* Characters that mark Taiwan-flavoured names in the source list; rare on
 * the mainland, rarer still in rural Shanxi. */
static const char *const taiwan_chars[] = {"翰", "廷", "玮", "霖", "筑", "琬", "桦",
                                           "萱", "佩", "伶", "钰", "彦", "煌",
                                           "筱", "馨", "郁", "柏", "惠", "淑"};
/* Characters of names fashionable since the 1990s. */
static const char *const modern_chars[] = {"宇", "轩", "涵", "婷", "怡", "琪", "颖", "豪", "嘉",
                                           "佳", "欣", "心", "诗", "雅", "思", "子", "梓", "冠",
                                           "家", "俊", "志"};
/* Given names of the mainland's eras, added to the file's list (invented
 * combinations of common characters; not from any register). sex, era
 * weights (before 1975, 1975–1994, 1995 on). */
static const struct {
  const char *name;
  char sex;
  double w[WG__DEMO_ERAS];
} extra_given[] = {
    /* older: built on the ten classic characters */
    {"金明", 'M', {2.0, 0.3, 0.0}}, {"文华", 'M', {2.0, 0.4, 0.0}},
    {"玉明", 'M', {1.5, 0.2, 0.0}}, {"建华", 'M', {2.5, 0.6, 0.0}},
    {"国华", 'M', {2.0, 0.3, 0.0}}, {"文明", 'M', {1.5, 0.3, 0.0}},
    {"金生", 'M', {1.5, 0.1, 0.0}}, {"志明", 'M', {1.5, 0.5, 0.0}},
    {"红军", 'M', {1.5, 0.2, 0.0}}, {"玉林", 'M', {1.2, 0.2, 0.0}},
    {"建军", 'M', {2.0, 0.8, 0.0}}, {"卫东", 'M', {1.5, 0.3, 0.0}},
    {"国庆", 'M', {1.5, 0.4, 0.0}}, {"振华", 'M', {1.2, 0.4, 0.0}},
    {"明亮", 'M', {1.0, 0.5, 0.1}}, {"金宝", 'M', {1.0, 0.1, 0.0}},
    {"玉兰", 'F', {2.5, 0.2, 0.0}}, {"桂兰", 'F', {2.0, 0.1, 0.0}},
    {"玉英", 'F', {2.0, 0.1, 0.0}}, {"金花", 'F', {1.5, 0.1, 0.0}},
    {"兰英", 'F', {1.5, 0.1, 0.0}}, {"秀珍", 'F', {1.5, 0.1, 0.0}},
    {"玉梅", 'F', {1.5, 0.3, 0.0}}, {"红梅", 'F', {1.5, 0.8, 0.0}},
    {"丽华", 'F', {1.5, 0.5, 0.0}}, {"文英", 'F', {1.2, 0.1, 0.0}},
    {"秀华", 'F', {1.2, 0.2, 0.0}}, {"金兰", 'F', {1.2, 0.1, 0.0}},
    {"凤英", 'F', {1.5, 0.1, 0.0}}, {"红霞", 'F', {1.0, 1.0, 0.0}},
    {"秀梅", 'F', {1.2, 0.3, 0.0}}, {"玉华", 'F', {1.2, 0.2, 0.0}},
    {"丽萍", 'F', {0.8, 1.0, 0.1}}, {"翠兰", 'F', {1.2, 0.1, 0.0}},
    /* middle era */
    {"海军", 'M', {0.3, 1.0, 0.0}}, {"晓东", 'M', {0.2, 1.2, 0.1}},
    {"鹏", 'M', {0.1, 1.2, 0.5}},   {"斌", 'M', {0.2, 1.2, 0.2}},
    {"丽娜", 'F', {0.1, 1.0, 0.3}}, {"燕", 'F', {0.5, 1.5, 0.2}},
    {"晓燕", 'F', {0.3, 1.5, 0.1}}, {"慧敏", 'F', {0.1, 1.0, 0.4}},
    /* young */
    {"浩然", 'M', {0.0, 0.2, 1.5}}, {"子轩", 'M', {0.0, 0.0, 1.5}},
    {"一诺", 'M', {0.0, 0.0, 1.0}}, {"浩宇", 'M', {0.0, 0.1, 1.5}},
    {"博文", 'M', {0.0, 0.2, 1.2}}, {"梓豪", 'M', {0.0, 0.0, 1.0}},
    {"宇航", 'M', {0.0, 0.2, 1.2}}, {"俊熙", 'M', {0.0, 0.0, 0.8}},
    {"子涵", 'F', {0.0, 0.0, 1.5}}, {"梓涵", 'F', {0.0, 0.0, 1.2}},
    {"雨涵", 'F', {0.0, 0.0, 1.5}}, {"佳怡", 'F', {0.0, 0.2, 1.2}},
    {"诗琪", 'F', {0.0, 0.0, 1.0}}, {"欣妍", 'F', {0.0, 0.0, 1.0}},
    {"思雨", 'F', {0.0, 0.1, 1.2}}, {"一诺", 'F', {0.0, 0.0, 0.8}},
};

static int contains_any(const char *s, const char *const *set, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strstr(s, set[i])) return 1;
  return 0;
}

/* Era weights for a name from the file. */
static void file_name_weights(const char *name, double w[WG__DEMO_ERAS]) {
  size_t len = strlen(name);
  int one_char = len <= 3; /* one CJK character is 3 bytes in UTF-8 */
  if (contains_any(name, taiwan_chars, sizeof taiwan_chars / sizeof *taiwan_chars)) {
    w[0] = 0.02, w[1] = 0.05, w[2] = 0.12;
  } else if (contains_any(name, classic_chars, sizeof classic_chars / sizeof *classic_chars)) {
    w[0] = 3.0, w[1] = 0.8, w[2] = 0.2;
  } else if (one_char) {
    /* 伟 磊 强 军 勇 涛 静 敏 娜 芳 娟 艳 霞 …: the 1970s–80s favourites */
    w[0] = 1.2, w[1] = 2.5, w[2] = 0.4;
  } else if (contains_any(name, modern_chars, sizeof modern_chars / sizeof *modern_chars)) {
    w[0] = 0.03, w[1] = 0.6, w[2] = 1.2;
  } else if (strcmp(name, "建国") == 0) {
    w[0] = 3.0, w[1] = 0.2, w[2] = 0.0;
  } else {
    w[0] = 0.3, w[1] = 0.8, w[2] = 1.0;
  }
}

static wg_err table_build(wg__demo_table_t *t, size_t n) {
  t->idx = calloc(n ? n : 1, sizeof *t->idx);
  t->cum = calloc(n ? n : 1, sizeof *t->cum);
  t->n = 0;
  return t->idx && t->cum ? WG_OK : WG_ENOMEM;
}

static void table_add(wg__demo_table_t *t, size_t idx, double w) {
  if (w <= 0) return;
  t->idx[t->n] = idx;
  t->cum[t->n] = (t->n ? t->cum[t->n - 1] : 0) + w;
  t->n++;
}

static size_t table_draw(const wg__demo_table_t *t, wg__demo_rng_t *r) {
  double x = wg__demo_rng_unit(r) * t->cum[t->n - 1];
  size_t lo = 0, hi = t->n - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t->cum[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return t->idx[lo];
}

static void table_free(wg__demo_table_t *t) {
  free(t->idx);
  free(t->cum);
  t->idx = NULL;
  t->cum = NULL;
  t->n = 0;
}

/* Names the file in ei (truncating a long path). */
static void set_file(wg_errinfo *ei, const char *path) {
  if (!ei) return;
  size_t n = strlen(path);
  if (n >= sizeof ei->file) n = sizeof ei->file - 1;
  memcpy(ei->file, path, n);
  ei->file[n] = '\0';
}

/* Reads the first and (when want_sex) third column of a small CSV with a
 * header line. Appends to *names. */
static wg_err read_names(const char *path, int want_sex, wg__demo_name_t **names, size_t *n,
                         wg_errinfo *ei) {
  FILE *f = fopen(path, "r");
  if (!f) {
    set_file(ei, path);
    return wg_errinfo_set(ei, WG_EIO, "cannot read name list: %s", strerror(errno));
  }
  char line[512];
  long row = 0;
  size_t cap = 0;
  wg_err e = WG_OK;
  while (fgets(line, sizeof line, f)) {
    if (++row == 1) continue; /* header */
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) continue;
    char *c1 = strchr(line, ',');
    if (!c1 || c1 == line || (size_t)(c1 - line) >= sizeof((*names)->text)) {
      if (ei) {
        set_file(ei, path);
        ei->row = row;
      }
      e = wg_errinfo_set(ei, WG_EFORMAT, "expected Name,... with a name in column 1");
      break;
    }
    char sex = 'N';
    if (want_sex) {
      char *c2 = strchr(c1 + 1, ',');
      sex = c2 ? c2[1] : 0;
      if (sex != 'M' && sex != 'F') {
        if (ei) {
          set_file(ei, path);
          ei->row = row;
          snprintf(ei->field, sizeof ei->field, "Gender");
        }
        e = wg_errinfo_set(ei, WG_EFORMAT, "gender must be M or F");
        break;
      }
    }
    if (*n == cap) {
      cap = cap ? cap * 2 : 128;
      wg__demo_name_t *grown = realloc(*names, cap * sizeof **names);
      if (!grown) {
        e = WG_ENOMEM;
        break;
      }
      *names = grown;
    }
    wg__demo_name_t *nm = &(*names)[(*n)++];
    memset(nm, 0, sizeof *nm);
    memcpy(nm->text, line, (size_t)(c1 - line));
    nm->sex = sex;
  }
  fclose(f);
  return e;
}

wg_err wg__demo_names_load(wg__demo_names_t *n, const char *data_dir, wg_errinfo *ei) {
  memset(n, 0, sizeof *n);
  char path[1024];
  snprintf(path, sizeof path, "%s/names/family_chinese.csv", data_dir);
  wg_err e = read_names(path, 0, &n->surnames, &n->nsurnames, ei);
  if (e == WG_OK) {
    snprintf(path, sizeof path, "%s/names/personal_chinese.csv", data_dir);
    e = read_names(path, 1, &n->given, &n->ngiven, ei);
  }
  if (e == WG_OK && (n->nsurnames == 0 || n->ngiven == 0)) {
    set_file(ei, path);
    e = wg_errinfo_set(ei, WG_EFORMAT, "name list is empty");
  }
  size_t nfile = n->ngiven, nextra = sizeof extra_given / sizeof *extra_given;
  if (e == WG_OK) {
    wg__demo_name_t *grown = realloc(n->given, (nfile + nextra) * sizeof *grown);
    if (!grown) e = WG_ENOMEM;
    else {
      n->given = grown;
      for (size_t i = 0; i < nextra; i++) {
        wg__demo_name_t *nm = &n->given[n->ngiven++];
        memset(nm, 0, sizeof *nm);
        snprintf(nm->text, sizeof nm->text, "%s", extra_given[i].name);
        nm->sex = extra_given[i].sex;
      }
    }
  }
  if (e == WG_OK) e = table_build(&n->surname_table, n->nsurnames);
  for (int s = 0; s < 2 && e == WG_OK; s++)
    for (int era = 0; era < WG__DEMO_ERAS && e == WG_OK; era++)
      e = table_build(&n->given_table[s][era], n->ngiven);
  if (e != WG_OK) {
    wg__demo_names_free(n);
    return e;
  }
  for (size_t i = 0; i < n->nsurnames; i++) {
    double w = DEFAULT_SURNAME_W;
    for (size_t k = 0; k < sizeof surname_w / sizeof *surname_w; k++)
      if (strcmp(n->surnames[i].text, surname_w[k].name) == 0) {
        w = surname_w[k].w;
        break;
      }
    table_add(&n->surname_table, i, w);
  }
  for (size_t i = 0; i < n->ngiven; i++) {
    double w[WG__DEMO_ERAS];
    if (i < nfile)
      file_name_weights(n->given[i].text, w);
    else
      memcpy(w, extra_given[i - nfile].w, sizeof w);
    int s = n->given[i].sex == 'M';
    for (int era = 0; era < WG__DEMO_ERAS; era++) table_add(&n->given_table[s][era], i, w[era]);
  }
  for (int s = 0; s < 2; s++)
    for (int era = 0; era < WG__DEMO_ERAS; era++)
      if (n->given_table[s][era].n == 0) {
        wg__demo_names_free(n);
        return wg_errinfo_set(ei, WG_EFORMAT, "the given-name list has no %s names",
                              s ? "male" : "female");
      }
  return WG_OK;
}

void wg__demo_names_free(wg__demo_names_t *n) {
  if (!n) return;
  free(n->surnames);
  free(n->given);
  table_free(&n->surname_table);
  for (int s = 0; s < 2; s++)
    for (int era = 0; era < WG__DEMO_ERAS; era++) table_free(&n->given_table[s][era]);
  memset(n, 0, sizeof *n);
}

size_t wg__demo_surname_draw(const wg__demo_names_t *n, wg__demo_rng_t *r) {
  return table_draw(&n->surname_table, r);
}

void wg__demo_name_make(const wg__demo_names_t *n, wg__demo_rng_t *r, size_t surname,
                        char sex, int birth_year, char *out, size_t cap) {
  int era = birth_year < 1975 ? 0 : birth_year < 1995 ? 1 : 2;
  size_t g = table_draw(&n->given_table[sex == 'M'][era], r);
  snprintf(out, cap, "%s%s", n->surnames[surname].text, n->given[g].text);
}

/* ---- ID numbers (GB 11643-1999) ---------------------------------------- */

/* Index 0 is Lan County; then real county-level codes of Shanxi (NBS 2023,
 * data/divisions/areas.csv): Lüliang first, then neighbouring Xinzhou and
 * Taiyuan, then the rest of the province. */
const char *const wg__demo_addr_codes[] = {
    "141127", /* 岚县 */
    "141102", "141123", "141124", "141128", "141129", "141130", "141121", "141122",
    "141181", "141182", "141125", "141126", /* 吕梁 */
    "140929", "140926", "140928", "140927", "140902", /* 忻州: 岢岚 静乐 五寨 神池 忻府 */
    "140123", "140181", "140105", "140106", "140107", "140109", "140121", "140122", /* 太原 */
    "140702", "140602", "140802", "141002", "140502", "140302", /* 晋中 朔州 运城 临汾 晋城 阳泉 */
};
const size_t wg__demo_addr_count = sizeof wg__demo_addr_codes / sizeof *wg__demo_addr_codes;

int wg__demo_addr_elsewhere(wg__demo_rng_t *r, int far) {
  /* Weights for indices 1.. : neighbours (方山 兴县 静乐 岢岚 娄烦 离石) most. */
  static const double near_w[] = {
      0, 6, 5, 3, 8, 1, 1, 1, 1.5, 1, 1, 1, 0.5, /* 吕梁 */
      6, 6, 1.5, 0.5, 1, 5, 2, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.2, 0.2};
  static const double far_w[] = {
      0, 3, 2, 3, 2, 1, 1, 1.5, 1.5, 2, 2, 1, 1, /* 吕梁 */
      2, 2, 1, 1, 2, 2, 2, 3, 3, 3, 3, 1, 1, 2, 1.5, 1.5, 1.5, 1, 1};
  _Static_assert(sizeof near_w / sizeof *near_w == sizeof wg__demo_addr_codes /
                                                       sizeof *wg__demo_addr_codes,
                 "one weight per address code");
  _Static_assert(sizeof far_w == sizeof near_w, "one weight per address code");
  return (int)wg__demo_rng_pick(r, far ? far_w : near_w, sizeof near_w / sizeof *near_w);
}

#define ID_DAY0 18900101L
#define ID_DAYS 80000L /* 1890 .. 2108 */

void wg__demo_ids_init(wg__demo_ids_t *ids, uint64_t seed) {
  memset(ids, 0, sizeof *ids);
  ids->seed = seed;
}

void wg__demo_ids_free(wg__demo_ids_t *ids) {
  if (!ids) return;
  for (int i = 0; i < WG__DEMO_ADDR_MAX; i++) free(ids->count[i]);
  memset(ids, 0, sizeof *ids);
}

wg_err wg__demo_id_make(wg__demo_ids_t *ids, int addr, int32_t birth, char sex,
                        char out[19]) {
  if (addr < 0 || (size_t)addr >= wg__demo_addr_count || addr >= WG__DEMO_ADDR_MAX)
    return WG_EINVAL;
  long day = wg__demo_days(birth) - wg__demo_days((int32_t)ID_DAY0);
  if (day < 0 || day >= ID_DAYS) return WG_EINVAL;
  if (!ids->count[addr]) {
    ids->count[addr] = calloc((size_t)ID_DAYS * 2, sizeof(uint16_t));
    if (!ids->count[addr]) return WG_ENOMEM;
  }
  int male = sex == 'M';
  uint16_t *k = &ids->count[addr][day * 2 + male];
  /* Male sequences are odd 001–999 (500 of them), female even 002–998
   * (499). The k-th number of a key goes through an affine permutation of
   * that space keyed by (seed, address, day, sex), so numbers look
   * scattered yet never repeat. */
  unsigned space = male ? 500 : 499;
  if (*k >= space) return WG_ETOOBIG;
  uint64_t h = wg__demo_mix(ids->seed ^ wg__demo_mix(((uint64_t)addr << 40) ^
                                                     ((uint64_t)day << 1) ^ (uint64_t)male));
  unsigned a, b = (unsigned)(h >> 32) % space;
  if (male) {
    a = (unsigned)(h % 250) * 2 + 1; /* odd */
    if (a % 5 == 0) a += 2;          /* coprime to 500 */
  } else {
    a = 1 + (unsigned)(h % 498); /* 499 is prime */
  }
  unsigned slot = (unsigned)(((uint64_t)a * *k + b) % space);
  (*k)++;
  unsigned seq = male ? slot * 2 + 1 : slot * 2 + 2;
  snprintf(out, 19, "%s%08d%03u", wg__demo_addr_codes[addr], (int)birth, seq);
  char check = wg_idnum_check_char(out);
  if (!check) return WG_EINVAL;
  out[17] = check;
  out[18] = '\0';
  return WG_OK;
}

/* ---- mobile numbers ----------------------------------------------------- */

/* Mainland mobile prefixes of the three carriers (2020s). */
static const char *const phone_prefixes[] = {
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157",
    "158", "159", "178", "182", "183", "184", "187", "188", "198", /* 移动 */
    "130", "131", "132", "155", "156", "166", "175", "176", "185", "186", /* 联通 */
    "133", "153", "173", "177", "180", "181", "189", "199", /* 电信 */
};

void wg__demo_phones_init(wg__demo_phones_t *p, uint64_t seed) {
  for (int i = 0; i < 4; i++) p->keys[i] = (uint32_t)wg__demo_mix(seed * 4 + (uint64_t)i + 77);
  p->next = 0;
}

void wg__demo_phone_make(wg__demo_phones_t *p, char out[12]) {
  /* A 4-round Feistel network on [0, 10^8) (two halves of 10^4) is a
   * bijection, so distinct counters give distinct 8-digit suffixes; the
   * prefix is then free to vary. */
  uint64_t k = p->next++ % 100000000ULL;
  uint32_t left = (uint32_t)(k / 10000), right = (uint32_t)(k % 10000);
  for (int i = 0; i < 4; i++) {
    uint32_t f = (uint32_t)(wg__demo_mix(((uint64_t)p->keys[i] << 20) ^ right) % 10000);
    uint32_t next_right = (left + f) % 10000;
    left = right;
    right = next_right;
  }
  uint64_t h = wg__demo_mix(k ^ ((uint64_t)p->keys[0] << 32));
  const char *prefix = phone_prefixes[h % (sizeof phone_prefixes / sizeof *phone_prefixes)];
  snprintf(out, 12, "%s%04u%04u", prefix, left, right);
}

/* ---- household composition ----------------------------------------------- */

static const char *const REL_HEAD = "户主", *const REL_SPOUSE = "配偶", *const REL_SON = "子",
                  *const REL_DAUGHTER = "女", *const REL_FATHER = "父亲",
                  *const REL_MOTHER = "母亲", *const REL_GRANDSON = "孙子",
                  *const REL_GRANDDAUGHTER = "孙女", *const REL_OTHER = "其他";

/* Share of each household kind per setting. Tuned so that the mean size is
 * ~2.44 and the age/sex shares match Lüliang (see the file comment). */
static const double kind_w[3][WG__HH_KIND_COUNT] = {
    /* alone  eld.cpl single couple nuclear 1-parent 3-gen skipped other */
    [WG__SET_URBAN] = {0.056, 0.096, 0.195, 0.140, 0.345, 0.040, 0.078, 0.020, 0.030},
    [WG__SET_RURAL] = {0.079, 0.141, 0.187, 0.135, 0.250, 0.030, 0.098, 0.050, 0.030},
    [WG__SET_PARK] = {0.000, 0.000, 0.760, 0.120, 0.090, 0.000, 0.000, 0.000, 0.030},
};

/* Birth date of someone `age` completed years old on `on`. */
static int32_t birth_for_age(wg__demo_rng_t *r, int age, int32_t on) {
  long days = wg__demo_days(on) - (long)((age + wg__demo_rng_unit(r)) * 365.2425);
  int32_t b = wg__demo_ymd(days);
  if (b > on) b = on;
  return b;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Age of someone 60 or over: 60–64 ~30%, 80+ ~15% (a census-like tail). */
static int elder_age(wg__demo_rng_t *r, int min) {
  double u = wg__demo_rng_unit(r);
  int a = min + (int)(-log(1.0 - u) * 11.5);
  return a > 99 ? 99 - (int)wg__demo_rng_range(r, 0, 9) : a;
}

/* Age drawn from bands with weights: bands[i] = {lo, hi}. */
static int band_age(wg__demo_rng_t *r, const int (*bands)[2], const double *w, size_t n) {
  size_t i = wg__demo_rng_pick(r, w, n);
  return (int)wg__demo_rng_range(r, bands[i][0], bands[i][1]);
}

static wg__demo_person_t *add(wg__demo_household_t *h, char sex, int age, int32_t on,
                              const char *relation, size_t surname, int gen,
                              wg__demo_rng_t *r) {
  if (h->n >= WG__DEMO_HH_MAX) return NULL;
  wg__demo_person_t *p = &h->m[h->n++];
  memset(p, 0, sizeof *p);
  p->r.sex = sex;
  p->r.birth = birth_for_age(r, age < 0 ? 0 : age, on);
  snprintf(p->r.relation, sizeof p->r.relation, "%s", relation);
  p->surname = surname;
  p->gen = gen;
  return p;
}

static char kid_sex(wg__demo_rng_t *r) {
  return wg__demo_rng_chance(r, 0.533) ? 'M' : 'F'; /* sex ratio at birth ~114 */
}

/* Children of a mother aged mother_age: the eldest born when she was 21–31,
 * later ones 2–7 years apart; children over ~26 have mostly left home. */
static void add_children(wg__demo_household_t *h, wg__demo_rng_t *r, int mother_age, int count,
                         int32_t on, size_t surname) {
  int age = mother_age - (int)wg__demo_rng_range(r, 21, 31);
  if (age > 26) age = (int)wg__demo_rng_range(r, 14, 26);
  if (age < 0) age = (int)wg__demo_rng_range(r, 0, 2);
  for (int i = 0; i < count && age >= 0; i++) {
    char sex = kid_sex(r);
    add(h, sex, age, on, sex == 'M' ? REL_SON : REL_DAUGHTER, surname, 1, r);
    age -= (int)wg__demo_rng_range(r, 2, 7);
  }
}

/* A married couple; returns the head's surname through *surname. The head
 * is the husband in most households. */
static void add_couple(wg__demo_household_t *h, wg__demo_rng_t *r, const wg__demo_names_t *names,
                       int husband_age, int wife_age, int32_t on, double wife_head_p,
                       size_t *surname) {
  size_t his = wg__demo_surname_draw(names, r), hers = wg__demo_surname_draw(names, r);
  int wife_head = wg__demo_rng_chance(r, wife_head_p);
  add(h, 'M', husband_age, on, wife_head ? REL_SPOUSE : REL_HEAD, his, 0, r);
  add(h, 'F', wife_age, on, wife_head ? REL_HEAD : REL_SPOUSE, hers, 0, r);
  *surname = his;
}

static int wife_age_for(wg__demo_rng_t *r, int husband_age, int min) {
  int d = (int)lround(2.0 + 2.2 * wg__demo_rng_normal(r));
  return clampi(husband_age - d, min, 99);
}

static int kid_count(wg__demo_rng_t *r, wg__demo_setting set) {
  static const double urban[] = {0, 0.53, 0.41, 0.06}, rural[] = {0, 0.40, 0.47, 0.13};
  return (int)wg__demo_rng_pick(r, set == WG__SET_RURAL ? rural : urban, 4);
}

void wg__demo_household_draw(wg__demo_rng_t *r, const wg__demo_names_t *names,
                             wg__demo_setting set, int32_t on, wg__demo_household_t *h) {
  memset(h, 0, sizeof *h);
  h->kind = (wg__demo_hh_kind)wg__demo_rng_pick(r, kind_w[set], WG__HH_KIND_COUNT);
  double wife_head_p = set == WG__SET_URBAN ? 0.18 : 0.10;
  size_t sn;
  switch (h->kind) {
    case WG__HH_ELDER_ALONE: {
      char sex = wg__demo_rng_chance(r, 0.60) ? 'F' : 'M';
      add(h, sex, elder_age(r, 60), on, REL_HEAD, wg__demo_surname_draw(names, r), 0, r);
      break;
    }
    case WG__HH_ELDER_COUPLE: {
      int ha = elder_age(r, 61);
      add_couple(h, r, names, ha, wife_age_for(r, ha, 58), on, 0.05, &sn);
      break;
    }
    case WG__HH_SINGLE: {
      static const int bands[][2] = {{18, 24}, {25, 34}, {35, 44}, {45, 59}};
      static const double w[] = {0.24, 0.36, 0.18, 0.22};
      double male_p = set == WG__SET_RURAL ? 0.76 : set == WG__SET_PARK ? 0.78 : 0.64;
      char sex = wg__demo_rng_chance(r, male_p) ? 'M' : 'F';
      add(h, sex, band_age(r, bands, w, 4), on, REL_HEAD, wg__demo_surname_draw(names, r), 0, r);
      break;
    }
    case WG__HH_COUPLE: {
      static const int bands[][2] = {{22, 29}, {30, 44}, {45, 59}};
      static const double w[] = {0.34, 0.14, 0.52};
      int ha = band_age(r, bands, w, 3);
      add_couple(h, r, names, ha, wife_age_for(r, ha, 20), on, wife_head_p, &sn);
      break;
    }
    case WG__HH_NUCLEAR: {
      static const int bands[][2] = {{24, 34}, {35, 44}, {45, 56}};
      static const double w[] = {0.42, 0.36, 0.22};
      int ha = band_age(r, bands, w, 3), wa = wife_age_for(r, ha, 21);
      add_couple(h, r, names, ha, wa, on, wife_head_p, &sn);
      add_children(h, r, wa, kid_count(r, set), on, sn);
      break;
    }
    case WG__HH_SINGLE_PARENT: {
      char sex = wg__demo_rng_chance(r, 0.70) ? 'F' : 'M';
      int pa = (int)wg__demo_rng_range(r, 27, 52);
      sn = wg__demo_surname_draw(names, r);
      add(h, sex, pa, on, REL_HEAD, sn, 0, r);
      /* the children mostly carry the (absent) father's surname */
      size_t kids_sn = sex == 'M' || wg__demo_rng_chance(r, 0.2) ? sn
                                                                  : wg__demo_surname_draw(names, r);
      add_children(h, r, sex == 'F' ? pa : pa - 2, wg__demo_rng_chance(r, 0.72) ? 1 : 2, on,
                   kids_sn);
      break;
    }
    case WG__HH_THREE_GEN: {
      static const int bands[][2] = {{27, 34}, {35, 44}, {45, 52}};
      static const double w[] = {0.42, 0.40, 0.18};
      int ha = band_age(r, bands, w, 3), wa = wife_age_for(r, ha, 21);
      add_couple(h, r, names, ha, wa, on, 0.05, &sn);
      int kids = wg__demo_rng_chance(r, 0.55) ? 1 : 2;
      if (set == WG__SET_RURAL && wg__demo_rng_chance(r, 0.2)) kids++;
      add_children(h, r, wa, kids, on, sn);
      /* the head's own parents */
      int fa = ha + (int)wg__demo_rng_range(r, 23, 32);
      int ma = clampi(fa - (int)wg__demo_rng_range(r, 0, 5), 45, 99);
      int both = wg__demo_rng_chance(r, 0.45);
      int father = both || wg__demo_rng_chance(r, 0.35);
      if (fa > 95) fa = 95;
      if (father) add(h, 'M', fa, on, REL_FATHER, sn, -1, r);
      if (both || !father) add(h, 'F', ma, on, REL_MOTHER, wg__demo_surname_draw(names, r), -1, r);
      break;
    }
    case WG__HH_SKIPPED: {
      /* grandparents raising grandchildren whose parents work away (留守) */
      int ga = (int)wg__demo_rng_range(r, 55, 76);
      if (wg__demo_rng_chance(r, 0.6)) {
        add_couple(h, r, names, ga, wife_age_for(r, ga, 50), on, 0.05, &sn);
      } else {
        char sex = wg__demo_rng_chance(r, 0.6) ? 'F' : 'M';
        sn = wg__demo_surname_draw(names, r);
        add(h, sex, ga, on, REL_HEAD, sn, 0, r);
      }
      int kids = wg__demo_rng_chance(r, 0.55) ? 1 : 2;
      int age = (int)wg__demo_rng_range(r, 3, 14);
      for (int i = 0; i < kids && age >= 0; i++) {
        char sex = kid_sex(r);
        add(h, sex, age, on, sex == 'M' ? REL_GRANDSON : REL_GRANDDAUGHTER, sn, 2, r);
        age -= (int)wg__demo_rng_range(r, 1, 5);
      }
      break;
    }
    case WG__HH_OTHER:
    default: {
      /* head with a sibling, nephew or other relative */
      int ha = (int)wg__demo_rng_range(r, 25, 72);
      sn = wg__demo_surname_draw(names, r);
      add(h, wg__demo_rng_chance(r, 0.62) ? 'M' : 'F', ha, on, REL_HEAD, sn, 0, r);
      int oa = clampi(ha + (int)wg__demo_rng_range(r, -10, 8), 16, 90);
      add(h, wg__demo_rng_chance(r, 0.55) ? 'M' : 'F', oa, on, REL_OTHER,
          wg__demo_rng_chance(r, 0.6) ? sn : wg__demo_surname_draw(names, r), 0, r);
      break;
    }
  }
}

/* ---- finishing: names, residence, IDs, phones, tags ---------------------- */

void wg__demo_person_name(const wg__demo_t *d, wg__demo_rng_t *r, wg__demo_person_t *p) {
  wg__demo_name_make(&d->names, r, p->surname, p->r.sex, p->r.birth / 10000, p->r.name,
                     sizeof p->r.name);
}

void wg__demo_tags_render(const wg__demo_t *d, wg__demo_person_t *p) {
  const char *codes[WG__TAG_COUNT];
  int n = 0;
  for (int t = 0; t < WG__TAG_COUNT; t++)
    if (p->tags & (1u << t)) codes[n++] = d->tag_code[t];
  /* sorted by code: the store's tag filter does not care, people reading
   * the column do */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(codes[j - 1], codes[j]) > 0; j--) {
      const char *t = codes[j];
      codes[j] = codes[j - 1];
      codes[j - 1] = t;
    }
  size_t len = 0;
  p->r.tags[0] = '\0';
  for (int i = 0; i < n; i++) {
    int w = snprintf(p->r.tags + len, sizeof p->r.tags - len, "%s%s,", len ? "" : ",", codes[i]);
    if (w < 0 || (size_t)w >= sizeof p->r.tags - len) break;
    len += (size_t)w;
  }
}

static double phone_p(int age) {
  if (age < 12) return 0;
  if (age < 16) return 0.25;
  if (age < 60) return 0.96;
  if (age < 70) return 0.86;
  if (age < 80) return 0.62;
  return 0.30;
}

static double disabled_p(int age) {
  if (age < 15) return 0.016;
  if (age < 45) return 0.038;
  if (age < 60) return 0.066;
  if (age < 75) return 0.13;
  return 0.22;
}

wg_err wg__demo_household_finish(wg__demo_t *d, wg__demo_rng_t *r, wg__demo_setting set,
                                 int move_in, wg__demo_household_t *h) {
  /* Residence of the household: registered here (户籍), living here with
   * the registration elsewhere (常住), or floating (流动). */
  double p_float, p_resident;
  static const double float_by_kind[WG__HH_KIND_COUNT] = {0.01, 0.01, 0.36, 0.20, 0.10,
                                                          0.08, 0.01, 0.00, 0.15};
  if (move_in) {
    p_float = 0.45, p_resident = 0.15;
  } else if (set == WG__SET_PARK) {
    p_float = 0.85, p_resident = 0.10;
  } else {
    p_float = set == WG__SET_URBAN ? float_by_kind[h->kind] : float_by_kind[h->kind] * 0.2;
    p_resident = set == WG__SET_URBAN ? 0.085 : 0.068;
  }
  double u = wg__demo_rng_unit(r);
  wg_residence res = u < p_float                ? WG_RES_FLOATING
                     : u < p_float + p_resident ? WG_RES_RESIDENT
                                                : WG_RES_REGISTERED;
  int family_addr = res == WG_RES_REGISTERED ? (move_in ? wg__demo_addr_elsewhere(r, 0) : 0)
                                             : wg__demo_addr_elsewhere(r, res == WG_RES_FLOATING);

  /* Household-level tags. */
  double p_low = set == WG__SET_RURAL ? 0.092 : set == WG__SET_URBAN ? 0.038 : 0.0;
  if (h->kind == WG__HH_ELDER_ALONE || h->kind == WG__HH_SINGLE_PARENT) p_low *= 2.2;
  if (h->kind == WG__HH_SKIPPED) p_low *= 1.5;
  if (res == WG_RES_FLOATING) p_low = 0; /* 低保 is granted where one is registered */
  int low_income = wg__demo_rng_chance(r, p_low);
  int extreme = h->kind == WG__HH_ELDER_ALONE && set == WG__SET_RURAL &&
                res == WG_RES_REGISTERED && wg__demo_rng_chance(r, 0.06);
  if (extreme) low_income = 0; /* 特困供养 replaces 低保 */

  int32_t on = d->start;
  for (int i = 0; i < h->n; i++) {
    wg__demo_person_t *p = &h->m[i];
    int age = wg__demo_age(p->r.birth, on);
    snprintf(p->r.county, sizeof p->r.county, "%s", WG_DEMO_COUNTY);
    p->r.status = WG_ST_ACTIVE;
    p->r.residence = res;
    int addr = family_addr;
    /* A wife married in from a neighbouring county keeps the ID number
     * issued there even when her registration moved here. */
    if (res == WG_RES_REGISTERED && p->gen == 0 && p->r.sex == 'F' && h->n > 1 &&
        wg__demo_rng_chance(r, 0.12))
      addr = wg__demo_addr_elsewhere(r, 0);
    /* Children born here to a family registered here have local numbers. */
    if (p->gen > 0 && res == WG_RES_REGISTERED) addr = 0;
    wg__demo_person_name(d, r, p);
    wg_err e = wg__demo_id_make(&d->ids, addr, p->r.birth, p->r.sex, p->r.id_number);
    if (e != WG_OK) return wg__demo_fail(d, e, "making an ID number");
    if (wg__demo_rng_chance(r, phone_p(age))) wg__demo_phone_make(&d->phones, p->r.phone);

    unsigned tags = 0;
    if (h->kind == WG__HH_ELDER_ALONE && age >= 60) tags |= 1u << WG__TAG_ELDERLY_ALONE;
    if (h->kind == WG__HH_ELDER_COUPLE && age >= 60) tags |= 1u << WG__TAG_EMPTY_NEST;
    if (h->kind == WG__HH_SKIPPED && p->gen == 2 && age < 16)
      tags |= 1u << WG__TAG_LEFT_BEHIND_CHILD;
    if (wg__demo_rng_chance(r, disabled_p(age))) tags |= 1u << WG__TAG_DISABLED;
    if (low_income) tags |= 1u << WG__TAG_LOW_INCOME;
    if (extreme) tags |= 1u << WG__TAG_EXTREME_POVERTY;
    if (age >= 21 && age <= 88 &&
        wg__demo_rng_chance(r, p->r.sex == 'M' ? (age < 30 ? 0.015 : 0.026) : 0.0015))
      tags |= 1u << WG__TAG_VETERAN;
    if (age >= 18) {
      double pp = p->r.sex == 'M' ? 0.082 : 0.036;
      if (age >= 50) pp *= 1.35;
      if (set == WG__SET_URBAN) pp *= 1.15;
      if (res == WG_RES_FLOATING) pp *= 0.6;
      if (wg__demo_rng_chance(r, pp)) tags |= 1u << WG__TAG_PARTY_MEMBER;
    }
    p->tags = tags;
    wg__demo_tags_render(d, p);
  }
  return WG_OK;
}
