// Memory-maps an instance file, checks its header and size once, and decodes (and checks) records on demand.
import BERTJSON
import Foundation

/// The order in which instances are streamed.
@_spi(Fuzzing) public enum PretrainingReadOrder: Sendable, Equatable, Codable {
    /// File order.
    case sequential
    /// A permutation drawn from `seed` (the same seed always gives the same order).
    case shuffled(seed: UInt64)

    /// The instance indices of an epoch of `count` instances in this order.
    package func permutation(count: Int, epoch: Int = 0) -> [Int] {
        var order = Array(0..<count)
        if case let .shuffled(seed) = self {
            var rng = PretrainingRandomGenerator(seed: seed, stream: [UInt64(truncatingIfNeeded: epoch)])
            rng.shuffle(&order)
        }
        return order
    }
}

/// Reads an instance file written by `PretrainingInstanceFileWriter`. Opening validates the magic, version,
/// settings JSON and exact file size (`truncatedFile` names the offset where the data stops); each decoded
/// record is checked value by value (`corruptRecord` names the instance and byte offset).
@_spi(Fuzzing) public final class PretrainingInstanceFileReader: PretrainingInstanceSource {
    /// The file.
    package let url: URL
    /// Its header.
    package let header: PretrainingInstanceFileHeader
    /// Byte offset of record 0.
    package let dataOffset: Int
    private let data: Data

