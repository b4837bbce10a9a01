/// 32 bytes held inline (no heap): block hashes, public keys, seals.
/// Stored as four little-endian 64-bit words, so `w0` holds bytes 0…7 with byte 0 lowest.
public struct Bytes32: Hashable, Sendable {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    @inlinable
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    /// From exactly 32 bytes; nil for any other length.
    public init?<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (i, byte) in bytes.enumerated() { words[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8)) }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    /// Parses 64 hex digits, with or without `0x`.
    public init(hex: String) throws(HexError) {
        let bytes = try Hex.decode(hex)
        guard let value = Bytes32(bytes) else { throw HexError.wrongLength(expected: 32, got: bytes.count) }
        self = value
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] { for b in 0 ..< 8 { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * b))) } }
        return out
    }

    /// `0x` + 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    /// This value as a 256-bit integer read big-endian (byte 0 most significant).
    public var bigEndianValue: UInt256 {
        UInt256(w0.byteSwapped, w1.byteSwapped, w2.byteSwapped, w3.byteSwapped)
    }

    /// This value as a 256-bit integer read little-endian (byte 31 most significant).
    public var littleEndianValue: UInt256 { UInt256(w3, w2, w1, w0) }
}

extension Bytes32: CustomStringConvertible {
    public var description: String { hex }
}
