"""The layers of minigrad.nn, nn.init, and the functional ops added with them (dropout,
nll_loss, mse_loss, batch_norm): values against NumPy formulas written here, PyTorch's
initialisation statistics, training/eval behaviour, and float64 gradient checks."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.nn import init


def _t(a, requires_grad=False):
    return minigrad.tensor(np.asarray(a), requires_grad=requires_grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ---- Conv2d ---------------------------------------------------------------------------------

def _conv_ref(x, w, b, stride, pad, groups):
    """Direct loops over the output: the definition of the (cross-)correlation."""
    bsz, cin, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    ho = (h + 2 * pad[0] - kh) // stride[0] + 1
    wo = (wd + 2 * pad[1] - kw) // stride[1] + 1
    out = np.zeros((bsz, cout, ho, wo))
    og = cout // groups
    for n in range(bsz):
        for o in range(cout):
            g = o // og
            for i in range(ho):
                for j in range(wo):
                    patch = xp[n, g * cg:(g + 1) * cg, i * stride[0]:i * stride[0] + kh,
                               j * stride[1]:j * stride[1] + kw]
                    out[n, o, i, j] = (patch * w[o]).sum() + (b[o] if b is not None else 0)
    return out


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1),
                                    dict(stride=(1, 2), padding=(2, 0), groups=2, bias=False)])
def test_conv2d_forward_matches_the_definition(kwargs):
    conv = nn.Conv2d(4, 6, (3, 2), dtype=minigrad.float64, **kwargs)
    x = _rng().standard_normal((2, 4, 7, 6))
    out = conv(_t(x))
    stride = kwargs.get("stride", 1)
    pad = kwargs.get("padding", 0)
    stride = stride if isinstance(stride, tuple) else (stride, stride)
    pad = pad if isinstance(pad, tuple) else (pad, pad)
    ref = _conv_ref(x, conv.weight._array, None if conv.bias is None else conv.bias._array,
                    stride, pad, kwargs.get("groups", 1))
    np.testing.assert_allclose(out._array, ref, rtol=1e-12, atol=1e-12)


def test_conv2d_parameters_and_attributes():
    conv = nn.Conv2d(4, 6, 3, groups=2, padding="same")
    assert conv.weight.shape == (6, 2, 3, 3) and conv.bias.shape == (6,)
    assert conv.kernel_size == (3, 3) and conv.stride == (1, 1) and conv.padding == "same"
    assert conv.weight.dtype is minigrad.float32 and conv.weight.requires_grad
    assert conv(minigrad.randn(1, 4, 5, 5)).shape == (1, 6, 5, 5)
    no_bias = nn.Conv2d(1, 2, 3, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]


def test_conv2d_argument_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups: expected a positive int, got 0"):
        nn.Conv2d(4, 4, 3, groups=0)
    # The layer runs the op's own checks: F.conv2d's messages, word for word.
    with pytest.raises(ValueError, match="padding: expected an int, a tuple of 2 ints, 'valid' "
                                         "or 'same', got the string 'full'"):
        nn.Conv2d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="got the string 'full'"):
        F.conv2d(minigrad.zeros(1, 1, 4, 4), minigrad.zeros(1, 1, 3, 3), padding="full")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(NotImplementedError, match="padding_mode='reflect' is not supported"):
        nn.Conv2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(TypeError, match="kernel_size: expected an int"):
        nn.Conv2d(1, 1, 2.5)
    with pytest.raises(ValueError, match=r"stride: expected positive values, got \(0, 0\)"):
        nn.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match=r"padding: expected non-negative values, got \(-1, -1\)"):
        nn.Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(TypeError, match="dtype: parameters must be floating point"):
        nn.Conv2d(1, 1, 3, dtype=minigrad.int64)
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Conv2d(1, 1, 3, device="cuda")


# ---- Linear, Flatten, ReLU, softmax layers, MaxPool2d ---------------------------------------

def test_linear_forward_is_x_wt_plus_b():
    lin = nn.Linear(5, 3, dtype=minigrad.float64)
    x = _rng().standard_normal((2, 4, 5))
    ref = x @ lin.weight._array.T + lin.bias._array
    np.testing.assert_allclose(lin(_t(x))._array, ref, rtol=1e-12)
    no_bias = nn.Linear(5, 3, bias=False)
    assert no_bias.bias is None
    np.testing.assert_allclose(no_bias(_t(x.astype(np.float32)))._array,
                               x.astype(np.float32) @ no_bias.weight._array.T, rtol=1e-5)


def test_flatten_relu_softmax_logsoftmax_against_numpy():
    x = _rng().standard_normal((2, 3, 4, 5))
    assert nn.Flatten()(_t(x)).shape == (2, 60)
    assert nn.Flatten(0, 1)(_t(x)).shape == (6, 4, 5)
    assert nn.Flatten(2)(_t(x)).shape == (2, 3, 20)
    np.testing.assert_array_equal(nn.ReLU()(_t(x))._array, np.maximum(x, 0))
    np.testing.assert_array_equal(nn.ReLU(inplace=True)(_t(x))._array, np.maximum(x, 0))
    e = np.exp(x - x.max(axis=1, keepdims=True))
    soft = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(dim=1)(_t(x))._array, soft, rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(_t(x))._array, np.log(soft), rtol=1e-10)


def test_softmax_without_dim_uses_pytorchs_implicit_choice_with_a_warning():
    x = _rng().standard_normal((3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = nn.Softmax()(_t(x))
    np.testing.assert_allclose(out._array.sum(axis=1), np.ones(3), rtol=1e-12)  # dim 1 for 2-D
    with pytest.warns(UserWarning, match="log_softmax"):
        out = nn.LogSoftmax()(_t(x[0]))
    np.testing.assert_allclose(np.exp(out._array).sum(), 1.0, rtol=1e-12)  # dim 0 for 1-D


def test_maxpool2d_forward_and_stored_arguments():
    pool = nn.MaxPool2d(2)
    assert pool.kernel_size == 2 and pool.stride == 2 and pool.padding == 0
    x = _rng().standard_normal((2, 3, 6, 4))
    ref = x.reshape(2, 3, 3, 2, 2, 2).max(axis=(3, 5))
    np.testing.assert_array_equal(pool(_t(x))._array, ref)
    # stride 1: every 2x2 window
    out = nn.MaxPool2d(2, stride=1)(_t(x))
    ref1 = np.maximum(np.maximum(x[..., :-1, :-1], x[..., 1:, :-1]),
                      np.maximum(x[..., :-1, 1:], x[..., 1:, 1:]))
    np.testing.assert_array_equal(out._array, ref1)
    values, indices = nn.MaxPool2d(2, return_indices=True)(_t(x))
    assert indices.dtype is minigrad.int64 and values.shape == indices.shape == (2, 3, 3, 2)
    assert nn.MaxPool2d(3, ceil_mode=True)(_t(x)).shape == (2, 3, 2, 2)
    # The layer runs the op's own checks: F.max_pool2d's messages, word for word.
    with pytest.raises(ValueError, match=r"kernel_size: expected positive values, got \(0, 0\)"):
        nn.MaxPool2d(0)
    with pytest.raises(ValueError, match="padding: should be at most half of kernel_size"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(TypeError, match="ceil_mode: expected a bool"):
        nn.MaxPool2d(2, ceil_mode=1)


# ---- init -----------------------------------------------------------------------------------

def test_calculate_gain_table():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("selu") == pytest.approx(0.75)
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "x")


@pytest.mark.parametrize("shape, fans", [((7, 5), (5, 7)), ((6, 4, 3, 2), (24, 36)),
                                         ((8, 3, 5), (15, 40))])
def test_fans(shape, fans):
    assert init._calculate_fan_in_and_fan_out(minigrad.empty(*shape)) == fans


def test_fans_need_two_dims_and_modes_are_checked():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_uniform_(minigrad.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minigrad.empty(5, 5), mode="fan_avg")
    with pytest.raises(TypeError, match="tensor: expected a minigrad Tensor"):
        init.zeros_(np.zeros(3))


def _assert_uniform(values, bound):
    """Within [-bound, bound], filling it (the extremes come close to the bound), with the
    variance of U(-bound, bound), bound**2 / 3."""
    v = np.asarray(values, dtype=np.float64).ravel()
    assert np.all(np.abs(v) <= bound * (1 + 1e-6))
    assert np.abs(v).max() > 0.98 * bound
    assert v.var() == pytest.approx(bound ** 2 / 3, rel=0.05)
    assert abs(v.mean()) < 0.05 * bound


def test_linear_and_conv_default_init_are_pytorchs():
    minigrad.manual_seed(0)
    lin = nn.Linear(50, 400)
    _assert_uniform(lin.weight._array, 1 / math.sqrt(50))  # kaiming_uniform a=sqrt(5)
    big_bias = nn.Linear(50, 5000)
    _assert_uniform(big_bias.bias._array, 1 / math.sqrt(50))
    # Conv: fan_in = in_channels / groups * kH * kW = 2 * 3 * 2 = 12
    conv = nn.Conv2d(4, 600, (3, 2), groups=2)
    _assert_uniform(conv.weight._array, 1 / math.sqrt(12))
    assert np.all(np.abs(conv.bias._array) <= 1 / math.sqrt(12))
    assert np.abs(conv.bias._array).max() > 0.9 / math.sqrt(12)


def test_manual_seed_makes_models_reproducible():
    minigrad.manual_seed(123)
    a = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4, 2))
    minigrad.manual_seed(123)
    b = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4, 2))
    c = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4, 2))
    for (ka, va), (_, vb), (_, vc) in zip(a.state_dict().items(), b.state_dict().items(),
                                          c.state_dict().items()):
        np.testing.assert_array_equal(va._array, vb._array)
        assert not np.array_equal(va._array, vc._array), ka


def test_kaiming_and_xavier_statistics():
    minigrad.manual_seed(0)
    w = minigrad.empty(300, 20, 3, 3)  # fan_in 180, fan_out 2700
    array = w._array
    assert init.kaiming_uniform_(w) is w and w._array is array  # in place
    _assert_uniform(w._array, math.sqrt(6 / 180))  # gain sqrt(2) (a=0), bound gain*sqrt(3/fan)
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    _assert_uniform(w._array, math.sqrt(6 / 2700))
    init.kaiming_normal_(w, nonlinearity="relu")
    assert w._array.std() == pytest.approx(math.sqrt(2 / 180), rel=0.03)
    assert abs(w._array.mean()) < 0.01 * math.sqrt(2 / 180)
    init.xavier_uniform_(w, gain=2.0)
    _assert_uniform(w._array, 2.0 * math.sqrt(6 / (180 + 2700)))
    init.xavier_normal_(w)
    assert w._array.std() == pytest.approx(math.sqrt(2 / (180 + 2700)), rel=0.03)


def test_simple_fills_and_generators():
    t = minigrad.empty(200, 100)
    init.uniform_(t, -2.0, 3.0)
    assert t._array.min() >= -2.0 and t._array.max() < 3.0
    assert t._array.mean() == pytest.approx(0.5, abs=0.05)
    init.normal_(t, 1.0, 0.5)
    assert t._array.mean() == pytest.approx(1.0, abs=0.01)
    assert t._array.std() == pytest.approx(0.5, rel=0.02)
    assert np.all(init.zeros_(t)._array == 0) and np.all(init.ones_(t)._array == 1)
    assert np.all(init.constant_(t, 0.25)._array == 0.25)
    a, b = minigrad.empty(3, 3), minigrad.empty(3, 3)
    init.normal_(a, generator=np.random.default_rng(5))
    init.normal_(b, generator=np.random.default_rng(5))
    np.testing.assert_array_equal(a._array, b._array)
    with pytest.raises(TypeError, match="generator"):
        init.normal_(a, generator=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        init.kaiming_uniform_(minigrad.empty(0, 3))
    assert any("zero-element" in str(w.message) for w in caught)


def test_init_does_not_record_on_the_tape():
    p = nn.Parameter(minigrad.empty(3, 3))
    init.kaiming_uniform_(p)
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


# ---- Dropout --------------------------------------------------------------------------------

def test_dropout_training_zeroes_and_scales():
    minigrad.manual_seed(0)
    x = _rng().uniform(1.0, 2.0, size=(200, 100))
    drop = nn.Dropout(0.3)
    out = drop(_t(x))._array
    zero = out == 0
    assert zero.mean() == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(out[~zero], x[~zero] / 0.7, rtol=1e-12)


def test_dropout_eval_and_edge_probabilities_pass_through():
    x = _t(_rng().standard_normal((4, 5)))
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.9, training=False) is x
    assert np.all(F.dropout(x, 1.0)._array == 0)
    for p in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="dropout probability"):
            F.dropout(x, p)
    with pytest.raises(TypeError, match="input must be a Tensor"):
        F.dropout(np.ones(3))


def test_dropout_mask_is_reproducible_and_is_the_gradient():
    x = _t(_rng().standard_normal((6, 7)), requires_grad=True)
    minigrad.manual_seed(7)
    a = F.dropout(x, 0.4)
    minigrad.manual_seed(7)
    b = F.dropout(x, 0.4)
    np.testing.assert_array_equal(a._array, b._array)
    a.sum().backward()
    kept = a._array != 0
    np.testing.assert_allclose(x.grad._array, kept / 0.6, rtol=1e-12)


# ---- BatchNorm2d ----------------------------------------------------------------------------

def _bn_ref(x, mean, var, w, b, eps):
    shape = (1, -1, 1, 1)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * w.reshape(shape) \
        + b.reshape(shape)


def test_batchnorm2d_training_normalises_with_batch_stats_and_updates_running_ones():
    rng = _rng(1)
    bn = nn.BatchNorm2d(3, momentum=0.2, dtype=minigrad.float64)
    bn.weight._array[:] = [1.0, 2.0, 0.5]
    bn.bias._array[:] = [0.0, -1.0, 3.0]
    running_mean, running_var = np.zeros(3), np.ones(3)
    for step in range(3):
        x = rng.standard_normal((4, 3, 5, 6)) * [[[[2.0]], [[0.5]], [[3.0]]]] + step
        out = bn(_t(x))
        mean = x.mean(axis=(0, 2, 3))
        n = 4 * 5 * 6
        biased = ((x - mean.reshape(1, 3, 1, 1)) ** 2).sum(axis=(0, 2, 3)) / n
        unbiased = biased * n / (n - 1)
        np.testing.assert_allclose(out._array, _bn_ref(x, mean, biased, bn.weight._array,
                                                     bn.bias._array, 1e-5), rtol=1e-10, atol=1e-12)
        running_mean = 0.8 * running_mean + 0.2 * mean
        running_var = 0.8 * running_var + 0.2 * unbiased
        np.testing.assert_allclose(bn.running_mean._array, running_mean, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var._array, running_var, rtol=1e-12)
        assert int(bn.num_batches_tracked.item()) == step + 1


def test_batchnorm2d_eval_uses_running_stats_and_leaves_them_alone():
    bn = nn.BatchNorm2d(2, eps=1e-3, dtype=minigrad.float64)
    bn.running_mean._array[:] = [0.5, -1.0]
    bn.running_var._array[:] = [4.0, 0.25]
    bn.eval()
    x = _rng(2).standard_normal((3, 2, 4, 4))
    out = bn(_t(x))
    np.testing.assert_allclose(out._array, _bn_ref(x, np.array([0.5, -1.0]), np.array([4.0, 0.25]),
                                                 np.ones(2), np.zeros(2), 1e-3), rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean._array, [0.5, -1.0])
    assert int(bn.num_batches_tracked.item()) == 0


def test_batchnorm2d_cumulative_average_when_momentum_is_none():
    bn = nn.BatchNorm2d(2, momentum=None, dtype=minigrad.float64)
    rng = _rng(3)
    batches = [rng.standard_normal((2, 2, 3, 3)) + i for i in range(4)]
    for x in batches:
        bn(_t(x))
    np.testing.assert_allclose(bn.running_mean._array,
                               np.mean([x.mean(axis=(0, 2, 3)) for x in batches], axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(bn.running_var._array,
                               np.mean([x.var(axis=(0, 2, 3), ddof=1) for x in batches], axis=0),
                               rtol=1e-12)


def test_batchnorm2d_options_and_errors():
    plain = nn.BatchNorm2d(3, affine=False)
    assert plain.weight is None and plain.bias is None and list(plain.parameters()) == []
    no_bias = nn.BatchNorm2d(3, bias=False)
    assert [n for n, _ in no_bias.named_parameters()] == ["weight"]
    untracked = nn.BatchNorm2d(3, track_running_stats=False, dtype=minigrad.float64).eval()
    assert list(untracked.state_dict()) == ["weight", "bias"]
    x = _rng(4).standard_normal((2, 3, 2, 2))
    out = untracked(_t(x))  # no running stats: the batch's, also in eval
    np.testing.assert_allclose(out._array.mean(axis=(0, 2, 3)), np.zeros(3), atol=1e-12)
    bn = nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        bn(minigrad.randn(3, 2, 2))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(minigrad.randn(1, 3, 1, 1))
    assert bn.eval()(minigrad.randn(1, 3, 1, 1)).shape == (1, 3, 1, 1)


def test_functional_batch_norm_errors():
    x = minigrad.randn(4, 3)
    with pytest.raises(ValueError, match=r"running_mean: expected shape \(3,\)"):
        F.batch_norm(x, minigrad.zeros(4), minigrad.ones(4))
    with pytest.raises(ValueError, match="must be given together"):
        F.batch_norm(x, minigrad.zeros(3), None)
    with pytest.raises(ValueError, match="must be given when training=False"):
        F.batch_norm(x, None, None)
    with pytest.raises(TypeError, match="same dtype"):
        F.batch_norm(x.double(), minigrad.zeros(3), minigrad.ones(3))
    with pytest.raises(ValueError, match="at least 2 dims"):
        F.batch_norm(minigrad.randn(3), None, None, training=True)
    # (B, C) inputs work too: statistics over the batch only.
    out = F.batch_norm(x, None, None, training=True)
    np.testing.assert_allclose(out._array.mean(axis=0), np.zeros(3), atol=1e-6)


def test_batchnorm2d_gradcheck_in_training_mode():
    bn = nn.BatchNorm2d(2, dtype=minigrad.float64)
    bn.weight._array[:] = [1.5, -0.5]
    bn.bias._array[:] = [0.1, 0.2]
    x = _t(_rng(5).standard_normal((2, 2, 2, 3)), requires_grad=True)
    # Weight the outputs unevenly: the plain sum of a normalised channel has zero gradient.
    mix = _t(_rng(6).standard_normal((2, 2, 2, 3)))
    assert minigrad.gradcheck(lambda x, w, b: bn(x) * mix, (x, bn.weight, bn.bias))
    bn.eval()
    assert minigrad.gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))


# ---- losses ---------------------------------------------------------------------------------

def _nll_ref(logp, target, weight, ignore_index, reduction):
    """Row by row, as the definition: -w[t] * logp[i, t] over the counted samples."""
    losses, total = [], 0.0
    for row, t in zip(logp, target):
        if t == ignore_index:
            losses.append(0.0)
            continue
        losses.append(-weight[t] * row[t])
        total += weight[t]
    losses = np.array(losses)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / total


@settings(max_examples=15)
@given(st.integers(1, 6), st.integers(1, 5), st.sampled_from(["none", "mean", "sum"]),
       st.booleans(), st.integers(0, 2**31 - 1))
def test_nll_loss_matches_the_definition(n, c, reduction, weighted, seed):
    rng = _rng(seed)
    logp = rng.standard_normal((n, c))
    target = rng.integers(0, c, size=n)
    target[rng.random(n) < 0.3] = -100
    if reduction == "mean" and np.all(target == -100):
        target[0] = 0
    weight = rng.uniform(0.1, 2.0, size=c) if weighted else np.ones(c)
    out = F.nll_loss(_t(logp), _t(target), _t(weight) if weighted else None, reduction=reduction)
    np.testing.assert_allclose(out._array, _nll_ref(logp, target, weight, -100, reduction),
                               rtol=1e-12, atol=1e-12)


def test_nll_loss_layouts_and_edge_cases():
    rng = _rng(7)
    # (N, C, H, W) with (N, H, W) targets: each position is a sample.
    logp = rng.standard_normal((2, 3, 2, 2))
    target = rng.integers(0, 3, size=(2, 2, 2))
    rows = logp.transpose(0, 2, 3, 1).reshape(-1, 3)
    out = F.nll_loss(_t(logp), _t(target), reduction="none")
    assert out.shape == (2, 2, 2)
    np.testing.assert_allclose(out._array.ravel(), -rows[np.arange(8), target.ravel()], rtol=1e-12)
    # (C,) with a 0-d target
    one = F.nll_loss(_t(logp[0, :, 0, 0]), _t(np.int64(1)), reduction="none")
    assert one.shape == () and one.item() == pytest.approx(-logp[0, 1, 0, 0])
    # every target ignored: NaN for mean, as PyTorch
    assert np.isnan(F.nll_loss(_t(rows), _t(np.full(8, -100))).item())
    assert F.nll_loss(_t(rows), _t(np.full(8, 2)), ignore_index=2, reduction="sum").item() == 0


def test_nll_loss_errors():
    x = minigrad.randn(3, 4)
    with pytest.raises(TypeError, match="target must be an integer"):
        F.nll_loss(x, minigrad.zeros(3))
    with pytest.raises(ValueError, match=r"target: expected shape \(3,\)"):
        F.nll_loss(x, minigrad.tensor([0, 1]))
    with pytest.raises(ValueError, match="class index 4 at position 1 is out of range"):
        F.nll_loss(x, minigrad.tensor([0, 4, 1]))
    with pytest.raises(ValueError, match="reduction: expected"):
        F.nll_loss(x, minigrad.tensor([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match=r"weight: expected shape \(4,\)"):
        F.nll_loss(x, minigrad.tensor([0, 1, 2]), minigrad.ones(3))
    with pytest.raises(RuntimeError, match="not differentiable with respect to the class"):
        F.nll_loss(x, minigrad.tensor([0, 1, 2]), minigrad.ones(4, requires_grad=True))
    with pytest.raises(TypeError, match="input must be a floating point"):
        F.nll_loss(minigrad.tensor([[1, 2]]), minigrad.tensor([0]))


def test_nll_loss_gradcheck():
    rng = _rng(8)
    x = _t(rng.standard_normal((4, 3)), requires_grad=True)
    target = _t(np.array([0, 2, -100, 1]))
    weight = _t(np.array([0.5, 2.0, 1.0]))
    for reduction in ("mean", "sum", "none"):
        assert minigrad.gradcheck(
            lambda x: F.nll_loss(x, target, weight, reduction=reduction), (x,))
    x4 = _t(rng.standard_normal((2, 3, 2, 2)), requires_grad=True)
    t4 = _t(rng.integers(0, 3, size=(2, 2, 2)))
    assert minigrad.gradcheck(lambda x: F.nll_loss(x, t4), (x4,))


def test_nll_loss_of_log_softmax_is_cross_entropy():
    x = _t(_rng(9).standard_normal((5, 4)))
    target = _t(np.array([0, 3, 1, 1, 2]))
    weight = _t(np.array([1.0, 0.5, 2.0, 1.5]))
    crit = nn.NLLLoss(weight)
    a = crit(nn.LogSoftmax(dim=1)(x), target)
    b = nn.CrossEntropyLoss(weight)(x, target)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    assert list(crit.state_dict()) == ["weight"]  # a buffer, as PyTorch


def test_cross_entropy_loss_module_passes_its_options():
    x = _t(_rng(10).standard_normal((6, 3)))
    target = _t(np.array([0, 1, 2, 1, -1, 0]))
    weight = _t(np.array([0.2, 1.0, 3.0]))
    crit = nn.CrossEntropyLoss(weight, ignore_index=-1, reduction="sum", label_smoothing=0.1)
    ref = F.cross_entropy(x, target, weight, ignore_index=-1, reduction="sum",
                          label_smoothing=0.1)
    assert crit(x, target).item() == ref.item()
    assert nn.CrossEntropyLoss()(x, _t(np.array([0, 1, 2, 1, 0, 0]))).shape == ()
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    with pytest.raises(TypeError):
        nn.CrossEntropyLoss(None, None, -100)  # keyword-only after weight
    with pytest.raises(ValueError, match="reduction: expected"):
        nn.CrossEntropyLoss(reduction="avg")


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_mse_loss_against_numpy(reduction):
    rng = _rng(11)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    sq = (x - y) ** 2
    ref = {"none": sq, "mean": sq.mean(), "sum": sq.sum()}[reduction]
    np.testing.assert_allclose(F.mse_loss(_t(x), _t(y), reduction=reduction)._array, ref,
                               rtol=1e-12)
    np.testing.assert_allclose(nn.MSELoss(reduction=reduction)(_t(x), _t(y))._array, ref,
                               rtol=1e-12)


def test_mse_loss_broadcast_warning_dtypes_and_gradcheck():
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(minigrad.ones(3, 1), minigrad.zeros(3))
    assert out.item() == 1.0
    assert F.mse_loss(minigrad.ones(3), minigrad.tensor([1, 2, 3])).dtype is minigrad.float32
    with pytest.raises(TypeError, match="input must be a floating point"):
        F.mse_loss(minigrad.tensor([1, 2]), minigrad.tensor([1, 2]))
    rng = _rng(12)
    x = _t(rng.standard_normal((2, 3)), requires_grad=True)
    y = _t(rng.standard_normal((2, 3)), requires_grad=True)
    assert minigrad.gradcheck(lambda a, b: F.mse_loss(a, b), (x, y))


def test_dropout_gradcheck_with_a_fixed_mask():
    x = _t(_rng(13).standard_normal((3, 4)), requires_grad=True)

    def fn(x):
        minigrad.manual_seed(3)  # the same mask at every evaluation
        return F.dropout(x, 0.5)

    assert minigrad.gradcheck(fn, (x,))


def test_functional_relu():
    x = _t(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    y = F.relu(x)
    np.testing.assert_array_equal(y._array, [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(x._array, [-1.0, 0.0, 2.0])  # input untouched
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0, 1.0])
    # inplace=True writes into its input, as PyTorch: refused on a leaf requiring grad,
    # done on an intermediate, whose gradient stays right.
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(x, inplace=True)
    h = x * 2
    assert F.relu(h, inplace=True) is h and h.tolist() == [0.0, 0.0, 4.0]
    x.grad = None
    h.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0, 2.0])
    assert nn.ReLU(inplace=True)(h.detach()).tolist() == [0.0, 0.0, 4.0]


def test_dropout_inplace_writes_into_its_input():
    minigrad.manual_seed(0)
    x = minigrad.ones(200, requires_grad=True)
    h = x * 1
    out = F.dropout(h, 0.5, inplace=True)
    assert out is h and set(np.unique(h.detach().numpy())) <= {0.0, 2.0}
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), h.detach().numpy())  # the mask / (1 - p)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(x, 0.5, inplace=True)
