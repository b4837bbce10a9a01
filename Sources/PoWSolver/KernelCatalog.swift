/// Placeholder until the SIMD kernels land: the scalar Swift kernel only.
public enum KernelCatalog {
    public static var all: [any SealKernel] { [ScalarSwiftKernel()] }
    public static var available: [any SealKernel] { all }
    public static var best: any SealKernel { ScalarSwiftKernel() }
    public static func named(_ name: String) throws -> any SealKernel {
        guard let k = all.first(where: { $0.name == name }) else { throw KernelError.unknown(name) }
        return k
    }
    public enum KernelError: Error, CustomStringConvertible {
        case unknown(String)
        public var description: String {
            switch self { case .unknown(let n): return "unknown kernel '\(n)'; known: swift-scalar" }
        }
    }
}
