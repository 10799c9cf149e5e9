/* matter_time_fuzz.c — libFuzzer target for what Open311 clients send us
 * as text of our own parsing: ISO 8601 times (start_date, end_date, --now)
 * and the transition rules driven by arbitrary bytes (every applied action
 * must leave a valid state, every refused one the state as it was). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matter/matter.h"
#include "matter/matters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[64];
  size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
  memcpy(text, data, n);
  text[n] = '\0';
  int64_t t;
  if (wg_matter_time_parse(text, &t) == WG_OK) {
    char back[32];
    wg_matter_time_iso(t, back);
    int64_t again;
    if (t > -62135596800LL && t < 253402300799LL &&
        (wg_matter_time_parse(back, &again) != WG_OK || again != t))
      abort();
  }
  /* the rules: 4 bytes per action */
  static const wg_matter_policy pol = {{1, 2, 3, 4}};
  wg_matter_state st;
  wg_matter_state_init(&st);
  int64_t now = 1000;
  for (size_t i = 0; i + 4 <= size; i += 4) {
    wg_matter_event ev = {.action = (wg_matter_action)(data[i] % (WG_MA_COUNT_ + 1)),
                          .actor = (wg_matter_actor)(1u << (data[i + 1] & 3)),
                          .has_note = data[i + 1] >> 7,
                          .handler = data[i + 2] & 3,
                          .other = data[i + 2] >> 6,
                          .value = (int8_t)data[i + 3]};
    now += (data[i + 2] & 0x3c) * 1000;
    ev.at = now;
    wg_matter_state before = st;
    if (wg_matter_apply(&st, &pol, &ev, NULL) != WG_OK) {
      if (memcmp(&before, &st, sizeof st) != 0) abort();
    } else if (!wg_matter_state_valid(&st, NULL, 0)) {
      abort();
    }
  }
  return 0;
}
