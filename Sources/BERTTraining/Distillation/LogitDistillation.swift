import BERTJSON
import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// One example of logit distillation: its tokens, its gold class (-100 when unlabelled) and its teacher-cache row.
package struct DistillationExample: Sendable {
    package var feature: TextClassificationFeature
    package var gold: Int
    package var index: Int
}

/// `bert distill --mode logits`: a classifier (or cross-encoder) student matches its teacher's logits on
/// unlabelled or labelled text, optionally mixed with the gold labels' cross-entropy.
package enum LogitDistillation {
    /// Mode options.
    package struct Options {
        package var matching: LogitMatching = .mse
        package var temperature: Float = 2
        package var distillWeight: Float = 1
        package var goldWeight: Float = 0
        package var cacheTeacher: URL?
        package init() {}
    }

    /// Trains on `data`: `.txt` files are unlabelled text, one example per line; `.csv`/`.tsv`/`.jsonl` files have
    /// `text` (and optionally `text_pair`) and `label` columns, the labels being the teacher's class names.
    /// `validation` (labelled) gives the student's accuracy at each evaluation and the teacher's once.
    package static func run(_ settings: DistillationSettings, data: [URL], validation: URL?, options: Options) throws {
        try settings.validate()
        guard options.temperature > 0, options.distillWeight >= 0, options.goldWeight >= 0 else {
            throw DistillationError.invalidOption(name: "temperature", value: "\(options.temperature)", requirement: "the temperature must be > 0 and the weights ≥ 0")
        }
        try DistillationChecks.requireFloat32(settings.teacher)
        let (teacher, teacherConfig) = try TextClassificationFineTuning.load(settings.teacher)
        let labels = try FineTunedModelFolder.labels(of: teacherConfig, directory: settings.teacher)
        let tokenizer = try Tokenizer(directory: settings.teacher)
        guard tokenizer.vocabularySize <= teacherConfig.vocabSize else {
            throw DistillationError.vocabularyMismatch(teacher: settings.teacher.path, student: settings.teacher.path,
                                                       detail: "the tokenizer has \(tokenizer.vocabularySize) tokens, the model \(teacherConfig.vocabSize)")
        }
        let map = try settings.resolvedLayerMap(teacherLayers: teacherConfig.numHiddenLayers)
        let student = try DistillationStudent.classifier(teacher: teacher, layerMap: map, layout: settings.layout, teacherDirectory: settings.teacher.path)
        let maxLength = min(settings.maxSeqLength, teacherConfig.maxSequenceTokens)
        var examples: [DistillationExample] = []
        for file in data {
            for (f, gold) in try read(file, labels: labels, tokenizer: tokenizer, maxLength: maxLength) {
                examples.append(DistillationExample(feature: f, gold: gold, index: examples.count))
            }
        }
        guard !examples.isEmpty else { throw DistillationError.invalidOption(name: "data", value: data.map(\.path).joined(separator: " "), requirement: "holds no example") }
        let held = try validation.map { try read($0, labels: labels, tokenizer: tokenizer, maxLength: maxLength).map(\.0) }
        let lock = try TrainingOutputFolder.open(settings.output, start: settings.start)
        defer { lock.release() }
        settings.message("student: \(map.count) of \(teacherConfig.numHiddenLayers) layers (\(map.map(String.init).joined(separator: ","))), "
                         + "\(student.bert.config.modelType.rawValue) layout, \(student.parameterCount) parameters; \(examples.count) examples")
        let padId = teacherConfig.padTokenId
        let types = teacherConfig.family.takesTokenTypeIds
        let width = teacher.numLabels
        let teacherLogits: (ArraySlice<DistillationExample>) throws -> [Float] = { batch in
            try GradientTape.withoutRecording {
                try teacher(TextClassificationFineTuning.input(Array(batch.map(\.feature)), padId: padId, tokenTypes: types), skippingPadding: true).scalars
            }
        }
        var cached: [Float]?
        if let url = options.cacheTeacher {
            let cache = TeacherOutputCache(url: url, teacher: settings.teacher, settings: "logits max_seq_length=\(maxLength)",
                                           examples: examples.map { $0.feature.ids + [-2] + $0.feature.typeIds })
            cached = try cache.loadOrBuild(rows: examples.count, width: width, batch: 64, progress: { _ in }) { try teacherLogits(examples[$0]) }
        }
        let source = FeatureBatchSource(features: examples, batchSize: settings.batchSize, seed: settings.training.seed)
        let targets: ([DistillationExample]) throws -> [Float] = { [cached] batch in
            try cached.map { c in batch.flatMap { c[($0.index * width)..<(($0.index + 1) * width)] } } ?? teacherLogits(batch[...])
        }
        let objective = LogitDistillationObjective(student: student, teacherLogits: targets, width: width, padId: padId, options: options)
        let trainer = Trainer<FeatureBatchSource<DistillationExample>>(model: student, options: settings.training, outputDirectory: settings.output,
                                                                       objective: objective)
        let config = student.bert.config
        trainer.writeExtraFiles = { dir in try config.write(to: dir.appendingPathComponent("config.json")) }
        if let held {
            let t = try TextClassificationFineTuning.evaluate(teacher, features: held, task: .singleLabel, padId: padId)
            settings.message("teacher held-out accuracy \(String(format: "%.4f", t.metrics["accuracy"] ?? .nan))")
            trainer.evaluate = { step in
                let e = try TextClassificationFineTuning.evaluate(student, features: held, task: .singleLabel, padId: padId)
                var entry = TrainingLogEntry(step: step, epoch: 0, loss: e.loss ?? 0, learningRate: 0, gradNorm: 0, tokensPerSecond: 0)
                entry.evalLoss = e.loss
                entry.evalMetric = e.metrics["accuracy"]
                return entry
            }
        }
        try settings.run(trainer, source: source, saveStudent: { dir in
            try FineTunedModelFolder.save(student, config: config, sourceDirectory: settings.teacher, to: dir)
        })
    }

    /// Tokenised examples of one file with their gold class ids (-100 for unlabelled `.txt` lines).
    static func read(_ file: URL, labels: [String], tokenizer: Tokenizer, maxLength: Int) throws -> [(TextClassificationFeature, Int)] {
        let dataset: TextClassificationDataset
        if file.pathExtension.lowercased() == "txt" {
            let lines = try TextLines.read(file.path).filter { !$0.text.allSatisfy(\.isWhitespace) }
            dataset = TextClassificationDataset(examples: lines.map { TextClassificationExample(text: $0.text, label: .category(-100), line: $0.number) },
                                                labels: labels, task: .singleLabel)
        } else {
            dataset = try TextClassificationDataset.read(from: file, labels: labels)
        }
        return try TextClassificationFineTuning.features(dataset, tokenizer: tokenizer, maxLength: maxLength).map { f in
            if case let .category(c) = f.label { return (f, c) }
            return (f, -100)
        }
    }
}
