/* xlsx_read.c — a small streaming XLSX reader on libzip + expat.
 *
 * Open: find the first worksheet through xl/workbook.xml and its rels
 * (fallback xl/worksheets/sheet1.xml), load xl/sharedStrings.xml into one
 * arena, and the date-ness of each cellXfs style from xl/styles.xml. Next:
 * the sheet XML is fed to expat in 64 KiB chunks straight from zip_fread;
 * the parser suspends itself at each </row> so that one row is handed out
 * per call and the sheet is never held whole.
 *
 * Hostile input: every entry has an uncompressed-size cap and a compression
 * ratio cap, DOCTYPE is refused (no entities, no external anything), element
 * nesting, shared-string count, cells per row and cell length are capped. */
#include <expat.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "io/io_int.h"

#define X_CHUNK ((size_t)64 << 10)
#define X_SHEET_CAP ((zip_uint64_t)2 << 30)       /* 2 GiB */
#define X_SST_CAP ((zip_uint64_t)256 << 20)       /* 256 MiB */
#define X_SMALL_CAP ((zip_uint64_t)16 << 20)      /* workbook, rels, styles */
#define X_RATIO_MIN_SIZE ((zip_uint64_t)1 << 20)  /* ratio checked above this */
#define X_MAX_RATIO 1000
#define X_MAX_DEPTH 64
#define X_MAX_SST ((size_t)1 << 24)
#define X_MAX_XF ((size_t)1 << 20)
#define X_MAX_NUMFMT 65536
#define X_MAX_ROWNUM 1048576L
#define X_MAX_COLS 16384
#define X_NUM_CAP 256 /* bytes of a <v> that is not text */
#define X_NAME_CAP 512
#define X_MAX_TOKEN ((zip_uint64_t)16 << 20) /* one tag, attribute, comment */

enum { K_PLAIN = 0, K_DATE = 1, K_TIME = 2 };
enum { T_N, T_S, T_STR, T_INLINE, T_B, T_E, T_D };

/* Growable byte buffer with a cap. */
typedef struct xbuf {
  char *p;
  size_t len, cap;
} xbuf;

static int xbuf_put(xbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->len + n + 1) nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) return -1;
    b->p = np;
    b->cap = nc;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

typedef struct numfmt {
  int id;
  unsigned char kind;
} numfmt;

struct wg__xlsx {
  zip_t *za;
  wg_table_t *t;
  int date1904;
  /* shared strings */
  xbuf ss;                 /* all strings, NUL-separated */
  size_t *ss_off, *ss_len; /* ss_len == SIZE_MAX: longer than max_cell */
  size_t ss_count, ss_cap;
  /* styles */
  unsigned char *xf_kind;  /* K_* per cellXfs index */
  size_t xf_count, xf_cap;
  numfmt *fmts;
  size_t nfmts, fmts_cap;
  /* workbook */
  char sheet_rid[X_NAME_CAP];
  char sheet_path[X_NAME_CAP];
  char sst_path[X_NAME_CAP];
  char styles_path[X_NAME_CAP];
  int have_sheet_elem;
  /* the sheet stream */
  zip_file_t *zf;
  zip_uint64_t sheet_size, sheet_read;
  XML_Parser xp;
  int suspended, final_fed, eof;
  /* sheet parse state */
  int in_sheetdata, in_row, in_c, in_v, in_is, in_t, rph;
  long cur_row, last_row;
  int col, last_col, ctype, ckind;
  xbuf val;                /* text of the current cell */
  size_t val_cap;          /* cap for the current cell's text */
  /* the row being built */
  xbuf rb;                 /* cell texts, NUL-separated */
  size_t *coff, *clen;     /* per column; coff SIZE_MAX: no cell */
  const char **cellp;
  size_t *lens;
  int ncols, col_cap, last_nonempty;
  int row_ready;
  /* error raised inside an expat callback */
  wg_err err;
  long err_row;
  int err_col;
  char why[200];
};

/* Context of one XML part being parsed. */
typedef struct xpart {
  wg__xlsx *x;
  XML_Parser p;
  const char *name;
  int depth;
  void (*start)(struct xpart *, const char *, const char **);
  void (*end)(struct xpart *, const char *);
  void (*text)(struct xpart *, const char *, int);
  int in_a, in_b, in_c;    /* part-specific flags */
} xpart;

/* Local name of a possibly prefixed name ("x:row" → "row"). Namespace
 * processing is off (it costs a third of the parse time); the parts are
 * matched by local names, which also accepts Strict OOXML namespaces. */
static const char *lname(const char *n) {
  const char *s = strchr(n, ':');
  return s ? s + 1 : n;
}

static const char *attr(const char **atts, const char *local) {
  for (int i = 0; atts[i]; i += 2)
    if (strcmp(lname(atts[i]), local) == 0) return atts[i + 1];
  return NULL;
}

/* Record an error from a callback and stop the parser for good. */
static void xfail(wg__xlsx *x, XML_Parser p, wg_err err, long row, int col,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void xfail(wg__xlsx *x, XML_Parser p, wg_err err, long row, int col,
                  const char *fmt, ...) {
  if (x->err) return;
  x->err = err;
  x->err_row = row;
  x->err_col = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->why, sizeof x->why, fmt, ap);
  va_end(ap);
  XML_StopParser(p, XML_FALSE);
}

