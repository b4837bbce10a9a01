import ArgumentParser
import ChainCodec
import ChainMetadata
import Extrinsics
import Foundation
import Keys
import PoWCore
import PoWSolver
import Registration
import Subtensor
import Synchronization
import Wallet

/// The coldkey's key pair as the registrar's signer.
struct KeypairSigner: ExtrinsicSigner {
    let keypair: SR25519.Keypair
    var publicKey: Bytes32 { Bytes32(keypair.publicKey.bytes)! }
    func sign(_ payload: [UInt8]) -> [UInt8] { keypair.sign(payload) }
}

/// bittensor 11.3's `--pow-backend`.
enum PoWBackend: String, ExpressibleByArgument, CaseIterable {
    case auto, gpu, cpu
}

/// `--wait-for`.
enum WaitFor: String, ExpressibleByArgument, CaseIterable {
    case included, finalized

    var inclusion: SubtensorClient.Inclusion { self == .included ? .inBlock : .finalized }
}

/// What `register` and `faucet` share: the wallet whose coldkey signs, the node, the solver and how to submit.
struct SubmitOptions: ParsableArguments {
    @OptionGroup var location: WalletLocationOptions

    @Option(help: "finney, test, archive, local, or a ws:// / wss:// URL.")
    var network: String = "finney"

    @OptionGroup var solver: SolverOptions

    @Option(name: .customLong("pow-workers"), help: "bittensor's name for --threads (CPU worker threads).")
    var powWorkers: Int?

    @Option(name: .customLong("pow-backend"), help: "bittensor's backend choice: auto (CUDA when it works, else CPU), gpu (CUDA) or cpu.")
    var powBackend: PoWBackend?

    @Option(name: .customLong("pow-device"), help: ArgumentHelp("bittensor's name for --dev-id (implies a GPU backend).", valueName: "index"))
    var powDevice: [String] = []

    @Option(name: .customLong("pow-timeout"), help: "Give up solving after this many seconds (1…3600; default: no limit).")
    var powTimeout: Double?

    @Option(name: .customLong("wait-for"), help: "Wait until the extrinsic is included or finalized.")
    var waitFor: WaitFor = .finalized

    @Option(help: "Solves at most: work that went stale, or that the chain refuses as InvalidWorkBlock, is mined again.")
    var maxAttempts: Int = 3

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    func validate() throws {
        if let powWorkers {
            if powWorkers < 0 { throw CLIError.badInput("--pow-workers must be at least 0") }
            if let threads = solver.threads, threads != powWorkers {
                throw CLIError.badInput("--pow-workers and --threads name the same thing: give one")
            }
        }
        if let powTimeout, !(1 ... 3600).contains(powTimeout) { throw CLIError.badInput("--pow-timeout must be 1…3600 seconds") }
        if maxAttempts < 1 { throw CLIError.badInput("--max-attempts must be at least 1") }
        if powBackend == .cpu, solver.gpu.enabled || !powDevice.isEmpty {
            throw CLIError.badInput("--pow-backend cpu conflicts with --cuda, --opencl and --pow-device")
        }
    }

    var endpoint: SubtensorEndpoint {
        get throws { do { return try SubtensorEndpoint(network, environment: ProcessInfo.processInfo.environment) } catch { throw CLIError.badInput("--network: \(error)") } }
    }

    /// The workers the flags ask for, bittensor's names folded into btpow's.
    func workers() throws -> [any NonceSearcher] {
        var s = solver
        if let powWorkers { s.threads = powWorkers }
        if !powDevice.isEmpty { s.gpu.devIds += powDevice }
        let wantsGPU = powBackend == .gpu || !powDevice.isEmpty
        if wantsGPU, !s.gpu.enabled { s.gpu.cuda = true }
        if powBackend == .auto, !s.gpu.enabled {
            var gpu = s
            gpu.gpu.cuda = true
            if let workers = try? gpu.workers() { return workers }
            Console.status("no usable CUDA device; solving on the CPU\n")
        }
        if let threads = s.threads, threads < s.gpu.minimumThreads {
            throw CLIError.badInput("--threads/--pow-workers must be at least \(s.gpu.minimumThreads) without a GPU")
        }
        return try s.workers()
    }

