"""A library whose calls leave a file behind, to show *when* code runs.

The tests import it as a third-party package (``allowed_imports`` names it);
each helper touches ``<folder>/<name>`` when called.
"""

from __future__ import annotations

import pathlib
from typing import Any


def mark(folder: str, name: str, value: Any = None) -> Any:
    """Leaves the marker ``name`` in ``folder`` and returns ``value``."""
    pathlib.Path(folder, name).touch()
    return value


def decorator(folder: str, name: str) -> Any:
    """A decorator factory that leaves a marker when it decorates."""

    def apply(function: Any) -> Any:
        mark(folder, name)
        return function

    return apply


def base(folder: str, name: str) -> type:
    """A base class, leaving a marker when asked for."""
    mark(folder, name)
    return object


class Marked:
    """Subscripting it (``Marked[folder, name]``) leaves a marker."""

    def __class_getitem__(cls, item: tuple[str, str]) -> type:
        mark(*item)
        return cls
