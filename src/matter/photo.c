/* photo.c — photos by content hash beside the database. */
#include "matter/photo.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *wg_photo_sniff(const unsigned char *b, size_t n) {
  if (n >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
  if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return "image/png";
  if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) return "image/webp";
  return NULL;
}

void wg_photo_dir(const char *db_uri, char *out, size_t cap) {
  const char *path = strncmp(db_uri, "sqlite:", 7) == 0 ? db_uri + 7 : db_uri;
  snprintf(out, cap, "%s-photos", path);
}

int wg_photo_path(const char *dir, const char *sha, char *out, size_t cap) {
  if (!sha || strlen(sha) != 64) return 0;
  for (int i = 0; i < 64; i++)
    if (!((sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f'))) return 0;
  int n = snprintf(out, cap, "%s/%.2s/%s", dir, sha, sha);
  return n > 0 && (size_t)n < cap;
}

wg_err wg_photo_save(wg_store_t *s, const char *dir, const char *county,
                     const unsigned char *bytes, size_t len, char sha_out[65], wg_errinfo *ei) {
  if (len > WG_PHOTO_MAX)
    return wg_errinfo_set(ei, WG_ETOOBIG, "a photo is at most %d MiB", WG_PHOTO_MAX >> 20);
  const char *mime = wg_photo_sniff(bytes, len);
  if (!mime) return wg_errinfo_set(ei, WG_EFORMAT, "not a JPEG, PNG or WebP image");
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, bytes, len);
  sodium_bin2hex(sha_out, 65, h, sizeof h);
  char sub[4200], path[4300], tmp[4400];
  snprintf(sub, sizeof sub, "%s/%.2s", dir, sha_out);
  if ((mkdir(dir, 0750) != 0 && errno != EEXIST) || (mkdir(sub, 0750) != 0 && errno != EEXIST))
    return wg_errinfo_set(ei, WG_EIO, "cannot create %s: %s", sub, strerror(errno));
  if (!wg_photo_path(dir, sha_out, path, sizeof path)) return WG_EINVAL;
  struct stat sb;
  if (stat(path, &sb) != 0 || (size_t)sb.st_size != len) {
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return wg_errinfo_set(ei, WG_EIO, "cannot write %s: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
      ssize_t w = write(fd, bytes + off, len - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
      unlink(tmp);
      return wg_errinfo_set(ei, WG_EIO, "cannot write %s", path);
    }
  }
  return wg_store_photo_put(s, sha_out, county, mime, (long)len);
}
