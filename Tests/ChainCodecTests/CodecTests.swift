import XCTest
import PoWCore
@testable import ChainCodec
import TestSupport

/// Test input of length n: byte i = (7i + 3) mod 256.
private func pattern(_ n: Int) -> [UInt8] { (0 ..< n).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) } }

final class CodecTests: XCTestCase {
    // MARK: xxHash64 / twox

    func testXXHash64KnownAnswers() {
        // Expected values from the Python `xxhash` package (xxh64 with seeds 0 and 12345).
        let cases: [(Int, UInt64, UInt64)] = [
            (0, 0xef46db3751d8e999, 0x95584af7701f808d), (3, 0x31d2363f52e564c9, 0xc6270ec97f034479),
            (31, 0xa2aa5f33cc4a6119, 0x8086bf60119a7308), (32, 0x23c3c17ef790fd97, 0x244c3905cf320c2d),
            (33, 0x50a7cfc7ba588784, 0x1edc993457cf1fd8), (63, 0x5e3e54b431c7493c, 0x0e4a6a50d61e6220),
            (64, 0x0eb64b3ef6eeb01f, 0xef589281222c0318), (100, 0xa61f8d4c170fe531, 0xacb8a02891fea7d2),
            (1000, 0x5f235fa033f1a3fb, 0x365c39a0c5a4c88e),
        ]
        for (n, seed0, seed12345) in cases {
            XCTAssertEqual(XXHash64.hash(pattern(n)), seed0, "length \(n)")
            XCTAssertEqual(XXHash64.hash(pattern(n), seed: 12345), seed12345, "length \(n) seed 12345")
        }
    }

    func testTwox128Vectors() {
        let vectors = Vectors.shared.twox128
        XCTAssertFalse(vectors.isEmpty)
        for v in vectors {
            XCTAssertEqual(Hex.encode(Twox.hash128(v.input)), v.hash, v.input)
            XCTAssertEqual(Hex.encode(Twox.hash128(Array(v.input.utf8))), v.hash, v.input)
        }
    }

    func testTwox64IsTheFirstHalfOfTwox128() {
        for n in [0, 5, 40] {
            XCTAssertEqual(Twox.hash64(pattern(n)), Array(Twox.hash128(pattern(n)).prefix(8)))
            XCTAssertEqual(Array(Twox.hash256(pattern(n)).prefix(16)), Twox.hash128(pattern(n)))
        }
    }

    // MARK: Blake2b

    func testBlake2_128Vectors() throws {
        let vectors = Vectors.shared.blake2_128
        XCTAssertFalse(vectors.isEmpty)
        for v in vectors {
            XCTAssertEqual(Hex.encode(blake2b128(try Hex.decode(v.input))), v.hash, v.input)
        }
    }

