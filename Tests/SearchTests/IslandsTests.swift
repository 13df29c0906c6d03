import Foundation
import XCTest
@testable import Search
import LossLanguage

/// Issue 36, item 2: loss families (the diversity measure) and the asynchronous schedule's
/// islands.
final class IslandsTests: XCTestCase {
    func parse(_ text: String, _ branch: Branch = .reg) throws -> Expr { try Expr.resolve(text, branch: branch) }

    func count(_ formulas: [String], _ branch: Branch = .reg) throws -> Int {
        Families.count(try formulas.map { try parse($0, branch) })
    }

    func testFormulasApartByConstantsOrOneOperatorAreOneFamily() throws {
        // The reg ablation's top 10 were of this kind: one family.
        XCTAssertEqual(try count(["-i / (e + u)", "-i / (e * u)", "-i / (e + u + 0.5)", "-i / (e + u + 2)"]), 1)
        XCTAssertEqual(try count(["log(i + 0.5)", "log(i + 2)", "exp(i + 2)"]), 1)
        // A reordered sum is the same formula.
        XCTAssertEqual(try count(["1 - i", "-i + 1"]), 1)
        // Two operators apart, another tree, another input: families of their own.
        XCTAssertEqual(try count(["log(exp(i))", "exp(log(i))"]), 2)
        XCTAssertEqual(try count(["1 - i", "1 - i * i", "1 - u"]), 3)
        // A constant term or factor, present or not, is a constant.
        XCTAssertEqual(try count(["log(i)", "2 * log(i)", "log(i) - 1", "log(i + 1)"]), 1)
        XCTAssertEqual(try count([]), 0)
        // Greedy in rank order: a formula one operator from the founder joins it, even where it
        // is two from another member.
        XCTAssertEqual(try count(["log(i) + u", "exp(i) + u", "log(i) * u"]), 1)
        XCTAssertEqual(try count(["exp(i) + u", "log(i) * u"]), 2)
    }

    func testTheHallOfFameCountsTheFamiliesOfItsBest() throws {
        let entries = try ["1 - i", "1 - i * i", "1 - u", "-i + 2"].enumerated().map { k, f in
            HallOfFame.Entry(expr: try parse(f), result: EvaluationResult(status: .ok, stats: [Double](repeating: 0.5 - Double(k) / 10, count: 12), seconds: 1), generation: 0)
        }
        let fame = HallOfFame(entries: entries)
        XCTAssertEqual(fame.families(top: 10), 3)
        XCTAssertEqual(fame.families(top: 2), 2)
    }

    /// An island's tournament draws from its own latest results and the best of each other
    /// island: never from another island's lesser members.
    func testAnIslandBreedsFromItsOwnAndTheOthersBest() throws {
        var p = Population(topP: 2)
        let formulas = try ["1 - i", "1 - i * i", "1 - u", "u - i", "i * u", "2 - i"].map { try parse($0) }
        for (k, f) in formulas.enumerated() {
            p.assign(f, island: k % 2)
            p.add(HallOfFame.Entry(expr: f, result: EvaluationResult(status: .ok, stats: [Double](repeating: Double(k) / 10, count: 12), seconds: 1), generation: 0))
        }
        // Island 0 holds 0, 2, 4; island 1 holds 1, 3, 5, whose best is 5.
        var rng = SplitMix64(seed: 1)
        var drawn = Set<Expr>()
        for _ in 0..<400 { drawn.insert(p.tournament(live: 6, size: 1, island: 0, islands: 2, using: &rng)!) }
        XCTAssertEqual(drawn, Set([formulas[0], formulas[2], formulas[4], formulas[5]]))
        // One island: all of the live population.
        drawn = []
        for _ in 0..<400 { drawn.insert(p.tournament(live: 6, size: 1, using: &rng)!) }
        XCTAssertEqual(drawn, Set(formulas))
    }

    func options(islands: Int?) -> SearchOptions {
        var o = AsyncScheduleTests.options()
        o.islands = islands
        return o
    }

    /// Islands change the course and stay reproducible by seed at one job; the settings check
    /// refuses islands outside the asynchronous schedule.
    func testIslandsAreReproducibleAndAsyncOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-islands-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ o: SearchOptions, _ name: String) throws -> [String] {
            let store = try RunStore(creating: folder.appendingPathComponent(name).path, options: o)
            return try Evolution(options: o, store: store, evaluator: SimulationEvaluator.light).run()
                .hallOfFame.entries.map { "\($0.expr.infix) \($0.result.ap!)" }
        }
        let a = try run(options(islands: 3), "a.sqlite"), b = try run(options(islands: 3), "b.sqlite")
        XCTAssertFalse(a.isEmpty)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try run(options(islands: nil), "one.sqlite"))
        var generational = options(islands: 3)
        generational.schedule = nil
        XCTAssertEqual(generational.problem?.setting, .islands)
        XCTAssertEqual(options(islands: 0).problem?.setting, .islands)
        XCTAssertNil(options(islands: 64).problem)
    }
}
