import BERTJSON
import BERTModels
import BERTTasks
import BERTTokenizers
import Foundation

/// A sequence-classification / cross-encoder folder behind the batching queue, for TEI's `/predict` and `/rerank`.
/// Each input (a text, a pair, or one query–document pair of a rerank) is its own queue entry, so inputs of many
/// requests share forward passes under the same `--max-batch-tokens` / `--max-batch-requests` bounds as
/// embeddings (TEI batches classifier requests the same way). The pipeline is only touched by the queue's worker.
package final class ClassifierService: Sendable {
    /// One input's work.
    package enum Job: Sendable {
        /// Every label's score for a text or a pair.
        case predict(TextClassificationInput, rawScores: Bool, truncate: Bool)
        /// The relevance logit of `text` to `query` (ranked by the route).
        case relevance(query: String, text: String, truncate: Bool)
    }

    /// The labels, in class order (TEI's `/info` `id2label`).
    package let labels: [Int: String]
    /// Whether the head has at most 2 labels, so `/rerank` can use it (TEI calls such a model a reranker).
    package let canRerank: Bool
    /// Longest input in tokens (the model's positions; longer inputs need `truncate`).
    package let maxInputLength: Int
    /// The tokenizer, to count each input's tokens on arrival (the queue's batch bound).
    let tokenizer: Tokenizer
    /// The queue whose worker alone runs the pipeline.
    package let queue: BatchQueue<Job, Result<JSONValue, ServerError>>

    /// Takes ownership of `pipeline`.
    package init(pipeline: TextClassificationPipeline, limits: BatchLimits, observer: (@Sendable (BatchEvent) -> Void)? = nil) {
        labels = pipeline.config.id2label
        canRerank = pipeline.model.numLabels <= 2
        maxInputLength = pipeline.config.maxPositionEmbeddings
        var tokenizer = pipeline.tokenizer
        try? tokenizer.setTruncation(nil)
        self.tokenizer = tokenizer
        queue = BatchQueue(limits: limits, observer: observer) { jobs in Self.run(jobs, pipeline: pipeline) }
        queue.start()
    }

    /// Every label's score for each input, highest first (`[{"score", "label"}]` per input).
    package func predict(_ inputs: [TextClassificationInput], rawScores: Bool, truncate: Bool) async throws -> [JSONValue] {
        let checked = try inputs.map { input throws(ServerError) in
            guard let pair = input.textPair else {
                return TextClassificationInput(text: try CharacterLimit.checked(input.text, maxInputLength: maxInputLength, truncate: truncate))
            }
            let (a, b) = try CharacterLimit.checked(input.text, pair, maxInputLength: maxInputLength, truncate: truncate)
            return TextClassificationInput(text: a, textPair: b)
        }
        let jobs = checked.map { Job.predict($0, rawScores: rawScores, truncate: truncate) }
        return try BatchGroups.unwrap(try await queue.submit(zip(jobs, checked).map { ($0, tokens($1.text, $1.textPair)) }))
    }

    /// `texts` ranked against `query` as `RerankPipeline` ranks them (TEI's `/rerank` answer), best first.
    package func rerank(query: String, texts: [String], rawScores: Bool, returnText: Bool, truncate: Bool) async throws -> JSONValue {
        guard canRerank else {
            throw ServerError(.backend, "/rerank needs a model with 1 or 2 labels; this one has \(labels.count)")
        }
        guard !query.isEmpty else { throw ServerError(.validation, "`query` cannot be empty") }
        let pairs = try texts.map { text throws(ServerError) in
            try CharacterLimit.checked(query, text, maxInputLength: maxInputLength, truncate: truncate)
        }
        let entries = pairs.map { (Job.relevance(query: $0.0, text: $0.1, truncate: truncate), tokens($0.0, $0.1)) }
        let raw = try BatchGroups.unwrap(try await queue.submit(entries)).map { $0.doubleValue ?? .nan }
        // RerankPipeline's order and scores: highest first, ties in request order, sigmoid unless raw.
        let order = raw.indices.sorted { raw[$0] != raw[$1] ? raw[$0] > raw[$1] : $0 < $1 }
        return .array(order.map { i -> JSONValue in
            let score = JSONValue.number(rawScores ? raw[i] : 1 / (1 + exp(-raw[i])))
            let index = JSONValue.integer(Int64(i))
            return returnText ? ["index": index, "score": score, "text": .string(texts[i])] : ["index": index, "score": score]
        })
    }

    /// An input's token count, for the batch bound (capped: truncation or a 422 keeps it within the model).
    private func tokens(_ text: String, _ pair: String?) -> Int {
        min((try? tokenizer.encode(text, pair: pair).count) ?? maxInputLength, maxInputLength)
    }

    /// One batch on the worker: predictions grouped by their options, relevance pairs by truncation.
    private static func run(_ jobs: [Job], pipeline: TextClassificationPipeline) -> [Result<JSONValue, ServerError>] {
        BatchGroups.run(jobs, key: { job -> String in
            switch job {
            case let .predict(_, raw, truncate): "predict \(raw) \(truncate)"
            case let .relevance(_, _, truncate): "relevance \(truncate)"
            }
        }) { group in
            switch group[0] {
            case let .predict(_, raw, truncate):
                let inputs = group.compactMap { if case let .predict(input, _, _) = $0 { input } else { nil } }
                let results = try pipeline(inputs, topK: nil, functionToApply: raw ? ClassificationFunction.none : nil,
                                           batchSize: inputs.count, truncation: truncate)
                return results.map { .array($0.map { ["score": .number($0.score), "label": .string($0.label)] }) }
            case let .relevance(_, _, truncate):
                let pairs = group.compactMap { job -> TextClassificationInput? in
                    if case let .relevance(query, text, _) = job { TextClassificationInput(text: query, textPair: text) } else { nil }
                }
                // RerankPipeline's score: the one logit, or logit[1] − logit[0] for a two-label head.
                return try pipeline.logits(pairs, batchSize: pairs.count, truncation: truncate).map { row in
                    .number(row.count == 1 ? Double(row[0]) : Double(row[1]) - Double(row[0]))
                }
            }
        }
    }
}

