import Foundation
import SafeTensors
import XCTest

/// Reads the Python-written fixture (scripts/make_safetensors_fixtures.py) and the real MiniLM checkpoint.
final class SafeTensorsReaderTests: XCTestCase {
    private struct Expected: Decodable {
        struct Tensor: Decodable {
            let dtype: String
            let shape: [Int]
            let float_bits: [UInt32]?
            let ints: [Int64]?
        }
        let tensors: [String: Tensor]
    }

    private func fixture() throws -> (SafeTensorsFile, Expected) {
        let file = try SafeTensorsFile(url: FixturePaths.safetensors.appendingPathComponent("python_dtypes.safetensors"))
        let json = try Data(contentsOf: FixturePaths.safetensors.appendingPathComponent("python_dtypes.json"))
        return (file, try JSONDecoder().decode(Expected.self, from: json))
    }

    func testPythonFixtureHeader() throws {
        let (file, expected) = try fixture()
        XCTAssertEqual(Set(file.tensorNames), Set(expected.tensors.keys))
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "fixture \"quoted\"\n"])
        let torchNames: [String: SafeTensorsDType] = [
            "torch.float64": .float64, "torch.float32": .float32, "torch.float16": .float16, "torch.bfloat16": .bfloat16,
            "torch.int64": .int64, "torch.int32": .int32, "torch.int16": .int16, "torch.int8": .int8,
            "torch.uint8": .uint8, "torch.bool": .bool,
        ]
        for (name, e) in expected.tensors {
            let info = try file.info(name)
            XCTAssertEqual(info.shape, e.shape, name)
            XCTAssertEqual(info.dtype, torchNames[e.dtype], name)
            XCTAssertEqual(info.byteCount, info.elementCount * info.dtype.byteSize!, name)
            XCTAssertEqual(try file.rawBytes(name).count, info.byteCount, name)
        }
        XCTAssertEqual(try file.info("f32.scalar").shape, [])
        XCTAssertEqual(try file.floats("f32.scalar"), [7.25])
        XCTAssertEqual(try file.floats("f32.empty"), [])
        // Offsets are contiguous in file order.
        XCTAssertEqual(file.tensors.first?.dataOffsets.lowerBound, 0)
        for (a, b) in zip(file.tensors, file.tensors.dropFirst()) {
            XCTAssertEqual(a.dataOffsets.upperBound, b.dataOffsets.lowerBound)
        }
    }

    func testPythonFixtureValuesAreBitExact() throws {
        let (file, expected) = try fixture()
        for (name, e) in expected.tensors {
            if let bits = e.float_bits {
                XCTAssertEqual(try file.floats(name).map(\.bitPattern), bits, name)
            }
            if let ints = e.ints {
                XCTAssertEqual(try file.int64s(name), ints, name)
            }
        }
        XCTAssertEqual(try file.floats("bool.values"), [1, 0, 1, 1])
        XCTAssertEqual(try file.floats("u8.values"), [0, 255, 128])
    }

    func testConversionsRefuseLossyOrUnknown() throws {
        let (file, _) = try fixture()
        XCTAssertThrowsError(try file.int64s("f32.values")) { error in
            guard case .unsupportedConversion(_, "f32.values", .float32, "Int64") = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try file.floats("encoder.nope")) { error in
            guard case .tensorNotFound(_, "encoder.nope", _) = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("python_dtypes.safetensors"))
        }
        XCTAssertThrowsError(try file.floats("values")) { error in
            guard case let .tensorNotFound(_, _, matches) = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertTrue(matches.contains("f32.values"), "\(matches)")
        }
        var destination = [Float](repeating: 0, count: 3)
        XCTAssertThrowsError(try destination.withUnsafeMutableBufferPointer { try file.copyFloats("f32.values", into: $0) })
    }

    func testF8IsKnownButNotConvertible() throws {
        var writer = SafeTensorsWriter()
        try writer.add("q", dtype: .float8E4M3, shape: [2], bytes: Data([0x38, 0xB8]))
        let file = try SafeTensorsFile(data: writer.serialized())
        XCTAssertEqual(try file.info("q").dtype, .float8E4M3)
        XCTAssertEqual(Array(try file.rawBytes("q")), [0x38, 0xB8])
        XCTAssertThrowsError(try file.floats("q")) { error in
            guard case .unsupportedConversion(_, "q", .float8E4M3, "Float") = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
        }
    }

    func testMiniLMCheckpoint() throws {
        let file = try SafeTensorsFile(url: try FixturePaths.requireMiniLM())
        XCTAssertEqual(file.tensorNames.count, 104)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        let embeddings = try file.info("embeddings.word_embeddings.weight")
        XCTAssertEqual(embeddings.dtype, .float32)
        XCTAssertEqual(embeddings.shape, [30522, 384])
        let values = try file.floats("embeddings.word_embeddings.weight")
        XCTAssertEqual(Array(values.prefix(3)), [-0.019989013671875, -0.0034027099609375, -0.014678955078125])
        XCTAssertEqual(values.last, 0.004570063669234514)
        XCTAssertEqual(try file.int64s("embeddings.position_ids"), (0..<512).map(Int64.init))
    }
}
