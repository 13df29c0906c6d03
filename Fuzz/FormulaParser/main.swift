// libFuzzer target: the formula parser, the printers and the canonical form (issue 38).
// Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer,address` against an instrumented
// LossLanguage; not a SwiftPM target.
//
// An input is any byte string, read as UTF-8 (invalid bytes become U+FFFD) and given to
// `Expr.resolve`, what every command-line formula argument goes through, in each branch. Where it
// parses, the invariants below must hold; a broken one stops the process, which libFuzzer reports
// as a crash and saves the input. A refusal must be a `LossLanguageError` whose message prints.
import LossLanguage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for branch in Branch.allCases {
        check(text, branch)
    }
    return 0
}

/// Stops the process with what broke: libFuzzer sees the signal and keeps the input.
func broken(_ what: String, _ text: String, _ branch: Branch) -> Never {
    fatalError("\(what)\n  branch: \(branch.rawValue)\n  input: \(LossLanguageError.visible(text))")
}

/// Parses as a user-facing command would; nil (after printing the message, as the CLI does)
/// when the formula is refused.
func read(_ text: String, _ branch: Branch, _ role: String, original: String) -> Expr? {
    do {
        return try Expr.resolve(text, branch: branch)
    } catch let error as LossLanguageError {
        if error.description.isEmpty { broken("\(role): an error with no message", original, branch) }
        return nil
    } catch {
        broken("\(role): an error that is not a LossLanguageError: \(error)", original, branch)
    }
}

func check(_ text: String, _ branch: Branch) {
    guard let e = read(text, branch, "input", original: text) else { return }
    if e.boundedSize() > Expr.maxSize { broken("a tree of \(e.boundedSize()) nodes passed the limit of \(Expr.maxSize)", text, branch) }

    // The infix printer writes what reads back as the same tree.
    let infix = e.infix
    guard let back = read(infix, branch, "printed infix \(infix)", original: text) else {
        broken("the printed infix does not parse: \(infix)", text, branch)
    }
    if back != e { broken("the printed infix reads back as another tree: \(infix) -> \(back.infix)", text, branch) }

    // The canonical form is a fixed point, prints, and its infix reads back to the same form.
    let canonical = e.canonical(in: branch)
    let key = canonical.infix
    if canonical.canonical(in: branch) != canonical {
        broken("the canonical form is not a fixed point: \(key) -> \(canonical.canonical(in: branch).infix)", text, branch)
    }
    guard let reread = read(key, branch, "canonical infix \(key)", original: text) else {
        broken("the canonical form's infix does not parse: \(key)", text, branch)
    }
    if reread.canonicalString(in: branch) != key {
        broken("the canonical infix does not round-trip: \(key) -> \(reread.canonicalString(in: branch))", text, branch)
    }
    if back.canonicalString(in: branch) != key {
        broken("the printed infix has another canonical form: \(back.canonicalString(in: branch)) vs \(key)", text, branch)
    }

    // The authors' prefix form reads back to the same canonical form, where it can: the parser
    // nests at most 200 levels, and in prefix form every node is one (a chain `i + i + ...`, which
    // infix writes flat, is as deep as it is long).
    guard e.depth <= prefixNestingLimit else { return printersWriteSomething(e, text, branch) }
    let prefix = e.prefix(branch: branch)
    guard let fromPrefix = read(prefix, branch, "printed prefix \(prefix)", original: text) else {
        broken("the printed prefix does not parse: \(prefix)", text, branch)
    }
    if fromPrefix.canonicalString(in: branch) != key {
        broken("the prefix form has another canonical form: \(prefix) -> \(fromPrefix.canonicalString(in: branch)) vs \(key)", text, branch)
    }

    printersWriteSomething(e, text, branch)
}

/// The parser's nesting limit (`TokenCursor.maxDepth`).
let prefixNestingLimit = 200

/// The other printers write something.
func printersWriteSomething(_ e: Expr, _ text: String, _ branch: Branch) {
    for (name, printed) in [("latex", e.latex), ("mathML", e.mathML), ("pytorch", e.pytorch(branch: branch)), ("sympy", e.sympy(branch: branch))]
    where printed.isEmpty {
        broken("the \(name) printer wrote nothing", text, branch)
    }
}
