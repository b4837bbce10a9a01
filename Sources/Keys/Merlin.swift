/// Merlin transcripts (v1.0) on STROBE-128: the Fiat–Shamir transcripts sr25519 signs and verifies with.
public struct MerlinTranscript {
    private var strobe: Strobe128

    /// A transcript for the protocol `label`.
    public init(label: [UInt8]) {
        strobe = Strobe128(protocolLabel: Array("Merlin v1.0".utf8))
        appendMessage(label: Array("dom-sep".utf8), message: label)
    }

    public init(label: String) { self.init(label: Array(label.utf8)) }

    private static func le32(_ n: Int) -> [UInt8] {
        precondition(n >= 0 && n <= Int(UInt32.max))
        return [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8),
                UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)]
    }

    /// Appends `message` under `label`.
    public mutating func appendMessage(label: [UInt8], message: UnsafeRawBufferPointer) {
        strobe.metaAD(label, more: false)
        strobe.metaAD(Self.le32(message.count), more: true)
        strobe.ad(message, more: false)
    }

    public mutating func appendMessage(label: [UInt8], message: [UInt8]) {
        message.withUnsafeBytes { appendMessage(label: label, message: $0) }
    }

    /// Fills `out` with challenge bytes under `label`.
    public mutating func challengeBytes(label: [UInt8], into out: UnsafeMutableRawBufferPointer) {
        strobe.metaAD(label, more: false)
        strobe.metaAD(Self.le32(out.count), more: true)
        strobe.prf(out, more: false)
    }

    /// `count` challenge bytes under `label`.
    public mutating func challengeBytes(label: [UInt8], count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { challengeBytes(label: label, into: $0) }
        return out
    }

    /// The transcript RNG: a copy of this transcript rekeyed with each witness (`label`, bytes) and then with
    /// 32 bytes of outside randomness, from which `out` is drawn. This transcript is not changed.
    func witnessBytes(label: [UInt8], witnesses: [UnsafeRawBufferPointer], randomness: UnsafeRawBufferPointer,
                      into out: UnsafeMutableRawBufferPointer) {
        precondition(randomness.count == 32)
        var rng = strobe
        defer { rng.wipe() }
        for w in witnesses {
            rng.metaAD(label, more: false)
            rng.metaAD(Self.le32(w.count), more: true)
            rng.key(w, more: false)
        }
        rng.metaAD(Array("rng".utf8), more: false)
        rng.key(randomness, more: false)
        rng.metaAD(Self.le32(out.count), more: false)
        rng.prf(out, more: false)
    }
}
