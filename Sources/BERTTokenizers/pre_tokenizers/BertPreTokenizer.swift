import BERTJSON

/// Hugging Face `BertPreTokenizer`: split on whitespace (dropped) and isolate every punctuation character.
package struct BertPreTokenizer: PreTokenizer, Equatable {
    /// Creates the pre-tokeniser (it has no options).
    package init() {}

    /// Cuts every split into words.
    package func preTokenize(_ text: inout PreTokenizedString) {
        text.split { normalized, range, words in preTokenize(normalized, range: range, into: &words) }
    }

    /// Appends the words of `text[range]`: runs between whitespace, with each punctuation character alone.
    package func preTokenize(_ text: NormalizedString, range: Range<Int>, into words: inout [Range<Int>]) {
        let flags = BertCharacterClasses.shared.flags
        text.scalars.withUnsafeBufferPointer { s in
            flags.withUnsafeBufferPointer { flags in
                var start = -1
                for i in range {
                    let cp = s[i]
                    let f = cp < 0x110000 ? flags[Int(cp)] : 0
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

extension BertPreTokenizer: JSONLoadable {
    /// Reads `{"type": "BertPreTokenizer"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}
