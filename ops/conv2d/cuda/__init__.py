"""conv2d's CUDA kernels: three versions, each with its own forward and backward.

Notation: g = oc // Og the group, Cg / Og the input / output channels per group,
x_pad the zero-padded input (never built: taps in the padding are skipped or read as 0),
kk = kH*kW. Every backward is a gather or a per-block partial sum added in a fixed
order: no atomics, so every result is reproducible bit for bit.

direct (``direct.py``): one thread per element, 1-D grid of 256-thread blocks, global
memory only::

    forward: thread (b, oc, i, j): acc = sum_{c,p,q} x_pad[b, g*Cg+c, i*sh+p*dh, j*sw+q*dw] * w[oc,c,p,q]
    grad_x:  thread (b, ci, h, w): acc = sum_{p,q with (h+top-p*dh) % sh == 0 == (w+left-q*dw) % sw}
                                           sum_{oc in g} grad_out[b, oc, i, j] * w[oc, c, p, q]
    grad_w:  thread (s, oc, c, p, q): parts[s] = sum_{(b,i,j) in slice s} grad_out[b, oc, i, j] * x_pad[b, ., ., .]
    grad_b:  thread (s, oc):          parts[s] = sum_{(b,i,j) in slice s} grad_out[b, oc, i, j]
             then sum_parts: grad = parts[0] + ... + parts[S-1] (S fixed by the shapes)

tiled (``tiled.py``): a block per tile of one plane, its shared inputs staged once in
dynamic shared memory (sized on the host to fit 48 KiB; the tile halves for big
strides/dilations; a pass where not even a 1 x 1 tile fits runs direct's kernel)::

    forward: block (b, group g, OCB=8 output channels, TH x TW output tile), thread = pixel
             for c in group g:
                 shared xs = x_pad tile + halo of channel c; shared ws = w[OCB chans, c]
                 syncthreads; acc[0:OCB] (registers) += xs[window taps] * ws; syncthreads
    grad_x:  block (b, g, CIB=8 input channels, TH x TW input tile), thread = input pixel
             for oc in group g:
                 shared gs = the grad_out rows/cols the tile's pixels reach; shared ws = w[oc, CIB chans]
                 acc[0:CIB] += gs[i, j] * ws[p, q] over the taps on the stride grid
    grad_w:  block (slice s of the (b, output tile) items, up to 8 oc x CCB c), thread = up
             to EPT=4 entries (oc, c, p, q), in registers
             for each item of slice s: shared gs = grad_out tiles, xs = x_pad tiles + halo
                 acc[e] += sum over the tile's pixels gs[oc] * xs[c, shifted by (p, q)]
             parts[s] = acc;  grad_w = sum over s of parts[s] (second kernel, in order)
    grad_b:  block per oc: strided per-thread sums, then a shared-memory tree reduction

gemm (``gemm.py``, the default): implicit GEMM, the im2col matrix gathered tile by tile
into shared memory and never stored; 256 threads per block, each thread a TM x TN block
of outputs in registers (BM x BN from 8 x 128 to 64 x 64, picked by the row count)::

    forward: out[g] (Og, B*Ho*Wo) = W[g] (Og, Cg*kk) x cols (Cg*kk, B*Ho*Wo)
    grad_x:  gx[g] (Cg, B*H*W) = W[g]^T (Cg, Og*kk) x gcols (Og*kk, B*H*W)   (a gather:
             gcols holds grad_out where the tap lands on the stride grid, else 0)
    grad_w:  [grad_w[g] | grad_b[g]] (Og, Cg*kk + 1) = grad_out[g] (Og, B*Ho*Wo)
             x [cols^T | 1], split along B*Ho*Wo into slices fixed by the shapes; a
             second kernel adds the slices in order (grad_b is bias's row of ones)
    per block, per BK=16 step of the reduction:
        shared tables = the BK reduction indices decoded once (channel, row/col offsets)
        shared As (BK, BM), Bs (BK, BN) = operand tiles, gathered with bounds checks
        syncthreads; acc[TM][TN] += As[k, my rows] outer Bs[k, my cols]; syncthreads

What is shared between versions: the declaration's ``Geometry`` (every size and attribute
as ints) and ``_common.py`` (``sum_parts``, the in-order sum of direct's and tiled's
grad_w slices, and small host helpers). tiled runs direct's forward / grad_x / grad_w
only where its tiles cannot fit in shared memory at all (an enormous dilated kernel), so
its timings are its own everywhere else. Every version's heavy backward passes (grad_x,
grad_w) are its own kernels.
"""
