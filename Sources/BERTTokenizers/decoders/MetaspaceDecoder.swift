import BERTJSON

/// Undoes Metaspace (HF `decoders::Metaspace`): `▁` becomes a space, except in the first token (unless the
/// scheme is `never`), where the crate drops every `▁`.
package struct MetaspaceDecoder: TokenDecoder {
    /// The character standing for a space.
    package let replacement: Unicode.Scalar
    /// The pre-tokenizer's prepend scheme.
    package let prependScheme: PrependScheme

    /// A Metaspace decoder.
    package init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always) {
        self.replacement = replacement
        self.prependScheme = prependScheme
    }

    package func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var out = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                if scalar != replacement {
                    out.append(scalar)
                } else if index > 0 || prependScheme == .never {
                    out.append(" ")
                }
            }
            return String(out)
        }
    }
}

extension MetaspaceDecoder: JSONLoadable {
    /// Reads the decoder's `{"type": "Metaspace", ...}` (same fields as the pre-tokenizer).
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let (replacement, scheme, _) = try metaspaceFields(json)
        self.init(replacement: replacement, prependScheme: scheme)
    }
}
