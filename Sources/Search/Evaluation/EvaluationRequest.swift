import Detection
import Foundation
import LossLanguage

/// One training of a candidate, whole: what the search hands an evaluator, and what
/// candidate.json holds (DESIGN.md, "Evaluations, workers and executors").
///
/// The search builds it once per training; an evaluator in this process reads it, and a worker
/// on another node (`autoloss evaluate DIR`) reads the same value back from candidate.json, so
/// that a training there is the one the search would run here.
///
/// ```swift
/// var request = EvaluationRequest(pair: pair, searched: .reg, stage: .proxy, seed: 1)
/// request.setup.training.rungs = [0.5]
/// try CandidateFolder(dir).write(request)
/// let back = try CandidateFolder(dir).request()   // == request
/// ```
///
/// candidate.json is one flat JSON object (external commands read its keys: `branch`, `mode`,
/// `stage`, `seed`, `formula`, `partner`, `threads`, `verification_images`, ...), with a
/// `schema`; a request of a newer schema than this autoloss knows is refused with a message
/// rather than half read.
public struct EvaluationRequest: Sendable, Equatable {
    /// The newest schema this autoloss writes and reads: 2, the first with `schema` in it
    /// (candidate.json before it had no version and kept the formulas in files beside it); 3 adds
    /// a confirmation training's own setting and horizon. A request is written at the oldest
    /// schema that holds it, so that a search's workers may lag one version behind.
    public static let schema = 3

    /// The schema this request is written at: 3 where it has a setting or a horizon, else 2.
    public var writtenSchema: Int { setting == nil && horizon == nil ? 2 : 3 }

    /// The losses the detector trains with: the candidate in the `searched` slot, the partner in
    /// the other.
    public var pair: LossPair
    /// The searched slot: `.reg`, or the classification mode.
    public var searched: Branch
    /// MOS or proxy.
    public var stage: TrainingStage
    /// The training seed (batch order and flips; the initial weights too under `InitSeed.followsSeed`).
    public var seed: UInt64
    /// Whose training it is: a candidate's generation and slot, nil for the baseline. The
    /// built-in detector names its checkpoints by them; Slurm names the job by them.
    public var generation: Int?
    /// The candidate's slot in its generation; nil for the baseline.
    public var slot: Int?
    /// The hurdles at the proxy training's rungs, AP in percent (nil: trained to its end,
    /// scored at the rungs all the same: the baseline).
    public var hurdles: [Double]?
    /// What every training of the run shares: the evaluator, the detector's schedule, threads.
    public var setup: EvaluationSetup
    /// A confirmation training's own setting of the pair (the regression weight and focal's
    /// alpha; a gamma is in the formula already), in place of the run's tuned one; nil: the run's.
    public var setting: BaselineTuning.Setting?
    /// A confirmation training's length as a multiple of the proxy schedule's steps (2: twice as
    /// many, scored on the same images), after the run's schedule scale; nil: 1.
    public var horizon: Double?

    /// A request for one training of `pair`.
    public init(pair: LossPair, searched: Branch, stage: TrainingStage, seed: UInt64, generation: Int? = nil, slot: Int? = nil,
                hurdles: [Double]? = nil, setup: EvaluationSetup = EvaluationSetup(), setting: BaselineTuning.Setting? = nil,
                horizon: Double? = nil) {
        self.pair = pair
        self.searched = searched
        self.stage = stage
        self.seed = seed
        self.generation = generation
        self.slot = slot
        self.hurdles = hurdles
        self.setup = setup
        self.setting = setting
        self.horizon = horizon
    }

    /// The loss being evaluated (the searched slot's) and its partner in the other slot: a
    /// formula, or in the regression slot a loss the detector has built in (a baseline or a
    /// partner, DIoU say; never a candidate of a search).
    public var candidate: RegressionSlot.Kind { searched == .reg ? pair.regression : .formula(pair.classification) }
    /// The loss in the slot that is not searched.
    public var partner: RegressionSlot.Kind { searched == .reg ? .formula(pair.classification) : pair.regression }
    /// The partner's slot: the classification mode in a reg search, else reg.
    public var partnerBranch: Branch { searched == .reg ? pair.mode : .reg }

    /// The candidate's identity within the run: its canonical form, or a built-in loss's key.
    public var candidateKey: String {
        if case .formula(let e) = candidate { return e.canonicalString(in: searched) }
        return "builtin:\(candidate.name)"
    }
}

/// What every evaluation of a run shares, set once from the run's options: which evaluator a
/// worker runs and how the built-in detector trains there.
public struct EvaluationSetup: Codable, Sendable, Equatable {
    /// The evaluator a worker runs (nil: the one running the request decides; an external
    /// command ignores it).
    public var evaluator: EvaluatorChoice?
    /// How the built-in detector trains: schedule scale, tuned baseline, MOS, rungs.
    public var training: DetectorSettings
    /// Where the built-in detector keeps a candidate's checkpoints, shared by its MOS and proxy
    /// trainings (nil: none kept, or the worker's folder).
    public var checkpoints: String?
    /// The MOS verification images the built-in detector would train on (named for external
    /// commands, so that theirs train on the same images).
    public var verificationImages: [VerificationImage]
    /// The cores one training gets (trainings side by side share the machine's).
    public var threads: Int

    /// What every training of a run shares.
    public init(evaluator: EvaluatorChoice? = nil, training: DetectorSettings = DetectorSettings(), checkpoints: String? = nil,
                verificationImages: [VerificationImage] = [], threads: Int = 1) {
        self.evaluator = evaluator
        self.training = training
        self.checkpoints = checkpoints
        self.verificationImages = verificationImages
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case evaluator, checkpoints, verificationImages = "verification_images", threads
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        evaluator = try c.decodeIfPresent(EvaluatorChoice.self, forKey: .evaluator)
        checkpoints = try c.decodeIfPresent(String.self, forKey: .checkpoints)
        verificationImages = try c.decodeIfPresent([VerificationImage].self, forKey: .verificationImages) ?? []
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? 1
        training = try DetectorSettings(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(evaluator, forKey: .evaluator)
        try c.encodeIfPresent(checkpoints, forKey: .checkpoints)
        if !verificationImages.isEmpty { try c.encode(verificationImages, forKey: .verificationImages) }
        try c.encode(threads, forKey: .threads)
        // Flat beside the others: the keys candidate.json has always had.
        try training.encode(to: encoder)
    }
}

/// One image of the MOS verification set, as candidate.json names it: its id in the dataset
/// (COCO's image id) and its file name in the training split's image folder.
public struct VerificationImage: Codable, Sendable, Equatable {
    /// The image's id in the training split's records.
    public var id: Int
    /// The image's file name.
    public var file: String

    /// A verification image.
    public init(id: Int, file: String) {
        self.id = id
        self.file = file
    }
}
