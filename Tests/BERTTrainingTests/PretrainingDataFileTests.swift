// The instance file: byte-identical for a seed, round trip, seek, shuffled streaming, typed errors, batching.
import BERTTraining
import Foundation
import XCTest
@_spi(Fuzzing) import BERTTraining

final class PretrainingDataFileTests: XCTestCase {
    private func instances(seed: UInt64, dupeFactor: Int = 1) throws
        -> ([PretrainingInstance], PretrainingVocabulary, PretrainingDataConfiguration) {
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        let configuration = PretrainingDataConfiguration(maxSeqLength: 64, dupeFactor: dupeFactor,
                                                         maxPredictionsPerSeq: 10, seed: seed)
        let generator = try PretrainingInstanceGenerator(configuration: configuration, vocabulary: vocabulary)
        return (generator.makeInstances(corpus: try PretrainingFixtures.realCorpus()), vocabulary, configuration)
    }

    private func write(seed: UInt64, to url: URL) throws -> [PretrainingInstance] {
        let (instances, vocabulary, configuration) = try instances(seed: seed)
        try PretrainingInstanceFileWriter.write(
            instances, to: url, maxSeqLength: 64, vocabSize: vocabulary.size,
            settings: PretrainingInstanceFileSettings(configuration: configuration, vocabulary: vocabulary))
        return instances
    }

