import CSealKernels
import PoWCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU features the kernels care about, detected once (cpuid and xgetbv on x86-64).
public struct CPUFeatures: Sendable, CustomStringConvertible {
    public let bits: UInt32

    public static let current = CPUFeatures(bits: btpow_cpu_features())

    public var hasAVX2: Bool { bits & UInt32(BTPOW_CPU_AVX2) != 0 }
    public var hasAVX512: Bool { bits & UInt32(BTPOW_CPU_AVX512F) != 0 }
    public var hasSHA: Bool { bits & UInt32(BTPOW_CPU_SHA) != 0 }

    /// e.g. "avx2 avx512f avx512vl avx512bw sha bmi1 bmi2"; AVX levels appear only where the OS saves their registers.
    public var description: String {
        let names: [(UInt32, String)] = [
            (UInt32(BTPOW_CPU_AVX2), "avx2"), (UInt32(BTPOW_CPU_AVX512F), "avx512f"),
            (UInt32(BTPOW_CPU_AVX512VL), "avx512vl"), (UInt32(BTPOW_CPU_AVX512BW), "avx512bw"),
            (UInt32(BTPOW_CPU_SHA), "sha"), (UInt32(BTPOW_CPU_BMI1), "bmi1"), (UInt32(BTPOW_CPU_BMI2), "bmi2"),
        ]
        let present = names.filter { bits & $0.0 != 0 }.map(\.1)
        #if arch(x86_64)
        return present.isEmpty ? "x86-64 baseline" : present.joined(separator: " ")
        #else
        return "no x86 vector kernels on this architecture"
        #endif
    }
}

/// Why `KernelCatalog.named` refused a name; the description is one line.
public enum KernelSelectionError: Error, CustomStringConvertible, Equatable {
    case unknown(name: String, valid: [String])
    case unsupported(name: String, cpu: String, available: [String])

    public var description: String {
        switch self {
        case .unknown(let name, let valid):
            return "unknown kernel '\(name)'; valid kernels: \(valid.joined(separator: ", "))"
        case .unsupported(let name, let cpu, let available):
            return "kernel '\(name)' cannot run on this CPU (features: \(cpu)); available here: \(available.joined(separator: ", "))"
        }
    }
}

/// What a run-time kernel choice measured (`KernelCatalog.timeChoice(among:)`), and what it took.
package struct KernelChoiceTiming: Sendable {
    /// The kernel taken.
    package let kernel: any SealKernel
    /// The kernel the first two rounds alone would have taken; where it is not the preferred (last) one, two more
    /// rounds ran and `kernel` is what all four decided.
    package let firstChoice: any SealKernel
    /// Each timed kernel, in the order of preference, with the legacy seals per second of each of its rounds
    /// (empty where fewer than two kernels could be chosen).
    package let timed: [(name: String, rounds: [Double])]

    /// Each timed kernel's best round: what the choice compared.
    package var rates: [(name: String, sealsPerSecond: Double)] { timed.map { (name: $0.name, sealsPerSecond: $0.rounds.max()!) } }
}

/// Every kernel in this build, the ones this CPU runs, and the fastest of those.
public enum KernelCatalog {
    /// The C kernels in this build, by id.
    static let cKernels: [CSealKernel] = (0 ..< BTPOW_KERNEL_COUNT)
        .filter { btpow_kernel_compiled(Int32($0)) == 1 }
        .map { CSealKernel(id: Int32($0)) }

    /// Every kernel compiled into this build, the portable Swift baseline first.
    public static let all: [any SealKernel] = [ScalarSwiftKernel()] + cKernels

    /// The kernels this CPU and OS can run, the portable Swift baseline first, then by id.
    public static let available: [any SealKernel] = [ScalarSwiftKernel()] + cKernels.filter(\.isSupported)

    /// The fastest available kernel, chosen once per process: the vector kernels are timed for a few
    /// milliseconds each (CPU time of this thread), because which one wins depends on the CPU: on Zen 4, SHA-NI
    /// beats AVX2 SHA-256 (`avx2-shani`, 14-21 %), while AVX-512 SHA-256 beats SHA-NI (`avx512`, 8-9 %).
    public static var best: any SealKernel { timedChoice.kernel }

