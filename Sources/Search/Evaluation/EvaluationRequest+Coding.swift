import Detection
import Foundation
import LossLanguage

/// candidate.json: the request as one flat object. Each slot is written as its infix form (for
/// people and for external commands: `formula`, `partner`) and its prefix form, which prints
/// every constant exactly and is what is read back (`prefix`, `partner_prefix`); a built-in
/// regression loss (L1, smooth-L1, DIoU, CIoU) by its name, as `formula` or `partner` and as
/// `builtin_regression`, with no prefix form.
extension EvaluationRequest: Codable {
    enum CodingKeys: String, CodingKey {
        case schema, branch, mode, stage, seed, generation, slot, hurdles
        case formula, prefix, partner, partnerPrefix = "partner_prefix", partnerBranch = "partner_branch"
        case builtinRegression = "builtin_regression"
        case regWeight = "reg_weight", focalAlpha = "focal_alpha", focalGamma = "focal_gamma", horizon
    }

    /// Why a candidate.json cannot be read as a request.
    public enum ReadError: Error, CustomStringConvertible {
        /// Written by a newer autoloss than this one (or by an older one, without a schema).
        case schema(found: Int?, known: Int)
        /// A slot's formula does not parse in its branch.
        case formula(key: String, reason: String)

        public var description: String {
            switch self {
            case .schema(nil, let known):
                return "it has no schema: it was written by an autoloss older than this one (schema \(known)); run that search again with this autoloss"
            case .schema(let found?, let known) where found < 2:
                return "its schema \(found) is not one any autoloss wrote (this one reads 2 to \(known))"
            case .schema(let found?, let known):
                return "its schema is \(found), newer than this autoloss reads (\(known)): run the same autoloss on the search's machine and here"
            case .formula(let key, let reason): return "its \(key) does not parse: \(reason)"
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try c.decodeIfPresent(Int.self, forKey: .schema)
        guard let schema, schema <= Self.schema, schema >= 2 else { throw ReadError.schema(found: schema, known: Self.schema) }
        if let weight = try c.decodeIfPresent(Float.self, forKey: .regWeight) {
            setting = BaselineTuning.Setting(weight: weight, alpha: try c.decodeIfPresent(Float.self, forKey: .focalAlpha),
                                             gamma: try c.decodeIfPresent(Int.self, forKey: .focalGamma))
        } else {
            setting = nil
        }
        horizon = try c.decodeIfPresent(Double.self, forKey: .horizon)
        searched = try c.decode(Branch.self, forKey: .branch)
        let mode = try c.decode(Branch.self, forKey: .mode)
        stage = try c.decode(TrainingStage.self, forKey: .stage)
        seed = try c.decode(UInt64.self, forKey: .seed)
        generation = try c.decodeIfPresent(Int.self, forKey: .generation)
        slot = try c.decodeIfPresent(Int.self, forKey: .slot)
        hurdles = try c.decodeIfPresent([Double].self, forKey: .hurdles)
        let builtin = try c.decodeIfPresent(String.self, forKey: .builtinRegression).map { name in
            guard let kind = try? RegressionSlot.Kind.resolve(name), kind.isBuiltin else {
                throw DecodingError.dataCorruptedError(forKey: .builtinRegression, in: c, debugDescription: "not a built-in regression loss: \(name)")
            }
            return kind
        }
        func formula(_ key: CodingKeys, _ branch: Branch) throws -> Expr {
            let text = try c.decode(String.self, forKey: key)
            do { return try Expr.parse(text, branch: branch) } catch { throw ReadError.formula(key: key.stringValue, reason: "\(error)") }
        }
        // The regression slot is the built-in loss where one is named, else a formula.
        let regressionKey: CodingKeys = searched == .reg ? .prefix : .partnerPrefix
        let regression = try builtin ?? .formula(formula(regressionKey, .reg))
        // The classification slot's branch is the mode (a classification search's is its branch).
        let classification = try formula(searched == .reg ? .partnerPrefix : .prefix, mode)
        pair = LossPair(classification: classification, mode: mode, regression: regression)
        setup = try EvaluationSetup(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(writtenSchema, forKey: .schema)
        try c.encodeIfPresent(setting?.weight, forKey: .regWeight)
        try c.encodeIfPresent(setting?.alpha, forKey: .focalAlpha)
        try c.encodeIfPresent(setting?.gamma, forKey: .focalGamma)
        try c.encodeIfPresent(horizon, forKey: .horizon)
        try c.encode(searched, forKey: .branch)
        try c.encode(pair.mode, forKey: .mode)
        try c.encode(stage, forKey: .stage)
        try c.encode(seed, forKey: .seed)
        try c.encodeIfPresent(generation, forKey: .generation)
        try c.encodeIfPresent(slot, forKey: .slot)
        try c.encodeIfPresent(hurdles, forKey: .hurdles)
        for (slot, branch, infix, prefix) in [(candidate, searched, CodingKeys.formula, CodingKeys.prefix),
                                              (partner, partnerBranch, .partner, .partnerPrefix)] {
            switch slot {
            case .formula(let e):
                try c.encode(e.infix, forKey: infix)
                try c.encode(e.prefix(branch: branch), forKey: prefix)
            default:
                try c.encode(slot.name, forKey: infix)
                try c.encode(slot.name, forKey: .builtinRegression)
            }
        }
        try c.encode(partnerBranch, forKey: .partnerBranch)
        try setup.encode(to: encoder)
    }

    /// candidate.json's bytes: sorted keys, every number exact.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads candidate.json's bytes; the error says what is wrong in words (the field, the
    /// schema), not in the decoder's terms.
    public static func read(_ data: Data) throws -> EvaluationRequest {
        do { return try JSONDecoder().decode(EvaluationRequest.self, from: data) } catch let error as ReadError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw DecodingFailure(description: "it has no \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DecodingFailure(description: (path.isEmpty ? "" : "\(path): ") + context.debugDescription)
        }
    }
}

/// A field of candidate.json that is missing or of the wrong type, in words.
struct DecodingFailure: Error, CustomStringConvertible {
    var description: String
}
