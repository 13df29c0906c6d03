import Detection
import Foundation
import LossLanguage
import Search
import XCTest

/// `autoloss evaluate DIR`, the worker: the evaluation a candidate folder describes, with the
/// evaluator it names, gives the numbers the same evaluator gives in process, in result.json.
final class EvaluateCommandTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-evaluate-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    struct Written: Decodable {
        var status: String
        var stats: [Double]?
        var reason: String?
    }

    func evaluate(_ evaluator: EvaluatorChoice, pair: LossPair, searched: Branch, stage: TrainingStage, name: String) throws -> Written {
        let dir = CandidateFolder(folder.appendingPathComponent(name))
        try dir.write(EvaluationRequest(pair: pair, searched: searched, stage: stage, seed: 3, generation: 2, slot: 7,
                                        setup: EvaluationSetup(evaluator: evaluator)))
        let r = try CLI.run(["evaluate", dir.url.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try JSONDecoder().decode(Written.self, from: Data(contentsOf: dir.resultFile))
    }

    func testTheWorkerGivesTheInProcessNumbers() throws {
        let reg = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax,
                           regression: try Expr.parse("log(e / i + 2)", branch: .reg))
        let simulated = try evaluate(.simulation, pair: reg, searched: .reg, stage: .proxy, name: "simulation")
        XCTAssertEqual(simulated.status, "ok")
        XCTAssertEqual(simulated.stats, SimulationEvaluator().evaluate(reg, searched: .reg, stage: .proxy, seed: 3).stats)

        let cls = LossPair(classification: try Expr.resolve("focal", branch: .sigmoid), mode: .sigmoid, regression: try Expr.resolve("giou", branch: .reg))
        let detected = try evaluate(.detector(data: "shapes"), pair: cls, searched: .sigmoid, stage: .mos, name: "detector")
        let inProcess = DetectorEvaluator(data: try DetectorData.resolve("shapes", searchingFrom: [])).evaluate(cls, searched: .sigmoid, stage: .mos, seed: 3)
        XCTAssertEqual(detected.status, "ok")
        XCTAssertEqual(detected.stats, inProcess.stats)

        let external = try evaluate(.external(command: #"grep -q '"slot":7' candidate.json && echo '{"status": "ok", "ap": 0.25}' > result.json"#),
                                    pair: reg, searched: .reg, stage: .mos, name: "external")
        XCTAssertEqual(external.stats?.first, 0.25)
        let percent = try evaluate(.external(command: #"echo '{"status": "ok", "ap": 25}' > result.json"#), pair: reg, searched: .reg, stage: .mos,
                                   name: "percent")
        XCTAssertEqual(percent.status, "failed")
        XCTAssertTrue(percent.reason?.contains("write AP as a fraction") == true, percent.reason ?? "")
    }

    /// The worker with hurdles: it scores the proxy training at the rungs candidate.json names,
    /// ends it where the hurdle there is not cleared (status pruned, the rung's numbers), and
    /// gives what the built-in detector gives in process; the search reads both back.
    func testTheWorkerScoresRungsAndClearsOrFailsHurdles() throws {
        var o = SearchOptions(branch: .reg)
        o.evaluator = .detector(data: "shapes")
        o.scheduleScale = 0.005
        o.rungs = [0.5]
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax, regression: try Expr.resolve("giou", branch: .reg))
        let inProcess = try o.makeExecutor(folder: RunFolder(folder.appendingPathComponent("run")), data: DetectorData.resolve("shapes", searchingFrom: []))
        for (name, bar, status) in [("cleared", -1.0, EvaluationResult.Status.ok), ("pruned", 1000, .pruned)] {
            let dir = CandidateFolder(folder.appendingPathComponent(name))
            let request = EvaluationRequest(pair: pair, searched: .reg, stage: .proxy, seed: 3, generation: 0, slot: 1, hurdles: [bar],
                                            setup: EvaluationSetup(evaluator: o.evaluator, training: DetectorSettings(o)))
            try dir.write(request)
            let r = try CLI.run(["evaluate", dir.url.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            let read = dir.readResult()
            let expected = inProcess.evaluate(request, context: EvaluationContext())
            XCTAssertEqual(read.status, status, read.reason)
            XCTAssertEqual(expected.status, status, expected.reason)
            XCTAssertEqual(read.stats, expected.stats)
            XCTAssertEqual(read.rungs, expected.rungs)
            XCTAssertEqual(read.rungs?.first?.hurdle, bar)
        }
    }

    /// MOS as the proxy's first rung through the worker: the MOS job leaves its state in the
    /// run's checkpoint folder that candidate.json names (not in its own folder), and the
    /// candidate's proxy job, in another folder, takes it and ends with the numbers of a
    /// training from scratch.
    func testTheWorkersProxyJobGoesOnFromItsMOSJob() throws {
        var o = SearchOptions(branch: .reg)
        o.evaluator = .detector(data: "shapes")
        o.scheduleScale = 0.005
        o.mosRung = 0.5
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax, regression: try Expr.resolve("giou", branch: .reg))
        let checkpoints = folder.appendingPathComponent("run/checkpoints")
        var read: [TrainingStage: EvaluationResult] = [:]
        for stage in [TrainingStage.mos, .proxy] {
            let dir = CandidateFolder(folder.appendingPathComponent(stage.rawValue))
            try dir.write(EvaluationRequest(pair: pair, searched: .reg, stage: stage, seed: 3, generation: 0, slot: 1,
                                            setup: EvaluationSetup(evaluator: o.evaluator, training: DetectorSettings(o), checkpoints: checkpoints.path)))
            let r = try CLI.run(["evaluate", dir.url.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            read[stage] = dir.readResult()
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("checkpoints").path))
            XCTAssertEqual(FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("g0-s1.checkpoint").path), stage == .mos)
        }
        let scratch = try o.makeExecutor(folder: RunFolder(folder.appendingPathComponent("scratch")), data: DetectorData.resolve("shapes", searchingFrom: []))
        // The proxy first: no MOS checkpoint there yet, so it trains from the first step.
        XCTAssertEqual(read[.proxy]?.status, .ok)
        XCTAssertEqual(read[.proxy]?.stats, scratch.evaluate(pair, searched: .reg, stage: .proxy, seed: 3).stats)
        XCTAssertEqual(read[.mos]?.stats, scratch.evaluate(pair, searched: .reg, stage: .mos, seed: 3).stats)
    }

    /// A knob of the request reaches the worker's training: the initial weights' seed gives the
    /// numbers the in-process evaluator gives with it, and others than the presets' fixed seed.
    func testTheWorkerTrainsFromTheRequestsInitialWeights() throws {
        let data = try DetectorData.resolve("shapes", searchingFrom: [])
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax, regression: try Expr.resolve("giou", branch: .reg))
        var settings = DetectorSettings(scheduleScale: 0.005)
        let preset = DetectorEvaluator(data: data, settings: settings, checkpoints: nil).evaluate(pair, searched: .reg, stage: .proxy, seed: 3)
        settings.initSeed = .fixed(5)
        let request = EvaluationRequest(pair: pair, searched: .reg, stage: .proxy, seed: 3,
                                        setup: EvaluationSetup(evaluator: .detector(data: "shapes"), training: settings))
        let dir = CandidateFolder(folder.appendingPathComponent("init"))
        try dir.write(request)
        let r = try CLI.run(["evaluate", dir.url.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let inProcess = DetectorEvaluator(data: data, settings: settings, checkpoints: nil).evaluate(request, context: EvaluationContext())
        XCTAssertEqual(dir.readResult().status, .ok, dir.readResult().reason)
        XCTAssertEqual(dir.readResult().stats, inProcess.stats)
        XCTAssertNotEqual(inProcess.stats, preset.stats, "other initial weights, other numbers")
    }

    func testAFolderThatIsNotACandidateIsRefused() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let r = try CLI.run(["evaluate", folder.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("is not a candidate folder: no readable candidate.json"), r.stderr)
    }
}
