import ChainCodec
import ChainMetadata
import Extrinsics
import PoWCore

/// A watched extrinsic's status, as `author_extrinsicUpdate` notifications carry it (Substrate's `TransactionStatus`).
public enum TransactionStatus: Sendable, Equatable, CustomStringConvertible {
    /// In the pool, waiting for an earlier nonce.
    case future
    /// In the pool, ready to be included.
    case ready
    /// Gossiped to these peers.
    case broadcast([String])
    /// Included in this block (which may still be retracted).
    case inBlock(Bytes32)
    /// The block that included it is no longer on the best chain; it goes back to the pool and may be included again.
    case retracted(Bytes32)
    /// The block that included it was not finalized in time; the node stops watching.
    case finalityTimeout(Bytes32)
    /// Included in this finalized block.
    case finalized(Bytes32)
    /// Replaced in the pool by another extrinsic with the same tags (the same nonce), whose hash this is.
    case usurped(Bytes32)
    /// Dropped from the pool (it was full, or the extrinsic was replaced).
    case dropped
    /// Found invalid after it entered the pool.
    case invalid

    /// Whether the node sends nothing more after this status.
    public var isFinal: Bool {
        switch self {
        case .finalized, .usurped, .dropped, .invalid, .finalityTimeout: return true
        case .future, .ready, .broadcast, .inBlock, .retracted: return false
        }
    }

    /// A notification's `result`: a string (`"ready"`) or an object of one key (`{"inBlock": "0x…"}`); nil for
    /// anything else.
    public init?(_ value: JSONValue) {
        if let text = value.stringValue {
            switch text {
            case "future": self = .future
            case "ready": self = .ready
            case "dropped": self = .dropped
            case "invalid": self = .invalid
            default: return nil
            }
            return
        }
        guard let object = value.objectValue, object.count == 1, let (key, inner) = object.first else { return nil }
        if key == "broadcast" {
            guard let peers = inner.arrayValue?.compactMap(\.stringValue), peers.count == inner.arrayValue?.count else { return nil }
            self = .broadcast(peers)
            return
        }
        guard let text = inner.stringValue, let hash = try? Bytes32(hex: text) else { return nil }
        switch key {
        case "inBlock": self = .inBlock(hash)
        case "retracted": self = .retracted(hash)
        case "finalityTimeout": self = .finalityTimeout(hash)
        case "finalized": self = .finalized(hash)
        case "usurped": self = .usurped(hash)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .future: return "future"
        case .ready: return "ready"
        case .broadcast(let peers): return "broadcast to \(peers.count) peer\(peers.count == 1 ? "" : "s")"
        case .inBlock(let h): return "in block \(h.hex)"
        case .retracted(let h): return "retracted from block \(h.hex)"
        case .finalityTimeout(let h): return "finality timeout in block \(h.hex)"
        case .finalized(let h): return "finalized in block \(h.hex)"
        case .usurped(let h): return "usurped by \(h.hex)"
        case .dropped: return "dropped"
        case .invalid: return "invalid"
        }
    }
}

/// The statuses of a watched extrinsic (`SubtensorClient.submitAndWatchExtrinsic`), iterated once. Stopping early
/// (leaving the loop, cancelling the consuming task, or `cancel()`) ends the watch: the client sends
/// `author_unwatchExtrinsic`.
public struct ExtrinsicWatch: AsyncSequence, Sendable {
    public typealias Element = TransactionStatus
    /// The hash of the watched extrinsic (blake2b-256 of its bytes).
    public let extrinsic: Bytes32
    let statuses: AsyncThrowingStream<TransactionStatus, any Error>
    let reader: Task<Void, Never>

    /// Stops watching now.
    public func cancel() { reader.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: statuses.makeAsyncIterator(), reader: reader) }

    /// Ends the watch when the loop that owns it lets go of it.
    public final class Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<TransactionStatus, any Error>.AsyncIterator
        let reader: Task<Void, Never>

        init(base: AsyncThrowingStream<TransactionStatus, any Error>.AsyncIterator, reader: Task<Void, Never>) {
            self.base = base
            self.reader = reader
        }

        deinit { reader.cancel() }

        public func next() async throws -> TransactionStatus? {
            try await withTaskCancellationHandler {
                try await base.next()
            } onCancel: { [reader] in
                reader.cancel()
            }
        }
    }
}