static wg_err raise_x(wg__xlsx *x, wg_errinfo *ei) {
  return wg__fail(x->t, ei, x->err, x->err_row, x->err_col, "%s", x->why);
}

/* --- expat plumbing shared by all parts ------------------------------ */

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  xpart *px = ud;
  if (++px->depth > X_MAX_DEPTH) {
    xfail(px->x, px->p, WG_ETOOBIG, px->x->in_row ? px->x->cur_row : 0, -1,
          "%s: XML nested deeper than %d elements", px->name, X_MAX_DEPTH);
    return;
  }
  if (px->start) px->start(px, lname(name), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
  xpart *px = ud;
  px->depth--;
  if (px->end) px->end(px, lname(name));
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
  xpart *px = ud;
  if (px->text) px->text(px, s, len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal) {
  (void)name, (void)sysid, (void)pubid, (void)has_internal;
  xpart *px = ud;
  xfail(px->x, px->p, WG_EFORMAT, 0, -1,
        "%s: DOCTYPE declarations are not allowed in a workbook", px->name);
}

static int XMLCALL on_extref(XML_Parser p, const XML_Char *ctx,
                             const XML_Char *base, const XML_Char *sysid,
                             const XML_Char *pubid) {
  (void)p, (void)ctx, (void)base, (void)sysid, (void)pubid;
  return XML_STATUS_ERROR;
}

static XML_Parser make_parser(xpart *px) {
  XML_Parser p = XML_ParserCreate(NULL);
  if (!p) return NULL;
  px->p = p;
  XML_SetUserData(p, px);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  XML_SetStartDoctypeDeclHandler(p, on_doctype);
  XML_SetExternalEntityRefHandler(p, on_extref);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
  return p;
}

static wg_err expat_error(wg__xlsx *x, XML_Parser p, const char *name,
                          wg_errinfo *ei) {
  if (x->err) return raise_x(x, ei);
  return wg__fail(x->t, ei, WG_EFORMAT, x->in_row ? x->cur_row : 0, -1,
                  "%s: broken XML at line %lu: %s", name,
                  (unsigned long)XML_GetCurrentLineNumber(p),
                  XML_ErrorString(XML_GetErrorCode(p)));
}

static wg_err zip_err(wg__xlsx *x, wg_errinfo *ei, const char *what,
                      zip_error_t *ze) {
  return wg__fail(x->t, ei, WG_EFORMAT, 0, -1, "%s: %s", what,
                  zip_error_strerror(ze));
}

/* Open entry name with the size cap and the ratio cap. *zf = NULL and
 * WG_OK when the entry does not exist. */
static wg_err open_entry(wg__xlsx *x, const char *name, zip_uint64_t cap,
                         zip_file_t **zf, zip_uint64_t *size, wg_errinfo *ei) {
  *zf = NULL;
  *size = 0;
  zip_int64_t idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
  if (idx < 0) return WG_OK;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) != 0 ||
      !(st.valid & ZIP_STAT_SIZE))
    return zip_err(x, ei, name, zip_get_error(x->za));
  if (st.size > cap)
    return wg__fail(x->t, ei, WG_ETOOBIG, 0, -1,
                    "%s is too large: %llu bytes uncompressed, limit %llu",
                    name, (unsigned long long)st.size, (unsigned long long)cap);
  if (st.size > X_RATIO_MIN_SIZE && (st.valid & ZIP_STAT_COMP_SIZE) &&
      (st.comp_size == 0 || st.size / st.comp_size > X_MAX_RATIO))
    return wg__fail(x->t, ei, WG_ETOOBIG, 0, -1,
                    "%s compresses more than %d:1 (zip bomb?)", name,
                    X_MAX_RATIO);
  *zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
  if (!*zf) return zip_err(x, ei, name, zip_get_error(x->za));
  *size = st.size;
  return WG_OK;
}

/* expat buffers a tag, attribute or comment whole: refuse one that grows
 * past X_MAX_TOKEN (fed bytes beyond the last parse event). */
static wg_err token_check(wg__xlsx *x, XML_Parser p, zip_uint64_t fed,
                          const char *name, wg_errinfo *ei) {
  XML_Index at = XML_GetCurrentByteIndex(p);
  if (at >= 0 && fed > (zip_uint64_t)at && fed - (zip_uint64_t)at > X_MAX_TOKEN)
    return wg__fail(x->t, ei, WG_ETOOBIG,
                    p != x->xp ? 0 : x->in_row ? x->cur_row : x->last_row + 1, -1,
                    "%s: an XML tag or comment larger than %llu bytes", name,
                    (unsigned long long)X_MAX_TOKEN);
  return WG_OK;
}

/* Parse a whole (small) part with the handlers in px. *found = 0 when the
 * entry is missing. */
