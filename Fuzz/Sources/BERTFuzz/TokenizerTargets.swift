// Tokenizers. `tokenizer`: a tokenizer.json from the input; when it loads, a few fixed texts, a pair and the input
// itself (as text) are encoded and decoded. `encode`: the input as text (a NUL byte splits a pair; the first byte
// picks truncation, padding and special tokens) with the real all-MiniLM-L6-v2 tokenizer.
import BERT
import Foundation

private let fixedTexts = [
    "Hello, world!", "", " ", "unaffable running [MASK] [CLS]", "Déjà vu — naïve café", "日本語のテキスト 中文",
    "a\u{0}b\u{FEFF}c\u{200B}d", "🙂👍🏽 e\u{301}", String(repeating: "x", count: 150),
]

func fuzzTokenizerJSON(_ input: UnsafeRawBufferPointer) {
    let data = Data(input)
    guard var tokenizer = try? Tokenizer(tokenizerJSONData: data) else { return }
    exercise(tokenizer, inputText: input)
    tokenizer.padding = nil
    exercise(tokenizer, inputText: input)
}

private func exercise(_ tokenizer: Tokenizer, inputText: UnsafeRawBufferPointer) {
    _ = tokenizer.vocabularySize
    for text in fixedTexts {
        if let e = try? tokenizer.encode(text) { checkShape(e); _ = tokenizer.decode(e.ids, skipSpecialTokens: true) }
    }
    if let e = try? tokenizer.encode(fixedTexts[3], pair: fixedTexts[4]) { checkShape(e); _ = tokenizer.decode(e.ids) }
    if let e = try? tokenizer.encode(utf8: inputText.bindMemory(to: UInt8.self)) { checkShape(e); _ = tokenizer.decode(e.ids) }
    _ = try? tokenizer.encodeBatch(Array(fixedTexts.prefix(3)))
    _ = tokenizer.decode(Array(-2..<40))
}

/// Every per-token field has one entry per id, and offsets lie within the text.
private func checkShape(_ e: Encoding) {
    let n = e.ids.count
    check(e.typeIds.count == n && e.tokens.count == n && e.wordIds.count == n && e.offsets.count == n
          && e.specialTokensMask.count == n && e.attentionMask.count == n && e.sequenceIds.count == n,
          "encoding fields disagree on length \(n)")
    for o in e.overflowing { checkShape(o) }
}

/// all-MiniLM-L6-v2's tokenizer: $FUZZ_TOKENIZER, else models/all-MiniLM-L6-v2/tokenizer.json of the main package.
private let miniLM: Tokenizer = {
    let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../models/all-MiniLM-L6-v2/tokenizer.json").standardizedFileURL.path
    let path = ProcessInfo.processInfo.environment["FUZZ_TOKENIZER"] ?? fallback
    do {
        var t = try Tokenizer(tokenizerJSON: URL(fileURLWithPath: path))
        t.padding = nil
        return t
    } catch {
        FileHandle.standardError.write(Data("BERTFuzz encode: cannot load \(path): \(error) (run scripts/fetch-models.sh or set FUZZ_TOKENIZER)\n".utf8))
        exit(2)
    }
}()

func fuzzEncode(_ input: UnsafeRawBufferPointer) {
    guard let options = input.first else { return }
    let bytes = input.bindMemory(to: UInt8.self)[1...]
    var tokenizer = miniLM
    // Bits 0-2: max length (none, or 1...), 3-4: stride, 5: special tokens, 6: padding to a multiple of 8, 7: left.
    let maxLengths = [0, 1, 2, 3, 4, 5, 8, 16]
    if options & 7 != 0 {
        let maxLength = maxLengths[Int(options & 7)]
        let stride = [0, 1, 2, 7][Int((options >> 3) & 3)]
        let strategies: [TruncationStrategy] = [.longestFirst, .onlyFirst, .onlySecond]
        let params = TruncationParameters(maxLength: maxLength, stride: stride,
                                          strategy: strategies[Int(options) % 3],
                                          direction: options & 128 != 0 ? .left : .right)
        if (try? tokenizer.setTruncation(params)) == nil { try? tokenizer.setTruncation(nil) }
    }
    if options & 64 != 0 {
        tokenizer.padding = PaddingParameters(strategy: .fixed(24), direction: options & 128 != 0 ? .left : .right,
                                              padToMultipleOf: 8)
    }
    let special = options & 32 == 0
    let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    let first = parts.first ?? bytes[bytes.startIndex..<bytes.startIndex]
    let pair = parts.count > 1 ? parts[1] : nil
    guard let encoding = try? tokenizer.encode(utf8: first, pair: pair, addSpecialTokens: special) else { return }
    checkShape(encoding)
    if let text = String(validating: first, as: UTF8.self) {
        let scalars = Array(text.unicodeScalars)
        for (i, offsets) in encoding.offsets.enumerated() where encoding.sequenceIds[i] == 0 {
            check(offsets.lowerBound >= 0 && offsets.upperBound <= scalars.count, "offsets \(offsets) outside \(scalars.count) scalars")
        }
        if pair == nil, tokenizer.truncation == nil {
            check(encoding == (try? tokenizer.encode(text, addSpecialTokens: special)), "encode(String) and encode(utf8:) differ")
        }
    }
    _ = tokenizer.decode(encoding.ids, skipSpecialTokens: true)
}
