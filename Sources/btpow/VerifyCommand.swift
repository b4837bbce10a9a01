import ArgumentParser
import PoWCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compute a seal (or take one) and check it against a difficulty under each rule.",
        discussion: "Exit 0 if the seal meets the chosen rule, 1 if not, 2 on bad input."
    )

    @OptionGroup var challengeOptions: ChallengeOptions

    @Option(help: "Legacy only: keccak256(block_hash ‖ hotkey) instead of --block-hash/--hotkey.")
    var blockAndHotkeyHash: String?

    @Option(help: "Nonce to seal (with a challenge).")
    var nonce: UInt64?

    @Option(help: "A seal to check directly (0x + 64 hex digits), instead of a challenge and nonce.")
    var seal: String?

    @Option(help: "Difficulty (1 … 2^64-1).")
    var difficulty: UInt64

    @Option(help: "The rule that decides the exit code: seed (bittensor's Python reference), chain or chain-be. Default: seed for legacy, chain for v1.")
    var rule: DifficultyRule?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        try validateDifficulty(difficulty)
    }

    struct Report: Encodable {
        let seal: String
        let difficulty: UInt64
        let nonce: UInt64?
        let scheme: String?
        let rule: String
        let meets: Bool
        let meets_seed_rule: Bool
        let meets_chain_rule: Bool
        let meets_chain_be_rule: Bool
    }

    func run() async throws {
        let sealValue: Bytes32
        var scheme: ChallengeScheme?
        let givesChallenge = challengeOptions.blockHash != nil || challengeOptions.hotkey != nil || blockAndHotkeyHash != nil
        if let seal {
            if givesChallenge || nonce != nil { throw CLIError.badInput("give either --seal, or a challenge with --nonce, not both") }
            sealValue = try parseBytes32(seal, option: "--seal")
        } else {
            guard let nonce else { throw CLIError.badInput("give --nonce with a challenge, or --seal") }
            let challenge = try challengeOptions.challenge(blockAndHotkeyHash: blockAndHotkeyHash)
            scheme = challenge.scheme
            sealValue = challenge.seal(nonce: nonce)
        }
        let chosen = rule ?? (scheme ?? challengeOptions.scheme).defaultRule
        let meets = { (r: DifficultyRule) in SealTarget(rule: r, difficulty: difficulty).accepts(sealValue) }
        let report = Report(seal: sealValue.hex, difficulty: difficulty, nonce: nonce, scheme: scheme?.rawValue,
                            rule: chosen.rawValue, meets: meets(chosen), meets_seed_rule: meets(.seedBigEndian),
                            meets_chain_rule: meets(.chainLittleEndian), meets_chain_be_rule: meets(.chainBigEndian))
        if json {
            try Console.printJSON(report)
        } else {
            print("seal: \(report.seal)")
            print("seed rule (big-endian, <):        \(report.meets_seed_rule ? "meets" : "does not meet") difficulty \(difficulty)")
            print("chain rule (little-endian, <=):   \(report.meets_chain_rule ? "meets" : "does not meet") difficulty \(difficulty)")
            print("chain-be rule (big-endian, <=):   \(report.meets_chain_be_rule ? "meets" : "does not meet") difficulty \(difficulty)")
        }
        if !report.meets { throw ExitStatus.noSolution.exit }
    }
}
