"""The optimizers' updates in NumPy, one parameter at a time, in place and in the
parameter's dtype (PyTorch's operations in PyTorch's order: see minigrad/optim/sgd.py
and adam.py for the formulas)."""
from __future__ import annotations

import numpy as np


def sgd_step(g, params, grads, bufs):
    """p -= lr * d for each parameter, d the gradient after weight decay and momentum;
    returns the momentum buffers (new ones where ``bufs`` has None)."""
    lr, momentum, dampening, weight_decay = g.lr, g.momentum, g.dampening, g.weight_decay
    out = []
    for p, grad, buf in zip(params, grads, bufs):
        # `owned`: grad is a temporary of ours, safe to overwrite in place.
        owned = False
        if weight_decay != 0:
            decayed = np.multiply(p, weight_decay, dtype=p.dtype)
            decayed += grad  # g + wd * p
            grad, owned = decayed, True
        if momentum != 0:
            if buf is None:
                buf = np.array(grad, dtype=p.dtype, copy=True)
            else:
                buf *= momentum
                if dampening == 0:
                    buf += grad
                else:
                    buf += (1 - dampening) * grad
            if g.nesterov:
                nb = buf * momentum
                if owned:
                    grad += nb
                else:
                    nb += grad
                    grad, owned = nb, True
            else:
                grad, owned = buf, False
        if owned:
            grad *= lr
            p -= grad
        else:
            p -= lr * grad
        out.append(buf)
    return tuple(out), None


def adam_step(g, params, grads, exp_avgs, exp_avg_sqs):
    """One Adam (AdamW when ``g.decoupled_weight_decay``) step of each parameter and
    its moments m, v, in place."""
    lr, beta1, beta2, eps, weight_decay = g.lr, g.beta1, g.beta2, g.eps, g.weight_decay
    for param, grad, m, v, step in zip(params, grads, exp_avgs, exp_avg_sqs, g.steps):
        if weight_decay != 0:
            if g.decoupled_weight_decay:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param

        # m.lerp_(grad, 1 - beta1), with torch.lerp's two branches (each exact at
        # its end of the weight range).
        weight = 1 - beta1
        # out=: of two 0-d arrays NumPy returns a scalar, which the in-place steps below
        # cannot write into.
        tmp = np.subtract(grad, m, out=np.empty_like(m))
        if weight < 0.5:
            tmp *= weight
            m += tmp
        else:
            tmp *= 1 - weight
            np.subtract(grad, tmp, out=m)
        # v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        v *= beta2
        np.multiply(grad, 1 - beta2, out=tmp)
        tmp *= grad
        v += tmp

        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        # denom = v.sqrt() / sqrt(bias_correction2) + eps
        denom = np.sqrt(v, out=tmp)
        denom /= bias_correction2 ** 0.5
        denom += eps
        # param.addcdiv_(m, denom, value=-step_size)
        update = np.multiply(m, -step_size)
        update /= denom
        param += update
    return None, None


KERNELS = {"sgd_step": (sgd_step, None), "adam_step": (adam_step, None)}
