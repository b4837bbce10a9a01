import XCTest
import PoWCore
@testable import Keys

final class SR25519Tests: XCTestCase {
    static func sodium() throws -> Sodium {
        do { return try Sodium.shared() } catch {
            throw XCTSkip("libsodium is not installed here: \(error)")
        }
    }

    /// A fixed mini secret, with the public key and 64-byte secret py-sr25519-bindings' `pair_from_seed` gives.
    func testMiniSecretExpansionKnownAnswer() throws {
        let sodium = try Self.sodium()
        let seed = SecretBytes(copying: Array(0 ..< 32))
        let pair = try SR25519.Keypair(miniSecret: seed, sodium: sodium)
        XCTAssertEqual(hex(pair.publicKey.bytes), "e2111779981618705ecacea1af6ff9350bce2b2dccd03e0c3e01eb0c823d2666")
        let secret = SecretBytes(copying: unhex("87d29d94134be13d30adc66e053ca9aab38d02c8db5bc23cb4249ef0e3dff10d"
            + "a9d71862a3e5746b571be3d187b0041046f52ebd850c7cbd5fde8ee38473b649"))
        let fromSecret = try SR25519.Keypair(secretKey: secret, sodium: sodium)
        XCTAssertEqual(fromSecret.publicKey, pair.publicKey)
    }

    func testSignaturesAreRandomizedAndVerify() throws {
        let sodium = try Self.sodium()
        let pair = try SR25519.Keypair(miniSecret: SecretBytes(copying: randomBytes(32)), sodium: sodium)
        let message = Array("register me".utf8)
        let a = pair.sign(message), b = pair.sign(message)
        XCTAssertEqual(a.count, 64)
        XCTAssertNotEqual(a, b, "fresh randomness per signature")
        XCTAssertTrue(SR25519.verify(signature: a, message: message, publicKey: pair.publicKey.bytes, sodium: sodium))
        XCTAssertTrue(SR25519.verify(signature: b, message: message, publicKey: pair.publicKey.bytes, sodium: sodium))
        XCTAssertEqual(a[63] & 0x80, 0x80, "schnorrkel marker bit")
        var unmarked = a
        unmarked[63] &= 0x7f
        XCTAssertFalse(SR25519.verify(signature: unmarked, message: message, publicKey: pair.publicKey.bytes, sodium: sodium))
        // Another context is another transcript.
        XCTAssertFalse(SR25519.verify(signature: a, message: message, publicKey: pair.publicKey.bytes,
                                      context: Array("other".utf8), sodium: sodium))
        XCTAssertFalse(SR25519.verify(signature: Array(a.prefix(63)), message: message, publicKey: pair.publicKey.bytes, sodium: sodium))
    }

    func testNonCanonicalSecretScalarIsRefused() throws {
        let sodium = try Self.sodium()
        var bytes = [UInt8](repeating: 0xff, count: 64)
        do {
            _ = try SR25519.Keypair(secretKey: SecretBytes(copying: bytes), sodium: sodium)
            XCTFail("accepted a scalar ≥ ℓ")
        } catch {
            XCTAssertEqual(error, .invalidSecret(field: "privateKey", reason: "its scalar is not reduced mod the group order"))
            XCTAssertFalse(error.description.lowercased().contains("ffff"))
        }
        SecretBytes.wipe(&bytes)
    }

    /// Both directions against py-sr25519-bindings (schnorrkel): same public keys from the same mini secrets,
    /// each verifies the other's signatures on empty, 1-byte and 300-byte messages, and a flipped bit in the
    /// message, the signature or the public key is rejected by both.
    func testAgainstPySr25519Bindings() throws {
        let sodium = try Self.sodium()
        let seeds = (0 ..< 3).map { _ in randomBytes(32) }
        let messages: [[UInt8]] = [[], randomBytes(1), randomBytes(300)]

        var ops: [[String: Any]] = seeds.map { ["op": "pair_from_seed", "seed": hex($0)] }
        let pairs = try seeds.map { try SR25519.Keypair(miniSecret: SecretBytes(copying: $0), sodium: sodium) }
        let first = try Oracle.batch(ops)
        for (i, result) in first.enumerated() {
            XCTAssertEqual(result["public"] as? String, hex(pairs[i].publicKey.bytes), "same mini secret, same public key")
            // The 64-byte secret form loads to the same key pair.
            let fromSecret = try SR25519.Keypair(secretKey: SecretBytes(copying: unhex(result["secret"] as! String)), sodium: sodium)
            XCTAssertEqual(fromSecret.publicKey, pairs[i].publicKey)
        }

        // Their signatures, verified here; ours, with tampered variants, verified there.
        ops = []
        var expectations: [Bool] = []
        for (i, pair) in pairs.enumerated() {
            for message in messages {
                ops.append(["op": "sign", "public": first[i]["public"]!, "secret": first[i]["secret"]!, "message": hex(message)])
                expectations.append(true)
                let signature = pair.sign(message)
                ops.append(["op": "verify", "public": hex(pair.publicKey.bytes), "message": hex(message), "signature": hex(signature)])
                expectations.append(true)
                for (m, s, p) in Self.tampered(message: message, signature: signature, publicKey: pair.publicKey.bytes) {
                    ops.append(["op": "verify", "public": hex(p), "message": hex(m), "signature": hex(s)])
                    expectations.append(false)
                    XCTAssertFalse(SR25519.verify(signature: s, message: m, publicKey: p, sodium: sodium),
                                   "btpow accepted a tampered signature")
                }
                XCTAssertTrue(SR25519.verify(signature: signature, message: message, publicKey: pair.publicKey.bytes, sodium: sodium))
            }
        }
        let second = try Oracle.batch(ops)
        for (i, op) in ops.enumerated() {
            if op["op"] as? String == "sign" {
                let signature = unhex(second[i]["signature"] as! String)
                let message = unhex(op["message"] as! String)
                let publicKey = unhex(op["public"] as! String)
                XCTAssertTrue(SR25519.verify(signature: signature, message: message, publicKey: publicKey, sodium: sodium),
                              "btpow rejects py-sr25519-bindings' signature")
                for (m, s, p) in Self.tampered(message: message, signature: signature, publicKey: publicKey) {
                    XCTAssertFalse(SR25519.verify(signature: s, message: m, publicKey: p, sodium: sodium))
                }
            } else {
                XCTAssertEqual(second[i]["valid"] as? Bool, expectations[i], "py-sr25519-bindings on \(op)")
            }
        }
    }

    /// One flipped bit at a random place in the message (when it has one), the signature and the public key.
    static func tampered(message: [UInt8], signature: [UInt8], publicKey: [UInt8]) -> [([UInt8], [UInt8], [UInt8])] {
        func flip(_ b: [UInt8]) -> [UInt8] {
            var c = b
            let bit = Int.random(in: 0 ..< b.count * 8)
            c[bit / 8] ^= UInt8(1 << (bit % 8))
            return c
        }
        var out: [([UInt8], [UInt8], [UInt8])] = []
        if !message.isEmpty { out.append((flip(message), signature, publicKey)) }
        out.append((message + [0], signature, publicKey))
        out.append((message, flip(signature), publicKey))
        out.append((message, signature, flip(publicKey)))
        return out
    }
}
