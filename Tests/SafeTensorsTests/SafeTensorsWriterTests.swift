import Foundation
import SafeTensors
import XCTest

final class SafeTensorsWriterTests: XCTestCase {
    /// Re-writing every tensor of the Python fixture gives the Python file byte for byte: same order, header,
    /// escaping and padding as huggingface/safetensors.
    func testReproducesPythonFileByteForByte() throws {
        let url = FixturePaths.safetensors.appendingPathComponent("python_dtypes.safetensors")
        let file = try SafeTensorsFile(url: url)
        var writer = SafeTensorsWriter(metadata: file.metadata)
        // Added in reverse file order, to show the writer sorts.
        for info in file.tensors.reversed() {
            try writer.add(info.name, dtype: info.dtype, shape: info.shape, bytes: Data(try file.rawBytes(info.name)))
        }
        XCTAssertEqual(writer.serialized(), try Data(contentsOf: url))
    }

    func testRoundTripThroughAtomicWrite() throws {
        let dir = try FixturePaths.temporaryDirectory(self)
        let url = dir.appendingPathComponent("model.safetensors")
        try Data("old contents".utf8).write(to: url)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        let weights: [Float] = [1, -2.5, 0.1, .infinity, -0.0, 3e-6]
        try writer.add("layer.weight", floats: weights, shape: [2, 3])
        try writer.add("layer.half", floats: weights, shape: [6], as: .float16)
        try writer.add("layer.brain", floats: weights, shape: [3, 2], as: .bfloat16)
        try writer.add("layer.double", floats: weights, shape: [6], as: .float64)
        try writer.add("ids", int64s: [0, 1, -7, .max], shape: [1, 4])
        try writer.add("empty", floats: [], shape: [0])
        try writer.write(to: url)
        // For checking by hand that Python reads Swift's output (see Tests/Fixtures/MANIFEST.md).
        if let export = ProcessInfo.processInfo.environment["SAFETENSORS_EXPORT_DIR"] {
            try writer.write(to: URL(fileURLWithPath: export).appendingPathComponent("swift_written.safetensors"))
        }

        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(names, ["model.safetensors"], "temporary file left behind")
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(try file.floats("layer.weight").map(\.bitPattern), weights.map(\.bitPattern))
        XCTAssertEqual(try file.info("layer.weight").shape, [2, 3])
        XCTAssertEqual(try file.floats("layer.double").map(\.bitPattern), weights.map(\.bitPattern))
        XCTAssertEqual(try file.floats("layer.half"),
                       weights.map { HalfPrecision.float(fromHalfBits: HalfPrecision.halfBits(from: $0)) })
        XCTAssertEqual(try file.floats("layer.brain"),
                       weights.map { HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: $0)) })
        XCTAssertEqual(try file.int64s("ids"), [0, 1, -7, .max])
        XCTAssertEqual(try file.info("empty").shape, [0])
        // File order: I64, F64, F32 (by name), BF16, F16 — descending dtype rank, then name.
        XCTAssertEqual(file.tensorNames, ["ids", "layer.double", "empty", "layer.weight", "layer.brain", "layer.half"])
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0, "header not padded to 8 bytes")
    }

    func testWriterRejectsBadInput() throws {
        var writer = SafeTensorsWriter()
        try writer.add("a", floats: [1, 2], shape: [2])
        XCTAssertThrowsError(try writer.add("a", floats: [1, 2], shape: [2])) { error in
            guard case .invalidTensorName(name: "a", _) = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try writer.add("__metadata__", floats: [1], shape: [1]))
        XCTAssertThrowsError(try writer.add("", floats: [1], shape: [1]))
        XCTAssertThrowsError(try writer.add("b", floats: [1, 2, 3], shape: [2, 2])) { error in
            guard case .writerDataMismatch(tensor: "b", expectedBytes: 16, actualBytes: 12) = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try writer.add("c", floats: [1], shape: [1], as: .int32))
        XCTAssertThrowsError(try writer.add("d", dtype: .uint8, shape: [-1], bytes: Data()))
    }

    func testWriteFailureLeavesNoTrace() throws {
        let dir = try FixturePaths.temporaryDirectory(self)
        var writer = SafeTensorsWriter()
        try writer.add("a", floats: [1], shape: [1])
        let url = dir.appendingPathComponent("missing-subdirectory/model.safetensors")
        XCTAssertThrowsError(try writer.write(to: url)) { error in
            guard case .writeFailed = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("missing-subdirectory"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testMetadataAndNamesAreEscapedAsSerdeJSONDoes() throws {
        var writer = SafeTensorsWriter(metadata: ["k\"ey": "tab\there\u{01}/é"])
        try writer.add("we\\ird", floats: [0], shape: [])
        let data = writer.serialized()
        let header = String(decoding: data.dropFirst(8).prefix(while: { $0 != 0 }), as: UTF8.self)
        XCTAssertTrue(header.hasPrefix(#"{"__metadata__":{"k\"ey":"tab\there\u0001/é"},"we\\ird":{"#), header)
        let file = try SafeTensorsFile(data: data)
        XCTAssertEqual(file.metadata, ["k\"ey": "tab\there\u{01}/é"])
        XCTAssertEqual(file.tensorNames, ["we\\ird"])
    }

    /// Streaming the Python fixture's tensors (in pieces, some empty) gives the Python file byte for byte.
    func testStreamingWritesTheSameFileWithoutGatheringBytes() throws {
        let source = FixturePaths.safetensors.appendingPathComponent("python_dtypes.safetensors")
        let file = try SafeTensorsFile(url: source)
        let dir = try FixturePaths.temporaryDirectory(self)
        let url = dir.appendingPathComponent("streamed.safetensors")
        var asked: [String] = []
        try SafeTensorsWriter.stream(to: url, metadata: file.metadata,
                                     tensors: file.tensors.reversed().map { SafeTensorsLayout(name: $0.name, dtype: $0.dtype, shape: $0.shape) }) { name, write in
            asked.append(name)
            let bytes = try file.rawBytes(name)
            let cut = bytes.count / 3
            try write(UnsafeRawBufferPointer(rebasing: bytes[0..<cut]))
            try write(UnsafeRawBufferPointer(rebasing: bytes[cut..<cut]))
            try write(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
        }
        XCTAssertEqual(try Data(contentsOf: url), try Data(contentsOf: source))
        XCTAssertEqual(asked, file.tensorNames, "bytes are asked for in file order")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["streamed.safetensors"])
    }

    func testStreamingRejectsWrongByteCountsAndLeavesTheOldFile() throws {
        let dir = try FixturePaths.temporaryDirectory(self)
        let url = dir.appendingPathComponent("model.safetensors")
        try Data("old contents".utf8).write(to: url)
        let layout = [SafeTensorsLayout(name: "a", shape: [2]), SafeTensorsLayout(name: "b", shape: [3])]
        let values: [String: [Float]] = ["a": [1, 2], "b": [3, 4]]   // b is one short
        XCTAssertThrowsError(try SafeTensorsWriter.stream(to: url, tensors: layout) { name, write in
            try values[name]!.withUnsafeBytes { try write($0) }
        }) { error in
            guard case .writerDataMismatch(tensor: "b", expectedBytes: 12, actualBytes: 8) = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try SafeTensorsWriter.stream(to: url, tensors: layout) { name, write in
            try [Float](repeating: 1, count: 4).withUnsafeBytes { try write($0) }   // too many for both
        }) { error in
            guard case .writerDataMismatch(tensor: "a", expectedBytes: 8, actualBytes: 16) = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try SafeTensorsWriter.stream(to: url, tensors: layout + [layout[0]]) { _, _ in }) { error in
            guard case .invalidTensorName(name: "a", _) = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SafeTensorsWriter.stream(to: url, tensors: [SafeTensorsLayout(name: "__metadata__", shape: [])]) { _, _ in })
        XCTAssertEqual(try Data(contentsOf: url), Data("old contents".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["model.safetensors"])
    }
}
