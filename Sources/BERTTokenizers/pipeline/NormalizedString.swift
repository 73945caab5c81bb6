/// Text being normalised, as Unicode code points, each remembering the range of ORIGINAL code points it came
/// from: Hugging Face's `NormalizedString` and its alignments, at code-point rather than byte granularity (the
/// Python API reports code-point offsets, and every byte of a Rust char carries the same alignment anyway).
///
/// Alignments are absolute: they index the whole input of `Tokenizer.encode`, also in slices and splits, so a
/// token spanning normalised positions `s..<e` covers original code points `starts[s] ..< ends[e - 1]`, as the
/// crate's `convert_offsets` takes the first unit's start and the last unit's end.
package struct NormalizedString: Sendable {
    /// The normalised code points.
    package var scalars: [UInt32]
    /// For each normalised code point, the first original code point it stands for.
    package var starts: [Int32]
    /// For each normalised code point, one past the last original code point it stands for.
    package var ends: [Int32]
    /// Where this string starts in the original (HF `original_shift`): the alignment a code point inserted
    /// before everything else receives.
    package var originalStart: Int32

    /// An empty string with room for `capacity` code points.
    package init(capacity: Int = 0, originalStart: Int = 0) {
        scalars = []
        starts = []
        ends = []
        scalars.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        self.originalStart = Int32(originalStart)
    }

    /// `original[range]` unchanged, each code point aligned to itself.
    package init(_ original: [UInt32], range: Range<Int>) {
        scalars = Array(original[range])
        starts = range.map { Int32($0) }
        ends = range.map { Int32($0 + 1) }
        originalStart = Int32(range.lowerBound)
    }

    /// `text` unchanged (offsets count its code points from 0).
    package init(_ text: String) {
        let cps = text.unicodeScalars.map(\.value)
        self.init(cps, range: 0..<cps.count)
    }

    /// The number of normalised code points.
    @inlinable package var count: Int { scalars.count }

    /// The original code-point range `[start, end)` covered by normalised positions `range` (non-empty).
    @inlinable package func originalOffsets(_ range: Range<Int>) -> Range<Int> {
        Int(starts[range.lowerBound]) ..< Int(ends[range.upperBound - 1])
    }

    /// The normalised text as a Swift string.
    package var string: String { String(decodingScalars: scalars[...]) }

    /// Appends `cp` standing for original code points `start..<end`.
    @inline(__always)
    mutating func append(_ cp: UInt32, start: Int32, end: Int32) {
        scalars.append(cp)
        starts.append(start)
        ends.append(end)
    }

    /// Appends `cp` with the alignment of `source[index]` (a code point it replaces or was derived from).
    @inline(__always)
    mutating func append(_ cp: UInt32, alignedAs index: Int, in source: NormalizedString) {
        scalars.append(cp)
        starts.append(source.starts[index])
        ends.append(source.ends[index])
    }

    /// Appends `other[range]` with its alignments.
    mutating func append(contentsOf other: NormalizedString, range: Range<Int>) {
        scalars.append(contentsOf: other.scalars[range])
        starts.append(contentsOf: other.starts[range])
        ends.append(contentsOf: other.ends[range])
    }

    /// Positions `range` as a string of their own (HF `NormalizedString::slice`), alignments kept.
    func slice(_ range: Range<Int>) -> NormalizedString {
        var out = NormalizedString(capacity: range.count)
        out.append(contentsOf: self, range: range)
        out.originalStart = range.isEmpty ? (range.lowerBound < count ? starts[range.lowerBound] : originalStart) : starts[range.lowerBound]
        return out
    }

    /// Empties the string, keeping its storage.
    mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}

extension String {
    /// Builds a string from raw code points; values that are not scalars become U+FFFD.
    init(decodingScalars scalars: ArraySlice<UInt32>) {
        var view = String.UnicodeScalarView()
        for cp in scalars { view.append(Unicode.Scalar(cp) ?? "\u{FFFD}") }
        self = String(view)
    }
}