    var deadline: ContinuousClock.Instant? {
        powTimeout.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
    }

    /// The coldkey, unlocked (the password from BT_PW_… or a prompt); a wrong password is one line and exit 2.
    func unlockColdkey() throws -> KeypairSigner {
        let sodium = try loadSodium()
        return KeypairSigner(keypair: try PasswordSource.loadSecret(.coldkey, wallet: location.wallet, sodium: sodium).keypair)
    }

    func connect() async throws -> SubtensorClient {
        let endpoint = try endpoint
        let chain = SubtensorClient(rpc: RPCClient(endpoint: endpoint, logger: Log.library), logger: Log.library)
        do { try await chain.rpc.waitUntilConnected(timeout: .seconds(15)) } catch {
            await chain.close()
            throw CLIError("cannot reach \(endpoint): \(error)", .chainError)
        }
        return chain
    }

    func registrar(_ chain: SubtensorClient, signer: KeypairSigner) -> PoWRegistrar {
        PoWRegistrar(client: chain, signer: signer, waitFor: waitFor.inclusion, maxAttempts: maxAttempts,
                     updateInterval: solver.updateInterval, logger: Log.library)
    }

    /// Progress lines on stderr (the JSON, when asked for, is the only thing on stdout).
    static func retryLine(_ retry: RegistrationRetry) {
        Console.status("attempt \(retry.attempt - 1) of \(retry.maxAttempts) failed (\(retry.reason)); mining again\n")
    }

    static func statusLine(_ status: TransactionStatus) {
        Console.status("extrinsic: \(status)\n")
    }

    /// Runs a registration or faucet run with Ctrl-C handled from its start to its end, exit 130 in every phase: while
    /// solving, the solve stops and says so; once an extrinsic is out (`PendingExtrinsic`), the watch stops and the
    /// user is told that the extrinsic may still be included.
    /// `hint`: what the user can do about an extrinsic that may still be included.
    static func interruptible<T: Sendable>(hint: String, _ body: @escaping @Sendable (PendingExtrinsic) async throws -> T) async throws -> T {
        let pending = PendingExtrinsic()
        let task = Task { try await body(pending) }
        let interrupt = Interrupt { task.cancel() }
        defer { interrupt.remove() }
        let result = await task.result
        guard interrupt.happened else { return try result.get() }
        if let hash = pending.hash {
            Console.error("interrupted while waiting for extrinsic \(hash.hex): it was submitted and may still be included; \(hint)")
            throw ExitStatus.interrupted.exit
        }
        // Interrupted while solving: the solve has said so.
        if case .failure(let error) = result, let exit = error as? ExitCode, exit == ExitStatus.interrupted.exit { throw exit }
        Console.error("interrupted")
        throw ExitStatus.interrupted.exit
    }
}

/// The workers, handed to the registration task. @unchecked: searchers are not Sendable, but only the solver engine
/// of one attempt at a time uses them, each from its own worker thread (`SolverEngine` keeps a searcher to one worker).
final class WorkerList: @unchecked Sendable {
    let searchers: [any NonceSearcher]
    init(_ searchers: [any NonceSearcher]) { self.searchers = searchers }
}

