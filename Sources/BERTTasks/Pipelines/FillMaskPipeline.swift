import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// One candidate for a masked position (transformers' fill-mask dict: `score`, `token`, `token_str`, `sequence`).
public struct FillMaskPrediction: Codable, Equatable, Sendable {
    /// Softmax probability over the whole vocabulary (also when `targets` restricts the candidates).
    public var score: Double
    /// The token id.
    public var token: Int
    /// `tokenizer.decode([token])`.
    public var tokenStr: String
    /// The input with this token in the mask's place, decoded (special tokens kept when the text has several masks).
    public var sequence: String

    enum CodingKeys: String, CodingKey { case score, token, tokenStr = "token_str", sequence }
}

/// transformers' `FillMaskPipeline` over a `BertForMaskedLM` checkpoint.
///
///     let fill = try FillMaskPipeline(directory: url)
///     let best = try fill(["Paris is the [MASK] of France."])[0][0][0].tokenStr
///
/// Results are `[text][mask][rank]`: one list of `topK` candidates per mask token, in text order (transformers
/// returns the inner list alone when a text has one mask).
/// `Sendable`: one instance may serve many tasks or threads at once (calls only read the model: see `BertModel`).
public final class FillMaskPipeline: Sendable {
    /// The model.
    public let model: BertForMaskedLM
    /// The tokenizer (no truncation or padding of its own).
    public let tokenizer: Tokenizer
    /// The model's config.
    public let config: BertConfig
    /// The mask token and its id.
    public let maskToken: String, maskTokenId: Int
    /// The padding id, dropped from decoded sequences as transformers does.
    public let padTokenId: Int

    /// A pipeline over a loaded model and tokenizer.
    public init(model: BertForMaskedLM, tokenizer: Tokenizer, config: BertConfig, maskToken: String = "[MASK]") throws {
        guard let id = tokenizer.tokenToId(maskToken) else {
            throw PipelineError.invalidOption(name: "mask_token", value: maskToken, reason: "not in the tokenizer's vocabulary")
        }
        self.model = model; self.tokenizer = tokenizer; self.config = config
        self.maskToken = maskToken; maskTokenId = id
        padTokenId = tokenizer.tokenToId("[PAD]") ?? config.padTokenId
    }

    /// Loads a Hugging Face folder (config.json, model.safetensors with the member's MLM head: `cls.predictions.*`,
    /// `lm_head.*`, `vocab_*` or `predictions.*`; tokenizer files). RoBERTa and XLM-R use `<mask>`.
    /// A checkpoint without the MLM head throws `ModelError.missingKeys` naming the `cls.predictions.*` tensors.
    public convenience init(directory: URL) throws {
        let config = try Pretrained.config(in: directory)
        let (decoding, weights) = try Pretrained.maskedLM(config, source: Pretrained.weights(in: directory))
        let model = try BertForMaskedLM(config: decoding, randomInit: false)
        try PipelineSupport.load(model, config: config, from: weights)
        let tokenizer = try PipelineSupport.tokenizer(in: directory)
        // The member's mask token, unless its tokenizer is another member's (a RoBERTa trained on WordPiece ids).
        let mask = [config.family.maskToken, "[MASK]", "<mask>"].first { tokenizer.tokenToId($0) != nil } ?? config.family.maskToken
        try self.init(model: model, tokenizer: tokenizer, config: config, maskToken: mask)
    }

    /// transformers' `get_target_ids`: a target in the vocabulary is used as is; otherwise its first token (a
    /// target that tokenizes to nothing is dropped). Duplicates are removed.
    package func targetIds(_ targets: [String]) throws -> [Int] {
        var ids: [Int] = []
        for t in targets {
            guard let id = try tokenizer.tokenToId(t) ?? tokenizer.encodeSequence(t).ids.first else { continue }
            if !ids.contains(id) { ids.append(id) }
        }
        if ids.isEmpty { throw PipelineError.noValidTargets(targets) }
        return ids
    }

