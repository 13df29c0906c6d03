"""What the PyTorch parity checks share: the tensor archive the Swift benchmarks export
(bench/Sources/BenchSupport/TensorArchive.swift) and the error they are held to."""
import json
import os

import numpy as np


def load_archive(directory):
    """The manifest (schema 1) and every tensor of an exported archive, by name (float32 arrays of
    their shapes)."""
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    assert manifest["schema"] == 1, manifest["schema"]
    flat = np.fromfile(os.path.join(directory, "tensors.bin"), dtype="<f4")
    out = {}
    for entry in manifest["tensors"]:
        count = int(np.prod(entry["shape"]))
        out[entry["name"]] = flat[entry["offset"]:entry["offset"] + count].reshape(entry["shape"])
    return manifest, out


def relative_error(a, b):
    """||a - b|| / ||b||, in float64 (`b` is the reference)."""
    return float(np.linalg.norm(a.astype(np.float64) - b) / max(np.linalg.norm(b), 1e-30))
