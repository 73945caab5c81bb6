import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert download`: fetch a model from the Hugging Face Hub into the shared cache ahead of time.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a model from the Hugging Face Hub into the shared cache and print its folder.",
        discussion: """
            By default only the files a model needs: config, safetensors weights (never pickles), tokenizer files and \
            sentence-transformers module folders. The cache is the one huggingface_hub uses (HF_HUB_CACHE, else \
            HF_HOME/hub, else ~/.cache/huggingface/hub); HF_ENDPOINT picks a mirror, HF_TOKEN (or the token file) \
            gives access to gated and private models. An interrupted download continues where it stopped.
            Examples:
              bert download sentence-transformers/all-MiniLM-L6-v2
              bert download BAAI/bge-small-en-v1.5 --revision main --include "*.json" --include "*.safetensors"
            """)

    @Argument(help: "Model id (ORG/NAME).") var id: String
    @Option(help: "Branch, tag or commit.") var revision: String = "main"
    @Option(help: "Download only files matching this glob (repeatable; * also matches /; a trailing / means a folder).")
    var include: [String] = []
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        guard let parsed = ModelLocator.modelId(id), parsed.revision == nil else {
            throw ValidationError("\"\(id)\" is not a model id (ORG/NAME); give a revision with --revision")
        }
    }

    func run() throws {
        let settings = HubSettings()
        let folder = try downloadModel(id, revision: revision, include: include.isEmpty ? nil : include,
                                       settings: settings, quiet: progressOptions.quiet)
        try StandardOutput.line(folder.path)
    }
}
