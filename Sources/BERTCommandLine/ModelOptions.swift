import ArgumentParser
import BERT
import BERTTraining
import Foundation

/// `--model` and `--threads`, shared by every command that loads a model or tokenizer: a folder, or a model id
/// (`ORG/NAME[@revision]`) found in the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub)
/// or else downloaded from the Hub into it (not with HF_HUB_OFFLINE=1).
package struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder, or a model id (ORG/NAME[@revision]): taken from the Hugging Face cache, else downloaded into it.")
    package var model: String

    @Option(help: "Threads for the kernels (default: all cores, or BERT_NUM_THREADS).")
    package var threads: Int?

    package init() {}

    package func validate() throws {
        if let threads { try validateCount(threads, "--threads", max: Threads.maximum) }
    }

    /// The model folder, resolved; sets the thread count first.
    package func directory() throws -> URL {
        try applyThreads(threads)
        return try resolveModelReference(model)
    }
}

/// Sets the kernels' thread count from `threads`, else from `BERT_NUM_THREADS` (which must then be a whole
/// number from 1 to 4096: a typo is an error rather than silently all cores).
package func applyThreads(_ threads: Int?) throws {
    if let threads {
        Threads.set(threads)
        return
    }
    // The library falls back to every core on a bad BERT_NUM_THREADS; the command line refuses it instead, so a
    // typo is seen.
    do {
        if let n = try Threads.requested() {
            Threads.set(n)
        } else if let launch = MPILaunch.detect(), launch.localSize > 1 {
            // Ranks sharing a host share its cores: no oversubscription unless asked for.
            Threads.set(launch.threadsPerRank())
        }
    } catch {
        throw CommandLineError("BERT_NUM_THREADS=\(error.value) is not a thread count from 1 to \(Threads.maximum); set it to "
            + "one (e.g. 2) or unset it to use every core")
    }
}

/// A model or tokenizer reference (`--model`, `--tokenizer`): a folder, a model id in the Hugging Face cache, or
/// else a model id downloaded from the Hub into the cache (with a progress display on a terminal).
package func resolveModelReference(_ reference: String) throws -> URL {
    let progress = DownloadProgress(quiet: false)
    defer { progress.finish() }
    return try HubDownloader().locate(reference, progress: progress.update)
}

/// Downloads `id` into the cache with a per-file progress display (bytes, rate, ETA) and returns its snapshot.
package func downloadModel(_ id: String, revision: String, include: [String]?, settings: HubSettings = HubSettings(),
                           quiet: Bool) throws -> URL {
    let progress = DownloadProgress(quiet: quiet)
    defer { progress.finish() }
    return try HubDownloader(settings: settings).download(id, revision: revision, include: include, progress: progress.update)
}

/// One progress display per downloaded file: `ORG/NAME [2/8] model.safetensors 12.3 MB/90.9 MB  8.1 MB/s  ETA 0:09`.
final class DownloadProgress {
    private let quiet: Bool
    private var display: ProgressDisplay?
    private var shownFile = 0

    init(quiet: Bool) { self.quiet = quiet }

    func update(_ progress: HubDownloadProgress) {
        if progress.fileIndex != shownFile {
            display?.finish()
            shownFile = progress.fileIndex
            display = ProgressDisplay("[\(progress.fileIndex)/\(progress.fileCount)] \(progress.file)",
                                      total: progress.totalBytes.map { Int($0) }, bytes: true, quiet: quiet)
        }
        display?.update(Int(progress.bytes))
    }

    func finish() { display?.finish() }
}

/// `--quiet`: no progress display (it shows only on a terminal anyway).
package struct ProgressOptions: ParsableArguments {
    @Flag(name: [.customShort("q"), .long], help: "No progress display on stderr (shown only when stderr is a terminal).")
    package var quiet = false

    package init() {}
}

/// `--model` and `--threads` where the model may come from elsewhere (`bert search --index` takes the index's).
package struct OptionalModelOptions: ParsableArguments {
    @Option(help: "Model folder or id (default: the one the index was built with).")
    package var model: String?

    @Option(help: "Threads for the kernels (default: all cores, or BERT_NUM_THREADS).")
    package var threads: Int?

    package init() {}

    package func validate() throws {
        if let threads { try validateCount(threads, "--threads", max: Threads.maximum) }
    }

    /// The folder of `--model`, else of `fallback`; sets the thread count first.
    package func directory(fallback: String) throws -> URL {
        try applyThreads(threads)
        return try resolveModelReference(model ?? fallback)
    }
}
