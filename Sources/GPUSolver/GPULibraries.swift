import LibraryLoading
import Synchronization

extension DynamicLibrary {
    /// The first of `candidates` that opens; none opening is a `GPUUnavailable` for `backend` saying that
    /// `what` was not found and what to install.
    static func required(_ candidates: [String], _ library: GPUUnavailable.Library, backend: String, what: String,
                         remedy: String) throws -> DynamicLibrary {
        do { return try DynamicLibrary(candidates: candidates) } catch {
            throw GPUUnavailable(backend: backend, reason: "\(what) was not found (\(error))", remedy: remedy, missingLibrary: library)
        }
    }
}

/// A library binding opened once per process for each list of candidates (a driver is initialized once), the
/// failure kept too so that every caller gets the same message.
final class OpenedOnce<Binding: Sendable>: Sendable {
    private let opened = Mutex<[[String]: Result<Binding, any Error>]>([:])

    func get(_ candidates: [String], open: ([String]) throws -> Binding) throws -> Binding {
        if let done = opened.withLock({ $0[candidates] }) { return try done.get() }
        let result = Result { try open(candidates) }
        return try opened.withLock { table in
            if let first = table[candidates] { return first }
            table[candidates] = result
            return result
        }.get()
    }
}
