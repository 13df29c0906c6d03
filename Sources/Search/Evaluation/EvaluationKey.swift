/// What a stored training belongs to: the run's baseline loss, or a candidate, known by its
/// canonical form (two candidates with one canonical form train the same).
public enum EvaluationKey: Hashable, Sendable {
    /// The baseline's training, by the baseline's name.
    case baseline(name: String)
    /// A candidate's training, by its canonical form.
    case candidate(canonical: String)
}
