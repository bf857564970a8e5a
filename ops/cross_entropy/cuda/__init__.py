"""cross_entropy on CUDA: one row = one sample's C logits; the three row mappings of
softmax's CUDA versions (ops/softmax/cuda/__init__.py and _rows.py), the kernels in
_kernels.py here.

Per row (t = target, eps = label_smoothing, w = weight or ones)::

    m = reduce_max(max_k x[k]);  s = reduce_sum(sum_k exp(x[k] - m));  ls = log s
    W = reduce_sum(sum_k w[k]);  D = reduce_sum(sum_k w[k] (x[k] - m))     (eps > 0)
    nll = -((x[t] - m) - ls) * w[t];  smooth = W ls - D
    loss[r] = (1 - eps) nll + eps / C * smooth;  parts[r] = (nll, smooth, w[t])
  then "finish" (one block, all versions): the float64 tree sums of parts give "sum"
  or "mean" (divided by the total weight of the counted targets; 0/0 = NaN).

"row" (row.py):   one thread per row, everything in registers.
"block" (block.py): one block per row, the reductions a tree in shared memory.
   Backward of both: recompute m and s from the logits (cheaper than keeping an (N, C)
   buffer), scale = grad_out * (1 / total weight for "mean", from a one-block "total"
   kernel), grad[r, k] = scale (a / s exp(x[k] - m) - eps/C w[k] - [k == t](1 - eps) w[t]),
   a = (1 - eps) w[t] + eps / C W.
"warp" (warp.py, the default): one warp per row, shfl_xor_sync butterflies (emulated
   through shared memory under the simulator: the simulator checks the emulation, a
   GPU the shuffles), and the backward fused into the forward: the forward also writes
   gfused[r, k] = a / s exp(x[k] - m) - eps/C w[k] - [k == t](1 - eps) w[t] (the
   gradient for grad_out = 1) while m and s are in registers; backward is one multiply
   per element, grad = gfused * grad_out * scale. The buffer is kept beside the loss
   (warp.py says how); the cost is an (N, C) write in every forward.

Shared honestly: "finish" and "total" are O(N) one-block reductions over per-row
values, the same for every version; the O(N C) work, the part the versions compare,
is each version's own.

Ignored rows (target == ignore_index) give 0 and count nowhere. A target outside
[0, C) that is not ignore_index cannot be checked on the host without a device-to-host
copy, so the kernels never read with it: that row's loss is NaN (so "sum" and "mean"
are NaN, and so is the gradient), never a silently wrong number.
"""
