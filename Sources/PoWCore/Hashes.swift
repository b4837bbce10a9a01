/// The eight working words of SHA-256 (h0 is the first word of the digest).
public struct SHA256State: Sendable, Equatable {
    public var h0: UInt32, h1: UInt32, h2: UInt32, h3: UInt32
    public var h4: UInt32, h5: UInt32, h6: UInt32, h7: UInt32

    /// The standard initial value (FIPS 180-4, 5.3.3).
    public static let initial = SHA256State(
        h0: 0x6a09e667, h1: 0xbb67ae85, h2: 0x3c6ef372, h3: 0xa54ff53a,
        h4: 0x510e527f, h5: 0x9b05688c, h6: 0x1f83d9ab, h7: 0x5be0cd19)

    @inlinable
    public init(h0: UInt32, h1: UInt32, h2: UInt32, h3: UInt32, h4: UInt32, h5: UInt32, h6: UInt32, h7: UInt32) {
        self.h0 = h0; self.h1 = h1; self.h2 = h2; self.h3 = h3
        self.h4 = h4; self.h5 = h5; self.h6 = h6; self.h7 = h7
    }

    /// Compresses one 64-byte block given as bytes.
    @inlinable
    public mutating func compress(block p: UnsafeRawBufferPointer) {
        @inline(__always) func word(_ i: Int) -> UInt32 {
            UInt32(bigEndian: p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
        }
        compress(word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7),
                 word(8), word(9), word(10), word(11), word(12), word(13), word(14), word(15))
    }

    /// The 32-byte digest this state stands for.
    public var digestBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [h0, h1, h2, h3, h4, h5, h6, h7] {
            out.append(UInt8(truncatingIfNeeded: w >> 24)); out.append(UInt8(truncatingIfNeeded: w >> 16))
            out.append(UInt8(truncatingIfNeeded: w >> 8)); out.append(UInt8(truncatingIfNeeded: w))
        }
        return out
    }
}

/// SHA-256 (FIPS 180-4) for inputs of any length.
public enum SHA256 {
    public static func hash<Bytes: Sequence>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var message = Array(data)
        let bitLength = UInt64(message.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var state = SHA256State.initial
        message.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                state.compress(block: UnsafeRawBufferPointer(rebasing: raw[offset ..< offset + 64]))
                offset += 64
            }
        }
        return state.digestBytes
    }
}

/// The 25 lanes of the Keccak-f[1600] state; lane i is (x, y) = (i % 5, i / 5).
public struct KeccakState: Sendable, Equatable {
    public var a0: UInt64 = 0, a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0, a4: UInt64 = 0
    public var a5: UInt64 = 0, a6: UInt64 = 0, a7: UInt64 = 0, a8: UInt64 = 0, a9: UInt64 = 0
    public var a10: UInt64 = 0, a11: UInt64 = 0, a12: UInt64 = 0, a13: UInt64 = 0, a14: UInt64 = 0
    public var a15: UInt64 = 0, a16: UInt64 = 0, a17: UInt64 = 0, a18: UInt64 = 0, a19: UInt64 = 0
    public var a20: UInt64 = 0, a21: UInt64 = 0, a22: UInt64 = 0, a23: UInt64 = 0, a24: UInt64 = 0

    @inlinable public init() {}

    /// Lane access by index, for the generic (not hot) sponge.
    subscript(lane lane: Int) -> UInt64 {
        get {
            withUnsafeBytes(of: self) { $0.load(fromByteOffset: lane * 8, as: UInt64.self) }
        }
        set {
            withUnsafeMutableBytes(of: &self) { $0.storeBytes(of: newValue, toByteOffset: lane * 8, as: UInt64.self) }
        }
    }
}

/// Keccak-256 with the original Keccak padding (0x01 … 0x80, rate 136), as Ethereum and
/// Bittensor use it; not NIST SHA3-256 (which pads with 0x06).
public enum Keccak256 {
    static let rate = 136

    public static func hash<Bytes: Sequence>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var message = Array(data)
        message.append(0x01)
        while message.count % rate != 0 { message.append(0) }
        message[message.count - 1] |= 0x80
        var state = KeccakState()
        var offset = 0
        while offset < message.count {
            for lane in 0 ..< rate / 8 {
                var v: UInt64 = 0
                for b in 0 ..< 8 { v |= UInt64(message[offset + lane * 8 + b]) << UInt64(8 * b) }
                state[lane: lane] ^= v
            }
            state.permute()
            offset += rate
        }
        var out = [UInt8]()
        out.reserveCapacity(32)
        for lane in 0 ..< 4 {
            let v = state[lane: lane]
            for b in 0 ..< 8 { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * b))) }
        }
        return out
    }
}
