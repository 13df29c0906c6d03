import Detection
import Foundation
import XCTest

/// Where the detector's images come from: coco128 found beside the repository, a COCO folder as
/// `autoloss data shapes` writes it, the presets' splits.
final class DetectorDataTests: XCTestCase {
    func testCoco128IsFoundAndLetterboxed() throws {
        _ = try Fixtures.requireCoco128()
        let data = try DetectorData.resolve("coco128", searchingFrom: [Fixtures.repoRoot], environment: [:])
        guard case .folder(let folder) = data else { return XCTFail("coco128 is a folder") }
        XCTAssertEqual(folder.train.name, "train2017")
        XCTAssertEqual(folder.val?.name, "val2017")
        XCTAssertEqual(folder.train.dataset.images.count, 128)
        XCTAssertEqual(folder.train.dataset.categories.count, 80)
        let set = try data.load(.train, count: 3, size: 64)
        XCTAssertEqual(set.count, 3)
        XCTAssertEqual(set.groundTruth.images, Array(folder.train.dataset.images.prefix(3)), "scored on the records as given")
        XCTAssertNil(DetectorData.locateCoco128(searchingFrom: ["/"], environment: [:]))
        XCTAssertEqual(DetectorData.locateCoco128(searchingFrom: ["/"], environment: ["AUTOLOSS_COCO128": "/x"]), "/x")
    }

    func testCOCOFolderWithSplits() throws {
        let root = try Fixtures.temporaryFolder(self)
        try ShapesScenes(seed: 3, imageSize: 64).export(to: root, train: 5, val: 2)
        let data = try DetectorData.resolve(root, searchingFrom: [])
        var schedule = TrainingSchedule(size: 64, batchSize: 2, epochs: 1, learningRate: 0.01)
        let proxy = try data.prepare(.proxy, schedule: schedule)
        XCTAssertEqual(proxy.train.count, 5)
        XCTAssertEqual(proxy.eval.count, 2)
        schedule.evaluateOn = .train
        let mos = try data.prepare(.mos, schedule: schedule)
        XCTAssertTrue(mos.train.count <= 5 && mos.train.count >= 1)
        XCTAssertEqual(mos.eval.records, mos.train.records, "MOS scores the verification set itself")
    }

    func testFolderWithoutValidationSplitRefusesToScoreOnVal() throws {
        let root = try Fixtures.temporaryFolder(self)
        try ShapesScenes(seed: 3, imageSize: 64).export(to: root, train: 2, val: 0)
        let data = try DetectorData.resolve(root, searchingFrom: [])
        let schedule = TrainingSchedule(size: 64, batchSize: 2, epochs: 1, learningRate: 0.01)
        XCTAssertThrowsError(try data.prepare(.proxy, schedule: schedule)) { error in
            XCTAssertEqual(error as? TrainingError, .noValidationSplit(folder: root), "\(error)")
        }
    }
}
