import Foundation
import Synchronization

/// A wait in a test that ran out of time.
public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "timed out waiting for \(what)" }
    public init(_ what: String) { self.what = what }
}

/// Polls `condition` every 10 ms until it holds; throws `TimedOut` after `seconds`.
public func eventually(_ what: String, seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what)
}

/// Runs `operation`, throwing `TimedOut` instead of hanging when it does not finish within `seconds`.
public func finishes<T: Sendable>(within seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimedOut("an operation to finish within \(seconds) s")
        }
        return value
    }
}

/// A value shared between a test and the closures it hands out (hooks, overrides), behind a lock.
public final class Box<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>
    public init(_ value: Value) { stored = Mutex(value) }
    public var value: Value {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }

    /// Changes the value in place and returns what `body` returns, in one step.
    @discardableResult
    public func update<R: Sendable>(_ body: (inout Value) -> R) -> R { stored.withLock { body(&$0) } }
}
