import ChainCodec
import Extrinsics
import PoWCore
import Registration
import Subtensor
import XCTest

/// The parts of registering that need no chain: the freshness window, and naming the chain's refusals.
final class RegistrarUnitTests: XCTestCase {
    func solution(block: UInt64, scheme: ChallengeScheme) -> PoWSolution {
        let challenge: Challenge = scheme == .v1
            ? .v1(V1Challenge(netuid: 1, blockHash: .zero, hotkey: .zero, coldkey: .zero))
            : .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero))
        return PoWSolution(nonce: 0, blockNumber: block, difficulty: 1, seal: .zero, challenge: challenge, rule: .chainLittleEndian)
    }

    func testWindowIsConfigurable() {
        let v1 = solution(block: 100, scheme: .v1)
        let own = CreatePoWRequest(netuid: 1, hotkey: .zero, coldkey: .zero, scheme: .v1)
        let strict = CreatePoWRequest(netuid: 1, hotkey: .zero, coldkey: .zero, scheme: .v1, staleAfterBlocks: 3)
        // The scheme's window (5 for v1) by default; 3 when asked: stale once the including block is 3 past the work.
        XCTAssertFalse(own.isStale(v1, currentBlock: 103))
        XCTAssertTrue(own.isStale(v1, currentBlock: 105))
        XCTAssertFalse(strict.isStale(v1, currentBlock: 102))
        XCTAssertTrue(strict.isStale(v1, currentBlock: 103))
        XCTAssertFalse(strict.isStale(v1, currentBlock: 99), "a head behind the work block is not staleness")
    }

    func testPoolCodesAndDispatchErrorsAreNamed() {
        XCTAssertEqual(SubtensorTransactionError.name(38), "InvalidWorkBlock")
        XCTAssertEqual(SubtensorTransactionError.name(33), "HotKeyAlreadyRegisteredInSubNet")
        XCTAssertNil(SubtensorTransactionError.name(200))
        let pool = RegistrationError.poolRefused(name: "InvalidWorkBlock", PoolRejection(code: 1010, message: "Invalid Transaction: Custom error: 38"))
        XCTAssertEqual(pool.chainErrorName, "InvalidWorkBlock")
        XCTAssertTrue(pool.description.contains("InvalidWorkBlock"), pool.description)
        let dispatch = RegistrationError.dispatchFailed(DispatchFailure(pallet: "SubtensorModule", palletIndex: 7, name: "SubNetRegistrationDisabled"))
        XCTAssertEqual(dispatch.chainErrorName, "SubNetRegistrationDisabled")
        XCTAssertEqual(RegistrationError.solve(.powRegistrationNotAllowed(3)).chainErrorName, "SubNetRegistrationDisabled")
        XCTAssertEqual(RegistrationError.alreadyRegistered(netuid: 1, uid: 4).chainErrorName, "HotKeyAlreadyRegisteredInSubNet")
        for error in [pool, dispatch, .staleWork(workBlock: 1, currentBlock: 9, window: 3), .attemptsExhausted(attempts: 3, last: "x")] {
            XCTAssertFalse(error.description.contains("\n"))
        }
    }
}
