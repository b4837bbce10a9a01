/// xxHash64 (XXH64) and Substrate's "twox" hashers built from it.
public enum XXHash64 {
    @usableFromInline static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* p1 &+ p4
    }

    @inline(__always) static func read64(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    @inline(__always) static func read32(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }

    /// XXH64 of `bytes` with `seed`.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = 0) -> UInt64 where Bytes.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBytes { hash(buffer: $0, seed: seed) }
    }

    static func hash(buffer p: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let length = p.count
        var i = 0
        var h: UInt64
        if length >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= length {
                v1 = round(v1, read64(p, i)); v2 = round(v2, read64(p, i + 8))
                v3 = round(v3, read64(p, i + 16)); v4 = round(v4, read64(p, i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(length)
        while i + 8 <= length {
            h ^= round(0, read64(p, i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= length {
            h ^= UInt64(read32(p, i)) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < length {
            h ^= UInt64(p[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }
}

/// Substrate's twox hashers: concatenated little-endian XXH64 digests with seeds 0, 1, 2, 3.
public enum Twox {
    /// XXH64 seed 0, little-endian (8 bytes).
    public static func hash64<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(Array(bytes), words: 1)
    }

    /// XXH64 seed 0 LE ‖ seed 1 LE (16 bytes): the pallet and item prefixes of storage keys.
    public static func hash128<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(Array(bytes), words: 2)
    }

    /// twox128 of a string's UTF-8 bytes (pallet and item names).
    public static func hash128(_ text: String) -> [UInt8] { hash128(Array(text.utf8)) }

    /// Seeds 0…3 (32 bytes).
    public static func hash256<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(Array(bytes), words: 4)
    }

    static func hash(_ bytes: [UInt8], words: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(8 * words)
        bytes.withUnsafeBytes { buffer in
            for seed in 0 ..< UInt64(words) {
                let h = XXHash64.hash(buffer: buffer, seed: seed)
                for b in 0 ..< 8 { out.append(UInt8(truncatingIfNeeded: h >> UInt64(8 * b))) }
            }
        }
        return out
    }
}
