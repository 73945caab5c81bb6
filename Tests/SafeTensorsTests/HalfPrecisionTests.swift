import Foundation
import SafeTensors
import XCTest

final class HalfPrecisionTests: XCTestCase {
    func testEveryHalfWidensExactlyAndNarrowsBack() {
        for h in 0...UInt16.max {
            let f = HalfPrecision.float(fromHalfBits: h)
            let isNaN = h & 0x7C00 == 0x7C00 && h & 0x03FF != 0
            XCTAssertEqual(f.isNaN, isNaN)
            if isNaN {
                XCTAssertEqual(HalfPrecision.halfBits(from: f), h & 0x8000 | 0x7E00)
            } else if HalfPrecision.halfBits(from: f) != h {
                XCTFail("half \(String(h, radix: 16)) → \(f) → \(String(HalfPrecision.halfBits(from: f), radix: 16))")
                return
            }
        }
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x0001), 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x03FF), 0x3FFp-24)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x7BFF), 65504)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0xFC00), -.infinity)
    }

    func testHalfRoundingAtEveryBoundary() {
        // For each pair of neighbouring halves: the midpoint ties to even; one float ulp either side goes to
        // the nearer one. This covers every rounding decision, normals and subnormals.
        var checked = 0
        for h in UInt16(0)..<0x7BFF {  // 0x7BFF → 0x7C00 (inf) has no finite midpoint
            let lo = HalfPrecision.float(fromHalfBits: h), hi = HalfPrecision.float(fromHalfBits: h + 1)
            let mid = (Double(lo) + Double(hi)) / 2
            let midF = Float(mid)
            guard Double(midF) == mid else { continue }
            let even = h & 1 == 0 ? h : h + 1
            XCTAssertEqual(HalfPrecision.halfBits(from: midF), even, "midpoint after \(h)")
            XCTAssertEqual(HalfPrecision.halfBits(from: midF.nextDown), h)
            XCTAssertEqual(HalfPrecision.halfBits(from: midF.nextUp), h + 1)
            XCTAssertEqual(HalfPrecision.halfBits(from: -midF), 0x8000 | even)
            checked += 1
        }
        XCTAssertEqual(checked, 0x7BFF)
        XCTAssertEqual(HalfPrecision.halfBits(from: 65519.996), 0x7BFF)
        XCTAssertEqual(HalfPrecision.halfBits(from: 65520), 0x7C00, "ties to even overflows to infinity")
        XCTAssertEqual(HalfPrecision.halfBits(from: 0x1p-25), 0x0000, "half the smallest subnormal ties to zero")
        XCTAssertEqual(HalfPrecision.halfBits(from: Float(0x1p-25).nextUp), 0x0001)
        XCTAssertEqual(HalfPrecision.halfBits(from: .leastNonzeroMagnitude), 0)
        XCTAssertEqual(HalfPrecision.halfBits(from: -.leastNonzeroMagnitude), 0x8000)
        XCTAssertEqual(HalfPrecision.halfBits(from: .greatestFiniteMagnitude), 0x7C00)
        XCTAssertEqual(HalfPrecision.halfBits(from: -.infinity), 0xFC00)
        XCTAssertEqual(HalfPrecision.halfBits(from: -.nan), 0xFE00)
    }

    #if !(os(macOS) && arch(x86_64))
    /// Against the standard library's `Float16` on a spread of bit patterns (every 997th float).
    func testHalfMatchesStandardLibraryFloat16() {
        var bits: UInt32 = 0
        while true {
            let f = Float(bitPattern: bits)
            if !f.isNaN {
                let expected = Float16(f).bitPattern
                if HalfPrecision.halfBits(from: f) != expected {
                    return XCTFail("\(f) (\(String(bits, radix: 16))): \(HalfPrecision.halfBits(from: f)) ≠ \(expected)")
                }
            }
            let (next, overflow) = bits.addingReportingOverflow(997)
            if overflow { break }
            bits = next
        }
    }
    #endif

    func testBFloat16() {
        for b in 0...UInt16.max {
            let f = HalfPrecision.float(fromBFloat16Bits: b)
            XCTAssertEqual(f.bitPattern, UInt32(b) << 16)
            if !f.isNaN { XCTAssertEqual(HalfPrecision.bfloat16Bits(from: f), b) }
        }
        // Ties to even: 1 + 2^-8 is halfway between 1 and 1 + 2^-7.
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 0x1p-8), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: (1 + 0x1p-8).nextUp), 0x3F81)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 0x1p-7 + 0x1p-8), 0x3F82)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: .greatestFiniteMagnitude), 0x7F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: -.nan), 0x7FC0)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x0000_8000)), 0x0000, "subnormal tie to even")
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x0001_8000)), 0x0002)
    }
}
