"""``import minigrad as torch``: the module tree a PyTorch script walks (torch.nn,
torch.optim.lr_scheduler, torch.utils.data, torch.accelerator, torch.backends ...),
the default device and the default dtype."""
from __future__ import annotations

import importlib
import math
import sys

import numpy as np
import pytest

import minigrad
import minigrad as torch_like

HAS_CUDA = minigrad.cuda.is_available()


# ---- the tree ------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "nn", "nn.functional", "nn.init", "optim", "optim.lr_scheduler", "utils", "utils.data",
    "autograd", "cuda", "accelerator", "backends", "backends.mps", "backends.cudnn",
])
def test_submodules_are_attributes_and_importable(path):
    obj = torch_like
    for part in path.split("."):
        obj = getattr(obj, part)
    assert importlib.import_module("minigrad." + path) is obj


def test_utils_data_is_minigrad_data_itself():
    import minigrad.utils.data as utils_data
    from minigrad.utils.data import DataLoader, Dataset, TensorDataset, random_split
    assert utils_data is minigrad.data
    assert sys.modules["minigrad.utils.data"] is minigrad.data
    assert DataLoader is minigrad.data.DataLoader
    assert Dataset is minigrad.data.Dataset
    assert TensorDataset is minigrad.data.TensorDataset
    assert random_split is minigrad.data.random_split


def test_utils_data_submodules_are_the_same_modules_not_copies():
    import minigrad.data.dataloader as real
    alias = importlib.import_module("minigrad.utils.data.dataloader")
    assert alias is real
    assert alias.DataLoader is minigrad.data.DataLoader
    assert real.__spec__.name == "minigrad.data.dataloader"  # the alias left it alone
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("minigrad.utils.data.no_such_module")


def test_a_script_can_pick_its_device_the_usual_ways():
    device = torch_like.device("cuda" if torch_like.cuda.is_available() else "cpu")
    assert device == ("cuda" if HAS_CUDA else "cpu")
    assert isinstance(torch_like.cuda.is_available(), bool)
    accel = torch_like.accelerator
    assert accel.is_available() is HAS_CUDA
    assert accel.device_count() == (1 if HAS_CUDA else 0)
    current = accel.current_accelerator()
    if HAS_CUDA:
        assert current == "cuda" and current.type == "cuda"
        assert accel.current_device_index() == 0
    else:
        assert current is None
        assert accel.current_accelerator(check_available=True) is None
        with pytest.raises(RuntimeError, match="no accelerator"):
            accel.current_device_index()
    accel.synchronize()  # nothing queued: returns
    # The tutorials' idiom:
    name = accel.current_accelerator().type if accel.is_available() else "cpu"
    assert name == ("cuda" if HAS_CUDA else "cpu")


def test_backends_stubs():
    assert minigrad.backends.mps.is_available() is False
    assert minigrad.backends.mps.is_built() is False
    assert minigrad.backends.cudnn.is_available() is False
    old = minigrad.backends.cudnn.benchmark
    try:
        minigrad.backends.cudnn.benchmark = True  # scripts set it; nothing reads it
        assert minigrad.backends.cudnn.benchmark is True
    finally:
        minigrad.backends.cudnn.benchmark = old


def test_cuda_manual_seed_is_accepted_and_checks_its_argument():
    minigrad.cuda.manual_seed(3)
    minigrad.cuda.manual_seed_all(3)
    with pytest.raises(TypeError, match="seed"):
        minigrad.cuda.manual_seed(1.5)


def test_names_exist_in_pytorch_too():
    torch = pytest.importorskip("torch")
    for name in minigrad.accelerator.__all__:
        assert hasattr(torch.accelerator, name), name
    for name in ("set_default_device", "get_default_device", "set_default_dtype",
                 "get_default_dtype", "linspace", "logspace", "eye", "meshgrid", "normal",
                 "numel", "is_tensor", "is_floating_point", "manual_seed", "pi", "e", "inf",
                 "nan", "sin", "cos", "tan", "sinh", "cosh"):
        assert hasattr(torch, name) and hasattr(minigrad, name), name
    assert torch.backends.mps.is_available() is minigrad.backends.mps.is_available()


def test_constants():
    assert minigrad.pi == math.pi and minigrad.e == math.e
    assert minigrad.inf == math.inf and math.isnan(minigrad.nan)


# ---- the default device ----------------------------------------------------------------

