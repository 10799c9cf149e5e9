/* store_pg.h — internals of the PostgreSQL backend of store.h (store_pg*.c).
 *
 * A PostgreSQL store is a wg_store_t whose wg__store_pg() is not NULL; every
 * function of store.h starts with WG__ON_PG (store_int.h), which hands the
 * call to the wg__pg_<name> below with the same arguments. */
#ifndef WG_STORE_PG_H
#define WG_STORE_PG_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

/* migrations[v] upgrades version v-1 to v (schema_pg.c); NULL = not ported
 * to PostgreSQL yet: the schema stops at the version before. */
extern const char *const wg__pg_migrations[WG_SCHEMA_VERSION + 1];

/* The newest schema version with every migration ported to PostgreSQL
 * (WG_SCHEMA_VERSION once the backend has caught up). */
int wg__pg_schema_latest(void);

struct wg_pg;
/* Connects to uri (postgresql://… or postgres://…) and migrates up to upto
 * (unless WG_STORE_READONLY). *out is owned by the caller: wg__pg_free. */
wg_err wg__pg_connect(const char *uri, unsigned flags, int upto, struct wg_pg **out,
                      int *version, wg_errinfo *ei);
void wg__pg_free(struct wg_pg *pg); /* accepts NULL */
const char *wg__pg_errmsg(struct wg_pg *pg);

/* The probe's PostgreSQL half (store_sqlite_query.c owns the struct). */
wg_err wg__pg_probe_versions(wg_store_t *s, const char *county, int64_t *active_plan,
                             int64_t *ledger_version, int64_t *audit_version);

wg_err wg__pg_integrity(wg_store_t *s, char *msg, size_t cap) WG_MUST_CHECK;
wg_err wg__pg_begin(wg_store_t *s) WG_MUST_CHECK;
wg_err wg__pg_begin_bulk(wg_store_t *s) WG_MUST_CHECK;
wg_err wg__pg_bulk_defer_indexes(wg_store_t *s) WG_MUST_CHECK;
wg_err wg__pg_commit(wg_store_t *s) WG_MUST_CHECK;
void wg__pg_rollback(wg_store_t *s);
wg_err wg__pg_meta_get(wg_store_t *s, const char *key, char **out) WG_MUST_CHECK;
wg_err wg__pg_meta_set(wg_store_t *s, const char *key, const char *value) WG_MUST_CHECK;
wg_err wg__pg_division_put(wg_store_t *s, const wg_division_t *d) WG_MUST_CHECK;
wg_err wg__pg_division_get(wg_store_t *s, const char *code, wg_division_t *out) WG_MUST_CHECK;
wg_err wg__pg_division_find(wg_store_t *s, const char *within, const char *name,
                            wg_division_t *out) WG_MUST_CHECK;
wg_err wg__pg_division_each(wg_store_t *s, const char *prefix, int level, wg_division_fn fn,
                            void *ctx) WG_MUST_CHECK;
