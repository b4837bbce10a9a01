import Foundation
import Logging
import PoWCore
import Synchronization

/// The multi-threaded solver: one thread per `NonceSearcher`, all reading a shared current work
/// that the owner can replace while they run.
///
/// Threads are owned here: `start` creates them, `stop` ends and joins them (`requestStop` ends them without waiting). Workers look at the
/// shared state only between batches (a generation counter makes the check one atomic load), so a
/// new challenge or a stop reaches every worker within one batch.
// @unchecked: only `searchers` is not Sendable, and each searcher is touched only by the worker thread made for it
// (`SearcherLease` keeps it so across engines that share searchers).
public final class SolverEngine: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// bittensor's `update_interval` (Python reference): nonces per CPU batch between looks at the shared state.
        public var updateInterval: UInt64
        public var nonceMode: NonceMode

        public init(updateInterval: UInt64 = 50_000, nonceMode: NonceMode = .random) {
            self.updateInterval = max(1, updateInterval)
            self.nonceMode = nonceMode
        }
    }

    /// Counters that only grow; statistics sample them.
    public struct Progress: Sendable, Equatable {
        public var noncesHashed: UInt64
        public var batchesFinished: UInt64
        public init(noncesHashed: UInt64, batchesFinished: UInt64) {
            self.noncesHashed = noncesHashed
            self.batchesFinished = batchesFinished
        }
    }

    private struct Shared {
        var work: SolverWork?
        var prepared: PreparedChallenge?
        var solutions: [PoWSolution] = []
        var waiters: [CheckedContinuation<PoWSolution?, Never>] = []
        /// Range mode: the next unclaimed offset in the range, the offset of the lowest batch known to
        /// hold a solution, and that solution.
        var rangeCursor: UInt64 = 0
        var bestBatch: UInt64 = .max
        var bestSolution: PoWSolution?
        var runningWorkers = 0
        var finished = false
        var errors: [String] = []
        /// Between `start` and the end of `stop`: a second `start` is refused.
        var started = false
    }

    public let configuration: Configuration
    private let searchers: [any NonceSearcher]
    private let logger: Logger
    private let shared = Mutex(Shared())
    private let generation = Atomic<UInt64>(0)
    private let stopFlag = Atomic<Bool>(false)
    private let hashed = Atomic<UInt64>(0)
    private let batches = Atomic<UInt64>(0)
    private let exited = DispatchGroup()
    private let perSearcherHashed: [Counter]
    /// The work generation each worker hashes now, so the switch to new work can be observed.
    private let workerGeneration: [Counter]

    public init(searchers: [any NonceSearcher], configuration: Configuration = .init(),
                logger: Logger = Logger(label: "btpow.solver")) {
        precondition(!searchers.isEmpty, "a solver needs at least one worker")
        precondition(Set(searchers.map { ObjectIdentifier($0) }).count == searchers.count,
                     "each worker needs its own searcher: the same searcher object was passed twice")
        self.searchers = searchers
        self.configuration = configuration
        self.logger = logger
        self.perSearcherHashed = searchers.map { _ in Counter() }
        self.workerGeneration = searchers.map { _ in Counter() }
    }

    /// `threads` CPU workers running `kernel`.
    public convenience init(kernel: any SealKernel, threads: Int, configuration: Configuration = .init(),
                            logger: Logger = Logger(label: "btpow.solver")) {
        let searchers: [any NonceSearcher] = (0 ..< max(1, threads)).map { _ in KernelSearcher(kernel: kernel) }
        self.init(searchers: searchers, configuration: configuration, logger: logger)
    }

    public var workerLabels: [String] { searchers.map(\.label) }

    public var progress: Progress {
        Progress(noncesHashed: hashed.load(ordering: .relaxed), batchesFinished: batches.load(ordering: .relaxed))
    }

    /// Nonces hashed by each worker, in `workerLabels` order.
    public var noncesPerWorker: [UInt64] { perSearcherHashed.map { $0.value.load(ordering: .relaxed) } }

    /// Whether every worker has picked up the latest `update` (they do so between batches).
    public var allWorkersOnLatestWork: Bool {
        let g = generation.load(ordering: .acquiring)
        return workerGeneration.allSatisfy { $0.value.load(ordering: .acquiring) == g }
    }

    /// The work the workers are on now.
    public var currentWork: SolverWork? { shared.withLock { $0.work } }

    /// Starts every worker on `work`. An engine runs once at a time: `start` while it runs (until `stop` has
    /// returned) throws `SolverEngineError.alreadyRunning`; after `stop` it can start again, afresh.
    public func start(_ work: SolverWork) throws(SolverEngineError) {
        // A stop was requested but not waited for: wait for it now.
        if stopFlag.load(ordering: .acquiring), shared.withLock({ $0.started }) { stop() }
        let wasStarted = shared.withLock { s -> Bool in
            if s.started { return true }
            s = Shared(started: true)
            s.runningWorkers = searchers.count
            return false
        }
        if wasStarted { throw .alreadyRunning }
        stopFlag.store(false, ordering: .releasing)
        update(work)
        for (index, searcher) in searchers.enumerated() {
            exited.enter()
            let handed = WorkerSearcher(searcher)
            let thread = Thread { [self] in
                // A searcher another engine stopped without waiting may still be finishing its batch.
                SearcherLease.acquire(handed.searcher)
                runWorker(index: index, searcher: handed.searcher)
                SearcherLease.release(handed.searcher)
                exited.leave()
            }
            thread.name = "btpow-worker-\(index)"
            thread.start()
        }
        logger.debug("solver started", metadata: ["workers": "\(searchers.count)", "block": "\(work.blockNumber)"])
    }

    /// Replaces the work; every worker picks it up before its next batch.
    public func update(_ work: SolverWork) {
        let prepared = work.challenge.prepared
        shared.withLock {
            $0.work = work
            $0.prepared = prepared
        }
        generation.add(1, ordering: .releasing)
    }

    /// Replaces the work only if it is for a later block than the current work, in one step, so that two
    /// callers racing with different heads cannot move the workers back to an older block.
    @discardableResult
    public func updateIfNewer(_ work: SolverWork) -> Bool {
        let prepared = work.challenge.prepared
        let replaced = shared.withLock { s -> Bool in
            if let current = s.work, current.blockNumber >= work.blockNumber { return false }
            s.work = work
            s.prepared = prepared
            return true
        }
        if replaced { generation.add(1, ordering: .releasing) }
        return replaced
    }

    /// Signals every worker to stop after its current batch and waits until all have exited.
    /// Anyone waiting in `nextSolution` gets nil unless a solution is already queued.
    public func stop() {
        stopFlag.store(true, ordering: .releasing)
        exited.wait()
        finish()
        shared.withLock { $0.started = false }
    }

    /// Signals every worker to stop after its current batch and returns at once: for a caller that has its solution
    /// and should not wait up to a batch for the workers (the registrar signs and submits meanwhile). The workers
    /// exit by themselves; anyone waiting in `nextSolution` then gets nil. `start` (on this engine) and the workers
    /// of another engine given the same searchers wait for them first, so a searcher never serves two workers.
    public func requestStop() {
        stopFlag.store(true, ordering: .releasing)
    }

    public var isStopped: Bool { stopFlag.load(ordering: .acquiring) }

    /// The next verified solution. In random mode: solutions as they are found (nil once stopped).
    /// In range mode: the first solution in the range once it is certain, or nil if the range has none.
    public func nextSolution() async -> PoWSolution? {
        await withCheckedContinuation { (continuation: CheckedContinuation<PoWSolution?, Never>) in
            let immediate: PoWSolution?? = shared.withLock { s in
                if !s.solutions.isEmpty { return .some(s.solutions.removeFirst()) }
                if s.finished { return .some(nil) }
                s.waiters.append(continuation)
                return nil
            }
            if let value = immediate { continuation.resume(returning: value) }
        }
    }

    /// Errors workers hit (e.g. a GPU failing); those workers stopped, the others go on.
    public var workerErrors: [String] { shared.withLock { $0.errors } }

    // MARK: - Workers

    private func runWorker(index: Int, searcher: any NonceSearcher) {
        var seenGeneration: UInt64 = .max
        var work: SolverWork?
        var prepared: PreparedChallenge?
        let batchSize = searcher.batchSize(updateInterval: configuration.updateInterval)
        defer { workerExited() }
        while !stopFlag.load(ordering: .relaxed) {
            let g = generation.load(ordering: .acquiring)
            if g != seenGeneration {
                (work, prepared) = shared.withLock { ($0.work, $0.prepared) }
                seenGeneration = g
                workerGeneration[index].value.store(g, ordering: .releasing)
            }
            guard let currentWork = work, let currentPrepared = prepared else { return }

            let start: UInt64, count: UInt64, batchIndex: UInt64
            switch configuration.nonceMode {
            case .random:
                start = UInt64.random(in: 0 ... .max)
                count = batchSize
                batchIndex = 0
            case .range(let rangeStart, let rangeEnd):
                // Claim the next nonces of the range. Workers may differ in batch size (GPU and CPU
                // together), so a batch is known by its offset in the range, not by a batch count.
                // A later batch cannot beat a solution already found in an earlier one.
                let claimed: UInt64? = shared.withLock { s in
                    guard rangeEnd > rangeStart, s.rangeCursor < rangeEnd - rangeStart, s.rangeCursor <= s.bestBatch else { return nil }
                    let offset = s.rangeCursor
                    s.rangeCursor = offset + min(batchSize, rangeEnd - rangeStart - offset)
                    return offset
                }
                guard let offset = claimed else { return }
                batchIndex = offset
                start = rangeStart + offset
                count = min(batchSize, rangeEnd - start)
            }

            let result: BatchResult
            do {
                result = try searcher.search(currentPrepared, target: currentWork.target, start: start, count: count)
            } catch {
                logger.error("worker stopped", metadata: ["worker": "\(searcher.label)", "error": "\(error)"])
                shared.withLock { $0.errors.append("\(searcher.label): \(error)") }
                return
            }
            hashed.add(result.hashed, ordering: .relaxed)
            perSearcherHashed[index].value.add(result.hashed, ordering: .relaxed)
            batches.add(1, ordering: .relaxed)

            guard let nonce = result.nonce else { continue }
            guard let solution = currentWork.verifiedSolution(nonce: nonce) else {
                logger.error("discarded a nonce that does not verify", metadata: ["worker": "\(searcher.label)", "nonce": "\(nonce)"])
                continue
            }
            switch configuration.nonceMode {
            case .random: deliver(solution)
            case .range:
                shared.withLock {
                    if batchIndex < $0.bestBatch { $0.bestBatch = batchIndex; $0.bestSolution = solution }
                }
            }
        }
    }

    private func deliver(_ solution: PoWSolution) {
        let waiter: CheckedContinuation<PoWSolution?, Never>? = shared.withLock { s in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            // Keep a bounded backlog; the newest solutions are the most useful (freshest block).
            s.solutions.append(solution)
            if s.solutions.count > 64 { s.solutions.removeFirst() }
            return nil
        }
        waiter?.resume(returning: solution)
    }

    private func workerExited() {
        let last = shared.withLock { s -> Bool in
            s.runningWorkers -= 1
            return s.runningWorkers == 0
        }
        if last { finish() }
    }

    /// No more solutions will come: publish the range result and release every waiter.
    private func finish() {
        let (waiters, result): ([CheckedContinuation<PoWSolution?, Never>], PoWSolution?) = shared.withLock { s in
            guard !s.finished else { return ([], nil) }
            s.finished = true
            if case .range = configuration.nonceMode, let best = s.bestSolution, !stopFlag.load(ordering: .relaxed) {
                s.solutions.append(best)
            }
            let w = s.waiters
            s.waiters = []
            var first: PoWSolution?
            if !w.isEmpty, !s.solutions.isEmpty { first = s.solutions.removeFirst() }
            return (w, first)
        }
        for (i, waiter) in waiters.enumerated() { waiter.resume(returning: i == 0 ? result : nil) }
    }
}

