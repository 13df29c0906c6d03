import Foundation
@testable import TensorEngine
import XCTest

/// The cores a process may use: its affinity list, a cgroup quota (v2 and v1 files, made here),
/// and OMP_NUM_THREADS, the least of them.
final class ProcessorBudgetTests: XCTestCase {
    func testCPUListsAreCounted() {
        XCTAssertEqual(ProcessorBudget.cpuListCount("0-3,8"), 5)
        XCTAssertEqual(ProcessorBudget.cpuListCount("0"), 1)
        XCTAssertEqual(ProcessorBudget.cpuListCount("2-2,4-5"), 3)
        XCTAssertNil(ProcessorBudget.cpuListCount("3-1"))
        XCTAssertNil(ProcessorBudget.cpuListCount("a"))
        XCTAssertNil(ProcessorBudget.cpuListCount(""))
    }

    func testCgroupQuotasRoundUpToWholeCores() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("cpu"), withIntermediateDirectories: true)
        func write(_ text: String, _ path: String) throws { try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8) }
        // v1: no quota, then half a core.
        try write("-1\n", "cpu/cpu.cfs_quota_us")
        try write("100000\n", "cpu/cpu.cfs_period_us")
        XCTAssertNil(ProcessorBudget.cgroupQuota(root: root.path))
        try write("50000\n", "cpu/cpu.cfs_quota_us")
        XCTAssertEqual(ProcessorBudget.cgroupQuota(root: root.path), 1)
        // v2 wins where it is: none, 1.5 cores (2), 3 cores.
        try write("max 100000\n", "cpu.max")
        XCTAssertNil(ProcessorBudget.cgroupQuota(root: root.path))
        try write("150000 100000\n", "cpu.max")
        XCTAssertEqual(ProcessorBudget.cgroupQuota(root: root.path), 2)
        try write("300000 100000\n", "cpu.max")
        XCTAssertEqual(ProcessorBudget.cgroupQuota(root: root.path), 3)
        // The least of the limits: a quota of one core on this machine gives 1.
        try write("100000 100000\n", "cpu.max")
        XCTAssertEqual(ProcessorBudget.count(environment: [:], cgroupRoot: root.path), 1)
    }

    func testOMPNumThreadsLowersTheCount() {
        let none = "/no/such/cgroup"
        let all = ProcessorBudget.count(environment: [:], cgroupRoot: none)
        XCTAssertEqual(all, min(ProcessInfo.processInfo.activeProcessorCount, ProcessorBudget.affinityCount() ?? .max))
        XCTAssertEqual(ProcessorBudget.count(environment: ["OMP_NUM_THREADS": "1"], cgroupRoot: none), 1)
        XCTAssertEqual(ProcessorBudget.count(environment: ["OMP_NUM_THREADS": "1,1"], cgroupRoot: none), 1)
        XCTAssertEqual(ProcessorBudget.count(environment: ["OMP_NUM_THREADS": "64"], cgroupRoot: none), all, "never more than the cores")
        XCTAssertEqual(ProcessorBudget.count(environment: ["OMP_NUM_THREADS": "zero"], cgroupRoot: none), all)
    }
}
