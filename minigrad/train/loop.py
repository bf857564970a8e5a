"""The training and evaluation loops, usable from Python as well as from ``minigrad train``.

A PyTorch-style epoch, step by step: ``optimizer.zero_grad()``, forward, loss,
``loss.backward()``, ``optimizer.step()``. Accuracy is counted on the logits' NumPy
arrays (no tape, no per-sample Python work), so the loop adds little to each step.

    from minigrad.train import train_one_epoch, evaluate
    for epoch in range(5):
        stats = train_one_epoch(model, train_loader, optimizer)
        result = evaluate(model, test_loader, num_classes=10)
        print(epoch, stats.loss, stats.accuracy, result.accuracy)
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from .. import random as _random
from ..arrays import to_host
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .metrics import confusion_matrix


@dataclass
class EpochStats:
    """Running totals of one epoch of training: enough to report it and to resume it
    after an interruption (``steps`` batches done).

    loss_sum: the sum over samples of the loss (each batch's mean loss times its size),
        so ``loss`` is the mean over all samples seen, as if computed in one batch.
    seconds: wall time of the steps, data loading included.

    On cuda a step's loss and correct count stay on the GPU (reading them would wait for
    the GPU at every step): :meth:`add` sums them there, and :meth:`flush` reads the
    sums back (two small copies). ``loss``, ``accuracy`` and :meth:`to_dict` flush
    first; read ``loss_sum`` and ``correct`` after a flush. (The device sums the float32
    losses before multiplying by the batch size, so ``loss_sum`` may differ from the
    CPU's per-step float64 sum in the last digits.)
    """

    steps: int = 0
    seen: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    seconds: float = 0.0
    # on the device: (sum of the pending steps' mean losses, of their correct counts,
    # their batch size); None when nothing is pending
    _pending: Any = field(default=None, repr=False, compare=False)

    def add(self, loss: Any, correct: Any, n: int) -> None:
        """Count one step of ``n`` samples: its mean loss and correct count, numbers or
        0-d tensors (added up on their device, read by :meth:`flush`)."""
        if not (isinstance(loss, Tensor) or isinstance(correct, Tensor)):
            self.loss_sum += float(loss) * n
            self.correct += int(correct)
        else:
            if self._pending is not None and self._pending[2] != n:
                self.flush()  # a batch of another size (the last): keep the sums exact
            if self._pending is None:
                self._pending = (loss.detach(), correct, n)
            else:
                total_loss, total_correct, _ = self._pending
                self._pending = (total_loss + loss.detach(), total_correct + correct, n)
        self.steps += 1
        self.seen += n

    def flush(self) -> "EpochStats":
        """Fold the pending device sums into the totals (their only copies to the host)."""
        if self._pending is not None:
            total_loss, total_correct, n = self._pending
            self._pending = None
            self.loss_sum += float(total_loss.item()) * n
            self.correct += int(total_correct.item())
        return self

    @property
    def loss(self) -> float:
        self.flush()
        return self.loss_sum / self.seen if self.seen else float("nan")

    @property
    def accuracy(self) -> float:
        self.flush()
        return self.correct / self.seen if self.seen else float("nan")

    @property
    def images_per_s(self) -> float:
        return self.seen / self.seconds if self.seconds > 0 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        self.flush()
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EpochStats":
        return cls(steps=int(d["steps"]), seen=int(d["seen"]), loss_sum=float(d["loss_sum"]),
                   correct=int(d["correct"]), seconds=float(d["seconds"]))


@dataclass
class EvalResult:
    """What :func:`evaluate` measured: mean loss and accuracy over ``seen`` samples,
    the wall time, and the confusion matrix (rows: true classes, columns: predictions)
    when ``num_classes`` was given."""

    loss: float
    accuracy: float
    seen: int
    correct: int
    seconds: float
    confusion: np.ndarray | None = field(default=None, repr=False)


class TrainingInterrupted(KeyboardInterrupt):
    """A KeyboardInterrupt raised by :func:`train_one_epoch` between two steps (or from
    inside a step), carrying the epoch's totals up to the last completed step."""

    def __init__(self, stats: EpochStats) -> None:
        super().__init__(f"interrupted after {stats.steps} steps")
        self.stats = stats


def count_correct(logits: np.ndarray, labels: np.ndarray) -> int:
    """How many rows of ``logits`` (B, K) have their largest value at ``labels`` (B,)."""
    return int(np.count_nonzero(logits.argmax(axis=1) == labels))


def _correct(logits: Tensor, labels: Tensor) -> "int | Tensor":
    if logits.device == "cpu":
        return count_correct(logits._array, labels._array)
    # On the GPU: argmax, comparison and count there; the count stays there too.
    return (logits.argmax(1) == labels).sum()


def model_device(model: Any):
    """The device of the model's first parameter (cpu for a model without any)."""
    from ..device import CPU
    params = getattr(model, "parameters", None)
    first = next(iter(params()), None) if params is not None else None
    return CPU if first is None else first.device


def train_step(model: Callable, images: Tensor, labels: Tensor, loss_fn: Callable,
               optimizer: Any, *, read: bool = True) -> tuple[Any, Any]:
    """One optimisation step on a batch: zero the gradients, forward, loss, backward,
    update. Returns (the batch's mean loss, how many of its samples were classified
    correctly by the logits computed before the update). The batch is moved to the
    model's device.

    read: return Python numbers. With ``read=False`` a cuda model's two values stay on
    the GPU as 0-d tensors (no copy, no wait), for :meth:`EpochStats.add`.
    """
    device = model_device(model)
    images, labels = images.to(device), labels.to(device)
    optimizer.zero_grad()
    logits = model(images)
    loss = loss_fn(logits, labels)
    loss.backward()
    optimizer.step()
    correct = _correct(logits, labels)
    if read or device == "cpu":
        return float(loss.item()), int(correct.item() if isinstance(correct, Tensor) else correct)
    return loss.detach(), correct


def train_one_epoch(model: Any, loader: Iterable, optimizer: Any,
                    loss_fn: Callable | None = None, *, stats: EpochStats | None = None,
                    should_stop: Callable[[], bool] | None = None,
                    on_step: Callable[[EpochStats], Any] | None = None) -> EpochStats:
    """Train ``model`` for one pass over ``loader`` (batches of (images, labels)), in
    training mode, and return the epoch's totals.

    loss_fn: ``loss_fn(logits, labels)``; default ``nn.CrossEntropyLoss()``.
    stats: totals of an interrupted epoch to continue: its first ``stats.steps`` batches
        are skipped (the loader must give the same batches in the same order, e.g. a
        DataLoader with the same seeded generator) and the totals continue from it.
    should_stop: called before each step; True stops the epoch by raising
        :class:`TrainingInterrupted` (``minigrad train`` sets it on Ctrl-C).
    on_step: called with the totals after each step (progress bars). On cuda the totals
        hold the step's values unread (no wait for the GPU) until something reads
        ``loss`` or ``accuracy``: read them only when they are shown.

    Raises :class:`TrainingInterrupted` (a KeyboardInterrupt) with the totals up to the
    last completed step when stopped or on a KeyboardInterrupt inside a step.
    """
    if loss_fn is None:
        from ..nn import CrossEntropyLoss
        loss_fn = CrossEntropyLoss()
    stats = EpochStats() if stats is None else EpochStats(**stats.to_dict())
    model.train()
    batches = iter(loader)
    if stats.steps:
        # Resume: skip the batches done before the interruption. Random augmentations
        # draw from minigrad's global generator while those batches are made again; the
        # generator's state (restored from the checkpoint) already follows them, so it is
        # put back: the next batch then gets the draws an uninterrupted run gave it.
        state = _random.generator().bit_generator.state
        for done in range(stats.steps):
            if next(batches, None) is None:
                raise ValueError(f"stats: {stats.steps} steps were done, but the loader gives "
                                 f"only {done} batches (is it the same data and batch size?)")
        _random.generator().bit_generator.state = state
    start, done_before = time.perf_counter(), stats.seconds
    # The generator's state before the current batch was made: a KeyboardInterrupt
    # inside the step puts it back, so that a checkpoint's state is that after the last
    # completed step (the batch's augmentations and dropout masks are drawn again).
    before = None
    try:
        while True:
            # Asked before the next batch is made: a stopped epoch has drawn nothing for
            # a batch it did not train on.
            if should_stop is not None and should_stop():
                raise TrainingInterrupted(stats)
            before = _random.generator().bit_generator.state
            batch = next(batches, None)
            if batch is None:
                break
            images, labels = batch
            # train_step is looked up at each call so that it can be swapped (tests do).
            loss, correct = train_step(model, images, labels, loss_fn, optimizer, read=False)
            stats.add(loss, correct, len(labels))
            stats.seconds = done_before + (time.perf_counter() - start)
            if on_step is not None:
                on_step(stats)
    except TrainingInterrupted:
        stats.flush()
        raise
    except KeyboardInterrupt as e:  # from inside a step: the totals stop at the last one
        if before is not None:
            _random.generator().bit_generator.state = before
        raise TrainingInterrupted(stats.flush()) from e
    return stats.flush()


def evaluate(model: Any, loader: Iterable, loss_fn: Callable | None = None, *,
             num_classes: int | None = None) -> EvalResult:
    """Loss and accuracy of ``model`` over ``loader``, in evaluation mode and under
    ``no_grad`` (nothing recorded on the tape); the model's mode is restored after.

    loss_fn: as in :func:`train_one_epoch`; it must average over the batch (reduction
        "mean"), the batch means are weighted by batch size.
    num_classes: also compute the confusion matrix (K, K).
    """
    if loss_fn is None:
        from ..nn import CrossEntropyLoss
        loss_fn = CrossEntropyLoss()
    was_training = getattr(model, "training", True)
    model.eval()
    start = time.perf_counter()
    seen, correct, loss_sum = 0, 0, 0.0
    targets: list[np.ndarray] = []
    predictions: list[np.ndarray] = []
    try:
        device = model_device(model)
        with no_grad():
            for images, labels in loader:
                logits = model(images.to(device))
                n = len(labels)
                loss_sum += float(loss_fn(logits, labels.to(device)).item()) * n
                # The logits come back to the host for the argmax (and the confusion
                # matrix): evaluation reads its results anyway.
                predicted = to_host(logits._array).argmax(axis=1)
                labels_host = to_host(labels._array)
                correct += int(np.count_nonzero(predicted == labels_host))
                seen += n
                if num_classes is not None:
                    targets.append(labels_host)
                    predictions.append(predicted)
    finally:
        model.train(was_training)
    confusion = None
    if num_classes is not None:
        confusion = confusion_matrix(np.concatenate(targets) if targets else np.zeros(0),
                                     np.concatenate(predictions) if predictions else np.zeros(0),
                                     num_classes)
    return EvalResult(loss=loss_sum / seen if seen else float("nan"),
                      accuracy=correct / seen if seen else float("nan"), seen=seen,
                      correct=correct, seconds=time.perf_counter() - start, confusion=confusion)
