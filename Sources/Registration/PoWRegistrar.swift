import ChainCodec
import ChainMetadata
import Extrinsics
import Logging
import PoWCore
import Subtensor

/// Names for the codes of subtensor's `CustomTransactionError` that a pool answers registrations with
/// ("Invalid Transaction: Custom error: N").
public enum SubtensorTransactionError {
    public static func name(_ code: UInt8) -> String? {
        switch code {
        case 3: return "SubnetNotExists"
        case 27: return "NonAssociatedColdKey"
        case 33: return "HotKeyAlreadyRegisteredInSubNet"
        case 38: return "InvalidWorkBlock"
        case 39: return "InvalidDifficulty"
        case 40: return "InvalidSeal"
        case 255: return "BadRequest"
        default: return nil
        }
    }
}

/// Why a registration (or a faucet drip) did not happen. Each description is one line; the chain's own error name,
/// when it gave one, is in `chainErrorName`.
public enum RegistrationError: Error, Equatable, CustomStringConvertible {
    /// The transaction pool refused the extrinsic; `name` is the chain's error name for a "Custom error: N" it knows.
    case poolRefused(name: String?, PoolRejection)
    /// The extrinsic was included and its call failed (`ExtrinsicFailed`), with the pallet error's name.
    case dispatchFailed(DispatchFailure)
    /// The hotkey is registered on the subnet: before this run, or by another submitter while it worked.
    case alreadyRegistered(netuid: UInt16, uid: UInt16?)
    /// The solve failed (subnet missing, PoW disabled, workers failed, chain unreadable while solving).
    case solve(CreatePoWError)
    /// The work was stale by the time it could be submitted (judged by the registrar before signing).
    case staleWork(workBlock: UInt64, currentBlock: UInt64, window: UInt64)
    /// Every attempt was refused for a reason a new solve could mend; the last reason.
    case attemptsExhausted(attempts: Int, last: String)
    /// Reading the chain or watching the extrinsic failed.
    case chain(ChainError)
    /// The call could not be built from the runtime's metadata.
    case extrinsic(ExtrinsicError)
    /// The registration succeeded, but neither its events nor `Uids` at its block give the UID.
    case noUID(block: Bytes32)

    /// The chain's name for the refusal (`SubNetRegistrationDisabled`, `InvalidWorkBlock`, …), when it gave one.
    public var chainErrorName: String? {
        switch self {
        case .poolRefused(let name, _): return name
        case .dispatchFailed(let failure): return failure.name
        case .alreadyRegistered: return "HotKeyAlreadyRegisteredInSubNet"
        case .staleWork: return "InvalidWorkBlock"
        case .solve(.powRegistrationNotAllowed): return "SubNetRegistrationDisabled"
        case .solve(.subnetMissing): return "SubnetNotExists"
        default: return nil
        }
    }

    /// Whether a fresh solve (new work block, fresh nonce) may succeed where this attempt failed.
    var isRetryable: Bool {
        switch self {
        case .staleWork: return true
        case .poolRefused(let name, let rejection):
            if name == "InvalidWorkBlock" { return true }
            // Nonce races (another extrinsic of the same coldkey took the nonce).
            if rejection.kind == .priorityTooLow || rejection.kind == .alreadyImported { return true }
            return rejection.reason == "Transaction is outdated"
        // Another registration took the subnet's last slot in that block: the next block has room again.
        case .dispatchFailed(let failure): return failure.name == "InvalidWorkBlock" || failure.name == "TooManyRegistrationsThisBlock"
        case .chain(.notIncluded): return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .poolRefused(let name, let rejection):
            return name.map { "the transaction pool refused the extrinsic: \($0) (\(rejection.message))" } ?? rejection.description
        case .dispatchFailed(let failure): return "the extrinsic was included but failed: \(failure)"
        case .alreadyRegistered(let netuid, let uid):
            return "the hotkey is registered on subnet \(netuid)" + (uid.map { " (UID \($0))" } ?? "")
        case .solve(let error): return error.description
        case .staleWork(let work, let current, let window):
            return "the work on block \(work) is stale at block \(current) (the chain takes work fewer than \(window) blocks old)"
        case .attemptsExhausted(let attempts, let last): return "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"); last: \(last)"
        case .chain(let error): return error.description
        case .extrinsic(let error): return error.description
        case .noUID(let block): return "registered in block \(block.hex), but its UID could not be read"
        }
    }
}

