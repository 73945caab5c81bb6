import BERTModels
import BERTNN
import BERTTensor
import Foundation
@_spi(Fuzzing) import SafeTensors
import XCTest

/// Loading that maps embedding tables from the checkpoint (copy-on-write) instead of copying them, and loading
/// that copies tensor by tensor without holding the file's pages.
final class MappedCheckpointTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A small model with a vocabulary large enough for its table to span many pages, saved to `folder`.
    func savedModel() throws -> BertModel {
        var c = BertConfig()
        c.vocabSize = 3000; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 48
        c.maxPositionEmbeddings = 40; c.typeVocabSize = 2
        c.initializerRange = 0.2
        let m = try BertModel(config: c, seed: 9)
        try c.write(to: folder.appendingPathComponent("config.json"))
        try m.saveSafeTensors(to: folder.appendingPathComponent("model.safetensors"))
        return m
    }

    let input = try! EncoderInput(rows: [[101, 2999, 7, 1500, 102], [101, 44, 102]], typeRows: [[0, 0, 0, 1, 1], [0, 0, 1]])

    func testMappedTablesGiveTheStatesOfCopiedOnesAndOfTheSavedModel() throws {
        let original = try savedModel()
        let expected = try original(input).lastHiddenState.scalars
        let mapped = try BertModel.fromPretrained(folder)
        let copied = try CheckpointLoadingOptions.$mapsEmbeddingTables.withValue(false) { try BertModel.fromPretrained(folder) }
        XCTAssertTrue(mapped.embeddings.wordEmbeddings.weight.storage.isFileMapping)
        XCTAssertTrue(mapped.embeddings.positionEmbeddings.weight.storage.isFileMapping)
        XCTAssertFalse(copied.embeddings.wordEmbeddings.weight.storage.isFileMapping)
        XCTAssertFalse(mapped.layers[0].intermediate.weight.storage.isFileMapping)
        XCTAssertEqual(try mapped(input).lastHiddenState.scalars, expected)
        XCTAssertEqual(try copied(input).lastHiddenState.scalars, expected)
        XCTAssertEqual(mapped.embeddings.wordEmbeddings.weight.scalars, original.embeddings.wordEmbeddings.weight.scalars)
        XCTAssertGreaterThan(Set(expected.prefix(64)).count, 32)  // real states, not constants
    }

    func testWritingAMappedTableChangesTheModelButNeverTheFile() throws {
        _ = try savedModel()
        let file = folder.appendingPathComponent("model.safetensors")
        let before = try Data(contentsOf: file)
        let model = try BertModel.fromPretrained(folder)
        let table = model.embeddings.wordEmbeddings.weight
        XCTAssertTrue(table.storage.isFileMapping)
        let row7 = Array(table.scalars[(7 * 32)..<(8 * 32)])
        (table.pointer + 7 * 32).update(repeating: 42, count: 32)   // as an optimizer step would, in place
        let looked = try table.embedding(ids: [7, 8], shape: [2]).scalars
        XCTAssertEqual(Array(looked[0..<32]), [Float](repeating: 42, count: 32))
        XCTAssertEqual(try Data(contentsOf: file), before)
        let again = try BertModel.fromPretrained(folder)
        XCTAssertEqual(Array(again.embeddings.wordEmbeddings.weight.scalars[(7 * 32)..<(8 * 32)]), row7)
        XCTAssertNotEqual(row7, [Float](repeating: 42, count: 32))
    }

    func testAFileReplacedAfterOpeningIsCopiedFromWhatWasOpened() throws {
        let original = try savedModel()
        let path = folder.appendingPathComponent("model.safetensors")
        let opened = try SafeTensorsFile(url: path)
        // Another checkpoint takes the name (write, then rename, as checkpoint writers do).
        var c = BertConfig()
        c.vocabSize = 3000; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 48
        c.maxPositionEmbeddings = 40; c.typeVocabSize = 2
        try BertModel(config: c, seed: 10).saveSafeTensors(to: path)
        XCTAssertNil(try opened.mappedFloat32("embeddings.word_embeddings.weight"))
        let model = try BertModel(config: c, randomInit: false)
        try model.load(from: opened)
        XCTAssertFalse(model.embeddings.wordEmbeddings.weight.storage.isFileMapping)
        XCTAssertEqual(model.embeddings.wordEmbeddings.weight.scalars, original.embeddings.wordEmbeddings.weight.scalars)
    }

    func testSavingStreamsTheBytesTheInMemoryWriterMakes() throws {
        var c = BertConfig()
        c.vocabSize = 300; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 48
        c.maxPositionEmbeddings = 40; c.typeVocabSize = 2
        let model = try BertForMaskedLM(config: c, seed: 4)   // tied decoder: saved once, as transformers does
        let url = folder.appendingPathComponent("mlm.safetensors")
        try model.saveSafeTensors(to: url)
        XCTAssertEqual(try Data(contentsOf: url), try model.safeTensorsWriter().serialized())
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.tensorNames.count, model.parameters.count)
        XCTAssertEqual(try file.floats("bert.embeddings.word_embeddings.weight"), model.bert.embeddings.wordEmbeddings.weight.scalars)
    }

    func testReleasingATensorsPagesKeepsItsValues() throws {
        _ = try savedModel()
        let file = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        for name in file.tensorNames {
            let before = try file.floats(name)
            file.releasePages(of: name)
            XCTAssertEqual(try file.floats(name), before, name)
        }
    }

    func testMappingNonF32TensorsIsDeclined() throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add("half", dtype: .float16, shape: [2], bytes: Data([0, 0x3c, 0, 0x40]))
        try writer.add("single", floats: [1, 2, 3], shape: [3])
        let url = folder.appendingPathComponent("mixed.safetensors")
        try writer.write(to: url)
        let file = try SafeTensorsFile(url: url)
        XCTAssertNil(try file.mappedFloat32("half"))
        let single = try XCTUnwrap(try file.mappedFloat32("single"))
        XCTAssertEqual(Array(UnsafeBufferPointer(start: single.pointer, count: single.count)), [1, 2, 3])
        XCTAssertThrowsError(try file.mappedFloat32("absent"))
        XCTAssertNil(try SafeTensorsFile(data: try Data(contentsOf: url)).mappedFloat32("single"))
    }

    #if os(Linux)
    /// A lookup in a mapped table makes only the looked-up rows' pages resident (the bench's memory figure rests on
    /// this): 3 rows of a 4 MiB table.
    func testALookupHoldsOnlyTheRowsItReads() throws {
        let (rows, dim) = (4096, 256)
        let values = (0..<(rows * dim)).map { Float($0 % 1000) * 0.001 }
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add("weight", floats: values, shape: [rows, dim])
        let url = folder.appendingPathComponent("table.safetensors")
        try writer.write(to: url)
        var g = SeededGenerator(seed: 1)
        let table = Embedding(rows, dim, std: 0, generator: &g)
        try table.load(from: SafeTensorsFile(url: url), prefixes: [""])
        XCTAssertTrue(table.weight.storage.isFileMapping)
        let ids = [5, 2000, 4095]
        let out = try table(ids, shape: [3]).scalars
        for (i, id) in ids.enumerated() { XCTAssertEqual(Array(out[(i * dim)..<((i + 1) * dim)]), Array(values[(id * dim)..<((id + 1) * dim)])) }
        let resident = try residentKiB(ofMappingHolding: UnsafeRawPointer(table.weight.pointer))
        XCTAssertLessThanOrEqual(resident, 32, "a 4 MiB table after 3 lookups holds \(resident) KiB")
    }

    /// The `Rss` of the mapping in /proc/self/smaps whose address range holds `p`.
    func residentKiB(ofMappingHolding p: UnsafeRawPointer) throws -> Int {
        let text = String(decoding: try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/smaps")).readDataToEndOfFile(), as: UTF8.self)
        let address = UInt(bitPattern: p)
        var inside = false
        for line in text.split(separator: "\n") {
            let first = line.split(separator: " ").first ?? ""
            let bounds = first.split(separator: "-")
            if bounds.count == 2, let lo = UInt(bounds[0], radix: 16), let hi = UInt(bounds[1], radix: 16) {
                inside = lo <= address && address < hi
            } else if inside, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
            }
        }
        XCTFail("no mapping holds the table")
        return -1
    }
    #endif
}
