import Foundation

public enum CPUInfo {
    /// CPUs this process may run on: the affinity mask on Linux (like bittensor's Python
    /// reference: `len(os.sched_getaffinity(0))`), else the online count. Never below 1.
    public static var availableCPUs: Int {
        // Glibc's module does not export sched_getaffinity (it needs _GNU_SOURCE); the kernel
        // reports the same mask in /proc/self/status as "Cpus_allowed:	ff,ffffffff".
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let count = affinityCount(procStatus: status), count > 0 {
            return count
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Counts the bits of the `Cpus_allowed` mask in a /proc/<pid>/status text.
    public static func affinityCount(procStatus: String) -> Int? {
        for line in procStatus.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
            let mask = line.dropFirst("Cpus_allowed:".count).trimmingCharacters(in: .whitespaces)
            var bits = 0
            for chunk in mask.split(separator: ",") {
                guard let value = UInt64(chunk, radix: 16) else { return nil }
                bits += value.nonzeroBitCount
            }
            return bits
        }
        return nil
    }
}