    func testBlake2bKnownAnswers() {
        // RFC 7693 appendix A: BLAKE2b-512("abc").
        XCTAssertEqual(Hex.encode(blake2b512(Array("abc".utf8)), prefix: false),
                       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                       + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
        // Python hashlib.blake2b with digest_size 16, 32, 64, 1, 20; lengths around the 128-byte block.
        let cases: [(Int, String, String, String, String, String)] = [
            (0, "cae66941d9efbd404e4d88758ea67670", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
             "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce",
             "2e", "3345524abf6bbe1809449224b5972c41790b6cf2"),
            (127, "e00ab0ead4d729de8fbe7745d642e416", "c9ae3859964b35f04c54b36d33cf299d7290ee621005d28e51598a943560aaaa",
             "71546bbf9110ad184cc60f2eb120fcfd9b4dbbca7a7f1270045b8a23a6a4f4330f65c1f030dd2f5fabc6c57617242c37cf427bd90407fac5b9deffd3ae888c39",
             "ef", "23ff7f1d4b5e5568040f01adbe04a6b997899d25"),
            (128, "8e0cf9bb1b36fa6c42aa6490f719b575", "f0501d06597880592bc49234eef100ec1ff349058d0e9d9b753504e24af86dd6",
             "2d9e329f42afa3601d646692b81c13e87fcaff5bf15972e9813d7373cb6d181f9599f4d513d4af4fd6ebd37497aceb29aba5ee23ed764d8510b552bd088814fb",
             "f1", "79ae684511c83fdee5f040c77bb7c9a317d3f2de"),
            (129, "6cefde50e4008690e61cf8225d101256", "a34a4e1e03c541dfbf3099c4b6c143c022ced65c28bd7e8a10e0a098461aecf0",
             "47889df9eb4d717afc5019df5c6a83df00a0b8677395e078cd5778ace0f338a618e68b7d9afb065d9e6a01ccd31d109447e7fae771c3ee3e105709194122ba2b",
             "16", "b195dc7be88c88574f88d235228691bf35e409ec"),
            (256, "ac60b0f8b3227af67328401630cd4dfa", "d93ebb9c802f5630ab22516fd82b6c21bc8bd551d531349b715f046ed11ed871",
             "91019c558584980249ca43eceed27e19f1c3c24161b93eed1eee2a6a774f60bf8a81b43750870bee1698feac9c5336ae4d5c842e7ead159bf3916387e8ded9ae",
             "f0", "4514db2f29d22e32d1a142894c7285e546dbf121"),
            (1000, "add263669b4eb2158678a360fa6f007a", "d62b6c768ce1afc8367e0498ab2f8e3f7c178c35b1429f14c4604b545d200f52",
             "4bdd2c9cf31d797a81d245c989ffb7515143ca345c66f73087dd5c58bf642bf083ba16894eab79e3b08d5126404d833e7510271b50be36a7b7cbbb46f5c89fac",
             "ce", "7347a87d12c5b902eefd08b8b5c14816494c2639"),
        ]
        for (n, h16, h32, h64, h1, h20) in cases {
            let input = pattern(n)
            XCTAssertEqual(Hex.encode(blake2b128(input), prefix: false), h16, "length \(n)")
            XCTAssertEqual(Hex.encode(blake2b256(input), prefix: false), h32, "length \(n)")
            XCTAssertEqual(Hex.encode(blake2b512(input), prefix: false), h64, "length \(n)")
            XCTAssertEqual(Hex.encode(Blake2b.hash(input, outputLength: 1), prefix: false), h1, "length \(n)")
            XCTAssertEqual(Hex.encode(Blake2b.hash(input, outputLength: 20), prefix: false), h20, "length \(n)")
            // Fed in pieces, the same digest.
            var state = Blake2b(outputLength: 64)
            state.update(input.prefix(n / 3)); state.update(input.dropFirst(n / 3))
            XCTAssertEqual(Hex.encode(state.finalize(), prefix: false), h64, "length \(n) in two pieces")
        }
    }

    // MARK: SCALE

    func testSCALEIntegersRoundTrip() throws {
        XCTAssertEqual(UInt16(0x1234).scaleEncoded, [0x34, 0x12])
        XCTAssertEqual(UInt32(0x0102_0304).scaleEncoded, [4, 3, 2, 1])
        XCTAssertEqual(UInt64(10_000_000).scaleEncoded, [0x80, 0x96, 0x98, 0, 0, 0, 0, 0])
        for v: UInt16 in [0, 1, 255, 256, .max] { XCTAssertEqual(try UInt16(scaleBytes: v.scaleEncoded), v) }
        for v: UInt32 in [0, 1, 0xdead_beef, .max] { XCTAssertEqual(try UInt32(scaleBytes: v.scaleEncoded), v) }
        for v: UInt64 in [0, 1, 10_000_000, .max / 4, .max] { XCTAssertEqual(try UInt64(scaleBytes: v.scaleEncoded), v) }
        XCTAssertEqual(true.scaleEncoded, [1])
        XCTAssertEqual(false.scaleEncoded, [0])
        XCTAssertEqual(try Bool(scaleBytes: [1]), true)
        XCTAssertEqual(try Bool(scaleBytes: [0]), false)
        let key = try Bytes32(hex: "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
        XCTAssertEqual(try Bytes32(scaleBytes: key.scaleEncoded), key)
    }

    func testSCALEOptionRoundTrip() throws {
        let some: UInt64? = 42
        let none: UInt64? = nil
        XCTAssertEqual(some.scaleEncoded, [1, 42, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(none.scaleEncoded, [0])
        XCTAssertEqual(try Optional<UInt64>(scaleBytes: some.scaleEncoded), some)
        XCTAssertEqual(try Optional<UInt64>(scaleBytes: [0]), none)
        XCTAssertEqual(try Optional<Bool>(scaleBytes: [1, 1]), true)
        XCTAssertThrowsError(try Optional<UInt16>(scaleBytes: [2, 0, 0])) {
            XCTAssertEqual($0 as? SCALEError, .invalidOptionTag(2))
        }
        XCTAssertThrowsError(try Optional<UInt16>(scaleBytes: [1, 7])) {
            XCTAssertEqual($0 as? SCALEError, .tooShort(type: "u16", needed: 2, available: 1))
        }
    }

    func testSCALECompact() throws {
        // Known encodings from the SCALE spec.
        let known: [(UInt64, [UInt8])] = [
            (0, [0x00]), (1, [0x04]), (42, [0xa8]), (63, [0xfc]), (64, [0x01, 0x01]), (69, [0x15, 0x01]),
            (16383, [0xfd, 0xff]), (16384, [0x02, 0x00, 0x01, 0x00]), (65535, [0xfe, 0xff, 0x03, 0x00]),
            (1_073_741_823, [0xfe, 0xff, 0xff, 0xff]), (1_073_741_824, [0x03, 0x00, 0x00, 0x00, 0x40]),
            (UInt64.max, [0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        ]
        for (value, bytes) in known {
            XCTAssertEqual(SCALE.compact(value), bytes, "\(value)")
            XCTAssertEqual(try Compact(scaleBytes: bytes).value, value, "\(value)")
        }
        // Not in shortest form: refused.
        for bytes: [UInt8] in [[0x01, 0x00], [0x02, 0x00, 0x00, 0x00], [0x03, 0xff, 0xff, 0xff, 0x00],
                               [0x07, 0x00, 0x00, 0x00, 0x40, 0x00]] {
            XCTAssertThrowsError(try Compact(scaleBytes: bytes), "\(bytes)") {
                guard case .invalidCompact = $0 as? SCALEError else { return XCTFail("\($0)") }
            }
        }
        XCTAssertThrowsError(try Compact(scaleBytes: [0x17] + [UInt8](repeating: 0xff, count: 9)))
        XCTAssertThrowsError(try Compact(scaleBytes: [0x01]))
        XCTAssertThrowsError(try Compact(scaleBytes: []))
    }

    func testSCALEMalformedInputGivesOneLineErrors() {
        let cases: [(() throws -> Any, SCALEError)] = [
            ({ try UInt64(scaleBytes: [1, 2, 3]) }, .tooShort(type: "u64", needed: 8, available: 3)),
            ({ try UInt16(scaleBytes: []) }, .tooShort(type: "u16", needed: 2, available: 0)),
            ({ try UInt16(scaleBytes: [1, 2, 3]) }, .trailingBytes(type: "u16", count: 1)),
            ({ try Bool(scaleBytes: [2]) }, .invalidBool(2)),
            ({ try Bool(scaleBytes: []) }, .tooShort(type: "bool", needed: 1, available: 0)),
            ({ try Bytes32(scaleBytes: [UInt8](repeating: 0, count: 31)) }, .tooShort(type: "[u8; 32]", needed: 32, available: 31)),
        ]
        for (run, expected) in cases {
            XCTAssertThrowsError(try run()) { error in
                XCTAssertEqual(error as? SCALEError, expected)
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        XCTAssertEqual("\(SCALEError.tooShort(type: "u64", needed: 8, available: 3))", "SCALE u64: needs 8 bytes, only 3 left")
    }

    // MARK: SS58

    func testSS58Vectors() throws {
        let vectors = Vectors.shared.ss58
        XCTAssertFalse(vectors.isEmpty)
        for v in vectors {
            let key = try Bytes32(hex: v.public_key)
            XCTAssertEqual(SS58.encode(publicKey: key, format: v.format), v.address)
            let decoded = try SS58.decode(v.address)
            XCTAssertEqual(decoded.publicKey, key)
            XCTAssertEqual(decoded.format, v.format)
        }
        for v in Vectors.shared.v1 {
            XCTAssertEqual(SS58.encode(publicKey: try Bytes32(hex: v.hotkey_public_key)), v.hotkey_ss58)
            XCTAssertEqual(SS58.encode(publicKey: try Bytes32(hex: v.coldkey_public_key)), v.coldkey_ss58)
            XCTAssertEqual(try PublicKey.parse(v.hotkey_ss58), try Bytes32(hex: v.hotkey_public_key))
        }
    }

    struct FullFormatFile: Decodable { let vectors: [Vectors.SS58] }

    func testSS58FullFormatVectors() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "ss58-full-format", withExtension: "json", subdirectory: "Fixtures"))
        let file = try JSONDecoder().decode(FullFormatFile.self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(file.vectors.count, 20)
        for v in file.vectors {
            let key = try Bytes32(hex: v.public_key)
            XCTAssertEqual(SS58.encode(publicKey: key, format: v.format), v.address, "format \(v.format)")
            let decoded = try SS58.decode(v.address)
            XCTAssertEqual(decoded.publicKey, key)
            XCTAssertEqual(decoded.format, v.format)
        }
    }

    func testSS58RoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for format: UInt16 in [0, 1, 2, 42, 63, 64, 255, 256, 4095, 16383] {
            for _ in 0 ..< 20 {
                let key = Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
                let address = SS58.encode(publicKey: key, format: format)
                let decoded = try SS58.decode(address)
                XCTAssertEqual(decoded.publicKey, key)
                XCTAssertEqual(decoded.format, format)
            }
        }
        // Leading zero bytes (format 0, zero key) survive base58.
        let zero = SS58.encode(publicKey: .zero, format: 0)
        XCTAssertEqual(try SS58.decode(zero).publicKey, .zero)
        XCTAssertEqual(SS58.base58Encode([0, 0, 1]), "112")
        XCTAssertEqual(try SS58.base58Decode("112"), [0, 0, 1])
    }

    func testSS58Errors() {
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        func error(_ address: String) -> SS58Error? {
            do { _ = try SS58.decode(address); return nil } catch { return error }
        }
        // One character changed: the checksum catches it.
        XCTAssertEqual(error(String(alice.dropLast()) + "Z"), .badChecksum)
        XCTAssertEqual(error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"), .badChecksum)
        XCTAssertEqual(error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y"), .badCharacter("0", position: 46))
        XCTAssertEqual(error("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutlY"), .badCharacter("l", position: 46))
        XCTAssertEqual(error("5Grwva EF5z"), .badCharacter(" ", position: 6))
        XCTAssertEqual(error("5Grwvaé"), .badCharacter("é", position: 6))
        XCTAssertEqual(error("5Grwva\u{7}"), .badCharacter("\u{7}", position: 6))
        XCTAssertEqual(SS58Error.badCharacter("\u{7}", position: 6).description,
                       "SS58 address has U+7 at position 7, which is not a base58 character")
        XCTAssertEqual(error(""), .empty)
        XCTAssertEqual(error(String(alice.dropLast(3))), .wrongLength(33))
        XCTAssertEqual(error(alice + "1"), .wrongLength(36))
        XCTAssertEqual(error(String(repeating: "z", count: 500)), .wrongLength(366))
        XCTAssertEqual(error("1"), .wrongLength(1))
        // First byte ≥ 128: not an address format.
        XCTAssertEqual(error(SS58.base58Encode([0x80] + [UInt8](repeating: 1, count: 34))), .invalidPrefix(0x80))
        // Reserved formats, with a correct checksum.
        XCTAssertEqual(error(SS58.encode(publicKey: .zero, format: 46)), .reservedFormat(46))
        for address in ["", "0", alice + "1", String(alice.dropLast()) + "Z", "5Grwva\nEF5z"] {
            guard let e = error(address) else { XCTFail(address); continue }
            XCTAssertFalse(e.description.isEmpty)
            XCTAssertFalse(e.description.contains("\n"), e.description)
        }
        XCTAssertEqual(SS58Error.badChecksum.description, "SS58 address checksum does not match (mistyped address?)")
    }

    func testPublicKeyParse() throws {
        let hex = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        let key = try Bytes32(hex: hex)
        XCTAssertEqual(try PublicKey.parse(hex), key)
        XCTAssertEqual(try PublicKey.parse(hex.uppercased().replacingOccurrences(of: "0X", with: "0x")), key)
        XCTAssertEqual(try PublicKey.parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), key)
        XCTAssertEqual(try PublicKey.parse("  5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\n"), key)
        XCTAssertEqual(try PublicKey.parse("HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"), key)

        func message(_ text: String) -> String {
            do { _ = try PublicKey.parse(text); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(""), "public key is empty: give 0x followed by 64 hex digits, or an SS58 address")
        XCTAssertEqual(message("0x1234"), "public key '0x1234' is not valid hex: expected 32 bytes (64 hex digits), got 2")
        XCTAssertEqual(message("0x12g4"), "public key '0x12g4' is not valid hex: 'g' is not a hex digit")
        XCTAssertEqual(message("0x123"), "public key '0x123' is not valid hex: hex string has an odd number of digits (3)")
        XCTAssertEqual(message("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"),
                       "public key '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ' is not a valid SS58 address: SS58 address checksum does not match (mistyped address?)")
        XCTAssertTrue(message("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d").contains("not a valid SS58 address"))
        let long = message(String(repeating: "x", count: 300))
        XCTAssertLessThan(long.count, 260)
        XCTAssertFalse(message("ab\ncd").contains("\n"))
        // A bad character inside hex is named whole, and a control character by its code point.
        XCTAssertEqual(message("0x12\n4"), "public key '0x12?4' is not valid hex: U+A is not a hex digit")
        XCTAssertEqual(message("0x\u{0}1"), "public key '0x?1' is not valid hex: U+0 is not a hex digit")
        XCTAssertEqual(message("0xé12"), "public key '0xé12' is not valid hex: U+E9 is not a hex digit")
    }

    /// Random input never crashes the decoders; every error is one line. Seeded, so a failure reproduces.
    func testRandomInputGivesErrorsNotCrashes() {
        var rng = SeededGenerator(seed: 0x5EED)
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefABCDEF0x0OIl \n\t\r\u{0}\u{2028}é")
        for _ in 0 ..< 20_000 {
            let length = Int.random(in: 0 ... 60, using: &rng)
            let text = String((0 ..< length).map { _ in alphabet.randomElement(using: &rng)! })
            do { _ = try SS58.decode(text) } catch { XCTAssertFalse(error.description.contains("\n"), error.description) }
            do { _ = try PublicKey.parse(text) } catch { XCTAssertFalse(error.description.contains("\n"), error.description) }
            let bytes = (0 ..< Int.random(in: 0 ... 12, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            _ = try? UInt64(scaleBytes: bytes)
            _ = try? Optional<UInt16>(scaleBytes: bytes)
            _ = try? Compact(scaleBytes: bytes)
            _ = try? Bool(scaleBytes: bytes)
            _ = StorageItem.parse(key: bytes + bytes + bytes)
        }
        var d = SCALEDecoder([1, 2])
        XCTAssertThrowsError(try d.read(count: -1, for: "x"))
    }
}
