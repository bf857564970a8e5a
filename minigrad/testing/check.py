"""``check_op``: the cross-implementation and gradient checks for any registered op."""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from .. import dispatch
from .. import dtype as dt

__all__ = ["check_op"]

# (rtol, atol) per dtype: torch.testing.assert_close's defaults.
TOLERANCES = {dt.float64: (1e-7, 1e-7), dt.float32: (1.3e-6, 1e-5)}


def check_op(name: "str | type | Callable", device: str = "cpu", *,
             inputs: st.SearchStrategy | None = None,
             call: Callable | None = None, examples: Iterable = (),
             reference: "str | Callable | None" = None, implementations: Sequence[str] | None = None,
             dtypes: Sequence = (dt.float64, dt.float32), rtol: float | None = None,
             atol: float | None = None, gradcheck: bool = True,
             max_examples: int | None = None) -> None:
    """Check every implementation of the registered op ``name`` on ``device``.

    For each Hypothesis-drawn sample ``(args, kwargs)``, ``call(*args, **kwargs)`` runs
    once with the reference implementation and once with each other implementation
    (selected with :func:`minigrad.use`), in each of ``dtypes``: every output (values,
    dtype, shape; integer outputs such as indices exactly) and the gradient of every
    input that requires grad (after ``backward`` of each differentiable output with
    the same random ``grad_out``) must agree with the reference. Then
    :func:`minigrad.gradcheck` checks each implementation, the reference included,
    against finite differences in float64 (skipped for a sample whose reference output
    is not finite: a mean over nothing is NaN, as in PyTorch).

    name: a built-in op (``conv2d``, ``max_pool2d``, ``softmax``, ``log_softmax``,
        ``cross_entropy``, ``matmul``, ``linear``, the elementwise and reduction ops),
        whose inputs are drawn from a built-in table, or an op registered with
        :func:`minigrad.register`, for which ``inputs`` is required; or a user's
        :class:`minigrad.autograd.Function` subclass (or its ``apply``), for which
        ``inputs`` is required too: its values and gradients are compared with
        ``reference`` when given and its backward is gradchecked.
    device: "cpu" or "cuda". On cuda the reference runs on the CPU (where it is
        registered there) and every cuda implementation is compared with it.
    inputs: a strategy drawing ``(args, kwargs)``: ``args`` a tuple of minigrad Tensors
        (floating ones that require grad are differentiated; others such as int64
        labels pass unchanged), None or plain values, ``kwargs`` a dict. Draw the
        tensors with :func:`minigrad.testing.tensors`, in float64: each dtype run casts
        the floating tensors, keeping ``requires_grad``; the drawn ones are never
        modified.
    call: how to run the op: ``call(*args, **kwargs)`` returns a Tensor or a tuple of
        Tensors. Default: the built-in op's public function, or for a user op
        ``minigrad.autograd.function.apply(name, *args, attrs=kwargs)``, which hands
        ``kwargs`` to the kernels as attributes.
    examples: samples ``(args, kwargs)`` always checked, before the drawn ones.
    reference: the implementation the others are compared with; default "numpy"
        where registered on the CPU, else the first one registered. For a Function: a
        callable computing the same outputs (the same maths in built-in ops, say),
        called like ``call``; default none (gradcheck only).
    implementations: the implementations to check (default: all usable on ``device``).
    dtypes: the dtypes compared (gradcheck is always float64).
    rtol, atol: comparison tolerances for every dtype; default torch.testing's
        (float64: 1e-7, 1e-7; float32: 1.3e-6, 1e-5).
    gradcheck: False to skip the finite-difference checks.
    max_examples: override the loaded Hypothesis profile's number of examples (every
        other setting, e.g. derandomize, comes from the profile).

    Raises AssertionError naming the implementation, the output or input, the worst
    mismatch and the sample's shapes; Hypothesis reports the (shrunk) sample itself.
    An exception raised inside an implementation propagates unchanged (with a note
    naming the implementation).
    ValueError if the op is unknown, has no implementation on ``device``, or has no
    input strategy.

    Example, in a pytest test::

        import minigrad
        from hypothesis import strategies as st
        from minigrad.testing import check_op, tensors

        def test_scale(restore_registry):
            minigrad.register("scale", "cpu", "numpy",
                              lambda g, x: (x * g.alpha, None),
                              lambda g, grad, saved, needs: (grad * g.alpha,))
            inputs = st.tuples(st.tuples(tensors(requires_grad=True)),
                               st.fixed_dictionaries({"alpha": st.floats(-2, 2)}))
            check_op("scale", inputs=inputs)
    """
    from .cases import builtin_cases

    function = _function_of(name)
    if function is not None:
        return _check_function(function, device, inputs, call, examples, reference,
                               implementations, dtypes, rtol, atol, gradcheck, max_examples)
    registered = dispatch.implementations(name, device)  # ValueError for an unknown op
    impls = list(registered if implementations is None else implementations)
    missing = [i for i in impls if i not in registered]
    if missing or not impls:
        raise ValueError(f"check_op: {name} has no implementation {missing or ''} on "
                         f"{device}; available: {', '.join(registered) or 'none'}")
    case = builtin_cases().get(name)
    if inputs is None:
        if case is None:
            raise ValueError(f"check_op: no built-in input strategy for op {name!r}; pass "
                             "inputs=, a strategy drawing (args, kwargs)")
        inputs = case.inputs
    if call is None:
        call = case.call if case is not None else _apply_call(name)
    do_gradcheck = gradcheck and (case is None or case.gradcheck)
    ref_name, ref_device = _reference(name, device, reference)
    dtypes = [dt.as_dtype(d) for d in dtypes]
    checker = _Checker(name, device, impls, ref_name, ref_device, call, dtypes, rtol, atol)
    _drive(checker, inputs, examples, dtypes, do_gradcheck, max_examples)


