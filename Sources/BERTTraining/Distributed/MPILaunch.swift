import Foundation

/// How this process was started: alone, or as one rank of an Open MPI job, read from the variables `mpirun` sets
/// in each rank's environment (Open MPI's `OMPI_COMM_WORLD_*`, PMIx's `PMIX_RANK`). Reading the environment needs
/// no MPI library, so a plain run never loads one.
package struct MPILaunch: Sendable, Equatable {
    /// Ranks in the job (`OMPI_COMM_WORLD_SIZE`), or nil when only PMIx's variables say we are under a launcher.
    package var worldSize: Int?
    /// This process's rank (`OMPI_COMM_WORLD_RANK`, else `PMIX_RANK`).
    package var rank: Int
    /// Ranks of the job on this host (`OMPI_COMM_WORLD_LOCAL_SIZE`), for the thread count; 1 when unknown.
    package var localSize: Int

    /// A launch with these figures.
    package init(worldSize: Int?, rank: Int, localSize: Int) {
        self.worldSize = worldSize; self.rank = rank; self.localSize = localSize
    }

    /// The launch described by `environment`, or nil when the process was not started by `mpirun`.
    package static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> MPILaunch? {
        func number(_ key: String) -> Int? { environment[key].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        let size = number("OMPI_COMM_WORLD_SIZE")
        guard let rank = number("OMPI_COMM_WORLD_RANK") ?? number("PMIX_RANK"), size != nil || environment["PMIX_RANK"] != nil else {
            return nil
        }
        return MPILaunch(worldSize: size, rank: rank, localSize: max(number("OMPI_COMM_WORLD_LOCAL_SIZE") ?? 1, 1))
    }

    /// Threads for each rank when the user chose none: the host's cores shared by the ranks on it, so `mpirun -np 2`
    /// on two cores runs one thread per rank instead of four threads fighting for two cores.
    package func threadsPerRank(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, cores / localSize)
    }
}
