"""A checked project, run the way the kernel runs it.

:func:`read_project_files` reads the project's Python files from the work
folder; :class:`Program` checks them (:func:`~.project.load_project`, pure)
and, only when :meth:`Program.execute` is called (just before the first
designated call), runs main.py's kept statements in source order. Project
modules are imported through :class:`ProjectImporter`, which runs their kept
statements the same way. Every file's code sees built-ins whose
``__import__`` refuses what the loader would (a module outside the allow-list,
or a module reached through another one: ``from dataclasses import sys``).
"""

from __future__ import annotations

import builtins
import hashlib
import importlib.abc
import importlib.machinery
import linecache
import os
import stat
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .absl_calls import forget_flags, prepare_flags
from .allow_list import is_standard_library
from .loader import LoadResult, load_definitions
from .project import MAIN_FILE, MAIN_MODULE, ProjectLoadResult, load_project
from .prologue import PrologueSetting, apply_prologue
from .violations import MAX_SOURCE_BYTES, Violation

MAIN_MODULE_NAME = "jaxlab_main"
"""Module name main.py runs under (``main`` is an alias for other files)."""

MAX_PROJECT_FILES = 64
"""Most Python files of a project the kernel reads."""

MAX_PROJECT_BYTES = 4_000_000
"""Most bytes of Python source of a project the kernel reads."""

MAX_DEPTH = 4
"""Deepest folder nesting searched for Python files."""

_SKIPPED_FOLDERS = frozenset({"__pycache__", "outputs", "node_modules"})


def _process_modules() -> frozenset[str]:
    """Top-level modules this process has imported (the kernel's own), less
    a previous version of the project's."""
    names = set()
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        if not isinstance(getattr(spec, "loader", None), ProjectImporter) and spec is not None:
            names.add(name.split(".")[0])
    return frozenset(names)


def _no_warning(line: str) -> None:
    return None


def _nothing() -> None:
    return None


class ProjectTooLarge(Exception):  # noqa: N818 - reported as a violation
    """The work folder holds more Python than a project may."""


def read_project_files(workdir: str | os.PathLike[str]) -> dict[str, str]:
    """The project's Python files under ``workdir`` by POSIX path.

    Links are not followed; hidden folders, ``outputs/`` and caches are
    skipped.

    Raises:
        ProjectTooLarge: more than :data:`MAX_PROJECT_FILES` files or
            :data:`MAX_PROJECT_BYTES` bytes.
    """
    root = Path(workdir)
    files: dict[str, str] = {}
    total = 0
    pending: list[tuple[Path, str, int]] = [(root, "", 0)]
    while pending:
        folder, prefix, depth = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            relative = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH and entry.name not in _SKIPPED_FOLDERS:
                    pending.append((Path(entry.path), f"{relative}/", depth + 1))
                continue
            if not entry.name.endswith(".py"):
                continue
            data = _read_regular_file(entry.path)
            if data is None:
                continue
            total += len(data)
            if len(files) >= MAX_PROJECT_FILES or total > MAX_PROJECT_BYTES:
                raise ProjectTooLarge(
                    f"the project holds more than {MAX_PROJECT_FILES} Python files or"
                    f" {MAX_PROJECT_BYTES} bytes of Python"
                )
            files[relative] = data.decode("utf-8", "replace")
    return files


