/// The two trainings a candidate loss goes through (DESIGN.md, "The pipeline"): `mos`, model
/// optimisation simulation on the tiny verification set, scored on the same images; and
/// `proxy`, the proxy task, training on the training split and AP on the validation split.
/// Each has its fixed schedule (`TrainingSchedule.preset(_:isShapes:)`); `autoloss train --task`
/// and the search's candidate folders (`candidate.json`'s "stage") name them by raw value.
public enum TrainingStage: String, Codable, CaseIterable, Sendable {
    /// MOS (a short training on the verification images, scored on them) or the proxy task (scored on the validation split).
    case mos, proxy
}
