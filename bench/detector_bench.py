"""Proxy-detector benchmark: the built-in detector's network against the identical network in
PyTorch on the CPU, same weights, same inputs, same run.

1. Parity: `autoloss-detector-bench export` writes the network's configuration, weights, input,
   output gradients, outputs and parameter gradients (batch 8, 256 px by default). PyTorch
   rebuilds the network from the configuration, loads the weights, and computes the same forward
   and backward (L = sum of outputs times the given gradients) in float64 (the reference) and
   float32. Every output and gradient must be within relative error 1e-4 of the float64
   reference (||swift - ref|| / ||ref||, per tensor); float32 PyTorch's own error is printed
   beside it.
2. Timing: a training step of the network (zero gradients, forward, backward from fixed output
   gradients, SGD with momentum and weight decay), batch 8 at 256 px; `autoloss-detector-bench
   time` for TensorEngine (plus the whole `autoloss train` step with data, targets and both loss
   slots), then PyTorch (torch.set_num_threads(2)), in alternating rounds; images/s for both and
   the ratio (PyTorch's time over ours: above 1, ours is faster). Each figure is the best round's
   median. With --bf16 (issue 37, where the processor has AVX512_BF16): ours with `--precision
   bf16` beside ours in float32, PyTorch under `torch.autocast("cpu", dtype=torch.bfloat16)`,
   and PyTorch's `torch.compile` (channels_last, float32; compiled once before the rounds).
3. SGEMM share: the convolutions' floating-point work in one training step (forward, backward
   to the weights, backward to the inputs except the image's) over our network step's time,
   against SGEMM's peak measured in the same run (`autoloss-tensor-bench sgemm`, if built). The
   step's other work (GroupNorm, ReLU, upsampling, SGD) counts as time, so this is a lower bound.

Usage: PYTHON bench/detector_bench.py [--binary PATH] [--repeats N] [--rounds R] [--batch 8] [--size 256] [--bf16]
       (after `swift build -c release --product autoloss-detector-bench --product autoloss-tensor-bench`)
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
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-4


class ProxyNetwork(nn.Module):
    """Sources/Detection/Proxy/ProxyNetwork.swift, layer for layer and name for name."""

    def __init__(self, config):
        super().__init__()
        channels, blocks = config["backbone_channels"], config["blocks_per_stage"]
        p, groups, depth = config["pyramid_channels"], config["groups"], config["tower_depth"]
        self.activation = config["box_activation"]
        stages, previous = [], 3
        for s, out in enumerate(channels):
            layers = []
            for j in range(blocks[s]):
                layers += [nn.Conv2d(previous if j == 0 else out, out, 3, stride=2 if j == 0 else 1, padding=1, bias=False),
                           nn.GroupNorm(groups, out), nn.ReLU()]
            stages.append(nn.Sequential(*layers))
            previous = out
        self.stages = nn.ModuleList(stages)
        self.laterals = nn.ModuleList(nn.Conv2d(c, p, 1) for c in channels[2:])
        self.smoothing = nn.ModuleList(nn.Conv2d(p, p, 3, padding=1) for _ in range(3))

        def tower():
            layers = []
            for _ in range(depth):
                layers += [nn.Conv2d(p, p, 3, padding=1, bias=False), nn.GroupNorm(groups, p), nn.ReLU()]
            return nn.Sequential(*layers)

        self.class_tower, self.box_tower = tower(), tower()
        self.classifier = nn.Conv2d(p, config["outputs"], 3, padding=1)
        self.box_regressor = nn.Conv2d(p, 4, 3, padding=1)
        self.scales = nn.ParameterList(nn.Parameter(torch.ones(1)) for _ in range(3))

    def forward(self, x):
        c3 = self.stages[2](self.stages[1](self.stages[0](x)))
        c4 = self.stages[3](c3)
        c5 = self.stages[4](c4)
        p5 = self.laterals[2](c5)
        p4 = self.laterals[1](c4) + F.interpolate(p5, scale_factor=2, mode="nearest")
        p3 = self.laterals[0](c3) + F.interpolate(p4, scale_factor=2, mode="nearest")
        outputs = []
        for level, merged in enumerate((p3, p4, p5)):
            feature = self.smoothing[level](merged)
            logits = self.classifier(self.class_tower(feature))
            raw = self.box_regressor(self.box_tower(feature)) * self.scales[level]
            distances = torch.exp(torch.clamp(raw, max=80)) if self.activation == "exp" else F.softplus(raw)
            outputs += [logits, distances]
        return outputs  # logits and distances of P3, P4, P5


OUTPUT_NAMES = [f"{kind}:{level}" for level in range(3) for kind in ("logits", "distances")]


def run_torch(config, archive, dtype):
    net = ProxyNetwork(config).to(dtype)
    state = {name[len("param:"):]: torch.from_numpy(value.copy()).to(dtype)
             for name, value in archive.items() if name.startswith("param:")}
    net.load_state_dict(state, strict=True)
    x = torch.from_numpy(archive["input"].copy()).to(dtype)
    outputs = net(x)
    loss = sum((o * torch.from_numpy(archive[f"seed:{name}"].copy()).to(dtype)).sum() for o, name in zip(outputs, OUTPUT_NAMES))
    loss.backward()
    result = {f"output:{name}": o.detach().double().numpy() for o, name in zip(outputs, OUTPUT_NAMES)}
    result.update({f"grad:{name}": p.grad.double().numpy() for name, p in net.named_parameters()})
    return result


def parity(binary, batch, size, shift, strict):
    """GroupNorm shifts around `shift`: 3 keeps nearly every unit off its ReLU's kink (the strict
    check); 0 is a trained network's regime, where float32 rounding flips units across the kink
    and both implementations drift from float64 alike (printed, not held to the limit)."""
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([binary, "export", directory, "--batch", str(batch), "--size", str(size), "--shift", str(shift)],
                       check=True, capture_output=True)
        manifest, archive = load_archive(directory)
    config = manifest["configuration"]
    reference = run_torch(config, archive, torch.float64)
    torch32 = run_torch(config, archive, torch.float32)
    worst, worst_torch, failures = 0.0, 0.0, []
    print(f"parity, GroupNorm shifts ~ {shift}: proxy network {config}, batch {batch}, {size} px; relative error against PyTorch float64")
    if strict:
        print(f"  {'tensor':<36}{'swift':>10}{'torch f32':>11}")
    for name, ref in reference.items():
        ours, theirs = relative_error(archive[name], ref), relative_error(torch32[name], ref)
        worst, worst_torch = max(worst, ours), max(worst_torch, theirs)
        if strict:
            print(f"  {name:<36}{ours:>10.1e}{theirs:>11.1e}")
        if not ours < TOLERANCE:
            failures.append(name)
    verdict = (f"; FAILED: {', '.join(failures)}" if failures else "") if strict else " (informational: kinks)"
    print(f"parity: {len(reference)} tensors, worst {worst:.1e} (PyTorch float32: {worst_torch:.1e}; limit {TOLERANCE:.0e}){verdict}")
    return not failures or not strict, config


def torch_timings(config, batch, size, repeats, variant="eager", compiled=None):
    """Step and forward milliseconds of PyTorch's network: eager float32, eager under bf16
    autocast, or `compiled` (a torch.compile'd network with its input in channels_last)."""
    torch.manual_seed(1)
    net = compiled[0] if compiled else ProxyNetwork(config)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.0, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(batch, 3, size, size) * 2 - 1
    if compiled:
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        seeds = [torch.rand_like(o) * 2 - 1 for o in net(x)]
    autocast = variant == "autocast"

    def step():
        optimizer.zero_grad(set_to_none=False)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            outputs = net(x)
        loss = sum((o.float() * s).sum() for o, s in zip(outputs, seeds))
        loss.backward()
        optimizer.step()

    def forward():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            net(x)

    return median_ms(step, repeats), median_ms(forward, repeats)


def compile_network(config):
    """PyTorch's network compiled (inductor), channels_last, warmed up: compiling takes minutes."""
    torch.manual_seed(1)
    net = ProxyNetwork(config).to(memory_format=torch.channels_last)
    return (torch.compile(net),)


def convolution_flops(config, batch, size):
    """Floating-point operations of every convolution in one training step: 2 per multiply-add,
    forward + weight gradient + input gradient (none for the first layer: the image needs none)."""
    net, total = ProxyNetwork(config), [0]

    def count(module, inputs, output):
        macs = output.numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        total[0] += 2 * macs * (2 if module is net.stages[0][0] else 3)

    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            module.register_forward_hook(count)
    with torch.no_grad():
        net(torch.zeros(batch, 3, size, size))
    return total[0]


def sgemm_peak(binary, repeats):
    if not os.path.exists(binary):
        return None
    return max(record["gflops"] for record in json_lines([binary, "sgemm", "--repeats", str(repeats)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "autoloss-detector-bench"))
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per figure (the median counts)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (the best counts)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--sgemm-binary", default=os.path.join(ROOT, ".build", "release", "autoloss-tensor-bench"))
    parser.add_argument("--bf16", action="store_true", help="also ours in bf16, PyTorch under bf16 autocast and torch.compile")
    args = parser.parse_args()
    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; binary {os.path.relpath(args.binary, ROOT)}")

    ok, config = parity(args.binary, args.batch, args.size, shift=3, strict=True)
    parity(args.binary, args.batch, args.size, shift=0, strict=False)

    ours_step, ours_forward, ours_train, torch_step, torch_forward = [], [], [], [], []
    extra = {k: [] for k in ("ours bf16", "ours bf16 forward", "ours bf16 train", "torch autocast", "torch autocast forward",
                             "torch compile", "torch compile forward")}
    phases = bf16_phases = None
    compiled = compile_network(config) if args.bf16 else None
    if compiled:
        torch_timings(config, args.batch, args.size, 1, compiled=compiled)  # the compilation itself
    for _ in range(args.rounds):
        if args.bf16:
            for record in json_lines([args.binary, "time", "--repeats", str(args.repeats), "--batch", str(args.batch),
                                      "--size", str(args.size), "--precision", "bf16"]):
                if record["bench"] == "network":
                    extra["ours bf16"].append(record["step_ms"])
                    extra["ours bf16 forward"].append(record["forward_ms"])
                elif record["bench"] == "train_step":
                    extra["ours bf16 train"].append(record["step_ms"])
                    if bf16_phases is None or record["step_ms"] < bf16_phases["step_ms"]:
                        bf16_phases = record
            for variant, kw in (("torch autocast", {"variant": "autocast"}), ("torch compile", {"compiled": compiled})):
                step, forward = torch_timings(config, args.batch, args.size, args.repeats, **kw)
                extra[variant].append(step)
                extra[variant + " forward"].append(forward)
        for record in json_lines([args.binary, "time", "--repeats", str(args.repeats), "--batch", str(args.batch), "--size", str(args.size)]):
            if record["bench"] == "network":
                ours_step.append(record["step_ms"])
                ours_forward.append(record["forward_ms"])
            elif record["bench"] == "train_step":
                ours_train.append(record["step_ms"])
                if phases is None or record["step_ms"] < phases["step_ms"]:
                    phases = record
        step, forward = torch_timings(config, args.batch, args.size, args.repeats)
        torch_step.append(step)
        torch_forward.append(forward)

    b = args.batch
    print(f"\nbest of {args.rounds} rounds, each the median of {args.repeats} runs; batch {b}, {args.size} px")
    print(f"{'':<40}{'ours ms':>9}{'torch ms':>10}{'ours img/s':>12}{'torch img/s':>13}{'vs torch':>10}")
    for label, ours, theirs in (("network training step (fwd+bwd+SGD)", min(ours_step), min(torch_step)),
                                ("network forward (inference)", min(ours_forward), min(torch_forward))):
        print(f"{label:<40}{ours:>9.1f}{theirs:>10.1f}{b / ours * 1e3:>12.1f}{b / theirs * 1e3:>13.1f}{theirs / ours:>9.2f}x")
    train = min(ours_train)
    print(f"{'autoloss train step (data+loss+all)':<40}{train:>9.1f}{'':>10}{b / train * 1e3:>12.1f}{'':>13}"
          f"{min(torch_step) / train:>9.2f}x")
    print("  phases of the best round (ms): " + ", ".join(f"{k[:-3]} {phases[k]:.2f}" for k in phases if k.endswith("_ms") and k != "step_ms"))
    if args.bf16:
        ours16, ours16_forward, train16 = min(extra["ours bf16"]), min(extra["ours bf16 forward"]), min(extra["ours bf16 train"])
        print(f"\nmixed precision (bf16), same rounds; the ratio is the anchor's time over ours in bf16")
        print(f"{'':<40}{'ms':>9}{'img/s':>12}{'vs ours bf16':>14}")
        rows = (("ours bf16: network step", ours16), ("ours fp32: network step", min(ours_step)),
                ("torch eager fp32: step", min(torch_step)), ("torch autocast bf16: step", min(extra["torch autocast"])),
                ("torch.compile fp32 channels_last: step", min(extra["torch compile"])),
                ("ours bf16: forward", ours16_forward), ("torch autocast bf16: forward", min(extra["torch autocast forward"])),
                ("torch.compile: forward", min(extra["torch compile forward"])), ("ours bf16: autoloss train step", train16))
        for label, ms in rows:
            reference = ours16_forward if "forward" in label else (train16 if "train step" in label else ours16)
            print(f"{label:<40}{ms:>9.1f}{b / ms * 1e3:>12.1f}{ms / reference:>13.2f}x")
        print("  bf16 phases of the best round (ms): "
              + ", ".join(f"{k[:-3]} {bf16_phases[k]:.2f}" for k in bf16_phases if k.endswith("_ms") and k != "step_ms"))
    flops, peak = convolution_flops(config, b, args.size), sgemm_peak(args.sgemm_binary, args.repeats)
    achieved = flops / min(ours_step) / 1e6
    share = f" = {achieved / peak:.0%} of SGEMM's {peak:.0f} GFLOP/s (1024^3, this run)" if peak else " (build autoloss-tensor-bench for SGEMM's peak)"
    print(f"convolutions: {flops / 1e9:.2f} GFLOP per training step, {achieved:.0f} GFLOP/s over the network step{share}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
