/* csv.c — streaming RFC 4180 CSV reader, parsing in place.
 *
 * The input is read in 1 MiB blocks into one buffer. A record is parsed in
 * place: an unquoted cell is a slice of the buffer whose terminator is
 * overwritten with NUL; a quoted cell is unescaped towards its own start (the
 * output is always shorter than the input). When a record runs past the end
 * of the buffer, the partial record is moved to the front, the parser state
 * (kept as offsets) is shifted, and more input is read; the buffer only grows
 * when a single record is larger than it, up to opts.max_row.
 *
 * Encoding: UTF-8 with or without BOM; otherwise GB18030, converted per cell
 * with iconv. The choice is made from the first block; a file that is pure
 * ASCII there switches to GB18030 at its first non-UTF-8 row. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/encoding.h"
#include "io/io_int.h"

#define CSV_BLOCK ((size_t)1 << 20)

enum { S_CELL, S_UNQ, S_QUO, S_QQ, S_QTAIL };
enum { P_RECORD, P_NEED, P_EOF, P_ERR };

struct wg__csv {
  int fd;                    /* source file, or -1 for memory */
  const unsigned char *mem;  /* memory source */
  size_t mem_len, mem_pos;
  size_t total;              /* input size, for progress */
  size_t consumed;           /* input bytes before buf[0] */
  unsigned char *buf;        /* cap + 1 bytes (room for a final NUL) */
  size_t cap, len;           /* allocated data bytes; bytes held */
  int eof;                   /* source exhausted */
  int done;                  /* all records returned */
  /* parser state; offsets into buf */
  size_t rs;                 /* start of the current record */
  size_t r;                  /* read position */
  size_t w;                  /* write position in a quoted cell */
  size_t cs;                 /* start of the current cell */
  int st;                    /* S_* */
  int skip_lf;               /* last record ended in CR: skip one LF */
  unsigned hi;               /* OR of the record's bytes (0x80 → non-ASCII) */
  long record;               /* record number of the current record */
  long line;                 /* physical line at the current position */
  long quote_line;           /* line where the open quote started */
  /* cells of the current record */
  size_t *cstart, *clen;     /* spans in buf */
  const char **cellp;        /* row output */
  size_t *lens;
  int ncells, ccap;
  /* encoding */
  int bom, gb, seen_high;
  void *cd;                  /* iconv GB18030 → UTF-8, lazily opened */
  char *conv;                /* converted cells of the record */
  size_t conv_cap;
  unsigned char special[256];
  char delim;
};

double wg__csv_progress(const wg__csv *c) {
  if (!c) return 0;
  if (c->done || c->total == 0) return c->done ? 1.0 : 0.0;
  double p = (double)(c->consumed + c->r) / (double)c->total;
  return p > 1.0 ? 1.0 : p;
}

void wg__csv_free(wg__csv *c) {
  if (!c) return;
  if (c->fd >= 0) close(c->fd);
  wg_gb18030_close(c->cd);
  free(c->buf);
  free(c->cstart);
  free(c->clen);
  free(c->cellp);
  free(c->lens);
  free(c->conv);
  free(c);
}

/* Read more input into buf[len..cap). Sets eof at the end. */
static wg_err fill(wg_table_t *t, wg__csv *c, wg_errinfo *ei) {
  size_t room = c->cap - c->len;
  if (c->fd < 0) {
    size_t n = c->mem_len - c->mem_pos;
    if (n > room) n = room;
    if (n) memcpy(c->buf + c->len, c->mem + c->mem_pos, n);
    c->mem_pos += n;
    c->len += n;
    if (c->mem_pos == c->mem_len) c->eof = 1;
    return WG_OK;
  }
  while (room > 0) {
    ssize_t n = read(c->fd, c->buf + c->len, room);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return wg__fail(t, ei, WG_EIO, c->record, -1, "read failed: %s",
                      strerror(errno));
    if (n == 0) {
      c->eof = 1;
      break;
    }
    c->len += (size_t)n;
    room -= (size_t)n;
    if (c->len - c->rs >= CSV_BLOCK / 2) break; /* enough to work on */
  }
  return WG_OK;
}

/* Move the current record to the front of the buffer, or grow the buffer
 * when the record already starts there. */
