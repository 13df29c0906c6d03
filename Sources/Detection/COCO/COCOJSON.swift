import Foundation

/// COCO's JSON files: instances (ground truth) and results (detections).
///
/// Reading (`COCOJSON+Reading.swift`):
/// ```
/// let gt = try COCOJSON.readInstances(path: "instances_val2017.json")
/// let dt = try COCOJSON.readResults(path: "detections.json")
/// let metrics = try COCOEvaluator(groundTruth: gt).evaluate(dt)
/// ```
/// The layout is that of <https://cocodataset.org/#format-data> and of pycocotools
/// (`COCO.__init__`, `COCO.loadRes`):
/// - instances: `{"images": [{"id", "file_name", "width", "height"}], "annotations": [{"id",
///   "image_id", "category_id", "bbox": [x, y, w, h], "area", "iscrowd", "ignore"}],
///   "categories": [{"id", "name"}]}`; other keys (segmentation, info, licenses) are passed over.
/// - results: `[{"image_id", "category_id", "bbox": [x, y, w, h], "score"}]`.
///
/// Required: ids, `image_id`, `category_id`, `bbox`, and `score` for results. `area` defaults to
/// the box's w * h and `iscrowd` to 0 where absent (pycocotools would raise a KeyError).
public enum COCOJSON {}
