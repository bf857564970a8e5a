"""AdamW: Adam with decoupled weight decay."""
from __future__ import annotations

from .adam import Adam
from .optimizer import ParamsT


class AdamW(Adam):
    r"""AdamW (``torch.optim.AdamW``): Adam whose weight decay shrinks the parameter
    directly instead of entering the gradient and the moment estimates::

        p = p * (1 - lr * weight_decay)
        ... then the Adam update of :class:`Adam` with the raw gradient.

    Same arguments as :class:`Adam` except ``weight_decay`` defaults to 1e-2 and
    ``decoupled_weight_decay`` is always True. Same differences from PyTorch
    (``amsgrad`` and ``maximize`` only False; Python-number ``lr`` and ``betas``).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        # As PyTorch: an AdamW stays AdamW whatever the loaded groups say.
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
