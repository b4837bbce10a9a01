// Solves a registration proof-of-work offline, then runs create_pow against a local chain started in this
// process, through btpow's public library API.
import ChainCodec
import Devnet
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor

// 1. Offline: the first nonce in a range whose seal meets the difficulty, on every CPU.
let blockHash = try Bytes32(hex: "0x" + String(repeating: "ab", count: 32))
let hotkey = try PublicKey.parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
let coldkey = try PublicKey.parse("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
let challenge = Challenge.v1(V1Challenge(netuid: 1, blockHash: blockHash, hotkey: hotkey, coldkey: coldkey))
let work = SolverWork(challenge: challenge, difficulty: 100_000, blockNumber: 1)
let engine = SolverEngine(kernel: KernelCatalog.best, threads: CPUInfo.availableCPUs,
                          configuration: .init(nonceMode: .range(start: 0, end: 10_000_000)))
guard let offline = try await engine.solve(work) else { fatalError("no solution in the range") }
print("offline: nonce \(offline.nonce), seal \(offline.seal.hex), verifies: \(offline.verify())")

// 2. create_pow against a local chain: follows its blocks and returns work that is fresh on it.
var logger = Logger(label: "example")
logger.logLevel = .warning
let chain = DevnetServer(configuration: DevnetConfiguration(port: 0, blockTime: .seconds(1), subnets: [1], difficulty: 50_000),
                         logger: logger)
let port = try await chain.start()
let client = try SubtensorClient(network: "ws://127.0.0.1:\(port)", logger: logger)
let creator = PoWCreator(chain: client, request: CreatePoWRequest(netuid: 1, hotkey: hotkey, coldkey: coldkey, scheme: .v1),
                         searchers: [KernelSearcher(kernel: KernelCatalog.best)])
let outcome = try await creator.run()
await client.close()
await chain.stop()
guard case .solved(let solution) = outcome else { fatalError("the hotkey is already registered") }
print("create_pow: block \(solution.blockNumber), nonce \(solution.nonce), difficulty \(solution.difficulty), verifies: \(solution.verify())")
