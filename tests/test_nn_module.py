"""minigrad.nn.Module, Parameter and the containers: registration, traversal order,
modes, gradients, dtype/device moves, repr, and state_dict / load_state_dict."""
import copy
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F


class Block(nn.Module):
    """Own parameter, a buffer, and children: enough to check every traversal order."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(minigrad.ones(3))
        self.register_buffer("count", minigrad.zeros(1))
        self.fc = nn.Linear(4, 3)
        self.seq = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 3))

    def forward(self, x):
        return self.seq(self.fc(x)) * self.scale


class WithBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(F.max_pool2d(self.bn(self.conv(x)), 2).flatten(1))


# ---- Parameter ------------------------------------------------------------------------------

def test_parameter_is_a_tensor_requiring_grad_and_shares_data():
    t = minigrad.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, minigrad.Tensor)
    assert p.requires_grad and p.is_leaf
    assert p._array is t._array
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_repr_and_ops_give_plain_tensors():
    p = nn.Parameter(minigrad.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    out = p * 2
    assert type(out) is minigrad.Tensor
    assert type(p.detach()) is minigrad.Tensor


def test_parameter_refuses_integer_data_and_non_tensors():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(minigrad.tensor([1, 2]))
    with pytest.raises(TypeError, match="data: expected a minigrad Tensor"):
        nn.Parameter(np.ones(2))


# ---- registration ---------------------------------------------------------------------------

def test_attributes_register_parameters_modules_and_buffers():
    b = Block()
    assert list(b._parameters) == ["scale"]
    assert list(b._modules) == ["fc", "seq"]
    assert list(b._buffers) == ["count"]
    b.plain = minigrad.ones(2)  # a plain tensor is just an attribute
    assert "plain" not in b._buffers and "plain" not in b._parameters
    assert b.scale is b._parameters["scale"] and b.fc is b._modules["fc"]
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'nope'"):
        b.nope


def test_reassigning_registered_names():
    b = Block()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        b.scale = minigrad.ones(3)
    with pytest.raises(TypeError, match="as child module 'fc'"):
        b.fc = 3
    with pytest.raises(TypeError, match="as buffer 'count'"):
        b.count = np.zeros(1)
    b.count = minigrad.ones(1)  # a Tensor replaces the buffer
    assert b._buffers["count"]._array[0] == 1
    b.scale = None  # a declared but absent parameter
    assert b.scale is None and "scale" not in dict(b.named_parameters())
    b.fc = nn.Parameter(minigrad.ones(1))  # a name moves between kinds, as in PyTorch
    assert "fc" in b._parameters and "fc" not in b._modules
    del b.fc
    assert "fc" not in b._parameters


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="buffer name can.*contain"):
        m.register_buffer("a.b", None)
    with pytest.raises(KeyError, match="empty string"):
        m.register_parameter("", None)
    m.x = 1
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        m.register_buffer("x", None)
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'c'"):
        m.register_buffer("c", 3)
    with pytest.raises(TypeError, match="to parameter 'c'.*Parameter or None"):
        m.register_parameter("c", minigrad.ones(1))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("c", 3)

    class NoInit(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(minigrad.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        NoInit()


def test_forward_is_required_and_call_passes_arguments():
    with pytest.raises(NotImplementedError, match=r"Module \[Module\] is missing the required"):
        nn.Module()(1)

    class Add(nn.Module):
        def forward(self, a, b=0):
            return a + b

    assert Add()(2, b=3) == 5


# ---- traversal ------------------------------------------------------------------------------

def test_named_parameters_order_is_own_then_children_depth_first():
    names = [n for n, _ in Block().named_parameters()]
    assert names == ["scale", "fc.weight", "fc.bias", "seq.0.weight", "seq.0.bias",
                     "seq.2.weight", "seq.2.bias"]
    b = Block()
    assert [id(p) for p in b.parameters()] == [id(p) for _, p in b.named_parameters()]
    assert [n for n, _ in b.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in b.named_buffers()] == ["count"]


def test_named_modules_children_and_shared_modules():
    b = Block()
    assert [n for n, _ in b.named_modules()] == ["", "fc", "seq", "seq.0", "seq.1", "seq.2"]
    assert [n for n, _ in b.named_children()] == ["fc", "seq"]
    assert len(list(b.modules())) == 6 and next(b.modules()) is b
    assert b.get_submodule("seq.2") is b.seq[2]
    with pytest.raises(AttributeError, match="no submodule `nope`"):
        b.get_submodule("seq.nope")

    shared = nn.Module()
    shared.a = nn.Linear(1, 1)
    shared.b = shared.a
    # Given once by the iterators, under both names in state_dict: PyTorch's behaviour.
    assert [n for n, _ in shared.named_modules()] == ["", "a"]
    assert [n for n, _ in shared.named_parameters()] == ["a.weight", "a.bias"]
    assert list(shared.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


# ---- modes, gradients, apply ----------------------------------------------------------------

def test_train_and_eval_reach_every_descendant():
    b = Block()
    assert all(m.training for m in b.modules())
    assert b.eval() is b
    assert not any(m.training for m in b.modules())
    b.seq.train()
    assert b.seq[1].training and not b.training and not b.fc.training
    b.train()
    assert all(m.training for m in b.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        b.train("yes")


def test_zero_grad_to_none_or_to_zeros():
    b = Block()
    b(minigrad.randn(5, 4)).sum().backward()
    assert all(p.grad is not None and np.any(p.grad._array != 0) for p in b.parameters())
    b.zero_grad(set_to_none=False)
    for p in b.parameters():
        assert p.grad.shape == p.shape and not np.any(p.grad._array)
    b.zero_grad()
    assert all(p.grad is None for p in b.parameters())


def test_requires_grad_switches_all_parameters():
    b = Block().requires_grad_(False)
    assert not any(p.requires_grad for p in b.parameters())


def test_apply_visits_children_before_parent():
    b = Block()
    seen = []
    assert b.apply(lambda m: seen.append(m)) is b
    order = [b.fc, b.seq[0], b.seq[1], b.seq[2], b.seq, b]
    assert [id(m) for m in seen] == [id(m) for m in order]

    def init_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    b.apply(init_linear)
    assert not np.any(b.fc.weight._array) and not np.any(b.seq[2].weight._array)


# ---- to(device / dtype) ---------------------------------------------------------------------

def test_to_dtype_converts_floats_in_place_keeping_identity():
    m = WithBN()
    params = list(m.parameters())
    m(minigrad.randn(2, 1, 6, 6)).sum().backward()
    assert m.to(minigrad.float64) is m
    assert [id(p) for p in m.parameters()] == [id(p) for p in params]
    assert all(p.dtype is minigrad.float64 and p.grad.dtype is minigrad.float64 for p in params)
    assert m.bn.running_var.dtype is minigrad.float64
    assert m.bn.num_batches_tracked.dtype is minigrad.int64  # ints are left alone
    assert m.float().conv.weight.dtype is minigrad.float32
    assert m.double().fc.bias.dtype is minigrad.float64
    assert m.to(minigrad.zeros(1)).fc.bias.dtype is minigrad.float32  # a tensor's dtype
    assert m.to("cpu", dtype="float64").fc.bias.dtype is minigrad.float64


def test_to_device_and_refusals():
    m = nn.Linear(2, 2)
    assert m.to("cpu") is m and m.cpu() is m
    with pytest.raises(RuntimeError, match="cuda"):
        m.to("cuda")
    with pytest.raises(RuntimeError, match="cuda"):
        m.cuda()
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        m.to(minigrad.int64)
    with pytest.raises(ValueError, match="device"):
        m.to("tpu")


# ---- repr -----------------------------------------------------------------------------------

def test_repr_nests_like_pytorch():
    net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(),
                        nn.Sequential(nn.MaxPool2d(2), nn.Flatten()), nn.Linear(1176, 10))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "    (1): Flatten(start_dim=1, end_dim=-1)\n"
        "  )\n"
        "  (3): Linear(in_features=1176, out_features=10, bias=True)\n"
        ")")
    assert repr(nn.Module()) == "Module()"
    assert repr(nn.Sequential()) == "Sequential()"


def test_repr_with_extra_repr_and_children_and_module_list_groups():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3, bias=False)

        def extra_repr(self):
            return "alpha=1\nbeta=2"

    assert repr(Custom()) == ("Custom(\n  alpha=1\n  beta=2\n"
                              "  (fc): Linear(in_features=2, out_features=3, bias=False)\n)")
    ml = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.ReLU(), nn.Dropout(0.25), nn.ReLU()])
    assert repr(ml) == ("ModuleList(\n  (0-2): 3 x ReLU()\n"
                        "  (3): Dropout(p=0.25, inplace=False)\n  (4): ReLU()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"


# ---- state_dict -----------------------------------------------------------------------------

def test_state_dict_keys_order_and_sharing():
    m = WithBN()
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean",
                        "bn.running_var", "bn.num_batches_tracked", "fc.weight", "fc.bias"]
    assert all(type(v) is minigrad.Tensor and not v.requires_grad for v in sd.values())
    # Shared memory, as PyTorch's detached tensors: the module's later changes show.
    m.fc.bias._array[0] = 42.0
    assert sd["fc.bias"]._array[0] == 42.0
    kept = m.state_dict(keep_vars=True)
    assert kept["fc.bias"] is m.fc.bias
    assert list(m.state_dict(prefix="net.")) == ["net." + k for k in sd]


def test_non_persistent_and_none_buffers_are_left_out():
    m = nn.Module()
    m.register_buffer("kept", minigrad.ones(1))
    m.register_buffer("scratch", minigrad.ones(1), persistent=False)
    m.register_buffer("absent", None)
    assert list(m.state_dict()) == ["kept"]
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]


def _snapshot(model):
    return {k: v._array.copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("as_numpy", [True, False])
def test_load_state_dict_round_trip(as_numpy):
    minigrad.manual_seed(0)
    src = WithBN()
    src(minigrad.randn(4, 1, 6, 6))  # training step: running stats and count change
    minigrad.manual_seed(1)
    dst = WithBN()
    values = _snapshot(src)
    state = values if as_numpy else {k: minigrad.tensor(v) for k, v in values.items()}
    arrays_before = {k: v._array for k, v in dst.state_dict().items()}
    result = dst.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    after = dst.state_dict()
    for k, v in values.items():
        np.testing.assert_array_equal(after[k]._array, v)
        assert after[k]._array is arrays_before[k]  # copied in place, not replaced
    assert int(dst.bn.num_batches_tracked.item()) == 1
    x = minigrad.randn(2, 1, 6, 6)
    src.eval(), dst.eval()
    np.testing.assert_array_equal(src(x)._array, dst(x)._array)


def test_load_state_dict_casts_into_the_existing_dtype():
    m = nn.Linear(2, 3)
    w = np.arange(6, dtype=np.float64).reshape(3, 2) / 7
    m.load_state_dict({"weight": w, "bias": np.array([1, 2, 3])})
    assert m.weight.dtype is minigrad.float32 and m.bias.dtype is minigrad.float32
    np.testing.assert_array_equal(m.weight._array, w.astype(np.float32))
    np.testing.assert_array_equal(m.bias._array, [1.0, 2.0, 3.0])


def test_strict_errors_name_missing_and_unexpected_keys():
    m = nn.Sequential(nn.Linear(2, 3))
    good = _snapshot(m)
    state = dict(good)
    del state["0.bias"]
    state["0.extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(state)
    msg = str(e.value)
    assert msg.startswith("Error(s) in loading state_dict for Sequential:")
    assert 'Missing key(s) in state_dict: "0.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "0.extra".' in msg
    # strict=False loads what matches and reports the rest.
    state["0.weight"] = np.full((3, 2), 5.0)
    result = m.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["0.extra"]
    assert np.all(m[0].weight._array == 5.0)
    np.testing.assert_array_equal(m[0].bias._array, good["0.bias"])


def test_shape_mismatch_names_the_key_and_copies_nothing():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = _snapshot(m)
    state = {k: np.ones_like(v) for k, v in before.items()}
    state["1.weight"] = np.ones((3, 1), dtype=np.float32)
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=r"size mismatch for 1\.weight: copying a param "
                           r"with shape \(3, 1\) from checkpoint, the shape in current model "
                           r"is \(1, 3\)"):
            m.load_state_dict(state, strict=strict)
        for k, v in _snapshot(m).items():  # all checked before anything is copied
            np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_refuses_bad_values_and_containers():
    m = nn.Linear(2, 3)
    with pytest.raises(RuntimeError, match='parameter named "weight".*received <class \'int\'>'):
        m.load_state_dict({"weight": 1, "bias": np.zeros(3)})
    with pytest.raises(RuntimeError, match='"bias", expected a numeric array'):
        m.load_state_dict({"weight": np.zeros((3, 2)), "bias": np.array(["a", "b", "c"])})
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([("weight", np.zeros((3, 2)))])


def test_batchnorm_checkpoint_without_num_batches_tracked_loads():
    bn = nn.BatchNorm2d(2)
    bn.num_batches_tracked._array[...] = 7
    state = {k: v for k, v in _snapshot(bn).items() if k != "num_batches_tracked"}
    state["running_mean"] = np.array([1.0, 2.0])
    assert bn.load_state_dict(state).missing_keys == []
    np.testing.assert_array_equal(bn.running_mean._array, [1.0, 2.0])
    assert int(bn.num_batches_tracked.item()) == 7


def test_load_state_dict_from_npz(tmp_path):
    src, dst = nn.Linear(3, 2), nn.Linear(3, 2)
    path = tmp_path / "ckpt.npz"
    np.savez(path, **_snapshot(src))
    with np.load(path, allow_pickle=False) as npz:
        dst.load_state_dict(npz)
    np.testing.assert_array_equal(dst.weight._array, src.weight._array)


def test_deepcopy_gives_an_independent_equal_model():
    m = Block()
    c = copy.deepcopy(m)
    assert type(c.scale) is nn.Parameter and c.scale.requires_grad
    for (k1, v1), (k2, v2) in zip(m.state_dict().items(), c.state_dict().items()):
        assert k1 == k2 and v1._array is not v2._array
        np.testing.assert_array_equal(v1._array, v2._array)
    c.fc.weight._array[...] = 0
    assert np.any(m.fc.weight._array)


# ---- containers -----------------------------------------------------------------------------

def test_sequential_forward_is_the_chain():
    a, r, b = nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)
    net = nn.Sequential(a, r, b)
    x = minigrad.randn(5, 4)
    np.testing.assert_array_equal(net(x)._array, b(r(a(x)))._array)


def test_sequential_indexing_slicing_and_editing():
    layers = [nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 2), nn.Dropout()]
    net = nn.Sequential(*layers)
    assert len(net) == 4 and list(net) == layers
    assert net[0] is layers[0] and net[-1] is layers[3]
    sub = net[1:3]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    assert sub[0] is layers[1]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        net[4]
    with pytest.raises(IndexError):
        net[-5]
    net[1] = nn.Flatten()
    assert isinstance(net[1], nn.Flatten)
    del net[0]
    assert list(net._modules) == ["0", "1", "2"] and net[0] is net._modules["0"]
    assert net[1] is layers[2]
    net.append(nn.ReLU()).insert(0, nn.Linear(2, 1))
    assert len(net) == 5 and isinstance(net[0], nn.Linear) and isinstance(net[1], nn.Flatten)
    net.extend([nn.ReLU()])
    assert list(net._modules) == [str(i) for i in range(6)]
    with pytest.raises(IndexError):
        net.insert(10, nn.ReLU())


def test_sequential_from_ordered_dict_keeps_names():
    net = nn.Sequential(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU())]))
    assert list(net.state_dict()) == ["conv.weight", "conv.bias"]
    assert net[0] is net.conv


def test_module_list_registers_and_edits():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(ml.parameters())) == 6
    assert list(ml.state_dict())[:2] == ["0.weight", "0.bias"]
    sub = ml[1:]
    assert isinstance(sub, nn.ModuleList) and sub[0] is ml[1]
    ml.append(nn.ReLU())
    ml += [nn.ReLU()]
    ml.insert(0, nn.Flatten())
    assert len(ml) == 6 and isinstance(ml[0], nn.Flatten) and isinstance(ml[-1], nn.ReLU)
    del ml[0]
    assert list(ml._modules) == [str(i) for i in range(5)]
    with pytest.raises(NotImplementedError):
        ml(minigrad.ones(1))
    with pytest.raises(TypeError, match="iterable"):
        ml.extend(5)
    with pytest.raises(IndexError, match="out of range"):
        ml[7]
