import ArgumentParser
import BERT
import Foundation

/// `bert tokenize`: encode text the way transformers' `tokenizer(text, pair, ...)` does and print JSON,
/// or measure tokenizer speed with `--bench`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a local BERT tokenizer (tokenizer.json or vocab.txt) and print JSON.",
        discussion: """
            Prints one JSON object per input with input_ids, token_type_ids, attention_mask, special_tokens_mask, \
            offset_mapping (code points of the original text, as Python reports them) and tokens; with \
            --return-overflowing, an "overflowing" list of further windows.
            Examples:
              bert tokenize --model models/all-MiniLM-L6-v2 "Hello, world!"
              bert tokenize --model DIR --max-length 384 --stride 128 --truncation only_second --return-overflowing "question" --pair "context"
              bert tokenize --model DIR --input inputs.jsonl     (lines of {"text": ..., "pair": ...})
              bert tokenize --model DIR --bench                  (tokens/s over the golden corpus, one thread)
            """)

    @Option(help: "Folder holding tokenizer.json, or vocab.txt (+ tokenizer_config.json).")
    var model: String

    @Argument(help: "Text to tokenize (or use --input).")
    var text: String?

    @Option(help: "Second sequence of a pair.")
    var pair: String?

    @Option(help: "JSONL file: one {\"text\": ..., \"pair\": ...} per line, encoded as one batch.")
    var input: String?

    @Option(help: "Maximum length including special tokens (default: the model's model_max_length, else 512).")
    var maxLength: Int?

    @Option(help: "longest_first, only_first, only_second or do_not_truncate (default: truncate only if --max-length is given).")
    var truncation: String?

    @Option(help: "Tokens shared by consecutive overflow windows.")
    var stride: Int = 0

    @Option(help: "do_not_pad, longest or max_length.")
    var padding: String = "do_not_pad"

    @Option(help: "Round the padded length up to a multiple of this.")
    var padToMultipleOf: Int?

    @Option(help: "right or left.")
    var paddingSide: String = "right"

    @Option(help: "right or left.")
    var truncationSide: String = "right"

    @Flag(help: "Also print the overflow windows produced by truncation.")
    var returnOverflowing = false

    @Flag(help: "Do not add [CLS]/[SEP].")
    var noSpecialTokens = false

    @Flag(help: "Measure load time and single-thread tokens/s instead of printing encodings.")
    var bench = false

    @Option(help: "Corpus for --bench.")
    var benchCorpus: String = "Tests/Fixtures/tokenizers/corpus.json"

    @Option(help: "Corpus repetitions per timed pass for --bench.")
    var benchRepeat: Int = 50

    func run() throws {
        let directory = URL(fileURLWithPath: model)
        if bench {
            let corpus = try TokenizerBenchmark.loadCorpus(URL(fileURLWithPath: benchCorpus))
            let r = try TokenizerBenchmark.run(directory: directory, corpus: corpus, repeat: benchRepeat)
            print(String(format: "swift BERTTokenizers: %.0f tokens/s (%d tokens/pass, %d passes, %.2f s, one thread)",
                         r.tokensPerSecond, r.tokensPerPass, r.passes, r.seconds))
            print(String(format: "swift BERTTokenizers load %@: %.1f ms (best of 5)", model, r.loadSeconds * 1000))
            return
        }
        var tokenizer = try Tokenizer(directory: directory)
        // Like transformers, the call's arguments decide truncation and padding, not tokenizer.json's defaults.
        try tokenizer.setTruncation(nil)
        tokenizer.padding = nil
        let length = maxLength ?? tokenizer.modelMaxLength ?? 512
        let direction: TruncationDirection = truncationSide == "left" ? .left : .right
        if let truncation {
            if truncation != "do_not_truncate" {
                guard let strategy = TruncationStrategy(rawValue: truncation) else {
                    throw ValidationError("--truncation must be longest_first, only_first, only_second or do_not_truncate")
                }
                try tokenizer.setTruncation(TruncationParameters(maxLength: length, stride: stride, strategy: strategy,
                                                                 direction: direction))
            }
        } else if maxLength != nil {
            // transformers: max_length without an explicit strategy means longest_first.
            try tokenizer.setTruncation(TruncationParameters(maxLength: length, stride: stride, direction: direction))
        }
        let side: PaddingDirection = paddingSide == "left" ? .left : .right
        switch padding {
        case "do_not_pad": if padToMultipleOf != nil { tokenizer.padding = PaddingParameters(direction: side, padToMultipleOf: padToMultipleOf) }
        case "longest": tokenizer.padding = PaddingParameters(strategy: .longest, direction: side, padToMultipleOf: padToMultipleOf)
        case "max_length": tokenizer.padding = PaddingParameters(strategy: .fixed(length), direction: side, padToMultipleOf: padToMultipleOf)
        default: throw ValidationError("--padding must be do_not_pad, longest or max_length")
        }
        if let pad = tokenizer.padding, let id = tokenizer.tokenToId(pad.padToken) { tokenizer.padding?.padId = id }

        var texts: [String] = [], pairs: [String?] = []
        if let input {
            let content = try String(contentsOfFile: input, encoding: .utf8)
            for (n, line) in content.split(whereSeparator: \.isNewline).enumerated() {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let t = object["text"] as? String else {
                    throw ValidationError("\(input):\(n + 1): expected {\"text\": ..., \"pair\": ...}")
                }
                texts.append(t)
                pairs.append(object["pair"] as? String)
            }
        } else if let text {
            texts = [text]
            pairs = [pair]
        } else {
            throw ValidationError("give TEXT or --input FILE")
        }
        let encodings = try tokenizer.encodeBatch(texts, pairs: pairs, addSpecialTokens: !noSpecialTokens)
        for e in encodings { print(json(e, overflow: returnOverflowing)) }
    }

    private func json(_ e: Encoding, overflow: Bool) -> String {
        func ints(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ",") + "]" }
        var fields = [
            "\"input_ids\":\(ints(e.ids))",
            "\"token_type_ids\":\(ints(e.typeIds))",
            "\"attention_mask\":\(ints(e.attentionMask))",
            "\"special_tokens_mask\":\(ints(e.specialTokensMask))",
            "\"offset_mapping\":[" + e.offsets.map { "[\($0.lowerBound),\($0.upperBound)]" }.joined(separator: ",") + "]",
            "\"tokens\":[" + e.tokens.map(Self.quote).joined(separator: ",") + "]",
        ]
        if overflow { fields.append("\"overflowing\":[" + e.overflowing.map { json($0, overflow: false) }.joined(separator: ",") + "]") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A JSON string literal (escapes quotes, backslashes and control characters; keeps other text as UTF-8).
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