def test_default_device_is_cpu_and_cpu_can_be_set():
    assert minigrad.get_default_device() == "cpu"
    assert repr(minigrad.get_default_device()) == "device(type='cpu')"
    minigrad.set_default_device("cpu")
    try:
        assert minigrad.zeros(2).device == "cpu"
    finally:
        minigrad.set_default_device(None)
    assert minigrad.get_default_device() == "cpu"


def test_set_default_device_checks_its_argument():
    with pytest.raises(ValueError, match="expected 'cpu' or 'cuda'"):
        minigrad.set_default_device("mps")
    with pytest.raises(TypeError):
        minigrad.set_default_device(3)
    assert minigrad.get_default_device() == "cpu"  # unchanged by the failures


@pytest.mark.skipif(HAS_CUDA, reason="needs a machine without a GPU")
def test_cuda_default_without_a_gpu_is_refused_at_once():
    with pytest.raises(RuntimeError, match="not available"):
        minigrad.set_default_device("cuda")
    assert minigrad.get_default_device() == "cpu"


_CREATORS = {
    # Each creation function that follows the default device, called without device=.
    "tensor": lambda: minigrad.tensor([1.0, 2.0]),
    "zeros": lambda: minigrad.zeros(2, 3), "ones": lambda: minigrad.ones((2,)),
    "empty": lambda: minigrad.empty(2), "full": lambda: minigrad.full((2,), 1.5),
    "arange": lambda: minigrad.arange(3), "linspace": lambda: minigrad.linspace(0, 1, 5),
    "logspace": lambda: minigrad.logspace(0, 1, 3), "eye": lambda: minigrad.eye(3),
    "rand": lambda: minigrad.rand(2), "randn": lambda: minigrad.randn(2),
    "randint": lambda: minigrad.randint(0, 5, (3,)),
    "normal": lambda: minigrad.normal(0.0, 1.0, (2,)),
}


@pytest.mark.skipif(not HAS_CUDA, reason="needs a GPU (or NUMBA_ENABLE_CUDASIM=1)")
def test_creation_functions_follow_the_default_device():
    minigrad.set_default_device("cuda")
    try:
        assert minigrad.get_default_device() == "cuda"
        made = {name: make() for name, make in _CREATORS.items()}
        assert {name: str(t.device) for name, t in made.items()} == \
            {name: "cuda:0" for name in made}
        # What keeps its own device, as in PyTorch:
        assert minigrad.from_numpy(np.zeros(2)).device == "cpu"
        assert minigrad.zeros_like(minigrad.zeros(2, device="cpu")).device == "cpu"
        assert minigrad.tensor(minigrad.zeros(2, device="cpu")).device == "cpu"
        assert minigrad.zeros(2, device="cpu").device == "cpu"
        # Values made on the host and copied: the same numbers as on the CPU.
        np.testing.assert_array_equal(made["linspace"].cpu().numpy(),
                                      minigrad.linspace(0, 1, 5, device="cpu").numpy())
    finally:
        minigrad.set_default_device(None)
    assert minigrad.zeros(1).device == "cpu"


@pytest.mark.skipif(not HAS_CUDA, reason="needs a GPU (or NUMBA_ENABLE_CUDASIM=1)")
def test_device_as_a_context_manager_sets_and_restores_the_default():
    with minigrad.device("cuda") as d:
        assert d == "cuda"
        assert minigrad.zeros(2).device == "cuda"
        with minigrad.device("cpu"):
            assert minigrad.zeros(2).device == "cpu"
        assert minigrad.randn(2).device == "cuda"
    assert minigrad.get_default_device() == "cpu"


def test_device_context_manager_on_the_cpu_restores_on_error():
    with pytest.raises(KeyError):
        with minigrad.device("cpu"):
            assert minigrad.get_default_device() == "cpu"
            raise KeyError("inside")
    assert minigrad.get_default_device() == "cpu"


def test_every_creation_function_reads_the_default_device(monkeypatch):
    """Without a GPU: each one asks device_or_default for the device when given none
    (a spy stands in for it), so a cuda default would reach every one."""
    from minigrad import creation
    asked = []
    real = creation.device_or_default

    def spy(spec):
        asked.append(spec)
        return real(spec)
    monkeypatch.setattr(creation, "device_or_default", spy)
    for name, make in _CREATORS.items():
        assert make().device == "cpu"
        assert asked == [None], name
        asked.clear()


# ---- the default dtype ------------------------------------------------------------------

