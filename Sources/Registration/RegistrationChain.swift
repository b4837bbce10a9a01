import ChainCodec
import PoWCore
import Subtensor

/// What `create_pow` needs from a chain. `SubtensorClient` provides it over JSON-RPC (below);
/// the flow depends only on this protocol.
public protocol RegistrationChain: Sendable {
    /// bittensor's Python `_get_block_with_retry`: current number, the subnet's difficulty, that block's hash.
    func blockWithRetry(netuid: UInt16) async throws -> BlockInfo
    func currentBlock() async throws -> UInt64
    /// The hash of block `number`.
    func blockHash(_ number: UInt64) async throws -> Bytes32
    func difficulty(netuid: UInt16) async throws -> UInt64
    func subnetExists(netuid: UInt16) async throws -> Bool
    func isHotkeyRegistered(netuid: UInt16, hotkey: Bytes32) async throws -> Bool
    func powRegistrationAllowed(netuid: UInt16) async throws -> Bool
    /// The difficulty v1 work must meet (`EffectiveDifficulty` of the subnet's Difficulty, MinDifficulty, MaxDifficulty).
    func v1Difficulty(netuid: UInt16) async throws -> UInt64
    /// New heads, through one subscription that survives reconnects.
    func newHeads() -> AsyncThrowingStream<NewHead, any Error>
}

extension SubtensorClient: RegistrationChain {
    public func difficulty(netuid: UInt16) async throws -> UInt64 { try await difficulty(netuid: netuid, at: nil) }
    public func subnetExists(netuid: UInt16) async throws -> Bool { try await subnetExists(netuid: netuid, at: nil) }
    public func isHotkeyRegistered(netuid: UInt16, hotkey: Bytes32) async throws -> Bool {
        try await isHotkeyRegistered(netuid: netuid, hotkey: hotkey, at: nil)
    }
    public func powRegistrationAllowed(netuid: UInt16) async throws -> Bool {
        try await powRegistrationAllowed(netuid: netuid, at: nil)
    }

    public func v1Difficulty(netuid: UInt16) async throws -> UInt64 {
        // Read at one block so the three values are consistent.
        let at = try await blockHash(try await currentBlock())
        let d = try await difficulty(netuid: netuid, at: at)
        return EffectiveDifficulty.clamp(d, minimum: try await minDifficulty(netuid: netuid, at: at),
                                         maximum: try await maxDifficulty(netuid: netuid, at: at))
    }
}
