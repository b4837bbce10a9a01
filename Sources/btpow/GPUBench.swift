import Foundation
import PoWCore
import PoWSolver

/// `btpow bench --cuda/--opencl`: seals per second for each device (and any CPU workers beside them).
extension BenchCommand {
    struct WorkerResult: Encodable {
        let worker: String
        let device: String
        let hashes_per_second: Double
        let nonces: UInt64
    }

    struct GPUResult: Encodable {
        let hashes_per_second: Double
        let scheme: String
        let backend: String
        let tpb: Int
        let update_interval: UInt64
        let cpu_threads: Int
        let seconds: Double
        let nonces: UInt64
        let workers: [WorkerResult]
    }

    func runWithGPUs() async throws {
        let selected = try KernelChoice.resolve(kernel)
        let cpuThreads = threads ?? gpu.defaultThreads()
        let workers = try gpu.workers(cpuThreads: cpuThreads, kernel: selected)
        if !json { GPUOptions.announce(workers) }
        let work = SolverWork(challenge: Self.benchChallenge(scheme), difficulty: .max, blockNumber: 0)
        let engine = SolverEngine(searchers: workers.map(\.searcher), configuration: .init(updateInterval: updateInterval))
        try engine.start(work)
        // Warm-up: every worker finishes one batch first (first launches include lazy driver work).
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        while engine.noncesPerWorker.contains(0), engine.workerErrors.isEmpty, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let t0 = clock.now, n0 = engine.noncesPerWorker
        try await Task.sleep(for: .seconds(seconds))
        // Stopping waits for the batches in flight, and counts them: measure up to that point.
        engine.stop()
        let t1 = clock.now, n1 = engine.noncesPerWorker
        if let failure = workerFailure(engine) { throw failure }
        let elapsed = (t1 - t0) / .seconds(1)
        let perWorker = workers.indices.map { i in
            WorkerResult(worker: workers[i].searcher.label, device: workers[i].device,
                         hashes_per_second: Double(n1[i] - n0[i]) / elapsed, nonces: n1[i] - n0[i])
        }
        let total = perWorker.reduce(0) { $0 + $1.nonces }
        let result = GPUResult(hashes_per_second: Double(total) / elapsed, scheme: scheme.rawValue, backend: gpu.backendName,
                               tpb: gpu.tpb, update_interval: updateInterval, cpu_threads: cpuThreads,
                               seconds: elapsed, nonces: total, workers: perWorker)
        if json { try Console.printJSON(result); return }
        for w in perWorker {
            print("\(w.worker): \(HumanReadable.rate(w.hashes_per_second)) (\(String(format: "%.0f", w.hashes_per_second)) seals/s)\(w.device == "cpu" ? "" : "  \(w.device)")")
        }
        print("\(scheme.rawValue): \(HumanReadable.rate(result.hashes_per_second)) (\(String(format: "%.0f", result.hashes_per_second)) seals/s) "
              + "in total, \(gpu.backendName), tpb \(gpu.tpb), update interval \(updateInterval), \(String(format: "%.1f", elapsed)) s")
    }
}
