// Writes sample instance files for scripts/check_pretraining_data.py when SWIFT_BERT_PTDATA_EXPORT names a
// folder (skipped otherwise, so `swift test` stays Python-free):
//   SWIFT_BERT_PTDATA_EXPORT=/tmp/pt swift test -c release --filter PretrainingDataExport
//   python3 scripts/check_pretraining_data.py /tmp/pt/nsp.bin
import BERTTraining
import Foundation
import XCTest

final class PretrainingDataExportTests: XCTestCase {
    func testExportSampleFiles() throws {
        guard let folder = ProcessInfo.processInfo.environment["SWIFT_BERT_PTDATA_EXPORT"] else {
            throw XCTSkip("set SWIFT_BERT_PTDATA_EXPORT to a folder to write sample instance files")
        }
        let dir = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        let corpus = try PretrainingFixtures.realCorpus()
        let runs: [(String, PretrainingDataConfiguration)] = [
            ("nsp.bin", PretrainingDataConfiguration(dupeFactor: 3, seed: 42)),
            ("wwm.bin", PretrainingDataConfiguration(dupeFactor: 1, wholeWordMask: true, seed: 7)),
            ("sop.bin", PretrainingDataConfiguration(dupeFactor: 2, seed: 11, objective: .sentenceOrderPrediction)),
            ("mlm.bin", PretrainingDataConfiguration(dupeFactor: 2, seed: 21, objective: .maskedLMOnly)),
        ]
        for (name, configuration) in runs {
            let instances = try PretrainingInstanceGenerator(configuration: configuration, vocabulary: vocabulary)
                .makeInstances(corpus: corpus)
            try PretrainingInstanceFileWriter.write(
                instances, to: dir.appendingPathComponent(name), maxSeqLength: configuration.maxSeqLength,
                vocabSize: vocabulary.size,
                settings: PretrainingInstanceFileSettings(configuration: configuration, vocabulary: vocabulary))
            print("\(name):", PretrainingStatistics(instances: instances, vocabulary: vocabulary))
        }
    }
}
