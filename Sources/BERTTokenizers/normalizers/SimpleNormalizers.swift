import BERTJSON

/// Hugging Face `Lowercase`: Rust `char::to_lowercase` on every code point.
package struct Lowercase: Normalizer, Equatable {
    /// Creates the normaliser.
    package init() {}
    /// Lowercases `text`.
    package func normalize(_ text: inout NormalizedString) { text.lowercase() }
}

extension Lowercase: JSONLoadable {
    /// Reads `{"type": "Lowercase"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}

/// Hugging Face `Strip`: removes leading and/or trailing whitespace.
package struct Strip: Normalizer, Equatable {
    /// Strip the start.
    package var left: Bool
    /// Strip the end.
    package var right: Bool
    /// Creates the normaliser.
    package init(left: Bool = true, right: Bool = true) { self.left = left; self.right = right }
    /// Strips `text`.
    package func normalize(_ text: inout NormalizedString) { text.strip(left: left, right: right) }
}

extension Strip: JSONLoadable {
    /// Reads `{"type": "Strip", "strip_left", "strip_right"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(left: try json.bool("strip_left") ?? true, right: try json.bool("strip_right") ?? true)
    }
}

/// Hugging Face `StripAccents`: removes combining marks (general categories Mn, Mc, Me, in the crate's older
/// Unicode tables: `NormalizationData`); usually after NFD.
package struct StripAccents: Normalizer, Equatable {
    /// Creates the normaliser.
    package init() {}
    /// Drops the combining marks of `text`.
    package func normalize(_ text: inout NormalizedString) {
        let data = NormalizationData.shared
        let isMark = { (cp: UInt32) in cp >= 0x300 && data.properties[cp] & NormalizationData.combiningMark != 0 }
        guard text.scalars.contains(where: isMark) else { return }  // nothing to remove: no copy
        text.filter { !isMark($0) }
    }
}

extension StripAccents: JSONLoadable {
    /// Reads `{"type": "StripAccents"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}

/// Hugging Face `Replace`: every match of a string or regex pattern becomes `content`.
package struct Replace: Normalizer, TokenDecoder {
    let pattern: SplitPattern
    /// The replacement.
    package var content: String

    /// Replaces occurrences of `string`.
    package init(string: String, content: String) {
        pattern = .string(string.unicodeScalars.map(\.value)); self.content = content
    }

    init(pattern: SplitPattern, content: String) { self.pattern = pattern; self.content = content }

    /// Replaces the matches in `text`.
    package func normalize(_ text: inout NormalizedString) {
        text.replace(pattern, with: content.unicodeScalars.map(\.value))
    }

    /// HF `Replace` decoder: the same replacement in every token.
    package func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            var n = NormalizedString(token)
            normalize(&n)
            return n.string
        }
    }
}

extension Replace: JSONLoadable {
    /// Reads `{"type": "Replace", "pattern": {"String"|"Regex": ...}, "content"}` (normaliser or decoder).
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(pattern: try SplitPattern.read(json, key: "pattern"), content: try json.requiredString("content"))
    }
}

/// Hugging Face `Prepend`: puts `prepend` before non-empty text.
package struct Prepend: Normalizer, Equatable {
    /// The text to put first.
    package var prepend: String
    /// Creates the normaliser.
    package init(_ prepend: String) { self.prepend = prepend }
    /// Prepends to `text` unless it is empty.
    package func normalize(_ text: inout NormalizedString) { text.prepend(prepend.unicodeScalars.map(\.value)) }
}

extension Prepend: JSONLoadable {
    /// Reads `{"type": "Prepend", "prepend"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init(try json.requiredString("prepend")) }
}

/// Hugging Face normaliser `Sequence`: each normaliser in turn.
package struct NormalizerSequence: Normalizer {
    /// The normalisers, applied in order.
    package var normalizers: [any Normalizer]
    /// Creates the sequence.
    package init(_ normalizers: [any Normalizer]) { self.normalizers = normalizers }
    /// Runs every member.
    package func normalize(_ text: inout NormalizedString) { for n in normalizers { n.normalize(&text) } }
}

extension NormalizerSequence: JSONLoadable {
    /// Reads `{"type": "Sequence", "normalizers": [...]}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(try json.required(json.objects("normalizers"), "normalizers").loadEach(NormalizerType.load, context: context))
    }
}
