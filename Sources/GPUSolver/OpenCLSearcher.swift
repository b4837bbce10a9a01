import PoWCore
import PoWSolver

/// A worker that searches nonces on one OpenCL device with the shared kernel source.
///
/// Everything is created once (context, queue, program, both kernels, the constants buffer and the
/// result word); a batch only writes the constants when the challenge changed, resets the result
/// word, launches and reads the word back.
public final class OpenCLSearcher: NonceSearcher {
    public let device: OpenCLDeviceInfo
    /// Work-items per work-group (`--tpb`), after the kernel's own limit.
    public let threadsPerBlock: Int
    /// Work-items per launch when the batch is large enough.
    public let globalSize: Int
    /// bittensor's Python batch factor: a batch is `updateInterval × tpbRequested` nonces.
    public let tpbRequested: Int

    private let api: OpenCLAPI
    private let context: OpaquePointer
    private let queue: OpaquePointer
    private let program: OpaquePointer
    private let kernels: [OpaquePointer]   // legacy, v1
    private let paramsBuffer: OpaquePointer
    private let bestBuffer: OpaquePointer
    private var uploaded: SealKernelParams?
    /// Nonces per launch at most; a batch larger than this is several launches in nonce order.
    public var maxLaunch: UInt64 = GPUBatching.maxLaunch {
        didSet { maxLaunch = min(max(1, maxLaunch), GPUBatching.maxLaunch) }
    }

    public var label: String { "opencl:\(device.index)" }

    /// Builds the kernel for device `deviceIndex` (as `btpow devices` numbers them).
    /// `source` is for tests (a source that does not build); `groupsPerComputeUnit` overrides the work-groups
    /// per compute unit.
    public init(deviceIndex: Int, threadsPerBlock tpb: Int = 256, configuration: GPUConfiguration = GPUConfiguration(),
                api: OpenCLAPI? = nil, source: String = SealKernelSource.text, groupsPerComputeUnit: Int? = nil) throws {
        let api = try api ?? OpenCLAPI.shared(configuration)
        self.api = api
        let all = try OpenCLDiscovery.found(api: api)
        guard all.indices.contains(deviceIndex) else {
            throw GPUDeviceNotFound(backend: "OpenCL", index: deviceIndex, count: all.count)
        }
        let found = all[deviceIndex]
        device = found.info
        tpbRequested = max(1, tpb)

        var err: Int32 = 0
        var deviceID: OpaquePointer? = found.device
        guard let ctx = api.createContext(nil, 1, &deviceID, nil, nil, &err), err == 0 else {
            throw OpenCLError(call: "clCreateContext", code: err)
        }
        context = ctx
        guard let q = api.createCommandQueue(ctx, found.device, 0, &err), err == 0 else {
            _ = api.releaseContext(ctx)
            throw OpenCLError(call: "clCreateCommandQueue", code: err)
        }
        queue = q
        do {
            program = try Self.build(api: api, context: ctx, device: found.device, source: source)
        } catch {
            _ = api.releaseCommandQueue(q); _ = api.releaseContext(ctx)
            throw error
        }
        var ks: [OpaquePointer] = []
        var pbuf: OpaquePointer?, bbuf: OpaquePointer?
        do {
            for name in ["sk_search_legacy", "sk_search_v1"] {
                guard let k = api.createKernel(program, name, &err), err == 0 else { throw OpenCLError(call: "clCreateKernel(\(name))", code: err) }
                ks.append(k)
            }
            pbuf = api.createBuffer(ctx, OpenCLAPI.memReadOnly, SealKernelParams.size, nil, &err)
            try api.check(err, "clCreateBuffer(params)")
            bbuf = api.createBuffer(ctx, OpenCLAPI.memReadWrite, 4, nil, &err)
            try api.check(err, "clCreateBuffer(result)")
        } catch {
            for k in ks { _ = api.releaseKernel(k) }
            if let pbuf { _ = api.releaseMemObject(pbuf) }
            _ = api.releaseProgram(program); _ = api.releaseCommandQueue(q); _ = api.releaseContext(ctx)
            throw error
        }
        kernels = ks
        paramsBuffer = pbuf!
        bestBuffer = bbuf!

        var kernelLimit = 0
        for k in ks {
            var limit = 0
            try api.check(withUnsafeMutableBytes(of: &limit) {
                api.getKernelWorkGroupInfo(k, found.device, OpenCLAPI.kernelWorkGroupSize, MemoryLayout<Int>.size, $0.baseAddress, nil)
            }, "clGetKernelWorkGroupInfo")
            kernelLimit = kernelLimit == 0 ? limit : min(kernelLimit, limit)
        }
        let local = max(1, min(tpbRequested, kernelLimit, device.maxWorkGroupSize))
        threadsPerBlock = local
        // Fill the device: GPUs want many resident groups per compute unit; a CPU runs one per core.
        let groupsPerUnit = groupsPerComputeUnit.map { max(1, $0) } ?? (device.isGPU ? max(1, 2048 / local) : 2)
        globalSize = max(1, Int(device.computeUnits)) * groupsPerUnit * local
    }