static wg_err make_room(wg_table_t *t, wg__csv *c, wg_errinfo *ei) {
  if (c->rs > 0) {
    size_t d = c->rs;
    memmove(c->buf, c->buf + d, c->len - d);
    c->len -= d;
    c->r -= d;
    c->w -= d < c->w ? d : c->w;
    c->cs -= d < c->cs ? d : c->cs;
    for (int i = 0; i < c->ncells; i++) c->cstart[i] -= d;
    c->consumed += d;
    c->rs = 0;
    return WG_OK;
  }
  if (c->len < c->cap) return WG_OK;
  if (c->cap >= t->opts.max_row)
    return wg__fail(t, ei, WG_ETOOBIG, c->record, -1,
                    "record longer than %zu bytes", t->opts.max_row);
  size_t ncap = c->cap * 2 > t->opts.max_row ? t->opts.max_row : c->cap * 2;
  unsigned char *nb = realloc(c->buf, ncap + 1);
  if (!nb) return wg__fail(t, ei, WG_ENOMEM, c->record, -1, "out of memory");
  c->buf = nb;
  c->cap = ncap;
  return WG_OK;
}

static int push_cell(wg_table_t *t, wg__csv *c, size_t start, size_t len,
                     wg_errinfo *ei, wg_err *err) {
  if (len > t->opts.max_cell) {
    *err = wg__fail(t, ei, WG_ETOOBIG, c->record, c->ncells,
                    "cell longer than %zu bytes", t->opts.max_cell);
    return -1;
  }
  if ((size_t)c->ncells >= t->opts.max_cells_per_row) {
    *err = wg__fail(t, ei, WG_ETOOBIG, c->record, -1,
                    "more than %zu cells in a row", t->opts.max_cells_per_row);
    return -1;
  }
  if (c->ncells == c->ccap) {
    int n = c->ccap ? c->ccap * 2 : 64;
    size_t *a = realloc(c->cstart, (size_t)n * sizeof *a);
    if (a) c->cstart = a;
    size_t *b = realloc(c->clen, (size_t)n * sizeof *b);
    if (b) c->clen = b;
    const char **p = realloc(c->cellp, (size_t)n * sizeof *p);
    if (p) c->cellp = p;
    size_t *l = realloc(c->lens, (size_t)n * sizeof *l);
    if (l) c->lens = l;
    if (!a || !b || !p || !l) {
      *err = wg__fail(t, ei, WG_ENOMEM, c->record, -1, "out of memory");
      return -1;
    }
    c->ccap = n;
  }
  c->cstart[c->ncells] = start;
  c->clen[c->ncells] = len;
  c->ncells++;
  c->buf[start + len] = '\0';
  return 0;
}

/* Parse from c->r until the current record is complete (P_RECORD), the
 * buffer runs out (P_NEED), the input ended with no record (P_EOF), or an
 * error (P_ERR, *err set). */
