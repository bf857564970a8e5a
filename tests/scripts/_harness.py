"""Run a PyTorch script with real PyTorch and with minigrad, from the same start, and
collect the losses it prints: the acceptance test of issue 12 ("a PyTorch user's
script runs on minigrad with only its import lines changed").

Each script in this folder is a real PyTorch script whose import lines were changed
to minigrad's, and nothing else. Its header lists each change as
``original -> here``; :func:`torch_source` undoes them to get the PyTorch original
back, so one file holds both versions and the diff between them is the header.

What the harness changes, and only when running (the files stay as published):

- fewer steps: each spec's ``substitutions`` replace exact strings of the source in
  BOTH runs, e.g. ``range(2000)`` -> ``range(20)`` and the "print every 100 steps"
  test ``t % 100 == 99`` -> ``t % 1 == 0`` (print every step). Each string must occur
  in the source, else the run fails: an upstream edit cannot silently turn a
  substitution off.
- ``print`` is the harness's recorder in the script's globals: it keeps the printed
  objects (the losses, as the script passes them) instead of writing them out.
- the same start: the PyTorch run goes first and records
  - ``replay_randn``: every ``torch.randn`` result, which the minigrad run's
    ``minigrad.randn`` then returns (same call, same shape/dtype/device/requires_grad,
    PyTorch's values); polynomial_numpy's ``np.random.randn`` likewise;
  - ``model``: the initial state dict of the model, copied into the minigrad model
    through NumPy (``load_state_dict``) before it trains. "top-level": right after
    the first top-level ``model = ...`` statement (the module's statements are run
    in two parts, split there); "init:<Class>": at the end of ``<Class>.__init__``
    (the class is patched in the run's namespace);
  - ``replay_dropout``: the masks of the model's Dropout layers, drawn by PyTorch's
    own ``F.dropout`` in the PyTorch run and applied in the minigrad run (minigrad's
    generator cannot draw PyTorch's numbers; minigrad's Dropout itself is then not
    exercised by the comparison, only by the minigrad-alone run).
  Python's ``random``, NumPy's global generator and the framework's generator are
  seeded with 0 before every run (dynamic_net draws its depth from ``random``).
- scripts with a ``main()`` (``argv``): their module is run with ``__name__`` other
  than ``"__main__"``, then ``main()`` is called with ``sys.argv`` = ``argv``.
- mnist: ``datasets.MNIST`` is Fashion-MNIST from Debian's dataset-fashion-mnist
  (this machine has no MNIST files), cut to ``N_TRAIN`` training and ``N_TEST``
  test images; in the PyTorch run a small stand-in ``torchvision`` module (not
  installed here) gives it, with ``transforms.Compose/ToTensor/Normalize`` written
  as torchvision computes them.

Tolerances: see :data:`SPECS` (float32 round-off, and what limits it per script).
"""
from __future__ import annotations

import ast
import contextlib
import random
import re
import sys
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STEPS = 20                        # training steps instead of 2000 (30000, an epoch...)
BATCH = 64
N_TRAIN = STEPS * BATCH           # mnist: 20 steps of 64 images in its one epoch
N_TEST = 256


@dataclass(frozen=True)
class Spec:
    file: str
    substitutions: tuple = ()     # (old, new) exact strings, replaced in both runs
    model: str | None = None      # "top-level" or "init:<Class>": copy the initial weights
    replay_randn: bool = False
    replay_dropout: bool = False
    argv: tuple | None = None     # call main() with this sys.argv
    rtol: float = 1e-5
    why: str = ""                 # what sets rtol


_POLY_STEPS = (("for t in range(2000):", f"for t in range({STEPS}):"),
               ("if t % 100 == 99:", "if t % 1 == 0:"))
_ROUNDOFF = ("float32 round-off: sums of 2000 float32 terms in another order (NumPy's "
             "pairwise sums vs PyTorch's vectorised ones) and linspace/sin differing by "
             "an ulp, carried through 20 contracting gradient steps")