/// `state_getRuntimeVersion`: what signing needs from it.
public struct RuntimeVersion: Sendable, Equatable {
    public let specName: String?
    public let specVersion: UInt32
    public let transactionVersion: UInt32

    public init(specName: String?, specVersion: UInt32, transactionVersion: UInt32) {
        self.specName = specName
        self.specVersion = specVersion
        self.transactionVersion = transactionVersion
    }
}

/// `chain_getBlock`: a block's number, parent and extrinsics (each the SCALE bytes a node hashes with blake2b-256).
public struct ChainBlock: Sendable, Equatable {
    public let hash: Bytes32
    public let number: UInt64
    public let parentHash: Bytes32
    public let extrinsics: [[UInt8]]

    public init(hash: Bytes32, number: UInt64, parentHash: Bytes32, extrinsics: [[UInt8]]) {
        self.hash = hash
        self.number = number
        self.parentHash = parentHash
        self.extrinsics = extrinsics
    }

    /// The position of the extrinsic with this hash in the block: the index its events' `ApplyExtrinsic` phase names.
    public func index(of extrinsic: Bytes32) -> Int? {
        extrinsics.firstIndex { blake2b256($0) == extrinsic.bytes }
    }
}

// Submitting and watching extrinsics, and what signing and reading their outcome needs.
extension SubtensorClient {
    // MARK: Runtime

    /// `state_getMetadata(at?)`, decoded.
    public func runtimeMetadata(at block: Bytes32? = nil) async throws(ChainError) -> RuntimeMetadata {
        let bytes = try await hexResult("state_getMetadata", block.map { [.string($0.hex)] } ?? [])
        do { return try RuntimeMetadata(bytes: bytes) } catch { throw .metadata(error) }
    }

    /// `state_getRuntimeVersion(at?)`.
    public func runtimeVersion(at block: Bytes32? = nil) async throws(ChainError) -> RuntimeVersion {
        let method = "state_getRuntimeVersion"
        let value = try await chainCall(method, block.map { [.string($0.hex)] } ?? [])
        guard let spec = value["specVersion"]?.uint64Value, spec <= UInt32.max,
              let tx = value["transactionVersion"]?.uint64Value, tx <= UInt32.max else {
            throw .rpc(.malformedReply(method: method, reason: "no specVersion and transactionVersion in \(value.jsonText.prefix(80))"))
        }
        return RuntimeVersion(specName: value["specName"]?.stringValue, specVersion: UInt32(spec), transactionVersion: UInt32(tx))
    }

    /// The genesis block's hash (`chain_getBlockHash(0)`), which every signed extrinsic commits to.
    public func genesisHash() async throws(ChainError) -> Bytes32 { try await blockHash(0) }

    /// `system_accountNextIndex(ss58)`: the next nonce, counting the account's extrinsics already in the pool.
    public func accountNextIndex(_ ss58: String) async throws(ChainError) -> UInt64 {
        let value = try await chainCall("system_accountNextIndex", [.string(ss58)])
        guard let nonce = value.uint64Value else {
            throw .rpc(.malformedReply(method: "system_accountNextIndex", reason: "result \(value.jsonText.prefix(60)) is not a nonce"))
        }
        return nonce
    }

