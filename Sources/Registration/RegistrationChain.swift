import PoWCore

/// A new block as the chain announces it.
public struct ChainHead: Sendable, Equatable {
    public let number: UInt64
    public let hash: Bytes32
    public init(number: UInt64, hash: Bytes32) { self.number = number; self.hash = hash }
}

/// What `create_pow` needs from a chain. `SubtensorClient` provides it over JSON-RPC; keeping the
/// flow on this protocol keeps the solver side free of transport details.
public protocol RegistrationChain: Sendable {
    /// The seed's `_get_block_with_retry`: current number, the subnet's difficulty, that block's hash.
    func blockWithRetry(netuid: UInt16) async throws -> (number: UInt64, difficulty: UInt64, hash: Bytes32)
    func currentBlockNumber() async throws -> UInt64
    func difficulty(netuid: UInt16) async throws -> UInt64
    func subnetExists(netuid: UInt16) async throws -> Bool
    func isHotkeyRegistered(netuid: UInt16, hotkey: Bytes32) async throws -> Bool
    /// The difficulty v1 work must meet: clamp(Difficulty, max(1, MinDifficulty), MaxDifficulty).
    func v1Difficulty(netuid: UInt16) async throws -> UInt64
    func powRegistrationAllowed(netuid: UInt16) async throws -> Bool
    /// The hash of block `number`.
    func blockHash(number: UInt64) async throws -> Bytes32
    /// New heads, through one subscription that survives reconnects.
    func newHeads() -> AsyncThrowingStream<ChainHead, any Error>
}
