import Foundation
import PoWCore
import ChainCodec

/// Why the chain refuses a registration: the SubtensorModule error names.
public enum DevnetRegistrationRefusal: String, Error, Sendable, CaseIterable {
    case registrationNotPermittedOnRootSubnet = "RegistrationNotPermittedOnRootSubnet"
    case subNetworkDoesNotExist = "SubNetworkDoesNotExist"
    case subnetNotExists = "SubnetNotExists"
    case nonAssociatedColdKey = "NonAssociatedColdKey"
    case subNetRegistrationDisabled = "SubNetRegistrationDisabled"
    case tooManyRegistrationsThisBlock = "TooManyRegistrationsThisBlock"
    case hotKeyAlreadyRegisteredInSubNet = "HotKeyAlreadyRegisteredInSubNet"
    case invalidWorkBlock = "InvalidWorkBlock"
    case invalidDifficulty = "InvalidDifficulty"
    case invalidSeal = "InvalidSeal"
    case workRepeated = "WorkRepeated"

    public var name: String { rawValue }
}

/// A refusal with a one-line explanation; becomes a JSON-RPC error with code 1010 and `data` = the name.
public struct DevnetRegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let refusal: DevnetRegistrationRefusal
    public let detail: String

    public var description: String { "\(refusal.name): \(detail)" }

    var rpcError: DevnetRPCError {
        DevnetRPCError(code: DevnetRPCError.registrationRefusedCode, message: description, data: .string(refusal.name))
    }
}

/// What an accepted submission did.
public enum DevnetRegistrationOutcome: Sendable, Equatable {
    /// The hotkey now holds `uid` on `netuid`.
    case registered(netuid: UInt16, uid: UInt16, hotkey: Bytes32)
    /// Faucet work (legacy, netuid -1): the coldkey was credited.
    case faucet(coldkey: Bytes32, amount: UInt64)

    public var json: JSONValue {
        switch self {
        case .registered(let netuid, let uid, let hotkey):
            return .object(["uid": .int(Int64(uid)), "netuid": .int(Int64(netuid)),
                            "hotkey": .string(SS58.encode(publicKey: hotkey))])
        case .faucet(let coldkey, let amount):
            return .object(["faucet": true, "coldkey": .string(SS58.encode(publicKey: coldkey)),
                            "amount": JSONValue(amount)])
        }
    }
}

/// A solution as submitted: the PoWSolution plus what the legacy JSON leaves out (netuid, coldkey).
struct DevnetSubmission: Sendable, Equatable {
    let solution: PoWSolution
    /// Legacy only: the subnet; nil (or -1 in the JSON) means faucet work.
    let legacyNetuid: UInt16?

    init(solution: PoWSolution, legacyNetuid: UInt16?) {
        self.solution = solution
        self.legacyNetuid = legacyNetuid
    }

    /// Reads the JSON `create-pow` prints (PoWSolution's Codable form, plus `netuid` for legacy).
    static func parse(_ value: JSONValue) throws(DevnetRPCError) -> DevnetSubmission {
        guard case .object(let fields) = value else { throw .invalidParams("the solution must be a JSON object") }
        let solution: PoWSolution
        do {
            solution = try JSONDecoderBox.decode(PoWSolution.self, from: value)
        } catch {
            throw .invalidParams("not a PoWSolution: \(error)")
        }
        var netuid: UInt16? = nil
        if solution.scheme == .legacy, let raw = fields["netuid"], raw != .null {
            guard let n = raw.intValue, n >= -1, n <= Int64(UInt16.max) else {
                throw .invalidParams("netuid must be -1 (faucet) or 0...65535")
            }
            netuid = n == -1 ? nil : UInt16(n)
        }
        return DevnetSubmission(solution: solution, legacyNetuid: netuid)
    }
}

enum JSONDecoderBox {
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: Data(value.jsonText.utf8))
    }
}

/// The chain's registration checks, applied to the head state. `current` is the number of the block that
/// executes the submission (the head's + 1, as on a chain, where an extrinsic lands after the head it was sent at).
struct DevnetRegistrar {
    /// What the faucet credits (rao).
    static let faucetAmount: UInt64 = 1_000_000_000_000

    let legacyRule: DifficultyRule
    let faucetDifficulty: UInt64
    let current: UInt64
    /// Block hash by number, for blocks still in history.
    let blockHash: (UInt64) -> Bytes32?