static int parse(wg_table_t *t, wg__csv *c, wg_errinfo *ei, wg_err *err) {
  unsigned char *b = c->buf;
  const unsigned char *sp = c->special;
  const unsigned char delim = (unsigned char)c->delim;
  size_t r = c->r, w = c->w, len = c->len;
  unsigned hi = c->hi;
  int st = c->st;

#define SAVE() (c->r = r, c->w = w, c->hi = hi, c->st = st)
#define CHECK_LEN(n)                                                      \
  if ((n) > t->opts.max_cell) {                                           \
    SAVE();                                                               \
    *err = wg__fail(t, ei, WG_ETOOBIG, c->record, c->ncells,              \
                    "cell longer than %zu bytes", t->opts.max_cell);      \
    return P_ERR;                                                         \
  }
#define NUL_ERROR()                                                       \
  do {                                                                    \
    SAVE();                                                               \
    *err = wg__fail(t, ei, WG_EFORMAT, c->record, c->ncells,              \
                    "NUL byte in the text (is this a binary file?)");     \
    return P_ERR;                                                         \
  } while (0)

  if (c->skip_lf && st == S_CELL && c->ncells == 0) {
    if (r == len) {
      if (!c->eof) return P_NEED;
    } else {
      if (b[r] == '\n') r++;
      c->skip_lf = 0;
      c->rs = r;
    }
  }
  for (;;) {
    if (r == len) {
      if (!c->eof) {
        if (st == S_UNQ) { CHECK_LEN(r - c->cs); }
        else if (st != S_CELL) { CHECK_LEN(w - c->cs); }
        SAVE();
        return P_NEED;
      }
      /* end of input */
      switch (st) {
      case S_CELL:
        if (c->ncells == 0 && r == c->rs) {
          SAVE();
          return P_EOF;
        }
        SAVE();
        if (push_cell(t, c, r, 0, ei, err)) return P_ERR;
        break;
      case S_UNQ:
        SAVE();
        if (push_cell(t, c, c->cs, r - c->cs, ei, err)) return P_ERR;
        break;
      case S_QUO:
        SAVE();
        *err = wg__fail(t, ei, WG_EFORMAT, c->record, c->ncells,
                        "unterminated quote: the quoted cell opened on line "
                        "%ld never ends",
                        c->quote_line);
        return P_ERR;
      default: /* S_QQ, S_QTAIL */
        SAVE();
        if (push_cell(t, c, c->cs, w - c->cs, ei, err)) return P_ERR;
        break;
      }
      c->st = S_CELL;
      return P_RECORD;
    }
    switch (st) {
    case S_CELL:
      c->cs = r;
      if (b[r] == '"') {
        st = S_QUO;
        w = r;
        r++;
        c->quote_line = c->line;
      } else {
        st = S_UNQ;
      }
      break;
    case S_UNQ: {
      while (r < len && !sp[b[r]]) hi |= b[r++];
      if (r == len) break;
      unsigned ch = b[r];
      if (ch == '"') { /* a quote inside an unquoted cell is literal */
        r++;
        break;
      }
      if (ch == 0) NUL_ERROR();
      SAVE();
      if (push_cell(t, c, c->cs, r - c->cs, ei, err)) return P_ERR;
      r++;
      st = S_CELL;
      if (ch != delim) {
        c->line++;
        c->skip_lf = ch == '\r';
        SAVE();
        return P_RECORD;
      }
      break;
    }
    case S_QUO:
      while (r < len) {
        unsigned ch = b[r];
        if (ch == '"') break;
        if (ch == 0) NUL_ERROR();
        if (ch == '\n') c->line++;
        hi |= ch;
        b[w++] = (unsigned char)ch;
        r++;
      }
      if (r == len) break;
      r++;
      st = S_QQ;
      break;
    case S_QQ:
      if (b[r] == '"') { /* doubled quote */
        b[w++] = '"';
        r++;
        st = S_QUO;
      } else {
        st = S_QTAIL; /* closing quote; anything up to the delimiter is kept */
      }
      break;
    case S_QTAIL: {
      while (r < len && !sp[b[r]]) {
        hi |= b[r];
        b[w++] = b[r++];
      }
      if (r == len) break;
      unsigned ch = b[r];
      if (ch == '"') {
        b[w++] = '"';
        r++;
        break;
      }
      if (ch == 0) NUL_ERROR();
      SAVE();
      if (push_cell(t, c, c->cs, w - c->cs, ei, err)) return P_ERR;
      r++;
      st = S_CELL;
      if (ch != delim) {
        c->line++;
        c->skip_lf = ch == '\r';
        SAVE();
        return P_RECORD;
      }
      break;
    }
    }
  }
#undef SAVE
#undef CHECK_LEN
#undef NUL_ERROR
}

/* Make the record's cells UTF-8: validate, or convert from GB18030. */
static wg_err decode_record(wg_table_t *t, wg__csv *c, wg_errinfo *ei) {
  for (int i = 0; i < c->ncells; i++) {
    c->cellp[i] = (const char *)c->buf + c->cstart[i];
    c->lens[i] = c->clen[i];
  }
  if (!(c->hi & 0x80)) return WG_OK;
  if (!c->gb) {
    int bad = -1;
    for (int i = 0; i < c->ncells && bad < 0; i++)
      if (!wg_utf8_valid(c->cellp[i], c->lens[i])) bad = i;
    if (bad < 0) {
      c->seen_high = 1;
      return WG_OK;
    }
    if (c->bom || c->seen_high)
      return wg__fail(t, ei, WG_EENCODING, c->record, bad,
                      "text is not valid UTF-8 (the rows before were)");
    /* Pure ASCII so far: this may be the first non-ASCII row of a
     * GB18030 file. */
    c->gb = 1;
    t->encoding = "gb18030";
  }
  size_t need = 0;
  for (int i = 0; i < c->ncells; i++) need += 2 * c->lens[i] + 1;
  if (need > c->conv_cap) {
    char *n = realloc(c->conv, need);
    if (!n) return wg__fail(t, ei, WG_ENOMEM, c->record, -1, "out of memory");
    c->conv = n;
    c->conv_cap = need;
  }
  if (!c->cd && !(c->cd = wg_gb18030_open()))
    return wg__fail(t, ei, WG_EENCODING, c->record, -1,
                    "GB18030 conversion is not available (iconv)");
  size_t used = 0;
  for (int i = 0; i < c->ncells; i++) {
    const char *s = c->cellp[i];
    size_t n = c->lens[i], k;
    for (k = 0; k < n && !((unsigned char)s[k] & 0x80); k++) {}
    if (k == n) continue; /* ASCII: identical in GB18030 */
    size_t out;
    int rc = wg_gb18030_to_utf8(c->cd, s, n, c->conv + used,
                                c->conv_cap - used - 1, &out);
    if (rc != 0)
      return wg__fail(t, ei, WG_EENCODING, c->record, i,
                      "text is neither valid UTF-8 nor GB18030");
    if (out > t->opts.max_cell)
      return wg__fail(t, ei, WG_ETOOBIG, c->record, i,
                      "cell longer than %zu bytes", t->opts.max_cell);
    c->conv[used + out] = '\0';
    c->cellp[i] = c->conv + used;
    c->lens[i] = out;
    used += out + 1;
  }
  return WG_OK;
}

