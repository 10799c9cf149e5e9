/* pieces.c — a split unit's dwellings, in reading order, cut into runs
 * that follow the sizes of the core's pieces (see wg_divide_fill_pieces). */
#include "divide/divide.h"

#include <stdlib.h>

wg_err wg_divide_fill_pieces(int n, const long *weight, int npieces, const long *target, long hi,
                             int *piece_of, long *sums, wg_errinfo *ei) {
  if (n < 0 || npieces < 1 || (n > 0 && (!weight || !piece_of)) || !target)
    return wg_errinfo_set(ei, WG_EINVAL, "bad arguments to fill pieces");
  for (int k = 0; k < npieces; k++)
    if (target[k] < 0) return wg_errinfo_set(ei, WG_EINVAL, "piece %d: negative target", k);
  for (int i = 0; i < n; i++)
    if (weight[i] < 0) return wg_errinfo_set(ei, WG_EINVAL, "dwelling %d: negative weight", i);
  if (sums)
    for (int k = 0; k < npieces; k++) sums[k] = 0;
  /* Dwellings that still hold someone, from each position to the end: a
   * piece may only be left when enough of them remain for the pieces after
   * it, and must be left when only that many remain. */
  int *left = malloc(((size_t)n + 1) * sizeof *left);
  if (!left) return wg_errinfo_set(ei, WG_ENOMEM, "out of memory for %d dwellings", n);
  left[n] = 0;
  for (int i = n - 1; i >= 0; i--) left[i] = left[i + 1] + (weight[i] > 0);
  long boundary = target[0], cum = 0, in_piece = 0;
  int k = 0, filled = 0; /* filled: the current piece has a non-empty dwelling */
  for (int i = 0; i < n; i++) {
    long w = weight[i];
    if (w > 0 && k < npieces - 1 && filled) {
      int later = npieces - 1 - k;          /* pieces after the current one */
      int must = left[i] <= later;          /* each later piece needs one */
      int past_half = 2 * (cum + w) - w > 2 * boundary; /* cum + w/2 > boundary */
      int over = hi > 0 && in_piece + w > hi;
      if (must || past_half || over) {
        k++;
        boundary += target[k];
        in_piece = 0;
        filled = 0;
      }
    }
    piece_of[i] = k;
    cum += w;
    in_piece += w;
    if (w > 0) filled = 1;
    if (sums) sums[k] += w;
  }
  free(left);
  return WG_OK;
}
