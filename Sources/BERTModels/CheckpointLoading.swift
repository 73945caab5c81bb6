import BERTKernels
import BERTNN
import BERTTensor
import Foundation

/// Anything that holds named fp32-convertible tensors: a safetensors file, a generated checkpoint, a dictionary.
package protocol TensorSource {
    /// Every tensor name.
    var tensorNames: [String] { get }
    /// The shape of `name`.
    func shape(of name: String) throws -> [Int]
    /// The values of `name` converted to fp32, row-major.
    func floats(_ name: String) throws -> [Float]
    /// A name for error messages (the file path).
    var sourceDescription: String { get }
    /// Writes the values of `name`, converted to fp32, into `destination` (exactly its element count).
    func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws
    /// The values of `name` as a buffer that stays valid without a copy (a copy-on-write mapping of the file), or
    /// nil when the source cannot lend them.
    func lentStorage(_ name: String) throws -> TensorStorage?
    /// Called once the loader has what it needs of `name`, so a file can let its pages go.
    func finishedReading(_ name: String)
}

extension TensorSource {
    package func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let values = try floats(name)
        guard values.count == destination.count, let out = destination.baseAddress else {
            throw ModelError.shapeMismatch(key: name, expected: [destination.count], found: [values.count], file: sourceDescription)
        }
        values.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: values.count) }
    }
    package func lentStorage(_ name: String) throws -> TensorStorage? { nil }
    package func finishedReading(_ name: String) {}
}

/// How checkpoint loading treats embedding tables.
public enum CheckpointLoadingOptions {
    /// Whether `Module.load` maps F32 embedding tables from a safetensors file (copy-on-write) instead of copying
    /// them, so that only the rows of tokens actually looked up become resident: most of a 30,522-row vocabulary is
    /// never touched by a given workload. While a model maps a file, the file must not be truncated or rewritten in
    /// place (replacing it by rename, as checkpoint writers do, is always safe). On by default;
    /// `BERT_MAP_EMBEDDINGS=0` turns it off (the tables are copied like every other tensor), and so does a load inside
    /// `CheckpointLoadingOptions.$mapsEmbeddingTables.withValue(false) { ... }` (a task-local: it holds for the loads
    /// of that closure and the tasks it starts, and no other thread sees it).
    @TaskLocal public static var mapsEmbeddingTables: Bool = ProcessInfo.processInfo.environment["BERT_MAP_EMBEDDINGS"] != "0"

    /// Loads made inside `$lowPrecisionInference.withValue(precision) { ... }` (precision int8, bf16 or fp16) are for
    /// inference in that precision only: each encoder Linear weight the precision lowers is converted as it is read
    /// (quantised, or rounded to 16 bits; a quantised checkpoint's int8 weights taken as stored under int8) and its
    /// fp32 tensor is never filled, so the model holds one byte (int8) or two (bf16, fp16) per such weight instead of
    /// four; the loaded model is then prepared for that precision (`prepareEncoders`). Such a model cannot be
    /// trained, saved, or prepared for another precision (each says so); load it again for those.
    @TaskLocal package static var lowPrecisionInference: InferencePrecision?
}

/// Tensors held in memory by name.
package struct DictionaryTensorSource: TensorSource {
    /// name → (shape, values).
    package var tensors: [String: (shape: [Int], values: [Float])]
    package var sourceDescription: String

    /// A source over `tensors`.
    package init(_ tensors: [String: (shape: [Int], values: [Float])], description: String = "in-memory checkpoint") {
        self.tensors = tensors
        self.sourceDescription = description
    }

    package var tensorNames: [String] { Array(tensors.keys) }
    package func shape(of name: String) throws -> [Int] { tensors[name]!.shape }
    package func floats(_ name: String) throws -> [Float] { tensors[name]!.values }
}

