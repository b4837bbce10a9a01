// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "btpow",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PoWCore", targets: ["PoWCore"]),
        .library(name: "PoWSolver", targets: ["PoWSolver"]),
        .library(name: "Subtensor", targets: ["Subtensor"]),
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
        // Kernels, the multi-threaded engine, statistics.
        .target(name: "PoWSolver", dependencies: [
            "PoWCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // create_pow: the solve that follows a chain (over the RegistrationChain protocol).
        .target(name: "Registration", dependencies: [
            "PoWCore", "PoWSolver",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Chain access: xxHash/Blake2b/SCALE/SS58 codecs, storage keys, wallet files, JSON-RPC client.
        .target(name: "Subtensor", dependencies: ["PoWCore"]),
        // GPU workers: CUDA (driver API + NVRTC) and OpenCL, both loaded at run time; the kernel source
        // is Sources/GPUKernels/seal_kernel.h, carried as a generated Swift string.
        .target(name: "GPUSolver", dependencies: ["PoWCore", "PoWSolver"]),
        .executableTarget(name: "btpow", dependencies: [
            "PoWCore", "PoWSolver", "Subtensor", "Registration", "GPUSolver",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The shared reference vectors (shared/vectors/registration-pow.json), decoded once for every test target.
        .target(name: "TestVectors", dependencies: ["PoWCore"], path: "Tests/TestVectors", resources: [.copy("Fixtures")]),
        .testTarget(name: "PoWCoreTests", dependencies: [
            "PoWCore", "TestVectors", .product(name: "BigInt", package: "BigInt"),
        ]),
        // Test-only: the GPU kernel source compiled by the host C compiler.
        .target(name: "SealKernelHost", path: "Tests/SealKernelHost"),
        // Test-only: a stand-in CUDA driver and NVRTC whose "device" runs the host-compiled kernel.
        .target(name: "FakeCUDA", path: "Tests/FakeCUDA"),
        .testTarget(name: "GPUSolverTests", dependencies: [
            "GPUSolver", "SealKernelHost", "FakeCUDA", "PoWCore", "PoWSolver", "TestVectors",
        ]),
        .testTarget(name: "PoWSolverTests", dependencies: ["PoWCore", "PoWSolver", "TestVectors"]),
        // Runs the built executable as a process.
        .testTarget(name: "BtpowCLITests", dependencies: ["btpow", "PoWCore", "TestVectors"]),
        .testTarget(name: "SubtensorTests", dependencies: ["PoWCore", "Subtensor", "TestVectors"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v5]
)