SPECS = {
    "polynomial_numpy": Spec("polynomial_numpy.py", _POLY_STEPS, replay_randn=True),
    "polynomial_tensor": Spec("polynomial_tensor.py", _POLY_STEPS, replay_randn=True,
                              why=_ROUNDOFF),
    "polynomial_autograd": Spec("polynomial_autograd.py", _POLY_STEPS, replay_randn=True,
                                why=_ROUNDOFF),
    "polynomial_custom_function": Spec("polynomial_custom_function.py", _POLY_STEPS,
                                       why=_ROUNDOFF),
    "polynomial_nn": Spec("polynomial_nn.py", _POLY_STEPS, model="top-level", why=_ROUNDOFF),
    "polynomial_optim": Spec("polynomial_optim.py", _POLY_STEPS, model="top-level",
                             why=_ROUNDOFF),
    "polynomial_module": Spec("polynomial_module.py", _POLY_STEPS, model="top-level",
                              why=_ROUNDOFF),
    "dynamic_net": Spec("dynamic_net.py", (("for t in range(30000):", f"for t in range({STEPS}):"),
                                           ("if t % 2000 == 1999:", "if t % 1 == 0:")),
                        model="top-level", why=_ROUNDOFF),
    "mnist": Spec("mnist_main.py", model="init:Net", replay_dropout=True,
                  argv=("main.py", "--epochs", "1", "--batch-size", str(BATCH),
                        "--log-interval", "1", "--no-accel"),
                  rtol=1e-4,
                  why="losses are printed with 6 decimals (~4e-7 of 2.3), and 20 steps "
                      "of convolutions summing 288-9216 float32 products in another "
                      "order, through Adadelta's per-element normalised steps"),
}

_LOSS = re.compile(r"\bLoss: ([-+0-9.eEnaif]+)")
_TEST = re.compile(r"Average loss: ([-+0-9.eEnaif]+), Accuracy: (\d+)/(\d+)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@dataclass
class Result:
    losses: list = field(default_factory=list)     # one per training step
    tests: list = field(default_factory=list)      # mnist: (average loss, correct, total)
    results: list = field(default_factory=list)    # numbers of the final "Result:" line
    printed: list = field(default_factory=list)    # everything printed, as passed to print
    init: dict = field(default_factory=dict)       # what the run recorded for the next


# ---- sources ----------------------------------------------------------------------------

def changed_lines(text: str) -> list[tuple[str, str]]:
    """The header's ``original -> here`` pairs."""
    pairs, inside = [], False
    for line in text.splitlines():
        if line.startswith("# Changed lines"):
            inside = True
            continue
        if inside:
            if not line.startswith("#   "):
                break
            original, arrow, here = line[4:].partition(" -> ")
            if arrow:
                pairs.append((original.strip(), here.strip()))
    return pairs


def minigrad_source(spec: Spec) -> str:
    return (HERE / spec.file).read_text()


def torch_source(spec: Spec) -> str:
    """The PyTorch original: the header's changed lines changed back."""
    text = minigrad_source(spec)
    lines = text.splitlines(keepends=True)
    for original, here in changed_lines(text):
        hits = [i for i, line in enumerate(lines) if line.rstrip("\n") == here]
        if len(hits) != 1:
            raise AssertionError(f"{spec.file}: the changed line {here!r} occurs {len(hits)} "
                                 f"times, expected once")
        lines[hits[0]] = original + "\n"
    return "".join(lines)


def _substitute(spec: Spec, source: str) -> str:
    for old, new in spec.substitutions:
        if old not in source:
            raise AssertionError(f"{spec.file}: the harness substitution {old!r} does not "
                                 f"occur in the script any more")
        source = source.replace(old, new)
    return source


# ---- frameworks ---------------------------------------------------------------------------

@contextlib.contextmanager
def _patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _to_numpy(t) -> np.ndarray:
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    return np.array(t.numpy(), copy=True)


def _torchvision_standin():
    """``torchvision.datasets.MNIST`` (Fashion-MNIST, cut) and the three transforms the
    mnist script uses, for the PyTorch run: torchvision is not installed here."""
    import torch

    from minigrad.data import FashionMNIST

    class MNIST(torch.utils.data.Dataset):
        def __init__(self, root, train=True, transform=None, target_transform=None,
                     download=False):
            source = FashionMNIST(train=train, download=True)   # Debian's files
            n = N_TRAIN if train else N_TEST
            self.data, self.targets = source.data[:n], source.targets[:n]
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(self.data)

        def __getitem__(self, i):
            image, target = self.data[i], int(self.targets[i])
            if self.transform is not None:
                image = self.transform(image)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return image, target

    class Compose:
        def __init__(self, transforms):
            self.transforms = transforms

        def __call__(self, x):
            for t in self.transforms:
                x = t(x)
            return x

    class ToTensor:  # uint8 (H, W) -> float32 (1, H, W) / 255, as torchvision
        def __call__(self, image):
            return torch.from_numpy(np.array(image)[None]).float().div(255)

    class Normalize:  # (x - mean) / std per channel, in float32, as torchvision
        def __init__(self, mean, std):
            self.mean = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
            self.std = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)

        def __call__(self, x):
            return x.sub(self.mean).div(self.std)

    package = types.ModuleType("torchvision")
    package.datasets = types.ModuleType("torchvision.datasets")
    package.datasets.MNIST = MNIST
    package.transforms = types.ModuleType("torchvision.transforms")
    package.transforms.Compose, package.transforms.ToTensor = Compose, ToTensor
    package.transforms.Normalize = Normalize
    return package


