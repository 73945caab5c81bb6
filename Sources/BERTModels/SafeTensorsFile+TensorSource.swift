import SafeTensors

/// A safetensors file is a checkpoint source: F32, F16, BF16 and F64 tensors convert to fp32 on load.
extension SafeTensorsFile: TensorSource {
    public func shape(of name: String) throws -> [Int] { try info(name).shape }
    public var sourceDescription: String { path }
}