    static func build(api: OpenCLAPI, context: OpaquePointer, device: OpaquePointer, source: String) throws -> OpaquePointer {
        var err: Int32 = 0
        let program: OpaquePointer? = source.withCString { src in
            var s: UnsafePointer<CChar>? = src
            return api.createProgramWithSource(context, 1, &s, nil, &err)
        }
        guard let program, err == 0 else { throw OpenCLError(call: "clCreateProgramWithSource", code: err) }
        var dev: OpaquePointer? = device
        let rc = api.buildProgram(program, 1, &dev, "-cl-std=CL1.2", nil, nil)
        if rc != 0 {
            let log = (try? Self.buildLog(api: api, program: program, device: device)) ?? ""
            _ = api.releaseProgram(program)
            throw OpenCLError(call: "clBuildProgram", code: rc, log: log)
        }
        return program
    }

    static func buildLog(api: OpenCLAPI, program: OpaquePointer, device: OpaquePointer) throws -> String {
        var size = 0
        try api.check(api.getProgramBuildInfo(program, device, OpenCLAPI.programBuildLog, 0, nil, &size), "clGetProgramBuildInfo")
        var buffer = [CChar](repeating: 0, count: size + 1)
        try api.check(api.getProgramBuildInfo(program, device, OpenCLAPI.programBuildLog, size, &buffer, nil), "clGetProgramBuildInfo")
        return String(cString: buffer).trimmedWhitespace
    }

    deinit {
        _ = api.releaseMemObject(bestBuffer)
        _ = api.releaseMemObject(paramsBuffer)
        for k in kernels { _ = api.releaseKernel(k) }
        _ = api.releaseProgram(program)
        _ = api.releaseCommandQueue(queue)
        _ = api.releaseContext(context)
    }

    /// bittensor's Python CUDA batch: `update_interval × tpb` nonces.
    public func batchSize(updateInterval: UInt64) -> UInt64 {
        GPUBatching.batchSize(updateInterval: updateInterval, threadsPerBlock: tpbRequested)
    }

    /// Searches `count` nonces from `start` and returns the lowest solution of the first launch
    /// that has one (launches go in nonce order, so it is the lowest of the batch).
    public func search(_ challenge: PreparedChallenge, target: SealTarget, start: UInt64, count: UInt64) throws -> BatchResult {
        let params = SealKernelParams(challenge, target: target)
        if uploaded != params {
            try params.bytes.withUnsafeBytes {
                try api.check(api.enqueueWriteBuffer(queue, paramsBuffer, 1, 0, SealKernelParams.size, $0.baseAddress, 0, nil, nil),
                              "clEnqueueWriteBuffer(params)")
            }
            uploaded = params
        }
        let kernel = kernels[challenge.scheme == .legacy ? 0 : 1]
        return try GPUBatching.search(start: start, count: count, maxLaunch: maxLaunch) { s, n in
            try launch(kernel, start: s, count: n)
        }
    }

    /// One launch over `count` nonces; the lowest solving offset, or nil.
    func launch(_ kernel: OpaquePointer, start: UInt64, count: UInt32) throws -> UInt32? {
        var best = GPUBatching.noSolution
        try api.check(api.enqueueWriteBuffer(queue, bestBuffer, 1, 0, 4, &best, 0, nil, nil), "clEnqueueWriteBuffer(result)")
        var p: OpaquePointer? = paramsBuffer, b: OpaquePointer? = bestBuffer
        var s = start, c = count
        try api.check(api.setKernelArg(kernel, 0, MemoryLayout<OpaquePointer>.size, &p), "clSetKernelArg(0)")
        try api.check(api.setKernelArg(kernel, 1, 8, &s), "clSetKernelArg(1)")
        try api.check(api.setKernelArg(kernel, 2, 4, &c), "clSetKernelArg(2)")
        try api.check(api.setKernelArg(kernel, 3, MemoryLayout<OpaquePointer>.size, &b), "clSetKernelArg(3)")
        let local = threadsPerBlock
        let needed = (Int(count) + local - 1) / local * local
        var global = min(globalSize, needed)
        var localSize = local
        try api.check(api.enqueueNDRangeKernel(queue, kernel, 1, nil, &global, &localSize, 0, nil, nil), "clEnqueueNDRangeKernel")
        try api.check(api.enqueueReadBuffer(queue, bestBuffer, 1, 0, 4, &best, 0, nil, nil), "clEnqueueReadBuffer(result)")
        return best == GPUBatching.noSolution ? nil : best
    }
}
