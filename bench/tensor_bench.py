"""Tensor-engine benchmark: TensorEngine against PyTorch on the CPU, same networks, same run.

1. Parity: `autoloss-tensor-bench export` writes the pyramid network's weights, input, output
   gradients, outputs and parameter gradients (batch 8, 256 px by default); PyTorch rebuilds the
   network from the same weights and computes the same forward and backward in float64 (the
   reference) and float32. Every output and gradient must be within relative error 1e-4 of the
   float64 reference (||swift - ref|| / ||ref||, per tensor); float32 PyTorch's own error is
   printed beside it.
2. Timing: `autoloss-tensor-bench time` (SGEMM, one forward + backward of the backbone and of the
   pyramid network, each convolution alone), then PyTorch (torch.set_num_threads(2)) on the same
   networks and inputs, in alternating rounds; prints images/s for both and the ratio (PyTorch's
   time over ours: above 1, TensorEngine is faster). Each figure is the best round's median.

Usage: PYTHON bench/tensor_bench.py [--binary PATH] [--repeats N] [--rounds R] [--batch 8] [--size 256]
       (after `swift build -c release --product autoloss-tensor-bench`)
"""
import argparse
import os
import subprocess
import sys
import tempfile

import torch
from _archive import load_archive, relative_error
from _timing import json_lines, median_ms
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHANNELS = [3, 16, 32, 64, 128]
TOLERANCE = 1e-4


class BenchNetwork(nn.Module):
    """The networks of bench/Sources/autoloss-tensor-bench/BenchNetwork.swift, layer for layer."""

    def __init__(self, pyramid):
        super().__init__()
        self.pyramid = pyramid
        self.stages = nn.ModuleList(
            nn.Sequential(nn.Conv2d(CHANNELS[s], CHANNELS[s + 1], 3, stride=2, padding=1, bias=False),
                          nn.GroupNorm(8, CHANNELS[s + 1]), nn.ReLU())
            for s in range(4))
        if pyramid:
            self.lateral3 = nn.Conv2d(64, 32, 1)
            self.lateral4 = nn.Conv2d(128, 32, 1)
            self.tower = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.GroupNorm(8, 32), nn.ReLU())
            self.classifier = nn.Conv2d(32, 4, 3, padding=1)

    def forward(self, x):
        c3 = self.stages[2](self.stages[1](self.stages[0](x)))
        c4 = self.stages[3](c3)
        if not self.pyramid:
            return [c4]
        p4 = self.lateral4(c4)
        p3 = self.lateral3(c3) + nn.functional.interpolate(p4, scale_factor=2, mode="nearest")
        return [self.classifier(self.tower(p3)), self.classifier(self.tower(p4))]


def run_torch(archive, dtype):
    net = BenchNetwork(pyramid=True).to(dtype)
    state = {name[len("param:"):]: torch.from_numpy(value.copy()).to(dtype)
             for name, value in archive.items() if name.startswith("param:")}
    net.load_state_dict(state, strict=True)
    x = torch.from_numpy(archive["input"].copy()).to(dtype)
    outputs = net(x)
    loss = sum((o * torch.from_numpy(archive[f"seed:{k}"].copy()).to(dtype)).sum() for k, o in enumerate(outputs))
    loss.backward()
    result = {f"output:{k}": o.detach().double().numpy() for k, o in enumerate(outputs)}
    result.update({f"grad:{name}": p.grad.double().numpy() for name, p in net.named_parameters()})
    return result


def parity(binary, batch, size):
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([binary, "export", directory, "--batch", str(batch), "--size", str(size)],
                       check=True, capture_output=True)
        _, archive = load_archive(directory)
    reference = run_torch(archive, torch.float64)
    torch32 = run_torch(archive, torch.float32)
    worst, failures = 0.0, []
    print(f"parity: pyramid network, batch {batch}, {size} px; relative error against PyTorch float64")
    print(f"  {'tensor':<28}{'swift':>10}{'torch f32':>11}")
    for name, ref in reference.items():
        ours = relative_error(archive[name], ref)
        theirs = relative_error(torch32[name], ref)
        worst = max(worst, ours)
        print(f"  {name:<28}{ours:>10.1e}{theirs:>11.1e}")
        if not ours < TOLERANCE:
            failures.append(name)
    print(f"parity: {len(reference)} tensors, worst {worst:.1e} (limit {TOLERANCE:.0e})"
          + (f"; FAILED: {', '.join(failures)}" if failures else ""))
    return not failures


