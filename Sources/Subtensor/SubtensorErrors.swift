import ChainCodec
import ChainMetadata
import Extrinsics
import PoWCore

// Every error type of the Subtensor module.

/// Why a JSON-RPC call failed. Each description is one line.
public enum RPCError: Error, Equatable, CustomStringConvertible {
    /// The node answered with a JSON-RPC error object.
    case node(method: String, code: Int64, message: String)
    /// No reply within the request's timeout.
    case timeout(method: String, seconds: Double)
    /// The request could not even be sent: no connection to the node within the timeout.
    case notConnected(method: String, endpoint: String, reason: String)
    /// The connection closed after the request was sent and before its reply came.
    case connectionClosed(method: String, endpoint: String, reason: String)
    /// The reply was not valid JSON-RPC, or its result had the wrong shape.
    case malformedReply(method: String, reason: String)
    /// The reply exceeded `RPCConfiguration.maxReplyBytes` and was refused.
    case replyTooLarge(method: String, bytes: Int, limit: Int)
    /// The client was shut down.
    case clientClosed(method: String)
    /// The calling task was cancelled.
    case cancelled(method: String)

    public var method: String {
        switch self {
        case .node(let m, _, _), .timeout(let m, _), .notConnected(let m, _, _), .connectionClosed(let m, _, _),
             .malformedReply(let m, _), .replyTooLarge(let m, _, _), .clientClosed(let m), .cancelled(let m):
            return m
        }
    }

    public var description: String {
        switch self {
        case .node(let method, let code, let message):
            return "\(method): the node answered error \(code): \(RPCError.oneLine(message))"
        case .timeout(let method, let seconds):
            return "\(method): no reply from the node within \(RPCError.format(seconds)) s"
        case .notConnected(let method, let endpoint, let reason):
            return "\(method): not connected to \(endpoint): \(RPCError.oneLine(reason))"
        case .connectionClosed(let method, let endpoint, let reason):
            return "\(method): connection to \(endpoint) closed before the reply: \(RPCError.oneLine(reason))"
        case .malformedReply(let method, let reason):
            return "\(method): malformed reply from the node: \(RPCError.oneLine(reason))"
        case .replyTooLarge(let method, let bytes, let limit):
            return "\(method): reply of \(bytes) bytes exceeds the \(limit)-byte limit"
        case .clientClosed(let method): return "\(method): the chain client was closed"
        case .cancelled(let method): return "\(method): cancelled"
        }
    }

    /// Text from the network, on one line and at most 200 characters.
    static func oneLine(_ text: String) -> String {
        let flat = String(text.map { $0.printsOnOneLine ? $0 : " " })
        return flat.count > 200 ? String(flat.prefix(197)) + "..." : flat
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String((seconds * 1000).rounded() / 1000)
    }
}

extension Duration {
    var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }
}

/// Why a network name or URL was refused. One line.
public struct EndpointError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Why a chain query failed. Each description is one line.
public enum ChainError: Error, Equatable, CustomStringConvertible {
    /// The JSON-RPC call failed (node error, timeout, connection …).
    case rpc(RPCError)
    /// A storage value could not be decoded.
    case storage(StorageError)
    /// `chain_getBlockHash(n)` returned null: the node does not know block n.
    case noBlockHash(UInt64)
    /// `blockWithRetry` failed every attempt; the last error is kept.
    case retriesExhausted(attempts: Int, last: String)
    /// The node's transaction pool refused the extrinsic (JSON-RPC errors 1010 to 1020).
    case pool(PoolRejection)
    /// The runtime metadata could not be read, or a lookup in it failed.
    case metadata(MetadataError)
    /// Chain data (events, a storage value) could not be decoded by the metadata.
    case decoding(ExtrinsicError)
    /// A watched extrinsic's status notification that is none of the statuses a node sends.
    case unknownStatus(String)
    /// A watched extrinsic ended without reaching the wanted state (dropped, invalid, usurped, finality timeout, or
    /// the watch closed before inclusion).
    case notIncluded(String)
    /// The node does not know the block (`chain_getBlock` answered null).
    case unknownBlock(Bytes32)
    /// The block does not contain the extrinsic.
    case extrinsicNotInBlock(extrinsic: Bytes32, block: Bytes32)
    /// The block's events say neither `ExtrinsicSuccess` nor `ExtrinsicFailed` for the extrinsic.
    case noOutcome(extrinsic: Bytes32, block: Bytes32)

