/// How `tokenizers` reads a tokenizer.json float: serde_json without its `float_roundtrip` feature takes the decimal
/// digits as a `UInt64` significand, converts that to `Double` (rounding it past 2^53) and multiplies or divides by
/// the correctly rounded power of ten. For some 16-17 digit Unigram scores that lands an ulp away from the exact
/// value, and an ulp decides Viterbi ties between segmentations of equal exact score (e.g. "ssss…" as
/// [12 s, 12 s, 13 s] or [12 s, 13 s, 12 s]). The text is taken as the value's shortest round-trip decimal,
/// which is what tokenizers, Python's json and Swift write.
enum SerdeJSONFloat {
    /// Correctly rounded 10^0 ... 10^308 (serde_json's `POW10`).
    private static let powersOfTen: [Double] = (0 ... 308).map { Double("1e\($0)")! }

    /// `value` as serde_json would parse its shortest decimal text; `value` itself when that text is not plain
    /// digits, point and exponent, or needs serde's paths beyond a `UInt64` significand.
    static func reading(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let text = "\(value.magnitude)"
        var significand: UInt64 = 0
        var exponent = 0
        var afterPoint = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c == "." {
                afterPoint = true
            } else if c.isASCII, let digit = c.wholeNumberValue {
                guard significand <= (UInt64.max - UInt64(digit)) / 10 else { return value }
                significand = significand * 10 + UInt64(digit)
                if afterPoint { exponent -= 1 }
            } else if c == "e" || c == "E" {
                guard let e = Int(text[text.index(after: index)...]) else { return value }
                exponent += e
                break
            } else {
                return value
            }
            index = text.index(after: index)
        }
        var f = Double(significand)
        while true {
            if exponent.magnitude < powersOfTen.count {
                let power = powersOfTen[Int(exponent.magnitude)]
                if exponent >= 0 { f *= power } else { f /= power }
                break
            }
            if f == 0 { break }
            if exponent >= 0 { return value }
            f /= 1e308
            exponent += 308
        }
        return value < 0 ? -f : f
    }
}
