import BERTJSON
import Foundation

/// One measurement printed by `scripts/bench_reference.py` (a JSON line).
struct ReferenceMeasurement: Decodable {
    let name: String
    let runtime: String
    let value: Double
    let unit: String
}

/// Runs a Python reference benchmark script under scripts/ (bench_reference.py unless named) and decodes its JSON lines.
func runReference(python: String, arguments: [String], script name: String = "bench_reference.py") throws -> [ReferenceMeasurement] {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/" + name).standardized
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script.path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
        try? JSONCoding.decode(ReferenceMeasurement.self, from: JSONValue.parse(String($0)))
    }
}
