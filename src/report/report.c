/* report.c — the report model and its renderers (HTML with inline SVG,
 * XLSX with libxlsxwriter); see report.h. */
#include "report/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* ---- the model ------------------------------------------------------------------ */

static char *rdup(wg_report *r, const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) r->oom = 1;
  return d;
}

wg_report *wg_report_new(const char *title, const char *subtitle) {
  wg_report *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->title = rdup(r, title);
  r->subtitle = rdup(r, subtitle);
  if (r->oom) {
    wg_report_free(r);
    return NULL;
  }
  return r;
}

static void free_table(wg_report_table *t) {
  if (!t) return;
  free(t->title);
  for (int c = 0; c < t->ncols; c++) free(t->cols[c]);
  for (int i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i].text);
  free(t->cells);
  free(t->behind);
  free(t);
}

static void free_chart(wg_report_chart *c) {
  if (!c) return;
  free(c->title);
  free(c->unit);
  for (int i = 0; i < c->n; i++) free(c->labels[i]);
  free(c->labels);
  free(c->values);
  free(c);
}

void wg_report_free(wg_report *r) {
  if (!r) return;
  for (int i = 0; i < r->n; i++) {
    free(r->blocks[i].text);
    free_table(r->blocks[i].table);
    free_chart(r->blocks[i].chart);
  }
  free(r->blocks);
  free(r->title);
  free(r->subtitle);
  free(r);
}

static wg_report_block *add_block(wg_report *r, wg_report_block_kind kind) {
  if (r->n == r->cap) {
    int cap = r->cap ? r->cap * 2 : 16;
    void *p = realloc(r->blocks, sizeof *r->blocks * (size_t)cap);
    if (!p) {
      r->oom = 1;
      return NULL;
    }
    r->blocks = p;
    r->cap = cap;
  }
  wg_report_block *b = &r->blocks[r->n++];
  memset(b, 0, sizeof *b);
  b->kind = kind;
  return b;
}

void wg_report_heading(wg_report *r, const char *text) {
  wg_report_block *b = add_block(r, WG_BLOCK_HEADING);
  if (b) b->text = rdup(r, text);
}

void wg_report_para(wg_report *r, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  wg_report_block *b = add_block(r, WG_BLOCK_PARA);
  if (b) b->text = rdup(r, buf);
}

wg_report_table *wg_report_table_add(wg_report *r, const char *title, int ncols,
                                     const char *const *cols) {
  if (ncols < 1 || ncols > WG_REPORT_MAX_COLS) return NULL;
  wg_report_table *t = calloc(1, sizeof *t);
  wg_report_block *b = t ? add_block(r, WG_BLOCK_TABLE) : NULL;
  if (!b) {
    free(t);
    r->oom = 1;
    return NULL;
  }
  b->table = t;
  t->title = rdup(r, title);
  t->ncols = ncols;
  for (int c = 0; c < ncols; c++) t->cols[c] = rdup(r, cols[c]);
  t->filled = ncols;
  return t;
}

void wg_report_row(wg_report *r, wg_report_table *t, int behind) {
  if (!t) return;
  if (t->nrows == t->cap) {
    int cap = t->cap ? t->cap * 2 : 32;
    void *c = realloc(t->cells, sizeof *t->cells * (size_t)(cap * t->ncols));
    if (!c) {
      r->oom = 1;
      return;
    }
    t->cells = c;
    void *bh = realloc(t->behind, (size_t)cap);
    if (!bh) {
      r->oom = 1;
      return;
    }
    t->behind = bh;
    t->cap = cap;
  }
  memset(&t->cells[t->nrows * t->ncols], 0, sizeof *t->cells * (size_t)t->ncols);
  for (int c = 0; c < t->ncols; c++) t->cells[t->nrows * t->ncols + c].kind = WG_RC_TEXT;
  t->behind[t->nrows] = behind ? 1 : 0;
  t->nrows++;
  t->filled = 0;
}

static wg_report_cell *next_cell(wg_report_table *t) {
  if (!t || !t->nrows || t->filled >= t->ncols) return NULL;
  return &t->cells[(t->nrows - 1) * t->ncols + t->filled++];
}

