import CSealKernels
import PoWCore

/// The CPU features the kernels care about, detected once (cpuid and xgetbv on x86-64).
public struct CPUFeatures: Sendable, CustomStringConvertible {
    public let bits: UInt32

    public static let current = CPUFeatures(bits: btpow_cpu_features())

    public var hasAVX2: Bool { bits & UInt32(BTPOW_CPU_AVX2) != 0 }
    public var hasAVX512: Bool { bits & UInt32(BTPOW_CPU_AVX512F) != 0 }
    public var hasSHA: Bool { bits & UInt32(BTPOW_CPU_SHA) != 0 }

    /// e.g. "avx2 avx512f avx512vl avx512bw sha"; AVX levels appear only where the OS saves their registers.
    public var description: String {
        let names: [(UInt32, String)] = [
            (UInt32(BTPOW_CPU_AVX2), "avx2"), (UInt32(BTPOW_CPU_AVX512F), "avx512f"),
            (UInt32(BTPOW_CPU_AVX512VL), "avx512vl"), (UInt32(BTPOW_CPU_AVX512BW), "avx512bw"),
            (UInt32(BTPOW_CPU_SHA), "sha"),
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

/// Every kernel in this build, the ones this CPU runs, and the fastest of those.
public enum KernelCatalog {
    /// The C kernels, slowest to fastest (where a CPU has them all).
    static let cKernels: [CSealKernel] = (0 ..< BTPOW_KERNEL_COUNT)
        .filter { btpow_kernel_compiled(Int32($0)) == 1 }
        .map { CSealKernel(id: Int32($0)) }

    /// Every kernel compiled into this build, the portable Swift baseline first.
    public static let all: [any SealKernel] = [ScalarSwiftKernel()] + cKernels

    /// The kernels this CPU and OS can run, slowest to fastest.
    public static let available: [any SealKernel] = [ScalarSwiftKernel()] + cKernels.filter(\.isSupported)

    /// The fastest available kernel, chosen once per process.
    public static let best: any SealKernel = available.last!

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
