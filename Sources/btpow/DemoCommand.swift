import ArgumentParser
import PoWCore
import PoWSolver

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Solve a fixed legacy challenge with the live display (finishes in seconds)."
    )

    @Option(help: "Difficulty of the demo challenge.")
    var difficulty: UInt64 = 20_000_000

    @Option(help: "Worker threads (default: every CPU this process may use).")
    var threads: Int?

    func validate() throws { try validateDifficulty(difficulty) }

    func run() async throws {
        let challenge = BenchCommand.benchChallenge(.legacy)
        let work = SolverWork(challenge: challenge, difficulty: difficulty, blockNumber: 4242)
        let engine = SolverEngine(kernel: KernelCatalog.best, threads: threads ?? CPUInfo.availableCPUs)
        print("Solving a fixed legacy challenge at difficulty \(difficulty) with \(engine.workerLabels.count) × \(KernelCatalog.best.name)…")
        let session = SolveSession(engine: engine, work: work, display: DisplayOptions(
            show: true, outputInPlace: Console.stderrIsTerminal, verbose: false))
        guard let solution = await session.run(work) else { throw ExitCode(130) }
        print("Solved: nonce \(solution.nonce), seal \(solution.seal.hex); verified: \(solution.verify())")
    }
}
