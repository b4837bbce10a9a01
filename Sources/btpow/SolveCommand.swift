import ArgumentParser
import Foundation
import PoWCore
import PoWSolver

struct SolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Find a nonce whose seal meets the difficulty, offline.",
        discussion: """
        With --threads 1 and --nonce-start/--nonce-end it returns exactly the first solution in \
        [start, end) (any thread count does, in range mode). Exit 0 found, 1 none in range, 2 bad input, 5 a worker (GPU) failed, 130 interrupted.
        """
    )

    @OptionGroup var challengeOptions: ChallengeOptions

    @Option(help: "Difficulty (1 … 2^64-1).")
    var difficulty: UInt64

    @Option(help: "Block number the block hash belongs to (recorded in the solution).")
    var blockNumber: UInt64 = 0

    @Option(help: "Difficulty rule: seed (bittensor's Python reference: big-endian, <), chain (little-endian, <=) or chain-be. Default: seed for legacy, chain for v1.")
    var rule: DifficultyRule?

    @Option(help: "First nonce of a deterministic range (with --nonce-end).")
    var nonceStart: UInt64?

    @Option(help: "End of the range, exclusive.")
    var nonceEnd: UInt64?

    @OptionGroup var solver: SolverOptions

    @Flag(help: "Print the solution as JSON on stdout.")
    var json = false

    @Flag(help: "No status display.")
    var quiet = false

    func validate() throws {
        try validateDifficulty(difficulty)
        switch (nonceStart, nonceEnd) {
        case (nil, nil): break
        case (.some(let s), .some(let e)) where s > e: throw CLIError.badInput("--nonce-start (\(s)) is greater than --nonce-end (\(e))")
        case (.some, .some): break
        default: throw CLIError.badInput("--nonce-start and --nonce-end go together")
        }
    }

    func run() async throws {
        let interrupt = Interrupt()
        defer { interrupt.remove() }
        let challenge = try challengeOptions.challenge()
        let work = SolverWork(challenge: challenge, difficulty: difficulty, rule: rule, blockNumber: blockNumber)
        var mode = NonceMode.random
        if let s = nonceStart, let e = nonceEnd { mode = .range(start: s, end: e) }
        let engine = SolverEngine(searchers: try solver.workers(quiet: quiet),
                                  configuration: .init(updateInterval: solver.updateInterval, nonceMode: mode))
        let session = SolveSession(engine: engine, work: work, display: solver.display(show: !quiet))
        let solution = try await session.run(work, interrupt: interrupt)
        // In range mode a failed worker leaves part of the range unsearched: any answer might not be the first.
        if case .range = mode, let failure = workerFailure(engine) { throw failure }
        guard let solution else {
            if let failure = workerFailure(engine) { throw failure }
            if json { try Console.printJSON(NoSolution(nonces_hashed: engine.progress.noncesHashed)) }
            else { print("No solution in [\(nonceStart ?? 0), \(nonceEnd ?? 0)).") }
            throw ExitStatus.noSolution.exit
        }
        if json {
            try Console.printJSON(solution)
        } else {
            print("Solved: nonce \(solution.nonce), seal \(solution.seal.hex), block \(solution.blockNumber), difficulty \(solution.difficulty), rule \(solution.rule.rawValue)")
        }
    }
}

struct NoSolution: Encodable {
    var found = false
    let nonces_hashed: UInt64
}

enum KernelChoice {
    static func resolve(_ name: String?) throws -> any SealKernel {
        guard let name else { return KernelCatalog.best }
        do { return try KernelCatalog.named(name) } catch { throw CLIError.badInput("--kernel: \(error)") }
    }
}
