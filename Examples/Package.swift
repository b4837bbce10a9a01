// swift-tools-version:6.1
// An example of using btpow as a library from another package, through its public API only.
// Run it from this folder: swift run  (CI runs it too).
import PackageDescription

let package = Package(
    name: "btpow-examples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "btpow", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(name: "SolveAndRegister", dependencies: [
            .product(name: "PoWCore", package: "btpow"),
            .product(name: "ChainCodec", package: "btpow"),
            .product(name: "PoWSolver", package: "btpow"),
            .product(name: "Subtensor", package: "btpow"),
            .product(name: "Registration", package: "btpow"),
            .product(name: "Devnet", package: "btpow"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
