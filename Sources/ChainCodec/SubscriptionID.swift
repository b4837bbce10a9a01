/// Subscription ids as JSON-RPC carries them. A Substrate node sends a string or an unsigned number, and an id may
/// come back in either form (`5` or `"5"`), so the client and the devnet both keep an id as text, made here.
package enum SubscriptionID {
    /// The id as text: a string as it is, an integer in decimal (so `5` and `"5"` are one id); nil for anything
    /// that cannot be an id (null, a boolean, a fraction, an array, an object).
    package static func normalize(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .uint(let number): return String(number)
        case .null, .bool, .double, .array, .object: return nil
        }
    }
}
