#if canImport(Glibc)
import Glibc
#endif
import PoWCore

/// Compiled kernel images on disk, in the folder `GPUConfiguration.kernelCacheDirectory` names. Keyed by SHA-256 of
/// the source, the compiler and its options, so an edited kernel or another NVRTC never reuses a stale image.
/// Failures only mean a recompile.
struct KernelImageCache {
    let directory: String

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
