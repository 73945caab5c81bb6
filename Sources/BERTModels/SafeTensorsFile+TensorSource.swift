import BERTTensor
import SafeTensors

/// A safetensors file is a checkpoint source: F32, F16, BF16 and F64 tensors convert to fp32 on load.
extension SafeTensorsFile: TensorSource {
    public func shape(of name: String) throws -> [Int] { try info(name).shape }
    public var sourceDescription: String { path }

    /// F32 tensors are lent as a copy-on-write mapping of the file (`mappedFloat32`).
    public func lentStorage(_ name: String) throws -> TensorStorage? {
        guard let mapped = try mappedFloat32(name) else { return nil }
        return TensorStorage(borrowing: mapped.pointer, count: mapped.count, owner: mapped, isFileMapping: true)
    }

    public func finishedReading(_ name: String) { releasePages(of: name) }
}