void wg_report_text(wg_report *r, wg_report_table *t, const char *text) {
  wg_report_cell *c = next_cell(t);
  if (!c) return;
  c->kind = WG_RC_TEXT;
  c->text = rdup(r, text);
}

void wg_report_int(wg_report *r, wg_report_table *t, int64_t v) {
  (void)r;
  wg_report_cell *c = next_cell(t);
  if (!c) return;
  c->kind = WG_RC_INT;
  c->v = v;
}

void wg_report_pct(wg_report *r, wg_report_table *t, int64_t hundredths) {
  (void)r;
  wg_report_cell *c = next_cell(t);
  if (!c) return;
  c->kind = WG_RC_PCT;
  c->v = hundredths;
}

const wg_report_cell *wg_report_cell_at(const wg_report_table *t, int row, int col) {
  if (!t || row < 0 || row >= t->nrows || col < 0 || col >= t->ncols) return NULL;
  return &t->cells[row * t->ncols + col];
}

wg_report_chart *wg_report_chart_add(wg_report *r, const char *title, wg_report_chart_kind kind,
                                     const char *unit, double ref) {
  wg_report_chart *c = calloc(1, sizeof *c);
  wg_report_block *b = c ? add_block(r, WG_BLOCK_CHART) : NULL;
  if (!b) {
    free(c);
    r->oom = 1;
    return NULL;
  }
  b->chart = c;
  c->title = rdup(r, title);
  c->unit = rdup(r, unit);
  c->kind = kind;
  c->ref = ref;
  return c;
}

void wg_report_point(wg_report *r, wg_report_chart *c, const char *label, double value) {
  if (!c) return;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 32;
    void *l = realloc(c->labels, sizeof *c->labels * (size_t)cap);
    if (!l) {
      r->oom = 1;
      return;
    }
    c->labels = l;
    void *v = realloc(c->values, sizeof *c->values * (size_t)cap);
    if (!v) {
      r->oom = 1;
      return;
    }
    c->values = v;
    c->cap = cap;
  }
  c->labels[c->n] = rdup(r, label);
  c->values[c->n] = value;
  c->n++;
}

/* ---- a growable buffer ------------------------------------------------------------ */

typedef struct buf {
  char *p;
  size_t len, cap;
  int oom;
} buf;

static void put(buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text escaped for HTML content and attribute values. */
static void esc(buf *b, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '<': puts_(b, "&lt;"); break;
      case '>': puts_(b, "&gt;"); break;
      case '&': puts_(b, "&amp;"); break;
      case '"': puts_(b, "&quot;"); break;
      case '\'': puts_(b, "&#39;"); break;
      default: put(b, s, 1);
    }
  }
}

static void cell_text(const wg_report_cell *c, char *out, size_t cap) {
  switch (c->kind) {
    case WG_RC_INT: {
      /* Thousands separators, as offices print figures. */
      char digits[32];
      long long v = (long long)c->v;
      snprintf(digits, sizeof digits, "%lld", v < 0 ? -v : v);
      size_t n = strlen(digits), o = 0;
      if (v < 0 && o + 1 < cap) out[o++] = '-';
      for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
      }
      out[o] = '\0';
      break;
    }
    case WG_RC_PCT: {
      long long h = (long long)c->v;
      snprintf(out, cap, "%s%lld.%02lld%%", h < 0 ? "-" : "", (h < 0 ? -h : h) / 100,
               (h < 0 ? -h : h) % 100);
      break;
    }
    default: snprintf(out, cap, "%s", c->text ? c->text : ""); break;
  }
}

/* ---- SVG charts ---------------------------------------------------------------- */

