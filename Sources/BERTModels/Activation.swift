import BERTTensor

/// The `hidden_act` values of Hugging Face configs that BERT-family models use.
public enum Activation: String, Sendable, CaseIterable {
    /// Exact GELU (erf).
    case gelu
    /// Tanh-approximated GELU ("gelu_new", "gelu_pytorch_tanh", "gelu_fast" share this form).
    case geluNew = "gelu_new"
    case geluPyTorchTanh = "gelu_pytorch_tanh"
    case relu
    case tanh

    /// Parses a config value, or throws naming the supported ones.
    public init(configValue: String) throws {
        guard let a = Activation(rawValue: configValue) else {
            throw ModelError.unsupportedConfig(key: "hidden_act", value: configValue,
                                               supported: Activation.allCases.map(\.rawValue))
        }
        self = a
    }

    /// Applies the activation. Any shape.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: return x.gelu()
        case .geluNew, .geluPyTorchTanh: return x.geluTanh()
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        }
    }
}
