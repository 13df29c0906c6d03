import Foundation

/// How many threads the arithmetic uses now: `ProcessorBudget.cores` while the machine is
/// otherwise quiet, fewer while other processes keep its cores busy.
///
/// Why: a training's threads meet at a barrier many times a step (every oneDNN primitive, every
/// parallel loop). When another process holds the cores, a thread that reaches a barrier waits
/// for one that is not running, for a scheduler's time slice: measured on 2 cores beside a
/// 2-thread busy loop, a proxy training with 2 threads kept 8 % of its idle images/s, with 1
/// thread 40 % (bench/RESULTS.md, "Fair on a shared machine"). So between steps `adapt()`
/// looks, at most once a second, at how much of the machine the other processes used since it
/// last looked, and keeps `current` at the cores they leave (at least 1).
///
/// It adapts only when switched on (`isAdaptive`: the command line does, unless the user set
/// `OMP_NUM_THREADS`), since oneDNN's weight gradients sum in an order that depends on the
/// thread count: a pinned width keeps a training bit for bit the same on a busy machine.
/// Linux only (it reads /proc/stat); elsewhere the width stays at `ProcessorBudget.cores`.
public enum ThreadWidth {
    private static let state = State()

    /// Whether `adapt()` may change the width (off unless switched on).
    public static var isAdaptive: Bool {
        get { state.locked { $0.adaptive } }
        set { state.locked { $0.adaptive = newValue } }
    }

    /// The threads the arithmetic uses now (1 to `ProcessorBudget.cores`).
    public static var current: Int { state.locked { $0.width } }

    /// Sets the width (oneDNN's OpenMP team and TensorEngine's own loops) for what this thread
    /// runs next; another thread takes it at its next `adapt()`. Call between training steps,
    /// never between a forward pass and its backward.
    public static func set(_ width: Int) {
        let w = min(max(1, width), ProcessorBudget.cores)
        state.locked { $0.width = w }
        _OpenMP.setThreads(w)
    }

    /// Looks at the machine (at most once a second) and sets the width to the cores the other
    /// processes leave; returns the new width where it changed. A no-op unless `isAdaptive`,
    /// but for the calling thread's OpenMP setting, which it brings to `current` either way.
    ///
    /// OpenMP keeps the thread count per thread: a search trains each candidate on whichever
    /// worker thread is free, and a width set on the thread that trained the last one does not
    /// reach the next (measured: `make run` beside a busy loop trained its baseline at 155
    /// images/s on the thread that narrowed, and the candidates after it at 55 with two threads
    /// again). So every step brings its own thread's setting to the width first.
    @discardableResult
    public static func adapt(now: TimeInterval = ProcessInfo.processInfo.systemUptime) -> Int? {
        _OpenMP.follow(current)
        guard isAdaptive, ProcessorBudget.cores > 1 else { return nil }
        // Called every step: /proc/stat is read only once the second has passed.
        let previous = state.locked { $0.last }
        if let previous, now - previous.time < 1 { return nil }
        guard let sample = CPUSample.now() else { return nil }
        state.locked { $0.last = sample }
        guard let previous, let others = sample.othersBusyCores(since: previous) else { return nil }
        let width = target(cores: ProcessorBudget.cores, othersBusy: others)
        guard width != current else { return nil }
        set(width)
        return width
    }

    /// Looks at the machine for a second and sets the width to what it leaves, before something
    /// is timed (`--fit-minutes` measures a few training steps, too few for `adapt()`'s second
    /// look: measured beside a busy loop, the plan then took each step for 126 ms, as at full
    /// width, where the trainings took 104). A no-op unless `isAdaptive`.
    public static func settle() {
        guard isAdaptive, ProcessorBudget.cores > 1 else { return }
        adapt()
        Thread.sleep(forTimeInterval: 1.05)
        adapt()
    }

    /// The width for `cores` while other processes keep `othersBusy` cores busy: the cores they
    /// leave, rounded to the nearest, at least 1. (On 2 cores a neighbour using one core or more
    /// leaves 1; one using under half a core leaves both.)
    public static func target(cores: Int, othersBusy: Double) -> Int {
        min(cores, max(1, Int((Double(cores) - othersBusy).rounded())))
    }

    private final class State: @unchecked Sendable {
        var adaptive = false
        var width = ProcessorBudget.cores
        /// The latest look at the machine.
        var last: CPUSample?
        private let lock = NSLock()

        func locked<T>(_ body: (State) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(self)
        }
    }
}

/// The machine's busy CPU time and this process's own, at one moment.
struct CPUSample: Equatable {
    /// Seconds the machine's CPUs were busy (all but idle and iowait) since boot.
    var machineBusy: Double
    /// Seconds of CPU this process used (user + system, all threads).
    var own: Double
    /// When, in seconds of uptime.
    var time: Double

    /// The cores the other processes kept busy on average since `earlier`, nil where no time passed.
    func othersBusyCores(since earlier: CPUSample) -> Double? {
        let wall = time - earlier.time
        guard wall > 0 else { return nil }
        return max(0, (machineBusy - earlier.machineBusy) - (own - earlier.own)) / wall
    }

    /// Now, from /proc/stat and getrusage; nil where /proc/stat cannot be read.
    static func now() -> CPUSample? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let busy = machineBusySeconds(text) else { return nil }
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return CPUSample(machineBusy: busy, own: own, time: ProcessInfo.processInfo.systemUptime)
    }

    /// The busy seconds of /proc/stat's first line ("cpu user nice system idle iowait irq
    /// softirq steal ...", in clock ticks): all but idle and iowait, and not steal (time the
    /// hypervisor gave other machines is not this machine's neighbours).
    static func machineBusySeconds(_ stat: String, ticksPerSecond: Double = Double(sysconf(Int32(_SC_CLK_TCK)))) -> Double? {
        guard let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 4 else { return nil }
        let busy = fields.enumerated().filter { ![3, 4, 7].contains($0.offset) && $0.offset < 8 }.reduce(0) { $0 + $1.element }
        return busy / max(ticksPerSecond, 1)
    }
}

/// OpenMP's thread count for the parallel regions this thread starts next (oneDNN's), looked up
/// at run time: libgomp is loaded by oneDNN on Linux; where no OpenMP runtime is loaded (a
/// threadpool build of oneDNN) there is nothing to set.
enum _OpenMP {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetThreads = @convention(c) () -> Int32
    private static let setter: SetThreads? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads") else { return nil }
        return unsafeBitCast(symbol, to: SetThreads.self)
    }()
    private static let getter: GetThreads? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_get_max_threads") else { return nil }
        return unsafeBitCast(symbol, to: GetThreads.self)
    }()

    static func setThreads(_ n: Int) { setter?(Int32(n)) }

    /// The calling thread's team size for its next parallel region (nil: no OpenMP runtime).
    static var threads: Int? { getter.map { Int($0()) } }

    /// Brings the calling thread's setting to `n` where it differs (a thread that has not
    /// trained since the width changed).
    static func follow(_ n: Int) {
        if let t = threads, t != n { setThreads(n) }
    }
}
