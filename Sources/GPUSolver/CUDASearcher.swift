import PoWCore
import PoWSolver

/// A worker that searches nonces on one CUDA device (bittensor's Python `_CUDASolver`, without the limits of its cubit backend).
///
/// Created once per device: the primary context, the module compiled by NVRTC for the device's own
/// architecture, both kernels, the constants symbol and a 4-byte result word. A batch writes the
/// constants only when the challenge changed, resets the result word, launches a grid that fills
/// the device, and reads the word back.
public final class CUDASearcher: NonceSearcher {
    public let device: CUDADeviceInfo
    /// Threads per block (`--tpb`), after the kernel's own limit.
    public let threadsPerBlock: Int
    /// Blocks of a full launch: multiprocessors × resident blocks per multiprocessor.
    public let blocks: Int
    /// How the kernel was built, e.g. "cubin sm_90 by NVRTC 12.9".
    public let build: String
    /// bittensor's Python batch factor: a batch is `updateInterval × tpbRequested` nonces.
    public let tpbRequested: Int
    /// Nonces per launch at most; larger batches are several launches in nonce order.
    public var maxLaunch: UInt64 = GPUBatching.maxLaunch {
        didSet { maxLaunch = min(max(1, maxLaunch), GPUBatching.maxLaunch) }
    }

    private let driver: CUDADriver
    private let cuDevice: Int32
    private let context: OpaquePointer
    private let module: OpaquePointer
    private let functions: [OpaquePointer]   // legacy, v1
    private let constants: UInt64
    private let best: UInt64
    private var uploaded: SealKernelParams?

    public var label: String { "cuda:\(device.index)" }

    /// `configuration` says where the driver and NVRTC are and how the kernel is built; `driver` and `compile`
    /// replace those (tests: a stand-in driver, a given compiler).
    public init(deviceIndex: Int, threadsPerBlock tpb: Int = 256, configuration: GPUConfiguration = GPUConfiguration(),
                driver: CUDADriver? = nil, compile: ((CUDADeviceInfo) throws -> CUDAModuleImage)? = nil) throws {
        let d = try driver ?? CUDADriver.shared(configuration)
        self.driver = d
        let devices = try CUDADiscovery.devices(driver: d)
        guard devices.indices.contains(deviceIndex) else {
            throw GPUDeviceNotFound(backend: "CUDA", index: deviceIndex, count: devices.count)
        }
        device = devices[deviceIndex]
        tpbRequested = max(1, tpb)

        var dev: Int32 = 0
        try d.check(d.deviceGet(&dev, Int32(deviceIndex)), "cuDeviceGet")
        cuDevice = dev
        // Wait for kernels by sleeping, not spinning, so CPU workers keep their cores. Best effort:
        // it fails harmlessly when another user of the primary context already set flags.
        _ = d.primaryCtxSetFlags(dev, CUDADriver.ctxSchedBlockingSync)
        var ctx: OpaquePointer?
        try d.check(d.primaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain")
        var mod: OpaquePointer?
        var bestPtr: UInt64 = 0
        var ok = false
        defer {
            if !ok {
                if bestPtr != 0 { _ = d.memFree(bestPtr) }
                if let mod { _ = d.moduleUnload(mod) }
                _ = d.primaryCtxRelease(dev)
            }
        }
        context = ctx!
        try d.check(d.ctxSetCurrent(ctx), "cuCtxSetCurrent")

        var image = try (compile ?? { try CUDAKernelBuild.image(for: $0, configuration: configuration) })(device)
        do {
            mod = try Self.load(image, driver: d)
        } catch let loadError where image.prebuilt {
            // A driver that refuses the carried cubin (too old for it, say): compile here instead, if NVRTC is at hand.
            do { image = try CUDAKernelBuild.image(for: device, configuration: configuration, allowPrebuilt: false) } catch { throw loadError }
            mod = try Self.load(image, driver: d)
        }
        build = "\(image.kind.rawValue) \(image.target) by \(image.compiler)"
        module = mod!

        var fns: [OpaquePointer] = []
        for name in CUDAKernelBuild.kernelNames {
            var f: OpaquePointer?
            try d.check(d.moduleGetFunction(&f, mod, name), "cuModuleGetFunction(\(name))")
            fns.append(f!)
        }
        functions = fns
        var symbol: UInt64 = 0, symbolSize = 0
        try d.check(d.moduleGetGlobal(&symbol, &symbolSize, mod, CUDAKernelBuild.constantsSymbol), "cuModuleGetGlobal(\(CUDAKernelBuild.constantsSymbol))")
        guard symbolSize == SealKernelParams.size else {
            throw CUDAError(call: "cuModuleGetGlobal(\(CUDAKernelBuild.constantsSymbol))", code: -1, name: "BTPOW_LAYOUT_MISMATCH",
                            message: "the kernel's constants are \(symbolSize) bytes, the host packs \(SealKernelParams.size)")
        }
        constants = symbol
        try d.check(d.memAlloc(&bestPtr, 4), "cuMemAlloc")
        best = bestPtr

        // Threads per block: the request, within what both kernels allow, in whole warps.
        var limit = device.maxThreadsPerBlock
        for f in fns {
            var v: Int32 = 0
            try d.check(d.funcGetAttribute(&v, CUDADriver.funcAttrMaxThreadsPerBlock, f), "cuFuncGetAttribute")
            limit = min(limit, Int(v))
        }
        var threads = max(1, min(tpbRequested, limit))
        if threads >= 32 { threads -= threads % 32 }
        threadsPerBlock = threads
        // Fill the device: as many blocks as can be resident on every multiprocessor at once.
        var resident = Int.max
        for f in fns {
            var n: Int32 = 0
            try d.check(d.occupancy(&n, f, Int32(threads), 0), "cuOccupancyMaxActiveBlocksPerMultiprocessor")
            resident = min(resident, Int(n))
        }
        blocks = max(1, device.multiprocessors) * max(1, resident)
        ok = true
    }

    /// Loads a cubin or PTX; a JIT failure carries the driver's log.
    static func load(_ image: CUDAModuleImage, driver d: CUDADriver) throws -> OpaquePointer {
        var module: OpaquePointer?
        var log = [CChar](repeating: 0, count: 8192)
        var options: [Int32] = [CUDADriver.jitErrorLogBuffer, CUDADriver.jitErrorLogBufferSizeBytes]
        let rc: Int32 = log.withUnsafeMutableBufferPointer { logBuffer in
            var values: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(logBuffer.baseAddress),
                                                      UnsafeMutableRawPointer(bitPattern: logBuffer.count)]
            return image.bytes.withUnsafeBytes { d.moduleLoadDataEx(&module, $0.baseAddress, 2, &options, &values) }
        }
        if rc != CUDADriver.success {
            var e = d.error(rc, "cuModuleLoadDataEx(\(image.kind.rawValue) \(image.target))")
            let text = String(cString: log)
            if !text.isEmpty { e = CUDAError(call: e.call, code: e.code, name: e.name, message: e.message + ": " + text) }
            if rc == 222 {   // CUDA_ERROR_UNSUPPORTED_PTX_VERSION: NVRTC is newer than the driver
                e = CUDAError(call: e.call, code: e.code, name: e.name, message: e.message
                              + " (the NVIDIA driver is older than \(image.compiler): update the driver, or use an NVRTC no newer than it)")
            }
            throw e
        }
        return module!
    }

