import Foundation

/// Why a distillation cannot start: each case is found before any training step, and its message names the
/// folder or option and says how to fix it.
package enum DistillationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Teacher and student tokenise into different vocabularies (sizes, or the ids of the special tokens).
    case vocabularyMismatch(teacher: String, student: String, detail: String)
    /// A layer map entry outside the teacher's layers, a repeated or empty map.
    case invalidLayerMap(map: String, teacherLayers: Int, reason: String)
    /// Student and teacher widths differ where the loss compares them directly, with no projection to bridge them.
    case widthMismatch(what: String, student: Int, teacher: Int, fix: String)
    /// A checkpoint whose tensors are not fp32 (quantised or half-precision): distillation trains in fp32.
    case notFloat32(directory: String, tensor: String, dtype: String)
    /// A teacher or student that the mode cannot use (wrong architecture, unsupported family member).
    case unsupportedModel(directory: String, reason: String)
    /// A teacher-output cache written for another teacher, data set or settings.
    case staleTeacherCache(file: String, reason: String)
    /// Option values that contradict each other or are out of range.
    case invalidOption(name: String, value: String, requirement: String)

    /// The message.
    package var description: String {
        switch self {
        case let .vocabularyMismatch(teacher, student, detail):
            return "teacher \(teacher) and student \(student) use different vocabularies (\(detail)); "
                + "distillation compares token-level outputs, so both must share the teacher's tokenizer"
        case let .invalidLayerMap(map, layers, reason):
            return "layer map \"\(map)\": \(reason); the teacher has \(layers) layers, numbered 0...\(layers - 1) "
                + "(e.g. --layers 0,2,4)"
        case let .widthMismatch(what, student, teacher, fix):
            return "the student's \(what) is \(student) wide but the teacher's is \(teacher); \(fix)"
        case let .notFloat32(directory, tensor, dtype):
            return "\(directory): tensor \(tensor) is \(dtype), not F32; distillation needs an fp32 checkpoint "
                + "(use the original, unquantised model)"
        case let .unsupportedModel(directory, reason):
            return "\(directory): \(reason)"
        case let .staleTeacherCache(file, reason):
            return "\(file): \(reason); delete the cache (it is rebuilt on the next run) or point --cache-teacher elsewhere"
        case let .invalidOption(name, value, requirement):
            return "--\(name) \(value): \(requirement)"
        }
    }
}
