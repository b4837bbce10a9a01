import Foundation
import GPUSolver

/// The CLI's GPU settings, read from its environment (docs/GPU.md); the library itself reads none.
extension GPUConfiguration {
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> GPUConfiguration {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME")
        var cache: String?
        if value("BTPOW_NO_KERNEL_CACHE") == nil {
            cache = value("BTPOW_CACHE_DIR") ?? value("XDG_CACHE_HOME").map { $0 + "/btpow" } ?? home.map { $0 + "/.cache/btpow" }
        }
        return GPUConfiguration(
            cudaLibrary: value("BTPOW_CUDA_LIBRARY"), nvrtcLibrary: value("BTPOW_NVRTC_LIBRARY"),
            openCLLibrary: value("BTPOW_OPENCL_LIBRARY"),
            cudaToolkitRoots: ["CUDA_HOME", "CUDA_PATH"].compactMap(value),
            pythonPrefixes: [value("VIRTUAL_ENV"), home.map { $0 + "/.local" }].compactMap { $0 },
            alwaysCompile: value("BTPOW_CUDA_COMPILE") != nil,
            nvrtcOptions: (value("BTPOW_NVRTC_OPTIONS") ?? "").split(separator: " ").map(String.init),
            kernelCacheDirectory: cache)
    }

    /// The environment variable that points the CLI at a library GPUSolver could not find.
    static func variable(for library: GPUUnavailable.Library) -> String {
        switch library {
        case .cudaDriver: return "BTPOW_CUDA_LIBRARY"
        case .nvrtc: return "BTPOW_NVRTC_LIBRARY"
        case .openCL: return "BTPOW_OPENCL_LIBRARY"
        }
    }
}

/// A GPU failure as the CLI prints it: the library's words, plus which variable names a library it did not find
/// and where the device numbers come from.
func gpuMessage(_ error: any Error) -> String {
    if let e = error as? GPUUnavailable, let library = e.missingLibrary {
        return "\(e) (set \(GPUConfiguration.variable(for: library)) to its path)"
    }
    if error is GPUDeviceNotFound { return "\(error); see `btpow devices`" }
    return "\(error)"
}
