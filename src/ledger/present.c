#include "ledger/present.h"

#include <stdio.h>
#include <string.h>

#include "ledger/validate.h"

const char *const wg_present_headers[WG_PRESENT_NCOLS] = {
    "姓名/name",      "性别/sex",           "身份证号/id_number", "出生日期/birth",
    "联系电话/phone", "与户主关系/relation", "人口类型/residence", "状态/status",
    "户号/household", "社区/community",     "小区/estate",        "楼栋/building",
    "单元/entrance",  "室/room",            "标签/tags",          "地址/address",
};

wg_err wg_present_unmask_grant(wg_store_t *s, const char *actor, const char *target,
                               const char *reason, const char *origin, wg_unmask_grant *g) {
  g->granted = 0;
  if (!reason || !*reason) return WG_EINVAL;
  wg_audit_t a = {0};
  snprintf(a.actor, sizeof a.actor, "%s", actor ? actor : "unknown");
  snprintf(a.action, sizeof a.action, "unmask");
  snprintf(a.target, sizeof a.target, "%s", target ? target : "");
  snprintf(a.reason, sizeof a.reason, "%s", reason);
  snprintf(a.origin, sizeof a.origin, "%s", origin ? origin : "");
  wg_err e = wg_store_audit_add(s, &a);
  if (e == WG_OK) g->granted = 1;
  return e;
}

wg_err wg_present_resident(wg_store_t *s, const wg_resident_t *r, const wg_unmask_grant *g,
                           wg_present_row *out) {
  int clear = g && g->granted;
  memset(out, 0, sizeof *out);
  if (clear)
    snprintf(out->name, sizeof out->name, "%s", r->name);
  else
    wg_mask_name(r->name, out->name, sizeof out->name);
  snprintf(out->sex, sizeof out->sex, "%s", r->sex == 'M' ? "男" : r->sex == 'F' ? "女" : "?");
  if (clear)
    snprintf(out->id_number, sizeof out->id_number, "%s", r->id_number);
  else
    wg_mask_idnum(r->id_number, out->id_number, sizeof out->id_number);
  wg_date_format(r->birth, out->birth);
  if (!r->phone[0])
    out->phone[0] = '\0';
  else if (clear)
    snprintf(out->phone, sizeof out->phone, "%s", r->phone);
  else
    wg_mask_phone(r->phone, out->phone, sizeof out->phone);
  snprintf(out->relation, sizeof out->relation, "%s", r->relation);
  snprintf(out->residence, sizeof out->residence, "%s", wg_residence_name(r->residence));
  snprintf(out->status, sizeof out->status, "%s", wg_status_name(r->status));
  wg_err e = WG_OK;
  if (r->household_id) {
    e = wg_store_household_number(s, r->household_id, out->household, sizeof out->household);
    if (e == WG_ENOTFOUND) e = WG_OK;
  }
  if (!e && r->dwelling_id) {
    e = wg_store_dwelling_parts(s, r->dwelling_id, &out->where);
    if (e == WG_ENOTFOUND) e = WG_OK;
    const char *parts[5] = {out->where.community_name, out->where.estate, out->where.building,
                            out->where.entrance, out->where.room};
    size_t n = 0;
    for (int i = 0; i < 5 && n < sizeof out->address; i++) {
      if (!parts[i][0]) continue;
      int w = snprintf(out->address + n, sizeof out->address - n, "%s%s", n ? " " : "",
                       parts[i]);
      if (w > 0) n += (size_t)w;
    }
  }
  /* Tags without the framing commas: "veteran,disabled". */
  size_t n = strlen(r->tags);
  if (n > 2) snprintf(out->tags, sizeof out->tags, "%.*s", (int)(n - 2), r->tags + 1);
  const char *cells[WG_PRESENT_NCOLS] = {
      out->name,           out->sex,           out->id_number,     out->birth,
      out->phone,          out->relation,      out->residence,     out->status,
      out->household,      out->where.community, out->where.estate, out->where.building,
      out->where.entrance, out->where.room,    out->tags,          out->address};
  memcpy(out->cells, cells, sizeof cells);
  return e;
}

void wg_present_reporter(const char *name, const char *phone, char name_out[64],
                         char phone_out[24]) {
  name_out[0] = phone_out[0] = '\0';
  if (name && *name) wg_mask_name(name, name_out, 64);
  if (phone && *phone) wg_mask_phone(phone, phone_out, 24);
}

void wg_present_person(const char *name, const char *phone, const wg_unmask_grant *g,
                       int mask_name, wg_present_person_t *out) {
  int clear = g && g->granted;
  memset(out, 0, sizeof *out);
  if (mask_name && !clear)
    wg_mask_name(name ? name : "", out->name, sizeof out->name);
  else
    snprintf(out->name, sizeof out->name, "%s", name ? name : "");
  if (!phone || !*phone)
    out->phone[0] = '\0';
  else if (clear)
    snprintf(out->phone, sizeof out->phone, "%s", phone);
  else
    wg_mask_phone(phone, out->phone, sizeof out->phone);
}
