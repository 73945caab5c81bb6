/// How a model scores two embeddings: sentence-transformers' `SimilarityFunction` (`similarity_fn_name` in
/// config_sentence_transformers.json), as `model.similarity` computes it.
public enum SimilarityFunction: String, CaseIterable, Sendable {
    /// Cosine of the angle (`cos_sim`), the default of dense models.
    case cosine
    /// Dot product (`dot_score`), the default of SparseEncoder (SPLADE) models.
    case dot
    /// Negative Euclidean distance (`euclidean_sim`).
    case euclidean
    /// Negative Manhattan (L1) distance (`manhattan_sim`).
    case manhattan

    /// The score of `a` against `b` (higher is more similar).
    public func callAsFunction(_ a: [Float], _ b: [Float]) -> Float {
        switch self {
        case .cosine: return cosineSimilarity(a, b)
        case .dot: return zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        case .euclidean: return -zip(a, b).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        case .manhattan: return -zip(a, b).reduce(Float(0)) { $0 + abs($1.0 - $1.1) }
        }
    }

    /// Every score of `a`'s rows against `b`'s: `[a.count][b.count]`, as `model.similarity(a, b)`.
    public func matrix(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] { a.map { x in b.map { self(x, $0) } } }
}
