import BERTJSON

/// One document to index: a caller-chosen id, its text, optional metadata, and its embedding.
public struct IndexDocument: Sendable, Equatable {
    /// Unique within an index; adding an id already stored is skipped (so re-running an import resumes it).
    public var id: String
    /// The text the embedding was computed from (returned with search results).
    public var text: String
    /// String fields for `--filter key=value`.
    public var metadata: JSONObject
    /// The embedding, `dimension` floats.
    public var vector: [Float]

    /// A document.
    public init(id: String, text: String, metadata: JSONObject = [:], vector: [Float]) {
        self.id = id; self.text = text; self.metadata = metadata; self.vector = vector
    }
}

/// One search result.
public struct SearchHit: Sendable, Equatable {
    /// The document's id.
    public var id: String
    /// Its text.
    public var text: String
    /// Its metadata.
    public var metadata: JSONObject
    /// The dot product of the query and the stored float32 vector (cosine for normalised embeddings).
    public var score: Float
}

/// How an index keeps its vectors in memory for the scan. The float32 vectors are always stored; a quantised
/// index scans compact codes and re-scores the best `rescoreMultiplier × k` candidates with the float32 vectors, as
/// sentence-transformers' `quantize_embeddings` + rescoring does.
public enum VectorQuantization: String, Sendable, CaseIterable {
    /// float32, exact.
    case none
    /// int8 per dimension, ranges from the stored vectors (4× smaller).
    case int8
    /// One sign bit per dimension, Hamming distance (32× smaller).
    case binary
}

/// What an index records about the embeddings in it, so a query with another model is an error instead of noise.
public struct IndexSettings: Sendable, Equatable {
    /// The model reference the documents were embedded with (an id or a folder).
    public var model: String
    /// A fingerprint of that model's weights and configuration.
    public var modelFingerprint: String
    /// Embedding width.
    public var dimension: Int
    /// Whether the vectors are unit length (dot product = cosine).
    public var normalized: Bool
    /// The pooling mode (e.g. "mean", "cls").
    public var pooling: String
    /// The in-memory representation used by the scan.
    public var quantization: VectorQuantization

    /// Settings.
    public init(model: String, modelFingerprint: String, dimension: Int, normalized: Bool, pooling: String,
                quantization: VectorQuantization = .none) {
        self.model = model; self.modelFingerprint = modelFingerprint; self.dimension = dimension
        self.normalized = normalized; self.pooling = pooling; self.quantization = quantization
    }
}

/// A lasting vector index: documents with embeddings, added in batches, searched by dot product. Async, because
/// the PostgreSQL store talks over the network; the SQLite store answers synchronously.
public protocol VectorIndex: AnyObject {
    /// What the stored embeddings are.
    var settings: IndexSettings { get }
    /// Documents stored.
    func count() async throws -> Int
    /// Which of `ids` are stored already.
    func existingIds(_ ids: [String]) async throws -> Set<String>
    /// Stores `documents` in one transaction (all or none); ids already present are skipped. Returns how many
    /// were added.
    @discardableResult func add(_ documents: [IndexDocument]) async throws -> Int
    /// Removes the documents with these ids; returns how many were there.
    @discardableResult func remove(ids: [String]) async throws -> Int
    /// The `topK` documents with the highest dot product with `query`, best first (ties by insertion order),
    /// among those whose metadata has every `filter` key equal to its value.
    func search(_ query: [Float], topK: Int, filter: [String: String]) async throws -> [SearchHit]
}
