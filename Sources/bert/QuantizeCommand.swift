import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert quantize`: a model folder with its encoder's linear weights stored int8 (docs/quantization.md).
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize", abstract: "Write a copy of a model with int8 encoder weights (about a quarter of the size).",
        discussion: """
            Every file of the model folder is copied; each .safetensors file's encoder linear weights are stored \
            int8 per output channel with their scales (other tensors unchanged). The copy loads without quantising \
            again: `bert embed --model OUT --dtype int8` runs the stored integers; with --dtype fp32 they are \
            dequantised. Training and fine-tuning refuse it.
              bert quantize --model models/all-MiniLM-L6-v2 --output models/all-MiniLM-L6-v2-int8 --dtype int8
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Folder to write (created; must not be the model folder).") var output: String
    @OptionGroup var inferenceOptions: InferenceOptions

    func validate() throws {
        guard inferenceOptions.dtype == .int8 else { throw ValidationError("bert quantize writes int8 only: give --dtype int8") }
    }

    func run() throws {
        let source = try modelOptions.directory().standardizedFileURL.resolvingSymlinksInPath()
        let destination = URL(fileURLWithPath: output).standardizedFileURL
        guard destination.resolvingSymlinksInPath().path != source.path else {
            throw CommandLineError("--output is the model folder itself; give another folder")
        }
        let lock = try OutputFolderLock(folder: destination)
        defer { withExtendedLifetime(lock) {} }
        let precision = try inferenceOptions.precision()
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: source, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles]) else {
            throw CommandLineError("cannot read \(source.path)")
        }
        var quantized = 0, kept = 0, before = 0, after = 0
        for case let file as URL in walker {
            // Relative to the folder as walked: a Hub cache snapshot's files are links into its blobs.
            guard file.path.hasPrefix(source.path + "/") else { continue }
            let relative = String(file.path.dropFirst(source.path.count + 1))
            let target = destination.appendingPathComponent(relative)
            if (try file.resourceValues(forKeys: [.isDirectoryKey])).isDirectory == true {
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
                continue
            }
            if file.pathExtension == "safetensors", let summary = try quantizedCopy(file, to: target, precision: precision) {
                (quantized, kept) = (quantized + summary.quantized.count, kept + summary.keptFP32.count)
                (before, after) = (before + summary.sourceBytes, after + summary.writtenBytes)
                continue
            }
            if file.lastPathComponent == "pytorch_model.bin" || file.pathExtension == "onnx" { continue }  // fp32 copies
            try copyAtomically(file, to: target)
        }
        guard quantized + kept > 0 else {
            throw CommandLineError("\(source.path) has no .safetensors file with encoder layer weights to quantise")
        }
        try StandardOutput.line("\(destination.path): \(quantized) weights int8, \(kept) kept fp32; tensors \(megabytes(before)) → \(megabytes(after))")
    }

    /// The quantised copy of `file`, or nil (nothing written) when it holds no encoder weights.
    func quantizedCopy(_ file: URL, to target: URL, precision: InferencePrecision) throws -> QuantizedCheckpoint.Summary? {
        try QuantizedCheckpoint.quantize(SafeTensorsFile(url: file), to: target, precision: precision)
    }

    /// Copies through a temporary file renamed into place, so a killed run never leaves a half-written file.
    func copyAtomically(_ file: URL, to target: URL) throws {
        let fm = FileManager.default
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.copyItem(at: file.resolvingSymlinksInPath(), to: temporary)
        if fm.fileExists(atPath: target.path) { _ = try fm.replaceItemAt(target, withItemAt: temporary) } else { try fm.moveItem(at: temporary, to: target) }
    }

    func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
