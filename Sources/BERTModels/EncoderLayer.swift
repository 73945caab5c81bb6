import BERTKernels
import BERTNN
import BERTTensor

/// Checkpoint key names of one encoder layer's sub-modules; the only thing that differs between BERT,
/// RoBERTa, DistilBERT and ALBERT layers.
package struct EncoderLayerKeys: Sendable {
    package var query, key, value, attentionOutput, attentionLayerNorm, intermediate, output, outputLayerNorm: String

    /// BERT and RoBERTa (`BertLayer`).
    package static let bert = EncoderLayerKeys(
        query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
        attentionOutput: "attention.output.dense", attentionLayerNorm: "attention.output.LayerNorm",
        intermediate: "intermediate.dense", output: "output.dense", outputLayerNorm: "output.LayerNorm")
    /// DistilBERT (`TransformerBlock`).
    package static let distilBERT = EncoderLayerKeys(
        query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin", attentionOutput: "attention.out_lin",
        attentionLayerNorm: "sa_layer_norm", intermediate: "ffn.lin1", output: "ffn.lin2", outputLayerNorm: "output_layer_norm")
    /// ALBERT (`AlbertLayer`).
    package static let albert = EncoderLayerKeys(
        query: "attention.query", key: "attention.key", value: "attention.value", attentionOutput: "attention.dense",
        attentionLayerNorm: "attention.LayerNorm", intermediate: "ffn", output: "ffn_output",
        outputLayerNorm: "full_layer_layer_norm")
}

