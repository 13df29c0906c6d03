import XCTest
@testable import Search
import LossLanguage
import _TestSupport

final class MutatorTests: XCTestCase {
    func testReplacingAddressesPreOrderNodes() throws {
        let e = try Expr.parse("1 - i / u", branch: .reg)
        XCTAssertEqual(e.subtrees.map { $0.expr.infix }, ["1 - i / u", "1", "i / u", "i", "u"])
        XCTAssertEqual(e.replacing(at: 3, with: .input(.e)).infix, "1 - e / u")
        XCTAssertEqual(e.replacing(at: 2, with: 2).infix, "1 - 2")
        XCTAssertEqual(e.replacing(at: 0, with: .input(.i)).infix, "i")
        XCTAssertEqual(e.replacing(at: 4, with: .input(.i)).infix, "1 - i / i")
    }

    func testEveryKindGivesWellTypedChildrenThatReadThePrediction() throws {
        for branch in Branch.allCases {
            let generator = try FormulaGenerator(branch: branch)
            let mutator = Mutator(generator: generator)
            var rng = SplitMix64(seed: 77)
            var seen = Set<MutationKind>()
            let parents = KnownLoss.all.filter { $0.branches.contains(branch) }.map { try! $0.expr(branch: branch) }
            for round in 0..<600 {
                let parent = parents[round % parents.count]
                guard let (child, kind) = mutator.mutate(parent, using: &rng) else { continue }
                seen.insert(kind)
                XCTAssertNoThrow(try child.typeCheck(branch: branch), "\(branch) round \(round): \(kind) gave \(child.infix)")
                XCTAssertFalse(child.inputs.isDisjoint(with: branch.predictionInputs))
                XCTAssertLessThanOrEqual(child.depth, mutator.maxDepth)
                XCTAssertNotEqual(child, parent)
            }
            XCTAssertEqual(seen, Set(MutationKind.allCases), "\(branch): every kind happens")
        }
    }

    func testCrossoverSwapsSameShapeSubtrees() throws {
        let generator = try FormulaGenerator(branch: .softmax)
        let mutator = Mutator(generator: generator)
        var rng = SplitMix64(seed: 5)
        let a = try Expr.resolve("ce", branch: .softmax), b = try Expr.resolve("cse-a-cls", branch: .softmax)
        var children = Set<Expr>()
        for _ in 0..<200 {
            guard let child = mutator.crossover(a, b, using: &rng) else { continue }
            XCTAssertNoThrow(try child.typeCheck(branch: .softmax))
            children.insert(child)
        }
        XCTAssertGreaterThan(children.count, 5)
        XCTAssertTrue(children.contains(try Expr.parse("-dot(y * (1 + sin(w)), log(softmax(x)))", branch: .softmax)))
    }

    func testSameSeedSameChildren() throws {
        let mutator = Mutator(generator: try FormulaGenerator(branch: .reg))
        let giou = try Expr.resolve("giou", branch: .reg)
        func run() -> [String] {
            var rng = SplitMix64(seed: 9)
            return (0..<50).compactMap { _ in mutator.mutate(giou, using: &rng)?.child.infix }
        }
        XCTAssertEqual(run(), run())
    }
}
