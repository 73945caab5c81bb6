// create_training_instances / create_instances_from_document / truncate_seq_pair of Google's
// create_pretraining_data.py, with ALBERT's sentence-order variant and RoBERTa's MLM-only blocks.

/// Builds masked, padded instances from a tokenized corpus, every random choice drawn from one generator seeded
/// with `configuration.seed`, so equal inputs and settings give equal instances.
package struct PretrainingInstanceGenerator: Sendable {
    /// The settings; validated at init.
    package let configuration: PretrainingDataConfiguration
    /// Special ids and vocabulary size.
    package let vocabulary: PretrainingVocabulary
    /// The masking step shared by all objectives.
    package let masker: MaskedLMMasker

    /// Throws `invalidConfiguration` when a setting is out of range.
    package init(configuration: PretrainingDataConfiguration, vocabulary: PretrainingVocabulary) throws {
        try configuration.validate()
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.masker = MaskedLMMasker(vocabulary: vocabulary, configuration: configuration)
    }

    /// All instances for `corpus`, as Google's `create_training_instances`: shuffle the documents, then
    /// `dupe_factor` passes over every document, then shuffle the instances. For `.maskedLMOnly` the passes are
    /// epochs 0..<dupe_factor of `DynamicMaskingDataset` (static copies of its dynamic masks), then shuffled.
    ///
    /// NSP labels: with the default `nextSentenceRule` `.balanced`, half of the instances have label 1 (the
    /// coin is drawn for every chunk; a one-sentence chunk is cut in two when B should follow A). With `.google`
    /// the instances equal those of Google's `create_pretraining_data.py` for the same corpus and random draws,
    /// including its surplus of label 1 (one-sentence chunks always take a random B; ≈ 55.6% with
    /// `short_seq_prob` 0.1 on docs/pretraining-data.md's corpus).
    package func makeInstances(corpus: PretrainingCorpus) -> [PretrainingInstance] {
        var counts = PretrainingGenerationCounts()
        return makeInstances(corpus: corpus, counts: &counts)
    }

    /// `makeInstances(corpus:)`, also counting what happened (for diagnostics and tests); `progress` is told the
    /// documents done of `dupeFactor × documents` (a display's business; it does not change the instances).
    package func makeInstances(corpus: PretrainingCorpus, counts: inout PretrainingGenerationCounts,
                              progress: ((_ done: Int, _ total: Int) -> Void)? = nil) -> [PretrainingInstance] {
        let total = configuration.dupeFactor * corpus.documents.count
        var rng = PretrainingRandomGenerator(seed: configuration.seed)
        var instances: [PretrainingInstance] = []
        if configuration.objective == .maskedLMOnly {
            let dataset = DynamicMaskingDataset(corpus: corpus, configuration: configuration, vocabulary: vocabulary)
            for epoch in 0..<configuration.dupeFactor {
                for index in 0..<dataset.count { instances.append(dataset.instance(at: index, epoch: epoch)) }
                counts.instances += dataset.count
                progress?((epoch + 1) * corpus.documents.count, total)
            }
        } else {
            var documents = corpus.documents
            rng.shuffle(&documents)
            for round in 0..<configuration.dupeFactor {
                for index in documents.indices {
                    instances += makeInstances(documentAt: index, in: documents, rng: &rng, counts: &counts)
                    progress?(round * documents.count + index + 1, total)
                }
            }
        }
        rng.shuffle(&instances)
        return instances
    }

    /// Google's `create_instances_from_document` (NSP) or ALBERT's sentence-order version (SOP).
    ///
    /// Sentences are gathered into a chunk until it reaches the target length (`max_seq_length - 3`, or with
    /// probability `short_seq_prob` a random length in 2...that); A is the chunk's first `a_end` sentences
    /// (random, at least one). NSP: with probability ½ B is a span of a random other document (label 1) and the
    /// chunk's unused sentences are put back to start the next chunk; otherwise B is the rest of the chunk
    /// (label 0). A chunk of one sentence depends on `nextSentenceRule`. `.balanced` (default) draws the coin
    /// as for any chunk, and on "B follows" cuts the sentence at a random token: A = the tokens before the cut,
    /// B = the rest (label 0); a one-token sentence cannot be cut and takes a random B (`forcedRandomNext`).
    /// `.google` draws no coin and always takes a random B, as Google's script (the label-1 share then rises to
    /// ½ + ½ · forcedRandomNext / instances); it keeps Google's draw order, so its instances equal the
    /// script's. A chunk of two or more sentences takes the same draws under both rules.
    ///
    /// SOP: B is always the rest of the chunk (a one-sentence chunk is cut at a random token; a one-token chunk
    /// makes no instance) and with probability ½ A and B are swapped (label 1). ALBERT's script instead pairs a
    /// one-sentence chunk with a random document (label 1, no coin): `nextSentenceRule == .google` does that too and
    /// then reproduces ALBERT's instances draw for draw; `.balanced` keeps SOP pure.
    package func makeInstances(documentAt documentIndex: Int, in documents: [[[Int]]],
                              rng: inout PretrainingRandomGenerator,
                              counts: inout PretrainingGenerationCounts) -> [PretrainingInstance] {
        let document = documents[documentIndex]
        let maxNumTokens = configuration.maxSeqLength - 3
        var targetLength = maxNumTokens
        if rng.nextUnit() < configuration.shortSeqProb {
            targetLength = rng.nextInt(in: 2...maxNumTokens)
            counts.shortTargetDocuments += 1
        }
        counts.documents += 1

        var instances: [PretrainingInstance] = []
        var chunk: [[Int]] = []
        var chunkLength = 0
        var i = 0
        while i < document.count {
            chunk.append(document[i])
            chunkLength += document[i].count
            if i == document.count - 1 || chunkLength >= targetLength {
                let aEnd = chunk.count >= 2 ? rng.nextInt(in: 1...(chunk.count - 1)) : 1
                var a = Array(chunk[0..<aEnd].joined())
                var b: [Int] = []
                var label = 0
                switch configuration.objective {
                case .nextSentencePrediction, .maskedLMOnly:
                    let randomNext: Bool
                    switch configuration.nextSentenceRule {
                    case .google:  // no coin for a one-sentence chunk: Google's draw order
                        randomNext = chunk.count == 1 || rng.nextUnit() < 0.5
                        if chunk.count == 1 { counts.forcedRandomNext += 1 }
                    case .balanced:
                        if rng.nextUnit() < 0.5 {
                            randomNext = true
                        } else if chunk.count >= 2 {
                            randomNext = false
                        } else if a.count >= 2 {  // B = the rest of the sentence, which really follows A
                            let cut = rng.nextInt(in: 1...(a.count - 1))
                            b = Array(a[cut...])
                            a.removeSubrange(cut...)
                            randomNext = false
                            counts.cutSentences += 1
                        } else {
                            randomNext = true
                            counts.forcedRandomNext += 1
                        }
                    }
                    if randomNext {
                        label = 1
                        b = Self.randomSegment(targetLength: targetLength - a.count, avoiding: documentIndex, in: documents, rng: &rng)
                        i -= chunk.count - aEnd  // put the unused sentences back
                        counts.putBackSentences += chunk.count - aEnd
                    } else if chunk.count >= 2 {  // (a cut sentence already has its B)
                        b = Array(chunk[aEnd...].joined())
                    }
                case .sentenceOrderPrediction:
                    if chunk.count == 1, configuration.nextSentenceRule == .google {
                        // ALBERT's script: `len(current_chunk) == 1` takes B from a random document, label 1, no coin.
                        b = Self.randomSegment(targetLength: targetLength - a.count, avoiding: documentIndex, in: documents, rng: &rng)
                        label = 1
                        counts.forcedRandomNext += 1
                        break
                    }
                    if chunk.count == 1 {
                        if a.count >= 2 {
                            let cut = rng.nextInt(in: 1...(a.count - 1))
                            b = Array(a[cut...])
                            a.removeSubrange(cut...)
                        }
                    } else {
                        b = Array(chunk[aEnd...].joined())
                    }
                    if !b.isEmpty, rng.nextUnit() < 0.5 {
                        swap(&a, &b)
                        label = 1
                    }
                }
                if a.isEmpty || b.isEmpty { counts.skippedChunks += 1 }
                if !a.isEmpty, !b.isEmpty {
                    counts.instances += 1
                    let (a, b) = Self.truncatePair(a, b, maxNumTokens: maxNumTokens, rng: &rng)
                    let tokens = [vocabulary.clsID] + a + [vocabulary.sepID] + b + [vocabulary.sepID]
                    let sequence = UnmaskedSequence(tokens: tokens, typeZeroLength: a.count + 2, nextSentenceLabel: label)
                    instances.append(sequence.padded(masked: masker.mask(tokens, using: &rng),
                                                     maxSeqLength: configuration.maxSeqLength,
                                                     padID: vocabulary.padID))
                }
                chunk = []
                chunkLength = 0
            }
            i += 1
        }
        return instances
    }

    /// Google's random B: sentences of a random other document (10 tries to avoid `documentIndex`) from a random
    /// start until `targetLength` tokens.
    static func randomSegment(targetLength: Int, avoiding documentIndex: Int, in documents: [[[Int]]],
                              rng: inout PretrainingRandomGenerator) -> [Int] {
        var randomIndex = 0
        for _ in 0..<10 {
            randomIndex = rng.nextInt(in: 0...(documents.count - 1))
            if randomIndex != documentIndex { break }
        }
        let randomDocument = documents[randomIndex]
        var b: [Int] = []
        for j in rng.nextInt(in: 0...(randomDocument.count - 1))..<randomDocument.count {
            b += randomDocument[j]
            if b.count >= targetLength { break }
        }
        return b
    }

    /// Google's `truncate_seq_pair`: while the pair is too long, drop one token from the longer side (B on a
    /// tie), from the front or the back with equal chance.
    package static func truncatePair(_ a: [Int], _ b: [Int], maxNumTokens: Int,
                                    rng: inout PretrainingRandomGenerator) -> ([Int], [Int]) {
        var aRange = 0..<a.count, bRange = 0..<b.count
        while aRange.count + bRange.count > maxNumTokens {
            let front = rng.nextUnit() < 0.5
            if aRange.count > bRange.count {
                aRange = front ? (aRange.lowerBound + 1)..<aRange.upperBound : aRange.lowerBound..<(aRange.upperBound - 1)
            } else {
                bRange = front ? (bRange.lowerBound + 1)..<bRange.upperBound : bRange.lowerBound..<(bRange.upperBound - 1)
            }
        }
        return (Array(a[aRange]), Array(b[bRange]))
    }
}

