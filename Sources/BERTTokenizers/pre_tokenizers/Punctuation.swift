import BERTJSON

/// Hugging Face `Punctuation`: splits at every punctuation character (ASCII punctuation or Unicode P*, as
/// BertPreTokenizer sees it), keeping it as `behavior` says (isolated by default).
package struct Punctuation: PreTokenizer, Equatable {
    /// What happens to the punctuation characters.
    package var behavior: SplitDelimiterBehavior

    /// Creates the pre-tokeniser.
    package init(behavior: SplitDelimiterBehavior = .isolated) { self.behavior = behavior }

    /// Cuts every split at punctuation.
    package func preTokenize(_ text: inout PreTokenizedString) {
        let flags = BertCharacterClasses.shared.flags
        text.split(behavior: behavior) { n, range in
            SplitPattern.matches(in: n, range: range) { $0 < 0x110000 && flags[Int($0)] & BertCharacterClasses.punctuation != 0 }
        }
    }
}

extension Punctuation: JSONLoadable {
    /// Reads `{"type": "Punctuation", "behavior": "Isolated"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(behavior: try json.splitBehavior("behavior") ?? .isolated)
    }
}

/// Hugging Face `Digits`: isolates numeric characters (Rust `char::is_numeric`), one by one with
/// `individualDigits`, else runs of them.
package struct Digits: PreTokenizer, Equatable {
    /// Each digit on its own rather than runs of digits.
    package var individualDigits: Bool

    /// Creates the pre-tokeniser.
    package init(individualDigits: Bool = false) { self.individualDigits = individualDigits }

    /// Cuts every split around digits.
    package func preTokenize(_ text: inout PreTokenizedString) {
        let classes = RegexCharacterClasses.shared
        text.split(behavior: individualDigits ? .isolated : .contiguous) { n, range in
            SplitPattern.matches(in: n, range: range) { classes.of($0) & RegexCharacterClasses.numeric != 0 }
        }
    }
}

extension Digits: JSONLoadable {
    /// Reads `{"type": "Digits", "individual_digits": false}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(individualDigits: try json.bool("individual_digits") ?? false)
    }
}

extension JSONFieldReader {
    /// A `SplitDelimiterBehavior` spelled as in tokenizer.json; an unknown spelling is an `invalidComponent`.
    func splitBehavior(_ key: String) throws -> SplitDelimiterBehavior? {
        guard let name = try string(key) else { return nil }
        guard let behavior = SplitDelimiterBehavior(rawValue: name) else {
            throw TokenizerError.invalidComponent(path: file, key: keyPath(key), reason: "is \"\(name)\"; expected one of "
                + SplitDelimiterBehavior.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return behavior
    }
}
