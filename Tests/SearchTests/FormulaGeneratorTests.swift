import LossLanguage
import Search
import XCTest
import _TestSupport

/// Generated trees are well typed by construction, within their depth limits, drawn from the
/// branch's operators and the constants {1, 2, 3}, and reproduced by their seed.
final class FormulaGeneratorTests: XCTestCase {
    func testGeneratedTreesTypeCheck() throws {
        for branch in Branch.allCases {
            for method in GeneratorOptions.Method.allCases {
                var options = GeneratorOptions(branch: branch)
                options.method = method
                let generator = try FormulaGenerator(branch: branch, options: options)
                for seed: UInt64 in [1, 2, 3] {
                    var rng = SeededGenerator(seed: seed)
                    for _ in 0..<500 {
                        let e = generator.generate(using: &rng)
                        XCTAssertNoThrow(try e.typeCheck(branch: branch), "seed \(seed), \(branch), \(method): \(e)")
                        XCTAssertLessThanOrEqual(e.depth, options.maxDepth, "seed \(seed): \(e)")
                        if method == .full { XCTAssertEqual(e.depth, options.maxDepth, "seed \(seed): \(e)") }
                        if method == .rampedHalfAndHalf { XCTAssertGreaterThanOrEqual(e.depth, options.minDepth, "seed \(seed): \(e)") }
                    }
                }
            }
        }
    }

    func testOperatorsInputsAndConstantsComeFromTheBranch() throws {
        for branch in Branch.allCases {
            let generator = try FormulaGenerator(branch: branch)
            var rng = SeededGenerator(seed: 7)
            var unary = Set<UnaryOp>(), binary = Set<BinaryOp>(), inputs = Set<Input>(), constants = Set<Double>()
            for _ in 0..<3000 {
                generator.generate(using: &rng).visit { node in
                    switch node {
                    case .input(let v): inputs.insert(v)
                    case .constant(let c): constants.insert(c)
                    case .unary(let op, _): unary.insert(op)
                    case .binary(let op, _, _): binary.insert(op)
                    }
                }
            }
            XCTAssertEqual(unary, Set(branch.searchUnaryOps), "seed 7, \(branch)")
            XCTAssertEqual(binary, Set(branch.searchBinaryOps), "seed 7, \(branch)")
            XCTAssertEqual(inputs, Set(branch.inputs), "seed 7, \(branch)")
            XCTAssertEqual(constants, [1, 2, 3], "seed 7, \(branch)")
        }
    }

    func testSeedReproducesTrees() throws {
        for branch in Branch.allCases {
            let generator = try FormulaGenerator(branch: branch)
            for seed: UInt64 in [5, 6] {
                var a = SplitMix64(seed: seed), b = SplitMix64(seed: seed), c = SplitMix64(seed: seed + 100)
                let first = (0..<200).map { _ in generator.generate(using: &a) }
                let again = (0..<200).map { _ in generator.generate(using: &b) }
                let other = (0..<200).map { _ in generator.generate(using: &c) }
                XCTAssertEqual(first, again, "seed \(seed), \(branch)")
                XCTAssertNotEqual(first, other, "seed \(seed), \(branch)")
            }
        }
    }

    /// Fixed trees for a fixed seed: a change of the generator's draws shows here.
    func testSeedGivesKnownTrees() throws {
        var rng = SplitMix64(seed: 2021)
        let generator = try FormulaGenerator(branch: .softmax)
        let trees = (0..<3).map { _ in generator.generate(using: &rng).infix }
        XCTAssertEqual(trees, ["dot(sigmoid(sqrt(exp(x + y))), alf(sqrt(x + y - relu(x))))", "w / w", "dot(abs(abs(log(x))), tanh(x))"])
    }

    func testDepthLimitsAndOptions() throws {
        var options = GeneratorOptions(branch: .reg)
        XCTAssertEqual(options.maxDepth, 5)
        XCTAssertEqual(GeneratorOptions.defaultMaxDepth(for: .softmax), 6)
        options.maxDepth = 1
        XCTAssertThrowsError(try FormulaGenerator(branch: .reg, options: options)) { error in
            XCTAssertTrue("\(error)".contains("minDepth"), "\(error)")
        }
        options = GeneratorOptions(branch: .sigmoid)
        options.leafProbability = 2
        XCTAssertThrowsError(try FormulaGenerator(branch: .sigmoid, options: options))
        options = GeneratorOptions(branch: .sigmoid)
        options.constants = []
        XCTAssertThrowsError(try FormulaGenerator(branch: .sigmoid, options: options))
        // Depth 1 and 2 still give well-typed softmax losses.
        let generator = try FormulaGenerator(branch: .softmax)
        var rng = SplitMix64(seed: 3)
        for depth in 1...2 {
            for _ in 0..<100 {
                let e = generator.full(depth: depth, using: &rng)
                XCTAssertNoThrow(try e.typeCheck(branch: .softmax), "seed 3: \(e)")
                XCTAssertEqual(e.depth, depth, "seed 3: \(e)")
            }
        }
    }
}
