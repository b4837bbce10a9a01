import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// Runs the built `btpow` executable as a user would, capturing exit code and output.
struct CLIResult: Sendable {
    let code: Int32
    let stdout: String
    let stderr: String

    func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let data = Data(stdout.utf8)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            XCTFail("stdout is not a JSON object: \(stdout)", file: file, line: line)
            return [:]
        }
        return object
    }
}

enum CLI {
    static var binary: URL {
        // The test bundle sits beside the package's executables in the build folder.
        let dir = Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return dir.appendingPathComponent("btpow")
    }

    @discardableResult
    static func run(_ arguments: [String], timeout: TimeInterval = 60, environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CLIResult(code: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// `btpow devnet` as a process on 127.0.0.1: started with its flags, its port read from the address it prints, and
/// called over HTTP POST (a node serves JSON-RPC there too).
final class DevnetProcess {
    let process: Process
    let port: Int
    var network: String { "ws://127.0.0.1:\(port)" }

    init(port requested: Int = 0, difficulty: String = "2000", blockTime: String = "0.5", _ extra: [String] = []) throws {
        process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["devnet", "--port", "\(requested)", "--block-time", blockTime, "--difficulty", difficulty] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"ws://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let p = Int(text[range].split(separator: ":").last!) else {
            process.terminate()
            throw XCTSkip("devnet printed no address: \(text)")
        }
        port = p
    }

    /// Stops it with SIGINT (a clean stop) and returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.interrupt()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// One JSON-RPC call over HTTP POST: the whole reply object.
    func rpc(_ method: String, params: String) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#.utf8)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body = Data()
        URLSession.shared.dataTask(with: request) { data, _, _ in body = data ?? Data(); done.signal() }.resume()
        _ = done.wait(timeout: .now() + 10)
        return (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
    }
}
