import ChainCodec
import Devnet
import Foundation
import Keys
import Logging
import PoWCore
import PoWSolver
import Registration
import Subtensor
import TestSupport
import XCTest

/// A fresh sr25519 key as the registrar's signer.
struct TestSigner: ExtrinsicSigner {
    let keypair: SR25519.Keypair
    var publicKey: Bytes32 { Bytes32(keypair.publicKey.bytes)! }
    func sign(_ payload: [UInt8]) -> [UInt8] { keypair.sign(payload) }

    /// A key from 32 random bytes; skips when libsodium is not installed.
    static func fresh() throws -> TestSigner {
        let sodium: Sodium
        do { sodium = try Sodium.shared() } catch { throw XCTSkip("libsodium is not available: \(error)") }
        let seed = SecretBytes(copying: (0 ..< 32).map { _ in UInt8.random(in: 0 ... 255) })
        return TestSigner(keypair: try SR25519.Keypair(miniSecret: seed, sodium: sodium))
    }
}

/// `pow_register` and `faucet` end to end over real sockets: solve, sign with a fresh sr25519 key, submit and watch,
/// read the outcome from the block's events, against the in-process devnet producing a block every 300 ms.
final class RegisterTests: XCTestCase {
    var logger: Logger { testLogger("register-test") }

    func start(_ configure: (inout DevnetConfiguration) -> Void = { _ in }) async throws -> (DevnetServer, SubtensorClient) {
        var configuration = DevnetConfiguration(port: 0, blockTime: .milliseconds(300), subnets: [1], difficulty: 10,
                                                faucetDifficulty: 1_000_000)
        configure(&configuration)
        let server = DevnetServer(configuration: configuration, logger: logger)
        let port = try await server.start()
        return (server, try localChainClient(port: port))
    }

    /// Each attempt: a PoWCreator over the client with two CPU workers.
    func miner(_ client: SubtensorClient) -> PoWRegistrar.Miner { Self.miner(client, logger) }

    static func miner(_ client: SubtensorClient, _ logger: Logger) -> PoWRegistrar.Miner {
        { request, _ in
            let searchers: [any NonceSearcher] = (0 ..< 2).map { _ in KernelSearcher(kernel: KernelCatalog.best) }
            return try await PoWCreator(chain: client, request: request, searchers: searchers, logger: logger).run()
        }
    }

