/// A string compared and hashed by its UTF-8 bytes, as Rust compares strings. Swift's `String` equality is
/// canonical equivalence (`"é" == "e\u{301}"`, U+0341 == U+0301), which would merge words and tokens that HF
/// keeps apart; the trainers key every map by `ExactString`.
struct ExactString: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (a: ExactString, b: ExactString) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// This string without `prefix` when it starts with those exact bytes (Rust `strip_prefix`), else nil.
    func strippingBytePrefix(_ prefix: String) -> String? {
        guard utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}
