import PoWCore

/// How a keyfile's bytes are stored.
public enum KeyfileFormat: String, Sendable {
    /// A plain JSON keypair (a hotkey, usually).
    case json = "JSON"
    /// `$NACL` || nonce || XSalsa20-Poly1305 secretbox, key from Argon2i (bittensor-wallet's encryption).
    case nacl = "NaCl"
    /// `$ANSIBLE_VAULT…` (old bittensor wallets).
    case ansibleVault = "Ansible Vault"
    /// Fernet tokens (`gAAAAA…`, the oldest wallets).
    case legacyFernet = "legacy Fernet"
    case unknown = "unknown"

    /// Whether a password is needed to read it.
    public var isEncrypted: Bool { self == .nacl || self == .ansibleVault || self == .legacyFernet }
}

/// A keyfile's secret, unlocked: the key pair and what the file states about its public side.
public struct UnlockedKeyfile: Sendable, CustomStringConvertible {
    public let keypair: SR25519.Keypair
    /// The file's `publicKey` (checked to equal the key pair's).
    public let statedPublicKey: [UInt8]?
    /// The file's `ss58Address`, as written (not checked here: SS58 belongs to the wallet layer).
    public let ss58Address: String?
    public let format: KeyfileFormat
    public var description: String { "keyfile (\(format.rawValue)) for \(keypair.publicKey.hex)" }
}

/// btcli keyfiles from their bytes: format detection, `$NACL` decryption, and the secret's key pair. No file
/// I/O and no environment here.
public enum Keyfile {
    /// bittensor-wallet's fixed Argon2i salt for `$NACL` keyfiles.
    public static let naclSalt: [UInt8] = [0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc,
                                           0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1]
    static let naclPrefix = Array("$NACL".utf8)
    /// Prefix, nonce and authentication tag: the shortest `$NACL` data (an empty plaintext).
    public static let naclMinimumLength = 5 + Sodium.secretboxNonceLength + Sodium.secretboxTagLength

    public static func format(of data: UnsafeRawBufferPointer) -> KeyfileFormat {
        func starts(_ prefix: String) -> Bool { data.starts(with: prefix.utf8) }
        if starts("$NACL") { return .nacl }
        if starts("$ANSIBLE_VAULT") { return .ansibleVault }
        if starts("gAAAAA") { return .legacyFernet }
        var i = 0
        if data.starts(with: [0xef, 0xbb, 0xbf]) { i = 3 }
        while i < data.count, [0x20, 0x0a, 0x0d, 0x09].contains(data[i]) { i += 1 }
        if i < data.count, data[i] == UInt8(ascii: "{") { return .json }
        return .unknown
    }

    public static func format(of data: [UInt8]) -> KeyfileFormat { data.withUnsafeBytes { format(of: $0) } }

    /// The secretbox key for `password`: Argon2i v1.3, 32 bytes, SENSITIVE limits, the fixed salt. Slow on
    /// purpose (seconds, 512 MiB).
    public static func deriveKey(password: SecretBytes, sodium: Sodium) throws(KeysError) -> SecretBytes {
        try sodium.argon2iSensitive(password: password, salt: naclSalt)
    }

    /// `$NACL` data opened with an already derived key.
    public static func decrypt(_ data: UnsafeRawBufferPointer, key: SecretBytes, sodium: Sodium) throws(KeysError) -> SecretBytes {
        switch format(of: data) {
        case .nacl: break
        case .ansibleVault, .legacyFernet: throw .unsupportedEncryption(format: format(of: data).rawValue)
        case .json, .unknown: throw .unknownKeyfileFormat
        }
        guard data.count >= naclMinimumLength else { throw .truncatedKeyfile(length: data.count, minimum: naclMinimumLength) }
        let nonce = UnsafeRawBufferPointer(rebasing: data[5 ..< 29])
        let box = UnsafeRawBufferPointer(rebasing: data[29...])
        guard let plaintext = sodium.secretboxOpen(box, nonce: nonce, key: key) else { throw .decryptionFailed }
        return plaintext
    }

    /// `$NACL` || a fresh nonce || the secretbox of `plaintext` under `key` (what bittensor-wallet writes).
    public static func encrypt(_ plaintext: SecretBytes, key: SecretBytes, sodium: Sodium) -> [UInt8] {
        let nonce = sodium.randomBytes(Sodium.secretboxNonceLength)
        return naclPrefix + nonce + sodium.secretboxSeal(plaintext, nonce: nonce, key: key)
    }

