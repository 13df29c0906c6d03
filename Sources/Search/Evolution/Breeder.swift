import LossLanguage

/// Where a generation's raw candidates come from (DESIGN.md, "Search"): the known losses in
/// generation 0, then children of the parents by mutation or crossover, and immigrants (new
/// random formulas). All randomness from the generation's seeded generator.
public struct Breeder: Sendable {
    /// Random formulas: generation 0 and immigrants.
    public let generator: FormulaGenerator
    /// Mutation and crossover.
    public let mutator: Mutator
    /// Chance that a child comes from crossover rather than mutation.
    public var crossoverProbability: Double
    /// Chance that a child is a new random formula instead.
    public var immigrantProbability: Double

    /// A breeder; `crossoverProbability` of the children are crossed over instead of mutated.
    public init(generator: FormulaGenerator, mutator: Mutator? = nil, crossoverProbability: Double = 0.3,
                immigrantProbability: Double = 0.1) {
        self.generator = generator
        self.mutator = mutator ?? Mutator(generator: generator)
        self.crossoverProbability = crossoverProbability
        self.immigrantProbability = immigrantProbability
    }

    /// The default parts for a search's options.
    public init(options: SearchOptions) throws {
        self.init(generator: try FormulaGenerator(branch: options.branch), crossoverProbability: options.crossoverProbability,
                  immigrantProbability: options.immigrantProbability)
    }

    /// The branch it breeds in.
    public var branch: Branch { generator.branch }

    /// The known losses of the branch, generation 0's first candidates.
    public var seeds: [Expr] {
        KnownLoss.all.filter { $0.branches.contains(branch) }.compactMap { try? $0.expr(branch: branch) }
    }

    /// A raw candidate, how it came about ("seed", "random", "immigrant", "crossover",
    /// "mutation:KIND"), and its parents.
    public func next(parents: [Expr], seeds: inout [Expr], using rng: inout SplitMix64) -> (expr: Expr, origin: String, parents: [Expr]) {
        if !seeds.isEmpty { return (seeds.removeFirst(), "seed", []) }
        if parents.isEmpty || Double.random(in: 0..<1, using: &rng) < immigrantProbability {
            return (generator.generate(using: &rng), parents.isEmpty ? "random" : "immigrant", [])
        }
        if parents.count >= 2, Double.random(in: 0..<1, using: &rng) < crossoverProbability {
            let a = parents.randomElement(using: &rng)!, b = parents.randomElement(using: &rng)!
            if let child = mutator.crossover(a, b, using: &rng) { return (child, "crossover", [a, b]) }
        }
        let parent = parents.randomElement(using: &rng)!
        if let (child, kind) = mutator.mutate(parent, using: &rng) { return (child, "mutation:\(kind.rawValue)", [parent]) }
        return (generator.generate(using: &rng), "immigrant", [])
    }
}
