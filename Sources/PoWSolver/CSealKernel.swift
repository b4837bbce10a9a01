import CSealKernels
import PoWCore

/// A kernel of the C target (Sources/CSealKernels): AVX2 / AVX-512, with or without SHA-NI.
public struct CSealKernel: SealKernel {
    public let id: Int32
    public let name: String

    init(id: Int32) {
        self.id = id
        self.name = String(cString: btpow_kernel_name(id))
    }

    /// Whether this CPU and OS can run it.
    public var isSupported: Bool { btpow_kernel_supported(id) == 1 }

    public func firstSolution(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) -> UInt64? {
        var job = Self.job(challenge, target)
        return scan(&job, start, count)
    }

    /// As `firstSolution`, also counting the candidates that passed the vector filter and took the exact
    /// check (up to and including the one returned): tests use it to see the filter itself is exact.
    package func firstSolution(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64,
                              candidatesChecked: inout UInt64) -> UInt64? {
        var job = Self.job(challenge, target)
        return withUnsafeMutablePointer(to: &candidatesChecked) { counter in
            job.checked = counter
            return scan(&job, start, count)
        }
    }

    @inline(__always)
    private func scan(_ job: inout btpow_job, _ start: UInt64, _ count: UInt64) -> UInt64? {
        var found: UInt64 = 0
        let r = btpow_kernel_scan(id, &job, start, count, &found)
        precondition(r >= 0, "kernel \(name) cannot run on this CPU (\(CPUFeatures.current))")
        return r == 1 ? found : nil
    }

    /// The C view of a challenge and target: a copy of a few words, no allocation.
    @inline(__always)
    static func job(_ c: PreparedChallenge, _ t: SealTarget) -> btpow_job {
        let m = c.midstate, w = c.words, th = t.threshold
        var job = btpow_job()
        job.scheme = c.scheme == .legacy ? UInt32(BTPOW_SCHEME_LEGACY) : UInt32(BTPOW_SCHEME_V1)
        job.big_endian = t.rule.readsBigEndian ? 1 : 0
        job.midstate = (m.h0, m.h1, m.h2, m.h3, m.h4, m.h5, m.h6, m.h7)
        job.words = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15])
        job.threshold = (th.hi, th.midHi, th.midLo, th.lo)
        return job
    }
}
