#if canImport(Glibc)
import Glibc
#endif
import PoWCore
import Synchronization

/// A compiled kernel module for the driver.
public struct CUDAModuleImage: Sendable {
    public enum Kind: String, Sendable { case cubin, ptx }
    public let kind: Kind
    /// "sm_90" (cubin) or "compute_90" (PTX).
    public let target: String
    public let bytes: [UInt8]
    public let log: String
    public let compiler: String
    /// Carried in the binary (`PrebuiltCUDAImages`) rather than compiled here.
    public let prebuilt: Bool
    public init(kind: Kind, target: String, bytes: [UInt8], log: String, compiler: String, prebuilt: Bool = false) {
        self.kind = kind; self.target = target; self.bytes = bytes; self.log = log; self.compiler = compiler
        self.prebuilt = prebuilt
    }
}

/// Compiles the shared kernel source for one device through NVRTC.
public enum CUDAKernelBuild {
    public static let kernelNames = ["sk_search_legacy", "sk_search_v1"]
    public static let constantsSymbol = "sk_const"

    /// Images already built in this process, by target and options: several devices of one
    /// architecture compile once (NVRTC takes seconds for this kernel).
    private static let built = Mutex<[String: CUDAModuleImage]>([:])

    /// The prebuilt cubin's architecture that `image(for:)` uses, with `configuration`, for a device of
    /// architecture `device`; nil when it compiles with NVRTC instead.
    public static func prebuiltArchitecture(forDevice device: Int, configuration: GPUConfiguration = GPUConfiguration()) -> Int? {
        guard !configuration.compileRequested, PrebuiltCUDAImages.matchSource else { return nil }
        return PrebuiltCUDAImages.architecture(forDevice: device)
    }

    /// The module for `device`: the binary's prebuilt cubin for its architecture when one fits and nothing asks
    /// for a compile (another compiler, source or options); else NVRTC's. With the default compiler (the CLI's
    /// path) compiled images are also kept in the configured folder (`KernelImageCache`), so later runs skip the
    /// seconds NVRTC takes.
    public static func image(for device: CUDADeviceInfo, configuration: GPUConfiguration = GPUConfiguration(), nvrtc: NVRTC? = nil,
                             source: String = SealKernelSource.text, allowPrebuilt: Bool = true) throws -> CUDAModuleImage {
        let extraOptions = configuration.nvrtcOptions
        if allowPrebuilt, nvrtc == nil, !configuration.compileRequested, source == SealKernelSource.text,
           let image = PrebuiltCUDAImages.image(for: device) {
            return image
        }
        let compiler = try nvrtc ?? NVRTC.shared(configuration)
        let diskCache = nvrtc == nil ? configuration.kernelCacheDirectory.map(KernelImageCache.init(directory:)) : nil
        guard let target = NVRTC.target(device: device.archNumber, supported: compiler.supportedArchs,
                                        cubinAvailable: compiler.getCUBIN != nil) else {
            throw GPUUnavailable(backend: "CUDA", reason: "NVRTC \(compiler.version.major).\(compiler.version.minor) cannot compile for sm_\(device.archNumber) "
                                 + "(it knows \(compiler.supportedArchs?.map(String.init).joined(separator: ", ") ?? "?"))",
                                 remedy: "install a newer NVRTC (" + NVRTC.remedy + ")")
        }
        let key = "\(compiler.instance) \(target.arch) \(target.cubin) \(extraOptions) \(source.hashValue)"
        if let image = built.withLock({ $0[key] }) { return image }
        let diskKey = KernelImageCache.key([source, compiler.library.path, "\(compiler.version)", "\(target)", extraOptions.joined(separator: " ")])
        if let image = diskCache?.load(key: diskKey, cubin: target.cubin, arch: target.arch, compiler: compiler) {
            built.withLock { $0[key] = image }
            return image
        }
        let image = try compiler.compile(source: source, name: SealKernelSource.fileName, arch: target.arch, cubin: target.cubin,
                                         extraOptions: extraOptions)
        built.withLock { $0[key] = image }
        diskCache?.store(image, key: diskKey)
        return image
    }
}
