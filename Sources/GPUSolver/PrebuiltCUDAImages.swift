import CCUDAImages
import PoWCore

/// The seal kernel's cubins carried in the binary (Sources/CCUDAImages, made by tools/gen_cuda_images.py from
/// this binary's kernel source), so that CUDA runs where only the NVIDIA driver is installed: NVRTC is then
/// needed only for an architecture without one, or when asked for (`GPUConfiguration.alwaysCompile`, `nvrtcOptions`).
public enum PrebuiltCUDAImages {
    /// sm numbers with a cubin, e.g. [70, 75, 80, 90, 100, 120].
    public static let architectures: [Int] = (0 ..< Int(btpow_cuda_image_count())).compactMap { i in
        btpow_cuda_image_at(Int32(i)).map { Int($0.pointee.arch) }
    }

    public static var sourceSHA256: String { String(cString: btpow_cuda_images_source_sha256()) }
    public static var compiler: String { String(cString: btpow_cuda_images_compiler()) }

    /// Whether the images were compiled from `SealKernelSource.text`; if not (a kernel edit without rerunning
    /// the generator, which a test catches), they are never used.
    public static let matchSource: Bool =
        sourceSHA256 == Hex.encode(SHA256.hash(Array(SealKernelSource.text.utf8)), prefix: false)

    /// The cubin architecture that runs on a device of architecture `device` (major × 10 + minor): the highest
    /// one of the same major version not above it (cubins run on later minor versions of their major).
    public static func architecture(forDevice device: Int) -> Int? {
        architectures.filter { $0 / 10 == device / 10 && $0 <= device }.max()
    }

    /// The cubin for `device`, or nil when none fits (or the images are stale).
    public static func image(for device: CUDADeviceInfo) -> CUDAModuleImage? {
        guard matchSource, let arch = architecture(forDevice: device.archNumber),
              let index = architectures.firstIndex(of: arch), let entry = btpow_cuda_image_at(Int32(index)) else { return nil }
        let bytes = [UInt8](UnsafeBufferPointer(start: entry.pointee.bytes, count: entry.pointee.size))
        return CUDAModuleImage(kind: .cubin, target: "sm_\(arch)", bytes: bytes, log: "", compiler: "\(compiler), prebuilt",
                               prebuilt: true)
    }
}
