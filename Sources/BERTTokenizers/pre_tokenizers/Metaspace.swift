import BERTJSON

/// When Metaspace puts its replacement character in front of a split (HF `PrependScheme`).
package enum PrependScheme: String, Sendable, CaseIterable {
    /// Before every split that does not already start with it.
    case always
    /// Only before the split that starts the original text.
    case first
    /// Never.
    case never
}

/// SentencePiece's word boundary marking (HF `pre_tokenizers::metaspace::Metaspace`): spaces become `▁`, a `▁`
/// is prepended as `prependScheme` says, and with `split` every `▁` starts a new split.
package struct Metaspace: PreTokenizer {
    /// The character standing for a space (`▁`, U+2581).
    package let replacement: UInt32
    /// When to prepend `replacement`.
    package let prependScheme: PrependScheme
    /// Whether to split before every `replacement`.
    package let split: Bool

    /// A Metaspace pre-tokenizer.
    package init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement.value
        self.prependScheme = prependScheme
        self.split = split
    }

    /// The crate's per-split `replace(' ', ▁)`, `prepend`, then `split(▁, MergedWithNext)`, done in one pass that
    /// writes a fresh arena (alignments exactly as those `NormalizedString` edits leave them).
    package func preTokenize(_ text: inout PreTokenizedString) {
        let source = text.text
        var arena = NormalizedString(capacity: source.count + text.splits.count + 8, originalStart: Int(source.originalStart))
        var splits: [PreTokenizedString.Split] = []
        splits.reserveCapacity(text.splits.count * 2)
        for split in text.splits {
            let base = arena.count
            arena.append(contentsOf: source, range: split.range)
            if let tokens = split.tokens {
                let shift = base - split.range.lowerBound
                splits.append(.init(range: base ..< arena.count, tokens: tokens.map {
                    ModelToken(id: $0.id, range: $0.range.lowerBound + shift ..< $0.range.upperBound + shift)
                }))
                continue
            }
            appendWords(from: source, split.range, base: base, arena: &arena, splits: &splits)
        }
        text.text = arena
        text.splits = splits
    }

    /// Rewrites the split just copied to `arena[base...]` and appends its pieces to `splits`.
    private func appendWords(from source: NormalizedString, _ range: Range<Int>, base: Int,
                             arena: inout NormalizedString, splits: inout [PreTokenizedString.Split]) {
        for index in base ..< arena.count where arena.scalars[index] == 0x20 { arena.scalars[index] = replacement }
        var start = base
        if arena.count > base, arena.scalars[base] != replacement,
           prependScheme == .always || (prependScheme == .first && source.starts[range.lowerBound] == 0) {
            // HF `prepend`: the marker shares the first character's alignment.
            arena.scalars.insert(replacement, at: base)
            arena.starts.insert(arena.starts[base], at: base)
            arena.ends.insert(arena.ends[base], at: base)
            start = base
        }
        guard split else {
            if arena.count > start { splits.append(.init(range: start ..< arena.count, tokens: nil)) }
            return
        }
        var pieceStart = start
        for index in start ..< arena.count where arena.scalars[index] == replacement && index > pieceStart {
            splits.append(.init(range: pieceStart ..< index, tokens: nil))
            pieceStart = index
        }
        if arena.count > pieceStart { splits.append(.init(range: pieceStart ..< arena.count, tokens: nil)) }
    }
}

/// Reads Metaspace's shared fields: `replacement` (one character), `prepend_scheme` (or the legacy
/// `add_prefix_space`: false means never), `split`.
func metaspaceFields(_ json: JSONFieldReader) throws -> (Unicode.Scalar, PrependScheme, Bool) {
    let text = try json.string("replacement") ?? "\u{2581}"
    guard text.unicodeScalars.count == 1, let replacement = text.unicodeScalars.first else {
        throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("replacement"),
                                              reason: "must be one character, found \(text.debugDescription)")
    }
    let scheme: PrependScheme
    if let name = try json.string("prepend_scheme") {
        guard let parsed = PrependScheme(rawValue: name) else {
            throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("prepend_scheme"),
                                                  reason: "is \"\(name)\"; expected always, first or never")
        }
        scheme = parsed
    } else {
        scheme = try json.bool("add_prefix_space") == false ? .never : .always
    }
    return (replacement, scheme, try json.bool("split") ?? true)
}

extension Metaspace: JSONLoadable {
    /// Reads `{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let (replacement, scheme, split) = try metaspaceFields(json)
        self.init(replacement: replacement, prependScheme: scheme, split: split)
    }
}

