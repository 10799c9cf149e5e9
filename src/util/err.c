#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const messages[WG_ERR_COUNT_] = {
    [WG_OK] = "success",
    [WG_ENOMEM] = "out of memory",
    [WG_EINVAL] = "invalid value",
    [WG_EIO] = "input/output error",
    [WG_ENOTFOUND] = "not found",
    [WG_EEXIST] = "already exists",
    [WG_ECONFLICT] = "conflict",
    [WG_ETOOBIG] = "too large",
    [WG_EFORMAT] = "malformed file",
    [WG_EENCODING] = "unsupported or broken text encoding",
    [WG_ESCHEMA] = "database schema is newer than this wangge",
    [WG_ECORRUPT] = "not a wangge database, or damaged",
    [WG_EDB] = "database error",
    [WG_EBUSY] = "database is busy",
    [WG_EPERM] = "not permitted",
    [WG_EREJECTED] = "input rejected",
    [WG_ENOTSUP] = "not available on this database backend yet",
};

const char *wg_strerror(wg_err err) {
  if ((unsigned)err >= WG_ERR_COUNT_ || !messages[err]) return "unknown error";
  return messages[err];
}

wg_err wg_errinfo_set(wg_errinfo *ei, wg_err err, const char *fmt, ...) {
  if (!ei) return err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ei->why, sizeof ei->why, fmt, ap);
  va_end(ap);
  return err;
}

void wg_errinfo_format(const wg_errinfo *ei, wg_err err, char *buf, size_t cap) {
  size_t n = 0;
  if (cap == 0) return;
  buf[0] = '\0';
#define APPEND(...)                                                   \
  do {                                                                \
    if (n < cap) {                                                    \
      int w_ = snprintf(buf + n, cap - n, __VA_ARGS__);               \
      if (w_ > 0) n += (size_t)w_;                                    \
    }                                                                 \
  } while (0)
  if (ei && ei->file[0]) APPEND("%s: ", ei->file);
  if (ei && ei->row > 0) APPEND("row %ld: ", ei->row);
  if (ei && ei->field[0]) APPEND("%s: ", ei->field);
  if (ei && ei->value[0]) APPEND("'%s': ", ei->value);
  APPEND("%s", (ei && ei->why[0]) ? ei->why : wg_strerror(err));
#undef APPEND
}
