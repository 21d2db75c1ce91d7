"""Checking a project of several files: main.py and the modules and packages
it imports (``models.py``, a ``utils/`` package), each by the same rules.

:func:`load_project` is a pure function from the project's files to one
:class:`~.loader.LoadResult` per file main.py reaches through its imports.
Files nothing imports are not checked (Python would not run them either).
A file checked after the files it imports knows which of their names are the
project's own code, so ``from models import MLP`` followed by ``MLP()`` at
the top level is rejected like a class of main.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import DEFAULT_DESIGNATED_FUNCTIONS
from .allow_list import DEFAULT_ALLOWED_IMPORTS, is_standard_library
from .load_values import ProjectIndex, Value
from .loader import LoadResult, load_definitions
from .statements import absolute_module
from .violations import Violation

MAIN_FILE = "main.py"
"""The file whose designated functions a cell calls."""

MAIN_MODULE = "main"
"""The module name other files of the project may import main.py by."""


@dataclass(frozen=True)
class ProjectModule:
    """One importable module of a project: ``path`` is None for a folder
    without ``__init__.py`` (a namespace package)."""

    name: str
    path: str | None
    is_package: bool


@dataclass(frozen=True)
class ProjectLoadResult:
    """What :func:`load_project` made of a project's files."""

    results: Mapping[str, LoadResult]
    """Checked files by path, main.py first."""
    modules: Mapping[str, ProjectModule] = field(default_factory=dict)
    """Importable modules by dotted name."""

    @property
    def main(self) -> LoadResult:
        """main.py's result."""
        return self.results[MAIN_FILE]

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Every violation, main.py's first, then by file and position."""
        return tuple(v for result in self.results.values() for v in result.violations)

    @property
    def ok(self) -> bool:
        """Whether every checked file obeys every rule."""
        return not self.violations


def project_modules(paths: Iterable[str]) -> dict[str, ProjectModule]:
    """The importable modules of a project with files ``paths`` (POSIX,
    relative): ``models.py`` -> ``models``, ``utils/__init__.py`` -> package
    ``utils``, ``utils/data.py`` -> ``utils.data``; folders are packages."""
    modules: dict[str, ProjectModule] = {}
    for path in sorted(paths):
        if not path.endswith(".py"):
            continue
        parts = path[:-3].split("/")
        if not all(part.isidentifier() for part in parts):
            continue
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        if not parts:
            continue
        name = MAIN_MODULE if path == MAIN_FILE else ".".join(parts)
        modules[name] = ProjectModule(name, path, is_package)
        for end in range(1, len(parts)):
            package = ".".join(parts[:end])
            if package not in modules or modules[package].path is None:
                existing = modules.get(package)
                modules[package] = existing or ProjectModule(package, None, True)
    return modules


def load_project(
    files: Mapping[str, str],
    *,
    allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS,
    designated: Iterable[str] = DEFAULT_DESIGNATED_FUNCTIONS,
    reserved: Iterable[str] = (),
) -> ProjectLoadResult:
    """Checks main.py of ``files`` (path -> text) and every project file it
    reaches through imports, dependencies first.

    A file named like a standard-library module, an allowed package or one of
    ``reserved`` (the modules of the process that will run the project) is
    never importable as the project's: ``import json`` means the standard
    library's json even beside a json.py, and a file that such an import
    would have meant is reported as ``module-name-taken``.
    """
    allowed = frozenset(allowed_imports)
    every = project_modules(files)
    taken_tops = {
        name.split(".")[0]
        for name in every
        if name != MAIN_MODULE and _owner_of(name.split(".")[0], allowed, frozenset(reserved))
    }
    modules = {n: m for n, m in every.items() if n.split(".")[0] not in taken_tops}
    names = frozenset(modules)
    exports: dict[str, Mapping[str, Value]] = {}
    results: dict[str, LoadResult] = {}
    in_progress: set[str] = set()

    def check(name: str) -> None:
        module = modules.get(name)
        if module is None or name in in_progress or name in exports:
            return
        if module.path is None:
            exports[name] = {}
            return
        in_progress.add(name)
        source = files[module.path]
        package = name if module.is_package else name.rpartition(".")[0] or None
        for dependency in _imported_modules(source, package, names):
            check(dependency)
        result = load_definitions(
            source,
            allowed_imports=allowed,
            designated=designated if module.path == MAIN_FILE else (),
            filename=module.path,
            project=ProjectIndex(names, exports, package),
        )
        shadowed = [
            every[top]
            for top in _imported_modules(source, package, frozenset(taken_tops))
            if top in every and every[top].path is not None
        ]
        if shadowed:
            found = (_name_taken(m, allowed, frozenset(reserved)) for m in shadowed)
            result = LoadResult(module=None, violations=(*result.violations, *found))
        results[module.path] = result
        exports[name] = {
            key: _from_file(value, module.path) for key, value in result.exports.items()
        }
        in_progress.discard(name)

    if MAIN_FILE in files:
        check(MAIN_MODULE)
    ordered = {MAIN_FILE: results[MAIN_FILE]} if MAIN_FILE in results else {}
    ordered.update(sorted(results.items()))
    return ProjectLoadResult(results=ordered, modules=modules)


def _from_file(value: Value, path: str) -> Value:
    if not value.user or value.what.endswith(")"):
        return value
    return Value(user=True, what=f"{value.what} ({path})", wrapper=value.wrapper)


def _owner_of(top: str, allowed: frozenset[str], reserved: frozenset[str]) -> str | None:
    if is_standard_library(top):
        return f"the standard library's module {top}"
    if top in allowed:
        return f"the package {top}"
    if top in reserved:
        return f"the kernel's own module {top}"
    return None


def _name_taken(
    module: ProjectModule, allowed: frozenset[str], reserved: frozenset[str]
) -> Violation:
    top = module.name.split(".")[0]
    return Violation(
        1,
        1,
        "module-name-taken",
        f"{module.path} has the name of {_owner_of(top, allowed, reserved)}, which an import"
        " of it gets instead",
        f"Rename it (for example to my_{top}.py) and change its imports.",
        module.path or "",
    )


def _imported_modules(source: str, package: str | None, names: frozenset[str]) -> list[str]:
    """Project modules ``source`` imports anywhere, with their packages."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        candidates: list[str] = []
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            if base is None:
                continue
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for candidate in candidates:
            parts = candidate.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                if prefix in names:
                    found.append(prefix)
    return list(dict.fromkeys(found))
