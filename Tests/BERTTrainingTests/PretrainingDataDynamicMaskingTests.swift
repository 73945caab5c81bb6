// RoBERTa-style MLM-only blocks with masks drawn from (seed, epoch, index).
import BERTTraining
import XCTest
@_spi(Fuzzing) import BERTTraining

final class PretrainingDataDynamicMaskingTests: XCTestCase {
    private func dataset(seed: UInt64 = 21) throws -> (DynamicMaskingDataset, PretrainingVocabulary) {
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        let configuration = PretrainingDataConfiguration(maxSeqLength: 128, maxPredictionsPerSeq: 20, seed: seed,
                                                         objective: .maskedLMOnly)
        return (DynamicMaskingDataset(corpus: try PretrainingFixtures.realCorpus(), configuration: configuration,
                                      vocabulary: vocabulary), vocabulary)
    }

    func testBlocksStructureAndStatistics() throws {
        let (data, vocabulary) = try dataset()
        XCTAssertGreaterThan(data.count, 1000)
        let corpus = try PretrainingFixtures.realCorpus()
        XCTAssertEqual(data.count, (corpus.tokenCount + corpus.documents.count - 1 + 125) / 126)
        var stats = PretrainingStatistics()
        for index in 0..<data.count {
            let instance = data.instance(at: index, epoch: 0)
            stats.add(instance, vocabulary: vocabulary)
            let n = instance.length
            if index < data.count - 1 { XCTAssertEqual(n, 128) }
            XCTAssertEqual(instance.originalIDs[0], vocabulary.clsID)
            XCTAssertEqual(instance.originalIDs[n - 1], vocabulary.sepID)
            XCTAssertEqual(instance.labels[0], -100)
            XCTAssertEqual(instance.labels[n - 1], -100)
            XCTAssertTrue(instance.tokenTypeIDs.allSatisfy { $0 == 0 })
            XCTAssertEqual(instance.nextSentenceLabel, -100)
        }
        // Consecutive blocks are contiguous text.
        let a = data.sequence(at: 3).tokens, b = data.sequence(at: 4).tokens
        XCTAssertEqual(a.count, 128)
        let flat = corpus.documents[0].flatMap { $0 }
        if flat.count > 2 * 126 { XCTAssertEqual(Array(a[1..<127]) + Array(b[1..<127]), Array(flat[378..<630])) }
        print("dynamic masking epoch 0:", stats)
        XCTAssertEqual(stats.predictedFraction, 0.15, accuracy: 0.005)
        XCTAssertEqual(stats.maskedShare, 0.8, accuracy: 0.01)
        XCTAssertEqual(stats.randomShare, 0.1, accuracy: 0.01)
        XCTAssertEqual(stats.keptShare, 0.1, accuracy: 0.01)
    }

    func testSameEpochSameMasksDifferentEpochDifferentMasks() throws {
        let (data, _) = try dataset()
        let (again, _) = try dataset()
        let (otherSeed, _) = try dataset(seed: 22)
        var sameEpochDiffers = 0, differentEpochDiffers = 0, differentSeedDiffers = 0
        for index in stride(from: 0, to: data.count, by: 7) {
            let e0 = data.instance(at: index, epoch: 0)
            XCTAssertEqual(e0, again.instance(at: index, epoch: 0))
            XCTAssertEqual(data.instance(at: index, epoch: 5), again.instance(at: index, epoch: 5))
            if e0 != data.instance(at: index, epoch: 0) { sameEpochDiffers += 1 }
            let e1 = data.instance(at: index, epoch: 1)
            XCTAssertEqual(e0.originalIDs, e1.originalIDs)
            if e0.labels != e1.labels { differentEpochDiffers += 1 }
            if e0.labels != otherSeed.instance(at: index, epoch: 0).labels { differentSeedDiffers += 1 }
        }
        let checked = (data.count + 6) / 7
        XCTAssertEqual(sameEpochDiffers, 0)
        XCTAssertEqual(differentEpochDiffers, checked)
        XCTAssertEqual(differentSeedDiffers, checked)
    }

    func testBatcherPassesTheEpochToDynamicMasks() throws {
        let (data, _) = try dataset()
        var batcher = try PretrainingBatcher(source: data, batchSize: 4, order: .sequential)
        let epochZero = try batcher.next()
        batcher.position = PretrainingBatchPosition(epoch: 1, index: 0)
        let epochOne = try batcher.next()
        XCTAssertEqual(epochZero.instanceIndices, epochOne.instanceIndices)
        XCTAssertNotEqual(epochZero.labels, epochOne.labels)
        XCTAssertEqual(epochOne.inputIDs.count, 4 * 128)
    }

    func testMaskedLMOnlyFileHoldsDupeFactorEpochs() throws {
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        let configuration = PretrainingDataConfiguration(maxSeqLength: 128, dupeFactor: 2, seed: 21,
                                                         objective: .maskedLMOnly)
        let instances = try PretrainingInstanceGenerator(configuration: configuration, vocabulary: vocabulary)
            .makeInstances(corpus: PretrainingFixtures.realCorpus())
        let (data, _) = try dataset()
        XCTAssertEqual(instances.count, 2 * data.count)
        let expected = Set((0..<data.count).flatMap { [data.instance(at: $0, epoch: 0).inputIDs,
                                                         data.instance(at: $0, epoch: 1).inputIDs] })
        XCTAssertEqual(Set(instances.map(\.inputIDs)), expected)
    }
}