    /// Reads a keyfile: plain JSON as is; `$NACL` decrypted with the password `password` returns (called only
    /// for an encrypted file; nil means none was given). The secret's public key must equal the file's.
    public static func unlock(_ data: SecretBytes, sodium: Sodium,
                              password: () throws -> SecretBytes?) throws -> UnlockedKeyfile {
        let kind = data.withUnsafeBytes { format(of: $0) }
        switch kind {
        case .json:
            return try data.withUnsafeBytes { bytes throws(KeysError) in try parse(bytes, format: .json, sodium: sodium) }
        case .nacl:
            guard data.count >= naclMinimumLength else { throw KeysError.truncatedKeyfile(length: data.count, minimum: naclMinimumLength) }
            guard let pw = try password() else { throw KeysError.passwordRequired }
            let key = try deriveKey(password: pw, sodium: sodium)
            return try unlock(data, key: key, sodium: sodium)
        case .ansibleVault, .legacyFernet:
            throw KeysError.unsupportedEncryption(format: kind.rawValue)
        case .unknown:
            throw KeysError.unknownKeyfileFormat
        }
    }

    /// Reads a `$NACL` keyfile with an already derived key.
    public static func unlock(_ data: SecretBytes, key: SecretBytes, sodium: Sodium) throws(KeysError) -> UnlockedKeyfile {
        let plaintext = try data.withUnsafeBytes { bytes throws(KeysError) in try decrypt(bytes, key: key, sodium: sodium) }
        return try plaintext.withUnsafeBytes { bytes throws(KeysError) in try parse(bytes, format: .nacl, sodium: sodium) }
    }

    public static func unlock(_ data: [UInt8], sodium: Sodium, password: () throws -> SecretBytes?) throws -> UnlockedKeyfile {
        try unlock(data.withUnsafeBytes { SecretBytes(copying: $0) }, sodium: sodium, password: password)
    }

    /// The key pair in a JSON keyfile's bytes: `privateKey` (64 bytes, the scalar reduced mod ℓ || nonce
    /// seed), else `secretSeed` (a 32-byte mini secret). A mnemonic alone is not read.
    static func parse(_ bytes: UnsafeRawBufferPointer, format: KeyfileFormat, sodium: Sodium) throws(KeysError) -> UnlockedKeyfile {
        let object: FlatJSONObject
        do { object = try FlatJSONObject(parsing: bytes) } catch {
            if format == .nacl {
                throw .malformedKeyfile(reason: "the decrypted data is not a JSON keyfile")
            }
            throw error
        }
        func publicField(_ name: String) throws(KeysError) -> String? {
            switch object.fields[name] {
            case nil, .null?: return nil
            case .other?: throw .malformedKeyfile(reason: "\(name) is not a string")
            case .string(let range, let escaped)?:
                guard !escaped else { throw .malformedKeyfile(reason: "\(name) has escape sequences") }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
        }
        func secretField(_ name: String, length: Int) throws(KeysError) -> SecretBytes? {
            switch object.fields[name] {
            case nil, .null?: return nil
            case .other?: throw .invalidSecret(field: name, reason: "not a string")
            case .string(let range, let escaped)?:
                guard !escaped else { throw .invalidSecret(field: name, reason: "not hex") }
                return try SecretHex.decode(UnsafeRawBufferPointer(rebasing: bytes[range]), field: name, length: length)
            }
        }
        let statedHex = try publicField("publicKey")
        var stated: [UInt8]? = nil
        if let statedHex {
            guard let b = try? Hex.decode(statedHex), b.count == SR25519.publicKeyLength else {
                throw .malformedKeyfile(reason: "publicKey is not 32 bytes of hex")
            }
            stated = b
        }
        let keypair: SR25519.Keypair
        if let privateKey = try secretField("privateKey", length: SR25519.secretKeyLength) {
            keypair = try SR25519.Keypair(secretKey: privateKey, sodium: sodium)
        } else if let seed = try secretField("secretSeed", length: SR25519.miniSecretLength) {
            keypair = try SR25519.Keypair(miniSecret: seed, sodium: sodium)
        } else {
            throw .noSecretInKeyfile
        }
        if let stated, stated != keypair.publicKey.bytes {
            throw .publicKeyMismatch(derived: keypair.publicKey.hex, stated: Hex.encode(stated))
        }
        return UnlockedKeyfile(keypair: keypair, statedPublicKey: stated, ss58Address: try publicField("ss58Address"), format: format)
    }
}

/// Hex digits decoded straight into a secret; errors name the field and never the digits.
enum SecretHex {
    static func decode(_ text: UnsafeRawBufferPointer, field: String, length: Int) throws(KeysError) -> SecretBytes {
        var start = 0
        if text.count >= 2, text[0] == UInt8(ascii: "0"), text[1] == UInt8(ascii: "x") || text[1] == UInt8(ascii: "X") { start = 2 }
        let digits = text.count - start
        guard digits == 2 * length else {
            throw .invalidSecret(field: field, reason: digits % 2 == 0 ? "\(digits / 2) bytes, \(length) expected" : "odd number of hex digits")
        }
        let out = SecretBytes(count: length)
        var bad = false
        out.withUnsafeMutableBytes { o in
            for i in 0 ..< length {
                let hi = nibble(text[start + 2 * i]), lo = nibble(text[start + 2 * i + 1])
                bad = bad || hi > 15 || lo > 15
                o[i] = hi << 4 | (lo & 15)
            }
        }
        guard !bad else { throw .invalidSecret(field: field, reason: "not hex") }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return 0xff
        }
    }
}
