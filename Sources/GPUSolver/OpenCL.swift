import LibraryLoading

/// The OpenCL 1.2 entry points btpow uses, taken from the ICD loader (libOpenCL.so.1) at run time.
// @unchecked: every stored property is a C function pointer set once in init; OpenCL 1.2 entry points are thread-safe.
public final class OpenCLAPI: @unchecked Sendable {
    typealias Handle = OpaquePointer
    typealias GetPlatformIDs = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<UInt32>?) -> Int32
    typealias GetInfo = @convention(c) (OpaquePointer?, UInt32, Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> Int32
    typealias GetDeviceIDs = @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<UInt32>?) -> Int32
    typealias CreateContext = @convention(c) (UnsafePointer<Int>?, UInt32, UnsafePointer<OpaquePointer?>?, UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
    typealias CreateCommandQueue = @convention(c) (OpaquePointer?, OpaquePointer?, UInt64, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
    typealias CreateProgramWithSource = @convention(c) (OpaquePointer?, UInt32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
    typealias BuildProgram = @convention(c) (OpaquePointer?, UInt32, UnsafePointer<OpaquePointer?>?, UnsafePointer<CChar>?, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
    typealias GetObjectDeviceInfo = @convention(c) (OpaquePointer?, OpaquePointer?, UInt32, Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> Int32
    typealias CreateKernel = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
    typealias CreateBuffer = @convention(c) (OpaquePointer?, UInt64, Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
    typealias SetKernelArg = @convention(c) (OpaquePointer?, UInt32, Int, UnsafeRawPointer?) -> Int32
    typealias EnqueueWriteBuffer = @convention(c) (OpaquePointer?, OpaquePointer?, UInt32, Int, Int, UnsafeRawPointer?, UInt32, UnsafePointer<OpaquePointer?>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias EnqueueReadBuffer = @convention(c) (OpaquePointer?, OpaquePointer?, UInt32, Int, Int, UnsafeMutableRawPointer?, UInt32, UnsafePointer<OpaquePointer?>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias EnqueueNDRangeKernel = @convention(c) (OpaquePointer?, OpaquePointer?, UInt32, UnsafePointer<Int>?, UnsafePointer<Int>?, UnsafePointer<Int>?, UInt32, UnsafePointer<OpaquePointer?>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias ObjectCall = @convention(c) (OpaquePointer?) -> Int32

    public let library: any SymbolSource
    let getPlatformIDs: GetPlatformIDs
    let getPlatformInfo: GetInfo
    let getDeviceIDs: GetDeviceIDs
    let getDeviceInfo: GetInfo
    let createContext: CreateContext
    let createCommandQueue: CreateCommandQueue
    let createProgramWithSource: CreateProgramWithSource
    let buildProgram: BuildProgram
    let getProgramBuildInfo: GetObjectDeviceInfo
    let createKernel: CreateKernel
    let getKernelWorkGroupInfo: GetObjectDeviceInfo
    let createBuffer: CreateBuffer
    let setKernelArg: SetKernelArg
    let enqueueWriteBuffer: EnqueueWriteBuffer
    let enqueueReadBuffer: EnqueueReadBuffer
    let enqueueNDRangeKernel: EnqueueNDRangeKernel
    let finish: ObjectCall
    let releaseMemObject: ObjectCall
    let releaseKernel: ObjectCall
    let releaseProgram: ObjectCall
    let releaseCommandQueue: ObjectCall
    let releaseContext: ObjectCall

    public static let remedy = "install an OpenCL ICD loader and a driver for your device (Debian/Ubuntu: "
        + "apt-get install ocl-icd-libopencl1, plus the GPU vendor's OpenCL driver, or pocl-opencl-icd for the CPU), "
        + "or give libOpenCL.so's path"

    /// The configured library, then the loader's sonames.
    public static func candidates(_ configuration: GPUConfiguration = GPUConfiguration()) -> [String] {
        [configuration.openCLLibrary].compactMap { $0 } + ["libOpenCL.so.1", "libOpenCL.so"]
    }

    /// Opens the loader from `candidates`; a missing library is a `GPUUnavailable` with what to install.
    public init(candidates: [String] = OpenCLAPI.candidates()) throws {
        library = try DynamicLibrary.required(candidates, .openCL, backend: "OpenCL", what: "the OpenCL loader", remedy: Self.remedy)
        let l = library
        getPlatformIDs = try l.function("clGetPlatformIDs")
        getPlatformInfo = try l.function("clGetPlatformInfo")
        getDeviceIDs = try l.function("clGetDeviceIDs")
        getDeviceInfo = try l.function("clGetDeviceInfo")
        createContext = try l.function("clCreateContext")
        createCommandQueue = try l.function("clCreateCommandQueue")
        createProgramWithSource = try l.function("clCreateProgramWithSource")
        buildProgram = try l.function("clBuildProgram")
        getProgramBuildInfo = try l.function("clGetProgramBuildInfo")
        createKernel = try l.function("clCreateKernel")
        getKernelWorkGroupInfo = try l.function("clGetKernelWorkGroupInfo")
        createBuffer = try l.function("clCreateBuffer")
        setKernelArg = try l.function("clSetKernelArg")
        enqueueWriteBuffer = try l.function("clEnqueueWriteBuffer")
        enqueueReadBuffer = try l.function("clEnqueueReadBuffer")
        enqueueNDRangeKernel = try l.function("clEnqueueNDRangeKernel")
        finish = try l.function("clFinish")
        releaseMemObject = try l.function("clReleaseMemObject")
        releaseKernel = try l.function("clReleaseKernel")
        releaseProgram = try l.function("clReleaseProgram")
        releaseCommandQueue = try l.function("clReleaseCommandQueue")
        releaseContext = try l.function("clReleaseContext")
    }

    /// The loader `configuration` names, opened once per process.
    public static func shared(_ configuration: GPUConfiguration = GPUConfiguration()) throws -> OpenCLAPI {
        try opened.get(candidates(configuration)) { try OpenCLAPI(candidates: $0) }
    }
    private static let opened = OpenedOnce<OpenCLAPI>()

    // Constants (cl.h, OpenCL 1.2).
    static let success: Int32 = 0
    static let platformNotFound: Int32 = -1001
    static let deviceNotFound: Int32 = -1
    static let platformName: UInt32 = 0x0902, platformVersion: UInt32 = 0x0901
    static let deviceTypeAll: UInt64 = 0xFFFF_FFFF, deviceTypeCPU: UInt64 = 1 << 1, deviceTypeGPU: UInt64 = 1 << 2
    static let deviceType: UInt32 = 0x1000, deviceMaxComputeUnits: UInt32 = 0x1002, deviceMaxWorkGroupSize: UInt32 = 0x1004
    static let deviceMaxClockFrequency: UInt32 = 0x100C, deviceGlobalMemSize: UInt32 = 0x101F
    static let deviceName: UInt32 = 0x102B, deviceVendor: UInt32 = 0x102C, driverVersion: UInt32 = 0x102D
    static let deviceVersion: UInt32 = 0x102F, deviceOpenCLCVersion: UInt32 = 0x103D
    static let memReadWrite: UInt64 = 1 << 0, memReadOnly: UInt64 = 1 << 2
    static let programBuildLog: UInt32 = 0x1183
    static let kernelWorkGroupSize: UInt32 = 0x11B0

    @inline(__always)
    func check(_ code: Int32, _ call: @autoclosure () -> String) throws {
        if code != Self.success { throw OpenCLError(call: call(), code: code) }
    }

    func string(_ get: GetInfo, _ object: OpaquePointer?, _ param: UInt32, call: String) throws -> String {
        var size = 0
        try check(get(object, param, 0, nil, &size), call)
        var buffer = [CChar](repeating: 0, count: max(size, 1) + 1)
        try check(get(object, param, size, &buffer, nil), call)
        return String(cString: buffer).trimmedWhitespace
    }

    func value<T: FixedWidthInteger>(_ get: GetInfo, _ object: OpaquePointer?, _ param: UInt32, as: T.Type, call: String) throws -> T {
        var v = T.zero
        try check(withUnsafeMutableBytes(of: &v) { get(object, param, MemoryLayout<T>.size, $0.baseAddress, nil) }, call)
        return v
    }
}

extension String {
    var trimmedWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// One OpenCL device as `btpow devices` shows it; `index` counts across all platforms.
public struct OpenCLDeviceInfo: Sendable, Codable, Equatable {
    public let index: Int
    public let platform: String
    public let platformVersion: String
    public let name: String
    public let vendor: String
    public let version: String
    public let openclCVersion: String
    public let driverVersion: String
    public let isGPU: Bool
    public let isCPU: Bool
    public let computeUnits: UInt32
    public let maxWorkGroupSize: Int
    public let clockMHz: UInt32
    public let globalMemoryBytes: UInt64
}

/// Device discovery: every device of every platform, in platform order.
public enum OpenCLDiscovery {
    struct Found { let info: OpenCLDeviceInfo; let platform: OpaquePointer; let device: OpaquePointer }

    /// Every device; `GPUUnavailable` when the loader is missing or no platform (driver) is installed.
    public static func devices(api: OpenCLAPI? = nil) throws -> [OpenCLDeviceInfo] {
        try found(api: api ?? OpenCLAPI.shared()).map(\.info)
    }

    static func found(api: OpenCLAPI) throws -> [Found] {
        var count: UInt32 = 0
        let rc = api.getPlatformIDs(0, nil, &count)
        if rc == OpenCLAPI.platformNotFound || (rc == OpenCLAPI.success && count == 0) {
            throw GPUUnavailable(backend: "OpenCL", reason: "the loader (\(api.library.path)) found no OpenCL platform",
                                 remedy: "install an OpenCL driver (an ICD) for your device, e.g. the GPU vendor's, or pocl-opencl-icd for the CPU")
        }
        try api.check(rc, "clGetPlatformIDs")
        var platforms = [OpaquePointer?](repeating: nil, count: Int(count))
        try api.check(api.getPlatformIDs(count, &platforms, nil), "clGetPlatformIDs")
        var out: [Found] = []
        for case let platform? in platforms {
            let pname = try api.string(api.getPlatformInfo, platform, OpenCLAPI.platformName, call: "clGetPlatformInfo")
            let pversion = try api.string(api.getPlatformInfo, platform, OpenCLAPI.platformVersion, call: "clGetPlatformInfo")
            var n: UInt32 = 0
            let drc = api.getDeviceIDs(platform, OpenCLAPI.deviceTypeAll, 0, nil, &n)
            if drc == OpenCLAPI.deviceNotFound || n == 0 { continue }
            try api.check(drc, "clGetDeviceIDs")
            var devices = [OpaquePointer?](repeating: nil, count: Int(n))
            try api.check(api.getDeviceIDs(platform, OpenCLAPI.deviceTypeAll, n, &devices, nil), "clGetDeviceIDs")
            for case let device? in devices {
                func s(_ p: UInt32) throws -> String { try api.string(api.getDeviceInfo, device, p, call: "clGetDeviceInfo") }
                let type = try api.value(api.getDeviceInfo, device, OpenCLAPI.deviceType, as: UInt64.self, call: "clGetDeviceInfo")
                let info = OpenCLDeviceInfo(
                    index: out.count, platform: pname, platformVersion: pversion,
                    name: try s(OpenCLAPI.deviceName), vendor: try s(OpenCLAPI.deviceVendor),
                    version: try s(OpenCLAPI.deviceVersion), openclCVersion: try s(OpenCLAPI.deviceOpenCLCVersion),
                    driverVersion: try s(OpenCLAPI.driverVersion),
                    isGPU: type & OpenCLAPI.deviceTypeGPU != 0, isCPU: type & OpenCLAPI.deviceTypeCPU != 0,
                    computeUnits: try api.value(api.getDeviceInfo, device, OpenCLAPI.deviceMaxComputeUnits, as: UInt32.self, call: "clGetDeviceInfo"),
                    maxWorkGroupSize: try api.value(api.getDeviceInfo, device, OpenCLAPI.deviceMaxWorkGroupSize, as: Int.self, call: "clGetDeviceInfo"),
                    clockMHz: try api.value(api.getDeviceInfo, device, OpenCLAPI.deviceMaxClockFrequency, as: UInt32.self, call: "clGetDeviceInfo"),
                    globalMemoryBytes: try api.value(api.getDeviceInfo, device, OpenCLAPI.deviceGlobalMemSize, as: UInt64.self, call: "clGetDeviceInfo"))
                out.append(Found(info: info, platform: platform, device: device))
            }
        }
        if out.isEmpty {
            throw GPUUnavailable(backend: "OpenCL", reason: "the OpenCL platforms have no devices",
                                 remedy: "check the driver installation (clinfo lists what OpenCL sees)")
        }
        return out
    }
}
