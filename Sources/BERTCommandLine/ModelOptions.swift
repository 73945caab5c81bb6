import ArgumentParser
import BERT
import Foundation

/// `--model` and `--threads`, shared by every command that loads a model or tokenizer: a folder, or a model id
/// (`ORG/NAME[@revision]`) found in the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).
package struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder, or a model id (ORG/NAME) found in the Hugging Face cache (HF_HUB_CACHE / HF_HOME).")
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
        return try ModelLocator().resolve(model)
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
    do { if let n = try Threads.requested() { Threads.set(n) } } catch {
        throw CommandLineError("BERT_NUM_THREADS=\(error.value) is not a thread count from 1 to \(Threads.maximum); set it to "
            + "one (e.g. 2) or unset it to use every core")
    }
}

/// A model or tokenizer reference given under another option name (`--tokenizer`), resolved like `--model`.
package func resolveModelReference(_ reference: String) throws -> URL {
    try ModelLocator().resolve(reference)
}

/// `--quiet`: no progress display (it shows only on a terminal anyway).
package struct ProgressOptions: ParsableArguments {
    @Flag(name: [.customShort("q"), .long], help: "No progress display on stderr (shown only when stderr is a terminal).")
    package var quiet = false

    package init() {}
}
