/* Store contract tests: open/migrate/refuse, addresses, residents with
 * history and as-of, append-only guarantees, transactions. On SQLite, and on
 * PostgreSQL when WG_TEST_PG names a cluster (CTest runs it both ways). */
#include <sqlite3.h>
#include <stdint.h>
#include <unistd.h>

#include "store/store_int.h"
#include "store/store_pg.h"
#include "test.h"
#define BACKEND_TAG "store"
#include "backend.h"

static char *dir;

static int atoi_room(const char *room) { return (int)strtol(room, NULL, 10); }

static char *db_path(const char *name) {
  static char buf[512];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

static const char *uri(const char *name) { return backend_uri(dir, name); }

/* The version a fresh database reaches: on PostgreSQL, the newest one
 * ported there. */
static int latest(void) { return backend_pg() ? wg__pg_schema_latest() : WG_SCHEMA_VERSION; }

static void put_community(wg_store_t *s) {
  wg_division_t d = {.code = "141127100001", .parent = "141127100000",
                     .name = "滨河社区", .level = WG_DIV_COMMUNITY,
                     .kind = WG_AREA_URBAN};
  CHECK_EQ(wg_store_division_put(s, &d), WG_OK);
}

static int64_t make_event(wg_store_t *s, wg_event_kind k, int32_t eff) {
  wg_event_t ev = {.county = "141127", .kind = k, .effective = eff,
                   .actor = "test", .reason = "test"};
  CHECK_EQ(wg_store_event_add(s, &ev), WG_OK);
  return ev.id;
}

static int64_t make_dwelling(wg_store_t *s, const char *room) {
  int64_t estate, entrance, dwelling;
  CHECK_EQ(wg_store_estate_ensure(s, "141127100001", "易居苑", &estate), WG_OK);
  wg_building_t b = {.estate_id = estate, .community = "141127100001", .name = "3号楼",
                     .floors = 6, .lon = 111.67, .lat = 38.28};
  CHECK_EQ(wg_store_building_ensure(s, &b), WG_OK);
  CHECK_EQ(wg_store_entrance_ensure(s, b.id, "2单元", &entrance), WG_OK);
  CHECK_EQ(wg_store_dwelling_ensure(s, entrance, 5, room, &dwelling), WG_OK);
  return dwelling;
}

static wg_resident_t sample(int64_t ev, int64_t dwelling) {
  wg_resident_t r = {.county = "141127", .id_number = "11010519491231002X",
                     .name = "王芳", .sex = 'F', .birth = 19491231,
                     .phone = "13812345678", .relation = "户主",
                     .residence = WG_RES_REGISTERED, .status = WG_ST_ACTIVE,
                     .dwelling_id = dwelling, .tags = ",veteran,",
                     .since = 20250101, .event_id = ev};
  return r;
}

TEST(create_and_reopen) {
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_store_open(db_path("none.db"), 0, &s, &ei), WG_ENOTFOUND);
  CHECK(s == NULL);
  CHECK_EQ(wg_store_open(uri("a.db"), WG_STORE_CREATE, &s, &ei), WG_OK);
  CHECK_EQ(wg_store_schema_version(s), latest());
  CHECK_EQ(wg_store_meta_set(s, "county", "141127"), WG_OK);
  wg_store_close(s);
  CHECK_EQ(wg_store_open(uri("a.db"), 0, &s, &ei), WG_OK);
  char *v = NULL;
  CHECK_EQ(wg_store_meta_get(s, "county", &v), WG_OK);
  CHECK_STR(v, "141127");
  free(v);
  CHECK_EQ(wg_store_meta_get(s, "nothing", &v), WG_ENOTFOUND);
  wg_store_close(s);
}

