#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Opening libsodium with dlopen. The rest of the key layer sees only `Sodium(library:lookup:)`, so this one
// file is all that changes when the package's shared dlopen helper is used instead.

extension Sodium {
    /// The file names libsodium has on this platform, most specific first.
    public static var libraryNames: [String] {
        #if os(macOS)
        return ["libsodium.23.dylib", "libsodium.dylib"]
        #else
        return ["libsodium.so.23", "libsodium.so"]
        #endif
    }

    /// Folders tried after the loader's own search (Homebrew on macOS).
    static var extraDirectories: [String] {
        #if os(macOS)
        return ["/opt/homebrew/lib", "/usr/local/lib"]
        #else
        return []
        #endif
    }

    /// Opens libsodium. With `searchDirectories`, only `<dir>/<name>` paths are tried (tests point this at a
    /// folder without libsodium); without, the dynamic loader's search by name, then the platform's usual
    /// folders.
    public static func load(searchDirectories: [String]? = nil) throws(KeysError) -> Sodium {
        var candidates: [String] = []
        if let dirs = searchDirectories {
            for d in dirs { for n in libraryNames { candidates.append(d.hasSuffix("/") ? d + n : d + "/" + n) } }
        } else {
            candidates = libraryNames
            for d in extraDirectories { for n in libraryNames { candidates.append(d + "/" + n) } }
        }
        var lastMessage = ""
        for name in candidates {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                // Never dlclose: the bound function pointers live as long as the process.
                nonisolated(unsafe) let h = handle
                return try Sodium(library: name) { dlsym(h, $0) }
            }
            if let m = dlerror() { lastMessage = String(cString: m) }
        }
        throw .libsodiumNotFound(tried: candidates, loaderMessage: lastMessage.contains("No such file") ? "" : lastMessage)
    }

    private static let sharedResult: Result<Sodium, KeysError> = Result { () throws(KeysError) -> Sodium in try load() }

    /// libsodium opened once per process from the default places.
    public static func shared() throws(KeysError) -> Sodium { try sharedResult.get() }
}
