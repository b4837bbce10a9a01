/// BLAKE2b (RFC 7693), unkeyed, any digest length from 1 to 64 bytes.
public struct Blake2b: Sendable {
    static let iv: [UInt64] = [
        0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
        0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179,
    ]

    static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    private var h: [UInt64]
    private var buffer: [UInt8] = []
    private var counter: (lo: UInt64, hi: UInt64) = (0, 0)
    public let outputLength: Int

    /// `outputLength` is clamped to 1…64.
    public init(outputLength: Int) {
        let n = min(max(outputLength, 1), 64)
        self.outputLength = n
        h = Blake2b.iv
        h[0] ^= 0x0101_0000 ^ UInt64(n)
        buffer.reserveCapacity(128)
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            // Keep the last block back: it must be compressed with the final flag.
            if buffer.count == 128 {
                increment(128)
                compress(final: false)
                buffer.removeAll(keepingCapacity: true)
            }
            buffer.append(byte)
        }
    }

    public mutating func finalize() -> [UInt8] {
        increment(UInt64(buffer.count))
        compress(final: true)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for word in h { for b in 0 ..< 8 { out.append(UInt8(truncatingIfNeeded: word >> UInt64(8 * b))) } }
        return Array(out.prefix(outputLength))
    }

    /// One-shot digest of `outputLength` bytes (clamped to 1…64).
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, outputLength: Int) -> [UInt8] where Bytes.Element == UInt8 {
        var state = Blake2b(outputLength: outputLength)
        state.update(bytes)
        return state.finalize()
    }

    private mutating func increment(_ n: UInt64) {
        let (lo, overflow) = counter.lo.addingReportingOverflow(n)
        counter = (lo, overflow ? counter.hi &+ 1 : counter.hi)
    }

    @inline(__always)
    private static func g(_ v: inout [UInt64], _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
        v[a] = v[a] &+ v[b] &+ x
        v[d] = rotr(v[d] ^ v[a], 32)
        v[c] = v[c] &+ v[d]
        v[b] = rotr(v[b] ^ v[c], 24)
        v[a] = v[a] &+ v[b] &+ y
        v[d] = rotr(v[d] ^ v[a], 16)
        v[c] = v[c] &+ v[d]
        v[b] = rotr(v[b] ^ v[c], 63)
    }

    @inline(__always) private static func rotr(_ x: UInt64, _ r: UInt64) -> UInt64 { (x >> r) | (x << (64 - r)) }

    private mutating func compress(final: Bool) {
        var m = [UInt64](repeating: 0, count: 16)
        for (i, byte) in buffer.enumerated() { m[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8)) }
        var v = h + Blake2b.iv
        v[12] ^= counter.lo
        v[13] ^= counter.hi
        if final { v[14] = ~v[14] }
        for round in 0 ..< 12 {
            let s = Blake2b.sigma[round % 10]
            Blake2b.g(&v, 0, 4, 8, 12, m[s[0]], m[s[1]])
            Blake2b.g(&v, 1, 5, 9, 13, m[s[2]], m[s[3]])
            Blake2b.g(&v, 2, 6, 10, 14, m[s[4]], m[s[5]])
            Blake2b.g(&v, 3, 7, 11, 15, m[s[6]], m[s[7]])
            Blake2b.g(&v, 0, 5, 10, 15, m[s[8]], m[s[9]])
            Blake2b.g(&v, 1, 6, 11, 12, m[s[10]], m[s[11]])
            Blake2b.g(&v, 2, 7, 8, 13, m[s[12]], m[s[13]])
            Blake2b.g(&v, 3, 4, 9, 14, m[s[14]], m[s[15]])
        }
        for i in 0 ..< 8 { h[i] ^= v[i] ^ v[i + 8] }
    }
}

public func blake2b128<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
    Blake2b.hash(bytes, outputLength: 16)
}

public func blake2b256<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
    Blake2b.hash(bytes, outputLength: 32)
}

public func blake2b512<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
    Blake2b.hash(bytes, outputLength: 64)
}
