"""Front ends of the elementwise, reduction and shape ops: argument checks, dtype
promotion, then ``apply`` (minigrad.autograd.function) with the registry's kernels."""
