import ChainCodec
import Foundation
import XCTest

/// Runs bittensor 11.3 itself (tools/extrinsic_vectors.py in the venv tools/setup_extrinsic_python.sh makes) and
/// checks that it still prints exactly the committed vectors, and that our builder matches what it printed.
/// Skipped, saying why, only when pip cannot install bittensor==11.3.0.
final class LiveBittensorTests: XCTestCase {
    /// Runs a program with output to files (no pipe to fill up); returns its status, stdout and stderr.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-extrinsic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.root
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: out), String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    func testBittensorComposesWhatWeCompose() throws {
        let setup = try Self.run("/bin/bash", [Fixtures.root.appendingPathComponent("tools/setup_extrinsic_python.sh").path])
        guard setup.status == 0 else {
            throw XCTSkip("pip could not install bittensor==11.3.0 into .venv-extrinsic (tools/setup_extrinsic_python.sh exit \(setup.status)): \(setup.stderr.suffix(500))")
        }
        let python = String(decoding: setup.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let live = try Self.run(python, [Fixtures.root.appendingPathComponent("tools/extrinsic_vectors.py").path, Fixtures.directory.path])
        XCTAssertEqual(live.status, 0, live.stderr)
        let vectors = try JSONDecoder().decode(JSONValue.self, from: live.stdout)
        XCTAssertEqual(vectors, Fixtures.vectors, "bittensor's output differs from Fixtures/extrinsic-vectors.json: regenerate it with tools/extrinsic_vectors.py")
        try ExtrinsicTests.check(vectors: vectors)
    }
}