/// What one generation run did, for diagnostics. Google's rule (`NextSentenceRule.google`) forces a random B
/// (label 1) whenever a chunk holds a single sentence, so short documents, long sentences and short targets push
/// the label-1 share above ½: expected share = ½ + ½ · forcedRandomNext / instances. The balanced rule flips the
/// coin for every instance and forces a random B only for a one-token sentence on tails: expected share =
/// ½ + forcedRandomNext / instances.
package struct PretrainingGenerationCounts: Sendable, Equatable {
    /// Document passes (documents × dupe_factor).
    package var documents = 0
    /// Document passes whose target length was drawn short (probability short_seq_prob).
    package var shortTargetDocuments = 0
    /// Instances made.
    package var instances = 0
    /// NSP instances whose B was random because the chunk had one sentence: every such chunk under `.google`
    /// (no coin drawn); under `.balanced` only a one-token sentence whose coin said "B follows".
    package var forcedRandomNext = 0
    /// NSP instances (`.balanced` only) whose one-sentence chunk was cut into A and B (label 0).
    package var cutSentences = 0
    /// Sentences put back after a random B.
    package var putBackSentences = 0
    /// SOP chunks of a single one-token sentence, which cannot be split into A and B.
    package var skippedChunks = 0

    /// All zero.
    package init() {}
}
