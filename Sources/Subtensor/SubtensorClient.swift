import ChainCodec
import Logging
import PoWCore

/// A block with the values a solver needs (bittensor's Python `_get_block_with_retry`).
public struct BlockInfo: Sendable, Hashable, CustomStringConvertible {
    public let number: UInt64
    public let difficulty: UInt64
    public let hash: Bytes32
    public init(number: UInt64, difficulty: UInt64, hash: Bytes32) {
        self.number = number; self.difficulty = difficulty; self.hash = hash
    }
    public var description: String { "block \(number) \(hash.hex) difficulty \(difficulty)" }
}

/// A new best block: number and hash.
public struct NewHead: Sendable, Hashable, CustomStringConvertible {
    public let number: UInt64
    public let hash: Bytes32
    public init(number: UInt64, hash: Bytes32) { self.number = number; self.hash = hash }
    public var description: String { "block \(number) \(hash.hex)" }
}

/// The Subtensor queries of registration proof-of-work, over an `RPCClient`.
public final class SubtensorClient: Sendable {
    public let rpc: RPCClient
    let logger: Logger
    /// `blockWithRetry`: attempts and the pause between them (bittensor's Python reference: 3, 1 s).
    public let retryAttempts: Int
    public let retryDelay: Duration

    public init(rpc: RPCClient, logger: Logger, retryAttempts: Int = 3, retryDelay: Duration = .seconds(1)) {
        self.rpc = rpc
        self.logger = logger
        self.retryAttempts = max(1, retryAttempts)
        self.retryDelay = retryDelay
    }

    /// Connects (lazily) to a network name (`finney`, `test`, `archive`, `local`) or a ws:// / wss:// URL.
    public convenience init(network: String, configuration: RPCConfiguration = RPCConfiguration(),
                            logger: Logger) throws(EndpointError) {
        let endpoint = try SubtensorEndpoint(network)
        self.init(rpc: RPCClient(endpoint: endpoint, configuration: configuration, logger: logger), logger: logger)
    }

    public var endpoint: SubtensorEndpoint { rpc.endpoint }

    public func close() async { await rpc.close() }

    // MARK: Blocks

    /// The best block's number (`chain_getHeader`).
    public func currentBlock() async throws(ChainError) -> UInt64 {
        let header = try await call("chain_getHeader")
        return try Self.headerNumber(header, method: "chain_getHeader")
    }

    /// The hash of block `number` (`chain_getBlockHash`); `noBlockHash` when the node has none.
    public func blockHash(_ number: UInt64) async throws(ChainError) -> Bytes32 {
        let value = try await call("chain_getBlockHash", [.int(Int64(clamping: number))])
        if value.isNull { throw .noBlockHash(number) }
        return try Self.hash(value, method: "chain_getBlockHash")
    }

    /// The finalized head's hash.
    public func finalizedHead() async throws(ChainError) -> Bytes32 {
        try Self.hash(try await call("chain_getFinalizedHead"), method: "chain_getFinalizedHead")
    }

    /// bittensor's Python `_get_block_with_retry`: block number, difficulty and block hash, up to `retryAttempts` tries
    /// `retryDelay` apart. The difficulty is read at that block's hash, so the three belong together.
    public func blockWithRetry(netuid: UInt16) async throws(ChainError) -> BlockInfo {
        var last: ChainError?
        for attempt in 1 ... retryAttempts {
            do {
                let number = try await currentBlock()
                let hash = try await blockHash(number)
                let difficulty = try await difficulty(netuid: netuid, at: hash)
                return BlockInfo(number: number, difficulty: difficulty, hash: hash)
            } catch {
                last = error
                if case .rpc(.clientClosed) = error { throw error }
                if case .rpc(.cancelled) = error { throw error }
                logger.warning("reading the block failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if attempt < retryAttempts {
                    do { try await Task.sleep(for: retryDelay) } catch { throw .rpc(.cancelled(method: "blockWithRetry")) }
                }
            }
        }
        throw .retriesExhausted(attempts: retryAttempts, last: last.map { "\($0)" } ?? "unknown error")
    }

