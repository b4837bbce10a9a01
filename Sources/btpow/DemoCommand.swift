import ChainCodec
import ArgumentParser
import Devnet
import Foundation
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor

/// The main job on the built-in default: create-pow end to end against an in-process devnet.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local chain in this process, solve a registration PoW against it, submit it, show the UID.",
        discussion: "No network needed. The same flow as `btpow create-pow --network ws://…` against `btpow devnet`."
    )

    @Option(help: "Difficulty of the demo subnet.")
    var difficulty: UInt64 = 40_000_000

    @Option(help: "Challenge layout: v1 (today's pow_register) or legacy.")
    var scheme: ChallengeScheme = .v1

    @Option(help: "Seconds between blocks on the demo chain.")
    var blockTime: Double = 3

    @Option(help: "Worker threads (default: every CPU this process may use).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Redraw the status in place (default on a terminal).")
    var outputInPlace: Bool?

    func validate() throws {
        try validateDifficulty(difficulty)
        if let threads, threads < 1 { throw CLIError.badInput("--threads must be at least 1") }
        if !(blockTime > 0 && blockTime <= 60) { throw CLIError.badInput("--block-time must be in (0, 60] seconds") }
    }

    // Well-known development keys (Alice as hotkey, Bob as coldkey): public keys only.
    static let hotkey = try! Bytes32(hex: "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
    static let coldkey = try! Bytes32(hex: "0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")

    func run() async throws {
        let netuid: UInt16 = 1
        var logger = Logger(label: "btpow.demo")
        logger.logLevel = Log.library.logLevel
        let server = DevnetServer(configuration: DevnetConfiguration(
            port: 0, blockTime: .milliseconds(Int(blockTime * 1000)), subnets: [netuid], difficulty: difficulty), logger: logger)
        let port: Int
        do { port = try await server.start() } catch {
            throw CLIError("the local chain could not start: \(error)", .chainError)
        }
        let url = "ws://127.0.0.1:\(port)"
        print("Local chain (devnet) at \(url): subnet \(netuid), difficulty \(HumanReadable.millify(difficulty)), a block every \(blockTime) s")
        print("Hotkey \(SS58.encode(publicKey: Self.hotkey)), coldkey \(SS58.encode(publicKey: Self.coldkey)), scheme \(scheme.rawValue)")

        let client = SubtensorClient(rpc: RPCClient(endpoint: try SubtensorEndpoint(url), logger: Log.library), logger: Log.library)
        do {
            let kernel = KernelCatalog.best
            let searchers: [any NonceSearcher] = (0 ..< (threads ?? CPUInfo.availableCPUs)).map { _ in KernelSearcher(kernel: kernel) }
            print("Solving with \(searchers.count) × \(kernel.name)…")
            fflush(nil)   // every output stream, stdout included
            let request = CreatePoWRequest(netuid: Int(netuid), hotkey: Self.hotkey, coldkey: Self.coldkey, scheme: scheme)
            let outcome = try await CreatePoWRun.solve(chain: client, request: request, searchers: searchers, display: DisplayOptions(
                show: true, outputInPlace: outputInPlace ?? Console.stderrIsTerminal, verbose: false))
            guard case .solved(let solution) = outcome else {
                throw CLIError("the demo hotkey is already registered", .alreadyRegistered)
            }
            print("Solved on block \(solution.blockNumber): nonce \(solution.nonce), seal \(solution.seal.hex)")
            let report = SubmissionReport(solution: solution, netuid: Int(netuid), network: url, hotkey: Self.hotkey, coldkey: Self.coldkey)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            guard let params = JSONValue.parse(String(decoding: try encoder.encode(report), as: UTF8.self)) else {
                throw CLIError("could not encode the solution", .noSolution)
            }
            let reply: JSONValue
            do { reply = try await client.rpc.request("devnet_submitPow", [params]) } catch {
                throw CLIError("the devnet refused the solution: \(error)", .chainError)
            }
            if let uid = reply["uid"]?.intValue {
                print("Submitted: the devnet checked the work as the chain would and registered \(SS58.encode(publicKey: Self.hotkey)) on subnet \(netuid) with UID \(uid).")
            } else {
                print("Submitted; the devnet answered \(reply)")
            }
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
        await client.close()
        await server.stop()
    }
}
