import ArgumentParser
import Foundation
import PoWCore
import PoWSolver

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure seals per second on this machine."
    )

    @Option(help: "Challenge layout: legacy or v1.")
    var scheme: ChallengeScheme = .legacy

    @Option(help: "Worker threads (default: every CPU this process may use).")
    var threads: Int?

    @Option(help: "How long to measure, in seconds.")
    var seconds: Double = 5

    @Option(help: "Force a CPU kernel (default: the fastest this CPU runs).")
    var kernel: String?

    @Option(help: "Nonces per batch.")
    var updateInterval: UInt64 = 50_000

    @OptionGroup var gpu: GPUOptions

    @Flag(help: "List the kernels of this build and whether this CPU runs them.")
    var listKernels = false

    @Option(help: ArgumentHelp("With --list-kernels: time the run-time choice among only these kernels (comma-separated), as on a CPU that runs no others.",
                              discussion: "For measuring the choice, e.g. avx2,avx2-shani on a CPU that also has AVX-512 (tools/choice_timing.py).",
                              valueName: "kernels"))
    var chooseAmong: String?

    @Flag(help: "Measure instead how fast a new block reaches every worker (in-process devnet, legacy work).")
    var newHeadLatency = false

    @Option(help: "Blocks to time with --new-head-latency.")
    var blocks: Int = 20

    @Flag(help: ArgumentHelp("Measure instead solution found → extrinsic in the pool, and building and signing pow_register.",
                              discussion: "Registers --runs fresh hotkeys on an in-process local chain with real blocks."))
    var registerLatency = false

    @Option(help: "Registrations to time with --register-latency.")
    var runs: Int = 200

    @Option(help: "Seconds between blocks with --register-latency.")
    var blockTime: Double = 1

    @Option(help: "Difficulty of the local chain with --register-latency: a solve of a block or two, so solutions fall anywhere in a block.")
    var difficulty: UInt64 = 20_000_000

    @Flag(help: "Measure instead sr25519 signing and verification (libsodium), as `btpow wallet sign` does it.")
    var sign = false

    @Flag(help: "Measure instead unlocking a $NACL keyfile: one Argon2i key derivation at btcli's SENSITIVE cost.")
    var unlock = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if !(1 ... 1000).contains(blocks) { throw CLIError.badInput("--blocks must be 1…1000") }
        if !(1 ... 10_000).contains(runs) { throw CLIError.badInput("--runs must be 1…10000") }
        if !(blockTime >= 0.05 && blockTime <= 60) { throw CLIError.badInput("--block-time must be in [0.05, 60] seconds") }
        try validateDifficulty(difficulty)
        if let threads, threads < gpu.minimumThreads { throw CLIError.badInput("--threads must be at least \(gpu.minimumThreads)") }
        if !(seconds > 0 && seconds <= 3600) { throw CLIError.badInput("--seconds must be in (0, 3600]") }
        if updateInterval < 1 { throw CLIError.badInput("--update-interval must be at least 1") }
        if chooseAmong != nil, !listKernels { throw CLIError.badInput("--choose-among needs --list-kernels") }
    }

    struct KernelEntry: Encodable { let name: String; let available: Bool }
    /// A kernel the run-time choice timed: the legacy seals per second of its best round, which the choice compared,
    /// and of each round (one core, thread CPU time).
    struct TimedKernel: Encodable { let name: String; let legacy_seals_per_second: Double; let rounds: [Double] }
    struct KernelList: Encodable {
        let kernels: [KernelEntry]
        /// The kernel the choice took (the default, unless --choose-among named the candidates).
        let best: String
        /// The kernel its first two rounds took; where that is not the last timed kernel, two more rounds decided.
        let first_choice: String
        let choice_timing: [TimedKernel]
        let cpu_features: String
    }
    struct Result: Encodable {
        let hashes_per_second: Double
        let threads: Int
        let scheme: String
        let kernel: String
        let seconds: Double
        let nonces: UInt64
        let cpu_features: String
    }

    /// A fixed challenge; the difficulty is the largest u64, so solutions essentially never stop the run.
    static func benchChallenge(_ scheme: ChallengeScheme) -> Challenge {
        let block = Bytes32(w0: 0x0123_4567_89ab_cdef, w1: 0xfedc_ba98_7654_3210, w2: 0x1111_2222_3333_4444, w3: 0x5555_6666_7777_8888)
        let hot = Bytes32(w0: 1, w1: 2, w2: 3, w3: 4), cold = Bytes32(w0: 5, w1: 6, w2: 7, w3: 8)
        switch scheme {
        case .legacy: return .legacy(LegacyChallenge(blockHash: block, hotkey: hot))
        case .v1: return .v1(V1Challenge(netuid: 1, blockHash: block, hotkey: hot, coldkey: cold))
        }
    }

    /// The kernels of this build, and the run-time choice with what it timed (among `--choose-among` if given).
    func listKernelsAndChoice() throws {
        let available = Set(KernelCatalog.available.map(\.name))
        let choice = try chooseAmong.map { KernelCatalog.timeChoice(among: try Self.candidates($0)) } ?? KernelCatalog.timedChoice
        let list = KernelList(kernels: KernelCatalog.all.map { KernelEntry(name: $0.name, available: available.contains($0.name)) },
                              best: choice.kernel.name, first_choice: choice.firstChoice.name,
                              choice_timing: zip(choice.rates, choice.timed).map {
                                  TimedKernel(name: $0.name, legacy_seals_per_second: $0.sealsPerSecond, rounds: $1.rounds)
                              },
                              cpu_features: CPUFeatures.current.description)
        if json { return try Console.printJSON(list) }
        let mark = chooseAmong == nil ? "  [default]" : "  [chosen]"
        for k in list.kernels {
            let timed = list.choice_timing.first { $0.name == k.name }.map {
                String(format: "  (timed %.2f M legacy seals/s)", $0.legacy_seals_per_second / 1e6)
            } ?? ""
            print("\(k.name)\(k.available ? "" : " (not supported by this CPU)")\(k.name == list.best ? mark : "")\(timed)")
        }
    }

    /// The kernels `--choose-among` names, in the choice's order of preference: each must be a vector kernel this CPU
    /// runs, at least two.
    static func candidates(_ names: String) throws -> [any SealKernel] {
        let named = names.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for name in named where !KernelCatalog.preference.contains(name) {
            throw CLIError.badInput("--choose-among: '\(name)' is not a vector kernel; they are \(KernelCatalog.preference.joined(separator: ", "))")
        }
        let kernels = try KernelCatalog.preference.filter(named.contains).map { name in
            do { return try KernelCatalog.named(name) } catch { throw CLIError.badInput("--choose-among: \(error)") }
        }
        if kernels.count < 2 { throw CLIError.badInput("--choose-among needs at least two different kernels") }
        return kernels
    }

    func run() async throws {
        if sign || unlock { return try runKeys() }
        if listKernels { return try listKernelsAndChoice() }
        if gpu.enabled { return try await runWithGPUs() }
        let selected = try KernelChoice.resolve(kernel)
        if registerLatency {
            let threadCount = threads ?? max(1, CPUInfo.availableCPUs - 1)
            let r = try await RegisterLatencyBench.run(
                runs: runs, blockTime: .milliseconds(Int((blockTime * 1000).rounded())), difficulty: difficulty,
                threads: threadCount, kernel: selected, signings: 2000, progress: { Console.status($0 + "\n") })
            if json { try Console.printJSON(r); return }
            let f = r.found_to_pool_ms, m = r.pool_before_next_block_ms, s = r.build_and_sign_us
            print(String(format: "solution found → in the pool: median %.2f ms, p90 %.2f, p99 %.2f, max %.2f (%d runs)",
                         f.median, f.p90, f.p99, f.max, f.count))
            print(String(format: "included in the block after the one the work was found in: %d of %d (%.1f %%); later: %d",
                         r.included_in_next_block, r.runs, 100 * Double(r.included_in_next_block) / Double(r.runs), r.included_later))
            print(String(format: "in the pool before that block was announced by: median %.1f ms, min %.1f ms", m.median, m.min))
            print(String(format: "build and sign pow_register: median %.1f µs, p99 %.1f µs, max %.1f µs (%d times)",
                         s.median, s.p99, s.max, s.count))
            return
        }
        if newHeadLatency {
            let r = try await FollowLatencyBench.run(threads: threads ?? CPUInfo.availableCPUs, updateInterval: updateInterval,
                                                     kernel: selected, blocks: blocks)
            if json { try Console.printJSON(r) } else {
                print(String(format: "new head → every worker on the new challenge: median %.2f ms, p90 %.2f ms, max %.2f ms (%d blocks, %d threads, batch %llu, kernel %@)",
                             r.median_ms, r.p90_ms, r.max_ms, r.blocks, r.threads, r.update_interval, r.kernel))
            }
            return
        }
        let threadCount = threads ?? CPUInfo.availableCPUs
        let work = SolverWork(challenge: Self.benchChallenge(scheme), difficulty: .max, blockNumber: 0)
        let engine = SolverEngine(kernel: selected, threads: threadCount, configuration: .init(updateInterval: updateInterval))
        try engine.start(work)
        // Measure between two counter readings taken after warm-up, so thread start-up is excluded.
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let t0 = clock.now, n0 = engine.progress.noncesHashed
        try await Task.sleep(for: .seconds(seconds))
        let t1 = clock.now, n1 = engine.progress.noncesHashed
        engine.stop()
        let elapsed = (t1 - t0) / .seconds(1)
        let rate = Double(n1 - n0) / elapsed
        let result = Result(hashes_per_second: rate, threads: threadCount, scheme: scheme.rawValue,
                            kernel: selected.name, seconds: elapsed, nonces: n1 - n0,
                            cpu_features: CPUFeatures.current.description)
        if json { try Console.printJSON(result) } else {
            print("\(scheme.rawValue): \(HumanReadable.rate(rate)) (\(String(format: "%.0f", rate)) seals/s) with \(threadCount) thread(s), kernel \(selected.name)")
        }
    }
}
