import Foundation
import XCTest
@testable import GPUSolver
import LibraryLoading
import FakeCUDA

/// Where this test run finds NVRTC: `BTPOW_NVRTC_LIBRARY` (CI points it at PyPI's wheel), else the usual places.
let testGPUConfiguration = GPUConfiguration(nvrtcLibrary: ProcessInfo.processInfo.environment["BTPOW_NVRTC_LIBRARY"])

/// NVRTC compiles without a GPU: where it is installed (BTPOW_NVRTC_LIBRARY, or a CUDA toolkit),
/// the shared kernel source is compiled for the H100's sm_90 exactly as `--cuda` does on a GPU.
final class NVRTCTests: XCTestCase {
    func nvrtcOrSkip() throws -> NVRTC {
        do { return try NVRTC.shared(testGPUConfiguration) } catch let e as GPUUnavailable {
            throw XCTSkip("NVRTC not installed (set BTPOW_NVRTC_LIBRARY to libnvrtc.so to run this): \(e)")
        }
    }

    static func device(major: Int, minor: Int) -> CUDADeviceInfo {
        CUDADeviceInfo(index: 0, name: "test", computeCapabilityMajor: major, computeCapabilityMinor: minor, multiprocessors: 132,
                       maxThreadsPerMultiprocessor: 2048, maxThreadsPerBlock: 1024, clockMHz: 1980, totalMemoryBytes: 80 << 30)
    }

    func testMissingLibrarySaysWhatToInstall() {
        XCTAssertThrowsError(try NVRTC(candidates: ["/nonexistent/libnvrtc.so.12"])) { error in
            guard let e = error as? GPUUnavailable else { return XCTFail("\(error)") }
            XCTAssertEqual(e.backend, "CUDA")
            XCTAssertTrue(e.description.contains("NVRTC") && e.description.contains("install"), e.description)
            XCTAssertFalse(e.description.contains("\n"))
        }
    }

    func testTargetChoice() {
        let archs = [75, 80, 86, 87, 89, 90]
        XCTAssertEqual(NVRTC.target(device: 90, supported: archs, cubinAvailable: true)?.arch, 90)
        XCTAssertEqual(NVRTC.target(device: 90, supported: archs, cubinAvailable: true)?.cubin, true)
        // A device newer than this NVRTC: PTX for the newest architecture it knows, finished by the driver.
        XCTAssertEqual(NVRTC.target(device: 120, supported: archs, cubinAvailable: true)?.arch, 90)
        XCTAssertEqual(NVRTC.target(device: 120, supported: archs, cubinAvailable: true)?.cubin, false)
        XCTAssertNil(NVRTC.target(device: 70, supported: archs, cubinAvailable: true))
        XCTAssertEqual(NVRTC.target(device: 86, supported: nil, cubinAvailable: false)?.cubin, false)
    }

    func testKernelCompilesForHopper() throws {
        let nvrtc = try nvrtcOrSkip()
        let image = try CUDAKernelBuild.image(for: Self.device(major: 9, minor: 0), nvrtc: nvrtc)
        XCTAssertEqual(image.kind, .cubin)
        XCTAssertEqual(image.target, "sm_90")
        XCTAssertEqual(Array(image.bytes.prefix(4)), [0x7f, 0x45, 0x4c, 0x46], "a cubin is an ELF file")
        // PTX for the same source names both kernels and the constants symbol.
        let ptx = try nvrtc.compile(source: SealKernelSource.text, name: "seal_kernel.h", arch: 90, cubin: false)
        let text = String(decoding: ptx.bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        for name in CUDAKernelBuild.kernelNames { XCTAssertTrue(text.contains(".entry \(name)"), name) }
        XCTAssertTrue(text.contains(".const .align 8 .b8 \(CUDAKernelBuild.constantsSymbol)[168]"), "sk_const is 168 bytes in constant memory")
        XCTAssertFalse(text.contains(".local"), "no local-memory spills of the state arrays")
    }

    func testCompileErrorCarriesTheLog() throws {
        let nvrtc = try nvrtcOrSkip()
        XCTAssertThrowsError(try nvrtc.compile(source: "extern \"C\" __global__ void k( { }", name: "bad.cu", arch: 90, cubin: true)) { error in
            guard let e = error as? NVRTCError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.message, "NVRTC_ERROR_COMPILATION")
            XCTAssertTrue(e.log.contains("bad.cu"), e.log)
        }
    }

