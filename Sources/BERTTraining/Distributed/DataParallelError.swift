/// Why data-parallel training could not start or go on. Each message says what to do.
package enum DataParallelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Started by `mpirun`, but Open MPI's library could not be loaded (`reason`: the loader's message).
    case libraryUnavailable(reason: String)
    /// An MPI call returned an error code.
    case callFailed(call: String, code: Int32, message: String)
    /// The batch source of this run cannot be split between ranks.
    case sourceNotShardable(source: String)
    /// The ranks do not agree on something they must share (the step they resume from, the parameter count).
    case ranksDisagree(what: String, rank0: Double, thisRank: Double, rank: Int)
    /// A step's loss has more parts than the all-reduce of their counts carries.
    case tooManyLossTerms(count: Int, limit: Int)

    /// The message.
    package var description: String {
        switch self {
        case let .libraryUnavailable(reason):
            return "started by mpirun, but Open MPI's libmpi.so.40 cannot be loaded (\(reason)); install it with "
                + "`apt-get install openmpi-bin libopenmpi-dev`, or set BERT_MPI_LIBRARY to the library's path"
        case let .callFailed(call, code, message):
            return "\(call) failed with MPI error \(code) (\(message)); another rank probably stopped: see its message"
        case let .sourceNotShardable(source):
            return "\(source) cannot be split between MPI ranks; run this command without mpirun"
        case let .ranksDisagree(what, rank0, mine, rank):
            return "MPI ranks disagree on \(what): rank 0 has \(rank0), rank \(rank) has \(mine); every rank must see the same "
                + "output folder and data (a shared file system) and run the same command"
        case let .tooManyLossTerms(count, limit):
            return "a training step reported \(count) loss terms; data-parallel training supports at most \(limit)"
        }
    }
}
