import BERTTensor
import CBERTKernels

/// Sums the parameters' gradients over every rank in buckets, as PyTorch DDP's `Reducer` does: parameters are
/// grouped in reverse registration order (the last layers' gradients are complete first in the backward walk) into
/// buckets of about `bucketBytes` (the first one small, so communication starts early); a bucket's MPI_Iallreduce
/// starts as soon as all its gradients are final *and* every earlier bucket has started, so every rank issues the
/// same collectives in the same order whatever its own graph, and every rank ends with the same sums.
///
/// Gradients must be already scaled so that their sum over ranks is the wanted global gradient.
final class GradientBuckets {
    private struct Bucket {
        var parameters: [Tensor]
        var offsets: [Int]
        var count: Int
        var buffer: UnsafeMutablePointer<Float>
        var waiting = 0
        var request: UnsafeMutableRawPointer?
        var started = false
    }

    private let group: DataParallelGroup
    private var buckets: [Bucket] = []
    private var bucketOf: [ObjectIdentifier: Int] = [:]
    private var counted = Set<ObjectIdentifier>()
    private var nextToStart = 0
    /// Buckets whose all-reduce was started before the backward walk ended (for the scaling report).
    private(set) var startedDuringBackward = 0

    /// Buckets over `parameters` (each tensor once) for `group`; sizes as DDP's defaults (1 MiB first, then 25 MiB).
    init(parameters: [Tensor], group: DataParallelGroup, firstBucketBytes: Int = 1 << 20, bucketBytes: Int = 25 << 20) {
        self.group = group
        var current: [Tensor] = [], elements = 0
        func close() {
            guard !current.isEmpty else { return }
            var offsets: [Int] = [], total = 0
            for p in current { offsets.append(total); total += p.count }
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
            for p in current { bucketOf[ObjectIdentifier(p)] = buckets.count }
            buckets.append(Bucket(parameters: current, offsets: offsets, count: total, buffer: buffer))
            current = []; elements = 0
        }
        for p in parameters.reversed() {
            current.append(p)
            elements += p.count
            if elements * MemoryLayout<Float>.size >= (buckets.isEmpty ? firstBucketBytes : bucketBytes) { close() }
        }
        close()
    }

    deinit { for b in buckets { b.buffer.deallocate() } }

    /// Number of buckets.
    var bucketCount: Int { buckets.count }

    /// Readies the buckets for one optimiser step's reduction.
    func beginStep() {
        for i in buckets.indices { buckets[i].waiting = buckets[i].parameters.count; buckets[i].started = false; buckets[i].request = nil }
        counted.removeAll(keepingCapacity: true)
        nextToStart = 0
        startedDuringBackward = 0
    }

    /// The backward walk's hook: `parameter`'s gradient is final.
    func gradientIsFinal(_ parameter: Tensor) throws {
        let id = ObjectIdentifier(parameter)
        guard let b = bucketOf[id], counted.insert(id).inserted else { return }
        buckets[b].waiting -= 1
        let before = nextToStart
        try startReadyBuckets(force: false)
        startedDuringBackward += nextToStart - before
        try poke()
    }

    /// Starts the remaining buckets in order (gradients that never became final, as unused parameters, count as
    /// they are, zero when absent), waits for every all-reduce, and writes the sums back into the gradients.
    func finishStep() throws {
        try startReadyBuckets(force: true)
        for i in buckets.indices {
            try DataParallelGroup.check(bert_mpi_wait(&buckets[i].request), "MPI_Wait")
            let b = buckets[i]
            for (p, offset) in zip(b.parameters, b.offsets) {
                let grad: Tensor
                if let g = p.grad, g.isContiguous { grad = g } else { grad = p.grad?.copy() ?? Tensor.zeros(p.shape); p.grad = grad }
                grad.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: b.buffer + offset, count: p.count) }
            }
        }
    }

    private func startReadyBuckets(force: Bool) throws {
        while nextToStart < buckets.count, force || buckets[nextToStart].waiting == 0 {
            let i = nextToStart
            let b = buckets[i]
            for (p, offset) in zip(b.parameters, b.offsets) {
                if let g = p.grad {
                    g.withUnsafeBufferPointer { (b.buffer + offset).update(from: $0.baseAddress!, count: p.count) }
                } else {
                    (b.buffer + offset).update(repeating: 0, count: p.count)
                }
            }
            var request: UnsafeMutableRawPointer?
            try DataParallelGroup.check(bert_mpi_iallreduce_sum_float(b.buffer, Int32(b.count), &request), "MPI_Iallreduce")
            buckets[i].request = request
            buckets[i].started = true
            nextToStart += 1
        }
    }

    /// Lets Open MPI progress the started all-reduces (non-blocking collectives advance only inside MPI calls).
    private func poke() throws {
        for i in 0..<nextToStart where buckets[i].request != nil {
            var done: Int32 = 0
            try DataParallelGroup.check(bert_mpi_test(&buckets[i].request, &done), "MPI_Test")
        }
    }
}
