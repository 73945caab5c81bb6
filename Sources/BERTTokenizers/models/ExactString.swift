/// A string compared and hashed by its UTF-8 bytes, as Rust compares strings. Swift's `String` equality is
/// canonical equivalence (`"é" == "e\u{301}"`, U+0341 == U+0301), which would merge words and tokens that HF
/// keeps apart (a vocabulary may hold both). Every vocabulary, merge table, added-token map and trainer map is
/// keyed by `ExactString`.
package struct ExactString: Hashable, Sendable {
    package let string: String

    package init(_ string: String) { self.string = string }

    package static func == (a: ExactString, b: ExactString) -> Bool {
        a.string.utf8.count == b.string.utf8.count && a.string.utf8.elementsEqual(b.string.utf8)
    }

    package func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension Dictionary where Key == String, Value == Int {
    /// The same entries keyed by exact scalars.
    var exactKeyed: [ExactString: Int] {
        Dictionary<ExactString, Int>(uniqueKeysWithValues: map { (ExactString($0.key), $0.value) })
    }
}

extension Dictionary where Key == ExactString, Value == Int {
    /// The entries keyed by `String`; of canonically equivalent tokens the one with the lowest id stays.
    var stringKeyed: [String: Int] {
        Dictionary<String, Int>(map { ($0.key.string, $0.value) }, uniquingKeysWith: { Swift.min($0, $1) })
    }
}

extension String {
    /// This string without `prefix` when it starts with those exact bytes (Rust `strip_prefix`), else nil.
    func strippingBytePrefix(_ prefix: String) -> String? {
        guard utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}
