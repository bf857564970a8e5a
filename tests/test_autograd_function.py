"""minigrad.autograd.Function: torch.autograd.Function's contract on minigrad's tape.

Each Function below is written once, against a library ``lib`` (minigrad or torch), so
the very same code runs on both: gradients are compared with the formula and, where
torch is importable, with torch's."""
from __future__ import annotations

import types

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function


def functions(lib):
    """The test Functions, subclassing ``lib.autograd.Function``."""
    base = lib.autograd.Function

    class Cube(base):
        """y = k x^3 (x: any shape, k a Python number); dy/dx = 3 k x^2."""
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            ctx.save_for_backward(x)
            return x * x * x * k

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * ctx.k * x * x, None

    class MulAdd(base):
        """(a * b + c): three tensor inputs, a scalar in between; records needs."""
        @staticmethod
        def forward(ctx, a, b, scale, c):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            ctx.seen_needs = ctx.needs_input_grad
            return a * b * scale + c

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            ga = grad * b * ctx.scale if ctx.needs_input_grad[0] else None
            gb = grad * a * ctx.scale if ctx.needs_input_grad[1] else None
            gc = grad if ctx.needs_input_grad[3] else None
            return ga, gb, None, gc

    class SinCos(base):
        """Two outputs: (x * 2, x * x); backward gets one gradient per output."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x * x

        @staticmethod
        def backward(ctx, g1, g2):
            (x,) = ctx.saved_tensors
            return g1 * 2 + g2 * 2 * x

    class NumpyExp(base):
        """Forward on arrays: y = e^x via NumPy; backward in tensor ops from the output."""
        @staticmethod
        def forward(ctx, x):
            y = lib.from_numpy(np.exp(x.numpy()))
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    return types.SimpleNamespace(Cube=Cube, MulAdd=MulAdd, SinCos=SinCos, NumpyExp=NumpyExp)


M = functions(minigrad)


def leaf(values, lib=minigrad):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def libs():
    out = [minigrad]
    try:
        import torch
        out.append(torch)
    except ImportError:
        pass
    return out


def run_all(lib):
    """Every Function of functions(lib) in one graph; the leaves' gradients."""
    f = functions(lib)
    x = leaf([0.5, -1.5, 2.0], lib)
    a, b, c = leaf([1.0, 2.0, 3.0], lib), leaf([-1.0, 0.5, 4.0], lib), leaf([0.1, 0.2, 0.3], lib)
    e = leaf([0.0, 1.0, -1.0], lib)
    u, v = f.SinCos.apply(x)
    loss = (f.Cube.apply(x, 2.0) * f.MulAdd.apply(a, b, 3.0, c)).sum() + (u * v).sum() \
        + (f.NumpyExp.apply(e) * x).sum()
    loss.backward()
    return [t.grad.detach().numpy().copy() for t in (x, a, b, c, e)]


# --------------------------------------------------------------- the basics ----


def test_gradient_matches_the_formula():
    x = leaf([0.5, -1.5, 2.0])
    y = M.Cube.apply(x, 2.0)
    np.testing.assert_allclose(y.detach().numpy(), 2.0 * x.detach().numpy() ** 3)
    y.backward(minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64))
    np.testing.assert_allclose(x.grad.numpy(), np.array([1, 2, 3]) * 6.0 * x.detach().numpy() ** 2)


