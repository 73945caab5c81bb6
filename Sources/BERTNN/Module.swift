import BERTTensor

/// A layer or model whose parameters are named by their Hugging Face checkpoint keys.
///
/// A module lists its own parameters and its children under the key component each has in a checkpoint
/// (`"query"`, `"weight"`, `"layer.3"`), so `namedParameters()` yields exactly the state-dict keys and loading
/// or saving a checkpoint is one walk of the tree, with no table of renames.
package protocol Module: AnyObject {
    /// This module's own parameters, keyed by their last key component.
    var ownParameters: [(key: String, tensor: Tensor)] { get }
    /// Child modules, keyed by the key component they add.
    var children: [(key: String, module: Module)] { get }
}

extension Module {
    package var ownParameters: [(key: String, tensor: Tensor)] { [] }
    package var children: [(key: String, module: Module)] { [] }

    /// Every parameter under its full dotted key, parents before children, in declaration order.
    package func namedParameters(prefix: String = "") -> [(key: String, tensor: Tensor)] {
        var out: [(key: String, tensor: Tensor)] = ownParameters.map { (prefix + $0.key, $0.tensor) }
        for c in children { out += c.module.namedParameters(prefix: prefix + c.key + ".") }
        return out
    }

    /// Every parameter once, under the first key it appears with (shared tensors — ALBERT's layers, tied
    /// embeddings — are listed, and saved, once, as `transformers` saves them).
    package func uniqueNamedParameters(prefix: String = "") -> [(key: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return namedParameters(prefix: prefix).filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }
    }

    /// Every parameter tensor (each once, even when shared as ALBERT's layers or tied embeddings are).
    package var parameters: [Tensor] { uniqueNamedParameters().map(\.tensor) }

    /// Number of scalar parameters (shared tensors counted once).
    package var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Clears every parameter's gradient.
    package func zeroGradients() { for p in parameters { p.zeroGrad() } }
}

/// What a forward pass needs besides its inputs: training mode (dropout on) and the generator dropout draws from.
public final class ForwardContext {
    /// Dropout is applied only when true.
    package var training: Bool
    /// The seeded generator for dropout masks.
    package var generator: SeededGenerator

    /// Inference by default; training with a seed for reproducible dropout.
    package init(training: Bool = false, seed: UInt64 = 0) {
        self.training = training
        self.generator = SeededGenerator(seed: seed)
    }

    /// A shared inference context (dropout off).
    public static var inference: ForwardContext { ForwardContext() }

    /// Applies dropout with probability `p` in training mode; identity otherwise.
    package func dropout(_ x: Tensor, _ p: Float) throws -> Tensor {
        guard training, p > 0 else { return x }
        return try x.dropout(p, generator: &generator)
    }
}
