import CBERTKernels

/// Reverse-mode autograd by a tape. Ops record themselves only while a tape is recording on the current thread
/// (`record`), so inference builds no graph and keeps no activations. `backward` walks the tape in reverse
/// recording order, so gradients accumulate in the same order on every run.
///
///     let tape = GradientTape()
///     let loss = try tape.record { try model.loss(batch) }
///     try tape.backward(loss)          // parameters' .grad now hold dLoss/dParameter
package final class GradientTape {
    /// One recorded op: the output, its inputs, and the map from the output's gradient to the inputs'.
    struct Entry {
        let output: Tensor
        let inputs: [Tensor]
        let backward: (Tensor) throws -> [Tensor?]
    }

    private(set) var entries: [Entry] = []

    /// An empty tape.
    package init() {}

    /// Number of recorded ops.
    package var count: Int { entries.count }

    /// The tape recording on this thread, if any.
    static var current: GradientTape? {
        guard let p = bert_current_tape() else { return nil }
        return Unmanaged<GradientTape>.fromOpaque(p).takeUnretainedValue()
    }

    /// Whether a tape is recording on this thread (inference-only fast paths check this).
    package static var isRecording: Bool { bert_current_tape() != nil }

    /// Runs `body` with this tape recording the ops it performs on this thread.
    package func record<R>(_ body: () throws -> R) rethrows -> R {
        let previous = bert_current_tape()
        bert_set_current_tape(Unmanaged.passUnretained(self).toOpaque())
        defer { bert_set_current_tape(previous) }
        return try body()
    }

    /// Runs `body` with recording off (e.g. evaluation inside a training step).
    package static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        let previous = bert_current_tape()
        bert_set_current_tape(nil)
        defer { bert_set_current_tape(previous) }
        return try body()
    }

    func append(_ entry: Entry) { entries.append(entry) }

    /// Back-propagates from `output` (seeded with ones, or `seed`) and ADDS each leaf's gradient into its
    /// `.grad`. Leaves are tensors with `requiresGrad` that no recorded op produced (parameters, inputs).
    package func backward(_ output: Tensor, seed: Tensor? = nil) throws {
        try backward(output, seed: seed, whenLeafIsFinal: nil)
    }

    /// `backward(_:seed:)` that also calls `whenLeafIsFinal(leaf)` as soon as a leaf's gradient is complete —
    /// after the last recorded op that uses it has been walked, with `.grad` already updated — instead of only at
    /// the end. Data-parallel training starts all-reducing a bucket of gradients there while the walk goes on
    /// (as PyTorch DDP's autograd hooks do). The gradients are the same, summed in the same order, either way.
    package func backward(_ output: Tensor, seed: Tensor?, whenLeafIsFinal: ((Tensor) throws -> Void)?) throws {
        var grads: [ObjectIdentifier: Tensor] = [:]
        var produced = Set<ObjectIdentifier>()
        for e in entries { produced.insert(ObjectIdentifier(e.output)) }
        let start = seed ?? Tensor.full(output.shape, 1)
        guard start.shape == output.shape else {
            throw TensorError.shapeMismatch(op: "backward(seed:)", lhs: output.shape, rhs: start.shape)
        }
        grads[ObjectIdentifier(output)] = start
        var leaves: [Tensor] = []
        var seenLeaf = Set<ObjectIdentifier>()
        if !produced.contains(ObjectIdentifier(output)), output.requiresGrad { leaves.append(output) }
        // Uses left of each leaf in the entries not yet walked; a leaf is final when its count reaches 0.
        var usesLeft: [ObjectIdentifier: Int] = [:]
        if whenLeafIsFinal != nil {
            for e in entries { for input in e.inputs where input.requiresGrad && !produced.contains(ObjectIdentifier(input)) { usesLeft[ObjectIdentifier(input), default: 0] += 1 } }
        }
        var finished = Set<ObjectIdentifier>()
        func finish(_ leaf: Tensor) throws {
            let id = ObjectIdentifier(leaf)
            if let g = grads.removeValue(forKey: id) {
                if let existing = leaf.grad { try existing.addInPlace(g) } else { leaf.grad = g.copy() }
            }
            finished.insert(id)
        }
        try GradientTape.withoutRecording {
            for e in entries.reversed() {
                if let g = grads.removeValue(forKey: ObjectIdentifier(e.output)) {
                    let inputGrads = try e.backward(g)
                    for (input, ig) in zip(e.inputs, inputGrads) {
                        guard let ig, input.requiresGrad else { continue }
                        let id = ObjectIdentifier(input)
                        if let existing = grads[id] { grads[id] = try existing.adding(ig) } else { grads[id] = ig }
                        if !produced.contains(id), seenLeaf.insert(id).inserted { leaves.append(input) }
                    }
                }
                guard let whenLeafIsFinal else { continue }
                for input in e.inputs where input.requiresGrad {
                    let id = ObjectIdentifier(input)
                    guard let left = usesLeft[id] else { continue }
                    if left > 1 { usesLeft[id] = left - 1; continue }
                    usesLeft[id] = nil
                    try finish(input)
                    try whenLeafIsFinal(input)
                }
            }
            for leaf in leaves where !finished.contains(ObjectIdentifier(leaf)) { try finish(leaf) }
        }
        entries.removeAll()
    }
}

extension Tensor {
    /// Records `self` as the output of an op on `inputs` if a tape is recording and any input needs gradients.
    /// `backward` maps the gradient of `self` to one gradient per input (nil for inputs without one).
    @discardableResult
    func recorded(from inputs: [Tensor], _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard let tape = GradientTape.current, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        tape.append(.init(output: self, inputs: inputs, backward: backward))
        return self
    }

    /// Sets `.grad` to nil.
    package func zeroGrad() { grad = nil }
}
