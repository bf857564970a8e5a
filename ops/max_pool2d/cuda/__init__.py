"""max_pool2d's CUDA kernels: three versions, each a forward and a backward.

Every forward returns (out, indices) like the CPU kernels (the front end asks for both:
``return_indices``), indices = h*W + w of each window's first maximum (NaN wins, the
last one). n is the plane b*C + c; span = (k-1)*d + 1; each window's taps are clipped
to the input (no padded copy), and the first tap inside starts the scan.

direct (``direct.py``): one thread per element (1-D grid of 256-thread blocks), global
memory only::

    forward:  thread o -> (n, i, j) = divmod(o, ...)
              out[o], ind[o] = max/argmax over the window's taps in x[n]
    backward: thread g -> (n, h, w)
              for each window (i, j) holding (h, w):        # solve i*sh - ph + p*dh == h
                  rescan window (i, j) of x[n]; if its argmax is (h, w): acc += gy[n, i, j]
              gx[g] = acc                                   # one writer: no atomics

tiled (``tiled.py``): a block of TW x TH threads (32x8, cut down for small planes) per
tile of one plane, staged in shared memory::

    forward:  shared xs[(TH-1)*sh + span_h][(TW-1)*sw + span_w]   # tile + halo of x[n]
              block loads xs cooperatively (coalesced rows); syncthreads
              thread (ty, tx): out, ind of output (i0+ty, j0+tx) scanned from xs
    backward: block owns gx tile (h0.., w0..); the windows touching it, (i, j) in R:
              shared gs[R] = gy[n, R]; shared win[R] = ind[n, R] - (h0*W + w0) or -1
              syncthreads; thread (ty, tx): acc = sum gs[k] over windows k holding it
                                             with win[k] == ty*W + tx
    Shared arrays have a compile-time size and dtype: kernels are built per dtype, the
    tile shrinks for large windows, and windows too large for a 1x1 tile use direct's.

fused (``fused.py``): forward keeps the argmax (as cuDNN), backward scatters::

    forward:  threads (32, 8) of a block (fewer for small planes) -> output (n = z,
              i = y, j = x), no index divisions;
              out, ind = max/argmax scanned from global memory (L1/L2 serve overlaps)
    backward: gx = 0
              thread o: gx[n, ind[o]] += gy[o]     # plain store when stride >= span
                                                   # (distinct winners), atomic otherwise

All three divide indices in 32 bits (``_pool_cuda.div32``: a 64-bit division is a long
software routine on a GPU) and launch once per group of planes whose flat indices stay
below 2**31 (``_window.plane_groups``: one group unless a tensor is larger).

Every version has ``forward(g, x) -> ((out, indices), saved)`` and
``backward(g, grad_out, saved, needs_input_grad) -> (grad_x,)``, g the declaration's
Geometry. No two versions share a backward, and each forward saves what its own backward
reads: direct recomputes the argmax from x (it saves x, not the indices), tiled gathers
the saved indices through shared memory (x where its windows are too many to stage and
direct's backward runs instead), fused scatters them. Every forward writes the same
indices.
"""
