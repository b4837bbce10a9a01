/// Everything the key layer can refuse, each with a one-line `description`.
///
/// No case carries secret material: never a private key, a seed, a password or decrypted bytes. Public keys
/// appear in hex where they help (a mismatch names both).
public enum KeysError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libsodium could not be opened from any of `tried`.
    case libsodiumNotFound(tried: [String], loaderMessage: String)
    /// The libsodium that was found lacks a function btpow needs (older than 1.0.18).
    case libsodiumTooOld(library: String, missing: String)
    /// `sodium_init` failed.
    case libsodiumInitFailed(library: String)
    /// A keyfile encrypted in a format btpow does not read (`"Ansible Vault"`, `"legacy Fernet"`).
    case unsupportedEncryption(format: String)
    /// Neither JSON nor a known encrypted format.
    case unknownKeyfileFormat
    /// The `$NACL` data is shorter than its header, nonce and authentication tag.
    case truncatedKeyfile(length: Int, minimum: Int)
    /// The key derived from the password does not open the secretbox: a wrong password, or a modified file.
    case decryptionFailed
    /// The keyfile is encrypted and no password was given.
    case passwordRequired
    /// Argon2i could not run (usually: not enough memory for its 512 MiB).
    case keyDerivationFailed
    /// The (decrypted) keyfile is not a JSON object of the expected shape; `reason` names the part.
    case malformedKeyfile(reason: String)
    /// The keyfile has no usable secret (`privateKey` or `secretSeed`).
    case noSecretInKeyfile
    /// A secret field has the wrong length or is not hex; `field` names it, never its value.
    case invalidSecret(field: String, reason: String)
    /// The secret's public key (a·B) differs from the one the file states.
    case publicKeyMismatch(derived: String, stated: String)
    /// 32 bytes that are not a ristretto255 point, or the wrong length.
    case invalidPublicKey(reason: String)
    /// A signature of the wrong length.
    case invalidSignatureLength(Int)
    /// The password environment variable's value is not what `save_password_to_env` writes.
    case invalidPasswordEnvironment(variable: String, reason: String)
    /// The operating system gave no random bytes.
    case randomnessUnavailable

    public var description: String {
        switch self {
        case .libsodiumNotFound(let tried, let message):
            let shown = message.isEmpty ? "" : " (\(message))"
            return "libsodium was not found (tried \(tried.joined(separator: ", ")))\(shown); install it: "
                + "apt-get install libsodium23 on Debian/Ubuntu, brew install libsodium on macOS"
        case .libsodiumTooOld(let library, let missing):
            return "\(library) has no \(missing): libsodium 1.0.18 or newer is needed (libsodium23 on Debian/Ubuntu)"
        case .libsodiumInitFailed(let library):
            return "sodium_init failed in \(library)"
        case .unsupportedEncryption(let format):
            return "the keyfile is encrypted with \(format), which btpow does not read; "
                + "re-save the key with a current btcli (bittensor-wallet 4 writes $NACL)"
        case .unknownKeyfileFormat:
            return "the keyfile is neither JSON nor a known encrypted format ($NACL, Ansible Vault, legacy Fernet)"
        case .truncatedKeyfile(let length, let minimum):
            return "the encrypted keyfile is truncated: \(length) bytes, at least \(minimum) expected"
        case .decryptionFailed:
            return "wrong password (or the encrypted keyfile was modified): decryption failed"
        case .passwordRequired:
            return "the keyfile is encrypted and no password was given"
        case .keyDerivationFailed:
            return "Argon2i key derivation failed (it needs 512 MiB of memory)"
        case .malformedKeyfile(let reason):
            return "the keyfile is not a valid keyfile: \(reason)"
        case .noSecretInKeyfile:
            return "the keyfile holds no privateKey or secretSeed (a public-only or mnemonic-only file)"
        case .invalidSecret(let field, let reason):
            return "the keyfile's \(field) is invalid: \(reason)"
        case .publicKeyMismatch(let derived, let stated):
            return "the keyfile's secret belongs to public key \(derived), but the file states \(stated)"
        case .invalidPublicKey(let reason):
            return "invalid sr25519 public key: \(reason)"
        case .invalidSignatureLength(let n):
            return "an sr25519 signature is 64 bytes, got \(n)"
        case .invalidPasswordEnvironment(let variable, let reason):
            return "\(variable) does not hold a password as bittensor-wallet stores it: \(reason)"
        case .randomnessUnavailable:
            return "the operating system gave no random bytes"
        }
    }
}
