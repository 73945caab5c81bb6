#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// libm's exp, named apart from `Tensor.exp`-style members.
@inline(__always) func Foundation_exp(_ x: Float) -> Float { expf(x) }
/// libm's log.
@inline(__always) func Foundation_log(_ x: Float) -> Float { logf(x) }
/// libm's log1p.
@inline(__always) func Foundation_log1p(_ x: Float) -> Float { log1pf(x) }
/// libm's sqrt.
@inline(__always) func Foundation_sqrt(_ x: Float) -> Float { sqrtf(x) }
