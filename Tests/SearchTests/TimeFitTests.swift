import Detection
import Search
import XCTest

/// `--fit-minutes`: the plan keeps the full proxy schedule and population where they fit, and
/// shortens the proxy schedule, then the population, on a slower machine; the predictions add up.
final class TimeFitTests: XCTestCase {
    let data: DetectorData = try! DetectorData.resolve("shapes", searchingFrom: [])

    func speed(_ slowdown: Double) -> TrainingSpeed {
        // About this machine's figures (AVX-512, idle): 40 ms per proxy step, 20 ms per MOS step.
        TrainingSpeed(secondsPerStep: [.proxy: 0.040 * slowdown, .mos: 0.020 * slowdown],
                      evalSecondsPerImage: 0.001 * slowdown, prepareSecondsPerImage: 0.0005)
    }

    func testTheFullScheduleWhereItFitsAShorterOneWhereNot() throws {
        var o = SearchOptions(branch: .softmax)
        o.topK = 3
        let fast = try TimeFit.plan(seconds: 15 * 60, speed: speed(1), data: data, options: o)
        XCTAssertEqual(fast.scale, 1)
        XCTAssertEqual(fast.population, 16)
        XCTAssertTrue(fast.fits)
        // 3500 steps at 40 ms and 2000 scored images at 1 ms.
        XCTAssertEqual(fast.proxySeconds, 3500 * 0.040 + 2000 * 0.001, accuracy: 1e-9)
        let sum: Double = fast.preparationSeconds + 17 * fast.mosSeconds + 4 * fast.proxySeconds
        XCTAssertEqual(fast.firstGenerationSeconds, sum, accuracy: 1e-9)

        let avx2 = try TimeFit.plan(seconds: 15 * 60, speed: speed(2.8), data: data, options: o)
        XCTAssertLessThan(avx2.scale, 1)
        XCTAssertTrue(avx2.fits)
        XCTAssertLessThanOrEqual(avx2.firstGenerationSeconds, 0.75 * 15 * 60)

        let hopeless = try TimeFit.plan(seconds: 60, speed: speed(10), data: data, options: o)
        XCTAssertFalse(hopeless.fits)
        XCTAssertEqual(hopeless.scale, TimeFit.scales.last)
        XCTAssertEqual(hopeless.population, 6)
        XCTAssertTrue(hopeless.explanation(topK: 3).contains("more than fits"))
    }

    /// With MOS as the proxy's first rung, a MOS training is that part of the proxy training
    /// and one scoring of its images, and a proxy training the rest and two scorings.
    func testMOSAsARungIsPlannedAsPartOfTheProxy() throws {
        var o = SearchOptions(branch: .reg)
        o.topK = 3
        o.mosRung = 0.25
        let plan = try TimeFit.plan(seconds: 60 * 60, speed: speed(1), data: data, options: o)
        XCTAssertEqual(plan.scale, 1)
        XCTAssertEqual(plan.mosSeconds, 0.25 * 3500 * 0.040 + 2000 * 0.001, accuracy: 1e-9)
        XCTAssertEqual(plan.proxySeconds, 0.75 * 3500 * 0.040 + 2 * 2000 * 0.001, accuracy: 1e-9)
    }

    func testScaledSchedulesKeepTheirShape() {
        let proxy: TrainingSchedule = data.schedule(for: TrainingStage.proxy)
        let half = proxy.scaled(0.5)
        XCTAssertEqual(half.epochs, proxy.epochs / 2)
        XCTAssertEqual(half.evalImages, 1000)
        XCTAssertEqual(proxy.scaled(0.2).evalImages, 1000, "scored images go down to half, no further")
        XCTAssertEqual(half.batchSize, proxy.batchSize)
        XCTAssertEqual(half.learningRate, proxy.learningRate)
    }
}
