import Keys
import Logging

/// How the devnet checks an extrinsic's signature: sr25519 (schnorrkel, Substrate's "substrate" context) through
/// btpow's Keys, over libsodium loaded at run time. Without libsodium no signature verifies, and the devnet says so
/// in the error it logs once.
public struct SignatureVerifier: Sendable {
    let check: @Sendable (_ signature: [UInt8], _ message: [UInt8], _ publicKey: [UInt8]) -> Bool

    public init(_ check: @escaping @Sendable (_ signature: [UInt8], _ message: [UInt8], _ publicKey: [UInt8]) -> Bool) {
        self.check = check
    }

    func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        check(signature, message, publicKey)
    }

    /// sr25519 verification with libsodium (`Sodium.shared()`).
    public static let sr25519 = SignatureVerifier { signature, message, publicKey in
        guard let sodium = try? Sodium.shared() else {
            Logger(label: "btpow.devnet").error("devnet: libsodium could not be loaded, so no signature can be verified")
            return false
        }
        return SR25519.verify(signature: signature, message: message, publicKey: publicKey, sodium: sodium)
    }
}
