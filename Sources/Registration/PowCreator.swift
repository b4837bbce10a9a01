import Logging
import PoWCore
import PoWSolver
import Subtensor
import Synchronization

/// What to register for. `netuid == -1` is the faucet: legacy work over the coldkey at a fixed
/// difficulty of 1,000,000 (REFERENCE.md section 4).
public struct CreatePowRequest: Sendable {
    public static let faucetNetuid = -1
    public static let faucetDifficulty: UInt64 = 1_000_000

    public var netuid: Int
    public var hotkey: Bytes32
    public var coldkey: Bytes32?
    public var scheme: ChallengeScheme
    /// The rule solutions must meet. Default: the chain's (little-endian, `<=`) for both schemes,
    /// because a chain checks legacy work that way too since 2025-05-30 (subtensor #1974); the
    /// seed's big-endian rule stays available for offline use and older chains.
    public var rule: DifficultyRule
    public var updateInterval: UInt64

    public init(netuid: Int, hotkey: Bytes32, coldkey: Bytes32?, scheme: ChallengeScheme,
                rule: DifficultyRule? = nil, updateInterval: UInt64 = 50_000) {
        self.netuid = netuid
        self.hotkey = hotkey
        self.coldkey = coldkey
        self.scheme = scheme
        self.rule = rule ?? .chainLittleEndian
        self.updateInterval = updateInterval
    }

    public var isFaucet: Bool { netuid == Self.faucetNetuid }
}

public enum CreatePowOutcome: Sendable, Equatable {
    case solved(POWSolution)
    /// The hotkey is registered on the subnet (found before or during the solve); nothing to do.
    case alreadyRegistered
}

public enum CreatePowError: Error, Equatable, CustomStringConvertible {
    case subnetMissing(Int)
    case invalidNetuid(Int, ChallengeScheme)
    case coldkeyRequired(String)
    case powRegistrationNotAllowed(Int)
    case stopped

    public var description: String {
        switch self {
        case .subnetMissing(let n): return "Subnet \(n) does not exist"
        case .invalidNetuid(let n, let scheme): return "netuid \(n) is not valid for the \(scheme.rawValue) scheme"
                + (scheme == .v1 ? " (1…65535)" : " (-1 for the faucet, or 0…65535)")
        case .coldkeyRequired(let why): return "a coldkey is required: \(why)"
        case .powRegistrationNotAllowed(let n): return "PoW registration is not enabled on subnet \(n)"
        case .stopped: return "the solve was stopped before a solution was found"
        }
    }
}

/// The seed's `create_pow`: reads the block, difficulty and registration state, solves while
/// following new heads (the challenge swapped within one batch, difficulty refreshed), stops when
/// the hotkey gets registered, and never returns work that is stale by the time it returns.
public final class PowCreator: @unchecked Sendable {
    public let request: CreatePowRequest
    public let engine: SolverEngine
    private let chain: any RegistrationChain
    private let logger: Logger
    private let onStatistics: @Sendable (RegistrationStatistics) -> Void
    private let statisticsInterval: Duration
    private let tracker: Mutex<StatisticsTracker?> = Mutex(nil)
    private let registeredDuringSolve = Atomic<Bool>(false)
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    /// `searchers`: the workers to run (CPU kernels, GPUs); `SolverEngine` owns their threads.
    public init(chain: any RegistrationChain, request: CreatePowRequest, searchers: [any NonceSearcher],
                logger: Logger = Logger(label: "btpow.create-pow"),
                statisticsInterval: Duration = .milliseconds(250),
                onStatistics: @escaping @Sendable (RegistrationStatistics) -> Void = { _ in }) {
        self.chain = chain
        self.request = request
        self.engine = SolverEngine(searchers: searchers, configuration: .init(updateInterval: request.updateInterval), logger: logger)
        self.logger = logger
        self.onStatistics = onStatistics
        self.statisticsInterval = statisticsInterval
        self.origin = clock.now
    }

    private var now: Double { (clock.now - origin) / .seconds(1) }

