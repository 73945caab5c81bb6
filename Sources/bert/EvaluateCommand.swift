import ArgumentParser
import BERT
import Foundation

/// `bert evaluate`: metrics of a fine-tuned model on labelled data, as JSON.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate a fine-tuned model: accuracy/F1, seqeval entity P/R/F1, SQuAD EM/F1, or Spearman.",
        discussion: """
        classification: accuracy and F1 (labels must be among the model's id2label); ner: entity precision/recall/F1 \
        like seqeval; qa: exact match and F1 like the official SQuAD v1.1/v2.0 script; embedding/similarity: Spearman \
        of cosine scores (sentence1,sentence2,score data). --predictions writes per-example outputs (logits, tags, \
        answers) as JSON.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "classification | ner | qa | embedding | similarity.") var task: FineTuneTask
    @Option(help: "Labelled data file.") var data: String
    @Option(help: "Classification labels: single, multi or regression (default: the model's problem_type).") var labels: String?
    @Option var maxSeqLength = 128
    @Option var docStride = 128
    @Option var batchSize = 32
    @Option(help: "Write per-example predictions to this JSON file.") var predictions: String?
    @Option(help: "Write the first --dump-count features' input ids and raw outputs (logits, or embeddings) to this JSON file, for scripts/check_finetuned_checkpoint.py.")
    var dumpOutputs: String?
    @Option var dumpCount = 16

    func run() throws {
        let dir = try modelOptions.directory()
        let url = URL(fileURLWithPath: data)
        var result: [String: Any] = ["task": task.rawValue, "model": dir.path, "data": url.path]
        var perExample: Any?
        switch task {
        case .classification:
            let (model, config) = try TextClassificationFineTuning.load(dir)
            let kind: TextClassificationTask = (labels ?? config.problemType).map {
                $0.hasPrefix("multi") ? .multiLabel : $0 == "regression" ? .regression : .singleLabel
            } ?? .singleLabel
            let names = kind == .regression ? nil : try FineTunedModelFolder.labels(of: config, directory: dir)
            let dataset = try TextClassificationDataset.read(from: url, task: kind, labels: names)
            let f = try TextClassificationFineTuning.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: maxSeqLength)
            let e = try TextClassificationFineTuning.evaluate(model, features: f, task: kind, padId: config.padTokenId)
            result["loss"] = e.loss.map(finiteOrNull); result["metrics"] = e.metrics.mapValues(finiteOrNull); result["examples"] = f.count
            try dump(f.map { ($0.ids, $0.typeIds) }) { x in try model(x).scalars }
            if predictions != nil {
                perExample = try TextClassificationFineTuning.predict(model, features: f, padId: config.padTokenId).logits.map { $0.map(Double.init) }
            }
        case .ner:
            let (model, config) = try TokenClassificationFineTuning.load(dir)
            let names = try FineTunedModelFolder.labels(of: config, directory: dir)
            let dataset = try TokenClassificationDataset.readCoNLL(from: url, labels: names)
            let f = try TokenClassificationFineTuning.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: maxSeqLength)
            let (e, report) = try TokenClassificationFineTuning.evaluate(model, features: f, labels: names, padId: config.padTokenId)
            result["loss"] = e.loss.map(finiteOrNull); result["metrics"] = e.metrics.mapValues(finiteOrNull); result["sentences"] = f.count
            result["per_type"] = Dictionary(uniqueKeysWithValues: report.perType.map {
                ($0.type, ["precision": $0.scores.precision, "recall": $0.scores.recall, "f1": $0.scores.f1, "support": Double($0.scores.support)])
            })
            try dump(f.map { ($0.ids, $0.typeIds) }) { x in try model(x).scalars }
            if predictions != nil {
                perExample = try TokenClassificationFineTuning.predict(model, features: f, padId: config.padTokenId).predictions.map { $0.map { names[$0] } }
            }
        case .qa:
            let (model, config) = try QuestionAnsweringFineTuning.load(dir)
            let dataset = try SQuADDataset.read(from: url)
            let f = try QuestionAnsweringFineTuning.features(dataset, tokenizer: Tokenizer(directory: dir), maxLength: maxSeqLength,
                                                             stride: min(docStride, maxSeqLength / 2), file: url.path)
            let (e, answers) = try QuestionAnsweringFineTuning.evaluate(model, dataset: dataset, features: f, padId: config.padTokenId)
            result["loss"] = e.loss.map(finiteOrNull); result["metrics"] = e.metrics.mapValues(finiteOrNull); result["questions"] = dataset.examples.count; result["features"] = f.count
            result["version_2_with_negative"] = QuestionAnsweringFineTuning.isVersionTwo(dataset)
            perExample = answers
            try dump(f.map { ($0.ids, $0.typeIds) }) { x in let (s, e) = try model(x); return s.scalars + e.scalars }
        case .embedding, .similarity:
            let model = try SentenceTransformer(directory: dir)
            let f = try SentenceEmbeddingFineTuning.features(SentenceEmbeddingDataset.read(from: url), model: model, maxLength: maxSeqLength)
            let e = try SentenceEmbeddingFineTuning.evaluate(model, features: f, padId: model.bert.config.padTokenId)
            result["loss"] = e.loss.map(finiteOrNull); result["metrics"] = e.metrics.mapValues(finiteOrNull); result["pairs"] = f.count
            try dump(f.map { ($0.texts[0], [Int](repeating: 0, count: $0.texts[0].count)) }) { x in try model.embed(x, normalize: false).scalars }
        }
        if let predictions, let perExample {
            let data = try JSONSerialization.data(withJSONObject: perExample, options: [.sortedKeys])
            try data.write(to: URL(fileURLWithPath: predictions))
        }
        try printJSONLine(result)
    }

    /// JSON has no NaN: undefined figures (e.g. Spearman of constant scores) become null.
    func finiteOrNull(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

    /// Runs `body` on each of the first `dumpCount` rows alone (no padding) and writes ids and flat outputs.
    func dump(_ rows: [([Int], [Int])], _ body: (EncoderInput) throws -> [Float]) throws {
        guard let dumpOutputs else { return }
        let items = try rows.prefix(dumpCount).map { ids, types -> [String: Any] in
            let x = try EncoderInput(inputIds: ids, tokenTypeIds: types, batch: 1, length: ids.count)
            return ["input_ids": ids, "token_type_ids": types, "outputs": try body(x).map(Double.init)]
        }
        try JSONSerialization.data(withJSONObject: ["task": task.rawValue, "rows": items]).write(to: URL(fileURLWithPath: dumpOutputs))
    }
}