extension Module {
    /// Loads every parameter from `source` by its checkpoint key, strictly.
    ///
    /// The key prefix is found once: parameters are looked up as `prefix + key` for the first of `prefixes` under
    /// which the source has this module's first parameter (so `bert.encoder...` and `encoder...` both load).
    /// LayerNorm `weight`/`bias` also match the old `gamma`/`beta` names, as `transformers` renames them.
    /// Every parameter must be found with the right shape; every source tensor must be consumed or match one of
    /// `ignoring` (prefixes or suffixes of names: other heads, buffers such as `position_ids`).
    /// - Returns: the source names that were ignored.
    @discardableResult
    package func load(from source: TensorSource, prefixes: [String] = ["", "bert."], ignoring: [String] = []) throws -> [String] {
        let named = namedParameters()
        let lookupTables = embeddingTables()
        let lowering = CheckpointLoadingOptions.lowPrecisionInference.flatMap { $0.dtype == .fp32 ? nil : $0 }
        if let lowering { try lowering.validate() }
        let linearWeights = lowering == nil ? [] : self.linearWeights()
        dropInferenceCaches()  // the weights are about to change (even if loading fails half way)
        let available = Set(source.tensorNames)
        let prefix = prefixes.first { p in named.contains { available.contains(p + $0.key) } } ?? prefixes.first ?? ""
        var consumed = Set<String>()
        var missing: [String] = []
        var int8: [ObjectIdentifier: QuantizedMatrix] = [:]  // weights a quantised checkpoint stored as int8
        var int8Only: Set<ObjectIdentifier> = []  // weights loaded as int8 alone (`lowPrecisionInference`)
        var int8Tables: [ObjectIdentifier: (values: [Int8], scales: [Float])] = [:]  // likewise, lookup tables
        var halves: [ObjectIdentifier: HalfPrecisionWeight] = [:]  // weights loaded as bf16 or fp16 alone
        for (key, tensor) in named {
            var candidates = [prefix + key]
            if key.hasSuffix("LayerNorm.weight") { candidates.append(prefix + key.dropLast("weight".count) + "gamma") }
            if key.hasSuffix("LayerNorm.bias") { candidates.append(prefix + key.dropLast("bias".count) + "beta") }
            guard let name = candidates.first(where: available.contains) else { missing.append(prefix + key); continue }
            let shape = try source.shape(of: name)
            guard shape == tensor.shape else {
                throw ModelError.shapeMismatch(key: name, expected: tensor.shape, found: shape, file: source.sourceDescription)
            }
            let id = ObjectIdentifier(tensor)
            let isStoredInt8 = available.contains(name + QuantizedCheckpoint.scaleSuffix)
            if let lowering, lowering.dtype != .int8, !isStoredInt8, shape.count == 2, linearWeights.contains(id),
               let (layer, role) = QuantizedCheckpoint.encoderRole(of: name), lowering.lowers(role, layer: layer) {
                // bf16 or fp16 only: rounded from the fp32 values (one tensor's copy at a time).
                halves[id] = try source.floats(name).withUnsafeBufferPointer { w in
                    lowering.dtype == .bf16 ? .bf16(BF16Matrix(n: shape[0], k: shape[1], weight: w.baseAddress!, ldw: shape[1]))
                        : .fp16(FP16Matrix(n: shape[0], k: shape[1], weight: w.baseAddress!, ldw: shape[1]))
                }
            } else if lowering?.dtype == .int8, isStoredInt8, shape.count == 2, lookupTables.contains(id), !linearWeights.contains(id),
               let table = try QuantizedCheckpoint.readTable(name, from: source, rows: shape[0], columns: shape[1]) {
                // A quantised lookup table (not tied to a Linear): kept int8, rows dequantised as they are read.
                int8Tables[id] = table
                consumed.insert(name + QuantizedCheckpoint.scaleSuffix)
            } else if let lowering, lowering.dtype == .int8, shape.count == 2, linearWeights.contains(id),
               let (layer, role) = QuantizedCheckpoint.encoderRole(of: name), lowering.lowers(role, layer: layer) {
                // int8 only: quantised from the fp32 values (one tensor's copy at a time) or taken as stored.
                int8[id] = try isStoredInt8
                    ? QuantizedCheckpoint.readWeight(name, from: source, rows: shape[0], columns: shape[1])
                    : source.floats(name).withUnsafeBufferPointer {
                        QuantizedMatrix(n: shape[0], k: shape[1], weight: $0.baseAddress!, ldw: shape[1])
                    }
                int8Only.insert(id)
                if isStoredInt8 { consumed.insert(name + QuantizedCheckpoint.scaleSuffix) }
            } else if isStoredInt8 {
                int8[id] = try QuantizedCheckpoint.loadWeight(name, from: source, into: tensor)
                consumed.insert(name + QuantizedCheckpoint.scaleSuffix)
            } else if lookupTables.contains(ObjectIdentifier(tensor)), CheckpointLoadingOptions.mapsEmbeddingTables,
               tensor.offset == 0, tensor.isContiguous, tensor.storage.count == tensor.count,
               let lent = try source.lentStorage(name), lent.count == tensor.count {
                try tensor.replaceStorage(with: lent)
            } else {
                try source.copyFloats(name, into: UnsafeMutableBufferPointer(start: tensor.pointer, count: tensor.count))
            }
            source.finishedReading(name)
            consumed.insert(name)
        }
        if !missing.isEmpty { throw ModelError.missingKeys(missing, file: source.sourceDescription) }
        attachStoredInt8(int8, int8Only: int8Only, tables: int8Tables, halves: halves)
        let rest = available.subtracting(consumed)
        let ignored = rest.filter { n in ignoring.contains { n.hasPrefix($0) || n.hasSuffix($0) || n.hasPrefix(prefix + $0) } }
        let unexpected = rest.subtracting(ignored).sorted()
        if !unexpected.isEmpty { throw ModelError.unexpectedKeys(unexpected, file: source.sourceDescription) }
        if let lowering, !int8Only.isEmpty || !halves.isEmpty { try prepareEncoders(for: lowering) }
        return ignored.sorted()
    }

