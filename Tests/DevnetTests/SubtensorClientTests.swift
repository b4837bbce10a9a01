import ChainCodec
import Devnet
import PoWCore
import Subtensor
import Testing
import TestSupport

/// Our own chain client (Subtensor) against the devnet: every query create-pow makes, the head subscription,
/// and a devnet restart on the same port that the client rides through.
@Suite(.serialized) struct SubtensorClientTests {
    func client(_ port: Int) throws -> SubtensorClient {
        var configuration = RPCConfiguration(requestTimeout: .seconds(5))
        configuration.initialBackoff = .milliseconds(50)
        configuration.maxBackoff = .milliseconds(200)
        return try SubtensorClient(network: "ws://127.0.0.1:\(port)", configuration: configuration, logger: testLogger("subtensor-client"))
    }

    @Test func queriesAgreeWithTheDevnet() async throws {
        let (server, port) = try await startDevnet(subnets: [1, 4], difficulty: 99)
        let chain = try client(port)
        await server.produceBlock()
        await server.produceBlock()
        #expect(try await chain.currentBlock() == 2)
        #expect(try await chain.blockHash(2) == (await server.head()).hash)
        #expect(try await chain.finalizedHead() == (await server.head()).hash)
        let info = try await chain.blockWithRetry(netuid: 4)
        #expect(info.number == 2 && info.difficulty == 99)
        #expect(try await chain.subnetExists(netuid: 4))
        #expect(!(try await chain.subnetExists(netuid: 5)))
        #expect(try await chain.minDifficulty(netuid: 4) == 1)
        #expect(try await chain.maxDifficulty(netuid: 4) == UInt64.max / 4)
        #expect(try await chain.powRegistrationAllowed(netuid: 4))
        #expect(try await chain.maxRegistrationsPerBlock(netuid: 4) == 1)
        #expect(try await chain.registrationsThisBlock(netuid: 4) == 0)

        let hotkey = key(0x71)
        #expect(!(try await chain.isHotkeyRegistered(netuid: 4, hotkey: hotkey)))
        let blockHash = try await chain.blockHash(2)
        let challenge = Challenge.v1(V1Challenge(netuid: 4, blockHash: blockHash, hotkey: hotkey, coldkey: key(0x72)))
        let (nonce, seal) = findNonce(challenge, rule: .chainLittleEndian, difficulty: 99)
        let outcome = try await server.submit(PoWSolution(nonce: nonce, blockNumber: 2, difficulty: 99, seal: seal,
                                                          challenge: challenge, rule: .chainLittleEndian))
        #expect(outcome == .registered(netuid: 4, uid: 0, hotkey: hotkey))
        #expect(try await chain.uid(netuid: 4, hotkey: hotkey) == 0)
        #expect(try await chain.lastPoWRegistrationBlock(hotkey: hotkey) == 2)
        #expect(try await chain.registrationsThisBlock(netuid: 4) == 1)
        await chain.close()
        await server.stop()
    }

    @Test func headsFollowThroughARestart() async throws {
        let (server, port) = try await startDevnet(blockTime: .milliseconds(100))
        let chain = try client(port)
        var seen: [UInt64] = []
        var restarted = false
        for try await head in chain.newHeads() {
            if let last = seen.last { #expect(head.number > last) }
            #expect(try await chain.blockHash(head.number) == head.hash)
            seen.append(head.number)
            if seen.count == 3 && !restarted {
                await server.stop()
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await server.start() == port)
                restarted = true
            }
            if seen.count == 6 { break }
        }
        #expect(restarted && seen.count == 6)
        await chain.close()
        await server.stop()
    }
}