/// The one post-LayerNorm Transformer encoder layer every variant shares:
///
///     a = LayerNorm(x + Dropout(W_o · Attention(W_q x, W_k x, W_v x)))
///     y = LayerNorm(a + Dropout(W_2 · act(W_1 a)))
package final class EncoderLayer: Module {
    package let query, key, value, attentionOutput, intermediate, output: Linear
    package let attentionLayerNorm, outputLayerNorm: LayerNorm
    package let keys: EncoderLayerKeys
    package let heads: Int
    package let activation: Activation
    package let hiddenDropout: Float, attentionDropout: Float
    /// Packed (fp32), quantised (int8) or rounded (bf16) copies of the weights for inference (`prepareForInference`);
    /// dropped by training and loading. Behind a lock so that inference on several threads and a preparation never
    /// see a half-written value: a preparation builds new copies and swaps them in whole.
    let prepared = Locked<InferenceWeights?>(nil)
    /// The prepared copies now (a snapshot).
    var packedWeights: InferenceWeights? { prepared.current }

    /// A freshly initialised layer.
    package init(hidden: Int, heads: Int, intermediate: Int, activation: Activation, eps: Float, hiddenDropout: Float,
                attentionDropout: Float, initStd: Float, keys: EncoderLayerKeys, generator: inout SeededGenerator) {
        // One buffer holds W_q, W_k, W_v (and one the biases), so inference projects q, k, v in one GEMM.
        let qkv = Linear.sharingStorage([Linear(hidden, hidden, std: initStd, generator: &generator),
                                         Linear(hidden, hidden, std: initStd, generator: &generator),
                                         Linear(hidden, hidden, std: initStd, generator: &generator)])
        (query, key, value) = (qkv[0], qkv[1], qkv[2])
        attentionOutput = Linear(hidden, hidden, std: initStd, generator: &generator)
        attentionLayerNorm = LayerNorm(hidden, eps: eps)
        self.intermediate = Linear(hidden, intermediate, std: initStd, generator: &generator)
        output = Linear(intermediate, hidden, std: initStd, generator: &generator)
        outputLayerNorm = LayerNorm(hidden, eps: eps)
        self.keys = keys
        self.heads = heads
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
    }

    package var children: [(key: String, module: Module)] {
        [(keys.query, query), (keys.key, key), (keys.value, value), (keys.attentionOutput, attentionOutput),
         (keys.attentionLayerNorm, attentionLayerNorm), (keys.intermediate, intermediate), (keys.output, output),
         (keys.outputLayerNorm, outputLayerNorm)]
    }

    /// x [batch, sequence, hidden], additive mask [batch, 1, 1, sequence] → [batch, sequence, hidden] and, when
    /// `keepAttention`, the attention probabilities [batch, heads, sequence, sequence].
    package func callAsFunction(_ x: Tensor, mask: Tensor?, context: ForwardContext, keepAttention: Bool = false) throws -> (Tensor, Tensor?) {
        let inference = !context.training && !GradientTape.isRecording
        if !inference {
            if hasInt8OnlyWeights { throw ModelError.quantizedModel(operation: "a training forward pass") }
            dropPackedWeights()  // the weights are about to change
        }
        restoreInt8OnlyWeights()
        let (b, s, h) = (x.shape[0], x.shape[1], x.shape[2])
        let d = h / heads
        // [B, S, H] → [B, heads, S, d] as strided views; GEMM reads them without copies.
        func split(_ t: Tensor) throws -> Tensor { try t.reshaped([b, s, heads, d]).permuted([0, 2, 1, 3]) }
        let q: Tensor, k: Tensor, v: Tensor
        if inference, let qkv = try projectedQKV(x) {
            // [B, S, 3H] → three [B, heads, S, d] views.
            func head(_ i: Int) -> Tensor {
                Tensor(storage: qkv.storage, shape: [b, heads, s, d], strides: [s * 3 * h, d, 3 * h, 1], offset: qkv.offset + i * h)
            }
            (q, k, v) = (head(0), head(1), head(2))
        } else {
            (q, k, v) = (try split(query(x)), try split(key(x)), try split(value(x)))
        }
        let dropout = context.training ? attentionDropout : 0
        let (ctx, probs) = try Tensor.attention(query: q, key: k, value: v, mask: mask, scale: 1 / Float(d).squareRoot(),
                                                dropout: dropout, keepProbabilities: keepAttention, generator: &context.generator)
        let merged = try ctx.permuted([0, 2, 1, 3]).contiguous().reshaped([b, s, h])
        return (try residualAndFeedForward(merged, x, context: context, inference: inference), probs)
    }

    /// The same layer on packed sequences (inference only): x [tokens, hidden] holds several sequences one after
    /// another with no padding, `sequences` gives each one's rows. Equal to the padded call at every real token.
    package func packed(_ x: Tensor, sequences: [Range<Int>]) throws -> Tensor {
        try packed(x, sequences: sequences, quantizedInput: nil, quantizingOutputFor: nil).output
    }

    /// `packed(_:sequences:)` for a chain of int8 layers: `quantizedInput` holds x's rows already quantised (by the
    /// previous layer's last layer norm), so the q/k/v product skips that pass; with `next` (the layer that will read
    /// the output) running its q/k/v product in int8, the last layer norm quantises each output row for it while the
    /// row is in cache. The same floats and bytes as quantising in the product.
    package func packed(_ x: Tensor, sequences: [Range<Int>], quantizedInput: QuantizedActivations?,
                        quantizingOutputFor next: EncoderLayer?) throws -> (output: Tensor, quantized: QuantizedActivations?) {
        let (t, h) = (x.shape[0], x.shape[1])
        let d = h / heads
        restoreInt8OnlyWeights()
        next?.restoreInt8OnlyWeights()
        let q: Tensor, k: Tensor, v: Tensor
        if let qkv = try projectedQKV(x, quantizedRows: quantizedInput) {
            func part(_ i: Int) -> Tensor { Tensor(storage: qkv.storage, shape: [t, h], strides: [3 * h, 1], offset: qkv.offset + i * h) }
            (q, k, v) = (part(0), part(1), part(2))
        } else {
            (q, k, v) = (try query(x), try key(x), try value(x))
        }
        let ctx = try Tensor.packedAttention(query: q, key: k, value: v, sequences: sequences,
                                             heads: heads, scale: 1 / Float(d).squareRoot())
        let outputRows = t > 0 ? next?.quantizedWeight(\.qkv).flatMap { $0.k == h ? QuantizedActivations(m: t, k: h) : nil } : nil
        if let outputRows, let fused = try fusedResidualAndFeedForward(ctx, x, quantizingOutputInto: outputRows) {
            return (fused, outputRows)
        }
        return (try residualAndFeedForward(ctx, x, context: .inference, inference: true), nil)
    }

    /// Everything after attention, shared by both calls: output projection, residual and LayerNorm, then the
    /// feed-forward block with its residual and LayerNorm. Row-wise, so it runs on padded or packed rows alike.
    /// `inference` (no training, no tape) takes the fused road.
    func residualAndFeedForward(_ attentionContext: Tensor, _ x: Tensor, context: ForwardContext, inference: Bool) throws -> Tensor {
        if inference, let fused = try fusedResidualAndFeedForward(attentionContext, x) {
            return fused
        }
        let attended = try attentionLayerNorm(context.dropout(attentionOutput(attentionContext), hiddenDropout).adding(x))
        let inner = activation(try intermediate(attended))
        return try outputLayerNorm(context.dropout(output(inner), hiddenDropout).adding(attended))
    }

    /// Inference: the same computation with each linear layer's bias, activation, residual and layer norm fused
    /// into one pass after a bias-free GEMM. Nil when a layer has no bias (the composed path handles it). Before an
    /// int8 product, the pass before it (the attention layer norm, GELU) also quantises each row while it is in
    /// cache, in parallel: the same bytes the product would make from the floats, one pass fewer.
    func fusedResidualAndFeedForward(_ attentionContext: Tensor, _ x: Tensor,
                                     quantizingOutputInto outputRows: QuantizedActivations? = nil) throws -> Tensor? {
        guard let outBias = attentionOutput.bias, let innerBias = intermediate.bias, let lastBias = output.bias else { return nil }
        let rows = attentionContext.count / Swift.max(attentionContext.shape.last ?? 1, 1)
        let innerInt8 = rows > 0 ? quantizedWeight(\.intermediate) : nil
        let outputInt8 = rows > 0 && activation == .gelu ? quantizedWeight(\.output) : nil
        let attendedRows = innerInt8.map { QuantizedActivations(m: rows, k: $0.k) }
        let attended = try productWithoutBias(attentionContext, attentionOutput.weight, \.attentionOutput)
            .formBiasResidualLayerNorm(bias: outBias, residual: x, weight: attentionLayerNorm.weight,
                                       layerNormBias: attentionLayerNorm.bias, eps: attentionLayerNorm.eps, quantizingInto: attendedRows)
        let leading = Array(attended.shape.dropLast())
        var inner: Tensor
        if let innerInt8, let attendedRows {
            inner = try Tensor.linear(quantizedRows: attendedRows, leadingShape: leading, weight: innerInt8)
        } else {
            inner = try productWithoutBias(attended, intermediate.weight, \.intermediate)
        }
        let product: Tensor
        if let outputInt8 {
            let innerRows = QuantizedActivations(m: rows, k: outputInt8.k)
            try inner.formBiasGELU(innerBias, quantizingInto: innerRows)
            product = try Tensor.linear(quantizedRows: innerRows, leadingShape: leading, weight: outputInt8)
        } else {
            if activation == .gelu { try inner.formBiasGELU(innerBias) } else { inner = activation(try inner.formBias(innerBias)) }
            product = try productWithoutBias(inner, output.weight, \.output)
        }
        return try product.formBiasResidualLayerNorm(bias: lastBias, residual: attended, weight: outputLayerNorm.weight,
                                                     layerNormBias: outputLayerNorm.bias, eps: outputLayerNorm.eps,
                                                     quantizingInto: outputRows)
    }

    /// The int8 weight of `role`, when inference runs it in int8.
    func quantizedWeight(_ role: KeyPath<InferenceWeights, InferenceWeight>) -> QuantizedMatrix? {
        if case .quantized(let q)? = packedWeights?[keyPath: role] { return q }
        return nil
    }

    /// Inference: q, k and v side by side [..., 3 · hidden] from one GEMM over the stacked weights, when the
    /// three projections share one buffer (`Linear.sharingStorage`) and have biases. Nil otherwise.
    func projectedQKV(_ x: Tensor, quantizedRows: QuantizedActivations? = nil) throws -> Tensor? {
        guard [query, key, value].allSatisfy({ $0.storedHalf == nil }),
              let (weight, bias) = Linear.stackedView([query, key, value]), let bias else { return nil }
        if let q = quantizedWeight(\.qkv) {
            if let quantizedRows, quantizedRows.m * q.k == x.count {
                return try Tensor.linear(quantizedRows: quantizedRows, leadingShape: Array(x.shape.dropLast()), weight: q, bias: bias)
            }
            return try x.linear(quantized: q, bias: bias)
        }
        return try productWithoutBias(x, weight, \.qkv).formBias(bias)
    }

    /// x · Wᵀ without bias, from W's packed copy when the layer has one.
    func productWithoutBias(_ x: Tensor, _ weight: Tensor, _ role: KeyPath<InferenceWeights, InferenceWeight>) throws -> Tensor {
        switch packedWeights?[keyPath: role] ?? .plain {
        case .packed(let p):
            let rows = x.count / Swift.max(p.k, 1)
            return p.isFaster(rows: rows) ? try x.linear(packed: p) : try x.linear(weight: weight, bias: nil)
        case .quantized(let q): return try x.linear(quantized: q)
        case .bf16(let w): return try x.linear(bf16: w)
        case .fp16(let w): return try x.linear(fp16: w)
        case .plain: return try x.linear(weight: weight, bias: nil)
        }
    }
}
