import PoWCore

/// STROBE-128 (v1.0.2) with only the operations Merlin transcripts use: meta-AD, AD, PRF and KEY, over the
/// package's Keccak-f[1600] (`PoWCore.KeccakState.permute()`), the state's 200 bytes being its 25 lanes in
/// little-endian order.
struct Strobe128 {
    private static let rate = 166
    private static let flagI: UInt8 = 1, flagA: UInt8 = 1 << 1, flagC: UInt8 = 1 << 2
    private static let flagM: UInt8 = 1 << 4, flagK: UInt8 = 1 << 5

    private var state = KeccakState()
    private var position = 0
    private var positionBegin: UInt8 = 0
    private var currentFlags: UInt8 = 0

    init(protocolLabel: [UInt8]) {
        precondition(MemoryLayout<KeccakState>.size == 200)
        withBytes { s in
            let header: [UInt8] = [1, UInt8(Strobe128.rate + 2), 1, 0, 1, 96] + Array("STROBEv1.0.2".utf8)
            for (i, b) in header.enumerated() { s[i] = b }
        }
        state.permute()
        metaAD(protocolLabel, more: false)
    }

    private mutating func withBytes<R>(_ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        withUnsafeMutableBytes(of: &state, body)
    }

    private mutating func runF() {
        let pos = position, begin = positionBegin
        withBytes { s in
            s[pos] ^= begin
            s[pos + 1] ^= 0x04
            s[Strobe128.rate + 1] ^= 0x80
        }
        state.permute()
        position = 0
        positionBegin = 0
    }

    private mutating func absorb(_ data: UnsafeRawBufferPointer) {
        for byte in data {
            let pos = position
            withBytes { $0[pos] ^= byte }
            position += 1
            if position == Strobe128.rate { runF() }
        }
    }

    private mutating func overwrite(_ data: UnsafeRawBufferPointer) {
        for byte in data {
            let pos = position
            withBytes { $0[pos] = byte }
            position += 1
            if position == Strobe128.rate { runF() }
        }
    }

    private mutating func squeeze(_ out: UnsafeMutableRawBufferPointer) {
        for i in 0 ..< out.count {
            let pos = position
            out[i] = withBytes { s in
                let b = s[pos]
                s[pos] = 0
                return b
            }
            position += 1
            if position == Strobe128.rate { runF() }
        }
    }

    private mutating func beginOperation(_ flags: UInt8, more: Bool) {
        if more {
            precondition(currentFlags == flags, "STROBE: continued an operation with other flags")
            return
        }
        let oldBegin = positionBegin
        positionBegin = UInt8(position + 1)
        currentFlags = flags
        withUnsafeBytes(of: (oldBegin, flags)) { absorb($0) }
        if flags & (Strobe128.flagC | Strobe128.flagK) != 0 && position != 0 { runF() }
    }

    mutating func metaAD(_ data: [UInt8], more: Bool) {
        beginOperation(Strobe128.flagM | Strobe128.flagA, more: more)
        data.withUnsafeBytes { absorb($0) }
    }

    mutating func ad(_ data: UnsafeRawBufferPointer, more: Bool) {
        beginOperation(Strobe128.flagA, more: more)
        absorb(data)
    }

    mutating func prf(_ out: UnsafeMutableRawBufferPointer, more: Bool) {
        beginOperation(Strobe128.flagI | Strobe128.flagA | Strobe128.flagC, more: more)
        squeeze(out)
    }

    mutating func key(_ data: UnsafeRawBufferPointer, more: Bool) {
        beginOperation(Strobe128.flagA | Strobe128.flagC, more: more)
        overwrite(data)
    }

    /// Overwrites the state (after it has absorbed secret material).
    mutating func wipe() {
        withBytes { SecretBytes.wipe($0.baseAddress!, $0.count) }
        position = 0
        positionBegin = 0
        currentFlags = 0
    }
}
