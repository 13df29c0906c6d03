"""The portable release build against a build for this very processor, in the same run.

The Makefile's release build targets Haswell's instruction set (AVX2, FMA: x86-64-v3) so that the
binary runs on any node of a cluster; release builds used `-target-cpu native` before, which on an
AVX-512 machine gave a binary that dies with SIGILL on older nodes. This measures what the
portable build gives up here: the proxy detector's training step (`autoloss-detector-bench time`:
the network step, and the whole step of `autoloss train`; oneDNN picks its AVX-512 kernels at run
time in both builds) and the loss evaluator (`autoloss-bench`: cse-b-cls over 10^6 sigmoid
elements, cse-a-cls over 10^5 rows of 81 classes, compiled by our own Swift kernels, which the
portable build compiles for AVX2). Rounds alternate between the builds; each figure is the best
round's median. Prints the ratio portable / native per measurement (1.00: no cost; 1.05: 5 %
slower).

Usage: python3 bench/portable_build.py NATIVE_BIN_DIR PORTABLE_BIN_DIR [--rounds 3] [--repeats 10]
       (bench/portable_build.sh builds both and runs this)
"""
import argparse
import json
import os
import subprocess


def run(binary, args):
    out = subprocess.run([binary] + args, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def measure(directory, repeats):
    figures = {}
    for line in run(os.path.join(directory, "autoloss-detector-bench"), ["time", "--repeats", str(repeats)]):
        figures[f"detector {line['bench']} step (ms)"] = line["step_ms"]
    for line in run(os.path.join(directory, "autoloss-bench"), [str(repeats)]):
        if line["impl"] == "compiled":
            figures[f"loss evaluator {line['bench']} (ms)"] = line["ms"]
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("native")
    parser.add_argument("portable")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    a = parser.parse_args()
    best = {"native": {}, "portable": {}}
    for r in range(a.rounds):
        for name, directory in (("native", a.native), ("portable", a.portable)):
            for key, ms in measure(directory, a.repeats).items():
                best[name][key] = min(ms, best[name].get(key, float("inf")))
        print(f"round {r + 1} of {a.rounds} done", flush=True)
    print(f"{'measurement':<40} {'native':>10} {'portable':>10} {'portable / native':>18}")
    for key, native in best["native"].items():
        portable = best["portable"][key]
        print(f"{key:<40} {native:>10.2f} {portable:>10.2f} {portable / native:>18.3f}")


if __name__ == "__main__":
    main()
