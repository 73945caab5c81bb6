import BERTJSON

/// Hugging Face `BertNormalizer`: clean text, pad CJK ideographs with spaces, strip accents, lowercase.
///
/// The four steps run in HF's order but fused into one pass per code point, which is exact because each step
/// maps code points independently, except for HF's NFD reordering combining marks: when a mark with a combining
/// class survives the stripping (spacing marks such as U+1D165, U+1D16D, which NFD may swap), the steps run one
/// after another instead (`exactPass`). Character classes come from tables probed from HF.
package struct BertNormalizer: Normalizer, Equatable {
    /// Remove control characters, NUL and U+FFFD; turn every whitespace into U+0020.
    package var cleanText: Bool
    /// Surround CJK ideographs with spaces so each becomes its own word.
    package var handleChineseChars: Bool
    /// Strip accents (NFD, drop Mn); `nil` means "follow `lowercase`", as in HF.
    package var stripAccents: Bool?
    /// Lowercase with Unicode full case mapping (Rust `char::to_lowercase`).
    package var lowercase: Bool

    /// Creates a normaliser; defaults are bert-base-uncased's.
    package init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil,
                lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Normalises `text` in one pass (HF order: clean, CJK padding, strip accents, lowercase); every output code
    /// point keeps the alignment of the input code point it comes from, as HF's `transform` calls give it.
    package func normalize(_ text: inout NormalizedString) {
        let strip = stripAccents ?? lowercase
        let output = fusedPass(text, strip: strip, lower: lowercase)
        if strip, output.scalars.contains(where: { $0 >= 0x300 && NormalizationData.shared.combiningClass($0) != 0 }) {
            text = exactPass(text)
        } else {
            text = output
        }
    }

    /// HF bert.rs step by step: clean and pad CJK, NFD (the crate's), drop nonspacing marks, lowercase.
    private func exactPass(_ text: NormalizedString) -> NormalizedString {
        let classes = BertCharacterClasses.shared
        var out = fusedPass(text, strip: false, lower: false)
        UnicodeNormalizer(.nfd).normalize(&out)
        // After NFD a nonspacing mark is exactly a scalar whose probed accent stripping is empty.
        out.filter { cp in
            !(cp >= 0x300 && cp < 0x110000 && classes.flags[Int(cp)] & BertCharacterClasses.strips != 0
              && classes.stripMap[cp] == nil && !(0xAC00...0xD7A3).contains(cp))
        }
        if lowercase { out.lowercase() }
        return out
    }

    /// Every step in one pass per code point, each output code point aligned to the input one it comes from.
    private func fusedPass(_ text: NormalizedString, strip: Bool, lower: Bool) -> NormalizedString {
        let classes = BertCharacterClasses.shared
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
        return output
    }
}

extension BertNormalizer: JSONLoadable {
    /// Reads `{"type": "BertNormalizer", "clean_text", "handle_chinese_chars", "strip_accents", "lowercase"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(cleanText: try json.bool("clean_text") ?? true, handleChineseChars: try json.bool("handle_chinese_chars") ?? true,
                  stripAccents: try json.bool("strip_accents"), lowercase: try json.bool("lowercase") ?? true)
    }
}
