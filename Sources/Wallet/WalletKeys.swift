#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChainCodec
import Keys
import PoWCore

/// Which of a wallet's two keys.
public enum WalletKeyRole: String, Sendable {
    case coldkey, hotkey
}

/// Why a wallet's secret key could not be loaded. Each description is one line naming the file; none
/// carries secret material or the password.
public enum WalletKeyError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, unreadable, too large).
    case file(WalletError)
    /// The keyfile was read but refused by the key layer (wrong password, format, mismatch with its own
    /// `publicKey`, libsodium missing…).
    case key(path: String, KeysError)
    /// The secret's public key differs from the one in the wallet's public file (`coldkeypub.txt`, `<hotkey>pub.txt`).
    case publicFileMismatch(path: String, publicFile: String, secret: String, stated: String)

    /// A wrong password (or a modified encrypted file).
    public var isWrongPassword: Bool {
        if case .key(_, .decryptionFailed) = self { return true }
        return false
    }

    /// The secret does not belong to the public key the wallet states (its own file or the pub file).
    public var isPublicKeyMismatch: Bool {
        switch self {
        case .publicFileMismatch, .key(_, .publicKeyMismatch): return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .file(let error): return error.description
        case .key(let path, .decryptionFailed):
            return "wrong password for \(path) (or the file was modified): it does not decrypt"
        case .key(let path, let error): return "wallet file \(path): \(error)"
        case .publicFileMismatch(let path, let publicFile, let secret, let stated):
            return "the secret in \(path) belongs to \(secret), but \(publicFile) states \(stated)"
        }
    }
}

/// A wallet key unlocked from its keyfile.
public struct WalletSecretKey: Sendable {
    public let role: WalletKeyRole
    /// The keyfile it came from.
    public let path: String
    public let keypair: SR25519.Keypair
    /// Whether the keyfile was encrypted (and a password was used).
    public let wasEncrypted: Bool
    /// The public file it was checked against, when the wallet has one.
    public let checkedAgainst: String?

    public var publicKey: Bytes32 { Bytes32(keypair.publicKey.bytes)! }
}

extension WalletFiles {
    /// The coldkey's private keyfile (`<wallet>/coldkey`).
    public var coldkeyPath: String { walletDirectory + (walletDirectory.hasSuffix("/") ? "" : "/") + "coldkey" }

    /// The private keyfile of `role`.
    public func secretKeyPath(_ role: WalletKeyRole) -> String {
        role == .coldkey ? coldkeyPath : hotkeyPath
    }

    /// The public file of `role`.
    public func publicKeyPath(_ role: WalletKeyRole) -> String {
        role == .coldkey ? coldkeyPubPath : hotkeyPubPath
    }

    /// The environment variable btcli (bittensor-wallet) keeps the password of `role`'s keyfile in.
    public func passwordVariableName(_ role: WalletKeyRole) -> String {
        PasswordEnvironment.variableName(keyfilePath: secretKeyPath(role))
    }

    /// How `role`'s private keyfile is stored; reads only its first bytes. Public key reading never calls this.
    public func keyfileFormat(_ role: WalletKeyRole) throws(WalletError) -> KeyfileFormat {
        let head = try WalletFiles.readSecret(secretKeyPath(role), limit: 16)
        return head.withUnsafeBytes { Keyfile.format(of: $0) }
    }

    /// Loads `role`'s secret key from its private keyfile. `password` is called (with the name of the
    /// keyfile's password environment variable) only when the file is encrypted; nil means no password was
    /// given. The secret's public key must equal the keyfile's own `publicKey` and, when the wallet has one,
    /// its public file's key.
    public func loadSecretKey(_ role: WalletKeyRole, sodium: Sodium,
                              password: (_ variableName: String) throws -> SecretBytes?) throws -> WalletSecretKey {
        let path = secretKeyPath(role)
        let data: SecretBytes
        do { data = try WalletFiles.readSecret(path, limit: WalletFiles.maxFileSize) } catch {
            throw WalletKeyError.file(error)
        }
        var asked = false
        let unlocked: UnlockedKeyfile
        do {
            unlocked = try Keyfile.unlock(data, sodium: sodium) {
                asked = true
                return try password(passwordVariableName(role))
            }
        } catch let error as KeysError {
            throw WalletKeyError.key(path: path, error)
        }
        let publicFile = publicKeyPath(role)
        var checked: String?
        if access(publicFile, F_OK) == 0 {
            let stated: Bytes32
            do { stated = try WalletFiles.readPublicFile(publicFile) } catch { throw WalletKeyError.file(error) }
            guard stated.bytes == unlocked.keypair.publicKey.bytes else {
                throw WalletKeyError.publicFileMismatch(path: path, publicFile: publicFile,
                                                        secret: unlocked.keypair.publicKey.hex, stated: stated.hex)
            }
            checked = publicFile
        }
        return WalletSecretKey(role: role, path: path, keypair: unlocked.keypair, wasEncrypted: asked, checkedAgainst: checked)
    }

    /// Reads a private file (at most `limit` bytes) straight into wiped memory.
    static func readSecret(_ path: String, limit: Int) throws(WalletError) -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            throw .unreadable(path: path, reason: errno == EACCES ? "permission denied" : "cannot open it")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: "cannot stat it") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "it is not a regular file") }
        if limit >= maxFileSize, Int(info.st_size) > maxFileSize {
            throw .malformed(path: path, reason: "\(info.st_size) bytes, too large for a key file")
        }
        let capacity = min(Int(info.st_size), limit)
        let buffer = SecretBytes(count: capacity)
        var total = 0
        let failed: Bool = buffer.withUnsafeMutableBytes { b in
            while total < capacity {
                let n = systemRead(fd, b.baseAddress! + total, capacity - total)
                if n < 0 { if errno == EINTR { continue }; return true }
                if n == 0 { break }
                total += n
            }
            return false
        }
        guard !failed else { throw .unreadable(path: path, reason: "I/O error") }
        return total == capacity ? buffer : buffer.slice(0 ..< total)
    }
}

/// POSIX `read` (WalletFiles has a `read` of its own).
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
