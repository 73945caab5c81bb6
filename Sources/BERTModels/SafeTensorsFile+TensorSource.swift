import BERTTensor
@_spi(Fuzzing) import SafeTensors

/// A safetensors file is a checkpoint source: F32, F16, BF16 and F64 tensors convert to fp32 on load.
extension SafeTensorsFile: TensorSource {
    package func shape(of name: String) throws -> [Int] { try info(name).shape }
    package var sourceDescription: String { path }

    /// F32 tensors are lent as a copy-on-write mapping of the file (`mappedFloat32`).
    package func lentStorage(_ name: String) throws -> TensorStorage? {
        guard let mapped = try mappedFloat32(name) else { return nil }
        return TensorStorage(borrowing: mapped.pointer, count: mapped.count, owner: mapped, isFileMapping: true)
    }

    package func finishedReading(_ name: String) { releasePages(of: name) }
}