/// A misuse of `SolverEngine`, refused rather than answered as if there were no solution.
public enum SolverEngineError: Error, Equatable, CustomStringConvertible {
    case alreadyRunning

    public var description: String {
        switch self {
        case .alreadyRunning: return "the solver engine is already running: stop it before starting it again"
        }
    }
}

/// A searcher handed to its worker thread.
// @unchecked: a searcher is used by one worker thread at a time: `start` refuses to run while a previous run's
// threads are alive, so the thread made for a searcher is the only one touching it.
private struct WorkerSearcher: @unchecked Sendable {
    let searcher: any NonceSearcher
    init(_ searcher: any NonceSearcher) { self.searcher = searcher }
}

/// A per-worker counter (atomics are non-copyable, so each lives in its own object).
private final class Counter: Sendable {
    let value = Atomic<UInt64>(0)
}

extension SolverEngine {
    /// Starts on `work`, returns the first verified solution (or nil when a range holds none),
    /// and stops every worker before returning. Task cancellation stops the workers within one
    /// batch and throws `CancellationError`.
    public func solve(_ work: SolverWork) async throws -> PoWSolution? {
        try start(work)
        let solution = await withTaskCancellationHandler {
            await nextSolution()
        } onCancel: {
            stopFlag.store(true, ordering: .releasing)
            // Release the waiter without blocking the cancelling thread; `solve` itself joins the workers below.
            finish()
        }
        stop()
        try Task.checkCancellation()
        return solution
    }
}

