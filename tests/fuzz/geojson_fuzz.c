/* geojson_fuzz.c — libFuzzer target for the GeoJSON reader and writer.
 * The first input byte picks small caps so the cap paths are reached; the
 * rest is the document. Every feature read is written back (to a memory
 * stream) and its WKB walked, so the WKB the reader builds is exercised by
 * the walker and the writer too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/features.h"
#include "io/geojson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_ring(void *ctx, int part, int ring, int npoints, const double *xy) {
  (void)part, (void)ring, (void)xy;
  *(long *)ctx += npoints;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  wg_features_opts o = {0};
  uint8_t mode = data[0];
  data++, size--;
  if (mode & 1) o.max_features = 1 + (mode >> 5);
  if (mode & 2) o.max_vertices = 4 + (mode >> 4);
  if (mode & 4) o.max_depth = 2 + ((mode >> 3) & 7);
  if (mode & 8) o.max_fields = 1 + ((mode >> 4) & 3);
  if (mode & 16) o.max_value = 8;
  wg_features_t f;
  wg_errinfo ei = {0};
  wg_err e = wg_geojson_read_mem(data, size, &o, &f, &ei);
  if (e == WG_OK) {
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem) {
      wg_geojson_writer w;
      wg_geojson_writer_start(&w, mem, 7);
      long vertices = 0;
      wg_geojson_prop *props = calloc((size_t)f.nfields + 1, sizeof *props);
      for (int i = 0; i < f.n && props; i++) {
        for (int k = 0; k < f.nfields; k++) {
          size_t at = (size_t)i * (size_t)f.nfields + (size_t)k;
          props[k] = (wg_geojson_prop){f.fields[k], f.values[at], (wg_value_type)f.types[at]};
        }
        if (f.kind == WG_FEATURE_POLYGON) {
          if (wg_wkb_rings(f.wkb[i], f.wkb_len[i], count_ring, &vertices) != WG_OK)
            __builtin_trap(); /* the reader built a WKB the walker rejects */
          if (wg_geojson_write_wkb(&w, f.wkb[i], f.wkb_len[i], props, f.nfields, &ei) != WG_OK)
            __builtin_trap();
        } else {
          if (wg_geojson_write_point(&w, f.x[i], f.y[i], props, f.nfields, &ei) != WG_OK)
            __builtin_trap();
        }
      }
      if (vertices != f.vertices) __builtin_trap();
      free(props);
      (void)wg_geojson_writer_close(&w, &ei);
      fclose(mem);
      /* what was written reads back with as many features (coordinates are
       * rounded, so only the count is compared) */
      wg_features_t g = {0};
      if (f.n > 0 && f.lonlat && wg_geojson_read_mem(buf, len, NULL, &g, &ei) == WG_OK &&
          g.n != f.n)
        __builtin_trap();
      wg_features_free(&g);
      free(buf);
    }
  }
  wg_features_free(&f);
  return 0;
}
