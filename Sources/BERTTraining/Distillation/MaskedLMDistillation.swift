import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// `bert distill --mode mlm`: DistilBERT's pre-training distillation over a pre-masked instance file
/// (`bert pretraining-data --objective mlm`, several maskings per text with `--dupe-factor`), through the `Trainer`.
package enum MaskedLMDistillation {
    /// Loads the teacher (any BERT-family masked-LM or pre-training checkpoint), builds the student and trains it.
    /// Every check (fp32 weights, the vocabulary against the data's, the layer map, the folder lock) runs before
    /// the first step.
    package static func run(_ settings: DistillationSettings, data: URL, validation: URL?,
                            weights: MaskedLMDistillationWeights, dynamicMasking: Bool = false) throws {
        try settings.validate()
        guard weights.temperature > 0, [weights.softTargets, weights.maskedLM, weights.cosine].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw DistillationError.invalidOption(name: "temperature", value: "\(weights.temperature)", requirement: "the temperature must be > 0 and every alpha finite and ≥ 0")
        }
        let teacher = try loadTeacher(settings.teacher)
        let reader = try PretrainingInstanceFileReader(url: data)
        guard reader.header.vocabSize == teacher.bert.config.vocabSize else {
            throw DistillationError.vocabularyMismatch(teacher: settings.teacher.path, student: data.path,
                                                       detail: "the instance file was made with a \(reader.header.vocabSize)-token vocabulary, the teacher has \(teacher.bert.config.vocabSize); make the data with the teacher's tokenizer")
        }
        guard reader.maxSeqLength <= teacher.bert.config.maxSequenceTokens else {
            throw DistillationError.invalidOption(name: "data", value: data.path, requirement: "instances of \(reader.maxSeqLength) tokens exceed the teacher's \(teacher.bert.config.maxSequenceTokens) positions")
        }
        let map = try settings.resolvedLayerMap(teacherLayers: teacher.bert.config.numHiddenLayers)
        let student = try DistillationStudent.maskedLM(teacher: teacher, layerMap: map, layout: settings.layout, teacherDirectory: settings.teacher.path)
        let tokenizerFiles = try CheckpointTokenizerFiles(directory: settings.teacher, vocabularySize: reader.header.vocabSize, expectedBy: "the teacher")
        let held = try validation.map { try PretrainingInstanceFileReader(url: $0) }
        let lock = try TrainingOutputFolder.open(settings.output, start: settings.start)
        defer { lock.release() }
        teacher.bert.prepareForInference()
        settings.message("student: \(map.count) of \(teacher.bert.config.numHiddenLayers) layers (\(map.map(String.init).joined(separator: ","))), "
                         + "\(student.bert.config.modelType.rawValue) layout, \(student.parameterCount) parameters; \(reader.count) instances")
        // Dynamic masking redraws each instance's masks per epoch with the file's masking settings.
        var masker: MaskedLMMasker?
        if dynamicMasking {
            let vocabulary = try PretrainingVocabulary(tokenizer: WordPiecePretrainingTokenizer(Tokenizer(directory: settings.teacher)))
            masker = reader.header.settings.configuration.map { MaskedLMMasker(vocabulary: vocabulary, configuration: $0) }
                ?? MaskedLMMasker(vocabulary: vocabulary)
        }
        let source = RemaskedInstanceSource(base: reader, masker: masker, seed: settings.training.seed)
        let batcher = try PretrainingBatcher(source: source, batchSize: settings.batchSize, order: .shuffled(seed: settings.training.seed))
        let stream = PretrainingBatchStream(batcher)
        let trainer = Trainer<PretrainingBatchStream<RemaskedInstanceSource<PretrainingInstanceFileReader>>>(
            model: student, options: settings.training, outputDirectory: settings.output,
            objective: MaskedLMDistillationObjective(student: student, teacher: teacher, weights: weights))
        let config = student.bert.config
        let save: (URL) throws -> Void = { dir in
            try student.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
            try config.write(to: dir.appendingPathComponent("config.json"))
            try tokenizerFiles.write(into: dir)
        }
        trainer.writeExtraFiles = { dir in try config.write(to: dir.appendingPathComponent("config.json")); try tokenizerFiles.write(into: dir) }
        if let held {
            let t = try GradientTape.withoutRecording {
                try PretrainingMetrics.evaluate(source: held, batchSize: settings.batchSize, step: 0) { try teacher($0) }
            }
            settings.message("teacher held-out MLM accuracy \(String(format: "%.4f", t.evalMLMAccuracy ?? 0)), loss \(String(format: "%.4f", t.evalLoss ?? 0))")
            trainer.evaluate = { step in
                try PretrainingMetrics.evaluate(source: held, batchSize: settings.batchSize, step: step) {
                    try student(DistillationStep.studentInput($0, for: student.bert))
                }
            }
        }
        try settings.run(trainer, source: stream, saveStudent: save)
    }

    /// A masked-LM teacher from any BERT-family folder with an MLM head (`*ForMaskedLM`, `*ForPreTraining`).
    package static func loadTeacher(_ directory: URL) throws -> BertForMaskedLM {
        try DistillationChecks.requireFloat32(directory)
        let config = try Pretrained.config(in: directory)
        let (decoding, weights) = try Pretrained.maskedLM(config, source: Pretrained.weights(in: directory))
        let teacher = try BertForMaskedLM(config: decoding, randomInit: false)
        let head = MaskedLMHeadLayout(config.family)
        let headKey = head.key.isEmpty ? head.dense : head.key
        guard weights.tensorNames.contains(where: { $0.hasPrefix(headKey) }) else {
            throw DistillationError.unsupportedModel(directory: directory.path, reason: "has no masked-LM head (\(headKey)...); --mode mlm needs a *ForMaskedLM or *ForPreTraining teacher")
        }
        let extra = FamilyMember.poolerKeys + [FamilyMember(config.modelType).sentenceHeadKey.map { $0 + "." } ?? "cls.seq_relationship."]
        try teacher.load(from: weights, prefixes: [""], ignoring: FamilyMember.tiedDecoderKeys + ["position_ids"] + extra)
        return teacher
    }
}
