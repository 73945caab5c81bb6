import BERTNN
import Foundation
import SafeTensors

extension Module {
    /// Every parameter as an fp32 safetensors entry under its checkpoint key (tied tensors once, as `transformers`
    /// saves them), with the `format: pt` metadata `transformers` requires.
    /// - Throws: `ModelError.quantizedModel` when weights were loaded int8-only (they have no fp32 values).
    package func safeTensorsWriter(prefix: String = "") throws -> SafeTensorsWriter {
        if containsInt8OnlyWeights { throw ModelError.quantizedModel(operation: "saving fp32 weights") }
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for (key, tensor) in uniqueNamedParameters(prefix: prefix) {
            try writer.add(key, floats: tensor.scalars, shape: tensor.shape)
        }
        return writer
    }

    /// Writes `model.safetensors`-style weights atomically to `url` (the same bytes as `safeTensorsWriter`), straight
    /// from the parameters: no copy of the weights is made on the way.
    /// - Throws: `ModelError.quantizedModel` when weights were loaded int8-only (they have no fp32 values).
    package func saveSafeTensors(to url: URL, prefix: String = "") throws {
        if containsInt8OnlyWeights { throw ModelError.quantizedModel(operation: "saving fp32 weights") }
        let named = uniqueNamedParameters(prefix: prefix)
        let tensors = Dictionary(uniqueKeysWithValues: named.map { ($0.key, $0.tensor) })
        try SafeTensorsWriter.stream(to: url, metadata: ["format": "pt"],
                                     tensors: named.map { SafeTensorsLayout(name: $0.key, shape: $0.tensor.shape) }) { name, write in
            let t = tensors[name]!.contiguous()
            try write(UnsafeRawBufferPointer(start: t.pointer, count: t.count * MemoryLayout<Float>.stride))
        }
    }
}
