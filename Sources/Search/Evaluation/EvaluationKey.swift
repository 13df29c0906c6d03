/// What a stored training belongs to: the run's baseline loss, or a candidate, known by its
/// canonical form (two candidates with one canonical form train the same).
public enum EvaluationKey: Hashable, Sendable {
    case baseline(name: String)
    case candidate(canonical: String)
}
