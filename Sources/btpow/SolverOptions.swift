import ArgumentParser
import PoWSolver

/// Who hashes and how the progress shows: shared by `solve` and `create-pow`.
struct SolverOptions: ParsableArguments {
    @Option(help: "CPU worker threads (default: every CPU this process may use; 0 with a GPU flag).")
    var threads: Int?

    @Option(help: "Nonces per batch between looks for new work (bittensor's update_interval).")
    var updateInterval: UInt64 = 50_000

    @Option(help: "Force a CPU kernel (see `btpow bench --list-kernels`).")
    var kernel: String?

    @OptionGroup var gpu: GPUOptions

    @Flag(inversion: .prefixedNo, help: "Redraw the status in place (default on a terminal).")
    var outputInPlace: Bool?

    @Flag(help: "Show round and average times in the status.")
    var verbose = false

    func validate() throws {
        if let threads, threads < gpu.minimumThreads { throw CLIError.badInput("--threads must be at least \(gpu.minimumThreads)") }
        if updateInterval < 1 { throw CLIError.badInput("--update-interval must be at least 1") }
    }

    /// GPU workers (one per device), then the CPU threads; a GPU line each on stderr unless `quiet`.
    func workers(quiet: Bool = false) throws -> [any NonceSearcher] {
        let workers = try gpu.workers(cpuThreads: threads ?? gpu.defaultThreads(), kernel: try KernelChoice.resolve(kernel))
        if !quiet { GPUOptions.announce(workers) }
        return workers.map(\.searcher)
    }

    func display(show: Bool) -> DisplayOptions {
        DisplayOptions(show: show, outputInPlace: outputInPlace ?? Console.stderrIsTerminal, verbose: verbose)
    }
}