/// A registration that went through.
public struct RegistrationReceipt: Sendable, Equatable {
    public let netuid: UInt16
    public let hotkey: Bytes32
    public let uid: UInt16
    /// The block that included the extrinsic (finalized when the registrar waited for finality).
    public let blockHash: Bytes32
    public let extrinsicHash: Bytes32
    public let solution: PoWSolution
    /// 1 for the first try; more when the work had to be mined again.
    public let attempts: Int
}

/// A faucet drip that went through.
public struct FaucetReceipt: Sendable, Equatable {
    public let blockHash: Bytes32
    public let extrinsicHash: Bytes32
    /// The amount minted (rao) as the `Faucet` event gives it, when it does.
    public let amount: UInt128?
    public let solution: PoWSolution
    public let attempts: Int
}

/// A new solve is about to start because the previous attempt could not be used.
public struct RegistrationRetry: Sendable, Equatable {
    /// The attempt about to start (2 … maxAttempts).
    public let attempt: Int
    public let maxAttempts: Int
    /// Why the previous attempt failed.
    public let reason: String
}

/// Registers a hotkey by proof-of-work, end to end: solve (through the given miner, which runs a `PoWCreator`), build
/// `SubtensorModule.pow_register` from the runtime's metadata with a mortal era, sign it with the coldkey's
/// `ExtrinsicSigner`, submit and watch it, and read the UID from its events. Work that went stale, or that the chain
/// refuses as `InvalidWorkBlock`, is mined again, up to `maxAttempts` solves. The same for `faucet`.
public final class PoWRegistrar: Sendable {
    /// Solves one attempt's request: typically a `PoWCreator` over the registrar's client with the caller's workers
    /// and display. A `CreatePoWError` ends the registration as `RegistrationError.solve`; any other error is rethrown.
    public typealias Miner = (_ request: CreatePoWRequest, _ attempt: Int) async throws -> CreatePoWOutcome

    public let client: SubtensorClient
    public let signer: any ExtrinsicSigner
    public let waitFor: SubtensorClient.Inclusion
    public let maxAttempts: Int
    /// Work counts as stale once the including block is this many blocks past the work block: 3, the strictest
    /// window a chain has used for `pow_register` and the faucet's.
    public let workWindow: UInt64
    public let updateInterval: UInt64
    let logger: Logger

    public init(client: SubtensorClient, signer: any ExtrinsicSigner, waitFor: SubtensorClient.Inclusion = .finalized,
                maxAttempts: Int = 3, workWindow: UInt64 = 3, updateInterval: UInt64 = 50_000,
                logger: Logger = Logger(label: "btpow.register")) {
        self.client = client
        self.signer = signer
        self.waitFor = waitFor
        self.maxAttempts = max(1, maxAttempts)
        self.workWindow = max(1, workWindow)
        self.updateInterval = updateInterval
        self.logger = logger
    }

    /// The request each registration attempt solves: v1 work over the hotkey and the signer (the coldkey), the chain's
    /// rule, this registrar's freshness window.
    public func registrationRequest(netuid: UInt16, hotkey: Bytes32) -> CreatePoWRequest {
        CreatePoWRequest(netuid: Int(netuid), hotkey: hotkey, coldkey: signer.publicKey, scheme: .v1,
                         updateInterval: updateInterval, staleAfterBlocks: workWindow)
    }

    /// The request each faucet attempt solves: legacy work over the signer at the faucet's difficulty.
    public func faucetRequest() -> CreatePoWRequest {
        CreatePoWRequest(netuid: CreatePoWRequest.faucetNetuid, hotkey: signer.publicKey, coldkey: signer.publicKey,
                         scheme: .legacy, updateInterval: updateInterval, staleAfterBlocks: workWindow)
    }

