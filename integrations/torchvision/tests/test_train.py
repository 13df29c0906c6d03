"""autoloss-torch-train on candidate folders, and write_result's checks."""
import contextlib
import io
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from autoloss_torch import ResultError, load_candidate, write_result
from autoloss_torch.candidate import CandidateError
from autoloss_torch.train import adapt, main

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


def count_loss_calls(folder):
    """Wraps the folder's partner.py (the classification loss) so that each call appends a line to
    partner.calls: the heads compute their losses once per training step and never in eval mode,
    so the file's lines are the steps trained."""
    partner = folder / "partner.py"
    partner.write_text(partner.read_text() + "\n\n_counted = loss\n\n\ndef loss(x, y, w):\n"
                       "    with open(__file__[:-3] + '.calls', 'a') as f:\n        f.write('step\\n')\n"
                       "    return _counted(x, y, w)\n")
    return lambda: len((folder / "partner.calls").read_text().splitlines()) if (folder / "partner.calls").exists() else 0


class ConfirmationSetting(unittest.TestCase):
    """candidate.json's schema-3 keys: a confirmation training's reg_weight, focal_alpha,
    focal_gamma and horizon."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp()
        os.environ.setdefault("AUTOLOSS_BIN", autoloss_binary())
        os.environ["XDG_CACHE_HOME"] = cls.root

    def run_main(self, folder, *options):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main([str(folder), "--data", "shapes", "--size", "64", *options])
        return status, err.getvalue()

    def test_the_keys_are_read_and_absent_keys_change_nothing(self):
        folder = candidate_folder(self.root, "proxy", schema=3, reg_weight=3, focal_alpha=0.5, focal_gamma=1, horizon=2)
        c = load_candidate(folder)
        self.assertEqual((c.reg_weight, c.focal_alpha, c.focal_gamma, c.horizon), (3.0, 0.5, 1, 2.0))
        self.assertEqual((c.pair.regression_weight, c.pair.focal_alpha), (3.0, 0.5))
        self.assertEqual((c.steps(200), c.steps(3), c.steps(1)), (400, 6, 2))
        plain = load_candidate(candidate_folder(self.root, "proxy", schema=2))
        self.assertEqual((plain.reg_weight, plain.focal_alpha, plain.focal_gamma, plain.horizon), (None,) * 4)
        self.assertEqual((plain.pair.regression_weight, plain.pair.focal_alpha), (1.0, 0.25))
        self.assertEqual(plain.steps(200), 200)
        half = load_candidate(candidate_folder(self.root, "proxy", horizon=0.5))
        self.assertEqual((half.steps(3), half.steps(5), half.steps(1)), (2, 3, 1), "halves round up; at least 1 step")

    def test_a_horizon_multiplies_the_steps_trained_at_both_stages(self):
        for stage, options, horizon, expected in [("mos", ["--iterations", "3"], None, 3),
                                                  ("mos", ["--iterations", "3"], 2, 6),
                                                  ("mos", ["--iterations", "9", "--mos-iterations", "2"], 1.5, 3),
                                                  ("proxy", ["--iterations", "2", "--train-images", "8"], 2, 4)]:
            extra = {} if horizon is None else {"horizon": horizon, "schema": 3}
            folder = candidate_folder(self.root, stage, **extra)
            steps = count_loss_calls(folder)
            status, err = self.run_main(folder, *options)
            self.assertEqual(status, 0, err)
            self.assertEqual(json.loads((folder / "result.json").read_text())["status"], "ok")
            self.assertEqual(steps(), expected, f"{stage} {options} at horizon {horizon}")

    def test_the_candidates_reg_weight_wins_over_the_flag_and_its_alpha_reaches_the_head(self):
        # The pair the detector's head is given, for each combination of key and flag; the
        # training itself is cut short (its reason written as diverged).
        cases = [({}, [], 1.0, 0.25), ({}, ["--reg-weight", "3"], 3.0, 0.25),
                 ({"reg_weight": 0.5}, [], 0.5, 0.25), ({"reg_weight": 0.5, "focal_alpha": 0.75}, ["--reg-weight", "3"], 0.5, 0.75),
                 ({"reg_weight": 0}, ["--reg-weight", "3"], 0.0, 0.25)]
        for meta, options, weight, alpha in cases:
            folder = candidate_folder(self.root, "mos", schema=3, **meta)
            with mock.patch("autoloss_torch.train.adapt", wraps=adapt) as adapted, \
                    mock.patch("autoloss_torch.train.train", return_value="not trained"):
                status, err = self.run_main(folder, *options)
            self.assertEqual(status, 0, err)
            pair = adapted.call_args.args[2]
            self.assertEqual((pair.regression_weight, pair.focal_alpha), (weight, alpha), f"{meta} {options}")

    def test_bad_values_are_refused_with_the_key(self):
        for key, value, rule in [("reg_weight", -1, "at least 0"), ("reg_weight", float("inf"), "finite"),
                                 ("reg_weight", float("nan"), "finite"), ("reg_weight", "3", "finite number"),
                                 ("focal_alpha", 1.5, "[0, 1]"), ("focal_alpha", -0.1, "[0, 1]"), ("focal_alpha", True, "[0, 1]"),
                                 ("horizon", 0, "above 0"), ("horizon", -2, "above 0"), ("horizon", 8.5, "at most 8"),
                                 ("horizon", float("inf"), "at most 8"), ("focal_gamma", 1.5, "integer")]:
            folder = candidate_folder(self.root, "mos", schema=3, **{key: value})
            with self.assertRaises(CandidateError) as refused:
                load_candidate(folder)
            self.assertIn(f"{key} = {value!r}", str(refused.exception))
            self.assertIn(rule, str(refused.exception))
        for key, value in [("horizon", 8), ("focal_alpha", 0), ("focal_alpha", 1), ("reg_weight", 0)]:
            self.assertEqual(getattr(load_candidate(candidate_folder(self.root, "mos", **{key: value})), key), value)
        folder = candidate_folder(self.root, "mos", schema=3, horizon=0)
        status, err = self.run_main(folder, "--iterations", "3")
        self.assertEqual(status, 1)
        self.assertIn("horizon = 0: the horizon must be a number above 0", err.strip().splitlines()[-1])
        self.assertFalse((folder / "result.json").exists())


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
