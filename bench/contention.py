"""Fair on a shared machine (issue 37): a proxy training's images/s alone, beside a plain busy
loop of as many CPU-bound threads as the machine has cores, and beside a second identical
training started at the same moment; PyTorch's training of the identical network (batch 16 at
128 px, the proxy preset's step) alone and beside the same neighbours, in the same run. Prints
each one's share of its own idle speed (the fair share beside one neighbour of equal width is
50 %; the goal is at least 40 %).

    swift build -c release --product autoloss
    .venv/bin/python bench/contention.py [--images 2000] [--precision fp32|bf16|auto] [--no-torch]

Every process gets the environment a user's would: autoloss sets OMP_WAIT_POLICY=passive and
its thread count itself (docs/4-cluster.md); PyTorch runs with torch.set_num_threads(cores) and
its defaults.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _machine import cpu_flags, cpu_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORES = len(os.sched_getaffinity(0))

# A PyTorch training of the proxy network on random data: steps of batch 16 at 128 px (forward,
# a loss on all outputs, backward, SGD), printing images/s over the timed steps.
TORCH_TRAINING = r"""
import sys, time, torch
sys.path.insert(0, sys.argv[1])
from detector_bench import ProxyNetwork
torch.set_num_threads(int(sys.argv[2]))
steps = int(sys.argv[3])
config = {"backbone_channels": [16, 32, 64, 128, 128], "blocks_per_stage": [1, 2, 2, 2, 1], "pyramid_channels": 64,
          "groups": 8, "tower_depth": 2, "box_activation": "exp", "outputs": 6}
torch.manual_seed(1)
net = ProxyNetwork(config)
opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9)
x = torch.rand(16, 3, 128, 128)
def step():
    opt.zero_grad()
    sum(o.float().mean() for o in net(x)).backward()
    opt.step()
for _ in range(3):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
print(16 * steps / (time.perf_counter() - start))
"""


def busy_loop():
    """CORES CPU-bound processes (a plain spin, no memory traffic)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(CORES)]


def stop(processes):
    for p in processes:
        p.kill()
        p.wait()


def autoloss_training(binary, images, precision, out):
    return subprocess.Popen([binary, "train", "--task", "proxy", "--images", str(images), "--epochs", "1", "--eval-images", "50",
                             "--precision", precision, "--quiet", "--out", out], stdout=subprocess.DEVNULL)


def autoloss_rate(out):
    with open(out) as f:
        return json.load(f)["images_per_second"]


def torch_training(python, steps):
    return subprocess.Popen([python, "-c", TORCH_TRAINING, os.path.join(ROOT, "bench"), str(CORES), str(steps)],
                            stdout=subprocess.PIPE, text=True)


def torch_rate(process):
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit("the PyTorch training failed")
    return float(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "autoloss"))
    p.add_argument("--images", type=int, default=2000)
    p.add_argument("--precision", default="auto")
    p.add_argument("--torch-steps", type=int, default=60)
    p.add_argument("--no-torch", action="store_true")
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="autoloss-contention-")
    out, out2 = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
    rows = []

    def ours_alone():
        autoloss_training(a.binary, a.images, a.precision, out).wait()
        return autoloss_rate(out)

    alone = ours_alone()
    neighbours = busy_loop()
    time.sleep(0.5)
    try:
        beside_busy = ours_alone()
    finally:
        stop(neighbours)
    first, second = autoloss_training(a.binary, a.images, a.precision, out), autoloss_training(a.binary, a.images, a.precision, out2)
    first.wait()
    second.wait()
    pair = (autoloss_rate(out), autoloss_rate(out2))
    rows.append(("autoloss train", alone, beside_busy, pair))

    if not a.no_torch:
        t_alone = torch_rate(torch_training(sys.executable, a.torch_steps))
        neighbours = busy_loop()
        time.sleep(0.5)
        try:
            t_busy = torch_rate(torch_training(sys.executable, a.torch_steps))
        finally:
            stop(neighbours)
        t1, t2 = torch_training(sys.executable, a.torch_steps), torch_training(sys.executable, a.torch_steps)
        rows.append(("PyTorch (same network, batch 16, 128 px)", t_alone, t_busy, (torch_rate(t1), torch_rate(t2))))

    print(f"{cpu_name()} ({cpu_flags()}), {CORES} cores; autoloss --precision {a.precision}, {a.images} images; images/s and the share of its own idle rate")
    print("| training | alone | beside a busy loop | share | beside its twin (each) | share (mean) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, idle, busy, (x, y) in rows:
        print(f"| {name} | {idle:.1f} | {busy:.1f} | {busy / idle:.0%} | {x:.1f}, {y:.1f} | {(x + y) / 2 / idle:.0%} |")


if __name__ == "__main__":
    main()
