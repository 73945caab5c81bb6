import BERTNN
import Foundation
import SafeTensors

extension Module {
    /// Every parameter as an fp32 safetensors entry under its checkpoint key (tied tensors once, as `transformers`
    /// saves them), with the `format: pt` metadata `transformers` requires.
    public func safeTensorsWriter(prefix: String = "") throws -> SafeTensorsWriter {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        var seen = Set<ObjectIdentifier>()
        for (key, tensor) in namedParameters(prefix: prefix) where seen.insert(ObjectIdentifier(tensor)).inserted {
            try writer.add(key, floats: tensor.scalars, shape: tensor.shape)
        }
        return writer
    }

    /// Writes `model.safetensors`-style weights atomically to `url`.
    public func saveSafeTensors(to url: URL, prefix: String = "") throws {
        try safeTensorsWriter(prefix: prefix).write(to: url)
    }
}
