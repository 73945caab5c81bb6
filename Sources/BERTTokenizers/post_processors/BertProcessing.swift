import BERTJSON

/// Hugging Face `BertProcessing`: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` with type ids 0 then 1, which is
/// exactly BERT's template, so it delegates to `TemplateProcessing.bert`.
package struct BertProcessing: PostProcessor, Equatable {
    /// The classifier token and its id.
    package let cls: (token: String, id: Int)
    /// The separator token and its id.
    package let sep: (token: String, id: Int)
    private let template: TemplateProcessing

    /// Creates the processor.
    package init(sep: (String, Int), cls: (String, Int)) {
        self.sep = sep
        self.cls = cls
        template = .bert(cls: cls, sep: sep)
    }

    package static func == (a: BertProcessing, b: BertProcessing) -> Bool { a.template == b.template }

    /// One special token per side: 2 for a sequence, 3 for a pair.
    package func addedTokens(isPair: Bool) -> Int { template.addedTokens(isPair: isPair) }

    /// The BERT layout over the first one or two encodings.
    package func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        template.processEncodings(encodings, addSpecialTokens: addSpecialTokens)
    }

    /// The BERT layout (the fast path `Tokenizer` calls).
    package func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        template.process(first, second, addSpecialTokens: addSpecialTokens)
    }
}

extension BertProcessing: JSONLoadable {
    /// Reads `{"type": "BertProcessing", "sep": [token, id], "cls": [token, id]}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(sep: try json.tokenAndId("sep", context: context), cls: try json.tokenAndId("cls", context: context))
    }
}

extension JSONFieldReader {
    /// A `[token, id]` pair (BertProcessing's and RobertaProcessing's `sep` and `cls`), the id checked.
    func tokenAndId(_ key: String, context: ComponentContext) throws -> (String, Int) {
        guard case .array(let pair)? = value(key), pair.count == 2, let token = pair[0].stringValue, let id = pair[1].intValue else {
            throw TokenizerError.malformedJSON(path: file, reason: "\(keyPath(key)) must be [token, id]")
        }
        return (token, try context.checkId(id, path: file, key: keyPath(key)))
    }
}
