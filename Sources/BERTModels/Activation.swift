import BERTTensor

/// The `hidden_act` values of Hugging Face configs that BERT-family models use (`transformers`' `ACT2FN`).
public enum Activation: String, Sendable, CaseIterable {
    /// Exact GELU (erf); also "gelu_python".
    case gelu
    /// Tanh-approximated GELU; "gelu_fast", "gelu_accurate" and "gelu_python_tanh" are the same function.
    case geluNew = "gelu_new"
    case geluPyTorchTanh = "gelu_pytorch_tanh"
    case relu
    case tanh
    /// x · sigmoid(x); also "swish".
    case silu
    /// x · sigmoid(1.702 x).
    case quickGELU = "quick_gelu"
    case sigmoid
    /// The identity.
    case linear

    /// Other names `transformers` gives the same functions (to within float rounding of their constants).
    static let aliases: [String: Activation] = ["gelu_python": .gelu, "gelu_fast": .geluNew, "gelu_accurate": .geluNew,
                                                "gelu_python_tanh": .geluNew, "swish": .silu]

    /// Every accepted config value: the cases' and the aliases'. `BertConfig.supportedActivations` lists the same.
    package static var configValues: [String] { allCases.map(\.rawValue) + aliases.keys.sorted() }

    /// Parses a config value, or throws naming the supported ones.
    public init(configValue: String) throws {
        guard let a = Activation(rawValue: configValue) ?? Activation.aliases[configValue] else {
            throw ModelError.unsupportedConfig(key: "hidden_act", value: configValue, supported: Activation.configValues)
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
        case .silu: return x.sigmoidGated(1)
        case .quickGELU: return x.sigmoidGated(1.702)
        case .sigmoid: return x.sigmoid()
        case .linear: return x
        }
    }
}
