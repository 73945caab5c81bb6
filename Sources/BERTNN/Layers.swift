import BERTKernels
import Foundation
import BERTTensor

/// `torch.nn.Linear`: y = x·Wᵀ + b, weight [out, in], bias [out]. Keys `weight`, `bias`.
package final class Linear: Module {
    /// [outFeatures, inFeatures].
    package let weight: Tensor
    /// [outFeatures], or nil without bias.
    package let bias: Tensor?
    /// The int8 weight a quantised checkpoint stored for this layer (`weight` then holds it dequantised), so int8
    /// inference uses it as stored instead of quantising again; nil otherwise. Cleared when weights are loaded.
    package var storedInt8: QuantizedMatrix?
    /// Whether the layer was loaded for int8 inference only (`CheckpointLoadingOptions.lowPrecisionInference`): `weight`
    /// was never filled (it holds zeros and takes no memory) and `storedInt8` is the weight. Such a layer computes
    /// in int8 outside a gradient tape and refuses to run under one.
    package var isInt8Only = false
    /// The weight as a bf16 or fp16 load keeps it (`CheckpointLoadingOptions.lowPrecisionInference` with that
    /// dtype): rounded as it was read, `weight` never filled (zeros, no memory). Such a layer computes with it outside
    /// a gradient tape and refuses to run under one. Nil otherwise.
    package var storedHalf: HalfPrecisionWeight?
    /// Whether `weight` holds the layer's fp32 weight (false after an int8-, bf16- or fp16-only load).
    package var hasFP32Weight: Bool { !isInt8Only && storedHalf == nil }

    /// A layer initialised as BERT does: weight ~ N(0, std²), bias 0.
    package init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, std: Float = 0.02, generator: inout SeededGenerator) {
        weight = Init.normal([outFeatures, inFeatures], std: std, generator: &generator)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
    }

    /// Wraps existing tensors (e.g. a tied decoder).
    package init(weight: Tensor, bias: Tensor?) { self.weight = weight; self.bias = bias }

    package var ownParameters: [(key: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [..., in] → [..., out].
    package func callAsFunction(_ x: Tensor) throws -> Tensor {
        if let half = storedHalf {
            guard !GradientTape.isRecording else {
                throw TensorError.invalidArgument(op: "Linear", message: "this layer was loaded for \(half.dtypeName) inference only (no fp32 weight), so it cannot record gradients; load the checkpoint without --dtype \(half.dtypeName)")
            }
            let y = try half.product(x)
            return try bias.map { try y.formBias($0) } ?? y
        }
        if isInt8Only, let q = storedInt8 {
            guard !GradientTape.isRecording else {
                throw TensorError.invalidArgument(op: "Linear", message: "this layer was loaded for int8 inference only (no fp32 weight), so it cannot record gradients; load the fp32 checkpoint without --dtype int8")
            }
            return try x.linear(quantized: q, bias: bias)
        }
        return try x.linear(weight: weight, bias: bias)
    }
}

/// A Linear weight held only in 16 bits (a bf16 or fp16 load): the product widens it on the fly.
package enum HalfPrecisionWeight: Sendable {
    /// Rounded to bfloat16 (activations are rounded too, as `--dtype bf16` computes).
    case bf16(BF16Matrix)
    /// Rounded to IEEE half (activations stay fp32).
    case fp16(FP16Matrix)

    /// `bf16` or `fp16`, for messages.
    package var dtypeName: String { if case .bf16 = self { "bf16" } else { "fp16" } }

    /// x [..., in] · Wᵀ → [..., out], no bias.
    package func product(_ x: Tensor) throws -> Tensor {
        switch self {
        case .bf16(let w): try x.linear(bf16: w)
        case .fp16(let w): try x.linear(fp16: w)
        }
    }
}

/// `torch.nn.Embedding`: a [count, dim] table. Key `weight`.
package final class Embedding: Module {
    /// [count, dim].
    package let weight: Tensor

    /// A table initialised N(0, std²), with the padding row zeroed as `transformers` does.
    package init(_ count: Int, _ dim: Int, std: Float = 0.02, paddingIndex: Int? = nil, generator: inout SeededGenerator) {
        weight = Init.normal([count, dim], std: std, generator: &generator)
        if let p = paddingIndex, p >= 0, p < count { (weight.pointer + p * dim).update(repeating: 0, count: dim) }
    }

    /// The table as a quantised checkpoint stores it, when it was loaded for int8 inference only
    /// (`CheckpointLoadingOptions.lowPrecisionInference`): row r = scales[r] · values[r, :]. `weight` is then never filled
    /// (zeros, no memory) and lookups dequantise the rows they read, the same floats a full load holds.
    package var int8Rows: (values: [Int8], scales: [Float])?

    package var ownParameters: [(key: String, tensor: Tensor)] { [("weight", weight)] }

    /// ids laid out as `shape` → shape + [dim].
    package func callAsFunction(_ ids: [Int], shape: [Int]) throws -> Tensor {
        guard let rows = int8Rows else { return try weight.embedding(ids: ids, shape: shape) }
        guard !GradientTape.isRecording else {
            throw TensorError.invalidArgument(op: "Embedding", message: "this table was loaded for int8 inference only (no fp32 values), so it cannot record gradients; load the model without --dtype int8")
        }
        let (vocab, dim) = (weight.shape[0], weight.shape[1])
        guard Tensor.count(of: shape) == ids.count else {
            throw TensorError.invalidShape(op: "embedding ids", shape: shape, expected: "\(ids.count) ids")
        }
        for id in ids where id < 0 || id >= vocab { throw TensorError.indexOutOfRange(op: "embedding", index: id, bound: vocab) }
        let out = Tensor.empty(shape + [dim])
        let o = out.pointer
        rows.values.withUnsafeBufferPointer { q in
            for (i, id) in ids.enumerated() {
                let s = rows.scales[id]
                for j in 0..<dim { o[i * dim + j] = Float(q[id * dim + j]) * s }
            }
        }
        return out
    }
}

/// `torch.nn.LayerNorm` over the last dimension. Keys `weight`, `bias` (old checkpoints' `gamma`/`beta` are
/// renamed by the checkpoint loader, as `transformers` does).
package final class LayerNorm: Module {
    /// [dim], initialised to 1.
    package let weight: Tensor
    /// [dim], initialised to 0.
    package let bias: Tensor
    /// Added to the variance.
    package let eps: Float

    /// Ones and zeros.
    package init(_ dim: Int, eps: Float) {
        weight = Tensor.full([dim], 1)
        weight.requiresGrad = true
        bias = Tensor.zeros([dim], requiresGrad: true)
        self.eps = eps
    }

    package var ownParameters: [(key: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    /// [..., dim] → [..., dim].
    package func callAsFunction(_ x: Tensor) throws -> Tensor { try x.layerNorm(weight: weight, bias: bias, eps: eps) }
}

/// Parameter initialisers matching `transformers`' `_init_weights` for BERT.
package enum Init {
    /// N(0, std²) values via Box–Muller on the seeded generator; requiresGrad set.
    /// A std of 0 gives zeros that take no memory until written (for models about to be loaded from a checkpoint).
    package static func normal(_ shape: [Int], std: Float, generator: inout SeededGenerator) -> Tensor {
        if std == 0 { return Tensor.lazyZeros(shape, requiresGrad: true) }
        let t = Tensor.empty(shape)
        let p = t.pointer
        var i = 0
        let n = t.count
        while i < n {
            let u1 = max(generator.nextUnitFloat(), 1e-7), u2 = generator.nextUnitFloat()
            let r = (-2 * logf(u1)).squareRoot()
            p[i] = std * r * cosf(2 * .pi * u2)
            if i + 1 < n { p[i + 1] = std * r * sinf(2 * .pi * u2) }
            i += 2
        }
        t.requiresGrad = true
        return t
    }
}

// A sentence encoder's Dense modules are Linear layers shared with its callers' tasks: as the models
// (`BertModel`'s Sendable note), inference only reads them; loading and training use layers nothing else holds yet.
extension Linear: @unchecked Sendable {}
