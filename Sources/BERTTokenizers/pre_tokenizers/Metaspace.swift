import BERTJSON

/// When Metaspace puts its replacement character in front of a split (HF `PrependScheme`).
public enum PrependScheme: String, Sendable, CaseIterable {
    /// Before every split that does not already start with it.
    case always
    /// Only before the split that starts the original text.
    case first
    /// Never.
    case never
}

/// SentencePiece's word boundary marking (HF `pre_tokenizers::metaspace::Metaspace`): spaces become `▁`, a `▁`
/// is prepended as `prependScheme` says, and with `split` every `▁` starts a new split.
public struct Metaspace: PreTokenizer {
    /// The character standing for a space (`▁`, U+2581).
    public let replacement: UInt32
    /// When to prepend `replacement`.
    public let prependScheme: PrependScheme
    /// Whether to split before every `replacement`.
    public let split: Bool

    /// A Metaspace pre-tokenizer.
    public init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement.value
        self.prependScheme = prependScheme
        self.split = split
    }

    public func preTokenize(_ text: inout PreTokenizedString) {
        let replacement = self.replacement, scheme = prependScheme
        text.transformSplits { piece in
            piece.map { $0 == 0x20 ? replacement : $0 }
            guard piece.scalars.first != replacement else { return }
            // The crate's `offsets_original().0 == 0`: the split begins the original text.
            if scheme == .always || (scheme == .first && piece.originalStart == 0) { piece.prepend([replacement]) }
        }
        guard split else { return }
        text.split(behavior: .mergedWithNext) { text, range in
            var matches: [PatternMatch] = []
            var gapStart = range.lowerBound
            for index in range where text.scalars[index] == replacement {
                if gapStart < index { matches.append(PatternMatch(range: gapStart ..< index, isMatch: false)) }
                matches.append(PatternMatch(range: index ..< index + 1, isMatch: true))
                gapStart = index + 1
            }
            if gapStart < range.upperBound {
                matches.append(PatternMatch(range: gapStart ..< range.upperBound, isMatch: false))
            }
            return matches
        }
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

