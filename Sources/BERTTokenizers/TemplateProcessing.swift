/// Hugging Face `TemplateProcessing`: lays out special tokens and sequences with their type ids,
/// e.g. `[CLS] $A:0 [SEP]:0` and `[CLS] $A:0 [SEP]:0 $B:1 [SEP]:1` for BERT.
public struct TemplateProcessing: PostProcessor, Equatable {
    /// One element of a template.
    public enum Piece: Sendable, Equatable {
        /// A special token (a key of `specialTokens`) with its type id.
        case specialToken(id: String, typeId: Int)
        /// Sequence A (`first == true`) or B, with its type id.
        case sequence(first: Bool, typeId: Int)
    }

    /// A special token's ids and strings (one special token may expand to several ids).
    public struct SpecialToken: Sendable, Equatable {
        /// Ids emitted for this token.
        public var ids: [Int]
        /// Token strings emitted.
        public var tokens: [String]
        /// Creates a special token entry.
        public init(ids: [Int], tokens: [String]) { self.ids = ids; self.tokens = tokens }
    }

    /// Template for one sequence.
    public var single: [Piece]
    /// Template for a pair.
    public var pair: [Piece]
    /// Special tokens by name.
    public var specialTokens: [String: SpecialToken]

    /// Creates a template processor.
    public init(single: [Piece], pair: [Piece], specialTokens: [String: SpecialToken]) {
        self.single = single; self.pair = pair; self.specialTokens = specialTokens
    }

    /// BERT's layout (also what HF `BertProcessing` produces).
    public static func bert(cls: (String, Int), sep: (String, Int)) -> TemplateProcessing {
        TemplateProcessing(
            single: [.specialToken(id: cls.0, typeId: 0), .sequence(first: true, typeId: 0), .specialToken(id: sep.0, typeId: 0)],
            pair: [.specialToken(id: cls.0, typeId: 0), .sequence(first: true, typeId: 0), .specialToken(id: sep.0, typeId: 0),
                   .sequence(first: false, typeId: 1), .specialToken(id: sep.0, typeId: 1)],
            specialTokens: [cls.0: SpecialToken(ids: [cls.1], tokens: [cls.0]), sep.0: SpecialToken(ids: [sep.1], tokens: [sep.0])])
    }

    public func addedTokens(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, piece in
            if case .specialToken(let id, _) = piece { return n + (specialTokens[id]?.ids.count ?? 0) }
            return n
        }
    }

    public func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        var result = Encoding()
        for piece in second == nil ? single : pair {
            switch piece {
            case .sequence(let isFirst, let typeId):
                guard var part = isFirst ? first : second else { continue }
                part.setTypeIds(typeId)
                result.merge(with: part)
            case .specialToken(let id, let typeId):
                guard addSpecialTokens, let token = specialTokens[id] else { continue }
                let n = token.ids.count
                result.merge(with: Encoding(
                    ids: token.ids, typeIds: Array(repeating: typeId, count: n), tokens: token.tokens,
                    wordIds: Array(repeating: nil, count: n), offsets: Array(repeating: 0..<0, count: n),
                    specialTokensMask: Array(repeating: 1, count: n), attentionMask: Array(repeating: 1, count: n)))
            }
        }
        return result
    }
}

/// Hugging Face `WordPiece` decoder: joins tokens with spaces, gluing `##` pieces to the previous token, and
/// with `cleanup` removes the space before `.`, `?`, `!`, `,` (token by token, as HF does).
public struct WordPieceDecoder: TokenDecoder, Equatable {
    /// Continuation prefix to strip.
    public var prefix: String
    /// Apply HF's `cleanup` to each token.
    public var cleanup: Bool

    /// Creates the decoder; defaults are BERT's.
    public init(prefix: String = "##", cleanup: Bool = true) { self.prefix = prefix; self.cleanup = cleanup }

    public func decode(_ tokens: [String]) -> String {
        var out = ""
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
            out += piece
        }
        return out
    }

    /// The replacements of HF's WordPiece `cleanup` (`dontContraction: true`, includes " do not" -> " don't")
    /// or of transformers' `clean_up_tokenization` (`false`).
    public static func cleanUpTokenizationSpaces(_ text: String, dontContraction: Bool) -> String {
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
