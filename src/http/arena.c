/* arena.c — the request arena: bump allocation in chunks, freed at once. */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

struct wg_arena_chunk {
  wg_arena_chunk *next;
  size_t cap, used;
  _Alignas(16) unsigned char data[];
};

void wg__arena_init(wg_arena *a) {
  memset(a, 0, sizeof *a);
}

void *wg__arena_alloc(wg_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (n == 0) n = 16;
  if (n > WG_ARENA_CAP || a->used_total + n > WG_ARENA_CAP) return NULL;
  wg_arena_chunk *c = a->head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > WG_ARENA_CHUNK / 2 ? n : WG_ARENA_CHUNK;
    c = malloc(sizeof *c + cap);
    if (!c) return NULL;
    c->cap = cap;
    c->used = 0;
    /* A big block goes behind the current chunk so its free space stays
     * in use. */
    if (a->head && cap == n) {
      c->next = a->head->next;
      a->head->next = c;
    } else {
      c->next = a->head;
      a->head = c;
    }
  }
  void *p = c->data + c->used;
  c->used += n;
  a->used_total += n;
  return p;
}

char *wg__arena_strndup(wg_arena *a, const char *s, size_t n) {
  char *p = wg__arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void wg__arena_free(wg_arena *a) {
  if (!a) return;
  wg_arena_chunk *c = a->head;
  while (c) {
    wg_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->used_total = 0;
}
