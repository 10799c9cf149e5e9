#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

struct wg_strmap_slot {
  const char *key; /* NULL = empty */
  size_t len;
  uint64_t hash;
  int64_t value;
};

struct wg_strmap_chunk {
  struct wg_strmap_chunk *next;
  size_t used, cap;
  char data[];
};

static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

void wg_strmap_init(wg_strmap *m) { memset(m, 0, sizeof *m); }

void wg_strmap_free(wg_strmap *m) {
  if (!m) return;
  free(m->slots);
  struct wg_strmap_chunk *c = m->chunks;
  while (c) {
    struct wg_strmap_chunk *next = c->next;
    free(c);
    c = next;
  }
  memset(m, 0, sizeof *m);
}

static struct wg_strmap_slot *find(struct wg_strmap_slot *slots, size_t cap, const char *key,
                                   size_t len, uint64_t h) {
  size_t i = (size_t)h & (cap - 1);
  for (;;) {
    struct wg_strmap_slot *s = &slots[i];
    if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)) return s;
    i = (i + 1) & (cap - 1);
  }
}

int wg_strmap_get(const wg_strmap *m, const char *key, size_t len, int64_t *value) {
  if (!m->capacity) return 0;
  struct wg_strmap_slot *s = find(m->slots, m->capacity, key, len, fnv1a(key, len));
  if (!s->key) return 0;
  *value = s->value;
  return 1;
}

static const char *store_key(wg_strmap *m, const char *key, size_t len) {
  struct wg_strmap_chunk *c = m->chunks;
  if (!c || c->cap - c->used < len + 1) {
    size_t cap = len + 1 > 65536 ? len + 1 : 65536;
    c = malloc(sizeof *c + cap);
    if (!c) return NULL;
    c->next = m->chunks;
    c->used = 0;
    c->cap = cap;
    m->chunks = c;
  }
  char *p = c->data + c->used;
  memcpy(p, key, len);
  p[len] = '\0';
  c->used += len + 1;
  return p;
}

static int grow(wg_strmap *m) {
  size_t cap = m->capacity ? m->capacity * 2 : 1024;
  struct wg_strmap_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < m->capacity; i++) {
    struct wg_strmap_slot *o = &m->slots[i];
    if (o->key) *find(slots, cap, o->key, o->len, o->hash) = *o;
  }
  free(m->slots);
  m->slots = slots;
  m->capacity = cap;
  return 0;
}

wg_err wg_strmap_put(wg_strmap *m, const char *key, size_t len, int64_t value) {
  if ((m->count + 1) * 4 > m->capacity * 3 && grow(m) != 0) return WG_ENOMEM;
  uint64_t h = fnv1a(key, len);
  struct wg_strmap_slot *s = find(m->slots, m->capacity, key, len, h);
  if (!s->key) {
    const char *k = store_key(m, key, len);
    if (!k) return WG_ENOMEM;
    s->key = k;
    s->len = len;
    s->hash = h;
    m->count++;
  }
  s->value = value;
  return WG_OK;
}

struct wg_u64pair {
  uint64_t key; /* 0 = empty */
  int64_t value;
};

void wg_strmap_each(const wg_strmap *m, wg_strmap_fn fn, void *ctx) {
  for (size_t i = 0; i < m->capacity; i++)
    if (m->slots[i].key && fn(ctx, m->slots[i].key, m->slots[i].len, m->slots[i].value)) return;
}

void wg_u64map_init(wg_u64map *m) { memset(m, 0, sizeof *m); }

void wg_u64map_free(wg_u64map *m) {
  if (!m) return;
  free(m->pairs);
  memset(m, 0, sizeof *m);
}

static size_t u64_index(size_t cap, uint64_t key) {
  int bits = __builtin_ctzll((unsigned long long)cap);
  return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static struct wg_u64pair *u64_slot(struct wg_u64pair *pairs, size_t cap, uint64_t key) {
  /* Fibonacci hashing: the top bits of the product are the well-mixed ones
   * (structured keys such as ID numbers cluster badly in the middle bits). */
  size_t i = u64_index(cap, key);
  while (pairs[i].key && pairs[i].key != key) i = (i + 1) & (cap - 1);
  return &pairs[i];
}

int wg_u64map_get(const wg_u64map *m, uint64_t key, int64_t *value) {
  if (!m->capacity || key == 0) return 0;
  struct wg_u64pair *p = u64_slot(m->pairs, m->capacity, key);
  if (!p->key) return 0;
  *value = p->value;
  return 1;
}

void wg_u64map_prefetch(const wg_u64map *m, uint64_t key) {
  if (m->capacity) __builtin_prefetch(&m->pairs[u64_index(m->capacity, key)]);
}

static wg_err u64_grow(wg_u64map *m, size_t cap) {
  struct wg_u64pair *pairs = calloc(cap, sizeof *pairs);
  if (!pairs) return WG_ENOMEM;
  for (size_t i = 0; i < m->capacity; i++)
    if (m->pairs[i].key) *u64_slot(pairs, cap, m->pairs[i].key) = m->pairs[i];
  free(m->pairs);
  m->pairs = pairs;
  m->capacity = cap;
  return WG_OK;
}

wg_err wg_u64map_reserve(wg_u64map *m, size_t n) {
  size_t cap = 1024;
  while (cap * 3 < n * 4) cap *= 2;
  return cap > m->capacity ? u64_grow(m, cap) : WG_OK;
}

wg_err wg_u64map_put(wg_u64map *m, uint64_t key, int64_t value) {
  if (key == 0) return WG_EINVAL;
  if ((m->count + 1) * 4 > m->capacity * 3) {
    size_t cap = m->capacity ? m->capacity * 2 : 1024;
    wg_err e = u64_grow(m, cap);
    if (e) return e;
  }
  struct wg_u64pair *p = u64_slot(m->pairs, m->capacity, key);
  if (!p->key) {
    p->key = key;
    m->count++;
  }
  p->value = value;
  return WG_OK;
}
