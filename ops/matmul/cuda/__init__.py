"""matmul on CUDA: three Numba CUDA versions of the same strided, batched GEMM.

Every product (forward out = a @ b, backward dA = G @ b^T and dB = a^T @ G) is one
launch of the version's kernel (host side in ``_gemm.py``):

    C[z, i, j] = sum_r sum_p A[z, r, i, p] * B[z, r, p, j]

with A and B read through element strides (a transpose swaps two strides: no copy;
a broadcast batch dimension has stride 0: no copy) and ``r`` running over the batch
entries an operand's gradient sums (the NumPy kernels' ``sum_to``, here part of the
contraction). Grid: x = 16- or 64-row tiles of C, y = column tiles, z = batch entries
of C (y and z loop past 65535). A batch times one matrix is one tall product (the
declaration's fold).

naive     one thread per C[z, i, j]; ``acc += A[..] * B[..]`` straight from global
          memory (neighbouring threads: neighbouring j). No reuse between threads.
tiled     16x16 threads own a 16x16 tile of C; per step of 16 in the depth, each
          thread stages one element of A and one of B in shared memory
          (sA[16][17], sB[16][17]), syncthreads, then 16 multiply-adds from shared
          memory into one register. Global traffic / 16.
blocked   16x16 threads own a 64x64 tile of C, each thread a 4x4 micro-tile in
          registers (cuda.local.array, promoted to registers: no local memory in
          the PTX); per depth step of 16, each thread stages 4 + 4 elements
          (sA[16][65] transposed, sB[16][65]); per p it loads a 4-column of A and a
          4-row of B from shared memory into registers and does their 16-element
          outer product. Global traffic / 64, shared reads per multiply-add / 4.

Backward: each version launches its own GEMM kernel for dA and dB (the transposes are
strides; tiled and blocked pick, per operand, which thread stages which element, so
global loads stay coalesced when the operand is transposed). No version borrows
another's kernel, so timing a version's backward times that version.

Each version's ``launch(g, A, B, C, bias=None)`` is public: the linear op
(ops/linear/cuda/) runs the same kernels on its weight read transposed, and a ``bias``
(cols,) is added to every row of C as it is stored (a runtime flag, so one kernel
specialisation per dtype serves matmul and linear).
"""