    /// Predictions for each text: `[text][mask][rank]`.
    /// - Parameters:
    ///   - topK: candidates per mask (transformers' default 5; capped at the number of targets).
    ///   - targets: restrict candidates to these words (scores stay probabilities over the whole vocabulary).
    ///   - truncation: cut texts to the model's length (off by default, as in transformers: too long throws).
    public func callAsFunction(_ texts: [String], topK: Int = 5, targets: [String]? = nil, batchSize: Int = 8,
                               truncation: Bool = false) throws -> [[[FillMaskPrediction]]] {
        guard topK > 0 else { throw PipelineError.invalidOption(name: "top_k", value: "\(topK)", reason: "must be at least 1") }
        let targetIds = try targets.map(targetIds)
        // More candidates than the vocabulary (or the targets) cannot be returned; clamping also keeps an absurd
        // top_k from sizing the ranking buffer.
        let k = min(topK, targetIds?.count ?? config.vocabSize)
        let maxLength = config.maxSequenceTokens
        let tok = try PipelineSupport.configured(tokenizer, truncateTo: truncation ? min(tokenizer.modelMaxLength ?? maxLength, maxLength) : nil)
        let encodings = try texts.map { try tok.encode($0) }
        for (i, e) in encodings.enumerated() where !e.ids.contains(maskTokenId) {
            throw PipelineError.noMaskToken(text: texts[i], maskToken: maskToken)
        }
        try PipelineSupport.checkLengths(encodings, maximum: maxLength)
        let probabilities: [[[Double]]] = try PipelineSupport.batched(encodings, batchSize: batchSize, padId: padTokenId, tokenTypes: config.family.feedsTokenTypeIds(tokenizerDeclares: tokenizer.returnsTokenTypeIds)) { input, _ in
            try maskProbabilities(input)
        }
        return zip(encodings, probabilities).map { encoding, perMask in
            let positions = encoding.ids.indices.filter { encoding.ids[$0] == maskTokenId }
            let single = positions.count == 1
            return zip(positions, perMask).map { position, probs in
                let candidates = targetIds ?? Array(probs.indices)
                let best = Self.topK(candidates, k) { probs[$0] }
                return best.map { id in
                    var ids = encoding.ids
                    ids[position] = id
                    let sequence = tokenizer.decode(ids.filter { $0 != padTokenId }, skipSpecialTokens: single)
                    return FillMaskPrediction(score: probs[id], token: id, tokenStr: tokenizer.decode([id]), sequence: sequence)
                }
            }
        }
    }

    /// The `k` candidates with the highest `score`, highest first; ties keep candidate order (torch.topk). One pass
    /// with a small sorted buffer: O(n·k) instead of sorting the whole vocabulary.
    static func topK(_ candidates: [Int], _ k: Int, score: (Int) -> Double) -> [Int] {
        var best: [(id: Int, score: Double)] = []
        best.reserveCapacity(k + 1)
        for id in candidates {
            let s = score(id)
            if best.count == k, let last = best.last, !(s > last.score) { continue }
            var i = best.count
            while i > 0 && s > best[i - 1].score { i -= 1 }
            best.insert((id, s), at: i)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.id)
    }

    /// Vocabulary probabilities at every mask position of each row: `[row][mask][vocab]`. The LM head runs on
    /// the mask rows only ([masks, hidden] → [masks, vocab]).
    func maskProbabilities(_ input: EncoderInput) throws -> [[[Double]]] {
        let hidden = try model.bert(input, skippingPadding: true).lastHiddenState.reshaped([input.batch * input.length, -1])
        var rows: [Int] = [], owner: [Int] = []
        for r in 0..<input.batch {
            for p in 0..<input.length where input.attentionMask[r * input.length + p] == 1 && input.inputIds[r * input.length + p] == maskTokenId {
                rows.append(r * input.length + p); owner.append(r)
            }
        }
        let logits = try model.predictions(hidden.embedding(ids: rows, shape: [rows.count])).scalars
        let vocab = logits.count / max(rows.count, 1)
        var out = [[[Double]]](repeating: [], count: input.batch)
        for (i, r) in owner.enumerated() {
            out[r].append(PipelineSupport.softmax(logits[(i * vocab)..<((i + 1) * vocab)]))
        }
        return out
    }
}
