"""Indexing with PyTorch's rules: ``t[key]`` forward and backward, and ``t[key] = v``.

PyTorch's result shapes differ from NumPy's where an int or None sits beside advanced
indices (ints select first: x[1, :, [0, 1]] is (4, 2), NumPy (2, 4)) and for a list of
sequences (read as a tuple). Against torch when it is importable (a table of keys and
Hypothesis-drawn ones, values and gradients); without it, against the same selection
made step by step (the int first, then the advanced index), which is PyTorch's rule.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad

SHAPE = (3, 4, 5)
X = np.arange(60, dtype=np.float64).reshape(SHAPE) / 7.0
M2 = X[:, :, 0] * 7 % 3 == 0  # a (3, 4) mask
M1 = np.array([True, False, True])


class T:
    """An index tensor in a spec (made by torch.tensor or minigrad.tensor)."""
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"T({np.asarray(self.value).tolist()!r})"


class L(T):
    """A plain list in a spec."""


def _build(spec, as_index):
    """A key from a spec: T entries become index tensors (``as_index``), L entries
    lists; the rest (ints, slices, None, Ellipsis, bools, lists) stay."""
    def entry(e):
        if isinstance(e, L):
            return list(e.value)
        return as_index(e.value) if isinstance(e, T) else e
    return tuple(entry(e) for e in spec) if isinstance(spec, tuple) else entry(spec)


# Specs over SHAPE; each comment says what PyTorch does there.
TABLE = [
    T([0, 2]),                                     # an int tensor on dim 0
    T([[0, 1], [2, 0]]),                           # an int tensor of two dims
    T(1),                                          # a 0-d tensor: a select
    T(M2),                                         # a mask over two dims
    T(True),                                       # a 0-d bool: a new dim of 1
    L([True, False, True]),                        # a list of bools: a mask
    L([1]),
    [[0, 1], [1, 2]],                                  # a list of lists: a tuple
    [[0, 1], slice(None), [1, 2]],
    (T([0, 1]), slice(None), T([1, 2])),       # a slice between advanced indices
    (slice(None), T([0, 1]), T([1, 2])),       # adjacent advanced indices
    (1, slice(None), T([1, 2])),                   # an int selects first: (4, 2)
    (T(1), slice(None), T([0, 1])),            # so does a 0-d tensor
    (1, None, T([0, 1])),                          # None beside: (1, 2, 5)
    (T([0, 1]), 1, T([1, 2])),
    (T(M1), 0, T([1, 2])),
    (T(M2), slice(1, 3)),
    (slice(None), T(X[0] * 7 > 2)),
    (None, T([0, 1]), None, T([1, 2])),
    (Ellipsis, 1, T([0, 4])),
    (T([0, 1]), Ellipsis, 2),
    (True, 1, T([0, 1])),
    (T([[0, 1]]), None, T([[1], [2]])),
    (1, slice(None, None, 2), -1),                     # basic only
    (Ellipsis, None, slice(1, 3)),
    L([]),                                         # an empty list: nothing selected
]


def _ids(specs):
    return [str(i) for i in range(len(specs))]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # torch's, on list keys
@pytest.mark.parametrize("spec", TABLE, ids=_ids(TABLE))
def test_getitem_matches_torch_forward_and_backward(spec):
    torch = pytest.importorskip("torch")
    ref_x = torch.tensor(X, requires_grad=True)
    ref = ref_x[_build(spec, torch.tensor)]
    x = minigrad.tensor(X, requires_grad=True)
    out = x[_build(spec, minigrad.tensor)]
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    # A gradient that tells positions apart (and adds up repeated ones).
    weights = np.arange(1, ref.numel() + 1, dtype=np.float64).reshape(tuple(ref.shape))
    (ref * torch.tensor(weights)).sum().backward()
    (out * minigrad.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), ref_x.grad.numpy())


def test_an_int_selects_before_the_advanced_index():
    # PyTorch's rule, without torch: x[1, :, idx] is x[1][:, idx], x[1, None, idx] is
    # x[1][None][:, idx], whatever NumPy makes of the whole key.
    x = minigrad.tensor(X)
    idx = minigrad.tensor([1, 2])
    np.testing.assert_array_equal(x[1, :, idx].numpy(), X[1][:, [1, 2]])
    np.testing.assert_array_equal(x[minigrad.tensor(1), :, idx].numpy(), X[1][:, [1, 2]])
    np.testing.assert_array_equal(x[1, None, idx].numpy(), X[1][None][:, [1, 2]])
    np.testing.assert_array_equal(x[idx, :, idx].numpy(), X[[1, 2], :, [1, 2]])
    # A list of lists is a tuple of lists.
    np.testing.assert_array_equal(x[[[0, 1], [1, 2]]].numpy(), X[[0, 1], [1, 2]])


def test_an_int_beside_an_advanced_index_gets_the_right_gradient():
    x = minigrad.tensor(X, requires_grad=True)
    x[1, :, minigrad.tensor([2, 2, 0])].sum().backward()
    expected = np.zeros(SHAPE)
    expected[1, :, 2] = 2  # picked twice: the gradients add up
    expected[1, :, 0] = 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@pytest.mark.parametrize("key, kind, message", [
    (lambda: 5, IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda: (0, 0, 0, 0), IndexError, "too many indices for tensor"),
    (lambda: minigrad.tensor([0.0]), IndexError, "tensors used as indices must be long, int, byte or bool"),
    (lambda: slice(None, None, -1), ValueError, "step must be greater than zero"),
    (lambda: minigrad.tensor([True, False]), IndexError, "boolean index did not match"),
])
def test_bad_keys(key, kind, message):
    with pytest.raises(kind, match=message):
        minigrad.tensor(X)[key()]


def _key_specs():
    """Keys of up to three entries over SHAPE (one may be Ellipsis): ints, slices,
    None, int tensors of one or two dims, 0-d tensors and lists."""
    def entry(n):
        return st.one_of(
            st.integers(-n, n - 1),
            st.builds(slice, st.sampled_from([None, 0, 1]), st.sampled_from([None, -1, 3]),
                      st.sampled_from([None, 1, 2])),
            st.none(),
            st.lists(st.integers(0, n - 1), min_size=1, max_size=3).map(T),
            st.lists(st.lists(st.integers(0, n - 1), min_size=2, max_size=2), min_size=1,
                     max_size=2).map(T),
            st.integers(0, n - 1).map(T),
            st.lists(st.integers(0, n - 1), min_size=1, max_size=2).map(L),
        )
    entries = st.tuples(entry(3), entry(3), entry(4))
    return st.tuples(entries, st.integers(0, 3), st.booleans(), st.integers(1, 3)).map(
        lambda t: t[0][:t[3]] if not t[2] else t[0][:t[3]][:t[1]] + (Ellipsis,) + t[0][:t[3]][t[1]:])


@given(_key_specs())
def test_getitem_matches_torch_on_drawn_keys(spec):
    torch = pytest.importorskip("torch")
    try:
        ref_x = torch.tensor(X, requires_grad=True)
        ref = ref_x[_build(spec, torch.tensor)]
    except (IndexError, ValueError, RuntimeError) as e:
        with pytest.raises(type(e)):
            minigrad.tensor(X)[_build(spec, minigrad.tensor)]
        return
    x = minigrad.tensor(X, requires_grad=True)
    out = x[_build(spec, minigrad.tensor)]
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    if ref.numel():
        weights = np.arange(1, ref.numel() + 1, dtype=np.float64).reshape(tuple(ref.shape))
        (ref * torch.tensor(weights)).sum().backward()
        (out * minigrad.tensor(weights)).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), ref_x.grad.numpy())


# ---------------------------------------------------------------- assignment ----

SET_CASES = [
    (lambda new, x: x < 20 / 7, 0.0),                      # grad_h[h < 0] = 0
    (lambda new, x: (slice(None), 0), ("v", (3, 5))),     # t[:, 0] = v
    (lambda new, x: (1, slice(None), new([0, 2])), ("v", (4, 1))),  # a broadcast value
    (lambda new, x: new([[0, 1]]), ("v", (5,))),
    (lambda new, x: (Ellipsis, 2), -1.5),
    (lambda new, x: new(M2), ("v", (5,))),
]


@pytest.mark.parametrize("case", SET_CASES, ids=_ids(SET_CASES))
def test_setitem_matches_torch(case):
    torch = pytest.importorskip("torch")
    key, value = case
    rng = np.random.default_rng(0)
    v = rng.standard_normal(value[1]) if isinstance(value, tuple) else value
    results = []
    for new in (torch.tensor, minigrad.tensor):
        base = new(X, requires_grad=True)
        val = new(v, requires_grad=True) if isinstance(value, tuple) else v
        y = base * 1.0  # a non-leaf: written in place
        y[key(new, y.detach())] = val
        (y * new(X + 1)).sum().backward()
        results.append((y.detach().numpy(), base.grad.numpy(),
                        val.grad.numpy() if isinstance(value, tuple) else None))
    (ry, rg, rv), (my, mg, mv) = results
    np.testing.assert_allclose(my, ry)
    np.testing.assert_allclose(mg, rg)
    if rv is not None:
        np.testing.assert_allclose(mv, rv)


def test_setitem_writes_in_place_with_a_version_bump():
    t = minigrad.tensor(X.copy())
    view = t[0]  # a CPU view: the write reaches it
    before = t._version
    t[t > 5] = 0
    assert t._version == before + 1
    np.testing.assert_array_equal(t.numpy(), np.where(X > 5, 0, X))
    np.testing.assert_array_equal(view.numpy(), np.where(X > 5, 0, X)[0])
    t[:, 0] = minigrad.tensor([1.0, 2.0, 3.0]).reshape(3, 1)
    np.testing.assert_array_equal(t.numpy()[:, 0], np.broadcast_to([[1.0], [2.0], [3.0]], (3, 5)))


def test_setitem_of_a_leaf_that_requires_grad_is_refused():
    w = minigrad.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 0.0
    with minigrad.no_grad():
        w[0] = 0.0  # allowed there, as in PyTorch
    assert (w.detach().numpy()[0] == 0).all()


def test_setitem_value_must_broadcast_to_the_selection():
    t = minigrad.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[3\] cannot be "
                                           r"broadcast to indexing result of shape \[2, 4\]"):
        t[[0, 1]] = minigrad.ones(3)
    with pytest.raises(IndexError):
        t[5] = 1.0


def test_setitem_casts_to_the_tensors_dtype_and_saved_values_are_checked():
    t = minigrad.tensor([1, 2, 3])
    t[0] = 9.7
    assert t.dtype is minigrad.int64 and t.tolist() == [9, 2, 3]
    # A backward that saved the tensor's values refuses after the write, as PyTorch.
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
