"""The findings of one lint run, as the LintFinding schema describes them."""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass

from .rules import RULES

MAX_FINDINGS = 500
"""At most this many findings are reported for one source."""


@dataclass(frozen=True)
class Finding:
    """One finding: which rule, where (1-based), what was found, why, the fix."""

    rule: str
    name: str
    line: int
    column: int
    severity: str
    message: str
    why: str
    fix: str

    @classmethod
    def of(cls, rule_id: str, line: int, column: int, message: str) -> Finding:
        """A finding of rule ``rule_id`` with the rule's name, severity, why and fix."""
        rule = RULES[rule_id]
        return cls(rule.id, rule.name, line, column, rule.severity, message, rule.why, rule.fix)

    def to_json(self) -> dict[str, object]:
        """The finding as the JSON object the server reads."""
        return asdict(self)


class Findings:
    """Collects findings: one per rule and position, at most :data:`MAX_FINDINGS`."""

    def __init__(self) -> None:
        self._items: list[Finding] = []
        self._seen: set[tuple[str, int, int]] = set()

    def report(self, rule_id: str, node: ast.AST, message: str) -> None:
        """Records that ``node`` breaks rule ``rule_id``."""
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0) + 1
        key = (rule_id, line, column)
        if key in self._seen:
            return
        self._seen.add(key)
        if len(self._items) < MAX_FINDINGS:
            self._items.append(Finding.of(rule_id, line, column, message))

    def in_order(self) -> list[Finding]:
        """Every finding, by position, then rule."""
        return sorted(self._items, key=lambda f: (f.line, f.column, f.rule))
