"""The module map of docs/architecture.md, drawn from Package.swift: each library and the
command-line target with the targets and packages it depends on, in dependency order.

Usage: python3 scripts/module_map.py     (runs `swift package describe --type json`)
"""
import json
import subprocess

SKIP_PREFIXES = ("_", "autoloss-", "BenchSupport")


def main():
    described = json.loads(subprocess.run(["swift", "package", "describe", "--type", "json"], capture_output=True,
                                          text=True, check=True).stdout)
    targets = {t["name"]: t for t in described["targets"]
               if t["type"] in ("library", "executable") and not t["name"].startswith(SKIP_PREFIXES)}
    order, placed = [], set()
    while len(order) < len(targets):
        for name in sorted(targets):
            deps = [d for d in targets[name].get("target_dependencies", []) if d in targets]
            if name not in placed and all(d in placed for d in deps):
                order.append(name)
                placed.add(name)
    width = max(map(len, order))
    for name in order:
        t = targets[name]
        deps = t.get("target_dependencies", []) + t.get("product_dependencies", [])
        print(f"{name.ljust(width)}  <- {', '.join(deps) if deps else '(nothing)'}")


if __name__ == "__main__":
    main()
