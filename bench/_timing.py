"""Timing shared by the benchmark scripts."""
import time


def median_ms(fn, repeats):
    """Median wall time of `fn` in milliseconds over `repeats` runs, after two warm-ups."""
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return sorted(times)[len(times) // 2]
