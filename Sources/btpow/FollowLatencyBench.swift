import Devnet
import Foundation
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor

/// `btpow bench --new-head-latency`: how long a new block takes to reach every worker, end to end
/// (node notification over WebSocket → block hash and difficulty read → engine update → each
/// worker's next batch), against an in-process devnet over 127.0.0.1.
enum FollowLatencyBench {
    struct Result: Encodable {
        let blocks: Int
        let threads: Int
        let update_interval: UInt64
        let kernel: String
        let median_ms: Double
        let p90_ms: Double
        let max_ms: Double
    }

    static func run(threads: Int, updateInterval: UInt64, kernel: any SealKernel, blocks: Int) async throws -> Result {
        var logger = Logger(label: "btpow.bench")
        logger.logLevel = .error
        let server = DevnetServer(configuration: DevnetConfiguration(port: 0, blockTime: .zero, subnets: [1], difficulty: .max), logger: logger)
        let port = try await server.start()
        let client = SubtensorClient(rpc: RPCClient(endpoint: try SubtensorEndpoint("ws://127.0.0.1:\(port)"), logger: logger), logger: logger)
        let searchers: [any NonceSearcher] = (0 ..< threads).map { _ in KernelSearcher(kernel: kernel) }
        let creator = PoWCreator(chain: client, request: CreatePoWRequest(
            netuid: 1, hotkey: Bytes32(w0: 1, w1: 2, w2: 3, w3: 4), coldkey: nil, scheme: .legacy, updateInterval: updateInterval),
            searchers: searchers, logger: logger)
        let solving = Task { try? await creator.run() }
        let clock = ContinuousClock()
        // Wait until solving on the genesis work.
        while creator.engine.progress.noncesHashed == 0 { try await Task.sleep(for: .milliseconds(5)) }
        var samples: [Double] = []
        for _ in 0 ..< blocks {
            try await Task.sleep(for: .milliseconds(100))
            let head = await server.produceBlock()
            let t0 = clock.now
            while !(creator.engine.currentWork?.blockNumber == head.number && creator.engine.allWorkersOnLatestWork) {
                if clock.now - t0 > .seconds(5) { break }
                try await Task.sleep(for: .microseconds(100))
            }
            samples.append((clock.now - t0) / .milliseconds(1))
        }
        solving.cancel()
        creator.engine.stop()
        _ = await solving.value
        await client.close()
        await server.stop()
        samples.sort()
        return Result(blocks: blocks, threads: threads, update_interval: updateInterval, kernel: kernel.name,
                      median_ms: samples[samples.count / 2], p90_ms: samples[Int(Double(samples.count - 1) * 0.9)],
                      max_ms: samples.last ?? 0)
    }
}