    /// Solves, signs, submits and waits; returns the UID. Throws `RegistrationError` (or what the miner threw).
    /// `onSubmit` gets each extrinsic's hash as it goes to the node (from then on it may be included whatever happens
    /// to this process); `onStatus` its statuses.
    public func register(netuid: UInt16, hotkey: Bytes32, mine: Miner,
                         onRetry: @Sendable (RegistrationRetry) -> Void = { _ in },
                         onSubmit: @Sendable (Bytes32) -> Void = { _ in },
                         onStatus: @Sendable (TransactionStatus) -> Void = { _ in }) async throws -> RegistrationReceipt {
        let runtime = try await Runtime.read(client)
        let request = registrationRequest(netuid: netuid, hotkey: hotkey)
        return try await attempts(request: request, mine: mine, onRetry: onRetry, alreadyRegistered: { [client] in
            if let uid = try? await client.uid(netuid: netuid, hotkey: hotkey) { return .alreadyRegistered(netuid: netuid, uid: uid) }
            return nil
        }) { solution, attempt in
            let arguments = Self.powRegisterArguments(netuid: netuid, hotkey: hotkey, solution: solution)
            let (block, extrinsic, events) = try await self.submit(call: "pow_register", arguments: arguments, solution: solution,
                                                                   request: request, runtime: runtime, onSubmit: onSubmit, onStatus: onStatus) { failure in
                failure.name == "HotKeyAlreadyRegisteredInSubNet" ? .alreadyRegistered(netuid: netuid, uid: nil) : nil
            }
            let uid = try await self.uid(netuid: netuid, hotkey: hotkey, events: events, block: block)
            return RegistrationReceipt(netuid: netuid, hotkey: hotkey, uid: uid, blockHash: block, extrinsicHash: extrinsic,
                                       solution: solution, attempts: attempt)
        } mapPool: { name in
            name == "HotKeyAlreadyRegisteredInSubNet" ? .alreadyRegistered(netuid: netuid, uid: nil) : nil
        }
    }

    /// One faucet drip: legacy work over the signer, `SubtensorModule.faucet(block_number, nonce, work)`.
    public func faucet(mine: Miner, onRetry: @Sendable (RegistrationRetry) -> Void = { _ in },
                       onSubmit: @Sendable (Bytes32) -> Void = { _ in },
                       onStatus: @Sendable (TransactionStatus) -> Void = { _ in }) async throws -> FaucetReceipt {
        let runtime = try await Runtime.read(client)
        let request = faucetRequest()
        return try await attempts(request: request, mine: mine, onRetry: onRetry, alreadyRegistered: { nil }) { solution, attempt in
            let arguments: [String: ScaleValue] = [
                "block_number": .uint(UInt128(solution.blockNumber)), "nonce": .uint(UInt128(solution.nonce)),
                "work": .bytes(solution.seal.bytes),
            ]
            let (block, extrinsic, events) = try await self.submit(call: "faucet", arguments: arguments, solution: solution,
                                                                   request: request, runtime: runtime, onSubmit: onSubmit, onStatus: onStatus) { _ in nil }
            var amount: UInt128?
            if let event = events.first(where: { $0.pallet == "SubtensorModule" && $0.name == "Faucet" }),
               case .uint(let value)? = event.field(1) ?? event.field("amount") {
                amount = value
            }
            return FaucetReceipt(blockHash: block, extrinsicHash: extrinsic, amount: amount, solution: solution, attempts: attempt)
        } mapPool: { _ in nil }
    }

    /// The free balance of `account` (System.Account's `data.free`), decoded by the runtime's metadata.
    public func freeBalance(_ account: Bytes32) async throws(RegistrationError) -> UInt128 {
        let metadata: RuntimeMetadata
        do { metadata = try await client.runtimeMetadata() } catch { throw .chain(error) }
        return try await client.freeBalance(account, metadata: metadata)
    }

    // MARK: Attempts

    /// What signing needs from the chain once per run.
    struct Runtime: Sendable {
        let metadata: RuntimeMetadata
        let version: RuntimeVersion
        let genesis: Bytes32

        static func read(_ client: SubtensorClient) async throws(RegistrationError) -> Runtime {
            do {
                return Runtime(metadata: try await client.runtimeMetadata(), version: try await client.runtimeVersion(),
                               genesis: try await client.genesisHash())
            } catch { throw .chain(error) }
        }
    }

    private func attempts<Receipt>(
        request: CreatePoWRequest, mine: Miner, onRetry: @Sendable (RegistrationRetry) -> Void,
        alreadyRegistered: @Sendable () async -> RegistrationError?,
        use: (PoWSolution, Int) async throws -> Receipt,
        mapPool: @Sendable (String?) -> RegistrationError?
    ) async throws -> Receipt {
        var last = ""
        for attempt in 1 ... maxAttempts {
            // Cancelled (Ctrl-C in the CLI): no new solve.
            try Task.checkCancellation()
            if attempt > 1 { onRetry(RegistrationRetry(attempt: attempt, maxAttempts: maxAttempts, reason: last)) }
            let outcome: CreatePoWOutcome
            do { outcome = try await mine(request, attempt) } catch let error as CreatePoWError { throw RegistrationError.solve(error) }
            guard case .solved(let solution) = outcome else {
                throw await alreadyRegistered() ?? RegistrationError.alreadyRegistered(netuid: UInt16(truncatingIfNeeded: request.netuid), uid: nil)
            }
            do {
                return try await use(solution, attempt)
            } catch let error as RegistrationError {
                if case .poolRefused(let name, _) = error, let mapped = mapPool(name) {
                    throw await alreadyRegistered() ?? mapped
                }
                guard error.isRetryable, !Task.isCancelled else { throw error }
                // Another submitter (another machine mining for the same hotkey) may have won meanwhile.
                if let registered = await alreadyRegistered() { throw registered }
                logger.info("registration attempt failed; mining again", metadata: ["attempt": "\(attempt)", "reason": "\(error)"])
                last = error.description
            }
        }
        throw RegistrationError.attemptsExhausted(attempts: maxAttempts, last: last)
    }