    /// An NVRTC newer than the driver's CUDA major version is tried last (an older driver refuses its output).
    func testSonamesNoNewerThanTheDriverComeFirst() {
        XCTAssertEqual(NVRTC.ordered(NVRTC.sonames, driverMajor: nil), NVRTC.sonames)
        XCTAssertEqual(NVRTC.ordered(NVRTC.sonames, driverMajor: 13).first, "libnvrtc.so.13")
        XCTAssertEqual(NVRTC.ordered(NVRTC.sonames, driverMajor: 12),
                       ["libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so", "libnvrtc.so.13"])
        // Across folders too: a CUDA 13 toolkit's library goes after a pip wheel's 12 for a CUDA 12 driver.
        let paths = ["/usr/local/cuda/lib64/libnvrtc.so.13", "/venv/nvidia/cuda_nvrtc/lib/libnvrtc.so.12", "/x/libnvrtc.so"]
        XCTAssertEqual(NVRTC.ordered(paths, driverMajor: 12),
                       ["/venv/nvidia/cuda_nvrtc/lib/libnvrtc.so.12", "/x/libnvrtc.so", "/usr/local/cuda/lib64/libnvrtc.so.13"])
    }

    /// pip's nvidia-cuda-nvrtc-cu12 wheel under a configured Python prefix (~/.local, a venv) is found.
    func testFindsThePipWheelUnderAPythonPrefix() throws {
        let home = NSTemporaryDirectory() + "btpow-home-\(getpid())"
        let lib = home + "/.local/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib"
        try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: lib + "/libnvrtc.so.12", contents: Data())
        defer { try? FileManager.default.removeItem(atPath: home) }
        let configuration = GPUConfiguration(pythonPrefixes: [home + "/.local"])
        XCTAssertTrue(NVRTC.wheelFolders(pythonPrefixes: configuration.pythonPrefixes).contains(lib))
        XCTAssertTrue(NVRTC.candidates(configuration).contains(lib + "/libnvrtc.so.12"))
        XCTAssertFalse(NVRTC.candidates().contains(lib + "/libnvrtc.so.12"), "nothing is found where nothing was configured")
        XCTAssertEqual(NVRTC.candidates(GPUConfiguration(nvrtcLibrary: "/x/libnvrtc.so")).first, "/x/libnvrtc.so")
    }
}

final class KernelImageCacheTests: XCTestCase {
    func testStoreLoadAndRejectDamage() throws {
        let dir = NSTemporaryDirectory() + "btpow-cache-test-\(getpid())/a/b"
        defer { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "btpow-cache-test-\(getpid())") }
        let cache = KernelImageCache(directory: dir)
        let nvrtc = try NVRTC(symbols: SymbolTable(path: "fake-libnvrtc") { fake_cuda_symbol($0) })
        let key = KernelImageCache.key(["source", "options"])
        XCTAssertEqual(key.count, 40)
        XCTAssertNotEqual(key, KernelImageCache.key(["source", "options "]))
        XCTAssertNil(cache.load(key: key, cubin: true, arch: 90, compiler: nvrtc))
        let cubin = CUDAModuleImage(kind: .cubin, target: "sm_90", bytes: [0x7f, 0x45, 0x4c, 0x46, 1, 2, 3], log: "", compiler: "x")
        cache.store(cubin, key: key)
        let loaded = try XCTUnwrap(cache.load(key: key, cubin: true, arch: 90, compiler: nvrtc))
        XCTAssertEqual(loaded.bytes, cubin.bytes)
        XCTAssertEqual(loaded.target, "sm_90")
        // A file that is not an ELF image is ignored (recompiled), never loaded into the driver.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: cache.path(key, cubin: true)))
        XCTAssertNil(cache.load(key: key, cubin: true, arch: 90, compiler: nvrtc))
        let ptx = CUDAModuleImage(kind: .ptx, target: "compute_90", bytes: Array(".version 8.8\n".utf8) + [0], log: "", compiler: "x")
        cache.store(ptx, key: key)
        XCTAssertEqual(cache.load(key: key, cubin: false, arch: 90, compiler: nvrtc)?.bytes, ptx.bytes)
    }

}
