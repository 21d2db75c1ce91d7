"""Make it runnable: a deterministic rewrite of a script whose work is at
the top level into a program the restricted kernel can call.

:func:`make_runnable` is a pure function of the source. From the first
top-level statement that does work (one the loader rejects, or, when the
script has no ``main()``, the first statement that does something on its own
such as a ``print``), the statements that are not definitions move, in order,
into a generated ``def main():``, together with the body of
``if __name__ == "__main__":``. Imports and definitions stay at the top; a
definition moves too when the loader rejects it (``@timer`` of the script's
own, a default ``cfg=Config()``) or when its decorators, defaults or class
body read a moved name. Names the moved code binds that other functions read, or that
the top level binds as well, are declared ``global`` in main(), so the
program does what ``python main.py`` did. Comments and formatting are kept;
lines inside multi-line strings are never re-indented. A ``main`` the script
already defines is renamed ``_main`` (and every use of it).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from . import DEFAULT_DESIGNATED_FUNCTIONS
from .allow_list import DEFAULT_ALLOWED_IMPORTS
from .loader import load_definitions
from .prologue import prologue_settings
from .statements import import_resolver, is_main_guard
from .violations import Violation

_MOVABLE_RULES = frozenset({"top-level-statement", "user-code-at-load", "decorator-not-allowed"})
_SETUP_CALLS = ("DEFINE_", "register", "defvjp", "defjvp", "declare_key_flag", "mark_flag")


@dataclass(frozen=True)
class RunnableResult:
    """What :func:`make_runnable` did to a source."""

    source: str
    """The rewritten source (the input when nothing changed)."""
    changed: bool
    reason: str
    """What was done, or why nothing was, in the user's words."""
    moved_lines: tuple[tuple[int, int], ...] = ()
    """Line ranges (1-based, inclusive) of the input that moved into main()."""
    global_names: tuple[str, ...] = ()
    renamed_main: str | None = None
    violations: tuple[Violation, ...] = ()
    """What the loader still rejects in the result."""


def make_runnable(
    source: str,
    *,
    allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS,
    designated: Iterable[str] = DEFAULT_DESIGNATED_FUNCTIONS,
) -> RunnableResult:
    """Rewrites ``source`` so that its top-level work runs in ``main()``."""
    allowed = tuple(allowed_imports)
    entry = next(iter(designated), "main")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return RunnableResult(source, False, f"main.py does not parse ({error}); fix it first")
    checked = load_definitions(source, allowed_imports=allowed, designated=(entry,))
    renamed = None
    if _defines(tree, entry) and _first_work(tree, checked.violations, entry) is not None:
        renamed = _free_name(tree, f"_{entry}")
        source = _rename(source, tree, entry, renamed)
        tree = ast.parse(source)
        checked = load_definitions(source, allowed_imports=allowed, designated=(entry,))
    first = _first_work(tree, checked.violations, entry)
    if first is None:
        reason = (
            f"main.py already loads and defines {entry}(); nothing to move"
            if checked.ok and _defines(tree, entry)
            else "nothing at the top level of main.py does work to move"
        )
        return RunnableResult(source, False, reason, violations=checked.violations)
    lines = {v.line for v in checked.violations if v.rule in _MOVABLE_RULES}
    rewrite = _Rewrite(source, tree, first, entry, lines)
    result = rewrite.run()
    after = load_definitions(result, allowed_imports=allowed, designated=(entry,))
    return RunnableResult(
        result,
        True,
        f"moved the top-level work of main.py into {entry}()",
        tuple(rewrite.moved_lines),
        tuple(rewrite.global_names),
        renamed,
        after.violations,
    )


def _defines(tree: ast.Module, name: str) -> bool:
    return any(
        isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == name for s in tree.body
    )


def _first_work(tree: ast.Module, violations: Iterable[Violation], entry: str) -> int | None:
    """Index of the first top-level statement to move, or None."""
    lines = {v.line for v in violations if v.rule in _MOVABLE_RULES}
    body = tree.body
    for index, stmt in enumerate(body):
        if not is_main_guard(stmt) and _breaks_rules(stmt, lines):
            return _earlier_guard(body, index)
    if _defines(tree, entry):
        return None
    resolve = import_resolver(tree.body)
    for index, stmt in enumerate(body):
        if is_main_guard(stmt):
            return index
        if (
            isinstance(stmt, ast.Expr)
            and not isinstance(stmt.value, ast.Constant)
            and not prologue_settings(stmt, resolve)
            and not _is_setup_call(stmt.value)
        ):
            return index
    return None


def _breaks_rules(stmt: ast.stmt, lines: set[int]) -> bool:
    """Whether one of ``lines`` (lines with a movable violation) is in ``stmt``."""
    return any(_first_line(stmt) <= line <= (stmt.end_lineno or stmt.lineno) for line in lines)


