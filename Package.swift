// swift-tools-version:6.0
// autoloss: loss function discovery for object detectors (CSE-Autoloss).
// Module layout and the direction of dependencies follow ../shared/DESIGN.md, "Modules".
import PackageDescription

// Release-only speed flags for the numeric kernels; debug builds stay checked.
// `-target-cpu native`: a source build runs where it is built, so use the machine's vector
// width (AVX2 or AVX-512 here); the evaluator's loops are written for LLVM to vectorise.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-target-cpu", "native"], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "autoloss",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LossLanguage", targets: ["LossLanguage"]),
        .library(name: "Verification", targets: ["Verification"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
        .executable(name: "autoloss", targets: ["autoloss"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "LossLanguage", swiftSettings: kernelFlags),
        .target(name: "Verification", dependencies: ["LossLanguage"], swiftSettings: kernelFlags),
        .target(name: "Detection", swiftSettings: kernelFlags),
        // oneDNN (Debian's libdnnl-dev 2.6, Homebrew's onednn): SGEMM and the convolution primitives.
        .systemLibrary(name: "_CDNNL", providers: [.apt(["libdnnl-dev"]), .brew(["onednn"])]),
        .target(name: "TensorEngine", dependencies: ["_CDNNL"], exclude: ["README.md"], swiftSettings: kernelFlags),
        .target(name: "_TestSupport", dependencies: ["LossLanguage"]),
        .executableTarget(
            name: "autoloss",
            dependencies: [
                "LossLanguage", "Verification", "Detection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "autoloss-bench", dependencies: ["LossLanguage"], path: "bench/Sources/autoloss-bench",
            swiftSettings: kernelFlags),
        .executableTarget(
            name: "autoloss-tensor-bench", dependencies: ["TensorEngine"], path: "bench/Sources/autoloss-tensor-bench",
            swiftSettings: kernelFlags),
        .testTarget(name: "LossLanguageTests", dependencies: ["LossLanguage", "_TestSupport"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "LossLanguage", "_TestSupport"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "_TestSupport"]),
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "_TestSupport"]),
        .testTarget(name: "autolossTests", dependencies: ["autoloss", "LossLanguage"]),
    ],
    swiftLanguageModes: [.v5]
)
