import BERTJSON

/// Hugging Face `BPEDecoder`: the end-of-word `suffix` becomes a space, except in the last token where it goes.
package struct BPEDecoder: TokenDecoder, Equatable {
    /// The end-of-word suffix (`</w>`).
    package var suffix: String
    /// Creates the decoder.
    package init(suffix: String = "</w>") { self.suffix = suffix }
    /// Replaces the suffix in every token.
    package func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            WordPieceDecoder.replaceAll(token, suffix, i == tokens.count - 1 ? "" : " ")
        }
    }
}

extension BPEDecoder: JSONLoadable {
    /// Reads `{"type": "BPEDecoder", "suffix"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init(suffix: try json.string("suffix") ?? "</w>") }
}

/// Hugging Face `Fuse`: all tokens joined into one.
package struct Fuse: TokenDecoder, Equatable {
    /// Creates the decoder.
    package init() {}
    /// One token holding them all.
    package func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }
}

extension Fuse: JSONLoadable {
    /// Reads `{"type": "Fuse"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}

/// Hugging Face `Strip` decoder: removes up to `start` leading and `stop` trailing `content` characters from
/// every token (where the crate would panic, cutting past a short token, the token becomes empty).
package struct StripDecoder: TokenDecoder, Equatable {
    /// The character to remove.
    package var content: Character
    /// How many to remove at the start.
    package var start: Int
    /// How many to remove at the end.
    package var stop: Int
    /// Creates the decoder.
    package init(content: Character, start: Int, stop: Int) { self.content = content; self.start = start; self.stop = stop }

    /// Strips every token.
    package func decodeChain(_ tokens: [String]) -> [String] {
        let c = content.unicodeScalars.first!
        return tokens.map { token in
            let chars = Array(token.unicodeScalars)
            var startCut = 0
            for i in 0..<min(start, chars.count) { if chars[i] == c { startCut = i + 1 } else { break } }
            var stopCut = chars.count
            for i in 0..<min(stop, chars.count) {
                let index = chars.count - i - 1
                if chars[index] == c { stopCut = index } else { break }
            }
            guard startCut < stopCut else { return "" }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: chars[startCut..<stopCut])
            return String(view)
        }
    }
}

extension StripDecoder: JSONLoadable {
    /// Reads `{"type": "Strip", "content", "start", "stop"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let content = try json.requiredString("content")
        guard content.unicodeScalars.count == 1 else {
            throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("content"), reason: "must be one character")
        }
        self.init(content: Character(content), start: try json.int("start") ?? 0, stop: try json.int("stop") ?? 0)
    }
}

/// Hugging Face `ByteFallback`: runs of `<0xAB>` tokens become the text their bytes spell (one U+FFFD per byte
/// when they are not valid UTF-8).
package struct ByteFallback: TokenDecoder, Equatable {
    /// Creates the decoder.
    package init() {}

    /// Decodes the byte-token runs.
    package func decodeChain(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var bytes: [UInt8] = []
        func flush() {
            guard !bytes.isEmpty else { return }
            if let text = String(validating: bytes, as: UTF8.self) {
                out.append(text)
            } else {
                out.append(contentsOf: repeatElement("\u{FFFD}", count: bytes.count))
            }
            bytes.removeAll()
        }
        for token in tokens {
            if let byte = Self.byte(of: token) {
                bytes.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }

    /// The byte of a `<0xAB>` token: six bytes, two after `<0x` parsed as Rust's `u8::from_str_radix(_, 16)`
    /// (which accepts a leading `+`).
    static func byte(of token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        let digits = u[3] == 0x2B ? [u[4]] : [u[3], u[4]]
        guard let text = String(validating: digits, as: UTF8.self) else { return nil }
        return UInt8(text, radix: 16)
    }
}

extension ByteFallback: JSONLoadable {
    /// Reads `{"type": "ByteFallback"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws { self.init() }
}

/// Hugging Face decoder `Sequence`: each decoder's `decodeChain` in turn.
package struct DecoderSequence: TokenDecoder {
    /// The decoders, applied in order.
    package var decoders: [any TokenDecoder]
    /// Creates the sequence.
    package init(_ decoders: [any TokenDecoder]) { self.decoders = decoders }
    /// Chains every member.
    package func decodeChain(_ tokens: [String]) -> [String] { decoders.reduce(tokens) { $1.decodeChain($0) } }
}

extension DecoderSequence: JSONLoadable {
    /// Reads `{"type": "Sequence", "decoders": [...]}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(try json.required(json.objects("decoders"), "decoders").loadEach(DecoderType.load, context: context))
    }
}