    /// Signs and submits `SubtensorModule.<call>` for `solution`, waits for `waitFor`, and returns the including block,
    /// the extrinsic's hash and its events. `mapFailure` turns a dispatch failure into a more telling error.
    private func submit(call: String, arguments: [String: ScaleValue], solution: PoWSolution, request: CreatePoWRequest,
                        runtime: Runtime, onSubmit: @Sendable (Bytes32) -> Void, onStatus: @Sendable (TransactionStatus) -> Void,
                        mapFailure: (DispatchFailure) -> RegistrationError?) async throws(RegistrationError)
        -> (block: Bytes32, extrinsic: Bytes32, events: [EventRecord]) {
        // Two round trips: the head and the account's next nonce together, then the era's birth hash.
        let head: UInt64, nonce: UInt64
        async let headRead = Self.result { () async throws(ChainError) in try await self.client.currentBlock() }
        async let nonceRead = Self.result { () async throws(ChainError) in
            try await self.client.accountNextIndex(SS58.encode(publicKey: self.signer.publicKey))
        }
        do {
            head = try await headRead.get()
            nonce = try await nonceRead.get()
        } catch { throw .chain(error) }
        // The block that would include it is at least head + 1.
        if request.isStale(solution, currentBlock: head + 1) {
            throw .staleWork(workBlock: solution.blockNumber, currentBlock: head + 1, window: workWindow)
        }
        let era = Era.registration(currentBlock: head)
        let birthHash: Bytes32
        do { birthHash = try await client.blockHash(era.birth(currentBlock: head)) } catch { throw .chain(error) }
        let parameters = SigningParameters(specVersion: runtime.version.specVersion, transactionVersion: runtime.version.transactionVersion,
                                           genesisHash: runtime.genesis, era: era, eraBirthHash: birthHash, nonce: nonce)
        let signed: SignedExtrinsic
        do { signed = try Self.signedExtrinsic(call: call, arguments: arguments, metadata: runtime.metadata,
                                               parameters: parameters, signer: signer) } catch { throw .extrinsic(error) }
        logger.debug("submitting", metadata: ["call": "\(call)", "extrinsic": "\(signed.hash.hex)", "nonce": "\(nonce)",
                                              "work_block": "\(solution.blockNumber)", "head": "\(head)"])
        let block: Bytes32, outcome: ExtrinsicOutcome
        onSubmit(signed.hash)
        do {
            (block, outcome) = try await client.submitAndWait(signed, metadata: runtime.metadata, until: waitFor, onStatus: onStatus)
        } catch {
            if case .pool(let rejection) = error {
                throw .poolRefused(name: rejection.customError.flatMap(SubtensorTransactionError.name), rejection)
            }
            guard case .rpc(.connectionClosed) = error else { throw .chain(error) }
            // The node went away while watching: the extrinsic may still be included. Look for it in the blocks after
            // `head` until its work is stale; not found, it counts as not included (mined again).
            logger.warning("the node dropped the extrinsic's watch; looking for it on chain", metadata: ["extrinsic": "\(signed.hash.hex)"])
            guard let found = await findIncluded(signed.hash, after: head, solution: solution, request: request,
                                                 metadata: runtime.metadata) else {
                throw .chain(.notIncluded("the node dropped the watch and the extrinsic did not appear on chain"))
            }
            (block, outcome) = found
        }
        switch outcome {
        case .success(let events): return (block, signed.hash, events)
        case .failed(let failure, _): throw mapFailure(failure) ?? .dispatchFailed(failure)
        }
    }

    /// A read's value or its typed error (`async let` would lose the error's type).
    private static func result<T>(_ read: () async throws(ChainError) -> T) async -> Result<T, ChainError> {
        do { return .success(try await read()) } catch { return .failure(error) }
    }

