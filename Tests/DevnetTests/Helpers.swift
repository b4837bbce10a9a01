import ChainCodec
import Devnet
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import PoWCore
import Subtensor
import WSClient
import Testing
import TestSupport

enum TestError: Error, CustomStringConvertible {
    case closed
    case http(Int)

    var description: String {
        switch self {
        case .closed: return "the connection closed"
        case .http(let status): return "HTTP status \(status)"
        }
    }
}

/// A devnet on a free loopback port; manual blocks unless a block time is given (TestSupport's local chain).
func startDevnet(blockTime: Duration = .zero, subnets: [UInt16] = [1], difficulty: UInt64 = 10,
                 legacyRule: DifficultyRule = .chainLittleEndian, faucetDifficulty: UInt64 = 10,
                 maxRequestSize: Int = 10 << 20, port: Int = 0) async throws -> (DevnetServer, Int) {
    try await startLocalChain(blockTime: blockTime, subnets: subnets, difficulty: difficulty, legacyRule: legacyRule,
                              faucetDifficulty: faucetDifficulty, maxRequestSize: maxRequestSize, port: port)
}

struct NotJSON: Error {}

/// Parses one JSON text, throwing where `JSONValue.parse` answers nil.
func parseJSON(_ bytes: some Collection<UInt8>) throws -> JSONValue {
    guard let value = JSONValue.parse(bytes) else { throw NotJSON() }
    return value
}

/// One JSON-RPC POST; returns the parsed body.
func httpPost(port: Int, body: String) async throws -> (status: Int, json: JSONValue?) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(body.utf8)
    request.timeoutInterval = 10
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    if data.isEmpty { return (status, nil) }
    return (status, try parseJSON(data))
}

func rpcBody(_ method: String, _ params: JSONValue = [], id: JSONValue = 1) -> String {
    JSONValue.object(["jsonrpc": "2.0", "id": id, "method": .string(method), "params": params]).jsonText
}

/// Calls over HTTP and returns `result`, failing the test on an error reply.
func httpCall(port: Int, _ method: String, _ params: JSONValue = [], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
    let (_, json) = try await httpPost(port: port, body: rpcBody(method, params))
    guard let json, let result = json["result"] else {
        Issue.record("\(method): no result in \(String(describing: json?.jsonText))", sourceLocation: sourceLocation)
        return .null
    }
    return result
}

/// Received messages, in order, for tests to wait on.
actor Inbox {
    private var messages: [JSONValue] = []
    private(set) var isClosed = false

    func push(_ message: JSONValue) { messages.append(message) }
    func close() { isClosed = true }

    /// The first buffered message matching `predicate` (removed), waiting up to `timeout`.
    func take(timeout: Duration, _ what: String, where predicate: @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let index = messages.firstIndex(where: predicate) { return messages.remove(at: index) }
            if isClosed { throw TestError.closed }
            if ContinuousClock.now >= deadline { throw TimedOut(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    var count: Int { messages.count }
}

/// A WebSocket JSON-RPC client for tests, on swift-websocket's WSClient.
final class WSTestClient: Sendable {
    let messages: Inbox
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    private init(messages: Inbox, outgoing: AsyncStream<String>.Continuation, task: Task<Void, Never>) {
        self.messages = messages
        self.outgoing = outgoing
        self.task = task
    }

    static func connect(port: Int, timeout: Duration = .seconds(5)) async throws -> WSTestClient {
        let (outStream, outContinuation) = AsyncStream<String>.makeStream()
        let (opened, openedContinuation) = AsyncStream<Result<Void, any Error>>.makeStream()
        let inbox = Inbox()
        let task = Task {
            do {
                // Frames as large as a node sends (metadata is tens of KiB; the library's default is 16 KiB).
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/",
                                                  configuration: WebSocketClientConfiguration(maxFrameSize: 16 << 20),
                                                  logger: testLogger("ws-test-client")) {
                    inbound, outbound, _ in
                    openedContinuation.yield(.success(()))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in outStream { try await outbound.write(.text(text)) }
                            try await outbound.close(.normalClosure, reason: nil)
                        }
                        for try await message in inbound.messages(maxSize: 16 << 20) {
                            if case .text(let text) = message, let json = JSONValue.parse(text) { await inbox.push(json) }
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                openedContinuation.yield(.failure(error))
            }
            await inbox.close()
            openedContinuation.finish()
        }
        let client = WSTestClient(messages: inbox, outgoing: outContinuation, task: task)
        let waiter = Task {
            for await result in opened { return result }
            return .failure(TestError.closed)
        }
        let timer = Task { try? await Task.sleep(for: timeout); waiter.cancel() }
        let result = await waiter.value
        timer.cancel()
        try result.get()
        return client
    }

    func send(_ text: String) { outgoing.yield(text) }

    func send(_ value: JSONValue) { send(value.jsonText) }

    /// Sends a call and waits for the reply with that id (notifications stay buffered).
    func call(_ method: String, _ params: JSONValue = [], id: JSONValue = 1, timeout: Duration = .seconds(5)) async throws -> JSONValue {
        send(rpcBody(method, params, id: id))
        return try await messages.take(timeout: timeout, "reply to \(method)") { $0["id"] == id && $0["method"] == nil }
    }

    /// The next `chain_newHead` notification.
    func nextHead(timeout: Duration = .seconds(5)) async throws -> JSONValue {
        try await messages.take(timeout: timeout, "chain_newHead") { $0["method"] == .string("chain_newHead") }
    }

    func close() async {
        outgoing.finish()
        await task.value
    }
}