static void svg_bars(buf *b, const wg_report_chart *c) {
  const int row = 22, left = 150, width = 640, plot = width - left - 70;
  int height = c->n * row + 40;
  double max = c->ref > 100 ? c->ref : 100;
  for (int i = 0; i < c->n; i++)
    if (c->values[i] > max) max = c->values[i];
  putf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
          " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
       width, height, width, height);
  esc(b, c->title);
  puts_(b, "\">");
  for (int i = 0; i < c->n; i++) {
    int y = 10 + i * row;
    double w = c->values[i] / max * plot;
    int behind = c->ref >= 0 && c->values[i] < c->ref;
    putf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">", left - 6, y + 14);
    esc(b, c->labels[i]);
    putf(b,
         "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
         "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.2f%s</text>",
         left, y + 3, w < 0 ? 0 : w, row - 6, behind ? "#d9534f" : "#3b7dd8", left + w + 4,
         y + 14, c->values[i], c->unit);
  }
  if (c->ref >= 0) {
    double x = left + c->ref / max * plot;
    putf(b,
         "<line x1=\"%.1f\" y1=\"6\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>"
         "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">时序进度 %.2f%%</text>",
         x, x, height - 22, x, height - 8, c->ref);
  }
  puts_(b, "</svg>");
}

static void svg_line(buf *b, const wg_report_chart *c) {
  const int width = 640, height = 240, left = 60, right = 20, top = 16, bottom = 40;
  double max = 0;
  for (int i = 0; i < c->n; i++)
    if (c->values[i] > max) max = c->values[i];
  if (max <= 0) max = 1;
  putf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
          " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
       width, height, width, height);
  esc(b, c->title);
  puts_(b, "\">");
  int pw = width - left - right, ph = height - top - bottom;
  putf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left, top + ph,
       left + pw, top + ph);
  putf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.0f</text>", left - 4,
       top + 10, max);
  putf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>", left - 4,
       top + ph);
  puts_(b, "<polyline fill=\"none\" stroke=\"#3b7dd8\" stroke-width=\"2\" points=\"");
  for (int i = 0; i < c->n; i++) {
    double x = left + (c->n > 1 ? (double)i / (c->n - 1) : 0.5) * pw;
    double y = top + ph - c->values[i] / max * ph;
    putf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
  }
  puts_(b, "\"/>");
  /* A few labels along the axis. */
  int step = c->n > 8 ? (c->n + 7) / 8 : 1;
  for (int i = 0; i < c->n; i += step) {
    double x = left + (c->n > 1 ? (double)i / (c->n - 1) : 0.5) * pw;
    putf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">", x,
         top + ph + 16);
    esc(b, c->labels[i]);
    puts_(b, "</text>");
  }
  puts_(b, "</svg>");
}

