import Foundation
import Report
import Search
import Verification
import XCTest

/// `autoloss confirm`, end to end: the built-in detector on a tiny schedule through worker
/// processes (`--jobs 2`), its table's intervals against Welch's worked from the stored APs; a
/// confirmation killed outright (SIGKILL) and run again prints the table an uninterrupted one
/// prints; `report` shows the section.
final class ConfirmCommandTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-confirm-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testTheDetectorThroughWorkersOnATinySchedule() throws {
        let out = folder.appendingPathComponent("c").path
        let r = try CLI.run(["confirm", "--mode", "softmax", "--baseline", "ce", "--losses", "cse-a-cls", "--weights", "1", "--fixed-grid",
                             "--seeds", "1,2", "--horizons", "1,2", "--schedule-scale", "0.005", "--jobs", "2", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("confirming 1 loss against the baseline ce: at most 12 trainings"), r.stderr)
        let store = try RunStore(opening: out + "/run.sqlite", readOnly: true)
        let trainings = try store.confirmationTrainings()
        // Each loss: its one setting's first seed (the tuning), then seed 2, then both seeds at x2.
        XCTAssertEqual(trainings.count, 8, trainings.map { "\($0.loss) s\($0.seed) h\($0.horizon)" }.joined(separator: ", "))
        XCTAssertTrue(trainings.allSatisfy { $0.result.status == .ok && $0.setting == BaselineTuning.Setting(weight: 1) }, "\(trainings.map(\.result.reason))")
        // The workers read the setting and the horizon from candidate.json.
        let evaluations = URL(fileURLWithPath: out).appendingPathComponent("evaluations")
        let folders = try FileManager.default.contentsOfDirectory(atPath: evaluations.path)
        XCTAssertEqual(folders.count, 8, "\(folders)")
        let long = try XCTUnwrap(folders.first { $0.contains("-h2-") })
        let request = try JSONSerialization.jsonObject(with: Data(contentsOf: evaluations.appendingPathComponent(long + "/candidate.json"))) as? [String: Any]
        XCTAssertEqual(request?["horizon"] as? Double, 2)
        XCTAssertEqual(request?["reg_weight"] as? Double, 1)
        XCTAssertEqual(request?["schema"] as? Int, 3)

        // The table's interval is Welch's, worked by hand from the stored APs.
        for horizon in [1.0, 2.0] {
            func aps(_ loss: String) -> [Double] { trainings.filter { $0.loss == loss && $0.horizon == horizon }.sorted { $0.seed < $1.seed }.map { $0.result.ap! } }
            let a = aps("cse-a-cls"), b = aps("ce")
            let (ma, mb) = ((a[0] + a[1]) / 2, (b[0] + b[1]) / 2)
            let (va, vb) = ((a[0] - a[1]) * (a[0] - a[1]) / 4, (b[0] - b[1]) * (b[0] - b[1]) / 4)  // s² / n with n = 2
            let df = (va + vb) * (va + vb) / (va * va + vb * vb)
            let t = studentTQuantile(0.975, degreesOfFreedom: df), half = t * (va + vb).squareRoot()
            let row = String(format: "| cse-a-cls | λ 1 | x%d | %.2f ± %.2f | 2 | %+.2f [%+.2f, %+.2f] |", Int(horizon), ma,
                             abs(a[0] - a[1]) / 2.squareRoot(), ma - mb, ma - mb - half, ma - mb + half)
            XCTAssertTrue(r.stdout.contains(row), "\(row)\n\(r.stdout)")
        }

        // report shows it, as text and as a section of the page with its chart.
        let report = try CLI.run(["report", out])
        XCTAssertTrue(report.stdout.contains(r.stdout.trimmingCharacters(in: .newlines)), report.stdout)
        XCTAssertEqual(try CLI.run(["report", out, "--html"]).status, 0)
        let html = try String(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Confirmation</h2>") && html.contains("id=\"confirmation-chart\""))
        XCTAssertTrue(html.contains("<ul id=\"confirmation-tuning\"><li>ce: "), "the tuning's lines")
        XCTAssertEqual(html.components(separatedBy: "<circle class=\"difference\"").count - 1, 2, "one dot per horizon")
    }

    /// An external evaluator that takes a while and gives an AP that depends on the loss, the
    /// weight, the seed and the horizon, so that the table shows whether every training is
    /// where it belongs.
    static let evaluator = """
        import json, time, zlib
        d = json.load(open('candidate.json'))
        time.sleep(0.25)
        w, h, s = d.get('reg_weight', 1), d.get('horizon', 1), d['seed']
        ap = 30 + zlib.crc32(d['formula'].encode()) % 100 / 10 - abs(w - 2) + h + (s * 7919) % 13 / 10
        json.dump({'status': 'ok', 'ap': ap / 100}, open('result.json', 'w'))
        """

    func testAConfirmationKilledOutrightGoesOnToTheSameTable() throws {
        let script = folder.appendingPathComponent("train.py")
        try Self.evaluator.write(to: script, atomically: true, encoding: .utf8)
        func arguments(_ out: String) -> [String] {
            ["confirm", "--mode", "softmax", "--losses", "cse-a-cls,-dot(y, log(softmax(x))) * 2", "--evaluator", "external",
             "--command", "python3 \(script.path)", "--weights", "1,2,3", "--fixed-grid", "--seeds", "1,2,3", "--horizons", "1,2",
             "--out", folder.appendingPathComponent(out).path]
        }
        let whole = try CLI.run(arguments("whole"))
        XCTAssertEqual(whole.status, 0, whole.stderr)
        // Three contenders: three settings each, then the two finalists at seeds 2 and 3, then
        // three seeds at x2.
        XCTAssertEqual(try RunStore(opening: folder.appendingPathComponent("whole/run.sqlite").path, readOnly: true).confirmationTrainings().count, 30)
        // The evaluator's APs put λ 2 first and show a horizon's and a seed's part.
        XCTAssertTrue(whole.stdout.contains("| ce (baseline) | λ 2 | x2 |"), whole.stdout)

        let killedStore = folder.appendingPathComponent("killed/run.sqlite").path
        let process = try CLI.start(arguments("killed"))
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let n = try? RunStore(opening: killedStore, readOnly: true).confirmationTrainings().count, n >= 7 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let kept = try RunStore(opening: killedStore, readOnly: true).confirmationTrainings().count
        XCTAssertTrue((7..<30).contains(kept), "killed after \(kept) trainings")
        let again = try CLI.run(arguments("killed"))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, whole.stdout)
        XCTAssertEqual(try RunStore(opening: killedStore, readOnly: true).confirmationTrainings().count, 30)
    }

    /// The tuned setting is the best mean over the seeds of the tuning's two best settings on
    /// the first seed, not the first seed's luck: here seed 1 puts λ 1 a point ahead of λ 2, and
    /// seeds 2 and 3 put λ 2 three points ahead. `--finalists 1` keeps the first seed's choice,
    /// as a store written before finalists existed reads.
    func testTheTunedSettingIsTheFinalistsBestMeanNotTheFirstSeedsLuck() throws {
        let script = folder.appendingPathComponent("train.py")
        try """
            import json
            d = json.load(open('candidate.json'))
            w, s = d.get('reg_weight', 1), d['seed']
            ap = {1: 35 if s == 1 else 30, 2: 34 if s == 1 else 33, 3: 30}[w] + (0 if d['formula'] == '-dot(y, log(softmax(x)))' else 1)
            json.dump({'status': 'ok', 'ap': ap / 100}, open('result.json', 'w'))
            """.write(to: script, atomically: true, encoding: .utf8)
        func confirm(_ out: String, _ extra: [String]) throws -> (CLIResult, [ConfirmationTraining]) {
            let dir = folder.appendingPathComponent(out).path
            let r = try CLI.run(["confirm", "--mode", "softmax", "--losses", "cse-a-cls", "--evaluator", "external", "--command", "python3 \(script.path)",
                                 "--weights", "1,2,3", "--fixed-grid", "--seeds", "1,2,3", "--horizons", "1", "--out", dir] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            return (r, try RunStore(opening: dir + "/run.sqlite", readOnly: true).confirmationTrainings())
        }
        let (two, trainings) = try confirm("two", [])
        XCTAssertTrue(two.stderr.contains("at most 14 trainings"), two.stderr)
        XCTAssertTrue(two.stdout.contains("| ce (baseline) | λ 2 | x1 | 33.33 ± 0.58 | 3 |"), two.stdout)
        XCTAssertTrue(two.stdout.contains("| cse-a-cls | λ 2 | x1 | 34.33 ± 0.58 | 3 | +1.00"), two.stdout)
        // The table says how close the choice was.
        XCTAssertTrue(two.stdout.contains("- ce: 35.00 at λ 1; 34.00 at λ 2; 30.00 at λ 3. Finalists: 33.33 ± 0.58 at λ 2 (3 seeds); 31.67 ± 2.89 at λ 1 (3 seeds). Tuned at λ 2\n"),
                      two.stdout)
        // Each loss: three settings on seed 1, then λ 1 and λ 2 on seeds 2 and 3; λ 3 never again.
        XCTAssertEqual(trainings.count, 14)
        XCTAssertEqual(trainings.filter { $0.setting.weight == 3 }.map(\.seed), [1, 1])
        let (one, first) = try confirm("one", ["--finalists", "1"])
        XCTAssertTrue(one.stdout.contains("| ce (baseline) | λ 1 | x1 | 31.67 ± 2.89 | 3 |"), one.stdout)
        XCTAssertTrue(one.stdout.hasSuffix("- cse-a-cls: 36.00 at λ 1; 35.00 at λ 2; 31.00 at λ 3. Tuned at λ 1\n"), one.stdout)
        XCTAssertEqual(first.count, 10)

        // A plan stored without the finalists chose on the first seed alone.
        let plan = try XCTUnwrap(try RunStore(opening: folder.appendingPathComponent("two/run.sqlite").path, readOnly: true).confirmation())
        XCTAssertEqual(plan.finalists, 2)
        var json = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as? [String: Any])
        json["finalists"] = nil
        XCTAssertEqual(try JSONDecoder().decode(Confirmation.self, from: JSONSerialization.data(withJSONObject: json)).finalists, 1)
    }

    /// `search --confirm` confirms the run's best losses; `confirm RUN` again trains nothing anew.
    func testASearchConfirmsItsBestLosses() throws {
        let out = folder.appendingPathComponent("s").path
        let r = try CLI.run(["search", "--branch", "softmax", "--evaluator", "simulation", "--generations", "2", "--population", "6",
                             "--confirm", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let store = try RunStore(opening: out + "/run.sqlite", readOnly: true)
        let plan = try XCTUnwrap(try store.confirmation())
        XCTAssertEqual(plan.contenders.first, Confirmation.Contender(loss: "ce", isBaseline: true))
        XCTAssertEqual(plan.contenders.count, 4, "the baseline and the best 3")
        XCTAssertEqual(plan.seeds, [1, 2, 3])
        XCTAssertEqual(plan.horizons, [1, 2])
        for c in plan.contenders { XCTAssertTrue(r.stdout.contains("| \(c.isBaseline ? "ce (baseline)" : c.loss) |"), "\(c.loss)\n\(r.stdout)") }
        let trained = try store.confirmationTrainings().count
        let again = try CLI.run(["confirm", out])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try RunStore(opening: out + "/run.sqlite", readOnly: true).confirmationTrainings().count, trained)
        XCTAssertTrue(r.stdout.hasSuffix(again.stdout), again.stdout)
    }

    /// Losses whose proxy trainings ended alike are confirmed once: an evaluator whose AP
    /// follows the formula's length gives formulas of one length the same figures, and the
    /// confirmation of the top 3 takes the best of each length, saying which it left out.
    func testLossesThatTrainedAlikeAreConfirmedOnce() throws {
        let out = folder.appendingPathComponent("s").path
        let byLength = #"n=$(wc -c < formula.txt); echo "{\"status\": \"ok\", \"ap\": 0.$((n % 9 + 10))}" > result.json"#
        let r = try CLI.run(["search", "--branch", "reg", "--generations", "2", "--population", "8", "--top-k", "6", "--seed", "3",
                             "--command", byLength, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let hall = try RunReport(store: RunStore(opening: out + "/run.sqlite", readOnly: true)).hallOfFame
        let (chosen, twins) = hall.distinct(3)
        XCTAssertFalse(twins.isEmpty, "a tie in the figures: \(hall.top(10).map { "\($0.expr.infix) \($0.result.ap ?? -1)" })")
        XCTAssertEqual(Set(chosen.map { $0.result.ap }).count, chosen.count, "one loss per outcome")
        let confirm = try CLI.run(["confirm", out, "--top", "3", "--seeds", "1", "--horizons", "1", "--weights", "1"])
        XCTAssertEqual(confirm.status, 0, confirm.stderr)
        let plan = try XCTUnwrap(try RunStore(opening: out + "/run.sqlite", readOnly: true).confirmation())
        XCTAssertEqual(plan.contenders.filter { !$0.isBaseline }.map(\.loss), chosen.map(\.expr.infix))
        for t in twins {
            XCTAssertTrue(confirm.stderr.contains("confirm: \(t.twin.expr.infix) is left out: its proxy training ended with every figure equal to that of \(t.of.expr.infix)"),
                          confirm.stderr)
        }
    }

    func testBadPlansAreOneLineErrors() throws {
        for (arguments, message) in [
            (["confirm"], "give a run folder, or --losses with --out"),
            (["confirm", "--losses", "bce"], "--losses needs --out DIR"),
            (["confirm", "--losses", "ce", "--out", folder.appendingPathComponent("x").path], "a loss is given twice (the baseline counts)"),
            (["confirm", "--losses", "focal", "--seeds", "1,1", "--out", folder.appendingPathComponent("y").path], "a seed is given twice"),
            (["confirm", "--losses", "focal", "--finalists", "0", "--out", folder.appendingPathComponent("z").path], "at least one finalist of the tuning"),
            (["confirm", folder.path, "--data", "shapes"], "a run brings its own task"),
        ] {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
    }
}
