#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import ChainCodec
import Foundation
import Keys
import PoWCore
import Wallet

/// `btpow wallet …`: a btcli wallet's keys, public and (with a password) secret.
struct WalletCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Inspect a btcli wallet and sign with its keys (sr25519).",
        discussion: """
        An encrypted keyfile's password comes from the environment variable btcli uses for it \
        (BT_PW_<keyfile path>, as bittensor-wallet's save_password_to_env stores it), else from a prompt \
        when stdin is a terminal. Exit 0 success, 1 a secret does not match the wallet's public key \
        (inspect --unlock), 2 bad input, wrong password or unreadable keyfile.
        """,
        subcommands: [WalletInspectCommand.self, WalletSignCommand.self]
    )
}

/// Which wallet: the btcli flags.
struct WalletLocationOptions: ParsableArguments {
    @Option(name: .customLong("wallet.path"), help: "Wallet root folder.")
    var walletPath: String = WalletFiles.defaultRoot

    @Option(name: .customLong("wallet.name"), help: "Wallet (coldkey) name.")
    var walletName: String = WalletFiles.defaultName

    @Option(name: .customLong("wallet.hotkey"), help: "Hotkey name inside the wallet.")
    var walletHotkey: String = WalletFiles.defaultHotkey

    var wallet: WalletFiles { WalletFiles(root: walletPath, name: walletName, hotkey: walletHotkey) }
}

/// libsodium, or the one-line error saying what to install.
func loadSodium() throws -> Sodium {
    do { return try Sodium.shared() } catch { throw CLIError.badInput("\(error)") }
}

/// The terminal settings to restore if Ctrl-C arrives while the password prompt has echo off (read only by
/// that signal handler, written before it is installed).
nonisolated(unsafe) private var promptTerminalState = termios()

/// Passwords for encrypted keyfiles: the environment variable btcli uses, else a masked prompt on a
/// terminal, else an error naming the variable.
enum PasswordSource {
    static func password(for role: WalletKeyRole, path: String, variableName: String) throws -> SecretBytes {
        if let raw = getenv(variableName) {
            let value = UnsafeRawBufferPointer(start: raw, count: strlen(raw))
            do { return try PasswordEnvironment.password(fromValue: value, variableName: variableName) } catch {
                throw CLIError.badInput("\(error)")
            }
        }
        guard isatty(STDIN_FILENO) != 0 else {
            throw CLIError.badInput("the \(role.rawValue) \(path) is encrypted and stdin is not a terminal: set \(variableName) "
                + "(the value btcli's save_password_to_env stores for it) or run btpow on a terminal to type the password")
        }
        return try readMasked(prompt: "Enter password to unlock the \(role.rawValue) (\(path)): ")
    }

