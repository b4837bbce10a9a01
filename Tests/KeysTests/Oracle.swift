import Foundation
import XCTest

/// The independent implementations (py-sr25519-bindings, bittensor-wallet 4.1.1) in the ignored venv that
/// tools/setup_keys_python.sh creates; tools/keys_oracle.py runs a batch of operations per call.
enum Oracle {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Output { let status: Int32; let stdout: Data; let stderr: String }

    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    private static let pythonPath: Result<String, Error> = Result {
        let setup = try run("/bin/bash", [root.appendingPathComponent("tools/setup_keys_python.sh").path])
        guard setup.status == 0 else {
            throw XCTSkip("pip could not install py-sr25519-bindings and bittensor-wallet==4.1.1 into .venv-keys "
                + "(tools/setup_keys_python.sh exit \(setup.status)): \(setup.stderr.suffix(400))")
        }
        return String(decoding: setup.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The venv's python, or a skip saying why pip could not install it.
    static func python() throws -> String {
        do { return try pythonPath.get() } catch let skip as XCTSkip {
            print("KeysTests: skipping: \(skip.message ?? "python setup failed")")
            throw skip
        }
    }

    /// Runs `ops` through tools/keys_oracle.py and returns one result object per operation.
    static func batch(_ ops: [[String: Any]]) throws -> [[String: Any]] {
        let python = try python()
        let input = try JSONSerialization.data(withJSONObject: ops)
        let result = try run(python, [root.appendingPathComponent("tools/keys_oracle.py").path], stdin: input)
        guard result.status == 0 else { throw OracleError(message: "keys_oracle.py exit \(result.status): \(result.stderr.suffix(1500))") }
        guard let list = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]], list.count == ops.count else {
            throw OracleError(message: "keys_oracle.py printed no result list")
        }
        return list
    }

    struct OracleError: Error, CustomStringConvertible { let message: String; var description: String { message } }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func unhex(_ text: String) -> [UInt8] {
    let t = text.hasPrefix("0x") ? Array(text.utf8.dropFirst(2)) : Array(text.utf8)
    return stride(from: 0, to: t.count, by: 2).map { UInt8(String(decoding: t[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
}

func randomBytes(_ n: Int) -> [UInt8] {
    var g = SystemRandomNumberGenerator()
    return (0 ..< n).map { _ in UInt8.random(in: 0 ... 255, using: &g) }
}
