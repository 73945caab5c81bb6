import BERTTensor

/// A padded batch of token ids for an encoder: `batch` rows of `length` ids, row-major.
public struct EncoderInput: Sendable {
    /// Token ids [batch, length].
    public var inputIds: [Int]
    /// Segment ids [batch, length] (zeros when the model has none).
    public var tokenTypeIds: [Int]
    /// 1 for real tokens, 0 for padding [batch, length].
    public var attentionMask: [Int]
    /// Rows.
    public let batch: Int
    /// Tokens per row.
    public let length: Int

    /// Validates that every array has batch × length entries and masks are 0/1.
    public init(inputIds: [Int], tokenTypeIds: [Int]? = nil, attentionMask: [Int]? = nil, batch: Int, length: Int) throws {
        let n = batch * length
        guard batch > 0, length > 0, inputIds.count == n else {
            throw ModelError.invalidInput("input_ids has \(inputIds.count) ids, expected batch \(batch) × length \(length)")
        }
        let types = tokenTypeIds ?? [Int](repeating: 0, count: n)
        let mask = attentionMask ?? [Int](repeating: 1, count: n)
        guard types.count == n else { throw ModelError.invalidInput("token_type_ids has \(types.count) entries, expected \(n)") }
        guard mask.count == n, mask.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw ModelError.invalidInput("attention_mask must have \(n) entries of 0 or 1")
        }
        self.inputIds = inputIds; self.tokenTypeIds = types; self.attentionMask = mask
        self.batch = batch; self.length = length
    }

    /// Pads unequal rows on the right with `padId` (mask 0) into one batch.
    public init(rows: [[Int]], typeRows: [[Int]]? = nil, padId: Int = 0) throws {
        let length = rows.map(\.count).max() ?? 0
        var ids: [Int] = [], types: [Int] = [], mask: [Int] = []
        for (i, r) in rows.enumerated() {
            let pad = length - r.count
            ids += r + [Int](repeating: padId, count: pad)
            types += (typeRows?[i] ?? [Int](repeating: 0, count: r.count)) + [Int](repeating: 0, count: pad)
            mask += [Int](repeating: 1, count: r.count) + [Int](repeating: 0, count: pad)
        }
        try self.init(inputIds: ids, tokenTypeIds: types, attentionMask: mask, batch: rows.count, length: length)
    }

    /// The additive attention mask [batch, 1, 1, length]: 0 where attended, the most negative float elsewhere
    /// (as `transformers` builds it from `torch.finfo(dtype).min`).
    package func additiveMask() throws -> Tensor {
        try Tensor(shape: [batch, 1, 1, length], scalars: attentionMask.map { $0 == 1 ? 0 : -Float.greatestFiniteMagnitude })
    }
}