    /// Numbers the display shows, as of now.
    public var statistics: RegistrationStatistics? {
        tracker.withLock { t in t?.update(progress: engine.progress, now: now) }
    }

    private var netuid16: UInt16 { UInt16(truncatingIfNeeded: request.netuid) }

    /// The key the legacy challenge hashes: the coldkey for the faucet, else the hotkey.
    private func legacyKey() throws -> Bytes32 {
        if request.isFaucet {
            guard let coldkey = request.coldkey else { throw CreatePowError.coldkeyRequired("the faucet (netuid -1) hashes the coldkey") }
            return coldkey
        }
        return request.hotkey
    }

    private func validate() throws {
        switch request.scheme {
        case .legacy:
            guard request.isFaucet || (0 ... 65535).contains(request.netuid) else { throw CreatePowError.invalidNetuid(request.netuid, .legacy) }
            _ = try legacyKey()
        case .v1:
            guard (1 ... 65535).contains(request.netuid) else { throw CreatePowError.invalidNetuid(request.netuid, .v1) }
            guard request.coldkey != nil else { throw CreatePowError.coldkeyRequired("the v1 challenge includes the coldkey") }
        }
    }

    /// The work for block `number` with hash `hash`, reading the difficulty the chain applies now.
    private func work(number: UInt64, hash: Bytes32, difficulty known: UInt64? = nil) async throws -> SolverWork {
        switch request.scheme {
        case .legacy:
            let difficulty: UInt64
            if request.isFaucet { difficulty = CreatePowRequest.faucetDifficulty }
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

    /// Moves the workers to `head` if it is newer than their work.
    private func follow(_ head: NewHead) async throws {
        guard let current = engine.currentWork, head.number > current.blockNumber else { return }
        let next = try await work(number: head.number, hash: head.hash)
        guard let latest = engine.currentWork, head.number > latest.blockNumber else { return }
        engine.update(next)
        tracker.withLock { $0?.newWork(next) }
        logger.debug("new block", metadata: ["block": "\(head.number)", "difficulty": "\(next.difficulty)"])
    }

    public func run() async throws -> CreatePowOutcome {
        try validate()
        if !request.isFaucet {
            guard try await chain.subnetExists(netuid: netuid16) else { throw CreatePowError.subnetMissing(request.netuid) }
            if request.scheme == .v1, !(try await chain.powRegistrationAllowed(netuid: netuid16)) {
                throw CreatePowError.powRegistrationNotAllowed(request.netuid)
            }
        }
        if try await isRegistered() { return .alreadyRegistered }

        let block = try await chain.blockWithRetry(netuid: netuid16)
        let first = try await work(number: block.number, hash: block.hash,
                                   difficulty: request.scheme == .legacy ? block.difficulty : nil)
        tracker.withLock { $0 = StatisticsTracker(work: first, now: now) }
        engine.start(first)
        defer { engine.stop() }

        return try await withThrowingTaskGroup(of: Void.self) { group in
            // Follow new heads: swap the challenge, refresh difficulty, watch for registration.
            group.addTask { [self] in
                for try await head in chain.newHeads() {
                    try await follow(head)
                    if try await isRegistered() {
                        registeredDuringSolve.store(true, ordering: .releasing)
                        engine.stop()
                        return
                    }
                }
            }
            group.addTask { [self] in
                while !Task.isCancelled {
                    try await Task.sleep(for: statisticsInterval)
                    if let stats = statistics { onStatistics(stats) }
                }
            }
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
                    throw CreatePowError.stopped
                }
                // Work already stale against the newest block we know of needs no chain round trip.
                if let known = engine.currentWork?.blockNumber, solution.isStale(currentBlock: known) { continue }
                // Freshness against the chain, just before returning.
                let current = try await chain.currentBlock()
                if !solution.isStale(currentBlock: current) {
                    if let stats = statistics { onStatistics(stats) }
                    return .solved(solution)
                }
                logger.info("solution went stale; solving on", metadata: ["work_block": "\(solution.blockNumber)", "current": "\(current)"])
                try await follow(NewHead(number: current, hash: try await chain.blockHash(current)))
            }
        }
    }
}