/// The extrinsic that is out and not settled yet: submitted to the node, neither included nor refused.
final class PendingExtrinsic: Sendable {
    private let current = Mutex<Bytes32?>(nil)
    var hash: Bytes32? { current.withLock { $0 } }
    /// For the registrar's `onSubmit`.
    func submitted(_ hash: Bytes32) { current.withLock { $0 = hash } }
    /// The run (or an attempt: it is mined again) is over: nothing is out any more.
    func settled() { current.withLock { $0 = nil } }
}

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a hotkey on a subnet by proof-of-work: unlock the coldkey, solve, sign pow_register, submit, show the UID.",
        discussion: """
        The coldkey is unlocked before solving (password from BT_PW_<keyfile path> or a prompt). The subnet must \
        exist and allow PoW registration, and the hotkey must not be registered yet; all is checked before solving. \
        Work is judged fresh only within 3 blocks (the strictest window a chain has used) and mined again, up to \
        --max-attempts solves, when it goes stale or the chain answers InvalidWorkBlock. Several machines may run this \
        for one hotkey at once: one registers, the others exit 3 saying the hotkey got registered. \
        Exit 0 registered (the UID printed), 1 no solution within --pow-timeout, 2 bad input, wrong password, subnet \
        missing or PoW registration disabled, 3 hotkey already registered, 4 node unreachable or the chain refused the \
        registration (its error named), 5 a worker (GPU) failed, 130 interrupted.
        """
    )

    @Option(help: "Subnet id (1…65535).")
    var netuid: Int

    @Option(help: "Hotkey public key (0x… or SS58) instead of the wallet's hotkey.")
    var hotkey: String?

    @OptionGroup var options: SubmitOptions

    func validate() throws {
        if !(1 ... 65535).contains(netuid) { throw CLIError.badInput("--netuid must be 1…65535 (got \(netuid))") }
    }

    func run() async throws {
        let netuid16 = UInt16(netuid)
        _ = try options.endpoint
        let hotkey: Bytes32
        if let text = self.hotkey { hotkey = try parsePublicKey(text, option: "--hotkey") } else {
            do { hotkey = try options.location.wallet.hotkeyPublicKey() } catch { throw CLIError.badInput("\(error)") }
        }
        let signer = try options.unlockColdkey()
        let searchers = try options.workers()
        let chain = try await options.connect()
        do {
            try await precheck(chain, netuid: netuid16, hotkey: hotkey)
            let display = options.solver.display(show: true)
            let deadline = options.deadline
            let registrar = options.registrar(chain, signer: signer)
            let workers = WorkerList(searchers)
            let hint = "run the same command again to see (it exits 3 once the hotkey is registered)"
            let receipt = try await SubmitOptions.interruptible(hint: hint) { pending in
                try await registrar.register(
                    netuid: netuid16, hotkey: hotkey,
                    mine: { request, _ in
                        try await CreatePoWRun.solve(chain: chain, request: request, searchers: workers.searchers, display: display,
                                                     deadline: deadline)
                    },
                    onRetry: { pending.settled(); SubmitOptions.retryLine($0) }, onSubmit: pending.submitted,
                    onStatus: { SubmitOptions.statusLine($0) })
            }
            await chain.close()
            try report(receipt, network: chain.endpoint.url, coldkey: signer.publicKey)
        } catch {
            await chain.close()
            if let error = error as? RegistrationError { throw Self.cliError(error, netuid: netuid16, hotkey: hotkey) }
            throw error
        }
    }

    /// The subnet exists and takes PoW, and the hotkey is not registered yet: otherwise nothing is mined.
    func precheck(_ chain: SubtensorClient, netuid: UInt16, hotkey: Bytes32) async throws {
        do {
            guard try await chain.subnetExists(netuid: netuid) else {
                throw CLIError("SubnetNotExists: subnet \(netuid) does not exist on this chain; check --netuid and --network", .badInput)
            }
            guard try await chain.powRegistrationAllowed(netuid: netuid) else {
                throw Self.cliError(.poolRefusedName("SubNetRegistrationDisabled"), netuid: netuid, hotkey: hotkey)
            }
            if let uid = try await chain.uid(netuid: netuid, hotkey: hotkey) {
                throw Self.cliError(.alreadyRegistered(netuid: netuid, uid: uid), netuid: netuid, hotkey: hotkey)
            }
        } catch let error as ChainError {
            throw CLIError("reading subnet \(netuid): \(error)", .chainError)
        }
    }

    func report(_ receipt: RegistrationReceipt, network: String, coldkey: Bytes32) throws {
        if options.json {
            var object: [String: JSONValue] = [:]
            let encoded = try JSONEncoder().encode(SubmissionReport(solution: receipt.solution, netuid: Int(receipt.netuid), network: network,
                                                                    hotkey: receipt.hotkey, coldkey: coldkey))
            if case .object(let fields)? = JSONValue.parse(String(decoding: encoded, as: UTF8.self)) { object = fields }
            // The solution's block_hash is its work block's; block_hash here is the block that registered it.
            object["work_block_hash"] = object.removeValue(forKey: "block_hash")
            object["uid"] = .int(Int64(receipt.uid))
            object["block_hash"] = .string(receipt.blockHash.hex)
            object["extrinsic_hash"] = .string(receipt.extrinsicHash.hex)
            object["attempts"] = .int(Int64(receipt.attempts))
            try Console.printJSON(JSONValue.object(object))
        } else {
            print("Registered \(SS58.encode(publicKey: receipt.hotkey)) on subnet \(receipt.netuid): UID \(receipt.uid)")
            print("  block \(receipt.blockHash.hex), extrinsic \(receipt.extrinsicHash.hex), work block \(receipt.solution.blockNumber)"
                  + (receipt.attempts > 1 ? ", \(receipt.attempts) attempts" : ""))
        }
    }

    /// A registration failure as one line: the chain's error name, what it means, what to do; and its exit status.
    static func cliError(_ error: RegistrationError, netuid: UInt16, hotkey: Bytes32) -> CLIError {
        switch error {
        case .alreadyRegistered(_, let uid):
            return CLIError("\(SS58.encode(publicKey: hotkey)) is registered on subnet \(netuid)" + (uid.map { " with UID \($0)" } ?? "")
                            + " (HotKeyAlreadyRegisteredInSubNet): nothing to do", .alreadyRegistered)
        case .solve(let solve):
            switch solve {
            case .powRegistrationNotAllowed: return cliError(.poolRefusedName("SubNetRegistrationDisabled"), netuid: netuid, hotkey: hotkey)
            default: return CLIError(solve.description, solve.exitStatus)
            }
        case .poolRefused, .dispatchFailed:
            let name = error.chainErrorName
            let (hint, status) = advice(name, netuid: netuid)
            let head = name.map { "registration refused: \($0)" } ?? "registration refused (\(error))"
            return CLIError(head + ": " + hint, status)
        case .staleWork, .attemptsExhausted:
            return CLIError("\(error): run again; a faster solver (--cuda, more --threads) leaves more of each block for submitting", .chainError)
        case .chain, .extrinsic, .noUID:
            return CLIError(error.description, .chainError)
        }
    }

    /// What each refusal means for the user, and how it exits.
    static func advice(_ name: String?, netuid: UInt16) -> (String, ExitStatus) {
        switch name {
        case "SubNetRegistrationDisabled":
            return ("the owner of subnet \(netuid) has not enabled PoW registration (NetworkPowRegistrationAllowed); register by burn or pick another subnet", .badInput)
        case "SubnetNotExists": return ("subnet \(netuid) does not exist on this chain; check --netuid and --network", .badInput)
        case "RegistrationNotPermittedOnRootSubnet": return ("the root network takes no PoW registration", .badInput)
        case "TooManyRegistrationsThisBlock": return ("the subnet's registrations for this block are used up; run again in a block or two", .chainError)
        case "InvalidWorkBlock": return ("the work was too old (or not newer than the hotkey's last PoW registration) when the chain judged it; run again", .chainError)
        case "InvalidDifficulty": return ("the subnet's difficulty rose before the extrinsic was included; run again", .chainError)
        case "InvalidSeal": return ("the chain computed another seal: the work was not done for this coldkey, hotkey and subnet", .chainError)
        case "NonAssociatedColdKey": return ("the hotkey belongs to another coldkey; register it with that coldkey's wallet", .badInput)
        case "TooManyStakingHotkeys": return ("this coldkey already owns as many hotkeys as it may", .badInput)
        case "NoNeuronIdAvailable": return ("subnet \(netuid) takes no neurons (MaxAllowedUids is 0)", .badInput)
        case "CannotUseSystemAccount": return ("that hotkey is a subnet system account; use another hotkey", .badInput)
        case "BadRequest": return ("the pool refused it without naming the check (PoW disabled, the root subnet or a full block); check the subnet's settings and run again", .chainError)
        default: return ("see the chain's documentation of this error", .chainError)
        }
    }
}