def test_same_function_code_gives_torch_gradients():
    torch = pytest.importorskip("torch")
    for got, want in zip(run_all(minigrad), run_all(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_node_name_next_functions_and_ctx_attributes():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    h = w * 1.0
    y = M.MulAdd.apply(x, minigrad.tensor([1.0, 1.0], dtype=minigrad.float64), 5.0, h)
    node = y.grad_fn
    assert node.name() == "MulAddBackward" and type(node).__name__ == "MulAddBackward"
    assert not y.is_leaf and y.requires_grad
    # One entry per tensor input (the scalar has none), as PyTorch's.
    (n0, i0), (n1, i1), (n2, i2) = node.next_functions
    assert n0.name() == "torch::autograd::AccumulateGrad" and n0.variable is x and i0 == 0
    assert (n1, i1) == (None, 0)
    assert n2 is h.grad_fn and i2 == 0
    assert node.scale == 5.0                         # grad_fn reads the ctx, as PyTorch's
    assert node.seen_needs == (True, False, False, True)
    assert f"{y!r}".endswith("grad_fn=<MulAddBackward>)")


def test_non_tensor_arguments_and_keywords_pass_through():
    x = leaf([1.0, -2.0])
    y = M.Cube.apply(x, k=0.5)   # a keyword becomes the second argument, as in PyTorch
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * x.detach().numpy() ** 2)


@pytest.mark.parametrize("returned, expected", [(1, 2), (3, 2)])
def test_wrong_number_of_gradients(returned, expected):
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return (grad,) * returned

    x = leaf([1.0])
    with pytest.raises(RuntimeError, match=rf"function BadBackward returned an incorrect "
                                           rf"number of gradients \(expected {expected}, "
                                           rf"got {returned}\)"):
        Bad.apply(x, 2.0).sum().backward()


def test_extra_gradients_may_be_none():
    class Extra(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 3, None, None

    x = leaf([1.0, 2.0])
    Extra.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_gradient_type_shape_and_broadcast_checks():
    def make(result):
        class G(Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum()

            @staticmethod
            def backward(ctx, grad):
                return result(grad)
        return G

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"expected Variable or None \(got numpy.ndarray\)"):
        make(lambda g: np.ones(2)).apply(x).backward()
    with pytest.raises(RuntimeError, match=r"GBackward returned an invalid gradient at index 0 "
                                           r"- got \[3\] but expected shape compatible with \[2\]"):
        make(lambda g: minigrad.ones(3, dtype=minigrad.float64)).apply(x).backward()
    # A gradient that broadcasts to a bigger shape is summed back, as PyTorch does.
    make(lambda g: minigrad.ones(4, 2, dtype=minigrad.float64)).apply(x).backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_no_graph_without_grad():
    x = leaf([1.0, 2.0])
    with minigrad.no_grad():
        y = M.Cube.apply(x, 1.0)
    assert y.grad_fn is None and not y.requires_grad
    z = M.Cube.apply(minigrad.tensor([1.0, 2.0]), 1.0)
    assert z.grad_fn is None and not z.requires_grad


def test_forward_runs_without_recording_and_backward_too():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["forward"] = minigrad.is_grad_enabled()
            y = x * 2
            seen["inner"] = y.grad_fn
            return y

        @staticmethod
        def backward(ctx, grad):
            seen["backward"] = minigrad.is_grad_enabled()
            return grad * 2

    x = leaf([1.0])
    Probe.apply(x).sum().backward()
    assert seen == {"forward": False, "inner": None, "backward": False}
    assert x.grad.tolist() == [2.0]


def test_forward_on_arrays():
    x = leaf([0.0, 1.0, -2.0])
    # numpy() of a tensor that requires grad: refused with grad on, allowed without (as
    # PyTorch's check), which is how forward reads its input's array.
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    with minigrad.no_grad():
        assert x.numpy() is x._array
    y = M.NumpyExp.apply(x)
    np.testing.assert_allclose(y.detach().numpy(), np.exp(x.detach().numpy()))
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2 * x.detach().numpy()))


def test_returning_an_input_gives_a_new_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = leaf([1.0, 2.0])
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and not y.is_leaf
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


# ------------------------------------------------------------- multiple outputs ----


def test_multiple_outputs_each_get_their_gradient():
    x = leaf([1.0, -2.0])
    u, v = M.SinCos.apply(x)
    assert u.grad_fn.name() == v.grad_fn.name() == "SinCosBackward"
    (3 * u + v).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * 2 + 2 * x.detach().numpy())
    # Their consumers name the Function's node and the output's index, as PyTorch's.
    fu, iu = (u * 1).grad_fn.next_functions[0]
    fv, iv = (v * 1).grad_fn.next_functions[0]
    assert fu is fv and (iu, iv) == (0, 1) and fu.name() == "SinCosBackward"


@pytest.mark.parametrize("materialize", [True, False])
def test_an_unused_output_gets_zeros_or_none(materialize):
    got = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            got.append(None if g2 is None else g2.tolist())
            return g1 * 2 if g2 is None else g1 * 2 + g2 * 3

    x = leaf([1.0, 2.0])
    u, _ = Two.apply(x)
    u.sum().backward()
    assert got == ([[0.0, 0.0]] if materialize else [None])
    assert x.grad.tolist() == [2.0, 2.0]


