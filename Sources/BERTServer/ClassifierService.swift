import BERTJSON
import BERTModels
import BERTTasks
import Foundation

/// A sequence-classification / cross-encoder folder behind the batching queue, for TEI's `/predict` and `/rerank`.
/// Each request is one queue entry (batch size 1), so a bad request fails alone; the pipeline, like the embedding
/// model, is only touched by the queue's worker thread.
package final class ClassifierService: Sendable {
    /// One request's work.
    package enum Job: Sendable {
        /// Label scores for each input (a text or a pair).
        case predict([TextClassificationInput], rawScores: Bool, truncate: Bool)
        /// `texts` ranked against `query`.
        case rerank(query: String, texts: [String], rawScores: Bool, returnText: Bool, truncate: Bool)
    }

    /// The labels, in class order (TEI's `/info` `id2label`).
    package let labels: [Int: String]
    /// Whether the head has at most 2 labels, so `/rerank` can use it (TEI calls such a model a reranker).
    package let canRerank: Bool
    /// Longest input in tokens (the model's positions; longer inputs need `truncate`).
    package let maxInputLength: Int
    /// The queue whose worker alone runs the pipeline.
    package let queue: BatchQueue<Job, JSONValue>

    /// Takes ownership of `pipeline`.
    package init(pipeline: TextClassificationPipeline, limits: BatchLimits, observer: (@Sendable (BatchEvent) -> Void)? = nil) {
        labels = pipeline.config.id2label
        canRerank = pipeline.model.numLabels <= 2
        maxInputLength = pipeline.config.maxPositionEmbeddings
        let reranker = try? RerankPipeline(classifier: pipeline)
        var one = limits
        one.maxBatchRequests = 1
        queue = BatchQueue(limits: one, observer: observer) { jobs in
            try jobs.map { try Self.run($0, pipeline: pipeline, reranker: reranker) }
        }
        queue.start()
    }

    /// Runs `job` and gives its JSON answer.
    package func run(_ job: Job, tokens: Int) async throws -> JSONValue {
        try await queue.submit([(job, tokens)])[0]
    }

    private static func run(_ job: Job, pipeline: TextClassificationPipeline, reranker: RerankPipeline?) throws -> JSONValue {
        do {
            switch job {
            case let .predict(inputs, raw, truncate):
                let results = try pipeline(inputs, topK: nil, functionToApply: raw ? ClassificationFunction.none : nil, truncation: truncate)
                return .array(results.map { .array($0.map { ["score": .number($0.score), "label": .string($0.label)] }) })
            case let .rerank(query, texts, raw, returnText, truncate):
                guard let reranker else {
                    throw ServerError(.backend, "/rerank needs a model with 1 or 2 labels; this one has \(pipeline.model.numLabels)")
                }
                let ranked = try reranker(query: query, documents: texts, rawScores: raw, returnText: returnText, truncate: truncate)
                return .array(ranked.map { document -> JSONValue in
                    let (index, score) = (JSONValue.integer(Int64(document.index)), JSONValue.number(document.score))
                    return document.text.map { ["index": index, "score": score, "text": .string($0)] } ?? ["index": index, "score": score]
                })
            }
        } catch let error as PipelineError {
            throw ServerError(.validation, error.description)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.backend, "inference failed: \(error)")
        }
    }
}

/// The task a model folder serves, from config.json's `architectures` as TEI decides (a `*ForSequenceClassification`
/// head is a classifier or reranker; anything else is an embedding model).
package enum ServedTask: Sendable, Equatable {
    /// Sentence embeddings (`/embed`, `/v1/embeddings`).
    case embedding
    /// Sequence classification or cross-encoder (`/predict`, `/rerank`).
    case classification

    /// The task of the folder at `directory`.
    package init(directory: URL) throws {
        let config = try Pretrained.config(in: directory)
        self = config.architectures.contains { $0.hasSuffix("ForSequenceClassification") } ? .classification : .embedding
    }
}