static wg_err parse_part(wg__xlsx *x, xpart *px, const char *name,
                         zip_uint64_t cap, int *found, wg_errinfo *ei) {
  zip_file_t *zf;
  zip_uint64_t size;
  *found = 0;
  wg_err err = open_entry(x, name, cap, &zf, &size, ei);
  if (err || !zf) return err;
  *found = 1;
  px->x = x;
  px->name = name;
  XML_Parser p = make_parser(px);
  if (!p) {
    zip_fclose(zf);
    return wg__fail(x->t, ei, WG_ENOMEM, 0, -1, "out of memory");
  }
  zip_uint64_t total = 0;
  for (;;) {
    void *buf = XML_GetBuffer(p, (int)X_CHUNK);
    if (!buf) {
      err = wg__fail(x->t, ei, WG_ENOMEM, 0, -1, "out of memory");
      break;
    }
    zip_int64_t n = zip_fread(zf, buf, X_CHUNK);
    if (n < 0) {
      err = zip_err(x, ei, name, zip_file_get_error(zf));
      break;
    }
    total += (zip_uint64_t)n;
    if (total > cap) {
      err = wg__fail(x->t, ei, WG_ETOOBIG, 0, -1, "%s is too large", name);
      break;
    }
    if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
      err = expat_error(x, p, name, ei);
      break;
    }
    if ((err = token_check(x, p, total, name, ei))) break;
    if (n == 0) break;
  }
  XML_ParserFree(p);
  zip_fclose(zf);
  return err;
}

/* --- workbook.xml and its rels ---------------------------------------- */

static void wb_start(xpart *px, const char *n, const char **atts) {
  wg__xlsx *x = px->x;
  if (strcmp(n, "workbookPr") == 0) {
    const char *v = attr(atts, "date1904");
    x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
  } else if (strcmp(n, "sheet") == 0 && !x->have_sheet_elem) {
    const char *id = attr(atts, "id"); /* r:id */
    if (id) {
      snprintf(x->sheet_rid, sizeof x->sheet_rid, "%s", id);
      x->have_sheet_elem = 1;
    }
  }
}

