import LibraryLoading

// Opening libsodium through the package's dlopen helper; the rest of the key layer sees only
// `Sodium(library:lookup:)`.

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

    /// Binds the functions of an opened library (or of a table of stand-ins).
    public convenience init(symbols: some SymbolSource) throws(KeysError) {
        try self.init(library: symbols.path) { symbols.symbol($0) }
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
        let library: DynamicLibrary
        do { library = try DynamicLibrary(candidates: candidates) } catch let error as DynamicLibrary.NotFound {
            // "No such file" for every candidate says nothing beyond the list; anything else (a library that
            // exists but does not load) is worth showing.
            let telling = error.loaderMessages.filter { !$0.contains("No such file") }
            throw .libsodiumNotFound(tried: candidates, loaderMessage: telling.joined(separator: "; "))
        } catch {
            throw .libsodiumNotFound(tried: candidates, loaderMessage: "\(error)")
        }
        return try Sodium(symbols: library)
    }

    private static let sharedResult: Result<Sodium, KeysError> = Result { () throws(KeysError) -> Sodium in try load() }

    /// libsodium opened once per process from the default places.
    public static func shared() throws(KeysError) -> Sodium { try sharedResult.get() }
}
