/* photo.h — photos of matters: type checked by content, stored on disk by
 * content hash in a directory beside the database, recorded in the store.
 *
 * A photo is JPEG, PNG or WebP (by its magic bytes, whatever its name or
 * declared type says), at most WG_PHOTO_MAX bytes. Its name is the SHA-256
 * of its bytes: the same photo uploaded twice is stored once, and a name
 * can never point at other bytes. Files live at DIR/ab/abcdef… where DIR is
 * "<database path>-photos". */
#ifndef WG_PHOTO_H
#define WG_PHOTO_H

#include <stddef.h>

#include "store/store.h"

enum { WG_PHOTO_MAX = 8 << 20 };

/* "image/jpeg", "image/png", "image/webp", or NULL for anything else. */
const char *wg_photo_sniff(const unsigned char *bytes, size_t len);

/* The photo directory for a store URI ("sqlite:PATH" or PATH) into out. */
void wg_photo_dir(const char *db_uri, char *out, size_t cap);

/* Checks, writes (atomically: a temporary file renamed) and records a
 * photo; sha_out (65 bytes) gets its name. WG_ETOOBIG over the cap,
 * WG_EFORMAT when not JPEG/PNG/WebP, WG_EIO when the file cannot be
 * written (ei->why says why). */
wg_err wg_photo_save(wg_store_t *s, const char *dir, const char *county,
                     const unsigned char *bytes, size_t len, char sha_out[65],
                     wg_errinfo *ei) WG_MUST_CHECK;

/* The path of a stored photo (sha is checked to be 64 hex digits: 0 when
 * not). */
int wg_photo_path(const char *dir, const char *sha, char *out, size_t cap);

#endif
