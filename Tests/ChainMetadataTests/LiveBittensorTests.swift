import ChainCodec
import Foundation
import XCTest
import TestSupport

/// Runs bittensor 11.3 itself (tools/extrinsic_vectors.py in the venv tools/setup_extrinsic_python.sh makes) and
/// checks that it still prints exactly the committed vectors, and that our builder matches what it printed.
/// Skipped, saying why, only when pip cannot install bittensor==11.3.0.
final class LiveBittensorTests: XCTestCase {
    func testBittensorComposesWhatWeCompose() throws {
        let setup = try ProcessRunner.run("/bin/bash", [Fixtures.root.appendingPathComponent("tools/setup_extrinsic_python.sh").path],
                                          directory: Fixtures.root)
        guard setup.status == 0 else {
            throw XCTSkip("pip could not install bittensor==11.3.0 into .venv-extrinsic (tools/setup_extrinsic_python.sh exit \(setup.status)): \(setup.stderr.suffix(500))")
        }
        let python = String(decoding: setup.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let live = try ProcessRunner.run(python, [Fixtures.root.appendingPathComponent("tools/extrinsic_vectors.py").path,
                                                    Fixtures.directory.path], directory: Fixtures.root)
        XCTAssertEqual(live.status, 0, live.stderr)
        let vectors = try JSONDecoder().decode(JSONValue.self, from: live.stdout)
        XCTAssertEqual(vectors, Fixtures.vectors, "bittensor's output differs from Fixtures/extrinsic-vectors.json: regenerate it with tools/extrinsic_vectors.py")
        try ExtrinsicTests.check(vectors: vectors)
    }
}