    func testSameSeedSameBytesDifferentSeedDifferentBytes() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.bin"), b = dir.appendingPathComponent("b.bin")
        let c = dir.appendingPathComponent("c.bin")
        _ = try write(seed: 1, to: a)
        _ = try write(seed: 1, to: b)
        _ = try write(seed: 2, to: c)
        let bytesA = try Data(contentsOf: a)
        XCTAssertEqual(bytesA, try Data(contentsOf: b))
        XCTAssertNotEqual(bytesA, try Data(contentsOf: c))
        // Only the destination is left: the temporary file was renamed into place.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["a.bin", "b.bin", "c.bin"])
    }

    func testRoundTripSeekAndShuffledStream() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("instances.bin")
        let written = try write(seed: 3, to: url)
        let reader = try PretrainingInstanceFileReader(url: url)
        XCTAssertEqual(reader.count, written.count)
        XCTAssertEqual(reader.header.maxSeqLength, 64)
        XCTAssertEqual(reader.header.vocabSize, 30522)
        XCTAssertEqual(reader.header.settings.configuration?.seed, 3)
        XCTAssertEqual(reader.dataOffset % 64, 0)
        XCTAssertEqual(try reader.readAll(), written)

        var stream = reader.makeStream()
        var streamed: [PretrainingInstance] = []
        while let next = try stream.next() { streamed.append(next) }
        XCTAssertEqual(streamed, written)
        for n in [0, 1, 17, written.count - 1] {
            XCTAssertEqual(try reader.instance(at: n), streamed[n])
            var resumed = reader.makeStream(startingAt: n)
            XCTAssertEqual(try resumed.next(), streamed[n])
        }

        let order = PretrainingReadOrder.shuffled(seed: 9)
        var shuffled = reader.makeStream(order: order)
        var seen: [PretrainingInstance] = []
        while let next = try shuffled.next() { seen.append(next) }
        XCTAssertNotEqual(seen, written)
        XCTAssertEqual(Set(seen.map(\.inputIDs)), Set(written.map(\.inputIDs)))
        var again = reader.makeStream(order: order, startingAt: 10)
        XCTAssertEqual(try again.next(), seen[10])
        again.seek(to: 3)
        XCTAssertEqual(try again.next(), seen[3])
        XCTAssertThrowsError(try reader.instance(at: written.count)) { error in
            XCTAssertEqual(error as? PretrainingDataError,
                           .instanceOutOfRange(path: url.path, index: written.count, count: written.count))
        }
    }

    func testTruncatedFileIsATypedError() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("instances.bin")
        _ = try write(seed: 4, to: url)
        let full = try Data(contentsOf: url)
        let cut = dir.appendingPathComponent("cut.bin")
        try full.prefix(full.count - 100).write(to: cut)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: cut)) { error in
            guard case let PretrainingDataError.truncatedFile(path, offset, expected, actual) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, cut.path)
            XCTAssertEqual(offset, full.count - 100)
            XCTAssertEqual(expected, full.count)
            XCTAssertEqual(actual, full.count - 100)
            XCTAssertTrue("\(error)".contains(cut.path))
        }
        try full.prefix(20).write(to: cut)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: cut)) { error in
            guard case PretrainingDataError.truncatedFile(_, 20, 32, 20) = error else { return XCTFail("\(error)") }
        }
        try Data("not an instance file".utf8).write(to: cut)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: cut)) { error in
            guard case PretrainingDataError.notAnInstanceFile = error else { return XCTFail("\(error)") }
        }
    }

    func testCountWhoseSizeOverflowsIsATypedError() throws {
        // Found while fuzzing the reader (a crafted header, which the pretraining fuzz target now replays):
        // max_seq_length 1 (20-byte records) and a count of 461,168,601,842,738,790 put records · size 7 below
        // Int.max, and adding the data offset trapped.
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("instances.bin")
        _ = try write(seed: 6, to: url)
        var bytes = try Data(contentsOf: url)
        let reader = try PretrainingInstanceFileReader(url: url)
        bytes = bytes.prefix(reader.dataOffset)
        bytes.replaceSubrange(12..<16, with: [1, 0, 0, 0])
        withUnsafeBytes(of: UInt64(461_168_601_842_738_790).littleEndian) { bytes.replaceSubrange(24..<32, with: $0) }
        let bad = dir.appendingPathComponent("bad.bin")
        try bytes.write(to: bad)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: bad)) { error in
            XCTAssertEqual(error as? PretrainingDataError,
                           .truncatedFile(path: bad.path, offset: bytes.count, expectedSize: Int.max, actualSize: bytes.count))
        }
    }

    func testCorruptValuesAreTypedErrorsWithOffsets() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("instances.bin")
        _ = try write(seed: 5, to: url)
        let reader = try PretrainingInstanceFileReader(url: url)
        var bytes = try Data(contentsOf: url)
        // Instance 2, token_type_ids[5] := 7.
        let offset = reader.dataOffset + 2 * reader.header.recordSize + 4 * (64 + 5)
        bytes.replaceSubrange(offset..<(offset + 4), with: [7, 0, 0, 0])
        bytes[9] = 9  // version 2305 in the second file
        var versioned = bytes
        bytes[9] = 0
        let bad = dir.appendingPathComponent("bad.bin")
        try bytes.write(to: bad)
        let badReader = try PretrainingInstanceFileReader(url: bad)
        XCTAssertNoThrow(try badReader.instance(at: 1))
        XCTAssertThrowsError(try badReader.instance(at: 2)) { error in
            XCTAssertEqual(error as? PretrainingDataError,
                           .corruptRecord(path: bad.path, instance: 2, offset: offset, reason: "token type 7 is not 0 or 1"))
        }
        versioned[8] = 1
        try versioned.write(to: bad)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: bad)) { error in
            XCTAssertEqual(error as? PretrainingDataError, .unsupportedVersion(path: bad.path, version: 0x0901))
        }
        var header = try Data(contentsOf: url)
        header[33] = UInt8(ascii: "#")  // inside the settings JSON
        try header.write(to: bad)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: bad)) { error in
            guard case PretrainingDataError.corruptHeader(_, 32, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testWriterRejectsWrongLengthAndLeavesNoFileWhenAbandoned() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        let url = dir.appendingPathComponent("x.bin")
        do {
            let writer = try PretrainingInstanceFileWriter(
                destination: url, maxSeqLength: 8, vocabSize: vocabulary.size,
                settings: PretrainingInstanceFileSettings(configuration: nil, vocabulary: vocabulary))
            let short = PretrainingInstance(inputIDs: [1], tokenTypeIDs: [0], attentionMask: [1], labels: [-100],
                                            nextSentenceLabel: 0)
            XCTAssertThrowsError(try writer.append(short)) { error in
                XCTAssertEqual(error as? PretrainingDataError, .sequenceLengthMismatch(expected: 8, found: 1))
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testBatcherIsRowMajorAndResumable() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("instances.bin")
        let written = try write(seed: 6, to: url)
        let reader = try PretrainingInstanceFileReader(url: url)
        var batcher = try PretrainingBatcher(source: reader, batchSize: 8, order: .shuffled(seed: 1))
        let first = try batcher.next()
        XCTAssertEqual(first.batchSize, 8)
        XCTAssertEqual(first.inputIDs.count, 8 * 64)
        XCTAssertEqual(first.nextSentenceLabels.count, 8)
        for row in 0..<8 {
            let instance = written[first.instanceIndices[row]]
            XCTAssertEqual(Array(first.inputIDs[(row * 64)..<((row + 1) * 64)]), instance.inputIDs)
            XCTAssertEqual(Array(first.labels[(row * 64)..<((row + 1) * 64)]), instance.labels)
            XCTAssertEqual(Array(first.attentionMask[(row * 64)..<((row + 1) * 64)]), instance.attentionMask)
            XCTAssertEqual(Array(first.tokenTypeIDs[(row * 64)..<((row + 1) * 64)]), instance.tokenTypeIDs)
            XCTAssertEqual(first.nextSentenceLabels[row], instance.nextSentenceLabel)
        }
        // Run past an epoch boundary, save, and check a restored batcher continues identically.
        let perEpoch = batcher.batchesPerEpoch
        var epochZero = Set(first.instanceIndices)
        for _ in 1..<perEpoch { epochZero.formUnion(try batcher.next().instanceIndices) }
        XCTAssertEqual(epochZero.count, perEpoch * 8)
        _ = try batcher.next()
        XCTAssertEqual(batcher.position.epoch, 1)
        let saved = try JSONEncoder().encode(batcher.position)
        let expected = try (0..<3).map { _ in try batcher.next() }
        var restored = try PretrainingBatcher(source: reader, batchSize: 8, order: .shuffled(seed: 1),
                                              position: JSONDecoder().decode(PretrainingBatchPosition.self, from: saved))
        XCTAssertEqual(try (0..<3).map { _ in try restored.next() }, expected)
        // A new epoch draws a new order.
        var fresh = try PretrainingBatcher(source: reader, batchSize: 8, order: .shuffled(seed: 1))
        XCTAssertNotEqual(try fresh.next().instanceIndices, expected[0].instanceIndices)
    }
}
