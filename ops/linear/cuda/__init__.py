"""linear on CUDA: matmul's three GEMM kernels (ops/matmul/cuda/), run on linear's
products. Host side in ``_linear.py``; with X = x as (N, in) and G = dL/d out (N, out):

    forward   out = X @ w^T + b    1 launch: w^T is w read through swapped strides, and
                                   the bias is added as each output is stored
    backward  dX = G @ w           1 launch
              dw = G^T @ X         1 launch (G^T: swapped strides again)
              db = sum of G's rows 1 launch: ops/reduce's tree sum, a block per column

The versions, all in ``versions.py`` (with their pseudo code):

naive     matmul naive's kernel: one thread per output, dot products from global memory.
tiled     matmul tiled's kernel: 16x16 tiles of both operands in shared memory.
blocked   matmul blocked's kernel: 64x64 tile per block, a 4x4 micro-tile per thread.

matmul's tiled and blocked kernels stage a transposed operand with neighbouring threads
along its contiguous axis, so w^T's loads are coalesced as they are for matmul's
backward. Compared with ``matmul(x, w.transpose(0, 1)) + b`` a layer saves a transpose
copy in forward, another in backward, and the bias-add kernel.
"""