/* "worksheets/sheet1.xml" relative to xl/, or "/xl/..." absolute. */
static void resolve_target(const char *target, char *out, size_t cap) {
  if (target[0] == '/') snprintf(out, cap, "%s", target + 1);
  else snprintf(out, cap, "xl/%s", target);
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void rels_start(xpart *px, const char *n, const char **atts) {
  wg__xlsx *x = px->x;
  if (strcmp(n, "Relationship") != 0) return;
  const char *id = attr(atts, "Id"), *type = attr(atts, "Type"),
             *target = attr(atts, "Target");
  if (!id || !type || !target) return;
  if (ends_with(type, "/worksheet") && x->have_sheet_elem &&
      strcmp(id, x->sheet_rid) == 0)
    resolve_target(target, x->sheet_path, sizeof x->sheet_path);
  else if (ends_with(type, "/sharedStrings"))
    resolve_target(target, x->sst_path, sizeof x->sst_path);
  else if (ends_with(type, "/styles"))
    resolve_target(target, x->styles_path, sizeof x->styles_path);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Code point of an "_xHHHH_" escape at s (n bytes left), or -1. */
static long xescape_at(const char *s, size_t n) {
  if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_') return -1;
  long v = 0;
  for (int i = 2; i < 6; i++) {
    int h = hexval(s[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Undo the OOXML ST_Xstring escapes ("_x000D_" for CR, "_x005F_" for '_',
 * surrogate pairs as two escapes) in place; returns the new length. NUL and
 * lone surrogates are left as the escape text. */
static size_t xunescape(char *s, size_t n) {
  if (n == 0 || !memchr(s, '_', n)) return n;
  size_t r = 0, w = 0;
  while (r < n) {
    long cp = s[r] == '_' ? xescape_at(s + r, n - r) : -1;
    size_t used = 7;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      long lo = xescape_at(s + r + 7, n - r - 7); /* n - r >= 7 here */
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        used = 14;
      } else {
        cp = -1;
      }
    } else if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
      cp = -1;
    }
    if (cp < 0) {
      s[w++] = s[r++];
      continue;
    }
    if (cp < 0x80) {
      s[w++] = (char)cp;
    } else if (cp < 0x800) {
      s[w++] = (char)(0xC0 | (cp >> 6));
      s[w++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s[w++] = (char)(0xE0 | (cp >> 12));
      s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      s[w++] = (char)(0x80 | (cp & 0x3F));
    } else {
      s[w++] = (char)(0xF0 | (cp >> 18));
      s[w++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      s[w++] = (char)(0x80 | (cp & 0x3F));
    }
    r += used;
  }
  s[w] = '\0';
  return w;
}

/* --- sharedStrings.xml ------------------------------------------------- */

/* in_a: inside <si>; in_b: inside a <t> to keep; in_c: depth in <rPh>. */
static void sst_start(xpart *px, const char *n, const char **atts) {
  wg__xlsx *x = px->x;
  if (strcmp(n, "sst") == 0) {
    const char *u = attr(atts, "uniqueCount");
    if (u) {
      char *end;
      unsigned long long want = strtoull(u, &end, 10);
      if (*end == '\0' && want > 0 && want <= X_MAX_SST && !x->ss_off) {
        size_t pre = want > 65536 ? 65536 : (size_t)want; /* grow on from here */
        x->ss_off = malloc(pre * sizeof *x->ss_off);
        x->ss_len = malloc(pre * sizeof *x->ss_len);
        if (!x->ss_off || !x->ss_len) {
          xfail(x, px->p, WG_ENOMEM, 0, -1, "out of memory");
          return;
        }
        x->ss_cap = pre;
      }
    }
  } else if (strcmp(n, "si") == 0) {
    if (x->ss_count >= X_MAX_SST) {
      xfail(x, px->p, WG_ETOOBIG, 0, -1,
            "xl/sharedStrings.xml has more than %zu strings", X_MAX_SST);
      return;
    }
    if (x->ss_count == x->ss_cap) {
      size_t nc = x->ss_cap ? x->ss_cap * 2 : 1024;
      size_t *a = realloc(x->ss_off, nc * sizeof *a);
      if (a) x->ss_off = a;
      size_t *b = realloc(x->ss_len, nc * sizeof *b);
      if (b) x->ss_len = b;
      if (!a || !b) {
        xfail(x, px->p, WG_ENOMEM, 0, -1, "out of memory");
        return;
      }
      x->ss_cap = nc;
    }
    px->in_a = 1;
    x->ss_off[x->ss_count] = x->ss.len;
    x->ss_len[x->ss_count] = 0;
  } else if (strcmp(n, "rPh") == 0) {
    px->in_c++;
  } else if (strcmp(n, "t") == 0 && px->in_a && !px->in_c) {
    px->in_b = 1;
  }
}

static void sst_end(xpart *px, const char *n) {
  wg__xlsx *x = px->x;
  if (strcmp(n, "si") == 0 && px->in_a) {
    px->in_a = 0;
    size_t *l = &x->ss_len[x->ss_count];
    if (*l != SIZE_MAX && *l > 0) {
      *l = xunescape(x->ss.p + x->ss_off[x->ss_count], *l);
      x->ss.len = x->ss_off[x->ss_count] + *l;
    }
    if (xbuf_put(&x->ss, "", 1)) { /* separator NUL */
      xfail(x, px->p, WG_ENOMEM, 0, -1, "out of memory");
      return;
    }
    x->ss_count++;
  } else if (strcmp(n, "rPh") == 0) {
    if (px->in_c) px->in_c--;
  } else if (strcmp(n, "t") == 0) {
    px->in_b = 0;
  }
}

static void sst_text(xpart *px, const char *s, int len) {
  wg__xlsx *x = px->x;
  if (!px->in_b) return;
  size_t *l = &x->ss_len[x->ss_count];
  if (*l == SIZE_MAX) return;
  if (*l + (size_t)len > x->t->opts.max_cell) {
    *l = SIZE_MAX; /* too long: reported if a cell uses it */
    x->ss.len = x->ss_off[x->ss_count];
    return;
  }
  if (xbuf_put(&x->ss, s, (size_t)len)) {
    xfail(x, px->p, WG_ENOMEM, 0, -1, "out of memory");
    return;
  }
  *l += (size_t)len;
}

/* --- styles.xml --------------------------------------------------------- */

/* Classify an Excel number format code: dates contain y/d (or m without
 * h/s); times contain h/s. Quoted text, [brackets] and escapes are skipped. */
static unsigned char classify_format(const char *code) {
  int y = 0, m = 0, d = 0, h = 0, s = 0;
  for (const char *p = code; *p; p++) {
    char ch = *p;
    if (ch == '"') {
      while (p[1] && p[1] != '"') p++;
      if (p[1]) p++;
    } else if (ch == '[') {
      while (p[1] && p[1] != ']') p++;
      if (p[1]) p++;
    } else if (ch == '\\' || ch == '_' || ch == '*') {
      if (p[1]) p++;
    } else if (ch == 'y' || ch == 'Y' || ch == 'e') {
      y = 1;
    } else if (ch == 'm' || ch == 'M') {
      m = 1;
    } else if (ch == 'd' || ch == 'D') {
      d = 1;
    } else if (ch == 'h' || ch == 'H') {
      h = 1;
    } else if (ch == 's' || ch == 'S') {
      s = 1;
    }
  }
  if (y || d || (m && !h && !s)) return K_DATE;
  if (h || s) return K_TIME;
  return K_PLAIN;
}

/* Built-in formats: 14-17, 22 dates; 18-21, 45-47 times; and the zh-CN
 * built-ins 27-31, 36, 50-54, 57-58 (dates), 32-35, 55-56 (times). */
static unsigned char builtin_kind(int id) {
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) ||
      id == 36 || (id >= 50 && id <= 54) || id == 57 || id == 58)
    return K_DATE;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47) ||
      (id >= 32 && id <= 35) || id == 55 || id == 56)
    return K_TIME;
  return K_PLAIN;
}

static int parse_int(const char *s, long max, long *out) {
  long v = 0;
  if (!s || !*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
    if (v > max) return -1;
  }
  *out = v;
  return 0;
}

/* in_a: inside <cellXfs>. */
static void styles_start(xpart *px, const char *n, const char **atts) {
  wg__xlsx *x = px->x;
  if (strcmp(n, "numFmt") == 0) {
    long id;
    const char *code = attr(atts, "formatCode");
    if (parse_int(attr(atts, "numFmtId"), 1L << 30, &id) || !code) return;
    if (x->nfmts >= X_MAX_NUMFMT) {
      xfail(x, px->p, WG_ETOOBIG, 0, -1, "xl/styles.xml: too many number formats");
      return;
    }
    if (x->nfmts == x->fmts_cap) {
      size_t nc = x->fmts_cap ? x->fmts_cap * 2 : 32;
      numfmt *f = realloc(x->fmts, nc * sizeof *f);
      if (!f) {
        xfail(x, px->p, WG_ENOMEM, 0, -1, "out of memory");
        return;
      }
      x->fmts = f;
      x->fmts_cap = nc;
    }
    x->fmts[x->nfmts].id = (int)id;
    x->fmts[x->nfmts].kind = classify_format(code);
    x->nfmts++;
  } else if (strcmp(n, "cellXfs") == 0) {
    px->in_a = 1;
  } else if (strcmp(n, "xf") == 0 && px->in_a) {
    long id = 0;
    unsigned char kind = K_PLAIN;
    if (parse_int(attr(atts, "numFmtId"), 1L << 30, &id) == 0) {
      kind = builtin_kind((int)id);
      for (size_t i = 0; i < x->nfmts; i++)
        if (x->fmts[i].id == id) kind = x->fmts[i].kind;
    }
    if (x->xf_count >= X_MAX_XF) {
      xfail(x, px->p, WG_ETOOBIG, 0, -1, "xl/styles.xml: too many cell styles");
      return;
    }
    if (x->xf_count == x->xf_cap) {
      size_t nc = x->xf_cap ? x->xf_cap * 2 : 64;
      unsigned char *k = realloc(x->xf_kind, nc);
      if (!k) {
        xfail(x, px->p, WG_ENOMEM, 0, -1, "out of memory");
        return;
      }
      x->xf_kind = k;
      x->xf_cap = nc;
    }
    x->xf_kind[x->xf_count++] = kind;
  }
}

static void styles_end(xpart *px, const char *n) {
  if (strcmp(n, "cellXfs") == 0) px->in_a = 0;
}

/* --- cell rendering ---------------------------------------------------- */

/* Days since 1970-01-01 → civil date (Howard Hinnant's algorithm). */
static void civil_from_days(long long z, long long *y, int *m, int *d) {
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long yy = yoe + era * 400;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yy + (*m <= 2);
}

/* Render an Excel serial date as YYYY-MM-DD; -1 when out of range. */
static int render_date(double v, int date1904, char *out, size_t cap) {
  if (!(v >= 0 && v < 2958466)) return -1; /* up to 9999-12-31 */
  long long secs = llround(v * 86400.0);
  long long serial = secs / 86400;
  long long days; /* since 1970-01-01 */
  if (date1904) {
    days = serial - 24107; /* 1904-01-01 */
  } else if (serial == 60) {
    snprintf(out, cap, "1900-02-29"); /* Lotus 1-2-3 leap-year bug */
    return 0;
  } else if (serial < 60) {
    days = serial - 25568; /* serial 1 = 1900-01-01 */
  } else {
    days = serial - 25569; /* serial 25569 = 1970-01-01 */
  }
  long long y;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%04lld-%02d-%02d", y, m, d);
  return 0;
}

static int render_time(double v, char *out, size_t cap) {
  if (!(v >= 0 && v < 1e7)) return -1;
  long long secs = llround(v * 86400.0);
  if (v >= 1) { /* elapsed time: keep the hours */
    snprintf(out, cap, "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60,
             secs % 60);
  } else {
    secs %= 86400;
    snprintf(out, cap, "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60,
             secs % 60);
  }
  return 0;
}

/* Integers below 2^53 as plain digits; anything else in the shortest form
 * that reads back as the same double. */
static void render_number(double v, char *out, size_t cap) {
  if (v == 0) {
    snprintf(out, cap, "0");
  } else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    snprintf(out, cap, "%.0f", v);
  } else {
    for (int prec = 1; prec <= 17; prec++) {
      snprintf(out, cap, "%.*g", prec, v);
      if (strtod(out, NULL) == v) break;
    }
  }
}

