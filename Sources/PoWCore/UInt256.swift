/// A minimal unsigned 256-bit integer: what the difficulty rules need (compare, divide by a
/// u64, multiply by a u64 with overflow), nothing more. Words are most significant first.
public struct UInt256: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var hi: UInt64, midHi: UInt64, midLo: UInt64, lo: UInt64

    @inlinable
    public init(_ hi: UInt64, _ midHi: UInt64, _ midLo: UInt64, _ lo: UInt64) {
        self.hi = hi; self.midHi = midHi; self.midLo = midLo; self.lo = lo
    }

    public init(_ value: UInt64) { self.init(0, 0, 0, value) }

    public static let zero = UInt256(0, 0, 0, 0)
    public static let max = UInt256(.max, .max, .max, .max)

    public var words: [UInt64] { [hi, midHi, midLo, lo] }

    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.hi != b.hi { return a.hi < b.hi }
        if a.midHi != b.midHi { return a.midHi < b.midHi }
        if a.midLo != b.midLo { return a.midLo < b.midLo }
        return a.lo < b.lo
    }

    /// Floor division by a non-zero u64.
    public func dividedBy(_ divisor: UInt64) -> UInt256 {
        precondition(divisor != 0, "division by zero")
        var remainder: UInt64 = 0
        var q = [UInt64](repeating: 0, count: 4)
        for (i, word) in words.enumerated() {
            let (quotient, r) = divisor.dividingFullWidth((high: remainder, low: word))
            q[i] = quotient
            remainder = r
        }
        return UInt256(q[0], q[1], q[2], q[3])
    }

    /// `self * factor`, and whether the true product exceeds 2^256 - 1.
    public func multipliedReportingOverflow(by factor: UInt64) -> (partialValue: UInt256, overflow: Bool) {
        var carry: UInt64 = 0
        var out = [UInt64](repeating: 0, count: 4)
        for i in stride(from: 3, through: 0, by: -1) {
            let (high, low) = words[i].multipliedFullWidth(by: factor)
            let (sum, o) = low.addingReportingOverflow(carry)
            out[i] = sum
            carry = high &+ (o ? 1 : 0)
        }
        return (UInt256(out[0], out[1], out[2], out[3]), carry != 0)
    }

    public func subtracting(_ value: UInt64) -> UInt256 {
        var result = self
        let (lo, borrow0) = lo.subtractingReportingOverflow(value)
        result.lo = lo
        guard borrow0 else { return result }
        let (ml, b1) = midLo.subtractingReportingOverflow(1); result.midLo = ml
        guard b1 else { return result }
        let (mh, b2) = midHi.subtractingReportingOverflow(1); result.midHi = mh
        guard b2 else { return result }
        result.hi = hi &- 1
        return result
    }

    /// 64 hex digits, `0x`-prefixed.
    public var description: String {
        "0x" + words.map { word -> String in
            let s = String(word, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