extension RegistrationError {
    /// A refusal known only by its name (from a check made before submitting).
    static func poolRefusedName(_ name: String) -> RegistrationError {
        .poolRefused(name: name, PoolRejection(code: 1010, message: "Invalid Transaction: \(name)"))
    }
}

struct FaucetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faucet",
        abstract: "Mint test TAO on a local chain by proof-of-work (SubtensorModule.faucet, in localnet builds only).",
        discussion: """
        Legacy work over the coldkey at difficulty 1,000,000 (the chain's little-endian rule), signed by the coldkey; \
        prints the free balance before and after. Exit 0 every drip went through, 2 bad input, wrong password or a \
        chain without the faucet, 4 node unreachable or the chain refused a drip, 5 a worker failed, 130 interrupted.
        """
    )

    @Option(help: "Drips to mint, one after another.")
    var maxSuccesses: Int = 1

    @OptionGroup var options: SubmitOptions

    func validate() throws {
        if maxSuccesses < 1 { throw CLIError.badInput("--max-successes must be at least 1") }
    }

    struct Drip: Encodable {
        let block_hash: String
        let extrinsic_hash: String
        let amount: String?
        let work_block: UInt64
        let nonce: UInt64
    }

    struct Output: Encodable {
        let coldkey_ss58: String
        let balance_before: String
        let balance_after: String
        let drips: [Drip]
    }

    func run() async throws {
        _ = try options.endpoint
        let signer = try options.unlockColdkey()
        let searchers = try options.workers()
        let chain = try await options.connect()
        do {
            let metadata: RuntimeMetadata
            do { metadata = try await chain.runtimeMetadata() } catch { throw CLIError("reading the runtime: \(error)", .chainError) }
            guard (try? metadata.call(pallet: "SubtensorModule", name: "faucet")) != nil else {
                throw CLIError("this chain has no SubtensorModule.faucet (only localnet builds have it); use a local chain", .badInput)
            }
            let registrar = options.registrar(chain, signer: signer)
            let before = try await balance(chain, signer.publicKey, metadata)
            let coldkey = SS58.encode(publicKey: signer.publicKey)
            if !options.json { print("Coldkey \(coldkey): free balance \(Self.tao(before))") }
            let display = options.solver.display(show: true)
            let deadline = options.deadline
            var drips: [Drip] = []
            let workers = WorkerList(searchers)
            for i in 1 ... maxSuccesses {
                let hint = "the next `btpow faucet` shows the balance before it mines"
                let receipt = try await SubmitOptions.interruptible(hint: hint) { pending in
                    try await registrar.faucet(
                        mine: { request, _ in
                            try await CreatePoWRun.solve(chain: chain, request: request, searchers: workers.searchers, display: display,
                                                         deadline: deadline)
                        }, onRetry: { pending.settled(); SubmitOptions.retryLine($0) }, onSubmit: pending.submitted,
                        onStatus: { SubmitOptions.statusLine($0) })
                }
                drips.append(Drip(block_hash: receipt.blockHash.hex, extrinsic_hash: receipt.extrinsicHash.hex,
                                  amount: receipt.amount.map { "\($0)" }, work_block: receipt.solution.blockNumber, nonce: receipt.solution.nonce))
                if !options.json {
                    print("Drip \(i) of \(maxSuccesses): \(receipt.amount.map { "+" + Self.tao($0) } ?? "minted") in block \(receipt.blockHash.hex)")
                }
            }
            let after = try await balance(chain, signer.publicKey, metadata)
            await chain.close()
            if options.json {
                try Console.printJSON(Output(coldkey_ss58: coldkey, balance_before: "\(before)", balance_after: "\(after)", drips: drips))
            } else {
                print("Free balance \(Self.tao(before)) → \(Self.tao(after))")
            }
        } catch {
            await chain.close()
            if let error = error as? RegistrationError {
                let name = error.chainErrorName
                throw CLIError("faucet refused" + (name.map { ": \($0)" } ?? "") + ": \(error)", error.faucetExitStatus)
            }
            throw error
        }
    }

    func balance(_ chain: SubtensorClient, _ account: Bytes32, _ metadata: RuntimeMetadata) async throws -> UInt128 {
        do { return try await chain.freeBalance(account, metadata: metadata) } catch {
            throw CLIError("reading the balance: \(error)", .chainError)
        }
    }

    /// rao as TAO (9 decimals).
    static func tao(_ rao: UInt128) -> String {
        let whole = rao / 1_000_000_000, fraction = rao % 1_000_000_000
        let digits = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 9 - digits.count))\(digits) TAO"
    }
}

extension RegistrationError {
    var faucetExitStatus: ExitStatus {
        switch self {
        case .solve(let e): return e.exitStatus
        default: return .chainError
        }
    }
}
