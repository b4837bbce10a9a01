#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LibraryLoading

extension DynamicLibrary {
    /// The first of `candidates` that opens; none opening is a `GPUUnavailable` for `backend` saying that
    /// `what` was not found and what to install.
    static func required(_ candidates: [String], backend: String, what: String, remedy: String) throws -> DynamicLibrary {
        do { return try DynamicLibrary(candidates: candidates) } catch {
            throw GPUUnavailable(backend: backend, reason: "\(what) was not found (\(error))", remedy: remedy)
        }
    }
}

extension LibrarySearch {
    static func environment(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        let s = String(cString: v)
        return s.isEmpty ? nil : s
    }
}