    /// The run-time choice and what it measured (`KernelChoiceTiming`). `btpow bench --list-kernels --json` shows it;
    /// `tools/choice_timing.py` summarizes many processes' timings.
    package static let timedChoice: KernelChoiceTiming = timeChoice(
        among: preference.compactMap { name in cKernels.first { $0.name == name } }
            .filter { $0.isSupported && !notChosenAutomatically.contains($0.name) })

    /// Times `candidates` (listed in the order of preference, lowest first) and picks one by `choice(rates:)`: two
    /// interleaved rounds of 1.5 ms of thread CPU time each, a kernel's best round counting, so a moment of noise
    /// cannot decide. Where those two rounds would take any kernel but the last (the preferred one), two more rounds
    /// of every candidate run and all four decide: a lower kernel is taken only if it still leads after the last one
    /// has had two more chances, later in time. With fewer than two candidates nothing is timed.
    package static func timeChoice(among candidates: [any SealKernel]) -> KernelChoiceTiming {
        guard candidates.count > 1 else {
            let only = candidates.last ?? available.last!
            return KernelChoiceTiming(kernel: only, firstChoice: only, timed: [])
        }
        let challenge = Challenge.legacy(LegacyChallenge(blockAndHotkeyHash: .zero)).prepared
        let never = SealTarget(rule: .seedBigEndian, threshold: .zero)
        for k in candidates { _ = k.firstSolution(challenge, target: never, start: 0, count: 4096) }   // warm up
        var rounds = [[Double]](repeating: [], count: candidates.count)
        func timeRound() {
            for (i, k) in candidates.enumerated() {
                let t0 = threadCPUSeconds()
                var done: UInt64 = 0, elapsed = 0.0
                while elapsed < 0.0015 {
                    _ = k.firstSolution(challenge, target: never, start: done, count: 8192)
                    done += 8192
                    elapsed = threadCPUSeconds() - t0
                }
                rounds[i].append(Double(done) / max(elapsed, 1e-9))
            }
        }
        func chosen() -> Int { choice(rates: rounds.map { $0.max()! }) }
        timeRound(); timeRound()
        let first = chosen()
        if first != candidates.count - 1 { timeRound(); timeRound() }
        return KernelChoiceTiming(kernel: candidates[chosen()], firstChoice: candidates[first],
                                  timed: zip(candidates, rounds).map { (name: $0.name, rounds: $1) })
    }

    /// The run-time choice's order of preference, lowest first: the last one this CPU runs is kept unless a lower
    /// one is clearly faster (`choice(rates:)`). `avx512` comes after `avx512-shani`: on Zen 4 it is the faster of
    /// the two for both schemes since the per-chunk work left its loop (BENCHMARKS.md, 2026-12-01), and it runs no
    /// SHA-NI instruction (legacy SSE encoding only) among dirty ZMM registers, which Intel documents as costly
    /// (no Intel CPU measured here). Where SHA-NI is clearly (10 %) faster, the timing still picks `avx512-shani`.
    package static let preference: [String] = ["avx2", "avx2-shani-hybrid", "avx2-shani", "avx512-shani", "avx512"]

    /// Kernels that run only when asked for by name (`--kernel`), never chosen at run time: `avx2-shani-hybrid`
    /// was slower than `avx2-shani` on every CPU measured (docs/kernels.md); `bench/kernels.sh` still measures it.
    package static let notChosenAutomatically: Set<String> = ["avx2-shani-hybrid"]

    /// The chosen index among kernels timed at `rates`, listed from the lowest level to the highest: the highest
    /// unless a lower one is clearly (10 %) faster. A 1.5 ms timing varies by a few percent, and near-ties must
    /// resolve the same way in every process (on Zen 4, avx512 and avx512-shani are within 9 %).
    package static func choice(rates: [Double]) -> Int {
        precondition(!rates.isEmpty)
        var chosen = rates.count - 1
        for i in rates.indices where rates[i] > rates[chosen] * 1.10 { chosen = i }
        return chosen
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    public static var names: [String] { all.map(\.name) }

    /// The kernel called `name`, if it exists in this build and runs here.
    public static func named(_ name: String) throws -> any SealKernel {
        guard let kernel = all.first(where: { $0.name == name }) else {
            throw KernelSelectionError.unknown(name: name, valid: names)
        }
        guard available.contains(where: { $0.name == name }) else {
            throw KernelSelectionError.unsupported(name: name, cpu: CPUFeatures.current.description, available: available.map(\.name))
        }
        return kernel
    }
}
