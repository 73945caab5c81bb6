import BERTKernels
import BERTNN
import BERTTensor

/// The number format an encoder's linear layers compute in at inference (`--dtype`). Attention scores, softmax,
/// layer norm, embeddings and heads stay fp32 in every mode.
public enum InferenceDType: String, CaseIterable, Sendable {
    /// Single precision throughout (the reference).
    case fp32
    /// bfloat16 weights and activations (rounded to nearest even), fp32 sums: half the weight memory.
    case bf16
    /// int8 weights per output channel, activations quantised per row at run time (dynamic quantisation).
    case int8
    /// IEEE half-precision weights (rounded to nearest even, 11 significant bits), fp32 activations and sums: half
    /// the weight memory where speed is not the aim (F16C widens the weights on the fly).
    case fp16
}

/// How `prepareForInference` sets up an encoder: its dtype and, under int8, bf16 or fp16, the linear layers kept fp32.
public struct InferencePrecision: Sendable, Equatable {
    /// The dtype of the encoder's linear layers.
    public var dtype: InferenceDType
    /// Linear layers that stay fp32 under int8, bf16 or fp16. Each entry is a role (`qkv`, `attention.output`, `intermediate`,
    /// `output`), a layer index (`0`: that whole layer), or both (`5.output`).
    public var keptFP32: Set<String>

    /// Single precision.
    public static let fp32 = InferencePrecision(dtype: .fp32, keptFP32: [])
    /// int8 with the default layers kept fp32 (`defaultKeptFP32`).
    public static let int8 = InferencePrecision(dtype: .int8, keptFP32: defaultKeptFP32)
    /// The layers int8 keeps fp32 unless told otherwise. Chosen by measurement on all-MiniLM-L6-v2 (see
    /// docs/quantization.md): none, because every role quantised keeps the lowest sentence cosine above 0.99.
    public static let defaultKeptFP32: Set<String> = []

    /// A precision; `keptFP32` entries are checked by `validate`.
    public init(dtype: InferenceDType, keptFP32: Set<String> = []) {
        self.dtype = dtype
        self.keptFP32 = keptFP32
    }

    /// The roles an entry of `keptFP32` may name.
    public static let roles = ["qkv", "attention.output", "intermediate", "output"]

    /// Throws `ModelError.invalidInput` for an entry that names no role or layer index (a typo would otherwise
    /// quantise the layer it meant to keep).
    public func validate() throws {
        for entry in keptFP32 where !Self.isValidEntry(entry) {
            throw ModelError.invalidInput("'\(entry)' names no linear layer to keep fp32: use a role (\(Self.roles.joined(separator: ", "))), a layer index (3) or both (3.output)")
        }
    }

    static func isValidEntry(_ entry: String) -> Bool {
        if Self.roles.contains(entry) || (Int(entry).map { $0 >= 0 } ?? false) { return true }
        guard let dot = entry.firstIndex(of: "."), let index = Int(entry[..<dot]), index >= 0 else { return false }
        return Self.roles.contains(String(entry[entry.index(after: dot)...]))
    }

    /// Whether `role` of layer `layer` computes in `dtype` (int8, bf16 or fp16) rather than fp32.
    func lowers(_ role: String, layer: Int) -> Bool {
        dtype != .fp32 && !keptFP32.contains(role) && !keptFP32.contains("\(layer)") && !keptFP32.contains("\(layer).\(role)")
    }
}

/// One linear layer's weight as inference reads it.
enum InferenceWeight {
    /// fp32, packed for the AVX-512 / AVX2 kernel.
    case packed(PackedMatrix)
    /// int8 per output channel.
    case quantized(QuantizedMatrix)
    /// bfloat16.
    case bf16(BF16Matrix)
    /// fp16 weights (fp32 activations).
    case fp16(FP16Matrix)
    /// The Linear weight itself, through the BLAS path.
    case plain
}

/// An encoder layer's weights prepared for inference: q/k/v stacked, attention output, intermediate, output.
struct InferenceWeights {
    let qkv, attentionOutput, intermediate, output: InferenceWeight

    var isQuantized: Bool {
        [qkv, attentionOutput, intermediate, output].contains { if case .quantized = $0 { true } else { false } }
    }