@pytest.fixture
def float64_default():
    minigrad.set_default_dtype(minigrad.float64)
    yield
    minigrad.set_default_dtype(minigrad.float32)


def _dtypes_of(lib):
    return {
        "tensor(1.)": lib.tensor(1.0).dtype, "tensor([1, 2.5])": lib.tensor([1, 2.5]).dtype,
        "tensor(1)": lib.tensor(1).dtype, "tensor(np.float32)": lib.tensor(np.float32(1)).dtype,
        "zeros": lib.zeros(2).dtype, "ones": lib.ones(2).dtype, "empty": lib.empty(2).dtype,
        "rand": lib.rand(2).dtype, "randn": lib.randn(2).dtype,
        "full(1.5)": lib.full((2,), 1.5).dtype, "full(2)": lib.full((2,), 2).dtype,
        "arange(0., 1.)": lib.arange(0.0, 1.0).dtype, "arange(3)": lib.arange(3).dtype,
        "linspace": lib.linspace(0, 1, 3).dtype, "logspace": lib.logspace(0, 1, 3).dtype,
        "eye": lib.eye(2).dtype, "normal": lib.normal(0.0, 1.0, (2,)).dtype,
    }


def test_default_dtype_float64(float64_default):
    assert minigrad.get_default_dtype() is minigrad.float64
    got = {k: v.name for k, v in _dtypes_of(minigrad).items()}
    expected = {k: "float64" for k in got}
    expected.update({"tensor(1)": "int64", "full(2)": "int64", "arange(3)": "int64",
                     "tensor(np.float32)": "float32"})  # NumPy scalars keep theirs
    assert got == expected


def test_default_dtype_matches_pytorch(float64_default):
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    try:
        theirs = {k: str(v).replace("torch.", "") for k, v in _dtypes_of(torch).items()}
    finally:
        torch.set_default_dtype(torch.float32)
    assert {k: v.name for k, v in _dtypes_of(minigrad).items()} == theirs


def test_set_default_dtype_refuses_non_floats_as_pytorch():
    for bad in (minigrad.int64, minigrad.bool, "nonsense"):
        with pytest.raises(TypeError, match="only floating-point types are supported as the "
                                            "default type"):
            minigrad.set_default_dtype(bad)
    assert minigrad.get_default_dtype() is minigrad.float32


@pytest.mark.parametrize("args", [("cuda",), ("cuda:0",), ("cuda", 0), ("cpu",)])
def test_device_constructor_forms(args):
    d = minigrad.device(*args)
    assert d.type == args[0].split(":")[0]
    assert d == minigrad.device(d)  # a device of a device
    torch = pytest.importorskip("torch")
    assert d.type == torch.device(*args).type
    if d.type == "cuda":  # one GPU: "cuda" is "cuda:0" (PyTorch's "cuda" has index None)
        assert d == "cuda" and d == "cuda:0" and d.index == 0


def test_device_constructor_errors():
    with pytest.raises(ValueError, match="index 0"):
        minigrad.device("cuda:1")
    with pytest.raises(RuntimeError, match="must not include an index"):
        minigrad.device("cuda:0", 0)
    with pytest.raises(RuntimeError, match="Invalid device string"):
        minigrad.device("cuda:x")
    with pytest.raises(TypeError):
        minigrad.device(0)


def test_generator_seeds_random_split_reproducibly_and_apart_from_the_global_stream():
    from minigrad.utils.data import TensorDataset, random_split
    ds = TensorDataset(minigrad.arange(10))
    g = minigrad.Generator().manual_seed(42)
    assert isinstance(g, minigrad.Generator) and g.initial_seed() == 42
    minigrad.manual_seed(0)
    first = [list(s.indices) for s in random_split(ds, [0.8, 0.2], generator=g)]
    after = minigrad.rand(3).tolist()  # the global stream was not drawn from
    minigrad.manual_seed(0)
    again = [list(s.indices) for s in random_split(ds, [0.8, 0.2],
                                                    generator=minigrad.Generator().manual_seed(42))]
    assert first == again and minigrad.rand(3).tolist() == after
    assert sorted(first[0] + first[1]) == list(range(10)) and len(first[0]) == 8
    assert minigrad.initial_seed() == 0 and isinstance(minigrad.seed(), int)
    with pytest.raises(RuntimeError, match="only the CPU generator"):
        minigrad.Generator(device="cuda")
