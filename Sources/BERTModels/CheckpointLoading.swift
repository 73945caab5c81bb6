import BERTNN
import BERTTensor

/// Anything that holds named fp32-convertible tensors: a safetensors file, a generated checkpoint, a dictionary.
public protocol TensorSource {
    /// Every tensor name.
    var tensorNames: [String] { get }
    /// The shape of `name`.
    func shape(of name: String) throws -> [Int]
    /// The values of `name` converted to fp32, row-major.
    func floats(_ name: String) throws -> [Float]
    /// A name for error messages (the file path).
    var sourceDescription: String { get }
}

/// Tensors held in memory by name.
public struct DictionaryTensorSource: TensorSource {
    /// name → (shape, values).
    public var tensors: [String: (shape: [Int], values: [Float])]
    public var sourceDescription: String

    /// A source over `tensors`.
    public init(_ tensors: [String: (shape: [Int], values: [Float])], description: String = "in-memory checkpoint") {
        self.tensors = tensors
        self.sourceDescription = description
    }

    public var tensorNames: [String] { Array(tensors.keys) }
    public func shape(of name: String) throws -> [Int] { tensors[name]!.shape }
    public func floats(_ name: String) throws -> [Float] { tensors[name]!.values }
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
    public func load(from source: TensorSource, prefixes: [String] = ["", "bert."], ignoring: [String] = []) throws -> [String] {
        let named = namedParameters()
        dropInferenceCaches()  // the weights are about to change (even if loading fails half way)
        let available = Set(source.tensorNames)
        let prefix = prefixes.first { p in named.contains { available.contains(p + $0.key) } } ?? prefixes.first ?? ""
        var consumed = Set<String>()
        var missing: [String] = []
        for (key, tensor) in named {
            var candidates = [prefix + key]
            if key.hasSuffix("LayerNorm.weight") { candidates.append(prefix + key.dropLast("weight".count) + "gamma") }
            if key.hasSuffix("LayerNorm.bias") { candidates.append(prefix + key.dropLast("bias".count) + "beta") }
            guard let name = candidates.first(where: available.contains) else { missing.append(prefix + key); continue }
            let shape = try source.shape(of: name)
            guard shape == tensor.shape else {
                throw ModelError.shapeMismatch(key: name, expected: tensor.shape, found: shape, file: source.sourceDescription)
            }
            let values = try source.floats(name)
            values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: values.count) }
            consumed.insert(name)
        }
        if !missing.isEmpty { throw ModelError.missingKeys(missing, file: source.sourceDescription) }
        let rest = available.subtracting(consumed)
        let ignored = rest.filter { n in ignoring.contains { n.hasPrefix($0) || n.hasSuffix($0) || n.hasPrefix(prefix + $0) } }
        let unexpected = rest.subtracting(ignored).sorted()
        if !unexpected.isEmpty { throw ModelError.unexpectedKeys(unexpected, file: source.sourceDescription) }
        return ignored.sorted()
    }

    /// Drops every encoder layer's packed inference weights in this module tree (`prepareForInference`).
    public func dropInferenceCaches() {
        (self as? EncoderLayer)?.dropPackedWeights()
        for c in children { c.module.dropInferenceCaches() }
    }
}