    deinit {
        _ = driver.ctxSetCurrent(context)
        _ = driver.memFree(best)
        _ = driver.moduleUnload(module)
        _ = driver.primaryCtxRelease(cuDevice)
    }

    /// bittensor's Python CUDA batch: `update_interval × tpb` nonces.
    public func batchSize(updateInterval: UInt64) -> UInt64 {
        GPUBatching.batchSize(updateInterval: updateInterval, threadsPerBlock: tpbRequested)
    }

    /// Searches `count` nonces from `start`: the lowest solution of the first launch that has one
    /// (launches go in nonce order, so it is the batch's lowest), and exactly how many nonces that covers.
    public func search(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) throws -> BatchResult {
        try driver.check(driver.ctxSetCurrent(context), "cuCtxSetCurrent")
        let params = SealKernelParams(challenge, target: target)
        if uploaded != params {
            try params.bytes.withUnsafeBytes {
                try driver.check(driver.memcpyHtoD(constants, $0.baseAddress, SealKernelParams.size), "cuMemcpyHtoD(constants)")
            }
            uploaded = params
        }
        let function = functions[challenge.scheme == .legacy ? 0 : 1]
        return try GPUBatching.search(start: start, count: count, maxLaunch: maxLaunch) { s, n in
            try launch(function, start: s, count: n)
        }
    }

    /// One launch over `count` nonces; the lowest solving offset, or nil.
    func launch(_ function: OpaquePointer, start: UInt64, count: UInt32) throws -> UInt32? {
        try driver.check(driver.memsetD32(best, GPUBatching.noSolution, 1), "cuMemsetD32(result)")
        let needed = (Int(count) + threadsPerBlock - 1) / threadsPerBlock
        let grid = UInt32(max(1, min(blocks, needed)))
        var s = start, c = count, b = best
        let rc: Int32 = withUnsafeMutablePointer(to: &s) { sp in
            withUnsafeMutablePointer(to: &c) { cp in
                withUnsafeMutablePointer(to: &b) { bp in
                    var args: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(sp), UnsafeMutableRawPointer(cp), UnsafeMutableRawPointer(bp)]
                    return driver.launchKernel(function, grid, 1, 1, UInt32(threadsPerBlock), 1, 1, 0, nil, &args, nil)
                }
            }
        }
        try driver.check(rc, "cuLaunchKernel")
        var result = GPUBatching.noSolution
        // Synchronous copy on the default stream: waits for the kernel, and reports its faults.
        try driver.check(driver.memcpyDtoH(&result, best, 4), "cuMemcpyDtoH(result)")
        return result == GPUBatching.noSolution ? nil : result
    }
}