    /// `SubtensorModule.<call>` built from the runtime's metadata and signed: all the work between the last freshness
    /// check and the submission (`btpow bench --register-latency` times it).
    package static func signedExtrinsic(call: String, arguments: [String: ScaleValue], metadata: RuntimeMetadata,
                                        parameters: SigningParameters, signer: any ExtrinsicSigner) throws(ExtrinsicError) -> SignedExtrinsic {
        let unsigned = try ExtrinsicBuilder(metadata: metadata).prepare(
            pallet: "SubtensorModule", call: call, arguments: arguments, parameters: parameters)
        return try unsigned.signed(signer: signer.publicKey, signature: signer.sign(unsigned.signingPayload))
    }

    /// `pow_register`'s arguments for `solution` (its v1 work over `hotkey`).
    package static func powRegisterArguments(netuid: UInt16, hotkey: Bytes32, solution: PoWSolution) -> [String: ScaleValue] {
        ["netuid": .uint(UInt128(netuid)), "work_block": .uint(UInt128(solution.blockNumber)),
         "nonce": .uint(UInt128(solution.nonce)), "work": .bytes(solution.seal.bytes), "hotkey": .bytes(hotkey.bytes)]
    }

    /// The block after `head` that holds `extrinsic`, and its outcome, looked for while the chain could still include
    /// the work (until it would be stale) or for a minute at most; nil when it never appears. Read failures (a node
    /// reconnecting) are waited out.
    private func findIncluded(_ extrinsic: Bytes32, after head: UInt64, solution: PoWSolution, request: CreatePoWRequest,
                              metadata: RuntimeMetadata) async -> (Bytes32, ExtrinsicOutcome)? {
        let deadline = ContinuousClock.now + .seconds(60)
        var next = head + 1
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if let current = try? await client.currentBlock() {
                while next <= current {
                    guard let hash = try? await client.blockHash(next), let contents = try? await client.block(hash) else { break }
                    if contents.index(of: extrinsic) != nil,
                       let outcome = try? await client.extrinsicOutcome(extrinsic, inBlock: hash, metadata: metadata) {
                        return (hash, outcome)
                    }
                    next += 1
                }
                // Past the block that could last include the work: it will not appear any more.
                if request.isStale(solution, currentBlock: next) { return nil }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    /// The UID from this registration's `NeuronRegistered(netuid, uid, hotkey)`, else `Uids(netuid, hotkey)` at `block`.
    private func uid(netuid: UInt16, hotkey: Bytes32, events: [EventRecord], block: Bytes32) async throws(RegistrationError) -> UInt16 {
        for event in events where event.pallet == "SubtensorModule" && event.name == "NeuronRegistered" {
            let key = event.field(2) ?? event.field("hotkey")
            if let key, case .bytes(let bytes) = key, bytes != hotkey.bytes { continue }
            if case .uint(let uid)? = event.field(1) ?? event.field("uid"), uid <= UInt16.max { return UInt16(uid) }
        }
        let stored: UInt16?
        do { stored = try await client.uid(netuid: netuid, hotkey: hotkey, at: block) } catch { throw .chain(error) }
        guard let stored else { throw .noUID(block: block) }
        return stored
    }
}

extension SubtensorClient {
    /// `System.Account(account).data.free`, located and decoded through `metadata` (0 when nothing is stored).
    public func freeBalance(_ account: Bytes32, metadata: RuntimeMetadata, at block: Bytes32? = nil) async throws(RegistrationError) -> UInt128 {
        let entry: StorageEntry, prefix: String
        do {
            entry = try metadata.storageEntry(pallet: "System", entry: "Account")
            prefix = try metadata.pallet(named: "System").storage?.prefix ?? "System"
        } catch { throw .extrinsic(.metadata(error)) }
        guard case .map(let hashers, _, let valueType) = entry.kind, hashers == [.blake2_128Concat] else {
            throw .extrinsic(.unexpectedEventShape("System.Account is not a Blake2_128Concat map"))
        }
        let key = Twox.hash128(prefix) + Twox.hash128("Account") + blake2b128(account.bytes) + account.bytes
        let bytes: [UInt8]
        do { bytes = try await storage(key, at: block) ?? entry.defaultValue } catch { throw .chain(error) }
        if bytes.isEmpty { return 0 }
        let value: ScaleValue
        do { value = try ValueDecoder(types: metadata.types).decode(bytes, as: valueType, path: "System.Account") } catch {
            throw .extrinsic(error)
        }
        guard case .fields(let info) = value, case .fields(let data)? = info["data"], case .uint(let free)? = data["free"] else {
            throw .extrinsic(.unexpectedEventShape("System.Account has no data.free"))
        }
        return free
    }
}
