// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "btpow",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PoWCore", targets: ["PoWCore"]),
        .library(name: "PoWSolver", targets: ["PoWSolver"]),
        .executable(name: "btpow", targets: ["btpow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
    ],
    targets: [
        // Pure: hashes, challenges, difficulty rules, solutions. No I/O, no dependencies.
        .target(name: "PoWCore"),
        // Vectorized seal kernels in C; every ISA level in one build, picked at run time (docs/kernels.md).
        // No unsafeFlags: per-function target attributes instead, so the package stays usable as a dependency.
        .target(name: "CSealKernels"),
        // Kernels, the multi-threaded engine, statistics.
        .target(name: "PoWSolver", dependencies: [
            "PoWCore", "CSealKernels",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "btpow", dependencies: [
            "PoWCore", "PoWSolver",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The shared reference vectors (shared/vectors/registration-pow.json), decoded once for every test target.
        .target(name: "TestVectors", dependencies: ["PoWCore"], path: "Tests/TestVectors", resources: [.copy("Fixtures")]),
        .testTarget(name: "PoWCoreTests", dependencies: [
            "PoWCore", "TestVectors", .product(name: "BigInt", package: "BigInt"),
        ]),
        .testTarget(name: "PoWSolverTests", dependencies: ["PoWCore", "PoWSolver", "TestVectors"]),
    ],
    swiftLanguageModes: [.v5]
)
