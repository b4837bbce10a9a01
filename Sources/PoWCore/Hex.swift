public enum HexError: Error, Equatable, CustomStringConvertible {
    case oddLength(Int)
    case invalidCharacter(Character)
    case wrongLength(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .oddLength(let n): return "hex string has an odd number of digits (\(n))"
        case .invalidCharacter(let c): return "\(Self.quoted(c)) is not a hex digit"
        case .wrongLength(let expected, let got): return "expected \(expected) bytes (\(expected * 2) hex digits), got \(got)"
        }
    }

    /// A printable ASCII character quoted (`'g'`), anything else as its code points (`U+A`), so the message stays
    /// one unambiguous line. Scalars only: no Unicode property tables (PoWCore also builds as Embedded Swift).
    static func quoted(_ c: Character) -> String {
        let scalars = c.unicodeScalars
        if scalars.count == 1, let s = scalars.first, s.value >= 0x20, s.value < 0x7f { return "'\(c)'" }
        return scalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
    }
}

public enum Hex {
    /// Decodes hex digits, with an optional `0x`/`0X` prefix.
    public static func decode(_ text: String) throws(HexError) -> [UInt8] {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        let utf8 = Array(digits.utf8)
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else {
                throw .invalidCharacter(firstNonHexCharacter(in: digits))
            }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The whole scalar (not one byte of it) that stopped decoding, for the error message.
    private static func firstNonHexCharacter(in digits: Substring) -> Character {
        let bad = digits.unicodeScalars.first { s in !(s.isASCII && nibble(UInt8(s.value)) != nil) }
        return bad.map { Character($0) } ?? "?"
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// `0x` followed by lowercase hex digits.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String where Bytes.Element == UInt8 {
        var out = prefix ? [UInt8(ascii: "0"), UInt8(ascii: "x")] : []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
