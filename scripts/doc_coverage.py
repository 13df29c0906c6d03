"""The public symbols of modules that have no documentation comment, from the symbol graphs
that `make docs` extracts (swift-docc-plugin): `python3 scripts/doc_coverage.py TARGET...` in the
repository's root reads .build/*/extracted-symbols/*/TARGET. Prints one line per symbol (file:line, kind, name) and exits
1 when any is found.

Only declarations written in this repository count: members that a conformance synthesises or
inherits (hash(into:), ==, init(from:), a protocol's default implementation) have no source
location here and carry the standard library's documentation, so they are left out; an
enumeration case, a property, an initialiser written in Sources/ must say what it is.
"""
import json
import sys
from pathlib import Path


def undocumented(folder):
    missing = []
    for graph in sorted(Path(folder).glob("*.symbols.json")):
        data = json.loads(graph.read_text())
        for symbol in data["symbols"]:
            location = symbol.get("location")
            if not location or "/Sources/" not in location["uri"]:
                continue  # synthesised or inherited: documented where it is declared
            if symbol.get("accessLevel") not in ("public", "open") or symbol["kind"]["identifier"] == "swift.extension":
                continue
            if "sourceOrigin" in symbol:
                continue  # implements a protocol requirement: DocC shows the requirement's comment
            comment = symbol.get("docComment")
            if comment and any(line["text"].strip() for line in comment.get("lines", [])):
                continue
            path = location["uri"].split("/Sources/", 1)[1]
            line = location["position"]["line"] + 1
            missing.append((f"Sources/{path}:{line}", symbol["kind"]["displayName"], ".".join(symbol["pathComponents"])))
    return sorted(set(missing))


def symbol_folder(target):
    """The newest extracted-symbols folder of `target` (the package's folder name is part of the path)."""
    folders = sorted(Path(".build").glob(f"*/extracted-symbols/*/{target}"), key=lambda p: p.stat().st_mtime)
    if not folders:
        sys.exit(f"no symbol graphs of {target} under .build: run make docs")
    return folders[-1]


def main(targets):
    folders = [symbol_folder(t) for t in targets]
    found = [m for folder in folders for m in undocumented(folder)]
    for where, kind, name in found:
        print(f"{where}: {kind} {name} has no documentation comment")
    print(f"{len(found)} public symbols without a documentation comment in {', '.join(Path(f).name for f in folders)}",
          file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