TEST(migrates_older_database) {
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  /* A version-1 database with a resident in it, as an older wangge left it. */
  CHECK_EQ(wg__store_open_upto(uri("old.db"), WG_STORE_CREATE, 1, &s, &ei), WG_OK);
  CHECK_EQ(wg_store_schema_version(s), 1);
  put_community(s);
  int64_t ev = make_event(s, WG_EV_IMPORT, 20250101);
  wg_resident_t r = sample(ev, make_dwelling(s, "501"));
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  char code[32];
  CHECK_EQ(wg_store_tag_resolve(s, "veteran", code, sizeof code), WG_EDB); /* no tag table yet */
  wg_store_close(s);

  CHECK_EQ(wg_store_open(uri("old.db"), 0, &s, &ei), WG_OK);
  CHECK_EQ(wg_store_schema_version(s), latest());
  wg_resident_t got;
  CHECK_EQ(wg_store_resident_find(s, "11010519491231002X", &got), WG_OK);
  CHECK_STR(got.name, "王芳");
  CHECK_EQ(wg_store_tag_resolve(s, "退役军人", code, sizeof code), WG_OK);
  CHECK_STR(code, "veteran");
  wg_store_close(s);
}

/* The PostgreSQL form of the next test: a newer schema, a database that is
 * not wangge's, and no server at all. */
static void refuses_pg(void) {
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_store_open(uri("new"), WG_STORE_CREATE, &s, &ei), WG_OK);
  wg_store_close(s);
  CHECK_EQ(backend_sql(uri("new"), "UPDATE wg_schema SET version = 99"), 0);
  CHECK_EQ(wg_store_open(uri("new"), 0, &s, &ei), WG_ESCHEMA);
  CHECK(strstr(ei.why, "newer") != NULL);
  CHECK_EQ(backend_sql(uri("foreign"), "CREATE TABLE t(x int)"), 0);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_store_open(uri("foreign"), 0, &s, &ei), WG_ECORRUPT);
  CHECK(strstr(ei.why, "not a wangge") != NULL);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_store_open("postgresql:///x?host=/nonexistent", 0, &s, &ei), WG_EIO);
  CHECK(strstr(ei.why, "cannot connect") != NULL);
  CHECK(s == NULL);
}

TEST(refuses_newer_foreign_and_garbage) {
  if (backend_pg()) {
    refuses_pg();
    return;
  }
  wg_store_t *s = NULL;
  wg_errinfo ei = {0};
  CHECK_EQ(wg_store_open(uri("new.db"), WG_STORE_CREATE, &s, &ei), WG_OK);
  wg_store_close(s);
  sqlite3 *db;
  sqlite3_open(db_path("new.db"), &db);
  sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
  sqlite3_close(db);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_store_open(uri("new.db"), 0, &s, &ei), WG_ESCHEMA);
  CHECK(strstr(ei.why, "newer") != NULL);

  sqlite3_open(db_path("foreign.db"), &db);
  sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
  sqlite3_close(db);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_store_open(uri("foreign.db"), 0, &s, &ei), WG_ECORRUPT);
  CHECK(strstr(ei.why, "not a wangge") != NULL);

  FILE *f = fopen(db_path("garbage.db"), "wb");
  for (int i = 0; i < 8192; i++) fputc((i * 7919) & 0xff, f);
  fclose(f);
  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_store_open(uri("garbage.db"), 0, &s, &ei), WG_ECORRUPT);
  CHECK(s == NULL);

  memset(&ei, 0, sizeof ei);
  CHECK_EQ(wg_store_open("postgresql:///x?host=/nonexistent", 0, &s, &ei), WG_EIO);
}

