import XCTest
import CCUDAImages
import FakeCUDA
import GPUSolver
import LibraryLoading
import PoWCore
import PoWSolver

/// The cubins carried in the binary: made from this kernel source, real CUDA ELF files for the architecture they
/// name holding both kernels and the 168-byte constants, chosen by architecture, and used without NVRTC.
final class PrebuiltCUDAImagesTests: XCTestCase {
    override func setUp() { fake_cuda_reset() }
    override func tearDown() { fake_cuda_reset() }

    func testImagesWereBuiltFromThisKernelSource() {
        XCTAssertTrue(PrebuiltCUDAImages.matchSource,
                      "Sources/CCUDAImages is stale for the kernel source: run tools/regenerate.sh")
        XCTAssertEqual(PrebuiltCUDAImages.architectures, [70, 75, 80, 90, 100, 120])
        XCTAssertTrue(PrebuiltCUDAImages.compiler.hasPrefix("NVRTC "), PrebuiltCUDAImages.compiler)
    }

    /// Reads each image as ELF: machine EM_CUDA (190), the sm number in e_flags, and the symbol table.
    func testEachImageIsACubinForItsArchitectureWithBothKernels() throws {
        for (index, arch) in PrebuiltCUDAImages.architectures.enumerated() {
            let entry = try XCTUnwrap(btpow_cuda_image_at(Int32(index)))
            let b = [UInt8](UnsafeBufferPointer(start: entry.pointee.bytes, count: entry.pointee.size))
            XCTAssertEqual(Array(b[0 ..< 5]), [0x7f, 0x45, 0x4c, 0x46, 2], "sm_\(arch): a 64-bit ELF file")
            func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
            func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
            func u64(_ o: Int) -> Int { u32(o) | u32(o + 4) << 32 }
            XCTAssertEqual(u16(18), 190, "sm_\(arch): e_machine EM_CUDA")
            let flags = u32(48), abi = Int(b[8])
            XCTAssertEqual(abi >= 8 ? (flags >> 8) & 0xff : flags & 0xff, arch, "sm_\(arch): e_flags names the architecture")

            // Symbols: .symtab entries (24 bytes) with names in the string table its sh_link names.
            let shoff = u64(40), shentsize = u16(58), shnum = u16(60)
            var symbols: [String: Int] = [:]
            for i in 0 ..< shnum where u32(shoff + i * shentsize + 4) == 2 {   // SHT_SYMTAB
                let sh = shoff + i * shentsize
                let offset = u64(sh + 24), size = u64(sh + 32), link = u32(sh + 40)
                let strtab = u64(shoff + link * shentsize + 24)
                for s in stride(from: offset, to: offset + size, by: 24) {
                    var end = strtab + u32(s)
                    while b[end] != 0 { end += 1 }
                    symbols[String(decoding: b[(strtab + u32(s)) ..< end], as: UTF8.self)] = u64(s + 16)
                }
            }
            for name in CUDAKernelBuild.kernelNames { XCTAssertNotNil(symbols[name], "sm_\(arch): kernel \(name)") }
            XCTAssertEqual(symbols[CUDAKernelBuild.constantsSymbol], 168, "sm_\(arch): sk_const is 168 bytes")
        }
    }

    func testArchitectureChoice() {
        let cases: [(device: Int, image: Int?)] = [(90, 90), (86, 80), (89, 80), (80, 80), (87, 80), (75, 75), (72, 70),
                                                     (70, 70), (103, 100), (100, 100), (121, 120), (120, 120),
                                                     (61, nil), (110, nil), (95, 90)]
        for c in cases { XCTAssertEqual(PrebuiltCUDAImages.architecture(forDevice: c.device), c.image, "sm_\(c.device)") }
    }

    func fakeDriver() throws -> CUDADriver {
        try CUDADriver(symbols: SymbolTable(path: "fake-libcuda") { fake_cuda_symbol($0) })
    }

    /// No compiler given: the searcher loads the carried sm_80 cubin on an 8.6 device and solves with it.
    func testSearcherLoadsThePrebuiltCubinWithoutNVRTC() throws {
        fake_cuda_set_compute_capability(8, 6)
        let searcher = try CUDASearcher(deviceIndex: 0, threadsPerBlock: 64, driver: try fakeDriver())
        XCTAssertTrue(searcher.build.contains("cubin sm_80"), searcher.build)
        XCTAssertTrue(searcher.build.contains("prebuilt"), searcher.build)
        XCTAssertEqual(fake_cuda_last_image_size(), btpow_cuda_image_at(2)!.pointee.size, "the whole sm_80 image was handed to the driver")
        let work = SolverWork(challenge: .legacy(LegacyChallenge(blockHash: .zero, hotkey: .zero)), difficulty: 1000, blockNumber: 1)
        let result = try searcher.search(work.challenge.prepared, target: work.target, start: 0, count: 200_000)
        let nonce = try XCTUnwrap(result.nonce)
        XCTAssertNotNil(work.verifiedSolution(nonce: nonce))
    }

    /// A driver that refuses the carried cubin: the searcher compiles with NVRTC where it can, else reports the
    /// driver's refusal.
    func testRefusedPrebuiltCubinFallsBackToNVRTC() throws {
        fake_cuda_fail_once("cuModuleLoadDataEx", 209)   // CUDA_ERROR_NO_BINARY_FOR_GPU
        // The configuration names no kernel cache: a real compile here lands nowhere on disk.
        if (try? NVRTC.shared(testGPUConfiguration)) != nil {
            let searcher = try CUDASearcher(deviceIndex: 0, threadsPerBlock: 64, configuration: testGPUConfiguration, driver: try fakeDriver())
            XCTAssertFalse(searcher.build.contains("prebuilt"), searcher.build)
            XCTAssertTrue(searcher.build.hasPrefix("cubin sm_90 by NVRTC"), searcher.build)
        } else {
            XCTAssertThrowsError(try CUDASearcher(deviceIndex: 0, threadsPerBlock: 64, configuration: testGPUConfiguration,
                                                  driver: try fakeDriver())) { error in
                XCTAssertEqual((error as? CUDAError)?.code, 209, "\(error)")
            }
        }
    }
}
