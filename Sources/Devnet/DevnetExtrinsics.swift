import ChainCodec
import Extrinsics
import PoWCore

/// A signed v4 extrinsic of the devnet's runtime, decoded: who signed, the signed extensions' values, the call.
/// The layout follows the devnet's metadata (`DevnetRuntime`): the extensions that carry data are CheckMortality
/// (`Era`), CheckNonce (`Compact<u32>`), ChargeTransactionPaymentWrapper (`Compact<u64>` tip) and
/// CheckMetadataHash (`mode` u8).
struct DevnetExtrinsic: Sendable, Equatable {
    enum Call: Sendable, Equatable {
        case powRegister(netuid: UInt16, workBlock: UInt64, nonce: UInt64, work: Bytes32, hotkey: Bytes32)
        case faucet(blockNumber: UInt64, nonce: UInt64, work: [UInt8])
    }

    let bytes: [UInt8]
    let signer: Bytes32
    let signature: [UInt8]
    let era: Era
    let nonce: UInt32
    let tip: UInt64
    let metadataHashMode: UInt8
    /// The call's bytes (pallet index, call index, arguments) and the call.
    let callBytes: [UInt8]
    let call: Call
    /// The extensions' bytes as sent (era, nonce, tip, mode).
    let extra: [UInt8]
    /// The era's birth block the signature was found to commit to (set at pool admission).
    var birth: UInt64 = 0

    var hash: Bytes32 { Bytes32(blake2b256(bytes))! }

    /// Decodes `Compact(length) || 0x84 || MultiAddress::Id || MultiSignature::Sr25519 || extra || call`; every byte
    /// must be used. The error text is what a node's "Extrinsic has invalid format" carries.
    static func decode(_ bytes: [UInt8]) throws(DevnetRPCError) -> DevnetExtrinsic {
        do {
            var d = SCALEDecoder(bytes)
            let length = try SCALE.decodeCompact(&d)
            guard length == UInt64(d.remaining) else {
                throw FormatError("the length prefix says \(length) bytes, \(d.remaining) follow")
            }
            let version = try d.read(count: 1, for: "version").first!
            guard version & 0x7f == 4 else { throw FormatError("extrinsic version \(version & 0x7f), the runtime takes 4") }
            guard version & 0x80 != 0 else {
                // Unsigned (bare) extrinsics: the devnet's calls all need a signer.
                throw DevnetRPCError.invalidTransaction("Transaction call is not expected")
            }
            let addressTag = try d.read(count: 1, for: "MultiAddress").first!
            guard addressTag == 0 else { throw FormatError("MultiAddress variant \(addressTag), only Id (0) names an account here") }
            let signer = Bytes32(Array(try d.read(count: 32, for: "AccountId32")))!
            let signatureTag = try d.read(count: 1, for: "MultiSignature").first!
            guard signatureTag <= 2 else { throw FormatError("MultiSignature variant \(signatureTag) does not exist") }
            guard signatureTag == 1 else {
                // Ed25519/ECDSA decode, but the signer is an sr25519 account: verification fails as on a node.
                _ = try d.read(count: signatureTag == 2 ? 65 : 64, for: "signature")
                throw DevnetRPCError.invalidTransaction("Transaction has a bad signature")
            }
            let signature = Array(try d.read(count: 64, for: "sr25519 signature"))
            let extraStart = d.offset
            let eraFirst = try d.read(count: 1, for: "Era").first!
            let era: Era
            if eraFirst == 0 {
                era = .immortal
            } else {
                let second = try d.read(count: 1, for: "Era").first!
                let encoded = UInt64(eraFirst) | UInt64(second) << 8
                let period = UInt64(2) << (encoded % (1 << 4))
                let quantum = max(period >> 12, 1)
                let phase = (encoded >> 4) * quantum
                guard period >= 4, phase < period else { throw FormatError("invalid mortal era") }
                era = .mortal(period: period, phase: phase)
            }
            let nonce = try SCALE.decodeCompact(&d)
            guard nonce <= UInt64(UInt32.max) else { throw FormatError("nonce \(nonce) is not a u32") }
            let tip = try SCALE.decodeCompact(&d)
            let mode = try d.read(count: 1, for: "CheckMetadataHash mode").first!
            guard mode <= 1 else { throw FormatError("CheckMetadataHash mode \(mode) does not exist") }
            let extra = Array(bytes[extraStart ..< d.offset])
            let callStart = d.offset
            let call = try decodeCall(&d)
            try d.finish(type: "extrinsic")
            return DevnetExtrinsic(bytes: bytes, signer: signer, signature: signature, era: era, nonce: UInt32(nonce), tip: tip,
                                   metadataHashMode: mode, callBytes: Array(bytes[callStart...]), call: call, extra: extra)
        } catch let error as DevnetRPCError {
            throw error
        } catch {
            throw DevnetRPCError(code: 1001, message: "Extrinsic has invalid format: \(error)")
        }
    }

