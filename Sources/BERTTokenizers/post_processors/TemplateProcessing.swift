import BERTJSON

/// Hugging Face `TemplateProcessing`: lays out special tokens and sequences with their type ids,
/// e.g. `[CLS] $A:0 [SEP]:0` and `[CLS] $A:0 [SEP]:0 $B:1 [SEP]:1` for BERT.
package struct TemplateProcessing: PostProcessor, Equatable {
    /// One element of a template.
    package enum Piece: Sendable, Equatable {
        /// A special token (a key of `specialTokens`) with its type id.
        case specialToken(id: String, typeId: Int)
        /// Sequence A (`first == true`) or B, with its type id.
        case sequence(first: Bool, typeId: Int)
    }

    /// A special token's ids and strings (one special token may expand to several ids).
    package struct SpecialToken: Sendable, Equatable {
        /// Ids emitted for this token.
        package var ids: [Int]
        /// Token strings emitted.
        package var tokens: [String]
        /// Creates a special token entry.
        package init(ids: [Int], tokens: [String]) { self.ids = ids; self.tokens = tokens }
    }

    /// Template for one sequence.
    package var single: [Piece]
    /// Template for a pair.
    package var pair: [Piece]
    /// Special tokens by name.
    package var specialTokens: [String: SpecialToken]

    /// Creates a template processor.
    package init(single: [Piece], pair: [Piece], specialTokens: [String: SpecialToken]) {
        self.single = single; self.pair = pair; self.specialTokens = specialTokens
    }

    /// BERT's layout (also what HF `BertProcessing` produces).
    package static func bert(cls: (String, Int), sep: (String, Int)) -> TemplateProcessing {
        TemplateProcessing(
            single: [.specialToken(id: cls.0, typeId: 0), .sequence(first: true, typeId: 0), .specialToken(id: sep.0, typeId: 0)],
            pair: [.specialToken(id: cls.0, typeId: 0), .sequence(first: true, typeId: 0), .specialToken(id: sep.0, typeId: 0),
                   .sequence(first: false, typeId: 1), .specialToken(id: sep.0, typeId: 1)],
            specialTokens: [cls.0: SpecialToken(ids: [cls.1], tokens: [cls.0]), sep.0: SpecialToken(ids: [sep.1], tokens: [sep.0])])
    }

    /// The number of special-token ids the single or pair template inserts.
    package func addedTokens(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, piece in
            if case .specialToken(let id, _) = piece { return n + (specialTokens[id]?.ids.count ?? 0) }
            return n
        }
    }

    /// HF `process_encodings`: the template laid out over the first one or two encodings, as one encoding.
    package func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        guard let first = encodings.first else { return [] }
        return [process(first, encodings.count > 1 ? encodings[1] : nil, addSpecialTokens: addSpecialTokens)]
    }

    /// Lays out the template; overflow windows are combined as HF `Encoding::merge_with` does.
    package func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding {
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

extension TemplateProcessing: JSONLoadable {
    /// Reads `{"type": "TemplateProcessing", "single": [...], "pair": [...], "special_tokens": {...}}`, where a
    /// piece is `{"SpecialToken": {"id", "type_id"}}` or `{"Sequence": {"id": "A"|"B", "type_id"}}`. As in the
    /// crate, every special token the templates name must be defined, with as many ids as tokens.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let path = json.file
        func pieces(_ key: String) throws -> [Piece] {
            guard let list = try json.objects(key) else { throw TokenizerError.missingKey(path: path, key: json.keyPath(key)) }
            return try list.map { item in
                if let s = try item.object("SpecialToken") {
                    return .specialToken(id: try s.requiredString("id"), typeId: try s.int("type_id") ?? 0)
                }
                if let s = try item.object("Sequence") {
                    let id = try s.requiredString("id")
                    guard id == "A" || id == "B" else {
                        throw TokenizerError.invalidComponent(path: path, key: s.keyPath("id"), reason: "is \"\(id)\"; a sequence is A or B")
                    }
                    return .sequence(first: id == "A", typeId: try s.int("type_id") ?? 0)
                }
                throw TokenizerError.invalidComponent(path: path, key: item.path, reason: "is neither a SpecialToken nor a Sequence")
            }
        }
        var specials: [String: SpecialToken] = [:]
        if let table = try json.object("special_tokens") {
            for name in table.keys {
                let entry = try table.required(table.object(name), name)
                let ids = try entry.required(entry.value("ids")?.arrayValue, "ids")
                let tokens = try entry.required(entry.strings("tokens"), "tokens")
                let idsKey = "\(json.keyPath("special_tokens"))[\"\(name)\"].ids"
                let checked = try ids.enumerated().map { i, value in
                    guard let id = value.intValue else {
                        throw TokenizerError.malformedJSON(path: path, reason: "\(idsKey)[\(i)] is not an integer")
                    }
                    return try context.checkId(id, path: path, key: "\(idsKey)[\(i)]")
                }
                guard checked.count == tokens.count else {
                    throw TokenizerError.invalidComponent(path: path, key: entry.path,
                                                          reason: "has \(checked.count) ids but \(tokens.count) tokens; they go in pairs")
                }
                specials[name] = SpecialToken(ids: checked, tokens: tokens)
            }
        }
        self.init(single: try pieces("single"), pair: try pieces("pair"), specialTokens: specials)
        for case .specialToken(let id, _) in single + pair where specials[id] == nil {
            throw TokenizerError.invalidComponent(path: path, key: json.path,
                                                  reason: "uses the special token \"\(id)\", which special_tokens does not define")
        }
    }
}
