"""Timing shared by the benchmark scripts, and the Swift benchmarks' results as they print them."""
import json
import subprocess
import time


def median_ms(fn, repeats):
    """Median wall time of `fn` in milliseconds over `repeats` runs, after two warm-ups (as
    `measure` in bench/Sources/BenchSupport/Stopwatch.swift)."""
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return sorted(times)[len(times) // 2]


def json_lines(command):
    """Runs a Swift benchmark and returns the JSON object of each line it prints (BenchSupport's
    `emit`); lines that are not objects are passed over."""
    run = subprocess.run(command, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
