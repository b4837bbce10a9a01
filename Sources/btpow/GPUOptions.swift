import ArgumentParser
import Foundation
import GPUSolver
import PoWSolver

/// `--cuda`, `--opencl`, `--dev-id`, `--tpb`: GPU workers for `solve` and `bench`.
struct GPUOptions: ParsableArguments {
    @Flag(help: "Solve on NVIDIA GPUs through CUDA (driver and NVRTC are loaded at run time).")
    var cuda = false

    @Flag(help: "Solve on OpenCL devices (AMD, Intel, NVIDIA GPUs; PoCL on a CPU).")
    var opencl = false

    @Option(name: .customLong("dev-id"), help: ArgumentHelp(
        "GPU device index as `btpow devices` lists it; repeat or comma-separate for several, each its own worker (default 0).",
        valueName: "index"))
    var devIds: [String] = []

    @Option(help: "GPU threads per block (tpb in bittensor's Python reference); a GPU batch is update-interval × tpb nonces.")
    var tpb: Int = 256

    var enabled: Bool { cuda || opencl }
    var backendName: String { cuda ? "CUDA" : "OpenCL" }

    func validate() throws {
        if cuda && opencl { throw CLIError.badInput("choose one of --cuda and --opencl") }
        if !enabled && !devIds.isEmpty { throw CLIError.badInput("--dev-id needs --cuda or --opencl") }
        if !(1 ... 1024).contains(tpb) { throw CLIError.badInput("--tpb must be 1…1024 (got \(tpb))") }
        _ = try deviceIndices()
    }

    func deviceIndices() throws -> [Int] {
        var out: [Int] = []
        for part in devIds.flatMap({ $0.split(separator: ",") }) {
            guard let i = Int(part.trimmingCharacters(in: .whitespaces)), i >= 0 else {
                throw CLIError.badInput("--dev-id: '\(part)' is not a device index (0, 1, …)")
            }
            if out.contains(i) { throw CLIError.badInput("--dev-id: device \(i) given twice") }
            out.append(i)
        }
        return out.isEmpty ? [0] : out
    }

    /// The smallest `--threads` this command accepts: 0 (GPU only) when a GPU flag is given.
    var minimumThreads: Int { enabled ? 0 : 1 }

    /// Default CPU workers: none beside GPUs (as bittensor's Python CUDA path), every CPU otherwise.
    func defaultThreads() -> Int { enabled ? 0 : CPUInfo.availableCPUs }

    struct Worker {
        let searcher: any NonceSearcher
        /// e.g. "NVIDIA H100 80GB HBM3 (compute 9.0, 132 SMs, cubin sm_90 by NVRTC 12.9)"
        let device: String
    }

    /// One worker per device, then `cpuThreads` CPU workers running `kernel`. Any GPU failure
    /// (library missing, no device, compile or driver error) becomes one message on stderr.
    func workers(cpuThreads: Int, kernel: any SealKernel) throws -> [Worker] {
        var out: [Worker] = []
        if enabled {
            do {
                let configuration = GPUConfiguration.fromEnvironment()
                for index in try deviceIndices() {
                    if cuda {
                        let s = try CUDASearcher(deviceIndex: index, threadsPerBlock: tpb, configuration: configuration)
                        out.append(Worker(searcher: s, device: "\(s.device.name) (compute \(s.device.computeCapability), "
                            + "\(s.device.multiprocessors) SMs, \(s.blocks)×\(s.threadsPerBlock) threads, \(s.build))"))
                    } else {
                        let s = try OpenCLSearcher(deviceIndex: index, threadsPerBlock: tpb, configuration: configuration)
                        out.append(Worker(searcher: s, device: "\(s.device.name) (\(s.device.version), \(s.device.computeUnits) compute units, "
                            + "\(s.globalSize / s.threadsPerBlock)×\(s.threadsPerBlock) work-items)"))
                    }
                }
            } catch let e as CLIError {
                throw e
            } catch {
                throw CLIError(gpuMessage(error), .badInput)
            }
        }
        for _ in 0 ..< cpuThreads { out.append(Worker(searcher: KernelSearcher(kernel: kernel), device: "cpu")) }
        if out.isEmpty { throw CLIError.badInput("no workers: give --threads ≥ 1, or --cuda/--opencl") }
        return out
    }
}

/// Worker failures (a GPU fault mid-run) reported after the engine stopped.
func workerFailure(_ engine: SolverEngine) -> CLIError? {
    let errors = engine.workerErrors
    guard !errors.isEmpty else { return nil }
    return CLIError("worker failed: " + errors.joined(separator: "; "), .workerFailed)
}

extension GPUOptions {
    /// One stderr line per GPU worker, so a run shows which device and build it uses.
    static func announce(_ workers: [Worker]) {
        for w in workers where !(w.searcher is KernelSearcher) { Console.status("\(w.searcher.label): \(w.device)\n") }
    }
}
