import BERTJSON
import Foundation

/// Speed measurements for `bert-dev bench tokenizer`: load time and single-thread throughput,
/// counted the way `scripts/bench_tokenizer.py` counts them for Python `tokenizers`.
package enum TokenizerBenchmark {
    /// The outcome of one run.
    package struct Result: Sendable {
        /// Seconds to load the tokenizer folder (best of the load repetitions).
        package var loadSeconds: Double
        /// Tokens produced per pass over the corpus (special tokens included).
        package var tokensPerPass: Int
        /// Passes timed.
        package var passes: Int
        /// Wall time of the timed passes.
        package var seconds: Double
        /// `tokensPerPass * passes / seconds`.
        package var tokensPerSecond: Double { Double(tokensPerPass * passes) / seconds }
    }

    /// Reads the golden corpus (`Tests/Fixtures/tokenizers/corpus.json`): its texts and its pairs.
    package static func loadCorpus(_ url: URL) throws -> (texts: [String], pairs: [(String, String)]) {
        let data = try Tokenizer.read(url)
        let shape = "expected {\"texts\": [...], \"pairs\": [[a, b], ...]}"
        guard let root = try? JSONValue.parse(data), let items = root["texts"]?.arrayValue else {
            throw TokenizerError.malformedJSON(path: url.path, reason: shape)
        }
        let texts = items.compactMap(\.stringValue)
        guard texts.count == items.count else { throw TokenizerError.malformedJSON(path: url.path, reason: shape) }
        let pairs = (root["pairs"]?.arrayValue ?? []).compactMap { pair -> (String, String)? in
            guard let a = pair[0]?.stringValue, let b = pair[1]?.stringValue, pair.arrayValue?.count == 2 else { return nil }
            return (a, b)
        }
        return (texts, pairs)
    }

    /// Loads `directory` `loadRepeats` times (keeping the best time), then encodes the corpus `repeat` times
    /// per pass, on this thread, for at least `minimumSeconds`. Truncation and padding are switched off.
    package static func run(directory: URL, corpus: (texts: [String], pairs: [(String, String)]), repeat: Int = 50,
                           minimumSeconds: Double = 2, loadRepeats: Int = 5) throws -> Result {
        var best = Double.infinity
        var tokenizer: Tokenizer?
        for _ in 0..<max(1, loadRepeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            tokenizer = try Tokenizer(directory: directory)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        var t = tokenizer!
        try t.setTruncation(nil)
        t.padding = nil
        func pass() throws -> Int {
            var n = 0
            for _ in 0..<`repeat` {
                for text in corpus.texts { n += try t.encode(text).count }
                for (a, b) in corpus.pairs { n += try t.encode(a, pair: b).count }
            }
            return n
        }
        let tokens = try pass()  // warm-up (builds the character tables)
        var passes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            _ = try pass()
            passes += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < minimumSeconds
        return Result(loadSeconds: best, tokensPerPass: tokens, passes: passes, seconds: elapsed)
    }
}