/* "0", "-12", "13800000000": up to 15 digits, no leading zero; such text
 * is exactly what render_number would produce. */
static int plain_integer(const char *v, size_t n) {
  size_t i = v[0] == '-';
  if (n == i || n - i > 15 || (v[i] == '0' && n - i > 1) || (i && v[i] == '0'))
    return 0;
  for (; i < n; i++)
    if (v[i] < '0' || v[i] > '9') return 0;
  return 1;
}

/* Append text as the cell at x->col of the row being built. */
static void put_cell(wg__xlsx *x, const char *s, size_t n) {
  if (n > x->t->opts.max_cell) {
    xfail(x, x->xp, WG_ETOOBIG, x->cur_row, x->col,
          "cell longer than %zu bytes", x->t->opts.max_cell);
    return;
  }
  if (x->rb.len + n + 1 > x->t->opts.max_row) {
    xfail(x, x->xp, WG_ETOOBIG, x->cur_row, x->col,
          "row longer than %zu bytes", x->t->opts.max_row);
    return;
  }
  if (x->col >= x->col_cap) {
    int nc = x->col_cap ? x->col_cap : 64;
    while (nc <= x->col) nc *= 2;
    size_t *a = realloc(x->coff, (size_t)nc * sizeof *a);
    if (a) x->coff = a;
    size_t *b = realloc(x->clen, (size_t)nc * sizeof *b);
    if (b) x->clen = b;
    const char **c = realloc(x->cellp, (size_t)nc * sizeof *c);
    if (c) x->cellp = c;
    size_t *l = realloc(x->lens, (size_t)nc * sizeof *l);
    if (l) x->lens = l;
    if (!a || !b || !c || !l) {
      xfail(x, x->xp, WG_ENOMEM, x->cur_row, -1, "out of memory");
      return;
    }
    x->col_cap = nc;
  }
  for (int i = x->ncols; i < x->col; i++) x->coff[i] = SIZE_MAX;
  x->coff[x->col] = x->rb.len;
  x->clen[x->col] = n;
  x->ncols = x->col + 1;
  if (xbuf_put(&x->rb, s, n) || xbuf_put(&x->rb, "", 1)) {
    xfail(x, x->xp, WG_ENOMEM, x->cur_row, -1, "out of memory");
    return;
  }
  if (n > 0) x->last_nonempty = x->col;
}