    /// `chain_getBlock(hash)`: the header's number and parent, and the extrinsics.
    public func block(_ hash: Bytes32) async throws(ChainError) -> ChainBlock {
        let method = "chain_getBlock"
        let value = try await chainCall(method, [.string(hash.hex)])
        if value.isNull { throw .unknownBlock(hash) }
        guard let block = value["block"], let header = block["header"], let list = block["extrinsics"]?.arrayValue else {
            throw .rpc(.malformedReply(method: method, reason: "no block.header and block.extrinsics"))
        }
        let number = try Self.headerNumber(header, method: method)
        guard let parentText = header["parentHash"]?.stringValue, let parent = try? Bytes32(hex: parentText) else {
            throw .rpc(.malformedReply(method: method, reason: "header has no parentHash"))
        }
        var extrinsics = [[UInt8]]()
        extrinsics.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            guard let text = item.stringValue, let bytes = try? Hex.decode(text) else {
                throw .rpc(.malformedReply(method: method, reason: "extrinsic \(i) is not hex"))
            }
            extrinsics.append(bytes)
        }
        return ChainBlock(hash: hash, number: number, parentHash: parent, extrinsics: extrinsics)
    }

    // MARK: Submitting

    /// `author_submitExtrinsic`: hands the extrinsic to the node's pool and returns its hash. A refusal is
    /// `ChainError.pool` with the node's words.
    public func submitExtrinsic(_ bytes: [UInt8]) async throws(ChainError) -> Bytes32 {
        let method = "author_submitExtrinsic"
        let value: JSONValue
        do { value = try await rpc.request(method, [.string(Hex.encode(bytes))]) } catch { throw Self.submitError(error) }
        return try Self.hash(value, method: method)
    }

    public func submitExtrinsic(_ extrinsic: SignedExtrinsic) async throws(ChainError) -> Bytes32 {
        try await submitExtrinsic(extrinsic.bytes)
    }

    /// `author_submitAndWatchExtrinsic`: hands the extrinsic to the pool and streams every status the node sends
    /// (`author_extrinsicUpdate`). The stream ends after a final status (`TransactionStatus.isFinal`); ending the
    /// iteration earlier sends `author_unwatchExtrinsic`. A refusal is thrown here as `ChainError.pool`. The watch is
    /// not renewed after a lost connection (that would submit the extrinsic again): the stream then ends with
    /// `ChainError.rpc(.connectionClosed)`, and `extrinsicOutcome` can still find where it went.
    public func submitAndWatchExtrinsic(_ bytes: [UInt8]) async throws(ChainError) -> ExtrinsicWatch {
        let raw: AsyncThrowingStream<JSONValue, any Error>
        do {
            raw = try await rpc.subscribe("author_submitAndWatchExtrinsic", [.string(Hex.encode(bytes))],
                                          unsubscribe: "author_unwatchExtrinsic", renew: false)
        } catch {
            throw Self.submitError(error)
        }
        let (stream, continuation) = AsyncThrowingStream<TransactionStatus, any Error>.makeStream()
        let rpc = self.rpc
        let task = Task {
            do {
                for try await value in raw {
                    guard let status = TransactionStatus(value) else {
                        continuation.finish(throwing: ChainError.unknownStatus(value.jsonText))
                        return
                    }
                    continuation.yield(status)
                    if status.isFinal { break }
                }
                if rpc.isClosed, !Task.isCancelled {
                    continuation.finish(throwing: ChainError.rpc(.clientClosed(method: "author_submitAndWatchExtrinsic")))
                } else {
                    continuation.finish()
                }
            } catch let error as RPCError {
                continuation.finish(throwing: Self.submitError(error))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        // The consumer leaving cancels the reader, whose end unsubscribes.
        continuation.onTermination = { _ in task.cancel() }
        return ExtrinsicWatch(extrinsic: Bytes32(blake2b256(bytes))!, statuses: stream, reader: task)
    }

    public func submitAndWatchExtrinsic(_ extrinsic: SignedExtrinsic) async throws(ChainError) -> ExtrinsicWatch {
        try await submitAndWatchExtrinsic(extrinsic.bytes)
    }

    /// How far `submitAndWait` follows an extrinsic.
    public enum Inclusion: Sendable, Equatable {
        /// Until a block includes it (which may later be retracted).
        case inBlock
        /// Until a finalized block includes it.
        case finalized
    }

    /// Submits and watches the extrinsic until `until`, then reads its outcome from that block's events. A retracted
    /// block is forgotten and the watch goes on; a final status before that (`dropped`, `invalid`, `usurped`, …) is
    /// `ChainError.notIncluded`. `onStatus` sees every status.
    public func submitAndWait(_ bytes: [UInt8], metadata: RuntimeMetadata, until: Inclusion = .inBlock,
                              onStatus: @Sendable (TransactionStatus) -> Void = { _ in })
        async throws(ChainError) -> (block: Bytes32, outcome: ExtrinsicOutcome) {
        let watch = try await submitAndWatchExtrinsic(bytes)
        var included: Bytes32?
        do {
            for try await status in watch {
                onStatus(status)
                switch status {
                case .inBlock(let block):
                    included = block
                    if until == .inBlock { return (block, try await extrinsicOutcome(watch.extrinsic, inBlock: block, metadata: metadata)) }
                case .retracted: included = nil
                case .finalized(let block):
                    return (block, try await extrinsicOutcome(watch.extrinsic, inBlock: block, metadata: metadata))
                case .future, .ready, .broadcast: continue
                case .finalityTimeout, .usurped, .dropped, .invalid:
                    throw ChainError.notIncluded(status.description)
                }
            }
        } catch let error as ChainError {
            throw error
        } catch {
            throw .rpc(.malformedReply(method: "author_submitAndWatchExtrinsic", reason: "\(error)"))
        }
        throw .notIncluded(included.map { "the watch ended after inclusion in \($0.hex), before finality" } ?? "the watch ended")
    }

    public func submitAndWait(_ extrinsic: SignedExtrinsic, metadata: RuntimeMetadata, until: Inclusion = .inBlock,
                              onStatus: @Sendable (TransactionStatus) -> Void = { _ in })
        async throws(ChainError) -> (block: Bytes32, outcome: ExtrinsicOutcome) {
        try await submitAndWait(extrinsic.bytes, metadata: metadata, until: until, onStatus: onStatus)
    }

    // MARK: Outcome

    /// The block's `System.Events`, decoded by `metadata` (empty when none are stored).
    public func events(at block: Bytes32, metadata: RuntimeMetadata) async throws(ChainError) -> [EventRecord] {
        guard let bytes = try await storage(SystemEvents.storageKey, at: block) else { return [] }
        do { return try SystemEvents.decode(bytes, metadata: metadata) } catch { throw .decoding(error) }
    }

    /// What the extrinsic with hash `extrinsic` did in `block`: found in the block's extrinsic list by blake2b-256, then
    /// its events (phase `ApplyExtrinsic(index)`): `ExtrinsicSuccess` with the other events (a registration's
    /// `NeuronRegistered` carries the UID), or `ExtrinsicFailed` with the dispatch error named through the metadata.
    public func extrinsicOutcome(_ extrinsic: Bytes32, inBlock block: Bytes32,
                                 metadata: RuntimeMetadata) async throws(ChainError) -> ExtrinsicOutcome {
        let contents = try await self.block(block)
        guard let index = contents.index(of: extrinsic) else { throw .extrinsicNotInBlock(extrinsic: extrinsic, block: block) }
        let records = try await events(at: block, metadata: metadata)
        let outcome: ExtrinsicOutcome?
        do { outcome = try SystemEvents.outcome(extrinsicIndex: UInt32(index), records: records, metadata: metadata) } catch {
            throw .decoding(error)
        }
        guard let outcome else { throw .noOutcome(extrinsic: extrinsic, block: block) }
        return outcome
    }

    // MARK: Helpers

    /// A pool refusal as `.pool`, any other failure as `.rpc`.
    static func submitError(_ error: RPCError) -> ChainError {
        PoolRejection(error).map(ChainError.pool) ?? .rpc(error)
    }

    private func chainCall(_ method: String, _ params: [JSONValue]) async throws(ChainError) -> JSONValue {
        do { return try await rpc.request(method, params) } catch { throw .rpc(error) }
    }

    private func hexResult(_ method: String, _ params: [JSONValue]) async throws(ChainError) -> [UInt8] {
        let value = try await chainCall(method, params)
        guard let text = value.stringValue, let bytes = try? Hex.decode(text) else {
            throw .rpc(.malformedReply(method: method, reason: "result is not a hex string"))
        }
        return bytes
    }
}