char *wg_report_html(const wg_report *r, size_t *len) {
  buf b = {0};
  puts_(&b,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
  esc(&b, r->title);
  puts_(&b,
        "</title><style>"
        "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:24px;"
        "color:#222;max-width:960px}"
        "h1{font-size:22px;text-align:center;margin:0 0 4px}.sub{text-align:center;color:#555}"
        "h2{font-size:17px;border-left:4px solid #3b7dd8;padding-left:8px;margin-top:28px}"
        "table{border-collapse:collapse;width:100%;margin:8px 0 4px;font-size:13px}"
        "caption{text-align:left;font-weight:bold;padding:4px 0}"
        "th,td{border:1px solid #999;padding:3px 6px}th{background:#e8eef7}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}"
        "tr.behind td{color:#b52b27;background:#fdf0ef}"
        ".chart{display:block;margin:8px 0;max-width:100%;height:auto}"
        "@media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}"
        "</style></head><body>\n<h1>");
  esc(&b, r->title);
  puts_(&b, "</h1><p class=\"sub\">");
  esc(&b, r->subtitle);
  puts_(&b, "</p>\n");
  for (int i = 0; i < r->n; i++) {
    const wg_report_block *bl = &r->blocks[i];
    switch (bl->kind) {
      case WG_BLOCK_HEADING:
        puts_(&b, "<h2>");
        esc(&b, bl->text);
        puts_(&b, "</h2>\n");
        break;
      case WG_BLOCK_PARA:
        puts_(&b, "<p>");
        esc(&b, bl->text);
        puts_(&b, "</p>\n");
        break;
      case WG_BLOCK_TABLE: {
        const wg_report_table *t = bl->table;
        puts_(&b, "<table><caption>");
        esc(&b, t->title);
        puts_(&b, "</caption><thead><tr>");
        for (int c = 0; c < t->ncols; c++) {
          puts_(&b, "<th>");
          esc(&b, t->cols[c]);
          puts_(&b, "</th>");
        }
        puts_(&b, "</tr></thead><tbody>");
        for (int rr = 0; rr < t->nrows; rr++) {
          puts_(&b, t->behind[rr] ? "<tr class=\"behind\">" : "<tr>");
          for (int c = 0; c < t->ncols; c++) {
            const wg_report_cell *cell = &t->cells[rr * t->ncols + c];
            char txt[160];
            cell_text(cell, txt, sizeof txt);
            puts_(&b, cell->kind == WG_RC_TEXT ? "<td>" : "<td class=\"n\">");
            esc(&b, txt);
            puts_(&b, "</td>");
          }
          puts_(&b, "</tr>");
        }
        puts_(&b, "</tbody></table>\n");
        break;
      }
      case WG_BLOCK_CHART:
        puts_(&b, "<figure>");
        if (bl->chart->kind == WG_CHART_BARS) svg_bars(&b, bl->chart);
        else svg_line(&b, bl->chart);
        puts_(&b, "<figcaption>");
        esc(&b, bl->chart->title);
        puts_(&b, "</figcaption></figure>\n");
        break;
    }
  }
  puts_(&b, "</body></html>\n");
  if (b.oom) {
    free(b.p);
    return NULL;
  }
  *len = b.len;
  return b.p;
}

/* ---- XLSX ------------------------------------------------------------------------ */

static wg_err write_xlsx(const wg_report *r, const char *path, wg_errinfo *ei) {
  lxw_workbook *wb = workbook_new(path);
  if (!wb) return wg_errinfo_set(ei, WG_EIO, "cannot create the workbook");
  lxw_worksheet *ws = workbook_add_worksheet(wb, "报告");
  lxw_format *title = workbook_add_format(wb), *sub = workbook_add_format(wb),
             *head = workbook_add_format(wb), *cap = workbook_add_format(wb),
             *text = workbook_add_format(wb), *num = workbook_add_format(wb),
             *pct = workbook_add_format(wb), *btext = workbook_add_format(wb),
             *bnum = workbook_add_format(wb), *bpct = workbook_add_format(wb),
             *h2 = workbook_add_format(wb), *para = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 16);
  format_set_align(title, LXW_ALIGN_CENTER);
  format_set_align(sub, LXW_ALIGN_CENTER);
  format_set_bold(h2);
  format_set_font_size(h2, 13);
  format_set_bold(cap);
  format_set_text_wrap(para);
  format_set_align(para, LXW_ALIGN_VERTICAL_TOP);
  format_set_bold(head);
  format_set_bg_color(head, 0xE8EEF7);
  format_set_border(head, LXW_BORDER_THIN);
  format_set_align(head, LXW_ALIGN_CENTER);
  lxw_format *body[6] = {text, num, pct, btext, bnum, bpct};
  for (int i = 0; i < 6; i++) {
    format_set_border(body[i], LXW_BORDER_THIN);
    if (i >= 3) {
      format_set_font_color(body[i], 0xB52B27);
      format_set_bg_color(body[i], 0xFDF0EF);
    }
  }
  format_set_num_format(num, "#,##0");
  format_set_num_format(bnum, "#,##0");
  format_set_num_format(pct, "0.00%");
  format_set_num_format(bpct, "0.00%");
  int maxcols = 1;
  for (int i = 0; i < r->n; i++)
    if (r->blocks[i].kind == WG_BLOCK_TABLE && r->blocks[i].table->ncols > maxcols)
      maxcols = r->blocks[i].table->ncols;
  worksheet_set_column(ws, 0, 0, 22, NULL);
  worksheet_set_column(ws, 1, (lxw_col_t)(maxcols > 1 ? maxcols - 1 : 1), 14, NULL);
  lxw_row_t row = 0;
  worksheet_merge_range(ws, row, 0, row, (lxw_col_t)(maxcols - 1), r->title, title);
  row++;
  worksheet_merge_range(ws, row, 0, row, (lxw_col_t)(maxcols - 1), r->subtitle, sub);
  row += 2;
  for (int i = 0; i < r->n; i++) {
    const wg_report_block *bl = &r->blocks[i];
    switch (bl->kind) {
      case WG_BLOCK_HEADING:
        worksheet_write_string(ws, row++, 0, bl->text, h2);
        break;
      case WG_BLOCK_PARA:
        if (maxcols > 1) worksheet_merge_range(ws, row, 0, row, (lxw_col_t)(maxcols - 1), bl->text, para);
        else worksheet_write_string(ws, row, 0, bl->text, para);
        /* Room for wrapped text: about 60 characters a line. */
        worksheet_set_row(ws, row, 15.0 * (double)(1 + strlen(bl->text) / 180), NULL);
        row++;
        break;
      case WG_BLOCK_TABLE: {
        const wg_report_table *t = bl->table;
        worksheet_write_string(ws, row++, 0, t->title, cap);
        for (int c = 0; c < t->ncols; c++) worksheet_write_string(ws, row, (lxw_col_t)c, t->cols[c], head);
        row++;
        for (int rr = 0; rr < t->nrows; rr++, row++)
          for (int c = 0; c < t->ncols; c++) {
            const wg_report_cell *cell = &t->cells[rr * t->ncols + c];
            int k = t->behind[rr] ? 3 : 0;
            if (cell->kind == WG_RC_INT)
              worksheet_write_number(ws, row, (lxw_col_t)c, (double)cell->v, body[k + 1]);
            else if (cell->kind == WG_RC_PCT)
              worksheet_write_number(ws, row, (lxw_col_t)c, (double)cell->v / 10000.0, body[k + 2]);
            else
              worksheet_write_string(ws, row, (lxw_col_t)c, cell->text ? cell->text : "", body[k]);
          }
        row++;
        break;
      }
      case WG_BLOCK_CHART: {
        /* The chart's data as a small table (the HTML draws it). */
        const wg_report_chart *c = bl->chart;
        worksheet_write_string(ws, row++, 0, c->title, cap);
        for (int k = 0; k < c->n; k++, row++) {
          worksheet_write_string(ws, row, 0, c->labels[k], text);
          worksheet_write_number(ws, row, 1, c->values[k], NULL);
        }
        row++;
        break;
      }
    }
  }
  lxw_error le = workbook_close(wb);
  if (le != LXW_NO_ERROR) return wg_errinfo_set(ei, WG_EIO, "writing the workbook: %s", lxw_strerror(le));
  return WG_OK;
}

