import BERTKernels
import BERTTensor
import Foundation
import SafeTensors

/// int8 checkpoints (`bert quantize`; the format is in docs/quantization.md): the same safetensors file with each
/// quantised encoder Linear weight `….weight` stored as I8 [out, in] (symmetric per output channel, values in
/// [-127, 127]) beside `….weight_scale` F32 [out], so W ≈ scale[j] · q[j, :]; the word-embedding table likewise,
/// one scale per token row. Every other tensor is copied unchanged. Loading (`Module.load`) dequantises the weight for fp32 code paths and keeps the integers, so int8
/// inference runs them as stored, without quantising again.
public enum QuantizedCheckpoint {
    /// Appended to a weight's key to name its scales.
    public static let scaleSuffix = "_scale"
    /// `__metadata__` key and value marking a quantised file.
    public static let metadataKey = "swift_bert_quantization"
    public static let metadataValue = "int8-symmetric-per-output-channel"

    /// What `quantize` wrote.
    public struct Summary: Sendable, Equatable {
        /// Weights stored int8, and encoder weights kept fp32 by the precision's list.
        public var quantized: [String], keptFP32: [String]
        /// Bytes of the source tensors and of the written ones.
        public var sourceBytes: Int, writtenBytes: Int
    }

    /// Writes `file` to `destination` (atomically) with every encoder Linear weight int8, except those
    /// `precision.keptFP32` names. Returns nil, writing nothing, when the file has no encoder Linear weights.
    /// - Throws: `ModelError.invalidInput` when the file is already quantised; `SafeTensorsError` when it cannot be
    ///   read or written.
    @discardableResult
    public static func quantize(_ file: SafeTensorsFile, to destination: URL, precision: InferencePrecision = .int8) throws -> Summary? {
        try precision.validate()
        guard precision.dtype == .int8 else {
            throw ModelError.invalidInput("quantised checkpoints hold int8 weights; \(precision.dtype) is chosen at load time with --dtype")
        }
        guard file.metadata[metadataKey] == nil, !file.tensorNames.contains(where: { $0.hasSuffix(scaleSuffix) }) else {
            throw ModelError.invalidInput("\(file.path) is already quantised (it has int8 weights and scales)")
        }
        var writer = SafeTensorsWriter(metadata: file.metadata.merging([metadataKey: metadataValue]) { $1 })
        var summary = Summary(quantized: [], keptFP32: [], sourceBytes: 0, writtenBytes: 0)
        for info in file.tensors {
            summary.sourceBytes += info.byteCount
            if info.shape.count == 2, info.name.hasSuffix("word_embeddings.weight") {
                // The vocabulary table is most of a small model's bytes: int8 per row (dequantised when loaded,
                // lookups stay fp32), so the file is about a quarter of the fp32 one.
                try addQuantized(info, from: file, to: &writer)
                summary.quantized.append(info.name)
                continue
            }
            if info.shape.count == 2, let (layer, role) = encoderRole(of: info.name) {
                if precision.lowers(role, layer: layer) {
                    try addQuantized(info, from: file, to: &writer)
                    summary.quantized.append(info.name)
                    continue
                }
                summary.keptFP32.append(info.name)
            }
            try writer.add(info.name, .init(dtype: info.dtype, shape: info.shape, bytes: Data(try file.rawBytes(info.name))))
        }
        guard !summary.quantized.isEmpty || !summary.keptFP32.isEmpty else { return nil }
        summary.writtenBytes = writer.entries.values.reduce(0) { $0 + $1.bytes.count }
        try writer.write(to: destination)
        return summary
    }

    /// Adds the rank-2 tensor `info` of `file` as int8 rows with one scale per row.
    static func addQuantized(_ info: SafeTensorInfo, from file: SafeTensorsFile, to writer: inout SafeTensorsWriter) throws {
        let (n, k) = (info.shape[0], info.shape[1])
        guard n > 0, k > 0 else {
            try writer.add(info.name, .init(dtype: info.dtype, shape: info.shape, bytes: Data(try file.rawBytes(info.name))))
            return
        }
        let (values, scales) = try file.floats(info.name).withUnsafeBufferPointer {
            QuantizedMatrix.quantize(n: n, k: k, weight: $0.baseAddress!, ldw: k)
        }
        try writer.add(info.name, .init(dtype: .int8, shape: [n, k], bytes: values.withUnsafeBytes { Data($0) }))
        try writer.add(info.name + scaleSuffix, .init(dtype: .float32, shape: [n], bytes: scales.withUnsafeBytes { Data($0) }))
    }