    private static func decodeCall(_ d: inout SCALEDecoder) throws -> Call {
        let pallet = try d.read(count: 1, for: "pallet index").first!
        let index = try d.read(count: 1, for: "call index").first!
        guard pallet == DevnetRuntime.subtensorIndex else { throw FormatError("Could not decode `RuntimeCall`, variant doesn't exist") }
        func u64() throws -> UInt64 { try d.decode(UInt64.self) }
        switch index {
        case DevnetRuntime.powRegisterCallIndex:
            let netuid = try d.decode(UInt16.self)
            let workBlock = try u64(), nonce = try u64()
            let work = Bytes32(Array(try d.read(count: 32, for: "work")))!
            let hotkey = Bytes32(Array(try d.read(count: 32, for: "hotkey")))!
            return .powRegister(netuid: netuid, workBlock: workBlock, nonce: nonce, work: work, hotkey: hotkey)
        case DevnetRuntime.faucetCallIndex:
            let block = try u64(), nonce = try u64()
            let length = try SCALE.decodeCompact(&d)
            guard length <= UInt64(d.remaining) else { throw FormatError("work: \(length) bytes announced, \(d.remaining) left") }
            return .faucet(blockNumber: block, nonce: nonce, work: Array(try d.read(count: Int(length), for: "work")))
        default:
            throw FormatError("Could not decode `pallet_subtensor::pallet::Call`, variant doesn't exist")
        }
    }
}

/// Why bytes are not an extrinsic of this runtime (a node's codec error text).
struct FormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension DevnetRPCError {
    /// A pool rejection: code 1010, `data` in a node's words ("Transaction has a bad signature", …).
    static func invalidTransaction(_ words: String) -> DevnetRPCError {
        DevnetRPCError(code: 1010, message: "Invalid Transaction", data: .string(words))
    }
}

/// An extrinsic accepted into the pool, waiting for the next block.
struct PoolEntry: Sendable {
    let extrinsic: DevnetExtrinsic
    /// Whether its nonce follows the account's without a gap (else it waits in the future queue).
    var isReady = false
    /// The watcher (`author_submitAndWatchExtrinsic`): its subscription and connection.
    var watcher: (subscription: String, connection: Connection)?
}

