"""Shape ops on CUDA (Numba). One version, ``strided``::

    reshape: a view of the C-contiguous input (no kernel); backward reshapes back
    permute / expand / basic index (ints, slices with steps, None, Ellipsis):
        host: out_shape, element strides and a base offset from the attrs alone
              (permuted strides; 0 along expanded dims; slice start*stride, step*stride)
        one thread per output element i: out[i] = x[base + sum_d digit_d(i) * stride_d]
    permute backward: the same gather with the inverse permutation
    expand backward: the sum back over expanded dims (ops/_cuda_tree.py's sum_to)
    basic index backward: zero fill, then the same walk storing g into gx (positions
        never repeat, so plain stores)
    advanced index (integer / bool arrays in the key): host: offsets = arange(x.size)
        .reshape(x.shape)[key] (NumPy's rules, from shapes and the key only: the key
        arrives as NumPy arrays), copied to the device once (forward saves them for
        backward); one thread per output element
        out[i] = x[offsets[i]]; backward gx[offsets[i]] += g[i] with cuda.atomic.add
        (an index may repeat)
    cat: one copy kernel per input into its slab of the output (a strided store);
        backward: one gather per input that needs a gradient, reading its slab
"""
