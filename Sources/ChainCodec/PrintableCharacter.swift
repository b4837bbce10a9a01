extension Character {
    /// Whether the character prints on one line as itself (no control, format, separator or unassigned scalars,
    /// and no whitespace other than a plain space).
    package var printsOnOneLine: Bool {
        if isWhitespace && self != " " { return false }
        return unicodeScalars.allSatisfy { s in
            switch s.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return false
            default: return true
            }
        }
    }

    /// The character quoted (`'g'`), or as `U+XXXX` when it would not print on one line: for error messages.
    package var quotedForErrorMessage: String {
        if printsOnOneLine { return "'\(self)'" }
        return unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
    }
}
