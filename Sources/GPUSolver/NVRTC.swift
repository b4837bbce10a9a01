#if canImport(Glibc)
import Glibc
#endif
import PoWCore
import LibraryLoading
import Synchronization

/// NVRTC, CUDA's run-time compiler, opened at run time: it turns the kernel source into a cubin
/// for the device's exact architecture (or PTX that the driver compiles when NVRTC is older than
/// the device).
public final class NVRTC: @unchecked Sendable {
    typealias Version = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias CreateProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
                                              UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias CompileProgram = @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias GetSize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> Int32
    typealias GetBytes = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int32
    typealias DestroyProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias IntOut = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32

    public let library: any SymbolSource
    public private(set) var version: (major: Int32, minor: Int32) = (0, 0)
    /// Tells instances apart in the build cache (object addresses can be reused).
    let instance = NVRTC.instances.add(1, ordering: .relaxed).newValue
    private static let instances = Atomic<Int>(0)
    let errorString: ErrorString
    let createProgram: CreateProgram
    let compileProgram: CompileProgram
    let getProgramLogSize: GetSize
    let getProgramLog: GetBytes
    let getPTXSize: GetSize
    let getPTX: GetBytes
    let getCUBINSize: GetSize?
    let getCUBIN: GetBytes?
    let destroyProgram: DestroyProgram
    let getNumSupportedArchs: IntOut?
    let getSupportedArchs: IntOut?

    public static let remedy = "install CUDA's NVRTC (the CUDA toolkit, e.g. apt-get install cuda-nvrtc-12-<minor>, or "
        + "pip install nvidia-cuda-nvrtc-cu12) or set BTPOW_NVRTC_LIBRARY to libnvrtc.so's path"

    static let sonames = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so"]

    /// $BTPOW_NVRTC_LIBRARY, the sonames on the loader's path, then CUDA's usual install folders and the PyPI wheel's
    /// (nvidia-cuda-nvrtc-cu12 in a venv, ~/.local or the system's site-packages). Versions no newer than the
    /// driver's CUDA come first: an older driver refuses what a newer NVRTC major version makes.
    public static var defaultCandidates: [String] {
        var dirs: [String] = []
        for variable in ["CUDA_HOME", "CUDA_PATH"] {
            if let root = LibrarySearch.environment(variable) { dirs += [root + "/lib64", root + "/lib"] }
        }
        dirs += ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/targets/sbsa-linux/lib"]
        dirs += LibrarySearch.entries(of: "/usr/local", prefix: "cuda-").map { "/usr/local/\($0)/lib64" }
        dirs += wheelFolders()
        let found = sonames + LibrarySearch.existing(dirs: dirs, names: sonames)
        return [LibrarySearch.environment("BTPOW_NVRTC_LIBRARY")].compactMap { $0 }
            + ordered(found, driverMajor: (try? CUDADriver.shared()).map { Int($0.version) / 1000 })
    }

    /// Where pip puts the nvidia-cuda-nvrtc wheel's library: <lib>/python3.X/{site,dist}-packages/nvidia/cuda_nvrtc/lib
    /// under $VIRTUAL_ENV, ~/.local and the system's prefixes.
    static func wheelFolders() -> [String] {
        var libs = ["/usr/local/lib", "/usr/lib"]
        if let home = LibrarySearch.environment("HOME") { libs.insert(home + "/.local/lib", at: 0) }
        if let venv = LibrarySearch.environment("VIRTUAL_ENV") { libs.insert(venv + "/lib", at: 0) }
        return libs.flatMap { lib in
            LibrarySearch.entries(of: lib, prefix: "python3").flatMap { python in
                ["site-packages", "dist-packages"].map { "\(lib)/\(python)/\($0)/nvidia/cuda_nvrtc/lib" }
            }
        }
    }

