import Devnet
import Foundation
import Logging
import PoWCore
import Subtensor

/// A logger for tests: warnings and above, or the level `BTPOW_TEST_LOG` names.
public func testLogger(_ label: String = "btpow-test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["BTPOW_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    return logger
}

/// A local chain on a free loopback port (or `port`), in this process; blocks only when produced unless a block
/// time is given. Returns the server and the port it listens on.
public func startLocalChain(blockTime: Duration = .zero, subnets: [UInt16] = [1], difficulty: UInt64 = 10,
                            legacyRule: DifficultyRule = .chainLittleEndian, faucetDifficulty: UInt64 = 10,
                            maxRequestSize: Int = 10 << 20, port: Int = 0) async throws -> (DevnetServer, Int) {
    let configuration = DevnetConfiguration(port: port, blockTime: blockTime, subnets: subnets, difficulty: difficulty,
                                            legacyRule: legacyRule, faucetDifficulty: faucetDifficulty,
                                            maxRequestSize: maxRequestSize)
    let server = DevnetServer(configuration: configuration, logger: testLogger())
    let bound = try await server.start()
    return (server, bound)
}

/// A chain client for `port` on loopback that gives up and reconnects quickly, as tests want.
public func localChainClient(port: Int) throws -> SubtensorClient {
    let logger = testLogger()
    let config = RPCConfiguration(requestTimeout: .seconds(5), initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200))
    return SubtensorClient(rpc: RPCClient(endpoint: try SubtensorEndpoint("ws://127.0.0.1:\(port)"), configuration: config,
                                          logger: logger), logger: logger, retryDelay: .milliseconds(100))
}
