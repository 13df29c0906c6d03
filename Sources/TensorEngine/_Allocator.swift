import Foundation
import _CDNNL

/// Keeps freed tensor memory in the process for the next step.
///
/// A training step allocates and frees the same few hundred megabytes of activations and
/// gradients every iteration, in blocks of up to tens of megabytes. glibc serves blocks above its
/// mmap threshold (128 KiB at first, adapted up to 32 MiB) with fresh `mmap`s and returns the top
/// of the heap to the system beyond its trim threshold, so each step paid again for page faults
/// and for the kernel zeroing the pages: measured, a quarter of the backbone benchmark's step
/// (23 ms against 17.5 ms with the thresholds raised). Raising both thresholds once keeps the
/// blocks on the heap for reuse. Settings the user made through the environment
/// (`GLIBC_TUNABLES`, `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`) are left alone; other C
/// libraries (macOS's malloc caches large regions itself) are not touched.
enum _Allocator {
    static let configured: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if ["GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"].contains(where: { environment[$0] != nil }) {
            return false
        }
        return autoloss_keep_freed_memory(256 << 20, 1 << 30) == 1
    }()
}