    /// The weights of every `Linear` in this tree.
    func linearWeights() -> Set<ObjectIdentifier> {
        var out: Set<ObjectIdentifier> = (self as? Linear).map { [ObjectIdentifier($0.weight)] } ?? []
        for c in children { out.formUnion(c.module.linearWeights()) }
        return out
    }

    /// Whether a `Linear` in this tree was loaded for int8, bf16 or fp16 inference only (no fp32 weight).
    package var containsInt8OnlyWeights: Bool {
        if let linear = self as? Linear { return !linear.hasFP32Weight }
        if let embedding = self as? Embedding { return embedding.int8Rows != nil }
        return children.contains { $0.module.containsInt8OnlyWeights }
    }

    /// The weights of every `Embedding` in this tree: tables read a row per token, so they are worth mapping.
    func embeddingTables() -> Set<ObjectIdentifier> {
        var out: Set<ObjectIdentifier> = (self as? Embedding).map { [ObjectIdentifier($0.weight)] } ?? []
        for c in children { out.formUnion(c.module.embeddingTables()) }
        return out
    }

    /// Gives each Linear in this tree the int8 weight stored for it (nil when none was: weights just loaded), marks
    /// those in `int8Only` as having no fp32 weight, and gives those in `halves` their bf16 or fp16-only weight.
    /// Embeddings get their int8-only tables (`tables`).
    func attachStoredInt8(_ stored: [ObjectIdentifier: QuantizedMatrix], int8Only: Set<ObjectIdentifier>,
                          tables: [ObjectIdentifier: (values: [Int8], scales: [Float])], halves: [ObjectIdentifier: HalfPrecisionWeight]) {
        if let linear = self as? Linear {
            linear.storedInt8 = stored[ObjectIdentifier(linear.weight)]
            linear.isInt8Only = int8Only.contains(ObjectIdentifier(linear.weight))
            linear.storedHalf = halves[ObjectIdentifier(linear.weight)]
        }
        if let embedding = self as? Embedding { embedding.int8Rows = tables[ObjectIdentifier(embedding.weight)] }
        for c in children { c.module.attachStoredInt8(stored, int8Only: int8Only, tables: tables, halves: halves) }
    }

    /// Drops every encoder layer's packed inference weights in this module tree (`prepareForInference`).
    package func dropInferenceCaches() {
        (self as? EncoderLayer)?.dropPackedWeights()
        for c in children { c.module.dropInferenceCaches() }
    }
}