static void finish_cell(wg__xlsx *x) {
  const char *v = x->val.p ? x->val.p : "";
  size_t n = x->val.len;
  char tmp[64];
  switch (x->ctype) {
  case T_S: {
    long idx;
    if (n == 0) return;
    if (parse_int(v, LONG_MAX / 10, &idx) || (size_t)idx >= x->ss_count) {
      char cn[8];
      wg__col_name(x->col, cn, sizeof cn);
      xfail(x, x->xp, WG_EFORMAT, x->cur_row, x->col,
            "sharedStrings index %s out of range at row %ld, column %s "
            "(%zu strings)", n > 20 ? "(huge)" : v, x->cur_row, cn, x->ss_count);
      return;
    }
    if (x->ss_len[idx] == SIZE_MAX) {
      xfail(x, x->xp, WG_ETOOBIG, x->cur_row, x->col,
            "cell longer than %zu bytes", x->t->opts.max_cell);
      return;
    }
    put_cell(x, x->ss.p + x->ss_off[idx], x->ss_len[idx]);
    return;
  }
  case T_B:
    if (n) put_cell(x, v[0] == '1' ? "TRUE" : "FALSE", v[0] == '1' ? 4 : 5);
    return;
  case T_N: {
    if (n == 0) return;
    if (x->ckind == K_PLAIN && plain_integer(v, n)) {
      put_cell(x, v, n); /* already in its canonical form */
      return;
    }
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(d)) {
      put_cell(x, v, n); /* not a number after all: keep the text */
      return;
    }
    if (x->ckind == K_DATE && render_date(d, x->date1904, tmp, sizeof tmp) == 0) {
      put_cell(x, tmp, strlen(tmp));
      return;
    }
    if (x->ckind == K_TIME && render_time(d, tmp, sizeof tmp) == 0) {
      put_cell(x, tmp, strlen(tmp));
      return;
    }
    render_number(d, tmp, sizeof tmp);
    put_cell(x, tmp, strlen(tmp));
    return;
  }
  case T_STR:
  case T_INLINE:
    if (n) n = xunescape(x->val.p, n);
    put_cell(x, v, n);
    return;
  case T_D: /* ISO 8601; a midnight date-time is shown as its date */
    if (n > 10 && v[4] == '-' && v[7] == '-' &&
        (strcmp(v + 10, "T00:00:00") == 0 || strcmp(v + 10, "T00:00:00Z") == 0 ||
         strcmp(v + 10, "T00:00:00.000") == 0))
      n = 10;
    put_cell(x, v, n);
    return;
  default: /* e: the error text itself */
    put_cell(x, v, n);
    return;
  }
}

/* --- the sheet ---------------------------------------------------------- */

/* "C5" → column 2 (lower case tolerated); -1 when not a cell reference. */
static int parse_ref_col(const char *r) {
  int col = 0, k = 0;
  for (;; r++, k++) {
    int ch = *r >= 'a' && *r <= 'z' ? *r - 'a' + 'A' : *r;
    if (ch < 'A' || ch > 'Z') break;
    col = col * 26 + (ch - 'A' + 1);
    if (k >= 3) return -1;
  }
  if (k == 0) return -1;
  for (; *r; r++)
    if (*r < '0' || *r > '9') return -1;
  return col - 1;
}