    /// Reads one line from the terminal with echo off.
    static func readMasked(prompt: String) throws -> SecretBytes {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        var previousHandler: sig_t?
        if haveTerminal {
            promptTerminalState = saved
            // Ctrl-C at the prompt must not leave the terminal without echo.
            previousHandler = signal(SIGINT) { _ in
                tcsetattr(STDIN_FILENO, TCSANOW, &promptTerminalState)
                _exit(130)
            }
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        defer {
            if haveTerminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                signal(SIGINT, previousHandler)
            }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        let buffer = SecretBytes(count: 4096)
        var length = 0
        // Read byte by byte straight into the wiped buffer (no other copy of what is typed).
        let complete: Bool = buffer.withUnsafeMutableBytes { b in
            while length < b.count {
                let n = read(STDIN_FILENO, b.baseAddress! + length, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return length > 0 }
                if b[length] == UInt8(ascii: "\n") {
                    b[length] = 0
                    return true
                }
                length += 1
            }
            return false
        }
        guard complete else { throw CLIError.badInput("no password was typed") }
        if length > 0, buffer.withUnsafeBytes({ $0[length - 1] }) == UInt8(ascii: "\r") { length -= 1 }
        return buffer.slice(0 ..< length)
    }

    /// Loads `role`'s secret key, asking for the password only when the keyfile is encrypted. A wrong password
    /// or any other refusal is one line and exit 2.
    static func loadSecret(_ role: WalletKeyRole, wallet: WalletFiles, sodium: Sodium) throws -> WalletSecretKey {
        do {
            return try wallet.loadSecretKey(role, sodium: sodium) { variableName in
                try password(for: role, path: wallet.secretKeyPath(role), variableName: variableName)
            }
        } catch let error as WalletKeyError {
            throw CLIError.badInput(error.description)
        }
    }
}

struct WalletInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a wallet's public keys; with --unlock, also check that its secrets match them.",
        discussion: "Without --unlock only the public files are read (and the first bytes of the coldkey, to say whether it is encrypted)."
    )

    @OptionGroup var location: WalletLocationOptions

    @Flag(help: "Unlock the coldkey and hotkey keyfiles (asking for passwords) and check them against the public keys.")
    var unlock = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Report: Encodable {
        let coldkey_ss58: String?
        let hotkey_ss58: String?
        let coldkey_hex: String?
        let hotkey_hex: String?
        let coldkey_encrypted: Bool?
        let unlocked: Bool
        let secret_matches_public_key: Bool?

        enum CodingKeys: String, CodingKey {
            case coldkey_ss58, hotkey_ss58, coldkey_hex, hotkey_hex, coldkey_encrypted, unlocked, secret_matches_public_key
        }

        // Absent values are written as null, so every key is always there.
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(coldkey_ss58, forKey: .coldkey_ss58)
            try c.encode(hotkey_ss58, forKey: .hotkey_ss58)
            try c.encode(coldkey_hex, forKey: .coldkey_hex)
            try c.encode(hotkey_hex, forKey: .hotkey_hex)
            try c.encode(coldkey_encrypted, forKey: .coldkey_encrypted)
            try c.encode(unlocked, forKey: .unlocked)
            try c.encode(secret_matches_public_key, forKey: .secret_matches_public_key)
        }
    }

    func run() throws {
        let wallet = location.wallet
        var cold: Bytes32?, hot: Bytes32?
        // Public keys first: with --unlock a missing pub file is not fatal (the secret then names the key).
        do { cold = try wallet.coldkeyPublicKey() } catch { if !unlock { throw CLIError.badInput("\(error)") } }
        do { hot = try wallet.hotkeyPublicKey() } catch { if !unlock { throw CLIError.badInput("\(error)") } }
        let encrypted: Bool? = (try? wallet.keyfileFormat(.coldkey)).map { $0.isEncrypted }

        var matches: Bool?
        var mismatch: String?
        if unlock {
            let sodium = try loadSodium()
            matches = true
            for role in [WalletKeyRole.coldkey, .hotkey] {
                do {
                    let secret = try wallet.loadSecretKey(role, sodium: sodium) { variableName in
                        try PasswordSource.password(for: role, path: wallet.secretKeyPath(role), variableName: variableName)
                    }
                    if role == .coldkey { cold = cold ?? secret.publicKey } else { hot = hot ?? secret.publicKey }
                } catch let error as WalletKeyError where error.isPublicKeyMismatch {
                    matches = false
                    mismatch = mismatch ?? error.description
                } catch let error as WalletKeyError {
                    throw CLIError.badInput(error.description)
                }
            }
        }
        let report = Report(coldkey_ss58: cold.map { SS58.encode(publicKey: $0) }, hotkey_ss58: hot.map { SS58.encode(publicKey: $0) },
                            coldkey_hex: cold?.hex, hotkey_hex: hot?.hex, coldkey_encrypted: encrypted,
                            unlocked: unlock && matches == true, secret_matches_public_key: matches)
        if json {
            try Console.printJSON(report)
        } else {
            print("wallet   \(wallet.walletDirectory)")
            print("coldkey  \(report.coldkey_ss58 ?? "-")  \(report.coldkey_hex ?? "")\(encrypted == true ? "  (encrypted)" : "")")
            print("hotkey   \(report.hotkey_ss58 ?? "-")  \(report.hotkey_hex ?? "")")
            if unlock { print(matches == true ? "unlocked: both secrets match their public keys" : "unlocked: MISMATCH") }
        }
        if let mismatch {
            Console.error(mismatch)
            throw ExitStatus.noSolution.exit   // 1: a check did not hold
        }
    }
}

struct WalletSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a message with the wallet's coldkey (or hotkey) as Substrate does (sr25519, context \"substrate\")."
    )

    @OptionGroup var location: WalletLocationOptions

    @Option(help: "The message: UTF-8 text, or hex with --hex.")
    var message: String

    @Flag(help: "The message is hex (0x optional).")
    var hex = false

    @Flag(help: "Sign with the hotkey instead of the coldkey.")
    var useHotkey = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Output: Encodable {
        let signature: String
        let signer_ss58: String
        let message_hex: String
    }

    func run() throws {
        let bytes: [UInt8]
        if hex {
            do { bytes = try Hex.decode(message) } catch { throw CLIError.badInput("--message: \(error)") }
        } else {
            bytes = Array(message.utf8)
        }
        let sodium = try loadSodium()
        let secret = try PasswordSource.loadSecret(useHotkey ? .hotkey : .coldkey, wallet: location.wallet, sodium: sodium)
        let signature = secret.keypair.sign(bytes)
        let output = Output(signature: Hex.encode(signature), signer_ss58: SS58.encode(publicKey: secret.publicKey),
                            message_hex: Hex.encode(bytes))
        if json { try Console.printJSON(output) } else { print(output.signature) }
    }
}
