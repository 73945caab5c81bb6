import Foundation
import XCTest
import BERTJSON
import BERTTokenizers

/// The `.model` reader against the converted tokenizer.json, and its errors on corrupt protobuf.
final class SentencePieceModelFileTests: XCTestCase {
    private func model(_ name: String) throws -> SentencePieceModelFile {
        try SentencePieceModelFile(contentsOf: SentencePieceFixtures.folder.appendingPathComponent(name))
    }

    func testAlbertModelReadsAsTheProtobufLibrary() throws {
        let file = try model("albert/spiece.model")
        XCTAssertEqual(file.pieces.count, 1500)
        XCTAssertEqual(file.modelType, 1)
        XCTAssertEqual([file.padId, file.unkId, file.bosId, file.eosId], [0, 1, 2, 3])
        XCTAssertEqual([file.bosPiece, file.eosPiece], ["[CLS]", "[SEP]"])
        XCTAssertEqual(file.pieces[0].type, .control)
        XCTAssertEqual(file.pieces[1].type, .unknown)
        XCTAssertEqual(file.pieces[4], .init(piece: "[MASK]", score: 0, type: .userDefined))
        XCTAssertFalse(file.byteFallback)
        XCTAssertEqual(file.normalizerName, "user_defined")
        XCTAssertTrue(file.addDummyPrefix && file.removeExtraWhitespaces && file.escapeWhitespaces)
        // Pieces and scores equal the vocabulary transformers wrote into albert.json (scores as float32 → double).
        let json = try JSONValue.parse(try Data(contentsOf: SentencePieceFixtures.folder.appendingPathComponent("albert.json")))
        guard case .array(let vocab)? = json["model"]?["vocab"] else { return XCTFail("albert.json has no vocab") }
        XCTAssertEqual(vocab.count, file.pieces.count)
        for (entry, piece) in zip(vocab, file.pieces) {
            XCTAssertEqual(entry[0]?.stringValue, piece.piece)
            XCTAssertEqual(entry[1]?.doubleValue, Double(piece.score), piece.piece)
        }
        XCTAssertFalse(file.precompiledCharsmap.isEmpty)
    }

    func testByteFallbackAndNegativePadIdRead() throws {
        let file = try model("xlmr/sentencepiece.bpe.model")
        XCTAssertEqual([file.unkId, file.bosId, file.eosId, file.padId], [0, 1, 2, -1])  // pad -1: 10-byte varint
        XCTAssertEqual(file.pieces[0].piece, "<unk>")
    }

    private func expectCorrupt(_ bytes: [UInt8], _ label: String, reason: String? = nil) {
        XCTAssertThrowsError(try SentencePieceModelFile(bytes: bytes, path: "x.model"), label) { error in
            guard case .corruptSentencePieceModel(let path, _, let why) = error as? TokenizerError else {
                return XCTFail("\(label): unexpected \(error)")
            }
            XCTAssertEqual(path, "x.model")
            if let reason { XCTAssertTrue(why.contains(reason), "\(label): \(why)") }
        }
    }

    func testCorruptProtobufIsATypedError() throws {
        let good = try SentencePieceFixtures.bytes("albert/spiece.model")
        expectCorrupt([], "empty file", reason: "no pieces")
        expectCorrupt(Array(good.prefix(good.count / 2)), "truncated in the middle")
        expectCorrupt(Array(good.prefix(5)), "truncated inside the first piece", reason: "runs past")
        expectCorrupt([0x0A, 0x80], "truncated varint", reason: "truncated varint")
        expectCorrupt([0x0A] + [UInt8](repeating: 0xFF, count: 11), "overlong varint", reason: "longer than 10")
        expectCorrupt([0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40], "absurd length", reason: "runs past")
        expectCorrupt([0x08, 0x01], "pieces as a varint: wrong wire type", reason: "wire type")
        expectCorrupt([0x0A, 0x03, 0x10, 0x00, 0x00], "piece score as a varint", reason: "wire type")
        expectCorrupt([0x0A, 0x02, 0x0A, 0x01], "piece string cut short", reason: "runs past")
        expectCorrupt([0x0A, 0x03, 0x0A, 0x01, 0xFF], "piece not UTF-8", reason: "UTF-8")
        expectCorrupt([0x0B], "group wire type", reason: "wire type 3")
        expectCorrupt([0x0A, 0x02, 0x18, 0x63], "unknown piece type", reason: "piece type 99")
        expectCorrupt([0x0A, 0x00, 0x12, 0x03, 0xC0, 0x02, 0x05], "unk_id outside the pieces", reason: "unk_id 5")
        // Cutting the file anywhere either fails with the typed error or (at a field boundary) parses; never crashes.
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 200 {
            let cut = Int.random(in: 0 ..< good.count, using: &generator)
            do { _ = try SentencePieceModelFile(bytes: Array(good.prefix(cut)), path: "x.model") } catch let error as TokenizerError {
                guard case .corruptSentencePieceModel = error else { return XCTFail("cut \(cut): \(error)") }
            }
        }
    }
}
