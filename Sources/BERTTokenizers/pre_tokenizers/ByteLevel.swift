import BERTJSON

/// Hugging Face `ByteLevel` (GPT-2's byte-level BPE): as a pre-tokeniser it adds a leading space if asked,
/// splits with GPT-2's pattern and maps every UTF-8 byte to a printable character; as a post-processor it trims
/// the offsets of the spaces tokens carry; as a decoder it maps the characters back to bytes. One type for the
/// three roles, as in the crate.
package struct ByteLevel: Sendable, Equatable {
    /// Prepend a space to a split that does not start with one, so a first word looks like the others.
    package var addPrefixSpace: Bool
    /// Post-processor: leave the leading space (Ġ) out of token offsets.
    package var trimOffsets: Bool
    /// Split with GPT-2's pattern before mapping the bytes.
    package var useRegex: Bool

    /// Creates the component; the crate's defaults.
    package init(addPrefixSpace: Bool = true, trimOffsets: Bool = true, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace; self.trimOffsets = trimOffsets; self.useRegex = useRegex
    }

    /// GPT-2's `bytes_to_unicode`: printable Latin-1 bytes stand for themselves, the other 68 bytes take the
    /// code points from U+0100 up, in byte order.
    static let byteToCharacter: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// The inverse of `byteToCharacter` (-1 for characters that stand for no byte), indexed below U+0144.
    static let characterToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, c) in byteToCharacter.enumerated() { table[Int(c)] = Int16(b) }
        return table
    }()

    /// The ByteLevel alphabet: the 256 characters standing for bytes (what trainers seed the vocabulary with).
    package static var alphabet: [String] { byteToCharacter.map { String(Unicode.Scalar($0)!) } }
}

extension ByteLevel: PreTokenizer {
    /// HF `ByteLevel::pre_tokenize`: prefix space and GPT-2 split per split, then bytes to characters, each
    /// byte's character aligned to the character it comes from.
    package func preTokenize(_ text: inout PreTokenizedString) {
        if addPrefixSpace {
            text.transformSplits { n in if n.scalars.first != 0x20 { n.prepend([0x20]) } }
        }
        if useRegex {
            let classes = RegexCharacterClasses.shared
            text.split { n, range, pieces in Self.gpt2Pieces(n.scalars, range, classes, into: &pieces) }
        }
        let table = Self.byteToCharacter
        text.expandSplits { cp, out in
            if cp < 0x80 {
                out.append(table[Int(cp)])
            } else {
                var utf8 = (Unicode.Scalar(cp) ?? "\u{FFFD}").utf8.makeIterator()
                while let b = utf8.next() { out.append(table[Int(b)]) }
            }
        }
    }

    /// GPT-2's `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, matched by hand
    /// over `scalars[range]` with the reference's character classes; the matches tile the range.
    static func gpt2Pieces(_ s: [UInt32], _ range: Range<Int>, _ classes: RegexCharacterClasses, into out: inout [Range<Int>]) {
        let end = range.upperBound
        var i = range.lowerBound
        let letter = RegexCharacterClasses.letter, number = RegexCharacterClasses.number, space = RegexCharacterClasses.space
        while i < end {
            let c = s[i]
            if c == 0x27, i + 1 < end {  // contractions, lowercase only
                let n = s[i + 1]
                if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 {  // s t m d
                    out.append(i..<(i + 2)); i += 2; continue
                }
                if i + 2 < end {
                    let m = s[i + 2]
                    if (n == 0x72 && m == 0x65) || (n == 0x76 && m == 0x65) || (n == 0x6C && m == 0x6C) {  // re ve ll
                        out.append(i..<(i + 3)); i += 3; continue
                    }
                }
            }
            let k = c == 0x20 ? i + 1 : i
            if k < end {
                let f = classes.of(s[k])
                var cls: UInt8 = 0  // the class run that follows the optional space, if any
                if f & letter != 0 { cls = letter } else if f & number != 0 { cls = number } else if f & (space | letter | number) == 0 { cls = 255 }
                if cls != 0 {
                    var j = k + 1
                    while j < end {
                        let g = classes.of(s[j])
                        let same = cls == 255 ? g & (space | letter | number) == 0 : g & cls != 0
                        if !same { break }
                        j += 1
                    }
                    out.append(i..<j); i = j; continue
                }
            }
            // Here s[i] is whitespace: `\s+(?!\S)` leaves the last space to the next word, else `\s+`.
            var j = i + 1
            while j < end && classes.of(s[j]) & space != 0 { j += 1 }
            if j < end && j - 1 > i { j -= 1 }
            out.append(i..<j)
            i = j
        }
    }
}

extension ByteLevel: JSONLoadable {
    /// Reads `{"type": "ByteLevel", "add_prefix_space", "trim_offsets", "use_regex"}` (pre-tokeniser,
    /// post-processor or decoder alike).
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(addPrefixSpace: try json.bool("add_prefix_space") ?? true, trimOffsets: try json.bool("trim_offsets") ?? true,
                  useRegex: try json.bool("use_regex") ?? true)
    }
}
