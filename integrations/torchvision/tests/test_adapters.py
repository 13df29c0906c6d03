"""The head adapters against torchvision's own losses and against `autoloss loss eval`."""
import copy
import unittest

import torch
from torchvision.models.detection import roi_heads
from torchvision.ops import generalized_box_iou_loss, sigmoid_focal_loss

from autoloss_torch import LossPair, use_in_faster_rcnn, use_in_fcos, use_in_retinanet
from autoloss_torch.train import build

from _support import Recorder, batch, exported, loss_eval

CLASSES = 3


def losses(model, images, targets, seed=0):
    torch.manual_seed(seed)  # RetinaNet and Faster R-CNN sample; the same draws both times
    model.train()
    return model(images, targets)


def close(test, ours, theirs, rtol=1e-5):
    test.assertTrue(torch.allclose(ours, theirs, rtol=rtol, atol=1e-7), f"{ours.tolist()} vs {theirs.tolist()}")


class FCOSParity(unittest.TestCase):
    def test_focal_and_giou_through_the_adapter_are_torchvisions_fcos_losses(self):
        torch.manual_seed(0)
        model = build("fcos", "resnet18", CLASSES, 128)
        ours = use_in_fcos(copy.deepcopy(model), LossPair(exported("focal", "sigmoid"), "sigmoid", exported("giou", "reg")))
        images, targets = batch(CLASSES)
        theirs, mine = losses(model, images, targets), losses(ours, images, targets)
        self.assertGreater(theirs["classification"].item(), 0)
        for key in ("classification", "bbox_regression", "bbox_ctrness"):
            close(self, mine[key], theirs[key])

    def test_from_scratch_every_positive_starts_with_a_box_over_its_ground_truth(self):
        # torchvision's zero bias starts the relu'd distances near 0 (mean IoU 0.01 here, some
        # boxes of zero area): from scratch the box loss stayed at 1 and FCOS scored AP 0.
        torch.manual_seed(0)
        regression = Recorder(exported("giou", "reg"))
        model = use_in_fcos(build("fcos", "resnet18", CLASSES, 128),
                            LossPair(exported("focal", "sigmoid"), "sigmoid", regression))
        losses(model, *batch(CLASSES))
        (i, u, _), _ = regression.calls[0]
        self.assertGreater(len(i), 0)
        self.assertTrue(bool((i > 0).all()), "a positive's predicted box misses its ground truth")
        self.assertGreater(float((i / u).mean()), 0.1)

    def test_the_regression_weight_scales_the_box_loss_alone(self):
        torch.manual_seed(0)
        model = build("fcos", "resnet18", CLASSES, 128)
        images, targets = batch(CLASSES)
        pair = LossPair(exported("focal", "sigmoid"), "sigmoid", exported("giou", "reg"))
        one = losses(use_in_fcos(copy.deepcopy(model), pair), images, targets)
        pair.regression_weight = 2.5
        weighted = losses(use_in_fcos(copy.deepcopy(model), pair), images, targets)
        close(self, weighted["bbox_regression"], 2.5 * one["bbox_regression"])
        close(self, weighted["classification"], one["classification"])

    def test_per_sample_losses_are_loss_eval_on_the_same_inputs(self):
        torch.manual_seed(1)
        classification, regression = Recorder(exported("cse-b-cls", "sigmoid")), Recorder(exported("cse-a-reg", "reg"))
        model = use_in_fcos(build("fcos", "resnet18", CLASSES, 128), LossPair(classification, "sigmoid", regression))
        losses(model, *batch(CLASSES, seed=1))
        (x, y, w), values = classification.calls[0]
        self.assertEqual(int(y.sum()), int((w > 0).sum()), "w is the IoU at each positive's class, 0 elsewhere")
        self.assertTrue(bool(((w == 0) | (w >= 1e-7)).all()), "IoU clamped at 1e-7")
        sample = torch.randperm(x.shape[0])[:200]
        close(self, values[sample].double().flatten(),
              loss_eval("cse-b-cls", "sigmoid", {"x": x[sample], "y": y[sample], "w": w[sample]}).flatten())
        (i, u, e), values = regression.calls[0]
        self.assertGreater(len(i), 0)
        close(self, values.double(), loss_eval("cse-a-reg", "reg", {"i": i, "u": u, "e": e}))


class FocalAlpha(unittest.TestCase):
    """LossPair.focal_alpha (candidate.json's focal_alpha): alpha_t is alpha where y = 1 and
    1 - alpha where y = 0."""

    def test_each_sigmoid_element_is_weighted_by_alpha_t(self):
        from autoloss_torch import sigmoid_elements
        g = torch.Generator().manual_seed(7)
        logits = torch.randn(40, CLASSES, generator=g, dtype=torch.float64)
        labels = torch.randint(-1, CLASSES, (40,), generator=g)
        iou = torch.rand(40, generator=g, dtype=torch.float64)
        raw = Recorder(exported("focal", "sigmoid"))
        default = sigmoid_elements(raw, logits, labels, iou)
        (x, y, w), unweighted = raw.calls[0]
        self.assertTrue(bool((y == 1).any()) and bool((y == 0).any()))
        close(self, default, (0.25 * y + 0.75 * (1 - y)) * unweighted, rtol=0)
        for alpha in (0.0, 0.5, 0.75, 0.9, 1.0):
            weighted = sigmoid_elements(raw, logits, labels, iou, alpha)
            close(self, weighted, (alpha * y + (1 - alpha) * (1 - y)) * unweighted, rtol=0)

    def test_the_heads_alpha_is_torchvisions_focal_loss_at_that_alpha(self):
        torch.manual_seed(8)
        model = build("fcos", "resnet18", CLASSES, 128)
        images, targets = batch(CLASSES, seed=8)
        classification = Recorder(exported("focal", "sigmoid"))
        pair = LossPair(classification, "sigmoid", exported("giou", "reg"), focal_alpha=0.75)
        mine = losses(use_in_fcos(copy.deepcopy(model), pair), images, targets)
        (x, y, _), _ = classification.calls[0]
        positives = int(y.sum())
        self.assertGreater(positives, 0)
        theirs = sigmoid_focal_loss(x, y, alpha=0.75, gamma=2, reduction="sum") / positives
        close(self, mine["classification"], theirs)
        default = losses(use_in_fcos(copy.deepcopy(model), LossPair(exported("focal", "sigmoid"), "sigmoid",
                                                                   exported("giou", "reg"))), images, targets)
        self.assertGreater(abs(mine["classification"].item() - default["classification"].item()), 1e-3)
        close(self, mine["bbox_regression"], default["bbox_regression"])


