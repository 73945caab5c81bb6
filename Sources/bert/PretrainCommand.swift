import ArgumentParser
import BERT
import BERTCommandLine
import BERTTraining
import Foundation
@_spi(Fuzzing) import BERTTraining

/// `--format` of `bert pretraining-data`.
enum PretrainingTextFormatChoice: String, ExpressibleByArgument, CaseIterable {
    case sentencePerLine = "sentence-per-line", plain

    var format: PretrainingTextFormat { self == .plain ? .plainText : .sentencePerLine }
}

/// `--objective` of `bert pretraining-data`.
enum PretrainingObjectiveChoice: String, ExpressibleByArgument, CaseIterable {
    case nsp, sop, mlm

    var objective: PretrainingObjective {
        switch self {
        case .nsp: return .nextSentencePrediction
        case .sop: return .sentenceOrderPrediction
        case .mlm: return .maskedLMOnly
        }
    }
}


/// `bert pretraining-data`: raw text → pre-masked BERT instances (Google's create_pretraining_data).
struct PretrainingDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretraining-data", abstract: "Make pre-training instances (MLM + NSP/SOP, or MLM only) from raw text.",
        discussion: """
            Input: one sentence per line with blank lines between documents (Google's format), or --format plain
            (paragraphs are documents, split into sentences). The vocabulary is the tokenizer's (e.g. bert-base-uncased's
            from models/all-MiniLM-L6-v2). Output: an instance file (docs/pretraining-data.md).
            Example: bert pretraining-data --tokenizer models/all-MiniLM-L6-v2 --format plain --output train.bin models/pretraining-text/*.txt
            """)

    @Option(help: "Folder (or cache id) with tokenizer.json or vocab.txt.") var tokenizer: String
    @Argument(help: "Text files.") var inputs: [String]
    @Option(help: "Output instance file.") var output: String
    @Option(help: "Layout of the text files.") var format: PretrainingTextFormatChoice = .sentencePerLine
    @Option(help: "Instance objective.") var objective: PretrainingObjectiveChoice = .nsp
    @Option(help: ArgumentHelp("NSP labels: balanced (50% label 1; a one-sentence chunk is cut when B should follow A) or google "
                + "(create_pretraining_data.py's rule: a one-sentence chunk always takes a random B, ~55% label 1; "
                + "with --objective sop, ALBERT's script's rule, the same random B)."))
    var nextSentenceRule: NextSentenceRule = .balanced
    @Option var maxSeqLength = 128
    @Option var shortSeqProb = 0.1
    @Option var dupeFactor = 10
    @Option var maskedLMProb = 0.15
    @Option var maxPredictionsPerSeq = 20
    @Flag var wholeWordMask = false
    @Option(help: "ALBERT's n-gram masking: mask spans of up to N words, shorter likelier (ALBERT: 3).") var maxNgram = 1
    @Option var seed: UInt64 = 12345
    @OptionGroup var progressOptions: ProgressOptions

    func run() throws {
        let rule = nextSentenceRule, fmt = format.format, obj = objective.objective
        let tok = try WordPiecePretrainingTokenizer(try Tokenizer(directory: resolveModelReference(tokenizer)))
        let vocab = try PretrainingVocabulary(tokenizer: tok)
        let reading = ProgressDisplay("read", total: inputs.count, unit: "files", quiet: progressOptions.quiet)
        let corpus = try PretrainingCorpus(files: inputs.map { URL(fileURLWithPath: $0) }, format: fmt, tokenizer: tok,
                                           vocabulary: vocab) { done, _ in reading.update(done) }
        reading.finish()
        var config = PretrainingDataConfiguration(maxSeqLength: maxSeqLength, shortSeqProb: shortSeqProb, dupeFactor: dupeFactor,
                                                  maskedLMProb: maskedLMProb, maxPredictionsPerSeq: maxPredictionsPerSeq,
                                                  wholeWordMask: wholeWordMask, seed: seed, objective: obj,
                                                  nextSentenceRule: rule)
        config.maxNgram = maxNgram
        let generator = try PretrainingInstanceGenerator(configuration: config, vocabulary: vocab)
        var counts = PretrainingGenerationCounts()
        let making = ProgressDisplay("instances from", total: config.dupeFactor * corpus.documents.count, unit: "documents",
                                     quiet: progressOptions.quiet)
        let instances = generator.makeInstances(corpus: corpus, counts: &counts) { done, _ in making.update(done) }
        making.finish()
        try PretrainingInstanceFileWriter.write(instances, to: URL(fileURLWithPath: output), maxSeqLength: maxSeqLength,
                                                vocabSize: vocab.size, settings: PretrainingInstanceFileSettings(configuration: config, vocabulary: vocab))
        let stats = PretrainingStatistics(instances: instances, vocabulary: vocab)
        try StandardOutput.line("\(corpus.documents.count) documents, \(corpus.tokenCount) tokens → \(instances.count) instances in \(output)")
        try StandardOutput.line("\(stats)")
        if obj == .nextSentencePrediction {
            try StandardOutput.line("next sentence rule \(rule.rawValue): \(counts.cutSentences) one-sentence chunks cut into A and B, "
                  + "\(counts.forcedRandomNext) forced to a random B")
        }
    }
}