def _drive(checker: "_Checker", inputs, examples, dtypes, do_gradcheck: bool,
           max_examples) -> None:
    """Run ``checker`` on every example, then on the Hypothesis-drawn samples."""
    def run(sample, seed):
        args, kwargs = _unpack(sample)
        reference_outputs = None
        for dtype in dtypes:
            outs = checker.compare(args, kwargs, dtype, seed)
            if dtype is dt.float64:
                reference_outputs = outs
        if do_gradcheck:
            checker.gradcheck(args, kwargs, reference_outputs)

    test = given(sample=inputs, seed=st.integers(0, 2**32 - 1))(run)
    for sample in reversed(list(examples)):
        test = example(sample=sample, seed=0)(test)
    # One AssertionError, the first bug's, rather than an ExceptionGroup of several;
    # everything else comes from the loaded profile.
    overrides = {"report_multiple_bugs": False}
    if max_examples is not None:
        overrides["max_examples"] = max_examples
    settings(**overrides)(test)()


def _function_of(name):
    """The autograd.Function subclass ``name`` is (or whose ``apply`` it is), else None."""
    from ..autograd.custom import Function
    owner = getattr(name, "__self__", None) if callable(name) else None
    for candidate in (name, owner):
        if isinstance(candidate, type) and issubclass(candidate, Function):
            return candidate
    return None


def _check_function(function, device, inputs, call, examples, reference, implementations,
                    dtypes, rtol, atol, gradcheck, max_examples) -> None:
    """check_op for a user's autograd.Function: its values and gradients against
    ``reference`` (a callable, e.g. the same maths in built-in ops) when given, and
    gradcheck of its backward."""
    if inputs is None:
        raise ValueError(f"check_op: pass inputs=, a strategy drawing (args, kwargs), to "
                         f"check the autograd.Function {function.__name__}")
    if implementations is not None:
        raise ValueError("check_op: an autograd.Function has one implementation; "
                         "implementations= is for registered ops")
    if reference is not None and not callable(reference):
        raise ValueError("check_op: for an autograd.Function, reference= is a callable "
                         "computing the same values (e.g. from built-in ops)")
    label = function.__name__
    calls = {label: call or function.apply}
    ref_name = label
    if reference is not None:
        ref_name = "reference"
        calls[ref_name] = reference
    dtypes = [dt.as_dtype(d) for d in dtypes]
    checker = _Checker(label, device, [label], ref_name, device, None, dtypes, rtol, atol,
                       calls=calls)
    _drive(checker, inputs, examples, dtypes, gradcheck, max_examples)


def _apply_call(name: str) -> Callable:
    from ..autograd.function import apply

    def call(*args, **kwargs):
        return apply(name, *args, attrs=kwargs)
    return call


