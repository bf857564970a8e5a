"""A registry of the ready-made models by name: ``get_model("lenet5")``.

A model class (or factory) may carry a ``recipe`` attribute: a dict of the training
settings ``minigrad train --model NAME`` uses when no option says otherwise (optimizer,
lr, schedule, batch size, augmentation: see :mod:`minigrad.train.recipe`);
:func:`get_recipe` reads it.

This file imports nothing from minigrad: the model files register themselves with
:func:`register_model` when ``minigrad.models`` is imported.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

_MODELS: dict[str, Callable[..., Any]] = {}

T = TypeVar("T", bound=Callable[..., Any])


def _key(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    return name.lower()


def register_model(name: str) -> Callable[[T], T]:
    """Class (or factory function) decorator: make it available as
    ``get_model(name, **kwargs)``. Names are case-insensitive; registering a name twice
    raises ValueError."""
    key = _key(name)

    def decorator(factory: T) -> T:
        if key in _MODELS and _MODELS[key] is not factory:
            raise ValueError(f"a model named {key!r} is already registered "
                             f"({_MODELS[key].__name__})")
        if not callable(factory):
            raise TypeError(f"register_model({name!r}): expected a class or a function, "
                            f"got {type(factory).__name__}")
        _MODELS[key] = factory
        return factory

    return decorator


def list_models() -> list[str]:
    """The registered names, sorted."""
    return sorted(_MODELS)


def get_model(name: str, **kwargs: Any) -> Any:
    """A new model built by the factory registered as ``name`` (case-insensitive), with
    ``kwargs`` passed on, e.g. ``get_model("lenet5", num_classes=10)``.

    Raises ValueError for an unknown name, listing the known ones.
    """
    key = _key(name)
    if key not in _MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(list_models())}")
    return _MODELS[key](**kwargs)


def get_recipe(name: str) -> dict[str, Any]:
    """A copy of the ``recipe`` dict of the model registered as ``name`` (``{}`` when it
    has none: ``minigrad train``'s defaults apply). Raises ValueError for an unknown
    name, as :func:`get_model`."""
    key = _key(name)
    if key not in _MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(list_models())}")
    recipe = getattr(_MODELS[key], "recipe", None) or {}
    if not isinstance(recipe, dict):
        raise TypeError(f"model {key!r}: its recipe must be a dict, got {type(recipe).__name__}")
    return dict(recipe)
