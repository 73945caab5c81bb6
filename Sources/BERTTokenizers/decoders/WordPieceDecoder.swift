import BERTJSON

/// Hugging Face `WordPiece` decoder: joins tokens with spaces, gluing `##` pieces to the previous token, and
/// with `cleanup` removes the space before `.`, `?`, `!`, `,` (token by token, as HF does).
package struct WordPieceDecoder: TokenDecoder, Equatable {
    /// Continuation prefix to strip.
    package var prefix: String
    /// Apply HF's `cleanup` to each token.
    package var cleanup: Bool

    /// Creates the decoder; defaults are BERT's.
    package init(prefix: String = "##", cleanup: Bool = true) { self.prefix = prefix; self.cleanup = cleanup }

    /// Each token as it is joined: `##` pieces lose the prefix, others after the first get a leading space.
    package func decodeChain(_ tokens: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() {
            var piece: String
            if i == 0 {
                piece = token
            } else if token.unicodeScalars.starts(with: prefix.unicodeScalars) {
                // Scalar comparison: "##" followed by a combining mark is not a Character prefix match.
                var rest = String.UnicodeScalarView()
                rest.append(contentsOf: token.unicodeScalars.dropFirst(prefix.unicodeScalars.count))
                piece = String(rest)
            } else {
                piece = " " + token
            }
            if cleanup { piece = Self.cleanUpTokenizationSpaces(piece, dontContraction: true) }
            out.append(piece)
        }
        return out
    }

    /// The replacements of HF's WordPiece `cleanup` (`dontContraction: true`, includes " do not" -> " don't")
    /// or of transformers' `clean_up_tokenization` (`false`).
    package static func cleanUpTokenizationSpaces(_ text: String, dontContraction: Bool) -> String {
        guard text.utf8.contains(0x20) else { return text }
        var t = text
        var rules: [(String, String)] = [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
                                         (" n't", "n't"), (" 'm", "'m")]
        if dontContraction { rules.append((" do not", " don't")) }
        rules += [(" 's", "'s"), (" 've", "'ve"), (" 're", "'re")]
        for (from, to) in rules { t = replaceAll(t, from, to) }
        return t
    }

    /// Python `str.replace`: left to right, non-overlapping, on code points (no grapheme or
    /// canonical-equivalence matching, unlike Foundation's `replacingOccurrences`).
    static func replaceAll(_ text: String, _ from: String, _ to: String) -> String {
        let s = Array(text.unicodeScalars), f = Array(from.unicodeScalars)
        guard s.count >= f.count, !f.isEmpty else { return text }
        var out = String.UnicodeScalarView()
        var i = 0
        var changed = false
        while i < s.count {
            if i + f.count <= s.count && s[i] == f[0] && Array(s[i..<(i + f.count)]) == f {
                out.append(contentsOf: to.unicodeScalars)
                i += f.count
                changed = true
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return changed ? String(out) : text
    }
}

extension WordPieceDecoder: JSONLoadable {
    /// Reads `{"type": "WordPiece", "prefix", "cleanup"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(prefix: try json.string("prefix") ?? "##", cleanup: try json.bool("cleanup") ?? true)
    }
}
