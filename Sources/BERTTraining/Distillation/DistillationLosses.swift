import BERTTensor
import Foundation

/// The losses distillation combines. Each mirrors one PyTorch expression (named on each function) so that
/// `scripts/make_distill_goldens.py` can check value and gradients against it.
package enum DistillationLoss {
    /// `KLDivLoss(reduction="batchmean")(log_softmax(s / T), softmax(t / T)) · T²`, as DistilBERT's `Distiller`
    /// computes `loss_ce` (research_projects/distillation/distiller.py). student, teacher: [rows, classes] logits;
    /// the teacher carries no gradient. "batchmean" divides the sum over every element by the row count.
    package static func softTargetKL(student: Tensor, teacher: Tensor, temperature: Float) throws -> Tensor {
        guard student.rank == 2, student.shape == teacher.shape else {
            throw TensorError.shapeMismatch(op: "softTargetKL", lhs: student.shape, rhs: teacher.shape)
        }
        // One fused pass per row (SoftTargetKL) gives the value and the gradient (q − p)/T. A linear surrogate
        // Σ s·G (G that gradient, held fixed) carries it to the tape, d/ds Σ s·G = G, and its value is swapped
        // for the KL's: no softmax, log-softmax or product tensor of [rows × vocabulary] is made.
        let (rows, n) = (student.shape[0], student.count)
        let (sum, gradient) = SoftTargetKL.sumAndGradient(student: student, teacher: teacher, temperature: temperature)
        let surrogate = try student.contiguous().reshaped([1, n]).matmul(gradient.reshaped([n, 1])).sum()
        let kl = surrogate.adding(Float(sum - Double(surrogate.item)))
        return kl.scaled(by: temperature * temperature / Float(max(rows, 1)))
    }

    /// `CosineEmbeddingLoss(reduction="mean")(s, t, target=1)` = mean over rows of 1 − cos(sᵢ, tᵢ), with PyTorch's
    /// ε = 1e-12 added to each squared norm (aten `cosine_embedding_loss`). s, t: [rows, dim]; t carries no gradient.
    package static func cosineEmbedding(student: Tensor, teacher: Tensor) throws -> Tensor {
        guard student.rank == 2, student.shape == teacher.shape else {
            throw TensorError.shapeMismatch(op: "cosineEmbedding", lhs: student.shape, rhs: teacher.shape)
        }
        let t = teacher.detached()
        let dot = try student.multiplying(t).sum(dim: 1)
        let studentSquares = try student.multiplying(student).sum(dim: 1).adding(1e-12)
        let teacherSquares = try t.multiplying(t).sum(dim: 1).adding(1e-12)
        let cosine = try dot.dividing(by: studentSquares.multiplying(teacherSquares).sqrt())
        return try cosine.mean().scaled(by: -1).adding(1)
    }

    /// `MSELoss()(s, t)`: the mean over every element of (s − t)², as sentence-transformers' `MSELoss` applies it
    /// to student and teacher sentence vectors, and as logit matching uses it. Same shapes; t carries no gradient.
    package static func meanSquaredError(student: Tensor, teacher: Tensor) throws -> Tensor {
        try student.mseLoss(teacher.detached())
    }
}
