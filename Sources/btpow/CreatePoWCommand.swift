import Wallet
import ChainCodec
import ArgumentParser
import Foundation
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor
import Synchronization

/// Where the keys come from: explicit keys win over the wallet files.
struct KeyOptions: ParsableArguments {
    @OptionGroup var location: WalletLocationOptions

    @Option(help: "Hotkey public key (0x… or SS58) instead of the wallet's.")
    var hotkey: String?

    @Option(help: "Coldkey public key (0x… or SS58) instead of the wallet's.")
    var coldkey: String?

    var wallet: WalletFiles { location.wallet }

    /// Reads only the public keys that are needed; a wallet file is opened only if its key was not given.
    func keys(needHotkey: Bool, needColdkey: Bool) throws -> (hotkey: Bytes32?, coldkey: Bytes32?) {
        func load(_ read: () throws -> Bytes32) throws -> Bytes32 {
            do { return try read() } catch { throw CLIError.badInput("\(error)") }
        }
        var hot: Bytes32?, cold: Bytes32?
        if let hotkey { hot = try parsePublicKey(hotkey, option: "--hotkey") }
        else if needHotkey { hot = try load { try wallet.hotkeyPublicKey() } }
        if let coldkey { cold = try parsePublicKey(coldkey, option: "--coldkey") }
        else if needColdkey { cold = try load { try wallet.coldkeyPublicKey() } }
        return (hot, cold)
    }
}

struct CreatePoWCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-pow",
        abstract: "Solve the registration proof-of-work against a Subtensor node (bittensor's Python create_pow).",
        discussion: """
        Follows new blocks through one subscription while solving, refreshes the difficulty, stops \
        when the hotkey gets registered, and returns only work that is fresh on the chain. \
        Exit 0 solved, 2 bad input or subnet missing, 3 hotkey already registered, 4 chain unreachable \
        or erroring, 5 a worker (GPU) failed, 130 interrupted.
        """
    )

    @Option(help: "Subnet id; -1 is the faucet (legacy work over the coldkey, difficulty 1,000,000).")
    var netuid: Int

    @OptionGroup var keys: KeyOptions

    @Option(help: "finney, test, archive, local, or a ws:// / wss:// URL.")
    var network: String = "finney"

    @Option(help: "Challenge layout: v1 (today's pow_register; default) or legacy (bittensor's Python reference; default for the faucet).")
    var scheme: ChallengeScheme?

    @Option(help: "Difficulty rule: chain (default: what the chain checks, legacy work included), seed or chain-be.")
    var rule: DifficultyRule?

    @OptionGroup var solver: SolverOptions

    @Flag(help: "Print the solution as JSON on stdout.")
    var json = false

    func validate() throws {
        if netuid < -1 || netuid > 65535 { throw CLIError.badInput("--netuid must be -1 (faucet) or 1…65535 (got \(netuid))") }
        if netuid == 0 { throw CLIError.badInput("--netuid 0 is the root network, which takes no proof-of-work registration") }
        if netuid == -1, scheme == .v1 { throw CLIError.badInput("the faucet (--netuid -1) uses --scheme legacy") }
    }

    var effectiveScheme: ChallengeScheme { scheme ?? (netuid == -1 ? .legacy : .v1) }

    func run() async throws {
        let scheme = effectiveScheme
        let needColdkey = netuid == -1 || scheme == .v1
        if needColdkey, keys.hotkey != nil, keys.coldkey == nil, (try? keys.wallet.coldkeyPublicKey()) == nil {
            // Keys given on the command line, no coldkey among them: say what is missing, not which wallet file.
            let why = netuid == -1 ? "the faucet hashes the coldkey" : "the v1 challenge includes the coldkey"
            throw CLIError.badInput("\(why): give it with --coldkey (0x… or SS58), or name the wallet that holds it "
                                    + "(--wallet.name, --wallet.path)")
        }
        let (hotkey, coldkey) = try keys.keys(needHotkey: netuid != -1, needColdkey: needColdkey)
        let request = CreatePoWRequest(netuid: netuid, hotkey: hotkey ?? coldkey ?? .zero, coldkey: coldkey,
                                       scheme: scheme, rule: rule, updateInterval: solver.updateInterval)
        let endpoint: SubtensorEndpoint
        do { endpoint = try SubtensorEndpoint(network, environment: ProcessInfo.processInfo.environment) } catch { throw CLIError.badInput("--network: \(error)") }
        let searchers = try solver.workers()

        let chain = SubtensorClient(rpc: RPCClient(endpoint: endpoint, logger: Log.library), logger: Log.library)
        do { try await chain.rpc.waitUntilConnected(timeout: .seconds(15)) } catch {
            await chain.close()
            throw CLIError("cannot reach \(endpoint): \(error)", .chainError)
        }
        let outcome: CreatePoWOutcome
        do {
            outcome = try await CreatePoWRun.solve(chain: chain, request: request, searchers: searchers,
                                                   display: solver.display(show: true))
        } catch {
            await chain.close()
            throw error
        }
        await chain.close()
        switch outcome {
        case .alreadyRegistered:
            let who = hotkey.map { SS58.encode(publicKey: $0) } ?? "the hotkey"
            if json { try Console.printJSON(JSONValue.object(["registered": .bool(true), "netuid": .int(Int64(netuid))])) }
            Console.error("\(who) is already registered on subnet \(netuid); nothing to solve")
            throw ExitStatus.alreadyRegistered.exit
        case .solved(let solution):
            let report = SubmissionReport(solution: solution, netuid: netuid, network: endpoint.url, hotkey: hotkey, coldkey: coldkey)
            if json { try Console.printJSON(report) } else {
                print("Solved block \(solution.blockNumber) at difficulty \(solution.difficulty): nonce \(solution.nonce), seal \(solution.seal.hex) (\(solution.scheme.rawValue), rule \(solution.rule.rawValue))")
            }
        }
    }
}

