"""log_softmax on CUDA: the three row mappings of softmax's CUDA versions (read
ops/softmax/cuda/__init__.py for the pictures; the mappings and reductions are shared
from ops/softmax/cuda/_rows.py, the kernels are in _kernels.py here).

Per row, with the row's threads combining partial values as each version does::

    m = reduce_max(max_k x[r, k])
    s = reduce_sum(sum_k exp(x[r, k] - m))      # >= 1, so log s is finite
    y[r, k] = (x[r, k] - m) - log(s)

"row" (row.py):     one thread per row, m and s in registers, no reduction;
"block" (block.py): one block per row, a tree in shared memory (blockDim = about n / 4,
                    a power of two <= 256);
"warp" (warp.py, the default): one warp per row, a butterfly of shfl_xor_sync (under
                    the simulator an emulation through shared memory: the simulator
                    checks the emulation, a GPU the shuffles).

Backward, same three mappings: s = reduce_sum(sum_k g[r, k]), then
gx[r, k] = g[r, k] - exp(y[r, k]) * s. Each version has its own backward.
"""
