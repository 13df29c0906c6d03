"""Runs exported PyTorch losses in float64 with autograd, for the export parity test
(Tests/autolossTests/ExportParityTests.swift), in one process.

Usage: python scripts/export_parity.py CASES.json OUT.f64 ERRORS.json

CASES.json: {"inputs": {branch: {name: numbers, "rows": N, "classes": C}},
             "formulas": [{"branch": b, "code": the module `autoloss export` writes}, ...]}
OUT.f64: for every formula in order, little-endian float64: its N values, then the gradient of
each of the branch's inputs (x, y, w or i, u, e) in the input's shape, flattened; NaN where the
export raised. ERRORS.json: [{"index": k, "error": "..."}] for every export that raised.
"""
import json
import sys

import torch

INPUTS = {"softmax": ["x", "y", "w"], "sigmoid": ["x", "y", "w"], "reg": ["i", "u", "e"]}


def tensors(spec, branch):
    rows, classes = spec["rows"], spec["classes"]
    out = {}
    for name in INPUTS[branch]:
        t = torch.tensor(spec[name], dtype=torch.float64)
        if branch == "softmax" and name in ("x", "y"):
            t = t.reshape(rows, classes)
        out[name] = t
    return out


def evaluate(code, inputs):
    namespace = {}
    exec(compile(code, "<export>", "exec"), namespace)
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    value = namespace["loss"](**leaves)
    if value.requires_grad:
        grads = torch.autograd.grad(value, list(leaves.values()), grad_outputs=torch.ones_like(value), allow_unused=True)
    else:
        grads = [None] * len(leaves)
    parts = [value.detach().reshape(-1)]
    for leaf, g in zip(leaves.values(), grads):
        parts.append((torch.zeros_like(leaf) if g is None else g).reshape(-1))
    return torch.cat(parts)


def main():
    cases_path, out_path, errors_path = sys.argv[1:4]
    with open(cases_path) as f:
        cases = json.load(f)
    inputs = {b: tensors(spec, b) for b, spec in cases["inputs"].items()}
    sizes = {b: sum(t.numel() for t in inputs[b].values()) + cases["inputs"][b]["rows"] for b in inputs}
    chunks, errors = [], []
    for k, formula in enumerate(cases["formulas"]):
        branch = formula["branch"]
        try:
            result = evaluate(formula["code"], inputs[branch])
            if result.numel() != sizes[branch]:
                raise ValueError(f"{result.numel()} numbers, expected {sizes[branch]}")
        except Exception as error:  # every failure is a finding: the test reports it
            errors.append({"index": k, "error": f"{type(error).__name__}: {error}"})
            result = torch.full((sizes[branch],), float("nan"), dtype=torch.float64)
        chunks.append(result)
    torch.cat(chunks).numpy().astype("<f8").tofile(out_path)
    with open(errors_path, "w") as f:
        json.dump(errors, f)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
