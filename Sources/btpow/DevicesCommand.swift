import ArgumentParser
import Foundation
import GPUSolver

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the GPUs each backend sees (--cuda, --opencl), or why none are visible."
    )

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct CUDAReport: Encodable {
        var available = false
        var reason: String?
        var library: String?
        var driver_version: String?
        var nvrtc: String?
        var nvrtc_available = false
        /// The cubins the binary carries (used without NVRTC).
        var prebuilt = PrebuiltCUDAImages.architectures.map { "sm_\($0)" }
        var devices: [CUDADeviceEntry] = []
    }
    struct CUDADeviceEntry: Encodable {
        let index: Int, name: String, compute_capability: String, multiprocessors: Int, memory_bytes: UInt64, clock_mhz: Int
        /// Where its kernel comes from: "prebuilt sm_80", "NVRTC", or why there is none.
        let kernel: String
    }
    struct OpenCLReport: Encodable {
        var available = false
        var reason: String?
        var library: String?
        var devices: [OpenCLDeviceEntry] = []
    }
    struct OpenCLDeviceEntry: Encodable {
        let index: Int, name: String, platform: String, version: String, opencl_c_version: String, type: String
        let compute_units: UInt32, memory_bytes: UInt64, clock_mhz: UInt32
    }
    struct Report: Encodable { let cuda: CUDAReport; let opencl: OpenCLReport }

    static func cudaReport(_ configuration: GPUConfiguration) -> CUDAReport {
        var r = CUDAReport()
        do {
            let driver = try CUDADriver.shared(configuration)
            r.library = driver.library.path
            r.driver_version = "\(driver.version / 1000).\(driver.version % 1000 / 10)"
            var haveNVRTC = false
            do {
                let nvrtc = try NVRTC.shared(configuration)
                r.nvrtc = "NVRTC \(nvrtc.version.major).\(nvrtc.version.minor) (\(nvrtc.library.path))"
                haveNVRTC = true
            } catch { r.nvrtc = "no usable NVRTC (needed only for GPUs without a prebuilt cubin): \(gpuMessage(error))" }
            r.nvrtc_available = haveNVRTC
            r.devices = try CUDADiscovery.devices(driver: driver).map {
                let kernel = CUDAKernelBuild.prebuiltArchitecture(forDevice: $0.archNumber, configuration: configuration).map { "prebuilt sm_\($0)" }
                    ?? (haveNVRTC ? "NVRTC" : "none: no prebuilt cubin for compute \($0.computeCapability) and no NVRTC (\(NVRTC.remedy))")
                return CUDADeviceEntry(index: $0.index, name: $0.name, compute_capability: $0.computeCapability,
                                       multiprocessors: $0.multiprocessors, memory_bytes: $0.totalMemoryBytes, clock_mhz: $0.clockMHz,
                                       kernel: kernel)
            }
            r.available = true
        } catch { r.reason = gpuMessage(error) }
        return r
    }

    static func openCLReport(_ configuration: GPUConfiguration) -> OpenCLReport {
        var r = OpenCLReport()
        do {
            let api = try OpenCLAPI.shared(configuration)
            r.library = api.library.path
            r.devices = try OpenCLDiscovery.devices(api: api).map {
                OpenCLDeviceEntry(index: $0.index, name: $0.name, platform: $0.platform, version: $0.version,
                                  opencl_c_version: $0.openclCVersion, type: $0.isGPU ? "gpu" : $0.isCPU ? "cpu" : "other",
                                  compute_units: $0.computeUnits, memory_bytes: $0.globalMemoryBytes, clock_mhz: $0.clockMHz)
            }
            r.available = true
        } catch { r.reason = gpuMessage(error) }
        return r
    }

    func run() async throws {
        let configuration = GPUConfiguration.fromEnvironment()
        let report = Report(cuda: Self.cudaReport(configuration), opencl: Self.openCLReport(configuration))
        if json { try Console.printJSON(report); return }
        func gib(_ b: UInt64) -> String { String(format: "%.1f GiB", Double(b) / Double(1 << 30)) }
        if let reason = report.cuda.reason {
            print(reason.hasPrefix("CUDA") ? reason : "CUDA: \(reason)")
        } else {
            print("CUDA: driver \(report.cuda.driver_version ?? "?") (\(report.cuda.library ?? "?")), \(report.cuda.nvrtc ?? "")")
            for d in report.cuda.devices {
                print("  --cuda --dev-id \(d.index): \(d.name), compute \(d.compute_capability), \(d.multiprocessors) SMs, \(gib(d.memory_bytes)), kernel: \(d.kernel)")
            }
        }
        if let reason = report.opencl.reason {
            print(reason.hasPrefix("OpenCL") ? reason : "OpenCL: \(reason)")
        } else {
            print("OpenCL: \(report.opencl.library ?? "?")")
            for d in report.opencl.devices {
                print("  --opencl --dev-id \(d.index): \(d.name) [\(d.type), \(d.platform)], \(d.version), \(d.compute_units) compute units, \(gib(d.memory_bytes))")
            }
        }
    }
}
