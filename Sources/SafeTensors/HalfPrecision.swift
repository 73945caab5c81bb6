/// Bit-exact conversions between `Float` and the two 16-bit float formats, written out in integer arithmetic
/// because `Float16` is unavailable on Intel Macs and `bfloat16` has no Swift type.
///
/// Widening (16 → 32 bits) is exact for every input, subnormals, infinities and NaN payloads included.
/// Narrowing rounds to nearest, ties to even, and overflows to infinity, as IEEE 754 and PyTorch do; NaN
/// becomes PyTorch's canonical NaN (`sign | 0x7E00` for half, as `c10::detail::fp16_ieee_from_fp32_value`;
/// `0x7FC0` for bfloat16, as `c10::detail::round_to_nearest_even`).
package enum HalfPrecision {
    /// The `Float` an IEEE binary16 bit pattern denotes.
    @inline(__always)
    package static func float(fromHalfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        if exponent == 0 {
            // Subnormal: mantissa × 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }

    /// The IEEE binary16 bit pattern nearest to `value` (ties to even).
    @inline(__always)
    package static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude > 0x7F80_0000 { return sign | 0x7E00 }
        let exponent = Int(magnitude >> 23) - 127
        if exponent > 15 { return sign | 0x7C00 }
        if exponent >= -14 {
            let mantissa = magnitude & 0x007F_FFFF
            var h = UInt32(exponent + 15) << 10 | mantissa >> 13
            let rest = mantissa & 0x1FFF
            // A carry out of the mantissa correctly bumps the exponent, up to infinity (0x7C00).
            if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) { h += 1 }
            return sign | UInt16(h)
        }
        if exponent < -25 { return sign }
        // Subnormal result in units of 2⁻²⁴: the 24-bit significand shifted right by -(exponent + 1).
        let significand = magnitude & 0x007F_FFFF | 0x0080_0000
        let shift = UInt32(-(exponent + 1))
        var h = significand >> shift
        let rest = significand & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        if rest > halfway || (rest == halfway && h & 1 == 1) { h += 1 }
        return sign | UInt16(h)
    }

    /// The `Float` a bfloat16 bit pattern denotes (its top 16 bits).
    @inline(__always)
    package static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even).
    @inline(__always)
    package static func bfloat16Bits(from value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let rounding = 0x7FFF + (bits >> 16) & 1
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
