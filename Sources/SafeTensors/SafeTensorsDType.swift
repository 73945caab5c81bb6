// The element types of the safetensors format, mirroring `Dtype` in huggingface/safetensors
// (safetensors/src/tensor.rs). The declaration order there is also the writer's sort key, kept in `sortRank`.

/// An element type as written in a safetensors header (`"F32"`, `"BF16"`, ...).
///
/// Every dtype the reference library knows is parsed and validated; `SafeTensorsFile.floats(_:)` and
/// `SafeTensorsFile.int64s(_:)` convert the common ones, and the 8-bit, 6-bit and 4-bit float formats are
/// known but unsupported for conversion (their raw bytes are still available).
public enum SafeTensorsDType: String, CaseIterable, Sendable, Hashable {
    case bool = "BOOL"
    case float4 = "F4"
    case float6E2M3 = "F6_E2M3"
    case float6E3M2 = "F6_E3M2"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case float8E8M0 = "F8_E8M0"
    case float8E4M3FNUZ = "F8_E4M3FNUZ"
    case float8E5M2FNUZ = "F8_E5M2FNUZ"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case complex64 = "C64"
    case float64 = "F64"
    case int64 = "I64"
    case uint64 = "U64"

    /// Bits per element: 4 and 6 for the micro-scaling float formats, otherwise a multiple of 8.
    public var bitSize: Int {
        switch self {
        case .float4: return 4
        case .float6E2M3, .float6E3M2: return 6
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3, .float8E8M0, .float8E4M3FNUZ, .float8E5M2FNUZ:
            return 8
        case .int16, .uint16, .float16, .bfloat16: return 16
        case .int32, .uint32, .float32: return 32
        case .complex64, .float64, .int64, .uint64: return 64
        }
    }

    /// Bytes per element, or `nil` for the sub-byte formats (F4, F6_*), whose tensors are sized in bits.
    public var byteSize: Int? { bitSize % 8 == 0 ? bitSize / 8 : nil }

    /// Whether `SafeTensorsFile.floats(_:)` can convert this dtype to `Float`.
    public var isConvertibleToFloat: Bool {
        switch self {
        case .float64, .float32, .float16, .bfloat16, .int64, .int32, .int16, .int8,
             .uint64, .uint32, .uint16, .uint8, .bool:
            return true
        default:
            return false
        }
    }

    /// Whether `SafeTensorsFile.int64s(_:)` can convert this dtype to `Int64` (integers and BOOL only).
    public var isConvertibleToInt64: Bool {
        switch self {
        case .int64, .int32, .int16, .int8, .uint64, .uint32, .uint16, .uint8, .bool: return true
        default: return false
        }
    }

    /// Position in the reference library's `Dtype` declaration; its writer puts higher ranks first.
    var sortRank: Int { Self.allCases.firstIndex(of: self)! }

    /// The header spellings, for error messages.
    static var supportedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
