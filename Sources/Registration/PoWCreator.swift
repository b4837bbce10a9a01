import ChainCodec
import Logging
import PoWCore
import PoWSolver
import Subtensor
import Synchronization

/// What to register for. `netuid == -1` is the faucet: legacy work over the coldkey at a fixed
/// difficulty of 1,000,000 (docs/chain-facts.md, "Registering: what the chain checks").
public struct CreatePoWRequest: Sendable {
    public static let faucetNetuid = -1
    public static let faucetDifficulty: UInt64 = 1_000_000

    public var netuid: Int
    public var hotkey: Bytes32
    public var coldkey: Bytes32?
    public var scheme: ChallengeScheme
    /// The rule solutions must meet. Default: the chain's (little-endian, `<=`) for both schemes,
    /// because a chain checks legacy work that way too since 2025-05-30 (subtensor GitHub issue #1974);
    /// the big-endian rule of bittensor's Python reference stays available for offline use and older chains.
    public var rule: DifficultyRule
    public var updateInterval: UInt64
    /// Work is stale once the block that would include it is this many blocks past the work block (nil: the
    /// scheme's own window, `ChallengeScheme.staleAfterBlocks`). `btpow register` uses 3, the strictest window a
    /// chain has used for `pow_register`.
    public var staleAfterBlocks: UInt64?

    public init(netuid: Int, hotkey: Bytes32, coldkey: Bytes32?, scheme: ChallengeScheme,
                rule: DifficultyRule? = nil, updateInterval: UInt64 = 50_000, staleAfterBlocks: UInt64? = nil) {
        self.netuid = netuid
        self.hotkey = hotkey
        self.coldkey = coldkey
        self.scheme = scheme
        self.rule = rule ?? .chainLittleEndian
        self.updateInterval = updateInterval
        self.staleAfterBlocks = staleAfterBlocks.map { max(1, $0) }
    }

    /// Whether `solution` is stale when judged at block `current` under this request's window.
    public func isStale(_ solution: PoWSolution, currentBlock current: UInt64) -> Bool {
        guard let window = staleAfterBlocks else { return solution.isStale(currentBlock: current) }
        guard current > solution.blockNumber else { return false }
        return current - solution.blockNumber >= window
    }

    public var isFaucet: Bool { netuid == Self.faucetNetuid }
}

public enum CreatePoWOutcome: Sendable, Equatable {
    case solved(PoWSolution)
    /// The hotkey is registered on the subnet (found before or during the solve); nothing to do.
    case alreadyRegistered
}

public enum CreatePoWError: Error, Equatable, CustomStringConvertible {
    case subnetMissing(Int)
    case invalidNetuid(Int, ChallengeScheme)
    case coldkeyRequired(String)
    case powRegistrationNotAllowed(Int)
    case stopped
    /// Every worker failed (e.g. the GPU); their errors.
    case workersFailed([String])
    /// The chain could not be read: a query failed, or following new heads failed too often in a row.
    case chain(String)
    /// The task running the solve was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .subnetMissing(let n): return "Subnet \(n) does not exist"
        case .invalidNetuid(let n, let scheme): return "netuid \(n) is not valid for the \(scheme.rawValue) scheme"
                + (scheme == .v1 ? " (1…65535)" : " (-1 for the faucet, or 1…65535; 0 is the root network, which takes no proof-of-work)")
        case .coldkeyRequired(let why): return "a coldkey is required: \(why)"
        case .powRegistrationNotAllowed(let n): return "PoW registration is not enabled on subnet \(n)"
        case .stopped: return "the solve was stopped before a solution was found"
        case .workersFailed(let errors): return "every worker failed: " + errors.joined(separator: "; ")
        case .chain(let what): return "chain error: \(what)"
        case .cancelled: return "cancelled"
        }
    }
}

