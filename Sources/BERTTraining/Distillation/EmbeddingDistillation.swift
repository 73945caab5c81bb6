import BERTHub
import BERTJSON
import BERTModels
import BERTNN
import BERTTasks
import BERTTensor
import Foundation

/// One sentence of embedding-distillation data: its token ids and its row in the teacher cache.
package struct DistillationSentence: Sendable {
    package var ids: [Int]
    package var index: Int
}

/// `bert distill --mode embedding`: sentence-transformers' model distillation (MSELoss): a student with a subset
/// of the teacher's layers, or a given student model, regresses its sentence vectors onto the teacher's.
package enum EmbeddingDistillation {
    /// Mode options: an existing student folder instead of a layer subset, and the teacher cache.
    package struct Options {
        package var student: URL?
        package var projection = false
        package var cacheTeacher: URL?
        package init() {}
    }

    /// Trains the student on the non-empty lines of `data`; `validation` lines are read as consecutive pairs
    /// (1–2, 3–4, …) whose student cosine similarities are compared with the teacher's (Spearman) at each evaluation.
    package static func run(_ settings: DistillationSettings, data: [URL], validation: URL?, options: Options) throws {
        try settings.validate()
        let teacherRoot = settings.teacher
        let teacherFolder = try transformerFolder(teacherRoot)
        try DistillationChecks.requireFloat32(teacherFolder)
        let teacher = try SentenceTransformer(directory: teacherRoot)
        // The vocabularies are compared before the teacher's truncation changes (the probe text is not truncated).
        let given = try options.student.map { dir -> SentenceTransformer in
            try DistillationChecks.requireFloat32(try transformerFolder(dir))
            let given = try SentenceTransformer(directory: dir)
            try DistillationChecks.requireSameVocabulary(teacher: teacher.bert.config, teacherTokenizer: teacher.tokenizer, teacherName: teacherRoot.path,
                                                         student: given.bert.config, studentTokenizer: given.tokenizer, studentName: dir.path)
            return given
        }
        try teacher.setMaxSequenceLength(min(settings.maxSeqLength, teacher.maxSequenceLength))
        let student: SentenceTransformer
        let studentSource: URL
        if let dir = options.student, let given {
            let studentFolder = try transformerFolder(dir)
            if options.projection {
                throw DistillationError.invalidOption(name: "projection", value: "", requirement: "a Dense projection is not implemented yet; pick a student whose vectors are as wide as the teacher's")
            }
            try DistillationChecks.requireSameWidth("sentence vector", student: given.dimension, teacher: teacher.dimension, projection: false)
            student = SentenceTransformer(sharingPipelineOf: teacher, encoder: given.bert)
            studentSource = studentFolder
        } else {
            let map = try settings.resolvedLayerMap(teacherLayers: teacher.bert.config.numHiddenLayers)
            let encoder = try DistillationStudent.encoder(teacher: teacher.bert, layerMap: map, layout: settings.layout, teacherDirectory: teacherRoot.path)
            student = SentenceTransformer(sharingPipelineOf: teacher, encoder: encoder)
            studentSource = teacherFolder
            settings.message("student: \(map.count) of \(teacher.bert.config.numHiddenLayers) layers (\(map.map(String.init).joined(separator: ","))), \(encoder.parameterCount) parameters")
        }
        let sentences = try readSentences(data, teacher)
        guard !sentences.isEmpty else { throw DistillationError.invalidOption(name: "data", value: data.map(\.path).joined(separator: " "), requirement: "holds no non-empty line") }
        let pairs = try validation.map { try readSentences([$0], teacher) }
        let lock = try TrainingOutputFolder.open(settings.output, start: settings.start)
        defer { lock.release() }
        let padId = teacher.bert.config.padTokenId
        let (width, normalize) = (teacher.dimension, teacher.normalizes)
        let teacherVectors: (Range<Int>) throws -> [Float] = { range in
            try GradientTape.withoutRecording {
                try teacher.embed(EncoderInput(rows: sentences[range].map(\.ids), padId: padId), normalize: normalize).scalars
            }
        }
        var cached: [Float]?
        if let url = options.cacheTeacher {
            let cache = TeacherOutputCache(url: url, teacher: teacherRoot, settings: "embedding max_seq_length=\(teacher.maxSequenceLength)",
                                           examples: sentences.map(\.ids))
            let progress = settings.message
            cached = try cache.loadOrBuild(rows: sentences.count, width: width, batch: 64, progress: { done in
                if done % 4096 < 64 || done == sentences.count { progress("teacher cache: \(done)/\(sentences.count) sentences") }
            }, compute: teacherVectors)
        }
        let source = FeatureBatchSource(features: sentences, batchSize: settings.batchSize, seed: settings.training.seed)
        let trainer = Trainer<FeatureBatchSource<DistillationSentence>>(model: student.bert, options: settings.training, outputDirectory: settings.output) { batch, context in
            let input = try EncoderInput(rows: batch.map(\.ids), padId: padId)
            let target: [Float]
            if let cached {
                target = batch.flatMap { cached[($0.index * width)..<(($0.index + 1) * width)] }
            } else {
                target = try GradientTape.withoutRecording { try teacher.embed(input, normalize: normalize).scalars }
            }
            return try DistillationStep.embedding(student: { try student.embed($0, normalize: normalize, context: $1) },
                                                  teacherVectors: Tensor(shape: [batch.count, width], scalars: target), input: input, context: context)
        }
        var config = student.bert.config
        config.architectures = [config.family.classPrefix + "Model"]
        let save: (URL) throws -> Void = { dir in
            try FineTunedModelFolder.save(student.bert, config: config, sourceDirectory: studentSource, to: dir, extraFiles: [])
            for name in FineTunedModelFolder.sentenceTransformerFiles {
                let from = teacherRoot.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: from.path) else { continue }
                try FileManager.default.copyItem(at: from, to: dir.appendingPathComponent(name))
            }
        }
        trainer.writeExtraFiles = { dir in try config.write(to: dir.appendingPathComponent("config.json")) }
        if let pairs {
            let teacherSimilarities = try pairSimilarities(teacher, pairs, padId: padId)
            trainer.evaluate = { step in
                let s = try pairSimilarities(student, pairs, padId: padId)
                var e = TrainingLogEntry(step: step, epoch: 0, loss: 0, learningRate: 0, gradNorm: 0, tokensPerSecond: 0)
                e.evalMetric = RegressionMetrics.spearmanCorrelation(s, teacherSimilarities)
                e.evalLoss = zip(s, teacherSimilarities).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(max(s.count, 1))
                return e
            }
        }
        try settings.run(trainer, source: source, saveStudent: save)
    }

    /// The folder holding config.json and the weights (a Sentence-Transformers folder's Transformer module).
    static func transformerFolder(_ directory: URL) throws -> URL {
        SentenceTransformerLayout.isSentenceTransformer(directory) ? try SentenceTransformerLayout(directory: directory).transformerDirectory ?? directory : directory
    }

    /// Non-empty lines of `files`, tokenised by the teacher's pipeline (truncated as it truncates).
    static func readSentences(_ files: [URL], _ teacher: SentenceTransformer) throws -> [DistillationSentence] {
        var texts: [String] = []
        for file in files {
            for line in try TextLines.read(file.path) where !line.text.allSatisfy(\.isWhitespace) { texts.append(line.text) }
        }
        return try teacher.tokenize(texts).enumerated().map { DistillationSentence(ids: $1.ids, index: $0) }
    }

    /// Cosine similarity of each consecutive pair (0–1, 2–3, …) under `model`, in inference.
    static func pairSimilarities(_ model: SentenceTransformer, _ sentences: [DistillationSentence], padId: Int) throws -> [Double] {
        try GradientTape.withoutRecording {
            var vectors: [[Float]] = []
            for start in stride(from: 0, to: sentences.count, by: 64) {
                let part = sentences[start..<min(start + 64, sentences.count)]
                let v = try model.embed(EncoderInput(rows: part.map(\.ids), padId: padId), normalize: true)
                let d = v.shape[1], values = v.scalars
                for r in 0..<part.count { vectors.append(Array(values[(r * d)..<((r + 1) * d)])) }
            }
            return stride(from: 0, to: vectors.count - 1, by: 2).map { Double(cosineSimilarity(vectors[$0], vectors[$0 + 1])) }
        }
    }
}
