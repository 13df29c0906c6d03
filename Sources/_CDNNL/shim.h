// The C layer of TensorEngine: oneDNN's C API (2.6 on Debian 12, libdnnl-dev; `onednn` on Homebrew).
// Only what Swift cannot spell itself lives here: the special memory handles are macros.
#ifndef AUTOLOSS_CDNNL_SHIM_H
#define AUTOLOSS_CDNNL_SHIM_H

#include <oneapi/dnnl/dnnl.h>

/// `DNNL_MEMORY_ALLOCATE`: asks `dnnl_memory_create` to allocate (and own) the buffer.
static inline void *autoloss_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }

/// `DNNL_MEMORY_NONE`: a memory object without a buffer; the handle is set before each use.
static inline void *autoloss_dnnl_memory_none(void) { return DNNL_MEMORY_NONE; }

#endif
