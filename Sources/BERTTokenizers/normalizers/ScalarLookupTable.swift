/// A read-only map from every Unicode scalar to a `UInt32` (0 for most), in two stages: a block number per 256
/// scalars, then that block's 256 values. Blocks that hold only zeros share block 0, so a table of a few thousand
/// entries costs a few hundred KB at most and a lookup is two array reads (no hashing, no `Character`).
struct ScalarLookupTable: Sendable {
    private var blockOf: [UInt16]
    private var values: [UInt32]

    /// Builds the table from `(scalar, value)` pairs (later pairs win; scalars past U+10FFFF are ignored).
    init(_ entries: some Sequence<(UInt32, UInt32)>) {
        blockOf = [UInt16](repeating: 0, count: 0x1100)
        values = [UInt32](repeating: 0, count: 256)
        for (cp, value) in entries where cp < 0x110000 {
            let block = Int(cp >> 8)
            if blockOf[block] == 0 {
                blockOf[block] = UInt16(values.count >> 8)
                values.append(contentsOf: repeatElement(0, count: 256))
            }
            values[Int(blockOf[block]) << 8 | Int(cp & 0xFF)] = value
        }
    }

    /// The value of `cp` (0 when it has none or is not a scalar).
    @inline(__always)
    subscript(cp: UInt32) -> UInt32 {
        guard cp < 0x110000 else { return 0 }
        return values[Int(blockOf[Int(cp >> 8)]) << 8 | Int(cp & 0xFF)]
    }
}

extension ScalarLookupTable {
    /// Calls `body` with every `cp=s1.s2` entry of a generated map (hex; the right side may be empty).
    static func forEachMapEntry(_ text: String, _ body: (UInt32, [UInt32]) -> Void) {
        for item in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            body(UInt32(parts[0], radix: 16)!, parts[1].split(separator: ".").map { UInt32($0, radix: 16)! })
        }
    }

    /// Calls `body` with every `A-B` / `A` hex range of a generated list.
    static func forEachRange(_ text: some StringProtocol, _ body: (UInt32, UInt32) -> Void) {
        for item in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if let dash = item.firstIndex(of: "-") {
                body(UInt32(item[..<dash], radix: 16)!, UInt32(item[item.index(after: dash)...], radix: 16)!)
            } else {
                let cp = UInt32(item, radix: 16)!
                body(cp, cp)
            }
        }
    }
}
