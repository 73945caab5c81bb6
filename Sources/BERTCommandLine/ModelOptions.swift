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
        if let threads, threads < 1 || threads > 4096 {
            throw ValidationError("--threads must be between 1 and 4096, not \(threads)")
        }
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
    if let value = ProcessInfo.processInfo.environment["BERT_NUM_THREADS"] {
        guard let n = Int(value.trimmingCharacters(in: .whitespaces)), (1...4096).contains(n) else {
            throw CommandLineError("BERT_NUM_THREADS must be a whole number from 1 to 4096, not \"\(value)\" (unset it to use every core)")
        }
        Threads.set(n)
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
