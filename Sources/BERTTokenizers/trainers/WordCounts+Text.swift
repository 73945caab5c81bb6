import Foundation

extension WordCounts {
    /// Counts the words of `text` as HF's `Tokenizer::train` feeds them to a trainer: the normalised text split by
    /// the pre-tokenizer, each split's normalised string one word (`get_splits`).
    package mutating func addWords(of text: String, normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?) {
        var scratch = WordSplitScratch()
        addWords(of: text, normalizer: normalizer, preTokenizer: preTokenizer, scratch: &scratch)
    }

    mutating func addWords(of text: String, normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?,
                           scratch: inout WordSplitScratch) {
        scratch.codePoints.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars { scratch.codePoints.append(scalar.value) }
        var normalized = NormalizedString(scratch.codePoints, range: 0..<scratch.codePoints.count)
        normalizer?.normalize(&normalized)
        var pieces = PreTokenizedString(normalized)
        preTokenizer?.preTokenize(&pieces)
        pieces.text.scalars.withUnsafeBufferPointer { text in
            for split in pieces.splits where !split.range.isEmpty {
                add(UnsafeBufferPointer(rebasing: text[split.range]))
            }
        }
    }

    /// Counts the words of every text in `texts`, reporting progress per text (stage "Count words").
    ///
    /// With several `threads` each counts a contiguous slice and the slices are merged in order, so the result
    /// (first-seen order included) is the same as with one.
    package init(texts: [String], normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?, threads: Int = 1,
                progress: TrainingProgressHandler? = nil) {
        let total = texts.count
        progress?(TrainingProgress(stage: "Count words", done: 0, total: total))
        let parts = max(1, min(threads, total / 1024))
        if parts == 1 {
            self.init()
            var scratch = WordSplitScratch()
            for (i, text) in texts.enumerated() {
                addWords(of: text, normalizer: normalizer, preTokenizer: preTokenizer, scratch: &scratch)
                if i & 0x3FF == 0x3FF { progress?(TrainingProgress(stage: "Count words", done: i + 1, total: total)) }
            }
        } else {
            let slices = SliceResults(count: parts)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                var counts = WordCounts()
                var scratch = WordSplitScratch()
                for text in texts[total * part / parts ..< total * (part + 1) / parts] {
                    counts.addWords(of: text, normalizer: normalizer, preTokenizer: preTokenizer, scratch: &scratch)
                }
                slices.set(part, counts)
            }
            self = slices.merged()
        }
        progress?(TrainingProgress(stage: "Count words", done: total, total: total))
    }
}

/// Buffers reused from text to text while counting words.
struct WordSplitScratch {
    var codePoints: [UInt32] = []
}

/// The per-thread counts of `WordCounts(texts:...)`, each slot written by one thread.
private final class SliceResults: @unchecked Sendable {
    private var slots: [WordCounts]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: WordCounts(), count: count) }

    func set(_ index: Int, _ counts: WordCounts) {
        lock.lock()
        slots[index] = counts
        lock.unlock()
    }

    /// The slices merged in order.
    func merged() -> WordCounts {
        var result = slots[0]
        for slot in slots.dropFirst() { result.merge(slot) }
        return result
    }
}
