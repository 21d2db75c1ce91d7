"""Which top-level modules a project may import.

Any module of the standard library (:func:`is_standard_library`) and the
project's own modules may always be imported. Beyond those, the default list
covers JAX work; a job adds to it through its requirements.txt (each
requirement's import names, found with
``importlib.metadata.packages_distributions`` where the distribution is
installed) and the environment variable ``JAXLAB_EXTRA_IMPORTS``
(comma-separated module names). A requirement whose environment marker is
false here adds nothing (pip would not install it either), and a requirement
never adds a standard-library name.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

DEFAULT_ALLOWED_IMPORTS: tuple[str, ...] = (
    "jax",
    "jaxlib",
    "flax",
    "optax",
    "numpy",
    "absl",
    "chex",
    "haiku",
    "einops",
    "equinox",
    "jaxopt",
    "numpyro",
    "diffrax",
    "orbax",
    "ml_collections",
    "ml_dtypes",
    "opt_einsum",
    "scipy",
    "matplotlib",
    "pandas",
    "tqdm",
    "jaxlab",
)
"""Packages (beyond the standard library) every job may import when the
kernel's environment has them: JAX and its common companions, and
``jaxlab``, the lab's own API (``from jaxlab import log``)."""

EXTRA_IMPORTS_ENV = "JAXLAB_EXTRA_IMPORTS"
"""Environment variable with extra comma-separated module names."""

MAX_REQUIREMENTS_BYTES = 64 * 1024
"""requirements.txt beyond this size is ignored (the gateway validates it)."""

_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def is_standard_library(module: str) -> bool:
    """Whether ``module``'s top-level name belongs to Python's standard library
    (``os``, ``os.path``, ``argparse``; not ``jax`` or ``__future__``)."""
    return module.split(".")[0] in sys.stdlib_module_names


def normalize_distribution(name: str) -> str:
    """PEP 503 normalised distribution name (``Flax_Nets`` -> ``flax-nets``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(text: str) -> list[str]:
    """Distribution names listed in requirements.txt ``text`` that pip would
    install here: options, URLs and comments are skipped, and so is a
    requirement whose environment marker is false (``os; python_version < "3"``)
    or cannot be read."""
    names: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-") or "://" in line:
            continue
        match = _REQUIREMENT_NAME.match(line)
        if match and _marker_holds(line):
            names.append(match.group(1))
    return names


def _marker_holds(line: str) -> bool:
    if ";" not in line:
        return True
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    try:
        return Marker(line.split(";", 1)[1].strip()).evaluate()
    except (InvalidMarker, UndefinedComparison, ValueError):
        return False


def import_names_for(
    distributions: list[str], mapping: Mapping[str, list[str]] | None = None
) -> list[str]:
    """Top-level import names of ``distributions``.

    ``mapping`` is ``packages_distributions()`` (import name -> distributions);
    a distribution it does not know maps to its own name with ``-``/``.`` as
    ``_`` (``typing-extensions`` -> ``typing_extensions``).
    """
    if mapping is None:
        mapping = _packages_distributions()
    by_distribution: dict[str, list[str]] = {}
    for module, owners in mapping.items():
        for owner in owners:
            by_distribution.setdefault(normalize_distribution(owner), []).append(module)
    modules: list[str] = []
    for distribution in distributions:
        known = by_distribution.get(normalize_distribution(distribution))
        if known:
            modules.extend(sorted(m for m in known if not m.startswith("_")))
        else:
            modules.append(re.sub(r"[-.]+", "_", distribution).lower())
    return modules


def allowed_imports(
    workdir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """The allow-list beyond the standard library: defaults,
    ``JAXLAB_EXTRA_IMPORTS`` and what ``<workdir>/requirements.txt`` adds.
    Invalid names are dropped."""
    environ = os.environ if environ is None else environ
    names = list(DEFAULT_ALLOWED_IMPORTS)
    names.extend(n.strip() for n in environ.get(EXTRA_IMPORTS_ENV, "").split(","))
    if workdir is not None:
        requirements = Path(workdir) / "requirements.txt"
        try:
            if requirements.is_file() and not requirements.is_symlink():
                data = requirements.read_bytes()[:MAX_REQUIREMENTS_BYTES]
                names.extend(requirement_imports(data.decode("utf-8", "replace")))
        except OSError:
            pass
    return tuple(dict.fromkeys(n for n in names if _MODULE_NAME.match(n)))


def requirement_imports(text: str, mapping: Mapping[str, list[str]] | None = None) -> list[str]:
    """Import names requirements.txt ``text`` adds to the allow-list: never a
    standard-library name (a requirement called ``os`` adds nothing)."""
    names = import_names_for(requirement_names(text), mapping)
    return [n for n in names if not is_standard_library(n)]


def _packages_distributions() -> Mapping[str, list[str]]:
    try:
        from importlib.metadata import packages_distributions
    except ImportError:  # Python < 3.10
        return {}
    try:
        return packages_distributions()
    except Exception:  # a broken distribution must not stop the kernel
        return {}