/// bittensor's Python `_solve_for_nonce_block`: the first solution in [nonceStart, nonceEnd), searched on
/// the calling thread, or nil.
public func solveForNonceBlock(challenge: Challenge, difficulty: UInt64, rule: DifficultyRule? = nil,
                               blockNumber: UInt64, nonceStart: UInt64, nonceEnd: UInt64,
                               kernel: any SealKernel = KernelCatalog.best) -> PoWSolution? {
    guard nonceEnd > nonceStart else { return nil }
    let work = SolverWork(challenge: challenge, difficulty: difficulty, rule: rule, blockNumber: blockNumber)
    guard let nonce = kernel.firstSolution(challenge.prepared, target: work.target, start: nonceStart,
                                           count: nonceEnd - nonceStart) else { return nil }
    return work.verifiedSolution(nonce: nonce)
}

/// Which searchers a worker thread is using now, in any engine: a searcher (a GPU's especially, with its buffers and
/// stream) serves one worker at a time. A worker whose searcher is still finishing a batch for an engine that was
/// stopped without waiting waits here for it (at most one batch).
enum SearcherLease {
    private static let busy = Mutex<Set<ObjectIdentifier>>([])

    static func acquire(_ searcher: any NonceSearcher) {
        let id = ObjectIdentifier(searcher)
        while !busy.withLock({ $0.insert(id).inserted }) { usleep(100) }
    }

    static func release(_ searcher: any NonceSearcher) {
        let id = ObjectIdentifier(searcher)
        _ = busy.withLock { $0.remove(id) }
    }
}