def _reference(name: str, device: str, reference: str | None) -> tuple[str, str]:
    cpu = dispatch.implementations(name, "cpu") if _has(name, "cpu") else []
    here = dispatch.implementations(name, device)
    if reference is None:
        reference = "numpy" if "numpy" in cpu else (cpu or here)[0]
    if reference in cpu:
        return reference, "cpu"
    if reference in here:
        return reference, device
    raise ValueError(f"check_op: reference implementation {reference!r} of {name} is not "
                     f"registered on cpu ({', '.join(cpu) or 'none'}) nor on {device} "
                     f"({', '.join(here)})")


def _has(name: str, device: str) -> bool:
    try:
        return bool(dispatch.implementations(name, device))
    except ValueError:
        return False


def _unpack(sample) -> tuple[tuple, dict]:
    try:
        args, kwargs = sample
        return tuple(args), dict(kwargs)
    except (TypeError, ValueError):
        raise TypeError("check_op: inputs must draw (args, kwargs), a tuple of positional "
                        f"arguments and a dict of keyword arguments; got {sample!r}") from None


def _is_tensor(value) -> bool:
    from ..tensor import Tensor
    return isinstance(value, Tensor)


def _describe(args, kwargs) -> str:
    def one(a):
        if _is_tensor(a):
            grad = ", requires_grad" if a.requires_grad else ""
            return f"Tensor(shape={tuple(a.shape)}, {a.dtype}{grad})"
        return repr(a)
    return f"args=({', '.join(one(a) for a in args)}), kwargs={kwargs!r}"


def _outputs(out) -> list:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    for o in outs:
        if not _is_tensor(o):
            raise TypeError(f"check_op: call must return Tensors, got {type(o).__name__}")
    return outs


class _Run:
    """What one implementation produced for one sample: host arrays."""

    def __init__(self, values, diff, grads, grad_outs):
        self.values = values        # every output
        self.diff = diff            # indices of the differentiable outputs
        self.grads = grads          # per arg: gradient array, or None
        self.grad_outs = grad_outs  # the grad_out used per differentiable output


