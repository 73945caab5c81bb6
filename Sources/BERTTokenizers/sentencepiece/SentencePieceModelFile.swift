import Foundation

/// The fields of a SentencePiece `.model` file (`sentencepiece_model.proto`'s `ModelProto`) that the
/// conversion to a fast tokenizer needs, as transformers' `SentencePieceExtractor` reads them.
package struct SentencePieceModelFile: Sendable {
    /// `ModelProto.SentencePiece.Type`.
    package enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// One piece of the vocabulary.
    package struct Piece: Sendable, Equatable {
        /// The piece text (`▁` marks a word start).
        package var piece: String
        /// Log-probability (float32 in the file).
        package var score: Float
        /// The piece's type.
        package var type: PieceType
        /// A piece.
        package init(piece: String, score: Float, type: PieceType) {
            self.piece = piece
            self.score = score
            self.type = type
        }
    }

    /// The vocabulary in id order.
    package var pieces: [Piece] = []
    /// `TrainerSpec.model_type`: 1 Unigram, 2 BPE, 3 word, 4 char.
    package var modelType = 1
    /// `TrainerSpec.byte_fallback`.
    package var byteFallback = false
    /// `TrainerSpec` special ids (-1: none), with protobuf's defaults.
    package var unkId = 0, bosId = 1, eosId = 2, padId = -1
    /// `TrainerSpec` special pieces.
    package var unkPiece = "<unk>", bosPiece = "<s>", eosPiece = "</s>", padPiece = "<pad>"
    /// `NormalizerSpec.name` (e.g. `nmt_nfkc`).
    package var normalizerName = ""
    /// `NormalizerSpec.precompiled_charsmap` (empty: no normalisation rules).
    package var precompiledCharsmap: [UInt8] = []
    /// `NormalizerSpec` flags, with protobuf's defaults.
    package var addDummyPrefix = true, removeExtraWhitespaces = true, escapeWhitespaces = true

    /// Reads the file at `url`.
    /// - Throws: `TokenizerError.unreadableFile`, or `.corruptSentencePieceModel` naming the byte at fault.
    package init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(bytes: [UInt8](data), path: url.path)
    }

    /// Parses `bytes`; `path` names the file in errors.
    package init(bytes: [UInt8], path: String) throws {
        var reader = ProtobufReader(bytes, range: 0 ..< bytes.count, path: path)
        while reader.hasMore {
            let (field, wire) = try reader.tag()
            switch field {
            case 1: pieces.append(try Self.piece(try reader.message(wire, field: "pieces")))
            case 2: try readTrainerSpec(try reader.message(wire, field: "trainer_spec"))
            case 3: try readNormalizerSpec(try reader.message(wire, field: "normalizer_spec"))
            default: try reader.skip(wire)
            }
        }
        guard !pieces.isEmpty else { throw reader.error("the model has no pieces") }
        for (name, id) in [("unk_id", unkId), ("bos_id", bosId), ("eos_id", eosId), ("pad_id", padId)]
        where id >= pieces.count {
            throw reader.error("trainer_spec.\(name) \(id) is outside the \(pieces.count) pieces")
        }
    }

    private static func piece(_ message: ProtobufReader) throws -> Piece {
        var reader = message
        var piece = Piece(piece: "", score: 0, type: .normal)
        while reader.hasMore {
            let (field, wire) = try reader.tag()
            switch field {
            case 1: piece.piece = try reader.string(wire, field: "piece")
            case 2: piece.score = try reader.float(wire, field: "score")
            case 3:
                let raw = try reader.int32(wire, field: "type")
                guard let type = PieceType(rawValue: raw) else { throw reader.error("unknown piece type \(raw)") }
                piece.type = type
            default: try reader.skip(wire)
            }
        }
        return piece
    }

    private mutating func readTrainerSpec(_ message: ProtobufReader) throws {
        var reader = message
        while reader.hasMore {
            let (field, wire) = try reader.tag()
            switch field {
            case 3: modelType = try reader.int32(wire, field: "model_type")
            case 35: byteFallback = try reader.bool(wire, field: "byte_fallback")
            case 40: unkId = try reader.int32(wire, field: "unk_id")
            case 41: bosId = try reader.int32(wire, field: "bos_id")
            case 42: eosId = try reader.int32(wire, field: "eos_id")
            case 43: padId = try reader.int32(wire, field: "pad_id")
            case 45: unkPiece = try reader.string(wire, field: "unk_piece")
            case 46: bosPiece = try reader.string(wire, field: "bos_piece")
            case 47: eosPiece = try reader.string(wire, field: "eos_piece")
            case 48: padPiece = try reader.string(wire, field: "pad_piece")
            default: try reader.skip(wire)
            }
        }
    }

    private mutating func readNormalizerSpec(_ message: ProtobufReader) throws {
        var reader = message
        while reader.hasMore {
            let (field, wire) = try reader.tag()
            switch field {
            case 1: normalizerName = try reader.string(wire, field: "name")
            case 2: precompiledCharsmap = try reader.data(wire, field: "precompiled_charsmap")
            case 3: addDummyPrefix = try reader.bool(wire, field: "add_dummy_prefix")
            case 4: removeExtraWhitespaces = try reader.bool(wire, field: "remove_extra_whitespaces")
            case 5: escapeWhitespaces = try reader.bool(wire, field: "escape_whitespaces")
            default: try reader.skip(wire)
            }
        }
    }
}
