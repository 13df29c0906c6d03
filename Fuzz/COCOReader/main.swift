// libFuzzer target: the COCO JSON reader that `autoloss coco-eval` uses, and the evaluator
// behind it (issue 38). Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer,address` against
// an instrumented subset of Detection (the COCO reader, writer, dataset types and evaluator);
// not a SwiftPM target.
//
// An input is a file's contents: a ground truth (COCO instances), optionally followed by a NUL
// byte and a detections file (COCO results). Without a NUL the whole input is read both as
// instances and as results. Each is read with both bad-item policies, as `coco-eval` and
// `coco-eval --skip-bad` read it; what reads is evaluated (against the detections after the NUL,
// or against the ground truth's own boxes as detections). A refusal must be a `DetectionError`
// or `DataError` whose message prints; a broken invariant stops the process, which libFuzzer
// reports as a crash, keeping the input.
import Detection
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let gtBytes: Data, dtBytes: Data?
    if let nul = bytes.firstIndex(of: 0) {
        gtBytes = Data(bytes[..<nul])
        dtBytes = Data(bytes[(nul + 1)...])
    } else {
        gtBytes = Data(bytes)
        dtBytes = nil
    }
    for policy in BadItemPolicy.allCases {
        check(gt: gtBytes, dt: dtBytes ?? gtBytes, pairedDetections: dtBytes != nil, policy: policy)
    }
    return 0
}

func broken(_ what: String) -> Never {
    fatalError(what)
}

/// Runs `body`; nil when it throws one of the errors a user is shown (whose message must
/// print), a broken invariant for any other error.
func attempt<T>(_ role: String, _ body: () throws -> T) -> T? {
    do {
        return try body()
    } catch let error as DetectionError {
        if error.description.isEmpty { broken("\(role): an error with no message") }
        return nil
    } catch let error as DataError {
        if error.description.isEmpty { broken("\(role): an error with no message") }
        return nil
    } catch {
        broken("\(role): an error that is neither a DetectionError nor a DataError: \(error)")
    }
}

func check(gt: Data, dt: Data, pairedDetections: Bool, policy: BadItemPolicy) {
    var skipped = 0
    let note: (DetectionError) -> Void = { _ in skipped += 1 }
    let dataset = attempt("instances") { try COCOJSON.readInstances(data: gt, source: "gt", policy: policy, skipped: note) }
    let results = attempt("results") { try COCOJSON.readResults(data: dt, source: "dt", policy: policy, skipped: note) }
    guard let dataset else { return }

    // What the reader accepts the writer writes, and it reads back as the same dataset.
    if policy == .fail {
        let written = dataset.cocoJSON()
        guard let again = attempt("written instances", { try COCOJSON.readInstances(data: written, source: "written") }) else {
            broken("the written instances do not read back:\n\(String(decoding: written, as: UTF8.self))")
        }
        if again != dataset { broken("the written instances read back as another dataset:\n\(String(decoding: written, as: UTF8.self))") }
    }

    let detections: [ScoredBox]
    if pairedDetections {
        guard let results else { return }
        detections = results
    } else {
        // The ground truth's own boxes as detections, scored by their order.
        var own: [ScoredBox] = []
        for image in dataset.images {
            for a in image.annotations {
                own.append(ScoredBox(imageID: image.id, categoryID: a.categoryID, box: a.box, score: 1 / Double(1 + own.count)))
            }
        }
        detections = own
    }
    // One thread: libFuzzer runs one input at a time, and the machine is shared.
    let options = COCOEvaluator.Options(policy: policy, maxThreads: 1)
    guard let evaluator = attempt("ground truth", { try COCOEvaluator(groundTruth: dataset, options: options, source: "gt", skipped: note) }),
          let metrics = attempt("evaluation", { try evaluator.evaluate(detections, source: "dt", skipped: note) })
    else { return }
    // pycocotools' twelve numbers: -1 where undefined, otherwise a mean precision or recall.
    if metrics.stats.count != 12 { broken("\(metrics.stats.count) summary numbers, not 12") }
    for (k, s) in metrics.stats.enumerated() where !(s == -1 || (0...1).contains(s)) {
        broken("summary number \(k) is \(s): neither -1 nor in [0, 1]")
    }
    for c in metrics.perCategory {
        for v in [c.ap, c.ap50, c.ap75] where !(v == -1 || (0...1).contains(v)) {
            broken("category \(c.categoryID)'s AP \(v): neither -1 nor in [0, 1]")
        }
    }
    _ = metrics.summaryLines
}
