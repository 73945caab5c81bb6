// One seeded generator drives every random choice of the pipeline, so a run is reproducible bit for bit on every
// platform. The stdlib's `Int.random(in:using:)` is not used: its algorithm is not a documented contract.

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64. Its integer and unit-interval draws are defined
/// here, so the same seed gives the same stream on Linux and Apple platforms and across Swift versions.
package struct PretrainingRandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from SplitMix64(`seed`), as the xoshiro authors recommend.
    package init(seed: UInt64) {
        var mixer = seed
        s0 = Self.splitMix64(&mixer)
        s1 = Self.splitMix64(&mixer)
        s2 = Self.splitMix64(&mixer)
        s3 = Self.splitMix64(&mixer)
    }

    /// A generator for a sub-stream, e.g. (seed, epoch, instance index) for dynamic masking: each part is folded
    /// into the seed through SplitMix64, so neighbouring tuples give unrelated streams.
    package init(seed: UInt64, stream parts: [UInt64]) {
        self.init(seed: Self.derivedSeed(seed, parts))
    }

    /// Folds `parts` into `seed` with SplitMix64's finaliser.
    package static func derivedSeed(_ seed: UInt64, _ parts: [UInt64]) -> UInt64 {
        var state = seed
        var value = splitMix64(&state)
        for part in parts {
            state = value ^ (part &* 0xD6E8_FEB8_6659_FD93)
            value = splitMix64(&state)
        }
        return value
    }

    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits, the analogue of Python's `random.random()`.
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in `range` (both ends included, as Python's `randint`), unbiased by Lemire's rejection method.
    package mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }  // the full 64-bit range
        var product = next().multipliedFullWidth(by: span)
        if product.low < span {
            let threshold = (0 &- span) % span
            while product.low < threshold { product = next().multipliedFullWidth(by: span) }
        }
        return range.lowerBound &+ Int(truncatingIfNeeded: product.high)
    }

    /// Fisher–Yates shuffle in place, drawing with `nextInt(in:)`.
    package mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(in: 0...i)
            if i != j { array.swapAt(i, j) }
        }
    }
}
