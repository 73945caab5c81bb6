import CBERTKernels

/// Which intrinsics the softmax and bias + GELU row kernels use (`rows_x86.c`, `rows_neon.c`), chosen at run time by
/// CPU feature and `BERT_KERNELS`; `portable` runs the compiler-vectorised C of every other CPU.
package enum RowKernel: Int32, CaseIterable, Sendable {
    case portable = 0
    case avx2 = 1
    case avx512 = 2
    /// NEON on arm64 (`rows_neon.c`).
    case neon = 3

    /// The kernel in use.
    package static var current: RowKernel { RowKernel(rawValue: bert_vector_rows_kind()) ?? .portable }

    /// Uses `kernel` from now on if this CPU runs it (tests cover every path); returns the kernel in use.
    @discardableResult
    package static func select(_ kernel: RowKernel) -> RowKernel {
        RowKernel(rawValue: bert_vector_rows_set_kind(kernel.rawValue)) ?? .portable
    }

    /// The kernels this CPU runs.
    package static var supported: [RowKernel] {
        let before = current
        defer { select(before) }
        return allCases.filter { select($0) == $0 }
    }
}
