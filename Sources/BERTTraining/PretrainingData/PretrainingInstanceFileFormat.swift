// The on-disk layout shared by PretrainingInstanceFileWriter and PretrainingInstanceFileReader (and by
// scripts/check_pretraining_data.py). docs/pretraining-data.md describes it for other languages.
import BERTJSON
import Foundation

/// The instance file format, version 1. All integers little-endian.
///
/// ```
/// offset  size  field
/// 0       8     magic "SBPTDATA"
/// 8       4     u32 format version (1)
/// 12      4     u32 max_seq_length (L)
/// 16      4     u32 vocab_size
/// 20      4     u32 settings_length (S): bytes of the settings JSON
/// 24      8     u64 instance count (N)
/// 32      S     settings JSON (UTF-8, sorted keys): generator settings and special-token ids
/// 32+S    ..    zero padding to data_offset = the next multiple of 64
/// data_offset   N records of (4·L + 1) int32 each, in order:
///               input_ids[L], token_type_ids[L], attention_mask[L], labels[L], next_sentence_label
/// ```
/// The file is exactly `data_offset + N · record_size` bytes, so instance i starts at
/// `data_offset + i · record_size` (a seek is one multiplication, and numpy can memory-map the records as a
/// structured array). `labels` holds -100 where nothing is predicted; `next_sentence_label` is 0 (B follows A /
/// original order), 1 (random B / swapped) or -100 (MLM-only).
package struct PretrainingInstanceFileHeader: Sendable, Equatable {
    /// The eight magic bytes.
    package static let magic: [UInt8] = Array("SBPTDATA".utf8)
    /// The format version this code reads and writes.
    package static let version: UInt32 = 1
    /// Bytes before the settings JSON.
    package static let fixedSize = 32
    /// Records start at a multiple of this.
    package static let alignment = 64

    /// Padded length of every instance.
    package var maxSeqLength: Int
    /// Number of token ids; every id in the file is below it.
    package var vocabSize: Int
    /// Number of instances.
    package var count: Int
    /// Generator settings and special-token ids.
    package var settings: PretrainingInstanceFileSettings

    /// Describes a file.
    package init(maxSeqLength: Int, vocabSize: Int, count: Int, settings: PretrainingInstanceFileSettings) {
        self.maxSeqLength = maxSeqLength
        self.vocabSize = vocabSize
        self.count = count
        self.settings = settings
    }

    /// Bytes per instance: (4·L + 1) int32.
    package var recordSize: Int { (4 * maxSeqLength + 1) * 4 }

    /// The settings JSON exactly as written (sorted keys, snake_case names), so equal settings give equal bytes.
    package func settingsJSON() throws -> Data {
        try JSONCoding.encode(settings).serializedData(options: [.sortedKeys])
    }

    /// Offset of the first record for a settings block of `settingsLength` bytes.
    package static func dataOffset(settingsLength: Int) -> Int {
        (fixedSize + settingsLength + alignment - 1) / alignment * alignment
    }
}

/// What the header records about how the instances were made, and the special ids a reader needs to compute
/// statistics without the vocabulary.
package struct PretrainingInstanceFileSettings: Sendable, Codable, Equatable {
    /// The ids of `[CLS]`, `[SEP]`, `[MASK]`, `[PAD]`, `[UNK]`.
    package struct SpecialTokenIDs: Sendable, Codable, Equatable {
        /// `[CLS]`.
        package var cls: Int
        /// `[SEP]`.
        package var sep: Int
        /// `[MASK]`.
        package var mask: Int
        /// `[PAD]`.
        package var pad: Int
        /// `[UNK]`.
        package var unk: Int
    }

    enum CodingKeys: String, CodingKey {
        case configuration, specialTokenIDs = "special_token_ids", generator, epoch
    }

    /// Generator settings, or nil when the instances came from elsewhere.
    package var configuration: PretrainingDataConfiguration?
    /// Special-token ids.
    package var specialTokenIDs: SpecialTokenIDs
    /// The random generator behind the instances.
    package var generator: String
    /// For a snapshot of dynamic masking: the epoch whose masks the file holds.
    package var epoch: Int?

    /// Records the configuration and the vocabulary's special ids.
    package init(configuration: PretrainingDataConfiguration?, vocabulary: PretrainingVocabulary, epoch: Int? = nil) {
        self.configuration = configuration
        self.specialTokenIDs = SpecialTokenIDs(cls: vocabulary.clsID, sep: vocabulary.sepID, mask: vocabulary.maskID,
                                               pad: vocabulary.padID, unk: vocabulary.unkID)
        self.generator = "xoshiro256** seeded by splitmix64"
        self.epoch = epoch
    }
}

/// Little-endian helpers over raw bytes.
enum LittleEndianBytes {
    static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    static func read<T: FixedWidthInteger>(_: T.Type, from bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
