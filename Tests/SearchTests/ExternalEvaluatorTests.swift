import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage

final class ExternalEvaluatorTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-ext-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    var pair: LossPair {
        LossPair(classification: try! Expr.resolve("cse-a-cls", branch: .softmax), mode: .softmax,
                 regression: try! Expr.resolve("giou", branch: .reg))
    }

    func testTheCommandSeesTheCandidateAndItsResultIsRead() throws {
        // The "training" echoes what it was given into the result, so the test sees both ways.
        let command = """
            test "$AUTOLOSS_STAGE" = mos && test -f loss.py && test -f partner.py && \
            grep -q 'Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))' {dir}/prefix.txt && \
            grep -q '"partner_branch":"reg"' candidate.json && \
            echo '{"status": "ok", "stats": [0.25, 0.5, 0.2, 0.1, 0.2, 0.3, 0.2, 0.3, 0.35, 0.1, 0.3, 0.4]}' > result.json
            """
        let evaluator = LocalProcessExecutor(command: command, workDirectory: folder)
        let r = evaluator.evaluate(pair, searched: .softmax, stage: .mos, seed: 1)
        XCTAssertEqual(r.status, .ok, r.reason)
        XCTAssertEqual(r.ap, 25)
        XCTAssertEqual(r.figures, ["ap": 25, "ap50": 50, "ap75": 20])
    }

    func testFailuresAreVerdictsWithReasons() throws {
        let crash = LocalProcessExecutor(command: "echo 'CUDA out of memory' >&2; exit 3", workDirectory: folder)
        let r = crash.evaluate(pair, searched: .reg, stage: .proxy, seed: 1)
        XCTAssertEqual(r.status, .failed)
        XCTAssertTrue(r.reason.contains("exited with status 3: CUDA out of memory"), r.reason)
        let silent = LocalProcessExecutor(command: "true", workDirectory: folder).evaluate(pair, searched: .reg, stage: .proxy, seed: 1)
        XCTAssertTrue(silent.reason.contains("wrote no result.json"), silent.reason)
        let diverged = LocalProcessExecutor(command: #"echo '{"status": "diverged", "reason": "NaN at step 12"}' > result.json"#,
                                         workDirectory: folder).evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        XCTAssertEqual(diverged.status, .diverged)
        XCTAssertEqual(diverged.reason, "NaN at step 12")
        let malformed = LocalProcessExecutor(command: #"echo '{"status": "ok"}' > result.json"#, workDirectory: folder)
            .evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        XCTAssertTrue(malformed.reason.contains("neither 12 'stats' nor 'ap'"), malformed.reason)
    }

    /// result.json is read strictly: what it holds must be a result, or the evaluation fails
    /// saying what was wrong.
    func testResultsAreValidated() throws {
        func result(_ json: String) -> EvaluationResult {
            LocalProcessExecutor(command: "printf '%s' '\(json)' > result.json", workDirectory: folder).evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        }
        let percent = result(#"{"status": "ok", "ap": 37.06}"#)
        XCTAssertEqual(percent.status, .failed)
        XCTAssertTrue(percent.reason.contains("\"ap\": 37.06 is outside [0, 1]: write AP as a fraction (0.3706"), percent.reason)
        let absent = result(#"{"status": "ok", "stats": [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]}"#)
        XCTAssertTrue(absent.reason.contains("an AP in [0, 1] is needed"), absent.reason)
        XCTAssertTrue(result(#"{"status": "ok", "ap": NaN}"#).reason.contains("NaN or Infinity is not a JSON number"))
        XCTAssertTrue(result(#"{"status": "ok", "stats": [0.1, 0.2]}"#).reason.contains("has 2 numbers"))
        XCTAssertTrue(result(#"{"status": "done"}"#).reason.contains("it must be \"ok\" or \"diverged\""))
        XCTAssertEqual(try XCTUnwrap(result(#"{"status": "ok", "ap": 0.3706}"#).ap), 37.06, accuracy: 1e-12)
    }

    /// The command's output is kept whole in the candidate's folder; --eval-timeout ends it.
    func testOutputIsKeptAndTimeOutsEndTheCommand() throws {
        let chatty = LocalProcessExecutor(command: "seq 1 5000; seq 1 3000 >&2; exit 1", workDirectory: folder)
        let r = chatty.evaluate(pair, searched: .reg, stage: .mos, seed: 1)
        let dir = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).first)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("stdout.txt"), encoding: .utf8).split(separator: "\n").count, 5000)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("stderr.txt"), encoding: .utf8).split(separator: "\n").count, 3000)
        XCTAssertTrue(r.reason.contains("2998 | 2999 | 3000 (all of it in"), r.reason)
        let slow = LocalProcessExecutor(command: "sleep 30", workDirectory: folder, timeout: 0.5)
        let started = Date()
        let t = slow.evaluate(pair, searched: .reg, stage: .proxy, seed: 1)
        XCTAssertEqual(t.status, .failed)
        XCTAssertTrue(t.reason.contains("timed out after 0 s (the time limit of one evaluation)") || t.reason.contains("timed out after 1 s (the time limit of one evaluation)"), t.reason)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "the command was ended, not waited for")
    }

    /// Slurm: one `sbatch --parsable` per evaluation, followed with `scontrol show job`. Stand-ins
    /// on PATH record sbatch's arguments and run the wrapped command at once (job 42), and say
    /// the job COMPLETED. (SlurmIntegrationTests and SlurmFailureTests run a real Slurm.)
    func testSlurmSubmitsOneJobPerEvaluationAndFollowsIt() throws {
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let stubs = [("sbatch", """
            #!/bin/sh
            echo "$@" > "$AUTOLOSS_CANDIDATE_DIR/sbatch-args.txt"
            cd "$AUTOLOSS_CANDIDATE_DIR"
            for last; do :; done
            sh -c "$last" > "$AUTOLOSS_CANDIDATE_DIR/slurm-42.out"
            echo 42
            """), ("scontrol", "#!/bin/sh\necho 'JobId=42 JobName=x JobState=COMPLETED Reason=None ExitCode=0:0'\n")]
        for (name, text) in stubs {
            let url = bin.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let oldPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        setenv("PATH", bin.path + ":" + oldPath, 1)
        defer { setenv("PATH", oldPath, 1) }
        let evaluator = SlurmExecutor(CandidateCommand(command: #"echo trained; echo '{"status": "ok", "ap": 0.3}' > result.json"#, workDirectory: folder,
                                                       timeout: 90), arguments: ["--partition=gpu", "--gres=gpu:1"])
        let r = evaluator.evaluate(EvaluationRequest(pair: pair, searched: .softmax, stage: .proxy, seed: 7, generation: 2, slot: 5),
                                       context: EvaluationContext())
        XCTAssertEqual(r.status, .ok, r.reason)
        XCTAssertEqual(r.ap!, 30, accuracy: 1e-12)
        XCTAssertEqual(r.job, "42")
        let dir = folder.appendingPathComponent(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("proxy-") }!)
        let args = try String(contentsOfFile: dir.appendingPathComponent("sbatch-args.txt").path, encoding: .utf8)
        let name = folder.deletingLastPathComponent().lastPathComponent
        XCTAssertTrue(args.hasPrefix("--parsable --job-name=autoloss-\(name)-proxy-g2-s5 --chdir=\(dir.path)"), args)
        XCTAssertTrue(args.contains("--output=\(dir.path)/slurm-%j.out --error=\(dir.path)/slurm-%j.err"), args)
        XCTAssertTrue(args.contains("--partition=gpu --gres=gpu:1 --time=2 --wrap"), args)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("stdout.txt"), encoding: .utf8), "trained\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("slurm.job").path), "forgotten once the job ended")
    }
}