/// bittensor's Python `create_pow`: reads the block, difficulty and registration state, solves while
/// following new heads (the challenge swapped within one batch, difficulty refreshed), stops when
/// the hotkey gets registered, and never returns work that is stale by the time it returns.
public final class PoWCreator: Sendable {
    public let request: CreatePoWRequest
    public let engine: SolverEngine
    private let chain: any RegistrationChain
    private let logger: Logger
    private let tracker: Mutex<StatisticsTracker?> = Mutex(nil)
    private let registeredDuringSolve = Atomic<Bool>(false)
    private let followerFailure = Mutex<FollowFailure?>(nil)
    /// When the follower last saw a head (nil: none yet).
    private let lastHeadAt = Mutex<ContinuousClock.Instant?>(nil)
    /// How recent the follower's newest head must be to stand in for the chain when the final check cannot
    /// read the chain (about one block).
    private let headRecentEnough: Duration = .seconds(12)
    /// Blocks from the head a solution is checked at to the first block that can include its extrinsic
    /// (the chain judges freshness in the block that executes it, not in the head it was sent at).
    public let inclusionMargin: UInt64
    /// Failures in a row after which the new-head follower gives up and ends the run.
    public let maxFollowFailures: Int
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    /// `searchers`: the workers to run (CPU kernels, GPUs); `SolverEngine` owns their threads.
    public init(chain: any RegistrationChain, request: CreatePoWRequest, searchers: [any NonceSearcher],
                logger: Logger = Logger(label: "btpow.create-pow"),
                inclusionMargin: UInt64 = 1, maxFollowFailures: Int = 5) {
        self.chain = chain
        self.request = request
        self.engine = SolverEngine(searchers: searchers, configuration: .init(updateInterval: request.updateInterval), logger: logger)
        self.logger = logger
        self.inclusionMargin = inclusionMargin
        self.maxFollowFailures = max(1, maxFollowFailures)
        self.origin = clock.now
    }

    private var now: Double { (clock.now - origin) / .seconds(1) }

    /// The solve's statistics as of now (nil before it starts): a caller samples them to show progress.
    public var statistics: RegistrationStatistics? {
        tracker.withLock { t in t?.update(progress: engine.progress, now: now) }
    }

    private var netuid16: UInt16 { UInt16(truncatingIfNeeded: request.netuid) }

    /// The key the legacy challenge hashes: the coldkey for the faucet, else the hotkey.
    private func legacyKey() throws -> Bytes32 {
        if request.isFaucet {
            guard let coldkey = request.coldkey else { throw CreatePoWError.coldkeyRequired("the faucet (netuid -1) hashes the coldkey") }
            return coldkey
        }
        return request.hotkey
    }

    private func validate() throws {
        switch request.scheme {
        case .legacy:
            guard request.isFaucet || (1 ... 65535).contains(request.netuid) else { throw CreatePoWError.invalidNetuid(request.netuid, .legacy) }
            _ = try legacyKey()
        case .v1:
            guard (1 ... 65535).contains(request.netuid) else { throw CreatePoWError.invalidNetuid(request.netuid, .v1) }
            guard request.coldkey != nil else { throw CreatePoWError.coldkeyRequired("the v1 challenge includes the coldkey") }
        }
    }

    /// The work for block `number` with hash `hash`, reading the difficulty the chain applies now.
    private func work(number: UInt64, hash: Bytes32, difficulty known: UInt64? = nil) async throws -> SolverWork {
        switch request.scheme {
        case .legacy:
            let difficulty: UInt64
            if request.isFaucet { difficulty = CreatePoWRequest.faucetDifficulty }
            else if let known { difficulty = known }
            else { difficulty = try await chain.difficulty(netuid: netuid16) }
            return SolverWork(challenge: .legacy(LegacyChallenge(blockHash: hash, hotkey: try legacyKey())),
                              difficulty: difficulty, rule: request.rule, blockNumber: number, blockHash: hash)
        case .v1:
            let difficulty = try await chain.v1Difficulty(netuid: netuid16)
            return SolverWork(challenge: .v1(V1Challenge(netuid: netuid16, blockHash: hash, hotkey: request.hotkey, coldkey: request.coldkey!)),
                              difficulty: difficulty, rule: request.rule, blockNumber: number, blockHash: hash)
        }
    }

    private func isRegistered() async throws -> Bool {
        guard !request.isFaucet else { return false }
        return try await chain.isHotkeyRegistered(netuid: netuid16, hotkey: request.hotkey)
    }

