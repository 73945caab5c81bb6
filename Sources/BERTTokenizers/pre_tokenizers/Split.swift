import BERTJSON

/// Hugging Face `Split`: cuts at the matches of a string or regex pattern (or, with `invert`, at the text
/// between matches), keeping the delimiters as `behavior` says.
package struct Split: PreTokenizer {
    let pattern: SplitPattern
    /// What happens to the matches.
    package var behavior: SplitDelimiterBehavior
    /// Split at the non-matching text instead.
    package var invert: Bool

    /// Splits at occurrences of `string`.
    package init(string: String, behavior: SplitDelimiterBehavior, invert: Bool = false) {
        self.pattern = .string(string.unicodeScalars.map(\.value)); self.behavior = behavior; self.invert = invert
    }

    /// Splits at matches of the regular expression `regex`; throws `invalidRegex` if it does not compile.
    package init(regex: String, behavior: SplitDelimiterBehavior, invert: Bool = false) throws {
        self.pattern = .regex(try RegexPattern(regex, path: "Split(regex:)", key: "pattern"))
        self.behavior = behavior; self.invert = invert
    }

    init(pattern: SplitPattern, behavior: SplitDelimiterBehavior, invert: Bool) {
        self.pattern = pattern; self.behavior = behavior; self.invert = invert
    }

    /// Cuts every split at the pattern.
    package func preTokenize(_ text: inout PreTokenizedString) {
        text.split(behavior: behavior) { n, range in
            let matches = pattern.matches(in: n, range: range)
            return invert ? matches.inverted() : matches
        }
    }
}

extension Split: JSONLoadable {
    /// Reads `{"type": "Split", "pattern": {"String"|"Regex": ...}, "behavior", "invert"}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(pattern: try SplitPattern.read(json, key: "pattern"),
                  behavior: try json.required(json.splitBehavior("behavior"), "behavior"), invert: try json.bool("invert") ?? false)
    }
}

/// Hugging Face pre-tokeniser `Sequence`: each pre-tokeniser in turn.
package struct PreTokenizerSequence: PreTokenizer {
    /// The pre-tokenisers, applied in order.
    package var preTokenizers: [any PreTokenizer]

    /// Creates the sequence.
    package init(_ preTokenizers: [any PreTokenizer]) { self.preTokenizers = preTokenizers }

    /// Runs every member.
    package func preTokenize(_ text: inout PreTokenizedString) {
        for p in preTokenizers { p.preTokenize(&text) }
    }
}

extension PreTokenizerSequence: JSONLoadable {
    /// Reads `{"type": "Sequence", "pretokenizers": [...]}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(try json.required(json.objects("pretokenizers"), "pretokenizers").loadEach(PreTokenizerType.load, context: context))
    }
}