    /// The layer index and role (`InferencePrecision.roles`) of an encoder Linear weight key such as
    /// `bert.encoder.layer.3.attention.self.query.weight` or DistilBERT's `transformer.layer.3.ffn.lin1.weight`;
    /// nil for any other key.
    static func encoderRole(of name: String) -> (layer: Int, role: String)? {
        guard name.hasSuffix(".weight"), let range = name.range(of: "layer.", options: .backwards) else { return nil }
        let rest = name[range.upperBound...].dropLast(".weight".count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]) else { return nil }
        let sub = String(rest[rest.index(after: dot)...])
        for keys in [EncoderLayerKeys.bert, .distilBERT, .albert] {
            if [keys.query, keys.key, keys.value].contains(sub) { return (layer, "qkv") }
            if sub == keys.attentionOutput { return (layer, "attention.output") }
            if sub == keys.intermediate { return (layer, "intermediate") }
            if sub == keys.output { return (layer, "output") }
        }
        return nil
    }

    /// Reads the int8 weight `name` and its scales from `source`, writes the dequantised floats into `tensor`
    /// [rows, columns] and returns the integers and scales as stored, packed.
    /// - Throws: as `readWeight`; `ModelError.invalidInput` when `tensor` is not a matrix.
    static func loadWeight(_ name: String, from source: TensorSource, into tensor: Tensor) throws -> QuantizedMatrix {
        guard tensor.shape.count == 2 else {
            throw ModelError.invalidInput("\(source.sourceDescription): \(name) has int8 scales, but the model's parameter has shape \(tensor.shape); only matrices are stored int8")
        }
        let (n, k) = (tensor.shape[0], tensor.shape[1])
        let weight = try readWeight(name, from: source, rows: n, columns: k)
        let (values, scales) = (weight.values, weight.scales)
        let out = tensor.pointer
        for j in 0..<n { for p in 0..<k { out[j * k + p] = Float(values[j * k + p]) * scales[j] } }
        return weight
    }

    /// The int8 table `name` [rows, columns] and its row scales as stored, read byte for byte (no fp32 copy) from
    /// a safetensors file holding it as I8; nil for any other source or dtype (the caller dequantises instead).
    /// - Throws: as `readWeight`.
    static func readTable(_ name: String, from source: TensorSource, rows n: Int, columns k: Int) throws -> (values: [Int8], scales: [Float])? {
        guard let file = source as? SafeTensorsFile, try file.info(name).dtype == .int8 else { return nil }
        let scaleName = name + scaleSuffix
        let scaleShape = try source.shape(of: scaleName)
        guard scaleShape == [n] else {
            throw ModelError.shapeMismatch(key: scaleName, expected: [n], found: scaleShape, file: source.sourceDescription)
        }
        let raw = try file.rawBytes(name)
        guard raw.count == n * k else {
            throw ModelError.shapeMismatch(key: name, expected: [n, k], found: [raw.count], file: source.sourceDescription)
        }
        let values = [Int8](raw.bindMemory(to: Int8.self))
        file.finishedReading(name)
        guard !values.contains(-128) else {
            throw ModelError.invalidInput("\(source.sourceDescription): \(name) has a scale (\(scaleName)) but values that are not int8 in [-127, 127]; the file is damaged or not a `bert quantize` checkpoint")
        }
        let scales = try source.floats(scaleName)
        guard scales.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ModelError.invalidInput("\(source.sourceDescription): \(scaleName) holds a negative or non-finite scale")
        }
        return (values, scales)
    }

    /// The int8 weight `name` [rows, columns] and its scales as `source` stores them, packed for the kernel.
    /// - Throws: `ModelError.invalidInput` when the values are not integers in [-127, 127] or a scale is negative
    ///   or not finite; `ModelError.shapeMismatch` for a wrong scale shape.
    static func readWeight(_ name: String, from source: TensorSource, rows n: Int, columns k: Int) throws -> QuantizedMatrix {
        let scaleName = name + scaleSuffix
        let scaleShape = try source.shape(of: scaleName)
        guard scaleShape == [n] else {
            throw ModelError.shapeMismatch(key: scaleName, expected: [n], found: scaleShape, file: source.sourceDescription)
        }
        let stored = try source.floats(name), scales = try source.floats(scaleName)
        guard stored.count == n * k, n > 0, k > 0 else {
            throw ModelError.shapeMismatch(key: name, expected: [n, k], found: [stored.count], file: source.sourceDescription)
        }
        guard stored.allSatisfy({ $0 == $0.rounded() && abs($0) <= 127 }) else {
            throw ModelError.invalidInput("\(source.sourceDescription): \(name) has a scale (\(scaleName)) but values that are not int8 in [-127, 127]; the file is damaged or not a `bert quantize` checkpoint")
        }
        guard scales.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ModelError.invalidInput("\(source.sourceDescription): \(scaleName) holds a negative or non-finite scale")
        }
        return QuantizedMatrix(n: n, k: k, values: stored.map { Int8($0) }, scales: scales)
    }
}
