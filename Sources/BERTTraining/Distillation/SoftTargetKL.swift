import BERTKernels
import BERTTensor
import Foundation

/// DistilBERT's soft-target KL term in one fused pass per row. For the vocabulary-wide rows of `--mode mlm` the
/// composed form (scale, softmax, log-softmax, product, sum, and their backward passes) walks [rows × vocabulary]
/// a dozen times; here each row is read once, its value summed in Double and its gradient written once.
enum SoftTargetKL {
    /// Σ over rows of KL(p ‖ q), p = softmax(teacher / T), q = softmax(student / T), for logits [rows, cols], and
    /// the gradient of that sum with respect to the student's logits, (q − p) / T, as a new [rows, cols] tensor.
    /// Rows are split across cores; each row's value is a Double and rows are added in order, so the result does
    /// not depend on the thread count. A teacher probability that underflows to 0 adds 0, as KLDivLoss's xlogy.
    ///
    ///     KL(p ‖ q) = Σ p·(t − s)/T + (max s − max t)/T + log Σ exp((s − max s)/T) − log Σ exp((t − max t)/T)
    static func sumAndGradient(student: Tensor, teacher: Tensor, temperature: Float) -> (sum: Double, gradient: Tensor) {
        let (rows, cols) = (student.shape[0], student.shape[1])
        let gradient = Tensor.empty([rows, cols])
        guard rows > 0, cols > 0 else { return (0, gradient) }
        let inverse = 1 / temperature
        let out = gradient.pointer
        var perRow = [Double](repeating: 0, count: rows)
        student.withUnsafeBufferPointer { sb in
            teacher.withUnsafeBufferPointer { tb in
                perRow.withUnsafeMutableBufferPointer { rb in
                    let (student, teacher, results) = (sb.baseAddress!, tb.baseAddress!, rb.baseAddress!)
                    Parallel.forEachChunk(rows, minimumChunk: max(1, (1 << 15) / cols)) { range in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: cols)
                        defer { scratch.deallocate() }
                        for r in range {
                            let s = student + r * cols, t = teacher + r * cols, q = out + r * cols
                            let (ms, mt) = (rowMax(s, cols), rowMax(t, cols))
                            for j in 0..<cols { q[j] = (s[j] - ms) * inverse }
                            for j in 0..<cols { scratch[j] = (t[j] - mt) * inverse }
                            // One row is below the kernels' parallel grain: these run on this thread.
                            Kernels.exp(q, q, cols)
                            Kernels.exp(scratch, scratch, cols)
                            let (sumS, sumT) = (rowSum(q, cols), rowSum(scratch, cols))
                            let cross = crossAndGradient(q: q, p: scratch, s: s, t: t, cols, invS: 1 / sumS, invT: 1 / sumT, scale: inverse)
                            results[r] = cross * Double(inverse) + Double(ms - mt) * Double(inverse) + log(Double(sumS)) - log(Double(sumT))
                        }
                    }
                }
            }
        }
        return (perRow.reduce(0, +), gradient)
    }

    /// max of x[0..<n], eight lanes at a time (Swift does not turn a scalar reduction into vector code itself).
    @inline(__always)
    static func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var j = 0
        while j + 8 <= n { lanes = pointwiseMax(lanes, UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)); j += 8 }
        var m = lanes.max()
        while j < n { m = Swift.max(m, x[j]); j += 1 }
        return m
    }

    /// Σ x[0..<n] in eight lanes.
    @inline(__always)
    static func rowSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n { lanes += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self); j += 8 }
        var sum = lanes.sum()
        while j < n { sum += x[j]; j += 1 }
        return sum
    }

    /// With the shifted exponentials e_s in q and e_t in p: returns Σ p·(t − s) for p = e_t·invT (Float lanes
    /// flushed into a Double every 4,096 elements) and overwrites q with (e_s·invS − p)·scale.
    @inline(__always)
    static func crossAndGradient(q: UnsafeMutablePointer<Float>, p: UnsafePointer<Float>, s: UnsafePointer<Float>,
                                 t: UnsafePointer<Float>, _ n: Int, invS: Float, invT: Float, scale: Float) -> Double {
        var lanes = SIMD8<Float>(repeating: 0)
        var total = 0.0
        var j = 0
        while j + 8 <= n {
            let pj = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self) * invT
            let diff = UnsafeRawPointer(t + j).loadUnaligned(as: SIMD8<Float>.self) - UnsafeRawPointer(s + j).loadUnaligned(as: SIMD8<Float>.self)
            lanes += pj * diff
            let g = (UnsafeRawPointer(q + j).loadUnaligned(as: SIMD8<Float>.self) * invS - pj) * scale
            UnsafeMutableRawPointer(q + j).storeBytes(of: g, as: SIMD8<Float>.self)
            j += 8
            if j & 4095 == 0 { total += Double(lanes.sum()); lanes = .zero }
        }
        total += Double(lanes.sum())
        while j < n {
            let pj = p[j] * invT
            total += Double(pj * (t[j] - s[j]))
            q[j] = (q[j] * invS - pj) * scale
            j += 1
        }
        return total
    }
}
