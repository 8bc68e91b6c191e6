#ifndef SYSCORR_CKERNELS_H
#define SYSCORR_CKERNELS_H

/* Hot loops of the store and the query engine that need SIMD the Swift compiler does not
   produce for the x86-64 baseline: each is compiled twice (AVX2 and
   baseline) and picked at load time by the CPU (GNU ifunc). */

#include <stddef.h>
#include <stdint.h>

/* Bin index of each value on a regular axis of n bins over [lo, lo + width),
   boost-histogram's rule: z = (x - lo) / width; 0 = underflow (z < 0),
   1 + floor(z * n) inside, n + 1 = overflow (z * n >= n, or NaN).
   Values are x[rows[j]] (rows != NULL) or x[j], j < m. */
void syscorr_bin_regular(const double *x, const int32_t *rows, size_t m, double lo, double width, int32_t n,
                         int32_t *out);

/* Bin index of each value between increasing edges e[0..ne): the number of
   edges <= x (0 = underflow, ne = overflow), NaN -> ne. */
void syscorr_bin_edges(const double *x, const int32_t *rows, size_t m, const double *e, size_t ne,
                       int32_t *out);

/* Adds 1 to counts[idx[j]] for j < m, through 4 private copies of the
   counts (scratch, 4 * size zeroed entries) so that runs of equal bins do
   not serialise on one memory location; the copies are then summed into
   counts. */
void syscorr_count_bins(const int32_t *idx, size_t m, uint32_t *scratch, size_t size, double *counts);

/* Minimum and maximum of the non-NaN values of x[0..n) (+inf / -inf when
   there are none) and the number of NaNs. */
void syscorr_float64_range(const double *x, size_t n, double *min, double *max, size_t *nans);
void syscorr_float32_range(const float *x, size_t n, double *min, double *max, size_t *nans);

#endif
