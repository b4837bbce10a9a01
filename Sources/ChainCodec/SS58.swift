import PoWCore

/// Why an SS58 address was refused. Each description is one line.
public enum SS58Error: Error, Equatable, CustomStringConvertible {
    case empty
    /// A character outside the base58 alphabet (0, O, I, l, punctuation, spaces …).
    case badCharacter(Character, position: Int)
    /// The decoded bytes have a length no 32-byte account address has.
    case wrongLength(Int)
    /// The first byte is not a valid SS58 prefix (≥ 128).
    case invalidPrefix(UInt8)
    /// Formats 46 and 47 are reserved.
    case reservedFormat(UInt16)
    case badChecksum

    public var description: String {
        switch self {
        case .empty: return "SS58 address is empty"
        case .badCharacter(let c, let position):
            return "SS58 address has \(c.quotedForErrorMessage) at position \(position + 1), which is not a base58 character"
        case .wrongLength(let n):
            return "SS58 address decodes to \(n) bytes; a 32-byte account address decodes to 35 or 36"
        case .invalidPrefix(let b): return "SS58 address starts with byte 0x\(String(b, radix: 16)), not a valid address format"
        case .reservedFormat(let f): return "SS58 address format \(f) is reserved"
        case .badChecksum: return "SS58 address checksum does not match (mistyped address?)"
        }
    }
}

public enum SS58 {
    /// Bittensor's address format.
    public static let bittensorFormat: UInt16 = 42

    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let alphabetIndex: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()
    static let checksumPrefix = Array("SS58PRE".utf8)

    /// The prefix bytes of `format` (its low 14 bits, as Substrate masks them): one byte below 64, else two.
    public static func prefixBytes(format: UInt16) -> [UInt8] {
        let ident = format & 0b0011_1111_1111_1111
        if ident < 64 { return [UInt8(ident)] }
        let first = UInt8((ident & 0b0000_0000_1111_1100) >> 2) | 0b0100_0000
        let second = UInt8(ident >> 8) | UInt8((ident & 0b11) << 6)
        return [first, second]
    }

    /// The SS58 address of a 32-byte public key (sr25519/ed25519 AccountId32).
    public static func encode(publicKey: Bytes32, format: UInt16 = bittensorFormat) -> String {
        var payload = prefixBytes(format: format) + publicKey.bytes
        let checksum = blake2b512(checksumPrefix + payload)
        payload.append(contentsOf: checksum.prefix(2))
        return base58Encode(payload)
    }

    /// Decodes an address in the simple (one-byte) or full (two-byte) prefix format and verifies its checksum.
    public static func decode(_ address: String) throws(SS58Error) -> (publicKey: Bytes32, format: UInt16) {
        let data = try base58Decode(address)
        guard let first = data.first else { throw .empty }
        let prefixLength: Int
        let format: UInt16
        switch first {
        case 0 ..< 64:
            prefixLength = 1
            format = UInt16(first)
        case 64 ..< 128:
            guard data.count >= 2 else { throw .wrongLength(data.count) }
            let lower = (first << 2) | (data[1] >> 6)
            let upper = data[1] & 0b0011_1111
            prefixLength = 2
            format = UInt16(lower) | UInt16(upper) << 8
        default:
            throw .invalidPrefix(first)
        }
        guard data.count == prefixLength + 32 + 2 else { throw .wrongLength(data.count) }
        let body = Array(data[0 ..< prefixLength + 32])
        let checksum = blake2b512(checksumPrefix + body)
        guard checksum[0] == data[prefixLength + 32], checksum[1] == data[prefixLength + 33] else { throw .badChecksum }
        if format == 46 || format == 47 { throw .reservedFormat(format) }
        return (Bytes32(body[prefixLength...])!, format)
    }

    // MARK: base58 (Bitcoin alphabet)

    public static func base58Encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Base-58 digits, least significant first.
        var digits = [UInt8]()
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            for i in digits.indices {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 { digits.append(UInt8(carry % 58)); carry /= 58 }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        for d in digits.reversed() { out.append(alphabet[Int(d)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func base58Decode(_ text: String) throws(SS58Error) -> [UInt8] {
        guard !text.isEmpty else { throw .empty }
        // A 32-byte account address is at most 50 characters; refuse anything far longer without work.
        let characters = Array(text)
        guard characters.count <= 128 else { throw .wrongLength(characters.count * 733 / 1000) }
        var zeros = 0
        var leading = true
        var bytes = [UInt8]() // least significant first
        for (position, character) in characters.enumerated() {
            guard let ascii = character.asciiValue, alphabetIndex[Int(ascii)] >= 0 else {
                throw .badCharacter(character, position: position)
            }
            let value = Int(alphabetIndex[Int(ascii)])
            if leading && value == 0 { zeros += 1; continue }
            leading = false
            var carry = value
            for i in bytes.indices {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 { bytes.append(UInt8(carry & 0xff)); carry >>= 8 }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}

/// Why a public key given as text was refused. Each description is one line.
public enum PublicKeyError: Error, Equatable, CustomStringConvertible {
    case empty
    case badHex(String, HexError)
    case badSS58(String, SS58Error)

    public var description: String {
        switch self {
        case .empty: return "public key is empty: give 0x followed by 64 hex digits, or an SS58 address"
        case .badHex(let text, let error): return "public key '\(PublicKey.clip(text))' is not valid hex: \(error)"
        case .badSS58(let text, let error): return "public key '\(PublicKey.clip(text))' is not a valid SS58 address: \(error)"
        }
    }
}

public enum PublicKey {
    /// `0x` + exactly 64 hex digits, or an SS58 address of any format (checksum verified).
    public static func parse(_ text: String) throws(PublicKeyError) -> Bytes32 {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") {
            do { return try Bytes32(hex: trimmed) } catch { throw .badHex(trimmed, error) }
        }
        do { return try SS58.decode(trimmed).publicKey } catch { throw .badSS58(trimmed, error) }
    }

    /// Keeps error lines short and free of control characters.
    package static func clip(_ text: String) -> String {
        let cleaned = String(text.map { $0.printsOnOneLine ? $0 : "?" })
        return cleaned.count > 80 ? String(cleaned.prefix(77)) + "..." : cleaned
    }
}

extension String {
    package func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