extension DevnetChain {
    /// A node's pool admission (`validate_transaction` at the block built on the head): decode, the birth block
    /// (CheckMortality's additional data), the signature over the payload the signer must have signed, the non-zero
    /// signer, the nonce, then pow_register's pallet checks (docs/devnet.md, "Signed extrinsics").
    func admit(_ bytes: [UInt8]) throws(DevnetRPCError) -> DevnetExtrinsic {
        var x = try DevnetExtrinsic.decode(bytes)
        if pool.contains(where: { $0.extrinsic.hash == x.hash }) {
            throw DevnetRPCError(code: 1013, message: "Transaction Already Imported")
        }
        let current = head.number + 1
        // CheckMortality's additional_signed: the hash of the era's birth block, which must be in BlockHash.
        let birth = x.era.birth(currentBlock: current)
        guard birth < current, let birthBlock = header(number: birth) else {
            throw .invalidTransaction("Transaction has an ancient birth block")
        }
        x.birth = birth
                var additional = DevnetRuntime.specVersion.scaleEncoded + DevnetRuntime.transactionVersion.scaleEncoded
        additional += genesis.bytes + birthBlock.hash.bytes
        additional.append(0)                                         // CheckMetadataHash: None
        var payload = x.callBytes + x.extra + additional
        if payload.count > 256 { payload = blake2b256(payload) }
        guard signatureVerifier.verify(signature: x.signature, message: payload, publicKey: x.signer.bytes) else {
            throw .invalidTransaction("Transaction has a bad signature")
        }
        if x.signer == .zero { throw .invalidTransaction("Invalid signing address") }
        guard x.metadataHashMode == 0 else {
            // Mode Enabled signs a metadata hash the devnet does not compute.
            throw .invalidTransaction("Transaction has a bad signature")
        }
        let account = headState.accounts[x.signer] ?? DevnetAccount()
        if x.nonce < account.nonce { throw .invalidTransaction("Transaction is outdated") }
        if pool.contains(where: { $0.extrinsic.signer == x.signer && $0.extrinsic.nonce == x.nonce }) {
            throw DevnetRPCError(code: 1014, message: "Priority is too low: (0 vs 0)",
                                 data: .string("The transaction has too low priority to replace another transaction already in the pool."))
        }
        // A nonce beyond the next one is kept, as a node keeps it in its future queue, until the gap is filled.
        try checkAtAdmission(x)
        return x
    }

    /// SubtensorTransactionExtension's validation of `pow_register`: the pallet's checks, run on a copy of the state
    /// the next block starts from (RegistrationsThisBlock reset), refusals as `Custom error: N` with subtensor's
    /// `CustomTransactionError` code. The same checks run again at dispatch.
    private func checkAtAdmission(_ x: DevnetExtrinsic) throws(DevnetRPCError) {
        guard case .powRegister(let netuid, let workBlock, let nonce, let work, let hotkey) = x.call else { return }
        var scratch = headState
        for netuid in scratch.subnets.keys { scratch.subnets[netuid]!.registrationsThisBlock = 0 }
        do throws(DevnetRegistrationError) {
            _ = try makeRegistrar(current: head.number + 1).powRegister(
                netuid: netuid, workBlock: workBlock, nonce: nonce, work: work, hotkey: hotkey, coldkey: x.signer,
                window: configuration.powWindow, state: &scratch)
        } catch {
            throw .invalidTransaction("Custom error: \(Self.customTransactionError(error.refusal))")
        }
    }

    /// subtensor's `CustomTransactionError` codes for the registration refusals that have their own; the others
    /// are reported as BadRequest (255).
    static func customTransactionError(_ refusal: DevnetRegistrationRefusal) -> UInt8 {
        switch refusal {
        case .subnetNotExists, .subNetworkDoesNotExist: return 3
        case .nonAssociatedColdKey: return 27
        case .hotKeyAlreadyRegisteredInSubNet: return 33
        case .invalidWorkBlock: return 38
        case .invalidDifficulty: return 39
        case .invalidSeal: return 40
        case .registrationNotPermittedOnRootSubnet, .subNetRegistrationDisabled, .tooManyRegistrationsThisBlock, .workRepeated:
            return 255
        }
    }

    /// The next nonce for `account`: the stored one, past the signer's ready extrinsics in the pool (nonces without a
    /// gap), as a node's `system_accountNextIndex` answers.
    func nextIndex(_ account: Bytes32) -> UInt32 {
        var n = headState.accounts[account]?.nonce ?? 0
        let nonces = Set(pool.filter { $0.extrinsic.signer == account }.map(\.extrinsic.nonce))
        while nonces.contains(n) { n &+= 1 }
        return n
    }

