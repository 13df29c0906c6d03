/// How a search hands out its trainings (DESIGN.md, "Search").
public enum Schedule: String, Codable, CaseIterable, Sendable {
    /// The paper's: generation after generation, each screened, trained at MOS and its best
    /// on the proxy task, the next one bred when the slowest training of this one has ended.
    /// Reproducible at any number of jobs.
    case generational
    /// No generations: whenever a worker frees, it gets the most useful next training: a
    /// candidate whose MOS result ranks it into the proxy stage (asynchronous successive
    /// halving), or a new one bred by tournament from the live population (regularised
    /// evolution: the oldest leave). Keeps every worker of a cluster busy; reproducible at one
    /// job, and resumed in the order its results arrived.
    case async
}