def _minigrad_datasets():
    """The mnist script's ``datasets`` for the minigrad run: MNIST is minigrad's
    FashionMNIST (Debian's files), cut as the PyTorch run's."""
    from minigrad.data import FashionMNIST

    def MNIST(root, train=True, transform=None, target_transform=None, download=False):
        ds = FashionMNIST(root, train=train, transform=transform,
                          target_transform=target_transform, download=True)
        n = N_TRAIN if train else N_TEST
        ds.data, ds.targets = ds.data[:n], ds.targets[:n]
        return ds

    return types.SimpleNamespace(MNIST=MNIST)


class _Run:
    """One run of one script on one framework ("torch", "minigrad" or "numpy")."""

    def __init__(self, spec: Spec, framework: str, init: dict | None):
        self.spec, self.framework = spec, framework
        self.init = init            # the PyTorch run's records, or None: own start
        self.result = Result()

    # -- what the script prints
    def print(self, *args, **kwargs):
        r = self.result
        r.printed.append(args)
        if len(args) == 2 and isinstance(args[0], int):
            r.losses.append(float(args[1]))
            return
        text = " ".join(str(a) for a in args)
        if m := _LOSS.search(text):
            r.losses.append(float(m.group(1)))
        if m := _TEST.search(text):
            r.tests.append((float(m.group(1)), int(m.group(2)), int(m.group(3))))
        if text.startswith("Result:"):
            r.results = [float(v) for v in _NUMBER.findall(text.split("=", 1)[-1])]

    # -- the same start
    def on_model(self, model) -> None:
        if self.framework == "torch":
            self.result.init["state"] = {k: _to_numpy(v) for k, v in model.state_dict().items()}
        elif self.init is not None:
            model.load_state_dict({k: v.copy() for k, v in self.init["state"].items()})
        if self.spec.replay_dropout:
            self._replace_dropouts(model)

    def _replace_dropouts(self, model) -> None:
        masks = self.result.init.setdefault("masks", [])
        replay = list(self.init["masks"]) if self.init is not None else None
        for module in model.modules():
            if type(module).__name__ != "Dropout":
                continue
            if self.framework == "torch":
                import torch
                import torch.nn.functional as F

                def forward(x, m=module):
                    if not m.training:
                        return x
                    mask = F.dropout(torch.ones_like(x), m.p, True)
                    masks.append(_to_numpy(mask))
                    return x * mask
            elif replay is not None:
                import minigrad

                def forward(x, m=module):
                    if not m.training:
                        return x
                    return x * minigrad.tensor(replay.pop(0), device=x.device)
            else:
                continue  # minigrad alone: its own Dropout
            module.forward = forward

    def _randn_patch(self, module):
        original = module.randn
        if self.framework == "torch" or self.framework == "numpy":
            draws = self.result.init.setdefault("randn", [])

            def randn(*args, **kwargs):
                out = original(*args, **kwargs)
                draws.append(np.array(_to_numpy(out) if hasattr(out, "numpy") else out))
                return out
        else:
            import minigrad
            replay = list(self.init["randn"])

            def randn(*args, **kwargs):
                out = original(*args, **kwargs)
                value = replay.pop(0)
                assert tuple(out.shape) == value.shape, (out.shape, value.shape)
                return minigrad.tensor(value, dtype=out.dtype, device=out.device,
                                       requires_grad=out.requires_grad)
        return _patched(module, "randn", randn)

    # -- running
    def __call__(self) -> Result:
        spec = self.spec
        source = torch_source(spec) if self.framework == "torch" else minigrad_source(spec)
        source = _substitute(spec, source)
        with warnings.catch_warnings():  # see _exec
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, filename=spec.file)
        namespace = {"__name__": "__main__" if spec.argv is None else "__script__",
                     "__file__": str(HERE / spec.file), "print": self.print}
        random.seed(0)
        np.random.seed(0)
        with contextlib.ExitStack() as stack:
            fw = self._framework(stack)
            if fw is not None:
                fw.manual_seed(0)
            if spec.replay_randn and (self.framework != "minigrad" or self.init is not None):
                stack.enter_context(self._randn_patch(np.random if fw is None else fw))
            body = tree.body
            if spec.model == "top-level":
                split = next(i for i, node in enumerate(body) if isinstance(node, ast.Assign)
                             and any(isinstance(t, ast.Name) and t.id == "model"
                                     for t in node.targets)) + 1
                self._exec(body[:split], namespace)
                self.on_model(namespace["model"])
                self._exec(body[split:], namespace)
            else:
                self._exec(body, namespace)
            if spec.model and spec.model.startswith("init:"):
                cls = namespace[spec.model[len("init:"):]]
                original_init = cls.__init__

                def __init__(model, *args, **kwargs):
                    original_init(model, *args, **kwargs)
                    self.on_model(model)
                cls.__init__ = __init__
            if spec.argv is not None:
                if spec.file == "mnist_main.py" and self.framework == "minigrad":
                    namespace["datasets"] = _minigrad_datasets()
                stack.enter_context(_patched(sys, "argv", list(spec.argv)))
                namespace["main"]()
        return self.result

    def _framework(self, stack):
        if self.framework == "numpy":
            return None
        if self.framework == "torch":
            import torch
            stack.callback(torch.set_default_device, None)
            if self.spec.file == "mnist_main.py":
                stack.enter_context(_patched_modules(_torchvision_standin()))
            return torch
        import minigrad
        stack.callback(minigrad.set_default_device, None)
        return minigrad

    def _exec(self, statements, namespace) -> None:
        with warnings.catch_warnings():
            # The tutorials' docstrings hold "\\sin" in non-raw strings (an invalid
            # escape: DeprecationWarning, SyntaxWarning from Python 3.12): upstream text.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", SyntaxWarning)
            code = compile(ast.Module(body=list(statements), type_ignores=[]),
                           str(HERE / self.spec.file), "exec")
        exec(code, namespace)


@contextlib.contextmanager
def _patched_modules(package):
    names = {"torchvision": package, "torchvision.datasets": package.datasets,
             "torchvision.transforms": package.transforms}
    saved = {n: sys.modules.get(n) for n in names}
    sys.modules.update(names)
    try:
        yield
    finally:
        for n, m in saved.items():
            if m is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = m


def run(name: str, framework: str, init: dict | None = None, spec: Spec | None = None) -> Result:
    """Run script ``name`` (a key of SPECS) on ``framework``: "torch" (records the
    start), "minigrad" (from ``init``, a torch run's ``Result.init``, or its own start
    when None) or "numpy" (polynomial_numpy). Exceptions the script raises propagate."""
    return _Run(spec or SPECS[name], framework, init)()
