import BERTModels
import BERTTensor

/// Sentence-Transformers `Pooling`: token embeddings [batch, sequence, hidden] and the attention mask → one
/// vector per row [batch, hidden × modes], concatenating modes in the order given. Padding never contributes, so a
/// text's vector does not depend on what it is batched with. Differentiable (used when training embeddings).
public struct Pooling: Sendable {
    /// The modes, concatenated in this order.
    public var modes: [PoolingMode]

    /// Pooling with these modes.
    public init(modes: [PoolingMode]) { self.modes = modes }

    /// Pools `hidden` [batch, sequence, hidden] under `mask` (row-major [batch, sequence] of 0/1).
    public func callAsFunction(_ hidden: Tensor, mask: [Int]) throws -> Tensor {
        let (b, s, _) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
        let maskT = try Tensor(shape: [b, s, 1], scalars: mask.map(Float.init))
        let counts = (0..<b).map { r in mask[(r * s)..<((r + 1) * s)].reduce(0, +) }
        var parts: [Tensor] = []
        for mode in modes {
            switch mode {
            case .cls:
                parts.append(try hidden.select(dim: 1, index: 0))
            case .mean, .meanSqrtLen:
                let summed = try hidden.multiplying(maskT).sum(dim: 1)
                let denominators = counts.map { mode == .mean ? max(Float($0), 1e-9) : Float($0).squareRoot() }
                parts.append(try summed.dividing(by: Tensor(shape: [b, 1], scalars: denominators)))
            case .max:
                // Padding positions get −1e9, as sentence-transformers sets them, so they never win.
                let offset = try Tensor(shape: [b, s, 1], scalars: mask.map { $0 == 1 ? 0 : -1e9 })
                parts.append(try hidden.adding(offset).max(dim: 1))
            case .weightedMean:
                // Weights 1…s by position, masked, normalised by their sum.
                let w = (0..<(b * s)).map { Float(mask[$0]) * Float($0 % s + 1) }
                let weights = try Tensor(shape: [b, s, 1], scalars: w)
                let sums = (0..<b).map { r in max(w[(r * s)..<((r + 1) * s)].reduce(0, +), 1e-9) }
                parts.append(try hidden.multiplying(weights).sum(dim: 1).dividing(by: Tensor(shape: [b, 1], scalars: sums)))
            case .lastToken:
                // The last attended position of each row (right padding; with left padding it is the final one).
                let last = (0..<b).map { r -> Int in
                    let row = mask[(r * s)..<((r + 1) * s)]
                    return row.last == 1 ? s - 1 : max(0, (row.firstIndex(of: 0) ?? s) - r * s - 1)
                }
                let rows = try (0..<b).map { r in try hidden.select(dim: 0, index: r).select(dim: 0, index: last[r]).unsqueezed(0) }
                parts.append(try Tensor.concat(rows, dim: 0))
            }
        }
        return parts.count == 1 ? parts[0] : try Tensor.concat(parts, dim: 1)
    }
}

extension Tensor {
    /// Rows divided by their L2 norm (at least 1e-12), as `torch.nn.functional.normalize`. [batch, dim].
    public func l2Normalized() throws -> Tensor {
        let squares = try multiplying(self).sum(dim: -1, keepDim: true)
        if requiresGrad {
            // Through the op chain, so gradients flow: x / sqrt(Σx² + 1e-24).
            return try dividing(by: squares.adding(1e-24).sqrt())
        }
        let norms = squares.scalars.map { Swift.max($0.squareRoot(), 1e-12) }
        return try dividing(by: Tensor(shape: squares.shape, scalars: norms))
    }
}
