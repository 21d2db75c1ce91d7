"""What the loader's checker knows of the values a file's top level
computes (library or user code), and of the rest of the project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Value:
    """What the checker knows of a value computed at load time."""

    user: bool = False
    """Whether it is, holds or wraps code of the project."""
    what: str = ""
    """The user code it carries, in the user's words ("your class MLP")."""
    qualified: str | None = None
    """The dotted library name it refers to (``jax.numpy.ones``)."""
    module: str | None = None
    """The project module it is (``import models``)."""
    wrapper: str | None = None
    """The library wrapper that made it from user code (``jax.custom_vjp``)."""
    members: Mapping[str, Value] | None = None
    """For a class of the project: what its body bound (``Config.lr``)."""


LIBRARY = Value()


class TopScope(dict):  # type: ignore[type-arg]
    """The module's top-level names (also inside a top-level if/try)."""


@dataclass(frozen=True)
class ProjectIndex:
    """What the checker of one file knows of the rest of its project."""

    modules: frozenset[str] = frozenset()
    """Dotted names of the project's modules and packages."""
    exports: Mapping[str, Mapping[str, Value]] = field(default_factory=dict)
    """Top-level values of the modules checked so far."""
    package: str | None = None
    """The package the checked file belongs to (None for a top-level file)."""

    def has(self, module: str) -> bool:
        """Whether ``module`` (or its top-level package) is the project's."""
        return module in self.modules or module.split(".")[0] in self.modules
