"""autoloss-torch-train on candidate folders, and write_result's checks."""
import contextlib
import io
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from autoloss_torch import ResultError, load_candidate, write_result
from autoloss_torch.train import main

from _support import autoloss_binary

EXPORTS = {"loss.py": ("giou", "reg"), "partner.py": ("focal", "sigmoid")}


def candidate_folder(root, stage, **extra):
    d = Path(tempfile.mkdtemp(dir=root))
    for name, (formula, branch) in EXPORTS.items():
        code = subprocess.run([autoloss_binary(), "export", formula, "--branch", branch, "--format", "pytorch"],
                              capture_output=True, text=True, check=True).stdout
        (d / name).write_text(code)
    meta = {"branch": "reg", "mode": "sigmoid", "stage": stage, "seed": 3, "formula": "giou", "partner": "focal",
            "generation": 0, "slot": 1, "threads": 1, **extra}
    (d / "candidate.json").write_text(json.dumps(meta))
    return d


class TrainCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        os.environ.setdefault("AUTOLOSS_BIN", autoloss_binary())
        os.environ["XDG_CACHE_HOME"] = cls.root  # a fresh shapes cache: --data shapes writes it

    def train(self, folder, *options):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main([str(folder), "--data", "shapes", "--size", "64", "--iterations", "3", *options])
        return status, err.getvalue()

    def test_both_stages_write_a_valid_result(self):
        for stage in ("mos", "proxy"):
            folder = candidate_folder(self.root, stage)
            status, err = self.train(folder)
            self.assertEqual(status, 0, err)
            result = json.loads((folder / "result.json").read_text())
            self.assertEqual(result["status"], "ok")
            self.assertEqual(len(result["stats"]), 12)
            self.assertTrue(0 <= result["stats"][0] <= 1)

    def test_the_search_verification_images_are_the_mos_images(self):
        folder = candidate_folder(self.root, "mos", verification_images=[{"file": "no-such.png", "id": 99999}])
        status, err = self.train(folder)
        self.assertEqual(status, 1)
        self.assertIn("no image {'file': 'no-such.png', 'id': 99999} of the search's verification set", err.strip().splitlines()[-1])

    def test_a_non_finite_loss_is_reported_as_diverged(self):
        folder = candidate_folder(self.root, "proxy")
        (folder / "partner.py").write_text("def loss(x, y, w):\n    return x * float('nan')\n")
        status, err = self.train(folder)
        self.assertEqual(status, 0, err)
        result = json.loads((folder / "result.json").read_text())
        self.assertEqual(result["status"], "diverged")
        self.assertIn("classification loss is nan at step 1", result["reason"])

    def test_bad_data_fails_with_one_line(self):
        folder = candidate_folder(self.root, "proxy")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = main([str(folder), "--data", str(folder)])
        self.assertEqual(status, 1)
        self.assertIn("not a COCO folder", err.getvalue().strip().splitlines()[-1])
        self.assertFalse((folder / "result.json").exists())

    def test_a_regression_weight_trains_and_a_negative_one_is_refused(self):
        folder = candidate_folder(self.root, "proxy")
        status, err = self.train(folder, "--reg-weight", "3")
        self.assertEqual(status, 0, err)
        self.assertEqual(json.loads((folder / "result.json").read_text())["status"], "ok")
        with contextlib.redirect_stderr(io.StringIO()) as refused, self.assertRaises(SystemExit) as exit:
            main([str(folder), "--data", "shapes", "--reg-weight", "-1"])
        self.assertEqual(exit.exception.code, 2)
        self.assertIn("--reg-weight must be a finite number of at least 0", refused.getvalue())

    def test_load_candidate_reads_what_the_search_wrote(self):
        folder = candidate_folder(self.root, "mos", verification_images=[{"file": "000001.png", "id": 1}])
        c = load_candidate(folder)
        self.assertEqual((c.branch, c.mode, c.stage, c.seed, c.generation, c.slot, c.threads), ("reg", "sigmoid", "mos", 3, 0, 1, 1))
        self.assertEqual(c.verification_images, [{"file": "000001.png", "id": 1}])
        self.assertIs(c.pair.regression, c.loss)


class ResultChecks(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())

    def test_what_the_search_would_reject_is_refused_and_not_written(self):
        for kwargs, message in [({"ap": 37}, "not in percent"), ({"ap": float("nan")}, "outside"),
                                ({"stats": [-1] * 12}, "an AP in [0, 1] is needed"), ({"stats": [0.5] * 11}, "has 11 numbers"),
                                ({"stats": [0.5] * 11 + [2]}, "stats[11] = 2.0"), ({}, "needs stats")]:
            with self.assertRaisesRegex(ResultError, message.replace("[", r"\[").replace("]", r"\]")):
                write_result(self.dir, **kwargs)
        self.assertEqual(list(self.dir.iterdir()), [])

    def test_results_are_written_whole(self):
        write_result(self.dir, ap=0.37, seconds=2)
        self.assertEqual(json.loads((self.dir / "result.json").read_text()), {"status": "ok", "ap": 0.37, "seconds": 2.0})
        write_result(self.dir, diverged="NaN at step 4")
        self.assertEqual(json.loads((self.dir / "result.json").read_text()), {"status": "diverged", "reason": "NaN at step 4"})
        self.assertEqual([p.name for p in self.dir.iterdir()], ["result.json"])


if __name__ == "__main__":
    unittest.main()
