// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "btpow",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PoWCore", targets: ["PoWCore"]),
        .library(name: "PoWSolver", targets: ["PoWSolver"]),
        .library(name: "GPUSolver", targets: ["GPUSolver"]),
        .library(name: "ChainCodec", targets: ["ChainCodec"]),
        .library(name: "ChainMetadata", targets: ["ChainMetadata"]),
        .library(name: "Extrinsics", targets: ["Extrinsics"]),
        .library(name: "Wallet", targets: ["Wallet"]),
        .library(name: "Subtensor", targets: ["Subtensor"]),
        .library(name: "Registration", targets: ["Registration"]),
        .library(name: "Devnet", targets: ["Devnet"]),
        .library(name: "Keys", targets: ["Keys"]),
        .executable(name: "btpow", targets: ["btpow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        // Devnet: WebSocket and HTTP POST JSON-RPC on one port. Default traits off (no swift-configuration).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // create_pow: the solve that follows a chain (over the RegistrationChain protocol); registering its
        // solution (pow_register, faucet) as a signed extrinsic through any ExtrinsicSigner.
        .target(name: "Registration", dependencies: [
            "PoWCore", "PoWSolver", "ChainCodec", "ChainMetadata", "Extrinsics", "Subtensor",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Chain data without a network: SCALE, SS58, xxHash/twox, Blake2b, storage keys and values, JSON values.
        .target(name: "ChainCodec", dependencies: ["PoWCore"]),
        // Runtime metadata (V14, V15) without a network: the type registry, pallets, calls, storage, errors, extensions.
        .target(name: "ChainMetadata", dependencies: ["ChainCodec", "PoWCore"],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // Signed v4 extrinsics built from metadata: call arguments by their types, signed extensions, mortal eras.
        .target(name: "Extrinsics", dependencies: ["ChainMetadata", "ChainCodec", "PoWCore"],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // btcli wallets on disk: public key files, and the secret keyfiles unlocked through Keys.
        .target(name: "Wallet", dependencies: ["PoWCore", "ChainCodec", "Keys"]),
        // Shared libraries opened at run time (GPU drivers and compilers), so nothing optional is linked.
        .target(name: "LibraryLoading"),
        // Chain access: the JSON-RPC client (WebSocket, TLS), the Subtensor queries over it, submitting and watching
        // extrinsics and reading their outcome from the block's events.
        .target(name: "Subtensor", dependencies: [
            "PoWCore", "ChainCodec", "ChainMetadata", "Extrinsics",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "WSClient", package: "swift-websocket"),
        ]),
        // sr25519 signing (schnorrkel-compatible), Merlin/STROBE on PoWCore's Keccak-f, btcli keyfiles from
        // their bytes. libsodium is opened at run time; no networking, no file I/O.
        .target(name: "Keys", dependencies: ["PoWCore", "LibraryLoading"]),
        // Prebuilt cubins of the GPU kernel source (tools/gen_cuda_images.py), for machines with a driver and no NVRTC.
        .target(name: "CCUDAImages", exclude: ["images"]),
        // GPU workers: CUDA (driver API + NVRTC) and OpenCL, both loaded at run time; the kernel source
        // is Sources/GPUKernels/seal_kernel.h, carried as a generated Swift string.
        .target(name: "GPUSolver", dependencies: ["PoWCore", "PoWSolver", "CCUDAImages", "LibraryLoading"]),
        .executableTarget(name: "btpow", dependencies: [
            "PoWCore", "PoWSolver", "ChainCodec", "Wallet", "Keys", "Subtensor", "Registration", "Devnet", "GPUSolver",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A local chain speaking the node's JSON-RPC (WebSocket and HTTP POST) for everything btpow uses.
        .target(name: "Devnet", dependencies: [
            "PoWCore", "ChainCodec", "ChainMetadata", "Extrinsics", "Keys",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What tests share: the test vectors (Fixtures/registration-pow.json, decoded once), a local chain and a client
        // for it, waits, a locked box, the Python sr25519/wallet implementations the key tests compare with.
        .target(name: "TestSupport", dependencies: [
            "PoWCore", "Devnet", "Subtensor",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport", resources: [.copy("Fixtures")]),
        .testTarget(name: "PoWCoreTests", dependencies: [
            "PoWCore", "TestSupport", .product(name: "BigInt", package: "BigInt"),
        ]),
        // Test-only: the GPU kernel source compiled by the host C compiler.
        .target(name: "SealKernelHost", path: "Tests/SealKernelHost"),
        // Test-only: a stand-in CUDA driver and NVRTC whose "device" runs the host-compiled kernel.
        .target(name: "FakeCUDA", path: "Tests/FakeCUDA"),
        .testTarget(name: "GPUSolverTests", dependencies: [
            "GPUSolver", "CCUDAImages", "SealKernelHost", "FakeCUDA", "PoWCore", "PoWSolver", "TestSupport", "LibraryLoading",
        ]),
        .testTarget(name: "KeysTests", dependencies: ["Keys", "PoWCore", "LibraryLoading", "TestSupport"]),
        .testTarget(name: "PoWSolverTests", dependencies: ["PoWCore", "PoWSolver", "TestSupport"]),
        // Runs the built executable as a process.
        .testTarget(name: "BtpowCLITests", dependencies: ["btpow", "PoWCore", "PoWSolver", "TestSupport"]),
        .testTarget(name: "ChainCodecTests", dependencies: [
            "PoWCore", "ChainCodec", "TestSupport",
        ], resources: [.copy("Fixtures")]),
        // Real spec-343 metadata blobs, hostile blobs, and extrinsics checked against bittensor 11.3's composer.
        .testTarget(name: "ChainMetadataTests", dependencies: ["ChainMetadata", "Extrinsics", "ChainCodec", "PoWCore", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "WalletTests", dependencies: ["PoWCore", "ChainCodec", "Wallet", "Keys"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SubtensorTests", dependencies: [
            "PoWCore", "ChainCodec", "ChainMetadata", "Extrinsics", "Subtensor", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ],
                    resources: [.copy("Fixtures")]),
        // create_pow, and registering by signed extrinsics, over real sockets against the devnet.
        .testTarget(name: "RegistrationTests", dependencies: [
            "Registration", "Devnet", "ChainCodec", "Subtensor", "PoWCore", "PoWSolver", "TestSupport", "Keys", "Extrinsics",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DevnetTests", dependencies: [
            "Devnet", "PoWCore", "ChainCodec", "ChainMetadata", "Extrinsics", "Keys", "Subtensor", "TestSupport",
            .product(name: "WSClient", package: "swift-websocket"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
