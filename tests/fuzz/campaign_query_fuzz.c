/* campaign_query_fuzz.c — libFuzzer target for the campaign query form, the
 * stages text and report periods: every parse either fails with a reason
 * or gives a value whose canonical text parses back to the same value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "target/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  wg_errinfo ei = {0};
  wg_campaign_query q, q2;
  if (wg_campaign_query_parse(text, &q, &ei) == WG_OK) {
    char canon[4096];
    wg_campaign_query_format(&q, canon, sizeof canon);
    if (wg_campaign_query_parse(canon, &q2, &ei) != WG_OK) __builtin_trap();
    if (memcmp(&q, &q2, sizeof q) != 0) __builtin_trap();
  } else if (!ei.why[0]) {
    __builtin_trap();
  }
  wg_campaign_stages st, st2;
  if (wg_campaign_stages_parse(text, &st, NULL) == WG_OK) {
    char canon[1024];
    wg_campaign_stages_format(&st, canon, sizeof canon);
    if (wg_campaign_stages_parse(canon, &st2, NULL) != WG_OK) __builtin_trap();
    if (st.n != st2.n) __builtin_trap();
  }
  wg_period p, p2;
  if (wg_period_parse(text, &p, NULL) == WG_OK) {
    if (wg_period_parse(p.text, &p2, NULL) != WG_OK || p2.first != p.first || p2.last != p.last)
      __builtin_trap();
    if (p.first > p.last) __builtin_trap();
  }
  free(text);
  return 0;
}
