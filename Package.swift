// swift-tools-version:6.0
// autoloss: loss function discovery for object detectors (CSE-Autoloss).
// Module layout and the direction of dependencies follow ../shared/DESIGN.md, "Modules".
import PackageDescription

// No unsafeFlags here: another package can depend on these libraries by version only when none
// of their targets carries them. The speed flags (optimised debug builds of the kernels, the
// release build's instruction set) are the Makefile's, passed to `swift build` with -Xswiftc.
let package = Package(
    name: "autoloss",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LossLanguage", targets: ["LossLanguage"]),
        .library(name: "Verification", targets: ["Verification"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Search", targets: ["Search"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
        .executable(name: "autoloss", targets: ["autoloss"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // `swift package generate-documentation` (make docs): a plugin, not linked into any target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "LossLanguage", exclude: ["README.md"]),
        .target(name: "Verification", dependencies: ["LossLanguage"], exclude: ["README.md"]),
        // Image codecs: system libraries found through pkg-config (Debian: libjpeg62-turbo-dev,
        // libpng-dev; Homebrew: jpeg-turbo, libpng), each behind a thin C wrapper that turns the
        // libraries' longjmp error handling into return codes (a corrupt file never ends the process).
        .systemLibrary(
            name: "_CLibJPEG", path: "Sources/_CLibJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(
            name: "_CLibPNG", path: "Sources/_CLibPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .target(name: "_CJPEG", dependencies: ["_CLibJPEG"], linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "_CPNG", dependencies: ["_CLibPNG"], linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "Detection", dependencies: ["LossLanguage", "TensorEngine", "_CJPEG", "_CPNG"], exclude: ["Data/README.md", "Proxy/README.md"]),
        // posix_spawn for the process runner: a program started without Foundation's descriptor,
        // its signals at their defaults, every other descriptor closed.
        .target(name: "_CSpawn"),
        // Stop signals as bytes on a pipe (a handler in whichever thread takes them), for the
        // command line's Interruption: libdispatch's signal sources may lose them on Linux.
        .target(name: "_CSignals"),
        .target(
            name: "Search",
            dependencies: ["LossLanguage", "Verification", "Detection", "TensorEngine", "_CSpawn", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["README.md"]),
        .target(name: "Report", dependencies: ["LossLanguage", "Verification", "Detection", "Search"]),
        .target(name: "Export", dependencies: ["LossLanguage"]),
        // oneDNN (Debian's libdnnl-dev 2.6, Homebrew's onednn): SGEMM and the convolution primitives.
        .systemLibrary(name: "_CDNNL", providers: [.apt(["libdnnl-dev"]), .brew(["onednn"])]),
        .target(name: "TensorEngine", dependencies: ["_CDNNL"], exclude: ["README.md"]),
        .target(name: "_TestSupport", dependencies: ["LossLanguage"]),
        .executableTarget(
            name: "autoloss",
            dependencies: [
                "LossLanguage", "Verification", "Detection", "Search", "Report", "Export", "TensorEngine", "_CSignals",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // What the benchmarks share (timing, JSON lines, the tensor archive): for bench/ only.
        .target(name: "BenchSupport", dependencies: ["TensorEngine"], path: "bench/Sources/BenchSupport", exclude: ["README.md"]),
        .executableTarget(
            name: "autoloss-bench", dependencies: ["LossLanguage", "BenchSupport"], path: "bench/Sources/autoloss-bench"),
        .executableTarget(
            name: "autoloss-screen-bench", dependencies: ["LossLanguage", "Verification", "Search", "BenchSupport"],
            path: "bench/Sources/autoloss-screen-bench"),
        .executableTarget(
            name: "autoloss-tensor-bench", dependencies: ["TensorEngine", "LossLanguage", "BenchSupport"],
            path: "bench/Sources/autoloss-tensor-bench"),
        .executableTarget(
            name: "autoloss-detector-bench", dependencies: ["Detection", "TensorEngine", "LossLanguage", "BenchSupport"],
            path: "bench/Sources/autoloss-detector-bench"),
        .testTarget(name: "LossLanguageTests", dependencies: ["LossLanguage", "_TestSupport"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "LossLanguage", "_TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Verification", "Detection", "LossLanguage", "_TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "_TestSupport"]),
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "_TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Search", "Verification"]),
        .testTarget(name: "autolossTests", dependencies: ["autoloss", "LossLanguage", "Search", "Detection"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
