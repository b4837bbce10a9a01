import PoWCore

/// Why SCALE bytes could not be decoded. Each description is one line.
public enum SCALEError: Error, Equatable, CustomStringConvertible {
    /// Fewer bytes than the type needs.
    case tooShort(type: String, needed: Int, available: Int)
    /// Bytes left over after the value.
    case trailingBytes(type: String, count: Int)
    /// A bool byte other than 0 or 1.
    case invalidBool(UInt8)
    /// An Option tag other than 0 or 1.
    case invalidOptionTag(UInt8)
    /// A compact integer that is not in its shortest form, or does not fit the target type.
    case invalidCompact(String)

    public var description: String {
        switch self {
        case .tooShort(let type, let needed, let available):
            return "SCALE \(type): needs \(needed) byte\(needed == 1 ? "" : "s"), only \(available) left"
        case .trailingBytes(let type, let count):
            return "SCALE \(type): \(count) unexpected byte\(count == 1 ? "" : "s") after the value"
        case .invalidBool(let b): return "SCALE bool: byte 0x\(String(b, radix: 16)) is neither 0x00 nor 0x01"
        case .invalidOptionTag(let b): return "SCALE Option: tag 0x\(String(b, radix: 16)) is neither 0x00 nor 0x01"
        case .invalidCompact(let why): return "SCALE compact integer: \(why)"
        }
    }
}

/// Reads SCALE values from a byte array, front to back.
public struct SCALEDecoder: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func read(count: Int, for type: String) throws(SCALEError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .tooShort(type: type, needed: count, available: remaining) }
        defer { offset += count }
        return bytes[offset ..< offset + count]
    }

    mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws(SCALEError) -> T {
        let slice = try read(count: MemoryLayout<T>.size, for: SCALE.typeName(T.self))
        var value: T = 0
        for (i, byte) in slice.enumerated() { value |= T(byte) << (8 * i) }
        return value
    }

    public mutating func decode<T: SCALEDecodable>(_: T.Type = T.self) throws(SCALEError) -> T {
        try T(scale: &self)
    }

    /// Throws `trailingBytes` unless every byte was read.
    public func finish(type: String) throws(SCALEError) {
        if !isAtEnd { throw .trailingBytes(type: type, count: remaining) }
    }
}

public protocol SCALEEncodable {
    func encodeSCALE(into out: inout [UInt8])
}

public protocol SCALEDecodable {
    init(scale decoder: inout SCALEDecoder) throws(SCALEError)
}

public typealias SCALECodable = SCALEEncodable & SCALEDecodable

public extension SCALEEncodable {
    /// The SCALE encoding of this value.
    var scaleEncoded: [UInt8] {
        var out = [UInt8]()
        encodeSCALE(into: &out)
        return out
    }
}

public extension SCALEDecodable {
    /// Decodes exactly one value from `bytes`: short input and leftover bytes are errors.
    init(scaleBytes bytes: [UInt8]) throws(SCALEError) {
        var decoder = SCALEDecoder(bytes)
        self = try Self(scale: &decoder)
        try decoder.finish(type: SCALE.typeName(Self.self))
    }
}