wg_err wg__pg_division_count(wg_store_t *s, const char *prefix, int level, long *out) WG_MUST_CHECK;
wg_err wg__pg_estate_ensure(wg_store_t *s, const char *community, const char *name,
                            int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_building_ensure(wg_store_t *s, wg_building_t *b) WG_MUST_CHECK;
wg_err wg__pg_building_place(wg_store_t *s, int64_t building_id, double lon, double lat, int floors,
                             const unsigned char *footprint, size_t footprint_len) WG_MUST_CHECK;
wg_err wg__pg_entrance_declare(wg_store_t *s, int64_t entrance_id, long households) WG_MUST_CHECK;
wg_err wg__pg_entrance_ensure(wg_store_t *s, int64_t building_id, const char *name,
                              int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_dwelling_ensure(wg_store_t *s, int64_t entrance_id, int floor, const char *room,
                              int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_estate_add(wg_store_t *s, const char *community, const char *name,
                         int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_building_add(wg_store_t *s, wg_building_t *b) WG_MUST_CHECK;
wg_err wg__pg_entrance_add(wg_store_t *s, const char *county, int64_t building_id, const char *name,
                           int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_dwelling_add(wg_store_t *s, const char *county, int64_t entrance_id, int floor,
                           const char *room, int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_county_counts(wg_store_t *s, const char *county, long *dwellings,
                            long *residents) WG_MUST_CHECK;
wg_err wg__pg_dwelling_parts(wg_store_t *s, int64_t dwelling_id,
                             wg_dwelling_parts *out) WG_MUST_CHECK;
wg_err wg__pg_dwelling_label(wg_store_t *s, int64_t dwelling_id, char *buf,
                             size_t cap) WG_MUST_CHECK;
wg_err wg__pg_household_number(wg_store_t *s, int64_t id, char *out, size_t cap) WG_MUST_CHECK;
wg_err wg__pg_event_add(wg_store_t *s, wg_event_t *ev) WG_MUST_CHECK;
wg_err wg__pg_event_get(wg_store_t *s, int64_t id, wg_event_t *out) WG_MUST_CHECK;
wg_err wg__pg_household_ensure(wg_store_t *s, const char *county, const char *number,
                               int64_t dwelling_id, int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_household_add(wg_store_t *s, const char *county, const char *number,
                            int64_t dwelling_id, int64_t *id) WG_MUST_CHECK;
wg_err wg__pg_resident_insert(wg_store_t *s, wg_resident_t *r) WG_MUST_CHECK;
wg_err wg__pg_dwelling_insert_batch(wg_store_t *s, const char *county, const wg_dwelling_row *rows,
                                    int n) WG_MUST_CHECK;
wg_err wg__pg_household_insert_batch(wg_store_t *s, const char *county,
                                     const wg_household_row *rows, int n) WG_MUST_CHECK;
wg_err wg__pg_resident_insert_batch(wg_store_t *s, wg_resident_t *rs, int n) WG_MUST_CHECK;
wg_err wg__pg_resident_update(wg_store_t *s, const wg_resident_t *r) WG_MUST_CHECK;
wg_err wg__pg_resident_get(wg_store_t *s, int64_t id, wg_resident_t *out) WG_MUST_CHECK;
wg_err wg__pg_resident_find(wg_store_t *s, const char *id_number, wg_resident_t *out) WG_MUST_CHECK;
wg_err wg__pg_resident_versions(wg_store_t *s, int64_t id, wg_version_fn fn,
                                void *ctx) WG_MUST_CHECK;
wg_err wg__pg_resident_each(wg_store_t *s, const wg_resident_filter *f, wg_resident_fn fn,
                            void *ctx) WG_MUST_CHECK;
wg_err wg__pg_resident_count(wg_store_t *s, const wg_resident_filter *f, long *out) WG_MUST_CHECK;
wg_err wg__pg_tag_put(wg_store_t *s, const char *code, const char *name_zh,
                      const char *name_en) WG_MUST_CHECK;
wg_err wg__pg_tag_resolve(wg_store_t *s, const char *word, char *code_out,
                          size_t cap) WG_MUST_CHECK;
wg_err wg__pg_tag_each(wg_store_t *s, wg_tag_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_unit_each(wg_store_t *s, const char *county, const char *community, wg_unit_fn fn,
                        void *ctx) WG_MUST_CHECK;
wg_err wg__pg_plan_add(wg_store_t *s, wg_plan_t *p) WG_MUST_CHECK;
wg_err wg__pg_plan_get(wg_store_t *s, int64_t id, wg_plan_t *out) WG_MUST_CHECK;
wg_err wg__pg_plan_active(wg_store_t *s, const char *county, wg_plan_t *out) WG_MUST_CHECK;
wg_err wg__pg_plan_each(wg_store_t *s, const char *county, wg_plan_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_plan_activate(wg_store_t *s, int64_t id) WG_MUST_CHECK;
wg_err wg__pg_grid_add(wg_store_t *s, wg_grid_t *g) WG_MUST_CHECK;
wg_err wg__pg_grid_each(wg_store_t *s, int64_t plan_id, int level, wg_grid_fn fn,
                        void *ctx) WG_MUST_CHECK;
wg_err wg__pg_grid_at(wg_store_t *s, int64_t plan_id, double lon, double lat, wg_grid_fn fn,
                      void *ctx) WG_MUST_CHECK;
wg_err wg__pg_assignment_add(wg_store_t *s, int64_t plan_id,
                             const wg_assignment_t *a) WG_MUST_CHECK;
wg_err wg__pg_assignment_each(wg_store_t *s, int64_t plan_id, wg_assignment_fn fn,
                              void *ctx) WG_MUST_CHECK;
wg_err wg__pg_violation_add(wg_store_t *s, int64_t plan_id,
                            const wg_plan_violation_t *v) WG_MUST_CHECK;
wg_err wg__pg_violation_each(wg_store_t *s, int64_t plan_id, wg_violation_fn fn,
                             void *ctx) WG_MUST_CHECK;
wg_err wg__pg_grid_number_each(wg_store_t *s, const char *county, wg_number_fn fn,
                               void *ctx) WG_MUST_CHECK;
wg_err wg__pg_grid_number_used(wg_store_t *s, const char *parent, int *max_number) WG_MUST_CHECK;
wg_err wg__pg_grid_number_use(wg_store_t *s, const char *parent, int number) WG_MUST_CHECK;
wg_err wg__pg_audit_add(wg_store_t *s, const wg_audit_t *a) WG_MUST_CHECK;
wg_err wg__pg_building_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                            const wg_store_page *pg, wg_building_page_fn fn, void *ctx,
                            long *total) WG_MUST_CHECK;
wg_err wg__pg_household_page(wg_store_t *s, const wg_place_filter *f, const wg_store_scope *sc,
                             const wg_store_page *pg, wg_household_page_fn fn, void *ctx,
                             long *total) WG_MUST_CHECK;
wg_err wg__pg_resident_page(wg_store_t *s, const wg_resident_query *f, const wg_store_scope *sc,
                            const wg_store_page *pg, wg_resident_page_fn fn, void *ctx,
                            long *total) WG_MUST_CHECK;
wg_err wg__pg_dwelling_place(wg_store_t *s, int64_t dwelling_id, int64_t *entrance_id,
                             char community[13]) WG_MUST_CHECK;
wg_err wg__pg_resident_place_each(wg_store_t *s, const char *county, wg_resident_place_fn fn,
                                  void *ctx) WG_MUST_CHECK;
wg_err wg__pg_user_add(wg_store_t *s, wg_user_row *u) WG_MUST_CHECK;
wg_err wg__pg_user_get(wg_store_t *s, const char *login, wg_user_row *out) WG_MUST_CHECK;
wg_err wg__pg_user_get_id(wg_store_t *s, int64_t id, wg_user_row *out) WG_MUST_CHECK;
wg_err wg__pg_user_each(wg_store_t *s, wg_user_row_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_user_set_password(wg_store_t *s, int64_t id, const char *hash) WG_MUST_CHECK;
wg_err wg__pg_user_set_disabled(wg_store_t *s, int64_t id, int disabled) WG_MUST_CHECK;
wg_err wg__pg_user_login_failed(wg_store_t *s, int64_t id, int max_failures, int64_t lock_until,
                                int *locked) WG_MUST_CHECK;
wg_err wg__pg_user_login_ok(wg_store_t *s, int64_t id) WG_MUST_CHECK;
wg_err wg__pg_code_known(wg_store_t *s, const char *code) WG_MUST_CHECK;
wg_err wg__pg_session_add(wg_store_t *s, const wg_session_row *r) WG_MUST_CHECK;
wg_err wg__pg_session_get(wg_store_t *s, const char *token_hash, wg_session_row *out,
                          wg_user_row *user) WG_MUST_CHECK;
wg_err wg__pg_session_touch(wg_store_t *s, const char *token_hash,
                            int64_t expires_idle) WG_MUST_CHECK;
wg_err wg__pg_session_delete(wg_store_t *s, const char *token_hash) WG_MUST_CHECK;
wg_err wg__pg_session_delete_user(wg_store_t *s, int64_t user_id) WG_MUST_CHECK;
wg_err wg__pg_session_purge(wg_store_t *s, int64_t now, long *deleted) WG_MUST_CHECK;
wg_err wg__pg_entrance_dwellings(wg_store_t *s, int64_t entrance_id, wg_dwelling_load_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_piece_dwelling_add(wg_store_t *s, int64_t plan_id, const wg_piece_dwelling_t *d) WG_MUST_CHECK;
wg_err wg__pg_piece_dwelling_each(wg_store_t *s, int64_t plan_id, wg_piece_dwelling_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_audit_each(wg_store_t *s, const wg_audit_filter *f, wg_audit_fn fn, void *ctx) WG_MUST_CHECK;

/* store_pg_org.c: the grid card's organisation queries. */
wg_err wg__pg_staff_get(wg_store_t *s, int64_t id, wg_staff_row *out) WG_MUST_CHECK;
wg_err wg__pg_staff_grid_each(wg_store_t *s, const char *county, int64_t staff_id, wg_staff_grid_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_party_org_each(wg_store_t *s, const char *county, wg_party_org_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_grid_building_heads(wg_store_t *s, int64_t plan_id, const char *code, wg_building_head_fn fn, void *ctx) WG_MUST_CHECK;
wg_err wg__pg_grid_member_counts(wg_store_t *s, int64_t plan_id, const char *code, long *party, long *registered, long *volunteers) WG_MUST_CHECK;

#endif
