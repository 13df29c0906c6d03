/// Which evaluator trains a search's candidates (DESIGN.md, "Evaluations, workers and executors").
public enum EvaluatorChoice: Codable, Equatable, Sendable {
    /// Seconds per candidate: a linear classifier or free boxes optimised with the loss.
    case simulation
    /// The built-in proxy detector, trained in process on `data` (shapes, coco128, a folder).
    case detector(data: String)
    /// The user's training command; `{dir}` is the candidate's folder.
    case external(command: String)

    /// The name on the command line.
    public var name: String {
        switch self {
        case .simulation: return "simulation"
        case .detector: return "detector"
        case .external: return "external"
        }
    }

    /// The evaluators' names, as stored.
    public static let names = ["simulation", "detector", "external"]
}
