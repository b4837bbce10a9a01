import ChainCodec
import Devnet
import Extrinsics
import Foundation
import Keys
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor
import Synchronization

/// `btpow bench --register-latency`: how fast a solution becomes an extrinsic in the pool, against an in-process local
/// chain producing real blocks, over a real WebSocket. Each run registers a fresh hotkey through `PoWRegistrar` exactly
/// as `btpow register` does (real mining, the freshness checks, the nonce and era reads, signing, submit and watch),
/// timing:
/// - found → in the pool: from the worker's hit to the node's `ready` for that extrinsic;
/// - whether the extrinsic was included in the block right after the head the work was found under (block N + 1),
///   and the margin between `ready` and that block's announcement.
/// It then times building and signing `pow_register` alone (the key unlocked), many times.
enum RegisterLatencyBench {
    struct Distribution: Encodable {
        let count: Int
        let min: Double
        let median: Double
        let p90: Double
        let p99: Double
        let max: Double
        let mean: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func at(_ q: Double) -> Double { sorted.isEmpty ? 0 : sorted[Int((Double(sorted.count - 1) * q).rounded())] }
            count = sorted.count
            min = sorted.first ?? 0
            median = at(0.5)
            p90 = at(0.9)
            p99 = at(0.99)
            max = sorted.last ?? 0
            mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        }
    }

    struct Result: Encodable {
        let runs: Int
        let block_time_ms: Double
        let difficulty: UInt64
        let threads: Int
        let kernel: String
        /// Worker hit → the node's `ready` (the extrinsic is in the pool).
        let found_to_pool_ms: Distribution
        /// `ready` → block N + 1 announced (negative: the block came first).
        let pool_before_next_block_ms: Distribution
        /// Seconds from the head a solution was found under to the hit (where in the block the work was found).
        let found_into_block_ms: Distribution
        let included_in_next_block: Int
        let included_later: Int
        /// Solves in all (more than `runs` when an attempt had to be mined again).
        let attempts: Int
        /// Building `pow_register` from the metadata and signing it (sr25519), microseconds each.
        let build_and_sign_us: Distribution
    }

    /// Wraps a CPU searcher and notes when it finds a solution (the moment "solution found").
    final class TimedSearcher: NonceSearcher {
        let base: KernelSearcher
        let hits: Mutex<[UInt64: ContinuousClock.Instant]>
        init(kernel: any SealKernel) {
            base = KernelSearcher(kernel: kernel)
            hits = Mutex([:])
        }
        var label: String { base.label }
        func batchSize(updateInterval: UInt64) -> UInt64 { base.batchSize(updateInterval: updateInterval) }
        func search(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) throws -> BatchResult {
            let result = base.search(challenge, target: target, start: start, count: count)
            if let nonce = result.nonce {
                let now = ContinuousClock.now
                hits.withLock { $0[nonce] = now }
            }
            return result
        }
    }

    /// Heads as a second connection sees them: number → (hash, arrival).
    final class HeadLog: Sendable {
        let heads = Mutex<[UInt64: (hash: Bytes32, at: ContinuousClock.Instant)]>([:])
        let latest = Mutex<UInt64>(0)

        func record(_ head: NewHead) {
            let now = ContinuousClock.now
            heads.withLock { $0[head.number] = (head.hash, now) }
            latest.withLock { $0 = max($0, head.number) }
        }

        /// The newest head that had arrived by `instant`.
        func head(at instant: ContinuousClock.Instant) -> UInt64? {
            heads.withLock { heads in heads.filter { $0.value.at <= instant }.keys.max() }
        }

        func arrival(of number: UInt64) -> ContinuousClock.Instant? { heads.withLock { $0[number]?.at } }
        func number(of hash: Bytes32) -> UInt64? { heads.withLock { heads in heads.first { $0.value.hash == hash }?.key } }
    }

    static func run(runs: Int, blockTime: Duration, difficulty: UInt64, threads: Int, kernel: any SealKernel,
                    signings: Int, progress: (String) -> Void) async throws -> Result {
        let sodium = try loadSodium()
        var logger = Logger(label: "btpow.bench")
        logger.logLevel = .error
        let netuid: UInt16 = 1
        let server = DevnetServer(configuration: DevnetConfiguration(
            port: 0, blockTime: blockTime, subnets: [netuid], difficulty: difficulty), logger: logger)
        let port = try await server.start()
        let endpoint = try SubtensorEndpoint("ws://127.0.0.1:\(port)")
        let client = SubtensorClient(rpc: RPCClient(endpoint: endpoint, logger: logger), logger: logger)
        let watcher = SubtensorClient(rpc: RPCClient(endpoint: endpoint, logger: logger), logger: logger)
        let log = HeadLog()
        let watching = Task {
            do { for try await head in watcher.newHeads() { log.record(head) } } catch {}
        }
        func shutDown() async {
            watching.cancel()
            await watcher.close()
            await client.close()
            await server.stop()
        }

        do {
            let seed = SecretBytes(copying: sodium.randomBytes(32))
            let signer = KeypairSigner(keypair: try SR25519.Keypair(miniSecret: seed, sodium: sodium))
            let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .inBlock, logger: logger)
            let searchers = (0 ..< threads).map { _ in TimedSearcher(kernel: kernel) }
            // Wait for the watcher's first head, so every hit has a head to be measured against.
            while log.latest.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }

            var foundToPool: [Double] = [], margins: [Double] = [], intoBlock: [Double] = []
            var nextBlock = 0, later = 0, attempts = 0
            var lastSolution: PoWSolution?
            for run in 1 ... runs {
                let hotkey = Bytes32(sodium.randomBytes(32))!
                let ready = Mutex<ContinuousClock.Instant?>(nil)
                let receipt = try await registrar.register(
                    netuid: netuid, hotkey: hotkey,
                    mine: { request, _ in
                        try await PoWCreator(chain: client, request: request, searchers: searchers, logger: logger).run()
                    },
                    onStatus: { status in if status == .ready { let now = ContinuousClock.now; ready.withLock { $0 = now } } })
                attempts += receipt.attempts
                lastSolution = receipt.solution
                let hits = searchers.compactMap { $0.hits.withLock { $0[receipt.solution.nonce] } }
                for searcher in searchers { searcher.hits.withLock { $0.removeAll() } }
                guard let found = hits.min(), let inPool = ready.withLock({ $0 }), let foundUnder = log.head(at: found) else {
                    throw CLIError("run \(run): the hit or the node's ready was not seen", .chainError)
                }
                // The including block's announcement may trail the inBlock status by a moment.
                var included = log.number(of: receipt.blockHash)
                let deadline = ContinuousClock.now + .seconds(5)
                while included == nil, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(2))
                    included = log.number(of: receipt.blockHash)
                }
                guard let included else { throw CLIError("run \(run): the including block was never announced", .chainError) }
                foundToPool.append((inPool - found) / .microseconds(1) / 1000)
                if let headAt = log.arrival(of: foundUnder) { intoBlock.append((found - headAt) / .microseconds(1) / 1000) }
                if let next = log.arrival(of: foundUnder + 1) { margins.append((next - inPool) / .microseconds(1) / 1000) }
                if included == foundUnder + 1 { nextBlock += 1 } else { later += 1 }
                if run % 10 == 0 || run == runs {
                    progress("run \(run)/\(runs): \(nextBlock) in the next block, \(later) later; found → pool median "
                             + String(format: "%.2f ms", Distribution(foundToPool).median))
                }
            }

            // Building and signing alone, as the registrar does it after its last check.
            let metadata = try await client.runtimeMetadata()
            let version = try await client.runtimeVersion()
            let genesis = try await client.genesisHash()
            let head = try await client.currentBlock()
            let era = Era.registration(currentBlock: head)
            let birthHash = try await client.blockHash(era.birth(currentBlock: head))
            let arguments = PoWRegistrar.powRegisterArguments(netuid: netuid, hotkey: Bytes32(sodium.randomBytes(32))!,
                                                              solution: lastSolution!)
            var signTimes: [Double] = []
            signTimes.reserveCapacity(signings)
            for nonce in 0 ..< UInt64(signings) {
                let parameters = SigningParameters(specVersion: version.specVersion, transactionVersion: version.transactionVersion,
                                                   genesisHash: genesis, era: era, eraBirthHash: birthHash, nonce: nonce)
                let t0 = ContinuousClock.now
                let signed = try PoWRegistrar.signedExtrinsic(call: "pow_register", arguments: arguments, metadata: metadata,
                                                              parameters: parameters, signer: signer)
                signTimes.append((ContinuousClock.now - t0) / .nanoseconds(1) / 1000)
                if signed.bytes.count < 100 { throw CLIError("a signed pow_register came out too short", .chainError) }
            }

            await shutDown()
            return Result(runs: runs, block_time_ms: blockTime / .milliseconds(1), difficulty: difficulty, threads: threads,
                          kernel: kernel.name, found_to_pool_ms: Distribution(foundToPool),
                          pool_before_next_block_ms: Distribution(margins), found_into_block_ms: Distribution(intoBlock),
                          included_in_next_block: nextBlock, included_later: later, attempts: attempts,
                          build_and_sign_us: Distribution(signTimes))
        } catch {
            await shutDown()
            throw error
        }
    }
}
