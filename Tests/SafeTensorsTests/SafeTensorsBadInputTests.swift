import Foundation
import SafeTensors
import XCTest

/// Each malformed file fails with its own `SafeTensorsError` case, whose message names the file and tensor.
final class SafeTensorsBadInputTests: XCTestCase {
    /// A file image: the header length prefix (`declared`, or the real length), the header, then `data`.
    private func image(_ header: String, data: Int = 0, declared: UInt64? = nil) -> Data {
        image(bytes: Array(header.utf8), data: data, declared: declared)
    }

    private func image(bytes header: [UInt8], data: Int = 0, declared: UInt64? = nil) -> Data {
        let n = declared ?? UInt64(header.count)
        return Data((0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + header + [UInt8](repeating: 7, count: data))
    }

    private func expect(_ data: Data, file: StaticString = #filePath, line: UInt = #line,
                        _ check: (SafeTensorsError) -> Bool) {
        XCTAssertThrowsError(try SafeTensorsFile(data: data, name: "bad.safetensors"), file: file, line: line) { error in
            guard let e = error as? SafeTensorsError else { return XCTFail("not a SafeTensorsError: \(error)", file: file, line: line) }
            XCTAssertTrue(check(e), "unexpected case: \(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains("bad.safetensors"), "message lacks the file: \(e)", file: file, line: line)
        }
    }

    private func tensor(_ name: String, _ dtype: String = "F32", _ shape: String, _ offsets: String) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    func testTruncatedFiles() throws {
        expect(Data([1, 2, 3])) { if case .fileTooSmall(_, 3) = $0 { return true }; return false }
        let good = try Data(contentsOf: FixturePaths.safetensors.appendingPathComponent("python_dtypes.safetensors"))
        expect(good.prefix(200)) { if case .headerLengthBeyondFile(_, _, 200) = $0 { return true }; return false }
        expect(good.dropLast(10)) { e in
            if case .offsetsOutOfBounds(_, "i8.values", 469, 466) = e { return e.description.contains("i8.values") }
            return false
        }
        let dir = try FixturePaths.temporaryDirectory(self)
        let empty = dir.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        XCTAssertThrowsError(try SafeTensorsFile(url: empty)) { error in
            guard case .fileTooSmall(_, 0) = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SafeTensorsFile(url: dir.appendingPathComponent("absent.safetensors"))) { error in
            guard case .fileUnreadable = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SafeTensorsFile(url: dir)) { error in
            guard case .fileUnreadable = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
    }

    func testHeaderLyingAboutItsSize() {
        expect(image("{}", declared: 200_000_000)) { if case .headerTooLarge(_, 200_000_000, _) = $0 { return true }; return false }
        expect(image("{}", declared: .max)) { if case .headerTooLarge = $0 { return true }; return false }
        expect(image("{}", declared: 3)) { if case .headerLengthBeyondFile(_, 3, 10) = $0 { return true }; return false }
        // Declared shorter than the JSON: the cut header is not JSON.
        expect(image("{\"a\":1}", declared: 4)) { if case .headerNotJSON = $0 { return true }; return false }
    }

    func testHeaderNotJSON() {
        expect(image(bytes: [0x7B, 0xFF, 0xFE, 0x7D])) { if case .headerNotUTF8 = $0 { return true }; return false }
        expect(image("not json")) { if case .headerNotJSON = $0 { return true }; return false }
        expect(image("")) { if case .headerNotJSON = $0 { return true }; return false }
        expect(image("[1, 2]")) { if case .headerNotObject = $0 { return true }; return false }
        expect(image("{\"__metadata__\":{\"a\":1}}")) { if case .invalidMetadata = $0 { return true }; return false }
        expect(image("{\"__metadata__\":[]}")) { if case .invalidMetadata = $0 { return true }; return false }
    }

    func testMalformedEntries() {
        expect(image("{\"w\":5}")) { if case .invalidTensorEntry(_, "w", _) = $0 { return true }; return false }
        expect(image("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}", data: 4)) {
            if case .invalidTensorEntry(_, "w", _) = $0 { return true }; return false
        }
        expect(image("{\(tensor("w", "F12", "[1]", "[0,4]"))}", data: 4)) { e in
            if case .unknownDType(_, "w", "F12") = e { return e.description.contains("BF16") }
            return false
        }
        expect(image("{\(tensor("w", "F32", "[-1,2]", "[0,4]"))}", data: 4)) {
            if case .invalidShape(_, "w", _) = $0 { return true }; return false
        }
        expect(image("{\(tensor("w", "F32", "[1.5]", "[0,4]"))}", data: 4)) {
            if case .invalidShape(_, "w", _) = $0 { return true }; return false
        }
        expect(image("{\(tensor("w", "F32", "[4294967296,4294967296,4]", "[0,4]"))}", data: 4)) {
            if case .invalidShape(_, "w", _) = $0 { return true }; return false
        }
        for offsets in ["[0]", "[0,4,8]", "[\"0\",\"4\"]", "[8,4]", "[-4,0]", "{}"] {
            expect(image("{\(tensor("w", "F32", "[1]", offsets))}", data: 4)) {
                if case .invalidDataOffsets(_, "w", _) = $0 { return true }; return false
            }
        }
    }

    func testOffsetsOutOfBounds() {
        expect(image("{\(tensor("w", "F32", "[4]", "[0,16]"))}", data: 8)) { e in
            if case .offsetsOutOfBounds(_, "w", 16, 8) = e { return e.description.contains("`w`") }
            return false
        }
    }

    func testShapeAndByteLengthMismatch() {
        expect(image("{\(tensor("w", "F32", "[3]", "[0,16]"))}", data: 16)) {
            if case .byteLengthMismatch(_, "w", .float32, [3], 12, 16) = $0 { return true }; return false
        }
        expect(image("{\(tensor("w", "F4", "[3]", "[0,2]"))}", data: 2)) {
            if case .misalignedSubByteTensor(_, "w", .float4, [3]) = $0 { return true }; return false
        }
    }

    func testOverlapsGapsAndUncoveredBytes() {
        expect(image("{\(tensor("a", "F32", "[2]", "[0,8]")),\(tensor("b", "F32", "[2]", "[4,12]"))}", data: 12)) {
            if case .overlappingTensors(_, "b", "a") = $0 { return true }; return false
        }
        expect(image("{\(tensor("a", "F32", "[2]", "[0,8]")),\(tensor("b", "F32", "[2]", "[0,8]"))}", data: 8)) {
            if case .overlappingTensors = $0 { return true }; return false
        }
        expect(image("{\(tensor("a", "F32", "[1]", "[0,4]")),\(tensor("b", "F32", "[1]", "[8,12]"))}", data: 12)) {
            if case .gapBetweenTensors(_, "b", 4, 8) = $0 { return true }; return false
        }
        expect(image("{\(tensor("a", "F32", "[1]", "[4,8]"))}", data: 8)) {
            if case .gapBetweenTensors(_, "a", 0, 4) = $0 { return true }; return false
        }
        expect(image("{\(tensor("a", "F32", "[1]", "[0,4]"))}", data: 8)) {
            if case .trailingBytes(_, 4, 8) = $0 { return true }; return false
        }
        expect(image("{}", data: 1)) { if case .trailingBytes(_, 0, 1) = $0 { return true }; return false }
    }

    func testDuplicateKeysAreRefusedAsTheReferenceDoes() {
        // The same entry twice would pass every offset check, and Python's json would keep the last one.
        expect(image("{\(tensor("a", "F32", "[1]", "[0,4]")),\(tensor("a", "F32", "[1]", "[0,4]"))}", data: 4)) { e in
            if case .duplicateKey(_, "a") = e { return e.description.contains("`a` twice") }
            return false
        }
        expect(image("{\"__metadata__\":{\"format\":\"pt\",\"format\":\"np\"}}")) {
            if case .duplicateKey(_, "__metadata__.format") = $0 { return true }; return false
        }
        expect(image("{\"__metadata__\":{},\"__metadata__\":{}}")) {
            if case .duplicateKey(_, "__metadata__") = $0 { return true }; return false
        }
        expect(image("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: 4)) {
            if case .duplicateKey(_, "a.dtype") = $0 { return true }; return false
        }
    }

    func testValidEdgeCasesAreAccepted() throws {
        let empty = try SafeTensorsFile(data: image("{}"))
        XCTAssertEqual(empty.tensorNames, [])
        // Zero-size tensors share an offset; any entry order; unknown extra fields ignored, as the reference does.
        let file = try SafeTensorsFile(data: image(
            "{\(tensor("b", "F32", "[1]", "[0,4]")),\(tensor("z", "I8", "[0]", "[0,0]")),\"c\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6],\"extra\":1}}   ",
            data: 6))
        XCTAssertEqual(file.tensorNames, ["z", "b", "c"])
    }
}
