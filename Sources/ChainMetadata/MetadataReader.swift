/// Reads the SCALE encoding of metadata front to back. Every length is checked against the bytes left before
/// anything is allocated, so a hostile length prefix fails at once instead of reserving memory or looping.
struct MetadataReader {
    let bytes: [UInt8]
    private(set) var offset: Int = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func byte(_ what: @autoclosure () -> String) throws(MetadataError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(what: what(), needed: 1, available: 0) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(MetadataError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw .truncated(what: what(), needed: count, available: remaining) }
        defer { offset += count }
        return bytes[offset ..< offset + count]
    }

    mutating func u32(_ what: @autoclosure () -> String) throws(MetadataError) -> UInt32 {
        let s = try take(4, what())
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    /// `Compact<u32>`, shortest form only.
    mutating func compact(_ what: @autoclosure () -> String) throws(MetadataError) -> UInt32 {
        let first = try byte(what())
        switch first & 0b11 {
        case 0b00:
            return UInt32(first >> 2)
        case 0b01:
            let second = try byte(what())
            let v = (UInt32(first) | UInt32(second) << 8) >> 2
            guard v >= 1 << 6 else { throw .invalidCompact(what: what()) }
            return v
        case 0b10:
            let rest = try take(3, what())
            var raw = UInt32(first)
            for (i, b) in rest.enumerated() { raw |= UInt32(b) << (8 * UInt32(i + 1)) }
            let v = raw >> 2
            guard v >= 1 << 14 else { throw .invalidCompact(what: what()) }
            return v
        default:
            guard first >> 2 == 0 else { throw .invalidCompact(what: what()) } // more than 4 bytes: over 32 bits
            let v = try u32(what())
            guard v >= 1 << 30 else { throw .invalidCompact(what: what()) }
            return v
        }
    }

    /// A `Vec` length: at most the bytes left, since every element this reader meets takes at least one byte.
    mutating func count(_ what: @autoclosure () -> String) throws(MetadataError) -> Int {
        let n = try compact(what())
        guard Int(n) <= remaining else { throw .countTooLarge(what: what(), count: UInt64(n), remaining: remaining) }
        return Int(n)
    }

    mutating func string(_ what: @autoclosure () -> String) throws(MetadataError) -> String {
        let n = try count(what())
        let raw = try take(n, what())
        guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(what: what()) }
        return s
    }

    mutating func byteVector(_ what: @autoclosure () -> String) throws(MetadataError) -> [UInt8] {
        let n = try count(what())
        return Array(try take(n, what()))
    }

    mutating func strings(_ what: @autoclosure () -> String) throws(MetadataError) -> [String] {
        let n = try count(what())
        var out = [String]()
        out.reserveCapacity(n)
        for _ in 0 ..< n { out.append(try string(what())) }
        return out
    }

    /// `Option<T>`: tag 0 or 1.
    mutating func option<T>(_ what: @autoclosure () -> String,
                            _ body: (inout MetadataReader) throws(MetadataError) -> T) throws(MetadataError) -> T? {
        switch try byte(what()) {
        case 0: return nil
        case 1: return try body(&self)
        case let tag: throw .invalidTag(what: "\(what()) Option", tag: tag)
        }
    }

    mutating func vector<T>(_ what: @autoclosure () -> String,
                            _ body: (inout MetadataReader) throws(MetadataError) -> T) throws(MetadataError) -> [T] {
        let n = try count(what())
        var out = [T]()
        out.reserveCapacity(n)
        for _ in 0 ..< n { out.append(try body(&self)) }
        return out
    }
}