def torch_timings(batch, size, repeats):
    torch.manual_seed(1)
    result = {}
    for pyramid in (False, True):
        net = BenchNetwork(pyramid)
        x = torch.rand(batch, 3, size, size) * 2 - 1
        with torch.no_grad():
            seeds = [torch.rand_like(o) * 2 - 1 for o in net(x)]

        def step():
            net.zero_grad(set_to_none=False)
            loss = sum((o * s).sum() for o, s in zip(net(x), seeds))
            loss.backward()

        def forward():
            with torch.no_grad():
                net(x)

        result["pyramid" if pyramid else "backbone"] = (median_ms(step, repeats), median_ms(forward, repeats))
    return result


def best(records, key):
    """The record with the smallest `ms` for each value of `key`."""
    out = {}
    for r in records:
        k = key(r)
        if k not in out or r["ms"] < out[k]["ms"]:
            out[k] = r
    return out


def report(rounds, args):
    swift = [r for lines, _ in rounds for r in lines]
    peak = max(r["gflops"] for r in swift if r["bench"] == "sgemm")
    convs = best([r for r in swift if r["bench"] == "conv"], lambda r: (r["network"], r["layer"]))
    networks = best([r for r in swift if r["bench"] == "network"], lambda r: r["network"])
    forwards = {n: min(r["forward_ms"] for r in swift if r["bench"] == "network" and r["network"] == n) for n in networks}
    norms = {}
    for r in swift:
        if r["bench"] == "elementwise":
            kept = norms.setdefault(r["shape"], dict(r))
            for field in ("groupnorm_ms", "relu_ms", "fused_ms"):
                kept[field] = min(kept[field], r[field])
    print(f"\nbest of {args.rounds} rounds, each the median of {args.repeats} runs")
    print(f"sgemm 1024^3: {peak:.0f} GFLOP/s")
    for network in networks:
        total_ms = total_flops = 0.0
        for (net, layer), r in convs.items():
            if net != network:
                continue
            gemm = max(x["gemm_gflops"] for x in swift if x["bench"] == "conv" and x["network"] == net and x["layer"] == layer)
            print(f"  {net:<9}{layer:<30}{r['ms']:>7.2f} ms {r['gflops']:>5.0f} GFLOP/s"
                  f"  (sgemm at its GEMM shape {gemm:>3.0f})  {r['impl']}")
            total_ms += r["ms"]
            total_flops += r["gflops"] * r["ms"] * 1e6
        rate = total_flops / total_ms / 1e6
        print(f"  {network:<9}all convolutions: {total_ms:.1f} ms, {rate:.0f} GFLOP/s = {rate / peak:.0%} of SGEMM peak;"
              f" {total_ms / networks[network]['ms']:.0%} of the step")
    for shape, r in norms.items():
        print(f"  backbone {shape:<30} GroupNorm {r['groupnorm_ms']:.2f} ms + ReLU {r['relu_ms']:.2f} ms;"
              f" fused {r['fused_ms']:.2f} ms (forward + backward)")
    anchors = {n: (min(t[n][0] for _, t in rounds), min(t[n][1] for _, t in rounds)) for n in networks}
    print(f"\n{'network (batch %d, %d px)' % (args.batch, args.size):<28}{'swift ms':>10}{'torch ms':>10}"
          f"{'swift img/s':>13}{'torch img/s':>13}{'vs torch':>10}")
    for network, r in networks.items():
        step, forward = anchors[network]
        for label, ours, theirs in ((f"{network} fwd+bwd", r["ms"], step), (f"{network} forward", forwards[network], forward)):
            print(f"{label:<28}{ours:>10.1f}{theirs:>10.1f}{args.batch / ours * 1e3:>13.1f}"
                  f"{args.batch / theirs * 1e3:>13.1f}{theirs / ours:>9.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "autoloss-tensor-bench"))
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per figure (the median counts)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (the best counts)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; binary {os.path.relpath(args.binary, ROOT)}")

    ok = parity(args.binary, args.batch, args.size)

    # Rounds alternate between the two engines; every figure is the best round's median, so that
    # a burst of other processes on the shared machine does not decide the comparison.
    rounds = []
    for _ in range(args.rounds):
        swift = json_lines([args.binary, "time", "--repeats", str(args.repeats), "--batch", str(args.batch), "--size", str(args.size)])
        rounds.append((swift, torch_timings(args.batch, args.size, args.repeats)))
    report(rounds, args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
