#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ChainCodec
import PoWCore

/// Why a wallet's public key could not be read. Each description is one line naming the file.
public enum WalletError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case encrypted(path: String)
    case malformed(path: String, reason: String)

    public var path: String {
        switch self {
        case .missing(let p), .unreadable(let p, _), .encrypted(let p), .malformed(let p, _): return p
        }
    }

    public var description: String {
        switch self {
        case .missing(let path): return "wallet file \(path) does not exist"
        case .unreadable(let path, let reason): return "cannot read wallet file \(path): \(reason)"
        case .encrypted(let path):
            return "wallet file \(path) is encrypted and holds no readable public key (create its pub.txt, e.g. with btcli wallet regen-hotkeypub)"
        case .malformed(let path, let reason): return "wallet file \(path) is malformed: \(reason)"
        }
    }
}

/// A wallet in the btcli layout:
/// ```
/// <root>/<name>/coldkeypub.txt
/// <root>/<name>/hotkeys/<hotkey>pub.txt
/// <root>/<name>/hotkeys/<hotkey>        (private; only its publicKey field is read, and only without pub.txt)
/// ```
/// Only public keys are read: private fields are never kept, logged or printed.
public struct WalletFiles: Sendable, Equatable {
    public static let defaultRoot = "~/.bittensor/wallets"
    public static let defaultName = "default"
    public static let defaultHotkey = "default"

    /// The wallets folder, with `~` expanded.
    public let root: String
    public let name: String
    public let hotkey: String

    public init(root: String = WalletFiles.defaultRoot, name: String = WalletFiles.defaultName,
                hotkey: String = WalletFiles.defaultHotkey) {
        self.root = WalletFiles.expandTilde(root)
        self.name = name
        self.hotkey = hotkey
    }

    public var walletDirectory: String { join(root, name) }
    public var coldkeyPubPath: String { join(walletDirectory, "coldkeypub.txt") }
    public var hotkeyPubPath: String { join(walletDirectory, "hotkeys", hotkey + "pub.txt") }
    public var hotkeyPath: String { join(walletDirectory, "hotkeys", hotkey) }

    /// The hotkey's public key: from `hotkeys/<hotkey>pub.txt`, or, only when that file is missing, from the
    /// `publicKey` field of `hotkeys/<hotkey>`.
    public func hotkeyPublicKey() throws(WalletError) -> Bytes32 {
        if FileManager.default.fileExists(atPath: hotkeyPubPath) {
            return try WalletFiles.readPublicFile(hotkeyPubPath)
        }
        guard FileManager.default.fileExists(atPath: hotkeyPath) else {
            throw .missing(path: hotkeyPubPath)
        }
        return try WalletFiles.readKeypairFile(hotkeyPath)
    }

    /// The coldkey's public key, from `coldkeypub.txt` (the private `coldkey` file is never read).
    public func coldkeyPublicKey() throws(WalletError) -> Bytes32 {
        try WalletFiles.readPublicFile(coldkeyPubPath)
    }

    // MARK: Files

    static let maxFileSize = 1 << 20

    /// The JSON fields of a public file; `ss58Address`, when present, must agree with `publicKey`.
    struct PublicFields: Decodable {
        let publicKey: String?
        let ss58Address: String?
        let accountId: String?
    }

    /// The one field read from a private keypair file.
    struct PublicKeyOnly: Decodable {
        let publicKey: String?
    }

    static func read(_ path: String) throws(WalletError) -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let type = attributes?[.type] as? FileAttributeType, type == .typeDirectory {
            throw .unreadable(path: path, reason: "it is a directory")
        }
        let sizeAttribute = attributes?[.size]
        let size = (sizeAttribute as? Int) ?? (sizeAttribute as? UInt64).map { Int(clamping: $0) } ?? (sizeAttribute as? Int64).map { Int(clamping: $0) }
        if let size, size > maxFileSize {
            throw .malformed(path: path, reason: "\(size) bytes, too large for a key file")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: "permission denied or I/O error")
        }
        guard data.count <= maxFileSize else { throw .malformed(path: path, reason: "\(data.count) bytes, too large for a key file") }
        return data
    }

    static func isEncrypted(_ data: Data) -> Bool {
        for marker in ["$NACL", "$ANSIBLE_VAULT", "gAAAAA"] where data.starts(with: Array(marker.utf8)) { return true }
        return false
    }

    static func readPublicFile(_ path: String) throws(WalletError) -> Bytes32 {
        let data = try read(path)
        if isEncrypted(data) { throw .encrypted(path: path) }
        let fields: PublicFields
        do { fields = try JSONDecoder().decode(PublicFields.self, from: data) } catch {
            throw .malformed(path: path, reason: "not a JSON object with a publicKey field")
        }
        var key: Bytes32?
        for text in [fields.publicKey, fields.accountId] {
            guard let text else { continue }
            do { key = try Bytes32(hex: text) } catch {
                throw .malformed(path: path, reason: "publicKey is not 0x + 64 hex digits (\(error))")
            }
            break
        }
        if let address = fields.ss58Address {
            let decoded: Bytes32
            do { decoded = try SS58.decode(address).publicKey } catch {
                throw .malformed(path: path, reason: "ss58Address: \(error)")
            }
            if let key, key != decoded {
                throw .malformed(path: path, reason: "ss58Address and publicKey name different keys")
            }
            key = decoded
        }
        guard let key else { throw .malformed(path: path, reason: "no publicKey field") }
        return key
    }

    static func readKeypairFile(_ path: String) throws(WalletError) -> Bytes32 {
        var data = try read(path)
        defer { data.resetBytes(in: 0 ..< data.count) } // best effort: do not leave the private fields around
        if isEncrypted(data) { throw .encrypted(path: path) }
        let text: String?
        do { text = try JSONDecoder().decode(PublicKeyOnly.self, from: data).publicKey } catch {
            throw .malformed(path: path, reason: "not a JSON object with a publicKey field")
        }
        guard let text else { throw .malformed(path: path, reason: "no publicKey field") }
        do { return try Bytes32(hex: text) } catch {
            throw .malformed(path: path, reason: "publicKey is not 0x + 64 hex digits (\(error))")
        }
    }

    // MARK: Paths

    static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        return home + path.dropFirst()
    }

    private func join(_ parts: String...) -> String {
        var out = ""
        for part in parts {
            if out.isEmpty { out = part; continue }
            out += out.hasSuffix("/") ? part : "/" + part
        }
        return out
    }
}
