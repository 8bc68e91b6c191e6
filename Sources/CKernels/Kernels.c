#include "CKernels.h"

#include <math.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define SYSCORR_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define SYSCORR_MULTIVERSION
#endif

/* t in [-1, n] after clamping, so the truncating conversion is floor. */
static inline int32_t regular_bin(double v, double lo, double width, double nd) {
  double z = (v - lo) / width;
  double t = z * nd;
  t = z < 0 ? -1.0 : t;
  t = t < nd ? t : nd; /* NaN fails the comparison: overflow */
  return (int32_t)t + 1;
}

SYSCORR_MULTIVERSION
void syscorr_bin_regular(const double *restrict x, const int32_t *restrict rows, size_t m, double lo, double width,
                         int32_t n, int32_t *restrict out) {
  const double nd = (double)n;
  if (rows) {
    for (size_t j = 0; j < m; j++) out[j] = regular_bin(x[rows[j]], lo, width, nd);
  } else {
    for (size_t j = 0; j < m; j++) out[j] = regular_bin(x[j], lo, width, nd);
  }
}

enum { BLOCK = 1024 };

SYSCORR_MULTIVERSION
void syscorr_bin_edges(const double *restrict x, const int32_t *restrict rows, size_t m, const double *restrict e,
                       size_t ne, int32_t *restrict out) {
  double v[BLOCK];
  for (size_t s = 0; s < m; s += BLOCK) {
    size_t b = m - s < BLOCK ? m - s : BLOCK;
    if (rows) {
      for (size_t j = 0; j < b; j++) v[j] = x[rows[s + j]];
    } else {
      for (size_t j = 0; j < b; j++) v[j] = x[s + j];
    }
    int32_t *o = out + s;
    if (ne <= 64) {
      /* Count the edges <= v, one edge at a time over the block (vectorizes). */
      for (size_t j = 0; j < b; j++) o[j] = 0;
      for (size_t k = 0; k < ne; k++) {
        const double ek = e[k];
        for (size_t j = 0; j < b; j++) o[j] += ek <= v[j];
      }
    } else {
      for (size_t j = 0; j < b; j++) {
        size_t lo = 0, hi = ne;
        while (lo < hi) {
          size_t mid = (lo + hi) >> 1;
          if (e[mid] <= v[j]) lo = mid + 1; else hi = mid;
        }
        o[j] = (int32_t)lo;
      }
    }
    for (size_t j = 0; j < b; j++) o[j] = v[j] != v[j] ? (int32_t)ne : o[j];
  }
}

void syscorr_count_bins(const int32_t *restrict idx, size_t m, uint32_t *restrict scratch, size_t size,
                        double *restrict counts) {
  uint32_t *c0 = scratch, *c1 = scratch + size, *c2 = scratch + 2 * size, *c3 = scratch + 3 * size;
  size_t j = 0;
  for (; j + 4 <= m; j += 4) {
    c0[idx[j]]++;
    c1[idx[j + 1]]++;
    c2[idx[j + 2]]++;
    c3[idx[j + 3]]++;
  }
  for (; j < m; j++) c0[idx[j]]++;
  for (size_t k = 0; k < size; k++) {
    uint32_t n = c0[k] + c1[k] + c2[k] + c3[k];
    if (n) counts[k] += (double)n;
    c0[k] = c1[k] = c2[k] = c3[k] = 0;
  }
}

/* NaN fails both comparisons, so it never replaces a bound; counted apart.
   Written with vector types: compilers do not vectorize floating-point
   min/max reductions without fast-math, which would break the NaN rule. */
typedef double v4d __attribute__((vector_size(32)));
typedef float v8f __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#define RANGE_BODY(T, VT, VI, LANES)                                                           \
  size_t j = 0;                                                                                 \
  VT lo, hi;                                                                                    \
  VI nan = {0};                                                                                 \
  for (int k = 0; k < LANES; k++) { lo[k] = (T)INFINITY; hi[k] = (T)-INFINITY; }                \
  for (; j + LANES <= n; j += LANES) {                                                          \
    VT v;                                                                                       \
    __builtin_memcpy(&v, x + j, sizeof v);                                                      \
    VI lt = v < lo, gt = v > hi;                                                                \
    lo = (VT)(((VI)v & lt) | ((VI)lo & ~lt));                                                   \
    hi = (VT)(((VI)v & gt) | ((VI)hi & ~gt));                                                   \
    nan -= (VI)(v != v);                                                                        \
  }                                                                                             \
  T l = (T)INFINITY, h = (T)-INFINITY;                                                          \
  size_t count = 0;                                                                             \
  for (int k = 0; k < LANES; k++) {                                                             \
    l = lo[k] < l ? lo[k] : l;                                                                  \
    h = hi[k] > h ? hi[k] : h;                                                                  \
    count += (size_t)nan[k];                                                                    \
  }                                                                                             \
  for (; j < n; j++) {                                                                          \
    T v = x[j];                                                                                 \
    l = v < l ? v : l;                                                                          \
    h = v > h ? v : h;                                                                          \
    count += v != v;                                                                            \
  }                                                                                             \
  *min = (double)l;                                                                             \
  *max = (double)h;                                                                             \
  *nans = count;

SYSCORR_MULTIVERSION
void syscorr_float64_range(const double *restrict x, size_t n, double *min, double *max, size_t *nans) {
  RANGE_BODY(double, v4d, v4l, 4)
}

SYSCORR_MULTIVERSION
void syscorr_float32_range(const float *restrict x, size_t n, double *min, double *max, size_t *nans) {
  RANGE_BODY(float, v8f, v8i, 8)
}
