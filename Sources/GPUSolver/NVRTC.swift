#if canImport(Glibc)
import Glibc
#endif
import PoWCore
import LibraryLoading
import Synchronization

/// NVRTC, CUDA's run-time compiler, opened at run time: it turns the kernel source into a cubin
/// for the device's exact architecture (or PTX that the driver compiles when NVRTC is older than
/// the device).
// @unchecked: every stored property is a C function pointer or a value set once in init; NVRTC calls are thread-safe.
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
    public let version: (major: Int32, minor: Int32)
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
        + "pip install nvidia-cuda-nvrtc-cu12) or give libnvrtc.so's path"

    static let sonames = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so"]

    /// The configured library, the sonames on the loader's path, then the configured CUDA toolkits, CUDA's usual
    /// install folders and the PyPI wheel's (nvidia-cuda-nvrtc-cu12 under the configured Python prefixes or the
    /// system's site-packages). Versions no newer than the driver's CUDA come first: an older driver refuses what a
    /// newer NVRTC major version makes.
    public static func candidates(_ configuration: GPUConfiguration = GPUConfiguration()) -> [String] {
        var dirs = configuration.cudaToolkitRoots.flatMap { [$0 + "/lib64", $0 + "/lib"] }
        dirs += ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/targets/sbsa-linux/lib"]
        dirs += LibrarySearch.entries(of: "/usr/local", prefix: "cuda-").map { "/usr/local/\($0)/lib64" }
        dirs += wheelFolders(pythonPrefixes: configuration.pythonPrefixes)
        let found = sonames + LibrarySearch.existing(dirs: dirs, names: sonames)
        return [configuration.nvrtcLibrary].compactMap { $0 }
            + ordered(found, driverMajor: (try? CUDADriver.shared(configuration)).map { Int($0.version) / 1000 })
    }

    /// Where pip puts the nvidia-cuda-nvrtc wheel's library: <lib>/python3.X/{site,dist}-packages/nvidia/cuda_nvrtc/lib
    /// under each of `pythonPrefixes` and the system's prefixes.
    static func wheelFolders(pythonPrefixes: [String]) -> [String] {
        let libs = pythonPrefixes.map { $0 + "/lib" } + ["/usr/local/lib", "/usr/lib"]
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

    public convenience init(candidates: [String] = NVRTC.candidates()) throws {
        try self.init(symbols: DynamicLibrary.required(candidates, .nvrtc, backend: "CUDA", what: "NVRTC (libnvrtc.so)", remedy: Self.remedy))
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
        let rc = versionFn(&major, &minor)
        version = (major, minor)
        try check(rc, "nvrtcVersion")
    }

    /// The compiler `configuration` names, opened once per process.
    public static func shared(_ configuration: GPUConfiguration = GPUConfiguration()) throws -> NVRTC {
        try opened.get(candidates(configuration)) { try NVRTC(candidates: $0) }
    }
    private static let opened = OpenedOnce<NVRTC>()

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