    func testRegistersWithAFreshKeyAndReadsTheUIDBack() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start()
        let hotkey = Bytes32((0 ..< 32).map { _ in UInt8.random(in: 0 ... 255) })!
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .finalized, logger: logger)
        let statuses = Box<[TransactionStatus]>([])
        let receipt = try await registrar.register(netuid: 1, hotkey: hotkey, mine: miner(client),
                                                   onStatus: { status in statuses.update { $0.append(status) } })
        XCTAssertEqual(receipt.netuid, 1)
        XCTAssertEqual(receipt.hotkey, hotkey)
        XCTAssertEqual(receipt.solution.scheme, .v1)
        // Read back from the chain: the UID the events gave, at the block that included it and at the head.
        let atBlock = try await client.uid(netuid: 1, hotkey: hotkey, at: receipt.blockHash)
        let now = try await client.uid(netuid: 1, hotkey: hotkey)
        XCTAssertEqual(atBlock, receipt.uid)
        XCTAssertEqual(now, receipt.uid)
        let block = try await client.block(receipt.blockHash)
        XCTAssertNotNil(block.index(of: receipt.extrinsicHash), "the receipt's block holds the extrinsic")
        XCTAssertTrue(statuses.value.contains(.finalized(receipt.blockHash)), "\(statuses.value)")
        // The signer is the coldkey that owns the hotkey now.
        let state = await server.state()
        XCTAssertEqual(state.owners[hotkey], signer.publicKey)
        // A second registration of the same hotkey is refused before mining, as already registered.
        do {
            _ = try await registrar.register(netuid: 1, hotkey: hotkey, mine: miner(client))
            XCTFail("expected alreadyRegistered")
        } catch let error as RegistrationError {
            XCTAssertEqual(error, .alreadyRegistered(netuid: 1, uid: receipt.uid))
            XCTAssertEqual(error.chainErrorName, "HotKeyAlreadyRegisteredInSubNet")
        }
        await client.close()
        await server.stop()
    }

    /// The node drops the connection (and with it the extrinsic's watch) right after the pool took the extrinsic:
    /// the registrar finds it on chain once reconnected, or mines again; either way it ends with the UID the chain
    /// holds, never with a connection error.
    func testNodeDroppingTheWatchMidWayStillEndsWithTheUID() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start { $0.blockTime = .seconds(1) }
        let hotkey = Bytes32((0 ..< 32).map { _ in UInt8.random(in: 0 ... 255) })!
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .inBlock, logger: logger)
        let dropped = Box(false)
        // Bounded by the registrar itself: a minute at most looking for the extrinsic, three solves at most.
        let receipt = try await registrar.register(netuid: 1, hotkey: hotkey, mine: miner(client), onStatus: { status in
            guard status == .ready, !dropped.update({ let was = $0; $0 = true; return was }) else { return }
            Task { await server.stop(); _ = try? await server.start() }   // same port, same chain
        })
        XCTAssertTrue(dropped.value, "the watch was dropped after the pool took the extrinsic")
        let now = try await client.uid(netuid: 1, hotkey: hotkey)
        XCTAssertEqual(now, receipt.uid)
        let block = try await client.block(receipt.blockHash)
        XCTAssertNotNil(block.index(of: receipt.extrinsicHash), "the receipt's block holds the extrinsic")
        await client.close()
        await server.stop()
    }

    func testPoWDisabledIsRefusedByName() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start { $0.powRegistrationAllowed = false }
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .inBlock, logger: logger)
        do {
            _ = try await registrar.register(netuid: 1, hotkey: Bytes32(w0: 1, w1: 2, w2: 3, w3: 4), mine: miner(client))
            XCTFail("expected a refusal")
        } catch let error as RegistrationError {
            XCTAssertEqual(error.chainErrorName, "SubNetRegistrationDisabled", "\(error)")
        }
        await client.close()
        await server.stop()
    }

    /// The chain refusing at dispatch (PoW turned off after the pool admitted the extrinsic) names the pallet error.
    func testDispatchRefusalCarriesThePalletErrorName() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start { $0.blockTime = .seconds(3600) }   // blocks only when produced
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .inBlock, logger: logger)
        let hotkey = Bytes32(w0: 9, w1: 8, w2: 7, w3: 6)
        let logger = self.logger
        let run = Task { try await registrar.register(netuid: 1, hotkey: hotkey, mine: RegisterTests.miner(client, logger)) }
        // Wait until the extrinsic is in the pool, then turn PoW off and produce the block that runs it.
        try await eventually("extrinsic in the pool") {
            let pending = try? await client.rpc.request("author_pendingExtrinsics", [])
            return (pending?.arrayValue?.count ?? 0) > 0
        }
        try await server.setPoWRegistrationAllowed(netuid: 1, allowed: false)
        _ = await server.produceBlock()
        do {
            _ = try await run.value
            XCTFail("expected a dispatch failure")
        } catch let error as RegistrationError {
            guard case .dispatchFailed(let failure) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.name, "SubNetRegistrationDisabled")
            XCTAssertEqual(error.chainErrorName, "SubNetRegistrationDisabled")
        }
        await client.close()
        await server.stop()
    }

    func testHotkeyRegisteredElsewhereIsAlreadyRegistered() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start()
        let hotkey = Bytes32(w0: 5, w1: 5, w2: 5, w3: 5)
        let uid = try await server.registerHotkey(netuid: 1, hotkey: hotkey)
        let registrar = PoWRegistrar(client: client, signer: signer, logger: logger)
        do {
            _ = try await registrar.register(netuid: 1, hotkey: hotkey, mine: miner(client))
            XCTFail("expected alreadyRegistered")
        } catch let error as RegistrationError {
            XCTAssertEqual(error, .alreadyRegistered(netuid: 1, uid: uid))
        }
        await client.close()
        await server.stop()
    }

    /// Two drips in a row: the balance grows by both, read through the metadata.
    func testFaucetTwiceRaisesTheBalance() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start()
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .inBlock, logger: logger)
        let before = try await registrar.freeBalance(signer.publicKey)
        XCTAssertEqual(before, 0)
        var minted: UInt128 = 0
        for _ in 0 ..< 2 {
            let receipt = try await registrar.faucet(mine: miner(client))
            XCTAssertEqual(receipt.solution.difficulty, 1_000_000)
            minted += try XCTUnwrap(receipt.amount)
        }
        XCTAssertEqual(minted, 2_000_000_000_000)
        let after = try await registrar.freeBalance(signer.publicKey)
        XCTAssertEqual(after, before + minted)
        await client.close()
        await server.stop()
    }

    /// A chain with a narrower window than the registrar's (2 here) refuses the first work at the pool as
    /// InvalidWorkBlock ("Custom error: 38"): the registrar reports the retry and registers with fresh work.
    func testPoolInvalidWorkBlockIsMinedAgain() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start { $0.blockTime = .seconds(1); $0.powWindow = 2 }
        let registrar = PoWRegistrar(client: client, signer: signer, waitFor: .inBlock, logger: logger)
        let retries = Box<[RegistrationRetry]>([])
        let base = miner(client)
        let hotkey = Bytes32(w0: 4, w1: 4, w2: 4, w3: 4)
        let receipt = try await registrar.register(netuid: 1, hotkey: hotkey, mine: { request, attempt in
            let outcome = try await base(request, attempt)
            if attempt == 1, case .solved(let solution) = outcome {
                // One block later the work is fresh for the registrar's window of 3, not for the chain's 2.
                try await eventually("the next block") { (try? await client.currentBlock()) ?? 0 > solution.blockNumber }
            }
            return outcome
        }, onRetry: { retry in retries.update { $0.append(retry) } })
        XCTAssertEqual(receipt.attempts, 2)
        XCTAssertEqual(retries.value.map(\.attempt), [2])
        XCTAssertTrue(retries.value.first?.reason.contains("InvalidWorkBlock") == true, "\(retries.value)")
        let uid = try await client.uid(netuid: 1, hotkey: hotkey)
        XCTAssertEqual(uid, receipt.uid)
        await client.close()
        await server.stop()
    }

    /// Work older than the window is not signed: the registrar mines again, reporting each retry, and gives up after
    /// `maxAttempts` solves.
    func testStaleWorkIsMinedAgainThenGivesUp() async throws {
        let signer = try TestSigner.fresh()
        let (server, client) = try await start { $0.blockTime = .seconds(3600) }
        let registrar = PoWRegistrar(client: client, signer: signer, maxAttempts: 2, logger: logger)
        let retries = Box<[RegistrationRetry]>([])
        let base = miner(client)
        do {
            _ = try await registrar.register(netuid: 1, hotkey: Bytes32(w0: 3, w1: 3, w2: 3, w3: 3), mine: { request, attempt in
                let outcome = try await base(request, attempt)
                // The chain moves on 3 blocks before the work can be submitted: stale under the window of 3.
                for _ in 0 ..< 3 { _ = await server.produceBlock() }
                return outcome
            }, onRetry: { retry in retries.update { $0.append(retry) } })
            XCTFail("expected the attempts to run out")
        } catch let error as RegistrationError {
            guard case .attemptsExhausted(let attempts, let last) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(attempts, 2)
            XCTAssertTrue(last.contains("stale"), last)
        }
        XCTAssertEqual(retries.value.map(\.attempt), [2])
        await client.close()
        await server.stop()
    }
}
