// swift-tools-version:6.0
// autoloss: loss function discovery for object detectors (CSE-Autoloss).
// Module layout and the direction of dependencies follow ../shared/DESIGN.md, "Modules".
import PackageDescription

// Release-only speed flags for the numeric kernels; debug builds stay checked.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "autoloss",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LossLanguage", targets: ["LossLanguage"]),
        .library(name: "Verification", targets: ["Verification"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Search", targets: ["Search"]),
        .executable(name: "autoloss", targets: ["autoloss"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "LossLanguage", swiftSettings: kernelFlags),
        .target(name: "Verification", dependencies: ["LossLanguage"], swiftSettings: kernelFlags),
        .target(name: "Detection", swiftSettings: kernelFlags),
        .target(name: "Search", dependencies: ["LossLanguage", "Verification"], swiftSettings: kernelFlags),
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
            name: "autoloss-screen-bench", dependencies: ["LossLanguage", "Verification", "Search"],
            path: "bench/Sources/autoloss-screen-bench", swiftSettings: kernelFlags),
        .testTarget(name: "LossLanguageTests", dependencies: ["LossLanguage", "_TestSupport"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "LossLanguage", "_TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Verification", "LossLanguage", "_TestSupport"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "_TestSupport"]),
        .testTarget(name: "autolossTests", dependencies: ["autoloss", "LossLanguage"]),
    ],
    swiftLanguageModes: [.v5]
)
