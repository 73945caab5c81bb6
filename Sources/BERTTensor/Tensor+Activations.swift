import BERTKernels

extension Tensor {
    /// Applies a unary kernel to a contiguous copy of `self`.
    private func unary(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> (Tensor, Tensor) {
        let x = contiguousData()
        let out = Tensor.empty(shape)
        kernel(x.pointer, out.storage.pointer, count)
        return (x, out)
    }

    /// GELU, exact erf form (`torch.nn.functional.gelu`, HF "gelu"). Any shape.
    public func gelu() -> Tensor {
        let (x, out) = unary(Kernels.geluForward)
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(x.shape)
            Kernels.geluBackward(x.pointer, gc.pointer, dx.storage.pointer, x.count)
            return [dx]
        }
    }

    /// GELU, tanh approximation (HF "gelu_new", "gelu_pytorch_tanh"). Any shape.
    public func geluTanh() -> Tensor {
        let (x, out) = unary(Kernels.geluTanhForward)
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(x.shape)
            Kernels.geluTanhBackward(x.pointer, gc.pointer, dx.storage.pointer, x.count)
            return [dx]
        }
    }

    /// Hyperbolic tangent. Any shape.
    public func tanh() -> Tensor {
        let (_, out) = unary(Kernels.tanhForward)
        let y = out.detached()
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(y.shape)
            Kernels.tanhBackward(y.pointer, gc.pointer, dx.storage.pointer, y.count)
            return [dx]
        }
    }

    /// Swift.max(x, 0). Any shape.
    public func relu() -> Tensor {
        let (x, out) = unary { p, o, n in for i in 0..<n { o[i] = Swift.max(p[i], 0) } }
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(x.shape)
            let p = x.pointer, gp = gc.pointer, o = dx.storage.pointer
            for i in 0..<x.count { o[i] = p[i] > 0 ? gp[i] : 0 }
            return [dx]
        }
    }

    /// x · sigmoid(a · x): SiLU ("silu", "swish") for a = 1, quick GELU ("quick_gelu") for a = 1.702. Any shape.
    package func sigmoidGated(_ a: Float) -> Tensor {
        let (x, out) = unary { p, o, n in for i in 0..<n { o[i] = p[i] / (1 + Foundation_exp(-a * p[i])) } }
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(x.shape)
            let p = x.pointer, gp = gc.pointer, o = dx.storage.pointer
            for i in 0..<x.count {
                let s = 1 / (1 + Foundation_exp(-a * p[i]))
                o[i] = gp[i] * (s + a * p[i] * s * (1 - s))
            }
            return [dx]
        }
    }

    /// Logistic sigmoid. Any shape.
    public func sigmoid() -> Tensor {
        let (_, out) = unary { p, o, n in for i in 0..<n { o[i] = 1 / (1 + Foundation_exp(-p[i])) } }
        let y = out.detached()
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(y.shape)
            let yp = y.pointer, gp = gc.pointer, o = dx.storage.pointer
            for i in 0..<y.count { o[i] = gp[i] * yp[i] * (1 - yp[i]) }
            return [dx]
        }
    }
}

extension Tensor {
    /// Element-wise square root. Any shape.
    public func sqrt() -> Tensor {
        let x = contiguousData()
        let out = Tensor.empty(shape)
        for i in 0..<count { out.pointer[i] = Foundation_sqrt(x.pointer[i]) }
        let y = out.detached()
        return out.recorded(from: [self]) { g in
            let gc = g.contiguousData(), dx = Tensor.empty(y.shape)
            for i in 0..<y.count { dx.pointer[i] = gc.pointer[i] * 0.5 / y.pointer[i] }
            return [dx]
        }
    }
}
