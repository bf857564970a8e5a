"""Every elementwise, reduction and shape op registered on the CPU, for every one of its
implementations: values against NumPy and float64 gradients against finite differences
(minigrad.gradcheck), through the public API, on Hypothesis-drawn shapes (broadcasting
included), dims (int, tuple, negative, none), keepdim and calling forms. The float32
path is checked too: same values within float32 precision, dtypes kept, gradients
equal to the float64 ones.

The ops are enumerated from their families' declarations (ops/elementwise, ops/reduce,
ops/shape: their OPS): a new op of those families without a case builder here fails
`test_values_and_gradients` until one is added. Inputs are domain-safe
(log/sqrt/pow bases > 0, divisors away from 0) and away from kinks and ties (abs/relu
away from 0; max/min/maximum/minimum/clamp on values a grid apart from each other and
from the bounds), since finite differences are meaningless there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import minigrad
import minigrad.ops.elementwise
import minigrad.ops.reduce
import minigrad.ops.shape
from minigrad import dispatch
from minigrad import float32, float64

FAMILIES = minigrad.ops.elementwise.OPS + minigrad.ops.reduce.OPS + minigrad.ops.shape.OPS
# Tested on their own below: cast's float32 output cannot be finite-differenced at eps=1e-6.
SPECIAL = {"cast"}


def _registered():
    ops = [op for op in FAMILIES if minigrad.implementations(op, "cpu")]
    diff = [op for op in ops if dispatch.lookup(op, "cpu")[1].backward is not None]
    return ([(op, impl) for op in diff if op not in SPECIAL for impl in minigrad.implementations(op, "cpu")],
            [(op, impl) for op in ops if op not in diff for impl in minigrad.implementations(op, "cpu")])


DIFF_CASES, NONDIFF_CASES = _registered()


@dataclass
class Case:
    arrays: list  # the differentiable inputs (float64 NumPy arrays)
    fn: Callable  # fn(*tensors) -> Tensor, through the public API
    ref: Callable  # ref(*arrays) -> the expected NumPy array


# ---------------------------------------------------------------- drawing ----

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SHAPES_1D_PLUS = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def uniform(data, shape, lo=-2.0, hi=2.0):
    return data.draw(hnp.arrays(np.float64, shape, elements=st.floats(lo, hi)))


def away_from_zero(data, shape, lo=0.2, hi=2.0):
    magnitude = uniform(data, shape, lo, hi)
    sign = data.draw(hnp.arrays(np.bool_, shape))
    return np.where(sign, magnitude, -magnitude)


GRID = 0.3  # distinct values sit on k*GRID + OFFSET, bounds/scalars on m*GRID: never equal
OFFSET = 0.05


def distinct(data, *shapes):
    """Arrays whose values are all different (spaced GRID apart) across all ``shapes``."""
    sizes = [int(np.prod(s)) for s in shapes]
    perm = np.array(data.draw(st.permutations(range(sum(sizes)))), dtype=np.float64)
    flat = (perm - sum(sizes) // 2) * GRID + OFFSET
    out, start = [], 0
    for s, n in zip(shapes, sizes):
        out.append(flat[start:start + n].reshape(s))
        start += n
    return out


def grid_scalar(data, lo=-4, hi=4):
    return data.draw(st.integers(lo, hi)) * GRID


def dims_of(data, ndim, allow_tuple=True, allow_none=True):
    """A dim argument: None, an int (maybe negative) or a tuple (maybe empty, maybe
    negative aliases), always valid for ``ndim``; also its normalised axes for NumPy
    (None for all)."""
    span = max(ndim, 1)
    kinds = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple else [])
    kind = data.draw(st.sampled_from(kinds))
    if kind == "none":
        return None, None
    if kind == "int":
        d = data.draw(st.integers(-span, span - 1))
        return d, (None if ndim == 0 else (d % span,))
    axes = data.draw(st.lists(st.integers(0, span - 1), unique=True, max_size=span))
    dim = tuple(a - span if data.draw(st.booleans()) else a for a in axes)
    # PyTorch reduces over all dims for dim=() (NumPy over none); 0-d: all the same.
    return dim, (None if ndim == 0 or not axes else tuple(sorted(axes)))


def form(data, *options):
    """Pick one of several equivalent public calling forms."""
    return data.draw(st.sampled_from(options))


# ----------------------------------------------------------- case builders ----

def two_tensor(fn, a, b):
    """minigrad.max(a, b) is the elementwise maximum only for two Tensors (as torch.max:
    max(a, 0) means dim 0); with a scalar operand it is minigrad.maximum."""
    if isinstance(a, minigrad.Tensor) and isinstance(b, minigrad.Tensor):
        return fn(a, b)
    return (minigrad.maximum if fn is minigrad.max else minigrad.minimum)(a, b)


# op: (operator or function form, function form, NumPy reference); methods share the op's name
BINARY_CALLS = {
    "add": (lambda a, b: a + b, lambda a, b: minigrad.add(a, b), np.add),
    "sub": (lambda a, b: a - b, lambda a, b: minigrad.sub(a, b), np.subtract),
    "mul": (lambda a, b: a * b, lambda a, b: minigrad.mul(a, b), np.multiply),
    "div": (lambda a, b: a / b, lambda a, b: minigrad.div(a, b), np.divide),
    "pow": (lambda a, b: a ** b, lambda a, b: minigrad.pow(a, b), np.power),
    "maximum": (lambda a, b: minigrad.maximum(a, b), lambda a, b: two_tensor(minigrad.max, a, b), np.maximum),
    "minimum": (lambda a, b: minigrad.minimum(a, b), lambda a, b: two_tensor(minigrad.min, a, b), np.minimum),
}


def binary_values(op, data, sa, sb):
    if op == "div":
        return uniform(data, sa), away_from_zero(data, sb)
    if op == "pow":
        return uniform(data, sa, 0.5, 2.0), uniform(data, sb, -2.0, 2.0)
    if op in ("maximum", "minimum"):
        return tuple(distinct(data, sa, sb))
    return uniform(data, sa), uniform(data, sb)


def binary_scalar(op, data, side):
    """A Python scalar operand that keeps the op away from poles, NaNs and ties."""
    if op == "div" and side == "b":
        return data.draw(st.sampled_from([0.5, -1.5, 2.0, 3]))
    if op == "pow":
        if side == "b":  # exponent: ints and floats, both signs
            return data.draw(st.sampled_from([2, 3, -1, 0.5, -1.5, 1.7]))
        return data.draw(st.sampled_from([0.5, 2.0, 3, 1.3]))
    if op in ("maximum", "minimum"):
        return grid_scalar(data)
    return data.draw(st.sampled_from([2, -3, 0.5, 1.25, -0.75]))


def binary_case(op):
    op_form, fn_form, np_fn = BINARY_CALLS[op]

    def build(data):
        mode = data.draw(st.sampled_from(["tensor-tensor", "tensor-scalar", "scalar-tensor"]))
        call = form(data, op_form, fn_form, lambda a, b: getattr(a, op)(b))
        if mode == "tensor-tensor":
            sa, sb = data.draw(hnp.mutually_broadcastable_shapes(
                num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
            a, b = binary_values(op, data, sa, sb)
            return Case([a, b], call, np_fn)
        if mode == "tensor-scalar":
            s = binary_scalar(op, data, "b")
            a = binary_values(op, data, data.draw(SHAPES), ())[0]
            return Case([a], lambda x: call(x, s), lambda x: np_fn(x, s))
        s = binary_scalar(op, data, "a")
        b = binary_values(op, data, (), data.draw(SHAPES))[1]
        call = form(data, op_form, fn_form)  # a scalar has no methods
        return Case([b], lambda x: call(s, x), lambda x: np_fn(s, x))
    return build


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


UNARY = {
    # op: (NumPy reference, value strategy, extra calling forms)
    "neg": (np.negative, uniform, (lambda x: -x,)),
    "abs": (np.abs, away_from_zero, (lambda x: abs(x),)),
    "exp": (np.exp, uniform, ()),
    "log": (np.log, lambda d, s: uniform(d, s, 0.2, 3.0), ()),
    "sqrt": (np.sqrt, lambda d, s: uniform(d, s, 0.2, 3.0), ()),
    "relu": (lambda x: np.maximum(x, 0), away_from_zero, (lambda x: minigrad.nn.functional.relu(x),)),
    "sigmoid": (_sigmoid, lambda d, s: uniform(d, s, -4.0, 4.0), ()),
    "tanh": (np.tanh, uniform, ()),
    "sin": (np.sin, uniform, ()),
    "cos": (np.cos, uniform, ()),
    "tan": (np.tan, lambda d, s: uniform(d, s, -1.2, 1.2), ()),  # away from the poles
    "sinh": (np.sinh, uniform, ()),
    "cosh": (np.cosh, uniform, ()),
}


def unary_case(op):
    ref, values, extra = UNARY[op]

    def build(data):
        x = values(data, data.draw(SHAPES))
        call = form(data, lambda t: getattr(t, op)(), lambda t: getattr(minigrad, op)(t), *extra)
        return Case([x], call, ref)
    return build


def activation_case(call, ref, values=uniform, params=st.just({})):
    """An op of minigrad.nn.functional with parameters: ``call(t, **params)`` against
    ``ref(a, **params)``, each parameter given or left at its default."""
    def build(data):
        kw = data.draw(params)
        x = values(data, data.draw(SHAPES))
        return Case([x], lambda t: call(t, **kw), lambda a: ref(a, **kw))
    return build


def _optional(**strategies):
    return st.fixed_dictionaries({}, optional=strategies)


def _gelu(a, approximate="none"):
    if approximate == "tanh":
        return 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a ** 3)))
    return 0.5 * a * (1 + np.vectorize(math.erf)(a / np.sqrt(2)))


def _softplus(a, beta=1.0, threshold=20.0):
    return np.where(beta * a > threshold, a, np.log1p(np.exp(beta * a)) / beta)


ACTIVATIONS = {
    "silu": activation_case(minigrad.nn.functional.silu, lambda a: a * _sigmoid(a)),
    "leaky_relu": activation_case(
        minigrad.nn.functional.leaky_relu,
        lambda a, negative_slope=0.01: np.where(a > 0, a, negative_slope * a),
        away_from_zero, _optional(negative_slope=st.floats(-1.5, 1.5))),
    "elu": activation_case(
        minigrad.nn.functional.elu,
        lambda a, alpha=1.0: np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0))),
        away_from_zero, _optional(alpha=st.floats(-1.0, 2.0))),
    "gelu": activation_case(minigrad.nn.functional.gelu, _gelu,
                            params=_optional(approximate=st.sampled_from(["none", "tanh"]))),
    # The kink (beta * x = threshold) on multiples of GRID, never a distinct value.
    "softplus": activation_case(
        minigrad.nn.functional.softplus, _softplus, lambda d, s: distinct(d, s)[0],
        _optional(beta=st.sampled_from([1.0, 2.0, 0.5]),
                  threshold=st.sampled_from([20.0, 2 * GRID, -GRID]))),
}


def clamp_case(data):
    (x,) = distinct(data, data.draw(SHAPES))
    lo = data.draw(st.none() | st.integers(-4, 4).map(lambda m: m * GRID))
    hi = data.draw(st.integers(-4, 4).map(lambda m: m * GRID)) if lo is None else \
        data.draw(st.none() | st.integers(-4, 4).map(lambda m: m * GRID))  # lo > hi allowed
    call = form(data, lambda t: t.clamp(lo, hi), lambda t: minigrad.clamp(t, min=lo, max=hi))

    def ref(a):  # torch.clamp: min first, then max (so everything is max when min > max)
        a = a if lo is None else np.maximum(a, lo)
        return a if hi is None else np.minimum(a, hi)
    return Case([x], call, ref)


def where_case(data):
    sc, sx, sy = data.draw(hnp.mutually_broadcastable_shapes(
        num_shapes=3, min_dims=0, max_dims=3, max_side=3)).input_shapes
    cond = data.draw(hnp.arrays(np.bool_, sc))
    c = minigrad.tensor(cond)
    mode = data.draw(st.sampled_from(["tensors", "scalar other", "scalar input"]))
    x, y = uniform(data, sx), uniform(data, sy)
    if mode == "tensors":
        return Case([x, y], lambda a, b: minigrad.where(c, a, b), lambda a, b: np.where(cond, a, b))
    if mode == "scalar other":
        return Case([x], lambda a: minigrad.where(c, a, 0.5), lambda a: np.where(cond, a, 0.5))
    return Case([y], lambda b: minigrad.where(c, -2, b), lambda b: np.where(cond, -2.0, b))


def reduce_case(op):
    np_fn = {"sum": np.sum, "mean": np.mean}[op]

    def build(data):
        shape = data.draw(SHAPES)
        dim, axes = dims_of(data, len(shape))
        keepdim = data.draw(st.booleans())
        x = uniform(data, shape)
        if dim is None and not keepdim:
            call = form(data, lambda t: getattr(t, op)(), lambda t: getattr(minigrad, op)(t))
        else:
            call = form(data, lambda t: getattr(t, op)(dim, keepdim),
                        lambda t: getattr(t, op)(dim=dim, keepdim=keepdim),
                        lambda t: getattr(minigrad, op)(t, dim, keepdim))
        return Case([x], call, lambda a: np.asarray(np_fn(a, axis=axes, keepdims=keepdim)))
    return build


def extremum_case(op):
    np_fn, np_arg = {"max": (np.max, np.argmax), "min": (np.min, np.argmin)}[op]

    def build(data):
        shape = data.draw(SHAPES)
        (x,) = distinct(data, shape)
        kind = data.draw(st.sampled_from(["all", "int dim", "tuple dim"]))
        if kind == "all":
            call = form(data, lambda t: getattr(t, op)(), lambda t: getattr(minigrad, op)(t))
            return Case([x], call, lambda a: np.asarray(np_fn(a)))
        keepdim = data.draw(st.booleans())
        dim, axes = dims_of(data, len(shape), allow_tuple=kind == "tuple dim", allow_none=False)
        if kind == "tuple dim":
            if not isinstance(dim, tuple):
                dim = (dim,)
            return Case([x], lambda t: getattr(t, op)(dim, keepdim),
                        lambda a: np.asarray(np_fn(a, axis=axes, keepdims=keepdim)))

        pair = form(data, lambda t: getattr(t, op)(dim, keepdim),
                    lambda t: getattr(minigrad, op)(t, dim=dim, keepdim=keepdim))

        def call(t):  # (values, indices): check the indices here, return the values
            values, indices = pair(t)
            a = t.detach().numpy()
            expected = np_arg(a, axis=axes[0], keepdims=keepdim) if a.ndim else np.zeros((), np.int64)
            assert indices.dtype is minigrad.int64 and not indices.requires_grad
            np.testing.assert_array_equal(indices.numpy(), expected)
            return values
        return Case([x], call, lambda a: np.asarray(np_fn(a, axis=axes, keepdims=keepdim)))
    return build


def factorizations(n, max_dims=3):
    """All shapes of at most max_dims dims whose sizes multiply to n."""
    out = [()] if n == 1 else []

    def grow(prefix, rest):
        for f in range(1, rest + 1):
            if rest % f == 0 and len(prefix) < max_dims:
                if f == rest:
                    out.append(prefix + (f,))
                grow(prefix + (f,), rest // f)
    grow((), n)
    return out


def reshape_case(data):
    """Everything that lowers to the reshape op: reshape/view (with -1), flatten,
    squeeze, unsqueeze. Each draw changes the shape (otherwise nothing is recorded)."""
    kind = data.draw(st.sampled_from(["reshape", "flatten", "squeeze", "unsqueeze"]))
    if kind == "reshape":
        shape = data.draw(SHAPES)
        target = data.draw(st.sampled_from(factorizations(int(np.prod(shape)))))
        if target == shape:
            target = (1,) + target
        ref_target = target
        if target and data.draw(st.booleans()):
            i = data.draw(st.integers(0, len(target) - 1))
            target = target[:i] + (-1,) + target[i + 1:]
        call = form(data, lambda t: t.reshape(*target), lambda t: t.reshape(target),
                    lambda t: t.view(target), lambda t: minigrad.reshape(t, target))
        return Case([uniform(data, shape)], call, lambda a: a.reshape(ref_target))
    if kind == "flatten":
        shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=4, max_side=3))
        n = len(shape)
        s = data.draw(st.integers(0, n - 2))
        e = data.draw(st.integers(s + 1, n - 1))
        s_arg, e_arg = (s - n if data.draw(st.booleans()) else s), (e - n if data.draw(st.booleans()) else e)
        ref_shape = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
        call = form(data, lambda t: t.flatten(s_arg, e_arg), lambda t: minigrad.flatten(t, s_arg, e_arg))
        return Case([uniform(data, shape)], call, lambda a: a.reshape(ref_shape))
    if kind == "squeeze":
        base = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=2, max_side=3))
        ones = data.draw(st.lists(st.integers(0, len(base)), min_size=1, max_size=2))
        shape = list(base)
        for pos in sorted(ones, reverse=True):
            shape.insert(pos, 1)
        shape = tuple(shape)
        unit = [i for i, n in enumerate(shape) if n == 1]
        which = data.draw(st.sampled_from(["all", "one", "tuple"]))
        if which == "all":
            return Case([uniform(data, shape)], lambda t: t.squeeze(), lambda a: a.squeeze())
        picked = data.draw(st.lists(st.sampled_from(unit), unique=True, min_size=1))
        args = tuple(d - len(shape) if data.draw(st.booleans()) else d for d in picked)
        arg = args[0] if which == "one" else args
        call = form(data, lambda t: t.squeeze(arg), lambda t: minigrad.squeeze(t, arg))
        return Case([uniform(data, shape)], call, lambda a: a.squeeze(tuple(picked) if which == "tuple"
                                                                      else picked[0]))
    shape = data.draw(SHAPES)
    d = data.draw(st.integers(-len(shape) - 1, len(shape)))
    call = form(data, lambda t: t.unsqueeze(d), lambda t: minigrad.unsqueeze(t, d))
    return Case([uniform(data, shape)], call, lambda a: np.expand_dims(a, d))


def permute_case(data):
    kind = data.draw(st.sampled_from(["permute", "permute", "transpose", "T"]))
    if kind == "permute":  # up to 4 dims: cycles, whose inverse is not themselves
        shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=2))
        n = len(shape)
        perm = tuple(data.draw(st.permutations(range(n))))
        arg = tuple(p - n if data.draw(st.booleans()) else p for p in perm)
        call = form(data, lambda t: t.permute(*arg), lambda t: t.permute(arg),
                    lambda t: minigrad.permute(t, arg))
        return Case([uniform(data, shape)], call, lambda a: a.transpose(perm))
    shape = data.draw(SHAPES_1D_PLUS)
    n = len(shape)
    if kind == "transpose":
        d0, d1 = data.draw(st.integers(-n, n - 1)), data.draw(st.integers(-n, n - 1))
        call = form(data, lambda t: t.transpose(d0, d1), lambda t: minigrad.transpose(t, d0, d1))
        return Case([uniform(data, shape)], call, lambda a: np.swapaxes(a, d0, d1))
    return Case([uniform(data, shape)], lambda t: t.T, lambda a: a.T)


def expand_case(data):
    shape = data.draw(SHAPES)
    target = [data.draw(st.integers(1, 3)) if n == 1 else n for n in shape]
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    full = tuple(lead) + tuple(target)
    if full == shape:
        full = (2,) + full
        lead = [2] + lead
    # -1 keeps a dim's own size (not allowed for the new leading dims)
    arg = tuple(-1 if i >= len(lead) and s == shape[i - len(lead)] and data.draw(st.booleans()) else s
                for i, s in enumerate(full))
    call = form(data, lambda t: t.expand(*arg), lambda t: t.expand(arg),
                lambda t: t.expand_as(minigrad.zeros(full)))
    return Case([uniform(data, shape)], call, lambda a: np.broadcast_to(a, full))


def cat_case(data):
    """cat along an existing dim, or stack along a new one."""
    base = data.draw(SHAPES_1D_PLUS)
    k = data.draw(st.integers(1, 3))
    n = len(base)
    if data.draw(st.booleans()):
        d = data.draw(st.integers(-n, n - 1))
        shapes = [base[:d % n] + (data.draw(st.integers(1, 3)),) + base[d % n + 1:] for _ in range(k)]
        call = form(data, lambda *ts: minigrad.cat(list(ts), d), lambda *ts: minigrad.cat(ts, dim=d))
        return Case([uniform(data, s) for s in shapes], call, lambda *xs: np.concatenate(xs, axis=d))
    d = data.draw(st.integers(-n - 1, n))
    return Case([uniform(data, base) for _ in range(k)], lambda *ts: minigrad.stack(list(ts), d),
                lambda *xs: np.stack(xs, axis=d))


def index_component(data, n):
    """One basic index for a dim of size n: an int (maybe negative) or a slice."""
    if data.draw(st.booleans()):
        return data.draw(st.integers(-n, n - 1))
    bound = st.none() | st.integers(-n - 1, n + 1)
    return slice(data.draw(bound), data.draw(bound), data.draw(st.none() | st.integers(1, 3)))


def index_case(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    kind = data.draw(st.sampled_from(["basic", "int array", "bool mask"]))
    if kind == "bool mask":
        full = data.draw(st.booleans())
        mask = data.draw(hnp.arrays(np.bool_, shape if full else shape[:1]))
        m = minigrad.tensor(mask)
        return Case([uniform(data, shape)], lambda t: t[m], lambda a: a[mask])
    m = data.draw(st.integers(1, len(shape)))
    key = [index_component(data, n) for n in shape[:m]]
    if kind == "int array":
        pos = data.draw(st.integers(0, m - 1))
        n = shape[pos]
        # repeats allowed: their gradients must add up
        key[pos] = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
    else:
        for extra in data.draw(st.lists(st.sampled_from([None, Ellipsis]), max_size=2)):
            if extra is Ellipsis and Ellipsis in key:
                continue
            key.insert(data.draw(st.integers(0, len(key))), extra)
    np_key = tuple(np.array(k) if isinstance(k, list) else k for k in key)
    as_tensor = kind == "int array" and data.draw(st.booleans())
    mg_key = tuple(minigrad.tensor(k) if isinstance(k, list) and as_tensor else k for k in key)
    if len(mg_key) == 1 and data.draw(st.booleans()):
        mg_key, np_key = mg_key[0], np_key[0]  # x[i] rather than x[(i,)]
    return Case([uniform(data, shape)], lambda t: t[mg_key], lambda a: a[np_key])


BUILDERS: dict[str, Callable] = {
    **{op: binary_case(op) for op in BINARY_CALLS},
    **{op: unary_case(op) for op in UNARY},
    **ACTIVATIONS,
    "clamp": clamp_case,
    "where": where_case,
    "sum": reduce_case("sum"),
    "mean": reduce_case("mean"),
    "max": extremum_case("max"),
    "min": extremum_case("min"),
    "reshape": reshape_case,
    "permute": permute_case,
    "expand": expand_case,
    "cat": cat_case,
    "index": index_case,
}


# ------------------------------------------------------------------ tests ----


def recorded(out) -> set:
    """(op, implementation) of every node on the tape behind ``out``."""
    seen, stack, found = set(), [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or not hasattr(node, "edges"):
            continue
        seen.add(id(node))
        found.add((node.op, node.impl))
        stack.extend(e for e in node.edges if e is not None)
    return found


def leaves(arrays, dtype):
    return [minigrad.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]


def test_every_registered_op_is_covered():
    assert DIFF_CASES, "no differentiable op registered on cpu"
    missing = sorted({op for op, _ in DIFF_CASES} - set(BUILDERS))
    assert not missing, f"registered ops without a case builder in this file: {missing}"
    assert {op for op, _ in NONDIFF_CASES} <= set(NONDIFF_BUILDERS)


@pytest.mark.parametrize("op, impl", DIFF_CASES, ids=[f"{o}-{i}" for o, i in DIFF_CASES])
@given(data=st.data())
def test_values_and_gradients(op, impl, data):
    if op not in BUILDERS:
        pytest.fail(f"no case builder for the registered op {op!r}: add one to BUILDERS")
    case = BUILDERS[op](data)
    expected = np.asarray(case.ref(*case.arrays))
    with minigrad.use(**{op: impl}):
        xs = leaves(case.arrays, float64)
        out = case.fn(*xs)
        assert (op, impl) in recorded(out), f"{op} ({impl}) was not on the tape"
        assert out.dtype is float64 and out.shape == expected.shape
        np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
        assert minigrad.gradcheck(case.fn, xs)

        # float32 in, float32 out, float32 gradients equal to the float64 ones.
        xs32 = leaves(case.arrays, float32)
        out32 = case.fn(*xs32)
        assert out32.dtype is float32 and out32.shape == expected.shape
        np.testing.assert_allclose(out32.detach().numpy(), expected, rtol=2e-5, atol=2e-5)
        w = np.random.default_rng(0).uniform(-1, 1, expected.shape)
        (out * minigrad.tensor(w, dtype=float64)).sum().backward()
        (out32 * minigrad.tensor(w, dtype=float32)).sum().backward()
        for x64, x32 in zip(xs, xs32):
            assert x32.grad.dtype is float32 and x32.grad.shape == x32.shape
            np.testing.assert_allclose(x32.grad.numpy(), x64.grad.numpy(), rtol=1e-4, atol=1e-4)


# ----------------------------------------------------- non-differentiable ----

COMPARE = {"eq": (np.equal, lambda a, b: a == b), "ne": (np.not_equal, lambda a, b: a != b),
           "lt": (np.less, lambda a, b: a < b), "le": (np.less_equal, lambda a, b: a <= b),
           "gt": (np.greater, lambda a, b: a > b), "ge": (np.greater_equal, lambda a, b: a >= b)}


def compare_case(op):
    np_fn, op_form = COMPARE[op]

    def build(data):
        # Small integers in a float tensor: ties happen.
        sa, sb = data.draw(hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
        a = data.draw(hnp.arrays(np.int64, sa, elements=st.integers(-2, 2))).astype(np.float64)
        b = data.draw(hnp.arrays(np.int64, sb, elements=st.integers(-2, 2)))
        mode = data.draw(st.sampled_from(["tensors", "scalar right", "scalar left", "mixed dtypes"]))
        call = form(data, op_form, lambda x, y: getattr(x, op)(y))
        if mode == "tensors":
            return Case([a, b.astype(np.float64)], call, np_fn)
        if mode == "mixed dtypes":  # a float tensor against an int64 one
            ib = minigrad.tensor(b)
            return Case([a], lambda x: call(x, ib), lambda x: np_fn(x, b))
        s = data.draw(st.sampled_from([-1, 0, 1.0, 0.5]))
        if mode == "scalar right":
            return Case([a], lambda x: call(x, s), lambda x: np_fn(x, s))
        return Case([a], lambda x: op_form(s, x), lambda x: np_fn(s, x))
    return build


def arg_case(op):
    np_fn = {"argmax": np.argmax, "argmin": np.argmin}[op]

    def build(data):
        shape = data.draw(SHAPES)
        (x,) = distinct(data, shape)
        keepdim = data.draw(st.booleans())
        dim, axes = dims_of(data, len(shape), allow_tuple=False)
        if dim is None:  # over the flattened tensor; keepdim keeps all dims as size 1
            if keepdim:
                call = lambda t: getattr(minigrad, op)(t, keepdim=True)  # noqa: E731
            else:
                call = form(data, lambda t: getattr(t, op)(), lambda t: getattr(minigrad, op)(t))
            return Case([x], call, lambda a: np.asarray(np_fn(a, keepdims=keepdim)))
        call = form(data, lambda t: getattr(t, op)(dim, keepdim),
                    lambda t: getattr(minigrad, op)(t, dim, keepdim=keepdim))
        return Case([x], call, lambda a: np_fn(a, axis=axes[0], keepdims=keepdim) if a.ndim
                    else np.zeros((), np.int64))
    return build


NONDIFF_BUILDERS = {**{op: compare_case(op) for op in COMPARE},
                    "argmax": arg_case("argmax"), "argmin": arg_case("argmin")}


@pytest.mark.parametrize("op, impl", NONDIFF_CASES, ids=[f"{o}-{i}" for o, i in NONDIFF_CASES])
@given(data=st.data())
def test_non_differentiable_values(op, impl, data):
    if op not in NONDIFF_BUILDERS:
        pytest.fail(f"no case builder for the registered op {op!r}: add one to NONDIFF_BUILDERS")
    case = NONDIFF_BUILDERS[op](data)
    expected = np.asarray(case.ref(*case.arrays))
    with minigrad.use(**{op: impl}):
        out = case.fn(*leaves(case.arrays, float64))
    assert not out.requires_grad and out.grad_fn is None
    assert out.dtype is (minigrad.bool if op in COMPARE else minigrad.int64)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)


# ------------------------------------------------------------------- cast ----

ALL_DTYPES = [minigrad.bool, minigrad.int64, float32, float64]


@pytest.mark.parametrize("impl", minigrad.implementations("cast", "cpu"))
@given(data=st.data())
def test_cast_values_and_gradients(impl, data):
    shape = data.draw(SHAPES)
    a = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(-3, 3))) * 0.75
    src, dst = data.draw(st.sampled_from(ALL_DTYPES)), data.draw(st.sampled_from(ALL_DTYPES))
    with minigrad.use(cast=impl):
        x = minigrad.tensor(a, dtype=src)
        y = form(data, lambda t: t.to(dst), lambda t: t.to(dtype=dst))(x)
        assert y.dtype is dst and y.shape == shape
        np.testing.assert_array_equal(y.numpy(), a.astype(src.np).astype(dst.np))
        if not (src.is_floating_point and dst.is_floating_point):
            return
        x.requires_grad_()
        y = x.to(dst)
        assert y.requires_grad == (src is not dst) or y is x
        w = np.arange(y.numel(), dtype=np.float64).reshape(shape)
        (y * minigrad.tensor(w, dtype=dst)).sum().backward()
        assert x.grad.dtype is src
        np.testing.assert_array_equal(x.grad.numpy(), w.astype(src.np))
        # Finite differences through a float32 value need a coarse step: cast is the
        # identity, so the central difference is exact up to float32 rounding (~1e-4).
        x64 = minigrad.tensor(a, dtype=float64, requires_grad=True)
        assert minigrad.gradcheck(lambda t: t.float(), [x64], eps=1e-3, atol=1e-3)
        assert minigrad.gradcheck(lambda t: t.float().double() * 2, [x64], eps=1e-3, atol=1e-3)