static void sheet_start(xpart *px, const char *n, const char **atts) {
  wg__xlsx *x = px->x;
  if (strcmp(n, "sheetData") == 0) {
    x->in_sheetdata = 1;
  } else if (!x->in_sheetdata) {
    return;
  } else if (strcmp(n, "row") == 0) {
    const char *r = attr(atts, "r");
    long num;
    if (r) {
      if (parse_int(r, X_MAX_ROWNUM, &num) || num < 1) {
        xfail(x, px->p, WG_EFORMAT, x->last_row + 1, -1,
              "bad row number r=\"%.20s\"", r);
        return;
      }
    } else {
      num = x->last_row + 1;
    }
    if (num <= x->last_row || num > X_MAX_ROWNUM) {
      xfail(x, px->p, WG_EFORMAT, num, -1,
            "rows out of order (row %ld after row %ld)", num, x->last_row);
      return;
    }
    x->in_row = 1;
    x->cur_row = num;
    x->last_col = -1;
    x->ncols = 0;
    x->last_nonempty = -1;
    x->rb.len = 0;
  } else if (strcmp(n, "c") == 0 && x->in_row) {
    const char *r = attr(atts, "r"), *ty = attr(atts, "t"), *s = attr(atts, "s");
    int col = r ? parse_ref_col(r) : x->last_col + 1;
    if (col < 0) {
      xfail(x, px->p, WG_EFORMAT, x->cur_row, -1, "bad cell reference r=\"%.20s\"", r);
      return;
    }
    if (col <= x->last_col) {
      xfail(x, px->p, WG_EFORMAT, x->cur_row, col, "cells out of order");
      return;
    }
    if (col >= X_MAX_COLS || (size_t)col >= x->t->opts.max_cells_per_row) {
      xfail(x, px->p, WG_ETOOBIG, x->cur_row, -1, "more than %zu cells in a row",
            x->t->opts.max_cells_per_row < X_MAX_COLS ? x->t->opts.max_cells_per_row
                                                      : (size_t)X_MAX_COLS);
      return;
    }
    x->col = x->last_col = col;
    x->in_c = 1;
    x->val.len = 0;
    if (x->val.p) x->val.p[0] = '\0';
    x->ctype = T_N;
    if (ty) {
      if (strcmp(ty, "s") == 0) x->ctype = T_S;
      else if (strcmp(ty, "str") == 0) x->ctype = T_STR;
      else if (strcmp(ty, "inlineStr") == 0) x->ctype = T_INLINE;
      else if (strcmp(ty, "b") == 0) x->ctype = T_B;
      else if (strcmp(ty, "e") == 0) x->ctype = T_E;
      else if (strcmp(ty, "d") == 0) x->ctype = T_D;
    }
    x->val_cap = (x->ctype == T_N || x->ctype == T_S || x->ctype == T_B)
                     ? X_NUM_CAP : x->t->opts.max_cell;
    long si = 0;
    x->ckind = K_PLAIN;
    if (s && parse_int(s, 1L << 30, &si) == 0 && (size_t)si < x->xf_count)
      x->ckind = x->xf_kind[si];
  } else if (x->in_c) {
    if (strcmp(n, "v") == 0) x->in_v = 1;
    else if (strcmp(n, "is") == 0) x->in_is = 1;
    else if (strcmp(n, "rPh") == 0) x->rph++;
    else if (strcmp(n, "t") == 0 && x->in_is && !x->rph) x->in_t = 1;
  }
}

static void sheet_end(xpart *px, const char *n) {
  wg__xlsx *x = px->x;
  if (!x->in_sheetdata) return;
  if (strcmp(n, "sheetData") == 0) {
    x->in_sheetdata = 0;
  } else if (strcmp(n, "row") == 0 && x->in_row) {
    x->in_row = 0;
    x->last_row = x->cur_row;
    if (x->last_nonempty >= 0) {
      x->row_ready = 1;
      XML_StopParser(px->p, XML_TRUE); /* hand this row out */
    }
  } else if (strcmp(n, "c") == 0 && x->in_c) {
    x->in_c = x->in_v = x->in_is = x->in_t = x->rph = 0;
    if (x->ctype == T_INLINE || x->val.len > 0 || x->ctype == T_STR) finish_cell(x);
  } else if (strcmp(n, "v") == 0) {
    x->in_v = 0;
  } else if (strcmp(n, "is") == 0) {
    x->in_is = 0;
  } else if (strcmp(n, "t") == 0) {
    x->in_t = 0;
  } else if (strcmp(n, "rPh") == 0) {
    if (x->rph) x->rph--;
  }
}

static void sheet_text(xpart *px, const char *s, int len) {
  wg__xlsx *x = px->x;
  if (!x->in_c) return;
  /* A t="inlineStr" cell keeps <is> text; any other keeps <v>. */
  if (x->ctype == T_INLINE ? !x->in_t : !x->in_v) return;
  if (x->val.len + (size_t)len > x->val_cap) {
    if (x->val_cap == X_NUM_CAP)
      xfail(x, px->p, WG_EFORMAT, x->cur_row, x->col, "cell value is not a number");
    else
      xfail(x, px->p, WG_ETOOBIG, x->cur_row, x->col, "cell longer than %zu bytes",
            x->t->opts.max_cell);
    return;
  }
  if (xbuf_put(&x->val, s, (size_t)len))
    xfail(x, px->p, WG_ENOMEM, x->cur_row, -1, "out of memory");
}

/* --- public backend functions ------------------------------------------ */

typedef struct sheet_ctx {
  xpart px; /* must stay first: expat's user data */
} sheet_ctx;

double wg__xlsx_progress(const wg__xlsx *x) {
  if (!x) return 0;
  if (x->eof) return 1.0;
  if (!x->sheet_size) return 0;
  double p = (double)x->sheet_read / (double)x->sheet_size;
  return p > 1.0 ? 1.0 : p;
}

void wg__xlsx_free(wg__xlsx *x) {
  if (!x) return;
  if (x->xp) {
    free(XML_GetUserData(x->xp));
    XML_ParserFree(x->xp);
  }
  if (x->zf) zip_fclose(x->zf);
  if (x->za) zip_discard(x->za);
  free(x->ss.p);
  free(x->ss_off);
  free(x->ss_len);
  free(x->xf_kind);
  free(x->fmts);
  free(x->val.p);
  free(x->rb.p);
  free(x->coff);
  free(x->clen);
  free(x->cellp);
  free(x->lens);
  free(x);
}