wg_err wg_report_write(const wg_report *r, const char *format, const char *path, wg_errinfo *ei) {
  if (ei) snprintf(ei->file, sizeof ei->file, "%s", path);
  if (r->oom) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory building the report");
  int xlsx = format && !strcmp(format, "xlsx"), html = format && !strcmp(format, "html");
  if (!xlsx && !html) {
    if (ei) snprintf(ei->field, sizeof ei->field, "format");
    return wg_errinfo_set(ei, WG_EINVAL, "the format is xlsx or html");
  }
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp) return WG_ENOMEM;
  memcpy(tmp, path, n);
  memcpy(tmp + n, ".tmpXXXXXX", 11);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    free(tmp);
    return wg_errinfo_set(ei, WG_EIO, "cannot create a file beside it");
  }
  wg_err e = WG_OK;
  if (html) {
    size_t len = 0;
    char *text = wg_report_html(r, &len);
    if (!text) e = WG_ENOMEM;
    size_t off = 0;
    while (!e && off < len) {
      ssize_t w = write(fd, text + off, len - off);
      if (w <= 0) e = wg_errinfo_set(ei, WG_EIO, "cannot write");
      else off += (size_t)w;
    }
    free(text);
    if (close(fd) != 0 && !e) e = wg_errinfo_set(ei, WG_EIO, "cannot write");
  } else {
    close(fd);
    e = write_xlsx(r, tmp, ei);
  }
  if (!e && rename(tmp, path) != 0) e = wg_errinfo_set(ei, WG_EIO, "cannot rename into place");
  if (e) unlink(tmp);
  free(tmp);
  return e;
}