    public var description: String {
        switch self {
        case .rpc(let e): return e.description
        case .storage(let e): return e.description
        case .noBlockHash(let n): return "network error: the node has no hash for block \(n)"
        case .retriesExhausted(let attempts, let last):
            return "could not read the block and difficulty after \(attempts) attempts: \(last)"
        case .pool(let rejection): return rejection.description
        case .metadata(let e): return e.description
        case .decoding(let e): return e.description
        case .unknownStatus(let text): return "the node sent an unknown extrinsic status: \(RPCError.oneLine(text))"
        case .notIncluded(let why): return "the extrinsic was not included: \(why)"
        case .unknownBlock(let block): return "the node has no block \(block.hex)"
        case .extrinsicNotInBlock(let x, let block): return "extrinsic \(x.hex) is not in block \(block.hex)"
        case .noOutcome(let x, let block):
            return "block \(block.hex) records neither ExtrinsicSuccess nor ExtrinsicFailed for extrinsic \(x.hex)"
        }
    }
}

/// A transaction pool's refusal of an extrinsic, as the node words it: Substrate's author RPC answers
/// `author_submitExtrinsic` and `author_submitAndWatchExtrinsic` with JSON-RPC error 1010 ("Invalid Transaction", its
/// `data` saying why: "Transaction is outdated", "Transaction has a bad signature", "Custom error: N"), 1011 (unknown
/// validity), 1012 (temporarily banned), 1013 (already imported), 1014 (priority too low) and so on.
public struct PoolRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 1010: the runtime found the transaction invalid.
        case invalid
        /// 1011: the runtime could not tell whether it is valid.
        case unknownValidity
        /// 1012: the pool banned it for a while (it was invalid or dropped recently).
        case temporarilyBanned
        /// 1013: the pool already has it.
        case alreadyImported
        /// 1014: another transaction with the same tags has a higher priority.
        case priorityTooLow
        /// 1015: its tags depend on each other in a cycle.
        case cycleDetected
        /// 1016: the pool is full and dropped it at once.
        case immediatelyDropped
        /// 1017 to 1020: the other pool errors (unactionable, no tags, invalid block id, future transaction).
        case other
    }

    public let code: Int64
    public let kind: Kind
    /// The node's words: its error message, then `": "` and its `data` when it sent some.
    public let message: String

    public init(code: Int64, message: String) {
        self.code = code
        self.message = message
        switch code {
        case 1010: kind = .invalid
        case 1011: kind = .unknownValidity
        case 1012: kind = .temporarilyBanned
        case 1013: kind = .alreadyImported
        case 1014: kind = .priorityTooLow
        case 1015: kind = .cycleDetected
        case 1016: kind = .immediatelyDropped
        default: kind = .other
        }
    }

    /// The pool's refusal in a node error, or nil for any other error.
    public init?(_ error: RPCError) {
        guard case .node(_, let code, let message) = error, (1010 ... 1020).contains(code) else { return nil }
        self.init(code: code, message: message)
    }

    /// For 1010 and 1011, why: the text after "Invalid Transaction: " or "Unknown Transaction Validity: "
    /// ("Transaction is outdated", "Custom error: 6"); else nil.
    public var reason: String? {
        for head in ["Invalid Transaction: ", "Unknown Transaction Validity: "] where message.hasPrefix(head) {
            return String(message.dropFirst(head.count))
        }
        return nil
    }

    /// N of "Custom error: N": the runtime's own validity code (Subtensor's transaction extensions use these).
    public var customError: UInt8? {
        guard let reason, reason.hasPrefix("Custom error: ") else { return nil }
        return UInt8(reason.dropFirst("Custom error: ".count))
    }

    public var description: String { "the transaction pool refused the extrinsic (\(code)): \(RPCError.oneLine(message))" }
}
