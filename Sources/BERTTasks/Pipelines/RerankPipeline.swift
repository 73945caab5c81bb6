import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// One ranked document (text-embeddings-inference's `/rerank` item: `index`, `score`, optional `text`).
public struct RankedDocument: Codable, Equatable, Sendable {
    /// Position of the document in the request.
    public var index: Int
    /// sigmoid(logit), or the logit itself with `rawScores`.
    public var score: Double
    /// The document, when asked for (`return_text`).
    public var text: String?
}

/// A cross-encoder reranker, as text-embeddings-inference's `/rerank` computes it: each (query, document) pair is
/// encoded as a BERT pair (`[CLS] query [SEP] document [SEP]`) and scored by a `BertForSequenceClassification`.
///
/// - One label (the usual cross-encoder, e.g. ms-marco-MiniLM): the score is that logit.
/// - Two labels (a binary relevant / not-relevant classifier): the score is `logit[1] − logit[0]`, so that
///   `sigmoid(score)` is the softmax probability of label 1. More labels throw `unsupportedHead` (TEI refuses them too).
///
/// As in TEI, scores go through a sigmoid unless `rawScores` is set, results are sorted by score (highest first;
/// ties keep request order), and `truncate` (off by default) cuts pairs to the model's length instead of throwing.
///
///     let rerank = try RerankPipeline(directory: url)
///     let ranked = try rerank(query: "capital of France?", documents: docs, topN: 3)
/// `Sendable`: one instance may serve many tasks or threads at once (calls only read the model: see `BertModel`).
public final class RerankPipeline: Sendable {
    /// The classifier used as a cross-encoder.
    public let classifier: TextClassificationPipeline

    /// A reranker over a loaded classification pipeline.
    public init(classifier: TextClassificationPipeline) throws {
        guard classifier.model.numLabels <= 2 else {
            throw PipelineError.unsupportedHead("a reranker needs a classifier with 1 label (or 2: not relevant / relevant); this one has \(classifier.model.numLabels)")
        }
        self.classifier = classifier
    }

    /// Loads a Hugging Face cross-encoder folder (BertForSequenceClassification with 1 or 2 labels).
    public convenience init(directory: URL) throws {
        try self.init(classifier: TextClassificationPipeline(directory: directory))
    }

    /// Documents sorted by relevance to `query`, the best `topN` (nil: all).
    public func callAsFunction(query: String, documents: [String], topN: Int? = nil, rawScores: Bool = false,
                               returnText: Bool = false, truncate: Bool = false, batchSize: Int = 8) throws -> [RankedDocument] {
        if query.isEmpty { throw PipelineError.emptyInput(field: "query") }
        if let topN, topN < 1 { throw PipelineError.invalidOption(name: "top_n", value: "\(topN)", reason: "must be at least 1") }
        let logits = try classifier.logits(documents.map { TextClassificationInput(text: query, textPair: $0) },
                                           batchSize: batchSize, truncation: truncate)
        let raw = logits.map { row in row.count == 1 ? Double(row[0]) : Double(row[1]) - Double(row[0]) }
        let order = raw.indices.sorted { raw[$0] != raw[$1] ? raw[$0] > raw[$1] : $0 < $1 }
        return order.prefix(topN ?? order.count).map { i in
            RankedDocument(index: i, score: rawScores ? raw[i] : PipelineSupport.sigmoid(raw[i]), text: returnText ? documents[i] : nil)
        }
    }
}
