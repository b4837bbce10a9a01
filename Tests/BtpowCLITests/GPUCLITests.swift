import Foundation
import XCTest
import TestSupport

/// `btpow devices` and the GPU flags of `solve`/`bench`, as a user runs them. OpenCL runs need a
/// platform (PoCL in CI) and are skipped, saying why, without one.
final class GPUCLITests: XCTestCase {
    let key = "0x" + String(repeating: "ab", count: 32)

    func devices() throws -> [String: Any] {
        let r = try CLI.run(["devices", "--json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        return try r.json()
    }

    func openCLOrSkip() throws {
        let opencl = try devices()["opencl"] as? [String: Any]
        if opencl?["available"] as? Bool != true {
            throw XCTSkip("no OpenCL device: \(opencl?["reason"] as? String ?? "?")")
        }
    }

    func testDevicesListsBothBackendsOrSaysWhy() throws {
        let report = try devices()
        for backend in ["cuda", "opencl"] {
            let b = try XCTUnwrap(report[backend] as? [String: Any], backend)
            if b["available"] as? Bool == true {
                XCTAssertFalse((b["devices"] as? [Any] ?? []).isEmpty, backend)
            } else {
                XCTAssertTrue((b["reason"] as? String ?? "").contains("install") || (b["reason"] as? String ?? "").contains("device"),
                              "\(backend): \(b)")
            }
        }
        let text = try CLI.run(["devices"])
        XCTAssertEqual(text.code, 0)
        XCTAssertTrue(text.stdout.contains("CUDA"), text.stdout)
        XCTAssertTrue(text.stdout.contains("OpenCL"), text.stdout)
    }

    func testGPUFlagsAreValidated() throws {
        let base = ["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "5"]
        let cases: [([String], String)] = [
            (base + ["--cuda", "--opencl"], "one of --cuda and --opencl"),
            (base + ["--dev-id", "1"], "--dev-id needs"),
            (base + ["--opencl", "--dev-id", "x"], "not a device index"),
            (base + ["--opencl", "--dev-id", "0,0"], "twice"),
            (base + ["--cuda", "--tpb", "0"], "--tpb"),
            (base + ["--threads", "0"], "threads"),
            (["bench", "--opencl", "--threads", "-1"], "threads"),
        ]
        for (args, mention) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(mention), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }

    /// Without a CUDA driver, --cuda fails at once with one line saying what to install.
    func testCUDAWithoutDriverSaysWhatToInstall() throws {
        let cuda = try devices()["cuda"] as? [String: Any]
        if cuda?["available"] as? Bool == true { throw XCTSkip("a CUDA driver is present") }
        let r = try CLI.run(["solve", "--block-hash", key, "--hotkey", key, "--difficulty", "5", "--cuda"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("CUDA unavailable") && r.stderr.contains("install"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    /// Range mode on the OpenCL device alone, then with CPU threads beside it: the reference's first solution.
    func testOpenCLSolveFindsTheFirstSolutionInRange() throws {
        try openCLOrSkip()
        let f = Vectors.shared.legacy.first_solution_in_range[5]
        for extra in [["--threads", "0"], ["--threads", "1"], ["--dev-id", "0", "--tpb", "64", "--update-interval", "10"]] {
            let r = try CLI.run(["solve", "--block-hash", f.block_hash, "--hotkey", f.hotkey_public_key, "--difficulty", "\(f.difficulty)",
                                 "--nonce-start", "\(f.nonce_start)", "--nonce-end", "\(f.nonce_end)", "--json", "--quiet", "--opencl",
                                 "--update-interval", "100"] + extra)
            XCTAssertEqual(r.code, 0, r.stderr)
            let json = try r.json()
            XCTAssertEqual((json["nonce"] as? NSNumber)?.uint64Value, f.first_nonce, "\(extra)")
            XCTAssertEqual(json["seal"] as? String, f.seal)
        }
    }

    func testOpenCLBenchReportsEachDevice() throws {
        try openCLOrSkip()
        let r = try CLI.run(["bench", "--opencl", "--seconds", "0.5", "--update-interval", "100", "--threads", "1", "--json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json()
        let workers = try XCTUnwrap(json["workers"] as? [[String: Any]])
        XCTAssertEqual(workers.count, 2, "the device and one CPU thread")
        XCTAssertEqual(workers.first?["worker"] as? String, "opencl:0")
        XCTAssertTrue((workers.last?["worker"] as? String ?? "").hasPrefix("cpu:"))
        XCTAssertGreaterThan(workers[0]["hashes_per_second"] as? Double ?? 0, 0)
        XCTAssertEqual(json["backend"] as? String, "OpenCL")
    }
}