/// The task a model folder serves, from config.json's `architectures` as TEI decides (a `*ForSequenceClassification`
/// head is a classifier or reranker), extended to the heads TEI lacks: `*ForMaskedLM`, `*ForTokenClassification`
/// and `*ForQuestionAnswering` serve their pipelines. A sentence-transformers folder (modules.json) is an embedding
/// model unless its head is a classifier, whatever its backbone's architecture says.
package enum ServedTask: Sendable, Equatable {
    /// Sentence embeddings (`/embed`, `/embed_all`, `/v1/embeddings`).
    case embedding
    /// Sequence classification or cross-encoder (`/predict`, `/rerank`).
    case classification
    /// Masked-LM (`/fill-mask`).
    case fillMask
    /// Token classification (`/ner`).
    case tokenClassification
    /// Extractive question answering (`/qa`).
    case questionAnswering

    /// The task of the folder at `directory`.
    package init(directory: URL) throws {
        let config = try Pretrained.config(in: directory)
        let heads: [(suffix: String, task: ServedTask)] = [
            ("ForSequenceClassification", .classification), ("ForMaskedLM", .fillMask),
            ("ForTokenClassification", .tokenClassification), ("ForQuestionAnswering", .questionAnswering),
        ]
        let sentenceTransformer = FileManager.default.fileExists(atPath: directory.appendingPathComponent("modules.json").path)
        let head = heads.first { head in config.architectures.contains { $0.hasSuffix(head.suffix) } }?.task ?? .embedding
        self = sentenceTransformer && head != .classification ? .embedding : head
    }
}
