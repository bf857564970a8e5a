"""softmax, log_softmax and cross_entropy on CUDA: three versions that differ in how the
rows are mapped onto threads (declared in rows.py).

A row is the n values along ``dim`` at one position (for cross_entropy, one sample's C
logits); the input is viewed as (outer, n, inner) and row r = o * inner + c reads
x[o, k, c] for k < n (stride ``inner``). The kernels are written once per op
(_softmax.py for softmax and log_softmax, _cross_entropy.py) against the row mapping
and the reductions of _rows.py, so the versions read side by side and compute the same
expressions; only where the row's partial values meet differs.

"row": one thread per row, the row's max and sum in registers::

    r = global thread id;  if r >= rows: nothing
    m = max_k x[r, k]                           # pass 1
    s = sum_k exp(x[r, k] - m)                  # pass 2
    softmax:     y[r, k] = exp(x[r, k] - m) / s # pass 3
    log_softmax: y[r, k] = (x[r, k] - m) - log(s)

  Along a non-last dim (inner > 1), neighbouring threads read neighbouring c:
  coalesced. Along the last dim each thread walks its own row (one cache line per
  thread and step): good for many short rows, poor for few long ones.

"block": one block per row, blockDim a power of two (about n / 4, <= 256)::

    thread t: m_t = max of x[r, t], x[r, t + blockDim], ...     (registers)
    buf[t] = m_t in shared memory; tree: buf[t] = max(buf[t], buf[t + h]), h = bd/2..1,
    syncthreads between steps; m = buf[0]
    the same for s_t = sum of exp(x[r, k] - m); then y as above, strided by blockDim

"warp" (the default): one warp per row, 4 rows per block::

    lane l: m_l = max of x[r, l], x[r, l + 32], ...
    for off in 16, 8, 4, 2, 1: m_l = max(m_l, shfl_xor_sync(FULL, m_l, off))
    the same butterfly for the sum; no shared memory, no barrier
  (under Numba's simulator, which has no shuffles, warp_max/warp_sum are emulated
  through a shared scratch: the simulator checks the emulation, a GPU the shuffles).

Backward of softmax and log_softmax (same three mappings), from the saved output y:
softmax's d = sum_k g[r, k] * y[r, k] reduced like the sum above, then
gx[r, k] = y[r, k] * (g[r, k] - d); log_softmax's s = sum_k g[r, k], then
gx[r, k] = g[r, k] - exp(y[r, k]) * s. Each version has its own backward with its own
reduction, so the timings compare the strategy both ways.

cross_entropy, per row (t = target, eps = label_smoothing, w = weight or ones)::

    m = reduce_max(max_k x[k]);  s = reduce_sum(sum_k exp(x[k] - m));  ls = log s
    W = reduce_sum(sum_k w[k]);  D = reduce_sum(sum_k w[k] (x[k] - m))     (eps > 0)
    nll = -((x[t] - m) - ls) * w[t];  smooth = W ls - D
    loss[r] = (1 - eps) nll + eps / C * smooth;  parts[r] = (nll, smooth, w[t])
  then "finish" (one block, all versions): the float64 tree sums of parts give "sum"
  or "mean" (divided by the total weight of the counted targets; 0/0 = NaN).

  Backward of "row" and "block": recompute m and s from the saved logits (cheaper than
  keeping an (N, C) buffer), scale = grad_out * (1 / total weight for "mean", from a
  one-block "total" kernel), grad[r, k] = scale (a / s exp(x[k] - m) - eps/C w[k] -
  [k == t](1 - eps) w[t]), a = (1 - eps) w[t] + eps / C W.
  "warp" fuses the backward into the forward: the forward also writes
  gfused[r, k] = a / s exp(x[k] - m) - eps/C w[k] - [k == t](1 - eps) w[t] (the
  gradient for grad_out = 1) while m and s are in registers, and saves (gfused,
  scale0, target) instead of the logits; backward is one multiply per element,
  grad = gfused * grad_out * scale0. The cost is an (N, C) write in every forward,
  even when no backward follows (no_grad).

  Shared honestly: "finish" and "total" are O(N) one-block reductions over per-row
  values, the same for every version; the O(N C) work, the part the versions compare,
  is each version's own. Ignored rows (target == ignore_index) give 0 and count
  nowhere. A target outside [0, C) that is not ignore_index is never read with: that
  row's loss is NaN (so "sum" and "mean" are NaN, and so is the gradient), never a
  silently wrong number; the front end's check_class_indices raises it at the next
  copy to the host.

NaN in a row makes that row NaN (the maxima propagate NaN, as NumPy does).
"""
