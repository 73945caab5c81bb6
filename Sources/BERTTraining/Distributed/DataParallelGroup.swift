import BERTKernels
import BERTTensor
import CBERTKernels
import Foundation

/// The ranks of an `mpirun` job training one model together (PyTorch's default process group, Horovod's world):
/// MPI_COMM_WORLD through Open MPI loaded at run time (mpi_loader.c). A process started without `mpirun` has no
/// group and trains exactly as before.
///
/// MPI is used from the training thread only (MPI_THREAD_FUNNELED); the kernels' worker threads never call it.
package final class DataParallelGroup: @unchecked Sendable {
    /// This process's rank, 0 ..< size.
    package let rank: Int
    /// Ranks in the job.
    package let size: Int
    /// Distinct hosts of the job (ranks whose local rank is 0, summed).
    package let hostCount: Int
    /// MPI_Get_processor_name of this rank.
    package let processorName: String
    /// The loaded MPI library.
    package let library: String

    /// Whether this rank writes files and logs (rank 0 alone does).
    package var isWriter: Bool { rank == 0 }

    /// One line for logs and `--ranks-info`: ranks, hosts and the all-reduce backend.
    package var summary: String {
        "MPI: \(size) rank\(size == 1 ? "" : "s") on \(hostCount) host\(hostCount == 1 ? "" : "s") (rank \(rank) on \(processorName)); "
            + "gradients averaged by MPI_Iallreduce in buckets (Open MPI, \(library))"
    }

    /// `group.summary`, or for a process not started by `mpirun`, that it trains alone and whether MPI could be used.
    package static func describe(_ group: DataParallelGroup?) -> String {
        if let group { return group.summary }
        let library = bert_mpi_load() == 1 ? "Open MPI found at \(String(cString: bert_mpi_library()))"
            : "Open MPI not found (\(String(cString: bert_mpi_load_failure()))): apt-get install openmpi-bin libopenmpi-dev"
        return "MPI: not started by mpirun: 1 process, no all-reduce; \(library); run `mpirun -np N bert ...` to train data-parallel"
    }

    private init(rank: Int, size: Int, hostCount: Int, processorName: String, library: String) {
        self.rank = rank; self.size = size; self.hostCount = hostCount; self.processorName = processorName; self.library = library
    }

    /// This process's membership of an MPI job: joined at most once, left at most once. The process owns it (MPI is
    /// per process), so it lives here behind one lock rather than in any run's state.
    private struct Membership {
        var joined: Result<DataParallelGroup?, DataParallelError>?
        var left = false
        var isStarted: Bool { if case .success(let g)? = joined { g != nil } else { false } }
    }
    private static let membership = Locked(Membership())

    /// The job this process belongs to, joined (MPI_Init_thread) on first use; nil when not started by `mpirun`.
    /// - Throws: `DataParallelError.libraryUnavailable` when started by `mpirun` without a loadable Open MPI.
    package static func joined(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DataParallelGroup? {
        try membership.withLock { state in
            if let joined = state.joined { return try joined.get() }
            let result: Result<DataParallelGroup?, DataParallelError>
            if let launch = MPILaunch.detect(environment: environment) {
                do { result = .success(try join(launch)) } catch let error as DataParallelError { result = .failure(error) } catch {
                    result = .failure(.libraryUnavailable(reason: "\(error)"))
                }
            } else {
                result = .success(nil)
            }
            state.joined = result
            return try result.get()
        }
    }

    /// Whether MPI was started in this process (so the process must finalise or abort it before exiting).
    package static var isStarted: Bool { membership.withLock { $0.isStarted } }

    private static func join(_ launch: MPILaunch) throws -> DataParallelGroup {
        guard bert_mpi_load() == 1 else { throw DataParallelError.libraryUnavailable(reason: String(cString: bert_mpi_load_failure())) }
        var provided: Int32 = 0
        try check(bert_mpi_init(&provided), "MPI_Init_thread")
        var rank: Int32 = 0, size: Int32 = 0
        try check(bert_mpi_rank(&rank), "MPI_Comm_rank")
        try check(bert_mpi_size(&size), "MPI_Comm_size")
        var name = [CChar](repeating: 0, count: 257)
        try check(bert_mpi_processor_name(&name, Int32(name.count)), "MPI_Get_processor_name")
        let localRank = Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_RANK"] ?? "") ?? Int(rank)
        var hosts: [Double] = [localRank == 0 ? 1 : 0]
        try check(bert_mpi_allreduce_sum_double(&hosts, 1), "MPI_Allreduce")
        // A job that ends without MPI_Finalize must not leave the other ranks waiting: see `leave(status:)`.
        atexit { DataParallelGroup.abortIfRunning() }
        return DataParallelGroup(rank: Int(rank), size: Int(size), hostCount: max(Int(hosts[0]), 1),
                                 processorName: name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) },
                                 library: String(cString: bert_mpi_library()))
    }

    /// Throws `callFailed` for a non-zero MPI return code.
    static func check(_ code: Int32, _ call: String) throws {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        bert_mpi_error_string(code, &text, Int32(text.count))
        throw DataParallelError.callFailed(call: call, code: code, message: text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Ends this process's part in the job before `exit(status)`: MPI_Finalize after success; MPI_Abort after a
    /// failure, so the other ranks stop instead of waiting forever in an all-reduce this rank will never join.
    /// Does nothing when MPI was never started.
    package static func leave(status: Int32) {
        let leaving = membership.withLock { state in
            guard state.isStarted, !state.left else { return false }
            state.left = true
            return true
        }
        guard leaving else { return }
        if status == 0 { _ = bert_mpi_finalize() } else { bert_mpi_abort(status) }
    }

    private static func abortIfRunning() {
        let leaving = membership.withLock { state in
            guard !state.left else { return false }
            state.left = true
            return true
        }
        if leaving { bert_mpi_abort(1) }
    }

    /// Sums `values` over every rank, in place (small buffers: counts, losses).
    package func sum(_ values: inout [Double]) throws {
        guard size > 1, !values.isEmpty else { return }
        try Self.check(bert_mpi_allreduce_sum_double(&values, Int32(values.count)), "MPI_Allreduce")
    }

    /// Rank 0's `value`, checked against this rank's: throws `ranksDisagree` naming `what` when they differ.
    package func checkSame(_ value: Double, what: String) throws {
        guard size > 1 else { return }
        var shared = [value]
        try Self.check(bert_mpi_bcast_double(&shared, 1, 0), "MPI_Bcast")
        guard shared[0] == value else { throw DataParallelError.ranksDisagree(what: what, rank0: shared[0], thisRank: value, rank: rank) }
    }

    /// Overwrites `tensors` (contiguous parameters) with rank 0's values, as DDP does when it wraps a model, so
    /// every rank starts from the same weights whatever each initialised or loaded.
    package func broadcastFromRank0(_ tensors: [Tensor]) throws {
        guard size > 1 else { return }
        for t in tensors {
            try t.withUnsafeMutableBufferPointer { b in
                var offset = 0
                while offset < b.count {
                    let n = min(b.count - offset, Int(Int32.max))
                    try Self.check(bert_mpi_bcast_float(b.baseAddress! + offset, Int32(n), 0), "MPI_Bcast")
                    offset += n
                }
            }
        }
    }

    /// Sums `count` floats at `buffer` over every rank, in place, with one blocking MPI_Allreduce (the benchmark's
    /// all-reduce alone, without any overlap).
    package func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        guard size > 1 else { return }
        var offset = 0
        while offset < count {
            let n = min(count - offset, Int(Int32.max))
            try Self.check(bert_mpi_allreduce_sum_float(buffer + offset, Int32(n)), "MPI_Allreduce")
            offset += n
        }
    }

    /// Waits until every rank gets here.
    package func barrier() throws {
        guard size > 1 else { return }
        try Self.check(bert_mpi_barrier(), "MPI_Barrier")
    }
}