    /// Marks the signer's extrinsics whose nonces now follow without a gap as ready; their watchers hear "ready".
    private func promote(_ signer: Bytes32) {
        let next = nextIndex(signer)
        for i in pool.indices where pool[i].extrinsic.signer == signer && !pool[i].isReady && pool[i].extrinsic.nonce < next {
            pool[i].isReady = true
            if let w = pool[i].watcher {
                notifyExtrinsic(w.subscription, w.connection, .string("ready"), final: false)
            }
        }
    }

    func submitExtrinsic(_ bytes: [UInt8], watcher: (String, Connection)?) throws(DevnetRPCError) -> Bytes32 {
        enqueue(try admit(bytes), watcher: watcher)
    }

    /// Puts an admitted extrinsic in the pool; a watcher hears "ready" at once.
    @discardableResult
    func enqueue(_ x: DevnetExtrinsic, watcher: (String, Connection)?) -> Bytes32 {
        pool.append(PoolEntry(extrinsic: x, watcher: watcher.map { (subscription: $0.0, connection: $0.1) }))
        if let (subscription, connection) = watcher {
            extrinsicWatchers[subscription] = connection.id
            if x.nonce >= nextIndex(x.signer) {
                connection.send(RPCEnvelope.notification(method: "author_extrinsicUpdate", subscription: .string(subscription),
                                                         result: .string("future")))
            }
        }
        promote(x.signer)
        logger.info("devnet extrinsic in the pool", metadata: ["hash": "\(x.hash.hex)", "signer": "\(SS58.encode(publicKey: x.signer))"])
        return x.hash
    }

    /// Applies the pool to the block being built (`state`, number `number`): each extrinsic again checked for its
    /// era and nonce (dropped when no longer valid), the nonce bumped, the call dispatched, its events recorded.
    /// Returns the included extrinsics' bytes and their watchers.
    func applyPool(to state: inout ChainState, number: UInt64) -> (included: [[UInt8]], watchers: [(String, Connection)], dropped: [(String, Connection)]) {
        var included: [[UInt8]] = []
        var watchers: [(String, Connection)] = []
        var dropped: [(String, Connection)] = []
        let registrar = makeRegistrar(current: number)
        // Arrival order, each signer's nonces in sequence: repeatedly the earliest extrinsic whose nonce is its
        // account's next one. What is left waits (future nonces) or is dropped (outdated nonce, dead era).
        var waiting = pool
        while let index = waiting.firstIndex(where: { $0.extrinsic.nonce == (state.accounts[$0.extrinsic.signer]?.nonce ?? 0) }) {
            let entry = waiting.remove(at: index)
            let x = entry.extrinsic
            // CheckMortality in this block: the birth block must still be the one signed.
            guard x.era.birth(currentBlock: number) == x.birth else {
                if let w = entry.watcher { dropped.append((w.subscription, w.connection)) }
                continue
            }
            let phase = UInt32(included.count)
            state.accounts[x.signer, default: DevnetAccount()].nonce &+= 1
            var scratch = state
            let result: DevnetRegistrationOutcome
            do throws(DevnetRegistrationError) {
                switch x.call {
                case .powRegister(let netuid, let workBlock, let nonce, let work, let hotkey):
                    result = try registrar.powRegister(netuid: netuid, workBlock: workBlock, nonce: nonce, work: work, hotkey: hotkey,
                                                       coldkey: x.signer, window: configuration.powWindow, state: &scratch)
                case .faucet(let blockNumber, let nonce, let work):
                    result = try registrar.faucet(blockNumber: blockNumber, nonce: nonce, work: work, coldkey: x.signer, state: &scratch)
                }
                state = scratch
                state.events.append(DevnetEvents.record(phase: phase, event: DevnetEvents.outcome(result)))
                state.events.append(DevnetEvents.record(phase: phase, event: DevnetEvents.success))
            } catch {
                state.events.append(DevnetEvents.record(phase: phase, event: DevnetEvents.failed(error.refusal.name)))
                logger.info("devnet extrinsic failed", metadata: ["hash": "\(x.hash.hex)", "error": "\(error)"])
            }
            included.append(x.bytes)
            if let w = entry.watcher { watchers.append((w.subscription, w.connection)) }
        }
        pool = []
        for var entry in waiting {
            entry.isReady = false
            let x = entry.extrinsic
            let stored = state.accounts[x.signer]?.nonce ?? 0
            let eraAlive: Bool
            switch x.era {
            case .immortal: eraAlive = true
            case .mortal(let period, _): eraAlive = number + 1 < x.birth + period
            }
            if x.nonce < stored || !eraAlive {
                if let w = entry.watcher { dropped.append((w.subscription, w.connection)) }
            } else {
                pool.append(entry)
            }
        }
        return (included, watchers, dropped)
    }

