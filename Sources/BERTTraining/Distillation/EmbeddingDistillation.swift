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
/// of the teacher's layers, or a given student model, regresses its sentence vectors onto the teacher's; a student
/// of another width through a trained Dense projection (`Options.projection`, saved as a `2_Dense` module).
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
        var projected: ProjectedEmbeddingStudent?
        if let dir = options.student, let given {
            let studentFolder = try transformerFolder(dir)
            // The student's vectors come from the teacher's pipeline around its encoder: pooled at its own width.
            let pooledWidth = given.bert.config.hiddenSize * teacher.pooling.modes.count
            try DistillationChecks.requireSameWidth("pooled sentence vector", student: pooledWidth,
                                                    teacher: teacher.bert.config.hiddenSize * teacher.pooling.modes.count, projection: options.projection)
            if options.projection {
                guard teacher.dense.isEmpty else {
                    throw DistillationError.invalidOption(name: "projection", value: "", requirement: "the teacher \(teacherRoot.path) has Dense modules of its own; --projection maps the student's pooled vector onto a teacher's pooled vector (Transformer, Pooling, optional Normalize)")
                }
                let p = ProjectedEmbeddingStudent(bert: given.bert, inFeatures: pooledWidth, outFeatures: teacher.dimension, seed: settings.training.seed)
                projected = p
                student = SentenceTransformer(sharingPipelineOf: teacher, encoder: given.bert, dense: [(p.projection, .identity)])
                settings.message("student: \(dir.path) (width \(given.bert.config.hiddenSize)) with a Dense projection \(pooledWidth) → \(teacher.dimension)")
            } else {
                student = SentenceTransformer(sharingPipelineOf: teacher, encoder: given.bert)
            }
            studentSource = studentFolder
        } else {
            guard !options.projection else {
                throw DistillationError.invalidOption(name: "projection", value: "", requirement: "needs --student (a student of another width): a student made of teacher layers is as wide as the teacher")
            }
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
        let trainer = Trainer<FeatureBatchSource<DistillationSentence>>(model: projected ?? student.bert, options: settings.training, outputDirectory: settings.output,
            objective: EmbeddingDistillationObjective(student: student, teacher: teacher, cached: cached, width: width, padId: padId, normalize: normalize))
        var config = student.bert.config
        config.architectures = [config.family.classPrefix + "Model"]
        let save: (URL) throws -> Void = { dir in
            try FineTunedModelFolder.save(student.bert, config: config, sourceDirectory: studentSource, to: dir, extraFiles: [])
            if let projected {
                try projected.writeSentenceTransformerModules(to: dir, pooling: teacher.pooling.modes, includePrompt: teacher.includesPromptInPooling,
                                                              normalizes: teacher.normalizes)
            }
            for name in FineTunedModelFolder.sentenceTransformerFiles where projected == nil || !["modules.json", "1_Pooling", "2_Normalize"].contains(name) {
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