wg_err wg__xlsx_open(wg_table_t *t, const char *path, const void *mem,
                     size_t size, wg_errinfo *ei) {
  wg__xlsx *x = calloc(1, sizeof *x);
  if (!x) return wg__fail(t, ei, WG_ENOMEM, 0, -1, "out of memory");
  t->xlsx = x;
  t->format = "xlsx";
  t->encoding = "utf-8";
  x->t = t;
  x->last_row = 0;
  int zerr = 0;
  zip_error_t ze;
  zip_error_init(&ze);
  if (path) {
    x->za = zip_open(path, ZIP_RDONLY, &zerr);
    if (!x->za) zip_error_init_with_code(&ze, zerr);
  } else {
    zip_source_t *src = zip_source_buffer_create(mem, size, 0, &ze);
    if (src) {
      x->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
      if (!x->za) zip_source_free(src);
    }
  }
  if (!x->za) {
    wg_err err = wg__fail(t, ei, WG_EFORMAT, 0, -1,
                          "not an XLSX workbook: damaged or truncated zip "
                          "archive (%s)", zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return err;
  }
  zip_error_fini(&ze);

  int found;
  wg_err err;
  xpart px;
  memset(&px, 0, sizeof px);
  px.start = wb_start;
  if ((err = parse_part(x, &px, "xl/workbook.xml", X_SMALL_CAP, &found, ei)))
    return err;
  if (!found)
    return wg__fail(t, ei, WG_EFORMAT, 0, -1,
                    "not an XLSX workbook: no xl/workbook.xml");
  memset(&px, 0, sizeof px);
  px.start = rels_start;
  if ((err = parse_part(x, &px, "xl/_rels/workbook.xml.rels", X_SMALL_CAP,
                        &found, ei)))
    return err;
  if (!x->sheet_path[0])
    snprintf(x->sheet_path, sizeof x->sheet_path, "xl/worksheets/sheet1.xml");
  if (!x->sst_path[0])
    snprintf(x->sst_path, sizeof x->sst_path, "xl/sharedStrings.xml");
  if (!x->styles_path[0])
    snprintf(x->styles_path, sizeof x->styles_path, "xl/styles.xml");

  memset(&px, 0, sizeof px);
  px.start = sst_start;
  px.end = sst_end;
  px.text = sst_text;
  if ((err = parse_part(x, &px, x->sst_path, X_SST_CAP, &found, ei))) return err;
  memset(&px, 0, sizeof px);
  px.start = styles_start;
  px.end = styles_end;
  if ((err = parse_part(x, &px, x->styles_path, X_SMALL_CAP, &found, ei)))
    return err;

  if ((err = open_entry(x, x->sheet_path, X_SHEET_CAP, &x->zf, &x->sheet_size, ei)))
    return err;
  if (!x->zf)
    return wg__fail(t, ei, WG_EFORMAT, 0, -1,
                    "not an XLSX workbook: the first sheet (%s) is missing",
                    x->sheet_path);
  sheet_ctx *sc = calloc(1, sizeof *sc);
  if (!sc) return wg__fail(t, ei, WG_ENOMEM, 0, -1, "out of memory");
  sc->px.x = x;
  sc->px.name = x->sheet_path;
  sc->px.start = sheet_start;
  sc->px.end = sheet_end;
  sc->px.text = sheet_text;
  x->xp = make_parser(&sc->px);
  if (!x->xp) {
    free(sc);
    return wg__fail(t, ei, WG_ENOMEM, 0, -1, "out of memory");
  }
  return WG_OK;
}

wg_err wg__xlsx_next(wg_table_t *t, wg_table_row *row, int *has_row,
                     wg_errinfo *ei) {
  wg__xlsx *x = t->xlsx;
  x->row_ready = 0;
  while (!x->row_ready) {
    enum XML_Status st;
    if (x->suspended) {
      st = XML_ResumeParser(x->xp);
    } else if (x->final_fed) {
      x->eof = 1;
      return WG_OK;
    } else {
      void *buf = XML_GetBuffer(x->xp, (int)X_CHUNK);
      if (!buf) return wg__fail(t, ei, WG_ENOMEM, x->last_row, -1, "out of memory");
      zip_int64_t n = zip_fread(x->zf, buf, X_CHUNK);
      if (n < 0)
        return wg__fail(t, ei, WG_EFORMAT, x->last_row + 1, -1, "%s: %s",
                        x->sheet_path, zip_error_strerror(zip_file_get_error(x->zf)));
      x->sheet_read += (zip_uint64_t)n;
      if (x->sheet_read > X_SHEET_CAP)
        return wg__fail(t, ei, WG_ETOOBIG, x->last_row + 1, -1, "%s is too large",
                        x->sheet_path);
      x->final_fed = n == 0;
      st = XML_ParseBuffer(x->xp, (int)n, n == 0);
    }
    if (st == XML_STATUS_ERROR) return expat_error(x, x->xp, x->sheet_path, ei);
    x->suspended = st == XML_STATUS_SUSPENDED;
    wg_err err = token_check(x, x->xp, x->sheet_read, x->sheet_path, ei);
    if (err) return err;
  }
  for (int i = 0; i <= x->last_nonempty; i++) {
    if (i < x->ncols && x->coff[i] != SIZE_MAX) {
      x->cellp[i] = x->rb.p + x->coff[i];
      x->lens[i] = x->clen[i];
    } else {
      x->cellp[i] = "";
      x->lens[i] = 0;
    }
  }
  row->row = x->cur_row;
  row->ncells = x->last_nonempty + 1;
  row->cells = x->cellp;
  row->lens = x->lens;
  *has_row = 1;
  return WG_OK;
}