    func makeRegistrar(current: UInt64) -> DevnetRegistrar {
        DevnetRegistrar(legacyRule: configuration.legacyRule, faucetDifficulty: configuration.faucetDifficulty,
                        current: current,
                        blockHash: { [blocks] n in
                            guard let first = blocks.first?.header.number, n >= first,
                                  Int(n - first) < blocks.count else { return nil }
                            return blocks[Int(n - first)].header.hash
                        })
    }

    /// Stops watching; false for an id this connection does not hold.
    func unwatchExtrinsic(_ subscription: String, _ connection: Connection) -> Bool {
        guard extrinsicWatchers[subscription] == connection.id else { return false }
        extrinsicWatchers[subscription] = nil
        for i in pool.indices where pool[i].watcher?.subscription == subscription { pool[i].watcher = nil }
        return true
    }

    func notifyExtrinsic(_ subscription: String, _ connection: Connection, _ result: JSONValue, final: Bool) {
        guard extrinsicWatchers[subscription] == connection.id else { return }
        connection.send(RPCEnvelope.notification(method: "author_extrinsicUpdate", subscription: .string(subscription), result: result))
        if final { extrinsicWatchers[subscription] = nil }
    }
}

/// System.Events records, SCALE-encoded as the devnet's metadata describes them.
enum DevnetEvents {
    /// `Phase::ApplyExtrinsic(i)`, the event, no topics.
    static func record(phase: UInt32, event: [UInt8]) -> [UInt8] {
        [0] + phase.scaleEncoded + event + [0]
    }

    /// DispatchInfo of the devnet's calls: a fixed weight, class Normal, pays_fee No (registration is free).
    static let dispatchInfo: [UInt8] = SCALE.compact(100_000_000) + SCALE.compact(0) + [0, 1]

    static var success: [UInt8] { [DevnetRuntime.systemIndex, 0] + dispatchInfo }

    /// `ExtrinsicFailed(DispatchError::Module { index: SubtensorModule, error: [i, 0, 0, 0] })`.
    static func failed(_ errorName: String) -> [UInt8] {
        [DevnetRuntime.systemIndex, 1, 3, DevnetRuntime.subtensorIndex, DevnetRuntime.subtensorErrorIndex(errorName), 0, 0, 0] + dispatchInfo
    }

    static func outcome(_ outcome: DevnetRegistrationOutcome) -> [UInt8] {
        switch outcome {
        case .registered(let netuid, let uid, let hotkey):
            return [DevnetRuntime.subtensorIndex, 0] + netuid.scaleEncoded + uid.scaleEncoded + hotkey.bytes
        case .faucet(let coldkey, let amount):
            return [DevnetRuntime.subtensorIndex, 1] + coldkey.bytes + amount.scaleEncoded
        }
    }

    /// The stored value: `Vec<EventRecord>`.
    static func encode(_ records: [[UInt8]]) -> [UInt8] {
        SCALE.compact(UInt64(records.count)) + records.flatMap { $0 }
    }
}
