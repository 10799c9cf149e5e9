/* division.c — loading NBS division codes from CSV into the store. */
#include "territory/division.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/table.h"

static int is_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return s[n] == '\0';
}

wg_err wg_division_code_pad(const char *code, char *out) {
  size_t n = strlen(code);
  if ((n != 2 && n != 4 && n != 6 && n != 9 && n != 12) || !is_digits(code, n))
    return WG_EINVAL;
  memcpy(out, code, n);
  memset(out + n, '0', 12 - n);
  out[12] = '\0';
  return WG_OK;
}

wg_division_level wg_division_code_level(const char *c) {
  if (strcmp(c + 2, "0000000000") == 0) return WG_DIV_PROVINCE;
  if (strcmp(c + 4, "00000000") == 0) return WG_DIV_CITY;
  if (strcmp(c + 6, "000000") == 0) return WG_DIV_COUNTY;
  if (strcmp(c + 9, "000") == 0) return WG_DIV_TOWNSHIP;
  return WG_DIV_COMMUNITY;
}

/* One CSV layout: which column holds the code, the name and the parent. */
typedef struct layout {
  const char *file;     /* file name or prefix (for streets_/villages_) */
  const char *parent;   /* header of the parent-code column; NULL = none */
  wg_division_level level;
} layout;

/* Keeps a division when its code is within the prefix, or is an ancestor
 * of it (so "141127" keeps 14, 1411 and 141127 too). */
static int wanted(const char *code12, const char *prefix) {
  size_t n = strlen(prefix);
  if (n == 0) return 1;
  /* A code whose significant digits are fewer than the prefix's is an
   * ancestor when those digits match. */
  size_t len = 12;
  while (len > 0 && code12[len - 1] == '0') len--;
  if (len <= n) return strncmp(code12, prefix, len) == 0;
  return strncmp(code12, prefix, n) == 0;
}

static wg_err load_file(wg_store_t *s, const char *path, const layout *lay,
                        const char *prefix, long *loaded, wg_errinfo *ei) {
  wg_table_t *t = NULL;
  wg_err e = wg_table_open(path, NULL, &t, ei);
  if (e) return e;
  wg_table_row row;
  int has = 0, col_code = -1, col_name = -1, col_parent = -1;
  e = wg_table_next(t, &row, &has, ei);
  if (!e && has) {
    for (int i = 0; i < row.ncells; i++) {
      if (strcmp(row.cells[i], "code") == 0) col_code = i;
      if (strcmp(row.cells[i], "name") == 0) col_name = i;
      if (lay->parent && strcmp(row.cells[i], lay->parent) == 0) col_parent = i;
    }
    if (col_code < 0 || col_name < 0 || (lay->parent && col_parent < 0)) {
      ei->row = row.row;
      e = wg_errinfo_set(ei, WG_EFORMAT, "header must have code, name%s%s", lay->parent ? ", " : "",
                         lay->parent ? lay->parent : "");
    }
  }
  while (!e) {
    e = wg_table_next(t, &row, &has, ei);
    if (e || !has) break;
    wg_division_t d = {.level = lay->level};
    const char *code = col_code < row.ncells ? row.cells[col_code] : "";
    if (wg_division_code_pad(code, d.code) != WG_OK) {
      ei->row = row.row;
      snprintf(ei->field, sizeof ei->field, "code");
      snprintf(ei->value, sizeof ei->value, "%.40s", code);
      e = wg_errinfo_set(ei, WG_EINVAL, "not a 2/4/6/9/12-digit division code");
      break;
    }
    if (!wanted(d.code, prefix)) continue;
    if (wg_division_code_level(d.code) != lay->level && lay->level != WG_DIV_COMMUNITY) {
      ei->row = row.row;
      snprintf(ei->field, sizeof ei->field, "code");
      snprintf(ei->value, sizeof ei->value, "%.40s", code);
      e = wg_errinfo_set(ei, WG_EINVAL, "code does not have the digits of its level");
      break;
    }
    const char *name = col_name < row.ncells ? row.cells[col_name] : "";
    if (!*name || strlen(name) >= sizeof d.name) {
      ei->row = row.row;
      snprintf(ei->field, sizeof ei->field, "name");
      e = wg_errinfo_set(ei, WG_EINVAL, "name is empty or too long");
      break;
    }
    snprintf(d.name, sizeof d.name, "%s", name);
    if (col_parent >= 0) {
      const char *p = col_parent < row.ncells ? row.cells[col_parent] : "";
      if (wg_division_code_pad(p, d.parent) != WG_OK) {
        ei->row = row.row;
        snprintf(ei->field, sizeof ei->field, "%s", lay->parent);
        snprintf(ei->value, sizeof ei->value, "%.40s", p);
        e = wg_errinfo_set(ei, WG_EINVAL, "not a division code");
        break;
      }
    }
    if (lay->level == WG_DIV_COMMUNITY) {
      size_t n = strlen(d.name);
      if (n >= 9 && strcmp(d.name + n - 9, "居委会") == 0) d.kind = WG_AREA_URBAN;
      else if (n >= 9 && strcmp(d.name + n - 9, "村委会") == 0) d.kind = WG_AREA_RURAL;
    }
    e = wg_store_division_put(s, &d);
    if (e) {
      ei->row = row.row;
      wg_errinfo_set(ei, e, "%s", wg_store_errmsg(s));
      break;
    }
    (*loaded)++;
  }
  wg_table_close(t);
  return e;
}