def test_non_differentiable_outputs():
    got = []

    class WithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            i = x.argmax()
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            return x * 2, i, mask

        @staticmethod
        def backward(ctx, g, gi, gm):
            got.append((gi.tolist(), gm.tolist()))
            return g * 2

    x = leaf([1.0, -3.0])
    y, i, mask = WithIndex.apply(x)
    assert y.requires_grad and not i.requires_grad and not mask.requires_grad
    y.sum().backward()
    assert got == [(0, [False, False])]  # zeros of each output's dtype, as PyTorch
    assert x.grad.tolist() == [2.0, 2.0]


# ------------------------------------------------------ the tape's guarantees ----


def test_saved_tensors_are_version_checked():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = M.Cube.apply(h, 1.0)
    h.add_(1.0)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: .*saved by "
                                           r"CubeBackward, is at version 1; expected version 0"):
        y.sum().backward()


def test_a_saved_output_is_version_checked():
    x = leaf([1.0, 2.0])
    y = M.NumpyExp.apply(x)     # saves its output
    z = y * 1.0
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_a_saved_tensor_not_read_does_not_raise():
    class SavesButIgnores(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    h = leaf([1.0]) * 1.0
    y = SavesButIgnores.apply(h)
    h.add_(1.0)
    y.sum().backward()   # as PyTorch: the check is on reading saved_tensors


def test_retain_graph_and_freed_buffers():
    x = leaf([1.0, 2.0])
    y = M.Cube.apply(x, 1.0).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * x.detach().numpy() ** 2)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.next_functions[0][0].saved_tensors


def test_mark_dirty():
    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.numpy()[...] += 1          # written through the array, then declared
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = leaf([1.0, 2.0])
    h = x * 3.0
    before = h._version
    out = AddOneInPlace.apply(h)
    assert out is h and h.grad_fn.name() == "AddOneInPlaceBackward" and h._version == before + 1
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * 2 * (3 * x.detach().numpy() + 1))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        AddOneInPlace.apply(leaf([1.0]))


def test_setup_context_style():
    class Scale(Function):
        @staticmethod
        def forward(x, factor=2.0):
            return x * factor

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.factor = inputs[1]

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None

    x = leaf([1.0, 2.0])
    Scale.apply(x).sum().backward()            # the default reaches setup_context
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    Scale.apply(x, factor=-1.0).sum().backward()
    assert x.grad.tolist() == [-1.0, -1.0]


def test_once_differentiable_and_torch_module_path():
    from minigrad.autograd.function import Function as F2, once_differentiable

    class Square(F2):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = leaf([3.0])
    Square.apply(x).backward()
    assert F2 is Function and x.grad.tolist() == [6.0]


def test_gradcheck_accepts_a_function_and_catches_a_wrong_backward():
    x = leaf([0.3, -0.7, 1.1])
    assert minigrad.gradcheck(lambda t: M.Cube.apply(t, 1.5), (x,))
    a, b, c = leaf([1.0, 2.0]), leaf([0.5, -1.0]), leaf([0.0, 3.0])
    assert minigrad.gradcheck(M.MulAdd.apply, (a, b, 2.0, c))
    assert minigrad.gradcheck(M.SinCos.apply, (x,))

    class WrongCube(M.Cube):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * ctx.k * x, None     # d(x^3)/dx taken as 2x

    with pytest.raises(minigrad.GradcheckError, match="Jacobian mismatch"):
        minigrad.gradcheck(WrongCube.apply, (x, 1.5))


def test_a_passed_through_gradient_does_not_become_the_leaf_grad():
    class PassFirst(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1, x * 1

        @staticmethod
        def backward(ctx, g1, g2):
            return g1                     # the incoming gradient itself

    x = leaf([1.0, 2.0])
    u, _ = PassFirst.apply(x)
    seed = minigrad.tensor([5.0, 6.0], dtype=minigrad.float64)
    u.backward(seed)
    assert x.grad.tolist() == [5.0, 6.0]
    assert not np.shares_memory(x.grad._array, seed._array)
