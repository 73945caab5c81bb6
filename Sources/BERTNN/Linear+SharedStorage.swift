import BERTTensor

extension Linear {
    /// The same layers (same values) rebuilt so that their weights, and their biases, are consecutive row blocks
    /// of one buffer each. Each layer stays an ordinary parameter pair (own gradient, own checkpoint key);
    /// `stackedView` then lets inference compute all of them with one GEMM, with no copy of the weights, and
    /// training or loading that updates the layers in place updates the stacked view too. Layers must share
    /// their input width and all have a bias or all have none; otherwise they are returned unchanged.
    package static func sharingStorage(_ layers: [Linear]) -> [Linear] {
        guard let first = layers.first, layers.count > 1 else { return layers }
        let inFeatures = first.weight.shape[1]
        let hasBias = first.bias != nil
        guard layers.allSatisfy({ $0.weight.rank == 2 && $0.weight.shape[1] == inFeatures && ($0.bias != nil) == hasBias })
        else { return layers }
        let outs = layers.map { $0.weight.shape[0] }
        let total = outs.reduce(0, +)
        // Lazily zeroed, and only blocks holding a non-zero value copied: the zero weights of a model about to be
        // loaded (`Tensor.lazyZeros`) then take no memory here either, and stay so when loading skips them (int8).
        let weights = TensorStorage(lazilyZeroedCount: total * inFeatures)
        let biases = hasBias ? TensorStorage(count: total) : nil
        var row = 0
        return zip(layers, outs).map { layer, out in
            let w = Tensor(storage: weights, shape: [out, inFeatures], offset: row * inFeatures,
                           requiresGrad: layer.weight.requiresGrad)
            copyNonZeroBlocks(from: layer.weight.contiguous().pointer, to: w.pointer, count: out * inFeatures)
            var b: Tensor?
            if let biases, let old = layer.bias {
                let t = Tensor(storage: biases, shape: [out], offset: row, requiresGrad: old.requiresGrad)
                t.pointer.update(from: old.contiguous().pointer, count: out)
                b = t
            }
            row += out
            return Linear(weight: w, bias: b)
        }
    }

    /// When these layers' weights (and biases) are consecutive row blocks of one buffer, in order (as
    /// `sharingStorage` makes them): the stacked weight [Σ out, in] and bias [Σ out] as views of it. Nil otherwise.
    package static func stackedView(_ layers: [Linear]) -> (weight: Tensor, bias: Tensor?)? {
        guard let first = layers.first else { return nil }
        let inFeatures = first.weight.shape[1]
        var rows = 0
        for layer in layers {
            let w = layer.weight
            guard w.rank == 2, w.isContiguous, w.shape[1] == inFeatures, w.storage === first.weight.storage,
                  w.offset == first.weight.offset + rows * inFeatures else { return nil }
            if let b = layer.bias {
                guard let b0 = first.bias, b.isContiguous, b.storage === b0.storage, b.offset == b0.offset + rows else { return nil }
            } else if first.bias != nil { return nil }
            rows += w.shape[0]
        }
        let weight = Tensor(storage: first.weight.storage, shape: [rows, inFeatures], offset: first.weight.offset)
        let bias = first.bias.map { Tensor(storage: $0.storage, shape: [rows], offset: $0.offset) }
        return (weight, bias)
    }
}

/// Copies `count` floats, skipping 4 KiB blocks that are all zero in `source` (the destination already holds zeros):
/// reading never-written lazily zeroed memory costs no resident pages, writing it would.
private func copyNonZeroBlocks(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    let block = 1024
    var start = 0
    while start < count {
        let length = min(block, count - start)
        if UnsafeBufferPointer(start: source + start, count: length).contains(where: { $0 != 0 }) {
            (destination + start).update(from: source + start, count: length)
        }
        start += length
    }
}
