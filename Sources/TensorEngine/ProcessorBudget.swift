import Foundation

/// The cores this process may use, as the machine says it: the CPUs in its affinity mask
/// (`taskset`, Slurm's binding), a container's or job's CPU quota (cgroup v2 `cpu.max`, v1
/// `cpu.cfs_quota_us`), and `OMP_NUM_THREADS` where the user set it, whichever is least.
/// Foundation's `activeProcessorCount` counts the machine's cores: under `taskset -c 0` on two
/// cores it says 2, and two threads then share one core.
public enum ProcessorBudget {
    /// The cores this process may use (at least 1), fixed at first use.
    public static let cores: Int = count(environment: ProcessInfo.processInfo.environment)

    /// The least of the machine's cores, the affinity mask, the cgroup quota and
    /// `OMP_NUM_THREADS` (its first entry: "2,1" sets nested levels).
    static func count(environment: [String: String], cgroupRoot: String = "/sys/fs/cgroup") -> Int {
        var cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        if let mask = affinityCount() { cores = min(cores, mask) }
        if let quota = cgroupQuota(root: cgroupRoot) { cores = min(cores, quota) }
        if let threads = ompThreads(environment) { cores = min(cores, threads) }
        return max(1, cores)
    }

    static func ompThreads(_ environment: [String: String]) -> Int? {
        guard let value = environment["OMP_NUM_THREADS"], let first = value.split(separator: ",").first,
              let threads = Int(first.trimmingCharacters(in: .whitespaces)), threads > 0 else { return nil }
        return threads
    }

    /// The CPUs of this process's affinity mask, from /proc/self/status's `Cpus_allowed_list`
    /// ("0-3,8"; Linux: nil elsewhere, or where it cannot be read).
    static func affinityCount(status: String = "/proc/self/status") -> Int? {
        guard let text = try? String(contentsOfFile: status, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return cpuListCount(line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces))
    }

    /// The CPUs a list names: "0-3,8" is 5; nil for a malformed list.
    static func cpuListCount(_ list: String) -> Int? {
        var count = 0
        for part in list.split(separator: ",") {
            let ends = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch ends.count {
            case 1: guard ends[0] != nil else { return nil }; count += 1
            case 2: guard let a = ends[0], let b = ends[1], b >= a else { return nil }; count += b - a + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }

    /// The CPU quota of this process's cgroup as whole cores (rounded up: 1.5 cores lets two
    /// threads run part of the time), nil where there is none: cgroup v2's `cpu.max` ("max
    /// 100000": none, "150000 100000": 1.5), else v1's `cpu/cpu.cfs_quota_us` (-1: none) over
    /// `cpu.cfs_period_us`. A container or a Slurm job sees its own cgroup at the root.
    static func cgroupQuota(root: String) -> Int? {
        func read(_ path: String) -> [Substring]? {
            (try? String(contentsOfFile: root + "/" + path, encoding: .utf8))?.split(whereSeparator: \.isWhitespace)
        }
        func cores(quota: Substring, period: Substring) -> Int? {
            guard let q = Double(quota), let p = Double(period), q > 0, p > 0 else { return nil }
            return max(1, Int((q / p).rounded(.up)))
        }
        if let v2 = read("cpu.max"), v2.count == 2 { return cores(quota: v2[0], period: v2[1]) }
        for folder in ["cpu", "cpu,cpuacct"] {
            if let quota = read(folder + "/cpu.cfs_quota_us")?.first, let period = read(folder + "/cpu.cfs_period_us")?.first {
                return cores(quota: quota, period: period)
            }
        }
        return nil
    }

    /// What this process sets for OpenMP where the user did not, before its runtime starts (call
    /// first thing in `main`): `OMP_WAIT_POLICY=passive`, so that a thread waiting at a barrier
    /// sleeps instead of spinning (spinning threads left a training beside another 5 % of its
    /// speed where a fair share is 50 %), and `OMP_NUM_THREADS` at `cores`, so that oneDNN's
    /// OpenMP team follows the affinity mask and the quota as this process's own threads do.
    /// Returns the names it set: commands this process starts get the user's environment
    /// back (`ProcessRunner` removes them), an external trainer tuning itself as it would.
    @discardableResult
    public static func applyThreadDefaults() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var set: [String] = []
        for (name, value) in [("OMP_WAIT_POLICY", "passive"), ("OMP_NUM_THREADS", "\(cores)")] where environment[name] == nil {
            setenv(name, value, 0)
            set.append(name)
        }
        appliedDefaults = set
        return set
    }

    /// The names `applyThreadDefaults` set (empty before it ran).
    nonisolated(unsafe) public private(set) static var appliedDefaults: [String] = []
}