class _Checker:
    def __init__(self, name, device, impls, ref_name, ref_device, call, dtypes, rtol, atol,
                 calls=None):
        self.name, self.device, self.impls = name, device, impls
        self.ref_name, self.ref_device, self.call = ref_name, ref_device, call
        self.dtypes, self.rtol, self.atol = dtypes, rtol, atol
        # An autograd.Function (calls: label -> callable) runs each label's callable; a
        # registered op runs ``call`` with the implementation selected by use().
        self.calls = calls

    def _select(self, impl):
        """(the callable, the context that selects ``impl``)."""
        if self.calls is not None:
            return self.calls[impl], contextlib.nullcontext()
        return self.call, dispatch.use(**{self.name: impl})

    def _fresh(self, args, dtype, device) -> list:
        """New leaf tensors (so gradients never accumulate across runs), floating ones
        in ``dtype`` on ``device``."""
        from ..creation import tensor
        fresh = []
        for a in args:
            if _is_tensor(a):
                d = dtype if a.dtype.is_floating_point else a.dtype
                a = tensor(a, dtype=d, requires_grad=a.requires_grad and d.is_floating_point,
                           device=device)
            fresh.append(a)
        return fresh

    def _run(self, impl, device, args, kwargs, dtype, seed, grad_outs=None) -> _Run:
        from ..creation import tensor
        from ..arrays import to_host

        fresh = self._fresh(args, dtype, device)
        call, selected = self._select(impl)
        with selected:
            try:
                outs = _outputs(call(*fresh, **kwargs))
                diff = [i for i, o in enumerate(outs)
                        if o.requires_grad and o.dtype.is_floating_point]
                if grad_outs is None:
                    rng = np.random.default_rng(seed)
                    grad_outs = [rng.standard_normal(outs[i].shape) for i in diff]
                for n, (i, g) in enumerate(zip(diff, grad_outs)):
                    if tuple(g.shape) == tuple(outs[i].shape):  # else the values check fails
                        outs[i].backward(tensor(g, dtype=outs[i].dtype, device=device),
                                         retain_graph=n < len(diff) - 1)
            except Exception as e:
                # A crash propagates as it is; say which implementation crashed.
                if hasattr(e, "add_note"):  # Python >= 3.11
                    e.add_note(f"check_op({self.name!r}): raised by implementation {impl!r} "
                               f"on {device} ({dtype})")
                raise
        values = [np.asarray(to_host(o.detach()._array)) for o in outs]
        grads = [None if not (_is_tensor(a) and a.requires_grad) or a.grad is None
                 else np.asarray(to_host(a.grad._array)) for a in fresh]
        return _Run(values, diff, grads, grad_outs)

    def _tolerances(self, dtype):
        rtol, atol = TOLERANCES.get(dtype, (0.0, 0.0))
        return (rtol if self.rtol is None else self.rtol), (atol if self.atol is None else self.atol)

    def compare(self, args, kwargs, dtype, seed) -> _Run:
        """Run the reference and every other implementation in ``dtype``; return the
        reference's run."""
        ref = self._run(self.ref_name, self.ref_device, args, kwargs, dtype, seed)
        for impl in self.impls:
            if (impl, self.device) == (self.ref_name, self.ref_device):
                continue
            got = self._run(impl, self.device, args, kwargs, dtype, seed, ref.grad_outs)
            where = (f"check_op({self.name!r}): implementation {impl!r} on {self.device} "
                     f"disagrees with the reference {self.ref_name!r} on {self.ref_device} "
                     f"({dtype})")
            context = f"\n  sample: {_describe(args, kwargs)}"
            if len(got.values) != len(ref.values):
                raise AssertionError(f"{where}: {len(got.values)} outputs, expected "
                                     f"{len(ref.values)}{context}")
            if got.diff != ref.diff:
                raise AssertionError(f"{where}: differentiable outputs {got.diff}, expected "
                                     f"{ref.diff}{context}")
            rtol, atol = self._tolerances(dtype)
            for k, (g, r) in enumerate(zip(got.values, ref.values)):
                _assert_close(g, r, rtol, atol, f"{where} in output {k}", context)
            for k, (g, r) in enumerate(zip(got.grads, ref.grads)):
                _assert_close(g, r, rtol, atol, f"{where} in the gradient of input {k}", context)
        return ref

    def gradcheck(self, args, kwargs, reference: _Run | None) -> None:
        from ..autograd.gradcheck import GradcheckError, gradcheck

        if not any(_is_tensor(a) and a.requires_grad for a in args):
            return
        if reference is not None:
            if not reference.diff:
                return  # no differentiable output (a comparison, argmax)
            if not all(np.isfinite(reference.values[i]).all() for i in reference.diff):
                return  # finite differences of NaN or inf mean nothing
        for impl in self.impls:
            fresh = self._fresh(args, dt.float64, self.device)
            call, selected = self._select(impl)
            with selected:
                try:
                    gradcheck(lambda *t: call(*t, **kwargs), fresh)
                except GradcheckError as e:
                    raise AssertionError(
                        f"check_op({self.name!r}): implementation {impl!r} on {self.device} "
                        f"fails gradcheck (float64, finite differences): {e}"
                        f"\n  sample: {_describe(args, kwargs)}") from None


def _assert_close(got, expected, rtol, atol, what: str, context: str) -> None:
    if got is None or expected is None:
        if got is not None or expected is not None:
            state = ("returned no gradient", "a gradient") if got is None else \
                ("returned a gradient", "none")
            raise AssertionError(f"{what}: {state[0]}, expected {state[1]}{context}")
        return
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {expected.shape}{context}")
    if got.dtype != expected.dtype:
        raise AssertionError(f"{what}: dtype {got.dtype}, expected {expected.dtype}{context}")
    if got.dtype.kind == "f":
        close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        tol = f" (rtol={rtol}, atol={atol})"
    else:
        close, tol = got == expected, ""
    if np.all(close):
        return
    with np.errstate(invalid="ignore", over="ignore"):
        excess = np.abs(got.astype(np.float64) - expected.astype(np.float64)) \
            - atol - rtol * np.abs(expected.astype(np.float64))
    excess = np.where(np.isnan(excess), np.inf, excess)
    excess[close] = -np.inf
    worst = np.unravel_index(int(np.argmax(excess)), got.shape) if got.ndim else ()
    raise AssertionError(
        f"{what}: {int(np.size(close) - np.count_nonzero(close))} of {got.size} elements "
        f"differ; worst at index {tuple(int(i) for i in worst)}: got {got[worst]!r}, "
        f"expected {expected[worst]!r}{tol}{context}")
