#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where C entry points come from: a library opened at run time, or (in tests) a table of stand-ins.
public protocol SymbolSource: AnyObject, Sendable {
    /// The library's path or name as opened (shown in messages).
    var path: String { get }
    func symbol(_ name: String) -> UnsafeMutableRawPointer?
}

extension SymbolSource {
    /// `name` (or the first of its alternatives, e.g. a `_v2` entry point) as a C function type.
    public func function<T>(_ names: String..., as type: T.Type = T.self) throws -> T {
        for name in names {
            if let p = symbol(name) { return unsafeBitCast(p, to: T.self) }
        }
        throw DynamicLibrary.MissingSymbol(library: path, names: names)
    }
}

/// Symbols looked up by a closure: how tests put a fake driver behind the real bindings.
// @unchecked: both stored properties are immutable and the closure is only ever called, never replaced.
package final class SymbolTable: SymbolSource, @unchecked Sendable {
    package let path: String
    private let lookup: (String) -> UnsafeMutableRawPointer?
    package init(path: String, lookup: @escaping (String) -> UnsafeMutableRawPointer?) {
        self.path = path
        self.lookup = lookup
    }
    package func symbol(_ name: String) -> UnsafeMutableRawPointer? { lookup(name) }
}

/// A shared library opened at run time, so the package builds and runs on machines without it.
// @unchecked: the handle is immutable and dlsym is thread-safe.
public final class DynamicLibrary: SymbolSource, @unchecked Sendable {
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// Why a library could not be opened: every name tried and the loader's last message.
    public struct NotFound: Error, CustomStringConvertible, Sendable {
        public let tried: [String]
        /// The loader's message for each candidate, in order.
        public let loaderMessages: [String]
        /// Messages other than "no such file" (a library that exists but does not load) say the most;
        /// otherwise the last one stands for all.
        public var description: String {
            let telling = loaderMessages.filter { !$0.contains("No such file") }
            let shown = telling.isEmpty ? Array(loaderMessages.suffix(1)) : telling
            return "tried \(tried.joined(separator: ", ")): \(shown.joined(separator: "; "))"
        }
    }

    /// Opens the first of `candidates` (sonames or paths) that loads.
    public init(candidates: [String]) throws {
        var messages: [String] = []
        for name in candidates {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                handle = h
                path = name
                return
            }
            messages.append(dlerror().map { String(cString: $0) } ?? "\(name): unknown dlopen error")
        }
        throw NotFound(tried: candidates, loaderMessages: messages)
    }

    /// The address of `name`, or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }

    public struct MissingSymbol: Error, CustomStringConvertible, Sendable {
        public let library: String
        public let names: [String]
        public var description: String { "\(library) has no \(names.joined(separator: " or ")) (too old a version?)" }
    }

    // Never dlclose: function pointers taken from it may outlive this object.
}

/// Candidate paths in common install locations.
package enum LibrarySearch {
    /// `dirs` × `names`, keeping only files that exist.
    package static func existing(dirs: [String], names: [String]) -> [String] {
        var out: [String] = []
        for d in dirs {
            for n in names {
                let p = d.hasSuffix("/") ? d + n : d + "/" + n
                if access(p, F_OK) == 0 { out.append(p) }
            }
        }
        return out
    }

    /// Names of the entries of `dir` that start with `prefix`, sorted newest-looking (descending) first.
    package static func entries(of dir: String, prefix: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        return names.sorted(by: >)
    }
}
