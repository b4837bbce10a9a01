import ArgumentParser
import Devnet
import Foundation
import Logging
import PoWCore

struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Run a local chain that speaks a Subtensor node's JSON-RPC (WebSocket and HTTP POST on one port).",
        discussion: """
        Admin methods: devnet_addSubnet [netuid], devnet_setDifficulty [netuid, difficulty], \
        devnet_registerHotkey [netuid, ss58], devnet_setPowRegistrationAllowed [netuid, bool], \
        devnet_setMaxRegistrationsPerBlock [netuid, n], devnet_produceBlock [count], and for tests only \
        devnet_submitPow [solution JSON as create-pow prints it]. Signed pow_register and faucet extrinsics go through \
        author_submitExtrinsic / author_submitAndWatchExtrinsic, judged as a node judges them. Stop with Ctrl-C.
        """
    )

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port (0 picks a free one).")
    var port: Int = 9944

    @Option(help: "Seconds between blocks (0: only on devnet_produceBlock).")
    var blockTime: Double = 12

    @Option(name: .customLong("subnet"), help: "A subnet that exists from the start (repeatable; default 1).")
    var subnets: [Int] = []

    @Option(help: "Difficulty of every subnet.")
    var difficulty: UInt64 = 10_000_000

    @Option(help: "Rule legacy work is checked with: chain (today's, little-endian), chain-be or seed.")
    var legacyRule: DifficultyRule = .chainLittleEndian

    @Option(help: "pow_register's work-block window W: accepted while work_block < now and now - work_block < W.")
    var powWindow: UInt64 = 3

    @Flag(help: "Subnets start with PoW registration disabled (devnet_setPowRegistrationAllowed turns it on).")
    var powDisabled = false

    func validate() throws {
        if !(1 ... 4096).contains(powWindow) { throw CLIError.badInput("--pow-window must be 1…4096") }
        if !(0 ... 65535).contains(port) { throw CLIError.badInput("--port must be 0…65535") }
        if !(blockTime >= 0 && blockTime <= 3600) { throw CLIError.badInput("--block-time must be 0…3600 seconds") }
        if let bad = subnets.first(where: { !(0 ... 65535).contains($0) }) { throw CLIError.badInput("--subnet \(bad) is not 0…65535") }
        try validateDifficulty(difficulty)
    }

    func run() async throws {
        var logger = Logger(label: "btpow.devnet")
        logger.logLevel = Log.library.logLevel
        let config = DevnetConfiguration(host: host, port: port, blockTime: .milliseconds(Int(blockTime * 1000)),
                                         subnets: subnets.isEmpty ? [1] : subnets.map(UInt16.init),
                                         difficulty: difficulty, legacyRule: legacyRule,
                                         powWindow: powWindow, powRegistrationAllowed: !powDisabled)
        // Ctrl-C or SIGTERM from here on stops the server cleanly, even one that comes while it starts (a caller may
        // signal as soon as it has read the address below).
        let interrupt = Interrupt(signals: [SIGINT, SIGTERM])
        defer { interrupt.remove() }
        let server = DevnetServer(configuration: config, logger: logger)
        let bound: Int
        do { bound = try await server.start() } catch {
            throw CLIError.badInput("devnet cannot listen on \(host):\(port): \(error)")
        }
        print("devnet listening on ws://\(host):\(bound) (HTTP POST on the same port); subnets \(config.subnets.map(String.init).joined(separator: ", ")), difficulty \(difficulty), block time \(blockTime) s")
        fflush(nil)
        // Run until Ctrl-C or SIGTERM.
        await interrupt.wait()
        await server.stop()
        print("devnet stopped")
    }
}