    /// Moves the workers to `head` if it is newer than their work (compare and swap in one step, so the
    /// follower and the stale-solution path cannot move them back to an older block).
    private func follow(_ head: NewHead) async throws {
        guard let current = engine.currentWork else { return }
        guard head.number > current.blockNumber else {
            // A head that is not newer: a reconnect (the node may be another chain now) or a reorganization.
            // Work on a block the live chain does not have can never be accepted: move to this head.
            guard try await !isOnChain(number: current.blockNumber, hash: current.blockHash) else { return }
            let next = try await work(number: head.number, hash: head.hash)
            engine.update(next)
            tracker.withLock { $0?.newWork(next) }
            logger.warning("the chain no longer has the block the work was on; solving on its head",
                           metadata: ["work_block": "\(current.blockNumber)", "head": "\(head.number)"])
            return
        }
        let next = try await work(number: head.number, hash: head.hash)
        guard engine.updateIfNewer(next) else { return }
        tracker.withLock { $0?.newWork(next) }
        logger.debug("new block", metadata: ["block": "\(head.number)", "difficulty": "\(next.difficulty)"])
    }

    /// Whether the chain's block `number` has `hash` (false when the chain has no such block yet). A failed read
    /// is thrown, not taken for an answer.
    private func isOnChain(number: UInt64, hash: Bytes32?) async throws -> Bool {
        guard let hash else { return true }
        do { return try await chain.blockHash(number) == hash } catch let error as ChainError {
            if case .noBlockHash = error { return false }
            throw error
        }
    }

    /// Follows new heads until cancelled: swaps the challenge, refreshes the difficulty and stops the engine
    /// when the hotkey gets registered. A failed query skips that head (the next one retries); an ended or
    /// failed subscription is renewed with backoff. After `maxFollowFailures` failures in a row the engine is
    /// stopped and the error kept, so the run ends with it instead of hashing an old block unnoticed.
    private func followHeads() async {
        var failures = 0
        func failed(_ error: any Error, _ what: String) -> Bool {
            failures += 1
            logger.warning("\(what) failed; following on", metadata: ["attempt": "\(failures)", "error": "\(error)"])
            guard failures >= maxFollowFailures else { return false }
            followerFailure.withLock { $0 = FollowFailure(description: "following the chain failed \(failures) times in a row; last: \(error)") }
            engine.stop()
            return true
        }
        while !Task.isCancelled {
            do {
                for try await head in chain.newHeads() {
                    lastHeadAt.withLock { $0 = clock.now }
                    do {
                        try await follow(head)
                        if try await isRegistered() {
                            registeredDuringSolve.store(true, ordering: .releasing)
                            engine.stop()
                            return
                        }
                        failures = 0
                    } catch {
                        if Task.isCancelled { return }
                        if failed(error, "following block \(head.number)") { return }
                    }
                }
                if Task.isCancelled { return }
                if failed(FollowFailure(description: "the subscription ended"), "the new-head subscription") { return }
            } catch {
                if Task.isCancelled { return }
                if failed(error, "the new-head subscription") { return }
            }
            // Backoff before subscribing again: 1, 2, 4 … seconds.
            do { try await Task.sleep(for: .seconds(1 << min(failures - 1, 4))) } catch { return }
        }
    }

    /// The head number for the final freshness check, with the retry policy of bittensor's Python reference. If the node cannot be read,
    /// the newest head the follower saw stands in, but only if it came within about a block (the work is not
    /// thrown away over one failed request); a node that went quiet ends the run with the error instead.
    private func currentBlockForCheck() async throws -> UInt64 {
        let lastError: any Error
        do { return try await withRetries { try await chain.currentBlock() } } catch {
            try Task.checkCancellation()
            lastError = error
        }
        if let failure = followerFailure.withLock({ $0 }) { throw failure }
        guard let known = engine.currentWork?.blockNumber, let seen = lastHeadAt.withLock({ $0 }),
              clock.now - seen < headRecentEnough else { throw lastError }
        logger.warning("cannot read the current block; judging freshness by the newest head seen",
                       metadata: ["block": "\(known)", "error": "\(lastError)"])
        return known
    }

