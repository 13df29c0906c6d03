import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage
import TensorEngine
import _TestSupport

/// candidate.json is an `EvaluationRequest` written whole and read back whole: every field, every
/// constant exact, for random formulas; a request of a newer schema, or of none, is refused
/// with the reason.
final class EvaluationRequestTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-request-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// Every field set (a reg candidate), and a classification candidate beside a built-in
    /// regression partner.
    func fullRequests() throws -> [EvaluationRequest] {
        let tuned = TunedSetting(weight: 2.5, alpha: 0.3, gamma: 1, ap: 61.25, sd: 0.5, seeds: 3)
        let setup = EvaluationSetup(evaluator: .detector(data: "/data/shapes folder"),
                                    training: DetectorSettings(scheduleScale: 0.125, tuned: tuned, mosSeeds: 3, mosRung: 0.25, rungs: [0.25, 0.5],
                                                               initSeed: .followsSeed, precision: .auto),
                                    checkpoints: "/runs/r 1/checkpoints",
                                    verificationImages: [VerificationImage(id: 9, file: "a.jpg"), VerificationImage(id: 14, file: "b'c.png")],
                                    threads: 3)
        let reg = EvaluationRequest(pair: LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid,
                                                   regression: try Expr.parse("log(e / i + 0.1234567890123) * 3", branch: .reg)),
                                    searched: .reg, stage: .proxy, seed: 18_446_744_073_709_551_615, generation: 4, slot: 11,
                                    hurdles: [41.25, 55.5], setup: setup)
        let cls = EvaluationRequest(pair: LossPair(classification: try Expr.resolve("cse-a-cls", branch: .softmax), mode: .softmax,
                                                   regression: .boxDistance(.ciou)),
                                    searched: .softmax, stage: .mos, seed: 0)
        return [reg, cls]
    }

    func testCandidateJSONRoundTripsWhole() throws {
        for (k, request) in try fullRequests().enumerated() {
            let dir = CandidateFolder(folder.appendingPathComponent("r\(k)"))
            try dir.write(request)
            XCTAssertEqual(try dir.request(), request)
            // External commands read the same flat keys as before the schema.
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.requestFile)) as? [String: Any])
            XCTAssertEqual(object["schema"] as? Int, 2)
            XCTAssertEqual(object["branch"] as? String, request.searched.rawValue)
            XCTAssertEqual(object["formula"] as? String, request.candidate.name)
            XCTAssertEqual(object["partner"] as? String, request.partner.name)
            XCTAssertEqual(object["stage"] as? String, request.stage.rawValue)
        }
        let reg = try fullRequests()[0]
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: reg.json()) as? [String: Any])
        XCTAssertEqual(object["threads"] as? Int, 3)
        XCTAssertEqual(object["rungs"] as? [Double], [0.25, 0.5])
        XCTAssertEqual(object["schedule_scale"] as? Double, 0.125)
        XCTAssertEqual(object["init_seed"] as? String, "seed")
        XCTAssertEqual(object["precision"] as? String, "auto")
        var fixed = reg
        fixed.setup.training.initSeed = .fixed(7)
        XCTAssertEqual(try EvaluationRequest.read(fixed.json()), fixed)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: fixed.json()) as? [String: Any])?["init_seed"] as? Int, 7)
        let images = try XCTUnwrap(object["verification_images"] as? [[String: Any]])
        XCTAssertEqual(images.map { "\($0["id"] as? Int ?? -1) \($0["file"] as? String ?? "")" }, ["9 a.jpg", "14 b'c.png"])
    }

    /// A slot holding a built-in loss (a baseline such as DIoU, a partner such as smooth-L1) is
    /// written by its name, with no formula files, and read back as that loss.
    func testBuiltInLossesAreSlotsOfTheirOwn() throws {
        let ce = try Expr.resolve("ce", branch: .softmax)
        for kind in [RegressionSlot.Kind.boxDistance(.diou), .boxDistance(.ciou), .l1, .smoothL1(beta: RegressionSlot.Kind.smoothL1Beta)] {
            let baseline = EvaluationRequest(pair: LossPair(classification: ce, mode: .softmax, regression: kind), searched: .reg, stage: .proxy, seed: 1,
                                             setup: EvaluationSetup(evaluator: .detector(data: "shapes")))
            let partner = EvaluationRequest(pair: LossPair(classification: ce, mode: .softmax, regression: kind), searched: .softmax, stage: .mos, seed: 1)
            for request in [baseline, partner] {
                let dir = CandidateFolder(folder.appendingPathComponent("\(kind.name)-\(request.searched)"))
                try dir.write(request)
                XCTAssertEqual(try dir.request(), request, kind.name)
                let written = (try? FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()) ?? []
                XCTAssertEqual(written, request.searched == .reg
                    ? ["candidate.json", "formula.txt", "partner.py", "partner.txt", "partner_prefix.txt"]
                    : ["candidate.json", "formula.txt", "loss.py", "partner.txt", "prefix.txt"])
                let name = request.searched == .reg ? "formula.txt" : "partner.txt"
                XCTAssertEqual(try String(contentsOf: dir.url.appendingPathComponent(name), encoding: .utf8), kind.name)
            }
        }
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: EvaluationRequest(pair: LossPair(classification: ce, mode: .softmax,
            regression: .l1), searched: .reg, stage: .mos, seed: 1).json()) as? [String: Any])
        object["builtin_regression"] = "giou"
        XCTAssertThrowsError(try EvaluationRequest.read(JSONSerialization.data(withJSONObject: object))) {
            XCTAssertTrue("\($0)".contains("not a built-in regression loss: giou"), "\($0)")
        }
    }

    /// Random formulas of every branch, in either slot: read back equal, constants and all.
    func testRandomFormulasRoundTrip() throws {
        for seed in 0..<UInt64(60) {
            var rng = SeededGenerator(seed: seed)
            let branch = [Branch.softmax, .sigmoid, .reg][Int(seed % 3)]
            let mode: Branch = branch == .reg ? (seed % 2 == 0 ? .softmax : .sigmoid) : branch
            let candidate = RandomExpr.typed(branch: branch, depth: 4, using: &rng)
            let partner = branch == .reg ? try Expr.resolve(mode == .sigmoid ? "focal" : "ce", branch: mode) : try Expr.resolve("giou", branch: .reg)
            let pair = branch == .reg ? LossPair(classification: partner, mode: mode, regression: candidate)
                : LossPair(classification: candidate, mode: mode, regression: partner)
            let request = EvaluationRequest(pair: pair, searched: branch, stage: seed % 2 == 0 ? .mos : .proxy, seed: seed)
            XCTAssertEqual(try EvaluationRequest.read(request.json()), request, "seed \(seed): \(candidate.infix)")
        }
    }

    func testANewerOrUnversionedRequestIsRefusedWithTheReason() throws {
        let request = try fullRequests()[0]
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: request.json()) as? [String: Any])
        let dir = CandidateFolder(folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func refusal(_ object: [String: Any]) throws -> String {
            try JSONSerialization.data(withJSONObject: object).write(to: dir.requestFile)
            do {
                _ = try dir.request()
                XCTFail("read: \(object)")
                return ""
            } catch { return "\(error)" }
        }
        object["schema"] = 4
        XCTAssertEqual(try refusal(object),
                       "search options: \(folder.path) is not a candidate folder: candidate.json cannot be read: its schema is 4, newer than this autoloss reads (3): run the same autoloss on the search's machine and here")
        object["schema"] = nil
        XCTAssertTrue(try refusal(object).hasSuffix("it has no schema: it was written by an autoloss older than this one (schema 3); run that search again with this autoloss"))
        object["schema"] = 2
        object["seed"] = "seven"
        XCTAssertTrue(try refusal(object).hasSuffix("candidate.json cannot be read: seed: Expected to decode UInt64 but found a string instead."))
        object["seed"] = 7
        object["prefix"] = "Add(I,"
        XCTAssertTrue(try refusal(object).contains("candidate.json cannot be read: its prefix does not parse: "))
        object["prefix"] = nil
        XCTAssertTrue(try refusal(object).hasSuffix("candidate.json cannot be read: it has no prefix"))
    }

    /// The folder's name is the candidate's identity at a stage and seed; a built-in baseline
    /// is named by its key, not by its GIoU stand-in.
    func testTheFolderNameIsTheCandidateAtItsStageAndSeed() throws {
        let cls = try fullRequests()[1]
        XCTAssertEqual(CandidateFolder.name(cls), "mos-\(String(FNV1a.hash(cls.pair.classification.canonicalString(in: .softmax)), radix: 16))-s0")
        var builtin = EvaluationRequest(pair: LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                                                       regression: .boxDistance(.diou)),
                                        searched: .reg, stage: .proxy, seed: 2)
        XCTAssertEqual(CandidateFolder.name(builtin), "proxy-\(String(FNV1a.hash("builtin:diou"), radix: 16))-s2")
        let giou = try Expr.resolve("giou", branch: .reg)
        builtin.pair.regression = .formula(giou)
        XCTAssertEqual(CandidateFolder.name(builtin), "proxy-\(String(FNV1a.hash(giou.canonicalString(in: .reg)), radix: 16))-s2")
    }
}