wg_err wg__csv_next(wg_table_t *t, wg_table_row *row, int *has_row,
                    wg_errinfo *ei) {
  wg__csv *c = t->csv;
  for (;;) {
    if (c->done) return WG_OK;
    /* start a new record */
    c->rs = c->r;
    c->ncells = 0;
    c->hi = 0;
    c->st = S_CELL;
    c->record++;
    int pr;
    wg_err err = WG_OK;
    while ((pr = parse(t, c, ei, &err)) == P_NEED) {
      if ((err = make_room(t, c, ei)) != WG_OK) return err;
      if ((err = fill(t, c, ei)) != WG_OK) return err;
    }
    if (pr == P_ERR) return err;
    if (pr == P_EOF) {
      c->done = 1;
      return WG_OK;
    }
    int empty = 1;
    for (int i = 0; i < c->ncells && empty; i++)
      if (c->clen[i]) empty = 0;
    if (empty) continue; /* blank line or only delimiters */
    if ((err = decode_record(t, c, ei)) != WG_OK) return err;
    row->row = c->record;
    row->ncells = c->ncells;
    row->cells = c->cellp;
    row->lens = c->lens;
    *has_row = 1;
    return WG_OK;
  }
}

/* Choose the encoding from the first block: UTF-8 unless it has bytes that
 * are not UTF-8 (a character cut by the block end does not count). */
static void sniff_encoding(wg_table_t *t, wg__csv *c) {
  const unsigned char *p = c->buf + c->r;
  size_t n = c->len - c->r;
  size_t ok = wg_utf8_scan(p, n);
  if (ok == n) return;
  if (!c->eof && n - ok < 4) {
    /* a lead byte and continuation bytes cut by the block end? */
    unsigned lead = p[ok];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    size_t k = ok + 1;
    while (k < n && (p[k] & 0xC0) == 0x80) k++;
    if (want > n - ok && k == n) return;
  }
  /* A UTF-8 file with a broken row later on: its first non-ASCII line is
   * valid UTF-8 (strict: GB18030 pairs such as C1 AA are overlong). Stay
   * UTF-8 so that the error names the broken row. */
  size_t h = 0;
  while (h < ok && p[h] < 0x80) h++;
  if (h < ok) {
    const unsigned char *nl = memchr(p + h, '\n', ok - h);
    if (nl) return;
  }
  c->gb = 1;
  t->encoding = "gb18030";
}

wg_err wg__csv_open(wg_table_t *t, int fd, const unsigned char *mem,
                    size_t size, wg_errinfo *ei) {
  wg__csv *c = calloc(1, sizeof *c);
  if (!c) {
    if (fd >= 0) close(fd);
    return wg__fail(t, ei, WG_ENOMEM, 0, -1, "out of memory");
  }
  t->csv = c;
  t->format = "csv";
  c->fd = fd;
  c->mem = mem;
  c->mem_len = mem ? size : 0;
  c->total = size;
  /* A block, or less for a small input (the buffer grows if a record needs
   * it); never more than a record may take. */
  c->cap = CSV_BLOCK;
  if (size + 1 < c->cap) c->cap = size + 1 < 4096 ? 4096 : size + 1;
  if (t->opts.max_row < c->cap) c->cap = t->opts.max_row;
  c->buf = malloc(c->cap + 1);
  if (!c->buf) return wg__fail(t, ei, WG_ENOMEM, 0, -1, "out of memory");
  c->delim = t->opts.delimiter;
  if (c->delim == '"' || c->delim == '\r' || c->delim == '\n' || c->delim == 0)
    return wg__fail(t, ei, WG_EINVAL, 0, -1, "invalid CSV delimiter");
  c->special[(unsigned char)c->delim] = 1;
  c->special['"'] = c->special['\r'] = c->special['\n'] = c->special[0] = 1;
  c->line = 1;
  /* Fill the first block completely (fill() may stop at half a block). */
  wg_err err;
  while (!c->eof && c->len < c->cap)
    if ((err = fill(t, c, ei)) != WG_OK) return err;
  if (c->len >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0) {
    c->bom = 1;
    c->r = c->rs = 3;
    t->encoding = "utf-8-bom";
  }
  if (c->len == c->r)
    return wg__fail(t, ei, WG_EFORMAT, 0, -1, "empty file");
  if (!c->bom) sniff_encoding(t, c);
  return WG_OK;
}
