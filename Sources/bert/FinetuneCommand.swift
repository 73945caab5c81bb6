import ArgumentParser
import BERT
import BERTJSON
import BERTCommandLine
import BERTTraining
import Foundation

/// `bert finetune`: trains a task head (or a sentence-embedding model) from a BERT folder.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune", abstract: "Fine-tune BERT: text classification, NER, extractive QA or sentence embeddings.",
        discussion: """
        Writes OUTPUT/best and OUTPUT/last (Hugging Face folders that transformers loads), log.jsonl, loss.svg, \
        metric.svg and summary.json. Data-parallel: `mpirun -np N bert finetune ...` (--batch-size is per rank). Example:
          bert finetune --task classification --model models/all-MiniLM-L6-v2 --train data/polarity/train.csv \\
            --validation data/polarity/test.csv --output runs/polarity --epochs 3 --max-seq-length 64
        Data: classification CSV/TSV/JSONL (text[, text_pair], label); ner CoNLL; qa SQuAD JSON; embedding \
        JSONL/CSV with anchor,positive[,negative] (MultipleNegativesRankingLoss) or sentence1,sentence2,score \
        (CosineSimilarityLoss).
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The task to train.") var task: FineTuneTask
    @Option(help: "Training data file.") var train: String
    @Option(help: "Validation data, evaluated after each epoch (picks OUTPUT/best).") var validation: String?
    @Option(help: "Output folder.") var output: String
    @Option(help: "Classification labels: one per text, several (multi-label), or a number (regression).") var labels: LabelKind = .single
    @Option(help: "Classification text column.") var textColumn = "text"
    @Option(help: "Classification pair-text column (default: text_pair or pair when present).") var pairColumn: String?
    @Option(help: "Classification label column.") var labelColumn = "label"
    @Option var maxSeqLength = 128
    @Option(help: "QA: tokens shared by consecutive windows of a long context.") var docStride = 128
    @OptionGroup var training: TrainingRunOptions

    func validate() throws { try training.validateForEpochs() }

    func run() throws {
        let model = try modelOptions.directory()
        // Under mpirun rank 0 alone reports and prints the summary; the other ranks print only their own errors.
        let group = try DataParallelGroup.joined()
        let writer = group?.isWriter ?? true
        if let group, writer { FileHandle.standardError.write(Data("\(group.summary); \(Threads.count) threads per rank\n".utf8)) }
        var arguments = training.arguments(.fineTuning, evaluates: validation != nil)
        (arguments.maxSeqLength, arguments.docStride) = (maxSeqLength, docStride)
        let control = FineTuningControl(start: training.start,
                                        onEvent: { event in if writer { FileHandle.standardError.write(Data("\(event)\n".utf8)) } })
        let fineTuning = task.fineTuningTask(labels: labels, columns: .init(text: textColumn, textPair: pairColumn, label: labelColumn))
        let summary = try fineTuning.fineTune(modelDirectory: model, train: URL(fileURLWithPath: train),
                                              validation: validation.map { URL(fileURLWithPath: $0) }, arguments: arguments,
                                              output: URL(fileURLWithPath: output), control: control)
        guard writer else { return }
        try StandardOutput.line(try JSONCoding.encode(summary, nonFiniteAsStrings: true).serializedString(options: [.prettyPrinted, .sortedKeys]))
    }
}
