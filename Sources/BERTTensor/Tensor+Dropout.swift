/// A small, fast, seedable generator (SplitMix64), so dropout and masking are reproducible from a seed.
package struct SeededGenerator: RandomNumberGenerator, Codable, Sendable {
    /// The generator's whole state; saving it in a checkpoint lets a resumed run draw the same numbers.
    package var state: UInt64

    /// A generator started at `seed`.
    package init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform float in [0, 1) with 24 random bits.
    package mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1−p).
    /// Returns `self` unchanged when p is 0. Any shape.
    package func dropout(_ p: Float, generator: inout SeededGenerator) throws -> Tensor {
        guard p >= 0, p < 1 else { throw TensorError.invalidArgument(op: "dropout", message: "probability \(p) is not in [0, 1)") }
        if p == 0 { return self }
        let x = contiguousData()
        let mask = Tensor.empty(shape), out = Tensor.empty(shape)
        let keep = 1 / (1 - p)
        let m = mask.pointer, o = out.pointer, xp = x.pointer
        for i in 0..<count {
            m[i] = generator.nextUnitFloat() < p ? 0 : keep
            o[i] = xp[i] * m[i]
        }
        return out.recorded(from: [self]) { g in [try Tensor.binary(g, mask, MulOp.self, op: "dropout")] }
    }
}