    /// Library names or paths in the order to try them: versions no newer than the driver's CUDA major first,
    /// then unversioned names (`libnvrtc.so`, whatever it points at), then newer versions; otherwise as given.
    static func ordered(_ candidates: [String], driverMajor: Int?) -> [String] {
        guard let driverMajor else { return candidates }
        func rank(_ path: String) -> Int {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            guard let major = name.split(separator: ".").dropFirst(2).first.flatMap({ Int($0) }) else { return 1 }
            return major <= driverMajor ? 0 : 2
        }
        return candidates.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    public convenience init(candidates: [String] = NVRTC.defaultCandidates) throws {
        try self.init(symbols: DynamicLibrary.required(candidates, backend: "CUDA", what: "NVRTC (libnvrtc.so)", remedy: Self.remedy))
    }

    public init(symbols: any SymbolSource) throws {
        library = symbols
        let l = symbols
        let versionFn: Version = try l.function("nvrtcVersion")
        errorString = try l.function("nvrtcGetErrorString")
        createProgram = try l.function("nvrtcCreateProgram")
        compileProgram = try l.function("nvrtcCompileProgram")
        getProgramLogSize = try l.function("nvrtcGetProgramLogSize")
        getProgramLog = try l.function("nvrtcGetProgramLog")
        getPTXSize = try l.function("nvrtcGetPTXSize")
        getPTX = try l.function("nvrtcGetPTX")
        getCUBINSize = try? l.function("nvrtcGetCUBINSize")      // NVRTC 11.1+
        getCUBIN = try? l.function("nvrtcGetCUBIN")
        destroyProgram = try l.function("nvrtcDestroyProgram")
        getNumSupportedArchs = try? l.function("nvrtcGetNumSupportedArchs")   // NVRTC 11.2+
        getSupportedArchs = try? l.function("nvrtcGetSupportedArchs")
        var major: Int32 = 0, minor: Int32 = 0
        try check(versionFn(&major, &minor), "nvrtcVersion")
        version = (major, minor)
    }

    /// The process-wide compiler, opened once.
    public static func shared() throws -> NVRTC { try sharedResult.get() }
    private static let sharedResult: Result<NVRTC, Error> = Result { try NVRTC() }

    func check(_ code: Int32, _ call: String, log: String = "") throws {
        if code != 0 { throw NVRTCError(call: call, code: code, message: errorString(code).map { String(cString: $0) } ?? "NVRTC error", log: log) }
    }

    /// Virtual architectures this NVRTC compiles for (e.g. [75, 80, 86, 89, 90, …]); nil when too old to say.
    public var supportedArchs: [Int]? {
        guard let getNumSupportedArchs, let getSupportedArchs else { return nil }
        var n: Int32 = 0
        guard getNumSupportedArchs(&n) == 0, n > 0 else { return nil }
        var archs = [Int32](repeating: 0, count: Int(n))
        guard getSupportedArchs(&archs) == 0 else { return nil }
        return archs.map(Int.init)
    }

    /// What to compile for a device of architecture `device` (e.g. 90): its own cubin when this
    /// NVRTC knows it, else PTX for the newest architecture it knows below it (the driver finishes it).
    public static func target(device: Int, supported: [Int]?, cubinAvailable: Bool) -> (arch: Int, cubin: Bool)? {
        guard let supported else { return (device, cubinAvailable) }
        if supported.contains(device) { return (device, cubinAvailable) }
        guard let below = supported.filter({ $0 <= device }).max() else { return nil }
        return (below, false)
    }

    /// Compiles `source` for `arch` to a cubin (`sm_XY`) or PTX (`compute_XY`).
    public func compile(source: String, name: String, arch: Int, cubin: Bool, extraOptions: [String] = []) throws -> CUDAModuleImage {
        var program: OpaquePointer?
        try check(createProgram(&program, source, name, 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = destroyProgram(&program) }
        let archOption = cubin ? "--gpu-architecture=sm_\(arch)" : "--gpu-architecture=compute_\(arch)"
        let options = [archOption] + extraOptions
        let cOptions = options.map { strdup($0) }
        defer { cOptions.forEach { free($0) } }
        let rc = cOptions.map { UnsafePointer($0) }.withUnsafeBufferPointer { compileProgram(program, Int32(options.count), $0.baseAddress) }
        let log = programLog(program)
        try check(rc, "nvrtcCompileProgram(\(options.joined(separator: " ")))", log: log)
        var size = 0
        var bytes: [UInt8]
        if cubin, let getCUBINSize, let getCUBIN {
            try check(getCUBINSize(program, &size), "nvrtcGetCUBINSize")
            bytes = [UInt8](repeating: 0, count: size)
            try check(bytes.withUnsafeMutableBytes { getCUBIN(program, $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }, "nvrtcGetCUBIN")
        } else {
            try check(getPTXSize(program, &size), "nvrtcGetPTXSize")
            bytes = [UInt8](repeating: 0, count: size + 1)   // keep a terminating NUL for the driver
            try check(bytes.withUnsafeMutableBytes { getPTX(program, $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }, "nvrtcGetPTX")
        }
        return CUDAModuleImage(kind: cubin && getCUBIN != nil ? .cubin : .ptx,
                               target: (cubin && getCUBIN != nil ? "sm_" : "compute_") + "\(arch)",
                               bytes: bytes, log: log, compiler: "NVRTC \(version.major).\(version.minor)")
    }

    private func programLog(_ program: OpaquePointer?) -> String {
        var size = 0
        guard getProgramLogSize(program, &size) == 0, size > 1 else { return "" }
        var buffer = [CChar](repeating: 0, count: size + 1)
        guard getProgramLog(program, &buffer) == 0 else { return "" }
        return String(cString: buffer).trimmedWhitespace
    }
}

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

    /// Extra NVRTC options from $BTPOW_NVRTC_OPTIONS (space-separated, e.g. "--maxrregcount=64"), for tuning.
    public static var environmentOptions: [String] {
        (LibrarySearch.environment("BTPOW_NVRTC_OPTIONS") ?? "").split(separator: " ").map(String.init)
    }

    /// Images already built in this process, by target and options: several devices of one
    /// architecture compile once (NVRTC takes seconds for this kernel).
    private static let built = Mutex<[String: CUDAModuleImage]>([:])

    /// $BTPOW_CUDA_COMPILE set: compile with NVRTC even where a prebuilt cubin fits.
    public static var compileRequested: Bool { LibrarySearch.environment("BTPOW_CUDA_COMPILE") != nil }

    /// The prebuilt cubin's architecture that `image(for:)` uses, with this process's settings, for a device of
    /// architecture `device`; nil when it compiles with NVRTC instead.
    public static func prebuiltArchitecture(forDevice device: Int) -> Int? {
        guard environmentOptions.isEmpty, !compileRequested, PrebuiltCUDAImages.matchSource else { return nil }
        return PrebuiltCUDAImages.architecture(forDevice: device)
    }

    /// The module for `device`: the binary's prebuilt cubin for its architecture when one fits and nothing asks
    /// for a compile (another compiler, source or options); else NVRTC's. With the default compiler (the CLI's
    /// path) compiled images are also kept on disk (`KernelImageCache`), so later runs skip the seconds NVRTC takes.
    public static func image(for device: CUDADeviceInfo, nvrtc: NVRTC? = nil, source: String = SealKernelSource.text,
                             extraOptions: [String] = CUDAKernelBuild.environmentOptions,
                             allowPrebuilt: Bool = true) throws -> CUDAModuleImage {
        if allowPrebuilt, nvrtc == nil, extraOptions.isEmpty, !compileRequested, source == SealKernelSource.text,
           let image = PrebuiltCUDAImages.image(for: device) {
            return image
        }
        let compiler = try nvrtc ?? NVRTC.shared()
        let diskCache = nvrtc == nil ? KernelImageCache.default : nil
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


/// Compiled kernel images on disk: $BTPOW_CACHE_DIR, else $XDG_CACHE_HOME/btpow, else ~/.cache/btpow;
/// BTPOW_NO_KERNEL_CACHE=1 turns it off. Keyed by SHA-256 of the source, the compiler and its options,
/// so an edited kernel or another NVRTC never reuses a stale image. Failures only mean a recompile.
struct KernelImageCache {
    let directory: String

    static var `default`: KernelImageCache? {
        if LibrarySearch.environment("BTPOW_NO_KERNEL_CACHE") != nil { return nil }
        if let d = LibrarySearch.environment("BTPOW_CACHE_DIR") { return KernelImageCache(directory: d) }
        if let x = LibrarySearch.environment("XDG_CACHE_HOME") { return KernelImageCache(directory: x + "/btpow") }
        if let h = LibrarySearch.environment("HOME") { return KernelImageCache(directory: h + "/.cache/btpow") }
        return nil
    }

    static func key(_ parts: [String]) -> String {
        String(Hex.encode(SHA256.hash(Array(parts.joined(separator: "\u{0}").utf8)), prefix: false).prefix(40))
    }

    func path(_ key: String, cubin: Bool) -> String { "\(directory)/seal-\(key).\(cubin ? "cubin" : "ptx")" }

    func load(key: String, cubin: Bool, arch: Int, compiler: NVRTC) -> CUDAModuleImage? {
        guard let f = fopen(path(key, cubin: cubin), "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { bytes += chunk[0 ..< n] }
            if n < chunk.count { break }
        }
        let valid = cubin ? bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) : (bytes.count > 1 && bytes.last == 0)
        guard valid else { return nil }
        return CUDAModuleImage(kind: cubin ? .cubin : .ptx, target: (cubin ? "sm_" : "compute_") + "\(arch)", bytes: bytes,
                               log: "", compiler: "NVRTC \(compiler.version.major).\(compiler.version.minor), cached")
    }

    func store(_ image: CUDAModuleImage, key: String) {
        var prefix = ""
        for (i, component) in directory.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            prefix = i == 0 ? String(component) : prefix + "/" + component
            if !prefix.isEmpty { mkdir(prefix, 0o755) }
        }
        let final = path(key, cubin: image.kind == .cubin)
        let temporary = final + ".\(getpid()).tmp"
        guard let f = fopen(temporary, "wb") else { return }
        let written = image.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        if written == image.bytes.count { rename(temporary, final) } else { unlink(temporary) }
    }
}
