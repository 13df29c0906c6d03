import Foundation
import XCTest
@testable import Search
import Detection
import LossLanguage

/// The evaluations the scheduler starts together go to Slurm as one job array. A stand-in sbatch on
/// PATH records its arguments and runs the array's script once per task, as Slurm would (array
/// 77); the real Slurm runs it in SlurmIntegrationTests and SlurmFailureTests.
final class SlurmArrayTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-array-\(UUID().uuidString)")
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let sbatch = bin.appendingPathComponent("sbatch")
        try """
            #!/bin/sh
            echo "$@" >> "\(folder.path)/sbatch-calls.txt"
            for last; do :; done
            for task in 0 1 2 3; do SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=$task sh -c "$last" > /dev/null; done
            echo 77
            """.write(to: sbatch, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sbatch.path)
        setenv("PATH", bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""), 1)
    }

    override func tearDown() {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        setenv("PATH", path.split(separator: ":").filter { !$0.hasPrefix(folder.path) }.joined(separator: ":"), 1)
        try? FileManager.default.removeItem(at: folder)
    }

    func testABatchGoesAsOneArrayEachTaskInItsFolder() throws {
        let evaluations = folder.appendingPathComponent("run/evaluations")
        let dirs = (0..<3).map { evaluations.appendingPathComponent("mos-\($0)") }
        for d in dirs { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        let tasks = (0..<3).map { k in
            SlurmJob.Task(command: "echo task $AUTOLOSS_SLOT in $(basename $PWD); echo oops >&2; exit \(k)", directory: dirs[k],
                          environment: ["AUTOLOSS_SLOT": "\(k)"])
        }
        let ids = SlurmJob.submitArray(tasks, arguments: ["--partition=cpu"], name: "autoloss-run-mos-g1", in: evaluations).map { submitted in
            guard case .success(let id) = submitted else { XCTFail("refused"); return "" }
            return id
        }
        let calls = try String(contentsOf: folder.appendingPathComponent("sbatch-calls.txt"), encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("--parsable") }
        XCTAssertEqual(calls.count, 1, "one sbatch call: \(calls)")
        XCTAssertTrue(calls[0].hasPrefix("--parsable --array=0-2 --job-name=autoloss-run-mos-g1 --chdir=\(evaluations.path)"), String(calls[0]))
        XCTAssertTrue(calls[0].contains("--partition=cpu --wrap"), String(calls[0]))
        XCTAssertEqual(Set(ids), ["77_0", "77_1", "77_2"])
        // Each task ran its own request's command in its own folder, with its own environment.
        for (k, id) in ids.enumerated() {
            let task = id.split(separator: "_")[1]
            let dir = try XCTUnwrap(dirs.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("slurm-77_\(task).out").path) })
            let out = try String(contentsOf: dir.appendingPathComponent("slurm-77_\(task).out"), encoding: .utf8)
            XCTAssertEqual(out, "task \(dirs.firstIndex(of: dir)!) in \(dir.lastPathComponent)\n", "request \(k)")
            XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("slurm-77_\(task).err"), encoding: .utf8), "oops\n")
        }
    }

    /// The external evaluator on Slurm with several jobs sends the batch the scheduler hands it
    /// as one array, each task in its candidate's folder; what no evaluation followed (a stop
    /// request came first) is cancelled when the batch ends. One job at a time: no array.
    func testTheEvaluatorSendsTheBatchItIsHandedAndCancelsWhatNoneFollowed() throws {
        let scancel = folder.appendingPathComponent("bin/scancel")
        try "#!/bin/sh\necho \"$@\" >> \"\(folder.path)/scancel-calls.txt\"\n".write(to: scancel, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scancel.path)
        let evaluations = folder.appendingPathComponent("run/evaluations")
        let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax, regression: try Expr.resolve("giou", branch: .reg))
        let requests = try ["1 - i / u", "e / i", "-log(i / u)"].enumerated().map { k, formula in
            var request = EvaluationRequest(pair: pair, searched: .reg, stage: .mos, seed: 1, generation: 2, slot: k)
            request.pair.regression = .formula(try Expr.parse(formula, branch: .reg))
            return request
        }
        let single = SlurmExecutor(CandidateCommand(command: "echo {dir}", workDirectory: evaluations), arguments: [], jobs: 1)
        single.begin(requests)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sbatch-calls.txt").path))
        let evaluator = SlurmExecutor(CandidateCommand(command: "basename {dir}", workDirectory: evaluations), arguments: ["--partition=cpu"], jobs: 3)
        evaluator.begin(requests)
        let calls = try String(contentsOf: folder.appendingPathComponent("sbatch-calls.txt"), encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("--parsable") }
        XCTAssertEqual(calls.count, 1, "one sbatch call: \(calls)")
        XCTAssertTrue(calls[0].hasPrefix("--parsable --array=0-2 --job-name=autoloss-run-mos-g2 --chdir=\(evaluations.path)"), String(calls[0]))
        for (k, request) in requests.enumerated() {
            let dir = CandidateFolder(evaluations.appendingPathComponent(CandidateFolder.name(request)))
            XCTAssertEqual(try dir.request().slot, k)
            XCTAssertEqual(try String(contentsOf: dir.url.appendingPathComponent("slurm-77_\(k).out"), encoding: .utf8), dir.url.lastPathComponent + "\n")
        }
        evaluator.end()
        let cancelled = try String(contentsOf: folder.appendingPathComponent("scancel-calls.txt"), encoding: .utf8)
        XCTAssertEqual(Set(cancelled.split(separator: "\n")), ["77_0", "77_1", "77_2"])
    }

    func testAJobsNameLosesItsSlotInTheArraysName() {
        func array(_ name: String) -> String { SlurmJob(arguments: [], name: name, directory: folder).arrayName }
        XCTAssertEqual(array("autoloss-run-mos-g2-s14"), "autoloss-run-mos-g2")
        XCTAssertEqual(array("autoloss-slurm-s2-proxy-baseline"), "autoloss-slurm-s2-proxy-baseline")
    }

    /// A job scontrol has forgotten (past MinJobAge) is read from sacct: "CANCELLED by 0" is
    /// CANCELLED, "2:0" exit status 2; a job neither knows has no state. Stand-ins, as the CI's
    /// single-node Slurm keeps no accounting.
    func testAJobScontrolForgotIsReadFromSacct() throws {
        let bin = folder.appendingPathComponent("bin")
        let scripts = [
            "scontrol": """
                #!/bin/sh
                # show job -o ID
                case "$4" in 91) echo "JobId=91 JobName=x JobState=RUNNING Reason=None ExitCode=0:0 Comment=JobState=X";;
                *) echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1;; esac
                """,
            "sacct": """
                #!/bin/sh
                # -n -P -X -j ID -o State,ExitCode
                case "$5" in 90) printf 'CANCELLED by 0|0:15\n';; 92) printf 'FAILED|2:0\n';; esac
                """,
        ]
        for (name, text) in scripts {
            let url = bin.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        XCTAssertEqual(SlurmJob.state(of: "91"), SlurmJob.State(state: "RUNNING", exitCode: 0, reason: "None"))
        XCTAssertEqual(SlurmJob.state(of: "90"), SlurmJob.State(state: "CANCELLED", exitCode: 0))
        XCTAssertEqual(SlurmJob.state(of: "92"), SlurmJob.State(state: "FAILED", exitCode: 2))
        XCTAssertFalse(SlurmJob.state(of: "92")!.isActive)
        XCTAssertNil(SlurmJob.state(of: "93"))
    }
}