def _read_regular_file(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(MAX_SOURCE_BYTES + 1)


def digest_of(files: Mapping[str, str]) -> str:
    """A hash of the project's files (names and contents)."""
    hasher = hashlib.sha256()
    for path in sorted(files):
        hasher.update(path.encode("utf-8", "replace") + b"\0")
        hasher.update(files[path].encode("utf-8", "replace") + b"\0")
    return hasher.hexdigest()


class Program:
    """One version of a project: checked at construction, run by
    :meth:`execute` (once)."""

    def __init__(
        self,
        files: Mapping[str, str],
        workdir: str | os.PathLike[str],
        *,
        allowed_imports: Iterable[str],
        designated: Iterable[str],
    ) -> None:
        self._files = dict(files)
        self._workdir = Path(workdir)
        self._allowed = frozenset(allowed_imports)
        self._designated = tuple(designated)
        self.checked: ProjectLoadResult = load_project(
            self._files,
            allowed_imports=self._allowed,
            designated=self._designated,
            reserved=_process_modules(),
        )
        self._namespace: dict[str, Any] | None = None
        self._importer: ProjectImporter | None = None

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Every rule the project breaks (empty when it may run)."""
        return self.checked.violations

    @property
    def main(self) -> LoadResult:
        """main.py's check result."""
        return self.checked.main

    @property
    def prologue(self) -> tuple[PrologueSetting, ...]:
        """The configuration prologue of every checked file, main.py's first."""
        return tuple(s for r in self.checked.results.values() for s in r.prologue)

    @property
    def executed(self) -> bool:
        """Whether :meth:`execute` ran."""
        return self._namespace is not None

    @property
    def module_names(self) -> frozenset[str]:
        """Names the project's modules run under."""
        return frozenset({MAIN_MODULE_NAME, *self.checked.modules})

    @property
    def paths(self) -> frozenset[str]:
        """The files' paths on disk (as tracebacks show them)."""
        return frozenset(str(self._workdir / path) for path in self._files)

    def defines(self, name: str) -> bool:
        """Whether main.py's top level binds ``name`` (known without running)."""
        return name in self.main.bound

    def execute(
        self,
        warn: Callable[[str], None] = _no_warning,
        before_top_level: Callable[[], None] = _nothing,
    ) -> dict[str, Any]:
        """Runs the project (once) and returns main.py's namespace: applies
        the configuration prologue, calls ``before_top_level`` (the kernel
        starts its clock there, once JAX may be imported), then runs main.py's
        kept statements in source order. ``warn`` gets a line for each
        setting that can no longer take effect.

        Exceptions of the program propagate.
        """
        if self._namespace is not None:
            return self._namespace
        if not self.checked.ok or self.main.module is None:
            raise RuntimeError("a rejected program cannot run")
        self.discard()
        for name in self.checked.modules:  # never a library's (see load_project)
            sys.modules.pop(name, None)
        sys.argv = [self.file_of(MAIN_FILE)]
        apply_prologue(self.prologue, warn)
        before_top_level()
        if any("absl" in result.imports for result in self.checked.results.values()):
            import absl.flags  # noqa: F401 - FLAGS must exist to be marked parsed

            prepare_flags()
        self._importer = ProjectImporter(self)
        sys.meta_path.insert(0, self._importer)
        module = types.ModuleType(MAIN_MODULE_NAME)
        sys.modules[MAIN_MODULE_NAME] = module
        sys.modules[MAIN_MODULE] = module
        self.run_module(module, MAIN_FILE, self.main)
        self._namespace = module.__dict__
        return self._namespace

    def run_module(self, module: types.ModuleType, path: str, result: LoadResult) -> None:
        """Runs ``result``'s kept statements in ``module`` (file ``path``)."""
        assert result.module is not None
        filename = self.file_of(path)
        source = self._files[path]
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        module.__file__ = filename
        module.__dict__["__builtins__"] = restricted_builtins(
            self._allowed, {name.split(".")[0] for name in self.checked.modules}
        )
        code = compile(result.module, filename, "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def result_for(self, name: str) -> tuple[str, LoadResult] | None:
        """The path and check result of project module ``name``; a module
        main.py does not import statically is checked now."""
        module = self.checked.modules.get(name)
        if module is None or module.path is None:
            return None
        result = self.checked.results.get(module.path)
        if result is None:
            package = name if module.is_package else name.rpartition(".")[0] or None
            from .load_values import ProjectIndex

            result = load_definitions(
                self._files[module.path],
                allowed_imports=self._allowed,
                designated=(),
                filename=module.path,
                project=ProjectIndex(frozenset(self.checked.modules), {}, package),
            )
        return module.path, result

    def file_of(self, path: str) -> str:
        """The file ``path`` of the project on disk."""
        return str(self._workdir / path)

    def folder_of(self, name: str) -> str:
        """The folder of package ``name`` on disk."""
        return str(self._workdir.joinpath(*name.split(".")))

    def discard(self) -> None:
        """Forgets the modules and absl flags of this project (before a new
        version runs)."""
        forget_flags(self.module_names)
        for name, module in list(sys.modules.items()):
            spec = getattr(module, "__spec__", None)
            ours = isinstance(getattr(spec, "loader", None), ProjectImporter)
            if ours or (name in (MAIN_MODULE_NAME, MAIN_MODULE) and spec is None):
                del sys.modules[name]
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, ProjectImporter)]


class ProjectImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the project's own modules by the loader's rules."""

    def __init__(self, program: Program) -> None:
        self._program = program

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        module = self._program.checked.modules.get(fullname)
        if module is None:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=module.is_package)
        if module.is_package:
            spec.submodule_search_locations = [self._program.folder_of(fullname)]
        if module.path is not None:
            spec.origin = self._program.file_of(module.path)
            spec.has_location = True
        return spec

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        found = self._program.result_for(module.__name__)
        if found is None:
            return  # a folder without __init__.py
        path, result = found
        if not result.ok:
            first = result.violations[0]
            raise ImportError(
                f"{path} was rejected at line {first.line}: {first.message}. {first.hint}",
                name=module.__name__,
            )
        self._program.run_module(module, path, result)


def restricted_builtins(allowed: frozenset[str], project_tops: set[str]) -> dict[str, Any]:
    """Built-ins whose ``__import__`` refuses what the loader refuses."""
    real_import = builtins.__import__

    def guarded_import(
        name: str,
        globals: Mapping[str, Any] | None = None,
        locals: Mapping[str, Any] | None = None,
        fromlist: Iterable[str] | None = (),
        level: int = 0,
    ) -> Any:
        top = name.split(".")[0]
        if level == 0 and not (
            top in allowed or top in project_tops or top == "__future__" or is_standard_library(top)
        ):
            raise ModuleNotFoundError(
                f"No module named {name!r} may be imported: {top} is not a file of this project,"
                " a module of the standard library or a package of requirements.txt",
                name=name,
            )
        module = real_import(name, globals, locals, fromlist, level)
        for item in fromlist or ():
            value = getattr(module, item, None) if item != "*" else None
            if isinstance(value, types.ModuleType) and (
                sys.modules.get(f"{module.__name__}.{item}") is not value
            ):
                raise ImportError(
                    f"`from {module.__name__} import {item}` reaches the module {value.__name__}"
                    f" through {module.__name__}; import it by its own name:"
                    f" `import {value.__name__}`",
                    name=value.__name__,
                )
        return module

    namespace = dict(builtins.__dict__)
    namespace["__import__"] = guarded_import
    return namespace
