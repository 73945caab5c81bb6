/// Well-formedness of UTF-8, as JSON text (and any text file read as UTF-8) requires.
package enum UTF8Validation {
    /// The offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode Table 3-7, RFC
    /// 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no sequence cut short), or nil when every
    /// byte is part of one. ASCII runs are checked eight bytes at a time.
    package static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        var i = 0
        while i < count {
            while i + 8 <= count, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < count else { return nil }
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            // The first continuation byte's range depends on the lead byte; later ones are 0x80...0xBF.
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            let length: Int
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= count, bytes[i + 1] >= low, bytes[i + 1] <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// `firstInvalidOffset(in:)` over an array.
    package static func firstInvalidOffset(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidOffset(in: $0) }
    }
}
