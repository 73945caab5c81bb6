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

    public func normalize(_ original: [UInt32], range: Range<Int>, into output: inout NormalizedString) {
        let classes = BertCharacterClasses.shared
        let strip = stripAccents ?? lowercase
        let lower = lowercase
        var piece: [UInt32] = []
        piece.reserveCapacity(4)
        original.withUnsafeBufferPointer { src in
            classes.flags.withUnsafeBufferPointer { flags in
                for i in range {
                    var cp = src[i]
                    let origin = Int32(i)
                    if cp < 0x80 {
                        // ASCII fast path: only controls, whitespace and case matter.
                        let f = flags[Int(cp)]
                        if cleanText {
                            if f & BertCharacterClasses.removed != 0 { continue }
                            if f & BertCharacterClasses.space != 0 { cp = 0x20 }
                        }
                        if lower && cp >= 0x41 && cp <= 0x5A { cp |= 0x20 }
                        output.scalars.append(cp)
                        output.origins.append(origin)
                        continue
                    }
                    let f = flags[Int(cp)]
                    if cleanText {
                        if f & BertCharacterClasses.removed != 0 { continue }
                        if f & BertCharacterClasses.space != 0 {
                            output.scalars.append(0x20)
                            output.origins.append(origin)
                            continue
                        }
                    }
                    let chinese = handleChineseChars && f & BertCharacterClasses.chinese != 0
                    if chinese {
                        output.scalars.append(0x20)
                        output.origins.append(origin)
                    }
                    piece.removeAll(keepingCapacity: true)
                    if strip && f & BertCharacterClasses.strips != 0 {
                        classes.appendStripped(cp, to: &piece)
                    } else {
                        piece.append(cp)
                    }
                    for c in piece {
                        if lower && flags[Int(c)] & BertCharacterClasses.lowers != 0, let low = classes.lowerMap[c] {
                            for l in low {
                                output.scalars.append(l)
                                output.origins.append(origin)
                            }
                        } else {
                            output.scalars.append(c)
                            output.origins.append(origin)
                        }
                    }
                    if chinese {
                        output.scalars.append(0x20)
                        output.origins.append(origin)
                    }
                }
            }
        }
    }

    /// Normalises a whole string (convenience for tests and tools).
    public func normalize(_ text: String) -> String {
        let cps = text.unicodeScalars.map(\.value)
        var out = NormalizedString(capacity: cps.count)
        normalize(cps, range: 0..<cps.count, into: &out)
        return out.string
    }
}

/// Hugging Face `BertPreTokenizer`: split on whitespace (dropped) and isolate every punctuation character.
public struct BertPreTokenizer: PreTokenizer, Equatable {
    /// Creates the pre-tokeniser (it has no options).
    public init() {}

    public func preTokenize(_ text: NormalizedString, range: Range<Int>, into words: inout [Range<Int>]) {
        let flags = BertCharacterClasses.shared.flags
        text.scalars.withUnsafeBufferPointer { s in
            flags.withUnsafeBufferPointer { flags in
                var start = -1
                for i in range {
                    let f = flags[Int(s[i])]
                    if f & (BertCharacterClasses.splitSpace | BertCharacterClasses.punctuation) == 0 {
                        if start < 0 { start = i }
                        continue
                    }
                    if start >= 0 {
                        words.append(start..<i)
                        start = -1
                    }
                    if f & BertCharacterClasses.punctuation != 0 { words.append(i..<(i + 1)) }
                }
                if start >= 0 { words.append(start..<range.upperBound) }
            }
        }
    }
}
