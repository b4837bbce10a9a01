import Foundation

/// The independent sr25519 and wallet implementations the key tests check btpow against: py-sr25519-bindings
/// (schnorrkel) and bittensor-wallet 4.1.1, in the ignored venv tools/setup_keys_python.sh creates;
/// tools/keys_oracle.py runs a batch of operations per call.
public enum KeysOracle {
    /// The package's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// pip could not install the venv (no network, no python3-venv): tests skip, printing `reason`.
    public struct Unavailable: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    private static let pythonPath: Result<String, any Error> = Result {
        let setup = try ProcessRunner.run("/bin/bash", [root.appendingPathComponent("tools/setup_keys_python.sh").path])
        guard setup.status == 0 else {
            throw Unavailable(reason: "pip could not install py-sr25519-bindings and bittensor-wallet==4.1.1 into .venv-keys "
                + "(tools/setup_keys_python.sh exit \(setup.status)): \(setup.stderr.suffix(400))")
        }
        return String(decoding: setup.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The venv's python (created on first use); `Unavailable` when pip cannot install it.
    public static func python() throws -> String { try pythonPath.get() }

    /// Runs `ops` through tools/keys_oracle.py and returns one result object per operation.
    public static func batch(_ ops: [[String: Any]]) throws -> [[String: Any]] {
        let python = try python()
        let input = try JSONSerialization.data(withJSONObject: ops)
        let result = try ProcessRunner.run(python, [root.appendingPathComponent("tools/keys_oracle.py").path], stdin: input)
        guard result.status == 0 else { throw Failed(description: "keys_oracle.py exit \(result.status): \(result.stderr.suffix(1500))") }
        guard let list = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]], list.count == ops.count else {
            throw Failed(description: "keys_oracle.py printed no result list")
        }
        return list
    }
}
