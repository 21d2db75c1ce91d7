"""The text rewrite of Make it runnable: the statements from the first
that does work move, in order and with their comments, into a generated
``def main():`` (see :mod:`.runnable`)."""

from __future__ import annotations

import ast
import io
import tokenize

from .scope_names import (
    bound_names,
    first_line,
    free_names,
    header_names,
    is_definition,
    is_scope,
)
from .statements import is_main_guard


def breaks_rules(stmt: ast.stmt, lines: set[int]) -> bool:
    """Whether one of ``lines`` (lines with a movable violation) is in ``stmt``."""
    return any(first_line(stmt) <= line <= (stmt.end_lineno or stmt.lineno) for line in lines)


class Rewrite:
    """One rewrite of one source (see :mod:`.runnable`)."""

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
            separate = any(is_scope(s) for s in unit) or (main_body and after_definition)
            if separate and main_body and main_body[-1].strip():
                main_body.append(self._newline)  # a blank line around a moved definition
            after_definition = any(is_scope(s) for s in unit)
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
            start = first_line(stmt)
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
                not all(is_definition(s) for s in unit)
                or any(breaks_rules(s, self._rejected_lines) for s in unit)
            )
        }
        while True:  # definitions whose headers read a moved name move too
            bound = set().union(*(bound_names(units[i]) for i in moved)) if moved else set()
            more = {
                i
                for i, unit in enumerate(units)
                if i >= first_unit
                and i not in moved
                and any(
                    isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and header_names(s) & bound
                    for s in unit
                )
            }
            if not more:
                return moved
            moved |= more

    def _globals(self, units: list[list[ast.stmt]], moved: set[int]) -> list[str]:
        bound_in_main: set[str] = set()
        for i in moved:
            bound_in_main |= bound_names(units[i])
        needed: set[str] = set()
        for i, unit in enumerate(units):
            for stmt in unit:
                if i in moved:
                    continue
                needed |= bound_names([stmt]) | free_names(stmt)
        for i in moved:
            for stmt in units[i]:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    needed |= free_names(stmt)
        return sorted(bound_in_main & needed)

    # -- text -----------------------------------------------------------

    def _span(self, unit: list[ast.stmt], previous_end: int) -> tuple[int, int]:
        """1-based inclusive lines of a unit with the comment lines right
        above it."""
        start = first_line(unit[0])
        while start - 1 > previous_end and self._is_comment(start - 1):
            start -= 1
        return start, unit[-1].end_lineno or unit[-1].lineno

    def _is_comment(self, line: int) -> bool:
        return self._lines[line - 1].lstrip().startswith("#") and line not in self._in_string

    def _guard_body(self, guard: ast.If) -> list[str]:
        start = first_line(guard.body[0])
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
