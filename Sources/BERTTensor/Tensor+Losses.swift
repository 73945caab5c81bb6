extension Tensor {
    /// Cross-entropy of logits [N, C] against class labels [N] as `torch.nn.functional.cross_entropy` with
    /// `ignore_index` and mean reduction over the labels that are not ignored (NaN when all are, as PyTorch).
    public func crossEntropy(labels: [Int], ignoreIndex: Int = -100) throws -> Tensor {
        guard rank == 2 else { throw TensorError.invalidShape(op: "crossEntropy", shape: shape, expected: "[N, classes]") }
        let (n, c) = (shape[0], shape[1])
        guard labels.count == n else { throw TensorError.shapeMismatch(op: "crossEntropy", lhs: shape, rhs: [labels.count]) }
        for l in labels where l != ignoreIndex && (l < 0 || l >= c) { throw TensorError.indexOutOfRange(op: "crossEntropy", index: l, bound: c) }
        let logp = logSoftmax().detached()
        let lp = logp.pointer
        var total: Double = 0
        var used = 0
        for (i, l) in labels.enumerated() where l != ignoreIndex { total -= Double(lp[i * c + l]); used += 1 }
        let loss = Tensor.scalar(Float(total / Double(used)))
        return loss.recorded(from: [self]) { g in
            let gx = Tensor.zeros([n, c])
            let w = gx.pointer
            let scale = g.item / Float(used)
            for (i, l) in labels.enumerated() where l != ignoreIndex {
                for j in 0..<c { w[i * c + j] = Foundation_exp(lp[i * c + j]) * scale }
                w[i * c + l] -= scale
            }
            return [gx]
        }
    }

    /// Mean squared error against `target` of the same shape.
    public func mseLoss(_ target: Tensor) throws -> Tensor {
        guard shape == target.shape else { throw TensorError.shapeMismatch(op: "mseLoss", lhs: shape, rhs: target.shape) }
        let diff = try self.subtracting(target)
        return try diff.multiplying(diff).mean()
    }

    /// Binary cross-entropy on logits, mean reduction, as `binary_cross_entropy_with_logits`.
    public func binaryCrossEntropyWithLogits(_ target: Tensor) throws -> Tensor {
        guard shape == target.shape else { throw TensorError.shapeMismatch(op: "binaryCrossEntropyWithLogits", lhs: shape, rhs: target.shape) }
        let x = contiguousData(), t = target.contiguousData()
        let n = count
        var total: Double = 0
        for i in 0..<n {
            let v = x.pointer[i], y = t.pointer[i]
            total += Double(Swift.max(v, 0) - v * y + Foundation_log1p(Foundation_exp(-abs(v))))
        }
        let loss = Tensor.scalar(Float(total / Double(n)))
        return loss.recorded(from: [self, target]) { g in
            let s = g.item / Float(n)
            let gx = Tensor.empty(x.shape), gt = Tensor.empty(x.shape)
            for i in 0..<n {
                let v = x.pointer[i]
                gx.pointer[i] = (1 / (1 + Foundation_exp(-v)) - t.pointer[i]) * s
                gt.pointer[i] = -v * s
            }
            return [gx, gt]
        }
    }
}