    /// Whether all four are packed fp32 (what `prepareForInference(.fp32)` makes where the CPU has a packed kernel).
    var isPackedFP32: Bool {
        [qkv, attentionOutput, intermediate, output].allSatisfy { if case .packed = $0 { true } else { false } }
    }
}

extension EncoderLayer {
    /// Prepares this layer's weights for inference in `precision` (layer `index` of its encoder, for the kept-fp32
    /// list): fp32 weights are packed (one extra copy, when the CPU has the packed kernel and `packsFP32`), int8
    /// ones quantised, bf16 ones rounded, or taken as stored when the layer was loaded from a quantised checkpoint. The copies are
    /// used by the no-tape paths until a training forward pass or a checkpoint load drops them. No effect on layers
    /// whose q/k/v do not share a buffer.
    package func prepareForInference(_ precision: InferencePrecision = .fp32, index: Int = 0, packsFP32: Bool = true) {
        prepared.withLock { slot in
            if let weights = preparedWeights(precision, index: index, packsFP32: packsFP32) { slot = weights }
        }
    }

    /// The copies `prepareForInference` holds, or nil when q/k/v do not share a buffer. Called under `prepared`'s
    /// lock (it may turn the stored int8 q/k/v into views of one stacked matrix).
    private func preparedWeights(_ precision: InferencePrecision, index: Int, packsFP32: Bool) -> InferenceWeights? {
        guard let (qkv, _) = Linear.stackedView([query, key, value]) else { return nil }
        func prepared(_ weight: Tensor, _ role: String, stored: QuantizedMatrix?) -> InferenceWeight {
            // bf16/fp16-only weights are used as loaded (q/k/v then run as three products: `projectedQKV`).
            if let half = halfOnlyWeight(role) { return half }
            // A layer loaded int8-only has no fp32 weight to use (`BertModel.prepareForInference` refuses such a
            // precision before getting here).
            if let stored, isInt8Only(role) { return .quantized(stored) }
            if precision.lowers(role, layer: index) {
                if precision.dtype == .int8, let stored { return .quantized(stored) }
                let c = weight.contiguous()
                if precision.dtype == .bf16 { return .bf16(BF16Matrix(n: c.shape[0], k: c.shape[1], weight: c.pointer, ldw: c.shape[1])) }
                if precision.dtype == .fp16 { return .fp16(FP16Matrix(n: c.shape[0], k: c.shape[1], weight: c.pointer, ldw: c.shape[1])) }
                return .quantized(QuantizedMatrix(n: c.shape[0], k: c.shape[1], weight: c.pointer, ldw: c.shape[1]))
            }
            guard packsFP32 else { return .plain }
            let c = weight.contiguous()
            return PackedMatrix(transposed: true, k: c.shape[1], n: c.shape[0], b: c.pointer, ldb: c.shape[1]).map { .packed($0) } ?? .plain
        }
        return InferenceWeights(
            qkv: prepared(qkv, "qkv", stored: storedQKV()),
            attentionOutput: prepared(attentionOutput.weight, "attention.output", stored: attentionOutput.storedInt8),
            intermediate: prepared(intermediate.weight, "intermediate", stored: intermediate.storedInt8),
            output: prepared(output.weight, "output", stored: output.storedInt8))
    }

    /// The int8 q/k/v of a quantised checkpoint stacked as one [3 · hidden, hidden] weight (rows: q, then k, then v,
    /// as `Linear.stackedView` stacks the floats), or nil unless all three were stored.
    /// The three then become views of the stacked one, so the integers are held once.
    func storedQKV() -> QuantizedMatrix? {
        guard let q = query.storedInt8, let k = key.storedInt8, let v = value.storedInt8 else { return nil }
        let stacked = QuantizedMatrix.stacking([q, k, v])
        if let qv = stacked.columns(0..<q.n), let kv = stacked.columns(q.n..<(q.n + k.n)),
           let vv = stacked.columns((q.n + k.n)..<stacked.n) {
            (query.storedInt8, key.storedInt8, value.storedInt8) = (qv, kv, vv)
        }
        return stacked
    }

