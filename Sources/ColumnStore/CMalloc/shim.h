#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
#include <malloc.h>

/* Keep freed blocks up to `bytes` in malloc's arenas instead of returning
   them to the kernel (glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD). */
static inline void cmalloc_keep_freed_memory(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
    mallopt(M_TRIM_THRESHOLD, bytes < (1 << 29) ? 2 * bytes : bytes);
}
#endif
