/// Where the GPU libraries are and how CUDA kernels are built. GPUSolver reads no environment: its caller fills
/// this in (the btpow CLI from its `BTPOW_*` variables, docs/GPU.md). The default searches the usual places.
public struct GPUConfiguration: Sendable, Hashable {
    /// libcuda.so.1, tried before the driver's sonames and folders.
    public var cudaLibrary: String?
    /// libnvrtc.so, tried before the sonames and folders NVRTC is looked for in.
    public var nvrtcLibrary: String?
    /// libOpenCL.so.1, tried before the loader's sonames.
    public var openCLLibrary: String?
    /// CUDA toolkit roots (e.g. `$CUDA_HOME`): their `lib64` and `lib` are searched for NVRTC.
    public var cudaToolkitRoots: [String]
    /// Python prefixes (a venv, `~/.local`) whose site-packages may hold the `nvidia-cuda-nvrtc-cu12` wheel.
    public var pythonPrefixes: [String]
    /// Compile with NVRTC even where the binary carries a cubin for the device.
    public var alwaysCompile: Bool
    /// Extra NVRTC options (e.g. `--maxrregcount=64`); any option implies a compile.
    public var nvrtcOptions: [String]
    /// Where compiled kernels are kept between runs; nil keeps none.
    public var kernelCacheDirectory: String?

    public init(cudaLibrary: String? = nil, nvrtcLibrary: String? = nil, openCLLibrary: String? = nil,
                cudaToolkitRoots: [String] = [], pythonPrefixes: [String] = [], alwaysCompile: Bool = false,
                nvrtcOptions: [String] = [], kernelCacheDirectory: String? = nil) {
        self.cudaLibrary = cudaLibrary
        self.nvrtcLibrary = nvrtcLibrary
        self.openCLLibrary = openCLLibrary
        self.cudaToolkitRoots = cudaToolkitRoots
        self.pythonPrefixes = pythonPrefixes
        self.alwaysCompile = alwaysCompile
        self.nvrtcOptions = nvrtcOptions
        self.kernelCacheDirectory = kernelCacheDirectory
    }

    /// Whether a kernel must come from NVRTC rather than a carried cubin.
    var compileRequested: Bool { alwaysCompile || !nvrtcOptions.isEmpty }
}