    /// Opens and validates `url`.
    @_spi(Fuzzing) public init(url: URL) throws {
        self.url = url
        let path = url.path
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw PretrainingDataError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let fixed = PretrainingInstanceFileHeader.fixedSize
        guard data.count >= 8, Array(data.prefix(8)) == PretrainingInstanceFileHeader.magic else {
            let found = data.prefix(8).map { String(format: "%02x", $0) }.joined()
            throw PretrainingDataError.notAnInstanceFile(path: path, found: found.isEmpty ? "(empty file)" : found)
        }
        guard data.count >= fixed else {
            throw PretrainingDataError.truncatedFile(path: path, offset: data.count, expectedSize: fixed,
                                                     actualSize: data.count)
        }
        let (version, maxSeqLength, vocabSize, settingsLength, count) = data.withUnsafeBytes { raw in
            (LittleEndianBytes.read(UInt32.self, from: raw, at: 8), LittleEndianBytes.read(UInt32.self, from: raw, at: 12),
             LittleEndianBytes.read(UInt32.self, from: raw, at: 16), LittleEndianBytes.read(UInt32.self, from: raw, at: 20),
             LittleEndianBytes.read(UInt64.self, from: raw, at: 24))
        }
        guard version == PretrainingInstanceFileHeader.version else {
            throw PretrainingDataError.unsupportedVersion(path: path, version: version)
        }
        guard maxSeqLength > 0 else {
            throw PretrainingDataError.corruptHeader(path: path, offset: 12, reason: "max_seq_length is 0")
        }
        guard vocabSize > 0 else {
            throw PretrainingDataError.corruptHeader(path: path, offset: 16, reason: "vocab_size is 0")
        }
        guard data.count >= fixed + Int(settingsLength) else {
            throw PretrainingDataError.truncatedFile(path: path, offset: data.count,
                                                     expectedSize: fixed + Int(settingsLength), actualSize: data.count)
        }
        let settings: PretrainingInstanceFileSettings
        do {
            let json = try JSONValue.parse(data.subdata(in: fixed..<(fixed + Int(settingsLength))))
            settings = try JSONCoding.decode(PretrainingInstanceFileSettings.self, from: json)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {  // a bad value
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw PretrainingDataError.corruptHeader(path: path, offset: fixed,
                                                     reason: "settings JSON, \(key): \(context.debugDescription)")
        } catch {
            throw PretrainingDataError.corruptHeader(path: path, offset: fixed, reason: "settings JSON: \(error)")
        }
        let header = PretrainingInstanceFileHeader(maxSeqLength: Int(maxSeqLength), vocabSize: Int(vocabSize),
                                                   count: Int(clamping: count), settings: settings)
        dataOffset = PretrainingInstanceFileHeader.dataOffset(settingsLength: Int(settingsLength))
        // A count from a corrupt header can make records · size land just below Int.max, so the sum overflows too.
        let (records, productOverflow) = header.recordSize.multipliedReportingOverflow(by: header.count)
        let (expected, sumOverflow) = dataOffset.addingReportingOverflow(records)
        let overflow = productOverflow || sumOverflow
        guard !overflow, expected == data.count else {
            throw PretrainingDataError.truncatedFile(path: path, offset: overflow ? data.count : min(data.count, expected),
                                                     expectedSize: overflow ? Int.max : expected, actualSize: data.count)
        }
        self.header = header
    }

    /// Number of instances.
    @_spi(Fuzzing) public var count: Int { header.count }
    /// Padded length of every instance.
    @_spi(Fuzzing) public var maxSeqLength: Int { header.maxSeqLength }

    /// The same instance in every epoch: a file holds static masks.
    package func instance(at index: Int, epoch: Int) throws -> PretrainingInstance { try instance(at: index) }

    /// Decodes and checks record `index` (a direct seek: offset = data_offset + index · record_size).
    @_spi(Fuzzing) public func instance(at index: Int) throws -> PretrainingInstance {
        guard index >= 0, index < header.count else {
            throw PretrainingDataError.instanceOutOfRange(path: url.path, index: index, count: header.count)
        }
        let length = header.maxSeqLength
        let start = dataOffset + index * header.recordSize
        let fields: [[Int]] = data.withUnsafeBytes { raw in
            (0..<4).map { field in
                (0..<length).map { Int(LittleEndianBytes.read(Int32.self, from: raw, at: start + 4 * (field * length + $0))) }
            }
        }
        let nsp = data.withUnsafeBytes { Int(LittleEndianBytes.read(Int32.self, from: $0, at: start + 16 * length)) }
        func fail(_ field: Int, _ position: Int, _ reason: String) -> PretrainingDataError {
            .corruptRecord(path: url.path, instance: index, offset: start + 4 * (field * length + position), reason: reason)
        }
        let vocab = header.vocabSize
        var padded = false
        for i in 0..<length {
            let (id, type, mask, label) = (fields[0][i], fields[1][i], fields[2][i], fields[3][i])
            if id < 0 || id >= vocab { throw fail(0, i, "input id \(id) outside 0..<\(vocab)") }
            if type != 0 && type != 1 { throw fail(1, i, "token type \(type) is not 0 or 1") }
            if mask != 0 && mask != 1 { throw fail(2, i, "attention mask \(mask) is not 0 or 1") }
            if mask == 1 && padded { throw fail(2, i, "attention mask 1 after padding began") }
            if mask == 0 { padded = true }
            if label != PretrainingInstance.ignoreIndex && (label < 0 || label >= vocab) {
                throw fail(3, i, "label \(label) is neither -100 nor in 0..<\(vocab)")
            }
        }
        if ![0, 1, PretrainingInstance.ignoreIndex].contains(nsp) {
            throw fail(4, 0, "next_sentence_label \(nsp) is not 0, 1 or -100")
        }
        return PretrainingInstance(inputIDs: fields[0], tokenTypeIDs: fields[1], attentionMask: fields[2],
                                   labels: fields[3], nextSentenceLabel: nsp)
    }

    /// A stream over the file in `order`, starting at stream position `position` (resume after `position`
    /// instances have been consumed).
    @_spi(Fuzzing) public func makeStream(order: PretrainingReadOrder = .sequential, startingAt position: Int = 0)
        -> PretrainingInstanceStream {
        PretrainingInstanceStream(reader: self, order: order.permutation(count: count), position: position)
    }

    /// Every instance in file order.
    @_spi(Fuzzing) public func readAll() throws -> [PretrainingInstance] {
        try (0..<count).map { try instance(at: $0) }
    }
}

/// Instances of a file in a fixed order, with a position that can be saved and restored.
@_spi(Fuzzing) public struct PretrainingInstanceStream {
    /// The file.
    package let reader: PretrainingInstanceFileReader
    /// Instance indices in stream order.
    package let order: [Int]
    /// How many instances have been consumed; the next one is `order[position]`.
    package private(set) var position: Int

    init(reader: PretrainingInstanceFileReader, order: [Int], position: Int) {
        self.reader = reader
        self.order = order
        self.position = max(0, position)
    }

    /// The next instance, or nil at the end.
    @_spi(Fuzzing) public mutating func next() throws -> PretrainingInstance? {
        guard position < order.count else { return nil }
        let instance = try reader.instance(at: order[position])
        position += 1
        return instance
    }

    /// Moves so that the next instance is the one at stream position `position`.
    package mutating func seek(to position: Int) {
        self.position = max(0, position)
    }
}
