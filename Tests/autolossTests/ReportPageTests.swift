import Detection
import Foundation
import XCTest

/// The HTML report of short real runs (simulation evaluator: a sigmoid search, a regression
/// search, a filter ablation), rendered by a real headless Chromium: the page draws (the
/// screenshot is not blank, every chart has its marks), its numbers are the store's (as
/// `autoloss report --json` reads them), and the console shows no error.
///
/// Chromium is Debian's `chromium` package (`make test` installs it). Where it is missing the
/// test fails in CI (CI=true) and is skipped, saying so, elsewhere. AUTOLOSS_SCREENSHOT=PATH
/// keeps the sigmoid run's screenshot there (the README's docs/report.png is made so).
final class ReportPageTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-html-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    static var chromium: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for dir in path.split(separator: ":") {
                let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return nil
    }

    func findChromium() throws -> URL {
        if let found = Self.chromium { return found }
        let message = "headless Chromium not found (chromium or chromium-browser on PATH): install Debian's chromium package (make test does)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(message)
            throw XCTSkip("failed: \(message)")
        }
        throw XCTSkip(message)
    }

    /// Runs Chromium headless on `page` with `arguments`; its stdout and stderr.
    func chromium(_ browser: URL, _ arguments: [String], page: URL) throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = browser
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                             "--user-data-dir=\(folder.appendingPathComponent("chromium-profile").path)"]
            + arguments + [page.absoluteString]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes drained at once: Chromium's log may fill one while the other is read.
        final class Box: @unchecked Sendable { var data = Data() }
        let errors = Box()
        let reader = Thread { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return (String(decoding: output, as: UTF8.self), String(decoding: errors.data, as: UTF8.self))
    }

    func search(_ name: String, _ arguments: [String]) throws -> URL {
        let out = folder.appendingPathComponent(name)
        let run = try CLI.run(["search", "--evaluator", "simulation", "--generations", "3", "--population", "6", "--top-k", "2"]
                              + arguments + ["--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.html").path),
                      "the search writes report.html into the run folder")
        return out
    }

    /// Renders `page`: checks the screenshot, the charts' marks and the console; returns the DOM.
    func render(_ page: URL, screenshot: URL, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let browser = try findChromium()
        let shot = try chromium(browser, ["--screenshot=\(screenshot.path)", "--window-size=1280,2400"], page: page)
        let image = try RGBImage(contentsOfFile: screenshot.path)
        XCTAssertEqual(image.width, 1280, file: file, line: line)
        var inked = 0, colours = Set<Int>()
        for p in stride(from: 0, to: image.pixels.count, by: 3) {
            let (r, g, b) = (Int(image.pixels[p]), Int(image.pixels[p + 1]), Int(image.pixels[p + 2]))
            if r + g + b < 700 { inked += 1 }
            colours.insert((r >> 4) << 8 | (g >> 4) << 4 | b >> 4)
        }
        XCTAssertGreaterThan(Double(inked) / Double(image.width * image.height), 0.02, "the screenshot is nearly blank", file: file, line: line)
        XCTAssertGreaterThan(colours.count, 20, "the screenshot has too few colours to hold the charts", file: file, line: line)

        let dump = try chromium(browser, ["--dump-dom"], page: page)
        let console = (shot.stderr + dump.stderr).split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Failed to load resource") || $0.contains("net::ERR")
        }
        XCTAssertEqual(console, [], "the console shows messages", file: file, line: line)
        let dom = dump.stdout
        let charts = Self.matches(#"<svg class="chart" data-chart="([^"]+)"[\s\S]*?</svg>"#, in: dom)
        XCTAssertGreaterThanOrEqual(charts.count, 5, file: file, line: line)
        for chart in charts {
            XCTAssertFalse(Self.matches(#"class="mark"#, in: chart[0]).isEmpty, "chart \(chart[1]) has no marks", file: file, line: line)
        }
        return dom
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            (0..<m.numberOfRanges).map { Range(m.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
        }
    }

    /// The text of every `<td class="CLASS">` in the element with `id`.
    static func cells(_ cls: String, in id: String, of dom: String) -> [String] {
        guard let table = matches(#"id="\#(id)"[\s\S]*?</table>"#, in: dom).first?[0] else { return [] }
        return matches(#"<td class="\#(cls)( [^"]*)?">([\s\S]*?)</td>"#, in: table).map { $0[2] }
    }

    func json(_ run: URL) throws -> [String: Any] {
        let report = try CLI.run(["report", run.path, "--json"])
        XCTAssertEqual(report.status, 0, report.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
    }

    static func format(_ v: Any?, _ digits: Int = 2, signed: Bool = false) -> String {
        guard let v = v as? Double else { return "-" }
        return String(format: signed ? "%+.\(digits)f" : "%.\(digits)f", v)
    }

    /// The page's numbers against the store's: the hall of fame, the baseline, the candidates,
    /// Spearman's rho, and the funnel's totals.
    func checkNumbers(_ dom: String, run: URL) throws {
        let store = try json(run)
        let fame = try XCTUnwrap(store["hall_of_fame"] as? [[String: Any]])
        XCTAssertFalse(fame.isEmpty)
        XCTAssertEqual(Self.cells("ap", in: "hall-of-fame", of: dom), fame.map { Self.format($0["ap"]) })
        XCTAssertEqual(Self.cells("ap50", in: "hall-of-fame", of: dom), fame.map { Self.format($0["ap50"]) })
        XCTAssertEqual(Self.cells("ap75", in: "hall-of-fame", of: dom), fame.map { Self.format($0["ap75"]) })
        XCTAssertEqual(Self.cells("gain", in: "hall-of-fame", of: dom), fame.map { Self.format($0["gain"], signed: true) })
        XCTAssertEqual(Self.cells("generation", in: "hall-of-fame", of: dom), fame.map { "\(($0["generation"] as? Double).map { Int($0) } ?? -1)" })
        XCTAssertEqual(Self.cells("formula", in: "hall-of-fame", of: dom).map { Self.matches("<code>(.*)</code>", in: $0).first?[1] ?? "" },
                       fame.map { ($0["formula"] as? String ?? "").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") })
        XCTAssertTrue(dom.contains("<math"), "formulas typeset in MathML")
        func kpi(_ id: String) -> String? { Self.matches(#"id="kpi-\#(id)"><b>([^<]*)</b>"#, in: dom).first?[1] }
        XCTAssertEqual(kpi("baseline-ap"), Self.format(store["baseline_ap"]))
        XCTAssertEqual(kpi("candidates"), "\(Int(store["candidates"] as? Double ?? -1))")
        XCTAssertEqual(Self.matches(#"id="spearman-rho">([^<]*)<"#, in: dom).first?[1], Self.format(store["mos_proxy_spearman"], 3))
        let funnel = try XCTUnwrap(store["funnel"] as? [String: Double])
        func total(_ column: String) -> Int? { Self.matches(#"<tr class="total">[\s\S]*?<td class="n \#(column)">(\d+)</td>"#, in: dom).first.flatMap { Int($0[1]) } }
        func ended(_ names: String...) -> Int { names.map { Int(funnel[$0] ?? 0) }.reduce(0, +) }
        XCTAssertEqual(total("invalid"), ended("rejected at validity"))
        XCTAssertEqual(total("duplicate"), ended("rejected at dedup"))
        XCTAssertEqual(total("cpv"), ended("rejected at cpv"))
        XCTAssertEqual(total("equivalent"), ended("rejected at equivalence"))
        XCTAssertEqual(total("mos"), ended("rejected at mos", "failed at mos"))
        XCTAssertEqual(total("proxy"), ended("proxy-evaluated", "rejected at proxy", "failed at proxy"))
        XCTAssertEqual(Self.cells("formula", in: "failures", of: dom).count, (store["failures"] as? [Any])?.count ?? -1)
    }

    func testTheReportOfShortRealRunsDrawsInChromiumWithTheStoresNumbers() throws {
        _ = try findChromium()
        // A sigmoid search: its page as the search wrote it, then as `report --html --out` writes it.
        let sigmoid = try search("sigmoid", ["--branch", "sigmoid"])
        let page = folder.appendingPathComponent("sigmoid.html")
        let written = try CLI.run(["report", sigmoid.path, "--html", "--out", page.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        let screenshot = ProcessInfo.processInfo.environment["AUTOLOSS_SCREENSHOT"].map { URL(fileURLWithPath: $0) }
            ?? folder.appendingPathComponent("sigmoid.png")
        let dom = try render(page, screenshot: screenshot)
        XCTAssertLessThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int), 300_000)
        try checkNumbers(dom, run: sigmoid)
        XCTAssertEqual(Self.matches(#"data-chart="landscape-\d""#, in: dom).count, 4, "one landscape per IoU value")

        // A regression search: the landscape along a path onto the ground-truth box.
        let reg = try search("reg", ["--branch", "reg"])
        let regDOM = try render(reg.appendingPathComponent("report.html"), screenshot: folder.appendingPathComponent("reg.png"))
        try checkNumbers(regDOM, run: reg)
        XCTAssertTrue(regDOM.contains("regression loss along a path onto the ground-truth box"))

        // A filter ablation: its table, as ablation.txt gives it (screened, proxy-evaluated, trainings spent, best AP).
        let ablation = try search("ablation", ["--branch", "sigmoid", "--ablate", "--max-evals", "3"])
        let ablationDOM = try render(ablation.appendingPathComponent("report.html"), screenshot: folder.appendingPathComponent("ablation.png"))
        let text = try String(contentsOf: ablation.appendingPathComponent("ablation.txt"), encoding: .utf8)
        let rows = CLI.ablationTable(text).split(separator: "\n").suffix(3).map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(Self.cells("arm", in: "ablation", of: ablationDOM), rows.map { $0[0] })
        XCTAssertEqual(Self.cells("screened", in: "ablation", of: ablationDOM), rows.map { $0[1] })
        XCTAssertEqual(Self.cells("proxy-evaluated", in: "ablation", of: ablationDOM), rows.map { $0[2] })
        XCTAssertEqual(Self.cells("trainings-spent", in: "ablation", of: ablationDOM), rows.map { $0[3] })
        XCTAssertEqual(Self.cells("best-ap", in: "ablation", of: ablationDOM), rows.map { $0[5] })
        try checkNumbers(ablationDOM, run: ablation.appendingPathComponent("cpv-mos"))
    }
}
