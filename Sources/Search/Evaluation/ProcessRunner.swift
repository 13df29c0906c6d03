import _CSpawn
import Foundation
import TensorEngine

/// The one way autoloss runs another program: an evaluator's command (`sh -c`, by the local
/// executor) and Slurm's commands (sbatch, scontrol, sacct, scancel) alike.
///
/// The program starts through posix_spawn (`_CSpawn`), not Foundation's Process, which leaves a
/// descriptor of its own open in the program and learns of its end only once every holder has
/// closed it: a child the command left in the background held the evaluation as long as it
/// ran. Here the program has no descriptor but its standard ones (its input /dev/null), every
/// signal at its default action (autoloss ignores SIGPIPE, and SIGINT, SIGTERM and SIGHUP while a
/// search runs) and a process group of its own; it has ended when its process has exited. On a
/// stop request, or past `timeout` seconds, the whole group gets SIGTERM, and SIGKILL 5 s later,
/// so that no training it started outlives the search. Once it has exited, what it left running
/// is ended as well (SIGTERM, SIGKILL 2 s later): the rest of its process group (a child in the
/// background) and, given a `token`, every process that holds it in its environment (a daemon
/// that left the group).
///
/// Its output goes to files as it comes (a command's stdout.txt and stderr.txt, however much it
/// writes), or into memory (Slurm's short answers), read from pipes on threads of their own so
/// that a chatty program never blocks on a full pipe; a pipe a stray still holds is read for a
/// second after the program exited, no longer.
enum ProcessRunner {
    struct Output: Sendable {
        var status: Int32
        /// What it wrote (empty when its output went to files).
        var stdout: String
        var stderr: String
        /// Ended for running past its time limit.
        var timedOut = false
        /// Why it could not be started (nil: it ran).
        var launchFailure: String?
    }

    /// Where the program's stdout and stderr go: into memory, or into files (created, or
    /// emptied; a symbolic link there is not followed).
    enum Destination {
        case memory
        case files(stdout: URL, stderr: URL)
    }