    /// `read`, tried 3 times 1 s apart (the retry policy of bittensor's Python reference); the last error is thrown.
    private func withRetries<T: Sendable>(_ read: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await read() } catch {
                try Task.checkCancellation()
                if attempt == 3 { throw error }
                attempt += 1
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Why a solution cannot be returned now, or nil if it can: stale by the time its extrinsic can land
    /// (`inclusionMargin` blocks after `head`), or not meeting the difficulty the chain holds now (the
    /// follower refreshes it each block; a solution found just before a rise would be refused).
    private func rejection(of solution: PoWSolution, head: UInt64) -> String? {
        if request.isStale(solution, currentBlock: head + inclusionMargin) {
            return "stale at block \(head + inclusionMargin) (work block \(solution.blockNumber))"
        }
        if let latest = engine.currentWork, latest.difficulty > solution.difficulty,
           !SealTarget(rule: solution.rule, difficulty: latest.difficulty).accepts(solution.seal) {
            return "the difficulty rose to \(latest.difficulty) (solved at \(solution.difficulty))"
        }
        return nil
    }

    /// Solves until a solution that is fresh on the chain, or until the hotkey is registered. Every failure is a
    /// `CreatePoWError`: what the caller did wrong, what the chain said, or that the workers failed.
    public func run() async throws(CreatePoWError) -> CreatePoWOutcome {
        do {
            return try await solve()
        } catch let error as CreatePoWError {
            throw error
        } catch {
            if error is CancellationError || Task.isCancelled { throw .cancelled }
            throw .chain("\(error)")
        }
    }

    private func solve() async throws -> CreatePoWOutcome {
        try validate()
        if !request.isFaucet {
            guard try await chain.subnetExists(netuid: netuid16) else { throw CreatePoWError.subnetMissing(request.netuid) }
            if request.scheme == .v1, !(try await chain.powRegistrationAllowed(netuid: netuid16)) {
                throw CreatePoWError.powRegistrationNotAllowed(request.netuid)
            }
        }
        if try await isRegistered() { return .alreadyRegistered }

        let block = try await chain.blockWithRetry(netuid: netuid16)
        let first = try await work(number: block.number, hash: block.hash,
                                   difficulty: request.scheme == .legacy ? block.difficulty : nil)
        tracker.withLock { $0 = StatisticsTracker(work: first, now: now) }
        try engine.start(first)
        // Not waiting for the workers to finish their batch: the caller gets the solution a batch sooner.
        defer { engine.requestStop() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in await followHeads() }
            defer { group.cancelAll() }
            while true {
                let found = await withTaskCancellationHandler {
                    await engine.nextSolution()
                } onCancel: { [engine] in
                    Task.detached { engine.stop() }
                }
                try Task.checkCancellation()
                guard let solution = found else {
                    if registeredDuringSolve.load(ordering: .acquiring) { return .alreadyRegistered }
                    if let failure = followerFailure.withLock({ $0 }) { throw failure }
                    let errors = engine.workerErrors
                    throw errors.isEmpty ? CreatePoWError.stopped : CreatePoWError.workersFailed(errors)
                }
                // Judged first against the newest head the follower has seen (no round trip), then against the chain.
                if let known = engine.currentWork?.blockNumber, rejection(of: solution, head: known) != nil { continue }
                let head = try await currentBlockForCheck()
                // Behind the chain's head? Move to it first, so the difficulty judged is the chain's now.
                if let known = engine.currentWork?.blockNumber, head > known {
                    do { try await follow(NewHead(number: head, hash: try await chain.blockHash(head))) } catch {
                        try Task.checkCancellation()
                        logger.warning("reading block \(head) failed; judging by block \(known)", metadata: ["error": "\(error)"])
                    }
                }
                guard let reason = rejection(of: solution, head: head) else {
                    // The last check: the live chain must have the very block the work was done on (a node that
                    // restarted or reorganized since would refuse it).
                    if try await withRetries({ try await isOnChain(number: solution.blockNumber, hash: solution.blockHash) }) {
                        return .solved(solution)
                    }
                    logger.warning("dropped a solution for a block the live chain does not have; solving on its head",
                                   metadata: ["work_block": "\(solution.blockNumber)"])
                    try await follow(NewHead(number: head, hash: try await withRetries { try await chain.blockHash(head) }))
                    continue
                }
                logger.info("dropped a solution; solving on", metadata: ["reason": "\(reason)", "work_block": "\(solution.blockNumber)"])
            }
        }
    }
}

/// The new-head follower gave up (the node kept failing): the run ends with this error.
struct FollowFailure: Error, CustomStringConvertible, Sendable {
    let description: String
}