    /// The Linear layers of `role` (`InferencePrecision.roles`).
    func linears(of role: String) -> [Linear] {
        switch role {
        case "qkv": [query, key, value]
        case "attention.output": [attentionOutput]
        case "intermediate": [intermediate]
        default: [output]
        }
    }

    /// The bf16/fp16-only weight of `role` as inference reads it: `.plain` for q/k/v (each Linear then computes with
    /// its own), nil when `role` has its fp32 weights.
    func halfOnlyWeight(_ role: String) -> InferenceWeight? {
        let layers = linears(of: role)
        guard layers.contains(where: { $0.storedHalf != nil }) else { return nil }
        guard layers.count == 1, let half = layers[0].storedHalf else { return .plain }
        switch half {
        case .bf16(let w): return .bf16(w)
        case .fp16(let w): return .fp16(w)
        }
    }

    /// Whether `role`'s weights lack their fp32 values (loaded int8-, bf16- or fp16-only).
    func lacksFP32(_ role: String) -> Bool { linears(of: role).contains { !$0.hasFP32Weight } }

    /// Whether `role`'s weights were loaded int8-only (no fp32 weight; `CheckpointLoadingOptions.lowPrecisionInference`).
    func isInt8Only(_ role: String) -> Bool { linears(of: role).contains(where: \.isInt8Only) }

    /// Whether any of this layer's weights has no fp32 copy.
    var hasInt8OnlyWeights: Bool { InferencePrecision.roles.contains(where: lacksFP32) }

    /// Prepares the int8-only weights again after the prepared copies were dropped (every other role as stored or
    /// fp32), so inference never reaches for an fp32 weight that was not loaded.
    func restoreInt8OnlyWeights() {
        guard hasInt8OnlyWeights else { return }
        prepared.withLock { slot in
            guard slot == nil else { return }
            let kept = InferencePrecision.roles.filter { !lacksFP32($0) }
            slot = preparedWeights(InferencePrecision(dtype: .int8, keptFP32: Set(kept)), index: 0, packsFP32: false)
        }
    }

    /// Whether inference runs any of this layer's products in int8.
    package var runsInt8: Bool { packedWeights?.isQuantized ?? false }

    /// Whether inference runs all of this layer's products in fp32 on packed copies of its weights (`PackedMatrix`).
    package var runsPackedFP32: Bool { packedWeights?.isPackedFP32 ?? false }

    /// Whether this layer runs or holds int8 weights (prepared int8 copies, or a quantised checkpoint's integers).
    var holdsInt8: Bool {
        prepared.withLock { slot in
            (slot?.isQuantized ?? false) || [query, key, value, attentionOutput, intermediate, output].contains { $0.storedInt8 != nil }
        }
    }

    /// Drops the prepared copies (after the weights change).
    package func dropPackedWeights() { prepared.withLock { $0 = nil } }
}

extension Module {
    /// Prepares every `BertModel` in this tree (a pipeline's encoder, a sentence encoder's) for inference in
    /// `precision`: fp32 packs the encoder's weights (where the CPU has a packed kernel: one extra copy, e.g.
    /// 324 MiB for BERT-base, for 12–19 % off a 1 × 128 forward, docs/quantization.md); int8, bf16 and fp16 lower
    /// the encoder's linear layers and pack the ones they keep fp32.
    /// - Throws: `ModelError.invalidInput` for a precision `validate` rejects.
    package func prepareEncoders(for precision: InferencePrecision) throws {
        try precision.validate()
        if let bert = self as? BertModel {
            // fp32: layers a quantised checkpoint loaded int8-only keep their int8 weights (as loaded); a model
            // already packed (SentenceTransformer packs as it loads) is not packed a second time.
            if precision.dtype != .fp32 { try bert.prepareForInference(precision) }
            else if !bert.layers.allSatisfy(\.runsPackedFP32) { bert.prepareForInference() }
            return
        }
        for c in children { try c.module.prepareEncoders(for: precision) }
    }

    /// Whether a `BertModel` in this tree is quantised (`BertModel.isQuantized`).
    package var containsQuantizedEncoder: Bool {
        if let bert = self as? BertModel { return bert.isQuantized }
        return children.contains { $0.module.containsQuantizedEncoder }
    }
}
