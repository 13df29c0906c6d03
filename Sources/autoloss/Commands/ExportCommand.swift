import ArgumentParser
import Export
import Foundation
import LossLanguage

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a loss as code or math for another framework.",
        discussion: "pytorch: a function of torch tensors; mmdet: an mmdetection loss module; latex; sympy.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case pytorch, mmdet, latex, sympy }

    @OptionGroup var options: FormulaOptions
    @Option(help: "pytorch, mmdet, latex or sympy.") var format: Format = .pytorch
    @Option(help: "The mmdet module's class name.") var name = "AutolossLoss"
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func validate() throws {
        guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            throw ValidationError("--name must be a Python identifier (letters, digits, _), got '\(name)'")
        }
    }

    func run() throws {
        if let out { try CLIError.refuseFolder(out, option: "--out") }
        let e = try options.expr()
        let b = options.branch
        let text: String
        switch format {
        case .pytorch: text = e.pytorch(branch: b)
        case .mmdet:
            if let problem = MMDetModule.classNameProblem(name, for: e, branch: b) {
                throw CLIError("--name \(problem): the module would not run; choose another class name")
            }
            text = MMDetModule.source(e, branch: b, className: name)
        case .latex: text = e.latex + "\n"
        case .sympy: text = e.sympy(branch: b)
        }
        if let out {
            try OutputFile.write(Data(text.utf8), to: out) {
                do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    throw WriteFailure(path: out, error)
                }
            }
        } else {
            print(text, terminator: "")
        }
    }
}
