/// The stages of a candidate's way, in order (DESIGN.md, "The pipeline"): four screening
/// stages, then the two trainings. The one vocabulary of stages for the cascade, the store, the
/// funnel and the report.
public enum Stage: String, CaseIterable, Codable, Sendable {
    /// The pipeline's stages, in order: screening (validity, dedup, cpv, equivalence), then the trainings (mos, proxy).
    case validity, dedup, cpv, equivalence, mos, proxy

    /// The cheap stages in front of training, cheapest first (`ScreeningCascade`).
    public static let screening: [Stage] = [.validity, .dedup, .cpv, .equivalence]

    /// Position in the pipeline.
    public var order: Int {
        switch self {
        case .validity: return 0
        case .dedup: return 1
        case .cpv: return 2
        case .equivalence: return 3
        case .mos: return 4
        case .proxy: return 5
        }
    }
}
