#include "ledger/present.h"

#include <stdio.h>
#include <string.h>

#include "ledger/validate.h"

const char *const wg_present_headers[WG_PRESENT_NCOLS] = {
    "姓名/name",          "性别/sex",       "身份证号/id_number", "出生日期/birth",
    "联系电话/phone",     "与户主关系/relation", "人口类型/residence", "状态/status",
    "户号/household",     "地址/address",   "标签/tags",
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
  snprintf(out->name, sizeof out->name, "%s", r->name);
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
  snprintf(out->household, sizeof out->household, "%lld", (long long)r->household_id);
  wg_err e = WG_OK;
  if (r->dwelling_id) {
    e = wg_store_dwelling_label(s, r->dwelling_id, out->address, sizeof out->address);
    if (e == WG_ENOTFOUND) e = WG_OK;
  }
  /* Tags without the framing commas: "veteran,disabled". */
  size_t n = strlen(r->tags);
  if (n > 2) snprintf(out->tags, sizeof out->tags, "%.*s", (int)(n - 2), r->tags + 1);
  const char *cells[WG_PRESENT_NCOLS] = {out->name,     out->sex,       out->id_number,
                                         out->birth,    out->phone,     out->relation,
                                         out->residence, out->status,   out->household,
                                         out->address,  out->tags};
  memcpy(out->cells, cells, sizeof cells);
  return e;
}
