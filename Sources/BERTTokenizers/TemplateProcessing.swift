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

    /// The number of special-token ids the single or pair template inserts.
    public func addedTokens(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, piece in
            if case .specialToken(let id, _) = piece { return n + (specialTokens[id]?.ids.count ?? 0) }
            return n
        }
    }

    /// Lays out the template; overflow windows are combined as HF `Encoding::merge_with` does.
    public func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        var result = Encoding()
        for piece in second == nil ? single : pair {
            switch piece {
            case .sequence(let isFirst, let typeId):
                guard var part = isFirst ? first : second else { continue }
                part.setTypeIds(typeId)
                if result.count == 0 && result.overflowing.isEmpty {
                    result = part  // merging into an empty encoding is the identity
                } else {
                    result.merge(with: part)
                }
            case .specialToken(let id, let typeId):
                guard addSpecialTokens, let token = specialTokens[id] else { continue }
                result.appendSpecial(ids: token.ids, tokens: token.tokens, typeId: typeId)
            }
        }
        return result
    }
}
