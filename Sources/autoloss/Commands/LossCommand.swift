import ArgumentParser
import Foundation
import LossLanguage

struct LossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Read, print and evaluate loss formulas.",
        discussion: "A FORMULA is infix (\"-dot(y, log(softmax(x)))\"), the authors' prefix form (\"Neg(Dot(Y,Log(Softmax(X))))\"), or a known loss's name: \(KnownLoss.named.map(\.name).joined(separator: ", ")).",
        subcommands: [LossShow.self, LossEval.self, LossList.self])
}

/// The formula and branch every loss subcommand takes.
struct FormulaOptions: ParsableArguments {
    // Collected as "unrecognized" words so that a formula may start with '-' (`-dot(...)`)
    // without the shell user having to write `--` first; the words are joined with spaces.
    @Argument(parsing: .allUnrecognized, help: "A formula or a known loss's name.")
    var formulaWords: [String] = []

    @Option(help: "The branch: softmax, sigmoid or reg.")
    var branch: Branch

    /// The words joined with spaces. A word "--" among them can only be the terminator (the
    /// parser reads the first one as such and keeps it here): it ends the options and is not
    /// part of the formula (`-- '1 - i/u'` read as `-(-1) - i / u`); a later "--" is the
    /// formula's own.
    var formula: String {
        var words = formulaWords
        if let terminator = words.firstIndex(of: "--") { words.remove(at: terminator) }
        return words.joined(separator: " ")
    }

    func validate() throws {
        if formula.allSatisfy(\.isWhitespace) {
            throw ValidationError("missing FORMULA: give a formula or a known loss's name (autoloss loss list)")
        }
    }

    func expr() throws -> Expr { try Expr.resolve(formula, branch: branch) }
}

struct LossShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a formula in another form.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case infix, prefix, latex, pytorch, sympy, json, canonical
    }

    @OptionGroup var options: FormulaOptions
    @Option(help: "infix, prefix, latex, pytorch, sympy, json or canonical.")
    var format: Format = .infix

    func run() throws {
        let e = try options.expr()
        let b = options.branch
        switch format {
        case .infix: print(e.infix)
        case .prefix: print(e.prefix(branch: b))
        case .latex: print(e.latex)
        case .canonical: print(e.canonicalString)
        case .pytorch: print(e.pytorch(branch: b), terminator: "")
        case .sympy: print(e.sympy(branch: b), terminator: "")
        case .json:
            let object: JSON = .object([
                ("branch", .string(b.rawValue)),
                ("infix", .string(e.infix)),
                ("prefix", .string(e.prefix(branch: b))),
                ("canonical", .string(e.canonicalString)),
                ("size", .number(Double(e.size))),
                ("depth", .number(Double(e.depth))),
                ("tree", JSON(tree: e)),
            ])
            print(object.text)
        }
    }
}

struct LossEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a formula and its gradients on inputs from a JSON file.",
        discussion: """
        Inputs: softmax {"x": [[C+1 logits], ...], "y": [[one-hot], ...], "w": [IoU per row]}; \
        sigmoid {"x", "y", "w"} as flat arrays or rows of equal shape; reg {"i": [...], "u": [...], "e": [...]}. \
        Prints {"values": [...], "gradients": {...}, "finite": true|false} in Double precision.
        """)

    @OptionGroup var options: FormulaOptions
    @Option(help: "The JSON file of inputs ('-' for standard input).")
    var inputs: String

    func run() throws {
        let e = try options.expr()
        let file = try InputsFile(path: inputs, branch: options.branch, needed: e.inputs)
        let loss = try CompiledLoss<Double>(e, branch: options.branch, gradientsFor: Set(file.batch.inputs.keys))
        let result = try loss.evaluate(file.batch)
        var gradients: [(String, JSON)] = []
        for v in options.branch.inputs where result.gradients[v] != nil {
            gradients.append((v.name, file.shaped(result.gradients[v]!, like: v)))
        }
        let object: JSON = .object([
            ("values", file.shapedValues(result.values)),
            ("gradients", .object(gradients)),
            ("finite", .bool(result.isFinite)),
        ])
        print(object.text)
    }
}

struct LossList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the known losses.")

    func run() {
        for loss in KnownLoss.named {
            for b in loss.branches {
                let name = loss.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                let branch = b.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                print("\(name) \(branch) \((try? loss.expr(branch: b).infix) ?? "")")
            }
        }
    }
}