TEST(addresses_get_or_create) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(uri("addr.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  put_community(s);
  int64_t d1 = make_dwelling(s, "501"), d2 = make_dwelling(s, "501"),
          d3 = make_dwelling(s, "502");
  CHECK_EQ(d1, d2);
  CHECK(d1 != d3);
  char label[256];
  CHECK_EQ(wg_store_dwelling_label(s, d1, label, sizeof label), WG_OK);
  CHECK_STR(label, "滨河社区 易居苑 3号楼 2单元 501");
  int64_t id;
  /* An estate in a community that does not exist violates a foreign key. */
  CHECK(wg_store_estate_ensure(s, "999999999999", "x", &id) != WG_OK);
  wg_store_close(s);
}

struct collect {
  int n;
  char names[8][64];
  int32_t valid_to[8];
  int64_t events[8];
};

static int collect_version(void *ctx, const wg_resident_t *r, int32_t valid_to) {
  struct collect *c = ctx;
  if (c->n < 8) {
    snprintf(c->names[c->n], 64, "%s", r->name);
    c->valid_to[c->n] = valid_to;
    c->events[c->n] = r->event_id;
  }
  c->n++;
  return 0;
}

static int collect_resident(void *ctx, const wg_resident_t *r) {
  struct collect *c = ctx;
  if (c->n < 8) snprintf(c->names[c->n], 64, "%s", r->name);
  c->n++;
  return 0;
}

TEST(resident_history_and_as_of) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(uri("hist.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  put_community(s);
  int64_t dwelling = make_dwelling(s, "501");
  int64_t ev1 = make_event(s, WG_EV_IMPORT, 20250101);
  wg_resident_t r = sample(ev1, dwelling);
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  CHECK(r.id > 0);

  /* Duplicate ID number is refused, not merged. */
  wg_resident_t dup = sample(ev1, dwelling);
  CHECK_EQ(wg_store_resident_insert(s, &dup), WG_EEXIST);

  /* A change without a new event is refused by the schema itself. */
  snprintf(r.name, sizeof r.name, "%s", "王芳芳");
  CHECK_EQ(wg_store_resident_update(s, &r), WG_ECONFLICT);

  /* Correction on 2025-06-01, then death on 2025-09-01. */
  r.event_id = make_event(s, WG_EV_CORRECTION, 20250601);
  r.since = 20250601;
  CHECK_EQ(wg_store_resident_update(s, &r), WG_OK);
  int64_t ev_death = make_event(s, WG_EV_DEATH, 20250901);
  r.event_id = ev_death;
  r.since = 20250901;
  r.status = WG_ST_DEAD;
  CHECK_EQ(wg_store_resident_update(s, &r), WG_OK);

  /* Backdating before the current version is refused. */
  r.event_id = make_event(s, WG_EV_CORRECTION, 20250101);
  r.since = 20250101;
  CHECK_EQ(wg_store_resident_update(s, &r), WG_ECONFLICT);

  struct collect c = {0};
  CHECK_EQ(wg_store_resident_versions(s, r.id, collect_version, &c), WG_OK);
  CHECK_EQ(c.n, 3);
  CHECK_STR(c.names[0], "王芳");
  CHECK_EQ(c.valid_to[0], 20250601);
  CHECK_EQ(c.events[0], ev1);
  CHECK_STR(c.names[1], "王芳芳");
  CHECK_EQ(c.valid_to[2], 0);
  CHECK_EQ(c.events[2], ev_death);

  wg_resident_filter f = {.county = "141127"};
  long n = -1;
  /* Today: dead, so not in the active ledger. */
  CHECK_EQ(wg_store_resident_count(s, &f, &n), WG_OK);
  CHECK_EQ(n, 0);
  f.include_inactive = 1;
  CHECK_EQ(wg_store_resident_count(s, &f, &n), WG_OK);
  CHECK_EQ(n, 1);
  f.include_inactive = 0;
  /* Before the import: nobody. */
  f.as_of = 20241231;
  CHECK_EQ(wg_store_resident_count(s, &f, &n), WG_OK);
  CHECK_EQ(n, 0);
  /* Between import and correction: the old name. */
  f.as_of = 20250301;
  memset(&c, 0, sizeof c);
  CHECK_EQ(wg_store_resident_each(s, &f, collect_resident, &c), WG_OK);
  CHECK_EQ(c.n, 1);
  CHECK_STR(c.names[0], "王芳");
  f.as_of = 20250701;
  memset(&c, 0, sizeof c);
  CHECK_EQ(wg_store_resident_each(s, &f, collect_resident, &c), WG_OK);
  CHECK_EQ(c.n, 1);
  CHECK_STR(c.names[0], "王芳芳");
  /* The community filter and the tag filter. */
  f.as_of = 20250701;
  f.community = "141127100001";
  f.tag = "veteran";
  CHECK_EQ(wg_store_resident_count(s, &f, &n), WG_OK);
  CHECK_EQ(n, 1);
  f.tag = "disabled";
  CHECK_EQ(wg_store_resident_count(s, &f, &n), WG_OK);
  CHECK_EQ(n, 0);
  f.tag = NULL;
  f.community = "141127100002";
  CHECK_EQ(wg_store_resident_count(s, &f, &n), WG_OK);
  CHECK_EQ(n, 0);
  wg_store_close(s);
}

TEST(append_only_tables) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(uri("ao.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  put_community(s);
  int64_t ev = make_event(s, WG_EV_IMPORT, 20250101);
  wg_resident_t r = sample(ev, make_dwelling(s, "501"));
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  wg_audit_t a = {.actor = "test", .action = "unmask", .target = "resident 1",
                  .reason = "check", .origin = "cli"};
  CHECK_EQ(wg_store_audit_add(s, &a), WG_OK);
  wg_store_close(s);
  if (backend_pg()) {
    const char *u = uri("ao.db");
    CHECK(backend_sql(u, "UPDATE event SET actor = 'x'") != 0);
    CHECK(backend_sql(u, "DELETE FROM event") != 0);
    CHECK(backend_sql(u, "DELETE FROM resident") != 0);
    CHECK(backend_sql(u, "UPDATE audit SET actor = 'x'") != 0);
    CHECK(backend_sql(u, "DELETE FROM audit") != 0);
    CHECK(backend_sql(u, "UPDATE resident SET name = 'x'") != 0); /* no new event */
    CHECK(backend_sql(u, "SELECT 1 FROM event") == 0);            /* the probe works */
    return;
  }
  sqlite3 *db;
  sqlite3_open(db_path("ao.db"), &db);
  CHECK(sqlite3_exec(db, "UPDATE event SET actor = 'x'", NULL, NULL, NULL) != SQLITE_OK);
  CHECK(sqlite3_exec(db, "DELETE FROM event", NULL, NULL, NULL) != SQLITE_OK);
  CHECK(sqlite3_exec(db, "DELETE FROM resident", NULL, NULL, NULL) != SQLITE_OK);
  CHECK(sqlite3_exec(db, "UPDATE audit SET actor = 'x'", NULL, NULL, NULL) != SQLITE_OK);
  CHECK(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK);
  sqlite3_close(db);
}

TEST(rollback_writes_nothing) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(uri("tx.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  put_community(s);
  CHECK_EQ(wg_store_begin(s), WG_OK);
  CHECK_EQ(wg_store_begin(s), WG_ECONFLICT);
  int64_t ev = make_event(s, WG_EV_IMPORT, 20250101);
  wg_resident_t r = sample(ev, make_dwelling(s, "501"));
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  wg_store_rollback(s);
  wg_resident_t got;
  CHECK_EQ(wg_store_resident_find(s, "11010519491231002X", &got), WG_ENOTFOUND);
  CHECK_EQ(wg_store_event_get(s, ev, &(wg_event_t){0}), WG_ENOTFOUND);
  /* And a committed transaction is visible from a second connection. */
  CHECK_EQ(wg_store_begin(s), WG_OK);
  ev = make_event(s, WG_EV_IMPORT, 20250101);
  r = sample(ev, make_dwelling(s, "501"));
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  CHECK_EQ(wg_store_commit(s), WG_OK);
  wg_store_t *s2 = NULL;
  CHECK_EQ(wg_store_open(uri("tx.db"), 0, &s2, NULL), WG_OK);
  CHECK_EQ(wg_store_resident_find(s2, "11010519491231002X", &got), WG_OK);
  wg_event_t e;
  CHECK_EQ(wg_store_event_get(s2, ev, &e), WG_OK);
  CHECK_EQ(e.kind, WG_EV_IMPORT);
  CHECK_EQ(e.effective, 20250101);
  CHECK(strlen(e.recorded_at) == 20);
  wg_store_close(s2);
  wg_store_close(s);
}

TEST(bulk_deferred_indexes) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(uri("bulk.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  put_community(s);
  /* Outside a bulk transaction deferral is refused. */
  CHECK_EQ(wg_store_bulk_defer_indexes(s), WG_ECONFLICT);
  CHECK_EQ(wg_store_begin_bulk(s), WG_OK);
  CHECK_EQ(wg_store_bulk_defer_indexes(s), WG_OK);
  int64_t ev = make_event(s, WG_EV_IMPORT, 20250101);
  int64_t estate, entrance, d1, d2, hh;
  CHECK_EQ(wg_store_estate_add(s, "141127100001", "易居苑", &estate), WG_OK);
  wg_building_t b = {.estate_id = estate, .community = "141127100001", .name = "1号楼"};
  CHECK_EQ(wg_store_building_add(s, &b), WG_OK);
  CHECK_EQ(wg_store_entrance_add(s, "141127", b.id, "1单元", &entrance), WG_OK);
  CHECK_EQ(wg_store_dwelling_add(s, "141127", entrance, 1, "101", &d1), WG_OK);
  CHECK_EQ(wg_store_household_add(s, "141127", "H1", d1, &hh), WG_OK);
  wg_resident_t r = sample(ev, d1);
  r.household_id = hh;
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  /* Indexes are off: a duplicate dwelling and ID number go in unnoticed… */
  CHECK_EQ(wg_store_dwelling_add(s, "141127", entrance, 1, "101", &d2), WG_OK);
  wg_resident_t dup = sample(ev, d2);
  CHECK_EQ(wg_store_resident_insert(s, &dup), WG_OK);
  long dwellings = 0, residents = 0;
  CHECK_EQ(wg_store_county_counts(s, "141127", &dwellings, &residents), WG_OK);
  CHECK_EQ(dwellings, 2);
  CHECK_EQ(residents, 2);
  /* …and the commit that rebuilds them refuses, writing nothing. */
  CHECK_EQ(wg_store_commit(s), WG_EEXIST);
  wg_store_rollback(s);
  CHECK_EQ(wg_store_county_counts(s, "141127", &dwellings, &residents), WG_OK);
  CHECK_EQ(dwellings, 0);
  CHECK_EQ(residents, 0);
  /* A clean bulk load commits, and the indexes are back. */
  CHECK_EQ(wg_store_begin_bulk(s), WG_OK);
  CHECK_EQ(wg_store_bulk_defer_indexes(s), WG_OK);
  ev = make_event(s, WG_EV_IMPORT, 20250101);
  CHECK_EQ(wg_store_estate_add(s, "141127100001", "易居苑", &estate), WG_OK);
  b.estate_id = estate;
  CHECK_EQ(wg_store_building_add(s, &b), WG_OK);
  CHECK_EQ(wg_store_entrance_add(s, "141127", b.id, "1单元", &entrance), WG_OK);
  CHECK_EQ(wg_store_dwelling_add(s, "141127", entrance, 1, "101", &d1), WG_OK);
  r = sample(ev, d1);
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_OK);
  CHECK_EQ(wg_store_commit(s), WG_OK);
  CHECK_EQ(wg_store_dwelling_add(s, "141127", entrance, 1, "101", &d2), WG_ECONFLICT);
  r = sample(make_event(s, WG_EV_IMPORT, 20250101), d1);
  CHECK_EQ(wg_store_resident_insert(s, &r), WG_EEXIST);
  /* With residents present, deferral is refused. */
  CHECK_EQ(wg_store_begin_bulk(s), WG_OK);
  CHECK_EQ(wg_store_bulk_defer_indexes(s), WG_ECONFLICT);
  wg_store_rollback(s);
  char msg[256];
  CHECK_EQ(wg_store_integrity(s, msg, sizeof msg), WG_OK);
  wg_store_close(s);
}

/* A valid ID number from 17 digits (the check character computed here, by
 * GB 11643's weights, independently of the validator). */
static void id_from(const char *d17, char out[19]) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; i++) sum += (d17[i] - '0') * w[i];
  memcpy(out, d17, 17);
  out[17] = "10X98765432"[sum % 11];
  out[18] = 0;
}

TEST(batch_loaders) {
  wg_store_t *s = NULL;
  CHECK_EQ(wg_store_open(uri("batch.db"), WG_STORE_CREATE, &s, NULL), WG_OK);
  put_community(s);
  CHECK_EQ(wg_store_begin_bulk(s), WG_OK);
  CHECK_EQ(wg_store_bulk_defer_indexes(s), WG_OK);
  int64_t ev = make_event(s, WG_EV_IMPORT, 20250101);
  int64_t estate, entrance;
  CHECK_EQ(wg_store_estate_add(s, "141127100001", "易居苑", &estate), WG_OK);
  wg_building_t b = {.estate_id = estate, .community = "141127100001", .name = "1号楼"};
  CHECK_EQ(wg_store_building_add(s, &b), WG_OK);
  CHECK_EQ(wg_store_entrance_add(s, "141127", b.id, "1单元", &entrance), WG_OK);
  enum { N = WG_STORE_BATCH + 6 };
  wg_dwelling_row dw[N];
  wg_household_row hh[N];
  static wg_resident_t rs[N];
  for (int i = 0; i < N; i++) {
    dw[i] = (wg_dwelling_row){.id = i + 1, .entrance_id = entrance, .floor = 1};
    snprintf(dw[i].room, sizeof dw[i].room, "%d", 100 + i);
    hh[i] = (wg_household_row){.id = i + 1, .dwelling_id = i + 1};
    snprintf(hh[i].number, sizeof hh[i].number, "H%d", i);
    rs[i] = sample(ev, i + 1);
    rs[i].household_id = i + 1;
    char d17[18];
    snprintf(d17, sizeof d17, "14112719800101%03d", i);
    id_from(d17, rs[i].id_number);
  }
  CHECK_EQ(wg_store_dwelling_insert_batch(s, "141127", dw, WG_STORE_BATCH), WG_OK);
  CHECK_EQ(wg_store_dwelling_insert_batch(s, "141127", dw + WG_STORE_BATCH, 6), WG_OK);
  CHECK_EQ(wg_store_household_insert_batch(s, "141127", hh, WG_STORE_BATCH), WG_OK);
  CHECK_EQ(wg_store_household_insert_batch(s, "141127", hh + WG_STORE_BATCH, 6), WG_OK);
  CHECK_EQ(wg_store_resident_insert_batch(s, rs, WG_STORE_BATCH), WG_OK);
  CHECK_EQ(wg_store_resident_insert_batch(s, rs + WG_STORE_BATCH, 6), WG_OK);
  /* A taken id is refused. */
  CHECK_EQ(wg_store_dwelling_insert_batch(s, "141127", dw, 1), WG_ECONFLICT);
  CHECK_EQ(wg_store_commit(s), WG_OK);
  for (int i = 0; i < N; i += 13) {
    wg_resident_t got;
    CHECK_EQ(wg_store_resident_get(s, rs[i].id, &got), WG_OK);
    CHECK_STR(got.id_number, rs[i].id_number);
    CHECK_EQ(got.dwelling_id, i + 1);
    char number[40];
    CHECK_EQ(wg_store_household_number(s, got.household_id, number, sizeof number), WG_OK);
    char want[16];
    snprintf(want, sizeof want, "H%d", i);
    CHECK_STR(number, want);
    wg_dwelling_parts p;
    CHECK_EQ(wg_store_dwelling_parts(s, got.dwelling_id, &p), WG_OK);
    CHECK_EQ(atoi_room(p.room), 100 + i);
    CHECK_STR(p.community, "141127100001");
  }
  char msg[256];
  CHECK_EQ(wg_store_integrity(s, msg, sizeof msg), WG_OK);
  wg_store_close(s);
}

TEST(event_kind_names) {
  wg_event_kind k;
  for (int i = 1; i < WG_EV_KIND_COUNT_; i++) {
    CHECK_EQ(wg_event_kind_parse(wg_event_kind_name((wg_event_kind)i), &k), WG_OK);
    CHECK_EQ(k, i);
  }
  CHECK_EQ(wg_event_kind_parse("nonsense", &k), WG_EINVAL);
}

int main(void) {
  dir = test_tmpdir();
  RUN(create_and_reopen);
  RUN(migrates_older_database);
  RUN(refuses_newer_foreign_and_garbage);
  RUN(addresses_get_or_create);
  RUN(resident_history_and_as_of);
  RUN(append_only_tables);
  RUN(rollback_writes_nothing);
  RUN(bulk_deferred_indexes);
  RUN(batch_loaders);
  RUN(event_kind_names);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  free(dir);
  return test_done();
}
