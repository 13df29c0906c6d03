#!/usr/bin/env python3
"""Keep a run's or an ablation's stores in git, so that a measurement that takes longer than one
session survives a fresh checkout (bench/out is not tracked).

    python3 scripts/keep_stores.py keep FOLDER ARCHIVE      every */run.sqlite (and run.sqlite)
                                                            under FOLDER into ARCHIVE (.tar.gz)
    python3 scripts/keep_stores.py restore ARCHIVE FOLDER   unpack it there (FOLDER must not exist)

`keep` copies each store through SQLite's backup API: a consistent copy even while a search is
writing to it (its write-ahead log folded in). Checkpoints are left out (5.8 MB a training); a
resumed run starts its interrupted training again.
"""
import os
import sqlite3
import sys
import tarfile
import tempfile


def keep(folder, archive):
    stores = []
    for root, _, files in os.walk(folder):
        if "run.sqlite" in files and "checkpoints" not in root.split(os.sep):
            stores.append(os.path.relpath(os.path.join(root, "run.sqlite"), folder))
    if not stores:
        sys.exit(f"keep_stores: no run.sqlite under {folder}")
    os.makedirs(os.path.dirname(archive) or ".", exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for rel in sorted(stores):
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            source = sqlite3.connect(f"file:{os.path.join(folder, rel)}?mode=ro", uri=True)
            copy = sqlite3.connect(os.path.join(tmp, rel))
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.close()
            source.close()
        partial = archive + ".new"
        with tarfile.open(partial, "w:gz") as tar:
            for rel in sorted(stores):
                tar.add(os.path.join(tmp, rel), arcname=rel)
        os.replace(partial, archive)
    print(f"kept {len(stores)} stores of {folder} in {archive} ({os.path.getsize(archive) // 1024} KiB)")


def restore(archive, folder):
    if os.path.exists(folder):
        sys.exit(f"keep_stores: {folder} exists; restore only into a new folder")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        if any(os.path.isabs(n) or ".." in n.split("/") for n in names):
            sys.exit(f"keep_stores: {archive} holds a path outside its folder")
        tar.extractall(folder)
    print(f"restored {len(names)} stores from {archive} into {folder}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("keep", "restore"):
        sys.exit(__doc__)
    (keep if sys.argv[1] == "keep" else restore)(sys.argv[2], sys.argv[3])
