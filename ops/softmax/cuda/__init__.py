"""softmax on CUDA: three versions that differ in how the rows are mapped onto threads.

A row is the n values along ``dim`` at one position; the input is viewed as
(outer, n, inner) and row r = o * inner + c reads x[o, k, c] for k < n (stride
``inner``). The kernels are written once (_kernels.py) against the row mapping and the
reductions of _rows.py, so the versions read side by side and compute the same
expressions; only where the row's partial values meet differs.

"row" (row.py): one thread per row, the row's max and sum in registers::

    r = global thread id;  if r >= rows: nothing
    m = max_k x[r, k]                           # pass 1
    s = sum_k exp(x[r, k] - m)                  # pass 2
    y[r, k] = exp(x[r, k] - m) / s              # pass 3

  Along a non-last dim (inner > 1), neighbouring threads read neighbouring c:
  coalesced. Along the last dim each thread walks its own row (one cache line per
  thread and step): good for many short rows, poor for few long ones.

"block" (block.py): one block per row, blockDim a power of two (about n / 4, <= 256)::

    thread t: m_t = max of x[r, t], x[r, t + blockDim], ...     (registers)
    buf[t] = m_t in shared memory; tree: buf[t] = max(buf[t], buf[t + h]), h = bd/2..1,
    syncthreads between steps; m = buf[0]
    the same for s_t = sum of exp(x[r, k] - m); then y as above, strided by blockDim

"warp" (warp.py, the default): one warp per row, 4 rows per block::

    lane l: m_l = max of x[r, l], x[r, l + 32], ...
    for off in 16, 8, 4, 2, 1: m_l = max(m_l, shfl_xor_sync(FULL, m_l, off))
    the same butterfly for the sum; no shared memory, no barrier
  (under Numba's simulator, which has no shuffles, warp_max/warp_sum are emulated
  through a shared scratch: the simulator checks the emulation, a GPU the shuffles).

Backward (same three mappings, in _kernels.py): d = sum_k g[r, k] * y[r, k] reduced
like the sum above, then gx[r, k] = y[r, k] * (g[r, k] - d). Each version has its own
backward with its own reduction, so the timings compare the strategy both ways.

NaN in a row makes that row NaN (the maxima propagate NaN, as NumPy does).
"""