/// `bert pretrain`: pre-train BERT (MLM + NSP, or MLM only) from an instance file, from scratch or a checkpoint.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain", abstract: "Pre-train BERT from an instance file (bert pretraining-data).",
        discussion: """
            Writes <output>/checkpoint-N/ (config.json, model.safetensors, tokenizer files: loadable by
            transformers.BertForPreTraining.from_pretrained; plus optimizer.safetensors and trainer_state.json),
            <output>/log.jsonl (one line per logged step and per evaluation) and <output>/loss.svg.
            Re-running the same command resumes from the newest checkpoint (--no-resume starts over, refusing a
            folder that holds an earlier run; --overwrite deletes that run's files first). One run at a time per folder.
            Data-parallel: `mpirun -np N bert pretrain ...` (--batch-size is per rank; docs/distributed.md).
            """)

    @Option(help: "Training instance file.") var data: String?
    @Option(help: "Held-out instance file for MLM accuracy and perplexity.") var validation: String?
    @Option(help: "Output folder.") var output: String?
    @Option(help: "Tokenizer folder, copied into checkpoints.") var tokenizer: String?
    @Option(help: "Start from this checkpoint folder instead of random weights.") var initFrom: String?
    @Option(help: "Objective: nsp (BertForPreTraining), sop (AlbertForPreTraining) or mlm (*ForMaskedLM).") var objective = "nsp"
    @Option(help: "Architecture of a new model: bert, roberta, xlm-roberta, distilbert or albert.") var modelType = "bert"
    @Option(help: "ALBERT's factorised embedding width.") var embeddingSize = 128
    @Option var hiddenSize = 256
    @Option var layers = 4
    @Option var heads = 4
    @Option var intermediateSize = 1024
    @Option(help: "Dropout of a new model (hidden and attention probabilities); 0 makes runs comparable step by step.") var dropout: Double?
    @OptionGroup var training: TrainingRunOptions
    @Option(help: "Threads for the matrix products (default: all cores).") var threads: Int?
    @Flag(help: "Read instances in file order (reproducible against PyTorch); default shuffles per epoch.") var noShuffle = false
    @Flag(help: "Print the MPI ranks, hosts and all-reduce backend this run would use, and stop.") var ranksInfo = false

    func validate() throws {
        guard !ranksInfo else { return }
        try training.validateForSteps("pretrain")
        for (value, name) in [(data, "--data <data>"), (output, "--output <output>"), (tokenizer, "--tokenizer <tokenizer>")] where value == nil {
            throw ValidationError("Missing expected argument '\(name)'")
        }
    }

    func run() throws {
        try applyThreads(threads)
        let group = try DataParallelGroup.joined()
        if ranksInfo {
            if group?.isWriter ?? true { try StandardOutput.line(DataParallelGroup.describe(group) + "; \(Threads.count) threads per rank") }
            return
        }
        guard let data, let output, let tokenizer else { return }
        // Rank 0 alone reports; the other ranks print only their own errors.
        let report: (String) -> Void = group?.isWriter ?? true ? { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } : { _ in }
        if let group { report(group.summary + "; \(Threads.count) threads per rank") }
        let outputURL = URL(fileURLWithPath: output)
        let reader = try PretrainingInstanceFileReader(url: URL(fileURLWithPath: data))
        let tokenizerURL = try resolveModelReference(tokenizer)
        let tokenizerFiles = try CheckpointTokenizerFiles(directory: tokenizerURL, vocabularySize: reader.header.vocabSize)
        let choice = try PretrainModelChoice(
            modelType: modelType, objective: objective, dataObjective: reader.header.settings.configuration?.objective,
            initFrom: try initFrom.map { try Pretrained.config(in: resolveModelReference($0)) },
            sizes: (hiddenSize, layers, heads, intermediateSize, embeddingSize), vocabSize: reader.header.vocabSize,
            maxSeqLength: reader.maxSeqLength, padID: reader.header.settings.specialTokenIDs.pad)
        var config = choice.config
        if let dropout {
            guard (0..<1).contains(dropout) else { throw CommandLineError("--dropout is \(dropout); it must be at least 0 and below 1") }
            config.hiddenDropoutProb = dropout
            config.attentionProbsDropoutProb = dropout
        }
        let mlmOnly = choice.maskedLMOnly
        config.architectures = [choice.architecture]
        try PretrainingModelLimits.check(config, sequenceLength: reader.maxSeqLength, dataVocabularySize: reader.header.vocabSize)
        let options = training.arguments(.steps, evaluates: validation != nil)
        try options.validate()
        let start = training.start
        let lock = try TrainingOutputFolder.open(outputURL, start: start)
        defer { lock.release() }
        let module: Module
        let objective: any TrainingObjective<PretrainingBatch>
        let mlmLogits: (EncoderInput) throws -> Tensor
        if mlmOnly {
            let m = try BertForMaskedLM(config: config, seed: options.seed)
            module = m
            objective = MaskedLMObjective(model: m)
            mlmLogits = { try m($0) }
        } else {
            let m = try BertForPreTraining(config: config, seed: options.seed)
            module = m
            objective = BertPretrainingObjective(model: m)
            mlmLogits = { try m($0).prediction }
        }
        if let initFrom {
            try module.load(from: Pretrained.weights(in: resolveModelReference(initFrom)), prefixes: [""], ignoring: FamilyMember.tiedDecoderKeys + ["position_ids"])
        }
        report("model: \(config.numHiddenLayers) layers, hidden \(config.hiddenSize), \(module.parameterCount) parameters; \(reader.count) instances of \(reader.maxSeqLength) tokens; \(BLAS.description)")
        let batcher = try PretrainingBatcher(source: reader, batchSize: options.batchSize, order: noShuffle ? .sequential : .shuffled(seed: options.seed))
        let stream = PretrainingBatchStream(batcher)
        let trainer = Trainer<PretrainingBatchStream<PretrainingInstanceFileReader>>(model: module, options: options, outputDirectory: outputURL, objective: objective)
        trainer.writeExtraFiles = { dir in
            try config.write(to: dir.appendingPathComponent("config.json"))
            try tokenizerFiles.write(into: dir)
        }
        trainer.onLog = { entry, eta in report(entry.progressLine(eta: eta)) }
        if let validation {
            let held = try PretrainingInstanceFileReader(url: URL(fileURLWithPath: validation))
            let baseline = try PretrainingMetrics.mostFrequentTokenBaseline(held)
            report("held-out baseline (always the most frequent label token, id \(baseline.token)): MLM accuracy \(String(format: "%.3f", baseline.accuracy))")
            trainer.evaluate = { step in
                try PretrainingMetrics.evaluate(source: held, batchSize: options.batchSize, step: step, mlmLogits: mlmLogits)
            }
        }
        if start == .resume, let checkpoint = trainer.latestCheckpoint {
            try trainer.resume(from: checkpoint, source: stream)
            report("resumed from \(checkpoint.path) at step \(trainer.step)")
        }
        try trainer.train(source: stream)
        if let timing = trainer.dataParallelTiming, timing.steps > 0 {
            report(String(format: "MPI: %.1f ms a step waiting for all-reduces (%d buckets, %d of %d started during the backward pass)",
                          1000 * timing.exposedSeconds / Double(timing.steps), timing.buckets, timing.bucketsStartedDuringBackward,
                          timing.buckets * timing.steps))
        }
        report("done: \(outputURL.path)/checkpoint-\(trainer.step), log.jsonl, loss.svg")
    }
}
