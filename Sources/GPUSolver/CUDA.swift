import LibraryLoading

/// The CUDA driver API entry points btpow uses, taken from libcuda at run time.
// @unchecked: every stored property is a C function pointer or a value set once in init; the driver API is thread-safe.
public final class CUDADriver: @unchecked Sendable {
    typealias Result = Int32
    typealias IntOut = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    typealias Init = @convention(c) (UInt32) -> Int32
    typealias DeviceGet = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias DeviceGetName = @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32) -> Int32
    typealias DeviceGetAttribute = @convention(c) (UnsafeMutablePointer<Int32>?, Int32, Int32) -> Int32
    typealias DeviceTotalMem = @convention(c) (UnsafeMutablePointer<Int>?, Int32) -> Int32
    typealias PrimaryCtxRetain = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32) -> Int32
    typealias PrimaryCtxRelease = @convention(c) (Int32) -> Int32
    typealias PrimaryCtxSetFlags = @convention(c) (Int32, UInt32) -> Int32
    typealias CtxSetCurrent = @convention(c) (OpaquePointer?) -> Int32
    typealias ModuleLoadDataEx = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafeRawPointer?, UInt32,
                                                 UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    typealias ModuleUnload = @convention(c) (OpaquePointer?) -> Int32
    typealias ModuleGetFunction = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    typealias ModuleGetGlobal = @convention(c) (UnsafeMutablePointer<UInt64>?, UnsafeMutablePointer<Int>?, OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    typealias MemAlloc = @convention(c) (UnsafeMutablePointer<UInt64>?, Int) -> Int32
    typealias MemFree = @convention(c) (UInt64) -> Int32
    typealias MemcpyHtoD = @convention(c) (UInt64, UnsafeRawPointer?, Int) -> Int32
    typealias MemcpyDtoH = @convention(c) (UnsafeMutableRawPointer?, UInt64, Int) -> Int32
    typealias MemsetD32 = @convention(c) (UInt64, UInt32, Int) -> Int32
    typealias LaunchKernel = @convention(c) (OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?,
                                             UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    typealias Occupancy = @convention(c) (UnsafeMutablePointer<Int32>?, OpaquePointer?, Int32, Int) -> Int32
    typealias FuncGetAttribute = @convention(c) (UnsafeMutablePointer<Int32>?, Int32, OpaquePointer?) -> Int32
    typealias GetErrorText = @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32

    public let library: any SymbolSource
    /// The driver's CUDA version, e.g. 12040 for 12.4.
    public private(set) var version: Int32 = 0

    let cuInit: Init
    let driverGetVersion: IntOut
    let deviceGetCount: IntOut
    let deviceGet: DeviceGet
    let deviceGetName: DeviceGetName
    let deviceGetAttribute: DeviceGetAttribute
    let deviceTotalMem: DeviceTotalMem
    let primaryCtxRetain: PrimaryCtxRetain
    let primaryCtxRelease: PrimaryCtxRelease
    let primaryCtxSetFlags: PrimaryCtxSetFlags
    let ctxSetCurrent: CtxSetCurrent
    let moduleLoadDataEx: ModuleLoadDataEx
    let moduleUnload: ModuleUnload
    let moduleGetFunction: ModuleGetFunction
    let moduleGetGlobal: ModuleGetGlobal
    let memAlloc: MemAlloc
    let memFree: MemFree
    let memcpyHtoD: MemcpyHtoD
    let memcpyDtoH: MemcpyDtoH
    let memsetD32: MemsetD32
    let launchKernel: LaunchKernel
    let occupancy: Occupancy
    let funcGetAttribute: FuncGetAttribute
    let getErrorName: GetErrorText
    let getErrorString: GetErrorText

    public static let remedy = "install the NVIDIA driver (it provides libcuda.so.1; `nvidia-smi` should list the GPU), "
        + "or give libcuda.so.1's path"

    /// The configured library, the driver's sonames, then the usual driver folders.
    public static func candidates(_ configuration: GPUConfiguration = GPUConfiguration()) -> [String] {
        [configuration.cudaLibrary].compactMap { $0 } + ["libcuda.so.1", "libcuda.so"]
            + LibrarySearch.existing(dirs: ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib", "/usr/local/cuda/compat"],
                                     names: ["libcuda.so.1"])
    }

    /// Opens the driver from `candidates`: a missing library is a `GPUUnavailable` saying what to install.
    public convenience init(candidates: [String] = CUDADriver.candidates()) throws {
        try self.init(symbols: DynamicLibrary.required(candidates, .cudaDriver, backend: "CUDA", what: "the CUDA driver library", remedy: Self.remedy))
    }

    /// Binds every entry point of `symbols` and initializes the driver (`cuInit`).
    public init(symbols: any SymbolSource) throws {
        library = symbols
        let l = symbols
        cuInit = try l.function("cuInit")
        driverGetVersion = try l.function("cuDriverGetVersion")
        deviceGetCount = try l.function("cuDeviceGetCount")
        deviceGet = try l.function("cuDeviceGet")
        deviceGetName = try l.function("cuDeviceGetName")
        deviceGetAttribute = try l.function("cuDeviceGetAttribute")
        deviceTotalMem = try l.function("cuDeviceTotalMem_v2", "cuDeviceTotalMem")
        primaryCtxRetain = try l.function("cuDevicePrimaryCtxRetain")
        primaryCtxRelease = try l.function("cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease")
        primaryCtxSetFlags = try l.function("cuDevicePrimaryCtxSetFlags_v2", "cuDevicePrimaryCtxSetFlags")
        ctxSetCurrent = try l.function("cuCtxSetCurrent")
        moduleLoadDataEx = try l.function("cuModuleLoadDataEx")
        moduleUnload = try l.function("cuModuleUnload")
        moduleGetFunction = try l.function("cuModuleGetFunction")
        moduleGetGlobal = try l.function("cuModuleGetGlobal_v2", "cuModuleGetGlobal")
        memAlloc = try l.function("cuMemAlloc_v2", "cuMemAlloc")
        memFree = try l.function("cuMemFree_v2", "cuMemFree")
        memcpyHtoD = try l.function("cuMemcpyHtoD_v2", "cuMemcpyHtoD")
        memcpyDtoH = try l.function("cuMemcpyDtoH_v2", "cuMemcpyDtoH")
        memsetD32 = try l.function("cuMemsetD32_v2", "cuMemsetD32")
        launchKernel = try l.function("cuLaunchKernel")
        occupancy = try l.function("cuOccupancyMaxActiveBlocksPerMultiprocessor")
        funcGetAttribute = try l.function("cuFuncGetAttribute")
        getErrorName = try l.function("cuGetErrorName")
        getErrorString = try l.function("cuGetErrorString")

        let rc = cuInit(0)
        switch rc {
        case Self.success: break
        case Self.errorNoDevice:
            throw GPUUnavailable(backend: "CUDA", reason: "the driver (\(symbols.path)) sees no CUDA device",
                                 remedy: "check that `nvidia-smi` lists a GPU and that this process may use it")
        case Self.errorStubLibrary:
            throw GPUUnavailable(backend: "CUDA", reason: "\(symbols.path) is the CUDA toolkit's stub, not the driver",
                                 remedy: Self.remedy)
        default: throw error(rc, "cuInit")
        }
        var v: Int32 = 0
        try check(driverGetVersion(&v), "cuDriverGetVersion")
        version = v
    }

    /// The driver `configuration` names, opened and initialized once per process.
    public static func shared(_ configuration: GPUConfiguration = GPUConfiguration()) throws -> CUDADriver {
        try opened.get(candidates(configuration)) { try CUDADriver(candidates: $0) }
    }
    private static let opened = OpenedOnce<CUDADriver>()

    // Constants (cuda.h).
    static let success: Int32 = 0
    static let errorStubLibrary: Int32 = 34
    static let errorNoDevice: Int32 = 100
    static let attrMaxThreadsPerBlock: Int32 = 1, attrClockRate: Int32 = 13, attrMultiprocessorCount: Int32 = 16
    static let attrMaxThreadsPerMultiprocessor: Int32 = 39, attrComputeCapabilityMajor: Int32 = 75, attrComputeCapabilityMinor: Int32 = 76
    static let funcAttrMaxThreadsPerBlock: Int32 = 0, funcAttrNumRegs: Int32 = 4
    static let ctxSchedBlockingSync: UInt32 = 0x04
    static let jitErrorLogBuffer: Int32 = 5, jitErrorLogBufferSizeBytes: Int32 = 6

    /// The typed error for a failed call, with the driver's own name and message for the code.
    public func error(_ code: Int32, _ call: String) -> CUDAError {
        var name: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?
        let nameKnown = getErrorName(code, &name) == Self.success && name != nil
        let messageKnown = getErrorString(code, &message) == Self.success && message != nil
        return CUDAError(call: call, code: code,
                         name: nameKnown ? String(cString: name!) : "CUDA_ERROR_\(code)",
                         message: messageKnown ? String(cString: message!) : "unknown error")
    }

    @inline(__always)
    func check(_ code: Int32, _ call: @autoclosure () -> String) throws {
        if code != Self.success { throw error(code, call()) }
    }

    func attribute(_ attr: Int32, _ device: Int32) throws -> Int32 {
        var v: Int32 = 0
        try check(deviceGetAttribute(&v, attr, device), "cuDeviceGetAttribute(\(attr))")
        return v
    }
}

/// One CUDA device as `btpow devices` shows it.
public struct CUDADeviceInfo: Sendable, Codable, Equatable {
    public let index: Int
    public let name: String
    public let computeCapabilityMajor: Int
    public let computeCapabilityMinor: Int
    public let multiprocessors: Int
    public let maxThreadsPerMultiprocessor: Int
    public let maxThreadsPerBlock: Int
    public let clockMHz: Int
    public let totalMemoryBytes: UInt64

    public init(index: Int, name: String, computeCapabilityMajor: Int, computeCapabilityMinor: Int, multiprocessors: Int,
                maxThreadsPerMultiprocessor: Int, maxThreadsPerBlock: Int, clockMHz: Int, totalMemoryBytes: UInt64) {
        self.index = index; self.name = name
        self.computeCapabilityMajor = computeCapabilityMajor; self.computeCapabilityMinor = computeCapabilityMinor
        self.multiprocessors = multiprocessors; self.maxThreadsPerMultiprocessor = maxThreadsPerMultiprocessor
        self.maxThreadsPerBlock = maxThreadsPerBlock; self.clockMHz = clockMHz; self.totalMemoryBytes = totalMemoryBytes
    }

    /// "9.0" for an H100.
    public var computeCapability: String { "\(computeCapabilityMajor).\(computeCapabilityMinor)" }
    /// 90 for an H100: NVRTC's `sm_90`.
    public var archNumber: Int { computeCapabilityMajor * 10 + computeCapabilityMinor }
}

public enum CUDADiscovery {
    /// Every device the driver sees; `GPUUnavailable` when the driver is missing or sees none.
    public static func devices(driver: CUDADriver? = nil) throws -> [CUDADeviceInfo] {
        let d = try driver ?? CUDADriver.shared()
        var count: Int32 = 0
        try d.check(d.deviceGetCount(&count), "cuDeviceGetCount")
        if count == 0 {
            throw GPUUnavailable(backend: "CUDA", reason: "the driver (\(d.library.path)) sees no CUDA device",
                                 remedy: "check that `nvidia-smi` lists a GPU and that this process may use it")
        }
        return try (0 ..< Int(count)).map { try info(index: $0, driver: d) }
    }

    static func info(index: Int, driver d: CUDADriver) throws -> CUDADeviceInfo {
        var device: Int32 = 0
        try d.check(d.deviceGet(&device, Int32(index)), "cuDeviceGet")
        var name = [CChar](repeating: 0, count: 256)
        try d.check(d.deviceGetName(&name, 255, device), "cuDeviceGetName")
        var memory = 0
        try d.check(d.deviceTotalMem(&memory, device), "cuDeviceTotalMem")
        return CUDADeviceInfo(
            index: index, name: String(cString: name),
            computeCapabilityMajor: Int(try d.attribute(CUDADriver.attrComputeCapabilityMajor, device)),
            computeCapabilityMinor: Int(try d.attribute(CUDADriver.attrComputeCapabilityMinor, device)),
            multiprocessors: Int(try d.attribute(CUDADriver.attrMultiprocessorCount, device)),
            maxThreadsPerMultiprocessor: Int(try d.attribute(CUDADriver.attrMaxThreadsPerMultiprocessor, device)),
            maxThreadsPerBlock: Int(try d.attribute(CUDADriver.attrMaxThreadsPerBlock, device)),
            clockMHz: Int(try d.attribute(CUDADriver.attrClockRate, device)) / 1000,
            totalMemoryBytes: UInt64(memory))
    }
}
