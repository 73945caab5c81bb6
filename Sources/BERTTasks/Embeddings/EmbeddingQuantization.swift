import BERTModels

/// The number formats of sentence-transformers' `quantize_embeddings` (`encode(precision=...)`): float32 as is,
/// int8 / uint8 (one of 256 buckets per dimension, between ranges), binary / ubinary (the sign bits, 8 per byte).
public enum EmbeddingPrecision: String, CaseIterable, Sendable {
    case float32, int8, uint8, binary, ubinary
}

/// Per-dimension bounds of int8 / uint8 quantisation: each dimension's minimum and maximum over calibration
/// embeddings (sentence-transformers' `ranges`).
public struct QuantizationRanges: Equatable, Sendable {
    /// Each dimension's lowest value.
    public var minimum: [Float]
    /// Each dimension's highest value.
    public var maximum: [Float]

    /// The ranges of `calibration`, at least two embeddings of one width.
    /// - Throws: `ModelError.invalidInput` for fewer than two embeddings or ragged widths.
    public init(calibration: [[Float]]) throws {
        guard calibration.count >= 2 else {
            throw ModelError.invalidInput("int8 / uint8 ranges need at least two embeddings to calibrate on, got \(calibration.count)")
        }
        let width = calibration[0].count
        guard calibration.allSatisfy({ $0.count == width }) else {
            throw ModelError.invalidInput("calibration embeddings have different widths")
        }
        (minimum, maximum) = (calibration[0], calibration[0])
        for row in calibration.dropFirst() {
            for d in 0..<width { minimum[d] = min(minimum[d], row[d]); maximum[d] = max(maximum[d], row[d]) }
        }
    }
}

/// `embeddings` in `precision`, as sentence-transformers' `quantize_embeddings` computes them: int8 / uint8 give one
/// integer per dimension (`floor((x − min) / ((max − min) / 255))` clipped to 0...255, minus 128 for int8), with
/// `ranges` or, when nil, the ranges of `embeddings` themselves; binary / ubinary give `(width + 7) / 8` bytes per
/// embedding, the bits `x > 0` packed first-dimension-highest (minus 128 for binary).
/// - Throws: `ModelError.invalidInput` for `float32` (nothing to quantise), ranges of another width, or int8 /
///   uint8 without ranges on fewer than two embeddings.
public func quantizeEmbeddings(_ embeddings: [[Float]], precision: EmbeddingPrecision,
                               ranges: QuantizationRanges? = nil) throws -> [[Int]] {
    switch precision {
    case .float32:
        throw ModelError.invalidInput("float32 embeddings are not quantised; pick int8, uint8, binary or ubinary")
    case .binary, .ubinary:
        let offset = precision == .binary ? 128 : 0
        return embeddings.map { row in
            stride(from: 0, to: row.count, by: 8).map { start in
                var byte = 0
                for bit in 0..<8 where start + bit < row.count && row[start + bit] > 0 { byte |= 0x80 >> bit }
                return byte - offset
            }
        }
    case .int8, .uint8:
        guard !embeddings.isEmpty else { return [] }
        let bounds = try ranges ?? QuantizationRanges(calibration: embeddings)
        let width = bounds.minimum.count
        guard embeddings.allSatisfy({ $0.count == width }) else {
            throw ModelError.invalidInput("the ranges are \(width) wide; the embeddings are not")
        }
        let steps = (0..<width).map { d -> Float in
            let step = (bounds.maximum[d] - bounds.minimum[d]) / 255
            return step == 0 ? 1 : step
        }
        let offset = precision == .int8 ? 128 : 0
        return embeddings.map { row in
            (0..<width).map { d in Int(min(max(((row[d] - bounds.minimum[d]) / steps[d]).rounded(.down), 0), 255)) - offset }
        }
    }
}
