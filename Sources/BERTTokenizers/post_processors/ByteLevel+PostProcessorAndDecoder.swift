extension ByteLevel: PostProcessor {
    /// ByteLevel adds no tokens.
    package func addedTokens(isPair: Bool) -> Int { 0 }

    /// HF `ByteLevel::process_encodings`: trims offsets (if `trimOffsets`) and numbers the sequences.
    package func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        var out = encodings
        for i in out.indices {
            if trimOffsets { out[i].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace) }
            out[i].setSequenceId(i)
        }
        return out
    }
}

extension ByteLevel: TokenDecoder {
    /// HF `ByteLevel::decode_chain`: every token's characters back to bytes (a token with a character that
    /// stands for no byte keeps its own UTF-8), all joined and decoded as UTF-8 with U+FFFD for bad sequences.
    package func decodeChain(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens {
            let start = bytes.count
            var mapped = true
            for scalar in token.unicodeScalars {
                let v = scalar.value
                guard v < 0x144, Self.characterToByte[Int(v)] >= 0 else { mapped = false; break }
                bytes.append(UInt8(Self.characterToByte[Int(v)]))
            }
            if !mapped {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: token.utf8)
            }
        }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}

extension Encoding {
    /// HF `process_offsets` (RobertaProcessing and ByteLevel with `trim_offsets`): offsets leave out the spaces
    /// (Ġ or whitespace) a token starts or ends with, except the one space `add_prefix_space` put before the
    /// first token; overflow windows too.
    mutating func trimByteLevelOffsets(addPrefixSpace: Bool) {
        for i in overflowing.indices { overflowing[i].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace) }
        // Ġ, or char::is_whitespace from the table probed from the crate (not Swift's Unicode version).
        func isSpace(_ s: Unicode.Scalar) -> Bool { s.value == 0x120 || NormalizedString.isWhitespace(s.value) }
        for i in tokens.indices {
            let scalars = tokens[i].unicodeScalars
            guard let first = scalars.first, let last = scalars.last, isSpace(first) || isSpace(last) else { continue }
            var leading = 0
            for s in scalars { if isSpace(s) { leading += 1 } else { break } }
            var trailing = 0
            for s in scalars.reversed() { if isSpace(s) { trailing += 1 } else { break } }
            guard leading > 0 || trailing > 0 else { continue }
            var (start, end) = (offsets[i].lowerBound, offsets[i].upperBound)
            if leading > 0 {
                let isFirst = i == 0 || start == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                start = min(start + leading, end)
            }
            if trailing > 0 && end >= trailing { end = max(end - trailing, start) }
            offsets[i] = start..<end
        }
    }
}
