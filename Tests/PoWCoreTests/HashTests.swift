import XCTest
@testable import PoWCore

final class HashTests: XCTestCase {
    func testSHA256KnownAnswers() {
        XCTAssertEqual(Hex.encode(SHA256.hash([])), "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Hex.encode(SHA256.hash(Array("abc".utf8))), "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // FIPS 180-2 two-block message
        XCTAssertEqual(Hex.encode(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "0x248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Hex.encode(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))),
                       "0xcdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testKeccak256KnownAnswers() {
        XCTAssertEqual(Hex.encode(Keccak256.hash([])), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        XCTAssertEqual(Hex.encode(Keccak256.hash(Array("abc".utf8))), "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // Multi-block and padding boundaries (rate 136); expected values from pycryptodome's keccak.
        XCTAssertEqual(Hex.encode(Keccak256.hash([UInt8](repeating: 0xa3, count: 200))),
                       "0x3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a")
        XCTAssertEqual(Hex.encode(Keccak256.hash([UInt8](repeating: 0xa3, count: 135))),
                       "0x3d28d08c3dacab77392064a939f3e7f8d03f2e02e2c664ac08a05f63ac652626")
        XCTAssertEqual(Hex.encode(Keccak256.hash([UInt8](repeating: 0xa3, count: 136))),
                       "0xb82d89d96e5575d11a9e1f4cabb2a45e60899e69a19a724cd796bdcf13511018")
    }
}