    /// Runs `arguments` (looked up on PATH) in `directory` with `environment` added to this
    /// process's, and waits for it; `started` hears its process id. `token`, when given, goes
    /// into its environment as AUTOLOSS_RUN_TOKEN (`ProcessIdentity`).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    output destination: Destination = .memory, token: String? = nil,
                    stop: StopRequest? = nil, timeout: Double? = nil, started: (Int32) -> Void = { _ in }) -> Output {
        // The thread defaults this process set for itself are not the command's: it gets the
        // user's environment, and what the caller sets.
        var inherited = ProcessInfo.processInfo.environment
        for name in ProcessorBudget.appliedDefaults { inherited[name] = nil }
        var environment = inherited.merging(environment) { $1 }
        if let token { environment[ProcessIdentity.variable] = token }
        func failed(_ reason: String) -> Output {
            Output(status: 127, stdout: "", stderr: "", launchFailure: reason)
        }
        // The child's ends: its input, output and error; ours: the pipes' reading ends.
        var childEnds: [Int32] = [], readers: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return failed("cannot open /dev/null: \(String(cString: strerror(errno)))") }
        childEnds.append(input)
        switch destination {
        case .files(let stdout, let stderr):
            for file in [stdout, stderr] {
                let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
                guard fd >= 0 else { return failed("cannot write \(file.path): \(String(cString: strerror(errno)))") }
                childEnds.append(fd)
            }
        case .memory:
            for _ in 0..<2 {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else {
                    for fd in readers { close(fd) }
                    return failed("cannot make a pipe: \(String(cString: strerror(errno)))")
                }
                for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                readers.append(ends[0])
                childEnds.append(ends[1])
            }
        }
        var pid: pid_t = 0
        let error = withCStrings(["/usr/bin/env"] + arguments) { argv in
            withCStrings(environment.map { "\($0)=\($1)" }) { envp in
                let (input, output, errors) = (childEnds[0], childEnds[1], childEnds[2])
                guard let directory else { return cspawn_start(&pid, "/usr/bin/env", argv, envp, nil, input, output, errors) }
                return cspawn_start(&pid, "/usr/bin/env", argv, envp, directory.path, input, output, errors)
            }
        }
        for fd in childEnds { close(fd) }
        childEnds = []
        guard error == 0 else {
            for fd in readers { close(fd) }
            return failed("cannot start \(arguments.first ?? "a program"): \(String(cString: strerror(error)))")
        }
        let collected = readers.map { PipeReader(fd: $0) }
        let process = pid
        started(process)

        final class Exit: @unchecked Sendable { var status: Int32 = 0; var signaled: Int32 = 0; var error: Int32 = 0 }
        let exit = Exit(), ended = DispatchSemaphore(value: 0)
        DispatchQueue(label: "autoloss.wait").async {  // overcommitting, as the pipes' readers
            exit.error = cspawn_wait(process, &exit.status, &exit.signaled)
            ended.signal()
        }
        let start = Date()
        var terminatedAt: Date?, timedOut = false
        while ended.wait(timeout: .now() + 0.1) == .timedOut {
            if let timeout, Date().timeIntervalSince(start) > timeout { timedOut = true }
            guard stop?.isRequested == true || timedOut else { continue }
            if let at = terminatedAt {
                if Date().timeIntervalSince(at) > 5 { kill(-process, SIGKILL) }
            } else {
                kill(-process, SIGTERM)
                terminatedAt = Date()
            }
        }
        // A stray holding a pipe: a second more of its output, then it is ended and not waited for.
        let deadline = Date().addingTimeInterval(1)
        for reader in collected { reader.finish(by: deadline) }
        endStrays(group: process, token: token)
        for reader in collected { reader.finish(by: .distantPast) }
        let status = exit.error == 0 ? exit.status : 255
        return Output(status: status, stdout: collected.first?.text ?? "", stderr: collected.last?.text ?? "", timedOut: timedOut)
    }

    /// Ends what a command left running once its process had exited: the members of process
    /// `group` (its own, led by it) and the processes holding `token`, SIGTERM, then SIGKILL to
    /// whatever outlives `grace` seconds.
    static func endStrays(group: Int32?, token: String?, grace: Double = 2) {
        let group = group.flatMap { $0 > 1 ? $0 : nil }
        // What runs of the group, and the token's holders outside it. On Linux each is found
        // in /proc, so that a group whose members have all ended (zombies waiting for their new
        // parent to reap them included) is left alone.
        func remaining() -> (groupRuns: Bool, others: [ProcessIdentity]) {
            #if os(Linux)
            let strays = ProcessIdentity.strays(group: group, token: token)
            let inGroup = strays.filter { group != nil && ProcessIdentity.state(of: $0.pid)?.group == group }
            return (!inGroup.isEmpty, strays.filter { !inGroup.contains($0) })
            #else
            return (group.map { kill(-$0, 0) == 0 } ?? false, [])
            #endif
        }
        var left = remaining()
        // A process in the middle of execve shows an empty environment and may have just left
        // the group (setsid), so one empty look can miss it: only a second one, a moment
        // later, says nothing is left.
        if !left.groupRuns && left.others.isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
            left = remaining()
        }
        for signal in [SIGTERM, SIGKILL] {
            guard left.groupRuns || !left.others.isEmpty else { return }
            if let group, left.groupRuns { kill(-group, signal) }
            for stray in left.others { stray.send(signal) }
            let deadline = Date().addingTimeInterval(signal == SIGTERM ? grace : 0)
            repeat {
                Thread.sleep(forTimeInterval: 0.05)
                left = remaining()
            } while (left.groupRuns || !left.others.isEmpty) && Date() < deadline
        }
    }

    /// `body` given `strings` as a C array of C strings, NULL-terminated.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

/// One pipe of a program read to its end on a thread of its own, or until told to finish.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private var deadline = Date.distantFuture
    private let lock = NSLock(), done = DispatchSemaphore(value: 0)

    init(fd: Int32) {
        DispatchQueue(label: "autoloss.pipe").async { [self] in  // overcommitting: a reader at once, however many block
            defer {
                close(fd)
                done.signal()
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let polled = poll(&ready, 1, 50)
                if polled < 0 && errno != EINTR { return }
                if polled > 0 {
                    let n = read(fd, &chunk, chunk.count)
                    if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { return }
                    if n > 0 { lock.withLock { data.append(contentsOf: chunk[0..<n]) } }
                }
                if lock.withLock({ Date() > deadline }) { return }
            }
        }
    }

    /// Waits for the end of the pipe until `deadline`, and stops reading then.
    func finish(by deadline: Date) {
        lock.withLock { self.deadline = min(self.deadline, deadline) }
        let seconds = max(0, deadline.timeIntervalSinceNow) + 0.2
        if done.wait(timeout: .now() + seconds) == .success { done.signal() }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
