// The C layer of TensorEngine: oneDNN's C API (2.6 on Debian 12, libdnnl-dev; `onednn` on Homebrew).
// Only what Swift cannot spell itself lives here: the special memory handles are macros.
#ifndef AUTOLOSS_CDNNL_SHIM_H
#define AUTOLOSS_CDNNL_SHIM_H

#include <oneapi/dnnl/dnnl.h>

/// `DNNL_MEMORY_ALLOCATE`: asks `dnnl_memory_create` to allocate (and own) the buffer.
static inline void *autoloss_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }

/// `DNNL_MEMORY_NONE`: a memory object without a buffer; the handle is set before each use.
static inline void *autoloss_dnnl_memory_none(void) { return DNNL_MEMORY_NONE; }

/// Keeps freed memory on the heap for reuse (see TensorEngine's `_Allocator`): glibc only, where
/// large blocks otherwise go back to the system at every free. Returns 1 when applied.
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
static inline int autoloss_keep_freed_memory(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
}
#else
static inline int autoloss_keep_freed_memory(int mmap_threshold, int trim_threshold) {
    (void)mmap_threshold; (void)trim_threshold;
    return 0;
}
#endif

#endif