def _earlier_guard(body: list[ast.stmt], index: int) -> int:
    guards = [i for i, stmt in enumerate(body[:index]) if is_main_guard(stmt)]
    return guards[0] if guards else index


def _is_setup_call(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name.startswith(_SETUP_CALLS)


class _Rewrite:
    """One rewrite of one source (see the module docstring)."""

    def __init__(
        self, source: str, tree: ast.Module, first: int, entry: str, rejected_lines: set[int]
    ) -> None:
        self._rejected_lines = rejected_lines
        self._source = source
        self._lines = source.splitlines(keepends=True)
        self._tree = tree
        self._first = first
        self._entry = entry
        self._newline = "\r\n" if "\r\n" in source else "\n"
        self._indent = _indent_unit(source)
        self._in_string = _string_interior_lines(source)
        self.moved_lines: list[tuple[int, int]] = []
        self.global_names: list[str] = []

    def run(self) -> str:
        units = self._units()
        moved = self._moved(units)
        kept_text: list[str] = []
        main_body: list[str] = []
        previous_end = 0
        after_definition = False
        for index, unit in enumerate(units):
            start, end = self._span(unit, previous_end)
            gap = self._lines[previous_end : start - 1]  # blank lines, loose comments
            if index in moved and index - 1 in moved:
                main_body.extend(self._reindent(gap, previous_end + 1, 0, self._indent))
            else:
                for line in gap:  # at most two blank lines where a statement left
                    if line.strip() or kept_text[-2:] != [self._newline] * 2:
                        kept_text.append(line)
            text = self._lines[start - 1 : end]
            previous_end = end
            if index not in moved:
                kept_text.extend(text)
                continue
            guard = next((s for s in unit if is_main_guard(s)), None)
            separate = any(_is_scope(s) for s in unit) or (main_body and after_definition)
            if separate and main_body and main_body[-1].strip():
                main_body.append(self._newline)  # a blank line around a moved definition
            after_definition = any(_is_scope(s) for s in unit)
            if guard is not None:
                main_body.extend(self._guard_body(guard))
            else:
                main_body.extend(self._reindent(text, start, 0, self._indent))
            self.moved_lines.append((unit[0].lineno, unit[-1].end_lineno or unit[-1].lineno))
        kept_text.extend(self._lines[previous_end:])
        self.global_names = self._globals(units, moved)
        return self._assemble(kept_text, main_body)

    # -- which statements move ------------------------------------------

    def _units(self) -> list[list[ast.stmt]]:
        """Top-level statements, those sharing a line (``a = 1; b()``) grouped."""
        units: list[list[ast.stmt]] = []
        for stmt in self._tree.body:
            start = _first_line(stmt)
            if units and start <= (units[-1][-1].end_lineno or units[-1][-1].lineno):
                units[-1].append(stmt)
            else:
                units.append([stmt])
        return units

    def _moved(self, units: list[list[ast.stmt]]) -> set[int]:
        first_unit = next(i for i, u in enumerate(units) if self._tree.body[self._first] in u)
        moved = {
            i
            for i, unit in enumerate(units)
            if i >= first_unit
            and (
                not all(_is_definition(s) for s in unit)
                or any(_breaks_rules(s, self._rejected_lines) for s in unit)
            )
        }
        while True:  # definitions whose headers read a moved name move too
            bound = set().union(*(_bound_names(units[i]) for i in moved)) if moved else set()
            more = {
                i
                for i, unit in enumerate(units)
                if i >= first_unit
                and i not in moved
                and any(
                    isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and _header_names(s) & bound
                    for s in unit
                )
            }
            if not more:
                return moved
            moved |= more

    def _globals(self, units: list[list[ast.stmt]], moved: set[int]) -> list[str]:
        bound_in_main: set[str] = set()
        for i in moved:
            bound_in_main |= _bound_names(units[i])
        needed: set[str] = set()
        for i, unit in enumerate(units):
            for stmt in unit:
                if i in moved:
                    continue
                needed |= _bound_names([stmt]) | _free_names(stmt)
        for i in moved:
            for stmt in units[i]:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    needed |= _free_names(stmt)
        return sorted(bound_in_main & needed)

    # -- text -----------------------------------------------------------

    def _span(self, unit: list[ast.stmt], previous_end: int) -> tuple[int, int]:
        """1-based inclusive lines of a unit with the comment lines right
        above it."""
        start = _first_line(unit[0])
        while start - 1 > previous_end and self._is_comment(start - 1):
            start -= 1
        return start, unit[-1].end_lineno or unit[-1].lineno

    def _is_comment(self, line: int) -> bool:
        return self._lines[line - 1].lstrip().startswith("#") and line not in self._in_string

    def _guard_body(self, guard: ast.If) -> list[str]:
        start = _first_line(guard.body[0])
        end = guard.body[-1].end_lineno or guard.body[-1].lineno
        width = guard.body[0].col_offset
        return self._reindent(self._lines[start - 1 : end], start, width, self._indent)

    def _reindent(self, lines: list[str], first_line: int, remove: int, add: str) -> list[str]:
        out = []
        for offset, line in enumerate(lines):
            number = first_line + offset
            if number in self._in_string:
                out.append(line)
                continue
            body = line.rstrip("\r\n")
            ending = line[len(body) :]
            if not body.strip():
                out.append(ending or self._newline)
                continue
            leading = len(body) - len(body.lstrip(" \t"))
            out.append(add + body[min(remove, leading) :] + ending)
        return out

    def _assemble(self, kept: list[str], main_body: list[str]) -> str:
        nl = self._newline
        text = "".join(kept).rstrip()
        text = f"{text}{nl}{nl}{nl}" if text else ""
        header = [
            f"def {self._entry}():{nl}",
            f'{self._indent}"""What the script did at its top level (moved here by Make it'
            f' runnable)."""{nl}',
        ]
        if self.global_names:
            header.append(f"{self._indent}global {', '.join(self.global_names)}{nl}")
        body = "".join(main_body).rstrip() + nl
        guard = f'{nl}{nl}if __name__ == "__main__":{nl}{self._indent}{self._entry}(){nl}'
        return text + "".join(header) + body + guard


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _is_definition(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return isinstance(stmt.value.value, str)
    return isinstance(
        stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    )


def _header_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> set[str]:
    """Names a definition reads when it is executed (not when called)."""
    parts: list[ast.AST] = list(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        parts += [*node.bases, *(k.value for k in node.keywords)]
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(_HeaderOnly(stmt))
            else:
                parts.append(stmt)
    else:
        args = node.args
        parts += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    names: set[str] = set()
    for part in parts:
        if isinstance(part, _HeaderOnly):
            names |= _header_names(part.node)
            continue
        names |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
    return names


@dataclass(frozen=True)
class _HeaderOnly:
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _bound_names(stmts: Iterable[ast.stmt]) -> set[str]:
    """Names statements bind in the scope they run in (nested functions,
    classes, lambdas and comprehensions have scopes of their own)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            stack.extend(getattr(node, "decorator_list", []))
            continue
        if isinstance(
            node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _read_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _free_names(stmt: ast.stmt) -> set[str]:
    """Names a function or class reads from the module when it runs."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _read_names(stmt) - _locals_of(stmt)
    if isinstance(stmt, ast.ClassDef):
        names: set[str] = set()
        for inner in stmt.body:
            names |= _free_names(inner) if _is_scope(inner) else _read_names(inner)
        return names | {n for part in stmt.bases for n in _read_names(part)}
    return set()


def _is_scope(stmt: ast.stmt) -> bool:
    return isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def _indent_unit(source: str) -> str:
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.INDENT:
                return "\t" if token.string.startswith("\t") else "    "
    except (tokenize.TokenError, SyntaxError):
        pass
    return "    "


def _string_interior_lines(source: str) -> set[int]:
    """Lines that begin inside a multi-line string (never re-indented)."""
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in kinds and token.end[0] > token.start[0]:
                lines.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines


def _free_name(tree: ast.Module, wanted: str) -> str:
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))
    }
    name, number = wanted, 1
    while name in used:
        number += 1
        name = f"{wanted}{number}"
    return name


