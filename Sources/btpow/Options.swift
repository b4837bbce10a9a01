import ChainCodec
import ArgumentParser
import PoWCore
import Subtensor

extension ChallengeScheme: ExpressibleByArgument {}
extension DifficultyRule: ExpressibleByArgument {}

/// A 32-byte public key given as `0x…` hex or an SS58 address.
func parsePublicKey(_ text: String, option: String) throws -> Bytes32 {
    do { return try PublicKey.parse(text) } catch { throw CLIError.badInput("\(option): \(error)") }
}

func parseBytes32(_ text: String, option: String) throws -> Bytes32 {
    do { return try Bytes32(hex: text) } catch { throw CLIError.badInput("\(option): \(error)") }
}

/// The options that describe a challenge, shared by `solve` and `verify`.
struct ChallengeOptions: ParsableArguments {
    @Option(help: "Block hash the challenge is built on (0x + 64 hex digits).")
    var blockHash: String?

    @Option(help: "Hotkey public key: 0x + 64 hex digits, or an SS58 address.")
    var hotkey: String?

    @Option(help: "Challenge layout: legacy (bittensor's Python reference) or v1 (today's pow_register).")
    var scheme: ChallengeScheme = .legacy

    @Option(help: "Subnet id (v1 only).")
    var netuid: Int?

    @Option(help: "Coldkey public key (v1 only): 0x + 64 hex digits, or an SS58 address.")
    var coldkey: String?

    /// `blockAndHotkeyHash` is the legacy shortcut `verify` accepts instead of hash + hotkey.
    func challenge(blockAndHotkeyHash: String? = nil) throws -> Challenge {
        switch scheme {
        case .legacy:
            if netuid != nil || coldkey != nil {
                throw CLIError.badInput("--netuid and --coldkey belong to --scheme v1")
            }
            if let bah = blockAndHotkeyHash {
                if blockHash != nil || hotkey != nil {
                    throw CLIError.badInput("give --block-and-hotkey-hash or --block-hash with --hotkey, not both")
                }
                return .legacy(LegacyChallenge(blockAndHotkeyHash: try parseBytes32(bah, option: "--block-and-hotkey-hash")))
            }
            guard let blockHash, let hotkey else { throw CLIError.badInput("a legacy challenge needs --block-hash and --hotkey") }
            return .legacy(LegacyChallenge(blockHash: try parseBytes32(blockHash, option: "--block-hash"),
                                           hotkey: try parsePublicKey(hotkey, option: "--hotkey")))
        case .v1:
            if blockAndHotkeyHash != nil { throw CLIError.badInput("--block-and-hotkey-hash belongs to --scheme legacy") }
            guard let blockHash, let hotkey, let coldkey, let netuid else {
                throw CLIError.badInput("a v1 challenge needs --block-hash, --hotkey, --coldkey and --netuid")
            }
            guard (1 ... 65535).contains(netuid) else { throw CLIError.badInput("--netuid must be 1…65535 for v1 (got \(netuid))") }
            return .v1(V1Challenge(netuid: UInt16(netuid), blockHash: try parseBytes32(blockHash, option: "--block-hash"),
                                   hotkey: try parsePublicKey(hotkey, option: "--hotkey"),
                                   coldkey: try parsePublicKey(coldkey, option: "--coldkey")))
        }
    }
}

/// Difficulty: a u64 of at least 1 (the chain never stores 0).
func validateDifficulty(_ d: UInt64) throws {
    if d == 0 { throw CLIError.badInput("--difficulty must be at least 1") }
}
