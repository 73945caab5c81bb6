import BERTKernels
import BERTTensor
import Foundation

/// `torch.optim.AdamW`: decoupled weight decay, bias-corrected moments.
///
///     p ← p − lr·λ·p;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
///
/// Parameters whose key ends in `bias` or names a LayerNorm weight get no decay, as BERT's recipe says.
package final class AdamW {
    /// One parameter's optimiser state.
    package struct Slot {
        /// The checkpoint key.
        package let key: String
        /// The parameter.
        package let parameter: Tensor
        /// First and second moment estimates.
        package var m: [Float], v: [Float]
        /// Whether weight decay applies.
        package let decays: Bool
    }

    /// Learning rate (set by a schedule each step).
    package var learningRate: Float
    /// β₁, β₂.
    package let beta1: Float, beta2: Float
    /// ε in the denominator.
    package let eps: Float
    /// Decoupled weight-decay factor λ.
    package let weightDecay: Float
    /// Steps taken (t).
    package private(set) var step = 0
    /// Per-parameter state, in the model's parameter order.
    package private(set) var slots: [Slot]

    /// An optimiser over `parameters` (named, as `Module.namedParameters()` gives them; shared tensors once).
    package init(parameters: [(key: String, tensor: Tensor)], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0.01, noDecay: (String) -> Bool = AdamW.isNoDecayKey) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        var seen = Set<ObjectIdentifier>()
        slots = parameters.filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }.map {
            Slot(key: $0.key, parameter: $0.tensor, m: [Float](repeating: 0, count: $0.tensor.count),
                 v: [Float](repeating: 0, count: $0.tensor.count), decays: !noDecay($0.key))
        }
    }

    /// BERT's no-decay rule: biases and LayerNorm weights.
    package static func isNoDecayKey(_ key: String) -> Bool {
        key.hasSuffix("bias") || key.contains("LayerNorm.") || key.contains("layer_norm.") || key.hasSuffix("_layer_norm.weight")
    }

    /// Applies one update from each parameter's `.grad` (parameters without a gradient are skipped, as PyTorch does).
    package func update() {
        step += 1
        let bc1 = 1 - powf(beta1, Float(step)), bc2 = 1 - powf(beta2, Float(step))
        let lr = learningRate, b1 = beta1, b2 = beta2, e = eps, decay = 1 - learningRate * weightDecay
        for i in slots.indices {
            guard let grad = slots[i].parameter.grad else { continue }
            let p = slots[i].parameter.pointer
            let d = slots[i].decays ? decay : 1
            var mArray = [Float](), vArray = [Float]()
            swap(&mArray, &slots[i].m)
            swap(&vArray, &slots[i].v)
            defer { swap(&mArray, &slots[i].m); swap(&vArray, &slots[i].v) }
            grad.withUnsafeBufferPointer { g in
                mArray.withUnsafeMutableBufferPointer { m in
                    vArray.withUnsafeMutableBufferPointer { v in
                        for j in 0..<g.count {
                            p[j] *= d
                            m[j] = b1 * m[j] + (1 - b1) * g[j]
                            v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                            let denom = (v[j] / bc2).squareRoot() + e
                            p[j] -= lr * (m[j] / bc1) / denom
                        }
                    }
                }
            }
        }
    }

    /// Restores state saved from `slots` (resuming a run).
    package func restore(step: Int, moments: [String: (m: [Float], v: [Float])]) {
        self.step = step
        for i in slots.indices { if let s = moments[slots[i].key] { slots[i].m = s.m; slots[i].v = s.v } }
    }
}

/// Clips gradients by their global L2 norm as `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping.
@discardableResult
package func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) throws -> Float {
    var total: Double = 0
    for p in parameters {
        p.grad?.withUnsafeBufferPointer { g in for v in g { total += Double(v) * Double(v) } }
    }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in parameters {
            guard let g = p.grad else { continue }
            g.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] *= coef } }
        }
    }
    return norm
}

/// `get_linear_schedule_with_warmup`: the learning-rate multiplier rises linearly over `warmupSteps`, then falls
/// linearly to 0 at `totalSteps`.
package struct LinearWarmupSchedule: Codable, Sendable {
    /// The peak learning rate.
    package let peak: Float
    /// Steps of warm-up.
    package let warmupSteps: Int
    /// Steps in the whole run.
    package let totalSteps: Int

    /// A schedule.
    package init(peak: Float, warmupSteps: Int, totalSteps: Int) { self.peak = peak; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps }

    /// The learning rate to use for the update after `step` completed updates (0-based, as the PyTorch LambdaLR sees it).
    package func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        return peak * max(0, Float(totalSteps - step) / Float(max(1, totalSteps - warmupSteps)))
    }
}
