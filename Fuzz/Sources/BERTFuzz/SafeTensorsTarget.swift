// SafeTensors: a whole file from the input, read from memory and from disk (memory-mapped); every tensor's bytes
// and, where its dtype converts, its values are touched.
import BERT
@_spi(Fuzzing) import SafeTensors
import Foundation

func fuzzSafeTensors(_ input: UnsafeRawBufferPointer) {
    let data = Data(input)
    let fromMemory = try? SafeTensorsFile(data: data)
    if let file = fromMemory { touchEveryTensor(file) }
    let fromDisk = try? SafeTensorsFile(url: writeScratch(input, "model.safetensors"))
    if let file = fromDisk { touchEveryTensor(file) }
    check((fromMemory == nil) == (fromDisk == nil), "memory and file readers disagree on accepting the input")
    if let a = fromMemory, let b = fromDisk {
        check(a.tensorNames == b.tensorNames, "memory and file readers list different tensors")
    }
}

private func touchEveryTensor(_ file: SafeTensorsFile) {
    _ = file.metadata.count
    for tensor in file.tensors {
        guard let info = try? file.info(tensor.name) else { check(false, "listed tensor \(tensor.name) has no info"); continue }
        let checksum = (try? file.withRawBytes(tensor.name) { raw in raw.reduce(0) { $0 &+ Int($1) } }) ?? 0
        _ = checksum
        if info.dtype.isConvertibleToFloat, let values = try? file.floats(tensor.name) {
            let count = info.shape.reduce(1, *)
            check(values.count == count, "\(tensor.name): \(values.count) floats for shape \(info.shape)")
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
            defer { buffer.deallocate() }
            try? file.copyFloats(tensor.name, into: buffer)
            if info.dtype == .float32, let mapped = try? file.mappedFloat32(tensor.name) {
                check(mapped.count == values.count, "\(tensor.name): mapped count differs")
            }
        }
        if info.dtype.isConvertibleToInt64 { _ = try? file.int64s(tensor.name) }
        file.releasePages(of: tensor.name)
    }
}
