// Screening-cascade throughput: how many random well-typed candidates per second the cascade
// validity -> dedup -> CPV -> equivalence screens on both cores, and what each stage removes.
// Anchor: AutoML-Zero screens about 1e4 candidates per second per core (Real et al. 2020); the
// goal here is 2e4 per second on 2 cores. The paper's funnel: CPV cuts 5e3 candidates to 7e2.
// The search itself screens one candidate at a time on one thread (its trainings take the
// cores), so the 2-thread figure is an upper bound for it; the 1-thread figure is its rate.
//
//   swift build -c release --scratch-path .build-verify --product autoloss-screen-bench
//   .build-verify/release/autoloss-screen-bench [CANDIDATES per branch, default 100000]
import BenchSupport
import Dispatch
import Foundation
import LossLanguage
import Search
import Verification

let candidates = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
let threads = 2
let anchorPerCore = 1e4
let goal = 2e4

func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%5.1f %%", 100 * Double(a) / Double(b)) }

/// Screens `trees` on `threads` threads (interleaved), sharing the seen sets; returns the
/// merged counts and the wall time.
func screen(_ trees: [Expr], branch: Branch, verifier: Verifier, threads: Int) -> (ScreeningCounts, Double, [Expr]) {
    let forms = SeenSet<String>(), prints = SeenSet<Fingerprint>()
    let lock = NSLock()
    var total = ScreeningCounts()
    var accepted: [Expr] = []
    let watch = Stopwatch()
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        var cascade = ScreeningCascade(verifier: verifier, branch: branch, canonicalForms: forms, fingerprints: prints)
        var mine: [Expr] = []
        for k in stride(from: t, to: trees.count, by: threads) {
            if case .accepted = cascade.screen(trees[k]), mine.count < 5 { mine.append(trees[k]) }
        }
        lock.lock()
        total = total.merged(with: cascade.counts)
        accepted += mine
        lock.unlock()
    }
    return (total, watch.seconds, accepted)
}

let verifier = Verifier.standard
print("autoloss-screen-bench: \(candidates) random candidates per branch, \(threads) threads, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("anchor: AutoML-Zero ~1e4 candidates/s per core; goal 2e4/s on 2 cores")
print("the search screens on one thread: the 2-thread rate is an upper bound for it, the 1-thread rate its own\n")
var overall = (count: 0, wall: 0.0)
for (index, branch) in Branch.allCases.enumerated() {
    let generator = try! FormulaGenerator(branch: branch)
    var rng = SplitMix64(seed: 1_000 + UInt64(index))
    let generation = Stopwatch()
    let trees = (0..<candidates).map { _ in generator.generate(using: &rng) }
    let genTime = generation.seconds

    let single = screen(Array(trees.prefix(candidates / 5)), branch: branch, verifier: verifier, threads: 1)
    let (counts, wall, accepted) = screen(trees, branch: branch, verifier: verifier, threads: threads)
    overall.count += candidates
    overall.wall += wall
    let rate = Double(candidates) / wall
    let singleRate = Double(single.0.screened) / single.1

    print("== \(branch.rawValue) (max depth \(generator.options.maxDepth), ramped half-and-half)")
    print(String(format: "generation     %.0f trees/s (1 thread)", Double(candidates) / genTime))
    print(String(format: "screening      %.0f candidates/s on %d threads (%.2f s); 1 thread %.0f/s (x%.2f scaling)",
                 rate, threads, wall, singleRate, rate / singleRate))
    print(String(format: "vs anchor      %.2f x AutoML-Zero per core; %.2f x the 2e4/s goal", rate / Double(threads) / anchorPerCore, rate / goal))
    print("stage          reached   removed  of all   of reached  time/candidate reached")
    for stage in Stage.screening {
        let reached = counts.reached(stage), removed = counts.rejected[stage, default: 0]
        let ns = Double(counts.nanoseconds[stage, default: 0])
        let perCandidate = reached == 0 ? 0 : ns / Double(reached) / 1000
        print(String(format: "%-12@ %9d %9d  %@   %@     %8.1f us", stage.rawValue as NSString, reached, removed,
                     pct(removed, candidates) as NSString, pct(removed, reached) as NSString, perCandidate))
    }
    print(String(format: "accepted     %9d            %@", counts.accepted, pct(counts.accepted, candidates) as NSString))
    let top = counts.rejectedByCheck.sorted { $0.value > $1.value }.prefix(6)
    print("by check       " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    print("accepted e.g.  " + accepted.prefix(3).map(\.infix).joined(separator: "  |  "))
    print("")
}
print(String(format: "all branches   %.0f candidates/s on %d threads: %.2f x the 2e4/s goal",
             Double(overall.count) / overall.wall, threads, Double(overall.count) / overall.wall / goal))