public enum SCALE {
    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is UInt8.Type: return "u8"
        case is UInt16.Type: return "u16"
        case is UInt32.Type: return "u32"
        case is UInt64.Type: return "u64"
        case is Bool.Type: return "bool"
        case is Bytes32.Type: return "[u8; 32]"
        default: return "\(type)"
        }
    }

    /// SCALE compact encoding of an unsigned integer (shortest form).
    public static func encodeCompact(_ value: UInt64, into out: inout [UInt8]) {
        switch value {
        case 0 ..< (1 << 6):
            out.append(UInt8(value << 2))
        case (1 << 6) ..< (1 << 14):
            let v = UInt16(value << 2) | 0b01
            out.append(contentsOf: [UInt8(v & 0xff), UInt8(v >> 8)])
        case (1 << 14) ..< (1 << 30):
            let v = UInt32(value << 2) | 0b10
            for b in 0 ..< 4 { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * b))) }
        default:
            let byteCount = (64 - value.leadingZeroBitCount + 7) / 8 // 4…8
            out.append(UInt8((byteCount - 4) << 2) | 0b11)
            for b in 0 ..< byteCount { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * b))) }
        }
    }

    public static func compact(_ value: UInt64) -> [UInt8] {
        var out = [UInt8]()
        encodeCompact(value, into: &out)
        return out
    }

    /// Decodes a compact unsigned integer that fits in 64 bits; refuses non-shortest forms as Substrate does.
    public static func decodeCompact(_ decoder: inout SCALEDecoder) throws(SCALEError) -> UInt64 {
        let first = try decoder.read(count: 1, for: "compact").first!
        switch first & 0b11 {
        case 0b00:
            return UInt64(first >> 2)
        case 0b01:
            let second = try decoder.read(count: 1, for: "compact").first!
            let value = (UInt64(first) | UInt64(second) << 8) >> 2
            guard value >= 1 << 6 else { throw .invalidCompact("\(value) is not in its shortest form") }
            return value
        case 0b10:
            let rest = try decoder.read(count: 3, for: "compact")
            var raw = UInt64(first)
            for (i, b) in rest.enumerated() { raw |= UInt64(b) << UInt64(8 * (i + 1)) }
            let value = raw >> 2
            guard value >= 1 << 14 else { throw .invalidCompact("\(value) is not in its shortest form") }
            return value
        default:
            let byteCount = Int(first >> 2) + 4
            guard byteCount <= 8 else { throw .invalidCompact("\(byteCount)-byte value does not fit in 64 bits") }
            let rest = try decoder.read(count: byteCount, for: "compact")
            var value: UInt64 = 0
            for (i, b) in rest.enumerated() { value |= UInt64(b) << UInt64(8 * i) }
            guard value >= 1 << 30, rest.last != 0 else {
                throw .invalidCompact("\(value) is not in its shortest form")
            }
            return value
        }
    }
}

extension UInt8: SCALECodable {
    public func encodeSCALE(into out: inout [UInt8]) { out.append(self) }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) { self = try d.readInteger(UInt8.self) }
}

extension UInt16: SCALECodable {
    public func encodeSCALE(into out: inout [UInt8]) {
        for b in 0 ..< 2 { out.append(UInt8(truncatingIfNeeded: self >> UInt16(8 * b))) }
    }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) { self = try d.readInteger(UInt16.self) }
}

extension UInt32: SCALECodable {
    public func encodeSCALE(into out: inout [UInt8]) {
        for b in 0 ..< 4 { out.append(UInt8(truncatingIfNeeded: self >> UInt32(8 * b))) }
    }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) { self = try d.readInteger(UInt32.self) }
}

extension UInt64: SCALECodable {
    public func encodeSCALE(into out: inout [UInt8]) {
        for b in 0 ..< 8 { out.append(UInt8(truncatingIfNeeded: self >> UInt64(8 * b))) }
    }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) { self = try d.readInteger(UInt64.self) }
}

extension Bool: SCALECodable {
    public func encodeSCALE(into out: inout [UInt8]) { out.append(self ? 1 : 0) }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) {
        let byte = try d.read(count: 1, for: "bool").first!
        switch byte {
        case 0: self = false
        case 1: self = true
        default: throw .invalidBool(byte)
        }
    }
}

/// An AccountId32 / 32-byte hash: the raw bytes.
extension Bytes32: SCALECodable {
    public func encodeSCALE(into out: inout [UInt8]) { out.append(contentsOf: bytes) }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) {
        self = Bytes32(try d.read(count: 32, for: "[u8; 32]"))!
    }
}

/// `Option<T>`: 0x00 = None, 0x01 ‖ value = Some.
extension Optional: SCALEEncodable where Wrapped: SCALEEncodable {
    public func encodeSCALE(into out: inout [UInt8]) {
        switch self {
        case .none: out.append(0)
        case .some(let value): out.append(1); value.encodeSCALE(into: &out)
        }
    }
}

extension Optional: SCALEDecodable where Wrapped: SCALEDecodable {
    public init(scale d: inout SCALEDecoder) throws(SCALEError) {
        let tag = try d.read(count: 1, for: "Option").first!
        switch tag {
        case 0: self = .none
        case 1: self = .some(try Wrapped(scale: &d))
        default: throw .invalidOptionTag(tag)
        }
    }
}

/// A compact-encoded unsigned integer (`Compact<u64>` and smaller).
public struct Compact: SCALECodable, Equatable, Sendable {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public func encodeSCALE(into out: inout [UInt8]) { SCALE.encodeCompact(value, into: &out) }
    public init(scale d: inout SCALEDecoder) throws(SCALEError) { value = try SCALE.decodeCompact(&d) }
}
