import PoWCore

/// sr25519 as schnorrkel 0.11 defines it: Schnorr signatures over ristretto255 with Merlin transcripts, the
/// signature marked by bit 7 of its last byte. Substrate (and so Bittensor) signs in the context "substrate".
public enum SR25519 {
    /// Substrate's signing context.
    public static let substrateContext: [UInt8] = Array("substrate".utf8)
    public static let signatureLength = 64
    public static let publicKeyLength = 32
    /// The 64-byte secret key form: the scalar (reduced mod ℓ, little-endian) followed by the nonce seed.
    public static let secretKeyLength = 64
    public static let miniSecretLength = 32

    /// A public key: a compressed ristretto255 point.
    public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
        public let bytes: [UInt8]

        /// Checks the length and that the bytes decode to a point.
        public init(bytes: [UInt8], sodium: Sodium) throws(KeysError) {
            guard bytes.count == SR25519.publicKeyLength else {
                throw .invalidPublicKey(reason: "\(bytes.count) bytes, 32 expected")
            }
            guard sodium.isValidPoint(bytes) else { throw .invalidPublicKey(reason: "not a ristretto255 point") }
            self.bytes = bytes
        }

        init(unchecked bytes: [UInt8]) { self.bytes = bytes }

        /// `0x`-prefixed hex, as keyfiles write it.
        public var hex: String { Hex.encode(bytes) }
        public var description: String { hex }
    }

    /// A key pair: the public key and, held as a wiped secret, the scalar and nonce seed.
    public final class Keypair: Sendable, CustomStringConvertible {
        public let publicKey: PublicKey
        /// scalar (32, canonical) || nonce seed (32).
        private let secret: SecretBytes
        private let sodium: Sodium

        /// From a 32-byte mini secret (a keyfile's `secretSeed`) with the "Ed25519" expansion Substrate uses:
        /// h = SHA-512(seed); scalar = clamp(h[0..<32]) / 8; nonce seed = h[32..<64].
        public init(miniSecret: SecretBytes, sodium: Sodium) throws(KeysError) {
            guard miniSecret.count == SR25519.miniSecretLength else {
                throw .invalidSecret(field: "secretSeed", reason: "\(miniSecret.count) bytes, 32 expected")
            }
            let h = miniSecret.withUnsafeBytes { sodium.sha512Secret($0) }
            h.withUnsafeMutableBytes { b in
                b[0] &= 248
                b[31] &= 63
                b[31] |= 64
                // Divide the 256-bit little-endian number in b[0..<32] by the cofactor 8.
                var carry: UInt8 = 0
                for i in stride(from: 31, through: 0, by: -1) {
                    let low = b[i] & 0b111
                    b[i] = (b[i] >> 3) | carry
                    carry = low << 5
                }
            }
            guard let a = h.withUnsafeBytes({ sodium.multiplyBase(UnsafeRawBufferPointer(rebasing: $0[0 ..< 32])) }) else {
                throw .invalidSecret(field: "secretSeed", reason: "it gives the identity point")
            }
            self.sodium = sodium
            secret = h
            publicKey = PublicKey(unchecked: a)
        }

        /// From the 64-byte secret key form (a keyfile's `privateKey`): the scalar must be reduced mod ℓ,
        /// as schnorrkel's `SecretKey::from_bytes` requires.
        public init(secretKey: SecretBytes, sodium: Sodium) throws(KeysError) {
            guard secretKey.count == SR25519.secretKeyLength else {
                throw .invalidSecret(field: "privateKey", reason: "\(secretKey.count) bytes, 64 expected")
            }
            let canonical = secretKey.withUnsafeBytes { sodium.isCanonicalScalar(UnsafeRawBufferPointer(rebasing: $0[0 ..< 32])) }
            guard canonical else {
                throw .invalidSecret(field: "privateKey", reason: "its scalar is not reduced mod the group order")
            }
            guard let a = secretKey.withUnsafeBytes({ sodium.multiplyBase(UnsafeRawBufferPointer(rebasing: $0[0 ..< 32])) }) else {
                throw .invalidSecret(field: "privateKey", reason: "its scalar is zero")
            }
            self.sodium = sodium
            secret = secretKey.slice(0 ..< 64)
            publicKey = PublicKey(unchecked: a)
        }

        /// Signs `message` with fresh randomness from the operating system, so two signatures of one message
        /// differ (and both verify), as schnorrkel does.
        public func sign(_ message: [UInt8], context: [UInt8] = SR25519.substrateContext) -> [UInt8] {
            let randomness = SecretBytes(count: 32)
            randomness.withUnsafeMutableBytes { sodium.fillRandom($0) }
            return sign(message, context: context, randomness: randomness)
        }

        /// Signs with the given 32 bytes in place of the operating system's randomness (tests, reproducible runs).
        func sign(_ message: [UInt8], context: [UInt8], randomness: SecretBytes) -> [UInt8] {
            var t = SR25519.transcript(context: context, message: message, publicKey: publicKey.bytes)
            let r = SecretBytes(count: 32)
            do {
                let wide = SecretBytes(count: 64)
                secret.withUnsafeBytes { s in
                    randomness.withUnsafeBytes { rnd in
                        wide.withUnsafeMutableBytes { w in
                            t.witnessBytes(label: Array("signing".utf8), witnesses: [UnsafeRawBufferPointer(rebasing: s[32 ..< 64])],
                                           randomness: rnd, into: w)
                        }
                    }
                }
                var reduced = wide.withUnsafeBytes { sodium.reduceWide($0) }
                r.withUnsafeMutableBytes { $0.copyBytes(from: reduced) }
                SecretBytes.wipe(&reduced)
            }
            // r = 0 (probability 2^-252) would make R the identity; schnorrkel encodes it as 32 zero bytes.
            let bigR = r.withUnsafeBytes { sodium.multiplyBase($0) } ?? [UInt8](repeating: 0, count: 32)
            t.appendMessage(label: Array("sign:R".utf8), message: bigR)
            let k = t.challengeScalar(label: Array("sign:c".utf8), sodium: sodium)
            var s = [UInt8](repeating: 0, count: 32)
            s.withUnsafeMutableBytes { out in
                k.withUnsafeBytes { kb in
                    secret.withUnsafeBytes { a in
                        r.withUnsafeBytes { rb in sodium.mulAdd(out, kb, UnsafeRawBufferPointer(rebasing: a[0 ..< 32]), rb) }
                    }
                }
            }
            s[31] |= 0x80
            return bigR + s
        }

        public var description: String { "sr25519 keypair \(publicKey.hex) (secret not shown)" }
    }

    static func transcript(context: [UInt8], message: [UInt8], publicKey: [UInt8]) -> MerlinTranscript {
        var t = MerlinTranscript(label: Array("SigningContext".utf8))
        t.appendMessage(label: [], message: context)
        t.appendMessage(label: Array("sign-bytes".utf8), message: message)
        t.appendMessage(label: Array("proto-name".utf8), message: Array("Schnorr-sig".utf8))
        t.appendMessage(label: Array("sign:pk".utf8), message: publicKey)
        return t
    }

    /// Whether `signature` is `publicKey`'s signature of `message` in `context`: the schnorrkel marker bit set,
    /// s reduced mod ℓ, the key a point, and R == s·B − k·A. Malformed input is simply not a valid signature.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8],
                              context: [UInt8] = substrateContext, sodium: Sodium) -> Bool {
        guard signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        guard signature[63] & 0x80 != 0 else { return false }
        let bigR = Array(signature[0 ..< 32])
        var s = Array(signature[32 ..< 64])
        s[31] &= 0x7f
        guard s.withUnsafeBytes({ sodium.isCanonicalScalar($0) }) else { return false }
        guard sodium.isValidPoint(publicKey) else { return false }
        var t = transcript(context: context, message: message, publicKey: publicKey)
        t.appendMessage(label: Array("sign:R".utf8), message: bigR)
        let k = t.challengeScalar(label: Array("sign:c".utf8), sodium: sodium)
        // libsodium refuses identity results; those cases (s = 0, k = 0: probability 2^-252 for honest
        // signatures) are rejected rather than compared.
        guard let sB = s.withUnsafeBytes({ sodium.multiplyBase($0) }), let kA = sodium.multiply(k, publicKey),
              let computed = sodium.subtract(sB, kA) else { return false }
        var diff: UInt8 = 0
        for i in 0 ..< 32 { diff |= computed[i] ^ bigR[i] }
        return diff == 0
    }
}

extension MerlinTranscript {
    /// 64 challenge bytes reduced mod ℓ.
    mutating func challengeScalar(label: [UInt8], sodium: Sodium) -> [UInt8] {
        let wide = challengeBytes(label: label, count: 64)
        return wide.withUnsafeBytes { sodium.reduceWide($0) }
    }
}
