import PoWCore

/// Whoever signs an extrinsic: a public key, and sr25519 signatures over signing payloads in Substrate's context.
/// Registration needs nothing else from the keys, so it does not depend on how they are kept (the CLI conforms
/// `SR25519.Keypair`; tests may do the same with a fresh key).
public protocol ExtrinsicSigner: Sendable {
    /// The signer's account (an sr25519 public key).
    var publicKey: Bytes32 { get }
    /// A 64-byte sr25519 signature of `payload` (`UnsignedExtrinsic.signingPayload`).
    func sign(_ payload: [UInt8]) -> [UInt8]
}
