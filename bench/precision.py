"""Mixed precision on the proxy (issue 37): the whole proxy training (`autoloss train --task
proxy`, the preset a search trains every candidate with) in float32 and in bfloat16, the same
seeds, run alternately in one session so that both see the same machine. Prints per precision
the AP over the seeds (mean ± sample sd), the training seconds and images/s, and bf16's speed
against fp32 (the anchor, measured in the same run).

    swift build -c release --product autoloss
    python3 bench/precision.py [--seeds 1 2 3] [--cls focal --mode sigmoid] [--epochs E]

The AP criterion (issue 37): bf16's mean within one seed deviation of fp32's. Each training's
JSON is kept in bench/out/precision/ and read back instead of training again (delete it to
measure anew); --fresh ignores them.
"""
import argparse
import json
import os
import statistics
import subprocess

from _machine import cpu_flags, cpu_name


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=".build/release/autoloss")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--mode", default="sigmoid")
    p.add_argument("--cls", default="focal")
    p.add_argument("--reg", default="giou")
    p.add_argument("--epochs", type=float, help="fewer epochs than the preset (a quick look, not the criterion)")
    p.add_argument("--precisions", nargs="+", default=["fp32", "bf16"])
    p.add_argument("--out", default="bench/out/precision")
    p.add_argument("--fresh", action="store_true")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    print(f"processor: {cpu_name()} ({cpu_flags()}), {os.cpu_count()} cores; {a.mode} {a.cls} + {a.reg}, proxy preset"
          + (f", {a.epochs} epochs" if a.epochs else ""))
    results = {pr: [] for pr in a.precisions}
    for seed in a.seeds:
        for pr in a.precisions:
            tag = f"{a.mode}-{a.cls}-{a.reg}-{pr}-s{seed}" + (f"-e{a.epochs:g}" if a.epochs else "")
            path = os.path.join(a.out, tag + ".json")
            if a.fresh or not os.path.exists(path):
                cmd = [a.binary, "train", "--task", "proxy", "--mode", a.mode, "--cls", a.cls, "--reg", a.reg,
                       "--seed", str(seed), "--precision", pr, "--out", path, "--quiet"]
                if a.epochs:
                    cmd += ["--epochs", str(a.epochs)]
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with open(path) as f:
                r = json.load(f)
            results[pr].append(r)
            print(f"  seed {seed} {pr}: AP {r['stats'][0] * 100:.2f}, {r['training_seconds']:.1f} s training, "
                  f"{r['images_per_second']:.1f} images/s", flush=True)
    print()
    print("| precision | AP per seed | AP mean ± sd | training s (mean) | images/s (mean) | speed against fp32 |")
    print("|---|---|---:|---:|---:|---:|")
    anchor = statistics.mean(r["training_seconds"] for r in results[a.precisions[0]])
    summary = {}
    for pr, rs in results.items():
        aps = [r["stats"][0] * 100 for r in rs]
        sd = statistics.stdev(aps) if len(aps) > 1 else 0.0
        secs = statistics.mean(r["training_seconds"] for r in rs)
        ips = statistics.mean(r["images_per_second"] for r in rs)
        summary[pr] = (statistics.mean(aps), sd)
        print(f"| {pr} | {', '.join(f'{x:.2f}' for x in aps)} | {statistics.mean(aps):.2f} ± {sd:.2f} | {secs:.1f} | {ips:.1f} | "
              f"{anchor / secs:.2f}x |")
    if "fp32" in summary and "bf16" in summary and len(a.seeds) > 1:
        (m32, sd32), (m16, _) = summary["fp32"], summary["bf16"]
        verdict = "within" if abs(m16 - m32) <= sd32 else "outside"
        print(f"\nbf16 - fp32: {m16 - m32:+.2f} AP, {verdict} one fp32 seed deviation ({sd32:.2f})")


if __name__ == "__main__":
    main()