class RetinaNetParity(unittest.TestCase):
    def test_focal_and_giou_through_the_adapter_are_torchvisions_retinanet_losses(self):
        torch.manual_seed(2)
        model = build("retinanet", "resnet18", CLASSES, 128)
        model.head.regression_head._loss_type = "giou"
        ours = use_in_retinanet(copy.deepcopy(model), LossPair(exported("focal", "sigmoid"), "sigmoid", exported("giou", "reg")))
        images, targets = batch(CLASSES, seed=2)
        theirs, mine = losses(model, images, targets), losses(ours, images, targets)
        for key in ("classification", "bbox_regression"):
            close(self, mine[key], theirs[key])

    def test_ignored_anchors_are_left_out(self):
        torch.manual_seed(3)
        classification = Recorder(exported("bce", "sigmoid"))
        model = use_in_retinanet(build("retinanet", "resnet18", CLASSES, 128),
                                 LossPair(classification, "sigmoid", exported("iou", "reg")))
        images, targets = batch(CLASSES, seed=3)
        losses(model, images, targets)
        anchors = sum(len(a) for a in model.anchor_generator(model.transform(images, targets)[0],
                                                            list(model.backbone(model.transform(images, targets)[0].tensors).values()))) // 2
        rows = [call[0][0].shape[0] for call in classification.calls]
        self.assertEqual(len(rows), 2)
        self.assertTrue(all(r < anchors for r in rows), f"{rows} rows of {anchors} anchors: IoU 0.4-0.5 anchors are ignored")


class FasterRCNNParity(unittest.TestCase):
    def test_cross_entropy_through_the_adapter_is_torchvisions_and_boxes_decode(self):
        torch.manual_seed(4)
        model = build("fasterrcnn", "resnet18", CLASSES, 128)
        regression = Recorder(exported("giou", "reg"))
        ours = use_in_faster_rcnn(copy.deepcopy(model), LossPair(exported("ce", "softmax"), "softmax", regression))
        images, targets = batch(CLASSES, seed=4)
        for t in targets:
            t["labels"] = t["labels"] + 1  # Faster R-CNN: background is class 0
        theirs, mine = losses(model, images, targets), losses(ours, images, targets)
        close(self, mine["loss_classifier"], theirs["loss_classifier"])
        close(self, mine["loss_rpn_box_reg"], theirs["loss_rpn_box_reg"])
        (i, u, e), values = regression.calls[0]
        self.assertGreater(len(values), 0, "sampled positive RoIs")
        self.assertTrue(bool((i <= u).all()) and bool((u <= e + 1e-3).all()), "i <= u <= e of decoded boxes")
        self.assertEqual(roi_heads.fastrcnn_loss.__module__, "autoloss_torch.heads")

    def test_softmax_rows_put_background_last_with_weight_one(self):
        torch.manual_seed(5)
        classification = Recorder(exported("cse-a-cls", "softmax"))
        model = use_in_faster_rcnn(build("fasterrcnn", "resnet18", CLASSES, 128),
                                   LossPair(classification, "softmax", exported("giou", "reg")))
        images, targets = batch(CLASSES, seed=5)
        for t in targets:
            t["labels"] = t["labels"] + 1
        losses(model, images, targets)
        (x, y, w), values = classification.calls[0]
        background = y[:, -1] == 1
        self.assertTrue(bool(background.any()) and bool((w[background] == 1).all()))
        self.assertTrue(bool((w[~background] < 1).all()), "positives weighted by their IoU")
        close(self, values.double(), loss_eval("cse-a-cls", "softmax", {"x": x, "y": y, "w": w}))

    def test_a_mode_that_does_not_fit_the_head_is_refused(self):
        pair = LossPair(exported("focal", "sigmoid"), "sigmoid", exported("giou", "reg"))
        with self.assertRaisesRegex(ValueError, "--mode softmax"):
            use_in_faster_rcnn(build("fasterrcnn", "resnet18", CLASSES, 128), pair)


class GIoUDefinition(unittest.TestCase):
    def test_giou_of_box_inputs_is_torchvisions(self):
        from autoloss_torch import regression_samples
        g = torch.Generator().manual_seed(6)
        a = torch.rand(50, 2, generator=g) * 100
        b = torch.rand(50, 2, generator=g) * 100
        pred = torch.cat([a, a + 1 + torch.rand(50, 2, generator=g) * 50], 1).double()
        truth = torch.cat([b, b + 1 + torch.rand(50, 2, generator=g) * 50], 1).double()
        close(self, regression_samples(exported("giou", "reg"), pred, truth),
              generalized_box_iou_loss(pred, truth, reduction="none"), rtol=1e-9)


if __name__ == "__main__":
    unittest.main()
