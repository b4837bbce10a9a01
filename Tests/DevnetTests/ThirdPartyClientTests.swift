import ChainCodec
import Devnet
import Foundation
import PoWCore
import Subtensor
import XCTest

/// Drives the devnet with a client that is not ours: Python's `websockets` (installed by tools/setup_python.sh
/// into the ignored .venv-tools/), so the wire format is checked against a real third-party implementation.
final class ThirdPartyClientTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let (ended, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        // Read while it runs so a full pipe cannot block it, on threads of its own: blocking reads on the
        // (2-thread) cooperative pool would starve the devnet it talks to.
        async let stdout = readToEnd(out.fileHandleForReading)
        async let stderr = readToEnd(err.fileHandleForReading)
        var status: Int32 = -1
        for await s in ended { status = s }
        return Run(status: status, stdout: String(decoding: await stdout, as: UTF8.self),
                   stderr: String(decoding: await stderr, as: UTF8.self))
    }

    static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    func testPythonWebsocketsClientSeesANodesWireFormat() async throws {
        let setup = try await Self.run("/bin/bash", [Self.root.appendingPathComponent("tools/setup_python.sh").path])
        guard setup.status == 0 else {
            throw XCTSkip("pip could not install websockets into .venv-tools (tools/setup_python.sh exit \(setup.status)): \(setup.stderr.suffix(500))")
        }
        let python = setup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let (server, port) = try await startDevnet(blockTime: .milliseconds(100), subnets: [1], difficulty: 4_242_424)
        let key = Hex.encode(StorageItem.difficulty.key(netuid: 1))
        let expected = Hex.encode(UInt64(4_242_424).scaleEncoded)
        let run = try await Self.run(python, [Self.root.appendingPathComponent("tools/devnet_ws_client.py").path,
                                              String(port), key, expected])
        await server.stop()
        XCTAssertEqual(run.status, 0, "python client: \(run.stderr)")
        let seen = try parseJSON(run.stdout.utf8)
        XCTAssertEqual(seen["storage"], .string(expected))
        XCTAssertEqual(seen["error"]?["code"], -32601)
        guard case .array(let heads)? = seen["heads"], heads.count == 2 else { return XCTFail("heads: \(run.stdout)") }
    }
}
