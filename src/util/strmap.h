/* strmap.h — a string → int64 hash map with its own key storage.
 *
 * Open addressing with linear probing, FNV-1a hashing; keys are copied into
 * an internal arena, so callers may pass temporary strings. For caches on
 * hot paths (the import's address and household lookups). */
#ifndef WG_STRMAP_H
#define WG_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct wg_strmap {
  struct wg_strmap_slot *slots; /* capacity entries */
  size_t capacity;              /* power of two */
  size_t count;
  struct wg_strmap_chunk *chunks; /* key storage */
} wg_strmap;

void wg_strmap_init(wg_strmap *m);
void wg_strmap_free(wg_strmap *m); /* accepts a zeroed map */

/* Looks key up; returns 1 and sets *value when present, else 0. */
int wg_strmap_get(const wg_strmap *m, const char *key, size_t len, int64_t *value);
/* Inserts or replaces. WG_ENOMEM on allocation failure (map unchanged). */
wg_err wg_strmap_put(wg_strmap *m, const char *key, size_t len, int64_t value) WG_MUST_CHECK;

/* Calls fn for every entry, in no particular order; keys are
 * NUL-terminated copies. fn returning non-zero stops the walk. */
typedef int (*wg_strmap_fn)(void *ctx, const char *key, size_t len, int64_t value);
void wg_strmap_each(const wg_strmap *m, wg_strmap_fn fn, void *ctx);

/* uint64 keys (never 0: it marks an empty slot) with an int64 value each;
 * one array of pairs, so a look-up touches one cache line. */
typedef struct wg_u64map {
  struct wg_u64pair *pairs;
  size_t capacity, count;
} wg_u64map;

void wg_u64map_init(wg_u64map *m);
void wg_u64map_free(wg_u64map *m);
int wg_u64map_get(const wg_u64map *m, uint64_t key, int64_t *value);
/* WG_EINVAL for key 0. */
wg_err wg_u64map_put(wg_u64map *m, uint64_t key, int64_t value) WG_MUST_CHECK;
/* Sizes the table for about n keys up front (no rehash on the way). */
wg_err wg_u64map_reserve(wg_u64map *m, size_t n) WG_MUST_CHECK;
/* Hints the CPU to fetch key's slot now, so a get/put a little later does
 * not wait for memory. */
void wg_u64map_prefetch(const wg_u64map *m, uint64_t key);

#endif
