import ArgumentParser
import BERT
import BERTCommandLine
import BERTTokenizers
import Foundation

/// `--truncation` of `bert tokenize`: transformers' strategies.
enum TruncationChoice: String, ExpressibleByArgument, CaseIterable {
    case longestFirst = "longest_first", onlyFirst = "only_first", onlySecond = "only_second", doNotTruncate = "do_not_truncate"
}

/// `--padding` of `bert tokenize`: transformers' strategies.
enum PaddingChoice: String, ExpressibleByArgument, CaseIterable {
    case doNotPad = "do_not_pad", longest, maxLength = "max_length"
}

/// `--padding-side` / `--truncation-side`.
enum Side: String, ExpressibleByArgument, CaseIterable { case right, left }

/// `bert tokenize`: encode text the way transformers' `tokenizer(text, pair, ...)` does and print JSON.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a model's tokenizer (tokenizer.json, vocab.txt, or spiece.model / sentencepiece.bpe.model) and print JSON.",
        discussion: """
            Prints one JSON object per input with input_ids, token_type_ids, attention_mask, special_tokens_mask, \
            offset_mapping (code points of the original text, as Python reports them) and tokens; with \
            --return-overflowing, an "overflowing" list of further windows.
            Examples:
              bert tokenize --model models/all-MiniLM-L6-v2 "Hello, world!"
              bert tokenize --model DIR --max-length 384 --stride 128 --truncation only_second --return-overflowing "question" --pair "context"
              bert tokenize --model DIR --input inputs.jsonl     (lines of {"text": ..., "pair": ...}, or a text file)
            """)

    /// The longest `--max-length` accepted: far beyond any BERT's positions, small enough that padding to it fits.
    static let maxLengthLimit = 1 << 20

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions
    @Argument(help: "Text to tokenize (or use --input).") var text: String?
    @Option(help: "Second sequence of a pair.") var pair: String?
    @Option(help: "Maximum length including special tokens (default: the model's model_max_length, else 512).")
    var maxLength: Int?
    @Option(help: "Truncation strategy (default: truncate only if --max-length is given, longest_first).")
    var truncation: TruncationChoice?
    @Option(help: "Tokens shared by consecutive overflow windows.") var stride: Int = 0
    @Option(help: "Padding strategy.") var padding: PaddingChoice = .doNotPad
    @Option(help: "Round the padded length up to a multiple of this.") var padToMultipleOf: Int?
    @Option(help: "Where padding goes.") var paddingSide: Side = .right
    @Option(help: "Which end truncation cuts.") var truncationSide: Side = .right
    @Flag(help: "Also print the overflow windows produced by truncation.") var returnOverflowing = false
    @Flag(help: "Do not add [CLS]/[SEP].") var noSpecialTokens = false

    func validate() throws {
        // 0 is allowed, as transformers allows max_length=0 (below the special tokens nothing is truncated).
        if let maxLength, !(0...Self.maxLengthLimit).contains(maxLength) {
            throw ValidationError("--max-length must be between 0 and \(Self.maxLengthLimit), not \(maxLength)")
        }
        if let padToMultipleOf { try validateCount(padToMultipleOf, "--pad-to-multiple-of", max: Self.maxLengthLimit) }
        guard (0..<Self.maxLengthLimit).contains(stride) else {
            throw ValidationError("--stride must be between 0 and \(Self.maxLengthLimit - 1), not \(stride)")
        }
    }

    func run() throws {
        let directory = try modelOptions.directory()
        var tokenizer = try Tokenizer(directory: directory)
        // Like transformers, pad with the folder's pad_token (e.g. RoBERTa's "<pad>" = 1), else tokenizer.json's.
        let padToken = try Tokenizer.declaredPadToken(in: directory) ?? tokenizer.padding?.padToken ?? "[PAD]"
        // Like transformers, the call's arguments decide truncation and padding, not tokenizer.json's defaults.
        try tokenizer.setTruncation(nil)
        tokenizer.padding = nil
        let length = maxLength ?? min(tokenizer.modelMaxLength ?? 512, Self.maxLengthLimit)
        let direction: TruncationDirection = truncationSide == .left ? .left : .right
        switch truncation {
        case .doNotTruncate: break
        case let choice?:
            let strategy = TruncationStrategy(rawValue: choice.rawValue)!
            try tokenizer.setTruncation(TruncationParameters(maxLength: length, stride: stride, strategy: strategy, direction: direction))
        case nil:
            // transformers: max_length without an explicit strategy means longest_first.
            if maxLength != nil {
                try tokenizer.setTruncation(TruncationParameters(maxLength: length, stride: stride, direction: direction))
            }
        }
        let side: PaddingDirection = paddingSide == .left ? .left : .right
        switch padding {
        case .doNotPad: if padToMultipleOf != nil { tokenizer.padding = PaddingParameters(direction: side, padToMultipleOf: padToMultipleOf) }
        case .longest: tokenizer.padding = PaddingParameters(strategy: .longest, direction: side, padToMultipleOf: padToMultipleOf)
        case .maxLength: tokenizer.padding = PaddingParameters(strategy: .fixed(length), direction: side, padToMultipleOf: padToMultipleOf)
        }
        if tokenizer.padding != nil {
            // transformers refuses to pad without a pad token; padding with an arbitrary id 0 would be a silent lie.
            guard let id = tokenizer.tokenToId(padToken) else {
                throw CommandLineError("cannot pad: the tokenizer has no padding token (\"\(padToken)\" is not in its vocabulary and the folder names no pad_token)")
            }
            tokenizer.padding?.padToken = padToken
            tokenizer.padding?.padId = id
        }

        var texts: [String] = [], pairs: [String?] = []
        if inputOptions.input != nil {
            for record in try inputOptions.records() {
                texts.append(try record.string("text"))
                pairs.append(try record.optionalString("pair"))
            }
        } else if let text {
            texts = [text]
            pairs = [pair]
        } else {
            throw ValidationError("give TEXT or --input FILE")
        }
        let encodings = try tokenizer.encodeBatch(texts, pairs: pairs, addSpecialTokens: !noSpecialTokens)
        for e in encodings { try StandardOutput.jsonLine(e.json(overflowing: returnOverflowing)) }
    }
}
