import BERTNN

/// A checkpoint whose values are generated from each key, so tests and benchmarks can use a BERT-base-sized
/// model without shipping 440 MB of weights. Python implements the same generator
/// (`scripts/make_model_goldens.py`, spec in `Tests/Fixtures/MANIFEST.md`):
///
///     seed = FNV-1a-64(key);  z_i = splitmix64 output i+1 from state seed;  u = (z_i >> 40) / 2²⁴
///     value = Float((2u − 1)·0.05), or Float(1 + (2u − 1)·0.1) for layer-norm weights: keys ending in
///     `LayerNorm.weight` or `layer_norm.weight` (RoBERTa's `lm_head.layer_norm`, DistilBERT's `sa_layer_norm`,
///     ALBERT's `full_layer_layer_norm`); Double math, one rounding
package struct SyntheticCheckpoint: TensorSource {
    /// key → shape.
    package let shapes: [String: [Int]]
    package var sourceDescription: String { "synthetic checkpoint" }

    /// A checkpoint with these keys and shapes.
    package init(shapes: [String: [Int]]) { self.shapes = shapes }

    /// A checkpoint with exactly `module`'s parameter keys and shapes.
    package init(shapesOf module: Module) {
        shapes = Dictionary(uniqueKeysWithValues: module.namedParameters().map { ($0.key, $0.tensor.shape) })
    }

    package var tensorNames: [String] { Array(shapes.keys) }

    package func shape(of name: String) throws -> [Int] {
        guard let s = shapes[name] else { throw ModelError.missingKeys([name], file: sourceDescription) }
        return s
    }

    package func floats(_ name: String) throws -> [Float] {
        SyntheticCheckpoint.values(for: name, count: try elementCount(name))
    }

    /// Generates straight into `destination` (no intermediate array).
    package func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let n = try elementCount(name)
        guard n == destination.count else {
            throw ModelError.shapeMismatch(key: name, expected: [destination.count], found: [n], file: sourceDescription)
        }
        SyntheticCheckpoint.fill(destination, key: name)
    }

    /// The product of `name`'s shape, overflow-checked: a shape such as [2⁶², 4] is an error, not a trap.
    private func elementCount(_ name: String) throws -> Int {
        let shape = try shape(of: name)
        var n = 1
        for d in shape {
            let (product, overflow) = n.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else {
                throw ModelError.invalidInput("\(sourceDescription): \(name) has shape \(shape), whose element count is "
                    + "negative or does not fit in Int; give each dimension its real size")
            }
            n = product
        }
        return n
    }

    /// The first `count` generated values of `key`.
    package static func values(for key: String, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer, key: key)
            initialized = count
        }
    }

    /// Writes the first `buffer.count` generated values of `key` into `buffer`.
    package static func fill(_ buffer: UnsafeMutableBufferPointer<Float>, key: String) {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { seed = (seed ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var state = seed
        let layerNormWeight = key.hasSuffix("LayerNorm.weight") || key.hasSuffix("layer_norm.weight")
        for i in 0..<buffer.count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = Double(z >> 40) / Double(1 << 24)
            buffer[i] = layerNormWeight ? Float(1 + (2 * u - 1) * 0.1) : Float((2 * u - 1) * 0.05)
        }
    }
}
