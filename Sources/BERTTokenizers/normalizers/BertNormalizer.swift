import BERTJSON

/// Hugging Face `BertNormalizer`: clean text, pad CJK ideographs with spaces, strip accents, lowercase.
///
/// The four steps run in HF's order but fused into one pass per code point, which is exact because each step
/// maps code points independently (HF's NFD could reorder combining marks, but after stripping only
/// nonspacing marks would move, and those are removed). Character classes come from tables probed from HF.
public struct BertNormalizer: Normalizer, Equatable {
    /// Remove control characters, NUL and U+FFFD; turn every whitespace into U+0020.
    public var cleanText: Bool
    /// Surround CJK ideographs with spaces so each becomes its own word.
    public var handleChineseChars: Bool
    /// Strip accents (NFD, drop Mn); `nil` means "follow `lowercase`", as in HF.
    public var stripAccents: Bool?
    /// Lowercase with Unicode full case mapping (Rust `char::to_lowercase`).
    public var lowercase: Bool

    /// Creates a normaliser; defaults are bert-base-uncased's.
    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil,
                lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Normalises `text` in one pass (HF order: clean, CJK padding, strip accents, lowercase); every output code
    /// point keeps the alignment of the input code point it comes from, as HF's `transform` calls give it.
    public func normalize(_ text: inout NormalizedString) {
        let classes = BertCharacterClasses.shared
        let strip = stripAccents ?? lowercase
        let lower = lowercase
        var output = NormalizedString(capacity: text.count + 8, originalStart: Int(text.originalStart))
        var piece: [UInt32] = []
        piece.reserveCapacity(4)
        text.scalars.withUnsafeBufferPointer { src in
            classes.flags.withUnsafeBufferPointer { flags in
                for i in 0..<src.count {
                    var cp = src[i]
                    let start = text.starts[i], end = text.ends[i]
                    if cp < 0x80 {
                        // ASCII fast path: only controls, whitespace and case matter.
                        let f = flags[Int(cp)]
                        if cleanText {
                            if f & BertCharacterClasses.removed != 0 { continue }
                            if f & BertCharacterClasses.space != 0 { cp = 0x20 }
                        }
                        if lower && cp >= 0x41 && cp <= 0x5A { cp |= 0x20 }
                        output.append(cp, start: start, end: end)
                        continue
                    }
                    // Values past U+10FFFF (only reachable through the raw code-point API) carry no class.
                    let f = cp < 0x110000 ? flags[Int(cp)] : 0
                    if cleanText {
                        if f & BertCharacterClasses.removed != 0 { continue }
                        if f & BertCharacterClasses.space != 0 {
                            output.append(0x20, start: start, end: end)
                            continue
                        }
                    }
                    let chinese = handleChineseChars && f & BertCharacterClasses.chinese != 0
                    if chinese { output.append(0x20, start: start, end: end) }
                    piece.removeAll(keepingCapacity: true)
                    if strip && f & BertCharacterClasses.strips != 0 {
                        classes.appendStripped(cp, to: &piece)
                    } else {
                        piece.append(cp)
                    }
                    for c in piece {
                        if lower && c < 0x110000 && flags[Int(c)] & BertCharacterClasses.lowers != 0, let low = classes.lowerMap[c] {
                            for l in low { output.append(l, start: start, end: end) }
                        } else {
                            output.append(c, start: start, end: end)
                        }
                    }
                    if chinese { output.append(0x20, start: start, end: end) }
                }
            }
        }
        text = output
    }
}

extension BertNormalizer: JSONLoadable {
    /// Reads `{"type": "BertNormalizer", "clean_text", "handle_chinese_chars", "strip_accents", "lowercase"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(cleanText: try json.bool("clean_text") ?? true, handleChineseChars: try json.bool("handle_chinese_chars") ?? true,
                  stripAccents: try json.bool("strip_accents"), lowercase: try json.bool("lowercase") ?? true)
    }
}
