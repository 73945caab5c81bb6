import BERTHub
import Foundation

/// How a run treats an output folder that already holds a run.
public enum RunStart: String, Sendable, Equatable, CaseIterable {
    /// Continue from the newest checkpoint, if any (the default).
    case resume
    /// Start over; refuse when the folder holds an earlier run, so nothing is mixed or lost.
    case startOver
    /// Delete the earlier run's files, then start over; refuse, deleting nothing, when the folder holds anything a
    /// run does not write.
    case overwrite
}

/// A training or fine-tuning run's output folder: locked for the run's lifetime and checked (or cleared) according
/// to a `RunStart`.
///
/// The files a run writes are `checkpoint-N/` and their `.checkpoint-N.partial/` temporaries, `log.jsonl`,
/// `loss.svg`, `metric.svg`, `summary.json`, `best/`, `last/` (and their `.partial` temporaries), plus the lock file.
/// Overwrite deletes only these; anything else in the folder stops it with `TrainingError.unknownContent`, so a
/// mistyped `--output ~` never deletes a user's files.
package enum TrainingOutputFolder {
    /// Plain files a run writes at the folder's top level.
    package static let runFiles: Set<String> = ["log.jsonl", "loss.svg", "metric.svg", "summary.json"]
    /// Folders a run writes at the top level besides `checkpoint-N`.
    package static let runFolders: Set<String> = ["best", "last"]

    /// Whether `name` (a top-level entry of a run folder) is something a run writes (the lock file excluded).
    package static func isRunItem(_ name: String) -> Bool {
        if runFiles.contains(name) || runFolders.contains(name) { return true }
        var core = Substring(name)
        if core.hasPrefix("."), core.hasSuffix(".partial") { core = core.dropFirst().dropLast(".partial".count) }
        if runFolders.contains(String(core)) && core != Substring(name) { return true }
        guard core.hasPrefix("checkpoint-") else { return false }
        let number = core.dropFirst("checkpoint-".count)
        return !number.isEmpty && number.allSatisfy { $0 >= "0" && $0 <= "9" }
    }

    /// The entries of `folder` that an earlier run wrote, sorted.
    package static func earlierRunItems(in folder: URL) -> [String] {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return items.filter(isRunItem).sorted()
    }

    /// Creates and locks `folder`, then applies `start`: `.resume` leaves it as it is, `.startOver` throws
    /// `TrainingError.earlierRunPresent` when it holds an earlier run, `.overwrite` deletes the earlier run.
    /// Keep the returned lock until the run ends.
    /// - Throws: `OutputFolderLockError.held` when another run has the folder; `TrainingError` as above.
    ///
    /// Under `mpirun` only rank 0 locks and checks (or clears) the folder; the other ranks get a lock object that
    /// holds nothing, and wait in a barrier until rank 0 has done so (if rank 0 fails, the job ends).
    package static func open(_ folder: URL, start: RunStart) throws -> OutputFolderLock {
        if let group = try DataParallelGroup.joined(), group.size > 1 {
            let lock = group.isWriter ? try openAlone(folder, start: start) : OutputFolderLock(heldByAnotherRank: folder)
            try group.barrier()
            return lock
        }
        return try openAlone(folder, start: start)
    }

    private static func openAlone(_ folder: URL, start: RunStart) throws -> OutputFolderLock {
        let lock = try OutputFolderLock(folder: folder)
        let fm = FileManager.default
        let earlier = earlierRunItems(in: folder)
        switch start {
        case .resume:
            break
        case .startOver:
            guard earlier.isEmpty else { throw TrainingError.earlierRunPresent(folder: folder.path, items: earlier) }
        case .overwrite:
            let all = try fm.contentsOfDirectory(atPath: folder.path).sorted()
            if let other = all.first(where: { $0 != OutputFolderLock.fileName && !isRunItem($0) }) {
                throw TrainingError.unknownContent(folder: folder.path, item: other)
            }
            for name in earlier { try fm.removeItem(at: folder.appendingPathComponent(name)) }
        }
        return lock
    }
}