    /// New best blocks as they come (`chain_subscribeNewHeads`; each hash from `chain_getBlockHash(number)`).
    /// The subscription is renewed after reconnects; the stream ends when the iteration stops or the client closes.
    public func newHeads() -> AsyncThrowingStream<NewHead, any Error> {
        let (stream, continuation) = AsyncThrowingStream<NewHead, any Error>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let task = Task { [rpc, logger] in
            var last: NewHead?
            var backoff = rpc.configuration.initialBackoff
            while !Task.isCancelled {
                let headers: AsyncThrowingStream<JSONValue, any Error>
                do throws(RPCError) {
                    headers = try await rpc.subscribe("chain_subscribeNewHeads", unsubscribe: "chain_unsubscribeNewHeads")
                } catch {
                    if case .clientClosed = error { continuation.finish(throwing: ChainError.rpc(error)); return }
                    if case .cancelled = error { break }
                    if case .node = error { continuation.finish(throwing: ChainError.rpc(error)); return }
                    logger.warning("subscribing to new heads failed; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, rpc.configuration.maxBackoff)
                    continue
                }
                backoff = rpc.configuration.initialBackoff
                do {
                    for try await header in headers {
                        let number: UInt64
                        do { number = try Self.headerNumber(header, method: "chain_newHead") } catch {
                            logger.warning("ignoring a malformed header", metadata: ["error": "\(error)"])
                            continue
                        }
                        let hash: Bytes32
                        do { hash = try await self.blockHash(number) } catch {
                            // Cancellation is the stream's owner leaving, not a problem worth a warning.
                            if Task.isCancelled || self.rpc.isClosed { break }
                            logger.warning("no hash for a new head", metadata: ["number": "\(number)", "error": "\(error)"])
                            continue
                        }
                        let head = NewHead(number: number, hash: hash)
                        if head != last {
                            last = head
                            continuation.yield(head)
                        }
                    }
                } catch {
                    logger.warning("new-heads subscription ended; renewing", metadata: ["error": "\(error)"])
                    if case ChainError.rpc(.clientClosed) = error { continuation.finish(throwing: error); return }
                    if case RPCError.clientClosed = error { continuation.finish(throwing: ChainError.rpc(.clientClosed(method: "chain_subscribeNewHeads"))); return }
                }
                if Task.isCancelled { break }
                if rpc.isClosed {
                    continuation.finish(throwing: ChainError.rpc(.clientClosed(method: "chain_subscribeNewHeads")))
                    return
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: Storage

    /// `state_getStorage(key, at?)`: the raw SCALE bytes, nil when nothing is stored.
    public func storage(_ key: [UInt8], at block: Bytes32? = nil) async throws(ChainError) -> [UInt8]? {
        var params: [JSONValue] = [.string(Hex.encode(key))]
        if let block { params.append(.string(block.hex)) }
        let value = try await call("state_getStorage", params)
        if value.isNull { return nil }
        guard let text = value.stringValue else {
            throw .rpc(.malformedReply(method: "state_getStorage", reason: "result is \(value.jsonText.prefix(60)), not a hex string"))
        }
        do { return try Hex.decode(text) } catch {
            throw .rpc(.malformedReply(method: "state_getStorage", reason: "result is not hex: \(error)"))
        }
    }

    /// Reads `item` with `arguments` and decodes it (the item's default when nothing is stored).
    public func value(_ item: StorageItem, _ arguments: [StorageKeyArgument], at block: Bytes32? = nil) async throws(ChainError) -> StorageValue? {
        let key: [UInt8]
        do { key = try item.key(arguments) } catch { throw .storage(error) }
        let bytes = try await storage(key, at: block)
        do { return try item.decode(bytes) } catch { throw .storage(error) }
    }

    /// `Difficulty(netuid)`.
    public func difficulty(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> UInt64 {
        try await u64(.difficulty, [.netuid(netuid)], at: block) ?? 0
    }

    /// `NetworksAdded(netuid)`: whether the subnet exists.
    public func subnetExists(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> Bool {
        try await value(.networksAdded, [.netuid(netuid)], at: block)?.bool ?? false
    }

    /// `Uids(netuid, hotkey)`: the hotkey's UID on the subnet, nil when it is not registered.
    public func uid(netuid: UInt16, hotkey: Bytes32, at block: Bytes32? = nil) async throws(ChainError) -> UInt16? {
        try await value(.uids, [.netuid(netuid), .account(hotkey)], at: block).map { UInt16(truncatingIfNeeded: $0.uint64) }
    }

    /// Whether the hotkey is registered on the subnet (bittensor's Python `is_hotkey_registered`).
    public func isHotkeyRegistered(netuid: UInt16, hotkey: Bytes32, at block: Bytes32? = nil) async throws(ChainError) -> Bool {
        try await uid(netuid: netuid, hotkey: hotkey, at: block) != nil
    }

    /// `MinDifficulty(netuid)`.
    public func minDifficulty(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> UInt64 {
        try await u64(.minDifficulty, [.netuid(netuid)], at: block) ?? 0
    }

    /// `MaxDifficulty(netuid)`.
    public func maxDifficulty(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> UInt64 {
        try await u64(.maxDifficulty, [.netuid(netuid)], at: block) ?? UInt64.max
    }

    /// `NetworkPowRegistrationAllowed(netuid)`.
    public func powRegistrationAllowed(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> Bool {
        try await value(.networkPoWRegistrationAllowed, [.netuid(netuid)], at: block)?.bool ?? false
    }

    /// `RegistrationsThisBlock(netuid)`.
    public func registrationsThisBlock(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> UInt16 {
        UInt16(truncatingIfNeeded: try await u64(.registrationsThisBlock, [.netuid(netuid)], at: block) ?? 0)
    }

    /// `MaxRegistrationsPerBlock(netuid)`.
    public func maxRegistrationsPerBlock(netuid: UInt16, at block: Bytes32? = nil) async throws(ChainError) -> UInt16 {
        UInt16(truncatingIfNeeded: try await u64(.maxRegistrationsPerBlock, [.netuid(netuid)], at: block) ?? 0)
    }

    /// `LastPowRegistrationBlock(hotkey)`: nil when the hotkey never registered by PoW (v1).
    public func lastPoWRegistrationBlock(hotkey: Bytes32, at block: Bytes32? = nil) async throws(ChainError) -> UInt64? {
        try await u64(.lastPoWRegistrationBlock, [.account(hotkey)], at: block)
    }

    private func u64(_ item: StorageItem, _ arguments: [StorageKeyArgument], at block: Bytes32?) async throws(ChainError) -> UInt64? {
        try await value(item, arguments, at: block)?.uint64
    }

    // MARK: Helpers

    private func call(_ method: String, _ params: [JSONValue] = []) async throws(ChainError) -> JSONValue {
        do { return try await rpc.request(method, params) } catch { throw .rpc(error) }
    }

    /// A header's `number`: a hex string as Substrate sends it (a plain integer is accepted too).
    static func headerNumber(_ header: JSONValue, method: String) throws(ChainError) -> UInt64 {
        guard let number = header["number"] else {
            throw .rpc(.malformedReply(method: method, reason: "header has no number"))
        }
        if let i = number.intValue, i >= 0 { return UInt64(i) }
        guard let text = number.stringValue, let value = parseHexNumber(text) else {
            throw .rpc(.malformedReply(method: method, reason: "header number \(number.jsonText.prefix(40)) is not a hex number"))
        }
        return value
    }

    /// `0x…` (1 to 16 hex digits) as a number.
    static func parseHexNumber(_ text: String) -> UInt64? {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        return UInt64(digits, radix: 16)
    }

    static func hash(_ value: JSONValue, method: String) throws(ChainError) -> Bytes32 {
        guard let text = value.stringValue else {
            throw .rpc(.malformedReply(method: method, reason: "result is \(value.jsonText.prefix(60)), not a block hash"))
        }
        do { return try Bytes32(hex: text) } catch {
            throw .rpc(.malformedReply(method: method, reason: "block hash: \(error)"))
        }
    }
}