/// Runs a `PoWCreator` with the live display and Ctrl-C handling; shared by create-pow and demo.
enum CreatePoWRun {
    /// `deadline`: when to give up solving (`--pow-timeout`); passing it ends the command with exit 1.
    static func solve(chain: any RegistrationChain, request: CreatePoWRequest, searchers: [any NonceSearcher],
                      display: DisplayOptions, deadline: ContinuousClock.Instant? = nil) async throws -> CreatePoWOutcome {
        let creator = PoWCreator(chain: chain, request: request, searchers: searchers)
        let task = Task { () -> Result<CreatePoWOutcome, CreatePoWError> in
            do throws(CreatePoWError) { return .success(try await creator.run()) } catch { return .failure(error) }
        }
        let interrupt = Interrupt { task.cancel() }
        defer { interrupt.remove() }
        let timedOut = TimeoutFlag()
        let timer = deadline.map { deadline in
            Task {
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                timedOut.value.store(true, ordering: .releasing)
                task.cancel()
            }
        }
        defer { timer?.cancel() }
        let ticker = StatisticsTicker(display: display.makeDisplay(), verbose: display.verbose) { creator.statistics }
        let result = await task.value
        await ticker.finish()
        if timedOut.value.load(ordering: .acquiring), case .failure = result {
            throw CLIError("no solution before the solve's time limit (--pow-timeout) after \(creator.engine.progress.noncesHashed) nonces",
                           .noSolution)
        }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let error):
            // Ctrl-C cancels the task: whatever the cancelled call threw, the user asked to stop.
            if interrupt.happened || error == .cancelled {
                Console.error("interrupted after \(creator.engine.progress.noncesHashed) nonces")
                throw ExitStatus.interrupted.exit
            }
            throw CLIError(error.description, error.exitStatus)
        }
    }
}

extension CreatePoWError {
    /// How each failure ends the command.
    var exitStatus: ExitStatus {
        switch self {
        case .subnetMissing, .invalidNetuid, .coldkeyRequired, .powRegistrationNotAllowed: return .badInput
        case .stopped: return .noSolution
        case .workersFailed: return .workerFailed
        case .chain: return .chainError
        case .cancelled: return .interrupted
        }
    }
}

/// The solution plus what a submitter needs.
struct SubmissionReport: Encodable {
    let solution: PoWSolution
    let netuid: Int
    let network: String
    let hotkey: Bytes32?
    let coldkey: Bytes32?

    enum Keys: String, CodingKey { case netuid, network, hotkey_ss58, coldkey_ss58, stale_after_blocks }

    func encode(to encoder: any Encoder) throws {
        try solution.encode(to: encoder)   // nonce, seal, block_number, difficulty, scheme, rule, block_hash, keys (hex)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(netuid, forKey: .netuid)
        try c.encode(network, forKey: .network)
        try c.encodeIfPresent(hotkey.map { SS58.encode(publicKey: $0) }, forKey: .hotkey_ss58)
        try c.encodeIfPresent(coldkey.map { SS58.encode(publicKey: $0) }, forKey: .coldkey_ss58)
        try c.encode(solution.scheme.staleAfterBlocks, forKey: .stale_after_blocks)
    }
}

/// Set when a solve's time limit passed.
final class TimeoutFlag: Sendable {
    let value = Atomic<Bool>(false)
}
