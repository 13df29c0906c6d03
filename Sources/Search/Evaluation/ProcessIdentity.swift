import Foundation

/// What proves a process to be the one autoloss started for a command (DESIGN.md: a process is
/// adopted on resume only when it is provably the run's own, never on a bare pid): its process
/// id; its start time, in clock ticks since boot (/proc/PID/stat's 22nd field), which a pid
/// reused by another program after a SIGKILL does not share; and a random token the command was
/// given in its environment (AUTOLOSS_RUN_TOKEN), which no other program holds. The command line
/// is not part of it: a command that `exec`s its trainer changes it.
///
/// A candidate folder's command.pid holds it as one line, "PID START TOKEN". Everything is read
/// from /proc: where there is none (macOS), no process is provably a command's, so none is
/// adopted (a resumed search trains it anew) and none is signalled but the runner's own children.
struct ProcessIdentity: Equatable, Sendable {
    var pid: Int32
    var startTime: UInt64
    var token: String

    /// The environment variable that carries the token.
    static let variable = "AUTOLOSS_RUN_TOKEN"

    /// A new token: 128 bits from the system's generator (not the search's seeded one: a token
    /// must not repeat from run to run).
    static func newToken() -> String {
        var random = SystemRandomNumberGenerator()
        return String(random.next(), radix: 16) + "-" + String(random.next(), radix: 16)
    }

    /// Process `pid` as it runs now, started with `token`; nil where its start time cannot be
    /// read (it has ended, or there is no /proc) or the pid is one whose signal reaches more than
    /// one process (0, 1, negative).
    init?(pid: Int32, token: String) {
        guard pid > 1, let state = Self.state(of: pid) else { return nil }
        self.init(pid: pid, startTime: state.startTime, token: token)
    }

    init(pid: Int32, startTime: UInt64, token: String) {
        self.pid = pid
        self.startTime = startTime
        self.token = token
    }

    /// From a pid file's line; nil for anything else (the bare pid an older autoloss wrote, a pid
    /// of 1 or less, a token with spaces).
    init?(line: String) {
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, let pid = Int32(fields[0]), pid > 1, let start = UInt64(fields[1]), !fields[2].isEmpty else { return nil }
        self.init(pid: pid, startTime: start, token: String(fields[2]))
    }

    /// The pid file's line.
    var line: String { "\(pid) \(startTime) \(token)\n" }

    /// Whether this process still runs: a process with its pid and start time that is not a
    /// zombie (ended, waiting to be reaped).
    var isRunning: Bool {
        guard let state = Self.state(of: pid) else { return false }
        return state.startTime == startTime && state.code != "Z"
    }

    /// Whether it runs and its environment holds the token: what adopting it needs.
    var isProvablyOurs: Bool { isRunning && Self.environment(of: pid, holds: token) }

    /// Sends `signal` to the process, if it still runs; to its process group instead with
    /// `group`, if it leads one (the group of a command is the command's own).
    func send(_ signal: Int32, group: Bool = false) {
        guard isRunning else { return }
        if group {
            if getpgid(pid) == pid { kill(-pid, signal) }
        } else {
            kill(pid, signal)
        }
    }

    // MARK: /proc

    /// What /proc/PID/stat says of a process: its state code (R, S, Z...), process group and
    /// start time.
    struct State {
        var code: Character
        var group: Int32
        var startTime: UInt64
    }

    static func state(of pid: Int32) -> State? {
        #if os(Linux)
        // "PID (COMM) STATE PPID PGRP ... STARTTIME ...": COMM may hold spaces and parentheses,
        // so the fields are counted from the last ')'.
        guard let bytes = read("/proc/\(pid)/stat", limit: 4096),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        // Fields 3 (state), 5 (pgrp) and 22 (starttime), counted from 1 with PID and COMM.
        guard fields.count > 19, let code = fields[0].first, let group = Int32(fields[2]),
              let start = UInt64(fields[19]) else { return nil }
        return State(code: code, group: group, startTime: start)
        #else
        return nil
        #endif
    }

    /// Whether process `pid`'s environment holds `token` (false where it cannot be read: another
    /// user's process, or no /proc).
    static func environment(of pid: Int32, holds token: String) -> Bool {
        #if os(Linux)
        guard let bytes = read("/proc/\(pid)/environ", limit: 4 << 20) else { return false }
        let entry = Array("\(variable)=\(token)".utf8)
        return bytes.split(separator: 0).contains { $0.elementsEqual(entry) }
        #else
        return false
        #endif
    }

    /// The processes that run (not zombies) in process group `group` or with `token` in their
    /// environment: what a command left behind. Empty where there is no /proc.
    static func strays(group: Int32?, token: String?) -> [ProcessIdentity] {
        #if os(Linux)
        let me = getpid()
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.compactMap { pid -> ProcessIdentity? in
            guard pid > 1, pid != me, let state = state(of: pid), state.code != "Z" else { return nil }
            let grouped = group.map { $0 > 1 && state.group == $0 } ?? false
            guard grouped || token.map({ environment(of: pid, holds: $0) }) == true else { return nil }
            return ProcessIdentity(pid: pid, startTime: state.startTime, token: token ?? "")
        }
        #else
        return []
        #endif
    }

    #if os(Linux)
    /// A /proc file's bytes, up to `limit` (nil where it cannot be read).
    private static func read(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? bytes : nil }
            bytes += chunk[0..<n]
        }
        return bytes
    }
    #endif
}