def _rename(source: str, tree: ast.Module, old: str, new: str) -> str:
    """``source`` with the top-level function ``old`` and its uses renamed."""
    local_scopes = {
        id(node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        and old in _locals_of(node)
    }
    edits: list[tuple[int, int, int]] = []  # (line, utf-8 column, length)

    def visit(node: ast.AST, shadowed: bool) -> None:
        if id(node) in local_scopes:
            shadowed = True
        if isinstance(node, ast.Name) and node.id == old and not shadowed:
            edits.append((node.lineno, node.col_offset, len(old)))
        if isinstance(node, ast.FunctionDef) and node.name == old and node in tree.body:
            line = source.splitlines()[node.lineno - 1].encode("utf-8")
            edits.append((node.lineno, line.index(f"def {old}".encode()) + 4, len(old)))
        for child in ast.iter_child_nodes(node):
            visit(child, shadowed)

    visit(tree, False)
    lines = source.splitlines(keepends=True)
    for line, column, length in sorted(edits, reverse=True):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:column] + new.encode() + raw[column + length :]).decode("utf-8")
    return "".join(lines)


def _locals_of(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    args = node.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    if isinstance(node, ast.Lambda):
        return names
    declared = {n for s in ast.walk(node) if isinstance(s, ast.Global) for n in s.names}
    return (names | _bound_names(node.body)) - declared