static int has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

wg_err wg_division_load_dir(wg_store_t *s, const char *dir, const char *prefix, long *loaded,
                            wg_errinfo *ei) {
  static const layout fixed[] = {
      {"provinces.csv", NULL, WG_DIV_PROVINCE},
      {"cities.csv", "provinceCode", WG_DIV_CITY},
      {"areas.csv", "cityCode", WG_DIV_COUNTY},
  };
  static const layout streets = {"streets_", "areaCode", WG_DIV_TOWNSHIP};
  static const layout villages = {"villages_", "streetCode", WG_DIV_COMMUNITY};
  wg_errinfo dummy;
  if (!ei) ei = &dummy;
  long count = 0;
  if (!prefix) prefix = "";

  /* Sorted file list, so loading is deterministic. */
  DIR *dh = opendir(dir);
  if (!dh) {
    snprintf(ei->file, sizeof ei->file, "%s", dir);
    return wg_errinfo_set(ei, WG_EIO, "cannot open the divisions directory");
  }
  char *names[256];
  int nnames = 0;
  struct dirent *de;
  while ((de = readdir(dh)) != NULL && nnames < 256) {
    if ((has_prefix(de->d_name, "streets_") || has_prefix(de->d_name, "villages_")) &&
        strstr(de->d_name, ".csv"))
      names[nnames++] = strdup(de->d_name);
  }
  closedir(dh);
  qsort(names, (size_t)nnames, sizeof *names, cmp_names);

  wg_err e = wg_store_begin(s);
  char path[1024];
  for (size_t i = 0; !e && i < sizeof fixed / sizeof *fixed; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, fixed[i].file);
    e = load_file(s, path, &fixed[i], prefix, &count, ei);
  }
  /* Streets before villages: parents first. */
  for (int pass = 0; pass < 2 && !e; pass++)
    for (int i = 0; i < nnames && !e; i++) {
      const layout *lay = pass == 0 ? &streets : &villages;
      if (!names[i] || !has_prefix(names[i], lay->file)) continue;
      snprintf(path, sizeof path, "%s/%s", dir, names[i]);
      e = load_file(s, path, lay, prefix, &count, ei);
    }
  for (int i = 0; i < nnames; i++) free(names[i]);
  if (!e) e = wg_store_commit(s);
  if (e) {
    wg_store_rollback(s);
    return e;
  }
  if (loaded) *loaded = count;
  return WG_OK;
}
