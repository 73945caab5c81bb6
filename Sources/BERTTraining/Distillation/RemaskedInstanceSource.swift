/// Dynamic masking over a pre-masked instance file, as DistilBERT masks on the fly: each instance's text (its
/// masked positions restored from their labels) is masked again in every epoch by Google's procedure
/// (`MaskedLMMasker`), from a generator seeded with (seed, epoch, instance index) — epoch k always gives the same
/// masks, a new epoch new ones, nothing stored. Token types, attention mask and sentence labels are the file's.
/// With `dynamic` false it hands out the file's own instances.
package struct RemaskedInstanceSource<Base: PretrainingInstanceSource>: PretrainingInstanceSource {
    package let base: Base
    /// nil: the file's masks unchanged.
    package let masker: MaskedLMMasker?
    package let seed: UInt64

    package init(base: Base, masker: MaskedLMMasker?, seed: UInt64) {
        (self.base, self.masker, self.seed) = (base, masker, seed)
    }

    package var count: Int { base.count }
    package var maxSeqLength: Int { base.maxSeqLength }

    package func instance(at index: Int, epoch: Int) throws -> PretrainingInstance {
        let stored = try base.instance(at: index, epoch: epoch)
        guard let masker else { return stored }
        // Real tokens come first; padding (attention 0) follows them.
        let n = stored.attentionMask.prefix { $0 == 1 }.count
        var tokens = Array(stored.inputIDs.prefix(n))
        for i in 0..<n where stored.labels[i] != PretrainingInstance.ignoreIndex { tokens[i] = stored.labels[i] }
        var rng = PretrainingRandomGenerator(seed: seed, stream: [UInt64(truncatingIfNeeded: epoch), UInt64(truncatingIfNeeded: index)])
        let masked = masker.mask(tokens, using: &rng)
        var out = stored
        out.inputIDs = masked.inputIDs + stored.inputIDs.dropFirst(n)
        out.labels = masked.labels + stored.labels.dropFirst(n)
        return out
    }
}