    func submit(_ submission: DevnetSubmission, state: inout ChainState) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        let solution = submission.solution
        switch solution.challenge {
        case .v1(let challenge):
            return try registerV1(solution, challenge, state: &state)
        case .legacy(let challenge):
            guard let hotkey = challenge.hotkey else {
                throw DevnetRegistrationError(refusal: .invalidSeal,
                                              detail: "the solution carries no hotkey, so the seal cannot be recomputed")
            }
            if let netuid = submission.legacyNetuid {
                return try registerLegacy(solution, netuid: netuid, hotkey: hotkey, state: &state)
            }
            return try faucet(solution, coldkey: hotkey, state: &state)
        }
    }

    private func fail(_ refusal: DevnetRegistrationRefusal, _ detail: String) -> DevnetRegistrationError {
        DevnetRegistrationError(refusal: refusal, detail: detail)
    }

    /// Root, existence, PoW allowed: the checks every path shares.
    /// `missing`: the error for an absent subnet (today's `pow_register` says SubnetNotExists, the old `register`
    /// SubNetworkDoesNotExist).
    private func subnet(_ netuid: UInt16, in state: ChainState,
                        missing: DevnetRegistrationRefusal = .subNetworkDoesNotExist) throws(DevnetRegistrationError) -> SubnetState {
        if netuid == 0 { throw fail(.registrationNotPermittedOnRootSubnet, "netuid 0 is the root subnet") }
        guard let subnet = state.subnets[netuid] else { throw fail(missing, "subnet \(netuid) does not exist") }
        guard subnet.powRegistrationAllowed else {
            throw fail(.subNetRegistrationDisabled, "PoW registration is not allowed on subnet \(netuid)")
        }
        return subnet
    }

    private func checkRoom(_ subnet: SubnetState, netuid: UInt16) throws(DevnetRegistrationError) {
        guard subnet.registrationsThisBlock < subnet.maxRegistrationsPerBlock else {
            throw fail(.tooManyRegistrationsThisBlock,
                       "subnet \(netuid) already had \(subnet.registrationsThisBlock) registrations this block (max \(subnet.maxRegistrationsPerBlock))")
        }
    }

    private func checkNotRegistered(_ subnet: SubnetState, netuid: UInt16, hotkey: Bytes32) throws(DevnetRegistrationError) {
        if let uid = subnet.uids[hotkey] {
            throw fail(.hotKeyAlreadyRegisteredInSubNet, "hotkey already holds uid \(uid) on subnet \(netuid)")
        }
    }

    private func checkFresh(_ block: UInt64, window: UInt64) throws(DevnetRegistrationError) -> Bytes32 {
        guard block <= current else { throw fail(.invalidWorkBlock, "work block \(block) is ahead of the chain (executing block \(current))") }
        guard current - block < window else {
            throw fail(.invalidWorkBlock, "work block \(block) is \(current - block) blocks old in the executing block \(current); the limit is \(window - 1)")
        }
        guard let hash = blockHash(block) else { throw fail(.invalidWorkBlock, "work block \(block) is unknown") }
        return hash
    }

    private func registerV1(_ solution: PoWSolution, _ challenge: V1Challenge,
                            state: inout ChainState) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        try powRegister(netuid: challenge.netuid, workBlock: solution.blockNumber, nonce: solution.nonce, work: solution.seal,
                        hotkey: challenge.hotkey, coldkey: challenge.coldkey, window: ChallengeScheme.v1.staleAfterBlocks,
                        state: &state)
    }

    /// `pow_register`'s checks, in the chain's order, then its effects. `coldkey` is the signer (the seal is over it);
    /// `window` is W in `now - work_block < W`. Used by `devnet_submitPow` (W = 5, as bittensor 11.3 assumes) and by
    /// signed extrinsics (W = the configured `powWindow`).
    func powRegister(netuid: UInt16, workBlock: UInt64, nonce: UInt64, work: Bytes32, hotkey: Bytes32, coldkey: Bytes32,
                     window: UInt64, state: inout ChainState) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        var subnet = try subnet(netuid, in: state, missing: .subnetNotExists)
        // v1 (pow_register): already registered, then room this block.
        try checkNotRegistered(subnet, netuid: netuid, hotkey: hotkey)
        try checkRoom(subnet, netuid: netuid)
        guard workBlock < current else {
            throw fail(.invalidWorkBlock, "work block \(workBlock) is not before the executing block \(current)")
        }
        let workHash = try checkFresh(workBlock, window: window)
        if let last = state.lastPoWRegistrationBlock[hotkey], last >= workBlock {
            throw fail(.invalidWorkBlock,
                       "hotkey's last PoW registration used block \(last); work block \(workBlock) must be later")
        }
        let expected = Challenge.v1(V1Challenge(netuid: netuid, blockHash: workHash, hotkey: hotkey, coldkey: coldkey))
            .referenceSeal(nonce: nonce)
        guard expected == work else {
            throw fail(.invalidSeal, "the seal is not keccak256(sha256(challenge ‖ nonce)) for block \(workBlock) and this coldkey")
        }
        let difficulty = subnet.clampedDifficulty
        guard DifficultyRule.chainLittleEndian.meets(seal: work, difficulty: difficulty) else {
            throw fail(.invalidDifficulty, "the seal does not meet difficulty \(difficulty)")
        }
        if let owner = state.owners[hotkey], owner != coldkey {
            throw fail(.nonAssociatedColdKey, "the hotkey belongs to another coldkey")
        }
        let uid = subnet.nextUID
        subnet.uids[hotkey] = uid
        subnet.registrationsThisBlock &+= 1
        state.subnets[netuid] = subnet
        state.lastPoWRegistrationBlock[hotkey] = workBlock
        state.owners[hotkey] = coldkey
        return .registered(netuid: netuid, uid: uid, hotkey: hotkey)
    }

    private func registerLegacy(_ solution: PoWSolution, netuid: UInt16, hotkey: Bytes32,
                                state: inout ChainState) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        var subnet = try subnet(netuid, in: state)
        // The old `register`: room this block, then already registered.
        try checkRoom(subnet, netuid: netuid)
        try checkNotRegistered(subnet, netuid: netuid, hotkey: hotkey)
        let workHash = try checkFresh(solution.blockNumber, window: ChallengeScheme.legacy.staleAfterBlocks)
        // The old `register`: Difficulty(netuid) as stored, no clamp.
        let difficulty = subnet.difficulty
        guard legacyRule.meets(seal: solution.seal, difficulty: difficulty) else {
            throw fail(.invalidDifficulty, "the seal does not meet difficulty \(difficulty) (rule \(legacyRule.rawValue))")
        }
        try checkSeal(solution, blockHash: workHash, key: hotkey)
        try checkUnused(solution.seal, state: state)
        let uid = subnet.nextUID
        subnet.uids[hotkey] = uid
        subnet.registrationsThisBlock &+= 1
        state.subnets[netuid] = subnet
        state.usedWork.insert(solution.seal)
        return .registered(netuid: netuid, uid: uid, hotkey: hotkey)
    }

    private func faucet(_ solution: PoWSolution, coldkey: Bytes32,
                        state: inout ChainState) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        try faucet(blockNumber: solution.blockNumber, nonce: solution.nonce, work: solution.seal.bytes, coldkey: coldkey, state: &state)
    }

    /// `faucet`'s checks and effect: fresh work block (`block <= now && now - block < 3`), difficulty, the legacy seal
    /// over the coldkey (the signer), work not used before; mints `faucetAmount` to the coldkey.
    func faucet(blockNumber: UInt64, nonce: UInt64, work: [UInt8], coldkey: Bytes32,
                state: inout ChainState) throws(DevnetRegistrationError) -> DevnetRegistrationOutcome {
        let workHash = try checkFresh(blockNumber, window: ChallengeScheme.legacy.staleAfterBlocks)
        guard let seal = Bytes32(work) else { throw fail(.invalidSeal, "the work is \(work.count) bytes, not 32") }
        guard legacyRule.meets(seal: seal, difficulty: faucetDifficulty) else {
            throw fail(.invalidDifficulty, "the seal does not meet the faucet difficulty \(faucetDifficulty)")
        }
        let expected = Challenge.legacy(LegacyChallenge(blockHash: workHash, hotkey: coldkey)).referenceSeal(nonce: nonce)
        guard expected == seal else {
            throw fail(.invalidSeal, "the seal is not the legacy seal of nonce \(nonce) on block \(blockNumber)")
        }
        try checkUnused(seal, state: state)
        state.usedWork.insert(seal)
        state.accounts[coldkey, default: DevnetAccount()].free &+= Self.faucetAmount
        return .faucet(coldkey: coldkey, amount: Self.faucetAmount)
    }

    private func checkSeal(_ solution: PoWSolution, blockHash: Bytes32, key: Bytes32) throws(DevnetRegistrationError) {
        let expected = Challenge.legacy(LegacyChallenge(blockHash: blockHash, hotkey: key)).referenceSeal(nonce: solution.nonce)
        guard expected == solution.seal else {
            throw fail(.invalidSeal, "the seal is not the legacy seal of nonce \(solution.nonce) on block \(solution.blockNumber)")
        }
    }

    private func checkUnused(_ seal: Bytes32, state: ChainState) throws(DevnetRegistrationError) {
        guard !state.usedWork.contains(seal) else { throw fail(.workRepeated, "this work was already used") }
    }
}
