import ChainCodec
import ArgumentParser
import Devnet
import Foundation
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor
import Keys
import Wallet
#if canImport(Glibc)
import Glibc
#endif

/// The main job on the built-in default: `register` end to end against an in-process devnet, with a fresh wallet.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local chain in this process and register on it: fresh wallet, unlock, solve, sign, submit, watch, UID.",
        discussion: """
        No network needed. Makes a throwaway wallet in a temporary folder (encrypted coldkey, its password handed over         through the BT_PW_ variable as btcli does), then runs what `btpow register --network ws://…` does against         `btpow devnet`. Without libsodium (needed for the keys) it submits the solution through the devnet's         devnet_submitPow instead, unsigned.
        """
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

        let client = SubtensorClient(rpc: RPCClient(endpoint: try SubtensorEndpoint(url), logger: Log.library), logger: Log.library)
        if let sodium = try? Sodium.shared() {
            do {
                try await registerSigned(client: client, sodium: sodium, netuid: netuid)
            } catch {
                await client.close()
                await server.stop()
                throw error
            }
            await client.close()
            await server.stop()
            return
        }
        print("libsodium not found (apt-get install libsodium23): solving for the development keys and submitting unsigned")
        print("Hotkey \(SS58.encode(publicKey: Self.hotkey)), coldkey \(SS58.encode(publicKey: Self.coldkey)), scheme \(scheme.rawValue)")
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

extension DemoCommand {
    var workers: [any NonceSearcher] {
        let kernel = KernelCatalog.best
        return (0 ..< (threads ?? CPUInfo.availableCPUs)).map { _ in KernelSearcher(kernel: kernel) }
    }

    /// The real flow: a fresh wallet, unlocked through the password variable, then what `btpow register` does.
    func registerSigned(client: SubtensorClient, sodium: Sodium, netuid: UInt16) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("btpow-demo-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let wallet = WalletFiles(root: root, name: "demo", hotkey: "default")
        print("Making a throwaway wallet in \(root) (encrypted coldkey; Argon2i takes a few seconds)…")
        fflush(nil)
        let variable = try DemoWallet.create(wallet, sodium: sodium)
        defer { unsetenv(variable) }
        let signer = KeypairSigner(keypair: try PasswordSource.loadSecret(.coldkey, wallet: wallet, sodium: sodium).keypair)
        let hotkey = try wallet.hotkeyPublicKey()
        print("Unlocked coldkey \(SS58.encode(publicKey: signer.publicKey)) (password from \(variable)); hotkey \(SS58.encode(publicKey: hotkey))")
        let searchers = workers
        print("Solving with \(searchers.count) × \(KernelCatalog.best.name), then signing pow_register and watching it…")
        fflush(nil)
        let display = DisplayOptions(show: true, outputInPlace: outputInPlace ?? Console.stderrIsTerminal, verbose: false)
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .finalized, logger: Log.library)
        let workers = WorkerList(searchers)
        do {
            // Ctrl-C at any point ends the demo with exit 130 and the throwaway wallet removed.
            let receipt = try await SubmitOptions.interruptible(hint: "the demo chain stops with this process") { pending in
                try await registrar.register(
                    netuid: netuid, hotkey: hotkey,
                    mine: { request, _ in
                        try await CreatePoWRun.solve(chain: client, request: request, searchers: workers.searchers, display: display)
                    },
                    onRetry: { pending.settled(); SubmitOptions.retryLine($0) }, onSubmit: pending.submitted,
                    onStatus: { print("  extrinsic \($0)"); fflush(nil) })
            }
            print("Solved on block \(receipt.solution.blockNumber): nonce \(receipt.solution.nonce), seal \(receipt.solution.seal.hex)")
            print("Registered \(SS58.encode(publicKey: hotkey)) on subnet \(netuid) with UID \(receipt.uid) "
                  + "(block \(receipt.blockHash.hex), extrinsic \(receipt.extrinsicHash.hex)).")
        } catch let error as RegistrationError {
            throw RegisterCommand.cliError(error, netuid: netuid, hotkey: hotkey)
        }
    }
}

/// A throwaway btcli-style wallet: `$NACL` coldkey with a random password, plain hotkey, both pub files.
enum DemoWallet {
    /// Writes the wallet and puts the coldkey's password in its BT_PW_ variable (in this process only); returns
    /// the variable's name.
    static func create(_ wallet: WalletFiles, sodium: Sodium) throws -> String {
        let hotkeys = (wallet.walletDirectory as NSString).appendingPathComponent("hotkeys")
        try FileManager.default.createDirectory(atPath: hotkeys, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        func keyfile(_ seed: [UInt8]) throws -> (json: [UInt8], publicKey: Bytes32) {
            let pair = try SR25519.Keypair(miniSecret: SecretBytes(copying: seed), sodium: sodium)
            let key = Bytes32(pair.publicKey.bytes)!
            let text = #"{"accountId":"\#(key.hex)","publicKey":"\#(key.hex)","secretSeed":"\#(Hex.encode(seed))","ss58Address":"\#(SS58.encode(publicKey: key))"}"#
            return (Array(text.utf8), key)
        }
        func publicFile(_ key: Bytes32) -> Data {
            Data(#"{"accountId":"\#(key.hex)","publicKey":"\#(key.hex)","ss58Address":"\#(SS58.encode(publicKey: key))"}"#.utf8)
        }
        func write(_ data: Data, _ path: String) throws {
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("could not write \(path)", .badInput)
            }
        }
        var coldSeed = sodium.randomBytes(32)
        var hotSeed = sodium.randomBytes(32)
        defer { SecretBytes.wipe(&coldSeed); SecretBytes.wipe(&hotSeed) }
        let password = SecretBytes(copying: Array(Hex.encode(sodium.randomBytes(16)).utf8))
        var (coldJSON, coldkey) = try keyfile(coldSeed)
        defer { SecretBytes.wipe(&coldJSON) }
        let key = try Keyfile.deriveKey(password: password, sodium: sodium)
        try write(Data(Keyfile.encrypt(SecretBytes(copying: coldJSON), key: key, sodium: sodium)), wallet.coldkeyPath)
        try write(publicFile(coldkey), wallet.coldkeyPubPath)
        var (hotJSON, hotkey) = try keyfile(hotSeed)
        defer { SecretBytes.wipe(&hotJSON) }
        try write(Data(hotJSON), wallet.hotkeyPath)
        try write(publicFile(hotkey), wallet.hotkeyPubPath)
        let variable = wallet.passwordVariableName(.coldkey)
        setenv(variable, PasswordEnvironment.obfuscatedValue(password: password, variableName: variable), 1)
        return variable
    }
}
